// mg::pgparse::describe() on real SQL, parsed by libpg_query (PostgreSQL 15's parser) through
// the CLI's front end, mg::cli::parse_script().
#include "cli/parse.hpp"
#include "core/ddl_change.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using mg::ChangeKind;
using mg::DdlChange;
using mg::DdlStatement;

// The one statement `sql` holds; fails the test on a syntax error.
DdlStatement one(const std::string &sql) {
    const mg::cli::ParsedScript parsed = mg::cli::parse_script(sql);
    EXPECT_EQ(parsed.statements.size(), 1u) << sql;
    if (parsed.statements.empty())
        return {};
    EXPECT_FALSE(parsed.statements[0].syntax_error) << parsed.statements[0].error_message;
    return parsed.statements[0].ddl;
}

// The one change `sql` makes.
DdlChange change(const std::string &sql) {
    const DdlStatement st = one(sql);
    EXPECT_EQ(st.changes.size(), 1u) << sql;
    return st.changes.empty() ? DdlChange{} : st.changes[0];
}

std::vector<ChangeKind> kinds(const DdlStatement &st) {
    std::vector<ChangeKind> out;
    for (const DdlChange &c : st.changes)
        out.push_back(c.kind);
    return out;
}

std::vector<std::string> locked(const DdlStatement &st) {
    std::vector<std::string> out;
    for (const mg::QualifiedName &n : st.locked_tables)
        out.push_back(n.display());
    return out;
}

using Names = std::vector<std::string>;

// ----- DROP ------------------------------------------------------------------------------------

TEST(DescribeDrop, TablesOneChangePerObjectWithSchemasAndQuotedNames) {
    const DdlStatement st =
        one(R"(DROP TABLE public.users, "Order Items", app."MixedCase" CASCADE)");
    EXPECT_EQ(st.command, "DROP TABLE");
    ASSERT_EQ(st.changes.size(), 3u);
    for (const DdlChange &c : st.changes) {
        EXPECT_EQ(c.kind, ChangeKind::DropTable);
        EXPECT_TRUE(c.cascade);
        EXPECT_FALSE(c.missing_ok);
    }
    EXPECT_EQ(st.changes[0].object.schema, "public");
    EXPECT_EQ(st.changes[0].object.name, "users");
    EXPECT_EQ(st.changes[1].object.schema, "");
    EXPECT_EQ(st.changes[1].object.name, "Order Items");
    EXPECT_EQ(st.changes[2].object.display(), "app.MixedCase");
    EXPECT_TRUE(st.access_exclusive);
    EXPECT_EQ(locked(st), (Names{"public.users", "Order Items", "app.MixedCase"}));
}

TEST(DescribeDrop, IfExistsAndRestrict) {
    const DdlChange c = change("DROP TABLE IF EXISTS Users");
    EXPECT_TRUE(c.missing_ok);
    EXPECT_FALSE(c.cascade);
    EXPECT_EQ(c.object.name, "users"); // unquoted identifiers fold to lower case
}

TEST(DescribeDrop, EveryObjectKind) {
    struct Case {
        const char *sql;
        ChangeKind kind;
        const char *object;
        bool access_exclusive;
    };
    const Case cases[] = {
        {"DROP VIEW v", ChangeKind::DropView, "v", true},
        {"DROP MATERIALIZED VIEW reports.mv", ChangeKind::DropMaterializedView, "reports.mv", true},
        {"DROP SCHEMA legacy CASCADE", ChangeKind::DropSchema, "legacy", false},
        {"DROP FUNCTION app.f(integer, text)", ChangeKind::DropFunction, "app.f", false},
        {"DROP FUNCTION f", ChangeKind::DropFunction, "f", false},
        {"DROP PROCEDURE p()", ChangeKind::DropFunction, "p", false},
        {"DROP TYPE app.mood", ChangeKind::DropType, "app.mood", false},
        {"DROP DOMAIN email_address", ChangeKind::DropType, "email_address", false},
        {"DROP INDEX users_email_idx", ChangeKind::DropIndex, "users_email_idx", true},
        {"DROP INDEX CONCURRENTLY users_email_idx", ChangeKind::DropIndex, "users_email_idx",
         false},
        {"DROP SEQUENCE s", ChangeKind::DropSequence, "s", true},
        {"DROP FOREIGN TABLE ft", ChangeKind::DropTable, "ft", true},
    };
    for (const Case &c : cases) {
        const DdlStatement st = one(c.sql);
        ASSERT_EQ(st.changes.size(), 1u) << c.sql;
        EXPECT_EQ(st.changes[0].kind, c.kind) << c.sql;
        EXPECT_EQ(st.changes[0].object.display(), c.object) << c.sql;
        EXPECT_EQ(st.access_exclusive, c.access_exclusive) << c.sql;
    }
    EXPECT_TRUE(change("DROP INDEX CONCURRENTLY i").concurrently);
    EXPECT_TRUE(change("DROP SCHEMA legacy CASCADE").cascade);
}

TEST(DescribeDrop, SeveralSchemasAndFunctions) {
    const DdlStatement st = one("DROP SCHEMA IF EXISTS a, b; ");
    ASSERT_EQ(st.changes.size(), 2u);
    EXPECT_EQ(st.changes[1].object.name, "b");
    EXPECT_TRUE(st.changes[1].missing_ok);
    EXPECT_EQ(one("DROP FUNCTION f(int), g(text)").changes.size(), 2u);
}

