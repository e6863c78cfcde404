CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    -- DROP TABLE inside a body is not a statement of the script;
    NEW.updated_at := now();
    RETURN NEW;
END
$body$;
DO $$ BEGIN EXECUTE 'DROP TABLE x'; END $$;
SELECT $q$ ALTER TABLE a DROP COLUMN b; $q$ AS text_only;
CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql
BEGIN ATOMIC
    SELECT CASE WHEN a IS NULL THEN 0 ELSE a END + b;
END;
ALTER TABLE "Mixed Case" DROP COLUMN "Weird ""Name""";
ALTER TABLE café DROP COLUMN naïve;
