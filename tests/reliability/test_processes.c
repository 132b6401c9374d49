/*
 * Processes sharing one database, on every backend (a WAL file on SQLite, a
 * database of its own on the PostgreSQL server):
 * (1) crash safety - a child flushing batches is killed with SIGKILL at
 * random moments; every reopen finds each batch all there or not there at
 * all (and, on SQLite, the file intact);
 * (2) concurrency - several processes increment one counter through the
 * retrying transaction helper; busy and serialization failures are retried,
 * no write is lost;
 * (3) a migration runner killed halfway leaves each migration recorded
 * exactly when all its work is there, and the next run finishes the job.
 * Children only ever _exit(), so they never touch the parent's connections.
 */
#include "harness.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct Entry {
    int64_t id;
    int64_t batch;
    char *payload;
} Entry;
static const sinew_field entry_fields[] = {
    SINEW_FIELD(Entry, id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_AUTO),
    SINEW_FIELD(Entry, batch, SINEW_INT64, SINEW_FIELD_INDEX),
    SINEW_FIELD(Entry, payload, SINEW_TEXT, 0),
};
static const unsigned entry_pk[] = {0};
static const sinew_model entry_model = SINEW_MODEL(Entry, "Entry", "entries", "entry", entry_fields, entry_pk);

enum { BATCH = 50 };

/*
 * A database every process can open by URL: a file for SQLite, a fresh database on the server for
 * PostgreSQL (th_open's, dropped by target_drop; WITH (FORCE) also ends the backends of killed
 * children that the server has not noticed yet).
 */
typedef struct target {
    sinew_db *owner;   /* a server backend: th_open()'s handle; else NULL */
    char url[700];
} target;

/* one at a time, static so that the teardown can drop it when an assertion ends a test early */
static target the_target;

static target *target_make(const char *sqlite_file, const char *sqlite_params)
{
    target *t = &the_target;
    assert_null(t->owner);
    memset(t, 0, sizeof *t);
    if (th_is_server()) {
        t->owner = th_open();
        snprintf(t->url, sizeof t->url, "%s", th_last_url());
    } else {
        snprintf(t->url, sizeof t->url, "sqlite:%s/%s%s", th_tmpdir(), sqlite_file, sqlite_params);
    }
    return t;
}

static void target_drop(target *t)
{
    if (t->owner) th_close(t->owner);
    t->owner = NULL;
}

static int drop_current(void **state)
{
    (void)state;
    target_drop(&the_target);
    return 0;
}

static void child_writer(const char *url, int64_t first_batch)
{
    sinew_db *db;
    if (sinew_open(url, &db)) _exit(3);
    char payload[200];
    memset(payload, 'p', sizeof payload - 1);
    payload[sizeof payload - 1] = '\0';
    for (int64_t b = first_batch;; b++) {
        sinew_session *s;
        if (sinew_session_new(db, &s)) _exit(4);
        for (int i = 0; i < BATCH; i++) {
            Entry *e;
            if (sinew_new(s, &entry_model, (void **)&e)) _exit(5);
            e->batch = b;
            e->payload = payload;
        }
        int rc = sinew_session_flush(s);
        sinew_session_free(s);
        if (rc && rc != SINEW_BUSY) _exit(6);
    }
}

static int64_t rows_now(const char *url)
{
    sinew_db *db;
    th_ok(sinew_open(url, &db));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    int64_t n = 0;
    int rc = sinew_count(s, &entry_model, &n);
    sinew_session_free(s);
    sinew_close(db);
    return rc == SINEW_OK ? n : -1;
}

static void killed_writers_leave_whole_batches(void **state)
{
    (void)state;
    target *t = target_make("crash.db", "");
    const char *url = t->url;
    sinew_db *db;
    th_ok(sinew_open(url, &db));
    th_ok(sinew_create_table(db, &entry_model));
    sinew_close(db);
    srand(12345);
    int crashes = 0;
    for (int round = 0; round < 12; round++) {
        int64_t before = rows_now(url);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) child_writer(url, (int64_t)(round + 1) * 1000000);
        /* once the writer has committed something (slow under valgrind), kill it at a random moment */
        for (int waited = 0; rows_now(url) == before && waited < 4000; waited++) {
            struct timespec poll = {0, 5000000L};
            nanosleep(&poll, NULL);
        }
        struct timespec ts = {0, (long)(rand() % 30) * 1000000L};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int st;
        waitpid(pid, &st, 0);
        assert_true(WIFSIGNALED(st));
        crashes++;
        /* reopen: intact, and every batch complete or absent */
        th_ok(sinew_open(url, &db));
        sinew_session *s;
        th_ok(sinew_session_new(db, &s));
        sinew_rows *r;
        if (!th_is_server()) {   /* the file is the client's to keep intact; a server keeps its own */
            th_ok(sinew_raw_rows(s, "PRAGMA integrity_check", NULL, 0, &r));
            assert_int_equal(sinew_rows_next(r), SINEW_ROW);
            sinew_value v = sinew_rows_value(r, 0);
            assert_memory_equal(v.u.s.ptr, "ok", 2);
            sinew_rows_free(r);
        }
        th_ok(sinew_raw_rows(s, "SELECT batch, COUNT(*) FROM entries GROUP BY batch HAVING COUNT(*) <> 50", NULL, 0, &r));
        if (sinew_rows_next(r) == SINEW_ROW)
            fail_msg("round %d: batch %lld has %lld rows, not 0 or %d", round, (long long)sinew_rows_value(r, 0).u.i,
                     (long long)sinew_rows_value(r, 1).u.i, BATCH);
        sinew_rows_free(r);
        sinew_session_free(s);
        sinew_close(db);
    }
    th_ok(sinew_open(url, &db));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    int64_t rows;
    th_ok(sinew_count(s, &entry_model, &rows));
    assert_true(rows > 0);   /* the writers did get work done before they were killed */
    sinew_session_free(s);
    sinew_close(db);
    print_message("crash safety: %d writers killed mid-flush, %lld rows in whole batches survived\n", crashes,
                  (long long)rows);
    target_drop(t);
}

