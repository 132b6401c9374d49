/*
 * test_introspect_driver.c - sinew_introspect() asks the driver: each
 * driver reads its own catalog through the introspect member of its vtable,
 * so a driver serving a backend under another name (a wrapper, a fork, the
 * next backend) introspects the same as the built-in one. It used to pick
 * the PostgreSQL reader by comparing the backend's name with "postgres",
 * which gave such a driver SQLite's path (or none).
 */
#include <stdio.h>
#include <string.h>
#include "harness.h"

/* the schema the database reports for `widget` */
static void check_widget(const sinew_schema *s)
{
    const sinew_model *m = sinew_schema_find_table(s, "widget");
    assert_non_null(m);
    assert_int_equal(m->nfields, 3);
    assert_int_equal(m->npk, 1);
    assert_string_equal(m->fields[m->pk[0]].column, "id");
    const sinew_model *p = sinew_schema_find_table(s, "part");
    assert_non_null(p);
    const sinew_relation *owner = NULL;
    for (size_t i = 0; i < p->nrelations; i++)
        if (p->relations[i].kind == SINEW_BELONGS_TO) owner = &p->relations[i];
    assert_non_null(owner);
    assert_ptr_equal(owner->target, m);
}

static void renamed_driver_introspects(void **state)
{
    (void)state;
    /* a database a second connection sees: th_open()'s for a server, a file for SQLite */
    char url[4200];
    sinew_db *db;
    if (th_is_postgres()) {
        db = th_open();
        snprintf(url, sizeof url, "%s", th_last_url());
    } else {
        snprintf(url, sizeof url, "sqlite:%s/introspect.db", th_tmpdir());
        th_ok(sinew_open(url, &db));
    }
    th_ok(sinew_exec(db, "CREATE TABLE widget (id INTEGER PRIMARY KEY, name TEXT NOT NULL, weight REAL)"));
    th_ok(sinew_exec(db, "CREATE TABLE part (id INTEGER PRIMARY KEY, "
                         "widget_id INTEGER NOT NULL REFERENCES widget (id))"));
    sinew_schema *builtin;
    th_ok(sinew_introspect(db, &builtin));
    check_widget(builtin);

    /* the same driver under another name, serving the same URL schemes (ahead of the built-in one) */
    static sinew_driver renamed;
    renamed = *sinew_find_driver(th_backend());
    renamed.name = "renamed";
    th_ok(sinew_register_driver(&renamed));
    sinew_db *db2;
    th_ok(sinew_open(url, &db2));
    assert_string_equal(sinew_db_backend(db2), "renamed");
    sinew_schema *via;
    th_ok(sinew_introspect(db2, &via));
    check_widget(via);
    assert_int_equal(via->nmodels, builtin->nmodels);

    /* a driver without a catalog reader says so */
    static sinew_driver blind;
    blind = renamed;
    blind.name = "blind";
    blind.introspect = NULL;
    th_ok(sinew_register_driver(&blind));
    sinew_db *db3;
    th_ok(sinew_open(url, &db3));
    sinew_schema *none = (sinew_schema *)0x1;
    th_assert_status(sinew_introspect(db3, &none), SINEW_UNSUPPORTED, "the blind driver cannot read");
    assert_null(none);

    sinew_schema_free(via);
    sinew_schema_free(builtin);
    sinew_close(db3);
    sinew_close(db2);
    if (th_is_postgres()) th_close(db);
    else sinew_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(renamed_driver_introspects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
