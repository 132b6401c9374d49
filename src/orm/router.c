/*
 * router.c - a primary and its read replicas (PostgreSQL streaming
 * replication), each behind a pool of its own (see sinew/pool.h).
 *
 * Writes go to the primary. Reads go to a replica, round robin, unless it
 * is behind: when a write connection comes back, the router reads the
 * primary's WAL position, and a read connection is handed out only once its
 * standby has replayed up to the highest such position (read-your-writes),
 * polled for at most wait_ms; after that the read goes to the primary. A
 * replica whose connection fails is taken out for down_ms, then tried again.
 *
 * A promotion is followed: a replica that is no standby any more (the
 * replayed query gives NULL: pg_is_in_recovery() is false) becomes the
 * primary, and the former primary, which no longer streams to it, is left
 * out for good (it is a diverged primary, or gone). The router learns it
 * when it hands out a read on that replica (checked at most every
 * check_ms per replica, and on every read that waits for a position), and
 * when the primary cannot be reached for a write (then every replica is
 * asked).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "orm.h"
#include "pool_internal.h"

struct sinew_router {
    sinew_pool *primary;
    sinew_pool **replicas;
    double *down_until;        /* per replica: sn_now_ms() before which it is skipped */
    double *checked_at;        /* per replica: when it was last seen to be a standby */
    size_t nreplicas;
    pthread_mutex_t mu;        /* guards primary, replicas' order, mark, mark_text, next, down_until, checked_at, stats */
    uint64_t mark;             /* the highest primary WAL position a write connection came back with */
    char mark_text[32];
    size_t next;
    int wait_ms, down_ms;
    sinew_router_stats stats;
};

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* "X/Y" (two hexadecimal halves) as one number, 0 when unreadable */
static uint64_t parse_lsn(const char *s)
{
    char *end;
    unsigned long long hi = strtoull(s, &end, 16);
    if (*end != '/') return 0;
    unsigned long long lo = strtoull(end + 1, &end, 16);
    return *end ? 0 : (uint64_t)hi << 32 | (uint64_t)lo;
}

/* the first column of the first row as text into out; `param` (may be NULL) bound to $1 */
static int scalar(sinew_db *db, const char *sql, const char *param, char *out, size_t cap)
{
    out[0] = '\0';
    sn_exec x;
    int rc = sn_exec_start(&x, db, sql);
    if (rc) return rc;
    if (param) {
        sinew_value v = sinew_v_text(param);
        if ((rc = sn_exec_bind(&x, 0, &v))) {
            sn_exec_end(&x);
            return rc;
        }
    }
    rc = sn_exec_step(&x);
    if (rc == SINEW_ROW) {
        size_t len = 0;
        const char *t = x.drv->column_storage(x.stmt, 0) == SINEW_STORAGE_NULL ? "" : x.drv->column_text(x.stmt, 0, &len);
        snprintf(out, cap, "%.*s", (int)(len < cap ? len : cap - 1), t);
        rc = SINEW_OK;
    } else if (rc == SINEW_DONE) {
        rc = sinew_error_set(SINEW_INTERNAL, "router: no row from %s", sql);
    }
    sn_exec_end(&x);
    return rc;
}

