/*
 * test_runner.c - the migration runner's guarantees on the backend under
 * test: a migration failing halfway leaves no partial change and names the
 * statement; an edited applied migration is refused naming the file; two
 * runners at once apply each migration once; drift is reported precisely;
 * status; branch conflicts are detected and renumbered.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "support.h"
#include "migrate/files.h"

static void write_mig(const char *dir, const char *name, const char *parent, const char *up, const char *down)
{
    char p[1024], f[1200], hdr[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    mkdir(p, 0777);
    snprintf(hdr, sizeof hdr, "-- sinew migration %s%s%s%s\n", name, parent ? " (parent " : "",
             parent ? parent : "", parent ? ")" : "");
    char *t = malloc(strlen(up) + strlen(down) + 600);
    snprintf(f, sizeof f, "%s/up.sql", p);
    sprintf(t, "%s%s", hdr, up);
    mt_write(f, t);
    snprintf(f, sizeof f, "%s/down.sql", p);
    sprintf(t, "%s%s", hdr, down);
    mt_write(f, t);
    free(t);
}

static int64_t count(sinew_db *db, const char *sql)
{
    char *r = mt_rows(db, sql);
    int64_t n = atoll(r);
    free(r);
    return n;
}

static void test_failure_halfway(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    const char *dir = mt_dir("halfway");
    write_mig(dir, "0001_a", NULL, "CREATE TABLE a (id BIGINT PRIMARY KEY);\n", "DROP TABLE a;\n");
    write_mig(dir, "0002_b", "0001_a",
              "CREATE TABLE b (id BIGINT PRIMARY KEY);\nINSERT INTO a (id) VALUES (1);\n"
              "INSERT INTO no_such_table VALUES (1);\n", "DROP TABLE b;\n");
    assert_int_not_equal(sinew_migrate_up(db, dir), SINEW_OK);
    const char *msg = sinew_errmsg();
    assert_non_null(strstr(msg, "migration 0002_b failed"));
    assert_non_null(strstr(msg, "no_such_table"));
    assert_non_null(strstr(msg, "statement 3"));
    /* the good migration stays, nothing of the bad one is left */
    assert_int_equal(count(db, "SELECT COUNT(*) FROM sinew_migrations"), 1);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM a"), 0);
    char *report;
    sinew_schema *want = mt_graph("CREATE TABLE a (id BIGINT PRIMARY KEY);");
    size_t n = mt_drift(db, want, &report);
    if (n) fail_msg("drift after a failed migration:\n%s", report);
    sinew_migrate_free(report);
    sinew_schema_free(want);
    th_close(db);
}

static void test_edited_applied(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    const char *dir = mt_dir("edited");
    write_mig(dir, "0001_a", NULL, "CREATE TABLE a (id BIGINT PRIMARY KEY);\n", "DROP TABLE a;\n");
    th_ok(sinew_migrate_up(db, dir));
    char f[1024];
    snprintf(f, sizeof f, "%s/0001_a/up.sql", dir);
    mt_insert_before(f, "CREATE", "-- an innocent edit\n");
    write_mig(dir, "0002_b", "0001_a", "CREATE TABLE b (id BIGINT PRIMARY KEY);\n", "DROP TABLE b;\n");
    th_assert_status(sinew_migrate_up(db, dir), SINEW_CONFLICT, "0001_a/up.sql was changed after it was applied");
    assert_int_equal(count(db, "SELECT COUNT(*) FROM sinew_migrations"), 1);
    sinew_migration_status *st;
    size_t n;
    th_ok(sinew_migrate_status(db, dir, &st, &n));
    assert_int_equal(n, 2);
    assert_true(st[0].applied && st[0].modified);
    assert_false(st[1].applied);
    sinew_migrate_status_free(st, n);
    th_close(db);
}

typedef struct runner_arg { const char *url, *dir; int rc; char msg[512]; } runner_arg;

static void *runner(void *p)
{
    runner_arg *a = p;
    sinew_db *db;
    a->rc = sinew_open(a->url, &db);
    if (!a->rc) {
        a->rc = sinew_migrate_up(db, a->dir);
        sinew_close(db);
    }
    snprintf(a->msg, sizeof a->msg, "%s", sinew_errmsg());
    return NULL;
}