TEST(DescribeDrop, OtherObjectsAreNotDescribed) {
    EXPECT_TRUE(one("DROP TRIGGER t ON users").changes.empty());
    EXPECT_TRUE(one("DROP EXTENSION hstore").changes.empty());
}

// ----- renames ---------------------------------------------------------------------------------

TEST(DescribeRename, TablesColumnsAndTheRest) {
    struct Case {
        const char *sql;
        ChangeKind kind;
        const char *object;
        const char *column;
        const char *new_name;
        const char *command;
    };
    const Case cases[] = {
        {"ALTER TABLE public.users RENAME TO customers", ChangeKind::RenameTable, "public.users",
         "", "customers", "ALTER TABLE"},
        {"ALTER TABLE users RENAME COLUMN email TO email_address", ChangeKind::RenameColumn,
         "users", "email", "email_address", "ALTER TABLE"},
        {"ALTER TABLE IF EXISTS users RENAME email TO \"E-mail\"", ChangeKind::RenameColumn,
         "users", "email", "E-mail", "ALTER TABLE"},
        {"ALTER VIEW v RENAME COLUMN a TO b", ChangeKind::RenameColumn, "v", "a", "b",
         "ALTER VIEW"},
        {"ALTER SCHEMA app RENAME TO application", ChangeKind::RenameSchema, "app", "",
         "application", "ALTER SCHEMA"},
        {"ALTER VIEW active_users RENAME TO live_users", ChangeKind::RenameView, "active_users", "",
         "live_users", "ALTER VIEW"},
        {"ALTER MATERIALIZED VIEW s.mv RENAME TO mv2", ChangeKind::RenameView, "s.mv", "", "mv2",
         "ALTER MATERIALIZED VIEW"},
        {"ALTER FUNCTION app.total(int) RENAME TO sum_total", ChangeKind::RenameFunction,
         "app.total", "", "sum_total", "ALTER FUNCTION"},
        {"ALTER PROCEDURE p() RENAME TO q", ChangeKind::RenameFunction, "p", "", "q",
         "ALTER PROCEDURE"},
        {"ALTER TYPE app.mood RENAME TO feeling", ChangeKind::RenameType, "app.mood", "", "feeling",
         "ALTER TYPE"},
        {"ALTER DOMAIN email RENAME TO email_address", ChangeKind::RenameType, "email", "",
         "email_address", "ALTER DOMAIN"},
    };
    for (const Case &c : cases) {
        const DdlStatement st = one(c.sql);
        ASSERT_EQ(st.changes.size(), 1u) << c.sql;
        const DdlChange &ch = st.changes[0];
        EXPECT_EQ(ch.kind, c.kind) << c.sql;
        EXPECT_EQ(ch.object.display(), c.object) << c.sql;
        EXPECT_EQ(ch.column, c.column) << c.sql;
        EXPECT_EQ(ch.new_name, c.new_name) << c.sql;
        EXPECT_EQ(st.command, c.command) << c.sql;
    }
    EXPECT_TRUE(change("ALTER TABLE IF EXISTS users RENAME TO u").missing_ok);
}

TEST(DescribeRename, RelationRenamesTakeAccessExclusiveButIndexRenamesDoNot) {
    const DdlStatement table = one("ALTER TABLE users RENAME COLUMN a TO b");
    EXPECT_TRUE(table.access_exclusive);
    EXPECT_EQ(locked(table), (Names{"users"}));
    const DdlStatement index = one("ALTER INDEX users_a_idx RENAME TO users_b_idx");
    EXPECT_FALSE(index.access_exclusive);
    EXPECT_TRUE(index.changes.empty());
    EXPECT_EQ(index.command, "ALTER INDEX");
    EXPECT_TRUE(one("ALTER TABLE users RENAME CONSTRAINT a TO b").access_exclusive);
}

TEST(DescribeRename, SetSchemaMovesTheObject) {
    const DdlChange table = change("ALTER TABLE public.users SET SCHEMA archive");
    EXPECT_EQ(table.kind, ChangeKind::RenameTable);
    EXPECT_EQ(table.object.display(), "public.users");
    EXPECT_EQ(table.new_name, "archive.users");
    EXPECT_EQ(change("ALTER FUNCTION f(int) SET SCHEMA util").kind, ChangeKind::RenameFunction);
    EXPECT_EQ(change("ALTER TYPE mood SET SCHEMA util").kind, ChangeKind::RenameType);
    EXPECT_EQ(change("ALTER VIEW v SET SCHEMA util").kind, ChangeKind::RenameView);
}

TEST(DescribeRename, EnumValues) {
    const DdlChange c = change("ALTER TYPE app.mood RENAME VALUE 'sad' TO 'unhappy'");
    EXPECT_EQ(c.kind, ChangeKind::RenameEnumValue);
    EXPECT_EQ(c.object.display(), "app.mood");
    EXPECT_EQ(c.column, "sad");
    EXPECT_EQ(c.new_name, "unhappy");
    const DdlStatement add = one("ALTER TYPE mood ADD VALUE IF NOT EXISTS 'calm' AFTER 'sad'");
    EXPECT_TRUE(add.changes.empty());
    EXPECT_EQ(add.command, "ALTER TYPE");
}

