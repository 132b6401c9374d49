/*
 * query_scalar.c - one value from a query: count, exists and aggregates
 * (over a derived table of the rows when DISTINCT or paging shape them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "query_int.h"

/* read column 0 as a value of type `want`, strings copied into the session arena */
static int read_scalar(sinew_query *q, sn_exec *x, sinew_type want, sinew_value *out)
{
    const sinew_driver *d = x->drv;
    sinew_storage st = d->column_storage(x->stmt, 0);
    if (st == SINEW_STORAGE_NULL) {
        *out = sinew_v_null(want);
        return SINEW_OK;
    }
    size_t len;
    const char *txt;
    switch (want) {
    case SINEW_BOOL: case SINEW_INT32: case SINEW_INT64: case SINEW_ENUM:
        if (st == SINEW_STORAGE_TEXT) {
            txt = d->column_text(x->stmt, 0, &len);
            *out = sinew_v_int64(strtoll(txt, NULL, 10));
        } else if (st == SINEW_STORAGE_FLOAT) {
            *out = sinew_v_int64((int64_t)d->column_f64(x->stmt, 0));
        } else {
            *out = sinew_v_int64(d->column_i64(x->stmt, 0));
        }
        out->type = want == SINEW_ENUM ? SINEW_INT64 : want;
        return SINEW_OK;
    case SINEW_DOUBLE:
        if (st == SINEW_STORAGE_TEXT) {
            txt = d->column_text(x->stmt, 0, &len);
            *out = sinew_v_double(strtod(txt, NULL));
        } else {
            *out = sinew_v_double(d->column_f64(x->stmt, 0));
        }
        return SINEW_OK;
    case SINEW_TIMESTAMP: case SINEW_DATE: {
        if (st == SINEW_STORAGE_INT) {
            *out = want == SINEW_DATE ? sinew_v_date((int32_t)d->column_i64(x->stmt, 0))
                                      : sinew_v_timestamp(d->column_i64(x->stmt, 0));
            return SINEW_OK;
        }
        txt = d->column_text(x->stmt, 0, &len);
        if (want == SINEW_DATE) {
            int32_t v;
            if (sinew_date_parse(txt, len > 10 ? 10 : len, &v)) return SINEW_TYPE;
            *out = sinew_v_date(v);
        } else {
            int64_t v;
            if (sinew_timestamp_parse(txt, len, &v)) return SINEW_TYPE;
            *out = sinew_v_timestamp(v);
        }
        return SINEW_OK;
    }
    default: {
        if (st == SINEW_STORAGE_INT || st == SINEW_STORAGE_FLOAT) {
            char num[40];   /* a decimal SQLite computed as a number: its shortest text */
            if (st == SINEW_STORAGE_FLOAT) sn_double_text(d->column_f64(x->stmt, 0), num);
            char *p = st == SINEW_STORAGE_INT
                          ? sn_arena_printf(&q->s->arena, "%lld", (long long)d->column_i64(x->stmt, 0))
                          : sn_arena_strdup(&q->s->arena, num);
            if (!p) return SINEW_NOMEM;
            *out = sinew_v_text(p);
        } else {
            txt = d->column_text(x->stmt, 0, &len);
            char *p = sn_arena_strndup(&q->s->arena, txt, len);
            if (!p) return SINEW_NOMEM;
            *out = sinew_v_text_n(p, len);
        }
        out->type = want == SINEW_ENUM ? SINEW_TEXT : want;
        return SINEW_OK;
    }
    }
}

static int run_scalar_here(sinew_query *q, sinew_type want, sinew_value *out)
{
    sn_exec x;
    int rc = sn_q_start(q, &x, sn_buf_cstr(&q->out.sql));
    if (rc) return rc;
    rc = sn_exec_step(&x);
    if (rc == SINEW_ROW) rc = read_scalar(q, &x, want, out);
    else if (rc == SINEW_DONE) rc = sinew_error_set(SINEW_INTERNAL, "aggregate query returned no row");
    sn_exec_end(&x);
    return rc;
}

typedef struct scalar_args {
    sinew_query *q;
    sinew_type want;
    sinew_value *out;
} scalar_args;

static int scalar_routed(void *arg)
{
    scalar_args *a = arg;
    return run_scalar_here(a->q, a->want, a->out);
}

/* a sinew_readonly() query's count or aggregate on a session made on a router is read on a replica */
static int run_scalar(sinew_query *q, sinew_type want, sinew_value *out)
{
    if (!q->readonly || !q->s->route) return run_scalar_here(q, want, out);
    scalar_args a = {q, want, out};
    return sn_route_read(q->s, scalar_routed, &a);
}

