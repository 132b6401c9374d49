/*
 * pool.c - a thread-safe pool of sinew_db connections (see sinew/pool.h).
 *
 * One mutex guards the slot table and the counters; one condition variable
 * (on CLOCK_MONOTONIC) wakes threads waiting for a slot. Nothing slow
 * happens under the lock: opening, checking, rolling back and closing a
 * connection are done by the thread that holds the slot, after it has
 * marked the slot as its own (SLOT_BUSY), so the lock is held only for a
 * scan of at most max_size slots.
 *
 * A slot is EMPTY (no connection; may be filled by any acquirer), IDLE (an
 * open connection waiting) or BUSY (lent out, or being opened or checked by
 * the thread that reserved it). Broken connections are closed and their
 * slot emptied; `replace` counts such slots so that the next open is
 * recorded as a reconnect.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "driver/registry.h"
#include "orm.h"
#include "sql/ir.h"
#include "sinew/pool.h"
#include "pool_internal.h"

enum { SLOT_EMPTY = 0, SLOT_IDLE, SLOT_BUSY };

typedef struct pool_slot {
    sinew_db *db;
    int state;
    int suspect;              /* its last use ended in an error: check it before the next hand-out */
    double idle_since;        /* sn_now_ms() when released */
    uint64_t failures_out;    /* db->failures when it was lent out */
} pool_slot;

struct sinew_pool {
    pthread_mutex_t mu;
    pthread_cond_t freed;     /* a slot became IDLE or EMPTY */
    char *url;
    sinew_pool_options opt;
    pool_slot *slots;
    int replace;              /* broken connections closed and not yet replaced */
    sinew_pool_stats stats;   /* the counters (open/idle/in_use are computed) */
};

/* ---- small helpers --------------------------------------------------------------- */

static int is_memory_url(const char *url)
{
    sinew_url *u;
    if (sinew_url_parse(url, &u) != SINEW_OK) return 0;   /* sinew_open reports it */
    int mem = sn_url_is_private_memory(u);
    sinew_url_free(u);
    return mem;
}

