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

static int keys_eq(const sinew_value *a, const sinew_value *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!sn_value_eq(&a[i], &b[i])) return 0;
    return 1;
}

static uint32_t keys_hash(const sinew_value *v, size_t n)
{
    uint64_t h = 7;
    for (size_t i = 0; i < n; i++) h = sn_value_hash(&v[i], h);
    return (uint32_t)(h ^ (h >> 32));
}

/* the integer field types read straight from the struct: a key of one such column on both sides
 * is kept as a plain int64_t (sn_value_eq compares these by number whatever their width) */
static int int_field(const sinew_field *f)
{
    return f->type == SINEW_INT64 || f->type == SINEW_INT32 || f->type == SINEW_TIMESTAMP || f->type == SINEW_DATE;
}

/* an int_field's value in obj; 0 when it is NULL */
static inline int read_int(const sinew_field *f, const void *obj, int64_t *out)
{
    const char *p = obj;
    if (f->has_offset != SINEW_NO_OFFSET && !*(const bool *)(p + f->has_offset)) return 0;
    *out = f->type == SINEW_INT64 || f->type == SINEW_TIMESTAMP ? *(const int64_t *)(const void *)(p + f->offset)
                                                                : *(const int32_t *)(const void *)(p + f->offset);
    return 1;
}

