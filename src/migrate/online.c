/*
 * online.c - the `-- sinew:` lines of a migration file that say how it runs
 * (online.h): timeouts, retries after a lock timeout, and the statements
 * that must run alone, outside any transaction (CREATE INDEX CONCURRENTLY,
 * ALTER TYPE ... ADD VALUE on older servers). A line that looks like one
 * and is not is an error with its place, never silently ignored.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "migrate/online.h"

void sn_mig_online_free(sn_mig_online *o)
{
    sn_free(o->notx);
    o->notx = NULL;
}

static int bad(const char *path, int line, int col, const char *what)
{
    return sinew_error_set(SINEW_INVALID, "%s:%d:%d: error: %s", path, line, col, what);
}

/* "500ms", "2s", "1min", "250" (ms) -> milliseconds; -1 when it is none of these */
static long duration_ms(const char *s, size_t n)
{
    size_t i = 0;
    long v = 0;
    if (!n || !isdigit((unsigned char)s[0])) return -1;
    while (i < n && isdigit((unsigned char)s[i])) {
        if (v > 86400000L) return -1;
        v = v * 10 + (s[i++] - '0');
    }
    const char *u = s + i;
    size_t un = n - i;
    long mul = 0;
    if (un == 0 || (un == 2 && !strncmp(u, "ms", 2))) mul = 1;
    else if (un == 1 && *u == 's') mul = 1000;
    else if (un == 3 && !strncmp(u, "min", 3)) mul = 60000;
    if (!mul || v * mul > 86400000L) return -1;
    return v * mul;
}

/* is the line [b, e) blank or a -- comment */
static int blank_or_comment(const char *b, const char *e)
{
    while (b < e && isspace((unsigned char)*b)) b++;
    return b == e || (e - b >= 2 && b[0] == '-' && b[1] == '-');
}

int sn_mig_online_read(const char *text, const char *path, const sn_stmts *st, sn_mig_online *out)
{
    memset(out, 0, sizeof *out);
    out->lock_ms = out->stmt_ms = -1;
    out->retries = -1;
    out->notx = sn_calloc(st->n ? st->n : 1, 1);
    if (!out->notx) return sn_nomem();
    int line = 1, rc = SINEW_OK;
    for (const char *p = text; *p && !rc; line++) {
        const char *e = strchr(p, '\n');
        if (!e) e = p + strlen(p);
        const char *b = p;
        while (b < e && (*b == ' ' || *b == '\t')) b++;
        /* "-- sinew:" then a word and its argument (a migration's own header is "-- sinew migration") */
        if (e - b >= 9 && !strncmp(b, "-- sinew:", 9)) {
            const char *w = b + 9;
            while (w < e && isspace((unsigned char)*w)) w++;
            const char *we = w;
            while (we < e && !isspace((unsigned char)*we)) we++;
            const char *a = we;
            while (a < e && isspace((unsigned char)*a)) a++;
            const char *ae = e;
            while (ae > a && isspace((unsigned char)ae[-1])) ae--;
            size_t wn = (size_t)(we - w), an = (size_t)(ae - a);
            int col = (int)(w - p) + 1;
            char msg[400];
            if (wn == 14 && !strncmp(w, "no-transaction", 14)) {
                if (an) { rc = bad(path, line, col, "`-- sinew: no-transaction` takes nothing after it"); break; }
                size_t k = 0;
                while (k < st->n && st->line[k] <= line) k++;
                /* the statement it marks starts after it, with only blank lines and comments between */
                const char *q = *e ? e + 1 : e;
                int ok = k < st->n;
                for (int l = line + 1; ok && l < st->line[k] && *q; l++) {
                    const char *qe = strchr(q, '\n');
                    if (!qe) qe = q + strlen(q);
                    ok = blank_or_comment(q, qe);
                    q = *qe ? qe + 1 : qe;
                }
                if (!ok) {
                    rc = bad(path, line, col, "`-- sinew: no-transaction` marks no statement: put it on the line "
                             "right before the statement that must run outside a transaction");
                    break;
                }
                if (!out->notx[k]) out->nnotx++;
                out->notx[k] = 1;
            } else if ((wn == 12 && !strncmp(w, "lock_timeout", 12)) ||
                       (wn == 17 && !strncmp(w, "statement_timeout", 17))) {
                long ms = duration_ms(a, an);
                if (ms < 0) {
                    snprintf(msg, sizeof msg, "`-- sinew: %.*s %.*s`: say a duration of at most a day, as 500ms, "
                             "2s or 1min (a bare number is milliseconds)", (int)wn, w, (int)an, a);
                    rc = bad(path, line, col, msg);
                    break;
                }
                if (wn == 12) out->lock_ms = ms;
                else out->stmt_ms = ms;
            } else if (wn == 12 && !strncmp(w, "lock_retries", 12)) {
                char *end;
                char num[16];
                snprintf(num, sizeof num, "%.*s", (int)(an < 15 ? an : 15), a);
                long n = strtol(num, &end, 10);
                if (!an || an > 3 || *end || n < 0 || n > 100) {
                    rc = bad(path, line, col, "`-- sinew: lock_retries N`: say how many times to run the migration "
                             "again after a lock timeout, 0 to 100");
                    break;
                }
                out->retries = (int)n;
            } else if (!(wn >= 12 && !strncmp(w, "destructive:", 12))) {   /* make's marks of lossy steps */
                snprintf(msg, sizeof msg, "unknown `-- sinew: %.*s` line: sinew knows no-transaction, lock_timeout, "
                         "statement_timeout and lock_retries (write other comments without `sinew:`)", (int)wn, w);
                rc = bad(path, line, col, msg);
                break;
            }
        }
        p = *e ? e + 1 : e;
    }
    if (!rc && out->retries < 0) out->retries = out->lock_ms >= 0 ? 3 : 0;
    if (rc) sn_mig_online_free(out);
    return rc;
}

