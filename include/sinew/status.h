/*
 * sinew/status.h - status codes and error detail.
 *
 * Every sinew function that can fail returns an int status; SINEW_OK is 0.
 * The detail of the most recent failure on the calling thread (message,
 * SQLSTATE, constraint, table, column) is kept in a thread-local record, in
 * the manner of libgit2's git_error_last(): read it with sinew_last_error()
 * or sinew_errmsg() right after the failing call.
 */
#ifndef SINEW_STATUS_H
#define SINEW_STATUS_H

#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    SINEW_OK = 0,
    SINEW_ERROR = 1,      /* a failure with no more specific code */
    SINEW_NOTFOUND,       /* no row matched */
    SINEW_MULTIPLE,       /* more than one row where exactly one was expected */
    SINEW_CONSTRAINT,     /* unique, not-null, foreign-key or check violation */
    SINEW_MISUSE,         /* the API was called wrongly (bad argument, wrong state) */
    SINEW_NOMEM,          /* an allocation failed or a memory limit was reached */
    SINEW_IOERR,          /* the database could not read or write its storage */
    SINEW_BUSY,           /* the database is locked by someone else; may be retried */
    SINEW_CONFLICT,       /* optimistic-lock (@version) conflict: the row changed */
    SINEW_NPLUSONE,       /* N+1 query detected while the detector is in error mode */
    SINEW_TYPE,           /* a value's type does not match the field's type */
    SINEW_INVALID,        /* bad input: URL, schema text, value format */
    SINEW_RETRY,          /* serialization failure or deadlock: retry the transaction */
    SINEW_CONNECTION,     /* the connection to the server was lost */
    SINEW_UNSUPPORTED,    /* the backend cannot do this */
    SINEW_INTERNAL,       /* a bug in sinew: please report it */
    SINEW_READONLY,       /* the server takes reads only (a hot standby, a read-only transaction):
                             send the write to the primary */

    SINEW_ROW = 100,      /* sinew_stmt_step(): a row is ready */
    SINEW_DONE = 101      /* sinew_stmt_step(): no more rows */
};

/* Detail of the last failure on this thread. Strings are empty, never NULL. */
typedef struct sinew_error {
    int status;             /* one of the SINEW_* codes above */
    int db_code;            /* the database's own code (SQLite extended code), or 0 */
    char sqlstate[6];       /* five-character SQLSTATE where known, else "" */
    char message[512];      /* what happened, to what, and what to do */
    char table[128];        /* table involved, where the database says */
    char column[128];       /* column involved, where the database says */
    char constraint[128];   /* constraint name, where the database says */
} sinew_error;

/* The last error recorded on the calling thread (never NULL). */
SINEW_API const sinew_error *sinew_last_error(void);

/* Shorthand for sinew_last_error()->message. */
SINEW_API const char *sinew_errmsg(void);

/* Forget the last error on this thread. */
SINEW_API void sinew_clear_error(void);

/* Record an error (printf-style message) and return `status`. For drivers and extensions.
 * Marked cold: the compiler moves the paths that call it out of the hot code. */
SINEW_API int sinew_error_set(int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3), cold))
#endif
    ;
/* Add database detail to the current error (any argument may be NULL / 0). */
SINEW_API void sinew_error_detail(int db_code, const char *sqlstate, const char *table,
                        const char *column, const char *constraint);

/* The name of a status code, e.g. "SINEW_NOTFOUND". */
SINEW_API const char *sinew_status_name(int status);

#ifdef __cplusplus
}
#endif
#endif
