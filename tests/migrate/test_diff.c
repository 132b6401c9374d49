/*
 * test_diff.c - diff and plan without a database: each operation kind,
 * destructive flags, renames through renamed_from (and back for down),
 * the look-alike rename refused, and the SQL per dialect (SQLite's
 * copy-and-swap rebuild, PostgreSQL's ALTERs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "support.h"
#include "migrate/diff.h"
#include "migrate/files.h"
#include "schema/introspect.h"

static size_t count_kind(const sn_diff *d, sn_op_kind k)
{
    size_t n = 0;
    for (size_t i = 0; i < d->nops; i++) n += d->ops[i].kind == k;
    return n;
}

static const sn_op *find(const sn_diff *d, sn_op_kind k)
{
    for (size_t i = 0; i < d->nops; i++) if (d->ops[i].kind == k) return &d->ops[i];
    return NULL;
}

static char *render(const sn_diff *d, const sinew_dialect *dl)
{
    sn_buf b;
    sn_buf_init(&b);
    th_ok(sn_plan_render(d, dl, &b));
    char *s = strdup(sn_buf_cstr(&b));
    sn_buf_free(&b);
    return s;
}

#define A "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER, bio TEXT);" \
          "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id), title TEXT);" \
          "CREATE INDEX posts_title_idx ON posts (title);" \
          "CREATE TABLE old_stuff (id INTEGER PRIMARY KEY);"
#define B "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age TEXT NOT NULL DEFAULT 'x', " \
          "email TEXT UNIQUE);" \
          "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id) ON DELETE CASCADE, " \
          "title TEXT); CREATE INDEX posts_user_idx ON posts (user_id);" \
          "CREATE TABLE tags (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL REFERENCES posts (id), " \
          "label TEXT NOT NULL);"

static void test_every_kind(void **state)
{
    (void)state;
    sinew_schema *a = mt_graph(A), *b = mt_graph(B);
    sn_diff d;
    th_ok(sn_diff_schemas(a, b, &d));
    assert_int_equal(count_kind(&d, SN_OP_CREATE_TABLE), 1);
    assert_int_equal(count_kind(&d, SN_OP_DROP_TABLE), 1);
    assert_int_equal(count_kind(&d, SN_OP_ADD_COLUMN), 1);
    assert_int_equal(count_kind(&d, SN_OP_DROP_COLUMN), 1);
    assert_int_equal(count_kind(&d, SN_OP_ALTER_COLUMN), 1);
    assert_int_equal(count_kind(&d, SN_OP_ADD_INDEX), 1);
    assert_int_equal(count_kind(&d, SN_OP_DROP_INDEX), 1);
    assert_int_equal(count_kind(&d, SN_OP_ADD_UNIQUE), 1);
    assert_int_equal(count_kind(&d, SN_OP_ADD_FK), 1);
    assert_int_equal(count_kind(&d, SN_OP_DROP_FK), 1);
    /* destructive: the dropped table and column; int -> text is a widening */
    assert_true(find(&d, SN_OP_DROP_TABLE)->destructive);
    assert_true(find(&d, SN_OP_DROP_COLUMN)->destructive);
    assert_false(find(&d, SN_OP_ALTER_COLUMN)->destructive);
    assert_false(find(&d, SN_OP_ADD_COLUMN)->destructive);
    assert_int_equal(d.ndestructive, 2);
    assert_non_null(strstr(d.suspect, "column bio is dropped and column email"));   /* looks like a rename */
    /* operations come in a safe order */
    for (size_t i = 1; i < d.nops; i++) assert_true(d.ops[i - 1].kind <= d.ops[i].kind);
    char *pg = render(&d, &sn_dialect_postgres);
    assert_non_null(strstr(pg, "ALTER TABLE \"users\" ALTER COLUMN \"age\" TYPE text USING \"age\"::text;"));
    assert_non_null(strstr(pg, "ALTER TABLE \"users\" ALTER COLUMN \"age\" SET NOT NULL;"));
    assert_non_null(strstr(pg, "ALTER TABLE \"users\" ALTER COLUMN \"age\" SET DEFAULT 'x';"));
    assert_non_null(strstr(pg, "ALTER TABLE \"posts\" DROP CONSTRAINT \"posts_user_id_fkey\";"));
    assert_non_null(strstr(pg, "ALTER TABLE \"posts\" ADD FOREIGN KEY (\"user_id\") REFERENCES \"users\" (\"id\") "
                               "ON DELETE CASCADE;"));
    assert_non_null(strstr(pg, "-- sinew: destructive: drop table old_stuff\nDROP TABLE \"old_stuff\";"));
    assert_non_null(strstr(pg, "ALTER TABLE \"users\" ADD CONSTRAINT \"users_email_key\" UNIQUE (\"email\");"));
    char *sq = render(&d, &sn_dialect_sqlite);
    assert_non_null(strstr(sq, "CREATE TABLE \"_sinew_new_users\""));
    assert_non_null(strstr(sq, "INSERT INTO \"_sinew_new_users\" (\"id\", \"name\", \"age\")\n  SELECT \"id\", "
                               "\"name\", \"age\" FROM \"users\";"));
    assert_non_null(strstr(sq, "ALTER TABLE \"_sinew_new_users\" RENAME TO \"users\";"));
    assert_non_null(strstr(sq, "CREATE TABLE \"_sinew_new_posts\""));
    assert_non_null(strstr(sq, "CREATE INDEX \"posts_user_idx\" ON \"posts\" (\"user_id\");"));
    free(pg);
    free(sq);
    sn_diff_free(&d);
    sinew_schema_free(a);
    sinew_schema_free(b);
}

