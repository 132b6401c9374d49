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
    int field;
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

typedef enum sinew_agg { SINEW_COUNT = 1, SINEW_SUM, SINEW_AVG, SINEW_MIN, SINEW_MAX } sinew_agg;

#ifdef __cplusplus
}
#endif
#endif