static void deadline_after(struct timespec *ts, int ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* Close a connection without disturbing the caller's error record. */
static void close_quietly(sinew_db *db)
{
    sinew_error saved = *sinew_last_error();
    sinew_close(db);
    *sn_error_mut() = saved;
}

/* Open a connection for the pool and run on_connect; in the calling thread, without the lock. */
static int open_conn(sinew_pool *p, sinew_db **out)
{
    *out = NULL;
    sinew_db *db;
    int rc = sinew_open(p->url, &db);
    if (rc) return rc;
    if (p->opt.on_connect) {
        rc = p->opt.on_connect(db, p->opt.on_connect_ctx);
        if (rc) {
            if (sinew_last_error()->status != rc)
                sinew_error_set(rc, "sinew_pool: on_connect returned %s for a new connection", sinew_status_name(rc));
            close_quietly(db);
            return rc;
        }
    }
    /* what on_connect ran counts for nothing against the connection's health */
    db->failures = 0;
    db->conn_lost = 0;
    *out = db;
    return SINEW_OK;
}

/* Is a connection that is about to be handed out still good? `SELECT 1` when due. */
static int needs_check(const sinew_pool *p, const pool_slot *s, double now)
{
    switch (p->opt.check) {
    case SINEW_POOL_CHECK_NEVER: return 0;
    case SINEW_POOL_CHECK_ALWAYS: return 1;
    default: return s->suspect || now - s->idle_since >= (double)p->opt.idle_check_ms;
    }
}

/*
 * One connection turned out dead: the server probably restarted or failed
 * over, and the idle ones are likely dead too. Check each before its next
 * hand-out, so threads meet one failure per restart rather than one per
 * connection. Called with the lock held.
 */
static void suspect_idle(sinew_pool *p)
{
    for (int i = 0; i < p->opt.max_size; i++)
        if (p->slots[i].state == SLOT_IDLE) p->slots[i].suspect = 1;
}

/* ---- open ------------------------------------------------------------------------- */

int sinew_pool_open(const char *url, const sinew_pool_options *opt, sinew_pool **out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_pool_open: out is NULL");
    *out = NULL;
    if (!url) return sinew_error_set(SINEW_MISUSE, "sinew_pool_open: url is NULL");
    sinew_pool_options o;
    memset(&o, 0, sizeof o);
    if (opt) o = *opt;
    if (o.max_size < 0 || o.max_size > 10000)
        return sinew_error_set(SINEW_INVALID, "sinew_pool_open: max_size %d is out of range (1 to 10000, 0 for the "
                               "default of 8)", o.max_size);
    if (o.idle_check_ms < 0)
        return sinew_error_set(SINEW_INVALID, "sinew_pool_open: idle_check_ms %d is negative (0 for the default of "
                               "1000)", o.idle_check_ms);
    if ((int)o.check < SINEW_POOL_CHECK_DEFAULT || o.check > SINEW_POOL_CHECK_NEVER)
        return sinew_error_set(SINEW_INVALID, "sinew_pool_open: check %d is not a sinew_pool_check value", (int)o.check);
    if (o.max_size == 0) o.max_size = 8;
    if (o.acquire_timeout_ms == 0) o.acquire_timeout_ms = 30000;
    if (o.idle_check_ms == 0) o.idle_check_ms = 1000;
    if (o.check == SINEW_POOL_CHECK_DEFAULT) o.check = SINEW_POOL_CHECK_IDLE;
    if (o.max_size > 1 && is_memory_url(url))
        return sinew_error_set(SINEW_INVALID, "sinew_pool_open: '%s' is an in-memory SQLite database, which every "
                               "pooled connection would see as a separate empty database: use a file "
                               "(sqlite:path/app.db) or max_size 1", url);

    sinew_pool *p = sn_calloc(1, sizeof *p);
    if (!p) return sn_nomem();
    p->opt = o;
    p->url = sn_strdup(url);
    p->slots = sn_calloc((size_t)o.max_size, sizeof *p->slots);
    if (!p->url || !p->slots) {
        sn_free(p->url);
        sn_free(p->slots);
        sn_free(p);
        return sn_nomem();
    }
    pthread_condattr_t ca;
    int perr = pthread_condattr_init(&ca);
    if (!perr) perr = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (!perr) perr = pthread_cond_init(&p->freed, &ca);
    pthread_condattr_destroy(&ca);
    if (perr || pthread_mutex_init(&p->mu, NULL) != 0) {
        if (!perr) pthread_cond_destroy(&p->freed);
        sn_free(p->url);
        sn_free(p->slots);
        sn_free(p);
        return sinew_error_set(SINEW_NOMEM, "sinew_pool_open: cannot create the pool's lock (error %d)", perr);
    }
    p->stats.max_size = o.max_size;

    /* one connection now, so a bad URL or an unreachable server fails here */
    sinew_db *db;
    int rc = open_conn(p, &db);
    if (rc) {
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->freed);
        sn_free(p->url);
        sn_free(p->slots);
        sn_free(p);
        return rc;
    }
    p->slots[0].db = db;
    p->slots[0].state = SLOT_IDLE;
    p->slots[0].idle_since = sn_now_ms();
    *out = p;
    return SINEW_OK;
}

/* ---- acquire ---------------------------------------------------------------------- */

/*
 * The calling thread holds slot s (BUSY). Make it hold a working connection:
 * check the one it has when due, reopen a broken one, open one for an empty
 * slot (`reconnect`: it replaces a broken one). On failure the slot is
 * emptied again and a waiter woken. s->db is written only under the lock
 * (sinew_pool_get_stats reads it); the owner may read it without.
 */
