/*
 * query_combine.c - set operations over rows queries (sinew_combine_rows):
 * UNION / UNION ALL / INTERSECT / EXCEPT of two rows queries whose columns
 * match in number and type, and the check, for every combined query, that
 * its ORDER BY names what the combined result has (sinew_combine's objects:
 * the model's own columns; combined rows: their result columns).
 */
#include <stdio.h>
#include <string.h>
#include "query_int.h"

static size_t ncols(const sinew_query *q) { return q->sel.ngroup + q->sel.naggs + q->sel.nvals; }

/* the type of result column i, with the integer widths alike (a UNION of int32 and int64 is int64) */
static sinew_type result_type(const sinew_query *q, size_t i)
{
    sinew_type t;
    if (i < q->sel.ngroup) t = sn_col_type(&q->sel.group[i].col);
    else if (i < q->sel.ngroup + q->sel.naggs)
        t = sn_q_agg_type(q->sel.aggs[i - q->sel.ngroup].fn, &q->sel.aggs[i - q->sel.ngroup].arg.col);
    else t = sn_q_value_type(&q->sel.vals[i - q->sel.ngroup - q->sel.naggs]);
    return t == SINEW_INT32 ? SINEW_INT64 : t;
}

/* the two column lists are compatible: as many columns, of the same types, in order */
static int compatible(const sinew_query *q, const sinew_query *o, const char *fn)
{
    if (ncols(q) != ncols(o))
        return sinew_error_set(SINEW_MISUSE, "%s: the rows of %s have %zu columns, the other query's (over %s) %zu; a "
                               "set operation combines rows of the same columns", fn, q->model->name, ncols(q),
                               o->model->name, ncols(o));
    for (size_t i = 0; i < ncols(q); i++) {
        sinew_type a = result_type(q, i), b = result_type(o, i);
        if (a == b) continue;
        return sinew_error_set(SINEW_MISUSE, "%s: column %zu is %s in the rows of %s but %s in the other query's (over "
                               "%s); a set operation combines columns of the same type, in order", fn, i,
                               sinew_type_name(a), q->model->name, sinew_type_name(b), o->model->name);
    }
    return SINEW_OK;
}

int sinew_combine_rows(sinew_query *q, sinew_setop op, sinew_query *other)
{
    if (!q) {
        sinew_query_free(other);
        return sinew_error_set(SINEW_MISUSE, "sinew_combine_rows: query is NULL");
    }
    if (q->err) {
        sinew_query_free(other);
        return sn_q_err(q);
    }
    int rc = SINEW_OK;
    if (op < SINEW_UNION || op > SINEW_UNION_ALL)
        rc = sinew_error_set(SINEW_MISUSE, "sinew_combine_rows: unknown set operation %d", (int)op);
    else if (!other)
        rc = sinew_error_set(SINEW_MISUSE, "sinew_combine_rows: the other query is NULL");
    else if (other->err) {
        *sn_error_mut() = other->errdetail;
        rc = other->err;
    } else if (other == q || other->s != q->s)
        rc = sinew_error_set(SINEW_MISUSE, "sinew_combine_rows: the other query must be a query of its own in the "
                             "same session");
    else if (q->other)
        rc = sinew_error_set(SINEW_MISUSE, "sinew_combine_rows: the query over %s is combined already; one set "
                             "operation per query", q->model->name);
    else if (!ncols(q) || !ncols(other))
        rc = sinew_error_set(SINEW_MISUSE, "sinew_combine_rows: both queries must be rows queries (sinew_select_col, "
                             "sinew_group_by, sinew_select_agg) with their columns chosen; combine queries of objects "
                             "with sinew_combine");
    else if (other->sel.norder || other->sel.limit >= 0 || other->sel.offset >= 0 || other->sel.vfilter ||
             other->sel.closure || other->other || other->sel.lock)
        rc = sinew_error_set(SINEW_MISUSE, "sinew_combine_rows: the other query may only filter, group and choose "
                             "columns (no order, paging, window filter, closure, lock or set operation of its own): the "
                             "order and paging of q apply to the combined rows");
    else rc = compatible(q, other, "sinew_combine_rows");
    if (rc) {
        if (other != q) sinew_query_free(other);
        return sn_q_fail(q, rc);
    }
    q->other = other;
    q->sel.rows_setop = op;
    q->sel.rows_other = &other->sel;
    return SINEW_OK;
}

/* what a combined statement can be ordered by; called before it is rendered (fn names the caller) */
int sn_q_combined_check(sinew_query *q, const char *fn)
{
    if (q->sel.setop && q->sel.setop_other)
        for (size_t i = 0; i < q->sel.norder; i++) {
            const sinew_col *c = &q->sel.order[i].key.col;
            if (c->nvia)
                return sinew_error_set(SINEW_MISUSE, "%s: a combined query (sinew_combine) of %s is ordered by %s.%s "
                                       "through a relation; the combined result has the columns of %s only, so its "
                                       "order keys must be among those", fn, q->model->name, c->model->name,
                                       c->model->fields[c->field].name, q->model->name);
        }
    if (!q->sel.rows_setop || !q->sel.rows_other) return SINEW_OK;
    if (q->sel.vfilter)
        return sinew_error_set(SINEW_MISUSE, "%s: a combined rows query (sinew_combine_rows) cannot filter on a window "
                               "value (sinew_where_value)", fn);
    int rc = compatible(q, q->other, fn);   /* q may have gained columns since it was combined */
    if (rc) return rc;
    for (size_t i = 0; i < q->sel.norder; i++) {
        const sinew_col *c = &q->sel.order[i].key.col;
        if (sn_sql_result_col(&q->sel, c) < 0)
            return sinew_error_set(SINEW_MISUSE, "%s: the combined rows (sinew_combine_rows) are ordered by %s.%s, which "
                                   "is not one of their columns; the order keys of a set operation must be columns of "
                                   "its result: select it with sinew_select_col (or sinew_group_by) on both sides, or "
                                   "order by a column selected", fn, c->model->name,
                                   c->model->fields[c->field].name);
    }
    return SINEW_OK;
}
