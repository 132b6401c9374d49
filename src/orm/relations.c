/*
 * relations.c - loading relations: the one routine sn_rel_load() that loads
 * a relation for a set of owner objects with one statement per chunk of
 * keys, and on top of it lazy loading (cached, batched over the siblings an
 * object was loaded with), the N+1 detector and many-to-many changes.
 * Eager loading (query_exec.c) calls sn_rel_load() for every level of a
 * prefetch path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "query_int.h"
#include "sinew/relations.h"

#define MAXK SN_MAX_KEY   /* key columns per relation: its target's primary key */

/* ---- session state ---------------------------------------------------------------- */

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

static void upper_into(char *dst, size_t cap, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < cap; i++) dst[i] = (char)(src[i] >= 'a' && src[i] <= 'z' ? src[i] - 32 : src[i]);
    dst[i] = '\0';
}

/* the generated constant for a relation: POST_AUTHOR */
static void rel_constant(char *buf, size_t cap, const sinew_model *owner, const sinew_relation *rel)
{
    char a[64], b[64];
    upper_into(a, sizeof a, owner->c_name ? owner->c_name : owner->name);
    upper_into(b, sizeof b, rel->name);
    snprintf(buf, cap, "%s_%s", a, b);
}

/* The N+1 report of one relation, with the count of now (tail: " so far" while the loop runs). */
static void nplusone_text(char *msg, size_t cap, const sinew_session *s, const sn_relstat *st, const char *tail)
{
    char c[140];
    rel_constant(c, sizeof c, st->owner, st->rel);
    snprintf(msg, cap, "N+1 query: %s.%s was loaded lazily %d times%s, one statement per object, "
             "for objects from one result list (at %s:%d). Load it with the list: sinew_prefetch(q, %s)%s",
             st->owner->name, st->rel->name, st->lazy_from_list, tail, st->file ? st->file : "?", st->line, c,
             s->batching ? "" : ", or turn batch loading back on (sinew_session_set_batching)");
}

static void add_report(sinew_session *s, const char *msg)
{
    sn_buf_puts(&s->report, msg);
    sn_buf_putc(&s->report, '\n');
    if (s->db) sn_db_log_message(s->db, msg);
}

