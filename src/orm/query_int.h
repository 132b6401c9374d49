/*
 * query_int.h - private structures of the query builder: expr.c builds
 * expressions, query.c builds the statement's description (sql/ir.h), which
 * src/sql renders, and query_exec.c with the query_*.c readers runs it.
 */
#ifndef SINEW_QUERY_INT_H
#define SINEW_QUERY_INT_H

#include "orm.h"
#include "sinew/query.h"
#include "sql/ir.h"

/* the join registered for a relation path (paths dedupe joins; the description holds the join itself) */
typedef struct q_join {
    const sinew_relation *path[SINEW_MAX_PATH];
    int n;
} q_join;

#define Q_MAX SN_MAX_QUERY_TERMS

typedef struct q_prefetch {
    const sinew_relation *path[SINEW_MAX_PATH];
    int n;
    int join;                 /* loaded by a LEFT JOIN in the main statement (to-one, first level) */
} q_prefetch;

struct sinew_query {
    sinew_session *s;
    int err;                  /* sticky builder error */
    sinew_error errdetail;
    int readonly;             /* sinew_readonly: objects untracked */
    sn_select sel;            /* what the query reads, as the renderers take it (sql/ir.h) */
    const sinew_model *model; /* sel.model */
    q_join joins[Q_MAX];      /* the relation path of sel.joins[i] */
    char *having_store[Q_MAX];   /* strings of sel.having[i].v */
    q_prefetch prefetch[Q_MAX];
    size_t nprefetch;
    sn_sql_out out;           /* the last statement rendered: text and parameters */
    int nsub;                 /* correlated subqueries given an alias so far (t200, t201, ...) */
    struct sinew_query *other;   /* sinew_combine: the other side of the set operation (owned) */
    sinew_value *ann_vals;    /* the last object read's annotations: ann_rows rows of sel.nann values */
    size_t ann_rows, ann_cap;
};

int sn_q_fail(sinew_query *q, int rc);   /* record a sticky error (from sinew_last_error) */
/* The column must be the model's or reached through its relations (the joins are
 * added); *alias gets the alias of the table it is read from. */
int sn_q_check_col(sinew_query *q, const sinew_col *c, const char *what, int *alias);
/* every column of e checked as above, and its aliases set */
int sn_q_check_expr(sinew_query *q, sinew_expr *e);
/* a correlated subquery node (X_EXISTS, X_CMPSUB) over a relation of `owner`, read from t<outer>; a
 * filter inside one, whose columns are plain columns of m read from t<alias> (query_sub.c) */
int sn_q_check_sub(sinew_query *q, sinew_expr *e, const sinew_model *owner, int outer);
int sn_q_check_scoped(sinew_query *q, sinew_expr *e, const sinew_model *m, int alias);
/* the annotations of result row `row` (columns from `first`) into q->ann_vals */
int sn_q_read_annotations(sinew_query *q, sn_exec *x, size_t row, int first);
/* result column `col` as a value of type `want` (0: as stored); text points into the driver's row */
sinew_value sn_cell_value(const sinew_driver *d, sinew_stmt *st, int col, sinew_type want);
/* the statement renderers, on q's description into q->out (SINEW_NOMEM recorded) */
int sn_q_render_select(sinew_query *q, int extra_limit);
/* @@soft_delete: the matching rows get deleted_at = now, and so do the rows their ON DELETE CASCADE
 * children follow, in one transaction with one clock reading (query_bulk.c) */
int sn_q_soft_delete(sinew_query *q, int64_t *changed);
/* the same at `now` (the caller's reading) inside the caller's transaction */
int sn_q_soft_delete_at(sinew_query *q, int64_t now, int64_t *changed);
/* the same cascade alone, for rows of m the caller has just set deleted_at = now on (a flush's batch) */
int sn_q_soft_cascade(sinew_session *s, const sinew_model *m, int64_t now);
/* rel is a has-many/has-one of a model whose target follows it as a soft delete (a @@soft_delete model
 * whose foreign key says @on_delete(cascade)): that foreign key's relation, else NULL */
