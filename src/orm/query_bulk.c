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

static int delete_checks(sinew_query *q, const char *fn)
{
    int rc = sn_q_ungrouped(q, fn);
    if (!rc) rc = no_closure(q, fn);
    if (!rc) rc = sn_model_writable(q->model, fn);
    if (!rc) rc = sn_q_lockable(q, fn);
    return rc;
}

/* the real DELETE of the matching rows (ON DELETE is the database's) */
static int hard_delete(sinew_query *q, int64_t *changed)
{
    if (sn_sql_delete_rows(&q->out, q->s->db->dialect, &q->sel)) return sn_nomem();
    return run_write(q, changed);
}

/* @@soft_delete cascades deeper than this are refused (a chain of models, each cascading to the next) */
#define SOFT_CASCADE_DEPTH 32

static int soft_delete(sinew_query *q, int64_t now, int64_t *changed, int depth);

const sinew_relation *sn_soft_cascade_back(const sinew_relation *rel)
{
    if (rel->kind != SINEW_HAS_MANY && rel->kind != SINEW_HAS_ONE) return NULL;
    const sinew_model *c = rel->target;
    const sinew_relation *back = rel->inverse ? sinew_model_find_relation(c, rel->inverse) : NULL;
    if (!back || back->kind != SINEW_BELONGS_TO || back->on_delete != SINEW_FK_CASCADE ||
        sinew_model_soft_delete_field(c) < 0)
        return NULL;   /* a child that is not soft-deleted keeps its row: its parent's row is still there */
    return back;
}

sinew_expr *sn_x_key_in(const sinew_model *c, const sinew_relation *back, sinew_query *sub)
{
    sinew_expr *e = sinew_in_query(sinew_column(c, back->local[0]), sub, sinew_column(back->target, back->remote[0]));
    if (e && e->kind == X_INSUB) e->rel = back;   /* the whole key, however many columns (src/sql renders it) */
    return e;
}

/*
 * The children that follow rows of m soft-deleted at `now` (ON DELETE CASCADE to a @@soft_delete model):
 * UPDATE child SET deleted_at = now WHERE (fk) IN (SELECT key FROM m WHERE deleted_at = now) AND
 * deleted_at IS NULL, then their own children. The one clock reading of the operation marks the rows it
 * deleted (and is what sinew_restore finds them by); a row already deleted is left, so a cycle in the
 * data ends.
 */
static int soft_cascade(sinew_session *s, const sinew_model *m, int64_t now, int depth)
{
    int mf = sinew_model_soft_delete_field(m);
    for (size_t r = 0; r < m->nrelations; r++) {
        const sinew_relation *back = sn_soft_cascade_back(&m->relations[r]);
        if (!back) continue;
        const sinew_model *c = m->relations[r].target;
        if (depth >= SOFT_CASCADE_DEPTH)
            return sinew_error_set(SINEW_UNSUPPORTED, "soft delete of %s: the cascade is deeper than %d models",
                                   m->name, SOFT_CASCADE_DEPTH);
        sinew_query *sub = sinew_query_new(s, m), *cq = sinew_query_new(s, c);
        if (!sub || !cq) {
            sinew_query_free(sub);
            sinew_query_free(cq);
            return sn_nomem();
        }
        sub->sel.with_deleted = 1;
        int rc = sinew_where(sub, sinew_eq(sinew_column(m, (unsigned)mf), sinew_v_timestamp(now)));
        if (rc == SINEW_OK)
            rc = sinew_where(cq, sn_x_key_in(c, back, sub));
        else
            sinew_query_free(sub);
        int64_t n = 0;
        if (rc == SINEW_OK) rc = soft_delete(cq, now, &n, depth + 1);
        sinew_query_free(cq);
        if (rc) return rc;
    }
    return SINEW_OK;
}

/* UPDATE the matching rows SET deleted_at = now (and @updated_at, and a @version field to version + 1:
 * the row changed), then the cascade */
static int soft_delete(sinew_query *q, int64_t now, int64_t *changed, int depth)
{
    const sinew_model *m = q->model;
    int f = sinew_model_soft_delete_field(m), vf = sn_soft_version_field(m);
    sinew_set two[2] = {sinew_set_value(sinew_column(m, (unsigned)f), sinew_v_timestamp(now))};
    if (vf >= 0) {
        sinew_col v = sinew_column(m, (unsigned)vf);
        two[1] = sinew_set_expr(v, sinew_col_op(v, '+', sinew_v_int64(1)));
    }
    size_t nset = vf >= 0 ? 2 : 1;
    sinew_set *checked;
    int rc = sn_set_check(m, two, nset, 0, "sinew_query_delete", &checked);
    if (rc) return sn_q_fail(q, rc);
    size_t n = sn_stamp_sets(m, checked, nset, now);
    q->sel.with_deleted = 0;   /* a row deleted already keeps the time it was deleted */
    rc = sn_sql_update_rows(&q->out, q->s->db->dialect, &q->sel, checked, n, 0) ? sn_nomem() : SINEW_OK;
    sn_free(checked);
    int64_t got = 0;
    if (rc == SINEW_OK) rc = run_write(q, &got);
    if (rc == SINEW_OK && got > 0) rc = soft_cascade(q->s, m, now, depth);
    if (changed) *changed = got;
    return rc;
}

int sn_q_soft_cascade(sinew_session *s, const sinew_model *m, int64_t now) { return soft_cascade(s, m, now, 0); }

int sn_q_soft_delete_at(sinew_query *q, int64_t now, int64_t *changed) { return soft_delete(q, now, changed, 0); }

int sn_q_soft_delete(sinew_query *q, int64_t *changed)
{
    sinew_session *s = q->s;
    int64_t outer = sn_stamp_begin(s);   /* one reading: it also marks the rows the cascade follows */
    int rc = sinew_begin(s->db);
    if (rc == SINEW_OK) {
        rc = soft_delete(q, s->stamp_now, changed, 0);
        if (rc == SINEW_OK) rc = sinew_commit(s->db);
        else {
            sinew_error saved = *sinew_last_error();
            sinew_rollback(s->db);
            *sn_error_mut() = saved;
        }
    }
    sn_stamp_end(s, outer);
    return rc;
}

int sinew_query_delete(sinew_query *q, int64_t *changed)
{
    int rc = delete_checks(q, "sinew_query_delete");
    if (rc) return rc;
    if (sinew_model_soft_delete_field(q->model) >= 0) return sn_q_soft_delete(q, changed);
    return hard_delete(q, changed);
}

int sinew_query_hard_delete(sinew_query *q, int64_t *changed)
{
    int rc = delete_checks(q, "sinew_query_hard_delete");
    if (rc) return rc;
    return hard_delete(q, changed);
}

int sinew_with_deleted(sinew_query *q)
{
    if (!q) return sinew_error_set(SINEW_MISUSE, "sinew_with_deleted: query is NULL");
    if (sinew_model_soft_delete_field(q->model) < 0)
        return sn_q_fail(q, sinew_error_set(SINEW_MISUSE, "sinew_with_deleted: %s is not @@soft_delete (it has no "
                                            "deleted rows to include)", q->model->name));
    q->sel.with_deleted = 1;
    return SINEW_OK;
}