// ----- ALTER TABLE: columns --------------------------------------------------------------------

TEST(DescribeAddColumn, TypeNullabilityAndNoDefault) {
    const DdlStatement st = one("ALTER TABLE app.users ADD COLUMN nickname varchar(40) NOT NULL");
    EXPECT_EQ(st.command, "ALTER TABLE");
    EXPECT_TRUE(st.access_exclusive);
    EXPECT_EQ(locked(st), (Names{"app.users"}));
    ASSERT_EQ(st.changes.size(), 1u);
    const DdlChange &c = st.changes[0];
    EXPECT_EQ(c.kind, ChangeKind::AddColumn);
    EXPECT_EQ(c.object.display(), "app.users");
    EXPECT_EQ(c.column, "nickname");
    EXPECT_EQ(c.type.names, (Names{"pg_catalog", "varchar"}));
    EXPECT_EQ(c.type.typmods, (std::vector<int>{40}));
    EXPECT_EQ(c.type.display, "varchar(40)");
    EXPECT_TRUE(c.not_null);
    EXPECT_FALSE(c.has_default);
    EXPECT_FALSE(c.default_is_volatile);
}

TEST(DescribeAddColumn, DefaultsStableAndVolatile) {
    const DdlChange now = change("ALTER TABLE t ADD COLUMN created_at timestamptz DEFAULT now()");
    EXPECT_TRUE(now.has_default);
    EXPECT_EQ(now.default_functions, (Names{"now"}));
    EXPECT_FALSE(now.default_is_volatile);

    const DdlChange random = change("ALTER TABLE t ADD COLUMN r float8 NOT NULL DEFAULT random()");
    EXPECT_EQ(random.default_functions, (Names{"random"}));
    EXPECT_TRUE(random.default_is_volatile);
    EXPECT_TRUE(random.not_null);

    const DdlChange uuid =
        change("ALTER TABLE t ADD COLUMN id uuid DEFAULT public.GEN_RANDOM_UUID()");
    EXPECT_EQ(uuid.default_functions, (Names{"gen_random_uuid"}));
    EXPECT_TRUE(uuid.default_is_volatile);

    const DdlChange nested = change(
        "ALTER TABLE t ADD COLUMN n int DEFAULT (coalesce(floor(random() * 10), 0) + 1)::int");
    EXPECT_EQ(nested.default_functions, (Names{"floor", "random"}));
    EXPECT_TRUE(nested.default_is_volatile);

    const DdlChange constant = change("ALTER TABLE t ADD COLUMN s text DEFAULT 'x' NOT NULL");
    EXPECT_TRUE(constant.has_default);
    EXPECT_TRUE(constant.default_functions.empty());
    EXPECT_FALSE(constant.default_is_volatile);

    const DdlChange sql_value = change("ALTER TABLE t ADD COLUMN d timestamptz DEFAULT "
                                       "CURRENT_TIMESTAMP");
    EXPECT_TRUE(sql_value.has_default);
    EXPECT_FALSE(sql_value.default_is_volatile);

    const DdlChange cased = change("ALTER TABLE t ADD COLUMN d int DEFAULT CASE WHEN random() > "
                                   "0.5 THEN 1 ELSE nextval('s') END");
    EXPECT_EQ(cased.default_functions, (Names{"random", "nextval"}));
}

TEST(DescribeAddColumn, SerialIdentityAndGeneratedColumnsFillEveryRow) {
    const DdlChange serial = change("ALTER TABLE t ADD COLUMN id bigserial");
    EXPECT_TRUE(serial.has_default);
    EXPECT_TRUE(serial.not_null);
    EXPECT_TRUE(serial.default_is_volatile);
    EXPECT_EQ(serial.default_functions, (Names{"nextval"}));

    const DdlChange identity =
        change("ALTER TABLE t ADD COLUMN id int GENERATED ALWAYS AS IDENTITY");
    EXPECT_TRUE(identity.has_default);
    EXPECT_TRUE(identity.default_is_volatile);

    const DdlChange generated =
        change("ALTER TABLE t ADD COLUMN lower_email text GENERATED ALWAYS AS (lower(email)) "
               "STORED");
    EXPECT_TRUE(generated.default_is_volatile);
    EXPECT_EQ(generated.default_functions, (Names{"lower"}));
}

TEST(DescribeAddColumn, InlineConstraintsAreConstraintChangesToo) {
    const DdlStatement st = one("ALTER TABLE orders ADD COLUMN customer_id bigint "
                                "CONSTRAINT orders_customer_fk REFERENCES public.customers (id) "
                                "CHECK (customer_id > 0) UNIQUE");
    EXPECT_EQ(kinds(st),
              (std::vector<ChangeKind>{ChangeKind::AddColumn, ChangeKind::AddConstraint,
                                       ChangeKind::AddConstraint, ChangeKind::AddConstraint}));
    EXPECT_EQ(st.changes[1].constraint_type, "foreign_key");
    EXPECT_EQ(st.changes[1].constraint_name, "orders_customer_fk");
    EXPECT_EQ(st.changes[1].referenced.display(), "public.customers");
    EXPECT_EQ(st.changes[1].column, "customer_id");
    EXPECT_EQ(st.changes[2].constraint_type, "check");
    EXPECT_EQ(st.changes[3].constraint_type, "unique");
    for (size_t i = 1; i < st.changes.size(); ++i) {
        EXPECT_EQ(st.changes[i].object.name, "orders");
        EXPECT_FALSE(st.changes[i].not_valid);
    }

    const DdlStatement pk = one("ALTER TABLE t ADD COLUMN id int PRIMARY KEY");
    ASSERT_EQ(pk.changes.size(), 2u);
    EXPECT_TRUE(pk.changes[0].not_null);
    EXPECT_EQ(pk.changes[1].constraint_type, "primary_key");
}

