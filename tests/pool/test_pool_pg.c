/*
 * The pool and transactions against a real PostgreSQL server (registered
 * only when the suite runs against PostgreSQL):
 *   - the server kills the backend in the middle of a transaction
 *     (pg_terminate_backend from a second, admin connection): the statement
 *     fails with SINEW_CONNECTION, nothing of the transaction is committed,
 *     the pool closes the dead connection on release and hands out a
 *     healthy new one (a reconnect in the stats);
 *   - a backend killed while its connection sat idle in the pool is found
 *     by the health check and replaced before anyone sees it;
 *   - every backend killed at once (a restart): the threads that meet a
 *     dead connection run that transaction again on a fresh one, the pool
 *     checks the other idle ones before handing them out, every dead
 *     connection is replaced exactly once and all 200 transactions land
 *     exactly once;
 *   - SERIALIZABLE write skew: interleaved on two connections the loser
 *     gets SINEW_RETRY with SQLSTATE 40001; from two threads
 *     sinew_transaction_ex() retries the loser, which then succeeds, and
 *     the number of tries is observable;
 *   - a deadlock (40P01) between two threads is retried the same way.
 *
 * Every test gets its database, pool and lent-out connections from a
 * fixture whose teardown releases and closes them, so that a failed
 * assertion (cmocka leaves the test by longjmp) reports the failure and
 * nothing else: no leaks, no database left behind.
 */
#include "pool_support.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the fixture ------------------------------------------------------------------------ */

#define MAX_HELD 8

typedef struct pg_fixture {
    pool_target t;
    sinew_pool *pool;
    sinew_db *held[MAX_HELD];   /* connections lent to the test's main thread */
} pg_fixture;

static int fx_setup(void **state)
{
    pg_fixture *f = calloc(1, sizeof *f);
    if (!f) return -1;
    pool_target_make(&f->t);
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    pg_fixture *f = *state;
    for (int i = 0; i < MAX_HELD; i++)
        if (f->held[i]) sinew_pool_release(f->pool, f->held[i]);
    if (f->pool && sinew_pool_close(f->pool) != SINEW_OK) print_error("teardown: %s\n", sinew_errmsg());
    pool_target_drop(&f->t);
    free(f);
    return 0;
}

static void fx_open(pg_fixture *f, const sinew_pool_options *opt)
{
    assert_null(f->pool);
    th_ok(sinew_pool_open(f->t.url, opt, &f->pool));
}

static void fx_close(pg_fixture *f)
{
    th_ok(sinew_pool_close(f->pool));
    f->pool = NULL;
}

static sinew_db *fx_acquire(pg_fixture *f)
{
    int i = 0;
    while (i < MAX_HELD && f->held[i]) i++;
    assert_true(i < MAX_HELD);
    th_ok(sinew_pool_acquire(f->pool, &f->held[i]));
    return f->held[i];
}

static void fx_release(pg_fixture *f, sinew_db *db)
{
    for (int i = 0; i < MAX_HELD; i++)
        if (f->held[i] == db) f->held[i] = NULL;
    th_ok(sinew_pool_release(f->pool, db));
}

/* ---- helpers ----------------------------------------------------------------------------- */

static int64_t backend_pid(sinew_db *db) { return pool_scalar_ok(db, "SELECT pg_backend_pid()"); }

/* Kill a backend from the admin connection and wait (up to 5 s) until it is gone. */
static void terminate(sinew_db *admin, int64_t pid)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT CASE WHEN pg_terminate_backend(%lld, 5000) THEN 1 ELSE 0 END", (long long)pid);
    assert_int_equal(pool_scalar_ok(admin, sql), 1);
}

/* ---- the server kills the backend mid-transaction ------------------------------------ */

typedef struct kill_ctx {
    sinew_db *admin;
    int64_t pid;
    int calls;
    int rc_after_kill;
    char sqlstate[6];
} kill_ctx;

