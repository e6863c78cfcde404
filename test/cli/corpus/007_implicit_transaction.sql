-- No BEGIN/COMMIT: the tool's transaction (lint() and --assume-in-transaction).
CREATE TABLE widgets (id bigint PRIMARY KEY, name text);
ALTER TABLE widgets ADD COLUMN colour text NOT NULL;
CREATE INDEX widgets_name_idx ON widgets (name);
SET LOCAL lock_timeout = '3s';
ALTER TABLE gadgets DROP COLUMN colour;