static void test_lookalike_rename_refused(void **state)
{
    (void)state;
    sinew_schema *a = mt_graph("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);");
    sinew_schema *b = mt_graph("CREATE TABLE users (id INTEGER PRIMARY KEY, full_name TEXT);");
    sn_diff d;
    th_ok(sn_diff_schemas(a, b, &d));
    assert_non_null(d.suspect);
    assert_non_null(strstr(d.suspect, "@renamed_from(name)"));
    sn_diff_free(&d);
    const char *dir = mt_dir("lookalike");
    sinew_make_opts o = {SINEW_DIALECT_ALL, 0};
    th_assert_status(sn_mig_make_from(dir, a, b, "", "rename", &o, NULL), SINEW_INVALID, "--allow-destructive");
    th_assert_status(sn_mig_make_from(dir, a, b, "", "rename", &o, NULL), SINEW_INVALID, "@renamed_from(name)");
    /* nothing was written */
    sn_migset s;
    th_ok(sn_mig_scan(dir, &s));
    assert_int_equal(s.n, 0);
    sn_migset_free(&s);
    /* with renamed_from: a rename, not destructive, and the reverse diff renames back */
    mt_rename_from(b, "users", "full_name", "name");
    th_ok(sn_diff_schemas(a, b, &d));
    assert_int_equal(d.nops, 1);
    assert_int_equal(d.ops[0].kind, SN_OP_RENAME_COLUMN);
    assert_int_equal(d.ndestructive, 0);
    char *sq = render(&d, &sn_dialect_sqlite);
    assert_non_null(strstr(sq, "ALTER TABLE \"users\" RENAME COLUMN \"name\" TO \"full_name\";"));
    free(sq);
    sn_diff_free(&d);
    th_ok(sn_diff_schemas(b, a, &d));
    assert_int_equal(d.nops, 1);
    char *pg = render(&d, &sn_dialect_postgres);
    assert_non_null(strstr(pg, "ALTER TABLE \"users\" RENAME COLUMN \"full_name\" TO \"name\";"));
    free(pg);
    sn_diff_free(&d);
    sinew_schema_free(a);
    sinew_schema_free(b);
}

static void test_destructive_needs_flag(void **state)
{
    (void)state;
    sinew_schema *a = mt_graph("CREATE TABLE t (id INTEGER PRIMARY KEY, n TEXT, m INTEGER);");
    sinew_schema *b = mt_graph("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER);");
    const char *dir = mt_dir("destructive");
    sinew_make_opts o = {SINEW_DIALECT_SQLITE, 0};
    th_assert_status(sn_mig_make_from(dir, a, b, "", "lossy", &o, NULL), SINEW_INVALID, "drop column t.m");
    th_assert_status(sn_mig_make_from(dir, a, b, "", "lossy", &o, NULL), SINEW_INVALID, "alter column t.n: type");
    o.allow_destructive = 1;
    char *created;
    th_ok(sn_mig_make_from(dir, a, b, "", "lossy", &o, &created));
    char f[1024];
    snprintf(f, sizeof f, "%s/up.sql", created);
    char *t = mt_read(f);
    assert_non_null(strstr(t, "-- sinew migration 0001_lossy\n"));
    assert_non_null(strstr(t, "-- sinew: destructive: drop column t.m"));
    assert_non_null(strstr(t, "-- sinew: destructive: alter column t.n: type"));
    free(t);
    sinew_migrate_free(created);
    /* nothing changed: no migration */
    th_ok(sn_mig_make_from(dir, b, b, "", "same", &o, &created));
    assert_null(created);
    sinew_schema_free(a);
    sinew_schema_free(b);
}

