/*
 * test_pull_indexes.c - partial and expression indexes in a pulled database
 * (issue 19, item 11), on the backend under test. A partial index (CREATE
 * [UNIQUE] INDEX ... WHERE) pulls as @@index / @@unique with where: "...",
 * migrations made from the pulled file create it again (as an index, also
 * when unique), and drift compares it (by name, columns and having a
 * predicate) with no false drift; dropping it, or making it total, is drift.
 * An expression index cannot be written in the schema: it is reported by a
 * warning naming it, and drift does not see it (never silently dropped).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "support.h"

static char *pull(sinew_db *db, char **notes)
{
    sinew_schema *live;
    th_ok(sinew_introspect(db, &live));
    char *text;
    th_ok(sinew_schema_to_string(live, &text));
    if (notes) *notes = strdup(sinew_introspect_notes(live) ? sinew_introspect_notes(live) : "");
    sinew_schema_free(live);
    return text;
}

static void partial_and_expression_indexes(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_exec(db, "CREATE TABLE tokens (id integer PRIMARY KEY, user_id int NOT NULL, kind text NOT NULL, "
                         "revoked_at text, email text)"));
    th_ok(sinew_exec(db, "CREATE UNIQUE INDEX tokens_live ON tokens (user_id, kind) WHERE revoked_at IS NULL"));
    th_ok(sinew_exec(db, "CREATE INDEX tokens_revoked ON tokens (revoked_at) WHERE revoked_at IS NOT NULL"));
    th_ok(sinew_exec(db, "CREATE UNIQUE INDEX tokens_one_live ON tokens (email) WHERE revoked_at IS NULL"));
    th_ok(sinew_exec(db, "CREATE INDEX tokens_lower ON tokens (lower(email))"));
    char *notes;
    char *text = pull(db, &notes);
    assert_non_null(strstr(text, "@@unique([user_id, kind], name: \"tokens_live\", where: \""));
    assert_non_null(strstr(text, "@@index([revoked_at], name: \"tokens_revoked\", where: \""));
    /* a one-column partial unique index is not the column's @unique */
    assert_non_null(strstr(text, "@@unique([email], name: \"tokens_one_live\", where: \""));
    assert_null(strstr(text, " @unique"));
    assert_non_null(strstr(notes, "tokens_lower"));       /* the expression index: warned, by name */
    assert_null(strstr(text, "tokens_lower\""));
    sinew_diagnostics *d;
    th_ok(sinew_diagnostics_new(&d));
    sinew_schema *s = NULL;
    th_ok(sinew_schema_parse("pulled.sinew", text, strlen(text), d, &s));
    const sinew_model *m = sinew_schema_find_table(s, "tokens");
    assert_int_equal(m->nindexes, 3);
    for (size_t i = 0; i < m->nindexes; i++) assert_non_null(m->indexes[i].where);
    char *report = NULL;
    size_t n = mt_drift(db, s, &report);
    if (n) print_error("%s", report);
    assert_int_equal(n, 0);
    sinew_migrate_free(report);

    /* migrations from the pulled file make the same indexes, and the database enforces the partial one */
    const char *dir = mt_dir("partial");
    char path[1024];
    snprintf(path, sizeof path, "%s/partial.sinew", th_tmpdir());
    mt_write(path, text);
    th_ok(sinew_migrate_make(dir, path, "init", NULL, NULL));
    sinew_db *db2 = th_open();
    th_ok(sinew_migrate_up(db2, dir));
    char *text2 = pull(db2, NULL);
    const char *body = strstr(text, "model Token {");   /* without the expression index's /// db pull: note */
    assert_non_null(body);
    assert_string_equal(text2, body);
    n = mt_drift(db2, s, &report);
    if (n) print_error("%s", report);
    assert_int_equal(n, 0);
    sinew_migrate_free(report);
    th_ok(sinew_exec(db2, "INSERT INTO tokens (id, user_id, kind, revoked_at) VALUES (1, 1, 'a', 'x'), (2, 1, 'a', 'y'), "
                          "(3, 1, 'a', NULL)"));
    assert_int_not_equal(sinew_exec(db2, "INSERT INTO tokens (id, user_id, kind) VALUES (4, 1, 'a')"), SINEW_OK);

    /* gone, or made total under the same name: drift */
    th_ok(sinew_exec(db2, "DROP INDEX tokens_revoked"));
    th_ok(sinew_exec(db2, "DROP INDEX tokens_one_live"));
    th_ok(sinew_exec(db2, "CREATE UNIQUE INDEX tokens_one_live ON tokens (email)"));
    n = mt_drift(db2, s, &report);
    assert_non_null(report);
    assert_non_null(strstr(report, "index tokens_revoked (revoked_at) where"));
    assert_non_null(strstr(report, "unique index tokens_one_live (email) where"));
    assert_int_equal(n, 3);   /* the two partial ones missing, the total unique one extra */
    sinew_migrate_free(report);
    free(notes);
    sinew_free(text2);
    sinew_free(text);
    sinew_schema_free(s);
    sinew_diagnostics_free(d);
    th_close(db2);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(partial_and_expression_indexes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