int sn_mig_online_supported(const sinew_db *db, const sn_mig_online *o, const char *path)
{
    const sinew_dialect *d = db->dialect;
    if (o->nnotx && d->ddl_in_transaction && (!d->migration_lock_query || !d->schema_fingerprint_query))
        return sinew_error_set(SINEW_UNSUPPORTED, "%s has %zu `-- sinew: no-transaction` step%s, which the %s dialect "
                               "cannot run: it runs each migration as one transaction and has no session lock or "
                               "schema fingerprint to resume an interrupted step by; nothing was run: remove the "
                               "line (the statement then runs in the migration's transaction)", path, o->nnotx,
                               o->nnotx == 1 ? "" : "s", d->name);
    if ((o->lock_ms >= 0 && !d->lock_timeout_setting) || (o->stmt_ms >= 0 && !d->statement_timeout_setting))
        return sinew_error_set(SINEW_UNSUPPORTED, "%s sets a %s, which the %s dialect has no setting for; nothing was "
                               "run: remove the `-- sinew: %s` line from this dialect's file", path,
                               o->lock_ms >= 0 && !d->lock_timeout_setting ? "lock_timeout" : "statement_timeout",
                               d->name, o->lock_ms >= 0 && !d->lock_timeout_setting ? "lock_timeout" : "statement_timeout");
    return SINEW_OK;
}

static int set_one(sinew_db *db, const char *name, long ms)
{
    char v[32];
    snprintf(v, sizeof v, "%ldms", ms);
    sn_buf b;
    sn_buf_init(&b);
    sn_sql_set_setting(&b, db->dialect, name, 1, v);
    int rc = b.failed ? sn_nomem() : sinew_exec(db, sn_buf_cstr(&b));
    sn_buf_free(&b);
    return rc;
}

int sn_mig_online_set_local(sinew_db *db, const sn_mig_online *o)
{
    int rc = SINEW_OK;
    if (o->lock_ms >= 0) rc = set_one(db, db->dialect->lock_timeout_setting, o->lock_ms);
    if (!rc && o->stmt_ms >= 0) rc = set_one(db, db->dialect->statement_timeout_setting, o->stmt_ms);
    return rc;
}

int sn_mig_online_lock_timed_out(const sinew_db *db)
{
    const char *s = db->dialect->lock_timeout_sqlstate;
    return s && !strcmp(sinew_last_error()->sqlstate, s);
}

void sn_mig_online_backoff(int attempt)
{
    long ms = 200;
    for (int i = 1; i < attempt && ms < 5000; i++) ms *= 2;
    if (ms > 5000) ms = 5000;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}