TEST(DescribeAlterColumn, TypeChangesWithTypmodsAndArrays) {
    struct Case {
        const char *type;
        const char *display;
        Names names;
        std::vector<int> typmods;
        bool array;
    };
    const Case cases[] = {
        {"varchar(255)", "varchar(255)", {"pg_catalog", "varchar"}, {255}, false},
        {"character varying", "varchar", {"pg_catalog", "varchar"}, {}, false},
        {"numeric(12,2)", "numeric(12,2)", {"pg_catalog", "numeric"}, {12, 2}, false},
        {"decimal(10)", "numeric(10)", {"pg_catalog", "numeric"}, {10}, false},
        {"text", "text", {"text"}, {}, false},
        {"int[]", "integer[]", {"pg_catalog", "int4"}, {}, true},
        {"bigint", "bigint", {"pg_catalog", "int8"}, {}, false},
        {"double precision", "double precision", {"pg_catalog", "float8"}, {}, false},
        {"boolean", "boolean", {"pg_catalog", "bool"}, {}, false},
        {"app.money_amount", "money_amount", {"app", "money_amount"}, {}, false},
    };
    for (const Case &c : cases) {
        const std::string sql =
            std::string("ALTER TABLE accounts ALTER COLUMN balance TYPE ") + c.type;
        const DdlChange ch = change(sql);
        EXPECT_EQ(ch.kind, ChangeKind::AlterColumnType) << sql;
        EXPECT_EQ(ch.column, "balance") << sql;
        EXPECT_EQ(ch.type.display, c.display) << sql;
        EXPECT_EQ(ch.type.names, c.names) << sql;
        EXPECT_EQ(ch.type.typmods, c.typmods) << sql;
        EXPECT_EQ(ch.type.array, c.array) << sql;
        EXPECT_FALSE(ch.using_expression) << sql;
    }
    const DdlChange with_using =
        change("ALTER TABLE t ALTER COLUMN a SET DATA TYPE int USING a::integer");
    EXPECT_TRUE(with_using.using_expression);
}

TEST(DescribeAlterColumn, NullabilityAndDefaults) {
    EXPECT_EQ(change("ALTER TABLE t ALTER COLUMN a SET NOT NULL").kind, ChangeKind::SetNotNull);
    EXPECT_EQ(change("ALTER TABLE t ALTER a DROP NOT NULL").kind, ChangeKind::DropNotNull);
    const DdlChange drop_default = change("ALTER TABLE t ALTER COLUMN a DROP DEFAULT");
    EXPECT_EQ(drop_default.kind, ChangeKind::DropDefault);
    EXPECT_EQ(drop_default.column, "a");
    const DdlStatement set_default = one("ALTER TABLE t ALTER COLUMN a SET DEFAULT 0");
    EXPECT_TRUE(set_default.changes.empty());
    EXPECT_TRUE(set_default.access_exclusive);
}

TEST(DescribeAlterColumn, DropColumn) {
    const DdlChange c = change("ALTER TABLE public.users DROP COLUMN IF EXISTS email CASCADE");
    EXPECT_EQ(c.kind, ChangeKind::DropColumn);
    EXPECT_EQ(c.object.display(), "public.users");
    EXPECT_EQ(c.column, "email");
    EXPECT_TRUE(c.missing_ok);
    EXPECT_TRUE(c.cascade);
    EXPECT_EQ(change("ALTER TABLE users DROP email").column, "email");
}

// ----- ALTER TABLE: constraints ----------------------------------------------------------------

