/*
 * sinew/pool.h - a connection pool for threaded programs.
 *
 * A sinew_db (and every session made on it) is used by one thread at a
 * time: it is a single connection with its own statement cache and
 * transaction state, and nothing in it takes a lock. The pool is the
 * thread-safe part: any number of threads may call sinew_pool_acquire(),
 * sinew_pool_release() and sinew_pool_get_stats() on one pool at once
 * (sinew_pool_close() comes after them all). Each thread acquires a
 * connection, uses it (sessions, queries, sinew_transaction), frees its
 * sessions and releases the connection, which another thread may then
 * acquire.
 *
 *   sinew_pool *pool;
 *   sinew_pool_options opt = {0};        // zero means the defaults below
 *   opt.max_size = 4;
 *   if (sinew_pool_open("postgres://app@127.0.0.1/shop", &opt, &pool) != SINEW_OK)
 *       fprintf(stderr, "%s\n", sinew_errmsg());
 *
 *   // in any thread:
 *   sinew_db *db;
 *   if (sinew_pool_acquire(pool, &db) == SINEW_OK) {
 *       int rc = sinew_transaction(db, place_order, &order, NULL);
 *       sinew_pool_release(pool, db);
 *   }
 *
 *   // once every thread is done with it:
 *   sinew_pool_close(pool);
 *
 * Ownership. The pool owns its connections: a sinew_db it hands out stays
 * the pool's, is lent to the calling thread until sinew_pool_release(), and
 * must not be passed to sinew_close(). Sessions made on a lent connection
 * are the caller's and must be freed before the connection is released.
 * The URL and the options are copied by sinew_pool_open().
 *
 * Backends. Every connection of a pool is opened with sinew_open() on the
 * pool's URL: on PostgreSQL each is its own server connection (keep
 * max_size under the server's max_connections, shared by every process);
 * for an SQLite file each is its own SQLite connection to that file, which
 * lets readers run in parallel under WAL while writers take turns (a writer
 * that waits longer than the busy timeout gets SINEW_BUSY, which
 * sinew_transaction() retries). "sqlite::memory:" gives every connection a
 * private database, so a pool refuses it unless max_size is 1.
 *
 * Health. A connection that reported SINEW_CONNECTION (the server went
 * away, was restarted, or killed the backend) is closed when it is released,
 * and a new one is opened in its place the next time one is needed
 * (counted as a reconnect); the idle connections are then suspected too
 * (a restarted server drops them all) and checked before their next use.
 * Connections that were idle for a while, or whose last use ended in an
 * error, are checked with `SELECT 1` before they are handed out, and
 * reopened when the check fails; acquire therefore returns
 * a connection that worked a moment ago, though the server may still drop
 * it at any time: programs that must survive that run their work through
 * sinew_transaction() and treat SINEW_CONNECTION as "release, acquire, run
 * again" where the work is safe to repeat.
 *
 * Errors are reported as everywhere in sinew: a SINEW_* status, with the
 * detail in the calling thread's sinew_last_error().
 */
#ifndef SINEW_POOL_H
#define SINEW_POOL_H

#include "export.h"

#include <stdint.h>
#include "db.h"
#include "session.h"
#include "transaction.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sinew_pool sinew_pool;

/* When the pool checks a connection with `SELECT 1` before handing it out. */
typedef enum sinew_pool_check {
    SINEW_POOL_CHECK_DEFAULT = 0,   /* SINEW_POOL_CHECK_IDLE */
    SINEW_POOL_CHECK_IDLE,          /* when idle longer than idle_check_ms, or its last use ended in an error */
    SINEW_POOL_CHECK_ALWAYS,        /* before every hand-out */
    SINEW_POOL_CHECK_NEVER          /* never (connections that reported SINEW_CONNECTION are still replaced) */
} sinew_pool_check;

/*
 * Options. A zeroed struct gives the defaults, so set only what you need:
 *   sinew_pool_options opt = {0}; opt.max_size = 16;
 */
typedef struct sinew_pool_options {
    int max_size;                 /* connections open at most (default 8) */
    int acquire_timeout_ms;       /* how long sinew_pool_acquire() waits for a free connection
                                     (default 30000; negative: wait for ever) */
    sinew_pool_check check;       /* health checks, see above (default SINEW_POOL_CHECK_IDLE) */
    int idle_check_ms;            /* idle time after which a connection is checked (default 1000) */
    /*
     * Called once for every new connection, before it is first handed out,
     * in the thread that opened it (so it must be thread-safe): SET
     * statements, sinew_db_set_hooks(), ... A non-OK return closes the
     * connection and fails the acquire (or the open) with that status.
     */
    int (*on_connect)(sinew_db *db, void *ctx);
    void *on_connect_ctx;
} sinew_pool_options;