int sinew_router_open(const char *primary_url, const char *const *replica_urls, size_t nreplicas, const sinew_router_options *opt,
                      sinew_router **out)
{
    *out = NULL;
    if (!primary_url || (nreplicas && !replica_urls))
        return sinew_error_set(SINEW_MISUSE, "sinew_router_open: give the primary's URL (and nreplicas replica URLs)");
    sinew_router_options o = {0};
    if (opt) o = *opt;
    if (o.wait_ms < 0 || o.down_ms < 0)
        return sinew_error_set(SINEW_INVALID, "sinew_router_open: wait_ms and down_ms must not be negative");
    sinew_router *r = sn_calloc(1, sizeof *r);
    if (!r) return sn_nomem();
    r->wait_ms = o.wait_ms ? o.wait_ms : 1000;
    r->down_ms = o.down_ms ? o.down_ms : 5000;
    r->replicas = sn_calloc(nreplicas + 1, sizeof *r->replicas);
    r->down_until = sn_calloc(nreplicas + 1, sizeof *r->down_until);
    r->checked_at = sn_calloc(nreplicas + 1, sizeof *r->checked_at);
    pthread_mutex_init(&r->mu, NULL);
    int rc = r->replicas && r->down_until && r->checked_at ? SINEW_OK : sn_nomem();
    if (!rc && (rc = sinew_pool_open(primary_url, o.pool, &r->primary)))
        sinew_error_set(rc, "sinew_router_open: the primary: %s", sinew_errmsg());
    for (size_t i = 0; !rc && i < nreplicas; i++) {
        rc = sinew_pool_open(replica_urls[i], o.pool, &r->replicas[i]);
        if (rc) sinew_error_set(rc, "sinew_router_open: replica %zu: %s", i + 1, sinew_errmsg());
        else r->nreplicas++;
    }
    sinew_db *probe = NULL;
    if (!rc && (rc = sinew_pool_acquire(r->primary, &probe)) == SINEW_OK) {
        const sinew_dialect *dl = sinew_db_dialect(probe);
        if (!dl->replication_position_query || !dl->replication_replayed_query)
            rc = sinew_error_set(SINEW_UNSUPPORTED, "sinew_router_open: read replicas are PostgreSQL streaming "
                                 "replicas (the dialect's replication queries); %s has none", sinew_db_backend(probe));
        sinew_pool_release(r->primary, probe);
    }
    if (rc) {
        sinew_router_close(r);
        return rc;
    }
    *out = r;
    return SINEW_OK;
}

#define SN_ROUTER_CHECK_MS 1000.0   /* how often a replica handed out for reads is asked whether it is one */
#define SN_ROUTER_GONE 1e300         /* down_until of a former primary: left out for good */

/*
 * Replica i was promoted: it is the primary from now on, the former primary takes its slot, left out
 * for good. Under r->mu. The pools stay, so connections lent by either are still taken back.
 */
static void follow_promotion(sinew_router *r, size_t i)
{
    sinew_pool *old = r->primary;
    r->primary = r->replicas[i];
    r->replicas[i] = old;
    r->down_until[i] = SN_ROUTER_GONE;
    r->mark = 0;                  /* positions of the old primary's WAL mean nothing on the new one */
    r->mark_text[0] = '\0';
    r->stats.promotions++;
}

/* 1: the connection's server is no standby (promoted); 0: it is one; < 0: could not tell (error set) */
static int promoted(sinew_db *db)
{
    char v[8];
    int rc = scalar(db, db->dialect->replication_replayed_query, "0/0", v, sizeof v);
    if (rc) return -1;
    return v[0] == '\0';
}

/* the primary cannot be reached: is one of the replicas (not left out for good) a primary now? */
static int find_promoted(sinew_router *r)
{
    for (size_t i = 0; i < r->nreplicas; i++) {
        pthread_mutex_lock(&r->mu);
        int gone = r->down_until[i] >= SN_ROUTER_GONE;
        sinew_pool *p = r->replicas[i];
        pthread_mutex_unlock(&r->mu);
        if (gone) continue;
        sinew_db *db;
        if (sinew_pool_acquire(p, &db)) continue;
        int yes = promoted(db) == 1;
        sinew_pool_release(p, db);
        if (!yes) continue;
        pthread_mutex_lock(&r->mu);
        if (r->replicas[i] == p) follow_promotion(r, i);
        pthread_mutex_unlock(&r->mu);
        return 1;
    }
    return 0;
}

