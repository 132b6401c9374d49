/*
 * transaction.c - run a function in a transaction, retrying serialization
 * failures, deadlocks and busy errors with bounded exponential backoff and
 * jitter, as SERIALIZABLE PostgreSQL and distributed engines require.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "orm.h"
#include "sinew/transaction.h"

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int retryable(int rc) { return rc == SINEW_RETRY || rc == SINEW_BUSY; }

/* one attempt: w's statements around BEGIN ... COMMIT / ROLLBACK (w NULL around a savepoint) */
static int attempt_once(sinew_db *db, const sn_tx_wrap *w, sinew_tx_fn fn, void *ctx)
{
    int rc = w && w->before ? sinew_exec(db, w->before) : SINEW_OK;
    if (rc) return rc;
    rc = sinew_begin(db);
    if (rc == SINEW_OK) {
        if (w && w->first) rc = sinew_exec(db, w->first);
        if (rc == SINEW_OK) rc = fn(db, ctx);
        if (rc == SINEW_OK) rc = sinew_commit(db);   /* a failed COMMIT rolls back itself */
        else {
            sinew_error saved = *sinew_last_error();
            sinew_rollback(db);
            *sn_error_mut() = saved;
        }
    }
    if (w && w->after) {
        /* undone on failure too (SQLite's query_only would outlive the transaction); the
         * transaction's own error is the one reported */
        sinew_error saved = *sinew_last_error();
        int undo = sinew_exec(db, w->after);
        if (rc) *sn_error_mut() = saved;
        else rc = undo;
    }
    return rc;
}

int sinew_transaction_ex(sinew_db *db, sinew_tx_fn fn, void *ctx, const sinew_retry_policy *policy, int *attempts)
{
    return sn_transaction_wrapped(db, NULL, fn, ctx, policy, attempts);
}

int sn_transaction_wrapped(sinew_db *db, const sn_tx_wrap *w, sinew_tx_fn fn, void *ctx,
                           const sinew_retry_policy *policy, int *attempts)
{
    if (attempts) *attempts = 0;
    if (!db || !fn) return sinew_error_set(SINEW_MISUSE, "sinew_transaction: db and fn must not be NULL");
    sinew_retry_policy p = {5, 5, 500};
    if (policy) {
        if (policy->max_attempts > 0) p.max_attempts = policy->max_attempts;
        if (policy->base_delay_ms >= 0) p.base_delay_ms = policy->base_delay_ms;
        if (policy->max_delay_ms > 0) p.max_delay_ms = policy->max_delay_ms;
    }
    int nested = sinew_tx_depth(db) > 0;
    int delay = p.base_delay_ms;
    for (int attempt = 1;; attempt++) {
        if (attempts) *attempts = attempt;
        int rc = attempt_once(db, nested ? NULL : w, fn, ctx);
        if (rc == SINEW_OK || nested || !retryable(rc)) return rc;
        if (attempt >= p.max_attempts) {
            sinew_error *e = sn_error_mut();
            size_t len = strlen(e->message);
            if (len + 40 < sizeof e->message)
                snprintf(e->message + len, sizeof e->message - len, " (gave up after %d attempts)", attempt);
            return rc;
        }
        /* full jitter: a random wait up to the current bound */
        int wait = delay > 0 ? rand() % (delay + 1) : 0;
        sleep_ms(wait);
        delay = delay * 2 > p.max_delay_ms ? p.max_delay_ms : delay * 2;
    }
}

int sinew_transaction(sinew_db *db, sinew_tx_fn fn, void *ctx, const sinew_retry_policy *policy)
{
    return sinew_transaction_ex(db, fn, ctx, policy, NULL);
}
