/*
 * pool_support.c - see pool_support.h.
 */
#include "pool_support.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

static int counter;

void pool_target_make(pool_target *t)
{
    memset(t, 0, sizeof *t);
    if (th_is_postgres()) {
        t->owner = th_open();
        snprintf(t->url, sizeof t->url, "%s", th_last_url());
    } else {
        snprintf(t->url, sizeof t->url, "sqlite:%s/pool_%d.db", th_tmpdir(), ++counter);
    }
}

void pool_target_drop(pool_target *t)
{
    if (t->owner) th_close(t->owner);
    t->owner = NULL;
}

int pool_scalar(sinew_db *db, const char *sql, int64_t *out)
{
    *out = 0;
    sinew_session *s;
    int rc = sinew_session_new(db, &s);
    if (rc) return rc;
    sinew_rows *r;
    rc = sinew_raw_rows(s, sql, NULL, 0, &r);
    if (rc == SINEW_OK) {
        rc = sinew_rows_next(r);
        if (rc == SINEW_ROW) {
            sinew_value v = sinew_rows_value(r, 0);
            *out = v.is_null ? 0 : v.u.i;
            rc = SINEW_OK;
        } else if (rc == SINEW_DONE) {
            rc = sinew_error_set(SINEW_NOTFOUND, "pool_scalar: no row from %s", sql);
        }
        sinew_rows_free(r);
    }
    sinew_session_free(s);
    return rc;
}

int64_t pool_scalar_ok(sinew_db *db, const char *sql)
{
    int64_t v;
    int rc = pool_scalar(db, sql, &v);
    if (rc != SINEW_OK) fail_msg("%s: %s: %s", sql, sinew_status_name(rc), sinew_errmsg());
    return v;
}

int pool_execf(sinew_db *db, const char *fmt, ...)
{
    char sql[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    return sinew_exec(db, sql);
}

double pool_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void pool_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}
