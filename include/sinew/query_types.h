/*
 * sinew/query_types.h - the vocabulary of queries: a column (as generated
 * code names it), comparison operators, sort directions, aggregates. The
 * builder (sinew/query.h) takes them and the SQL renderers read them, so
 * they sit below both; nothing here has behaviour.
 */
#ifndef SINEW_QUERY_TYPES_H
#define SINEW_QUERY_TYPES_H

#include "export.h"

#include "schema.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SINEW_MAX_PATH 4

/*
 * A column of a model, optionally reached through relations from the
 * queried model (`via`, outermost first), optionally with arithmetic
 * applied (`arith` is '+', '-', '*', '/' or 0).
 */
typedef struct sinew_col {
    const sinew_model *model;
    unsigned field;                  /* index into model->fields */
    const sinew_relation *via[SINEW_MAX_PATH];
    int nvia;
    char arith;
    sinew_value arith_value;
} sinew_col;

typedef enum sinew_op { SINEW_EQ = 1, SINEW_NE, SINEW_LT, SINEW_LE, SINEW_GT, SINEW_GE } sinew_op;

/* A filter; built by the constructors in sinew/query.h, owned by the query that takes it. */
typedef struct sinew_expr sinew_expr;

typedef enum sinew_dir { SINEW_ASC = 0, SINEW_DESC = 1 } sinew_dir;
typedef enum sinew_nulls { SINEW_NULLS_DEFAULT = 0, SINEW_NULLS_FIRST, SINEW_NULLS_LAST } sinew_nulls;

/*
 * One assignment of an UPDATE (sinew_query_update_set) or of an upsert's
 * DO UPDATE (sinew_upsert_set); build it with the sinew_set_* constructors
 * in sinew/query.h. `col` is the column assigned, a plain column of the
 * model written.
 */
typedef enum sinew_set_kind {
    SINEW_SET_VALUE = 0, /* col = value (bound) */
    SINEW_SET_EXPR,      /* col = expr: a column of the same row, with arithmetic if any (views = views + 1) */
    SINEW_SET_EXCLUDED,  /* upsert only: col = expr's column of the proposed row (EXCLUDED), arithmetic if any */
    SINEW_SET_COMBINE    /* upsert only: col = col <op> the proposed row's col (n = n + EXCLUDED.n) */
} sinew_set_kind;

typedef struct sinew_set {
    sinew_set_kind kind;
    sinew_col col;
    sinew_value value;   /* SINEW_SET_VALUE */
    sinew_col expr;      /* SINEW_SET_EXPR, SINEW_SET_EXCLUDED */
    char op;             /* SINEW_SET_COMBINE: '+', '-', '*' or '/' */
} sinew_set;

/* Row locks (sinew_lock): what a SELECT locks, and what it does about rows another transaction holds. */
typedef enum sinew_lock_mode { SINEW_LOCK_NONE = 0, SINEW_FOR_UPDATE, SINEW_FOR_NO_KEY_UPDATE, SINEW_FOR_SHARE,
                               SINEW_FOR_KEY_SHARE } sinew_lock_mode;
typedef enum sinew_lock_wait { SINEW_LOCK_WAIT = 0, SINEW_NOWAIT, SINEW_SKIP_LOCKED } sinew_lock_wait;

typedef enum sinew_agg { SINEW_COUNT = 1, SINEW_SUM, SINEW_AVG, SINEW_MIN, SINEW_MAX } sinew_agg;

#ifdef __cplusplus
}
#endif
#endif