static int insert_kill_insert(sinew_db *db, void *arg)
{
    kill_ctx *k = arg;
    k->calls++;
    int rc = sinew_exec(db, "INSERT INTO orders (id, item) VALUES (1, 'before the kill')");
    if (rc) return rc;
    terminate(k->admin, k->pid);
    k->rc_after_kill = sinew_exec(db, "INSERT INTO orders (id, item) VALUES (2, 'after the kill')");
    memcpy(k->sqlstate, sinew_last_error()->sqlstate, sizeof k->sqlstate);
    return k->rc_after_kill;
}

static void backend_killed_mid_transaction(void **state)
{
    pg_fixture *f = *state;
    sinew_db *admin = f->t.owner;
    sinew_pool_options opt = {0};
    opt.max_size = 1;
    fx_open(f, &opt);
    sinew_db *db;
    db = fx_acquire(f);
    th_ok(sinew_exec(db, "CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT NOT NULL)"));
    int64_t pid = backend_pid(db);

    kill_ctx k = {admin, pid, 0, -1, ""};
    int attempts = 0;
    th_assert_status(sinew_transaction_ex(db, insert_kill_insert, &k, NULL, &attempts), SINEW_CONNECTION,
                     "connection");
    assert_int_equal(k.rc_after_kill, SINEW_CONNECTION);
    print_message("statement on the killed backend: %s, SQLSTATE '%s': %s\n", sinew_status_name(k.rc_after_kill),
                  k.sqlstate, sinew_errmsg());
    assert_int_equal(attempts, 1);   /* a lost connection is not retried on the same handle */
    assert_int_equal(k.calls, 1);
    assert_int_equal(sinew_tx_depth(db), 0);

    /* back to the pool: it is closed, not reused */
    fx_release(f, db);
    sinew_pool_stats st = sinew_pool_get_stats(f->pool);
    assert_int_equal(st.broken, 1);
    assert_int_equal(st.open, 0);
    assert_int_equal(st.reconnects, 0);

    /* the next acquire opens a new connection: a new backend, healthy, and nothing was committed */
    sinew_db *fresh;
    fresh = fx_acquire(f);
    st = sinew_pool_get_stats(f->pool);
    assert_int_equal(st.reconnects, 1);
    assert_int_equal(st.open, 1);
    assert_true(backend_pid(fresh) != pid);
    assert_int_equal(pool_scalar_ok(fresh, "SELECT COUNT(*) FROM orders"), 0);
    assert_int_equal(pool_scalar_ok(admin, "SELECT COUNT(*) FROM orders"), 0);
    th_ok(sinew_begin(fresh));
    th_ok(sinew_exec(fresh, "INSERT INTO orders (id, item) VALUES (1, 'after the reconnect')"));
    th_ok(sinew_commit(fresh));
    assert_int_equal(pool_scalar_ok(admin, "SELECT COUNT(*) FROM orders"), 1);
    fx_release(f, fresh);
    fx_close(f);
}

/* ---- the server kills an idle pooled connection ------------------------------------ */

