/*
 * rel_load.c - the one routine that loads a relation for a set of owner
 * objects, sn_rel_load(): distinct keys, one statement per chunk of keys
 * (sized to the dialect's parameter limit, a power of two), rows handed to
 * the owners whose key they match. Also the sibling groups a loaded list
 * forms for batch loading. Eager loading (query_list.c) calls it for every
 * level of a prefetch path, lazy loading (rel_lazy.c) for a group.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rel_int.h"

int sn_group_make(sinew_session *s, void **objs, size_t n)
{
    if (n < 2) return SINEW_OK;
    /* a copy: the caller's result list is theirs to reorder, filter or overwrite */
    sn_group *g = sn_arena_alloc(&s->arena, sizeof *g + n * sizeof(void *));
    if (!g) return SINEW_NOMEM;
    g->items = (void **)(g + 1);
    memcpy(g->items, objs, n * sizeof(void *));
    g->n = n;
    g->next_owned = NULL;
    for (size_t i = 0; i < n; i++) SN_OBJ_OF(objs[i])->group = g;
    return SINEW_OK;
}

int sn_group_adopt(sinew_session *s, void **vec, size_t n)
{
    if (n < 2) {
        sn_free(vec);
        return SINEW_OK;
    }
    sn_group *g = sn_malloc(sizeof *g);
    if (!g) {
        sn_free(vec);
        return sn_nomem();
    }
    g->items = vec;
    g->n = n;
    g->next_owned = s->owned_groups;
    s->owned_groups = g;
    for (size_t i = 0; i < n; i++) SN_OBJ_OF(vec[i])->group = g;
    return SINEW_OK;
}


/* owner-side key fields, and the columns of the loaded rows they match */
static const unsigned *owner_fields(const sinew_relation *rel) { return rel->local; }

static void key_of(const sinew_model *m, const unsigned *fields, size_t n, const void *obj, sinew_value *out)
{
    for (size_t i = 0; i < n; i++) out[i] = sn_field_value(&m->fields[fields[i]], obj);
}

static int any_null(const sinew_value *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].is_null) return 1;
    return 0;
}

typedef struct keyrec {
    sinew_value v[SN_MAX_KEY];
    size_t nk;
    size_t idx;           /* distinct key number */
} keyrec;

static int keyrec_eq(const void *a, const void *b, void *ctx)
{
    (void)ctx;
    const keyrec *x = a, *y = b;
    for (size_t i = 0; i < x->nk; i++)
        if (!sn_value_eq(&x->v[i], &y->v[i])) return 0;
    return 1;
}

static uint64_t keyrec_hash(const keyrec *k)
{
    uint64_t h = 7;
    for (size_t i = 0; i < k->nk; i++) h = sn_value_hash(&k->v[i], h);
    return h;
}

/* a growable list of objects per distinct key */
typedef struct bucket {
    void **items;
    size_t n, cap;
} bucket;

static int bucket_push(bucket *b, void *obj)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4;
        void **p = sn_realloc(b->items, cap * sizeof *p);
        if (!p) return sn_nomem();
        b->items = p;
        b->cap = cap;
    }
    b->items[b->n++] = obj;
    return SINEW_OK;
}

static size_t pow2_at_least(size_t n)
{
    size_t p = 1;
    while (p < n) p <<= 1;
    return p;
}

/* read result column `col` as a value of the type of field f (for the join-table key of many-to-many) */
static int read_key(sinew_session *s, sn_exec *x, int col, const sinew_model *m, const sinew_field *f, sinew_value *out)
{
    /* hydrate into a scratch struct-shaped buffer: reuse the field decoder */
    union { char bytes[64]; max_align_t a; } scratch;
    memset(&scratch, 0, sizeof scratch);
    sinew_field tmp = *f;
    tmp.offset = 0;
    tmp.has_offset = SINEW_NO_OFFSET;
    tmp.flags &= ~(unsigned)SINEW_FIELD_NULLABLE;
    int rc = sn_hydrate_field(x->drv, x->stmt, col, m, &tmp, scratch.bytes, &s->arena);
    if (rc) return rc;
    *out = sn_field_value(&tmp, scratch.bytes);
    return SINEW_OK;
}

/*
 * One statement for a chunk of distinct keys. Rows are materialized into
 * the session and appended to the bucket of the key they match.
 */
