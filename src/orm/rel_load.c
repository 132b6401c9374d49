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

static int is_target_pk(const sinew_relation *rel)
{
    const sinew_model *t = rel->target;
    if (rel->kind != SINEW_BELONGS_TO || rel->nkeys != t->npk) return 0;
    for (size_t i = 0; i < rel->nkeys; i++)
        if (rel->remote[i] != t->pk[i]) return 0;
    return 1;
}

/* one relation's load for a set of owners: its distinct keys, and the loaded rows by key */
typedef struct load_job {
    const sinew_relation *rel;
    void **owners;
    size_t n;
    keyrec *recs;         /* one per owner */
    keyrec **distinct;
    bucket *buckets;
    size_t *owner_key;
    void **loaded;
    size_t nloaded, caploaded, ndistinct;
    sn_map index;
    size_t chunk;         /* distinct keys a statement at most (a power of two) */
} load_job;

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

/* bind nkeys distinct keys, the last repeated up to `padded` (few statement shapes for the cache) */
static int chunk_bind(sn_exec *x, size_t nk, keyrec *const *keys, size_t nkeys, size_t padded)
{
    int rc = SINEW_OK;
    for (size_t k = 0; k < padded && rc == SINEW_OK; k++) {
        const keyrec *kr = keys[k < nkeys ? k : nkeys - 1];
        for (size_t i = 0; i < nk && rc == SINEW_OK; i++) rc = sn_exec_bind(x, (int)(k * nk + i), &kr->v[i]);
    }
    return rc;
}

/* the rows of one chunk's answer, materialized into the session and put in the bucket of their key */
static int chunk_read(sinew_session *s, load_job *j, sn_exec *x)
{
    const sinew_relation *rel = j->rel;
    const sinew_model *t = rel->target;
    size_t nk = rel->nkeys;
    int m2m = rel->kind == SINEW_MANY_TO_MANY, rc;
    while ((rc = sn_exec_step(x)) == SINEW_ROW) {
        void *obj;
        if ((rc = sn_session_materialize(s, x, t, NULL, &obj))) break;
        keyrec kr;
        kr.nk = nk;
        for (size_t i = 0; i < nk && rc == SINEW_OK; i++) {
            if (m2m) rc = read_key(s, x, (int)(t->nfields + i), rel->through,
                                   &rel->through->fields[rel->through_local[i]], &kr.v[i]);
            else kr.v[i] = sn_field_value(&t->fields[rel->remote[i]], obj);
        }
        if (rc) break;
        keyrec *hit = sn_map_get(&j->index, keyrec_hash(&kr), &kr);
        if (hit && (rc = bucket_push(&j->buckets[hit->idx], obj))) break;
        if (j->nloaded == j->caploaded) {
            size_t cap = j->caploaded ? j->caploaded * 2 : 64;
            void **p = sn_realloc(j->loaded, cap * sizeof *p);
            if (!p) {
                rc = sn_nomem();
                break;
            }
            j->loaded = p;
            j->caploaded = cap;
        }
        j->loaded[j->nloaded++] = obj;
    }
    return rc == SINEW_DONE ? SINEW_OK : rc;
}