static void idle_connection_killed_is_replaced(void **state)
{
    pg_fixture *f = *state;
    sinew_db *admin = f->t.owner;
    sinew_pool_options opt = {0};
    opt.max_size = 2;
    opt.idle_check_ms = 20;
    fx_open(f, &opt);
    sinew_db *db;
    db = fx_acquire(f);
    int64_t pid = backend_pid(db);
    fx_release(f, db);
    uint64_t checks = sinew_pool_get_stats(f->pool).checks;
    terminate(admin, pid);
    pool_sleep_ms(40);   /* idle past idle_check_ms: the next hand-out checks it */

    db = fx_acquire(f);
    sinew_pool_stats st = sinew_pool_get_stats(f->pool);
    assert_int_equal(st.checks, checks + 1);
    assert_int_equal(st.broken, 1);
    assert_int_equal(st.reconnects, 1);
    assert_int_equal(st.open, 1);
    int64_t pid2 = backend_pid(db);
    assert_true(pid2 != pid);
    fx_release(f, db);
    fx_close(f);

    /* with checks off, the first statement finds the dead connection; release replaces it */
    opt.check = SINEW_POOL_CHECK_NEVER;
    fx_open(f, &opt);
    db = fx_acquire(f);
    pid = backend_pid(db);
    fx_release(f, db);
    terminate(admin, pid);
    db = fx_acquire(f);
    int64_t dummy;
    th_assert_status(pool_scalar(db, "SELECT 1", &dummy), SINEW_CONNECTION, NULL);
    fx_release(f, db);
    db = fx_acquire(f);
    assert_true(backend_pid(db) != pid);
    st = sinew_pool_get_stats(f->pool);
    assert_int_equal(st.checks, 0);
    assert_int_equal(st.broken, 1);
    assert_int_equal(st.reconnects, 1);
    fx_release(f, db);
    fx_close(f);
}

/* ---- every backend killed at once (a server restart, a failover): threads recover ---- */

#define RESTART_THREADS 4
#define RESTART_TX 50

typedef struct restart_worker {
    sinew_pool *pool;
    int id, seq;
    int lost;                      /* transactions that met a dead connection and were run again */
    int rc;
    char error[600];
} restart_worker;

static int insert_tick(sinew_db *db, void *arg)
{
    restart_worker *w = arg;
    return pool_execf(db, "INSERT INTO ticks (worker, seq) VALUES (%d, %d)", w->id, w->seq);
}

static void *restart_run(void *arg)
{
    restart_worker *w = arg;
    for (w->seq = 0; w->seq < RESTART_TX && !w->rc; w->seq++) {
        int rc = SINEW_CONNECTION;
        for (int tries = 0; tries <= RESTART_THREADS && rc == SINEW_CONNECTION; tries++) {
            sinew_db *db;
            rc = sinew_pool_acquire(w->pool, &db);
            if (rc) break;
            rc = sinew_transaction(db, insert_tick, w, NULL);
            if (rc == SINEW_CONNECTION) w->lost++;
            int rrc = sinew_pool_release(w->pool, db);
            if (!rc) rc = rrc;
        }
        if (rc) {
            w->rc = rc;
            snprintf(w->error, sizeof w->error, "thread %d, tick %d: %s: %s", w->id, w->seq,
                     sinew_status_name(rc), sinew_errmsg());
        }
    }
    return NULL;
}

/* Fill every slot, release them all, and have the server kill each one (their pids in killed[]). */
static void warm_up_and_kill_all(pg_fixture *f, int64_t killed[RESTART_THREADS])
{
    sinew_db *db[RESTART_THREADS];
    for (int i = 0; i < RESTART_THREADS; i++) {
        db[i] = fx_acquire(f);
        killed[i] = backend_pid(db[i]);
    }
    for (int i = 0; i < RESTART_THREADS; i++) fx_release(f, db[i]);
    assert_int_equal(sinew_pool_get_stats(f->pool).idle, RESTART_THREADS);
    /* the server drops every connection to this database but the admin's */
    assert_int_equal(pool_scalar_ok(f->t.owner, "SELECT COUNT(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
                                                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                                                "AND backend_type = 'client backend'"),
                     RESTART_THREADS);
}

/* How many connections the pool holds whose backend was killed (idle, not yet found). */
static int dead_idle(pg_fixture *f)
{
    /* the pool's open connections that the server still serves, from the server's side */
    int64_t alive = pool_scalar_ok(f->t.owner, "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = "
                                               "current_database() AND pid <> pg_backend_pid() AND backend_type = "
                                               "'client backend'");
    return sinew_pool_get_stats(f->pool).open - (int)alive;
}

/*
 * Take every slot at once: each dead connection still idle is checked and replaced, each empty
 * slot opened as the reconnect it is owed. Then every dead connection has been found and
 * replaced exactly once, and each held connection is a new, working backend.
 */
