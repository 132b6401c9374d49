/*
 * sn_limits.h - every fixed limit of sinew, in one place (not "limits.h": src/base
 * is on the include path, where that name would hide the C library's <limits.h>).
 *
 * The schema resolver refuses a schema past any of them with a diagnostic
 * (src/schema/limits.c), so a model that reaches the ORM fits; the ORM checks
 * them again only for models written by hand (without the resolver) and for
 * what a query builds at run time. Tests at each limit: tests/schema/test_limits.c
 * and tests/crud/test_limits.c.
 *
 * Not here because they are not fixed: the bound parameters a statement may
 * take (the dialect's max_params: IN lists, batched loads and multi-row
 * inserts are split to fit, a query that cannot be is refused) and
 * SINEW_MAX_PATH, the relations one prefetch path or column may go through,
 * which is public (sinew/query.h) because callers size arrays with it.
 */
#ifndef SINEW_BASE_SN_LIMITS_H
#define SINEW_BASE_SN_LIMITS_H

/* Fields (columns) per model, implicit foreign-key fields included: a model's
 * change, insert and null masks are uint64_t, one bit a field. */
#define SN_MAX_FIELDS 64

/* Relations per model (to-one, to-many and many-to-many, inverses included): the
 * per-object "loaded" mask is a uint64_t. */
#define SN_MAX_RELATIONS 64

/* Fields of one primary key, and so columns of one foreign key (a relation's
 * keys are its target's primary key): key values are held in arrays of this
 * size on the identity map's and the loaders' paths. */
#define SN_MAX_KEY 16

/* Joins, order keys, group keys, aggregates, HAVING terms and prefetches of one query. */
#define SN_MAX_QUERY_TERMS 16

#endif