/* ---- a migration runner killed halfway ---- */

static void write_migration(const char *dir, int i)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%04d_t%d", dir, i, i);
    mkdir(path, 0777);
    char up[800], down[800];
    snprintf(up, sizeof up, "%s/up.sql", path);
    snprintf(down, sizeof down, "%s/down.sql", path);
    FILE *f = fopen(up, "w");
    fprintf(f, "CREATE TABLE t%d (id INTEGER PRIMARY KEY, v TEXT);\n"   /* INSERT ... WITH: every backend's form */
               "INSERT INTO t%d (id, v) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000) "
               "SELECT x, 'row ' || x FROM c;\n", i, i);
    fclose(f);
    f = fopen(down, "w");
    fprintf(f, "DROP TABLE t%d;\n", i);
    fclose(f);
    /* MariaDB spells the row generator its own way */
    snprintf(up, sizeof up, "%s/up.mariadb.sql", path);
    f = fopen(up, "w");
    fprintf(f, "CREATE TABLE t%d (id INTEGER PRIMARY KEY, v TEXT);\n"
               "INSERT INTO t%d (id, v) WITH RECURSIVE c(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM c WHERE x < 199) "
               "SELECT a.x * 100 + b.x + 1, CONCAT('row ', a.x * 100 + b.x + 1) FROM c a JOIN c b ON b.x < 100;\n", i, i);
    fclose(f);
}

static int64_t scalar_or(sinew_db *db, const char *sql, int64_t dflt)
{
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    sinew_rows *r;
    int64_t v = dflt;
    if (sinew_raw_rows(s, sql, NULL, 0, &r) == SINEW_OK) {
        if (sinew_rows_next(r) == SINEW_ROW) v = sinew_rows_value(r, 0).u.i;
        sinew_rows_free(r);
    }
    sinew_session_free(s);
    return v;
}

static void killed_migrations_are_all_or_nothing_and_resume(void **state)
{
    (void)state;
    enum { MIGS = 8 };
    int kills = 0, resumed = 0;
    for (int round = 0; round < (th_is_mariadb() ? 10 : 6); round++) {
        char dir[600], file[64];
        snprintf(dir, sizeof dir, "%s/migs%d", th_tmpdir(), round);
        mkdir(dir, 0777);
        for (int i = 1; i <= MIGS; i++) write_migration(dir, i);
        snprintf(file, sizeof file, "migrate%d.db", round);
        target *t = target_make(file, "");
        const char *url = t->url;
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            sinew_db *db;
            if (sinew_open(url, &db)) _exit(3);
            sinew_migrate_up(db, dir);
            _exit(0);
        }
        /* MariaDB's migrations take longer (each DDL statement commits, the runner reads the schema's
           fingerprint around it): the kills are spread over a longer run */
        long ms = th_is_mariadb() ? 5 + rand() % (40 + 90 * round) : 2 + rand() % (10 + 15 * round);
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int st;
        waitpid(pid, &st, 0);
        kills += WIFSIGNALED(st);
        sinew_db *db;
        th_ok(sinew_open(url, &db));
        /* every migration is recorded exactly when all of its work is there; where DDL commits at
           once (MariaDB), one that is not recorded may be part done: its table made, its rows all
           there or none (each statement is a step of its own), and the progress row says so */
        int stepwise = th_is_mariadb(), partial = 0;
        for (int i = 1; i <= MIGS; i++) {
            char q[200];
            snprintf(q, sizeof q, "SELECT COUNT(*) FROM sinew_migrations WHERE name = '%04d_t%d'", i, i);
            int64_t recorded = scalar_or(db, q, 0);
            snprintf(q, sizeof q, "SELECT COUNT(*) FROM t%d", i);
            int64_t rows = scalar_or(db, q, -1);
            if (!recorded && rows >= 0) partial++;
            int ok = recorded ? rows == 20000 : stepwise ? rows == -1 || rows == 0 || rows == 20000 : rows == -1;
            if (!ok)
                fail_msg("round %d: migration %d recorded=%lld but table t%d has %lld rows", round, i,
                         (long long)recorded, i, (long long)rows);
        }
        /* and a second run finishes the job, running no statement twice (a second CREATE TABLE or
           INSERT of the same keys would fail it) */
        th_ok(sinew_migrate_up(db, dir));
        assert_int_equal(scalar_or(db, "SELECT COUNT(*) FROM sinew_migrations", 0), MIGS);
        for (int i = 1; i <= MIGS; i++) {
            char q[200];
            snprintf(q, sizeof q, "SELECT COUNT(*) FROM t%d", i);
            assert_int_equal(scalar_or(db, q, -1), 20000);
        }
        if (stepwise) assert_int_equal(scalar_or(db, "SELECT COUNT(*) FROM sinew_migrations_progress", -1), 0);
        resumed += partial;
        sinew_close(db);
        target_drop(t);
    }
    print_message("migration crash safety: %d runners killed, each database consistent and resumed (%d killed "
                  "part way through a migration)\n", kills, resumed);
}

