/*
 * rel_cache.c - where a loaded relation value lives: in the object's own
 * field when the struct has one, else in the session's cache keyed by
 * (object, relation); the per-object loaded / eager bits; and the
 * session's relation state, set up and torn down with the session.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rel_int.h"

typedef struct relcache_entry {
    void *obj;
    const sinew_relation *rel;
    void *one;
    sinew_list many;
} relcache_entry;

static int relcache_eq(const void *a, const void *b, void *ctx)
{
    (void)ctx;
    const relcache_entry *x = a, *y = b;
    return x->obj == y->obj && x->rel == y->rel;
}

static uint64_t relcache_hash(const void *obj, const sinew_relation *rel)
{
    return sn_hash_u64((uint64_t)(uintptr_t)obj * 31u ^ (uint64_t)(uintptr_t)rel);
}

void sn_rel_session_init(sinew_session *s)
{
    sn_map_init(&s->relcache, relcache_eq, NULL);
    sn_map_init(&s->relstats, NULL, NULL);
    sn_buf_init(&s->report);
    s->batching = 1;
    s->nplusone_mode = SINEW_NPLUSONE_WARN;
    s->nplusone_threshold = 5;
    const char *env = getenv("SINEW_NPLUSONE");
    if (env && strcmp(env, "off") == 0) s->nplusone_mode = SINEW_NPLUSONE_OFF;
    if (env && strcmp(env, "error") == 0) s->nplusone_mode = SINEW_NPLUSONE_ERROR;
}


void sn_rel_session_end(sinew_session *s)
{
    sn_nplusone_session_end(s);
    while (s->owned_groups) {
        sn_group *g = s->owned_groups;
        s->owned_groups = g->next_owned;
        sn_free(g->items);
        sn_free(g);
    }
    for (size_t i = 0; i < s->relstats.cap; i++)
        if (s->relstats.slots[i].key) sn_free(s->relstats.slots[i].value);
    sn_map_free(&s->relstats);
    sn_map_free(&s->relcache);
    sn_buf_free(&s->report);
}


int sn_rel_store(sinew_session *s, const sinew_relation *rel, void *obj, void *one, const sinew_list *many, int eager)
{
    sn_obj *o = SN_OBJ_OF(obj);
    int idx = sn_rel_index(o->model, rel);
    if (idx < 0 || idx >= SN_MAX_RELATIONS) return sinew_error_set(SINEW_INTERNAL, "relation %s does not belong to %s", rel->name, o->model->name);
    if (rel->offset != SINEW_NO_OFFSET) {
        /* the snapshot too: a loaded value is not a change for the unit of work */
        if (sn_rel_is_to_one(rel)) {
            *(void **)((char *)obj + rel->offset) = one;
            if (SN_SNAP(o)) *(void **)((char *)SN_SNAP(o) + rel->offset) = one;
        } else {
            *(sinew_list *)((char *)obj + rel->offset) = *many;
        }
    } else {
        relcache_entry probe = {obj, rel, NULL, {NULL, 0}};
        uint64_t h = relcache_hash(obj, rel);
        relcache_entry *e = sn_map_get(&s->relcache, h, &probe);
        if (!e) {
            e = sn_arena_alloc(&s->arena, sizeof *e);
            if (!e) return SINEW_NOMEM;
            *e = probe;
            if (sn_map_put(&s->relcache, h, e, e)) return SINEW_NOMEM;
        }
        e->one = one;
        if (many) e->many = *many;
    }
    if (!o->rel) {
        o->rel = sn_arena_calloc(&s->arena, sizeof *o->rel);
        if (!o->rel) return SINEW_NOMEM;
    }
    o->rel->loaded |= 1ull << idx;
    if (eager) o->rel->eager |= 1ull << idx;
    else o->rel->eager &= ~(1ull << idx);
    return SINEW_OK;
}

void sn_rel_fetch(sinew_session *s, const sinew_relation *rel, void *obj, void **one, sinew_list *many)
{
    if (rel->offset != SINEW_NO_OFFSET) {
        if (sn_rel_is_to_one(rel)) *one = *(void **)((char *)obj + rel->offset);
        else *many = *(sinew_list *)((char *)obj + rel->offset);
        return;
    }
    relcache_entry probe = {obj, rel, NULL, {NULL, 0}};
    relcache_entry *e = sn_map_get(&s->relcache, relcache_hash(obj, rel), &probe);
    if (one) *one = e ? e->one : NULL;
    if (many) {
        many->items = e ? e->many.items : NULL;
        many->count = e ? e->many.count : 0;
    }
}

