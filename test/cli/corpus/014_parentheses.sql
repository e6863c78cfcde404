-- An unclosed parenthesis: the statement ends at its semicolon and the rest is still judged.
CREATE INDEX accounts_email_idx ON accounts (email;
ALTER TABLE accounts DROP COLUMN legacy;
-- A rule's actions are the one place semicolons sit between parentheses.
CREATE OR REPLACE RULE log_insert AS ON INSERT TO accounts DO ALSO (
    INSERT INTO audit VALUES (1);
    NOTIFY accounts_changed
);
SELECT (1;
DROP TABLE audit;
