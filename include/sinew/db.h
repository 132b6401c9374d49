/*
 * sinew/db.h - a database handle: one connection, its prepared-statement
 * cache, transactions, the query log hook and statement statistics.
 *
 *   sinew_db *db;
 *   if (sinew_open("sqlite:blog.db", &db) != SINEW_OK)
 *       fprintf(stderr, "%s\n", sinew_errmsg());
 *   ...
 *   sinew_close(db);
 *
 * A sinew_db is used by one thread at a time.
 */
#ifndef SINEW_DB_H
#define SINEW_DB_H

#include "export.h"

#include <stdint.h>
#include "dialect.h"
#include "schema.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sinew_db sinew_db;

/*
 * Open a database. URLs: "sqlite:path/to/file.db", "sqlite::memory:",
 * "postgres://user:pass@127.0.0.1:5432/name". SQLite files get WAL mode,
 * foreign keys on, and a busy timeout (5 s, `?busy_timeout=ms` to change).
 * Parameters: SQLite knows mode=ro|rw|rwc (rw and ro open an existing file
 * only; rwc, the default, creates it), busy_timeout and vfs; PostgreSQL
 * passes libpq's connection keywords (sslmode, application_name, ...) and
 * knows three of sinew's own: lock_timeout=ms and statement_timeout=ms (a
 * lock wait or statement that takes longer is SINEW_BUSY), and
 * pgbouncer=true for a pooler that hands each transaction to another server
 * connection (PgBouncer's transaction mode): statements are then unnamed
 * (parsed again at each run, nothing prepared stays on the server) and the
 * timeouts are SET LOCAL in each transaction, a statement outside one
 * running in a short transaction of its own (so, with a timeout, no
 * CREATE DATABASE or CREATE INDEX CONCURRENTLY through such a handle);
 * citus=true for a Citus coordinator makes the timeouts SET LOCAL the same
 * way, with citus.propagate_set_commands = 'local', so that they hold on the
 * workers (a session SET stays on the coordinator). Any
 * other parameter is SINEW_INVALID naming it and listing the known ones.
 * Every backend takes isolation=read_committed|repeatable_read|serializable:
 * the level of every transaction sinew begins on the connection (PostgreSQL:
 * BEGIN ISOLATION LEVEL, per transaction; MariaDB: the session's level, set
 * at connect, READ COMMITTED without it; SQLite: always serializable, which
 * satisfies each level, so the value is only checked). Another value is
 * SINEW_INVALID naming the accepted ones.
 * Every backend also takes `?statement_cache=N` (see sinew_db_set_statement_cache).
 */
SINEW_API int sinew_open(const char *url, sinew_db **out);
SINEW_API void sinew_close(sinew_db *db);                      /* NULL is a no-op */

SINEW_API const char *sinew_db_backend(const sinew_db *db);    /* "sqlite", "postgres" */
/* The SQL dialect of the connection's driver (sinew/dialect.h): what to ask instead of the
   backend's name. NULL for a NULL db. */
SINEW_API const sinew_dialect *sinew_db_dialect(const sinew_db *db);

/* Run SQL with no parameters and no result rows (DDL, pragmas). */
SINEW_API int sinew_exec(sinew_db *db, const char *sql);

/* Transactions. Nested sinew_begin() calls become savepoints. */
SINEW_API int sinew_begin(sinew_db *db);
SINEW_API int sinew_commit(sinew_db *db);
SINEW_API int sinew_rollback(sinew_db *db);
SINEW_API int sinew_tx_depth(const sinew_db *db);              /* 0 outside a transaction */

/* DDL from the graph: CREATE TABLE (IF NOT EXISTS) with keys, FKs and indexes. */
SINEW_API int sinew_create_table(sinew_db *db, const sinew_model *model);
SINEW_API int sinew_create_tables(sinew_db *db, const sinew_schema *schema);   /* in FK order */

/*
 * Memory that ended sessions leave for the next ones. A session allocates in
 * chunks; when it ends, up to `bytes` of them stay with the db instead of
 * going back to malloc, so the next session does not fault in fresh pages
 * (loading 100,000 rows into a new session was 1.5x slower without it).
 * Default SINEW_DEFAULT_SESSION_CACHE (32 MiB); 0 frees every chunk at once.
 * The memory is freed by sinew_close().
 */
#define SINEW_DEFAULT_SESSION_CACHE ((size_t)32 << 20)
SINEW_API void sinew_db_set_session_cache(sinew_db *db, size_t bytes);

/*
 * The prepared-statement cache. Every statement sinew runs is prepared once
 * and kept for the next run of the same SQL text (on PostgreSQL each is a
 * server-side prepared statement). At most `statements` are kept: past that
 * the least recently used one is finalized (PostgreSQL: DEALLOCATEd); one
 * with rows still open is never evicted. Default
 * SINEW_DEFAULT_STATEMENT_CACHE; `?statement_cache=N` in the URL sets it at
 * open; 0 caches nothing (every statement is prepared and finalized).
 */
#define SINEW_DEFAULT_STATEMENT_CACHE ((size_t)512)
SINEW_API void sinew_db_set_statement_cache(sinew_db *db, size_t statements);
/* Statements in the cache now. */
SINEW_API size_t sinew_db_statement_cache_count(const sinew_db *db);

/* ---- the query log -------------------------------------------------------- */

typedef struct sinew_log_event {
    const char *sql;            /* the statement text */
    double ms;                  /* time spent in the database for it */
    int64_t rows;               /* rows returned or changed */
    int status;                 /* SINEW_OK or the failure */
    const char *message;        /* non-SQL messages (N+1 reports), else NULL */
} sinew_log_event;

typedef void (*sinew_log_fn)(void *ctx, const sinew_log_event *event);

/* Install a log hook (NULL to remove). SINEW_LOG=sql in the environment logs to stderr. */
SINEW_API void sinew_db_set_log(sinew_db *db, sinew_log_fn fn, void *ctx);

/* ---- statistics ----------------------------------------------------------- */

typedef struct sinew_stats {
    uint64_t statements;        /* statements executed */
    uint64_t rows;              /* rows read */
    double ms;                  /* time in the database */
} sinew_stats;

SINEW_API sinew_stats sinew_db_stats(const sinew_db *db);
SINEW_API void sinew_db_reset_stats(sinew_db *db);

#ifdef __cplusplus
}
#endif
#endif