static int load_chunk(sinew_session *s, const sinew_relation *rel, keyrec **keys, size_t nkeys, sn_map *index,
                      bucket *buckets, void ***loaded, size_t *nloaded, size_t *caploaded)
{
    const sinew_model *t = rel->target;
    size_t nk = rel->nkeys;
    int m2m = rel->kind == SINEW_MANY_TO_MANY;
    size_t padded = pow2_at_least(nkeys);   /* few distinct statement shapes for the cache */
    sn_buf b;
    sn_buf_init(&b);
    if (sn_sql_relation_select(&b, s->db->dialect, rel, padded)) {
        sn_buf_free(&b);
        return sn_nomem();
    }
    sn_exec x;
    int rc = sn_exec_start(&x, s->db, sn_buf_cstr(&b));
    for (size_t k = 0; k < padded && rc == SINEW_OK; k++) {
        const keyrec *kr = keys[k < nkeys ? k : nkeys - 1];
        for (size_t i = 0; i < nk && rc == SINEW_OK; i++) rc = sn_exec_bind(&x, (int)(k * nk + i), &kr->v[i]);
    }
    if (rc) {
        if (x.stmt) sn_exec_end(&x);
        sn_buf_free(&b);
        return rc;
    }
    while ((rc = sn_exec_step(&x)) == SINEW_ROW) {
        void *obj;
        if ((rc = sn_session_materialize(s, &x, t, NULL, &obj))) break;
        keyrec kr;
        kr.nk = nk;
        for (size_t i = 0; i < nk && rc == SINEW_OK; i++) {
            if (m2m) rc = read_key(s, &x, (int)(t->nfields + i), rel->through,
                                   &rel->through->fields[rel->through_local[i]], &kr.v[i]);
            else kr.v[i] = sn_field_value(&t->fields[rel->remote[i]], obj);
        }
        if (rc) break;
        keyrec *hit = sn_map_get(index, keyrec_hash(&kr), &kr);
        if (hit && (rc = bucket_push(&buckets[hit->idx], obj))) break;
        if (*nloaded == *caploaded) {
            size_t cap = *caploaded ? *caploaded * 2 : 64;
            void **p = sn_realloc(*loaded, cap * sizeof *p);
            if (!p) {
                rc = sn_nomem();
                break;
            }
            *loaded = p;
            *caploaded = cap;
        }
        (*loaded)[(*nloaded)++] = obj;
    }
    sn_exec_end(&x);
    sn_buf_free(&b);
    return rc == SINEW_DONE ? SINEW_OK : rc;
}

static int is_target_pk(const sinew_relation *rel)
{
    const sinew_model *t = rel->target;
    if (rel->kind != SINEW_BELONGS_TO || rel->nkeys != t->npk) return 0;
    for (size_t i = 0; i < rel->nkeys; i++)
        if (rel->remote[i] != t->pk[i]) return 0;
    return 1;
}