static void test_two_runners(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    const char *dir = mt_dir("concurrent");
    char url[1024];
    if (th_is_postgres()) snprintf(url, sizeof url, "%s", th_last_url());
    else snprintf(url, sizeof url, "sqlite:%s/concurrent.db", th_tmpdir());
    const char *prev = NULL;
    char names[6][32];
    for (int i = 0; i < 6; i++) {
        char up[256], down[128];
        snprintf(names[i], sizeof names[i], "%04d_t%d", i + 1, i);
        snprintf(up, sizeof up, "CREATE TABLE t%d (id INTEGER PRIMARY KEY);\nINSERT INTO t%d (id) VALUES (1);\n", i, i);
        snprintf(down, sizeof down, "DROP TABLE t%d;\n", i);
        write_mig(dir, names[i], prev, up, down);
        prev = names[i];
    }
    runner_arg a[3];
    pthread_t t[3];
    for (int i = 0; i < 3; i++) {
        a[i].url = url;
        a[i].dir = dir;
        pthread_create(&t[i], NULL, runner, &a[i]);
    }
    for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < 3; i++) if (a[i].rc) fail_msg("runner %d: %s", i, a[i].msg);
    sinew_db *check;
    th_ok(sinew_open(url, &check));
    assert_int_equal(count(check, "SELECT COUNT(*) FROM sinew_migrations"), 6);
    for (int i = 0; i < 6; i++) {
        char q[64];
        snprintf(q, sizeof q, "SELECT COUNT(*) FROM t%d", i);
        assert_int_equal(count(check, q), 1);
    }
    sinew_close(check);
    th_close(db);
}

static void test_drift_precise(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    const char *ddl = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, age INTEGER DEFAULT 3);"
                      "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id) "
                      "ON DELETE CASCADE, title TEXT NOT NULL); CREATE INDEX posts_title_idx ON posts (title);";
    sinew_schema *g = mt_graph(ddl);
    const char *dir = mt_dir("drift");
    sinew_make_opts o = {SINEW_DIALECT_ALL, 0};
    th_ok(sn_mig_make_from(dir, NULL, g, "", "init", &o, NULL));
    th_ok(sinew_migrate_up(db, dir));
    char *report;
    size_t n = mt_drift(db, g, &report);
    if (n) fail_msg("false drift:\n%s", report);
    sinew_migrate_free(report);
    th_ok(sinew_exec(db, "ALTER TABLE users ADD COLUMN nickname TEXT"));
    th_ok(sinew_exec(db, "DROP INDEX posts_title_idx"));
    th_ok(sinew_exec(db, "CREATE TABLE stray (id INTEGER PRIMARY KEY)"));
    n = mt_drift(db, g, &report);
    assert_int_equal(n, 3);
    assert_non_null(strstr(report, "table users: column nickname is in the database but not in the schema\n"));
    assert_non_null(strstr(report, "table posts: index posts_title_idx (title) is missing from the database\n"));
    assert_non_null(strstr(report, "table stray: in the database but not in the schema\n"));
    sinew_migrate_free(report);
    sinew_schema_free(g);
    th_close(db);
}

static void test_branch_conflicts(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    const char *dir = mt_dir("branches");
    write_mig(dir, "0001_a", NULL, "CREATE TABLE a (id BIGINT PRIMARY KEY);\n", "DROP TABLE a;\n");
    write_mig(dir, "0002_b", "0001_a", "CREATE TABLE b (id BIGINT PRIMARY KEY);\n", "DROP TABLE b;\n");
    write_mig(dir, "0002_c", "0001_a", "CREATE TABLE c (id INTEGER PRIMARY KEY);\n", "DROP TABLE c;\n");
    th_assert_status(sinew_migrate_up(db, dir), SINEW_CONFLICT, "sinew migrate renumber");
    size_t moved;
    th_ok(sn_mig_renumber(dir, &moved));
    assert_int_equal(moved, 1);
    th_ok(sinew_migrate_up(db, dir));
    assert_int_equal(count(db, "SELECT COUNT(*) FROM sinew_migrations"), 3);
    mt_assert_rows(db, "SELECT name FROM sinew_migrations ORDER BY name", "0001_a\n0002_b\n0003_c\n");
    /* same parent, different numbers: also a conflict */
    write_mig(dir, "0004_d", "0003_c", "CREATE TABLE d (id INTEGER PRIMARY KEY);\n", "DROP TABLE d;\n");
    write_mig(dir, "0005_e", "0003_c", "CREATE TABLE e (id INTEGER PRIMARY KEY);\n", "DROP TABLE e;\n");
    th_assert_status(sinew_migrate_up(db, dir), SINEW_CONFLICT, "both made on top of 0003_c");
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failure_halfway),
        cmocka_unit_test(test_edited_applied),
        cmocka_unit_test(test_two_runners),
        cmocka_unit_test(test_drift_precise),
        cmocka_unit_test(test_branch_conflicts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
