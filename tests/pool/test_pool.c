/*
 * The connection pool on every backend (an SQLite file, or a PostgreSQL
 * database): 8 threads x 1000 transactions through a pool of 4 with exact
 * final counts and no connection ever lent to two threads at once;
 * acquire blocking until a release; acquire timing out with SINEW_BUSY;
 * a connection released inside a transaction comes back rolled back;
 * close refusing while connections are out; health checks after errors;
 * on_connect; misuse.
 *
 * Worker threads never call cmocka (its asserts longjmp to the main
 * thread's test): they record the first failure and the main thread
 * asserts after joining them.
 */
#include "pool_support.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NTHREADS 8
#define NTX 1000
#define POOL_SIZE 4

static void create_tables(sinew_pool *pool)
{
    sinew_db *db;
    th_ok(sinew_pool_acquire(pool, &db));
    th_ok(sinew_exec(db, "CREATE TABLE counters (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)"));
    th_ok(sinew_exec(db, "INSERT INTO counters (id, n) VALUES (1, 0)"));
    th_ok(sinew_exec(db, "CREATE TABLE ticks (worker INTEGER NOT NULL, seq INTEGER NOT NULL, "
                         "PRIMARY KEY (worker, seq))"));
    th_ok(sinew_pool_release(pool, db));
}

/* ---- 8 threads x 1000 transactions through a pool of 4 ------------------------------ */

/* which thread holds each connection: a connection lent to two threads at once is a failure */
typedef struct lend_table {
    pthread_mutex_t mu;
    sinew_db *db[64];
    int holders[64];
    int n;
} lend_table;

typedef struct shared {
    sinew_pool *pool;
    lend_table lent;
    atomic_int holding;        /* connections held right now */
    atomic_int max_holding;
} shared;

typedef struct worker {
    shared *sh;
    int id;
    int seq;
    sinew_session *session;
    int64_t last_seen;         /* the counter as this thread last read it: must never go down */
    int attempts;              /* transaction tries in all */
    int failed;
    char error[700];
} worker;

static void worker_fail(worker *w, const char *what, int rc)
{
    if (w->failed++) return;
    snprintf(w->error, sizeof w->error, "thread %d, transaction %d: %s: %s: %s", w->id, w->seq, what,
             sinew_status_name(rc), sinew_errmsg());
}

static int lend(lend_table *t, sinew_db *db, int delta)
{
    pthread_mutex_lock(&t->mu);
    int i = 0;
    while (i < t->n && t->db[i] != db) i++;
    if (i == t->n && t->n < 64) t->db[t->n++] = db;
    int before = i < 64 ? t->holders[i] : -1;
    if (i < 64) t->holders[i] += delta;
    pthread_mutex_unlock(&t->mu);
    return before;
}

static int tick(sinew_db *db, void *ctx)
{
    worker *w = ctx;
    int rc = sinew_exec(db, "UPDATE counters SET n = n + 1 WHERE id = 1");
    if (rc) return rc;
    rc = pool_execf(db, "INSERT INTO ticks (worker, seq) VALUES (%d, %d)", w->id, w->seq);
    if (rc) return rc;
    if (w->seq % 100 == 99) {   /* read it back through the session: it only ever grows */
        sinew_rows *r;
        rc = sinew_raw_rows(w->session, "SELECT n FROM counters WHERE id = 1", NULL, 0, &r);
        if (rc) return rc;
        rc = sinew_rows_next(r);
        int64_t n = rc == SINEW_ROW ? sinew_rows_value(r, 0).u.i : -1;
        sinew_rows_free(r);
        if (rc != SINEW_ROW) return rc == SINEW_DONE ? SINEW_NOTFOUND : rc;
        if (n <= w->last_seen) return sinew_error_set(SINEW_INTERNAL, "counter went from %lld to %lld",
                                                      (long long)w->last_seen, (long long)n);
        w->last_seen = n;
    }
    return SINEW_OK;
}

