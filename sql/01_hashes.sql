-- script_hash: SHA-256 over the canonical form (docs/hashing.md).
SELECT migration_guard.script_hash('');     -- SHA-256 of no bytes
SELECT migration_guard.script_hash('abc');  -- the FIPS 180-2 test vector
-- CRLF, lone CR and LF hash alike; a leading BOM is dropped, a BOM elsewhere is kept.
SELECT migration_guard.script_hash(E'select 1;\r\nselect 2;\r\n') AS crlf,
       migration_guard.script_hash(E'select 1;\rselect 2;\r') = migration_guard.script_hash(E'select 1;\r\nselect 2;\r\n') AS cr_same,
       migration_guard.script_hash(E'select 1;\nselect 2;\n') = migration_guard.script_hash(E'select 1;\r\nselect 2;\r\n') AS lf_same;
SELECT migration_guard.script_hash(E'\uFEFFselect 1;') = migration_guard.script_hash('select 1;') AS leading_bom_dropped,
       migration_guard.script_hash(E'select 1;\uFEFF') = migration_guard.script_hash('select 1;') AS inner_bom_dropped;
-- Bytes hash the same as the text they spell; invalid UTF-8 can only arrive as bytes.
SELECT migration_guard.script_hash(convert_to(E'select 1;\r\n', 'UTF8')) = migration_guard.script_hash(E'select 1;\n') AS bytea_same,
       migration_guard.script_hash('\xefbbbf61ff0d'::bytea) = migration_guard.script_hash('\x61ff0a'::bytea) AS raw_bytes_canonical;
-- Trailing white space other than line ends is significant.
SELECT migration_guard.script_hash('select 1; ') = migration_guard.script_hash('select 1;') AS trailing_space_ignored;
SELECT migration_guard.script_hash(NULL::text) IS NULL AS null_in_null_out;
-- A 100 MB script hashes (the ledger refuses to store one that large; see 02_ledger).
SELECT migration_guard.script_hash(repeat(E'x\r\n', 35000000)) = migration_guard.script_hash(repeat(E'x\n', 35000000)) AS large_script;

-- chain_hash: netstring-framed previous hash, version and script hash.
SELECT migration_guard.chain_hash('', '001', 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
SELECT migration_guard.chain_hash('', E'a\n', 'b') <> migration_guard.chain_hash('', 'a', E'\nb') AS framing_unambiguous;
SELECT migration_guard.chain_hash(NULL, '1', NULL) = migration_guard.chain_hash('', '1', '') AS nulls_are_empty;
SELECT try($$SELECT migration_guard.chain_hash('', NULL, '')$$);

-- graphile-migrate committed files, produced by graphile-migrate itself (test/unit/data/graphile).
\getenv abs_srcdir PG_ABS_SRCDIR
\set g1 `cat :abs_srcdir/test/unit/data/graphile/committed/000001.sql`
\set g2 `cat :abs_srcdir/test/unit/data/graphile/committed/000002-add-email-column.sql`
\set g3 `cat :abs_srcdir/test/unit/data/graphile/committed/000003.sql`
\set g4 `cat :abs_srcdir/test/unit/data/graphile/committed/000004-comments-crlf.sql`
\set padded `cat :abs_srcdir/test/unit/data/graphile/padded/000003.sql`
SELECT n, migration_guard.verify_graphile_migration(f) AS verified,
       migration_guard.graphile_migration_hash(f) AS hash
  FROM (VALUES (1, :'g1'), (2, :'g2'), (3, :'g3'), (4, :'g4'), (5, :'padded')) AS files (n, f)
 ORDER BY n;
-- An edit to the body after commit is caught; so is an edit to the Previous link.
SELECT migration_guard.verify_graphile_migration(replace(:'g2', 'email text', 'email varchar')) AS edited_body,
       migration_guard.verify_graphile_migration(replace(:'g2', 'Previous: sha1:f', 'Previous: sha1:e')) AS edited_previous;
SELECT try($$SELECT migration_guard.verify_graphile_migration('create table x();')$$);
SELECT try($$SELECT migration_guard.verify_graphile_migration(E'--! Previous: -\n--! Message: no hash\n\nselect 1;\n')$$);
SELECT try($$SELECT migration_guard.verify_graphile_migration(E'--! Previous: -\n--! Hash: sha1:00\nselect 1;\n')$$);
