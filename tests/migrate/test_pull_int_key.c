/*
 * A pulled integer key that the database does not number (SQLite: `id int PRIMARY KEY`, which is
 * not an alias of the rowid; PostgreSQL / MariaDB: a plain int key) round-trips, on every backend:
 * pull -> the DDL made from the pulled file -> pull again gives the same file, the key still not
 * @auto, and no drift. Before, SQLite's DDL wrote the key INTEGER, an alias of the rowid, so the
 * second pull said @auto.
 */
#include <string.h>
#include "support.h"

static char *pulled_text(sinew_db *db)
{
    sinew_schema *live;
    th_ok(sinew_introspect(db, &live));
    char *text;
    th_ok(sinew_schema_to_string(live, &text));
    const sinew_model *m = sinew_schema_find_table(live, "t");
    assert_non_null(m);
    assert_int_equal(m->npk, 1);
    assert_false(m->fields[m->pk[0]].flags & SINEW_FIELD_AUTO);
    sinew_schema_free(live);
    return text;
}

static void int_key_is_stable_through_pull_migrate_pull(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_exec(db, "CREATE TABLE t (id int PRIMARY KEY, name text)"));
    th_ok(sinew_exec(db, "CREATE TABLE c (a int NOT NULL, b int NOT NULL, PRIMARY KEY (a, b))"));
    char *first = pulled_text(db);
    sinew_diagnostics *d;
    th_ok(sinew_diagnostics_new(&d));
    sinew_schema *parsed = NULL;
    th_ok(sinew_schema_parse("pulled.sinew", first, strlen(first), d, &parsed));
    sinew_diagnostics_free(d);
    sinew_db *db2 = th_open();
    th_ok(sinew_create_tables(db2, parsed));
    char *second = pulled_text(db2);
    assert_string_equal(second, first);
    char *report = NULL;
    size_t n = mt_drift(db2, parsed, &report);
    if (n) print_error("%s", report);
    assert_int_equal(n, 0);
    sinew_migrate_free(report);
    /* the key is the caller's: two rows need two values, and a row without one is refused */
    th_ok(sinew_exec(db2, "INSERT INTO t (id, name) VALUES (5, 'a')"));
    assert_int_not_equal(sinew_exec(db2, "INSERT INTO t (name) VALUES ('b')"), SINEW_OK);
    mt_assert_rows(db2, "SELECT id, name FROM t", "5|a\n");
    sinew_free(first);
    sinew_free(second);
    sinew_schema_free(parsed);
    th_close(db2);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(int_key_is_stable_through_pull_migrate_pull),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
