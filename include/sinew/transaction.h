/*
 * sinew/transaction.h - running a function in a transaction, retried on
 * serialization failures, deadlocks and busy databases with bounded,
 * jittered exponential backoff. This is what PostgreSQL SERIALIZABLE and
 * PostgreSQL-compatible distributed engines (CockroachDB, YugabyteDB)
 * require of their clients.
 *
 *   static int transfer(sinew_db *db, void *ctx) { ... return SINEW_OK; }
 *   int rc = sinew_transaction(db, transfer, &args, NULL);   // default policy
 *
 * `fn` may be called several times: it must start from scratch each time
 * (reload what it reads) and have no effects outside the database.
 */
#ifndef SINEW_TRANSACTION_H
#define SINEW_TRANSACTION_H

#include "export.h"

#include "db.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sinew_retry_policy {
    int max_attempts;        /* total tries, including the first (default 5) */
    int base_delay_ms;       /* first backoff (default 5 ms), doubled each retry */
    int max_delay_ms;        /* backoff cap (default 500 ms) */
} sinew_retry_policy;

typedef int (*sinew_tx_fn)(sinew_db *db, void *ctx);

/*
 * BEGIN; fn; COMMIT. When fn or the COMMIT fails with SINEW_RETRY or
 * SINEW_BUSY, roll back, wait, and try again, up to the policy's bound;
 * any other failure rolls back and is returned at once. Inside an open
 * transaction fn runs in a savepoint and is not retried (the outermost
 * transaction owns retries). `attempts`, when not NULL, receives the number
 * of tries made.
 */
SINEW_API int sinew_transaction_ex(sinew_db *db, sinew_tx_fn fn, void *ctx, const sinew_retry_policy *policy,
                         int *attempts);
SINEW_API int sinew_transaction(sinew_db *db, sinew_tx_fn fn, void *ctx, const sinew_retry_policy *policy);

#ifdef __cplusplus
}
#endif
#endif
