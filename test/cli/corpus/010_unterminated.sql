ALTER TABLE a DROP COLUMN b;
SELECT 'this string never ends;
DROP TABLE c;