const sinew_relation *sn_soft_cascade_back(const sinew_relation *rel);
/* a query of o's model matching o's row by its key as loaded; with_deleted as asked (soft_delete.c) */
sinew_query *sn_soft_by_key(sinew_session *s, sn_obj *o, int with_deleted);
/* (c's foreign key columns of back) IN (SELECT back's target key columns FROM sub): sub is taken over */
sinew_expr *sn_x_key_in(const sinew_model *c, const sinew_relation *back, sinew_query *sub);
int sn_q_render_grouped(sinew_query *q);
/* a combined query's ORDER BY names only what its result has, and combined rows still match (fn names
 * the caller; the error is set and returned) */
int sn_q_combined_check(sinew_query *q, const char *fn);
/* running (query_exec.c): the sticky error; refusing a grouped query (fn names the caller);
 * the statement in q->out started with its parameters bound */
int sn_q_err(sinew_query *q);
int sn_q_ungrouped(sinew_query *q, const char *fn);
int sn_q_start(sinew_query *q, sn_exec *x, const char *sql);
/* Reading objects (sinew_all & co., sinew_raw_all): x stepped to its last row,
 * or until *n reaches max (0: no limit), appending the object `one` makes of
 * each row to *vec (grown with sn_realloc, *n used of *cap; the caller frees
 * it). SINEW_DONE when the rows ran out or max was reached, else the error
 * that stopped it (the object of the failed row is not counted). */
typedef int sn_q_row_object(void *ctx, sn_exec *x, void **obj);
int sn_q_collect(sn_exec *x, size_t max, sn_q_row_object *one, void *ctx, void ***vec, size_t *n, size_t *cap);
/* the type an aggregate's value comes back as; a value column's */
sinew_type sn_q_agg_type(sinew_agg fn, const sinew_col *c);
sinew_type sn_q_value_type(const sn_ir_value *v);
sinew_type sn_q_window_type(const sn_ir_value *v);

/* a rows cursor: grouped rows (query_rows.c) or raw SQL's (raw_sql.c) */
struct sinew_rows {
    sinew_query *q;          /* NULL for raw rows */
    sinew_db *db;
    sn_exec x;
    int ncols;
    sinew_type *types;       /* expected type per column, 0 = as stored */
    int done;
    int pending;             /* the first row, stepped to when the rows were opened, not handed out yet */
    sinew_value *raw_params; /* raw: owned copies */
    char *raw_store;
    char *sql;               /* the statement text, owned: the query may render again while rows are open */
};
/* step to the first row now (a writing statement has written when the rows open) */
int sn_rows_run(sinew_rows *r);
void sn_rows_free(sinew_rows *r);

sinew_expr *sn_x_error(int status, const char *fmt, ...);
/* NULL when column c is usable / v can be compared with c (*out: v converted for binding); else an error node */
sinew_expr *sn_x_check_col(const sinew_col *c);
/* the type column expression c yields (a JSON path's: the type it is read as) */
sinew_type sn_col_type(const sinew_col *c);
/* NULL when the query's database can read c (a JSON path) / test e (JSON containment); else the error set */
int sn_q_json_supported(sinew_query *q, const sinew_col *c, const sinew_expr *e);
sinew_expr *sn_x_check_value(const sinew_col *c, const sinew_value *v, sinew_value *out, const char *op);
/* check assignments of model m (upsert: the proposed row may be read) into *out (n of them, allocated with
 * their CASE branches; sn_free it) with their values converted for binding; the error is set (naming fn)
 * and returned */
int sn_set_check(const sinew_model *m, const sinew_set *in, size_t n, int upsert, const char *fn, sinew_set **out);
/* fn NULL: can the query's SELECT be locked at all; else refuse fn (no object read) on a locked query */
int sn_q_lockable(sinew_query *q, const char *fn);
int sn_value_copy(const sinew_value *in, size_t n, sinew_value **out, char **store);

#endif
