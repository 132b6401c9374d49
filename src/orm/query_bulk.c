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

/* a bulk write takes its rows from a WHERE; a closure's WITH does not go there: select the keys */
static int no_closure(sinew_query *q, const char *fn)
{
    if (!q->sel.closure) return SINEW_OK;
    return sinew_error_set(SINEW_UNSUPPORTED, "%s: the query over %s has a closure (sinew_closure); load the "
                           "objects and write them, or filter by their keys", fn, q->model->name);
}

int sinew_query_update_set(sinew_query *q, const sinew_set *set, size_t n, int64_t *changed)
{
    int rc = sn_q_ungrouped(q, "sinew_query_update");
    if (!rc) rc = no_closure(q, "sinew_query_update");
    if (!rc) rc = sn_model_writable(q->model, "sinew_query_update");
    if (!rc) rc = sn_q_lockable(q, "sinew_query_update");
    if (rc) return rc;
    if (!set || n == 0) return sinew_error_set(SINEW_MISUSE, "sinew_query_update: nothing to set");
    sinew_set *checked;
    rc = sn_set_check(q->model, set, n, 0, "sinew_query_update", &checked);
    if (rc) return sn_q_fail(q, rc);
    /* @updated_at columns the caller does not assign: the time of this statement */
    n = sn_stamp_sets(q->model, checked, n, sn_stamp_now(q->s));
    rc = sn_sql_update_rows(&q->out, q->s->db->dialect, &q->sel, checked, n, 0);
    sn_free(checked);
    if (rc) return sn_nomem();
    return run_write(q, changed);
}

int sinew_query_update(sinew_query *q, const sinew_assign *set, size_t n, int64_t *changed)
{
    if (!set || n == 0) return sinew_query_update_set(q, NULL, 0, changed);
    sinew_set *sets = sn_malloc(n * sizeof *sets);
    if (!sets) return sn_nomem();
    for (size_t i = 0; i < n; i++) sets[i] = sinew_set_value(set[i].col, set[i].value);
    int rc = sinew_query_update_set(q, sets, n, changed);
    sn_free(sets);
    return rc;
}

int sinew_query_delete(sinew_query *q, int64_t *changed)
{
    int rc = sn_q_ungrouped(q, "sinew_query_delete");
    if (!rc) rc = no_closure(q, "sinew_query_delete");
    if (!rc) rc = sn_model_writable(q->model, "sinew_query_delete");
    if (!rc) rc = sn_q_lockable(q, "sinew_query_delete");
    if (rc) return rc;
    if (sn_sql_delete_rows(&q->out, q->s->db->dialect, &q->sel)) return sn_nomem();
    return run_write(q, changed);
}