static void *run_worker(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    /* SQLite: writers take turns; a busy database is retried with backoff */
    sinew_retry_policy policy = {200, 1, 20};
    for (w->seq = 0; w->seq < NTX && !w->failed; w->seq++) {
        sinew_db *db;
        int rc = sinew_pool_acquire(sh->pool, &db);
        if (rc) {
            worker_fail(w, "acquire", rc);
            break;
        }
        if (lend(&sh->lent, db, +1) != 0) worker_fail(w, "the pool lent a connection that another thread holds", 0);
        int now = atomic_fetch_add(&sh->holding, 1) + 1;
        int max = atomic_load(&sh->max_holding);
        while (now > max && !atomic_compare_exchange_weak(&sh->max_holding, &max, now)) {
        }
        rc = sinew_session_new(db, &w->session);
        if (rc == SINEW_OK) {
            int attempts = 0;
            rc = sinew_transaction_ex(db, tick, w, &policy, &attempts);
            w->attempts += attempts;
            if (rc) worker_fail(w, "transaction", rc);
            sinew_session_free(w->session);
            w->session = NULL;
        } else {
            worker_fail(w, "session", rc);
        }
        atomic_fetch_sub(&sh->holding, 1);
        lend(&sh->lent, db, -1);
        rc = sinew_pool_release(sh->pool, db);
        if (rc) worker_fail(w, "release", rc);
    }
    return NULL;
}

static void threads_share_a_smaller_pool(void **state)
{
    (void)state;
    pool_target t;
    pool_target_make(&t);
    sinew_pool_options opt = {0};
    opt.max_size = POOL_SIZE;
    opt.acquire_timeout_ms = 60000;
    sinew_pool *pool;
    th_ok(sinew_pool_open(t.url, &opt, &pool));
    create_tables(pool);

    shared sh;
    memset(&sh, 0, sizeof sh);
    sh.pool = pool;
    pthread_mutex_init(&sh.lent.mu, NULL);
    atomic_init(&sh.holding, 0);
    atomic_init(&sh.max_holding, 0);
    static worker w[NTHREADS];
    pthread_t th[NTHREADS];
    double t0 = pool_now_ms();
    for (int i = 0; i < NTHREADS; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].sh = &sh;
        w[i].id = i;
        assert_int_equal(pthread_create(&th[i], NULL, run_worker, &w[i]), 0);
    }
    int attempts = 0;
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(th[i], NULL);
        if (w[i].failed) print_error("%s\n", w[i].error);
        attempts += w[i].attempts;
    }
    double ms = pool_now_ms() - t0;
    for (int i = 0; i < NTHREADS; i++) assert_int_equal(w[i].failed, 0);

    sinew_pool_stats st = sinew_pool_get_stats(pool);
    print_message("%s: %d transactions by %d threads through %d connections in %.0f ms: %d tries, "
                  "%llu acquires, %llu waited, %d connections held at most, %d distinct, %llu health checks\n",
                  th_backend(), NTHREADS * NTX, NTHREADS, POOL_SIZE, ms, attempts,
                  (unsigned long long)st.acquires, (unsigned long long)st.waits, atomic_load(&sh.max_holding),
                  sh.lent.n, (unsigned long long)st.checks);
    /* the pool never lent more than its size, and some threads had to wait for a connection */
    assert_true(atomic_load(&sh.max_holding) <= POOL_SIZE);
    assert_true(sh.lent.n <= POOL_SIZE);
    assert_true(st.waits > 0);
    assert_int_equal(st.timeouts, 0);
    assert_int_equal(st.in_use, 0);
    assert_true(st.open >= 1 && st.open <= POOL_SIZE);
    assert_int_equal(st.acquires, 1 + NTHREADS * NTX);
    assert_int_equal(st.rollbacks, 0);
    assert_int_equal(st.broken, 0);
    assert_true(attempts >= NTHREADS * NTX);

    /* every transaction committed exactly once */
    sinew_db *db;
    th_ok(sinew_pool_acquire(pool, &db));
    assert_int_equal(pool_scalar_ok(db, "SELECT n FROM counters WHERE id = 1"), NTHREADS * NTX);
    assert_int_equal(pool_scalar_ok(db, "SELECT COUNT(*) FROM ticks"), NTHREADS * NTX);
    assert_int_equal(pool_scalar_ok(db, "SELECT COUNT(DISTINCT worker) FROM ticks"), NTHREADS);
    assert_int_equal(pool_scalar_ok(db, "SELECT COUNT(*) FROM (SELECT worker FROM ticks GROUP BY worker "
                                        "HAVING COUNT(*) <> 1000 OR MIN(seq) <> 0 OR MAX(seq) <> 999) AS odd"), 0);
    th_ok(sinew_pool_release(pool, db));
    th_ok(sinew_pool_close(pool));
    pthread_mutex_destroy(&sh.lent.mu);
    pool_target_drop(&t);
}

