/*
 * query_rows.c - the rows cursor: a grouped query's rows of values (and
 * raw SQL's, raw_sql.c), each column converted to the type it should have.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "query_int.h"


void sn_rows_free(sinew_rows *r)
{
    sn_exec_end(&r->x);
    sn_free(r->types);
    sn_free(r->raw_params);
    sn_free(r->raw_store);
    sn_free(r->sql);
    sn_free(r);
}

/*
 * Run the statement now, not at the first sinew_rows_next(): a statement
 * that writes (raw INSERT ... RETURNING, or one without rows) has done so
 * when the rows are open, and an error is the opener's. The first row, if
 * any, is kept for the first sinew_rows_next().
 */
int sn_rows_run(sinew_rows *r)
{
    int rc = sn_exec_step(&r->x);
    if (rc == SINEW_ROW) r->pending = 1;
    else if (rc == SINEW_DONE) r->done = 1;
    else return rc;
    return SINEW_OK;
}

/* in a grouped query a plain value column must be a group key (else PostgreSQL refuses the statement
 * and SQLite picks a value from any row of the group) */
static int values_grouped(sinew_query *q)
{
    if (!q->sel.ngroup && !q->sel.naggs) return SINEW_OK;
    for (size_t i = 0; i < q->sel.nvals; i++) {
        const sn_ir_value *v = &q->sel.vals[i];
        if (v->kind != SN_VAL_COL) continue;
        int found = 0;
        for (size_t g = 0; g < q->sel.ngroup; g++) found |= sn_sql_same_col(&v->col.col, &q->sel.group[g].col);
        if (!found)
            return sinew_error_set(SINEW_MISUSE, "sinew_rows_open: value column %s.%s is not a group key of this "
                                   "grouped query; add it with sinew_group_by or aggregate it", v->col.col.model->name,
                                   v->col.col.model->fields[v->col.col.field].name);
    }
    return SINEW_OK;
}

int sinew_rows_open(sinew_query *q, sinew_rows **out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_rows_open: out is NULL");
    *out = NULL;
    int rc = sn_q_err(q);
    if (rc) return rc;
    if (q->sel.ngroup == 0 && q->sel.naggs == 0 && q->sel.nvals == 0)
        return sinew_error_set(SINEW_MISUSE, "sinew_rows_open: the query has no sinew_group_by(), sinew_select_agg() "
                               "or sinew_select_col(); use sinew_all() for objects");
    if ((rc = values_grouped(q))) return rc;
    sinew_rows *r = sn_calloc(1, sizeof *r);
    if (!r) return sn_nomem();
    r->q = q;
    r->db = q->s->db;
    r->ncols = (int)(q->sel.ngroup + q->sel.naggs + q->sel.nvals);
    r->types = sn_calloc((size_t)r->ncols, sizeof *r->types);
    if (!r->types) {
        sn_free(r);
        return sn_nomem();
    }
    int col = 0;
    for (size_t i = 0; i < q->sel.ngroup; i++) {
        const sinew_col *g = &q->sel.group[i].col;
        r->types[col++] = sn_col_type(g);
    }
    for (size_t i = 0; i < q->sel.naggs; i++) r->types[col++] = sn_q_agg_type(q->sel.aggs[i].fn, &q->sel.aggs[i].arg.col);
    for (size_t i = 0; i < q->sel.nvals; i++) r->types[col++] = sn_q_value_type(&q->sel.vals[i]);
    rc = sn_q_lockable(q, "sinew_rows_open");
    if (!rc) rc = sn_q_render_grouped(q);
    if (!rc && !(r->sql = sn_strdup(sn_buf_cstr(&q->out.sql)))) rc = sn_nomem();
    if (!rc) rc = sn_q_start(q, &r->x, r->sql);
    if (!rc) rc = sn_rows_run(r);
    if (rc) {
        sn_rows_free(r);
        return rc;
    }
    *out = r;
    return SINEW_OK;
}

int sinew_rows_next(sinew_rows *r)
{
    if (!r) return sinew_error_set(SINEW_MISUSE, "sinew_rows_next: rows is NULL");
    if (r->pending) {
        r->pending = 0;
        return SINEW_ROW;
    }
    if (r->done) return SINEW_DONE;
    int rc = sn_exec_step(&r->x);
    if (rc != SINEW_ROW) r->done = 1;
    return rc;
}

int sinew_rows_columns(const sinew_rows *r) { return r ? r->ncols : 0; }

const char *sinew_rows_name(const sinew_rows *r, int col)
{
    if (!r || col < 0 || col >= r->ncols) return NULL;
    return r->x.drv->column_name(r->x.stmt, col);
}

sinew_value sinew_rows_value(const sinew_rows *r, int col)
{
    if (!r || col < 0 || col >= r->ncols || r->done || r->pending) return sinew_v_null(SINEW_INT64);
    return sn_cell_value(r->x.drv, r->x.stmt, col, r->types ? r->types[col] : 0);
}

sinew_value sn_cell_value(const sinew_driver *d, sinew_stmt *st, int col, sinew_type want)
{
    sinew_value v = sinew_v_null(SINEW_INT64);
    sinew_storage s = d->column_storage(st, col);
    size_t len;
    const char *txt;
    switch (s) {
    case SINEW_STORAGE_NULL:
        return sinew_v_null(want ? want : SINEW_TEXT);
    case SINEW_STORAGE_INT:
        v = sinew_v_int64(d->column_i64(st, col));
        if (want == SINEW_DOUBLE) v = sinew_v_double((double)v.u.i);
        else if (want == SINEW_BOOL || want == SINEW_INT32) v.type = want;
        return v;
    case SINEW_STORAGE_FLOAT:
        v = sinew_v_double(d->column_f64(st, col));
        if (want == SINEW_INT64 || want == SINEW_INT32) v = sinew_v_int64((int64_t)v.u.d);
        return v;
    case SINEW_STORAGE_TEXT:
        txt = d->column_text(st, col, &len);
        if (want == SINEW_INT64 || want == SINEW_INT32) return sinew_v_int64(strtoll(txt, NULL, 10));
        if (want == SINEW_DOUBLE) return sinew_v_double(strtod(txt, NULL));
        if (want == SINEW_TIMESTAMP) {
            int64_t t;
            if (sinew_timestamp_parse(txt, len, &t) == SINEW_OK) return sinew_v_timestamp(t);
        }
        if (want == SINEW_DATE) {
            int32_t dd;
            if (sinew_date_parse(txt, len > 10 ? 10 : len, &dd) == SINEW_OK) return sinew_v_date(dd);
        }
        v = sinew_v_text_n(txt, len);
        if (want == SINEW_DECIMAL || want == SINEW_JSON) v.type = want;
        return v;
    case SINEW_STORAGE_BLOB: {
        const void *p = d->column_blob(st, col, &len);
        return sinew_v_blob(p, len);
    }
    }
    return v;
}

void sinew_rows_free(sinew_rows *r)
{
    if (r) sn_rows_free(r);
}
