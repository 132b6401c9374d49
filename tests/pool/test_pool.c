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
 *
 * Every test gets its database, pool, lent-out connections, session and
 * threads from a fixture whose teardown finishes and releases them, so that
 * a failed assertion (cmocka leaves the test by longjmp) reports the failure
 * and nothing else: no leaks, no thread left running, no database left
 * behind. What a test shares with its threads lives on the heap (ctx), as
 * the test's stack frame is gone by then. SINEW_TEST_FAIL_POINT=1 fails
 * every test where it holds the most (test pool_cleanup checks that the
 * teardowns leave nothing behind).
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

/* ---- the fixture ------------------------------------------------------------------------ */

#define MAX_HELD 4

typedef struct pool_fixture {
    pool_target t;
    sinew_pool *pool;
    sinew_db *held[MAX_HELD];   /* connections lent to the test's main thread */
    sinew_session *session;     /* a session the test has open on one of them */
    sinew_db *own;              /* a connection of the test's own, not the pool's */
    /* the test's threads: stop() lets them finish, joins them and releases what they hold */
    void (*stop)(struct pool_fixture *f);
    void *ctx;                  /* what the test shares with its threads */
} pool_fixture;

static int fx_setup(void **state)
{
    pool_fixture *f = calloc(1, sizeof *f);
    if (!f) return -1;
    pool_target_make(&f->t);
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    pool_fixture *f = *state;
    int rc = 0;
    sinew_session_free(f->session);
    for (int i = 0; i < MAX_HELD; i++)
        if (f->held[i]) sinew_pool_release(f->pool, f->held[i]);
    if (f->stop) f->stop(f);
    if (f->pool && sinew_pool_close(f->pool) != SINEW_OK) {
        print_error("teardown: %s\n", sinew_errmsg());
        rc = -1;
    }
    sinew_close(f->own);
    pool_target_drop(&f->t);
    free(f->ctx);
    free(f);
    return rc;
}

/* the test's threads share ctx (calloc'd, the teardown frees it); stop finishes them */
static void *fx_ctx(pool_fixture *f, size_t size, void (*stop)(pool_fixture *f))
{
    assert_null(f->ctx);
    f->ctx = calloc(1, size);
    assert_non_null(f->ctx);
    f->stop = stop;
    return f->ctx;
}

static void fx_open(pool_fixture *f, const sinew_pool_options *opt)
{
    assert_null(f->pool);
    th_ok(sinew_pool_open(f->t.url, opt, &f->pool));
}

static void fx_close(pool_fixture *f)
{
    th_ok(sinew_pool_close(f->pool));
    f->pool = NULL;
}

/* a sinew_pool_open that must fail; a pool it opens anyway is the teardown's to close */
static void fx_open_refused(pool_fixture *f, const char *url, const sinew_pool_options *opt, int status,
                            const char *needle)
{
    assert_null(f->pool);
    sinew_pool *p = (sinew_pool *)&p;
    int rc = sinew_pool_open(url, opt, &p);
    if (rc == SINEW_OK) f->pool = p;
    th_assert_status(rc, status, needle);
    assert_null(p);
}

/* a connection the main thread holds now (acquired one way or another) */
static void fx_hold(pool_fixture *f, sinew_db *db)
{
    int i = 0;
    while (i < MAX_HELD && f->held[i]) i++;
    assert_true(i < MAX_HELD);
    f->held[i] = db;
}

static sinew_db *fx_acquire(pool_fixture *f)
{
    sinew_db *db;
    th_ok(sinew_pool_acquire(f->pool, &db));
    fx_hold(f, db);
    return db;
}

static void fx_release(pool_fixture *f, sinew_db *db)
{
    for (int i = 0; i < MAX_HELD; i++)
        if (f->held[i] == db) f->held[i] = NULL;
    th_ok(sinew_pool_release(f->pool, db));
}

/* SINEW_TEST_FAIL_POINT=1: fail here, holding what the test holds now */
static void fail_point(const char *where)
{
    const char *v = getenv("SINEW_TEST_FAIL_POINT");
    if (v && *v == '1') fail_msg("injected failure (SINEW_TEST_FAIL_POINT): %s", where);
}