/* ---- acquire blocks until a release, and times out ------------------------------------ */

typedef struct waiter {
    sinew_pool *pool;
    sinew_db *got;
    int rc;
    double waited_ms;
} waiter;

static void *wait_for_connection(void *arg)
{
    waiter *wt = arg;
    double t0 = pool_now_ms();
    wt->rc = sinew_pool_acquire(wt->pool, &wt->got);
    wt->waited_ms = pool_now_ms() - t0;
    return NULL;
}

static void acquire_waits_for_a_release(void **state)
{
    (void)state;
    pool_target t;
    pool_target_make(&t);
    sinew_pool_options opt = {0};
    opt.max_size = 1;
    opt.acquire_timeout_ms = 20000;
    sinew_pool *pool;
    th_ok(sinew_pool_open(t.url, &opt, &pool));
    sinew_db *mine;
    th_ok(sinew_pool_acquire(pool, &mine));
    waiter wt = {pool, NULL, -1, 0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, wait_for_connection, &wt), 0);
    /* the other thread blocks: wait until the pool counts it as waiting */
    for (int i = 0; i < 1000 && sinew_pool_get_stats(pool).waits == 0; i++) pool_sleep_ms(5);
    assert_int_equal(sinew_pool_get_stats(pool).waits, 1);
    pool_sleep_ms(100);
    th_ok(sinew_pool_release(pool, mine));
    pthread_join(th, NULL);
    th_ok(wt.rc);
    assert_ptr_equal(wt.got, mine);          /* the one connection, handed over */
    assert_true(wt.waited_ms >= 90);
    sinew_pool_stats st = sinew_pool_get_stats(pool);
    assert_int_equal(st.acquires, 2);
    assert_int_equal(st.waits, 1);
    assert_int_equal(st.timeouts, 0);
    assert_int_equal(st.in_use, 1);
    assert_int_equal(st.open, 1);
    th_ok(sinew_pool_release(pool, wt.got));
    th_ok(sinew_pool_close(pool));
    pool_target_drop(&t);
}

static void acquire_times_out_with_busy(void **state)
{
    (void)state;
    pool_target t;
    pool_target_make(&t);
    sinew_pool_options opt = {0};
    opt.max_size = 2;
    opt.acquire_timeout_ms = 150;
    sinew_pool *pool;
    th_ok(sinew_pool_open(t.url, &opt, &pool));
    sinew_db *a, *b, *c = (sinew_db *)&c;
    th_ok(sinew_pool_acquire(pool, &a));
    th_ok(sinew_pool_acquire(pool, &b));
    assert_ptr_not_equal(a, b);
    /* the pool's own timeout */
    double t0 = pool_now_ms();
    th_assert_status(sinew_pool_acquire(pool, &c), SINEW_BUSY, "no connection free after 150 ms");
    double waited = pool_now_ms() - t0;
    assert_null(c);
    assert_true(waited >= 140 && waited < 5000);
    assert_non_null(strstr(sinew_errmsg(), "all 2 of the pool are in use"));
    /* a call's own timeout; 0 does not wait at all */
    t0 = pool_now_ms();
    th_assert_status(sinew_pool_acquire_timeout(pool, 300, &c), SINEW_BUSY, "no connection free after 300 ms");
    assert_true(pool_now_ms() - t0 >= 290);
    t0 = pool_now_ms();
    th_assert_status(sinew_pool_acquire_timeout(pool, 0, &c), SINEW_BUSY, "no connection free after 0 ms");
    assert_true(pool_now_ms() - t0 < 1000);   /* no wait at all (the margin is for loaded machines) */
    sinew_pool_stats st = sinew_pool_get_stats(pool);
    assert_int_equal(st.timeouts, 3);
    assert_int_equal(st.waits, 3);
    assert_int_equal(st.acquires, 2);
    assert_int_equal(st.in_use, 2);
    /* the connections still work, and once one is back acquire succeeds at once */
    assert_int_equal(pool_scalar_ok(b, "SELECT 41 + 1"), 42);
    th_ok(sinew_pool_release(pool, a));
    th_ok(sinew_pool_acquire_timeout(pool, 0, &c));
    assert_ptr_equal(c, a);
    th_ok(sinew_pool_release(pool, c));
    th_ok(sinew_pool_release(pool, b));
    th_ok(sinew_pool_close(pool));
    pool_target_drop(&t);
}

