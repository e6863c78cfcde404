ALTER TABLE accounts RENAME TO customers;
ALTER TABLE customers RENAME COLUMN email TO email_address;
ALTER SCHEMA billing RENAME TO invoicing;
ALTER VIEW active_users RENAME TO active_customers;
ALTER FUNCTION normalise_email(text) RENAME TO normalize_email;
ALTER TYPE mood RENAME TO feeling;
ALTER TYPE feeling RENAME VALUE 'sad' TO 'unhappy';
ALTER TABLE customers SET SCHEMA archive;
