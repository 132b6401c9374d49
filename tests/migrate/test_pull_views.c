/*
 * test_pull_views.c - views as read-only models (issue 19, item 11), on the
 * backend under test: `db pull` writes a view as a @@view model of its
 * columns (it warned and dropped it before); the pulled file checks, drift
 * against the database is nothing, migrations made from it create no table
 * for the view, and a model of a view is counted, listed and queried while
 * sinew_new, sinew_save and sinew_delete are refused with SINEW_MISUSE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "support.h"

typedef struct ActiveUser {
    int64_t id;
    char *name;
} ActiveUser;

static const sinew_field active_fields[] = {
    SINEW_FIELD(ActiveUser, id, SINEW_INT64, SINEW_FIELD_NULLABLE),
    SINEW_FIELD(ActiveUser, name, SINEW_TEXT, SINEW_FIELD_NULLABLE),
};
static const sinew_model active_model = {
    .name = "ActiveUser", .table = "active_users", .c_name = "active_user",
    .flags = SINEW_MODEL_READONLY | SINEW_MODEL_VIEW, .size = sizeof(ActiveUser),
    .fields = active_fields, .nfields = 2};

static void views_are_read_only_models(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_exec(db, "CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, active int NOT NULL)"));
    th_ok(sinew_exec(db, "INSERT INTO users VALUES (1, 'ada', 1), (2, 'bob', 0), (3, 'cy', 1)"));
    th_ok(sinew_exec(db, "CREATE VIEW active_users AS SELECT id, name, upper(name) AS shout FROM users WHERE active = 1"));
    sinew_schema *live;
    th_ok(sinew_introspect(db, &live));
    const sinew_model *v = sinew_schema_find_table(live, "active_users");
    assert_non_null(v);
    assert_true(v->flags & SINEW_MODEL_VIEW);
    assert_true(v->flags & SINEW_MODEL_READONLY);
    assert_int_equal(v->nfields, 3);
    assert_int_equal(v->npk, 0);
    int shout = sinew_model_column_index(v, "shout");
    assert_true(shout >= 0);
    assert_int_equal(v->fields[shout].type, SINEW_TEXT);   /* no declared type (SQLite): text */
    char *text;
    th_ok(sinew_schema_to_string(live, &text));
    assert_non_null(strstr(text, "@@view"));
    assert_null(strstr(text, "@@readonly"));
    assert_non_null(strstr(sinew_introspect_notes(live), "pulled as a read-only @@view model"));
    sinew_diagnostics *d;
    th_ok(sinew_diagnostics_new(&d));
    sinew_schema *s = NULL;
    th_ok(sinew_schema_parse("pulled.sinew", text, strlen(text), d, &s));
    assert_true(sinew_schema_find_table(s, "active_users")->flags & SINEW_MODEL_VIEW);
    char *report = NULL;
    size_t n = mt_drift(db, s, &report);
    if (n) print_error("%s", report);
    assert_int_equal(n, 0);
    sinew_migrate_free(report);

    /* migrations make the table, not the view */
    const char *dir = mt_dir("views");
    char path[1024], *created = NULL;
    snprintf(path, sizeof path, "%s/views.sinew", th_tmpdir());
    mt_write(path, text);
    th_ok(sinew_migrate_make(dir, path, "init", NULL, &created));
    assert_non_null(created);
    char up[1200];
    snprintf(up, sizeof up, "%s/up.%s.sql", created, th_backend());
    char *sql = mt_read(up);
    assert_non_null(strstr(th_sql(sql), "CREATE TABLE \"users\""));   /* MariaDB's backticks as quotes */
    assert_null(strstr(sql, "active_users"));
    free(sql);
    sinew_migrate_free(created);
    sinew_db *db2 = th_open();
    th_ok(sinew_create_tables(db2, s));   /* nor does create_tables */
    th_ok(sinew_exec(db2, "CREATE TABLE active_users (id int)"));   /* the name is free */
    th_close(db2);

    /* read: count, list, query; write: refused */
    sinew_session *ss;
    th_ok(sinew_session_new(db, &ss));
    int64_t count = 0;
    th_ok(sinew_count(ss, &active_model, &count));
    assert_int_equal(count, 2);
    sinew_query *q = sinew_query_new(ss, &active_model);
    th_ok(sinew_order(q, sinew_column(&active_model, 0), SINEW_DESC));
    sinew_list list;
    th_ok(sinew_all(q, &list));
    assert_int_equal(list.count, 2);
    ActiveUser *first = list.items[0];
    assert_int_equal(first->id, 3);
    assert_string_equal(first->name, "cy");
    sinew_query_free(q);
    th_assert_status(sinew_save(ss, &active_model, first), SINEW_MISUSE, "is a view (@@view active_users)");
    th_assert_status(sinew_delete(ss, &active_model, first), SINEW_MISUSE, "is a view");
    void *fresh;
    th_assert_status(sinew_new(ss, &active_model, &fresh), SINEW_MISUSE, "never writes it");
    sinew_session_free(ss);
    sinew_schema_free(s);
    sinew_diagnostics_free(d);
    sinew_free(text);
    sinew_schema_free(live);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(views_are_read_only_models),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