/* ---- a connection released inside a transaction is rolled back ----------------------- */

static void release_inside_transaction_rolls_back(void **state)
{
    (void)state;
    pool_target t;
    pool_target_make(&t);
    sinew_pool_options opt = {0};
    opt.max_size = 1;                 /* the same connection comes back every time */
    sinew_pool *pool;
    th_ok(sinew_pool_open(t.url, &opt, &pool));
    sinew_db *db;
    th_ok(sinew_pool_acquire(pool, &db));
    th_ok(sinew_exec(db, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"));
    th_ok(sinew_exec(db, "INSERT INTO notes (id, body) VALUES (1, 'kept')"));
    th_ok(sinew_pool_release(pool, db));

    /* a transaction with a savepoint inside, abandoned */
    th_ok(sinew_pool_acquire(pool, &db));
    th_ok(sinew_begin(db));
    th_ok(sinew_exec(db, "INSERT INTO notes (id, body) VALUES (2, 'lost')"));
    th_ok(sinew_begin(db));
    th_ok(sinew_exec(db, "INSERT INTO notes (id, body) VALUES (3, 'lost too')"));
    assert_int_equal(sinew_tx_depth(db), 2);
    th_ok(sinew_pool_release(pool, db));
    assert_int_equal(sinew_pool_get_stats(pool).rollbacks, 1);

    sinew_db *again;
    th_ok(sinew_pool_acquire(pool, &again));
    assert_ptr_equal(again, db);
    assert_int_equal(sinew_tx_depth(again), 0);
    assert_int_equal(pool_scalar_ok(again, "SELECT COUNT(*) FROM notes"), 1);
    /* and it is usable: a new transaction commits */
    th_ok(sinew_begin(again));
    th_ok(sinew_exec(again, "INSERT INTO notes (id, body) VALUES (4, 'committed')"));
    th_ok(sinew_commit(again));
    /* a transaction begun with raw SQL is rolled back too */
    th_ok(sinew_exec(again, "BEGIN"));
    th_ok(sinew_exec(again, "INSERT INTO notes (id, body) VALUES (5, 'raw, lost')"));
    th_ok(sinew_pool_release(pool, again));
    th_ok(sinew_pool_acquire(pool, &db));
    assert_int_equal(pool_scalar_ok(db, "SELECT COUNT(*) FROM notes"), 2);
    assert_int_equal(pool_scalar_ok(db, "SELECT COUNT(*) FROM notes WHERE id IN (1, 4)"), 2);
    /* a failed statement inside the transaction (PostgreSQL: the transaction is aborted) */
    th_ok(sinew_begin(db));
    th_assert_status(sinew_exec(db, "INSERT INTO notes (id, body) VALUES (1, 'duplicate')"), SINEW_CONSTRAINT, NULL);
    th_ok(sinew_pool_release(pool, db));
    th_ok(sinew_pool_acquire(pool, &db));
    assert_int_equal(pool_scalar_ok(db, "SELECT COUNT(*) FROM notes"), 2);
    th_ok(sinew_pool_release(pool, db));

    sinew_pool_stats st = sinew_pool_get_stats(pool);
    assert_int_equal(st.rollbacks, 3);
    assert_int_equal(st.broken, 0);
    assert_int_equal(st.open, 1);
    th_ok(sinew_pool_close(pool));
    pool_target_drop(&t);
}

/* ---- close refuses while connections are out, and is clean afterwards --------------- */

typedef struct holder {
    sinew_pool *pool;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int acquired, may_release;
    int rc_acquire, rc_release;
} holder;

static void *hold_a_connection(void *arg)
{
    holder *h = arg;
    sinew_db *db = NULL;
    h->rc_acquire = sinew_pool_acquire(h->pool, &db);
    pthread_mutex_lock(&h->mu);
    h->acquired = 1;
    pthread_cond_broadcast(&h->cv);
    while (!h->may_release) pthread_cond_wait(&h->cv, &h->mu);
    pthread_mutex_unlock(&h->mu);
    h->rc_release = db ? sinew_pool_release(h->pool, db) : -1;
    return NULL;
}

static void close_with_connections_out_refuses(void **state)
{
    (void)state;
    th_ok(sinew_pool_close(NULL));
    pool_target t;
    pool_target_make(&t);
    sinew_pool_options opt = {0};
    opt.max_size = 3;
    sinew_pool *pool;
    th_ok(sinew_pool_open(t.url, &opt, &pool));
    sinew_db *mine;
    th_ok(sinew_pool_acquire(pool, &mine));
    holder h;
    memset(&h, 0, sizeof h);
    h.pool = pool;
    pthread_mutex_init(&h.mu, NULL);
    pthread_cond_init(&h.cv, NULL);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, hold_a_connection, &h), 0);
    pthread_mutex_lock(&h.mu);
    while (!h.acquired) pthread_cond_wait(&h.cv, &h.mu);
    pthread_mutex_unlock(&h.mu);
    th_ok(h.rc_acquire);

    th_assert_status(sinew_pool_close(pool), SINEW_BUSY, "2 connections are still lent out");
    /* nothing changed: the pool still works */
    sinew_pool_stats st = sinew_pool_get_stats(pool);
    assert_int_equal(st.in_use, 2);
    assert_int_equal(pool_scalar_ok(mine, "SELECT 7"), 7);
    sinew_db *third;
    th_ok(sinew_pool_acquire(pool, &third));
    th_ok(sinew_pool_release(pool, third));
    th_ok(sinew_pool_release(pool, mine));
    th_assert_status(sinew_pool_close(pool), SINEW_BUSY, "1 connection is still lent out");

    pthread_mutex_lock(&h.mu);
    h.may_release = 1;
    pthread_cond_broadcast(&h.cv);
    pthread_mutex_unlock(&h.mu);
    pthread_join(th, NULL);
    th_ok(h.rc_release);
    st = sinew_pool_get_stats(pool);
    assert_int_equal(st.in_use, 0);
    assert_int_equal(st.idle, 3);
    th_ok(sinew_pool_close(pool));   /* every connection closed, nothing leaks (ASan) */
    pthread_cond_destroy(&h.cv);
    pthread_mutex_destroy(&h.mu);
    pool_target_drop(&t);
}

