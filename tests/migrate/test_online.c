/*
 * test_online.c - online migrations (docs/migrations.md, "Online migrations"):
 * a statement marked `-- sinew: no-transaction` runs alone outside any
 * transaction on PostgreSQL, its progress recorded, so a run killed mid-way
 * (SIGKILL of the runner while CREATE INDEX CONCURRENTLY waits) or a build
 * that fails (leaving an INVALID index) is finished by the next run without
 * running any statement twice; per-migration lock_timeout / statement_timeout
 * with retries after a lock timeout; `migrate make` writing CONCURRENTLY.
 * SQLite refuses the marker (it runs a migration as one transaction, saying
 * so); MariaDB runs every DDL statement alone already and the marker changes
 * nothing there.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "support.h"

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

static long long count(sinew_db *db, const char *sql)
{
    char *r = mt_rows(db, sql);
    long long n = atoll(r);
    free(r);
    return n;
}

static const char *base_up = "CREATE TABLE t (id BIGINT PRIMARY KEY, v VARCHAR(40));\n"
                             "CREATE TABLE log (n INTEGER);\n"
                             "INSERT INTO t (id, v) VALUES (1, 'a'), (2, 'b'), (3, 'b');\n";

/* 'valid', 'invalid' or 'none': the state of index `name` on PostgreSQL */
static char *pg_index_state(sinew_db *db, const char *name)
{
    char q[400];
    snprintf(q, sizeof q, "SELECT COALESCE((SELECT CASE WHEN i.indisvalid THEN 'valid' ELSE 'invalid' END FROM pg_index i "
             "JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = '%s' AND c.relnamespace = "
             "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())), 'none')", name);
    return mt_rows(db, q);
}

/* The marker on each backend: run alone (PostgreSQL), nothing different (MariaDB), refused (SQLite). */
static void marker_per_backend(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    const char *dir = mt_dir("marker");
    write_mig(dir, "0001_t", NULL, base_up, "DROP TABLE log;\nDROP TABLE t;\n");
    const int pg = th_is_postgres();
    write_mig(dir, "0002_idx", "0001_t",
              pg ? "INSERT INTO log (n) VALUES (1);\n-- sinew: no-transaction\n"
                   "CREATE INDEX CONCURRENTLY t_v_idx ON t (v);\nINSERT INTO log (n) VALUES (2);\n"
                 : "INSERT INTO log (n) VALUES (1);\n-- sinew: no-transaction\n"
                   "CREATE INDEX t_v_idx ON t (v);\nINSERT INTO log (n) VALUES (2);\n",
              pg ? "-- sinew: no-transaction\nDROP INDEX CONCURRENTLY t_v_idx;\n" :
              th_is_mariadb() ? "DROP INDEX t_v_idx ON t;\n" : "DROP INDEX t_v_idx;\n");
    int rc = sinew_migrate_up(db, dir);
    if (!strcmp(th_backend(), "sqlite")) {
        assert_int_equal(rc, SINEW_UNSUPPORTED);
        const char *m = sinew_errmsg();
        if (!strstr(m, "0002_idx/up.sql has 1 `-- sinew: no-transaction` step") || !strstr(m, "nothing was run"))
            fail_msg("%s", m);
        assert_int_equal(count(db, "SELECT COUNT(*) FROM sinew_migrations"), 1);
        assert_int_equal(count(db, "SELECT COUNT(*) FROM log"), 0);
        assert_int_equal(count(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 't_v_idx'"), 0);
        th_close(db);
        return;
    }
    th_ok(rc);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM sinew_migrations"), 2);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM log"), 2);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM sinew_migrations_progress"), 0);
    if (pg) {
        char *s = pg_index_state(db, "t_v_idx");
        assert_string_equal(s, "valid\n");
        free(s);
    }
    th_ok(sinew_migrate_down(db, dir, 1));
    assert_int_equal(count(db, "SELECT COUNT(*) FROM sinew_migrations"), 1);
    if (pg) {
        char *s = pg_index_state(db, "t_v_idx");
        assert_string_equal(s, "none\n");
        free(s);
    }
    th_close(db);
}