sinew_type sn_q_agg_type(sinew_agg fn, const sinew_col *c)
{
    const sinew_field *f = &c->model->fields[c->field];
    if (fn == SINEW_COUNT) return SINEW_INT64;
    if (fn == SINEW_AVG) return SINEW_DOUBLE;
    sinew_type t = c->json_type ? c->json_type : f->type;
    if (fn == SINEW_SUM && (t == SINEW_INT32 || t == SINEW_BOOL)) return SINEW_INT64;
    if (c->arith && c->arith_value.type == SINEW_DOUBLE) return SINEW_DOUBLE;
    return t;
}

sinew_type sn_q_value_type(const sn_ir_value *v)
{
    if (v->kind == SN_VAL_WINDOW) return sn_q_window_type(v);
    const sinew_col *c = &v->col.col;
    return sn_col_type(c);
}

/* SELECT COUNT(*) (fn 0) or fn(col) over the query's rows */
static int render_scalar(sinew_query *q, sinew_agg fn, const sn_ir_col *col)
{
    if (col && col->col.nvia && sn_sql_select_needs_wrap(&q->sel))
        return sinew_error_set(SINEW_UNSUPPORTED, "aggregates over related columns cannot be combined with "
                               "distinct, limit/offset or to-many filters; aggregate a column of %s", q->model->name);
    return sn_sql_select_scalar(&q->out, q->s->db->dialect, &q->sel, fn, col) ? sn_nomem() : SINEW_OK;
}

int sinew_query_count(sinew_query *q, int64_t *out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_query_count: out is NULL");
    *out = 0;   /* what a failure leaves (docs/api.md) */
    int rc = sn_q_ungrouped(q, "sinew_query_count");
    if (!rc) rc = sn_q_lockable(q, "sinew_query_count");
    if (rc) return rc;
    if ((rc = render_scalar(q, 0, NULL))) return rc;
    sinew_value v;
    if ((rc = run_scalar(q, SINEW_INT64, &v))) return rc;
    *out = v.u.i;
    return SINEW_OK;
}

int sinew_query_exists(sinew_query *q, bool *out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_query_exists: out is NULL");
    *out = false;
    int rc = sn_q_ungrouped(q, "sinew_query_exists");
    if (!rc) rc = sn_q_lockable(q, NULL);
    if (rc) return rc;
    if ((rc = sn_q_render_select(q, 1))) return rc;
    sn_exec x;
    if ((rc = sn_q_start(q, &x, sn_buf_cstr(&q->out.sql)))) return rc;
    rc = sn_exec_step(&x);
    sn_exec_end(&x);
    if (rc != SINEW_ROW && rc != SINEW_DONE) return rc;
    *out = rc == SINEW_ROW;
    return SINEW_OK;
}

int sinew_aggregate(sinew_query *q, sinew_agg fn, sinew_col c, sinew_value *out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_aggregate: out is NULL");
    *out = sinew_v_null(SINEW_INT64);   /* SQL NULL until a result replaces it */
    int rc = sn_q_ungrouped(q, "sinew_aggregate");
    if (!rc) rc = sn_q_lockable(q, "sinew_aggregate");
    if (rc) return rc;
    sinew_expr *bad = sn_x_check_col(&c);
    if (bad) {
        rc = sn_q_check_expr(q, bad);
        sinew_expr_free(bad);
        return rc;
    }
    sn_ir_col arg = {c, 0};
    if ((rc = sn_q_check_col(q, &c, "aggregate", &arg.alias))) return rc;
    if (fn < SINEW_COUNT || fn > SINEW_MAX) return sinew_error_set(SINEW_MISUSE, "unknown aggregate %d", (int)fn);
    sinew_type t = sn_col_type(&c);
    if ((fn == SINEW_SUM || fn == SINEW_AVG) && !(t == SINEW_INT32 || t == SINEW_INT64 || t == SINEW_DOUBLE ||
                                                  t == SINEW_DECIMAL || t == SINEW_BOOL))
        return sinew_error_set(SINEW_MISUSE, "%s needs a numeric column; %s.%s is %s", sn_sql_agg_name(fn), c.model->name,
                               c.model->fields[c.field].name, sinew_type_name(t));
    if ((rc = render_scalar(q, fn, &arg))) return rc;
    return run_scalar(q, sn_q_agg_type(fn, &c), out);
}