/* ---- health checks ---------------------------------------------------------------------- */

static void health_checks_after_errors_and_idle(void **state)
{
    (void)state;
    pool_target t;
    pool_target_make(&t);
    sinew_pool_options opt = {0};
    opt.max_size = 1;
    opt.idle_check_ms = 60000;        /* idle checks out of the way: only errors trigger one */
    sinew_pool *pool;
    th_ok(sinew_pool_open(t.url, &opt, &pool));
    sinew_db *db;
    th_ok(sinew_pool_acquire(pool, &db));
    th_ok(sinew_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY)"));
    th_ok(sinew_pool_release(pool, db));
    th_ok(sinew_pool_acquire(pool, &db));
    assert_int_equal(sinew_pool_get_stats(pool).checks, 0);
    /* a failed statement: the next hand-out checks the connection first */
    th_assert_status(sinew_exec(db, "SELECT * FROM no_such_table"), SINEW_ERROR, NULL);
    th_ok(sinew_pool_release(pool, db));
    th_ok(sinew_pool_acquire(pool, &db));
    assert_int_equal(sinew_pool_get_stats(pool).checks, 1);
    th_ok(sinew_pool_release(pool, db));
    th_ok(sinew_pool_acquire(pool, &db));
    assert_int_equal(sinew_pool_get_stats(pool).checks, 1);   /* clean use: no check */
    th_ok(sinew_pool_release(pool, db));
    th_ok(sinew_pool_close(pool));

    /* idle longer than idle_check_ms: checked */
    opt.idle_check_ms = 50;
    th_ok(sinew_pool_open(t.url, &opt, &pool));
    th_ok(sinew_pool_acquire(pool, &db));
    th_ok(sinew_pool_release(pool, db));
    uint64_t before = sinew_pool_get_stats(pool).checks;
    pool_sleep_ms(80);
    th_ok(sinew_pool_acquire(pool, &db));
    assert_int_equal(sinew_pool_get_stats(pool).checks, before + 1);
    th_ok(sinew_pool_release(pool, db));
    th_ok(sinew_pool_close(pool));

    /* always / never */
    opt.idle_check_ms = 0;
    opt.check = SINEW_POOL_CHECK_ALWAYS;
    th_ok(sinew_pool_open(t.url, &opt, &pool));
    for (int i = 0; i < 3; i++) {
        th_ok(sinew_pool_acquire(pool, &db));
        th_ok(sinew_pool_release(pool, db));
    }
    assert_int_equal(sinew_pool_get_stats(pool).checks, 3);
    th_ok(sinew_pool_close(pool));
    opt.check = SINEW_POOL_CHECK_NEVER;
    th_ok(sinew_pool_open(t.url, &opt, &pool));
    for (int i = 0; i < 3; i++) {
        th_ok(sinew_pool_acquire(pool, &db));
        sinew_exec(db, "SELECT * FROM no_such_table");
        th_ok(sinew_pool_release(pool, db));
    }
    sinew_pool_stats st = sinew_pool_get_stats(pool);
    assert_int_equal(st.checks, 0);
    assert_int_equal(st.broken, 0);   /* an SQL error does not make a connection broken */
    th_ok(sinew_pool_close(pool));
    pool_target_drop(&t);
}