/* Lines that look like directives and are not: refused with file:line:col, on every backend. */
static void bad_directives(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    static const struct { const char *up, *want; } cases[] = {
        {"-- sinew: no_transaction\nCREATE TABLE x (id INTEGER);\n", "up.sql:2:11: error: unknown `-- sinew: no_transaction`"},
        {"-- sinew: lock_timeout 5 s\nCREATE TABLE x (id INTEGER);\n", "up.sql:2:11: error: `-- sinew: lock_timeout 5 s`"},
        {"-- sinew: lock_retries lots\nCREATE TABLE x (id INTEGER);\n", "up.sql:2:11: error: `-- sinew: lock_retries N`"},
        {"CREATE TABLE x (id INTEGER);\n-- sinew: no-transaction\n", "up.sql:3:11: error: `-- sinew: no-transaction` marks no statement"},
        {"-- sinew: no-transaction\nSELECT 1;\nCREATE TABLE x (id INTEGER);\n-- sinew: no-transaction\nSELECT 2 +\n"
         "-- sinew: no-transaction\n1;\n", "up.sql:7:11: error: `-- sinew: no-transaction` marks no statement"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "bad%zu", i);
        const char *dir = mt_dir(name);
        write_mig(dir, "0001_x", NULL, cases[i].up, "DROP TABLE x;\n");
        assert_int_equal(sinew_migrate_up(db, dir), SINEW_INVALID);
        if (!strstr(sinew_errmsg(), cases[i].want)) fail_msg("case %zu: %s", i, sinew_errmsg());
        assert_int_not_equal(sinew_exec(db, "SELECT COUNT(*) FROM x"), SINEW_OK);
    }
    th_close(db);
}

/*
 * A CREATE UNIQUE INDEX CONCURRENTLY that fails (duplicates) leaves an INVALID index; the statements
 * before it stay applied and recorded. Once the data is fixed, the next run drops that index, builds
 * it, runs what follows, and runs nothing twice.
 */
static void failed_build_is_rebuilt(void **state)
{
    (void)state;
    if (!th_is_postgres()) { print_message("PostgreSQL only: CREATE INDEX CONCURRENTLY (marker_per_backend covers the others)\n"); return; }
    sinew_db *db = th_open();
    const char *dir = mt_dir("failed");
    write_mig(dir, "0001_t", NULL, base_up, "DROP TABLE log;\nDROP TABLE t;\n");
    write_mig(dir, "0002_uniq", "0001_t",
              "INSERT INTO log (n) VALUES (1);\n-- sinew: no-transaction\n"
              "CREATE UNIQUE INDEX CONCURRENTLY t_v_key ON t (v);\nINSERT INTO log (n) VALUES (2);\n",
              "-- sinew: no-transaction\nDROP INDEX CONCURRENTLY t_v_key;\n");
    assert_int_equal(sinew_migrate_up(db, dir), SINEW_CONSTRAINT);
    const char *m = sinew_errmsg();
    if (!strstr(m, "migration 0002_uniq failed at") || !strstr(m, "statement 2") ||
        !strstr(m, "the 1 statement before it is applied and recorded"))
        fail_msg("%s", m);
    char *s = pg_index_state(db, "t_v_key");
    assert_string_equal(s, "invalid\n");
    free(s);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM log"), 1);
    assert_int_equal(count(db, "SELECT done FROM sinew_migrations_progress"), 1);
    th_ok(sinew_exec(db, "UPDATE t SET v = 'c' WHERE id = 3"));
    th_ok(sinew_migrate_up(db, dir));
    s = pg_index_state(db, "t_v_key");
    assert_string_equal(s, "valid\n");
    free(s);
    char *r = mt_rows(db, "SELECT n FROM log ORDER BY n");
    assert_string_equal(r, "1\n2\n");
    free(r);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM sinew_migrations_progress"), 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM sinew_migrations"), 2);
    th_close(db);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/*
 * The runner SIGKILLed while its CREATE INDEX CONCURRENTLY waits for a transaction that holds a lock
 * on the table (the index is in the catalog then, INVALID), its server session ended too: the next
 * run finds the step pending, drops the INVALID index, builds it, and goes on.
 */