typedef struct Counter {
    int64_t id;
    int64_t value;
} Counter;
static const sinew_field counter_fields[] = {
    SINEW_FIELD(Counter, id, SINEW_INT64, SINEW_FIELD_PK),
    SINEW_FIELD(Counter, value, SINEW_INT64, 0),
};
static const unsigned counter_pk[] = {0};
static const sinew_model counter_model = SINEW_MODEL(Counter, "Counter", "counters", "counter", counter_fields, counter_pk);

static int increment(sinew_db *db, void *ctx)
{
    (void)ctx;
    /*
     * A read-modify-write. SQLite runs one writer at a time, so it is safe there as it is; under
     * READ COMMITTED (PostgreSQL's default, and sinew's on MariaDB) two processes would read the
     * same value and one increment would be lost without an error. The URL's isolation=serializable
     * turns that into a serialization failure (PostgreSQL's 40001) or a deadlock (MariaDB's 1213:
     * the read takes a shared lock), SINEW_RETRY both, which sinew_transaction runs again.
     */
    sinew_session *s;
    int rc = sinew_session_new(db, &s);
    if (rc) return rc;
    Counter *c;
    sinew_value key = sinew_v_int64(1);
    if ((rc = sinew_get(s, &counter_model, &key, 1, (void **)&c)) == SINEW_OK) {
        c->value++;
        rc = sinew_save(s, &counter_model, c);
    }
    sinew_session_free(s);
    return rc;
}

static void processes_share_a_wal_file_without_lost_writes(void **state)
{
    (void)state;
    enum { PROCS = 4, EACH = 150 };
    target *t = target_make("shared.db", "?busy_timeout=20");
    /* every transaction of every process at SERIALIZABLE, asked for in the URL on every backend */
    char url[sizeof t->url + 32];
    snprintf(url, sizeof url, "%s%cisolation=serializable", t->url, strchr(t->url, '?') ? '&' : '?');
    sinew_db *db;
    th_ok(sinew_open(url, &db));
    th_ok(sinew_create_table(db, &counter_model));
    th_ok(sinew_exec(db, "INSERT INTO counters VALUES (1, 0)"));
    sinew_close(db);
    pid_t pids[PROCS];
    for (int p = 0; p < PROCS; p++) {
        pids[p] = fork();
        assert_true(pids[p] >= 0);
        if (pids[p] == 0) {
            sinew_db *mine;
            if (sinew_open(url, &mine)) _exit(3);
            sinew_retry_policy pol = {200, 1, 20};
            for (int i = 0; i < EACH; i++)
                if (sinew_transaction(mine, increment, NULL, &pol)) {
                    fprintf(stderr, "child %d: %s\n", p, sinew_errmsg());
                    _exit(4);
                }
            sinew_close(mine);
            _exit(0);
        }
    }
    for (int p = 0; p < PROCS; p++) {
        int st;
        waitpid(pids[p], &st, 0);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
    }
    th_ok(sinew_open(url, &db));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Counter *c;
    sinew_value key = sinew_v_int64(1);
    th_ok(sinew_get(s, &counter_model, &key, 1, (void **)&c));
    assert_int_equal(c->value, PROCS * EACH);
    print_message("concurrency: %d processes x %d increments, counter %lld\n", PROCS, EACH, (long long)c->value);
    sinew_session_free(s);
    sinew_close(db);
    target_drop(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(killed_writers_leave_whole_batches, drop_current),
        cmocka_unit_test_teardown(processes_share_a_wal_file_without_lost_writes, drop_current),
        cmocka_unit_test_teardown(killed_migrations_are_all_or_nothing_and_resume, drop_current),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
