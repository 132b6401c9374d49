/*
 * Threads opening one new SQLite file at the same moment all get a working
 * connection: the switch to WAL mode takes an exclusive lock, and SQLite
 * reports SQLITE_BUSY there without calling the busy handler, so sinew
 * retries it (1 open in 30 failed before).
 */
#include "harness.h"
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

enum { ROUNDS = 60, THREADS = 3 };

typedef struct opener {
    const char *url;
    int rc;
    char msg[256];
} opener;

static void *open_and_write(void *arg)
{
    opener *o = arg;
    sinew_db *db;
    o->rc = sinew_open(o->url, &db);
    if (o->rc == SINEW_OK) {
        o->rc = sinew_begin(db);
        if (!o->rc) o->rc = sinew_exec(db, "CREATE TABLE IF NOT EXISTS seen (x INTEGER)");
        if (!o->rc) o->rc = sinew_exec(db, "INSERT INTO seen VALUES (1)");
        if (!o->rc) o->rc = sinew_commit(db);
        else sinew_rollback(db);
        sinew_close(db);
    }
    snprintf(o->msg, sizeof o->msg, "%s", o->rc ? sinew_errmsg() : "");
    return NULL;
}

static void threads_open_one_new_file(void **state)
{
    (void)state;
    for (int r = 0; r < ROUNDS; r++) {
        char path[512], url[600], aux[600];
        snprintf(path, sizeof path, "%s/open%d.db", th_tmpdir(), r);
        snprintf(url, sizeof url, "sqlite:%s", path);
        opener o[THREADS];
        pthread_t t[THREADS];
        for (int i = 0; i < THREADS; i++) {
            o[i].url = url;
            pthread_create(&t[i], NULL, open_and_write, &o[i]);
        }
        for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
        for (int i = 0; i < THREADS; i++)
            if (o[i].rc) fail_msg("round %d, thread %d: %s", r, i, o[i].msg);
        sinew_db *db;
        th_ok(sinew_open(url, &db));
        sinew_session *s;
        th_ok(sinew_session_new(db, &s));
        sinew_rows *rows;
        th_ok(sinew_raw_rows(s, "SELECT COUNT(*) FROM seen", NULL, 0, &rows));
        assert_int_equal(sinew_rows_next(rows), SINEW_ROW);
        assert_int_equal(sinew_rows_value(rows, 0).u.i, THREADS);   /* every thread wrote */
        sinew_rows_free(rows);
        sinew_session_free(s);
        sinew_close(db);
        unlink(path);
        snprintf(aux, sizeof aux, "%s-wal", path);
        unlink(aux);
        snprintf(aux, sizeof aux, "%s-shm", path);
        unlink(aux);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threads_open_one_new_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
