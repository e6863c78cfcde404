-- object_history follows one object through renames (by OID) and after it is dropped.
SELECT reset_ledger();
SELECT migration_guard.run_migration('101', 'create table accounts (id int primary key, mail text)', 'create accounts');
SELECT migration_guard.run_migration('102', 'alter table accounts rename column mail to email_address', 'rename mail');
SELECT migration_guard.run_migration('103', 'alter table accounts rename to users', 'rename accounts');
-- Another table that once had the same name is a different object.
SELECT migration_guard.run_migration('104', 'create table accounts (id int)', 'new accounts');
SELECT migration_guard.run_migration('105', 'alter table users add column created_at timestamptz', 'add created_at');

SELECT event_id, migration_id, command_tag, object_type, object_identity, statement
  FROM migration_guard.object_history('users'::regclass);
-- The text form: the new name finds the table's past under its old name; the old name finds
-- every object ever known by it (the renamed table and the new "accounts").
SELECT event_id, migration_id, command_tag, object_identity
  FROM migration_guard.object_history('public.users');
SELECT event_id, migration_id, command_tag, object_identity
  FROM migration_guard.object_history('accounts');

-- After a drop, the text form still tells the whole story.
SELECT migration_guard.run_migration('106', 'drop table users', 'drop users');
SELECT event_id, migration_id, event, command_tag, object_identity
  FROM migration_guard.object_history('public.users');
SELECT count(*) AS unknown FROM migration_guard.object_history('public.never_existed');
SELECT try($$SELECT * FROM migration_guard.object_history('public.never_existed'::regclass)$$);
DROP TABLE accounts;