void sn_rel_session_end(sinew_session *s)
{
    if (s->nplusone_mode != SINEW_NPLUSONE_OFF) {
        for (size_t i = 0; i < s->relstats.cap; i++) {
            if (!s->relstats.slots[i].key) continue;
            sn_relstat *st = s->relstats.slots[i].value;
            if (st->reported && st->lazy_from_list > st->reported_count && s->db) {
                /* reported when it crossed the threshold: the log gets the whole count too */
                char msg[600];
                nplusone_text(msg, sizeof msg, s, st, " in all");
                sn_db_log_message(s->db, msg);
            }
            if (st->prefetched && !st->accessed_prefetched) {
                char c[140], msg[400];
                rel_constant(c, sizeof c, st->owner, st->rel);
                snprintf(msg, sizeof msg, "unused eager load: %s.%s was prefetched for %llu object(s) but never "
                         "followed through its accessor; drop sinew_prefetch(q, %s)", st->owner->name, st->rel->name,
                         (unsigned long long)st->prefetched, c);
                add_report(s, msg);
            }
        }
    }
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

void sinew_session_set_batching(sinew_session *s, bool on) { s->batching = on; }

void sinew_session_set_nplusone(sinew_session *s, sinew_nplusone_mode mode, int threshold)
{
    s->nplusone_mode = mode;
    s->nplusone_threshold = threshold > 0 ? threshold : 5;
}

const char *sinew_session_nplusone_report(sinew_session *s)
{
    /* each relation once, in the order reported, with how often it has been loaded by now */
    sn_buf_clear(&s->report);
    for (int k = 1; k <= s->nreports; k++)
        for (size_t i = 0; i < s->relstats.cap; i++) {
            sn_relstat *st = s->relstats.slots[i].key ? s->relstats.slots[i].value : NULL;
            if (!st || st->reported != k) continue;
            char msg[600];
            nplusone_text(msg, sizeof msg, s, st, "");
            sn_buf_puts(&s->report, msg);
            sn_buf_putc(&s->report, '\n');
        }
    return sn_buf_cstr(&s->report);
}

static sn_relstat *relstat(sinew_session *s, const sinew_model *owner, const sinew_relation *rel)
{
    uint64_t h = sn_hash_u64((uint64_t)(uintptr_t)rel);
    sn_relstat *st = sn_map_get(&s->relstats, h, rel);
    if (st) return st;
    st = sn_calloc(1, sizeof *st);
    if (!st) return NULL;
    st->rel = rel;
    st->owner = owner;
    if (sn_map_put(&s->relstats, h, rel, st)) {
        sn_free(st);
        return NULL;
    }
    return st;
}

sinew_count_mark sinew_count_begin(sinew_db *db)
{
    sinew_count_mark m = {sinew_db_stats(db).statements};
    return m;
}

int sinew_count_expect(sinew_db *db, sinew_count_mark mark, uint64_t expected)
{
    uint64_t got = sinew_db_stats(db).statements - mark.statements;
    if (got == expected) return SINEW_OK;
    return sinew_error_set(SINEW_ERROR, "expected %llu statement(s), %llu ran", (unsigned long long)expected,
                           (unsigned long long)got);
}

/* ---- groups ---------------------------------------------------------------------- */

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

/* ---- cached values ----------------------------------------------------------------- */

static int rel_index(const sinew_model *m, const sinew_relation *rel)
{
    if (rel < m->relations || rel >= m->relations + m->nrelations) return -1;
    return (int)(rel - m->relations);
}

static int is_to_one(const sinew_relation *rel) { return rel->kind == SINEW_BELONGS_TO || rel->kind == SINEW_HAS_ONE; }

int sn_rel_store(sinew_session *s, const sinew_relation *rel, void *obj, void *one, const sinew_list *many, int eager)
{
    sn_obj *o = SN_OBJ_OF(obj);
    int idx = rel_index(o->model, rel);
    if (idx < 0 || idx >= SN_MAX_RELATIONS) return sinew_error_set(SINEW_INTERNAL, "relation %s does not belong to %s", rel->name, o->model->name);
    if (rel->offset != SINEW_NO_OFFSET) {
        /* the snapshot too: a loaded value is not a change for the unit of work */
        if (is_to_one(rel)) {
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

static void rel_fetch(sinew_session *s, const sinew_relation *rel, void *obj, void **one, sinew_list *many)
{
    if (rel->offset != SINEW_NO_OFFSET) {
        if (is_to_one(rel)) *one = *(void **)((char *)obj + rel->offset);
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

void sinew_relation_reset(sinew_session *s, const sinew_relation *rel, void *obj)
{
    if (!s || !rel || !obj || !sn_obj_check(s, NULL, obj, "sinew_relation_reset")) return;
    sn_obj *o = SN_OBJ_OF(obj);
    int idx = rel_index(o->model, rel);
    if (idx < 0) return;
    if (o->rel) {
        o->rel->loaded &= ~(1ull << idx);
        o->rel->eager &= ~(1ull << idx);
    }
    if (rel->offset != SINEW_NO_OFFSET) {
        if (is_to_one(rel)) *(void **)((char *)obj + rel->offset) = NULL;
        else memset((char *)obj + rel->offset, 0, sizeof(sinew_list));
    }
}

/* ---- the loader ------------------------------------------------------------------ */

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
    sinew_value v[MAXK];
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

static void render_in(sn_buf *b, const sinew_dialect *d, const char *alias, const sinew_model *m,
                      const unsigned *fields, size_t nk, size_t nkeys, int *param)
{
    if (nk == 1) {
        sn_buf_printf(b, "%s.", alias);
        sn_sql_ident(b, d, m->fields[fields[0]].column);
    } else {
        sn_buf_putc(b, '(');
        for (size_t i = 0; i < nk; i++) {
            if (i) sn_buf_puts(b, ", ");
            sn_buf_printf(b, "%s.", alias);
            sn_sql_ident(b, d, m->fields[fields[i]].column);
        }
        sn_buf_putc(b, ')');
    }
    sn_buf_puts(b, " IN (");
    for (size_t k = 0; k < nkeys; k++) {
        if (k) sn_buf_puts(b, ", ");
        if (nk > 1) sn_buf_putc(b, '(');
        for (size_t i = 0; i < nk; i++) {
            if (i) sn_buf_puts(b, ", ");
            sn_sql_param(b, d, (*param)++);
        }
        if (nk > 1) sn_buf_putc(b, ')');
    }
    sn_buf_putc(b, ')');
}

/*
 * One statement for a chunk of distinct keys. Rows are materialized into
 * the session and appended to the bucket of the key they match.
 */
static int load_chunk(sinew_session *s, const sinew_relation *rel, keyrec **keys, size_t nkeys, sn_map *index,
                      bucket *buckets, void ***loaded, size_t *nloaded, size_t *caploaded)
{
    const sinew_model *t = rel->target;
    const sinew_dialect *d = s->db->dialect;
    size_t nk = rel->nkeys;
    size_t padded = pow2_at_least(nkeys);   /* few distinct statement shapes for the cache */
    sn_buf b;
    sn_buf_init(&b);
    sn_buf_puts(&b, "SELECT ");
    for (size_t i = 0; i < t->nfields; i++) {
        if (i) sn_buf_puts(&b, ", ");
        sn_buf_puts(&b, "t0.");
        sn_sql_ident(&b, d, t->fields[i].column);
    }
    int m2m = rel->kind == SINEW_MANY_TO_MANY;
    if (m2m)
        for (size_t i = 0; i < nk; i++) {
            sn_buf_puts(&b, ", j.");
            sn_sql_ident(&b, d, rel->through->fields[rel->through_local[i]].column);
        }
    sn_buf_puts(&b, " FROM ");
    sn_sql_ident(&b, d, t->table);
    sn_buf_puts(&b, " AS t0");
    int param = 1;
    if (m2m) {
        sn_buf_puts(&b, " JOIN ");
        sn_sql_ident(&b, d, rel->through->table);
        sn_buf_puts(&b, " AS j ON ");
        for (size_t i = 0; i < nk; i++) {
            if (i) sn_buf_puts(&b, " AND ");
            sn_buf_puts(&b, "j.");
            sn_sql_ident(&b, d, rel->through->fields[rel->through_remote[i]].column);
            sn_buf_puts(&b, " = t0.");
            sn_sql_ident(&b, d, t->fields[rel->remote[i]].column);
        }
        sn_buf_puts(&b, " WHERE ");
        render_in(&b, d, "j", rel->through, rel->through_local, nk, padded, &param);
    } else {
        sn_buf_puts(&b, " WHERE ");
        render_in(&b, d, "t0", t, rel->remote, nk, padded, &param);
    }
    if (!is_to_one(rel)) {
        /* A stable order for to-many lists: by parent key, then primary key.
         * Each list comes out in key order, and leading with the foreign key
         * lets the database walk the foreign key's index instead of sorting. */
        sn_buf_puts(&b, " ORDER BY ");
        for (size_t i = 0; i < nk; i++) {
            if (m2m) {
                sn_buf_puts(&b, "j.");
                sn_sql_ident(&b, d, rel->through->fields[rel->through_local[i]].column);
            } else {
                sn_buf_puts(&b, "t0.");
                sn_sql_ident(&b, d, t->fields[rel->remote[i]].column);
            }
            if (i + 1 < nk || t->npk) sn_buf_puts(&b, ", ");   /* a @@readonly target may have no key */
        }
        for (size_t i = 0; i < t->npk; i++) {
            if (i) sn_buf_puts(&b, ", ");
            sn_buf_puts(&b, "t0.");
            sn_sql_ident(&b, d, t->fields[t->pk[i]].column);
        }
    }
    if (b.failed) {
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
    if (rel->nkeys == 0 || rel->nkeys > MAXK)
        return sinew_error_set(SINEW_UNSUPPORTED, "relation %s has %zu key columns (1 to %d supported)", rel->name,
                               rel->nkeys, MAXK);
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
        int idx = rel_index(o->model, rel);
        if (idx < 0) {
            rc = sinew_error_set(SINEW_MISUSE, "relation %s is not a relation of %s", rel->name, o->model->name);
            break;
        }
        if (sn_obj_loaded(o) & (1ull << idx)) continue;
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
        int idx = rel_index(o->model, rel);
        if (sn_obj_loaded(o) & (1ull << idx)) continue;
        if (is_to_one(rel)) {
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
        sn_relstat *st = relstat(s, om, rel);
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

/* ---- lazy accessors --------------------------------------------------------------- */

static int lazy_load(sinew_session *s, const sinew_relation *rel, void *obj, void **owners, size_t n, size_t need,
                     int idx);

static int lazy(sinew_session *s, const sinew_relation *rel, void *obj, const char *file, int line, const char *fn)
{
    if (!s || !rel) return sinew_error_set(SINEW_MISUSE, "%s: session and relation must not be NULL", fn);
    sn_obj *o = sn_obj_check(s, NULL, obj, fn);
    if (!o) return SINEW_MISUSE;
    int idx = rel_index(o->model, rel);
    if (idx < 0) return sinew_error_set(SINEW_MISUSE, "%s: %s is not a relation of %s", fn, rel->name, o->model->name);
    if (sn_obj_loaded(o) & (1ull << idx)) {
        if (o->rel->eager & (1ull << idx)) {
            sn_relstat *st = relstat(s, o->model, rel);
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
        sn_relstat *st = relstat(s, o->model, rel);
        if (st) {
            st->lazy_from_list++;
            st->file = file;
            st->line = line;
            if (st->lazy_from_list >= s->nplusone_threshold && !st->reported) {
                char msg[600];
                st->reported = ++s->nreports;
                st->reported_count = st->lazy_from_list;
                nplusone_text(msg, sizeof msg, s, st, " so far");
                add_report(s, msg);
                if (s->nplusone_mode == SINEW_NPLUSONE_ERROR) return sinew_error_set(SINEW_NPLUSONE, "%s", msg);
            }
        }
    }
    /* what a read-only object's relations bring is read-only too */
    int was = s->load_readonly;
    s->load_readonly = o->state == SN_READONLY;
    int rc = lazy_load(s, rel, obj, owners, n, need, idx);
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

int sinew_load_one_at(sinew_session *s, const sinew_relation *rel, void *obj, void **out, const char *file, int line)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_load_one: out is NULL");
    *out = NULL;
    if (rel && !is_to_one(rel))
        return sinew_error_set(SINEW_MISUSE, "sinew_load_one: %s is a to-many relation; use sinew_load_many", rel->name);
    int rc = lazy(s, rel, obj, file, line, "sinew_load_one");
    if (rc) return rc;
    rel_fetch(s, rel, obj, out, NULL);
    return SINEW_OK;
}

int sinew_load_many_at(sinew_session *s, const sinew_relation *rel, void *obj, sinew_list *out, const char *file, int line)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_load_many: out is NULL");
    out->items = NULL;
    out->count = 0;
    if (rel && is_to_one(rel))
        return sinew_error_set(SINEW_MISUSE, "sinew_load_many: %s is a to-one relation; use sinew_load_one", rel->name);
    int rc = lazy(s, rel, obj, file, line, "sinew_load_many");
    if (rc) return rc;
    rel_fetch(s, rel, obj, NULL, out);
    return SINEW_OK;
}

/* ---- many-to-many changes ------------------------------------------------------------ */

static int m2m_check(sinew_session *s, const sinew_relation *rel, void *obj, void *target, const char *fn)
{
    if (!s || !rel) return sinew_error_set(SINEW_MISUSE, "%s: session and relation must not be NULL", fn);
    if (rel->kind != SINEW_MANY_TO_MANY || !rel->through)
        return sinew_error_set(SINEW_MISUSE, "%s: %s is not a many-to-many relation", fn, rel->name);
    sn_obj *o = sn_obj_check(s, NULL, obj, fn);
    if (!o) return SINEW_MISUSE;
    if (rel_index(o->model, rel) < 0)
        return sinew_error_set(SINEW_MISUSE, "%s: %s is not a relation of %s", fn, rel->name, o->model->name);
    if (o->state == SN_READONLY) return sn_readonly_refused(o, fn);
    if (o->state != SN_PERSISTENT) return sinew_error_set(SINEW_MISUSE, "%s: save the %s first", fn, o->model->name);
    if (target) {
        sn_obj *t = sn_obj_check(s, rel->target, target, fn);
        if (!t) return SINEW_MISUSE;
        if (t->state == SN_READONLY) return sn_readonly_refused(t, fn);
        if (t->state != SN_PERSISTENT) return sinew_error_set(SINEW_MISUSE, "%s: save the %s first", fn, rel->target->name);
    }
    return SINEW_OK;
}

/* forget obj's cached collection and, for a target, the inverse collection */
static void m2m_invalidate(sinew_session *s, const sinew_relation *rel, void *obj, void *target)
{
    sinew_relation_reset(s, rel, obj);
    if (target && rel->inverse) {
        const sinew_relation *inv = sinew_model_find_relation(rel->target, rel->inverse);
        if (inv) sinew_relation_reset(s, inv, target);
    }
}

static int m2m_exec(sinew_session *s, const sinew_relation *rel, void *obj, void *target, int insert)
{
    const sinew_model *j = rel->through;
    const sinew_dialect *d = s->db->dialect;
    const sinew_model *om = SN_OBJ_OF(obj)->model;
    size_t nk = rel->nkeys;
    sn_buf b;
    sn_buf_init(&b);
    int p = 1;
    if (insert) {
        sn_buf_puts(&b, "INSERT INTO ");
        sn_sql_ident(&b, d, j->table);
        sn_buf_puts(&b, " (");
        for (size_t i = 0; i < nk; i++) {
            if (i) sn_buf_puts(&b, ", ");
            sn_sql_ident(&b, d, j->fields[rel->through_local[i]].column);
        }
        for (size_t i = 0; i < nk; i++) {
            sn_buf_puts(&b, ", ");
            sn_sql_ident(&b, d, j->fields[rel->through_remote[i]].column);
        }
        sn_buf_puts(&b, ") VALUES (");
        for (size_t i = 0; i < 2 * nk; i++) {
            if (i) sn_buf_puts(&b, ", ");
            sn_sql_param(&b, d, p++);
        }
        sn_buf_puts(&b, ") ON CONFLICT DO NOTHING");
    } else {
        sn_buf_puts(&b, "DELETE FROM ");
        sn_sql_ident(&b, d, j->table);
        sn_buf_puts(&b, " WHERE ");
        for (size_t i = 0; i < nk; i++) {
            if (i) sn_buf_puts(&b, " AND ");
            sn_sql_ident(&b, d, j->fields[rel->through_local[i]].column);
            sn_buf_puts(&b, " = ");
            sn_sql_param(&b, d, p++);
        }
        for (size_t i = 0; target && i < nk; i++) {
            sn_buf_puts(&b, " AND ");
            sn_sql_ident(&b, d, j->fields[rel->through_remote[i]].column);
            sn_buf_puts(&b, " = ");
            sn_sql_param(&b, d, p++);
        }
    }
    if (b.failed) {
        sn_buf_free(&b);
        return sn_nomem();
    }
    sn_exec x;
    int rc = sn_exec_start(&x, s->db, sn_buf_cstr(&b));
    int at = 0;
    for (size_t i = 0; i < nk && rc == SINEW_OK; i++) {
        sinew_value v = sn_field_value(&om->fields[rel->local[i]], obj);
        rc = sn_exec_bind(&x, at++, &v);
    }
    for (size_t i = 0; target && i < nk && rc == SINEW_OK; i++) {
        sinew_value v = sn_field_value(&rel->target->fields[rel->remote[i]], target);
        rc = sn_exec_bind(&x, at++, &v);
    }
    if (rc == SINEW_OK) {
        rc = sn_exec_step(&x);
        if (rc == SINEW_DONE) rc = SINEW_OK;
    }
    if (x.stmt) sn_exec_end(&x);
    sn_buf_free(&b);
    return rc;
}

int sinew_m2m_add(sinew_session *s, const sinew_relation *rel, void *obj, void *target)
{
    int rc = m2m_check(s, rel, obj, target, "sinew_m2m_add");
    if (rc) return rc;
    if (!target) return sinew_error_set(SINEW_MISUSE, "sinew_m2m_add: target is NULL");
    rc = m2m_exec(s, rel, obj, target, 1);
    m2m_invalidate(s, rel, obj, target);
    return rc;
}

int sinew_m2m_remove(sinew_session *s, const sinew_relation *rel, void *obj, void *target)
{
    int rc = m2m_check(s, rel, obj, target, "sinew_m2m_remove");
    if (rc) return rc;
    if (!target) return sinew_error_set(SINEW_MISUSE, "sinew_m2m_remove: target is NULL");
    rc = m2m_exec(s, rel, obj, target, 0);
    m2m_invalidate(s, rel, obj, target);
    return rc;
}

int sinew_m2m_clear(sinew_session *s, const sinew_relation *rel, void *obj)
{
    int rc = m2m_check(s, rel, obj, NULL, "sinew_m2m_clear");
    if (rc) return rc;
    rc = m2m_exec(s, rel, obj, NULL, 0);
    m2m_invalidate(s, rel, obj, NULL);
    return rc;
}

int sinew_m2m_set(sinew_session *s, const sinew_relation *rel, void *obj, void *const *targets, size_t n)
{
    int rc = m2m_check(s, rel, obj, NULL, "sinew_m2m_set");
    if (rc) return rc;
    if (n && !targets) return sinew_error_set(SINEW_MISUSE, "sinew_m2m_set: targets is NULL");
    for (size_t i = 0; i < n; i++)
        if ((rc = m2m_check(s, rel, obj, targets[i], "sinew_m2m_set"))) return rc;
    /* all or nothing: a savepoint when already inside a transaction */
    if ((rc = sinew_begin(s->db))) return rc;
    rc = m2m_exec(s, rel, obj, NULL, 0);
    for (size_t i = 0; i < n && rc == SINEW_OK; i++) rc = m2m_exec(s, rel, obj, targets[i], 1);
    if (rc == SINEW_OK) rc = sinew_commit(s->db);
    else {
        sinew_error saved = *sinew_last_error();
        sinew_rollback(s->db);
        *sn_error_mut() = saved;
    }
    m2m_invalidate(s, rel, obj, NULL);
    if (rel->inverse) {
        const sinew_relation *inv = sinew_model_find_relation(rel->target, rel->inverse);
        for (size_t i = 0; inv && i < n; i++) sinew_relation_reset(s, inv, targets[i]);
    }
    return rc;
}
