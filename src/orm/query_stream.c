/*
 * query_stream.c - constant-memory iteration: every row hydrated into one
 * struct, its strings in an arena rolled back row by row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "query_int.h"

struct sinew_iter {
    sinew_query *q;
    sn_exec x;
    sn_col_plan plan;         /* the columns into the struct, worked out once for every row */
    sn_arena arena;           /* strings of the current row only */
    sn_arena_mark mark;       /* empty-arena point every row rolls back to */
    void *row;                /* the one struct every row is hydrated into */
    int done;
};

static void iter_free(sinew_iter *it)
{
    sn_exec_end(&it->x);   /* nothing when no statement was started (x zeroed, or ended by sn_q_start) */
    sn_col_plan_free(&it->plan);
    sn_arena_free(&it->arena);
    sn_free(it->row);
    sn_free(it);
}

int sinew_iterate(sinew_query *q, sinew_iter **out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_iterate: out is NULL");
    *out = NULL;
    int rc = sn_q_ungrouped(q, "sinew_iterate");
    if (!rc) rc = sn_q_lockable(q, NULL);
    if (rc) return rc;
    if (q->model->size == 0)
        return sinew_error_set(SINEW_MISUSE, "sinew_iterate: model %s has no C struct", q->model->name);
    if (q->sel.nann)
        return sinew_error_set(SINEW_UNSUPPORTED, "sinew_iterate: the query over %s has annotations (sinew_annotate), "
                               "which a stream does not keep; read them with sinew_all", q->model->name);
    if (q->sel.cols)
        return sinew_error_set(SINEW_UNSUPPORTED, "sinew_iterate: the query over %s has a projection (sinew_only/"
                               "sinew_defer); a stream reads whole rows: stream the columns as values with "
                               "sinew_select_col and sinew_rows_open", q->model->name);
    if ((rc = sn_q_render_select(q, 0))) return rc;
    sinew_iter *it = sn_calloc(1, sizeof *it);
    if (!it) return sn_nomem();
    /* one chunk is kept for good, so rows that fit in it cost no allocation */
    sn_arena_init(&it->arena, 64 * 1024);
    it->q = q;
    if (!(it->row = sn_calloc(1, q->model->size))) {
        rc = sn_nomem();
    } else if (!sn_arena_alloc(&it->arena, 1)) {
        rc = SINEW_NOMEM;
    } else if (!(rc = sn_col_plan_init(&it->plan, q->model, 0, 1))) {
        it->mark = sn_arena_mark_get(&it->arena);
        if (!(rc = sn_q_start(q, &it->x, sn_buf_cstr(&q->out.sql))) && it->x.drv->stream)
            rc = it->x.drv->stream(it->x.stmt);
    }
    if (rc) {
        iter_free(it);
        return rc;
    }
    *out = it;
    return SINEW_OK;
}

int sinew_iter_next(sinew_iter *it, void **obj)
{
    if (!it || !obj) return sinew_error_set(SINEW_MISUSE, "sinew_iter_next: arguments must not be NULL");
    *obj = NULL;
    if (it->done) return SINEW_DONE;
    int rc = sn_exec_step(&it->x);
    if (rc != SINEW_ROW) {
        it->done = 1;
        return rc;
    }
    /* the previous row's strings are dropped before the next row is read (none were
     * allocated when its text was all borrowed) */
    if (!sn_arena_at_mark(&it->arena, &it->mark)) sn_arena_reset_to(&it->arena, it->mark);
    memset(it->row, 0, it->q->model->size);
    rc = sn_hydrate_planned(&it->plan, it->x.drv, it->x.stmt, it->row, &it->arena);
    if (rc) {
        it->done = 1;
        return rc;
    }
    *obj = it->row;
    return SINEW_ROW;
}

void sinew_iter_free(sinew_iter *it)
{
    if (it) iter_free(it);
}
