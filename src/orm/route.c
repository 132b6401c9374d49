/*
 * route.c - a session made on a router (sinew_router_session_new): its
 * writes, and everything inside a transaction on its own connection, go to
 * the primary; its sinew_readonly() queries (and the lazy loads of what
 * they brought) and its read transactions (sinew_read_transaction) go to a
 * replica that has replayed the session's writes.
 *
 * The session keeps one primary connection for its life (its "home": its
 * plans, statement cache, hooks and log live there). A routed read borrows
 * a replica connection from the router and points s->db at it for the
 * length of the read; what a program set on the session's connection goes
 * along (the log hook, the model hooks and the statement counters are
 * swapped between the two handles, and swapped back after, so a change made
 * meanwhile is kept), and the session is listed on the borrowed handle so
 * transaction events reach its journal. The identity map is the session's
 * and does not move: objects a read transaction loads on a replica join it
 * like any others, and a row already in it stays the object it is (its
 * unflushed changes win, as everywhere); sinew_readonly() objects never
 * enter it.
 *
 * Read-your-writes: before a routed read, when statements ran on the home
 * connection since the last time, the primary's WAL position is read there
 * (one round trip) and raises the router's mark, so the replica handed out
 * has replayed it (the router waits up to wait_ms). When no replica is up
 * and caught up, the read runs on the home connection itself. A replica
 * connection lost during a routed query is taken out by the router and the
 * query runs once more (on another replica, or at home): a read can be
 * repeated.
 */
#include <string.h>
#include "orm.h"
#include "pool_internal.h"
#include "sql/ir.h"
#include "sinew/transaction.h"

struct sn_route {
    sinew_router *router;
    sinew_db *home;            /* the session's primary connection, lent by the router */
    sinew_db *away;            /* the replica connection s->db points at now, or NULL */
    uint64_t seen;             /* home->stats.statements when the position was last noted */
};

int sinew_router_session_new(sinew_router *r, sinew_session **out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_router_session_new: out is NULL");
    *out = NULL;
    if (!r) return sinew_error_set(SINEW_MISUSE, "sinew_router_session_new: router is NULL");
    struct sn_route *rt = sn_calloc(1, sizeof *rt);
    if (!rt) return sn_nomem();
    int rc = sinew_router_acquire_write(r, &rt->home);
    if (rc) {
        sinew_error_set(rc, "sinew_router_session_new: no connection to the primary: %s", sinew_errmsg());
        sn_free(rt);
        return rc;
    }
    rt->router = r;
    rt->seen = rt->home->stats.statements;
    sinew_session *s;
    if ((rc = sinew_session_new(rt->home, &s))) {
        sinew_router_release(r, rt->home);
        sn_free(rt);
        return rc;
    }
    s->route = rt;
    *out = s;
    return SINEW_OK;
}

void sn_route_free(struct sn_route *rt)
{
    if (!rt) return;
    sinew_error saved = *sinew_last_error();
    sinew_router_release(rt->router, rt->home);
    *sn_error_mut() = saved;
    sn_free(rt);
}

static void unlink_session(sinew_db *db, sinew_session *s)
{
    for (sinew_session **pp = &db->sessions; *pp; pp = &(*pp)->next_session)
        if (*pp == s) {
            *pp = s->next_session;
            return;
        }
}

/* what the program set on the session's connection, exchanged between the two handles */
static void swap_settings(sinew_db *a, sinew_db *b)
{
    sinew_log_fn fn = a->log_fn;
    void *ctx = a->log_ctx;
    int err = a->log_stderr;
    a->log_fn = b->log_fn, a->log_ctx = b->log_ctx, a->log_stderr = b->log_stderr;
    b->log_fn = fn, b->log_ctx = ctx, b->log_stderr = err;
    sn_map hooks = a->hooks;
    a->hooks = b->hooks;
    b->hooks = hooks;
    sinew_stats st = a->stats;
    a->stats = b->stats;
    b->stats = st;
}

/* s moves from db `from` to db `to` (the session list, the settings) */
static void move_session(sinew_session *s, sinew_db *from, sinew_db *to)
{
    unlink_session(from, s);
    s->next_session = to->sessions;
    to->sessions = s;
    swap_settings(from, to);
    s->db = to;
}

static int home_in_transaction(const sinew_db *db) { return db->tx_depth > 0 || db->drv->in_transaction(db->conn); }

int sn_route_read(sinew_session *s, int (*fn)(void *), void *ctx)
{
    struct sn_route *rt = s->route;
    /* not routed; already on a replica (a read transaction); or inside a transaction at home, which sees
       its own uncommitted writes only there */
    if (!rt || rt->away || s->db != rt->home || home_in_transaction(rt->home)) return fn(ctx);
    for (int attempt = 0;; attempt++) {
        if (rt->home->stats.statements != rt->seen) {   /* the session may have written: wait for that */
            sn_router_note_position(rt->router, rt->home);
            rt->seen = rt->home->stats.statements;
        }
        sinew_db *away;
        sn_router_read_replica(rt->router, &away);
        if (!away) {
            sn_router_count_primary_read(rt->router);
            int rc = fn(ctx);
            rt->seen = rt->home->stats.statements;
            return rc;
        }
        rt->away = away;
        move_session(s, rt->home, away);
        int rc = fn(ctx);
        move_session(s, away, rt->home);
        rt->away = NULL;
        rt->seen = rt->home->stats.statements;   /* the read's statements are no writes */
        int lost = away->conn_lost;
        sinew_error saved = *sinew_last_error();
        sinew_router_release(rt->router, away);   /* a lost connection takes its replica out */
        *sn_error_mut() = saved;
        if (!(rc == SINEW_CONNECTION && lost) || attempt) return rc;
    }
}

/* ---- read transactions ------------------------------------------------------------------ */

typedef struct read_tx {
    sinew_session *s;
    sinew_read_fn fn;
    void *ctx;
    const sinew_retry_policy *policy;
} read_tx;

static int read_tx_body(sinew_db *db, void *arg)
{
    (void)db;
    read_tx *t = arg;
    return t->fn(t->s, t->ctx);
}

static int read_tx_run(void *arg)
{
    read_tx *t = arg;
    /* read-only as the dialect makes it, on the connection the read runs on (a replica's, for a routed
     * read): a write in it fails with SINEW_READONLY on every backend, on a standby and at home alike.
     * Inside an open transaction, a savepoint: that transaction's, as it is (no SQL makes a savepoint
     * read-only). */
    const sinew_dialect *d = t->s->db->dialect;
    sn_tx_wrap w = {d->read_only_before, d->read_only_first, d->read_only_after};
    if (!w.before && !w.first && !w.after && t->s->route) w.first = sn_sql_tx_read_only();   /* a driver before version 9 */
    return sn_transaction_wrapped(t->s->db, &w, read_tx_body, t, t->policy, NULL);
}

int sinew_read_transaction(sinew_session *s, sinew_read_fn fn, void *ctx, const sinew_retry_policy *policy)
{
    if (!s || !fn) return sinew_error_set(SINEW_MISUSE, "sinew_read_transaction: session and fn must not be NULL");
    if (!s->db) return sinew_error_set(SINEW_MISUSE, "sinew_read_transaction: the session's database was closed");
    read_tx t = {s, fn, ctx, policy};
    return sn_route_read(s, read_tx_run, &t);
}