int sinew_router_acquire_write(sinew_router *r, sinew_db **out)
{
    pthread_mutex_lock(&r->mu);
    sinew_pool *p = r->primary;
    pthread_mutex_unlock(&r->mu);
    int rc = sinew_pool_acquire(p, out);
    if (rc == SINEW_CONNECTION) {
        sinew_error saved = *sinew_last_error();
        if (find_promoted(r)) {
            pthread_mutex_lock(&r->mu);
            p = r->primary;
            pthread_mutex_unlock(&r->mu);
            rc = sinew_pool_acquire(p, out);
        } else {
            *sn_error_mut() = saved;
        }
    }
    if (!rc) {
        pthread_mutex_lock(&r->mu);
        r->stats.writes++;
        pthread_mutex_unlock(&r->mu);
    }
    return rc;
}

/* poll a standby until it has replayed `mark`: SINEW_OK, SINEW_BUSY after wait_ms, or the failure */
static int caught_up(sinew_router *r, sinew_db *db, const char *mark)
{
    double deadline = sn_now_ms() + r->wait_ms;
    for (int delay = 1;; delay = delay < 20 ? delay * 2 : 20) {
        char v[8];
        int rc = scalar(db, db->dialect->replication_replayed_query, mark, v, sizeof v);
        if (rc) return rc;
        if (!strcmp(v, "1")) return SINEW_OK;
        if (!*v) return SINEW_OK;   /* NULL: no longer in recovery (promoted), so it has everything it wrote */
        if (sn_now_ms() >= deadline) return SINEW_BUSY;
        sleep_ms(delay);
    }
}

/*
 * A replica connection that has replayed the mark, round robin, in *out; NULL there when no replica
 * is up and caught up (the read belongs on the primary then). Failures only take replicas out: the
 * return is SINEW_OK, and the calling thread's error record is left as it was.
 */
int sn_router_read_replica(sinew_router *r, sinew_db **out)
{
    *out = NULL;
    sinew_error saved = *sinew_last_error();
    pthread_mutex_lock(&r->mu);
    size_t start = r->next++;
    char mark[32];
    memcpy(mark, r->mark_text, sizeof mark);
    pthread_mutex_unlock(&r->mu);
    for (size_t k = 0; k < r->nreplicas; k++) {
        size_t i = (start + k) % r->nreplicas;
        pthread_mutex_lock(&r->mu);
        int down = r->down_until[i] > sn_now_ms();
        pthread_mutex_unlock(&r->mu);
        if (down) continue;
        sinew_db *db;
        pthread_mutex_lock(&r->mu);
        sinew_pool *p = r->replicas[i];
        int check = sn_now_ms() - r->checked_at[i] >= SN_ROUTER_CHECK_MS;
        pthread_mutex_unlock(&r->mu);
        int rc = sinew_pool_acquire(p, &db);
        if (!rc && mark[0]) {
            rc = caught_up(r, db, mark);
            if (rc == SINEW_OK && check) check = 2;   /* caught_up said NULL or 1: ask which */
            if (rc) sinew_pool_release(p, db);
        }
        if (!rc && check) {
            int pr = promoted(db);
            if (pr) {
                /* promoted: the primary now (reads go on there too); or the question failed */
                sinew_pool_release(p, db);
                pthread_mutex_lock(&r->mu);
                if (pr == 1 && r->replicas[i] == p) follow_promotion(r, i);
                pthread_mutex_unlock(&r->mu);
                if (pr == 1) break;
                rc = SINEW_CONNECTION;
            } else {
                pthread_mutex_lock(&r->mu);
                r->checked_at[i] = sn_now_ms();
                pthread_mutex_unlock(&r->mu);
            }
        }
        pthread_mutex_lock(&r->mu);
        if (!rc) {
            r->stats.reads_on_replicas++;
        } else if (rc == SINEW_BUSY) {
            r->stats.behind++;
        } else {
            r->stats.replica_failures++;
            r->down_until[i] = sn_now_ms() + r->down_ms;
        }
        pthread_mutex_unlock(&r->mu);
        if (!rc) {
            *out = db;
            break;
        }
    }
    *sn_error_mut() = saved;
    return SINEW_OK;
}

