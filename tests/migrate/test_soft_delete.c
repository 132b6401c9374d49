/*
 * @@soft_delete in migrations and drift (issue 21, item 9), on the backend
 * under test: `migrate make` creates the deleted_at column and makes the
 * model's @@unique keys partial (CREATE UNIQUE INDEX ... WHERE "deleted_at"
 * IS NULL) where the backend has partial indexes, the database enforces them
 * among live rows, and drift sees no difference; where a total unique index
 * stands in for the partial one, drift says so. MariaDB has no partial
 * indexes: the index there covers every row (documented in docs/schema.md)
 * and drift does not compare predicates. db pull reads @@soft_delete back from
 * those partial indexes (not on MariaDB), and the pulled file round-trips.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "support.h"
#include "sinew/codegen.h"

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

/* db pull: what sinew wrote for @@soft_delete is read back as @@soft_delete where the backend has partial
 * indexes (a field of another name too); a nullable deleted_at with a total unique key, or without any
 * unique key, is not taken for one (docs/schema.md) */
static const char *pull_text =
    "model Account {\n"
    "  id         int64      @id @auto\n"
    "  name       text\n"
    "  deleted_at timestamp?\n"
    "\n"
    "  @@unique([name])\n"
    "  @@soft_delete\n"
    "}\n"
    "\n"
    "model Ledger {\n"
    "  id      int64      @id @auto\n"
    "  code    text\n"
    "  year    int32\n"
    "  gone_at timestamp?\n"
    "\n"
    "  @@unique([code, year])\n"
    "  @@soft_delete(gone_at)\n"
    "}\n"
    "\n"
    "model Visit {\n"
    "  id         int64      @id @auto\n"
    "  deleted_at timestamp?\n"
    "  @@soft_delete\n"
    "}\n"
    "\n"
    "model Plain {\n"
    "  id         int64      @id @auto\n"
    "  email      text       @unique\n"
    "  deleted_at timestamp?\n"
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

static sinew_schema *parse_text(const char *name, const char *text)
{
    sinew_diagnostics *d;
    th_ok(sinew_diagnostics_new(&d));
    sinew_schema *s = NULL;
    int rc = sinew_schema_parse(name, text, strlen(text), d, &s);
    if (rc || sinew_diagnostics_errors(d)) {
        print_error("%s\n", text);
        sinew_diagnostics_print(d, stderr);
    }
    th_ok(rc);
    sinew_diagnostics_free(d);
    return s;
}

static const sinew_model *model_of(const sinew_schema *s, const char *table)
{
    const sinew_model *m = sinew_schema_find_table(s, table);
    assert_non_null(m);
    return m;
}

static void pull_reads_soft_delete_back(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/pull.sinew", th_tmpdir());
    mt_write(path, pull_text);
    const char *dir = mt_dir("pull");
    th_ok(sinew_migrate_make(dir, path, "init", NULL, NULL));
    sinew_db *db = th_open();
    th_ok(sinew_migrate_up(db, dir));
    sinew_schema *want = parse_text("pull.sinew", pull_text);
    char *report = NULL;
    size_t n = mt_drift(db, want, &report);
    if (n) print_error("%s", report);
    assert_int_equal(n, 0);
    sinew_migrate_free(report);

    sinew_schema *live;
    th_ok(sinew_introspect(db, &live));
    char *text;
    th_ok(sinew_schema_to_string(live, &text));
    sinew_schema_free(live);
    sinew_schema *pulled = parse_text("pulled.sinew", text);
    int partial = !sinew_find_driver(th_backend())->dialect->no_partial_indexes;
    /* what is inferred where partial indexes say it */
    assert_int_equal(sinew_model_soft_delete_field(model_of(pulled, "accounts")) >= 0, partial);
    int ledger = sinew_model_soft_delete_field(model_of(pulled, "ledgers"));
    assert_int_equal(ledger >= 0, partial);
    if (partial) {
        assert_string_equal(model_of(pulled, "ledgers")->fields[ledger].name, "gone_at");
        assert_non_null(strstr(text, "@@soft_delete(gone_at)"));
        assert_null(strstr(text, "where:"));   /* the keys are plain @@unique, partial as @@soft_delete makes them */
    } else {
        assert_null(strstr(text, "@@soft_delete"));
    }
    /* and what is not: nothing says so */
    assert_int_equal(sinew_model_soft_delete_field(model_of(pulled, "visits")), -1);
    assert_int_equal(sinew_model_soft_delete_field(model_of(pulled, "plains")), -1);
    /* the pulled file round-trips: no drift, code generates, and its migrations pull the same text */
    n = mt_drift(db, pulled, &report);
    if (n) print_error("%s\n%s", text, report);
    assert_int_equal(n, 0);
    sinew_migrate_free(report);
    FILE *h = tmpfile(), *c = tmpfile();
    assert_non_null(h);
    assert_non_null(c);
    sinew_codegen_opts opts = {.header_name = "pulled.h", .source_name = "pulled.sinew"};
    th_ok(sinew_codegen(pulled, &opts, h, c));
    fclose(h);
    fclose(c);
    snprintf(path, sizeof path, "%s/pulled.sinew", th_tmpdir());
    mt_write(path, text);
    const char *dir2 = mt_dir("pulled");
    th_ok(sinew_migrate_make(dir2, path, "init", NULL, NULL));
    sinew_db *db2 = th_open();
    th_ok(sinew_migrate_up(db2, dir2));
    th_ok(sinew_introspect(db2, &live));
    char *text2;
    th_ok(sinew_schema_to_string(live, &text2));
    sinew_schema_free(live);
    assert_string_equal(text2, text);
    sinew_free(text2);
    th_close(db2);
    /* a total unique index next to the partial one: not what sinew writes, so not inferred */
    if (partial) {
        th_ok(sinew_exec(db, "CREATE UNIQUE INDEX accounts_id_name_key ON accounts (id, name)"));
        th_ok(sinew_introspect(db, &live));
        assert_int_equal(sinew_model_soft_delete_field(model_of(live, "accounts")), -1);
        assert_true(sinew_model_soft_delete_field(model_of(live, "ledgers")) >= 0);
        sinew_schema_free(live);
        /* a hand-made text column under a partial key is no timestamp of sinew's (SQLite: not the
         * predicate as sinew writes it), so no guess */
        th_ok(sinew_exec(db, "CREATE TABLE logins (id integer PRIMARY KEY, token text, ended_at text)"));
        th_ok(sinew_exec(db, "CREATE UNIQUE INDEX logins_live ON logins (token) WHERE ended_at IS NULL"));
        th_ok(sinew_introspect(db, &live));
        assert_int_equal(sinew_model_soft_delete_field(model_of(live, "logins")), -1);
        sinew_schema_free(live);
    }
    sinew_free(text);
    sinew_schema_free(pulled);
    sinew_schema_free(want);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(migrations_make_the_column_and_the_partial_key),
        cmocka_unit_test(pull_reads_soft_delete_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
