-- IF EXISTS: with a catalog, a missing table is exempt; offline, nothing is known.
DROP TABLE IF EXISTS maybe_there;
ALTER TABLE IF EXISTS maybe_there DROP COLUMN c;
ALTER TABLE parity_accounts ALTER COLUMN email TYPE varchar(400);
ALTER TABLE parity_accounts ALTER COLUMN email TYPE varchar(10);
ALTER TABLE parity_accounts ALTER COLUMN note TYPE text;
ALTER TABLE parity_accounts ALTER COLUMN email SET NOT NULL;
ALTER TABLE parity_accounts ALTER COLUMN id SET NOT NULL;
ALTER TABLE parity_accounts DROP COLUMN IF EXISTS note;
ALTER TABLE "Parity Mixed" DROP COLUMN x;
