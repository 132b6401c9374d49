/*
 * rel_poly.c - polymorphic relations (`target Post | Comment`): which target
 * an object points at, pointing it at another, and loading it.
 *
 * Each target is an ordinary optional to-one of the model (docs/relations.md),
 * so loading is theirs: the lazy load of the set target batches over the
 * siblings (one statement per target model for a whole list, the siblings
 * pointing elsewhere have a NULL key and cost nothing), and the prefetch is
 * one SELECT ... IN (...) per target model. What this file adds is choosing
 * the target from the keys, and a setter that keeps exactly one key set.
 */
#include <string.h>
#include "query_int.h"
#include "rel_int.h"

static int poly_of(const sinew_model *m, const sinew_poly *p)
{
    return m && p && m->polys && p >= m->polys && p < m->polys + m->npolys;
}

/* whether the key field f of obj holds a value (NULL pointers and cleared has_ flags do not) */
static int key_set(const sinew_field *f, const void *obj)
{
    if (f->offset == SINEW_NO_OFFSET) return 0;
    if (f->has_offset != SINEW_NO_OFFSET) return sn_field_has_value(f, obj);
    const char *at = (const char *)obj + f->offset;
    switch (f->type) {
    case SINEW_TEXT: case SINEW_JSON: case SINEW_DECIMAL: {
        const char *p;
        memcpy(&p, at, sizeof p);
        return p != NULL;
    }
    case SINEW_BLOB: return ((const sinew_blob *)(const void *)at)->data != NULL;
    default: return 1;
    }
}

static void key_clear(const sinew_field *f, void *obj)
{
    if (f->offset == SINEW_NO_OFFSET) return;
    memset((char *)obj + f->offset, 0, sn_type_size(f->type));
    if (f->has_offset != SINEW_NO_OFFSET) *(bool *)((char *)obj + f->has_offset) = false;
}

size_t sinew_poly_which(const sinew_model *model, const sinew_poly *poly, const void *obj)
{
    if (!obj || !poly_of(model, poly)) return 0;
    for (size_t i = 0; i < poly->ntargets; i++) {
        const sinew_relation *r = &model->relations[poly->targets[i]];
        /* the key, or a member pointing at a target that is not inserted yet (the flush fills its key) */
        if (key_set(&model->fields[r->local[0]], obj)) return i + 1;
        if (r->offset != SINEW_NO_OFFSET && *(void *const *)((const char *)obj + r->offset)) return i + 1;
    }
    return 0;
}

int sinew_poly_set(sinew_session *s, const sinew_poly *poly, void *obj, size_t which, void *target)
{
    if (!s || !poly) return sinew_error_set(SINEW_MISUSE, "sinew_poly_set: session and relation must not be NULL");
    sn_obj *o = sn_obj_check(s, NULL, obj, "sinew_poly_set");
    if (!o) return SINEW_MISUSE;
    const sinew_model *m = o->model;
    if (!poly_of(m, poly))
        return sinew_error_set(SINEW_MISUSE, "sinew_poly_set: %s is not a polymorphic relation of %s", poly->name, m->name);
    if (o->state == SN_READONLY) return sn_readonly_refused(o, "sinew_poly_set");
    if (which > poly->ntargets)
        return sinew_error_set(SINEW_MISUSE, "sinew_poly_set: %s.%s has %zu targets; %zu is none of them", m->name,
                               poly->name, poly->ntargets, which);
    if ((which == 0) != (target == NULL))
        return sinew_error_set(SINEW_MISUSE, "sinew_poly_set: %s.%s: %s", m->name, poly->name,
                               which ? "the target object is NULL (pass 0 to clear the relation)"
                                     : "a target object with no target index (0 clears the relation)");
    const sinew_relation *rel = which ? &m->relations[poly->targets[which - 1]] : NULL;
    sn_obj *t = NULL;
    if (rel && !(t = sn_obj_check(s, rel->target, target, "sinew_poly_set"))) return SINEW_MISUSE;
    /* the keys first (nothing can fail after this), then what the session knows is loaded. A target
     * not saved yet gets its key when the flush has inserted it (as any to-one member does) */
    for (size_t i = 0; i < poly->ntargets; i++) {
        const sinew_relation *r = &m->relations[poly->targets[i]];
        const sinew_field *f = &m->fields[r->local[0]];
        if (r == rel && t->state != SN_NEW) sn_field_copy(f, obj, &r->target->fields[r->remote[0]], target);
        else key_clear(f, obj);
    }
    for (size_t i = 0; i < poly->ntargets; i++) {
        const sinew_relation *r = &m->relations[poly->targets[i]];
        int rc = sn_rel_store(s, r, obj, r == rel ? target : NULL, NULL, 0);
        if (rc) return rc;
    }
    return SINEW_OK;
}

int sinew_load_poly_at(sinew_session *s, const sinew_poly *poly, void *obj, const char *file, int line,
                       size_t *which, void **out)
{
    if (which) *which = 0;
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_load_poly: out is NULL");
    *out = NULL;
    if (!s || !poly) return sinew_error_set(SINEW_MISUSE, "sinew_load_poly: session and relation must not be NULL");
    sn_obj *o = sn_obj_check(s, NULL, obj, "sinew_load_poly");
    if (!o) return SINEW_MISUSE;
    if (!poly_of(o->model, poly))
        return sinew_error_set(SINEW_MISUSE, "sinew_load_poly: %s is not a polymorphic relation of %s", poly->name,
                               o->model->name);
    size_t w = sinew_poly_which(o->model, poly, obj);
    if (!w) return SINEW_OK;   /* no target set: nothing to load */
    int rc = sinew_load_one_at(s, &o->model->relations[poly->targets[w - 1]], obj, file, line, out);
    if (rc) return rc;
    if (which) *which = w;
    return SINEW_OK;
}

int sinew_prefetch_poly(sinew_query *q, const sinew_poly *poly)
{
    if (!q) return sinew_error_set(SINEW_MISUSE, "sinew_prefetch_poly: query is NULL");
    if (q->err) return q->err;
    if (!poly_of(q->model, poly))
        return sn_q_fail(q, sinew_error_set(SINEW_MISUSE, "sinew_prefetch_poly: %s is not a polymorphic relation of %s",
                                            poly ? poly->name : "(NULL)", q->model->name));
    /* one statement per target model: a JOIN of every target would widen each row by all of them */
    for (size_t i = 0; i < poly->ntargets; i++) {
        int rc = sinew_prefetch_with(q, &q->model->relations[poly->targets[i]], SINEW_EAGER_SELECT);
        if (rc) return rc;
    }
    return SINEW_OK;
}