TEST(DescribeConstraint, TableConstraints) {
    const DdlChange check =
        change("ALTER TABLE t ADD CONSTRAINT positive CHECK (amount > 0) NOT VALID");
    EXPECT_EQ(check.kind, ChangeKind::AddConstraint);
    EXPECT_EQ(check.constraint_type, "check");
    EXPECT_EQ(check.constraint_name, "positive");
    EXPECT_EQ(check.column, "amount");
    EXPECT_TRUE(check.not_valid);

    const DdlChange two_columns = change("ALTER TABLE t ADD CHECK (a < b)");
    EXPECT_EQ(two_columns.column, "");
    EXPECT_EQ(two_columns.constraint_name, "");
    EXPECT_FALSE(two_columns.not_valid);

    const DdlChange fk = change("ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) "
                                "REFERENCES app.customers (id) ON DELETE CASCADE");
    EXPECT_EQ(fk.constraint_type, "foreign_key");
    EXPECT_EQ(fk.referenced.display(), "app.customers");
    EXPECT_EQ(fk.column, "customer_id");

    const DdlChange unique = change("ALTER TABLE t ADD CONSTRAINT t_email_key UNIQUE (email)");
    EXPECT_EQ(unique.constraint_type, "unique");
    EXPECT_FALSE(unique.using_index);

    const DdlChange using_index =
        change("ALTER TABLE t ADD CONSTRAINT t_email_key UNIQUE USING INDEX t_email_idx");
    EXPECT_TRUE(using_index.using_index);
    const DdlChange pk = change("ALTER TABLE t ADD PRIMARY KEY USING INDEX t_pkey_idx");
    EXPECT_EQ(pk.constraint_type, "primary_key");
    EXPECT_TRUE(pk.using_index);

    EXPECT_EQ(change("ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist "
                     "(room WITH =, during WITH &&)")
                  .constraint_type,
              "exclude");

    const DdlChange validate = change("ALTER TABLE t VALIDATE CONSTRAINT positive");
    EXPECT_EQ(validate.kind, ChangeKind::ValidateConstraint);
    EXPECT_EQ(validate.constraint_name, "positive");
}

// ----- ALTER TABLE: lock levels ----------------------------------------------------------------

TEST(DescribeLocks, AlterTableLockLevelsFollowPostgres) {
    struct Case {
        const char *sql;
        bool access_exclusive;
    };
    const Case cases[] = {
        {"ALTER TABLE t ADD COLUMN a int", true},
        {"ALTER TABLE t DROP COLUMN a", true},
        {"ALTER TABLE t ALTER COLUMN a TYPE bigint", true},
        {"ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID", true},
        {"ALTER TABLE t ADD CONSTRAINT u UNIQUE (a)", true},
        {"ALTER TABLE t OWNER TO someone", true},
        {"ALTER TABLE t SET TABLESPACE fast", true},
        {"ALTER TABLE t DROP CONSTRAINT c", true},
        {"ALTER TABLE t SET LOGGED", true},
        {"ALTER TABLE t ALTER COLUMN a SET STATISTICS 500", false},
        {"ALTER TABLE t ALTER COLUMN a SET (n_distinct = 100)", false},
        {"ALTER TABLE t VALIDATE CONSTRAINT c", false},
        {"ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id)", false},
        {"ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id) NOT VALID", false},
        {"ALTER TABLE t SET (fillfactor = 70, autovacuum_enabled = false)", false},
        {"ALTER TABLE t SET (fillfactor = 70, user_catalog_table = true)", true},
        {"ALTER TABLE t CLUSTER ON t_pkey", false},
        {"ALTER TABLE t DISABLE TRIGGER ALL", false},
        {"ALTER TABLE t ENABLE RULE r", true},
        {"ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY", false},
        {"ALTER TABLE p DETACH PARTITION p1", true},
        {"ALTER VIEW v SET (security_barrier = true)", true},
    };
    for (const Case &c : cases)
        EXPECT_EQ(one(c.sql).access_exclusive, c.access_exclusive) << c.sql;
    EXPECT_TRUE(one("ALTER TABLE t VALIDATE CONSTRAINT c").locked_tables.empty());
}

TEST(DescribeLocks, AttachPartitionLocksThePartition) {
    const DdlStatement st =
        one("ALTER TABLE measurements ATTACH PARTITION measurements_2024 FOR VALUES FROM "
            "('2024-01-01') TO ('2025-01-01')");
    EXPECT_TRUE(st.access_exclusive);
    EXPECT_EQ(locked(st), (Names{"measurements_2024"}));
}

TEST(DescribeAlterTable, SeveralSubcommandsInOrder) {
    const DdlStatement st = one("ALTER TABLE IF EXISTS app.users "
                                "ADD COLUMN email_address text, "
                                "ALTER COLUMN name TYPE varchar(100), "
                                "ALTER COLUMN email SET NOT NULL, "
                                "ALTER COLUMN nickname DROP DEFAULT, "
                                "DROP COLUMN legacy, "
                                "ADD CONSTRAINT name_len CHECK (length(name) < 100) NOT VALID, "
                                "ALTER COLUMN email SET STATISTICS 100");
    EXPECT_EQ(kinds(st),
              (std::vector<ChangeKind>{ChangeKind::AddColumn, ChangeKind::AlterColumnType,
                                       ChangeKind::SetNotNull, ChangeKind::DropDefault,
                                       ChangeKind::DropColumn, ChangeKind::AddConstraint}));
    for (const DdlChange &c : st.changes)
        EXPECT_EQ(c.object.display(), "app.users");
    EXPECT_TRUE(st.changes[0].missing_ok); // ALTER TABLE IF EXISTS
    EXPECT_TRUE(st.access_exclusive);
    EXPECT_EQ(locked(st), (Names{"app.users"}));
}

TEST(DescribeAlterTable, OtherRelationKindsNameTheirCommand) {
    EXPECT_EQ(one("ALTER INDEX i SET TABLESPACE fast").command, "ALTER INDEX");
    EXPECT_EQ(one("ALTER MATERIALIZED VIEW mv SET TABLESPACE fast").command,
              "ALTER MATERIALIZED VIEW");
    EXPECT_EQ(one("ALTER FOREIGN TABLE ft ADD COLUMN a int").command, "ALTER FOREIGN TABLE");
    // Composite type attributes: no table is involved.
    const DdlStatement type = one("ALTER TYPE address DROP ATTRIBUTE zip");
    EXPECT_EQ(type.command, "ALTER TYPE");
    EXPECT_TRUE(type.changes.empty());
    EXPECT_FALSE(type.access_exclusive);
}

