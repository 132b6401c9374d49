/*
 * query_int.h - private structures of the query builder (expr.c builds
 * expressions, query.c renders SQL, query_exec.c runs it).
 */
#ifndef SINEW_QUERY_INT_H
#define SINEW_QUERY_INT_H

#include "orm.h"
#include "sinew/query.h"

typedef enum xkind {
    X_CMP = 1, X_CMPCOL, X_IN, X_NOTIN, X_INSUB, X_LIKE, X_ILIKE, X_NULL, X_NOTNULL,
    X_BETWEEN, X_AND, X_OR, X_NOT, X_ERROR
} xkind;

struct sinew_expr {
    xkind kind;
    sinew_op op;
    sinew_col a, b;
    sinew_value *vals;        /* owned, strings copied into `store` */
    size_t nvals;
    char *store;
    sinew_expr *l, *r;
    sinew_query *sub;         /* X_INSUB: owned */
    int err;                  /* X_ERROR: status */
    char *errmsg;             /* X_ERROR: message */
};

typedef struct q_order {
    sinew_col col;
    sinew_dir dir;
    sinew_nulls nulls;
} q_order;

typedef struct q_join {
    const sinew_relation *path[SINEW_MAX_PATH];
    int n;
    int alias;                /* tN */
    int to_many;
} q_join;

typedef struct q_agg {
    sinew_agg fn;
    sinew_col col;
} q_agg;

typedef struct q_having {
    q_agg agg;
    sinew_op op;
    sinew_value v;
    char *store;
} q_having;

#define Q_MAX SN_MAX_QUERY_TERMS

typedef struct q_prefetch {
    const sinew_relation *path[SINEW_MAX_PATH];
    int n;
    int join;                 /* loaded by a LEFT JOIN in the main statement (to-one, first level) */
} q_prefetch;

struct sinew_query {
    sinew_session *s;
    const sinew_model *model;
    int err;                  /* sticky builder error */
    sinew_error errdetail;
    sinew_expr *where;        /* AND of everything */
    q_order order[Q_MAX];
    size_t norder;
    int64_t limit, offset;    /* -1 = none */
    int distinct;
    int readonly;             /* sinew_readonly: objects untracked */
    q_join joins[Q_MAX];
    size_t njoins;
    int to_many;              /* a to-many join is present: rows need DISTINCT */
    sinew_col group[Q_MAX];
    size_t ngroup;
    q_agg aggs[Q_MAX];
    size_t naggs;
    q_having having[Q_MAX];
    size_t nhaving;
    sinew_expr *after;        /* keyset condition (owned) */
    q_prefetch prefetch[Q_MAX];
    size_t nprefetch;
    int render_prefetch;      /* while rendering the object SELECT: add the JOIN prefetches */
    /* rendering output */
    sn_buf sql;
    sinew_value *params;
    size_t nparams, capparams;
};

/* render context */
typedef struct rctx {
    sinew_query *q;
    sn_buf *b;
    const sinew_dialect *d;
} rctx;

int sn_q_fail(sinew_query *q, int rc);   /* record a sticky error (from sinew_last_error) */
int sn_q_check_col(sinew_query *q, const sinew_col *c, const char *what);
int sn_q_check_expr(sinew_query *q, const sinew_expr *e);
void sn_q_col(rctx *r, const sinew_col *c);
int sn_q_param(rctx *r, const sinew_value *v);
void sn_q_expr(rctx *r, const sinew_expr *e);
/* FROM ... JOIN ... WHERE ... (no SELECT list, no ORDER/LIMIT) */
void sn_q_from_where(rctx *r, int with_after);
void sn_q_reset_render(sinew_query *q);
void sn_q_order_limit(rctx *r, int extra_limit);   /* ORDER BY ... LIMIT n OFFSET ? */
/* the order keys include every primary-key column */
int sn_q_has_pk_order(const sinew_query *q);
/* Render a grouped query's SELECT (group keys, aggregates, GROUP BY, HAVING) into q->sql / q->params. */
int sn_q_render_grouped(sinew_query *q);
const char *sn_q_agg_name(sinew_agg fn);
/* Render the full SELECT of objects into q->sql / q->params. */
int sn_q_render_select(sinew_query *q, int extra_limit);
sinew_expr *sn_x_error(int status, const char *fmt, ...);
/* NULL when column c is usable / v can be compared with c (*out: v converted for binding); else an error node */
sinew_expr *sn_x_check_col(const sinew_col *c);
sinew_expr *sn_x_check_value(const sinew_col *c, const sinew_value *v, sinew_value *out, const char *op);
int sn_value_copy(const sinew_value *in, size_t n, sinew_value **out, char **store);

#endif
