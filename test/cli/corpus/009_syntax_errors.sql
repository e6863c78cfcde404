DROP TABLE first_one;
ALTER TABEL accounts DROP COLUMN x;
SELEC 1;
CREATE INDEX idx ON t (a;
  /* a comment before */ ALTER TABLE accounts DROP COLUMN y;
DROP TABLE;
ALTER TABLE accounts RENAME TO clients;