static void killed_midway_is_resumed(void **state)
{
    (void)state;
    if (!th_is_postgres()) { print_message("PostgreSQL only: CREATE INDEX CONCURRENTLY (marker_per_backend covers the others)\n"); return; }
    sinew_db *db = th_open();
    char url[2048];
    snprintf(url, sizeof url, "%s", th_last_url());
    const char *dir = mt_dir("killed");
    write_mig(dir, "0001_t", NULL, base_up, "DROP TABLE log;\nDROP TABLE t;\n");
    th_ok(sinew_migrate_up(db, dir));
    write_mig(dir, "0002_idx", "0001_t",
              "INSERT INTO log (n) VALUES (1);\n-- sinew: no-transaction\n"
              "CREATE INDEX CONCURRENTLY t_v_idx ON t (v);\nINSERT INTO log (n) VALUES (2);\n",
              "-- sinew: no-transaction\nDROP INDEX CONCURRENTLY t_v_idx;\n");
    sinew_db *blocker;
    th_ok(sinew_open(url, &blocker));
    th_ok(sinew_begin(blocker));
    th_ok(sinew_exec(blocker, "INSERT INTO t (id, v) VALUES (10, 'z')"));
    fflush(NULL);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        sinew_db *c;
        if (sinew_open(url, &c)) _exit(3);
        sinew_migrate_up(c, dir);
        _exit(4);   /* not reached while the blocker holds its lock */
    }
    /* the build is waiting, its INVALID index in the catalog */
    int seen = 0;
    for (int i = 0; i < 400 && !seen; i++) {
        char *st = pg_index_state(db, "t_v_idx");
        seen = !strcmp(st, "invalid\n");
        free(st);
        if (!seen) sleep_ms(50);
    }
    assert_true(seen);
    char *pid = mt_rows(db, "SELECT pid FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX CONCURRENTLY t_v_idx%' "
                            "AND pid <> pg_backend_pid()");
    assert_true(atoi(pid) > 0);
    kill(child, SIGKILL);
    int status;
    waitpid(child, &status, 0);
    assert_true(WIFSIGNALED(status));
    char q[200];
    snprintf(q, sizeof q, "SELECT pg_terminate_backend(%d)", atoi(pid));
    free(mt_rows(db, q));
    th_ok(sinew_rollback(blocker));
    sinew_close(blocker);
    snprintf(q, sizeof q, "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = %d", atoi(pid));
    for (int i = 0; i < 200 && count(db, q); i++) sleep_ms(50);
    free(pid);
    /* what the killed run left: statement 1 done and recorded, statement 2 pending, the index INVALID */
    char *r = mt_rows(db, "SELECT done, CASE WHEN pending_fp IS NULL THEN 0 ELSE 1 END FROM sinew_migrations_progress WHERE name = '0002_idx'");
    assert_string_equal(r, "1|1\n");
    free(r);
    char *st = pg_index_state(db, "t_v_idx");
    assert_string_equal(st, "invalid\n");
    free(st);
    th_ok(sinew_migrate_up(db, dir));
    st = pg_index_state(db, "t_v_idx");
    assert_string_equal(st, "valid\n");
    free(st);
    r = mt_rows(db, "SELECT n FROM log ORDER BY n");
    assert_string_equal(r, "1\n2\n");
    free(r);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM sinew_migrations_progress"), 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM sinew_migrations"), 2);
    th_close(db);
}

typedef struct holder { const char *url; long hold_ms; volatile int locked; } holder;

/* holds a lock on t that ALTER TABLE waits for, hold_ms long */
static void *hold_lock(void *arg)
{
    holder *h = arg;
    sinew_db *b;
    if (sinew_open(h->url, &b)) { h->locked = -1; return NULL; }
    sinew_begin(b);
    sinew_exec(b, "INSERT INTO t (id, v) VALUES (20, 'y')");
    h->locked = 1;
    sleep_ms(h->hold_ms);
    sinew_rollback(b);
    sinew_close(b);
    return NULL;
}

/*
 * lock_timeout: a migration that waits longer for a lock gives up (SINEW_BUSY, nothing applied) and
 * runs again as lock_retries says: with the lock released between two tries it is applied. A
 * statement_timeout stops a long statement, and is not retried.
 */
