/*
 * error.c - the thread-local record of the last failure (libgit2's
 * git_error_last model): functions return a status, the detail waits here.
 */
#include <stdio.h>
#include <string.h>
#include "base.h"

static _Thread_local sinew_error last_error;

const sinew_error *sinew_last_error(void) { return &last_error; }
const char *sinew_errmsg(void) { return last_error.message; }
sinew_error *sn_error_mut(void) { return &last_error; }

void sinew_clear_error(void) { memset(&last_error, 0, sizeof last_error); }

int sn_error_vset(int status, const char *fmt, va_list ap)
{
    /* formatted aside first: an argument may be the current message itself
     * (sinew_error_set(rc, "%s (parameter %d)", sinew_errmsg(), n)), which
     * clearing the record first would wipe, or writing into it would garble */
    char msg[sizeof last_error.message];
    vsnprintf(msg, sizeof msg, fmt, ap);
    memset(&last_error, 0, sizeof last_error);
    last_error.status = status;
    memcpy(last_error.message, msg, sizeof msg);
    return status;
}

int sinew_error_set(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sn_error_vset(status, fmt, ap);
    va_end(ap);
    return status;
}

static void copy_field(char *dst, size_t cap, const char *src)
{
    if (!src) return;
    snprintf(dst, cap, "%s", src);
}

void sinew_error_detail(int db_code, const char *sqlstate, const char *table,
                        const char *column, const char *constraint)
{
    if (db_code) last_error.db_code = db_code;
    copy_field(last_error.sqlstate, sizeof last_error.sqlstate, sqlstate);
    copy_field(last_error.table, sizeof last_error.table, table);
    copy_field(last_error.column, sizeof last_error.column, column);
    copy_field(last_error.constraint, sizeof last_error.constraint, constraint);
}

int sn_nomem(void)
{
    return sinew_error_set(SINEW_NOMEM, "out of memory (allocation failed or the session's "
                                        "memory limit was reached)");
}

const char *sinew_status_name(int status)
{
    switch (status) {
    case SINEW_OK: return "SINEW_OK";
    case SINEW_ERROR: return "SINEW_ERROR";
    case SINEW_NOTFOUND: return "SINEW_NOTFOUND";
    case SINEW_MULTIPLE: return "SINEW_MULTIPLE";
    case SINEW_CONSTRAINT: return "SINEW_CONSTRAINT";
    case SINEW_MISUSE: return "SINEW_MISUSE";
    case SINEW_NOMEM: return "SINEW_NOMEM";
    case SINEW_IOERR: return "SINEW_IOERR";
    case SINEW_BUSY: return "SINEW_BUSY";
    case SINEW_CONFLICT: return "SINEW_CONFLICT";
    case SINEW_NPLUSONE: return "SINEW_NPLUSONE";
    case SINEW_TYPE: return "SINEW_TYPE";
    case SINEW_INVALID: return "SINEW_INVALID";
    case SINEW_RETRY: return "SINEW_RETRY";
    case SINEW_CONNECTION: return "SINEW_CONNECTION";
    case SINEW_UNSUPPORTED: return "SINEW_UNSUPPORTED";
    case SINEW_INTERNAL: return "SINEW_INTERNAL";
    case SINEW_READONLY: return "SINEW_READONLY";
    case SINEW_ROW: return "SINEW_ROW";
    case SINEW_DONE: return "SINEW_DONE";
    default: return "SINEW_(unknown)";
    }
}
