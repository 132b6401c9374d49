/*
 * query_bulk.c - UPDATE and DELETE of every row a query matches, in one
 * statement, with checked and converted values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "query_int.h"

static int run_write(sinew_query *q, int64_t *changed)
{
    sn_exec x;
    int rc = sn_q_start(q, &x, sn_buf_cstr(&q->out.sql));
    if (rc) return rc;
    rc = sn_exec_step(&x);
    sn_exec_end(&x);
    if (rc == SINEW_DONE) rc = SINEW_OK;
    else if (rc == SINEW_ROW) rc = sinew_error_set(SINEW_INTERNAL, "bulk statement returned rows");
    if (rc == SINEW_OK && changed) *changed = q->s->db->drv->changes(q->s->db->conn);
    return rc;
}

int sinew_query_update(sinew_query *q, const sinew_assign *set, size_t n, int64_t *changed)
{
    int rc = sn_q_ungrouped(q, "sinew_query_update");
    if (!rc) rc = sn_model_writable(q->model, "sinew_query_update");
    if (rc) return rc;
    if (!set || n == 0) return sinew_error_set(SINEW_MISUSE, "sinew_query_update: nothing to set");
    sinew_value *vals = sn_malloc(n * sizeof *vals);
    if (!vals) return sn_nomem();
    for (size_t i = 0; i < n; i++) {
        const sinew_col *c = &set[i].col;
        sinew_expr *bad = sn_x_check_col(c);
        if (!bad && (c->nvia || c->model != q->model || c->arith))
            bad = sn_x_error(SINEW_MISUSE, "sinew_query_update: %s.%s is not a plain column of %s",
                             c->model ? c->model->name : "?", c->model ? c->model->fields[c->field].name : "?",
                             q->model->name);
        if (!bad) {
            if (set[i].value.is_null) {
                if (!(c->model->fields[c->field].flags & SINEW_FIELD_NULLABLE))
                    bad = sn_x_error(SINEW_MISUSE, "sinew_query_update: %s.%s is not nullable", q->model->name,
                                     c->model->fields[c->field].name);
                vals[i] = set[i].value;
            } else {
                bad = sn_x_check_value(c, &set[i].value, &vals[i], "=");
                /* a write: what save would refuse (NaN, a timestamp past 9999, JSON that is not) is refused here */
                if (!bad && sn_check_value(c->model, &c->model->fields[c->field], &vals[i]))
                    bad = sn_x_error(SINEW_TYPE, "sinew_query_update: %s", sinew_errmsg());
            }
        }
        if (bad) {
            rc = sn_q_check_expr(q, bad);
            sinew_expr_free(bad);
            sn_free(vals);
            return rc;
        }
    }
    unsigned *fields = sn_malloc(n * sizeof *fields);
    if (!fields) {
        sn_free(vals);
        return sn_nomem();
    }
    for (size_t i = 0; i < n; i++) fields[i] = (unsigned)set[i].col.field;
    rc = sn_sql_update_rows(&q->out, q->s->db->dialect, &q->sel, fields, vals, n);
    sn_free(fields);
    sn_free(vals);
    if (rc) return sn_nomem();
    return run_write(q, changed);
}

int sinew_query_delete(sinew_query *q, int64_t *changed)
{
    int rc = sn_q_ungrouped(q, "sinew_query_delete");
    if (!rc) rc = sn_model_writable(q->model, "sinew_query_delete");
    if (rc) return rc;
    if (sn_sql_delete_rows(&q->out, q->s->db->dialect, &q->sel)) return sn_nomem();
    return run_write(q, changed);
}
