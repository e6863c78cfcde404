--! no-transaction
-- graphile-migrate runs this file outside a transaction: CONCURRENTLY is fine here, in
-- lint() as in the CLI.
CREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);
BEGIN;
DROP INDEX CONCURRENTLY accounts_email_idx;
COMMIT;