static void all_slots_replaced(pg_fixture *f, const int64_t killed[RESTART_THREADS])
{
    sinew_db *db[RESTART_THREADS];
    for (int i = 0; i < RESTART_THREADS; i++) db[i] = fx_acquire(f);
    sinew_pool_stats st = sinew_pool_get_stats(f->pool);
    print_message("every slot taken: %llu broken, %llu reconnects, %llu checks\n", (unsigned long long)st.broken,
                  (unsigned long long)st.reconnects, (unsigned long long)st.checks);
    assert_int_equal(st.broken, RESTART_THREADS);
    assert_int_equal(st.reconnects, RESTART_THREADS);
    assert_int_equal(st.in_use, RESTART_THREADS);
    for (int i = 0; i < RESTART_THREADS; i++) {
        int64_t pid = backend_pid(db[i]);
        for (int k = 0; k < RESTART_THREADS; k++) assert_true(pid != killed[k]);
        for (int k = 0; k < i; k++) assert_true(db[k] != db[i]);
    }
    for (int i = 0; i < RESTART_THREADS; i++) fx_release(f, db[i]);
}

static void all_backends_killed_threads_recover(void **state)
{
    pg_fixture *f = *state;
    th_ok(sinew_exec(f->t.owner, "CREATE TABLE ticks (worker INTEGER NOT NULL, seq INTEGER NOT NULL, "
                            "PRIMARY KEY (worker, seq))"));
    sinew_pool_options opt = {0};
    opt.max_size = RESTART_THREADS;
    opt.idle_check_ms = 600000;    /* no idle checks: the threads meet the dead connections themselves */
    fx_open(f, &opt);
    int64_t killed[RESTART_THREADS];
    warm_up_and_kill_all(f, killed);

    restart_worker w[RESTART_THREADS];
    pthread_t th[RESTART_THREADS];
    int started = 0, create_err = 0;
    for (int i = 0; i < RESTART_THREADS && !create_err; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].pool = f->pool;
        w[i].id = i;
        create_err = pthread_create(&th[i], NULL, restart_run, &w[i]);
        if (!create_err) started++;
    }
    int lost = 0;
    for (int i = 0; i < started; i++) {   /* every thread is joined before anything can fail */
        pthread_join(th[i], NULL);
        if (w[i].rc) print_error("%s\n", w[i].error);
        lost += w[i].lost;
    }
    assert_int_equal(create_err, 0);
    for (int i = 0; i < RESTART_THREADS; i++) assert_int_equal(w[i].rc, SINEW_OK);
    sinew_pool_stats st = sinew_pool_get_stats(f->pool);
    print_message("after the restart: %d transaction(s) met a dead connection; %llu broken, %llu reconnects, "
                  "%llu checks, %d open\n", lost, (unsigned long long)st.broken, (unsigned long long)st.reconnects,
                  (unsigned long long)st.checks, st.open);
    /*
     * Each dead connection met was found once, by a transaction (which was
     * then run again) or by the check the pool makes of the idle ones once it
     * has seen one dead. But the pool replaces a connection lazily: one found
     * dead at release leaves its slot empty, reopened only when an acquire
     * finds no idle connection, and an idle dead one is checked only when it
     * is handed out. How many of those happened depends on how often all the
     * threads were in the pool at once, which is the scheduler's business
     * (this test once saw 4 broken and 3 reconnects, one slot left empty), so
     * nothing here counts on it: the counters agree with each other, ...
     */
    assert_true(lost >= 1 && lost <= RESTART_THREADS);
    assert_true(st.broken >= (uint64_t)lost && st.broken <= RESTART_THREADS);
    int dead = dead_idle(f);
    assert_int_equal(st.broken + (uint64_t)dead, RESTART_THREADS);                      /* found, or not yet met */
    assert_int_equal(st.broken, st.reconnects + (uint64_t)(RESTART_THREADS - st.open));   /* replaced, or owed */
    assert_int_equal(dead, st.open - (int)st.reconnects);
    assert_int_equal(st.in_use, 0);
    /* ... every transaction is in, once, ... */
    assert_int_equal(pool_scalar_ok(f->t.owner, "SELECT COUNT(*) FROM ticks"), RESTART_THREADS * RESTART_TX);
    /* ... and once every slot is needed, every dead connection has been found and replaced exactly once */
    all_slots_replaced(f, killed);
    st = sinew_pool_get_stats(f->pool);
    assert_true(st.checks >= (uint64_t)(RESTART_THREADS - lost));
    fx_close(f);
}