/*
 * Make a pool for `url` (see sinew_open() for URLs). One connection is
 * opened at once, so a wrong URL or an unreachable server fails here; the
 * others are opened when needed. `opt` may be NULL for the defaults.
 * SINEW_INVALID for bad options or a memory database with max_size > 1.
 */
SINEW_API int sinew_pool_open(const char *url, const sinew_pool_options *opt, sinew_pool **out);

/*
 * Lend a connection to the calling thread: an idle one (the most recently
 * used first), else a new one while fewer than max_size are open, else wait
 * until another thread releases one. Waiting longer than the pool's
 * acquire_timeout_ms fails with SINEW_BUSY ("no connection free after ...")
 * and *out set to NULL. A failure to open or reopen a connection is
 * returned as sinew_open() (or on_connect) reports it: SINEW_CONNECTION for
 * an unreachable server; the pool stays usable and tries again next time.
 */
SINEW_API int sinew_pool_acquire(sinew_pool *pool, sinew_db **out);
/* The same with this call's own timeout: 0 does not wait, negative waits for ever. */
SINEW_API int sinew_pool_acquire_timeout(sinew_pool *pool, int timeout_ms, sinew_db **out);

/*
 * Give a connection back. A transaction still open on it is rolled back
 * (counted in stats.rollbacks); a broken connection is closed and replaced
 * lazily; the query log hook is removed. Returns SINEW_OK, or:
 *   SINEW_MISUSE when db is not lent out by this pool (nothing happens), or
 *   when a session made on db is still open: the connection then stays
 *   lent to the caller, untouched; free the sessions and release again.
 * A connection that could not be rolled back is closed rather than reused
 * (SINEW_OK: the pool took it back).
 */
SINEW_API int sinew_pool_release(sinew_pool *pool, sinew_db *db);

/*
 * Close every connection and free the pool. The pool refuses to close while
 * connections are lent out: it then returns SINEW_BUSY, naming how many,
 * and stays open and fully usable (release them, e.g. by joining the
 * threads that hold them, and close again). NULL is a no-op returning
 * SINEW_OK. Do not call it while another thread may still call acquire.
 */
SINEW_API int sinew_pool_close(sinew_pool *pool);

/* Counters, read together under the pool's lock. */
typedef struct sinew_pool_stats {
    int max_size;
    int open;                     /* connections open now: idle + in_use */
    int idle;                     /* open and waiting in the pool */
    int in_use;                   /* lent out to threads */
    uint64_t acquires;            /* successful acquires */
    uint64_t waits;               /* acquires that found every connection lent out (and waited,
                                     unless their timeout was 0) */
    uint64_t timeouts;            /* acquires that gave up after their timeout (SINEW_BUSY) */
    uint64_t reconnects;          /* connections opened to replace broken ones */
    uint64_t broken;              /* connections found broken (on release or by a check) and closed */
    uint64_t checks;              /* health checks (`SELECT 1`) run */
    uint64_t rollbacks;           /* connections released inside a transaction, rolled back */
} sinew_pool_stats;

SINEW_API sinew_pool_stats sinew_pool_get_stats(sinew_pool *pool);

/* ---- a primary and its read replicas ------------------------------------------------ */

/*
 * A router: a pool for a PostgreSQL primary and one for each hot standby
 * streaming from it. Take connections for writing (and for read-write
 * transactions) with sinew_router_acquire_write(): the primary. Take them
 * for reading (read-only transactions, sinew_readonly() reports) with
 * sinew_router_acquire_read(): a replica, round robin, once it has caught
 * up. Read-your-writes: when a write connection comes back through
 * sinew_router_release(), the router reads the primary's WAL position
 * (one extra round trip); a read connection is handed out only after its
 * standby has replayed up to the highest such position, polled for at most
 * wait_ms, after which the read goes to the primary (stats.behind,
 * stats.reads_on_primary). So a thread that released its write connection
 * reads what it wrote. A replica that cannot be reached, or whose
 * connection was lost, is skipped for down_ms and then tried again. A write
 * sent to a replica fails with SINEW_READONLY. A replica found promoted
 * (pg_is_in_recovery() false: asked when it is handed out for a read, at most
 * once a second, and of every replica when the primary cannot be reached)
 * becomes the primary, and the former primary is left out for good
 * (stats.promotions). Thread-safe like the pool;
 * PostgreSQL only (SINEW_UNSUPPORTED otherwise).
 */
typedef struct sinew_router sinew_router;

typedef struct sinew_router_options {
    const sinew_pool_options *pool;   /* for every pool (NULL: the defaults) */
    int wait_ms;                      /* how long a read waits for a replica to catch up (default 1000) */
    int down_ms;                      /* how long a failed replica is left out (default 5000) */
} sinew_router_options;

