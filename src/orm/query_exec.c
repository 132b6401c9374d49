/*
 * query_exec.c - what every way of running a query shares: the sticky
 * builder error re-raised, grouped queries kept away from calls that read
 * objects, and the rendered statement started with its parameters bound
 * (after a check against the dialect's parameter limit). The readers are
 * query_list.c (objects), query_scalar.c (count, exists, aggregates),
 * query_rows.c (grouped rows), query_bulk.c (bulk update/delete),
 * query_stream.c (constant-memory iteration); raw SQL is raw_sql.c. Both
 * readers of objects, query_list.c and raw_sql.c, read their rows here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "query_int.h"

int sn_q_err(sinew_query *q)
{
    if (!q) return sinew_error_set(SINEW_MISUSE, "query is NULL (out of memory when it was made?)");
    if (q->err) {
        *sn_error_mut() = q->errdetail;
        return q->err;
    }
    return SINEW_OK;
}

/*
 * A grouped query (sinew_group_by / sinew_select_agg) yields rows of values,
 * not objects: running it as objects would drop the grouping and answer
 * something else, so every call that reads objects or counts rows refuses it.
 */
int sn_q_ungrouped(sinew_query *q, const char *fn)
{
    int rc = sn_q_err(q);
    if (rc) return rc;
    if (q->sel.ngroup || q->sel.naggs)
        return sinew_error_set(SINEW_MISUSE, "%s: the query over %s is grouped (sinew_group_by/sinew_select_agg); "
                               "read its rows with sinew_rows_open(), or build an ungrouped query for objects",
                               fn, q->model->name);
    return SINEW_OK;
}

int sn_q_start(sinew_query *q, sn_exec *x, const char *sql)
{
    int max = q->s->db->dialect->max_params;
    if (q->out.nparams > (size_t)max)
        return sinew_error_set(SINEW_INVALID, "this %s query has %zu parameters but %s takes at most %d in one "
                               "statement: filter with a subquery (sinew_in_query) or split the list",
                               q->model->name, q->out.nparams, q->s->db->dialect->name, max);
    int rc = sn_exec_start(x, q->s->db, sql);
    for (size_t i = 0; i < q->out.nparams && rc == SINEW_OK; i++) rc = sn_exec_bind(x, (int)i, &q->out.params[i]);
    if (rc) sn_exec_end(x);
    return rc;
}

int sn_q_collect(sn_exec *x, size_t max, sn_q_row_object *one, void *ctx, void ***vec, size_t *n, size_t *cap)
{
    int rc;
    while ((rc = sn_exec_step(x)) == SINEW_ROW) {
        if (*n == *cap) {
            size_t c = *cap ? *cap * 2 : 64;
            void **nv = sn_realloc(*vec, c * sizeof *nv);
            if (!nv) return sn_nomem();
            *vec = nv;
            *cap = c;
        }
        if ((rc = one(ctx, x, &(*vec)[*n]))) return rc;
        ++*n;
        if (max && *n >= max) return SINEW_DONE;
    }
    return rc;
}