/* ---- on_connect ------------------------------------------------------------------------ */

typedef struct connect_count {
    atomic_int calls;
    int fail_after;
} connect_count;

static int on_connect(sinew_db *db, void *ctx)
{
    connect_count *cc = ctx;
    int n = atomic_fetch_add(&cc->calls, 1) + 1;
    if (cc->fail_after && n > cc->fail_after)
        return sinew_error_set(SINEW_INVALID, "on_connect refused connection %d", n);
    return sinew_exec(db, "CREATE TABLE IF NOT EXISTS seen (n INTEGER)");
}

static void on_connect_runs_once_per_connection(void **state)
{
    (void)state;
    pool_target t;
    pool_target_make(&t);
    connect_count cc;
    atomic_init(&cc.calls, 0);
    cc.fail_after = 2;
    sinew_pool_options opt = {0};
    opt.max_size = 3;
    opt.on_connect = on_connect;
    opt.on_connect_ctx = &cc;
    sinew_pool *pool;
    th_ok(sinew_pool_open(t.url, &opt, &pool));
    assert_int_equal(atomic_load(&cc.calls), 1);
    sinew_db *a, *b, *c = NULL;
    th_ok(sinew_pool_acquire(pool, &a));
    assert_int_equal(atomic_load(&cc.calls), 1);   /* the connection opened by sinew_pool_open */
    th_ok(sinew_pool_acquire(pool, &b));
    assert_int_equal(atomic_load(&cc.calls), 2);
    assert_int_equal(pool_scalar_ok(b, "SELECT COUNT(*) FROM seen"), 0);
    /* the third connection's on_connect fails: so does the acquire, and the slot stays free */
    th_assert_status(sinew_pool_acquire(pool, &c), SINEW_INVALID, "on_connect refused connection 3");
    assert_null(c);
    sinew_pool_stats st = sinew_pool_get_stats(pool);
    assert_int_equal(st.open, 2);
    assert_int_equal(st.in_use, 2);
    th_ok(sinew_pool_release(pool, a));
    th_ok(sinew_pool_release(pool, b));
    th_ok(sinew_pool_close(pool));
    /* a failing on_connect fails sinew_pool_open, leaking nothing */
    cc.fail_after = 3;
    sinew_pool *none = (sinew_pool *)&none;
    th_assert_status(sinew_pool_open(t.url, &opt, &none), SINEW_INVALID, "on_connect refused connection 4");
    assert_null(none);
    pool_target_drop(&t);
}

