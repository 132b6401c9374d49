/*
 * @@soft_delete in migrations and drift (issue 21, item 9), on the backend
 * under test: `migrate make` creates the deleted_at column and makes the
 * model's @@unique keys partial (CREATE UNIQUE INDEX ... WHERE "deleted_at"
 * IS NULL) where the backend has partial indexes, the database enforces them
 * among live rows, and drift sees no difference; where a total unique index
 * stands in for the partial one, drift says so. MariaDB has no partial
 * indexes: the index there covers every row (documented in docs/schema.md)
 * and drift does not compare predicates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "support.h"

static const char *schema_text =
    "model Account {\n"
    "  id         int64      @id @auto\n"
    "  name       text\n"
    "  deleted_at timestamp?\n"
    "  updated_at timestamp  @updated_at\n"
    "\n"
    "  @@unique([name])\n"
    "  @@soft_delete\n"
    "}\n";

static void migrations_make_the_column_and_the_partial_key(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/soft.sinew", th_tmpdir());
    mt_write(path, schema_text);
    const char *dir = mt_dir("soft");
    th_ok(sinew_migrate_make(dir, path, "init", NULL, NULL));
    sinew_db *db = th_open();
    th_ok(sinew_migrate_up(db, dir));
    sinew_schema *s;
    th_ok(sinew_schema_parse("soft.sinew", schema_text, strlen(schema_text), NULL, &s));
    char *report = NULL;
    size_t n = mt_drift(db, s, &report);
    if (n) print_error("%s", report);
    assert_int_equal(n, 0);
    sinew_migrate_free(report);
    /* the key holds among live rows; a deleted row keeps its name without blocking a new one */
    th_ok(sinew_exec(db, "INSERT INTO accounts (name, deleted_at, updated_at) VALUES ('a', '2020-01-01 00:00:00', "
                         "'2020-01-01 00:00:00')"));
    int rc = sinew_exec(db, "INSERT INTO accounts (name, updated_at) VALUES ('a', '2020-01-02 00:00:00')");
    if (th_is_mariadb()) assert_int_equal(rc, SINEW_CONSTRAINT);   /* no partial indexes: every row counts */
    else th_ok(rc);
    if (!th_is_mariadb())
        assert_int_equal(sinew_exec(db, "INSERT INTO accounts (name, updated_at) VALUES ('a', '2020-01-03 00:00:00')"),
                         SINEW_CONSTRAINT);
    /* a total unique index in place of the partial one is drift where predicates count */
    if (!th_is_mariadb()) {
        th_ok(sinew_exec(db, "DELETE FROM accounts"));
        th_ok(sinew_exec(db, "DROP INDEX accounts_name_key"));
        th_ok(sinew_exec(db, "CREATE UNIQUE INDEX accounts_name_key ON accounts (name)"));
        n = mt_drift(db, s, &report);
        assert_non_null(report);
        assert_non_null(strstr(report, "accounts_name_key"));
        assert_true(n >= 1);
        sinew_migrate_free(report);
    }
    sinew_schema_free(s);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(migrations_make_the_column_and_the_partial_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