void sn_router_count_primary_read(sinew_router *r)
{
    pthread_mutex_lock(&r->mu);
    r->stats.reads_on_primary++;
    pthread_mutex_unlock(&r->mu);
}

int sinew_router_acquire_read(sinew_router *r, sinew_db **out)
{
    sn_router_read_replica(r, out);
    if (*out) return SINEW_OK;
    pthread_mutex_lock(&r->mu);
    sinew_pool *primary = r->primary;
    pthread_mutex_unlock(&r->mu);
    int rc = sinew_pool_acquire(primary, out);
    if (rc == SINEW_CONNECTION && find_promoted(r)) {
        pthread_mutex_lock(&r->mu);
        primary = r->primary;
        pthread_mutex_unlock(&r->mu);
        rc = sinew_pool_acquire(primary, out);
    }
    if (!rc) sn_router_count_primary_read(r);
    return rc;
}

/* where the primary's WAL ends now, read on db (a primary connection outside a transaction): the
   mark the reads that follow wait for */
void sn_router_note_position(sinew_router *r, sinew_db *db)
{
    char pos[32];
    if (db->tx_depth == 0 && !db->conn_lost && scalar(db, db->dialect->replication_position_query, NULL, pos, sizeof pos) == SINEW_OK) {
        uint64_t lsn = parse_lsn(pos);
        pthread_mutex_lock(&r->mu);
        if (lsn > r->mark) {
            r->mark = lsn;
            snprintf(r->mark_text, sizeof r->mark_text, "%s", pos);
        }
        pthread_mutex_unlock(&r->mu);
    }
}

int sinew_router_release(sinew_router *r, sinew_db *db)
{
    if (!db) return SINEW_OK;
    pthread_mutex_lock(&r->mu);
    sinew_pool *primary = r->primary;
    pthread_mutex_unlock(&r->mu);
    if (sn_pool_lends(primary, db)) {
        /* after a write: where the primary's WAL ends now, for the reads that follow */
        sn_router_note_position(r, db);
        return sinew_pool_release(primary, db);
    }
    for (size_t i = 0; i < r->nreplicas; i++) {
        pthread_mutex_lock(&r->mu);
        sinew_pool *p = r->replicas[i];
        pthread_mutex_unlock(&r->mu);
        if (!sn_pool_lends(p, db)) continue;
        int lost = db->conn_lost;
        int rc = sinew_pool_release(p, db);
        if (lost && r->down_until[i] < SN_ROUTER_GONE) {
            pthread_mutex_lock(&r->mu);
            r->stats.replica_failures++;
            r->down_until[i] = sn_now_ms() + r->down_ms;
            pthread_mutex_unlock(&r->mu);
        }
        return rc;
    }
    return sinew_error_set(SINEW_MISUSE, "sinew_router_release: this connection was not lent out by the router");
}

sinew_router_stats sinew_router_get_stats(sinew_router *r)
{
    pthread_mutex_lock(&r->mu);
    sinew_router_stats s = r->stats;
    pthread_mutex_unlock(&r->mu);
    return s;
}

int sinew_router_close(sinew_router *r)
{
    if (!r) return SINEW_OK;
    int rc = SINEW_OK;
    for (size_t i = 0; r->replicas && i < r->nreplicas; i++) {
        int c = sinew_pool_close(r->replicas[i]);
        if (!rc) rc = c;
    }
    if (r->primary) {
        int c = sinew_pool_close(r->primary);
        if (!rc) rc = c;
    }
    pthread_mutex_destroy(&r->mu);
    sn_free(r->replicas);
    sn_free(r->down_until);
    sn_free(r->checked_at);
    sn_free(r);
    return rc;
}
