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
static int hydrate_join_prefetches(sinew_query *q, sn_exec *x, void *owner, int base)
{
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

/*
 * Every non-JOIN prefetch path, one statement per level (chunked for huge key sets). The paths
 * are walked together, level by level: the loads of one level have their keys (the owners are
 * the level before's targets, or the query's rows) and do not wait for each other, so they go
 * out as one sn_rel_load_many, pipelined where the driver can (PostgreSQL). A level waits for
 * the one before it, whose rows give its keys. Two paths loading the same relation at one level
 * (a shared prefix) load it once: the second finds its owners loaded.
 */
static int run_prefetches(sinew_query *q, void **items, size_t n)
{
    int rc = SINEW_OK;
    void **owners[Q_MAX], **own[Q_MAX];     /* each path's owners at this level; own: the ones to free */
    size_t nowners[Q_MAX];
    int live[Q_MAX];
    int more = 0;
    for (size_t k = 0; k < q->nprefetch; k++) {
        owners[k] = items;
        own[k] = NULL;
        nowners[k] = n;
        live[k] = !q->prefetch[k].join && q->prefetch[k].n > 0 && n > 0;
        more |= live[k];
    }
    for (int level = 0; more && rc == SINEW_OK; level++) {
        const sinew_relation *rels[Q_MAX];
        void **jo[Q_MAX];
        size_t jn[Q_MAX], njobs = 0;
        for (size_t k = 0; k < q->nprefetch; k++) {
            if (!live[k]) continue;
            const sinew_relation *rel = q->prefetch[k].path[level];
            int dup = 0;
            for (size_t x = 0; x < njobs && !dup; x++) dup = rels[x] == rel;
            if (dup) continue;   /* after this level's loads, below: its owners have it loaded then */
            rels[njobs] = rel;
            jo[njobs] = owners[k];
            jn[njobs++] = nowners[k];
        }
        rc = sn_rel_load_many(q->s, rels, jo, jn, njobs, 1);
        for (size_t k = 0; k < q->nprefetch && rc == SINEW_OK; k++) {
            if (!live[k]) continue;
            const sinew_relation *rel = q->prefetch[k].path[level];
            int dup = 0;
            for (size_t x = 0; x < njobs && !dup; x++) dup = rels[x] == rel && jo[x] != owners[k];
            if (dup) rc = sn_rel_load(q->s, rel, owners[k], nowners[k], 1);   /* a path of its own owners */
        }
        more = 0;
        for (size_t k = 0; k < q->nprefetch && rc == SINEW_OK; k++) {
            if (!live[k]) continue;
            if (level + 1 == q->prefetch[k].n) {
                live[k] = 0;
                continue;
            }
            /* the loaded targets are the owners of the next level */
            size_t cnt = 0;
            void **nv = NULL;
            rc = sn_rel_targets(q->s, q->prefetch[k].path[level], owners[k], nowners[k], &nv, &cnt);
            if (rc) break;
            sn_free(own[k]);
            owners[k] = own[k] = nv;
            nowners[k] = cnt;
            live[k] = cnt > 0;
            more |= live[k];
        }
    }
    for (size_t k = 0; k < q->nprefetch; k++) sn_free(own[k]);
    return rc;
}

static int collect_rows(sinew_query *q, int extra_limit, sinew_list *out, size_t max);

typedef struct collect_args {
    sinew_query *q;
    int extra_limit;
    sinew_list *out;
    size_t max;
} collect_args;

static int collect_routed(void *arg)
{
    collect_args *a = arg;
    return collect_rows(a->q, a->extra_limit, a->out, a->max);
}

/* a read-only query's objects, and what its prefetches bring, are materialized untracked; on a
   session made on a router they are read on a replica (route.c) */
static int collect(sinew_query *q, int extra_limit, sinew_list *out, size_t max)
{
    if (!q) return collect_rows(q, extra_limit, out, max);
    int was = q->s->load_readonly;
    q->s->load_readonly = q->readonly;
    int rc;
    if (SN_UNLIKELY(q->readonly && q->s->route)) {
        collect_args a = {q, extra_limit, out, max};
        rc = sn_route_read(q->s, collect_routed, &a);
    } else {
        rc = collect_rows(q, extra_limit, out, max);
    }
    q->s->load_readonly = was;
    return rc;
}

/* what every row of one read shares: a projection's column map, where the annotations start */
typedef struct list_ctx {
    sinew_query *q;
    const int *colmap;        /* NULL: every column, in field order */
    int base;                 /* the first column after the model's */
    int ann_first;
    size_t row;
    uint64_t absent;          /* the fields a projection leaves out */
} list_ctx;

/* a row's object, the relations JOIN-loaded with it and its annotations */
static int list_object(void *ctx, sn_exec *x, void **obj)
{
    list_ctx *c = ctx;
    sinew_query *q = c->q;
    int rc;
    if (SN_UNLIKELY(c->colmap != NULL)) {
        uint64_t was_absent = q->s->load_absent;
        const sinew_model *was_model = q->s->load_absent_model;
        q->s->load_absent = c->absent;
        q->s->load_absent_model = q->model;
        rc = sn_session_materialize(q->s, x, q->model, c->colmap, obj);
        q->s->load_absent = was_absent;
        q->s->load_absent_model = was_model;
    } else {
        rc = sn_session_materialize(q->s, x, q->model, NULL, obj);
    }
    if (!rc) rc = hydrate_join_prefetches(q, x, *obj, c->base);
    if (!rc && SN_UNLIKELY(q->sel.nann)) rc = sn_q_read_annotations(q, x, c->row, c->ann_first);
    if (!rc) c->row++;
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
    /* a projection: the columns read, mapped once for every row; the objects remember what they lack */
    const sinew_model *m = q->model;
    int colmap_buf[SN_MAX_FIELDS], *colmap = NULL, base = (int)m->nfields;
    if (q->sel.cols) {
        base = 0;
        for (size_t i = 0; i < m->nfields && i < SN_MAX_FIELDS; i++)
            colmap_buf[i] = ((q->sel.cols >> i) & 1) ? base++ : -1;
        colmap = colmap_buf;
    }
    /* annotations follow the model's and the JOIN-loaded targets' columns */
    int ann_first = base;
    for (size_t k = 0; k < q->nprefetch; k++)
        if (q->prefetch[k].join) ann_first += (int)q->prefetch[k].path[0]->target->nfields;
    q->ann_rows = 0;
    list_ctx lc = {q, colmap, base, ann_first, 0, ~q->sel.cols & (m->nfields >= 64 ? ~0ull : (1ull << m->nfields) - 1)};
    void **vec = NULL;
    size_t n = 0, cap = 0;
    rc = sn_q_collect(&x, max, list_object, &lc, &vec, &n, &cap);
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
