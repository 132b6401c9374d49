/*
 * Polymorphic relations in migrations, drift and `db pull` (issue 21, item
 * 10), on the backend under test: `migrate make` creates one nullable
 * foreign key per target and the CHECK named <table>_<name>_one_target,
 * which the database enforces; drift sees no difference (and sees the CHECK
 * missing when it is dropped); introspection reads the pattern back as the
 * polymorphic relation, which prints as it was written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "support.h"

static const char *schema_text =
    "model Post {\n"
    "  id    int64 @id @auto\n"
    "  title text\n"
    "}\n"
    "\n"
    "model Comment {\n"
    "  id   int64 @id @auto\n"
    "  body text\n"
    "}\n"
    "\n"
    "model Like {\n"
    "  id     int64          @id @auto\n"
    "  who    text\n"
    "  target Post | Comment @on_delete(cascade)\n"
    "}\n"
    "\n"
    "model Pin {\n"
    "  id    int64           @id @auto\n"
    "  thing Comment | Post?\n"
    "}\n";

/* SQLite has no ALTER TABLE ... DROP CONSTRAINT: the CHECK goes from the table's CREATE TABLE text, which
 * is where SQLite keeps it (its documented way of dropping a CHECK: writable_schema, the text edited,
 * the schema read again) */
static void drop_check_sqlite(sinew_db *db, const char *table, const char *name)
{
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    sinew_value t = sinew_v_text(table);
    sinew_rows *r;
    th_ok(sinew_raw_rows(s, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", &t, 1, &r));
    assert_int_equal(sinew_rows_next(r), SINEW_ROW);
    sinew_value v = sinew_rows_value(r, 0);
    char *ddl = strndup(v.u.s.ptr, v.u.s.len);
    sinew_rows_free(r);
    /* ", CONSTRAINT "name" CHECK (...)" out of the text, its parentheses balanced */
    char quoted[256];
    snprintf(quoted, sizeof quoted, "CONSTRAINT \"%s\"", name);
    char *at = strstr(ddl, quoted);
    if (!at) fail_msg("no %s in %s", quoted, ddl);
    char *from = at;
    while (from > ddl && from[-1] != ',') from--;
    assert_true(from > ddl);
    from--;
    char *p = strchr(at, '(');
    assert_non_null(p);
    int depth = 0;
    do {
        if (*p == '(') depth++;
        else if (*p == ')') depth--;
        p++;
    } while (depth > 0 && *p);
    memmove(from, p, strlen(p) + 1);
    /* the new text as an SQL string */
    char *sql = malloc(2 * strlen(ddl) + 128), *w = sql;
    w += sprintf(w, "UPDATE sqlite_master SET sql = '");
    for (const char *c = ddl; *c; c++) {
        if (*c == '\'') *w++ = '\'';
        *w++ = *c;
    }
    sprintf(w, "' WHERE type = 'table' AND name = '%s'", table);
    th_ok(sinew_exec(db, "PRAGMA writable_schema = ON"));
    th_ok(sinew_exec(db, sql));
    th_ok(sinew_exec(db, "PRAGMA writable_schema = RESET"));
    free(sql);
    free(ddl);
    sinew_session_free(s);
}

static void migrations_drift_and_pull(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/poly.sinew", th_tmpdir());
    mt_write(path, schema_text);
    const char *dir = mt_dir("poly");
    th_ok(sinew_migrate_make(dir, path, "init", NULL, NULL));
    sinew_db *db = th_open();
    th_ok(sinew_migrate_up(db, dir));
    sinew_schema *s;
    th_ok(sinew_schema_parse("poly.sinew", schema_text, strlen(schema_text), NULL, &s));
    char *report = NULL;
    size_t n = mt_drift(db, s, &report);
    if (n) print_error("%s", report);
    assert_int_equal(n, 0);
    sinew_migrate_free(report);
    /* the database holds the rule: one target exactly (Pin: at most one), real foreign keys */
    th_ok(sinew_exec(db, "INSERT INTO posts (title) VALUES ('p')"));
    th_ok(sinew_exec(db, "INSERT INTO comments (body) VALUES ('c')"));
    th_ok(sinew_exec(db, "INSERT INTO likes (who, target_post_id) VALUES ('a', 1)"));
    th_ok(sinew_exec(db, "INSERT INTO likes (who, target_comment_id) VALUES ('b', 1)"));
    assert_int_equal(sinew_exec(db, "INSERT INTO likes (who) VALUES ('none')"), SINEW_CONSTRAINT);
    assert_int_equal(sinew_exec(db, "INSERT INTO likes (who, target_post_id, target_comment_id) VALUES ('both', 1, 1)"),
                     SINEW_CONSTRAINT);
    assert_int_equal(sinew_exec(db, "INSERT INTO likes (who, target_post_id) VALUES ('dangling', 99)"),
                     SINEW_CONSTRAINT);
    th_ok(sinew_exec(db, "INSERT INTO pins (id) VALUES (1)"));
    assert_int_equal(sinew_exec(db, "INSERT INTO pins (thing_post_id, thing_comment_id) VALUES (1, 1)"),
                     SINEW_CONSTRAINT);
    /* db pull: the pattern is the polymorphic relation again */
    sinew_schema *live;
    th_ok(sinew_introspect(db, &live));
    char *text;
    th_ok(sinew_schema_to_string(live, &text));
    if (!strstr(text, "  target Post | Comment @on_delete(cascade)\n") || !strstr(text, "  thing Comment | Post?\n") ||
        strstr(text, "@@check"))
        fail_msg("pulled:\n%s", text);
    sinew_schema *again;
    th_ok(sinew_schema_parse("pulled.sinew", text, strlen(text), NULL, &again));
    const sinew_model *like = sinew_schema_find_model(again, "Like");
    assert_non_null(sinew_model_find_poly(like, "target"));
    assert_string_equal(like->polys[0].check_name, "likes_target_one_target");
    sinew_free(text);
    sinew_schema_free(again);
    sinew_schema_free(live);
    /* without its CHECK, the table drifts, by the constraint's name (SQLite's read from the table's
     * CREATE TABLE text), and the database no longer holds the rule */
    if (th_is_server()) th_ok(sinew_exec(db, "ALTER TABLE likes DROP CONSTRAINT likes_target_one_target"));
    else drop_check_sqlite(db, "likes", "likes_target_one_target");
    th_ok(sinew_exec(db, "INSERT INTO likes (who) VALUES ('none')"));
    n = mt_drift(db, s, &report);
    assert_non_null(report);
    if (!strstr(report, "likes_target_one_target")) fail_msg("drift report: %s", report);
    assert_int_equal(n, 1);
    sinew_migrate_free(report);
    /* and db pull no longer sees the pattern: two optional to-ones */
    th_ok(sinew_introspect(db, &live));
    th_ok(sinew_schema_to_string(live, &text));
    if (strstr(text, "Post | Comment @on_delete") || !strstr(text, "  thing Comment | Post?\n")) fail_msg("pulled:\n%s", text);
    sinew_free(text);
    sinew_schema_free(live);
    sinew_schema_free(s);
    th_close(db);
}

/* a polymorphic relation added to a table that exists: its columns, keys and CHECK (PostgreSQL and MariaDB
 * ALTER TABLE ... ADD CONSTRAINT, SQLite's rebuild writes it); down drops them again */
static void added_to_an_existing_table(void **state)
{
    (void)state;
    const char *v1 = "model Post {\n  id int64 @id @auto\n}\nmodel Comment {\n  id int64 @id @auto\n}\n"
                     "model Like {\n  id int64 @id @auto\n  who text\n}\n";
    const char *v2 = "model Post {\n  id int64 @id @auto\n}\nmodel Comment {\n  id int64 @id @auto\n}\n"
                     "model Like {\n  id int64 @id @auto\n  who text\n  target Post | Comment?\n}\n";
    char path[1024];
    snprintf(path, sizeof path, "%s/grow.sinew", th_tmpdir());
    const char *dir = mt_dir("grow");
    mt_write(path, v1);
    th_ok(sinew_migrate_make(dir, path, "init", NULL, NULL));
    mt_write(path, v2);
    th_ok(sinew_migrate_make(dir, path, "poly", NULL, NULL));
    sinew_db *db = th_open();
    th_ok(sinew_migrate_up_to(db, dir, 1));
    th_ok(sinew_exec(db, "INSERT INTO posts (id) VALUES (1)"));
    th_ok(sinew_exec(db, "INSERT INTO comments (id) VALUES (1)"));
    th_ok(sinew_exec(db, "INSERT INTO likes (who) VALUES ('before')"));
    th_ok(sinew_migrate_up(db, dir));
    sinew_schema *s;
    th_ok(sinew_schema_parse("grow.sinew", v2, strlen(v2), NULL, &s));
    char *report = NULL;
    size_t n = mt_drift(db, s, &report);
    if (n) print_error("%s", report);
    assert_int_equal(n, 0);
    sinew_migrate_free(report);
    th_ok(sinew_exec(db, "INSERT INTO likes (who, target_post_id) VALUES ('post', 1)"));
    assert_int_equal(sinew_exec(db, "INSERT INTO likes (who, target_post_id, target_comment_id) VALUES ('both', 1, 1)"),
                     SINEW_CONSTRAINT);
    mt_assert_rows(db, "SELECT who FROM likes ORDER BY id", "before\npost\n");
    th_ok(sinew_migrate_down(db, dir, 1));
    th_ok(sinew_exec(db, "INSERT INTO likes (who) VALUES ('after')"));
    sinew_schema_free(s);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(migrations_drift_and_pull),
        cmocka_unit_test(added_to_an_existing_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