/*
 * The same restart with one thread: it never needs more than one connection, so after it has
 * met one dead connection in a transaction (slot emptied) and one in the check (reopened), it
 * keeps using the fresh one; the other dead ones wait, idle and suspect, and the empty slot
 * stays empty. What the threaded test above could see on a busy machine, made certain.
 */
static void dead_connections_replaced_on_demand(void **state)
{
    pg_fixture *f = *state;
    th_ok(sinew_exec(f->t.owner, "CREATE TABLE ticks (worker INTEGER NOT NULL, seq INTEGER NOT NULL, "
                                 "PRIMARY KEY (worker, seq))"));
    sinew_pool_options opt = {0};
    opt.max_size = RESTART_THREADS;
    opt.idle_check_ms = 600000;
    fx_open(f, &opt);
    int64_t killed[RESTART_THREADS];
    warm_up_and_kill_all(f, killed);
    restart_worker w;
    memset(&w, 0, sizeof w);
    w.pool = f->pool;
    restart_run(&w);
    if (w.rc) fail_msg("%s", w.error);
    assert_int_equal(w.lost, 1);
    sinew_pool_stats st = sinew_pool_get_stats(f->pool);
    assert_int_equal(st.broken, 2);       /* the one the transaction met, the one the check found */
    assert_int_equal(st.reconnects, 1);   /* the checked one, reopened; the emptied slot is owed */
    assert_int_equal(st.open, RESTART_THREADS - 1);
    assert_int_equal(dead_idle(f), RESTART_THREADS - 2);
    assert_int_equal(pool_scalar_ok(f->t.owner, "SELECT COUNT(*) FROM ticks"), RESTART_TX);
    all_slots_replaced(f, killed);
    fx_close(f);
}

/* ---- SERIALIZABLE write skew ---------------------------------------------------------- */

static void make_doctors(sinew_db *db)
{
    th_ok(sinew_exec(db, "DROP TABLE IF EXISTS doctors"));
    th_ok(sinew_exec(db, "CREATE TABLE doctors (id INTEGER PRIMARY KEY, on_call INTEGER NOT NULL)"));
    th_ok(sinew_exec(db, "INSERT INTO doctors (id, on_call) VALUES (1, 1), (2, 1)"));
}

static void serializable_conflict_interleaved(void **state)
{
    pg_fixture *f = *state;
    sinew_pool_options opt = {0};
    opt.max_size = 2;
    fx_open(f, &opt);
    sinew_db *a, *b;
    a = fx_acquire(f);
    b = fx_acquire(f);
    make_doctors(a);
    /* both read that two doctors are on call, then each takes one off */
    th_ok(sinew_begin(a));
    th_ok(sinew_exec(a, "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"));
    th_ok(sinew_begin(b));
    th_ok(sinew_exec(b, "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"));
    assert_int_equal(pool_scalar_ok(a, "SELECT COUNT(*) FROM doctors WHERE on_call = 1"), 2);
    assert_int_equal(pool_scalar_ok(b, "SELECT COUNT(*) FROM doctors WHERE on_call = 1"), 2);
    th_ok(sinew_exec(a, "UPDATE doctors SET on_call = 0 WHERE id = 1"));
    th_ok(sinew_exec(b, "UPDATE doctors SET on_call = 0 WHERE id = 2"));
    th_ok(sinew_commit(a));
    th_assert_status(sinew_commit(b), SINEW_RETRY, "run it again");
    assert_string_equal(sinew_last_error()->sqlstate, "40001");
    assert_int_equal(sinew_tx_depth(b), 0);
    assert_int_equal(pool_scalar_ok(b, "SELECT COUNT(*) FROM doctors WHERE on_call = 1"), 1);
    fx_release(f, a);
    fx_release(f, b);
    assert_int_equal(sinew_pool_get_stats(f->pool).broken, 0);   /* a serialization failure is not a broken connection */
    fx_close(f);
}