// ----- data, index and maintenance statements ---------------------------------------------------

TEST(DescribeTruncate, EveryTableWithCascade) {
    const DdlStatement st = one("TRUNCATE TABLE ONLY a, public.b RESTART IDENTITY CASCADE");
    EXPECT_EQ(st.command, "TRUNCATE");
    ASSERT_EQ(st.changes.size(), 2u);
    EXPECT_EQ(st.changes[0].kind, ChangeKind::Truncate);
    EXPECT_EQ(st.changes[1].object.display(), "public.b");
    EXPECT_TRUE(st.changes[1].cascade);
    EXPECT_EQ(locked(st), (Names{"a", "public.b"}));
    EXPECT_FALSE(change("TRUNCATE a").cascade);
}

TEST(DescribeIndex, CreateIndexConcurrentlyOrNot) {
    const DdlStatement plain = one("CREATE INDEX users_email_idx ON app.users (email)");
    EXPECT_EQ(plain.command, "CREATE INDEX");
    ASSERT_EQ(plain.changes.size(), 1u);
    EXPECT_EQ(plain.changes[0].kind, ChangeKind::CreateIndex);
    EXPECT_EQ(plain.changes[0].object.display(), "app.users");
    EXPECT_EQ(plain.changes[0].new_name, "users_email_idx");
    EXPECT_FALSE(plain.changes[0].concurrently);
    EXPECT_FALSE(plain.access_exclusive); // SHARE: blocks writes, not reads

    const DdlChange concurrent = change("CREATE UNIQUE INDEX CONCURRENTLY ON users (lower(email))");
    EXPECT_TRUE(concurrent.concurrently);
    EXPECT_EQ(concurrent.new_name, "");
}

TEST(DescribeIndex, Reindex) {
    const DdlStatement plain = one("REINDEX INDEX app.users_email_idx");
    ASSERT_EQ(plain.changes.size(), 1u);
    EXPECT_EQ(plain.changes[0].kind, ChangeKind::Reindex);
    EXPECT_EQ(plain.changes[0].object.display(), "app.users_email_idx");
    EXPECT_FALSE(plain.changes[0].concurrently);
    EXPECT_TRUE(plain.access_exclusive);
    EXPECT_EQ(locked(plain), (Names{"app.users_email_idx"}));

    for (const char *sql :
         {"REINDEX TABLE CONCURRENTLY users", "REINDEX (CONCURRENTLY) TABLE users",
          "REINDEX (VERBOSE, CONCURRENTLY true) TABLE users"}) {
        const DdlStatement st = one(sql);
        ASSERT_EQ(st.changes.size(), 1u) << sql;
        EXPECT_TRUE(st.changes[0].concurrently) << sql;
        EXPECT_FALSE(st.access_exclusive) << sql;
    }
    EXPECT_FALSE(change("REINDEX (CONCURRENTLY false) TABLE users").concurrently);
    EXPECT_EQ(change("REINDEX SCHEMA app").object.name, "app");
}

TEST(DescribeMaintenance, VacuumFullOnlyWithTheFullOption) {
    const DdlStatement full = one("VACUUM FULL app.events, logs");
    EXPECT_EQ(full.command, "VACUUM");
    EXPECT_EQ(kinds(full),
              (std::vector<ChangeKind>{ChangeKind::VacuumFull, ChangeKind::VacuumFull}));
    EXPECT_EQ(locked(full), (Names{"app.events", "logs"}));
    EXPECT_EQ(change("VACUUM (FULL, ANALYZE) events").kind, ChangeKind::VacuumFull);
    EXPECT_EQ(change("VACUUM (FULL true) events").kind, ChangeKind::VacuumFull);
    const DdlStatement everything = one("VACUUM FULL");
    ASSERT_EQ(everything.changes.size(), 1u);
    EXPECT_EQ(everything.changes[0].object.name, "");
    EXPECT_TRUE(everything.access_exclusive);
    for (const char *sql : {"VACUUM events", "VACUUM (FULL false) events",
                            "VACUUM (ANALYZE) events", "ANALYZE events"}) {
        const DdlStatement st = one(sql);
        EXPECT_TRUE(st.changes.empty()) << sql;
        EXPECT_FALSE(st.access_exclusive) << sql;
    }
}

TEST(DescribeMaintenance, Cluster) {
    const DdlStatement st = one("CLUSTER app.events USING events_time_idx");
    EXPECT_EQ(st.command, "CLUSTER");
    ASSERT_EQ(st.changes.size(), 1u);
    EXPECT_EQ(st.changes[0].kind, ChangeKind::Cluster);
    EXPECT_EQ(st.changes[0].object.display(), "app.events");
    EXPECT_TRUE(st.access_exclusive);
    const DdlStatement all = one("CLUSTER");
    ASSERT_EQ(all.changes.size(), 1u);
    EXPECT_EQ(all.changes[0].object.name, "");
}