static inline uint32_t int_hash(int64_t k)
{
    uint64_t x = (uint64_t)k * 0x9e3779b97f4a7c15ull;
    return (uint32_t)(x >> 32);
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

static int is_target_pk(const sinew_relation *rel)
{
    const sinew_model *t = rel->target;
    if (rel->kind != SINEW_BELONGS_TO || rel->nkeys != t->npk) return 0;
    for (size_t i = 0; i < rel->nkeys; i++)
        if (rel->remote[i] != t->pk[i]) return 0;
    return 1;
}

#define NO_KEY UINT32_MAX

/*
 * One relation's load for a set of owners. The distinct keys of the owners are numbered in order
 * of first appearance and kept flat: for the common key of one integer column on both sides as
 * int64_t in ikeys, otherwise nkeys values each in vkeys (with their hashes in khash). `slots` is
 * an open-addressing index of them (a distinct key's number + 1, 0 for an empty slot), sized for
 * every owner having a key of its own. Each loaded row is kept with its key's number; the owners'
 * lists are made from them at the end in one pass (counted per key, then filled).
 */
typedef struct load_job {
    const sinew_relation *rel;
    void **owners;
    size_t n;
    int ints;             /* one integer column on both sides: ikeys */
    int shared;           /* some distinct key is the key of two owners or more */
    sinew_type ktype;     /* ints: the owner key field's type (what its value binds as) */
    int64_t *ikeys;
    sinew_value *vkeys;
    uint32_t *khash;
    uint32_t *slots;
    size_t mask;
    uint32_t *owner_key;  /* per owner: its distinct key's number, or NO_KEY (nothing to load) */
    void *block;          /* the allocation of the arrays above */
    size_t ndistinct;
    void **loaded;        /* the rows, in the order they came */
    uint32_t *row_key;    /* and each one's distinct key number (NO_KEY: it matches none) */
    size_t nloaded, caploaded;
    size_t chunk;         /* distinct keys a statement at most (a power of two) */
} load_job;

/* the number of integer key k, NO_KEY if it is not one; *slot: where it would go */
static inline uint32_t ikey_find(const load_job *j, int64_t k, size_t *slot)
{
    for (size_t i = int_hash(k) & j->mask;; i = (i + 1) & j->mask) {
        uint32_t e = j->slots[i];
        if (!e) {
            *slot = i;
            return NO_KEY;
        }
        if (j->ikeys[e - 1] == k) return e - 1;
    }
}

static uint32_t vkey_find(const load_job *j, const sinew_value *v, uint32_t h, size_t *slot)
{
    size_t nk = j->rel->nkeys;
    for (size_t i = h & j->mask;; i = (i + 1) & j->mask) {
        uint32_t e = j->slots[i];
        if (!e) {
            *slot = i;
            return NO_KEY;
        }
        if (j->khash[e - 1] == h && keys_eq(&j->vkeys[(size_t)(e - 1) * nk], v, nk)) return e - 1;
    }
}

/* distinct key d's column c, as it binds */
static sinew_value job_key(const load_job *j, size_t d, size_t c)
{
    if (!j->ints) return j->vkeys[d * j->rel->nkeys + c];
    sinew_value v;
    memset(&v, 0, sizeof v);
    v.type = j->ktype;
    v.u.i = j->ikeys[d];
    return v;
}

/* a statement for `padded` keys of rel, started (prepared on a statement-cache miss) */
static int chunk_start(sinew_session *s, const sinew_relation *rel, size_t padded, sn_exec *x)
{
    sn_buf b;
    sn_buf_init(&b);
    if (sn_sql_relation_select(&b, s->db->dialect, rel, padded)) {
        sn_buf_free(&b);
        x->stmt = NULL;
        return sn_nomem();
    }
    int rc = sn_exec_start(x, s->db, sn_buf_cstr(&b));   /* the cache (or an uncached statement) keeps a copy */
    sn_buf_free(&b);
    return rc;
}

/* bind the nkeys distinct keys from `at`, the last repeated up to `padded` (few statement shapes for the cache) */
static int chunk_bind(sn_exec *x, const load_job *j, size_t at, size_t nkeys, size_t padded)
{
    size_t nk = j->rel->nkeys;
    int rc = SINEW_OK;
    for (size_t k = 0; k < padded && rc == SINEW_OK; k++) {
        size_t d = at + (k < nkeys ? k : nkeys - 1);
        for (size_t i = 0; i < nk && rc == SINEW_OK; i++) {
            sinew_value v = job_key(j, d, i);
            rc = sn_exec_bind(x, (int)(k * nk + i), &v);
        }
    }
    return rc;
}

static int rows_grow(load_job *j)
{
    size_t cap = j->caploaded ? j->caploaded * 2 : (j->ndistinct > 64 ? j->ndistinct : 64);
    void **p = sn_realloc(j->loaded, cap * sizeof *p);
    if (!p) return sn_nomem();
    j->loaded = p;
    uint32_t *k = sn_realloc(j->row_key, cap * sizeof *k);
    if (!k) return sn_nomem();
    j->row_key = k;
    j->caploaded = cap;
    return SINEW_OK;
}

/* the rows of one chunk's answer, materialized into the session, each kept with its key's number */
static int chunk_read(sinew_session *s, load_job *j, sn_exec *x)
{
    const sinew_relation *rel = j->rel;
    const sinew_model *t = rel->target;
    size_t nk = rel->nkeys;
    int m2m = rel->kind == SINEW_MANY_TO_MANY, rc;
    const sinew_field *rf = m2m ? NULL : &t->fields[rel->remote[0]];
    uint32_t last = NO_KEY;      /* rows come in runs of one key: the last one found is tried first */
    int64_t last_k = 0;
    while ((rc = sn_exec_step(x)) == SINEW_ROW) {
        void *obj;
        if ((rc = sn_session_materialize(s, x, t, NULL, &obj))) break;
        uint32_t e = NO_KEY;
        size_t slot;
        if (j->ints) {
            int64_t k = 0;
            int have;
            if (m2m) {
                sinew_value v;
                if ((rc = read_key(s, x, (int)t->nfields, rel->through, &rel->through->fields[rel->through_local[0]], &v)))
                    break;
                have = !v.is_null && sn_type_intlike(v.type);
                k = v.u.i;
            } else {
                have = read_int(rf, obj, &k);
            }
            if (have) {
                if (last == NO_KEY || k != last_k) {
                    last = ikey_find(j, k, &slot);
                    last_k = k;
                }
                e = last;
            }
        } else {
            sinew_value v[SN_MAX_KEY];
            for (size_t i = 0; i < nk && rc == SINEW_OK; i++) {
                if (m2m) rc = read_key(s, x, (int)(t->nfields + i), rel->through,
                                       &rel->through->fields[rel->through_local[i]], &v[i]);
                else v[i] = sn_field_value(&t->fields[rel->remote[i]], obj);
            }
            if (rc) break;
            e = vkey_find(j, v, keys_hash(v, nk), &slot);
        }
        if (j->nloaded == j->caploaded && (rc = rows_grow(j))) break;
        j->loaded[j->nloaded] = obj;
        j->row_key[j->nloaded++] = e;
    }
    return rc == SINEW_DONE ? SINEW_OK : rc;
}

/* One statement for a chunk of distinct keys, waiting for its answer. */
static int load_chunk(sinew_session *s, load_job *j, size_t at, size_t nkeys)
{
    size_t padded = pow2_at_least(nkeys);
    sn_exec x;
    int rc = chunk_start(s, j->rel, padded, &x);
    if (rc == SINEW_OK) rc = chunk_bind(&x, j, at, nkeys, padded);
    if (rc == SINEW_OK) rc = chunk_read(s, j, &x);
    if (x.stmt) sn_exec_end(&x);
    return rc;
}

/* the keys' arrays and their index, in one allocation */
static int job_alloc(load_job *j)
{
    size_t n = j->n ? j->n : 1, nk = j->rel->nkeys;
    if (n > UINT32_MAX / 4) return sinew_error_set(SINEW_UNSUPPORTED, "relation %s: %zu owners at once (at most %u)",
                                                   j->rel->name, j->n, UINT32_MAX / 4);
    size_t cap = pow2_at_least(2 * n > 16 ? 2 * n : 16);
    size_t keys = j->ints ? n * sizeof(int64_t) : n * nk * sizeof(sinew_value);
    size_t u32s = (j->ints ? 0 : n) + n + cap;
    char *p = sn_malloc(keys + u32s * sizeof(uint32_t));
    if (!p) return sn_nomem();
    j->block = p;
    if (j->ints) j->ikeys = (int64_t *)(void *)p;
    else j->vkeys = (sinew_value *)(void *)p;
    uint32_t *u = (uint32_t *)(void *)(p + keys);
    if (!j->ints) {
        j->khash = u;
        u += n;
    }
    j->owner_key = u;
    j->slots = u + n;
    j->mask = cap - 1;
    memset(j->slots, 0, cap * sizeof *j->slots);
    return SINEW_OK;
}

static int job_keys(sinew_session *s, load_job *j)
{
    const sinew_relation *rel = j->rel;
    size_t n = j->n, nk = rel->nkeys;
    if (rel->nkeys == 0 || rel->nkeys > SN_MAX_KEY)
        return sinew_error_set(SINEW_UNSUPPORTED, "relation %s has %zu key columns (1 to %d supported)", rel->name,
                               rel->nkeys, SN_MAX_KEY);
    if (rel->kind == SINEW_MANY_TO_MANY && !rel->through)
        return sinew_error_set(SINEW_MISUSE, "many-to-many relation %s has no join model", rel->name);
    /* the owners are all of the one model rel belongs to (checked for each below) */
    const sinew_model *om = n ? SN_OBJ_OF(j->owners[0])->model : NULL;
    const sinew_field *lf = om && sn_rel_index(om, rel) >= 0 ? &om->fields[owner_fields(rel)[0]] : NULL;
    if (lf && nk == 1) {
        const sinew_field *rf = rel->kind == SINEW_MANY_TO_MANY ? &rel->through->fields[rel->through_local[0]]
                                                                : &rel->target->fields[rel->remote[0]];
        j->ints = int_field(lf) && int_field(rf);
        j->ktype = lf->type;
    }
    int rc = job_alloc(j);
    if (rc) return rc;
    int target_pk = is_target_pk(rel);
    for (size_t i = 0; i < n && rc == SINEW_OK; i++) {
        j->owner_key[i] = NO_KEY;
        sn_obj *o = SN_OBJ_OF(j->owners[i]);
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
        size_t slot;
        uint32_t e;
        if (j->ints) {
            int64_t k;
            if (!read_int(lf, j->owners[i], &k)) continue;   /* nothing to load: stored as empty below */
            if (target_pk) {                                  /* already in the session: no statement */
                sinew_value v = sn_field_value(lf, j->owners[i]);
                sn_obj *hit = sn_identity_find(s, rel->target, &v);
                if (hit && hit->state != SN_DELETED) continue;
            }
            e = ikey_find(j, k, &slot);
            if (e == NO_KEY) {
                e = (uint32_t)j->ndistinct++;
                j->ikeys[e] = k;
                j->slots[slot] = e + 1;
            } else {
                j->shared = 1;
            }
        } else {
            sinew_value v[SN_MAX_KEY];
            key_of(o->model, owner_fields(rel), nk, j->owners[i], v);
            if (any_null(v, nk)) continue;
            if (target_pk) {
                sn_obj *hit = sn_identity_find(s, rel->target, v);
                if (hit && hit->state != SN_DELETED) continue;
            }
            uint32_t h = keys_hash(v, nk);
            e = vkey_find(j, v, h, &slot);
            if (e == NO_KEY) {
                e = (uint32_t)j->ndistinct++;
                memcpy(&j->vkeys[(size_t)e * nk], v, nk * sizeof *v);
                j->khash[e] = h;
                j->slots[slot] = e + 1;
            } else {
                j->shared = 1;
            }
        }
        j->owner_key[i] = e;
    }
    /* chunks sized to the dialect's parameter limit, a power of two */
    j->chunk = 1;
    while (j->chunk * 2 * nk <= (size_t)s->db->dialect->max_params - 1) j->chunk *= 2;
    return rc;
}

/* a to-one owner with no key to load: NULL, or its target found in the session by job_keys */
static void *one_in_session(sinew_session *s, const sinew_relation *rel, void *owner)
{
    if (!is_target_pk(rel)) return NULL;
    sinew_value v[SN_MAX_KEY];
    key_of(SN_OBJ_OF(owner)->model, owner_fields(rel), rel->nkeys, owner, v);
    if (any_null(v, rel->nkeys)) return NULL;
    sn_obj *hit = sn_identity_find(s, rel->target, v);
    return hit && hit->state != SN_DELETED ? SN_DATA_OF(hit) : NULL;
}

/*
 * Hand every owner its value. To-many: the rows are counted per key, then placed in one block
 * by key (in the order they came), and each owner's list is its key's run of the block; an owner
 * whose key an earlier owner had gets a copy, so that every list is its owner's to change.
 */
static int job_hand_out(sinew_session *s, load_job *j, int eager)
{
    const sinew_relation *rel = j->rel;
    size_t nd = j->ndistinct;
    int to_one = sn_rel_is_to_one(rel), rc = SINEW_OK;
    void **first = NULL, **block = NULL;
    size_t *pos = NULL;        /* to-many: after the fill, key e's run ends at pos[e] and starts at pos[e - 1] */
    unsigned char *given = NULL;
    if (to_one) {
        first = sn_calloc(nd ? nd : 1, sizeof *first);
        if (!first) return sn_nomem();
        for (size_t r = 0; r < j->nloaded; r++) {
            uint32_t e = j->row_key[r];
            if (e != NO_KEY && !first[e]) first[e] = j->loaded[r];
        }
    } else {
        pos = sn_calloc(nd + 1, sizeof *pos);
        given = j->shared ? sn_calloc(nd ? nd : 1, 1) : NULL;
        if (!pos || (j->shared && !given)) rc = sn_nomem();
        for (size_t r = 0; rc == SINEW_OK && r < j->nloaded; r++)
            if (j->row_key[r] != NO_KEY) pos[j->row_key[r] + 1]++;
        for (size_t e = 0; rc == SINEW_OK && e < nd; e++) pos[e + 1] += pos[e];
        if (rc == SINEW_OK && nd && pos[nd]) {
            block = sn_arena_alloc(&s->arena, pos[nd] * sizeof *block);
            if (!block) rc = SINEW_NOMEM;
            for (size_t r = 0; block && r < j->nloaded; r++)
                if (j->row_key[r] != NO_KEY) block[pos[j->row_key[r]]++] = j->loaded[r];
        }
    }
    for (size_t i = 0; i < j->n && rc == SINEW_OK; i++) {
        sn_obj *o = SN_OBJ_OF(j->owners[i]);
        int idx = sn_rel_index(o->model, rel);
        if (sn_obj_loaded(o) & (1ull << idx)) continue;
        uint32_t e = j->owner_key[i];
        if (to_one) {
            void *one = e != NO_KEY ? first[e] : one_in_session(s, rel, j->owners[i]);
            rc = sn_rel_store(s, rel, j->owners[i], one, NULL, eager);
            continue;
        }
        sinew_list l = {NULL, 0};
        if (e != NO_KEY && block) {
            size_t from = e ? pos[e - 1] : 0;
            l.items = block + from;
            l.count = pos[e] - from;
            if (!l.count) {
                l.items = NULL;
            } else if (given && given[e]) {
                void **copy = sn_arena_alloc(&s->arena, l.count * sizeof *copy);
                if (!copy) {
                    rc = SINEW_NOMEM;
                    break;
                }
                memcpy(copy, l.items, l.count * sizeof *copy);
                l.items = copy;
            } else if (given) {
                given[e] = 1;
            }
        }
        rc = sn_rel_store(s, rel, j->owners[i], NULL, &l, eager);
    }
    sn_free(first);
    sn_free(pos);
    sn_free(given);
    if (rc == SINEW_OK) rc = sn_group_make(s, j->loaded, j->nloaded);
    if (rc == SINEW_OK && eager && j->n) {
        sn_relstat *st = sn_relstat_of(s, SN_OBJ_OF(j->owners[0])->model, rel);
        if (st) st->prefetched += j->n;
    }
    return rc;
}

static void job_free(load_job *j)
{
    sn_free(j->block);
    sn_free(j->loaded);
    sn_free(j->row_key);
}

static size_t job_chunks(const load_job *j) { return (j->ndistinct + j->chunk - 1) / j->chunk; }

/*
 * Pipelining (PostgreSQL): the chunk statements of every job go out together, PIPE_READS at a
 * time, and their answers are read in the order sent: a round trip for them all instead of one
 * a statement. Each job has at most two statement texts (its full chunks' and its last, shorter
 * one's), started before the pipeline (a statement is prepared outside it) and bound anew for
 * each execution; an answer is read whole before the next one replaces it in the statement.
 */
#define PIPE_READS 16

typedef struct chunk_ref {
    load_job *j;
    sn_exec *x;
    size_t at, nkeys;
} chunk_ref;

static int run_pipelined(sinew_session *s, load_job *jobs, size_t njobs, size_t total)
{
    const sinew_driver *drv = s->db->drv;
    sn_exec *xs = sn_calloc(2 * njobs, sizeof *xs);
    chunk_ref *refs = sn_malloc(total * sizeof *refs);
    int rc = xs && refs ? SINEW_OK : sn_nomem();
    size_t nref = 0;
    for (size_t k = 0; k < njobs && rc == SINEW_OK; k++) {
        load_job *j = &jobs[k];
        size_t full = j->ndistinct / j->chunk, rest = j->ndistinct % j->chunk;
        if (full && (rc = chunk_start(s, j->rel, j->chunk, &xs[2 * k])) == SINEW_OK) xs[2 * k].finished = 1;
        if (rc == SINEW_OK && rest && (rc = chunk_start(s, j->rel, pow2_at_least(rest), &xs[2 * k + 1])) == SINEW_OK)
            xs[2 * k + 1].finished = 1;   /* logged per execution, as the answers come */
        for (size_t at = 0; at < j->ndistinct && rc == SINEW_OK; at += j->chunk) {
            size_t cnt = j->ndistinct - at < j->chunk ? j->ndistinct - at : j->chunk;
            refs[nref++] = (chunk_ref){j, &xs[2 * k + (cnt == j->chunk ? 0 : 1)], at, cnt};
        }
    }
    for (size_t from = 0; from < nref && rc == SINEW_OK;) {
        size_t upto = nref - from < PIPE_READS ? nref : from + PIPE_READS;
        double t0 = s->db->log_fn || s->db->log_stderr ? sn_now_ms() : -1;
        if ((rc = drv->pipeline_begin(s->db->conn))) break;
        size_t sent = from;
        for (; sent < upto && rc == SINEW_OK; sent++) {
            chunk_ref *r = &refs[sent];
            rc = chunk_bind(r->x, r->j, r->at, r->nkeys, pow2_at_least(r->nkeys));
            if (rc == SINEW_OK) rc = drv->send(r->x->stmt);
        }
        for (size_t k = from; k < sent && rc == SINEW_OK; k++) {
            chunk_ref *r = &refs[k];
            int64_t before = r->x->rows;
            rc = drv->receive(r->x->stmt);
            if (rc == SINEW_OK) rc = chunk_read(s, r->j, r->x);
            sn_db_note_statement(s->db, r->x->sql, t0, r->x->rows - before, rc);
        }
        if (rc) {
            sinew_error saved = *sinew_last_error();
            drv->pipeline_end(s->db->conn);
            *sn_error_mut() = saved;
        } else {
            rc = drv->pipeline_end(s->db->conn);
        }
        from = upto;
    }
    for (size_t k = 0; xs && k < 2 * njobs; k++)
        if (xs[k].stmt) sn_exec_end(&xs[k]);
    sn_free(xs);
    sn_free(refs);
    return rc;
}

/* a statement of its own per chunk (no pipelining, a single statement, or an after_load hook that
 * may run statements of its own while the rows are read) */
static int run_each(sinew_session *s, load_job *j)
{
    int rc = SINEW_OK;
    for (size_t at = 0; at < j->ndistinct && rc == SINEW_OK; at += j->chunk)
        rc = load_chunk(s, j, at, j->ndistinct - at < j->chunk ? j->ndistinct - at : j->chunk);
    return rc;
}

int sn_rel_load_many(sinew_session *s, const sinew_relation *const *rels, void **const *owners, const size_t *n,
                     size_t njobs, int eager)
{
    load_job one, *jobs = njobs == 1 ? &one : sn_calloc(njobs ? njobs : 1, sizeof *jobs);
    if (!jobs) return sn_nomem();
    memset(jobs, 0, (njobs ? njobs : 1) * sizeof *jobs);
    int rc = SINEW_OK;
    size_t total = 0;
    int hooked = 0;
    for (size_t k = 0; k < njobs; k++) {
        jobs[k].rel = rels[k];
        jobs[k].owners = owners[k];
        jobs[k].n = n[k];
        jobs[k].chunk = 1;
    }
    for (size_t k = 0; k < njobs && rc == SINEW_OK; k++) {
        rc = job_keys(s, &jobs[k]);
        total += job_chunks(&jobs[k]);
        const sinew_hooks *hk = sn_hooks_for(s->db, rels[k]->target);
        hooked |= hk && hk->after_load;
    }
    const sinew_driver *drv = s->db->drv;
    if (rc == SINEW_OK && total > 1 && drv->send && !hooked) {
        rc = run_pipelined(s, jobs, njobs, total);
    } else {
        for (size_t k = 0; k < njobs && rc == SINEW_OK; k++) rc = run_each(s, &jobs[k]);
    }
    for (size_t k = 0; k < njobs && rc == SINEW_OK; k++) rc = job_hand_out(s, &jobs[k], eager);
    for (size_t k = 0; k < njobs; k++) job_free(&jobs[k]);
    if (jobs != &one) sn_free(jobs);
    return rc;
}

int sn_rel_load(sinew_session *s, const sinew_relation *rel, void **owners, size_t n, int eager)
{
    return sn_rel_load_many(s, &rel, &owners, &n, 1, eager);
}
