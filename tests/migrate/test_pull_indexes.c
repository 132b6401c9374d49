/*
 * test_pull_indexes.c - partial and expression indexes in a pulled database
 * (issue 19, item 11), on the backend under test. A partial index (CREATE
 * [UNIQUE] INDEX ... WHERE) pulls as @@index / @@unique with where: "...",
 * migrations made from the pulled file create it again (as an index, also
 * when unique), and drift compares it (by name, columns and having a
 * predicate) with no false drift; dropping it, or making it total, is drift.
 * An expression index cannot be written in the schema: it is reported by a
 * warning naming it, and drift does not see it (never silently dropped).
 *
 * MariaDB has neither partial nor expression indexes. There the same round
 * trip runs on what it has instead: a unique index over a VIRTUAL generated
 * column that is NULL for revoked rows (the partial unique index's usual
 * MariaDB form; NULLs never collide), an ordinary index, and a FULLTEXT index
 * as the one the schema cannot write (warned by name, not seen by drift).
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

typedef struct fixture {
    const char *setup[5];       /* the table and its indexes */
    const char *pulled[3];      /* in the pulled text */
    int partial;                /* the pulled indexes have predicates */
    size_t nindexes;
    const char *change[3];      /* one gone, one changed under the same name */
    const char *report[2];      /* in the drift report then */
    size_t ndrift;
} fixture;

static const fixture standard = {   /* SQLite and PostgreSQL */
    {"CREATE TABLE tokens (id integer PRIMARY KEY, user_id int NOT NULL, kind text NOT NULL, "
     "revoked_at text, email text)",
     "CREATE UNIQUE INDEX tokens_live ON tokens (user_id, kind) WHERE revoked_at IS NULL",
     "CREATE INDEX tokens_revoked ON tokens (revoked_at) WHERE revoked_at IS NOT NULL",
     "CREATE UNIQUE INDEX tokens_one_live ON tokens (email) WHERE revoked_at IS NULL",
     "CREATE INDEX tokens_lower ON tokens (lower(email))"},
    {"@@unique([user_id, kind], name: \"tokens_live\", where: \"",
     "@@index([revoked_at], name: \"tokens_revoked\", where: \"",
     /* a one-column partial unique index is not the column's @unique */
     "@@unique([email], name: \"tokens_one_live\", where: \""},
    1, 3,
    {"DROP INDEX tokens_revoked", "DROP INDEX tokens_one_live", "CREATE UNIQUE INDEX tokens_one_live ON tokens (email)"},
    {"index tokens_revoked (revoked_at) where", "unique index tokens_one_live (email) where"},
    3,   /* the two partial ones missing, the total unique one extra */
};

static const fixture mariadb = {
    {"CREATE TABLE tokens (id integer PRIMARY KEY, user_id int NOT NULL, kind varchar(20) NOT NULL, "
     "revoked_at varchar(40), email varchar(100), "
     "live_kind varchar(20) AS (IF(revoked_at IS NULL, kind, NULL)) VIRTUAL)",
     "CREATE UNIQUE INDEX tokens_live ON tokens (user_id, live_kind)",
     "CREATE INDEX tokens_revoked ON tokens (revoked_at)",
     "CREATE UNIQUE INDEX tokens_one_live ON tokens (email, live_kind)",
     "CREATE FULLTEXT INDEX tokens_lower ON tokens (email)"},
    {"@@unique([user_id, live_kind], name: \"tokens_live\")",
     "@@index([revoked_at], name: \"tokens_revoked\")",
     "@@unique([email, live_kind], name: \"tokens_one_live\")"},
    0, 3,
    {"DROP INDEX tokens_revoked ON tokens", "DROP INDEX tokens_one_live ON tokens",
     "CREATE INDEX tokens_one_live ON tokens (email, live_kind)"},
    {"index tokens_revoked (revoked_at) is missing", "unique (email, live_kind) is missing"},
    3,   /* the two missing, the non-unique one extra */
};

static void partial_and_expression_indexes(void **state)
{
    (void)state;
    const fixture *fx = th_is_mariadb() ? &mariadb : &standard;
    sinew_db *db = th_open();
    for (size_t i = 0; i < 5; i++) th_ok(sinew_exec(db, fx->setup[i]));
    char *notes;
    char *text = pull(db, &notes);
    for (size_t i = 0; i < 3; i++)
        if (!strstr(text, fx->pulled[i])) fail_msg("not pulled: %s\n%s", fx->pulled[i], text);
    assert_null(strstr(text, " @unique"));
    assert_non_null(strstr(notes, "tokens_lower"));       /* the expression index: warned, by name */
    assert_null(strstr(text, "tokens_lower\""));
    sinew_diagnostics *d;
    th_ok(sinew_diagnostics_new(&d));
    sinew_schema *s = NULL;
    th_ok(sinew_schema_parse("pulled.sinew", text, strlen(text), d, &s));
    const sinew_model *m = sinew_schema_find_table(s, "tokens");
    assert_int_equal(m->nindexes, fx->nindexes);
    for (size_t i = 0; i < m->nindexes; i++) assert_true((m->indexes[i].where != NULL) == fx->partial);
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
    for (size_t i = 0; i < 3; i++) th_ok(sinew_exec(db2, fx->change[i]));
    n = mt_drift(db2, s, &report);
    assert_non_null(report);
    for (size_t i = 0; i < 2; i++)
        if (!strstr(report, fx->report[i])) fail_msg("not in the drift report: %s\n%s", fx->report[i], report);
    assert_int_equal(n, fx->ndrift);
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