typedef struct sinew_router_stats {
    uint64_t writes;                  /* write connections handed out */
    uint64_t reads_on_replicas;       /* read connections from a replica */
    uint64_t reads_on_primary;        /* reads sent to the primary: no replica up, or all behind */
    uint64_t behind;                  /* replicas that had not caught up within wait_ms */
    uint64_t replica_failures;        /* replicas taken out after a failure */
    uint64_t promotions;              /* replicas found promoted and made the primary */
} sinew_router_stats;

/* Every URL is opened at once (one connection each): a wrong one fails here, naming which. */
SINEW_API int sinew_router_open(const char *primary_url, const char *const *replica_urls, size_t nreplicas,
                                const sinew_router_options *opt, sinew_router **out);
SINEW_API int sinew_router_acquire_write(sinew_router *router, sinew_db **out);
SINEW_API int sinew_router_acquire_read(sinew_router *router, sinew_db **out);
/* Give back a connection from either; SINEW_MISUSE if the router did not lend it. */
SINEW_API int sinew_router_release(sinew_router *router, sinew_db *db);
SINEW_API sinew_router_stats sinew_router_get_stats(sinew_router *router);
/* Close every pool (after every connection came back, routed sessions freed); NULL is a no-op. */
SINEW_API int sinew_router_close(sinew_router *router);

/* ---- sessions on a router: reads routed by themselves ----------------------------------- */

/*
 * A session whose reads the router routes by itself. It holds one primary
 * connection (from sinew_router_acquire_write(), for the session's life:
 * sinew_session_db() returns it), and there it writes: saves, flushes,
 * deletes, bulk writes, raw SQL, and every statement while a transaction is
 * open on that connection (a read-write transaction sees its own
 * uncommitted writes only there). Reads go to a replica:
 *   - sinew_readonly() queries (sinew_all, sinew_first, sinew_one,
 *     sinew_query_count, sinew_aggregate, with their prefetches) and the
 *     lazy loads of the objects they loaded;
 *   - read transactions, sinew_read_transaction(): everything in them.
 * The replica is one that has replayed the session's writes: before a
 * routed read, when statements ran on the primary connection since the last
 * routed read, the primary's WAL position is read there (one round trip)
 * and the router waits up to wait_ms for a replica to replay it; when none
 * is up and caught up, the read runs on the session's primary connection
 * (stats.reads_on_primary). A replica connection lost during a routed query
 * takes that replica out for down_ms, and the query runs once more
 * elsewhere (a read can be repeated).
 * What the program sets on the session's connection holds wherever a read
 * runs: the query log hook, the model hooks (after_load for objects loaded
 * on a replica) and the statement counters (sinew_db_stats() of the primary
 * connection counts the routed statements too) go along with the session
 * for the read. The identity map is the session's: objects a read
 * transaction loads on a replica join it like any others (a row already in
 * it stays the object it is, with its unflushed changes), and
 * sinew_readonly() objects never enter it. Not routed: sinew_rows_open(),
 * sinew_stream and raw SQL, which run where the session is (inside a read
 * transaction, on its replica). A write inside a read transaction is
 * SINEW_READONLY, on a replica and on the primary alike (as in every read
 * transaction, sinew_read_transaction()). Statements run on a replica are prepared and cached on that
 * replica's connection (each connection has its own statement cache and
 * plans). Free it with sinew_session_free(), which gives the primary
 * connection back; make no other session on that connection. A session
 * keeps the primary connection it was made with: after a promotion the
 * router follows, make new sessions (the old ones write where they began).
 * SINEW_CONNECTION (naming the primary) when the primary cannot be reached:
 * then only sinew_router_acquire_read() serves (from the replicas).
 */
SINEW_API int sinew_router_session_new(sinew_router *router, sinew_session **out);

typedef int (*sinew_read_fn)(sinew_session *s, void *ctx);
/*
 * Run fn(s, ctx) in a read-only transaction, with sinew_transaction()'s
 * retries (a standby cancelling a query that conflicts with replay reports
 * SQLSTATE 40001: retried; each attempt is read-only). On a session made on
 * a router: on a replica that has replayed the session's writes,
 * sinew_session_db(s) being that replica's connection while fn runs, or on
 * the primary when no replica is caught up. On any other session: on the
 * session's connection. Read-only on every backend, as its dialect makes it
 * (read_only_before / _first / _after in sinew/dialect.h: PostgreSQL's SET
 * TRANSACTION READ ONLY first in it, MariaDB's before it, SQLite's PRAGMA
 * query_only on for it and off after, whatever came of it), so that a write
 * in fn (a flush, a save, raw SQL) fails with SINEW_READONLY and writes
 * nothing; after it returns the session writes again. Inside a transaction
 * open on the session's (primary) connection: a savepoint of that
 * transaction, read-write as it is (no database makes a savepoint
 * read-only), not retried.
 */
SINEW_API int sinew_read_transaction(sinew_session *s, sinew_read_fn fn, void *ctx, const sinew_retry_policy *policy);

#ifdef __cplusplus
}
#endif
#endif