static int fill_slot(sinew_pool *p, pool_slot *s, int check, int reconnect)
{
    int rc = SINEW_OK;
    sinew_db *db = s->db;
    if (db && check) {
        sinew_error saved = *sinew_last_error();
        int crc = sinew_exec(db, sn_sql_ping());
        int good = crc == SINEW_OK && db->tx_depth == 0 && !db->drv->in_transaction(db->conn);
        if (good) *sn_error_mut() = saved;
        pthread_mutex_lock(&p->mu);
        p->stats.checks++;
        if (!good) {
            p->stats.broken++;
            s->db = NULL;
            suspect_idle(p);
        }
        pthread_mutex_unlock(&p->mu);
        if (!good) {   /* dead (or wedged in a transaction nobody owns): start afresh */
            close_quietly(db);
            db = NULL;
            reconnect = 1;
        }
    }
    if (!db) rc = open_conn(p, &db);
    pthread_mutex_lock(&p->mu);
    if (rc == SINEW_OK) {
        if (reconnect) p->stats.reconnects++;
        s->db = db;
        s->suspect = 0;
        s->failures_out = db->failures;
        p->stats.acquires++;
    } else {
        if (reconnect) p->replace++;   /* the replacement is still owed */
        s->state = SLOT_EMPTY;
        s->db = NULL;
        pthread_cond_signal(&p->freed);
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}

int sinew_pool_acquire_timeout(sinew_pool *p, int timeout_ms, sinew_db **out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_pool_acquire: out is NULL");
    *out = NULL;
    if (!p) return sinew_error_set(SINEW_MISUSE, "sinew_pool_acquire: pool is NULL");
    struct timespec deadline;
    if (timeout_ms > 0) deadline_after(&deadline, timeout_ms);
    int waited = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        /* the most recently released idle connection: it is the likeliest to be warm and alive */
        pool_slot *best = NULL, *empty = NULL;
        for (int i = 0; i < p->opt.max_size; i++) {
            pool_slot *s = &p->slots[i];
            if (s->state == SLOT_IDLE && (!best || s->idle_since > best->idle_since)) best = s;
            else if (s->state == SLOT_EMPTY && !empty) empty = s;
        }
        if (best) {
            best->state = SLOT_BUSY;
            int check = needs_check(p, best, sn_now_ms());
            pthread_mutex_unlock(&p->mu);
            int rc = fill_slot(p, best, check, 0);
            if (rc == SINEW_OK) *out = best->db;
            return rc;
        }
        if (empty) {
            empty->state = SLOT_BUSY;
            int reconnect = 0;
            if (p->replace > 0) {
                p->replace--;
                reconnect = 1;
            }
            pthread_mutex_unlock(&p->mu);
            int rc = fill_slot(p, empty, 0, reconnect);
            if (rc == SINEW_OK) *out = empty->db;
            return rc;
        }
        /* every connection is lent out: wait for a release */
        if (!waited) {
            waited = 1;
            p->stats.waits++;
        }
        int err = 0;
        if (timeout_ms < 0) err = pthread_cond_wait(&p->freed, &p->mu);
        else if (timeout_ms > 0) err = pthread_cond_timedwait(&p->freed, &p->mu, &deadline);
        else err = ETIMEDOUT;
        if (err == ETIMEDOUT) {
            /* one last look: a release may have come just as the time ran out */
            int any = 0;
            for (int i = 0; i < p->opt.max_size && !any; i++) any = p->slots[i].state != SLOT_BUSY;
            if (any) continue;
            p->stats.timeouts++;
            int size = p->opt.max_size;
            pthread_mutex_unlock(&p->mu);
            return sinew_error_set(SINEW_BUSY,
                                   "sinew_pool_acquire: no connection free after %d ms (all %d of the pool are in "
                                   "use): release connections sooner (free sessions and call sinew_pool_release), "
                                   "raise max_size or acquire_timeout_ms", timeout_ms, size);
        }
    }
}

int sinew_pool_acquire(sinew_pool *p, sinew_db **out)
{
    if (!p) {
        if (out) *out = NULL;
        return sinew_error_set(SINEW_MISUSE, "sinew_pool_acquire: pool is NULL");
    }
    return sinew_pool_acquire_timeout(p, p->opt.acquire_timeout_ms, out);
}

/* ---- release ---------------------------------------------------------------------- */