// ----- context: new tables, lock_timeout, transactions ------------------------------------------

TEST(DescribeContext, CreateTableForms) {
    const DdlChange table = change("CREATE TABLE IF NOT EXISTS app.audit (id bigint PRIMARY KEY)");
    EXPECT_EQ(table.kind, ChangeKind::CreateTable);
    EXPECT_EQ(table.object.display(), "app.audit");
    EXPECT_EQ(one("CREATE TABLE t (a int)").command, "CREATE TABLE");
    EXPECT_FALSE(one("CREATE TABLE t (a int REFERENCES u)").access_exclusive);
    EXPECT_EQ(change("CREATE TABLE copy AS SELECT * FROM t").object.name, "copy");
    EXPECT_EQ(change("CREATE MATERIALIZED VIEW mv AS SELECT 1").kind, ChangeKind::CreateTable);
}

TEST(DescribeContext, LockTimeoutSettings) {
    const DdlChange set = change("SET lock_timeout = '5s'");
    EXPECT_EQ(set.kind, ChangeKind::SetLockTimeout);
    EXPECT_EQ(set.setting_value, "5s");
    EXPECT_FALSE(set.local);

    const DdlChange local = change("SET LOCAL lock_timeout TO 5000");
    EXPECT_EQ(local.setting_value, "5000");
    EXPECT_TRUE(local.local);

    EXPECT_EQ(change("SET SESSION lock_timeout = 0").setting_value, "0");
    EXPECT_EQ(change("SET lock_timeout TO DEFAULT").setting_value, "");
    EXPECT_EQ(change("RESET lock_timeout").setting_value, "");
    EXPECT_EQ(one("RESET lock_timeout").command, "RESET");
    EXPECT_EQ(change("RESET ALL").kind, ChangeKind::SetLockTimeout);
    EXPECT_TRUE(one("SET statement_timeout = '1min'").changes.empty());
    EXPECT_TRUE(one("SET search_path TO app, public").changes.empty());
}

TEST(DescribeContext, TransactionControl) {
    struct Case {
        const char *sql;
        std::vector<ChangeKind> kinds;
    };
    const Case cases[] = {
        {"BEGIN", {ChangeKind::TransactionBegin}},
        {"BEGIN ISOLATION LEVEL SERIALIZABLE", {ChangeKind::TransactionBegin}},
        {"START TRANSACTION", {ChangeKind::TransactionBegin}},
        {"COMMIT", {ChangeKind::TransactionEnd}},
        {"END", {ChangeKind::TransactionEnd}},
        {"ROLLBACK", {ChangeKind::TransactionEnd}},
        {"ABORT", {ChangeKind::TransactionEnd}},
        {"COMMIT AND CHAIN", {ChangeKind::TransactionEnd, ChangeKind::TransactionBegin}},
        {"SAVEPOINT a", {}},
        {"ROLLBACK TO SAVEPOINT a", {}},
    };
    for (const Case &c : cases)
        EXPECT_EQ(kinds(one(c.sql)), c.kinds) << c.sql;
    EXPECT_EQ(one("BEGIN").command, "BEGIN");
    EXPECT_EQ(one("ROLLBACK").command, "ROLLBACK");
}

TEST(DescribeContext, EverythingElseIsOther) {
    for (const char *sql :
         {"SELECT 1", "INSERT INTO t VALUES (1)", "UPDATE t SET a = 1", "CREATE VIEW v AS SELECT 1",
          "GRANT SELECT ON t TO r", "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
          "COMMENT ON TABLE t IS 'x'"}) {
        const DdlStatement st = one(sql);
        EXPECT_TRUE(st.changes.empty()) << sql;
        EXPECT_FALSE(st.access_exclusive) << sql;
    }
}

// ----- scripts: locations, comments, dollar quotes, syntax errors -------------------------------

TEST(ParseScript, LocationsFollowRawStmt) {
    const std::string sql = "-- first\nDROP TABLE a;\n/* second */ ALTER TABLE b DROP COLUMN c;\n"
                            "  TRUNCATE d";
    const mg::cli::ParsedScript parsed = mg::cli::parse_script(sql);
    ASSERT_EQ(parsed.statements.size(), 3u);
    EXPECT_FALSE(parsed.has_syntax_errors());
    const DdlStatement &first = parsed.statements[0].ddl;
    EXPECT_EQ(first.location, 0);
    EXPECT_EQ(sql.substr(first.location, first.length), "-- first\nDROP TABLE a");
    const DdlStatement &second = parsed.statements[1].ddl;
    EXPECT_EQ(sql.substr(second.location, second.length),
              "\n/* second */ ALTER TABLE b DROP COLUMN c");
    const DdlStatement &third = parsed.statements[2].ddl;
    EXPECT_EQ(sql.substr(third.location, third.length), "\n  TRUNCATE d");
    EXPECT_EQ(parsed.ddl().size(), 3u);
}