typedef struct racer {
    sinew_pool *pool;
    pthread_barrier_t *barrier;
    int id;                       /* the doctor this thread takes off call, or the row it locks first */
    int calls;
    int attempts;
    int rc;
    char retried_after[6];        /* SQLSTATE that made sinew_transaction try again */
    char error[600];
} racer;

static int go_off_call(sinew_db *db, void *arg)
{
    racer *r = arg;
    if (++r->calls > 1) memcpy(r->retried_after, sinew_last_error()->sqlstate, sizeof r->retried_after);
    int rc = sinew_exec(db, "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
    int64_t on_call = 0;
    if (!rc) rc = pool_scalar(db, "SELECT COUNT(*) FROM doctors WHERE on_call = 1", &on_call);
    if (rc) return rc;
    if (r->calls == 1) pthread_barrier_wait(r->barrier);   /* both have read before either writes */
    if (on_call < 2) return SINEW_OK;                      /* someone must stay on call */
    return pool_execf(db, "UPDATE doctors SET on_call = 0 WHERE id = %d", r->id);
}

static int cross_update(sinew_db *db, void *arg)
{
    racer *r = arg;
    if (++r->calls > 1) memcpy(r->retried_after, sinew_last_error()->sqlstate, sizeof r->retried_after);
    int first = r->id, second = 3 - r->id;
    int rc = pool_execf(db, "UPDATE counters SET n = n + 1 WHERE id = %d", first);
    if (rc) return rc;
    if (r->calls == 1) pthread_barrier_wait(r->barrier);   /* each holds one row lock and wants the other's */
    return pool_execf(db, "UPDATE counters SET n = n + 1 WHERE id = %d", second);
}

typedef struct race_run {
    racer *r;
    sinew_tx_fn fn;
} race_run;

static void *run_racer(void *arg)
{
    race_run *run = arg;
    racer *r = run->r;
    sinew_db *db;
    r->rc = sinew_pool_acquire(r->pool, &db);
    if (r->rc) {
        snprintf(r->error, sizeof r->error, "acquire: %s", sinew_errmsg());
        return NULL;
    }
    sinew_retry_policy policy = {10, 1, 50};
    r->rc = sinew_transaction_ex(db, run->fn, r, &policy, &r->attempts);
    if (r->rc) snprintf(r->error, sizeof r->error, "%s: %s", sinew_status_name(r->rc), sinew_errmsg());
    int rrc = sinew_pool_release(r->pool, db);
    if (!r->rc && rrc) {
        r->rc = rrc;
        snprintf(r->error, sizeof r->error, "release: %s", sinew_errmsg());
    }
    return NULL;
}

static void race(sinew_pool *pool, sinew_tx_fn fn, racer out[2])
{
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, 2);
    pthread_t th[2];
    race_run runs[2];
    for (int i = 0; i < 2; i++) {
        memset(&out[i], 0, sizeof out[i]);
        out[i].pool = pool;
        out[i].barrier = &barrier;
        out[i].id = i + 1;
        runs[i].r = &out[i];
        runs[i].fn = fn;
        assert_int_equal(pthread_create(&th[i], NULL, run_racer, &runs[i]), 0);
    }
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    pthread_barrier_destroy(&barrier);
    for (int i = 0; i < 2; i++) {
        if (out[i].rc) print_error("thread %d: %s\n", i + 1, out[i].error);
        assert_int_equal(out[i].rc, SINEW_OK);
    }
}

