/* See faulty_driver.h. */
#include "faulty_driver.h"
#include <stdio.h>
#include <string.h>

static const sinew_driver *real;
static sinew_driver wrap;
static long calls, fail_at, injected;
static int fail_status;

long faulty_calls(void) { return calls; }
long faulty_injected(void) { return injected; }
void faulty_arm(long at, int status)
{
    fail_at = at;
    fail_status = status;
}

static int tick(const char *what)
{
    calls++;
    if (fail_at && calls == fail_at) {
        injected++;
        fail_at = 0;
        return sinew_error_set(fail_status, "injected fault in %s (call %ld)", what, calls);
    }
    return SINEW_OK;
}

static int w_prepare(sinew_conn *c, const char *sql, sinew_stmt **out)
{
    int rc = tick("prepare");
    if (rc) {
        *out = NULL;
        return rc;
    }
    return real->prepare(c, sql, out);
}
static int w_bind(sinew_stmt *st, int i, const sinew_value *v) { int rc = tick("bind"); return rc ? rc : real->bind(st, i, v); }
static int w_bind_rows(sinew_stmt *st, int first, const sinew_field *f, const unsigned *cols, size_t ncols,
                       void *const *objs, size_t nrows)
{
    int rc = tick("bind_rows");
    return rc ? rc : real->bind_rows(st, first, f, cols, ncols, objs, nrows);
}
static int w_step(sinew_stmt *st)
{
    int rc = tick("step");
    if (rc) {
        real->reset(st);
        return rc;
    }
    return real->step(st);
}
static int w_exec(sinew_conn *c, const char *sql) { int rc = tick("exec"); return rc ? rc : real->exec(c, sql); }
static int w_begin(sinew_conn *c) { int rc = tick("begin"); return rc ? rc : real->begin(c); }
static int w_commit(sinew_conn *c) { int rc = tick("commit"); return rc ? rc : real->commit(c); }
static int w_savepoint(sinew_conn *c, const char *n) { int rc = tick("savepoint"); return rc ? rc : real->savepoint(c, n); }
static int w_release(sinew_conn *c, const char *n) { int rc = tick("release"); return rc ? rc : real->release(c, n); }

/* pipelining (PostgreSQL): a fault in sending or in reading one answer of a pipeline */
static int w_send(sinew_stmt *st) { int rc = tick("send"); return rc ? rc : real->send(st); }
static int w_receive(sinew_stmt *st)
{
    int rc = tick("receive");
    if (rc) return rc;   /* the answer stays unread: pipeline_end drops it */
    return real->receive(st);
}

static int w_copy_begin(sinew_conn *c, const char *sql) { int rc = tick("copy_begin"); return rc ? rc : real->copy_begin(c, sql); }
static int w_copy_row(sinew_conn *c, const sinew_value *v, size_t n) { int rc = tick("copy_row"); return rc ? rc : real->copy_row(c, v, n); }
static int w_copy_end(sinew_conn *c, int ok)
{
    if (!ok) return real->copy_end(c, 0);   /* abandoning cannot fail */
    int rc = tick("copy_end");
    if (rc) real->copy_end(c, 0);          /* the copy is over either way */
    return rc ? rc : real->copy_end(c, 1);
}

void faulty_install(const char *scheme)
{
    real = sinew_find_driver(scheme);
    if (!real) {
        fprintf(stderr, "faulty_install: no driver for %s\n", scheme);
        return;
    }
    wrap = *real;
    wrap.prepare = w_prepare;
    wrap.bind = w_bind;
    if (real->bind_rows) wrap.bind_rows = w_bind_rows;   /* a batch's rows: one call a chunk */
    wrap.step = w_step;
    wrap.exec = w_exec;
    wrap.begin = w_begin;
    wrap.commit = w_commit;
    wrap.savepoint = w_savepoint;
    wrap.release = w_release;
    if (real->copy_begin) {
        wrap.copy_begin = w_copy_begin;
        wrap.copy_row = w_copy_row;
        wrap.copy_end = w_copy_end;
    }
    if (real->send) {
        wrap.send = w_send;
        wrap.receive = w_receive;
    }
    sinew_register_driver(&wrap);
}
