-- The extension is installed (tools/test.sh creates pgtap and migration_guard before any file).
BEGIN;
SELECT plan(2);

SELECT has_extension('migration_guard');
SELECT has_schema('migration_guard');

SELECT * FROM finish();
ROLLBACK;
