/*
 * sinew/driver.h - the database driver interface.
 *
 * A driver is a struct of function pointers with a version field, in the
 * manner of SQLite's VFS: sinew's runtime talks to every database through it
 * and never includes a driver's own headers. sinew ships "sqlite" and
 * "postgres"; sinew_register_driver() adds others (or wraps one, as the
 * fault-injection tests do).
 *
 * Conventions: out-parameters come last, as in the rest of the API
 * (open(url, &conn), prepare(conn, sql, &stmt); docs/api.md), and parameter
 * and column indexes are 0-based `int`s, as SQLite's are. Functions return
 * SINEW_* status codes and record the detail with sinew_error_set*() (see
 * sinew/status.h). Pointers returned by column_text/column_blob stay valid
 * until the next step, reset or finalize of that statement.
 */
#ifndef SINEW_DRIVER_H
#define SINEW_DRIVER_H

#include "export.h"

#include <stdint.h>
#include "dialect.h"
#include "schema.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The driver interface version this header describes. A driver sets
 * `version` to the SINEW_DRIVER_VERSION it was compiled against, and sinew
 * accepts every version from 1 up to its own, as SQLite does with a VFS's
 * iVersion: members are only ever appended, each new one optional, and sinew
 * never reads a member past the version a driver declares (the registry
 * treats the ones it lacks as NULL). A driver newer than sinew is refused.
 *
 *   1  everything up to copy_end
 *   2  column_cell
 *   3  sinew_dialect.decimal_cast and the four lexical flags (sinew/dialect.h)
 *   4  sinew_dialect.type_from_sql to fk_violations_query (migrations and drift)
 *   5  introspect_schemas; sinew_dialect.has_row_locks and row_lock_alternative (row locks)
 *   6  open(url, &conn): the out-parameter last, as everywhere in the API
 *      (docs/api.md); versions 1-5 had open(&conn, url);
 *      sinew_dialect.max_ident_len (the database's identifier length limit);
 *      sinew_dialect.ident_quote to has_infinity (MariaDB / MySQL spellings)
 *
 * A driver of version 1 to 5 keeps its open(&conn, url) and stores it with
 * SINEW_DRIVER_OPEN_V1(fn): the registry calls it with the arguments in that
 * older order, so a driver built before version 6 works unchanged.
 *
 *   7  pipeline_begin, send, receive, pipeline_end (pipelining);
 *      sinew_dialect.distribution_extension (distributed tables) and primary_key_unnamed
 *   8  sinew_dialect.json_text to json_contains_alternative (values inside json columns)
 *      and sinew_dialect.params_positional to unique_named_by_column (what MariaDB / MySQL lack)
 *      and sinew_dialect.create_schema (tables in named schemas, `@@schema`) and
 *      migrations_exist_query (`migrate status` / `check` only read), and
 *      no_partial_indexes, and
 *      create_index_concurrently to xact_try_lock_query (online migrations)
 *   9  conn_dialect (a connection's own dialect, chosen from its server);
 *      sinew_dialect.insert_no_returning (MySQL, MariaDB before 10.5);
 *      bind_rows (the fields of many structs bound in one call)
 *  10  column_cells (the cells of a row read in one call)
 */
#define SINEW_DRIVER_VERSION 10

typedef struct sinew_conn sinew_conn;    /* a driver's connection (driver-defined) */
typedef struct sinew_stmt sinew_stmt;    /* a driver's prepared statement (driver-defined) */

/* A parsed database URL. Every string is owned by the URL; absent parts are NULL / 0. */
typedef struct sinew_url {
    char *scheme;          /* "sqlite", "postgres", "mariadb", "mysql" */
    char *user;
    char *password;
    char *host;
    int port;
    char *path;            /* sqlite: the file (":memory:" for memory); postgres: database name */
    size_t nparams;
    char **keys;           /* ?key=value pairs, percent-decoded */
    char **values;
} sinew_url;

/*
 * Parse "sqlite:path", "sqlite::memory:", "sqlite:///abs/path",
 * "postgres://user:pass@host:port/db?sslmode=disable" (also "postgresql://"),
 * "mariadb://user:pass@host:port/db?ssl-mode=REQUIRED" (also "mysql://").
 * On failure returns SINEW_INVALID with a message naming the bad part.
 */
SINEW_API int sinew_url_parse(const char *text, sinew_url **out);
SINEW_API void sinew_url_free(sinew_url *url);
SINEW_API const char *sinew_url_param(const sinew_url *url, const char *key);   /* NULL if absent */
/*
 * For a driver's open(): SINEW_INVALID naming the first ?key= that is not in
 * `known` (a NULL-terminated list) and listing the known ones, so a
 * misspelt parameter is not silently ignored. `driver` names the backend.
 */
SINEW_API int sinew_url_check_params(const sinew_url *url, const char *driver, const char *const *known);
/*
 * ?isolation=read_committed|repeatable_read|serializable, the isolation level
 * every transaction on the connection runs at (SQLAlchemy's and Django's
 * engine-level isolation_level). *sql gets the SQL words ("READ COMMITTED",
 * "REPEATABLE READ", "SERIALIZABLE"), or NULL when the URL does not say;
 * another value is SINEW_INVALID naming the parameter, the value and the
 * accepted ones.
 */
SINEW_API int sinew_url_isolation(const sinew_url *url, const char **sql);

/* Storage class of a result column in the current row (for raw reads). */
typedef enum sinew_storage {
    SINEW_STORAGE_NULL = 0,
    SINEW_STORAGE_INT,
    SINEW_STORAGE_FLOAT,
    SINEW_STORAGE_TEXT,
    SINEW_STORAGE_BLOB
} sinew_storage;

/* One result column read whole: its storage class and value. Text and blob
 * pointers stay valid as column_text's do. */
typedef struct sinew_cell {
    sinew_storage storage;
    size_t len;                 /* bytes of text or blob */
    union {
        int64_t i;              /* SINEW_STORAGE_INT */
        double f;               /* SINEW_STORAGE_FLOAT */
        const void *p;          /* SINEW_STORAGE_TEXT (NUL-terminated) and _BLOB */
    } u;
} sinew_cell;

typedef struct sinew_driver {
    int version;                         /* SINEW_DRIVER_VERSION */
    const char *name;                    /* "sqlite" */
    const char *const *schemes;          /* URL schemes it serves, NULL-terminated */
    const sinew_dialect *dialect;        /* sinew/dialect.h */

    int (*open)(const sinew_url *url, sinew_conn **out);
    void (*close)(sinew_conn *conn);

    int (*prepare)(sinew_conn *conn, const char *sql, sinew_stmt **out);
    int (*bind)(sinew_stmt *stmt, int index, const sinew_value *value);
    int (*step)(sinew_stmt *stmt);       /* SINEW_ROW, SINEW_DONE, or an error status */
    int (*reset)(sinew_stmt *stmt);      /* ready to bind and step again */
    void (*finalize)(sinew_stmt *stmt);

    int (*column_count)(sinew_stmt *stmt);
    const char *(*column_name)(sinew_stmt *stmt, int index);
    sinew_storage (*column_storage)(sinew_stmt *stmt, int index);
    int64_t (*column_i64)(sinew_stmt *stmt, int index);
    double (*column_f64)(sinew_stmt *stmt, int index);
    const char *(*column_text)(sinew_stmt *stmt, int index, size_t *len);
    const void *(*column_blob)(sinew_stmt *stmt, int index, size_t *len);

    int (*exec)(sinew_conn *conn, const char *sql);   /* statements without parameters or rows */
    int (*begin)(sinew_conn *conn);
    int (*commit)(sinew_conn *conn);
    int (*rollback)(sinew_conn *conn);
    int (*savepoint)(sinew_conn *conn, const char *name);
    int (*release)(sinew_conn *conn, const char *name);
    int (*rollback_to)(sinew_conn *conn, const char *name);
    int64_t (*changes)(sinew_conn *conn);             /* rows changed by the last statement */
    int64_t (*last_insert_id)(sinew_conn *conn);
    int (*in_transaction)(sinew_conn *conn);          /* 1 if a transaction is open */

    /*
     * Optional: read the live schema into a graph, for sinew_introspect()
     * (`db pull`, `migrate check`, `diagram --db`); the built-in drivers read
     * their catalogs here. NULL makes sinew_introspect() SINEW_UNSUPPORTED.
     */
    int (*introspect)(sinew_conn *conn, sinew_schema **out);

    /*
     * Optional: make the statement's next execution deliver rows one at a
     * time in constant memory, for streaming iterators (NULL when the
     * driver already does, as SQLite's does). Other statements and
     * transaction commands may run on the connection while a stream is open
     * (a lazy load inside the iteration, a write per row): a driver whose
     * protocol cannot interleave them first reads the stream's remaining
     * rows into the client (the built-in PostgreSQL and MariaDB drivers do;
     * the stream then goes on from them, correct but no longer in constant
     * memory). A statement whose result failed part way must be runnable
     * again at once.
     */
    int (*stream)(sinew_stmt *stmt);

    /*
     * Optional bulk load, NULL when the backend has none (SQLite's multi-row
     * INSERT is as fast). copy_begin() starts `sql`, a COPY ... FROM STDIN;
     * copy_row() sends one row of n values (buffered); copy_end() sends the
     * rest and reports the outcome (ok = 0 abandons the copy: nothing is
     * written). No other statement may run between begin and end.
     */
    int (*copy_begin)(sinew_conn *conn, const char *sql);
    int (*copy_row)(sinew_conn *conn, const sinew_value *vals, size_t n);
    int (*copy_end)(sinew_conn *conn, int ok);

    /*
     * Optional: column `index` of the current row in one call, storage class
     * and value. Hydration prefers it to column_storage() plus a typed reader
     * (one call a column instead of two); NULL makes it use those.
     */
    void (*column_cell)(sinew_stmt *stmt, int index, sinew_cell *out);

    /*
     * Optional (version 5): read the tables of the n (> 0) named schemas, as
     * introspect() reads those of the connection's search path, for
     * sinew_introspect_schemas() (`db pull --schema NAME`), each model with
     * its schema (sinew_model.db_schema). An empty name stands for the
     * search path, read as introspect() reads it, models without a schema
     * (sinew_introspect_like: a file with and without @@schema). A name that is
     * not a schema of the database is SINEW_NOTFOUND. It only reads (it may
     * be called inside a transaction) and leaves the connection as it found it. NULL: the backend
     * has one schema, and sinew_introspect_schemas() with n > 0 is
     * SINEW_UNSUPPORTED.
     */
    int (*introspect_schemas)(sinew_conn *conn, const char *const *schemas, size_t n, sinew_schema **out);

    /*
     * Optional (version 7): pipelining, for statements that do not wait for
     * each other's answers (a flush's updates and its batches on PostgreSQL,
     * the per-level loads of a prefetch, through libpq's pipeline mode).
     * Inside a transaction, or for reads only (a prefetch outside one: the
     * executions up to the first receive() then run as one implicit
     * transaction of the server's).
     * pipeline_begin() enters the mode; prepare, exec and the transaction
     * calls are not made until pipeline_end(). send() queues one execution
     * of a bound statement without waiting; the statement may be bound anew
     * and sent again at once. receive() reads the answer of the oldest
     * execution not read yet into stmt, which must be the statement sent
     * then: it returns that execution's status (SINEW_OK, or its error; an
     * execution after a failed one is skipped by the server and reported
     * as failed), and step(), changes() and the column readers then report
     * on it. pipeline_end() reads and drops the answers not read and leaves
     * the mode. All four or none; NULL: every statement waits for its answer.
     */
    int (*pipeline_begin)(sinew_conn *conn);
    int (*send)(sinew_stmt *stmt);
    int (*receive)(sinew_stmt *stmt);
    int (*pipeline_end)(sinew_conn *conn);

    /*
     * Optional (version 9): the dialect of this open connection, where what the SQL may say
     * depends on the server it reached (MariaDB 10.5 and later have INSERT ... RETURNING, MySQL
     * and older MariaDB have not: a dialect with insert_no_returning). sinew_open() asks once,
     * after open(); the dialect must outlive the connection. NULL, or a NULL result: `dialect`.
     */
    const sinew_dialect *(*conn_dialect)(sinew_conn *conn);

    /*
     * Optional (version 9): bind the fields of nrows structs in one call, for
     * multi-row statements (a flush's batched INSERT): parameter
     * first + r * ncols + k (r < nrows, k < ncols) gets field fields[cols[k]]
     * of objs[r], exactly what bind() would be given for it,
     * sinew_field_value(&fields[cols[k]], objs[r]) (below). It saves a call
     * through the vtable and a sinew_value per column. An error stops at the
     * value that failed, as bind() reports it. NULL: sinew reads each value
     * and calls bind().
     */
    int (*bind_rows)(sinew_stmt *stmt, int first, const sinew_field *fields, const unsigned *cols, size_t ncols,
                     void *const *objs, size_t nrows);

    /*
     * Optional (version 10): the n cells of columns first .. first + n - 1
     * of the current row in one call, out[k] for column first + k, each
     * exactly what column_cell() gives for it (storage class and value, the
     * length of text and blobs always set). expect[k] is the storage the
     * caller's model expects there (its plan, made once per statement, the
     * same for every row; SINEW_STORAGE_NULL: no expectation): a driver may
     * read that class first, but a cell holding another class (NULL, a
     * number in a text column) is still reported as what it holds, and the
     * caller then raises the type error or converts, as for column_cell.
     * Text and blob pointers are borrowed from the driver's row and stay
     * valid as column_text's do, until the next step, reset or finalize of
     * the statement; text is NUL-terminated. It saves a call through the
     * table per column: streaming and loads read every column of a row.
     * NULL: sinew reads each cell with column_cell, or column_storage and a
     * typed reader.
     */
    void (*column_cells)(sinew_stmt *stmt, int first, int n, const sinew_storage *expect, sinew_cell *out);
} sinew_driver;

/*
 * The value field f of the struct obj binds as (for a driver's bind_rows):
 * NULL when a nullable field's presence flag is false or a text pointer is
 * NULL, an enum as its name (SINEW_TEXT; an index out of range as the
 * number), text and blobs borrowed from obj (valid while obj is).
 */
SINEW_API sinew_value sinew_field_value(const sinew_field *f, const void *obj);

/* open() as drivers of interface versions 1 to 5 declare it (out-parameter first), and
 * the cast that stores one in a struct declaring such a version (see SINEW_DRIVER_VERSION). */
typedef int (*sinew_driver_open_v1)(sinew_conn **out, const sinew_url *url);
#define SINEW_DRIVER_OPEN_V1(fn) \
    ((int (*)(const sinew_url *, sinew_conn **))(void (*)(void))(sinew_driver_open_v1)(fn))

/*
 * Make a driver available to sinew_open(); it then serves its schemes ahead of
 * the built-in drivers. The struct must outlive its use. Refused (SINEW_MISUSE,
 * naming the member) when the version is outside 1..SINEW_DRIVER_VERSION or a
 * required member is NULL: everything but introspect, stream, the copy_*
 * trio (all three or none), column_cell, introspect_schemas, the
 * pipelining four (all or none), bind_rows and column_cells is required.
 */
SINEW_API int sinew_register_driver(const sinew_driver *driver);
/* The driver serving a URL scheme, or NULL. For a driver registered with an older
 * version this is sinew's copy of it, with the members its version lacks NULL. */
SINEW_API const sinew_driver *sinew_find_driver(const char *scheme);

/* The built-in drivers, for wrapping (see tests/install/driver_wrapper.c). The
 * PostgreSQL one exists when sinew was built with it (SINEW_POSTGRES, the default):
 * sinew_find_driver("postgres") says so at run time without a link error. */
SINEW_API extern const sinew_driver sinew_sqlite_driver;
SINEW_API extern const sinew_driver sinew_postgres_driver;
/* The MariaDB / MySQL one, when sinew was built with MariaDB Connector/C (SINEW_MARIADB). */
SINEW_API extern const sinew_driver sinew_mariadb_driver;

#ifdef __cplusplus
}
#endif
#endif
