-- Removals of every kind, with comments in odd places.
DROP TABLE legacy_events;
DROP VIEW /* inline */ active_users;
DROP MATERIALIZED VIEW monthly_totals;
DROP SCHEMA reporting CASCADE;
DROP FUNCTION normalise_email(text);
DROP TYPE mood;
ALTER TABLE accounts
    -- the column went unused in release 41
    DROP COLUMN nickname;
DROP INDEX accounts_email_idx;
DROP INDEX CONCURRENTLY accounts_name_idx;
DROP SEQUENCE invoice_numbers;