static void timeouts_and_retries(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    const char *dir = mt_dir("timeouts");
    if (!th_is_postgres()) {
        /* the settings are PostgreSQL's: refused elsewhere, before anything runs */
        write_mig(dir, "0001_t", NULL, "-- sinew: lock_timeout 100ms\nCREATE TABLE t (id INTEGER);\n", "DROP TABLE t;\n");
        assert_int_equal(sinew_migrate_up(db, dir), SINEW_UNSUPPORTED);
        if (!strstr(sinew_errmsg(), "sets a lock_timeout, which the") || !strstr(sinew_errmsg(), "nothing was run"))
            fail_msg("%s", sinew_errmsg());
        assert_int_not_equal(sinew_exec(db, "SELECT COUNT(*) FROM t"), SINEW_OK);
        th_close(db);
        return;
    }
    char url[2048];
    snprintf(url, sizeof url, "%s", th_last_url());
    write_mig(dir, "0001_t", NULL, base_up, "DROP TABLE log;\nDROP TABLE t;\n");
    th_ok(sinew_migrate_up(db, dir));
    /* no retries: one try, a lock timeout */
    write_mig(dir, "0002_col", "0001_t",
              "-- sinew: lock_timeout 100ms\n-- sinew: lock_retries 0\nINSERT INTO log (n) VALUES (1);\n"
              "ALTER TABLE t ADD COLUMN z INTEGER;\n", "ALTER TABLE t DROP COLUMN z;\n");
    holder h = {url, 1500, 0};
    pthread_t th;
    pthread_create(&th, NULL, hold_lock, &h);
    while (!h.locked) sleep_ms(10);
    assert_int_equal(h.locked, 1);
    assert_int_equal(sinew_migrate_up(db, dir), SINEW_BUSY);
    assert_string_equal(sinew_last_error()->sqlstate, "55P03");
    assert_int_equal(count(db, "SELECT COUNT(*) FROM log"), 0);
    pthread_join(th, NULL);
    /* retries (1 + 200 + 400 + 800 ms of backoff): the lock is gone before the last one */
    char f[1200];
    snprintf(f, sizeof f, "%s/0002_col/up.sql", dir);
    char *t = mt_read(f);
    char *p = strstr(t, "lock_retries 0");
    p[13] = '4';
    mt_write(f, t);
    free(t);
    h.locked = 0;
    h.hold_ms = 700;
    pthread_create(&th, NULL, hold_lock, &h);
    while (!h.locked) sleep_ms(10);
    th_ok(sinew_migrate_up(db, dir));
    pthread_join(th, NULL);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM log"), 1);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM sinew_migrations"), 2);
    /* the same around a no-transaction step: CREATE INDEX CONCURRENTLY waits for the lock holder */
    write_mig(dir, "0003_idx", "0002_col",
              "-- sinew: lock_timeout 100ms\n-- sinew: lock_retries 4\n-- sinew: no-transaction\n"
              "CREATE INDEX CONCURRENTLY t_z_idx ON t (z);\n",
              "-- sinew: no-transaction\nDROP INDEX CONCURRENTLY t_z_idx;\n");
    h.locked = 0;
    h.hold_ms = 700;
    pthread_create(&th, NULL, hold_lock, &h);
    while (!h.locked) sleep_ms(10);
    th_ok(sinew_migrate_up(db, dir));
    pthread_join(th, NULL);
    char *s = pg_index_state(db, "t_z_idx");
    assert_string_equal(s, "valid\n");
    free(s);
    /* the session's own lock_timeout is as it was */
    char *lt = mt_rows(db, "SELECT current_setting('lock_timeout')");
    assert_string_equal(lt, "0\n");
    free(lt);
    /* statement_timeout: stopped, not retried */
    write_mig(dir, "0004_slow", "0003_idx", "-- sinew: statement_timeout 100ms\nSELECT pg_sleep(2);\n", "SELECT 1;\n");
    assert_int_equal(sinew_migrate_up(db, dir), SINEW_BUSY);
    assert_string_equal(sinew_last_error()->sqlstate, "57014");
    assert_int_equal(count(db, "SELECT COUNT(*) FROM sinew_migrations"), 3);
    th_close(db);
}

/* `migrate make` on PostgreSQL: an index on an existing table is built CONCURRENTLY, marked, and runs. */
static void make_writes_concurrently(void **state)
{
    (void)state;
    char dir[600], schema[600];
    snprintf(dir, sizeof dir, "%s/onlinemake_%s", th_tmpdir(), th_backend());
    snprintf(schema, sizeof schema, "%s/online_%s.sinew", th_tmpdir(), th_backend());
    mt_write(schema, "model Post {\n  id int64 @id @auto\n  title text\n}\n");
    sinew_make_opts opts = {0, 0};
    char *made = NULL;
    th_ok(sinew_migrate_make(dir, schema, "init", &opts, &made));
    sinew_migrate_free(made);
    mt_write(schema, "model Post {\n  id int64 @id @auto\n  title text\n  @@index([title])\n}\n");
    th_ok(sinew_migrate_make(dir, schema, "title_idx", &opts, &made));
    assert_non_null(made);
    char path[900];
    static const char *const dialects[] = {"postgres", "sqlite", "mariadb"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/up.%s.sql", made, dialects[i]);
        char *up = mt_read(path);
        const char *cic = strstr(up, "-- sinew: no-transaction\nCREATE INDEX CONCURRENTLY ");
        if (i == 0 ? !cic : cic != NULL || strstr(up, "no-transaction") != NULL) fail_msg("%s:\n%s", path, up);
        free(up);
        snprintf(path, sizeof path, "%s/down.%s.sql", made, dialects[i]);
        char *down = mt_read(path);
        const char *dic = strstr(down, "-- sinew: no-transaction\nDROP INDEX CONCURRENTLY ");
        if (i == 0 ? !dic : dic != NULL) fail_msg("%s:\n%s", path, down);
        free(down);
    }
    sinew_migrate_free(made);
    sinew_db *db = th_open();
    th_ok(sinew_migrate_up(db, dir));
    assert_int_equal(count(db, "SELECT COUNT(*) FROM sinew_migrations"), 2);
    th_ok(sinew_migrate_down(db, dir, 1));
    assert_int_equal(count(db, "SELECT COUNT(*) FROM sinew_migrations"), 1);
    th_ok(sinew_migrate_up(db, dir));
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(marker_per_backend),
        cmocka_unit_test(bad_directives),
        cmocka_unit_test(failed_build_is_rebuilt),
        cmocka_unit_test(killed_midway_is_resumed),
        cmocka_unit_test(timeouts_and_retries),
        cmocka_unit_test(make_writes_concurrently),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