/* One statement for a chunk of distinct keys, waiting for its answer. */
static int load_chunk(sinew_session *s, load_job *j, size_t at, size_t nkeys)
{
    size_t padded = pow2_at_least(nkeys);
    sn_exec x;
    int rc = chunk_start(s, j->rel, padded, &x);
    if (rc == SINEW_OK) rc = chunk_bind(&x, j->rel->nkeys, j->distinct + at, nkeys, padded);
    if (rc == SINEW_OK) rc = chunk_read(s, j, &x);
    if (x.stmt) sn_exec_end(&x);
    return rc;
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
    int rc = SINEW_OK;
    j->recs = sn_calloc(n ? n : 1, sizeof *j->recs);
    j->distinct = sn_calloc(n ? n : 1, sizeof *j->distinct);
    j->buckets = sn_calloc(n ? n : 1, sizeof *j->buckets);
    j->owner_key = sn_calloc(n ? n : 1, sizeof *j->owner_key);
    if (!j->recs || !j->distinct || !j->buckets || !j->owner_key) return sn_nomem();
    for (size_t i = 0; i < n && rc == SINEW_OK; i++) {
        j->owner_key[i] = SIZE_MAX;
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
        keyrec *kr = &j->recs[i];
        kr->nk = nk;
        key_of(o->model, owner_fields(rel), nk, j->owners[i], kr->v);
        if (any_null(kr->v, nk)) continue;            /* nothing to load: stored as empty below */
        if (is_target_pk(rel)) {                      /* already in the session: no statement */
            sn_obj *hit = sn_identity_find(s, rel->target, kr->v);
            if (hit && hit->state != SN_DELETED) continue;
        }
        uint64_t h = keyrec_hash(kr);
        keyrec *have = sn_map_get(&j->index, h, kr);
        if (have) {
            j->owner_key[i] = have->idx;
            continue;
        }
        kr->idx = j->ndistinct;
        j->distinct[j->ndistinct++] = kr;
        j->owner_key[i] = kr->idx;
        rc = sn_map_put(&j->index, h, kr, kr);
    }
    /* chunks sized to the dialect's parameter limit, a power of two */
    j->chunk = 1;
    while (j->chunk * 2 * nk <= (size_t)s->db->dialect->max_params - 1) j->chunk *= 2;
    return rc;
}

/* hand every owner its value */
static int job_hand_out(sinew_session *s, load_job *j, int eager)
{
    const sinew_relation *rel = j->rel;
    size_t nk = rel->nkeys;
    int rc = SINEW_OK;
    for (size_t i = 0; i < j->n && rc == SINEW_OK; i++) {
        sn_obj *o = SN_OBJ_OF(j->owners[i]);
        int idx = sn_rel_index(o->model, rel);
        if (sn_obj_loaded(o) & (1ull << idx)) continue;
        if (sn_rel_is_to_one(rel)) {
            void *one = NULL;
            if (j->owner_key[i] != SIZE_MAX) {
                bucket *bk = &j->buckets[j->owner_key[i]];
                one = bk->n ? bk->items[0] : NULL;
            } else if (!any_null(j->recs[i].v, nk) && is_target_pk(rel)) {
                sn_obj *hit = sn_identity_find(s, rel->target, j->recs[i].v);
                one = hit && hit->state != SN_DELETED ? SN_DATA_OF(hit) : NULL;
            }
            rc = sn_rel_store(s, rel, j->owners[i], one, NULL, eager);
        } else {
            sinew_list l = {NULL, 0};
            if (j->owner_key[i] != SIZE_MAX && j->buckets[j->owner_key[i]].n) {
                bucket *bk = &j->buckets[j->owner_key[i]];
                l.items = sn_arena_alloc(&s->arena, bk->n * sizeof(void *));
                if (!l.items) {
                    rc = SINEW_NOMEM;
                    break;
                }
                memcpy(l.items, bk->items, bk->n * sizeof(void *));
                l.count = bk->n;
            }
            rc = sn_rel_store(s, rel, j->owners[i], NULL, &l, eager);
        }
    }
    if (rc == SINEW_OK) rc = sn_group_make(s, j->loaded, j->nloaded);
    if (rc == SINEW_OK && eager && j->n) {
        sn_relstat *st = sn_relstat_of(s, SN_OBJ_OF(j->owners[0])->model, rel);
        if (st) st->prefetched += j->n;
    }
    return rc;
}

static void job_free(load_job *j)
{
    for (size_t i = 0; j->buckets && i < j->ndistinct; i++) sn_free(j->buckets[i].items);
    sn_map_free(&j->index);
    sn_free(j->recs);
    sn_free(j->distinct);
    sn_free(j->buckets);
    sn_free(j->owner_key);
    sn_free(j->loaded);
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
            rc = chunk_bind(r->x, r->j->rel->nkeys, r->j->distinct + r->at, r->nkeys, pow2_at_least(r->nkeys));
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
        sn_map_init(&jobs[k].index, keyrec_eq, NULL);
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