/* ---- misuse ------------------------------------------------------------------------- */

static void misuse_is_reported(void **state)
{
    (void)state;
    pool_target t;
    pool_target_make(&t);
    sinew_pool *pool;
    sinew_pool_options opt = {0};
    opt.max_size = -1;
    th_assert_status(sinew_pool_open(t.url, &opt, &pool), SINEW_INVALID, "max_size -1");
    opt.max_size = 2;
    th_assert_status(sinew_pool_open("sqlite::memory:", &opt, &pool), SINEW_INVALID, "in-memory SQLite");
    opt.max_size = 1;
    th_ok(sinew_pool_open("sqlite::memory:", &opt, &pool));   /* one connection: one database, fine */
    th_ok(sinew_pool_close(pool));
    th_assert_status(sinew_pool_open("nosuchdb://127.0.0.1/x", NULL, &pool), SINEW_INVALID, "unknown scheme");
    th_assert_status(sinew_pool_open(t.url, NULL, NULL), SINEW_MISUSE, NULL);

    th_ok(sinew_pool_open(t.url, NULL, &pool));
    assert_int_equal(sinew_pool_get_stats(pool).max_size, 8);   /* the default */
    sinew_db *db;
    th_ok(sinew_pool_acquire(pool, &db));
    /* a session still open: the release is refused and the connection stays the caller's */
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    th_assert_status(sinew_pool_release(pool, db), SINEW_MISUSE, "session made on this connection is still open");
    assert_int_equal(sinew_pool_get_stats(pool).in_use, 1);
    sinew_session_free(s);
    th_ok(sinew_pool_release(pool, db));
    /* twice, or a connection that is not the pool's */
    th_assert_status(sinew_pool_release(pool, db), SINEW_MISUSE, "not lent out by this pool");
    sinew_db *own;
    th_ok(sinew_open("sqlite::memory:", &own));
    th_assert_status(sinew_pool_release(pool, own), SINEW_MISUSE, "not lent out by this pool");
    sinew_close(own);
    th_assert_status(sinew_pool_release(pool, NULL), SINEW_MISUSE, NULL);
    th_assert_status(sinew_pool_acquire(NULL, &db), SINEW_MISUSE, NULL);
    th_assert_status(sinew_pool_acquire(pool, NULL), SINEW_MISUSE, NULL);
    sinew_pool_stats st = sinew_pool_get_stats(pool);
    assert_int_equal(st.in_use, 0);
    assert_int_equal(st.acquires, 1);
    th_ok(sinew_pool_close(pool));
    pool_target_drop(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threads_share_a_smaller_pool),
        cmocka_unit_test(acquire_waits_for_a_release),
        cmocka_unit_test(acquire_times_out_with_busy),
        cmocka_unit_test(release_inside_transaction_rolls_back),
        cmocka_unit_test(close_with_connections_out_refuses),
        cmocka_unit_test(health_checks_after_errors_and_idle),
        cmocka_unit_test(on_connect_runs_once_per_connection),
        cmocka_unit_test(misuse_is_reported),
    };
    return cmocka_run_group_tests_name(th_backend(), tests, NULL, NULL);
}
