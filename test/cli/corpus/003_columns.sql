ALTER TABLE accounts ADD COLUMN plan text NOT NULL;
ALTER TABLE accounts ADD COLUMN token uuid DEFAULT gen_random_uuid();
ALTER TABLE accounts ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE accounts ADD COLUMN id2 bigserial;
ALTER TABLE accounts ALTER COLUMN email TYPE varchar(320);
ALTER TABLE accounts ALTER COLUMN balance TYPE numeric(14,2) USING balance::numeric;
ALTER TABLE accounts ALTER COLUMN email SET NOT NULL, ALTER COLUMN name DROP NOT NULL;
ALTER TABLE accounts ALTER COLUMN plan DROP DEFAULT;
