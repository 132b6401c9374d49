/*
 * rel_lazy.c - the lazy accessors sinew_load_one / sinew_load_many: a
 * relation loaded on first use, for every sibling of the object's result
 * list at once (batching), with the N+1 pattern noted when it is not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rel_int.h"

static int lazy_load(sinew_session *s, const sinew_relation *rel, void *obj, void **owners, size_t n, size_t need,
                     int idx);

typedef struct lazy_args {
    sinew_session *s;
    const sinew_relation *rel;
    void *obj;
    void **owners;
    size_t n, need;
    int idx;
} lazy_args;

static int lazy_routed(void *arg)
{
    lazy_args *a = arg;
    return lazy_load(a->s, a->rel, a->obj, a->owners, a->n, a->need, a->idx);
}

static int lazy(sinew_session *s, const sinew_relation *rel, void *obj, const char *file, int line, const char *fn)
{
    if (!s || !rel) return sinew_error_set(SINEW_MISUSE, "%s: session and relation must not be NULL", fn);
    sn_obj *o = sn_obj_check(s, NULL, obj, fn);
    if (!o) return SINEW_MISUSE;
    int idx = sn_rel_index(o->model, rel);
    if (idx < 0) return sinew_error_set(SINEW_MISUSE, "%s: %s is not a relation of %s", fn, rel->name, o->model->name);
    if (sn_obj_loaded(o) & (1ull << idx)) {
        if (o->rel->eager & (1ull << idx)) {
            sn_relstat *st = sn_relstat_of(s, o->model, rel);
            if (st) st->accessed_prefetched++;
        }
        return SINEW_OK;
    }
    if (o->state == SN_NEW)
        return sinew_error_set(SINEW_MISUSE, "%s: this %s is not saved yet; save it before following %s", fn,
                               o->model->name, rel->name);
    /* the siblings that still need this relation */
    void *single[1] = {obj};
    void **owners = single;
    size_t n = 1;
    sn_group *g = o->group;
    if (s->batching && g && g->n > 1) {
        owners = g->items;
        n = g->n;
    }
    size_t need = 0;
    for (size_t i = 0; i < n; i++) {
        sn_obj *so = SN_OBJ_OF(owners[i]);
        if (so->state != SN_DELETED && !(sn_obj_loaded(so) & (1ull << idx))) need++;
    }
    if (need == 1 && g && g->n > 1 && s->nplusone_mode != SINEW_NPLUSONE_OFF) {
        /* an unbatched lazy load on an object that came from a list: the N+1 pattern */
        sn_relstat *st = sn_relstat_of(s, o->model, rel);
        if (st) {
            st->lazy_from_list++;
            st->file = file;
            st->line = line;
            if (st->lazy_from_list >= s->nplusone_threshold && !st->reported) {
                char msg[600];
                st->reported = ++s->nreports;
                st->reported_count = st->lazy_from_list;
                sn_nplusone_text(msg, sizeof msg, s, st, " so far");
                sn_rel_report(s, msg);
                if (s->nplusone_mode == SINEW_NPLUSONE_ERROR) return sinew_error_set(SINEW_NPLUSONE, "%s", msg);
            }
        }
    }
    /* what a read-only object's relations bring is read-only too, and on a session made on a router
       it is read where the object was: on a replica (route.c) */
    int was = s->load_readonly;
    s->load_readonly = o->state == SN_READONLY;
    int rc;
    if (SN_UNLIKELY(s->route && o->state == SN_READONLY)) {
        lazy_args a = {s, rel, obj, owners, n, need, idx};
        rc = sn_route_read(s, lazy_routed, &a);
    } else {
        rc = lazy_load(s, rel, obj, owners, n, need, idx);
    }
    s->load_readonly = was;
    return rc;
}

static int lazy_load(sinew_session *s, const sinew_relation *rel, void *obj, void **owners, size_t n, size_t need,
                     int idx)
{
    void *single[1] = {obj};
    if (n > 1) {
        /* load only the siblings that need it (deleted ones are skipped) */
        void **todo = sn_malloc(need * sizeof *todo);
        if (!todo) return sn_nomem();
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            sn_obj *so = SN_OBJ_OF(owners[i]);
            if (so->state != SN_DELETED && !(sn_obj_loaded(so) & (1ull << idx))) todo[k++] = owners[i];
        }
        int rc = sn_rel_load(s, rel, todo, k, 0);
        sn_free(todo);
        if (rc) return rc;
        if (!(sn_obj_loaded(SN_OBJ_OF(obj)) & (1ull << idx))) return sn_rel_load(s, rel, single, 1, 0);
        return SINEW_OK;
    }
    return sn_rel_load(s, rel, single, 1, 0);
}

int sinew_load_one_at(sinew_session *s, const sinew_relation *rel, void *obj, const char *file, int line, void **out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_load_one: out is NULL");
    *out = NULL;
    if (rel && !sn_rel_is_to_one(rel))
        return sinew_error_set(SINEW_MISUSE, "sinew_load_one: %s is a to-many relation; use sinew_load_many", rel->name);
    int rc = lazy(s, rel, obj, file, line, "sinew_load_one");
    if (rc) return rc;
    sn_rel_fetch(s, rel, obj, out, NULL);
    return SINEW_OK;
}

int sinew_load_many_at(sinew_session *s, const sinew_relation *rel, void *obj, const char *file, int line, sinew_list *out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_load_many: out is NULL");
    out->items = NULL;
    out->count = 0;
    if (rel && sn_rel_is_to_one(rel))
        return sinew_error_set(SINEW_MISUSE, "sinew_load_many: %s is a to-one relation; use sinew_load_one", rel->name);
    int rc = lazy(s, rel, obj, file, line, "sinew_load_many");
    if (rc) return rc;
    sn_rel_fetch(s, rel, obj, NULL, out);
    return SINEW_OK;
}
