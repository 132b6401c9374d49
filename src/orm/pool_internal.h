/*
 * pool_internal.h - what the read/write router (router.c) asks a pool, and
 * what a session made on a router (route.c) asks the router.
 */
#ifndef SINEW_ORM_POOL_INTERNAL_H
#define SINEW_ORM_POOL_INTERNAL_H

#include "sinew/pool.h"

/* 1 when db is lent out by p right now */
int sn_pool_lends(sinew_pool *p, const sinew_db *db);

/* A replica connection that has replayed everything written through the router, in *out; NULL there
 * when none is up and caught up (the read belongs on the primary). Always SINEW_OK: a failure only
 * takes its replica out, and the caller's error record is kept. Counted in stats.reads_on_replicas. */
int sn_router_read_replica(sinew_router *r, sinew_db **out);
/* a read served by the primary after all (stats.reads_on_primary) */
void sn_router_count_primary_read(sinew_router *r);
/* read the primary's WAL position on db (a primary connection outside a transaction) and raise the
 * router's read-your-writes mark to it; one round trip, failures ignored */
void sn_router_note_position(sinew_router *r, sinew_db *db);

#endif
