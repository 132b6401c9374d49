/*
 * query_window.c - window functions in a rows query (ROW_NUMBER, RANK, a
 * running SUM, LAG/LEAD ... OVER (PARTITION BY ... ORDER BY ...)), and the
 * filter on a value column that makes "the top 3 posts per author" one
 * statement. The description goes to src/sql, which renders it.
 */
#include <stdio.h>
#include <string.h>
#include "query_int.h"

static int window_col(sinew_query *q, const sinew_col *c, const char *what, sn_ir_col *out)
{
    out->col = *c;
    return sn_q_check_col(q, c, what, &out->alias);
}

int sinew_select_window(sinew_query *q, sinew_window_fn fn, sinew_col arg, const sinew_window *w)
{
    if (!q) return sinew_error_set(SINEW_MISUSE, "sinew_select_window: query is NULL");
    if (q->err) return sn_q_err(q);
    int rc = SINEW_OK;
    if (fn < SINEW_ROW_NUMBER || fn > SINEW_LEAD)
        rc = sinew_error_set(SINEW_MISUSE, "sinew_select_window: unknown window function %d", (int)fn);
    else if (!w)
        rc = sinew_error_set(SINEW_MISUSE, "sinew_select_window: the window is NULL (an empty sinew_window is the "
                             "whole result)");
    else if (w->npartition < 0 || w->npartition > SINEW_MAX_WINDOW_KEYS || w->norder < 0 ||
             w->norder > SINEW_MAX_WINDOW_KEYS)
        rc = sinew_error_set(SINEW_MISUSE, "sinew_select_window: 0 to %d partition and order keys each",
                             SINEW_MAX_WINDOW_KEYS);
    else if ((fn <= SINEW_DENSE_RANK || fn >= SINEW_LAG) && w->norder == 0)
        rc = sinew_error_set(SINEW_MISUSE, "sinew_select_window: %s needs an order in its window (without one "
                             "the database numbers the rows in any order)",
                             fn == SINEW_LAG ? "LAG" : fn == SINEW_LEAD ? "LEAD" : "a rank");
    else if (q->sel.nvals == Q_MAX)
        rc = sinew_error_set(SINEW_UNSUPPORTED, "more than %d value columns in one query", Q_MAX);
    if (rc) return sn_q_fail(q, rc);
    sn_ir_value v;
    memset(&v, 0, sizeof v);
    v.kind = SN_VAL_WINDOW;
    v.win = fn;
    if (fn >= SINEW_WIN_COUNT) rc = window_col(q, &arg, "window argument", &v.col);
    else {
        v.col.col.model = q->model;   /* for the value's type only: ranks are int64 */
        v.col.col.field = q->model->pk[0];
    }
    if (!rc && (fn == SINEW_WIN_SUM || fn == SINEW_WIN_AVG)) {
        sinew_type t = sn_col_type(&arg);
        if (t != SINEW_INT32 && t != SINEW_INT64 && t != SINEW_DOUBLE && t != SINEW_DECIMAL)
            rc = sinew_error_set(SINEW_MISUSE, "sinew_select_window: SUM/AVG of %s.%s, a %s column", arg.model->name,
                                 arg.model->fields[arg.field].name, sinew_type_name(t));
    }
    for (int i = 0; i < w->npartition && !rc; i++) rc = window_col(q, &w->partition[i], "partition by", &v.part[i]);
    for (int i = 0; i < w->norder && !rc; i++) {
        rc = window_col(q, &w->order[i], "window order", &v.order[i].key);
        v.order[i].dir = w->dir[i] == SINEW_DESC ? SINEW_DESC : SINEW_ASC;
    }
    if (rc) return sn_q_fail(q, rc);
    v.npart = (size_t)w->npartition;
    v.norder = (size_t)w->norder;
    q->sel.vals[q->sel.nvals++] = v;
    return SINEW_OK;
}

sinew_type sn_q_window_type(const sn_ir_value *v)
{
    const sinew_col *c = &v->col.col;
    sinew_type t = c->json_type ? c->json_type : c->model->fields[c->field].type;
    switch (v->win) {
    case SINEW_ROW_NUMBER: case SINEW_RANK: case SINEW_DENSE_RANK: case SINEW_WIN_COUNT: return SINEW_INT64;
    case SINEW_WIN_AVG: return SINEW_DOUBLE;
    case SINEW_WIN_SUM: return t == SINEW_INT32 ? SINEW_INT64 : t;
    default: return t;
    }
}

int sinew_where_value(sinew_query *q, int col, sinew_op op, sinew_value v)
{
    if (!q) return sinew_error_set(SINEW_MISUSE, "sinew_where_value: query is NULL");
    if (q->err) return sn_q_err(q);
    size_t first = q->sel.ngroup + q->sel.naggs, ncols = first + q->sel.nvals;
    int rc = SINEW_OK;
    if (col < 0 || (size_t)col >= ncols)
        rc = sinew_error_set(SINEW_MISUSE, "sinew_where_value: the query has %zu columns, not a column %d", ncols, col);
    else if ((size_t)col < first)
        rc = sinew_error_set(SINEW_MISUSE, "sinew_where_value: column %d is a group key or an aggregate; filter "
                             "those with sinew_where / sinew_having", col);
    else if (q->sel.vfilter)
        rc = sinew_error_set(SINEW_MISUSE, "sinew_where_value: the query has a value filter already");
    else if (q->sel.nhaving)
        rc = sinew_error_set(SINEW_UNSUPPORTED, "sinew_where_value: a value filter cannot be combined with "
                             "sinew_having");
    else if (op < SINEW_EQ || op > SINEW_GE)
        rc = sinew_error_set(SINEW_MISUSE, "sinew_where_value: unknown comparison operator %d", (int)op);
    else if (v.is_null)
        rc = sinew_error_set(SINEW_MISUSE, "sinew_where_value: NULL never matches in SQL");
    else if (v.type != SINEW_INT32 && v.type != SINEW_INT64 && v.type != SINEW_DOUBLE)
        rc = sinew_error_set(SINEW_MISUSE, "sinew_where_value: compare with a number (sinew_i64, sinew_f64)");
    if (rc) return sn_q_fail(q, rc);
    q->sel.vfilter = 1;
    q->sel.vfilter_col = (size_t)col;
    q->sel.vfilter_op = op;
    q->sel.vfilter_v = v;
    return SINEW_OK;
}