int sinew_pool_release(sinew_pool *p, sinew_db *db)
{
    if (!p || !db) return sinew_error_set(SINEW_MISUSE, "sinew_pool_release: pool and db must not be NULL");
    pool_slot *s = NULL;
    pthread_mutex_lock(&p->mu);
    for (int i = 0; i < p->opt.max_size && !s; i++)
        if (p->slots[i].db == db && p->slots[i].state == SLOT_BUSY) s = &p->slots[i];
    pthread_mutex_unlock(&p->mu);
    if (!s)
        return sinew_error_set(SINEW_MISUSE, "sinew_pool_release: this connection is not lent out by this pool "
                               "(released twice, or opened with sinew_open: close those with sinew_close)");
    /* the slot is this thread's until it is marked IDLE or EMPTY: no lock needed to tidy the connection */
    if (db->sessions)
        return sinew_error_set(SINEW_MISUSE, "sinew_pool_release: a session made on this connection is still "
                               "open: free it (sinew_session_free) and release again; the connection is still yours");
    sinew_db_set_log(db, NULL, NULL);
    int broken = db->conn_lost;
    int rolled_back = 0;
    if (!broken && (db->tx_depth > 0 || db->drv->in_transaction(db->conn))) {
        sinew_error saved = *sinew_last_error();
        rolled_back = 1;
        while (db->tx_depth > 1) sinew_rollback(db);
        int rc = db->tx_depth == 1 ? sinew_rollback(db) : SINEW_OK;
        if (rc == SINEW_OK && db->drv->in_transaction(db->conn)) rc = sinew_exec(db, sn_sql_tx_text(SN_SQL_ROLLBACK));   /* raw BEGIN */
        if (rc != SINEW_OK || db->conn_lost || db->drv->in_transaction(db->conn)) broken = 1;
        *sn_error_mut() = saved;
    }
    db->tx_depth = 0;
    int suspect = db->failures != s->failures_out;
    if (broken) {
        close_quietly(db);
        db = NULL;
    }
    pthread_mutex_lock(&p->mu);
    if (rolled_back) p->stats.rollbacks++;
    if (broken) {
        p->stats.broken++;
        p->replace++;
        suspect_idle(p);
        s->db = NULL;
        s->state = SLOT_EMPTY;
    } else {
        s->state = SLOT_IDLE;
        s->suspect = suspect;
        s->idle_since = sn_now_ms();
    }
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->mu);
    return SINEW_OK;
}

/* ---- close and stats -------------------------------------------------------------- */

int sinew_pool_close(sinew_pool *p)
{
    if (!p) return SINEW_OK;
    pthread_mutex_lock(&p->mu);
    int out = 0;
    for (int i = 0; i < p->opt.max_size; i++) out += p->slots[i].state == SLOT_BUSY;
    if (out) {
        pthread_mutex_unlock(&p->mu);
        return sinew_error_set(SINEW_BUSY, "sinew_pool_close: %d connection%s still lent out: release %s "
                               "(sinew_pool_release) and close again; the pool stays open", out,
                               out == 1 ? " is" : "s are", out == 1 ? "it" : "them");
    }
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->opt.max_size; i++) close_quietly(p->slots[i].db);
    pthread_cond_destroy(&p->freed);
    pthread_mutex_destroy(&p->mu);
    sn_free(p->slots);
    sn_free(p->url);
    sn_free(p);
    return SINEW_OK;
}

sinew_pool_stats sinew_pool_get_stats(sinew_pool *p)
{
    sinew_pool_stats st;
    memset(&st, 0, sizeof st);
    if (!p) return st;
    pthread_mutex_lock(&p->mu);
    st = p->stats;
    st.open = st.idle = st.in_use = 0;
    for (int i = 0; i < p->opt.max_size; i++) {
        const pool_slot *s = &p->slots[i];
        if (s->state == SLOT_IDLE) st.idle++;
        if (s->state == SLOT_BUSY && s->db) st.in_use++;
    }
    st.open = st.idle + st.in_use;
    pthread_mutex_unlock(&p->mu);
    return st;
}

int sn_pool_lends(sinew_pool *p, const sinew_db *db)
{
    int found = 0;
    pthread_mutex_lock(&p->mu);
    for (int i = 0; i < p->opt.max_size && !found; i++)
        found = p->slots[i].state == SLOT_BUSY && p->slots[i].db == db;
    pthread_mutex_unlock(&p->mu);
    return found;
}
