/*
 * query_list.c - a query's objects: sinew_all, sinew_first, sinew_one,
 * hydrating the to-one targets loaded by JOIN and then loading every other
 * prefetch path, one statement per level.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "query_int.h"
#include "sinew/relations.h"

/* the targets of to-one prefetches loaded by JOIN: columns after the owner's */
static int hydrate_join_prefetches(sinew_query *q, sn_exec *x, void *owner)
{
    int base = (int)q->model->nfields;
    for (size_t k = 0; k < q->nprefetch; k++) {
        const q_prefetch *p = &q->prefetch[k];
        if (!p->join) continue;
        const sinew_relation *rel = p->path[0];
        const sinew_model *t = rel->target;
        void *target = NULL;
        if (x->drv->column_storage(x->stmt, base + (int)t->pk[0]) != SINEW_STORAGE_NULL) {
            /* the resolver refuses wider models; a hand-written one must not overrun colmap */
            if (t->nfields > SN_MAX_FIELDS)
                return sinew_error_set(SINEW_UNSUPPORTED, "model %s has %zu fields; sinew supports up to %d per model",
                                       t->name, t->nfields, SN_MAX_FIELDS);
            int colmap[SN_MAX_FIELDS];
            for (size_t i = 0; i < t->nfields; i++) colmap[i] = base + (int)i;
            int rc = sn_session_materialize(q->s, x, t, colmap, &target);
            if (rc) return rc;
        }
        int rc = sn_rel_store(q->s, rel, owner, target, NULL, 1);
        if (rc) return rc;
        base += (int)t->nfields;
    }
    return SINEW_OK;
}

/* every non-JOIN prefetch path, one statement per level (chunked for huge key sets) */
static int run_prefetches(sinew_query *q, void **items, size_t n)
{
    int rc = SINEW_OK;
    for (size_t k = 0; k < q->nprefetch && rc == SINEW_OK && n; k++) {
        const q_prefetch *p = &q->prefetch[k];
        if (p->join) {   /* loaded with the rows; still count it for the unused-eager report */
            continue;
        }
        void **owners = items;
        size_t nowners = n;
        void **next = NULL;
        for (int level = 0; level < p->n && rc == SINEW_OK && nowners; level++) {
            const sinew_relation *rel = p->path[level];
            rc = sn_rel_load(q->s, rel, owners, nowners, 1);
            if (rc || level + 1 == p->n) break;
            /* the loaded targets are the owners of the next level */
            size_t cnt = 0;
            void **nv = NULL;
            rc = sn_rel_targets(q->s, rel, owners, nowners, &nv, &cnt);
            if (rc) break;
            sn_free(next);
            next = nv;
            owners = nv;
            nowners = cnt;
        }
        sn_free(next);
    }
    return rc;
}

static int collect_rows(sinew_query *q, int extra_limit, sinew_list *out, size_t max);

/* a read-only query's objects, and what its prefetches bring, are materialized untracked */
static int collect(sinew_query *q, int extra_limit, sinew_list *out, size_t max)
{
    if (!q) return collect_rows(q, extra_limit, out, max);
    int was = q->s->load_readonly;
    q->s->load_readonly = q->readonly;
    int rc = collect_rows(q, extra_limit, out, max);
    q->s->load_readonly = was;
    return rc;
}

/* a row's object, and the relations JOIN-loaded with it */
static int list_object(void *ctx, sn_exec *x, void **obj)
{
    sinew_query *q = ctx;
    int rc = sn_session_materialize(q->s, x, q->model, NULL, obj);
    if (!rc) rc = hydrate_join_prefetches(q, x, *obj);
    return rc;
}

static int collect_rows(sinew_query *q, int extra_limit, sinew_list *out, size_t max)
{
    out->items = NULL;
    out->count = 0;
    int rc = sn_q_err(q);
    if (!rc) rc = sn_q_lockable(q, NULL);
    if (rc) return rc;
    if ((rc = sn_q_render_select(q, extra_limit))) return rc;
    sn_exec x;
    if ((rc = sn_q_start(q, &x, sn_buf_cstr(&q->out.sql)))) return rc;
    void **vec = NULL;
    size_t n = 0, cap = 0;
    rc = sn_q_collect(&x, max, list_object, q, &vec, &n, &cap);
    sn_exec_end(&x);
    if (rc == SINEW_DONE) {
        rc = SINEW_OK;
        if (n) {
            /* the growth slack goes before the caller's copy is made (the peak is both arrays) */
            void **fit = n < cap ? sn_realloc(vec, n * sizeof *vec) : NULL;
            if (fit) vec = fit;
            out->items = sn_arena_alloc(&q->s->arena, n * sizeof *out->items);
            if (!out->items) rc = SINEW_NOMEM;
            else {
                memcpy(out->items, vec, n * sizeof *vec);
                out->count = n;
            }
        }
    }
    /* vec itself becomes the batch-loading group: the caller may reorder or overwrite their list */
    if (rc == SINEW_OK) {
        rc = sn_group_adopt(q->s, vec, out->count);
    } else {
        sn_free(vec);
    }
    if (rc == SINEW_OK) rc = run_prefetches(q, out->items, out->count);
    return rc;
}

int sinew_all(sinew_query *q, sinew_list *out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_all: out is NULL");
    out->items = NULL;
    out->count = 0;
    int rc = sn_q_ungrouped(q, "sinew_all");
    if (rc) return rc;
    return collect(q, 0, out, 0);
}

int sinew_first(sinew_query *q, void **out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_first: out is NULL");
    *out = NULL;
    sinew_list l;
    int rc = sn_q_ungrouped(q, "sinew_first");
    if (!rc) rc = collect(q, 1, &l, 1);
    if (rc) return rc;
    if (!l.count) return sinew_error_set(SINEW_NOTFOUND, "no %s matches the query", q->model->name);
    *out = l.items[0];
    return SINEW_OK;
}

int sinew_one(sinew_query *q, void **out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_one: out is NULL");
    *out = NULL;
    sinew_list l;
    int rc = sn_q_ungrouped(q, "sinew_one");
    if (!rc) rc = collect(q, 2, &l, 2);
    if (rc) return rc;
    if (!l.count) return sinew_error_set(SINEW_NOTFOUND, "no %s matches the query", q->model->name);
    if (l.count > 1)
        return sinew_error_set(SINEW_MULTIPLE, "more than one %s matches a query that expected exactly one; "
                               "filter by a unique field or use sinew_first()", q->model->name);
    *out = l.items[0];
    return SINEW_OK;
}
