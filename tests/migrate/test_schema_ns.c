/*
 * Tables in named schemas (`@@schema`, #19 item 13), on every backend. PostgreSQL: two tables called
 * "users" in schemas sn_app and sn_audit, a foreign key from one into the other, and a table
 * without a schema beside them; sinew_create_tables makes the schemas first, and every statement
 * sinew renders names the tables "sn_app"."users" / "sn_audit"."users": inserts, a get by key, a
 * filter through the relation (a join), lazy and eager loads both ways, an update, a delete, a
 * cascade the database runs across the schemas; then the database, read with the schemas the file
 * names, shows no drift. MariaDB: the same, a schema being a database there (read from
 * information_schema of those databases). SQLite has no schemas: refused, said so, nothing made.
 */
#include "support.h"
#include "schema_ns.h"
#include <string.h>

/* the model of `table` in `schema` (NULL: without @@schema) */
static const sinew_model *sn_test_find_in(const sinew_schema *s, const char *schema, const char *table)
{
    for (size_t i = 0; i < s->nmodels; i++) {
        const sinew_model *m = s->models[i];
        if (strcmp(m->table, table) != 0) continue;
        if (schema ? m->db_schema && !strcmp(m->db_schema, schema) : !m->db_schema) return m;
    }
    return NULL;
}

/* the table m's (only) foreign key refers to, or NULL */
static const sinew_model *key_target(const sinew_model *m)
{
    assert_non_null(m);
    for (size_t r = 0; r < m->nrelations; r++)
        if (m->relations[r].kind == SINEW_BELONGS_TO) return m->relations[r].target;
    return NULL;
}

static void drop_schemas(sinew_db *db)
{
    /* MariaDB's schemas are databases, outside the one the harness makes per test */
    if (!th_is_mariadb()) return;
    th_ok(sinew_exec(db, "DROP DATABASE IF EXISTS sn_audit"));
    th_ok(sinew_exec(db, "DROP DATABASE IF EXISTS sn_app"));
}