static void create_tables(pool_fixture *f)
{
    sinew_db *db = fx_acquire(f);
    th_ok(sinew_exec(db, "CREATE TABLE counters (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)"));
    th_ok(sinew_exec(db, "INSERT INTO counters (id, n) VALUES (1, 0)"));
    th_ok(sinew_exec(db, "CREATE TABLE ticks (worker INTEGER NOT NULL, seq INTEGER NOT NULL, "
                         "PRIMARY KEY (worker, seq))"));
    fx_release(f, db);
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

/* the workers' run, on the heap: a failed assertion leaves the test's frame before they finish */
typedef struct share_run {
    shared sh;
    worker w[NTHREADS];
    pthread_t th[NTHREADS];
    int started, joined;
} share_run;

static void join_workers(pool_fixture *f)
{
    share_run *run = f->ctx;
    for (; run->joined < run->started; run->joined++) pthread_join(run->th[run->joined], NULL);
    if (run->started) pthread_mutex_destroy(&run->sh.lent.mu);
    run->started = run->joined = 0;
}

static void threads_share_a_smaller_pool(void **state)
{
    pool_fixture *f = *state;
    sinew_pool_options opt = {0};
    opt.max_size = POOL_SIZE;
    opt.acquire_timeout_ms = 60000;
    fx_open(f, &opt);
    create_tables(f);

    share_run *run = fx_ctx(f, sizeof *run, join_workers);
    shared *sh = &run->sh;
    worker *w = run->w;
    sh->pool = f->pool;
    pthread_mutex_init(&sh->lent.mu, NULL);
    atomic_init(&sh->holding, 0);
    atomic_init(&sh->max_holding, 0);
    double t0 = pool_now_ms();
    for (int i = 0; i < NTHREADS; i++) {
        w[i].sh = sh;
        w[i].id = i;
        assert_int_equal(pthread_create(&run->th[i], NULL, run_worker, &w[i]), 0);
        run->started++;
    }
    fail_point("8 workers running");
    int attempts = 0;
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(run->th[i], NULL);
        run->joined++;
        if (w[i].failed) print_error("%s\n", w[i].error);
        attempts += w[i].attempts;
    }
    double ms = pool_now_ms() - t0;
    for (int i = 0; i < NTHREADS; i++) assert_int_equal(w[i].failed, 0);

    sinew_pool_stats st = sinew_pool_get_stats(f->pool);
    print_message("%s: %d transactions by %d threads through %d connections in %.0f ms: %d tries, "
                  "%llu acquires, %llu waited, %d connections held at most, %d distinct, %llu health checks\n",
                  th_backend(), NTHREADS * NTX, NTHREADS, POOL_SIZE, ms, attempts,
                  (unsigned long long)st.acquires, (unsigned long long)st.waits, atomic_load(&sh->max_holding),
                  sh->lent.n, (unsigned long long)st.checks);
    /* the pool never lent more than its size, and some threads had to wait for a connection */
    assert_true(atomic_load(&sh->max_holding) <= POOL_SIZE);
    assert_true(sh->lent.n <= POOL_SIZE);
    assert_true(st.waits > 0);
    assert_int_equal(st.timeouts, 0);
    assert_int_equal(st.in_use, 0);
    assert_true(st.open >= 1 && st.open <= POOL_SIZE);
    assert_int_equal(st.acquires, 1 + NTHREADS * NTX);
    assert_int_equal(st.rollbacks, 0);
    assert_int_equal(st.broken, 0);
    assert_true(attempts >= NTHREADS * NTX);

    /* every transaction committed exactly once */
    sinew_db *db = fx_acquire(f);
    assert_int_equal(pool_scalar_ok(db, "SELECT n FROM counters WHERE id = 1"), NTHREADS * NTX);
    assert_int_equal(pool_scalar_ok(db, "SELECT COUNT(*) FROM ticks"), NTHREADS * NTX);
    assert_int_equal(pool_scalar_ok(db, "SELECT COUNT(DISTINCT worker) FROM ticks"), NTHREADS);
    assert_int_equal(pool_scalar_ok(db, "SELECT COUNT(*) FROM (SELECT worker FROM ticks GROUP BY worker "
                                        "HAVING COUNT(*) <> 1000 OR MIN(seq) <> 0 OR MAX(seq) <> 999) AS odd"), 0);
    fx_release(f, db);
    fx_close(f);
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

typedef struct wait_run {
    waiter wt;
    pthread_t th;
    int running;
} wait_run;

static void join_waiter(pool_fixture *f)
{
    wait_run *run = f->ctx;
    if (run->running) pthread_join(run->th, NULL);   /* the teardown released what it waits for */
    run->running = 0;
    if (run->wt.got) sinew_pool_release(f->pool, run->wt.got);
    run->wt.got = NULL;
}

static void acquire_waits_for_a_release(void **state)
{
    pool_fixture *f = *state;
    sinew_pool_options opt = {0};
    opt.max_size = 1;
    opt.acquire_timeout_ms = 20000;
    fx_open(f, &opt);
    sinew_db *mine = fx_acquire(f);
    wait_run *run = fx_ctx(f, sizeof *run, join_waiter);
    waiter *wt = &run->wt;
    wt->pool = f->pool;
    wt->rc = -1;
    assert_int_equal(pthread_create(&run->th, NULL, wait_for_connection, wt), 0);
    run->running = 1;
    /* the other thread blocks: wait until the pool counts it as waiting */
    for (int i = 0; i < 1000 && sinew_pool_get_stats(f->pool).waits == 0; i++) pool_sleep_ms(5);
    assert_int_equal(sinew_pool_get_stats(f->pool).waits, 1);
    fail_point("a thread waiting for the connection the test holds");
    pool_sleep_ms(100);
    fx_release(f, mine);
    pthread_join(run->th, NULL);
    run->running = 0;
    th_ok(wt->rc);
    assert_ptr_equal(wt->got, mine);          /* the one connection, handed over */
    assert_true(wt->waited_ms >= 90);
    sinew_pool_stats st = sinew_pool_get_stats(f->pool);
    assert_int_equal(st.acquires, 2);
    assert_int_equal(st.waits, 1);
    assert_int_equal(st.timeouts, 0);
    assert_int_equal(st.in_use, 1);
    assert_int_equal(st.open, 1);
    sinew_db *got = wt->got;
    wt->got = NULL;
    th_ok(sinew_pool_release(f->pool, got));
    fx_close(f);
}

static void acquire_times_out_with_busy(void **state)
{
    pool_fixture *f = *state;
    sinew_pool_options opt = {0};
    opt.max_size = 2;
    opt.acquire_timeout_ms = 150;
    fx_open(f, &opt);
    sinew_pool *pool = f->pool;
    sinew_db *a = fx_acquire(f), *b = fx_acquire(f), *c = (sinew_db *)&c;
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
    fail_point("both connections lent out");
    fx_release(f, a);
    th_ok(sinew_pool_acquire_timeout(pool, 0, &c));
    fx_hold(f, c);
    assert_ptr_equal(c, a);
    fx_release(f, c);
    fx_release(f, b);
    fx_close(f);
}

/* ---- a connection released inside a transaction is rolled back ----------------------- */

static void release_inside_transaction_rolls_back(void **state)
{
    pool_fixture *f = *state;
    sinew_pool_options opt = {0};
    opt.max_size = 1;                 /* the same connection comes back every time */
    fx_open(f, &opt);
    sinew_pool *pool = f->pool;
    sinew_db *db = fx_acquire(f);
    th_ok(sinew_exec(db, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"));
    th_ok(sinew_exec(db, "INSERT INTO notes (id, body) VALUES (1, 'kept')"));
    fx_release(f, db);

    /* a transaction with a savepoint inside, abandoned */
    db = fx_acquire(f);
    th_ok(sinew_begin(db));
    th_ok(sinew_exec(db, "INSERT INTO notes (id, body) VALUES (2, 'lost')"));
    th_ok(sinew_begin(db));
    th_ok(sinew_exec(db, "INSERT INTO notes (id, body) VALUES (3, 'lost too')"));
    assert_int_equal(sinew_tx_depth(db), 2);
    fail_point("a connection lent out inside a transaction");
    fx_release(f, db);
    assert_int_equal(sinew_pool_get_stats(pool).rollbacks, 1);

    sinew_db *again = fx_acquire(f);
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
    fx_release(f, again);
    db = fx_acquire(f);
    assert_int_equal(pool_scalar_ok(db, "SELECT COUNT(*) FROM notes"), 2);
    assert_int_equal(pool_scalar_ok(db, "SELECT COUNT(*) FROM notes WHERE id IN (1, 4)"), 2);
    /* a failed statement inside the transaction (PostgreSQL: the transaction is aborted) */
    th_ok(sinew_begin(db));
    th_assert_status(sinew_exec(db, "INSERT INTO notes (id, body) VALUES (1, 'duplicate')"), SINEW_CONSTRAINT, NULL);
    fx_release(f, db);
    db = fx_acquire(f);
    assert_int_equal(pool_scalar_ok(db, "SELECT COUNT(*) FROM notes"), 2);
    fx_release(f, db);

    sinew_pool_stats st = sinew_pool_get_stats(pool);
    assert_int_equal(st.rollbacks, 3);
    assert_int_equal(st.broken, 0);
    assert_int_equal(st.open, 1);
    fx_close(f);
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

typedef struct hold_run {
    holder h;
    pthread_t th;
    int running;
} hold_run;

/* let the holder release its connection, and join it */
static void stop_holder(pool_fixture *f)
{
    hold_run *run = f->ctx;
    if (!run->running) return;
    pthread_mutex_lock(&run->h.mu);
    run->h.may_release = 1;
    pthread_cond_broadcast(&run->h.cv);
    pthread_mutex_unlock(&run->h.mu);
    pthread_join(run->th, NULL);
    run->running = 0;
    pthread_cond_destroy(&run->h.cv);
    pthread_mutex_destroy(&run->h.mu);
}

static void close_with_connections_out_refuses(void **state)
{
    pool_fixture *f = *state;
    th_ok(sinew_pool_close(NULL));
    sinew_pool_options opt = {0};
    opt.max_size = 3;
    fx_open(f, &opt);
    sinew_pool *pool = f->pool;
    sinew_db *mine = fx_acquire(f);
    hold_run *run = fx_ctx(f, sizeof *run, stop_holder);
    holder *h = &run->h;
    h->pool = pool;
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    assert_int_equal(pthread_create(&run->th, NULL, hold_a_connection, h), 0);
    run->running = 1;
    pthread_mutex_lock(&h->mu);
    while (!h->acquired) pthread_cond_wait(&h->cv, &h->mu);
    pthread_mutex_unlock(&h->mu);
    th_ok(h->rc_acquire);

    th_assert_status(sinew_pool_close(pool), SINEW_BUSY, "2 connections are still lent out");
    fail_point("connections lent to this thread and another");
    /* nothing changed: the pool still works */
    sinew_pool_stats st = sinew_pool_get_stats(pool);
    assert_int_equal(st.in_use, 2);
    assert_int_equal(pool_scalar_ok(mine, "SELECT 7"), 7);
    sinew_db *third = fx_acquire(f);
    fx_release(f, third);
    fx_release(f, mine);
    th_assert_status(sinew_pool_close(pool), SINEW_BUSY, "1 connection is still lent out");

    pthread_mutex_lock(&h->mu);
    h->may_release = 1;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    pthread_join(run->th, NULL);
    run->running = 0;
    th_ok(h->rc_release);
    st = sinew_pool_get_stats(pool);
    assert_int_equal(st.in_use, 0);
    assert_int_equal(st.idle, 3);
    fx_close(f);   /* every connection closed, nothing leaks (ASan) */
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
}

/* ---- health checks ---------------------------------------------------------------------- */

static void health_checks_after_errors_and_idle(void **state)
{
    pool_fixture *f = *state;
    sinew_pool_options opt = {0};
    opt.max_size = 1;
    opt.idle_check_ms = 60000;        /* idle checks out of the way: only errors trigger one */
    fx_open(f, &opt);
    sinew_pool *pool = f->pool;
    sinew_db *db = fx_acquire(f);
    th_ok(sinew_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY)"));
    fx_release(f, db);
    db = fx_acquire(f);
    assert_int_equal(sinew_pool_get_stats(pool).checks, 0);
    /* a failed statement: the next hand-out checks the connection first */
    th_assert_status(sinew_exec(db, "SELECT * FROM no_such_table"), SINEW_ERROR, NULL);
    fail_point("a connection lent out after a failed statement");
    fx_release(f, db);
    db = fx_acquire(f);
    assert_int_equal(sinew_pool_get_stats(pool).checks, 1);
    fx_release(f, db);
    db = fx_acquire(f);
    assert_int_equal(sinew_pool_get_stats(pool).checks, 1);   /* clean use: no check */
    fx_release(f, db);
    fx_close(f);

    /* idle longer than idle_check_ms: checked */
    opt.idle_check_ms = 50;
    fx_open(f, &opt);
    pool = f->pool;
    db = fx_acquire(f);
    fx_release(f, db);
    uint64_t before = sinew_pool_get_stats(pool).checks;
    pool_sleep_ms(80);
    db = fx_acquire(f);
    assert_int_equal(sinew_pool_get_stats(pool).checks, before + 1);
    fx_release(f, db);
    fx_close(f);

    /* always / never */
    opt.idle_check_ms = 0;
    opt.check = SINEW_POOL_CHECK_ALWAYS;
    fx_open(f, &opt);
    pool = f->pool;
    for (int i = 0; i < 3; i++) {
        db = fx_acquire(f);
        fx_release(f, db);
    }
    assert_int_equal(sinew_pool_get_stats(pool).checks, 3);
    fx_close(f);
    opt.check = SINEW_POOL_CHECK_NEVER;
    fx_open(f, &opt);
    pool = f->pool;
    for (int i = 0; i < 3; i++) {
        db = fx_acquire(f);
        sinew_exec(db, "SELECT * FROM no_such_table");
        fx_release(f, db);
    }
    sinew_pool_stats st = sinew_pool_get_stats(pool);
    assert_int_equal(st.checks, 0);
    assert_int_equal(st.broken, 0);   /* an SQL error does not make a connection broken */
    fx_close(f);
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
    pool_fixture *f = *state;
    connect_count *cc = fx_ctx(f, sizeof *cc, NULL);   /* the pool's until it is closed */
    atomic_init(&cc->calls, 0);
    cc->fail_after = 2;
    sinew_pool_options opt = {0};
    opt.max_size = 3;
    opt.on_connect = on_connect;
    opt.on_connect_ctx = cc;
    fx_open(f, &opt);
    sinew_pool *pool = f->pool;
    assert_int_equal(atomic_load(&cc->calls), 1);
    sinew_db *a = fx_acquire(f), *b, *c = NULL;
    assert_int_equal(atomic_load(&cc->calls), 1);   /* the connection opened by sinew_pool_open */
    b = fx_acquire(f);
    assert_int_equal(atomic_load(&cc->calls), 2);
    assert_int_equal(pool_scalar_ok(b, "SELECT COUNT(*) FROM seen"), 0);
    /* the third connection's on_connect fails: so does the acquire, and the slot stays free */
    th_assert_status(sinew_pool_acquire(pool, &c), SINEW_INVALID, "on_connect refused connection 3");
    assert_null(c);
    sinew_pool_stats st = sinew_pool_get_stats(pool);
    assert_int_equal(st.open, 2);
    assert_int_equal(st.in_use, 2);
    fail_point("two connections lent out, the third refused");
    fx_release(f, a);
    fx_release(f, b);
    fx_close(f);
    /* a failing on_connect fails sinew_pool_open, leaking nothing */
    cc->fail_after = 3;
    fx_open_refused(f, f->t.url, &opt, SINEW_INVALID, "on_connect refused connection 4");
}

/* ---- misuse ------------------------------------------------------------------------- */

static void misuse_is_reported(void **state)
{
    pool_fixture *f = *state;
    sinew_pool_options opt = {0};
    opt.max_size = -1;
    fx_open_refused(f, f->t.url, &opt, SINEW_INVALID, "max_size -1");
    opt.max_size = 2;
    fx_open_refused(f, "sqlite::memory:", &opt, SINEW_INVALID, "in-memory SQLite");
    opt.max_size = 1;
    th_ok(sinew_pool_open("sqlite::memory:", &opt, &f->pool));   /* one connection: one database, fine */
    fx_close(f);
    fx_open_refused(f, "nosuchdb://127.0.0.1/x", NULL, SINEW_INVALID, "unknown scheme");
    th_assert_status(sinew_pool_open(f->t.url, NULL, NULL), SINEW_MISUSE, NULL);

    fx_open(f, NULL);
    sinew_pool *pool = f->pool;
    assert_int_equal(sinew_pool_get_stats(pool).max_size, 8);   /* the default */
    sinew_db *db = fx_acquire(f);
    /* a session still open: the release is refused and the connection stays the caller's */
    th_ok(sinew_session_new(db, &f->session));
    th_assert_status(sinew_pool_release(pool, db), SINEW_MISUSE, "session made on this connection is still open");
    assert_int_equal(sinew_pool_get_stats(pool).in_use, 1);
    fail_point("a connection lent out with a session open on it");
    sinew_session_free(f->session);
    f->session = NULL;
    fx_release(f, db);
    /* twice, or a connection that is not the pool's */
    th_assert_status(sinew_pool_release(pool, db), SINEW_MISUSE, "not lent out by this pool");
    th_ok(sinew_open("sqlite::memory:", &f->own));
    th_assert_status(sinew_pool_release(pool, f->own), SINEW_MISUSE, "not lent out by this pool");
    sinew_close(f->own);
    f->own = NULL;
    th_assert_status(sinew_pool_release(pool, NULL), SINEW_MISUSE, NULL);
    th_assert_status(sinew_pool_acquire(NULL, &db), SINEW_MISUSE, NULL);
    th_assert_status(sinew_pool_acquire(pool, NULL), SINEW_MISUSE, NULL);
    sinew_pool_stats st = sinew_pool_get_stats(pool);
    assert_int_equal(st.in_use, 0);
    assert_int_equal(st.acquires, 1);
    fx_close(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(threads_share_a_smaller_pool, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(acquire_waits_for_a_release, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(acquire_times_out_with_busy, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(release_inside_transaction_rolls_back, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(close_with_connections_out_refuses, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(health_checks_after_errors_and_idle, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(on_connect_runs_once_per_connection, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(misuse_is_reported, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests_name(th_backend(), tests, NULL, NULL);
}