TEST(ParseScript, DollarQuotesAndStringsHideSemicolons) {
    const std::string sql = "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $body$\n"
                            "BEGIN DROP TABLE inside; END;\n$body$;\n"
                            "DO $$ BEGIN PERFORM 1; END $$;\n"
                            "SELECT 'a;b', $tag$ ; DROP TABLE fake; $tag$;\n"
                            "DROP TABLE real_one;";
    const mg::cli::ParsedScript parsed = mg::cli::parse_script(sql);
    ASSERT_EQ(parsed.statements.size(), 4u);
    for (size_t i = 0; i < 3; ++i)
        EXPECT_TRUE(parsed.statements[i].ddl.changes.empty()) << i;
    ASSERT_EQ(parsed.statements[3].ddl.changes.size(), 1u);
    EXPECT_EQ(parsed.statements[3].ddl.changes[0].object.name, "real_one");
}

TEST(ParseScript, SqlStandardFunctionBodiesStayWhole) {
    const std::string sql = "CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql\n"
                            "BEGIN ATOMIC SELECT a + b; SELECT 1; END;\nDROP TABLE t;";
    const mg::cli::ParsedScript parsed = mg::cli::parse_script(sql);
    ASSERT_EQ(parsed.statements.size(), 2u);
    EXPECT_FALSE(parsed.has_syntax_errors());
    EXPECT_EQ(parsed.statements[1].ddl.changes.size(), 1u);
}

TEST(ParseScript, ASyntaxErrorCostsOnlyItsStatement) {
    const std::string sql = "DROP TABLE a;\nALTER TABEL b DROP COLUMN c;\nDROP TABLE d;";
    const mg::cli::ParsedScript parsed = mg::cli::parse_script(sql);
    ASSERT_EQ(parsed.statements.size(), 3u);
    EXPECT_TRUE(parsed.has_syntax_errors());
    EXPECT_FALSE(parsed.statements[0].syntax_error);
    EXPECT_EQ(parsed.statements[0].ddl.changes[0].object.name, "a");

    const mg::cli::ScriptStatement &bad = parsed.statements[1];
    EXPECT_TRUE(bad.syntax_error);
    EXPECT_TRUE(bad.ddl.changes.empty());
    EXPECT_EQ(bad.error_message, "syntax error at or near \"TABEL\"");
    EXPECT_EQ(bad.error_location, static_cast<int>(sql.find("TABEL")));
    EXPECT_EQ(sql.substr(bad.ddl.location, bad.ddl.length), "\nALTER TABEL b DROP COLUMN c");
    const mg::cli::LineColumn at = mg::cli::line_column(sql, bad.error_location);
    EXPECT_EQ(at.line, 2);
    EXPECT_EQ(at.column, 7);

    EXPECT_FALSE(parsed.statements[2].syntax_error);
    EXPECT_EQ(parsed.statements[2].ddl.changes[0].object.name, "d");
    EXPECT_EQ(parsed.ddl().size(), 2u);
}

TEST(ParseScript, ErrorPositionsCountBytesAfterMultibyteText) {
    const std::string sql = "SELECT 'héllo wörld';\nDROP TABLE ;";
    const mg::cli::ParsedScript parsed = mg::cli::parse_script(sql);
    ASSERT_EQ(parsed.statements.size(), 2u);
    EXPECT_TRUE(parsed.statements[1].syntax_error);
    EXPECT_EQ(parsed.statements[1].error_location, static_cast<int>(sql.rfind(';')));
    EXPECT_EQ(mg::cli::line_column(sql, parsed.statements[1].error_location).column, 12);
}

TEST(ParseScript, AnUnterminatedQuoteKeepsTheStatementsBeforeIt) {
    const std::string sql = "DROP TABLE a;\nDROP TABLE b;\nSELECT 'never closed\nDROP TABLE c;";
    const mg::cli::ParsedScript parsed = mg::cli::parse_script(sql);
    ASSERT_EQ(parsed.statements.size(), 3u);
    EXPECT_EQ(parsed.statements[0].ddl.changes[0].object.name, "a");
    EXPECT_EQ(parsed.statements[1].ddl.changes[0].object.name, "b");
    const mg::cli::ScriptStatement &bad = parsed.statements[2];
    EXPECT_TRUE(bad.syntax_error);
    EXPECT_NE(bad.error_message.find("unterminated quoted string"), std::string::npos)
        << bad.error_message;
    EXPECT_EQ(bad.error_location, static_cast<int>(sql.find("'never")));
    // It runs to the next semicolon (the last one here), which it does not include.
    EXPECT_EQ(bad.ddl.location + bad.ddl.length, static_cast<int>(sql.size()) - 1);
}

TEST(ParseScript, EmptyAndCommentOnlyScripts) {
    EXPECT_TRUE(mg::cli::parse_script("").statements.empty());
    EXPECT_TRUE(mg::cli::parse_script("  -- nothing\n/* at all */ ;;").statements.empty());
}

TEST(ParseScript, LineColumn) {
    const std::string text = "ab\ncdé\nf";
    EXPECT_EQ(mg::cli::line_column(text, 0).line, 1);
    EXPECT_EQ(mg::cli::line_column(text, 0).column, 1);
    EXPECT_EQ(mg::cli::line_column(text, 4).line, 2);
    EXPECT_EQ(mg::cli::line_column(text, 4).column, 2);
    EXPECT_EQ(mg::cli::line_column(text, static_cast<int>(text.find('f'))).line, 3);
    EXPECT_EQ(mg::cli::line_column(text, 7).column, 4); // after the two bytes of é
}

} // namespace