static void tables_in_two_schemas(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    if (!th_is_postgres() && !th_is_mariadb()) {
        th_assert_status(sinew_create_tables(db, &schema_ns_schema), SINEW_UNSUPPORTED,
                         "model User has @@schema(\"sn_app\"), but sqlite databases have no schemas");
        mt_assert_rows(db, "SELECT count(*) FROM sqlite_master", "0\n");
        sinew_session *s;
        th_ok(sinew_session_new(db, &s));
        User *u;
        th_assert_status(user_get(s, 1, &u), SINEW_UNSUPPORTED, "has @@schema(\"sn_app\")");
        sinew_query *q = user_query(s);
        user_list l;
        th_assert_status(user_all(q, &l), SINEW_UNSUPPORTED, "has @@schema(\"sn_app\")");
        sinew_query_free(q);
        sinew_session_free(s);
        th_close(db);
        return;
    }
    drop_schemas(db);
    th_capture cap;
    th_capture_start(db, &cap);
    th_ok(sinew_create_tables(db, &schema_ns_schema));
    th_capture_stop(db, &cap);
    assert_true(th_capture_count(&cap, th_sql("CREATE TABLE IF NOT EXISTS \"sn_audit\".\"users\"")) == 1);
    assert_true(th_capture_count(&cap, th_sql("REFERENCES \"sn_app\".\"users\"")) == 2);
    th_capture_free(&cap);

    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    User *ada, *bob;
    th_ok(user_new(s, &ada));
    ada->name = "ada";
    th_ok(user_new(s, &bob));
    bob->name = "bob";
    for (int i = 0; i < 3; i++) {
        AuditUser *a;
        th_ok(audit_user_new(s, &a));
        a->user = i < 2 ? ada : bob;
        a->what = i == 0 ? "login" : i == 1 ? "logout" : "login";
    }
    Note *n;
    th_ok(note_new(s, &n));
    n->user = bob;
    n->body = "hi";
    th_ok(sinew_session_flush(s));
    sinew_session_free(s);
    /* the rows are where the schema says: two tables of one name */
    mt_assert_rows(db, "SELECT count(*) FROM sn_app.users", "2\n");
    mt_assert_rows(db, "SELECT count(*) FROM sn_audit.users", "3\n");

    th_ok(sinew_session_new(db, &s));
    th_capture_start(db, &cap);
    User *got;
    th_ok(user_get(s, ada->id, &got));
    assert_string_equal(got->name, "ada");
    /* a filter through the relation: a join of sn_audit.users to sn_app.users */
    sinew_query *q = audit_user_query(s);
    th_ok(sinew_where(q, sinew_eq(sinew_via(AUDIT_USER_USER, USER_NAME), sinew_v_text("bob"))));
    audit_user_list al;
    th_ok(audit_user_all(q, &al));
    assert_int_equal(al.count, 1);
    assert_string_equal(al.items[0]->what, "login");
    sinew_query_free(q);
    /* lazy both ways, and eager */
    User *owner;
    th_ok(audit_user_user(s, al.items[0], &owner));
    assert_string_equal(owner->name, "bob");
    audit_user_list mine;
    th_ok(user_audit_users(s, got, &mine));
    assert_int_equal(mine.count, 2);
    q = user_query(s);
    th_ok(sinew_prefetch(q, USER_AUDIT_USERS));
    th_ok(sinew_prefetch(q, USER_NOTES));
    th_ok(sinew_order(q, USER_NAME, SINEW_ASC));
    user_list ul;
    th_ok(user_all(q, &ul));
    assert_int_equal(ul.count, 2);
    assert_int_equal(ul.items[0]->audit_users.count, 2);
    assert_int_equal(ul.items[1]->notes.count, 1);
    sinew_query_free(q);
    th_capture_stop(db, &cap);
    /* every statement named the qualified tables; none a bare "users" */
    assert_true(th_capture_count(&cap, th_sql("FROM \"sn_audit\".\"users\"")) >= 1);
    assert_true(th_capture_count(&cap, th_sql("JOIN \"sn_app\".\"users\"")) >= 1);
    assert_int_equal(th_capture_count(&cap, th_sql("FROM \"users\"")), 0);
    th_capture_free(&cap);
    /* update and delete; the cascade runs from one schema into the other */
    got->name = "ada lovelace";
    th_ok(sinew_session_flush(s));
    mt_assert_rows(db, "SELECT name FROM sn_app.users ORDER BY name", "ada lovelace\nbob\n");
    th_ok(audit_user_delete(s, al.items[0]));
    th_ok(sinew_session_flush(s));
    mt_assert_rows(db, "SELECT count(*) FROM sn_audit.users", "2\n");
    th_ok(user_delete(s, got));
    th_ok(sinew_session_flush(s));
    mt_assert_rows(db, "SELECT count(*) FROM sn_audit.users", "0\n");
    sinew_session_free(s);
    /* the database holds the key across the schemas */
    int rc = sinew_exec(db, "INSERT INTO sn_audit.users (user_id, what) VALUES (999, 'x')");
    assert_int_equal(rc, SINEW_CONSTRAINT);

    /* drift, reading the schemas the file names (on MariaDB: the databases) */
    sinew_schema *live = NULL;
    th_ok(sinew_introspect_like(db, &schema_ns_schema, &live));
    /* the key from one schema into the other, and the one from the connection's own into sn_app */
    assert_string_equal(key_target(sn_test_find_in(live, "sn_audit", "users"))->db_schema, "sn_app");
    assert_string_equal(key_target(sn_test_find_in(live, NULL, "notes"))->db_schema, "sn_app");
    assert_null(key_target(sn_test_find_in(live, "sn_app", "users")));
    char *report = NULL;
    size_t nd = 0;
    th_ok(sinew_schema_drift(&schema_ns_schema, live, sinew_db_dialect(db), &report, &nd));
    if (nd) print_error("%s", report);
    assert_int_equal(nd, 0);
    sinew_migrate_free(report);
    /* a missing column is drift of that schema's table, named with its schema */
    th_ok(sinew_exec(db, "ALTER TABLE sn_audit.users DROP COLUMN what"));
    sinew_schema_free(live);
    th_ok(sinew_introspect_like(db, &schema_ns_schema, &live));
    th_ok(sinew_schema_drift(&schema_ns_schema, live, sinew_db_dialect(db), &report, &nd));
    assert_int_equal(nd, 2);   /* the column and its index */
    assert_non_null(strstr(report, "table sn_audit.users: column what"));
    sinew_migrate_free(report);
    sinew_schema_free(live);
    /* a schema that is not there */
    const char *const missing[] = {"sn_nowhere"};
    th_assert_status(sinew_introspect_schemas(db, missing, 1, &live), SINEW_NOTFOUND, "sn_nowhere");
    assert_null(live);
    th_ok(sinew_exec(db, "DROP TABLE notes"));   /* its key points into sn_app */
    drop_schemas(db);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tables_in_two_schemas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
