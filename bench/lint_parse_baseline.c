/* The floor for `migration-guard lint`: read a file and parse it with libpg_query's
 * pg_query_raw_parse (the parse the CLI does), nothing else. Used by bench/lint_speed.sh. */
#include <pg_query.h>
#undef PG_MAJORVERSION
#undef PG_VERSION
#undef PG_VERSION_NUM
#include "postgres.h"

#include <pg_query/pg_query_internal.h>

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *sql = malloc(size + 1);
    if (!sql || fread(sql, 1, size, f) != (size_t)size) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 2;
    }
    sql[size] = '\0';
    fclose(f);
    MemoryContext ctx = pg_query_enter_memory_context();
    PgQueryInternalParsetreeAndError r = pg_query_raw_parse(sql);
    int statements = r.tree ? list_length(r.tree) : 0;
    if (r.error)
        pg_query_free_error(r.error);
    free(r.stderr_buffer);
    pg_query_exit_memory_context(ctx);
    printf("%d statements\n", statements);
    free(sql);
    return 0;
}
