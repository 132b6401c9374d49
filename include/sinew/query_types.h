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
/* the longest JSON path a column reads (sinew_json_path), in bytes with its NUL */
#define SINEW_MAX_JSON_PATH 64

/*
 * A column of a model, optionally reached through relations from the
 * queried model (`via`, outermost first), optionally with arithmetic
 * applied (`arith` is '+', '-', '*', '/' or 0), optionally the value at a
 * JSON path inside a json field (`json_type` nonzero: sinew_json_path; the
 * path is kept inside the column, so the caller's string may go).
 */
typedef struct sinew_col {
    const sinew_model *model;
    unsigned field;                  /* index into model->fields */
    const sinew_relation *via[SINEW_MAX_PATH];
    int nvia;
    char arith;
    sinew_value arith_value;
    sinew_type json_type;            /* 0, or the type the value at json_path is read as */
    char json_path[SINEW_MAX_JSON_PATH];
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
    SINEW_SET_COMBINE,   /* upsert only: col = col <op> the proposed row's col (n = n + EXCLUDED.n) */
    SINEW_SET_CASE       /* col = CASE WHEN cond THEN a ... ELSE b END (sinew_set_case) */
} sinew_set_kind;

struct sinew_when;

typedef struct sinew_set {
    sinew_set_kind kind;
    sinew_col col;
    sinew_value value;   /* SINEW_SET_VALUE */
    sinew_col expr;      /* SINEW_SET_EXPR, SINEW_SET_EXCLUDED */
    char op;             /* SINEW_SET_COMBINE: '+', '-', '*' or '/' */
    const struct sinew_when *when;     /* SINEW_SET_CASE: the branches, in order (the caller's array) */
    size_t nwhen;
    const struct sinew_set *otherwise; /* SINEW_SET_CASE: the ELSE branch; NULL: the column keeps its value */
} sinew_set;

/*
 * A branch of a CASE assignment: where `cond` (a filter over the written
 * row's own columns) holds, the column gets `then` (an assignment of the
 * same column: a value or a column expression; in an upsert also the
 * proposed row's). The condition stays the caller's: free it with
 * sinew_expr_free once no statement needs it (so one array serves many
 * statements, as a sinew_claim loop needs).
 */
typedef struct sinew_when {
    sinew_expr *cond;
    sinew_set then;
} sinew_when;

/* Row locks (sinew_lock): what a SELECT locks, and what it does about rows another transaction holds. */
typedef enum sinew_lock_mode { SINEW_LOCK_NONE = 0, SINEW_FOR_UPDATE, SINEW_FOR_NO_KEY_UPDATE, SINEW_FOR_SHARE,
                               SINEW_FOR_KEY_SHARE } sinew_lock_mode;
typedef enum sinew_lock_wait { SINEW_LOCK_WAIT = 0, SINEW_NOWAIT, SINEW_SKIP_LOCKED } sinew_lock_wait;

/* set operations between queries of one model (sinew_combine) or rows queries (sinew_combine_rows);
 * SINEW_UNION_ALL keeps duplicate rows (of objects: the same objects as SINEW_UNION, one row being one) */
typedef enum sinew_setop { SINEW_UNION = 1, SINEW_INTERSECT, SINEW_EXCEPT, SINEW_UNION_ALL } sinew_setop;

typedef enum sinew_agg { SINEW_COUNT = 1, SINEW_SUM, SINEW_AVG, SINEW_MIN, SINEW_MAX } sinew_agg;

/*
 * Window functions (sinew_select_window): the aggregates above computed over
 * a window (SINEW_WIN_SUM with an order is a running sum), ranks, and the
 * value of a neighbouring row.
 */
typedef enum sinew_window_fn {
    SINEW_ROW_NUMBER = 1, SINEW_RANK, SINEW_DENSE_RANK,
    SINEW_WIN_COUNT, SINEW_WIN_SUM, SINEW_WIN_AVG, SINEW_WIN_MIN, SINEW_WIN_MAX,
    SINEW_LAG, SINEW_LEAD          /* the argument's value 1 row before / after in the window's order */
} sinew_window_fn;

#define SINEW_MAX_WINDOW_KEYS 4
/* OVER (PARTITION BY partition... ORDER BY order... ) */
typedef struct sinew_window {
    sinew_col partition[SINEW_MAX_WINDOW_KEYS];
    int npartition;
    sinew_col order[SINEW_MAX_WINDOW_KEYS];
    sinew_dir dir[SINEW_MAX_WINDOW_KEYS];
    int norder;
} sinew_window;

#ifdef __cplusplus
}
#endif
#endif
