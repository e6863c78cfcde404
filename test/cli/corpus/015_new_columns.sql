-- A column this transaction adds is new to everyone else: renaming, retyping and dropping it
-- breaks no old code; making it NOT NULL does.
BEGIN;
SET LOCAL lock_timeout = '2s';
ALTER TABLE accounts ADD COLUMN nickname text;
ALTER TABLE accounts RENAME COLUMN nickname TO handle;
ALTER TABLE accounts ALTER COLUMN handle TYPE varchar(40);
ALTER TABLE accounts ALTER COLUMN handle SET NOT NULL;
ALTER TABLE accounts DROP COLUMN handle;
ALTER TABLE accounts ADD COLUMN IF NOT EXISTS legacy int;
ALTER TABLE accounts DROP COLUMN legacy;
COMMIT;
ALTER TABLE accounts DROP COLUMN email;