int sn_rel_load(sinew_session *s, const sinew_relation *rel, void **owners, size_t n, int eager)
{
    if (rel->nkeys == 0 || rel->nkeys > SN_MAX_KEY)
        return sinew_error_set(SINEW_UNSUPPORTED, "relation %s has %zu key columns (1 to %d supported)", rel->name,
                               rel->nkeys, SN_MAX_KEY);
    if (rel->kind == SINEW_MANY_TO_MANY && !rel->through)
        return sinew_error_set(SINEW_MISUSE, "many-to-many relation %s has no join model", rel->name);
    size_t nk = rel->nkeys;
    int rc = SINEW_OK;
    keyrec *recs = sn_calloc(n ? n : 1, sizeof *recs);       /* one per owner */
    keyrec **distinct = sn_calloc(n ? n : 1, sizeof *distinct);
    bucket *buckets = sn_calloc(n ? n : 1, sizeof *buckets);
    size_t *owner_key = sn_calloc(n ? n : 1, sizeof *owner_key);
    void **loaded = NULL;
    size_t nloaded = 0, caploaded = 0, ndistinct = 0;
    sn_map index;
    sn_map_init(&index, keyrec_eq, NULL);
    if (!recs || !distinct || !buckets || !owner_key) {
        rc = sn_nomem();
        goto out;
    }
    const sinew_model *om = n ? SN_OBJ_OF(owners[0])->model : NULL;
    for (size_t i = 0; i < n && rc == SINEW_OK; i++) {
        owner_key[i] = SIZE_MAX;
        sn_obj *o = SN_OBJ_OF(owners[i]);
        int idx = sn_rel_index(o->model, rel);
        if (idx < 0) {
            rc = sinew_error_set(SINEW_MISUSE, "relation %s is not a relation of %s", rel->name, o->model->name);
            break;
        }
        if (sn_obj_loaded(o) & (1ull << idx)) continue;
        if (SN_UNLIKELY(sn_obj_absent(o))) {
            uint64_t need = 0;
            for (size_t k = 0; k < nk; k++) need |= 1ull << owner_fields(rel)[k];
            if (sn_obj_absent(o) & need) {
                rc = sn_absent_refused(o, sn_obj_absent(o) & need, "sinew relation load",
                                       "the relation's key is that field");
                break;
            }
        }
        keyrec *kr = &recs[i];
        kr->nk = nk;
        key_of(o->model, owner_fields(rel), nk, owners[i], kr->v);
        if (any_null(kr->v, nk)) continue;            /* nothing to load: stored as empty below */
        if (is_target_pk(rel)) {                      /* already in the session: no statement */
            sn_obj *hit = sn_identity_find(s, rel->target, kr->v);
            if (hit && hit->state != SN_DELETED) continue;
        }
        uint64_t h = keyrec_hash(kr);
        keyrec *have = sn_map_get(&index, h, kr);
        if (have) {
            owner_key[i] = have->idx;
            continue;
        }
        kr->idx = ndistinct;
        distinct[ndistinct++] = kr;
        owner_key[i] = kr->idx;
        rc = sn_map_put(&index, h, kr, kr);
    }
    /* chunks sized to the dialect's parameter limit, a power of two */
    size_t chunk = 1;
    while (chunk * 2 * nk <= (size_t)s->db->dialect->max_params - 1) chunk *= 2;
    for (size_t at = 0; at < ndistinct && rc == SINEW_OK; at += chunk) {
        size_t cnt = ndistinct - at < chunk ? ndistinct - at : chunk;
        rc = load_chunk(s, rel, distinct + at, cnt, &index, buckets, &loaded, &nloaded, &caploaded);
    }
    /* hand every owner its value */
    for (size_t i = 0; i < n && rc == SINEW_OK; i++) {
        sn_obj *o = SN_OBJ_OF(owners[i]);
        int idx = sn_rel_index(o->model, rel);
        if (sn_obj_loaded(o) & (1ull << idx)) continue;
        if (sn_rel_is_to_one(rel)) {
            void *one = NULL;
            if (owner_key[i] != SIZE_MAX) {
                bucket *bk = &buckets[owner_key[i]];
                one = bk->n ? bk->items[0] : NULL;
            } else if (!any_null(recs[i].v, nk) && is_target_pk(rel)) {
                sn_obj *hit = sn_identity_find(s, rel->target, recs[i].v);
                one = hit && hit->state != SN_DELETED ? SN_DATA_OF(hit) : NULL;
            }
            rc = sn_rel_store(s, rel, owners[i], one, NULL, eager);
        } else {
            sinew_list l = {NULL, 0};
            if (owner_key[i] != SIZE_MAX && buckets[owner_key[i]].n) {
                bucket *bk = &buckets[owner_key[i]];
                l.items = sn_arena_alloc(&s->arena, bk->n * sizeof(void *));
                if (!l.items) {
                    rc = SINEW_NOMEM;
                    break;
                }
                memcpy(l.items, bk->items, bk->n * sizeof(void *));
                l.count = bk->n;
            }
            rc = sn_rel_store(s, rel, owners[i], NULL, &l, eager);
        }
    }
    if (rc == SINEW_OK) rc = sn_group_make(s, loaded, nloaded);
    if (rc == SINEW_OK && eager && om) {
        sn_relstat *st = sn_relstat_of(s, om, rel);
        if (st) st->prefetched += n;
    }
out:
    for (size_t i = 0; buckets && i < ndistinct; i++) sn_free(buckets[i].items);
    sn_map_free(&index);
    sn_free(recs);
    sn_free(distinct);
    sn_free(buckets);
    sn_free(owner_key);
    sn_free(loaded);
    return rc;
}
