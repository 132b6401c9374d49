/*
 * `migrate status` and `migrate check` only read, on every backend: on a database that has no
 * sinew_migrations table they report nothing applied (check compares with an empty schema) and
 * leave the database without that table. Before, both created it.
 */
#include <stdio.h>
#include <string.h>
#include "support.h"

static void status_and_check_create_nothing(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_exec(db, "CREATE TABLE items (id int PRIMARY KEY)"));
    char schema[700], dir[700];
    snprintf(schema, sizeof schema, "%s/status_reads.sinew", th_tmpdir());
    snprintf(dir, sizeof dir, "%s/status_reads_migrations", th_tmpdir());
    mt_write(schema, "model Item {\n  id int64 @id\n  @@map(\"items\")\n}\n");
    char *created = NULL;
    th_ok(sinew_migrate_make(dir, schema, "init", NULL, &created));
    sinew_migrate_free(created);
    sinew_migration_status *st;
    size_t n;
    th_ok(sinew_migrate_status(db, dir, &st, &n));
    assert_int_equal(n, 1);
    assert_false(st[0].applied);
    sinew_migrate_status_free(st, n);
    char *report = NULL;
    size_t nd = 0;
    th_ok(sinew_migrate_check(db, dir, &report, &nd));
    assert_int_equal(nd, 1);   /* items, which no applied migration made */
    assert_non_null(strstr(report, "table items: in the database but not in the schema"));
    sinew_migrate_free(report);
    /* no table was made: reading it fails */
    assert_int_not_equal(sinew_exec(db, "SELECT count(*) FROM sinew_migrations"), SINEW_OK);
    /* once a migration runs, the table is there and status reads it */
    th_ok(sinew_exec(db, "DROP TABLE items"));
    th_ok(sinew_migrate_up(db, dir));
    th_ok(sinew_migrate_status(db, dir, &st, &n));
    assert_int_equal(n, 1);
    assert_true(st[0].applied);
    sinew_migrate_status_free(st, n);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(status_and_check_create_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
