/*
 * online.h - private to the migrate layer: the lines of a migration file that
 * say how it runs (docs/migrations.md, "Online migrations"):
 *
 *   -- sinew: lock_timeout 2s          for the whole migration (ms, s, min; a bare number is ms)
 *   -- sinew: statement_timeout 10min
 *   -- sinew: lock_retries 5           runs again after a lock timeout (default 3 with a lock_timeout)
 *   -- sinew: no-transaction           the next statement runs alone, outside any transaction
 */
#ifndef SINEW_MIGRATE_ONLINE_H
#define SINEW_MIGRATE_ONLINE_H

#include "migrate/files.h"
#include "orm/orm.h"

typedef struct sn_mig_online {
    long lock_ms, stmt_ms;      /* -1: not said */
    int retries;                /* runs after the first one, on a lock timeout */
    unsigned char *notx;        /* per statement of the sn_stmts read: 1 = no-transaction step */
    size_t nnotx;               /* how many are */
} sn_mig_online;

/* Read the directives of `text` (from `path`), whose statements are `st`; a bad one is SINEW_INVALID
   with path:line:col. */
int sn_mig_online_read(const char *text, const char *path, const sn_stmts *st, sn_mig_online *out);
void sn_mig_online_free(sn_mig_online *o);
/* Whether this connection can run what `o` asks (its dialect's members); a clear refusal if not. */
int sn_mig_online_supported(const sinew_db *db, const sn_mig_online *o, const char *path);
/* The migration's timeouts for the open transaction (SET LOCAL). */
int sn_mig_online_set_local(sinew_db *db, const sn_mig_online *o);
/* 1: the error just set is the dialect's lock timeout (worth running the migration again). */
int sn_mig_online_lock_timed_out(const sinew_db *db);
/* Wait before retry number `attempt` (1, 2, ...): 200 ms doubling, at most 5 s. */
void sn_mig_online_backoff(int attempt);

#endif
