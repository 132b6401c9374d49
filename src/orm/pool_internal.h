/*
 * pool_internal.h - what the read/write router (router.c) asks a pool.
 */
#ifndef SINEW_ORM_POOL_INTERNAL_H
#define SINEW_ORM_POOL_INTERNAL_H

#include "sinew/pool.h"

/* 1 when db is lent out by p right now */
int sn_pool_lends(sinew_pool *p, const sinew_db *db);

#endif