static void serializable_conflict_retried_by_sinew_transaction(void **state)
{
    pg_fixture *f = *state;
    sinew_pool_options opt = {0};
    opt.max_size = 2;
    fx_open(f, &opt);
    sinew_db *db;
    db = fx_acquire(f);
    make_doctors(db);
    fx_release(f, db);

    racer r[2];
    race(f->pool, go_off_call, r);
    /*
     * Both read "two on call" and both wrote: SERIALIZABLE cannot commit both.
     * The loser failed with 40001, was run again by sinew_transaction, saw one
     * doctor left and kept them on call. (Under load the retry itself may
     * conflict with the winner still in flight, so more tries can happen;
     * every retry must have been a 40001, and the invariant must hold.)
     */
    print_message("write skew: thread 1 tried %d time(s), thread 2 %d\n", r[0].attempts, r[1].attempts);
    assert_true(r[0].attempts + r[1].attempts >= 3);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(r[i].calls, r[i].attempts);
        if (r[i].attempts > 1) assert_string_equal(r[i].retried_after, "40001");
    }
    db = fx_acquire(f);
    assert_int_equal(pool_scalar_ok(db, "SELECT COUNT(*) FROM doctors WHERE on_call = 1"), 1);
    fx_release(f, db);
    fx_close(f);
}

static int fast_deadlocks(sinew_db *db, void *ctx)
{
    (void)ctx;
    return sinew_exec(db, "SET deadlock_timeout = '100ms'");
}

static void deadlock_retried_by_sinew_transaction(void **state)
{
    pg_fixture *f = *state;
    sinew_pool_options opt = {0};
    opt.max_size = 2;
    opt.on_connect = fast_deadlocks;
    fx_open(f, &opt);
    sinew_db *db;
    db = fx_acquire(f);
    th_ok(sinew_exec(db, "CREATE TABLE counters (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)"));
    th_ok(sinew_exec(db, "INSERT INTO counters (id, n) VALUES (1, 0), (2, 0)"));
    fx_release(f, db);

    racer r[2];
    race(f->pool, cross_update, r);
    print_message("deadlock: thread 1 tried %d time(s) (retried after '%s'), thread 2 %d ('%s')\n", r[0].attempts,
                  r[0].retried_after, r[1].attempts, r[1].retried_after);
    /* at least one deadlock victim was run again (a retry racing the survivor may deadlock once more) */
    assert_true(r[0].attempts + r[1].attempts >= 3);
    for (int i = 0; i < 2; i++)
        if (r[i].attempts > 1) assert_string_equal(r[i].retried_after, "40P01");
    /* both transactions' increments are there, each exactly once */
    db = fx_acquire(f);
    assert_int_equal(pool_scalar_ok(db, "SELECT n FROM counters WHERE id = 1"), 2);
    assert_int_equal(pool_scalar_ok(db, "SELECT n FROM counters WHERE id = 2"), 2);
    fx_release(f, db);
    fx_close(f);
}

int main(void)
{
    if (!th_is_postgres()) {   /* CTest registers it only for PostgreSQL; run by hand on SQLite, it skips */
        printf("test_pool_pg: skipped: these tests are PostgreSQL-only (SINEW_TEST_BACKEND=%s)\n", th_backend());
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(backend_killed_mid_transaction, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(idle_connection_killed_is_replaced, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(all_backends_killed_threads_recover, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(dead_connections_replaced_on_demand, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(serializable_conflict_interleaved, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(serializable_conflict_retried_by_sinew_transaction, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(deadlock_retried_by_sinew_transaction, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests_name("postgres pool", tests, NULL, NULL);
}
