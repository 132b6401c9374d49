/*
 * steps.h - private to the migrate layer: running a migration statement by
 * statement, recording each step, where the dialect's DDL is not
 * transactional (MariaDB / MySQL commit every DDL statement at once), so
 * that a run that is killed is completed by the next one, never applied
 * twice or half-recorded (steps.c says how).
 */
#ifndef SINEW_MIGRATE_STEPS_H
#define SINEW_MIGRATE_STEPS_H

#include "migrate/files.h"
#include "orm/orm.h"

/* 1: this connection's migrations are recorded step by step (DDL is not transactional); where it is,
   only a migration with no-transaction steps is (sn_mig_steps_run with its directives). */
int sn_mig_stepwise(const sinew_db *db);
/* Take the session-level migration lock (the dialect's), create the bookkeeping tables. */
int sn_mig_steps_lock(sinew_db *db);
/* Release it (keeps the error that is set). */
void sn_mig_steps_unlock(sinew_db *db);
/*
 * The migration under way, if any: its name and direction (1 up, 0 down) for the
 * runner to refuse the other direction while one is interrupted. *name NULL: none.
 */
int sn_mig_steps_pending(sinew_db *db, char **name, int *up, int *done);
/*
 * Run the statements of migration m's file (text, read from path), up or down,
 * resuming where an interrupted run of it stopped; then, in one transaction,
 * record(ctx) (the sinew_migrations insert or delete) and forget the progress.
 */
struct sn_mig_online;
/* `on`: the file's directives (online.h), NULL for none: where DDL is transactional, its
   no-transaction steps run alone and the statements between them as transactions. */
int sn_mig_steps_run(sinew_db *db, const sn_mig *m, const char *path, const char *text, int up,
                     const struct sn_mig_online *on, int (*record)(sinew_db *db, void *ctx), void *ctx);

#endif