int sn_rel_targets(sinew_session *s, const sinew_relation *rel, void **owners, size_t n, void ***out, size_t *count)
{
    *out = NULL;
    *count = 0;
    size_t cnt = 0, cap = 0;
    void **vec = NULL;
    sn_relstat *st = NULL;
    for (size_t i = 0; i < n; i++) {
        sn_obj *o = SN_OBJ_OF(owners[i]);
        int idx = sn_rel_index(o->model, rel);
        if (idx < 0 || !(sn_obj_loaded(o) & (1ull << idx))) continue;
        /* following a prefetched level to the next is a use of it (no unused-eager report) */
        if (o->rel->eager & (1ull << idx)) {
            if (!st) st = sn_relstat_of(s, o->model, rel);
            if (st) st->accessed_prefetched++;
        }
        void *one = NULL;
        sinew_list l = {NULL, 0};
        sn_rel_fetch(s, rel, owners[i], sn_rel_is_to_one(rel) ? &one : NULL, sn_rel_is_to_one(rel) ? NULL : &l);
        size_t add = one ? 1 : l.count;
        if (cnt + add > cap) {
            cap = (cnt + add) * 2;
            void **g = sn_realloc(vec, cap * sizeof *g);
            if (!g) {
                sn_free(vec);
                return sn_nomem();
            }
            vec = g;
        }
        if (one) vec[cnt++] = one;
        for (size_t j = 0; j < l.count; j++) vec[cnt++] = l.items[j];
    }
    *out = vec;
    *count = cnt;
    return SINEW_OK;
}

void sinew_relation_reset(sinew_session *s, const sinew_relation *rel, void *obj)
{
    if (!s || !rel || !obj || !sn_obj_check(s, NULL, obj, "sinew_relation_reset")) return;
    sn_obj *o = SN_OBJ_OF(obj);
    int idx = sn_rel_index(o->model, rel);
    if (idx < 0) return;
    if (o->rel) {
        o->rel->loaded &= ~(1ull << idx);
        o->rel->eager &= ~(1ull << idx);
    }
    if (rel->offset != SINEW_NO_OFFSET) {
        if (sn_rel_is_to_one(rel)) *(void **)((char *)obj + rel->offset) = NULL;
        else memset((char *)obj + rel->offset, 0, sizeof(sinew_list));
    }
}

/* whether rel's loaded value in obj holds gone */
static int holds(const sinew_relation *rel, char *obj, const void *gone)
{
    if (rel->kind == SINEW_BELONGS_TO || rel->kind == SINEW_HAS_ONE) return *(void **)(obj + rel->offset) == gone;
    const sinew_list *l = (const sinew_list *)(obj + rel->offset);
    for (size_t i = 0; i < l->count; i++)
        if (l->items[i] == gone) return 1;
    return 0;
}

int sn_unlink_cached(sinew_session *s, sn_obj *o, const void *gone, int with_belongs_to)
{
    const sinew_model *m = o->model;
    char *obj = SN_DATA_OF(o);
    for (size_t r = 0; r < m->nrelations; r++) {
        const sinew_relation *rel = &m->relations[r];
        if (rel->offset == SINEW_NO_OFFSET || (rel->kind == SINEW_BELONGS_TO && !with_belongs_to)) continue;
        if (!holds(rel, obj, gone)) continue;
        int rc = sn_flush_touch(s, o);
        if (rc) return rc;
        if (rel->kind == SINEW_BELONGS_TO || rel->kind == SINEW_HAS_ONE) {
            *(void **)(obj + rel->offset) = NULL;
        } else {
            sinew_list *l = (sinew_list *)(obj + rel->offset);
            size_t w = 0;
            for (size_t i = 0; i < l->count; i++)
                if (l->items[i] != gone) l->items[w++] = l->items[i];
            l->count = w;
        }
    }
    return SINEW_OK;
}