/* a declared type that changes (@db_type, as db pull keeps it) is a column type change */
static void test_declared_type_change(void **state)
{
    (void)state;
    sinew_schema *a = mt_graph("CREATE TABLE t (id INTEGER PRIMARY KEY, amount DECIMAL(5,2) NOT NULL);");
    sinew_schema *b = mt_graph("CREATE TABLE t (id INTEGER PRIMARY KEY, amount DECIMAL(10,2) NOT NULL);");
    sn_diff d;
    th_ok(sn_diff_schemas(a, b, &d));
    assert_int_equal(count_kind(&d, SN_OP_ALTER_COLUMN), 1);
    const sn_op *op = find(&d, SN_OP_ALTER_COLUMN);
    assert_true(op->alter & SN_ALTER_TYPE);
    assert_true(op->destructive);
    char *sq = render(&d, &sn_dialect_sqlite), *pg = render(&d, &sn_dialect_postgres);
    if (!strstr(sq, "\"amount\" DECIMAL(10,2) NOT NULL")) fail_msg("sqlite:\n%s", sq);
    if (!strstr(pg, "TYPE DECIMAL(10,2)")) fail_msg("postgres:\n%s", pg);
    free(sq);
    free(pg);
    sn_diff_free(&d);
    /* the same declared type, in other case and spacing: no change */
    sinew_schema *c = mt_graph("CREATE TABLE t (id INTEGER PRIMARY KEY, amount decimal(10, 2) NOT NULL);");
    th_ok(sn_diff_schemas(b, c, &d));
    assert_int_equal(d.nops, 0);
    sn_diff_free(&d);
    /* PostgreSQL's spellings of one type compare equal (what a user writes, what the database reports) */
    assert_true(sn_declared_type_same("DECIMAL(5, 2)", "numeric(5,2)"));
    assert_true(sn_declared_type_same("varchar(40)", "character varying(40)"));
    assert_true(sn_declared_type_same("int4", "integer"));
    assert_true(sn_declared_type_same("timestamp", "timestamp without time zone"));
    assert_false(sn_declared_type_same("timestamptz", "timestamp without time zone"));
    assert_false(sn_declared_type_same("mood", "text"));
    assert_false(sn_declared_type_same("numeric(5,2)", "numeric(10,2)"));
    sinew_schema_free(a);
    sinew_schema_free(b);
    sinew_schema_free(c);
}

static void test_table_rename(void **state)
{
    (void)state;
    sinew_schema *a = mt_graph("CREATE TABLE people (id INTEGER PRIMARY KEY, n TEXT);");
    sinew_schema *b = mt_graph("CREATE TABLE persons (id INTEGER PRIMARY KEY, n TEXT);");
    mt_rename_from(b, "persons", NULL, "people");
    sn_diff d;
    th_ok(sn_diff_schemas(a, b, &d));
    assert_int_equal(d.nops, 1);
    assert_int_equal(d.ops[0].kind, SN_OP_RENAME_TABLE);
    char *sq = render(&d, &sn_dialect_sqlite);
    assert_non_null(strstr(sq, "ALTER TABLE \"people\" RENAME TO \"persons\";"));
    free(sq);
    sn_diff_free(&d);
    sinew_schema_free(a);
    sinew_schema_free(b);
}

static void test_split_sql(void **state)
{
    (void)state;
    sn_stmts s;
    th_ok(sn_split_sql("-- c;\nCREATE TABLE \"a;b\" (x TEXT DEFAULT 'it''s;');\n/* ; */ INSERT INTO t VALUES (1)"
                       ";\n\nDO $$ BEGIN PERFORM 1; END $$;", &s));
    assert_int_equal(s.n, 3);
    assert_string_equal(s.v[0], "CREATE TABLE \"a;b\" (x TEXT DEFAULT 'it''s;')");
    assert_int_equal(s.line[0], 2);
    assert_string_equal(s.v[1], "INSERT INTO t VALUES (1)");
    assert_int_equal(s.line[2], 5);
    sn_stmts_free(&s);
    /* MariaDB's quoted names: a `;` or `--` inside backticks ends nothing */
    th_ok(sn_split_sql("ALTER TABLE `items` ADD COLUMN `note\nDROP TABLE victims;--x` LONGTEXT;\nSELECT 1", &s));
    assert_int_equal(s.n, 2);
    assert_string_equal(s.v[0], "ALTER TABLE `items` ADD COLUMN `note\nDROP TABLE victims;--x` LONGTEXT");
    sn_stmts_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kind),
        cmocka_unit_test(test_lookalike_rename_refused),
        cmocka_unit_test(test_destructive_needs_flag),
        cmocka_unit_test(test_table_rename),
        cmocka_unit_test(test_declared_type_change),
        cmocka_unit_test(test_split_sql),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
