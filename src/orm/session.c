/*
 * session.c - sessions and the object API: new, get (by key or unique
 * field), save (insert, or update of changed columns only), delete, count.
 *
 * Each session object is one arena block: a hidden header (sn_obj), the
 * user's struct, and a snapshot of the struct as last loaded or written.
 * Dirty tracking compares struct and snapshot field by field, so users
 * assign fields directly with no setters. The identity map makes one row one
 * object within a session.
 */
#include <stdio.h>
#include <string.h>
#include "orm.h"

#define ROUND8(n) (((n) + 7u) & ~(size_t)7u)   /* objects are 8-byte aligned (orm.h) */

/* ---- identity map -------------------------------------------------------------- */

uint64_t sn_value_hash(const sinew_value *v, uint64_t h)
{
    if (v->is_null) return sn_hash_u64(h ^ 0x9e3779b97f4a7c15ull);
    if (sn_type_intlike(v->type)) return sn_hash_u64(h ^ (uint64_t)v->u.i);
    if (v->type == SINEW_DOUBLE) {
        uint64_t bits;
        memcpy(&bits, &v->u.d, sizeof bits);
        return sn_hash_u64(h ^ bits);
    }
    if (v->type == SINEW_UUID) return sn_hash_bytes(v->u.uuid.bytes, 16, h);
    return sn_hash_bytes(v->u.s.ptr, v->u.s.len, h);
}

int sn_value_eq(const sinew_value *a, const sinew_value *b)
{
    if (a->is_null || b->is_null) return a->is_null && b->is_null;
    if (sn_type_intlike(a->type) && sn_type_intlike(b->type)) return a->u.i == b->u.i;
    if (a->type == SINEW_DOUBLE || b->type == SINEW_DOUBLE)
        return a->type == b->type && a->u.d == b->u.d;
    if (a->type == SINEW_UUID || b->type == SINEW_UUID)
        return a->type == b->type && memcmp(a->u.uuid.bytes, b->u.uuid.bytes, 16) == 0;
    return a->u.s.len == b->u.s.len && memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0;
}

/* ---- session ----------------------------------------------------------------------- */

int sinew_session_new(sinew_db *db, sinew_session **out)
{
    if (!out || !db) return sinew_error_set(SINEW_MISUSE, "sinew_session_new: out and db must not be NULL");
    *out = NULL;
    sinew_session *s = sn_calloc(1, sizeof *s);
    if (!s) return sn_nomem();
    s->db = db;
    sn_arena_init(&s->arena, 8192);
    s->arena.cache = &db->spare;
    sn_rel_session_init(s);
    s->next_session = db->sessions;
    db->sessions = s;
    *out = s;
    return SINEW_OK;
}

void sinew_session_free(sinew_session *s)
{
    if (!s) return;
    struct sn_route *route = s->route;
    for (sinew_session **pp = s->db ? &s->db->sessions : NULL; pp && *pp; pp = &(*pp)->next_session)
        if (*pp == s) {
            *pp = s->next_session;
            break;
        }
    sn_session_journals_free(s);
    sn_rel_session_end(s);
    sn_identity_free(s);
    sn_arena_free(&s->arena);
    sn_free(s);
    sn_route_free(route);   /* a routed session's primary connection goes back to the router */
}

sinew_db *sinew_session_db(sinew_session *s) { return s->db; }
void sinew_session_set_memory_limit(sinew_session *s, size_t bytes) { s->arena.limit = bytes; }
size_t sinew_session_memory_used(const sinew_session *s) { return s->arena.used; }

void *sinew_alloc(sinew_session *s, size_t size) { return sn_arena_alloc(&s->arena, size); }
char *sinew_strdup(sinew_session *s, const char *str) { return str ? sn_arena_strdup(&s->arena, str) : NULL; }

/*
 * The snapshot keeps what dirty tracking compares: the columns, their
 * presence flags and the to-one members. Everything past the last of them
 * (to-many lists, which generated structs put last) is not copied: for a
 * typical model that is a sixth to a third of the struct not stored twice.
 */
size_t sn_snap_size(const sinew_model *m)
{
    size_t end = 0;
    for (size_t i = 0; i < m->nfields; i++) {
        const sinew_field *f = &m->fields[i];
        if (f->offset != SINEW_NO_OFFSET && f->offset + sn_type_size(f->type) > end) end = f->offset + sn_type_size(f->type);
        if (f->has_offset != SINEW_NO_OFFSET && f->has_offset + sizeof(bool) > end) end = f->has_offset + sizeof(bool);
    }
    for (size_t r = 0; r < m->nrelations; r++) {
        const sinew_relation *rel = &m->relations[r];
        if (rel->offset != SINEW_NO_OFFSET && (rel->kind == SINEW_BELONGS_TO || rel->kind == SINEW_HAS_ONE) &&
            rel->offset + sizeof(void *) > end)
            end = rel->offset + sizeof(void *);
    }
    return end < m->size ? end : m->size;
}

/* the snapshot size of m, remembered for the model last asked about (loads ask 100,000 times in a row) */
SN_HOT static size_t session_snap_size(sinew_session *s, const sinew_model *m)
{
    if (s->snap_model != m) {
        s->snap_size = sn_snap_size(m);
        s->snap_model = m;
    }
    return s->snap_size;
}

/* inlined into sinew_new and the load path: the call and what it saves and restores measured about
 * 50 instructions an object in W9 (W3: 1.5% of its instructions) */
SN_HOT static SN_ALWAYS_INLINE sn_obj *obj_alloc(sinew_session *s, const sinew_model *m, uint8_t state)
{
    size_t sz = ROUND8(m->size);
    /* a read-only object never has a snapshot: no room for one */
    sn_obj *o = sn_arena_alloc8(&s->arena, SN_OBJ_HDR + sz + (state == SN_READONLY ? 0 : session_snap_size(s, m)));
    if (!o) return NULL;
    /* the header written whole (it has no padding), the struct zeroed: one of 8 to 32 bytes (most
     * models) by four word stores that overlap where it is shorter, a larger one by memset. A loop
     * over the words became a memset call or a `rep stos` of header and struct, 20 instructions an
     * object more in W9 */
    *o = (sn_obj){.magic = SN_OBJ_MAGIC, .state = state, .model = m, .next = s->objects};
    char *d = (char *)o + SN_OBJ_HDR;
    if (sz >= 8 && sz <= 32) {
        const uint64_t z = 0;
        size_t t = sz - 8;
        memcpy(d, &z, 8);
        memcpy(d + (t < 8 ? t : 8), &z, 8);
        memcpy(d + (t < 16 ? t : 16), &z, 8);
        memcpy(d + t, &z, 8);
    } else {
        memset(d, 0, sz);
    }
    s->objects = o;
    s->nobjects++;
    return o;
}

/* n (8 to 32) bytes from src to dst as four 8-byte moves at offsets that overlap where n is short:
 * a snapshot of most models' columns, without a loop or a call */
static SN_ALWAYS_INLINE void copy_8_to_32(unsigned char *dst, const unsigned char *src, size_t n)
{
    size_t w1 = n - 8 < 8 ? n - 8 : 8, w2 = n - 8 < 16 ? n - 8 : 16, w3 = n - 8;
    uint64_t a, b, c, d;
    memcpy(&a, src, 8);
    memcpy(&b, src + w1, 8);
    memcpy(&c, src + w2, 8);
    memcpy(&d, src + w3, 8);
    memcpy(dst, &a, 8);
    memcpy(dst + w1, &b, 8);
    memcpy(dst + w2, &c, 8);
    memcpy(dst + w3, &d, 8);
}

SN_HOT void sn_take_snapshot(sinew_session *s, sn_obj *o)
{
    unsigned char *snap = (unsigned char *)SN_DATA_OF(o) + ROUND8(o->model->size);
    const unsigned char *data = SN_DATA_OF(o);
    size_t n = session_snap_size(s, o->model);
    /* a few dozen bytes: copied in place, for the same reason as obj_alloc's zeroing. 8 to 32 of
     * them (most models' columns) as four words that overlap where n is short, without a loop */
    if (n >= 8 && n <= 32) {
        copy_8_to_32(snap, data, n);
        o->flags |= SN_F_SNAP;
        return;
    }
    size_t i = 0;
    for (; i + 8 <= n; i += 8) memcpy(snap + i, data + i, 8);   /* fixed size: compiled to a move */
    if (i < n && n >= 8) memcpy(snap + n - 8, data + n - 8, 8);  /* the tail: one move that overlaps the last */
    else for (; i < n; i++) snap[i] = data[i];
    o->flags |= SN_F_SNAP;
}

/* n objects of a flush's batch, just inserted: state, snapshot and the identity map's deferral
 * (sn_identity_add_later's) in one pass over them, the sizes and places worked out once. They were
 * new, and a new object is never flagged SN_F_UNMAPPED (only an inserted one is, and a restore from
 * the journal clears it), so all n count. */
int sn_inserted_n(sinew_session *s, sn_obj *const *objs, size_t n)
{
    if (!n) return SINEW_OK;
    const sinew_model *m = objs[0]->model;
    int rc = sn_identity_later_room(s, m, n);   /* before anything changes: the only failure */
    if (rc) return rc;
    size_t len = session_snap_size(s, m), off = ROUND8(m->size);
    if (len < 8 || len > 32) {
        for (size_t k = 0; k < n; k++) {
            sn_obj *o = objs[k];
            o->state = SN_PERSISTENT;
            sn_take_snapshot(s, o);
            o->flags |= SN_F_UNMAPPED;
        }
    } else {
        for (size_t k = 0; k < n; k++) {
            sn_obj *o = objs[k];
            unsigned char *data = SN_DATA_OF(o);
            copy_8_to_32(data + off, data, len);
            o->state = SN_PERSISTENT;
            o->flags |= SN_F_SNAP | SN_F_UNMAPPED;
        }
    }
    sn_identity_later_count(s, m, n);
    return SINEW_OK;
}

static int check_model(const sinew_model *m, const char *fn)
{
    if (!m) return sinew_error_set(SINEW_MISUSE, "%s: model is NULL", fn);
    if (m->size == 0)
        return sinew_error_set(SINEW_MISUSE, "%s: model %s has no C struct (size 0): use the descriptors "
                               "from `sinew generate` or SINEW_MODEL()", fn, m->name);
    return SINEW_OK;
}

/* the error for an object this session did not make: one of another session, or none's */
SN_COLD static void not_ours(sinew_session *s, const sinew_model *m, const sn_obj *o, const char *fn)
{
    const char *what = m ? m->name : "object";
    for (sinew_session *other = s->db ? s->db->sessions : NULL; other; other = other->next_session)
        if (other != s && sn_arena_owns(&other->arena, o) && o->magic == SN_OBJ_MAGIC) {
            sinew_error_set(SINEW_MISUSE, "%s: this %s belongs to another session; an object is saved, deleted "
                            "and followed through the session that loaded or made it (load it again in this "
                            "session with sinew_get() to use it here)", fn, m ? m->name : o->model->name);
            return;
        }
    sinew_error_set(SINEW_MISUSE, "%s: this %s was not made by a session; create it with sinew_new() "
                    "(or <model>_new()) or insert your own struct with sinew_insert()", fn, what);
}

SN_HOT sn_obj *sn_obj_check(sinew_session *s, const sinew_model *m, void *obj, const char *fn)
{
    if (!obj) {
        sinew_error_set(SINEW_MISUSE, "%s: object is NULL", fn);
        return NULL;
    }
    sn_obj *o = SN_OBJ_OF(obj);
    /* look at the header only once we know the memory is ours */
    if (!sn_arena_owns(&s->arena, o) || o->magic != SN_OBJ_MAGIC) {
        not_ours(s, m, o, fn);
        return NULL;
    }
    if (m && o->model != m) {
        sinew_error_set(SINEW_MISUSE, "%s: object is a %s, not a %s", fn, o->model->name, m->name);
        return NULL;
    }
    return o;
}

int sn_model_writable(const sinew_model *m, const char *fn)
{
    if (!m || !(m->flags & SINEW_MODEL_READONLY)) return SINEW_OK;
    if (m->flags & SINEW_MODEL_VIEW)
        return sinew_error_set(SINEW_MISUSE, "%s: model %s is a view (@@view %s): sinew counts, lists, queries and "
                               "loads it, and never writes it; write the tables it reads", fn, m->name, m->table);
    return sinew_error_set(SINEW_MISUSE, "%s: model %s is read-only (@@readonly%s): sinew counts, lists, queries and "
                           "follows its relations, and never writes it; write it with sinew_exec or give the table a "
                           "primary key and drop @@readonly", fn, m->name, m->npk ? "" : ", the table has no primary key");
}

/* get by key needs one: a @@readonly model without a key is read by queries */
static int check_keyed(const sinew_model *m, const char *fn)
{
    if (m->npk) return SINEW_OK;
    return sinew_error_set(SINEW_MISUSE, "%s: model %s has no primary key (@@readonly): there is no get by key; "
                           "find its rows with a query (sinew_query_new, sinew_where)", fn, m->name);
}

int sn_readonly_refused(const sn_obj *o, const char *fn)
{
    return sinew_error_set(SINEW_MISUSE, "%s: this %s was loaded read-only (sinew_readonly) and cannot be changed "
                           "through the session; load it with a query without sinew_readonly to change it", fn,
                           o->model->name);
}

/* sinew_new for a model other than the last one: checked, its defaults put in, and remembered when it
 * has none to put in (a model's checks and defaults do not change: its plan is made once per db) */
SN_NOINLINE static int new_checked(sinew_session *s, const sinew_model *m, void **out)
{
    *out = NULL;
    int rc = check_model(m, "sinew_new");
    if (!rc) rc = sn_model_writable(m, "sinew_new");
    if (rc) return rc;
    sn_obj *o = obj_alloc(s, m, SN_NEW);
    if (!o) return SINEW_NOMEM;
    /* the object holds its defaults from the start: what the program assigns afterwards wins (defaults.c) */
    sn_plan *p;
    if (m->npk && sn_plan_get(s->db, m, &p) == SINEW_OK && SN_UNLIKELY(p->c_defaults) &&
        (rc = sn_defaults_apply(&s->arena, p, SN_DATA_OF(o), p->c_defaults, 0))) {
        o->state = SN_DETACHED;   /* never handed out: the unit of work must not insert it */
        return rc;
    }
    if (!m->npk || (sn_plan_get(s->db, m, &p) == SINEW_OK && !p->c_defaults)) s->new_model = m;
    *out = SN_DATA_OF(o);
    return SINEW_OK;
}

SN_HOT int sinew_new(sinew_session *s, const sinew_model *m, void **out)
{
    if (!s || !out) return sinew_error_set(SINEW_MISUSE, "sinew_new: session and out must not be NULL");
    if (m != s->new_model || !m) return new_checked(s, m, out);
    /* the model of the last one: checked, nothing to put in (about 15 instructions an object less) */
    sn_obj *o = obj_alloc(s, m, SN_NEW);
    *out = o ? SN_DATA_OF(o) : NULL;
    return o ? SINEW_OK : SINEW_NOMEM;
}

/* ---- loading ---------------------------------------------------------------------- */

static int key_type_ok(const sinew_model *m, const sinew_field *f, const sinew_value *v, const char *fn)
{
    if (v->is_null)
        return sinew_error_set(SINEW_MISUSE, "%s: key field %s.%s cannot be NULL", fn, m->name, f->name);
    int ok;
    switch (f->type) {
    case SINEW_BOOL: case SINEW_INT32: case SINEW_INT64: ok = v->type == SINEW_INT32 || v->type == SINEW_INT64 ||
                                                             v->type == f->type; break;
    case SINEW_TEXT: case SINEW_JSON: case SINEW_DECIMAL: ok = v->type == SINEW_TEXT || v->type == f->type; break;
    default: ok = v->type == f->type; break;
    }
    if (ok && (v->type == SINEW_TEXT || v->type == SINEW_JSON || v->type == SINEW_DECIMAL) && v->u.s.len &&
        memchr(v->u.s.ptr, '\0', v->u.s.len))
        return sinew_error_set(SINEW_MISUSE, "%s: the value for key field %s.%s holds a NUL byte, which text "
                               "cannot contain on every backend", fn, m->name, f->name);
    if (!ok)
        return sinew_error_set(SINEW_TYPE, "%s: key field %s.%s is %s but the value given is %s; make it with %s()",
                               fn, m->name, f->name, sinew_type_name(f->type), sinew_type_name(v->type),
                               sn_type_ctor(f->type));
    return SINEW_OK;
}

/*
 * Turn the current row into a session object: the identity map's object if
 * the row is already loaded (its unflushed changes win), else a new one.
 * While a read-only load runs (s->load_readonly), always a new object,
 * without snapshot or identity entry.
 */
/*
 * The row just read into `fresh` is already the session's object `e`, which
 * a projection loaded partly: the fields e lacks and this load has are
 * filled in (a field the program assigned meanwhile keeps its value, and
 * becomes a change against what the database holds).
 */
SN_COLD static int fill_absent(sn_obj *e, const sn_obj *fresh, uint64_t fresh_absent)
{
    const sinew_model *m = e->model;
    uint64_t fill = sn_obj_absent(e) & ~fresh_absent;
    void *data = SN_DATA_OF(e), *snap = SN_SNAP(e);
    const void *src = SN_DATA_OF(fresh);
    for (size_t i = 0; i < m->nfields && fill >> i; i++) {
        if (!((fill >> i) & 1)) continue;
        const sinew_field *f = &m->fields[i];
        if (!snap || !sn_field_changed(f, data, snap)) sn_field_copy(f, data, f, src);
        if (snap) sn_field_copy(f, snap, f, src);
    }
    e->rel->absent &= ~fill;
    return fill != 0;
}

int sn_absent_refused(const sn_obj *o, uint64_t bits, const char *fn, const char *what)
{
    const sinew_model *m = o->model;
    size_t i = 0;
    while (i + 1 < m->nfields && !((bits >> i) & 1)) i++;
    return sinew_error_set(SINEW_MISUSE, "%s: %s.%s was not loaded (the query that loaded this %s had sinew_only or "
                           "sinew_defer), and %s; load the whole row first (a query of it without the projection "
                           "fills the fields in)", fn, m->name, m->fields[i].name, m->name, what);
}

SN_HOT int sn_session_materialize(sinew_session *s, sn_exec *x, const sinew_model *m, const int *colmap, void **out)
{
    sn_arena_mark mark = sn_arena_mark_get(&s->arena);
    sn_obj *head = s->objects;
    int readonly = s->load_readonly || (m->flags & SINEW_MODEL_READONLY);   /* no key, no identity */
    sn_obj *o = obj_alloc(s, m, readonly ? SN_READONLY : SN_PERSISTENT);
    if (!o) return SINEW_NOMEM;
    void *data = SN_DATA_OF(o);
    int rc = SINEW_OK;
    if (!colmap) {
        rc = sn_hydrate_row(x->drv, x->stmt, 0, m, data, &s->arena);
    } else {
        for (size_t i = 0; i < m->nfields && rc == SINEW_OK; i++)
            if (colmap[i] >= 0) rc = sn_hydrate_field(x->drv, x->stmt, colmap[i], m, &m->fields[i], data, &s->arena);
    }
    uint64_t absent = SN_UNLIKELY(s->load_absent) && s->load_absent_model == m ? s->load_absent : 0;
    if (SN_UNLIKELY(absent) && rc == SINEW_OK) {
        /* a projection's row: which fields it lacks, out of line as the relation bits are */
        if (!(o->rel = sn_arena_calloc(&s->arena, sizeof *o->rel))) rc = SINEW_NOMEM;
        else o->rel->absent = absent;
    }
    if (rc == SINEW_OK && !readonly) {
        sn_take_snapshot(s, o);
        sinew_value vals[SN_MAX_KEY];
        sn_obj_key(o, vals);
        uint32_t h = sn_key_hash(m, vals);
        sn_obj *existing = sn_identity_claim(s, o, vals, h, &rc);
        if (existing) {   /* one row, one object: drop the copy */
            s->objects = head;
        s->nobjects--;
            /* the copy's strings stay in the arena when they filled in what a projection left out */
            if (!sn_obj_absent(existing) || !fill_absent(existing, o, absent))
                sn_arena_reset_to(&s->arena, mark);
            *out = SN_DATA_OF(existing);
            return SINEW_OK;
        }
    }
    if (rc == SINEW_OK) {
        const sinew_hooks *hk = sn_hooks_for(s->db, m);
        if (hk && hk->after_load) hk->after_load(s, m, data, hk->ctx);
    }
    if (rc) {
        s->objects = head;
        s->nobjects--;
        sn_arena_reset_to(&s->arena, mark);
        return rc;
    }
    *out = data;
    return SINEW_OK;
}

static void describe_key(char *buf, size_t cap, const sinew_model *m, const unsigned *fields, size_t n,
                         const sinew_value *vals)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < cap; i++) {
        const sinew_value *v = &vals[i];
        const char *name = m->fields[fields[i]].name;
        int w;
        if (v->is_null) w = snprintf(buf + used, cap - used, "%s%s = NULL", i ? ", " : "", name);
        else if (sn_type_intlike(v->type)) w = snprintf(buf + used, cap - used, "%s%s = %lld", i ? ", " : "", name, (long long)v->u.i);
        else if (v->type == SINEW_TEXT) w = snprintf(buf + used, cap - used, "%s%s = '%.*s'", i ? ", " : "", name,
                                                     (int)(v->u.s.len > 60 ? 60 : v->u.s.len), v->u.s.ptr);
        else w = snprintf(buf + used, cap - used, "%s%s = (%s)", i ? ", " : "", name, sinew_type_name(v->type));
        if (w < 0) break;
        used += (size_t)w;
    }
}

/* plan: sql is a plan's (sn_exec_start_plan) */
SN_HOT static int load_one(sinew_session *s, const sinew_model *m, const char *sql, int plan, const unsigned *fields,
                    size_t n, const sinew_value *vals, void **out)
{
    sn_exec x;
    int rc = plan ? sn_exec_start_plan(&x, s->db, sql) : sn_exec_start(&x, s->db, sql);
    if (rc) return rc;
    for (size_t i = 0; i < n && rc == SINEW_OK; i++) rc = sn_exec_bind(&x, (int)i, &vals[i]);
    if (rc == SINEW_OK) {
        rc = sn_exec_step(&x);
        if (rc == SINEW_ROW) {
            int was = s->load_readonly;   /* sinew_get tracks, even from inside a read-only load's hook */
            s->load_readonly = 0;
            rc = sn_session_materialize(s, &x, m, NULL, out);
            s->load_readonly = was;
        } else if (rc == SINEW_DONE) {
            char key[256];
            describe_key(key, sizeof key, m, fields, n, vals);
            rc = sinew_error_set(SINEW_NOTFOUND, "no %s with %s", m->name, key);
        }
    }
    sn_exec_end(&x);
    return rc;
}

SN_HOT int sinew_get(sinew_session *s, const sinew_model *m, const sinew_value *key, size_t nkey, void **out)
{
    if (!s || !out || !key) return sinew_error_set(SINEW_MISUSE, "sinew_get: session, key and out must not be NULL");
    *out = NULL;
    int rc = check_model(m, "sinew_get");
    if (!rc) rc = check_keyed(m, "sinew_get");
    if (rc) return rc;
    if (nkey != m->npk || m->npk > SN_MAX_KEY)
        return sinew_error_set(SINEW_MISUSE, "sinew_get: %s has %zu key field(s), %zu value(s) given",
                               m->name, m->npk, nkey);
    for (size_t i = 0; i < nkey; i++)
        if ((rc = key_type_ok(m, &m->fields[m->pk[i]], &key[i], "sinew_get"))) return rc;
    sn_obj *o = sn_identity_find(s, m, key);
    if (o) {
        int soft = SN_UNLIKELY(m->flags & SINEW_MODEL_SOFT_DELETE) ? sinew_model_soft_delete_field(m) : -1;
        if (o->state == SN_DELETED || (soft >= 0 && sn_field_has_value(&m->fields[soft], SN_DATA_OF(o)))) {
            char k[256];
            describe_key(k, sizeof k, m, m->pk, m->npk, key);
            return sinew_error_set(SINEW_NOTFOUND, "no %s with %s (deleted%s)", m->name, k,
                                   o->state == SN_DELETED ? " in this session" : "; sinew_get_with_deleted reads it");
        }
        *out = SN_DATA_OF(o);
        return SINEW_OK;
    }
    sn_plan *p;
    if ((rc = sn_plan_get(s->db, m, &p))) return rc;
    return load_one(s, m, p->select_pk, 1, m->pk, m->npk, key, out);
}

int sinew_get_with_deleted(sinew_session *s, const sinew_model *m, const sinew_value *key, size_t nkey, void **out)
{
    if (!s || !out || !key)
        return sinew_error_set(SINEW_MISUSE, "sinew_get_with_deleted: session, key and out must not be NULL");
    *out = NULL;
    int rc = check_model(m, "sinew_get_with_deleted");
    if (!rc) rc = check_keyed(m, "sinew_get_with_deleted");
    if (rc) return rc;
    if (sinew_model_soft_delete_field(m) < 0) return sinew_get(s, m, key, nkey, out);
    if (nkey != m->npk || m->npk > SN_MAX_KEY)
        return sinew_error_set(SINEW_MISUSE, "sinew_get_with_deleted: %s has %zu key field(s), %zu value(s) given",
                               m->name, m->npk, nkey);
    for (size_t i = 0; i < nkey; i++)
        if ((rc = key_type_ok(m, &m->fields[m->pk[i]], &key[i], "sinew_get_with_deleted"))) return rc;
    sn_obj *o = sn_identity_find(s, m, key);
    if (o && o->state != SN_DELETED) {
        *out = SN_DATA_OF(o);
        return SINEW_OK;
    }
    sn_buf b;
    sn_buf_init(&b);
    sn_sql_select_where_any(&b, s->db->dialect, m, m->pk, m->npk);
    if (b.failed) {
        sn_buf_free(&b);
        return sn_nomem();
    }
    rc = load_one(s, m, sn_buf_cstr(&b), 0, m->pk, m->npk, key, out);
    sn_buf_free(&b);
    return rc;
}

int sinew_get_by(sinew_session *s, const sinew_model *m, unsigned field, const sinew_value *value, void **out)
{
    if (!s || !out || !value) return sinew_error_set(SINEW_MISUSE, "sinew_get_by: session, value and out must not be NULL");
    *out = NULL;
    int rc = check_model(m, "sinew_get_by");
    if (!rc) rc = check_keyed(m, "sinew_get_by");
    if (rc) return rc;
    if (field >= m->nfields)
        return sinew_error_set(SINEW_MISUSE, "sinew_get_by: %s has no field number %u", m->name, field);
    if ((rc = key_type_ok(m, &m->fields[field], value, "sinew_get_by"))) return rc;
    if (m->npk == 1 && m->pk[0] == field) return sinew_get(s, m, value, 1, out);
    sn_buf b;
    sn_buf_init(&b);
    unsigned f = field;
    sn_sql_select_where(&b, s->db->dialect, m, &f, 1);
    if (b.failed) {
        sn_buf_free(&b);
        return sn_nomem();
    }
    rc = load_one(s, m, sn_buf_cstr(&b), 0, &f, 1, value, out);
    sn_buf_free(&b);
    return rc;
}

int sinew_get_by_fields(sinew_session *s, const sinew_model *m, const unsigned *fields, size_t n,
                        const sinew_value *values, void **out)
{
    if (!s || !out || !fields || !values || !n)
        return sinew_error_set(SINEW_MISUSE, "sinew_get_by_fields: session, fields, values and out must not be NULL");
    *out = NULL;
    int rc = check_model(m, "sinew_get_by_fields");
    if (!rc) rc = check_keyed(m, "sinew_get_by_fields");
    if (rc) return rc;
    for (size_t i = 0; i < n; i++) {
        if (fields[i] >= m->nfields)
            return sinew_error_set(SINEW_MISUSE, "sinew_get_by_fields: %s has no field number %u", m->name, fields[i]);
        if ((rc = key_type_ok(m, &m->fields[fields[i]], &values[i], "sinew_get_by_fields"))) return rc;
    }
    if (n == 1) return sinew_get_by(s, m, (int)fields[0], values, out);
    sn_buf b;
    sn_buf_init(&b);
    sn_sql_select_where(&b, s->db->dialect, m, fields, n);
    if (b.failed) {
        sn_buf_free(&b);
        return sn_nomem();
    }
    rc = load_one(s, m, sn_buf_cstr(&b), 0, fields, n, values, out);
    sn_buf_free(&b);
    return rc;
}

/* ---- writing ---------------------------------------------------------------------- */

/*
 * Fields cols[0..n) of obj as parameters first, first + 1, ...: the plan's list of them, not a loop
 * over every field testing a mask. One bind() each: the driver's bind_rows (made for a batch's many
 * rows) measured 88 instructions a call for one column on SQLite, more than bind() for it.
 */
SN_HOT static int bind_cols(sn_exec *x, int first, const sinew_model *m, const unsigned *cols, size_t n,
                            const void *obj)
{
    for (size_t k = 0; k < n; k++) {
        int rc = sn_bind_field(x, first + (int)k, &m->fields[cols[k]], obj);
        if (SN_UNLIKELY(rc)) return rc;
    }
    return SINEW_OK;
}

SN_HOT static int bind_fields(sn_exec *x, const sinew_model *m, const void *obj, uint64_t mask, int *param)
{
    for (size_t i = 0; i < m->nfields; i++) {
        if (!((mask >> i) & 1)) continue;
        int rc = sn_bind_field(x, (*param)++, &m->fields[i], obj);
        if (rc) return rc;
    }
    return SINEW_OK;
}

/* The fields `which` of obj (generated columns, defaults) as the database has them now, by key. */
SN_NOINLINE static int reread_fields(sinew_session *s, const sn_plan *p, void *obj, uint64_t which, sn_arena *arena)
{
    const sinew_model *m = p->model;
    sn_exec x;
    int rc = sn_exec_start_plan(&x, s->db, p->select_pk);
    for (size_t i = 0; i < m->npk && rc == SINEW_OK; i++) rc = sn_bind_field(&x, (int)i, &m->fields[m->pk[i]], obj);
    if (rc == SINEW_OK) rc = sn_exec_step(&x);
    if (rc == SINEW_ROW) {
        rc = SINEW_OK;
        for (size_t i = 0; i < m->nfields && rc == SINEW_OK; i++)   /* select_pk's columns are the fields */
            if ((which >> i) & 1) rc = sn_hydrate_field(x.drv, x.stmt, (int)i, m, &m->fields[i], obj, arena);
    } else if (rc == SINEW_DONE) {
        rc = SINEW_OK;
    }
    sn_exec_end(&x);
    return rc;
}

/* INSERT obj; fields left zero that the database fills (auto keys, defaults) are read back. */
SN_HOT SN_NOINLINE int sn_insert_row(sinew_session *s, const sinew_model *m, void *obj, sn_arena *arena)
{
    sn_plan *p;
    int rc = sn_plan_get(s->db, m, &p);
    if (SN_UNLIKELY(rc)) return rc;
    uint64_t omit = 0;
    /* defaults sinew computes are in the struct already (sinew_new, sinew_insert): only the
     * database's own are left to it when zero */
    uint64_t candidates = p->db_defaults | (p->auto_pk >= 0 ? 1ull << p->auto_pk : 0);
    for (uint64_t c = candidates; c; c &= c - 1) {   /* the candidates' bits only (usually the one key) */
        unsigned i = (unsigned)__builtin_ctzll(c);
        if (sn_field_is_zero_fast(&m->fields[i], obj)) omit |= 1ull << i;
    }
    omit |= p->readonly;   /* never written (generated columns): read back through RETURNING */
    if (SN_UNLIKELY(p->checked & ~omit) && (rc = sn_check_fields(m, obj, p->checked & ~omit))) return rc;
    /* @updated_at left zero: the time of this insert (of the flush it is part of) */
    uint64_t stamped = SN_UNLIKELY(p->stamped) ? sn_stamp_insert(p, obj, sn_stamp_now(s)) : 0;
    const sn_insert_variant *v;
    sn_exec x;
    if (SN_UNLIKELY(rc = sn_plan_insert(s->db, p, omit, &v)) || SN_UNLIKELY(rc = sn_exec_start_plan(&x, s->db, v->sql))) {
        if (stamped) sn_stamp_undo(p, obj, NULL, stamped);
        return rc;
    }
    rc = bind_cols(&x, 0, m, v->cols, v->ncols, obj);
    if (rc == SINEW_OK) {
        rc = sn_exec_step(&x);
        if (rc == SINEW_ROW && v->returning) {
            int col = 0;
            for (size_t i = 0; i < m->nfields && rc == SINEW_ROW; i++) {
                if (!v->returning[i]) continue;
                int r = sn_hydrate_field(x.drv, x.stmt, col++, m, &m->fields[i], obj, arena);
                if (r) rc = r;
            }
            if (rc == SINEW_ROW) rc = sn_exec_step(&x);
        }
        if (rc == SINEW_DONE) {
            rc = SINEW_OK;
            if (v->use_last_id) {
                const sinew_field *f = &m->fields[p->auto_pk];
                int64_t id = s->db->drv->last_insert_id(s->db->conn);
                if (f->type == SINEW_INT32) *(int32_t *)((char *)obj + f->offset) = (int32_t)id;
                else *(int64_t *)((char *)obj + f->offset) = id;
                if (f->has_offset != SINEW_NO_OFFSET) *(bool *)((char *)obj + f->has_offset) = true;
            }
        } else if (SN_UNLIKELY(rc == SINEW_ROW)) {
            rc = sinew_error_set(SINEW_INTERNAL, "INSERT into %s returned more than one row", m->table);
        }
    }
    sn_exec_end(&x);
    /* no RETURNING: what the database filled in, read back by the key (now known) in the same transaction */
    if (SN_UNLIKELY(v->reread) && rc == SINEW_OK) rc = reread_fields(s, p, obj, v->reread, arena);
    if (SN_UNLIKELY(rc && stamped)) sn_stamp_undo(p, obj, NULL, stamped);   /* nothing written: as it came */
    return rc;
}

SN_HOT SN_NOINLINE int sn_update_row(sinew_session *s, sn_obj *o)
{
    const sinew_model *m = o->model;
    void *obj = SN_DATA_OF(o);
    sn_plan *p;
    int rc = sn_plan_get(s->db, m, &p);
    if (SN_UNLIKELY(rc)) return rc;
    void *snap = SN_SNAP(o);
    uint64_t set = sn_dirty_fields(p, obj, snap);
    set &= ~p->readonly;                      /* never written: the database computes them */
    if (SN_UNLIKELY(!set)) return SINEW_OK;   /* nothing changed: nothing to send */
    /* a projection's object writes what was loaded and changed; a field it never had is refused */
    if (SN_UNLIKELY(o->rel != NULL) && SN_UNLIKELY(o->rel->absent & set))
        return sn_absent_refused(o, o->rel->absent & set, "sinew_save",
                                 "writing it would replace the stored value with one never read");
    if (SN_UNLIKELY(p->checked & set) && (rc = sn_check_fields(m, obj, p->checked & set))) return rc;
    /* @updated_at the program did not set itself: the time of this update (of the flush it is part of) */
    uint64_t stamped = SN_UNLIKELY(p->stamped) ? sn_stamp_update(p, obj, set, sn_stamp_now(s)) : 0;
    set |= stamped;
    int vf = p->version_field;
    if (SN_UNLIKELY(vf >= 0)) {
        /* optimistic lock: bump the version, and only where it is still the one we read */
        set |= 1ull << vf;
        const sinew_field *f = &m->fields[vf];
        char *slot = (char *)obj + f->offset;
        const char *old = (const char *)SN_SNAP(o) + f->offset;
        if (f->type == SINEW_INT32) *(int32_t *)slot = *(const int32_t *)old + 1;
        else *(int64_t *)slot = *(const int64_t *)old + 1;
    }
    const sn_update_variant *uv;
    sn_exec x;
    if (SN_UNLIKELY(rc = sn_plan_update_variant(s->db, p, set, &uv)) ||
        SN_UNLIKELY(rc = sn_exec_start_plan(&x, s->db, uv->sql))) {
        if (stamped) sn_stamp_undo(p, obj, snap, stamped);
        if (vf >= 0) memcpy((char *)obj + m->fields[vf].offset, (char *)snap + m->fields[vf].offset,
                            m->fields[vf].type == SINEW_INT32 ? 4 : 8);
        return rc;
    }
    /* the changed fields, then the key as loaded, then the version as loaded */
    int param = (int)uv->ncols;
    rc = bind_cols(&x, 0, m, uv->cols, uv->ncols, obj);
    if (rc == SINEW_OK) rc = bind_cols(&x, param, m, m->pk, m->npk, snap);
    param += (int)m->npk;
    if (SN_UNLIKELY(rc == SINEW_OK && vf >= 0)) {
        sinew_value v = sn_field_value(&m->fields[vf], snap);
        rc = sn_exec_bind(&x, param++, &v);
    }
    if (rc == SINEW_OK) {
        rc = sn_exec_step(&x);
        if (rc == SINEW_DONE) rc = SINEW_OK;
    }
    sn_exec_end(&x);
    if (SN_UNLIKELY(rc == SINEW_OK && s->db->drv->changes(s->db->conn) == 0)) {
        if (vf >= 0)
            rc = sinew_error_set(SINEW_CONFLICT, "%s was changed or deleted by someone else since it was loaded "
                                 "(version %lld); reload it and apply the change again", m->name,
                                 (long long)sn_field_value(&m->fields[vf], SN_SNAP(o)).u.i);
        else
            rc = sinew_error_set(SINEW_NOTFOUND, "%s to update no longer exists in %s", m->name, m->table);
    }
    if (SN_UNLIKELY(rc)) {
        if (stamped) sn_stamp_undo(p, obj, SN_SNAP(o), stamped);
        if (vf >= 0) memcpy((char *)obj + m->fields[vf].offset, (char *)SN_SNAP(o) + m->fields[vf].offset,
                            m->fields[vf].type == SINEW_INT32 ? 4 : 8);
        return rc;
    }
    /* generated columns follow the row: read them again (models without any pay nothing) */
    if (SN_UNLIKELY(p->readonly) && (rc = reread_fields(s, p, obj, p->readonly, &s->arena))) return rc;
    int key_changed = (set & p->pk_mask) != 0;
    if (SN_UNLIKELY(key_changed)) sn_identity_remove(s, o);
    sn_take_snapshot(s, o);
    if (SN_UNLIKELY(key_changed)) sn_identity_add(s, o);
    return SINEW_OK;
}

/*
 * The updates of a flush, pipelined where the driver can (PostgreSQL):
 * each object's UPDATE is its own statement (its @version check and its
 * row count are its own, so a conflict or a missing row names its object)
 * but they are sent a window at a time and their answers read in order,
 * one round trip a window instead of one a row. Without pipelining (SQLite,
 * where a reused prepared statement costs next to nothing) row by row.
 * *failed gets the object whose update failed.
 */
#define PIPE_WINDOW 512                /* answers the server may owe at once: far below a socket buffer */
#define PIPE_SHAPES SN_UPDATE_VARIANTS /* statements (sets of changed columns) open at once */

typedef struct pipe_item {
    sn_obj *o;
    uint64_t set;
    int h;                             /* its statement among the open ones */
} pipe_item;

/* the columns o changes, with the @version field when there is one and the @updated_at ones it stamps
 * (0: nothing changed); SINEW_* in *rc */
static uint64_t update_set(sinew_session *s, const sn_plan *p, sn_obj *o, int *rc)
{
    const sinew_model *m = o->model;
    void *obj = SN_DATA_OF(o);
    *rc = SINEW_OK;
    uint64_t set = sn_dirty_fields(p, obj, SN_SNAP(o));
    if (!set) return 0;
    if ((p->checked & set) && (*rc = sn_check_fields(m, obj, p->checked & set))) return 0;
    if (p->stamped) set |= sn_stamp_update(p, obj, set, sn_stamp_now(s));   /* the flush's journal undoes it */
    return p->version_field >= 0 ? set | 1ull << p->version_field : set;
}

/* optimistic lock: the version written is the one read plus one */
static void bump_version(const sn_plan *p, sn_obj *o)
{
    const sinew_field *f = &o->model->fields[p->version_field];
    char *slot = (char *)SN_DATA_OF(o) + f->offset;
    const char *old = (const char *)SN_SNAP(o) + f->offset;
    if (f->type == SINEW_INT32) *(int32_t *)slot = *(const int32_t *)old + 1;
    else *(int64_t *)slot = *(const int64_t *)old + 1;
}

static int update_answered(sinew_session *s, sn_plan *p, sn_obj *o, uint64_t set, int64_t changes)
{
    const sinew_model *m = o->model;
    int vf = p->version_field;
    if (changes == 0) {
        if (vf >= 0)
            return sinew_error_set(SINEW_CONFLICT, "%s was changed or deleted by someone else since it was loaded "
                                   "(version %lld); reload it and apply the change again", m->name,
                                   (long long)sn_field_value(&m->fields[vf], SN_SNAP(o)).u.i);
        return sinew_error_set(SINEW_NOTFOUND, "%s to update no longer exists in %s", m->name, m->table);
    }
    int key_changed = (set & p->pk_mask) != 0;
    if (key_changed) sn_identity_remove(s, o);
    sn_take_snapshot(s, o);
    if (key_changed) sn_identity_add(s, o);
    return SINEW_OK;
}

int sn_update_rows(sinew_session *s, sn_obj *const *objs, size_t n, sn_obj **failed)
{
    const sinew_driver *drv = s->db->drv;
    int rc = SINEW_OK;
    if (!drv->send || n < 2 || sinew_tx_depth(s->db) == 0) {
        for (size_t i = 0; i < n && rc == SINEW_OK; i++)
            if ((rc = sn_update_row(s, objs[i]))) *failed = objs[i];
        return rc;
    }
    pipe_item *win = sn_malloc((n < PIPE_WINDOW ? n : PIPE_WINDOW) * sizeof *win);
    if (!win) return sn_nomem();
    sn_exec hs[PIPE_SHAPES];
    const char *hsql[PIPE_SHAPES];
    sn_plan *hplan[PIPE_SHAPES];
    int nh = 0;
    size_t at = 0;
    while (at < n && rc == SINEW_OK) {
        /* the window: its statements started (prepared) before the pipeline, which takes no prepare */
        size_t w = 0;
        while (at < n && w < PIPE_WINDOW && rc == SINEW_OK) {
            sn_obj *o = objs[at];
            sn_plan *p;
            if ((rc = sn_plan_get(s->db, o->model, &p))) break;
            uint64_t set = update_set(s, p, o, &rc);
            if (rc) {
                *failed = o;
                break;
            }
            if (!set) {   /* nothing changed after all */
                at++;
                continue;
            }
            const char *sql;
            if ((rc = sn_plan_update(s->db, p, set, &sql))) break;
            int h = 0;
            while (h < nh && hsql[h] != sql) h++;
            if (h == nh) {
                if (nh == PIPE_SHAPES) break;   /* the window ends here; the object starts the next one */
                if ((rc = sn_exec_start_plan(&hs[h], s->db, sql))) break;
                hs[h].finished = 1;   /* each execution is logged as its answer comes */
                hsql[h] = sql;
                hplan[h] = p;
                nh++;
            }
            if (p->version_field >= 0) bump_version(p, o);
            win[w++] = (pipe_item){o, set, h};
            at++;
        }
        if (w == 0 || rc) break;
        /* the log shows each execution as its answer comes, timed from the window's start */
        double t0 = s->db->log_fn || s->db->log_stderr ? sn_now_ms() : -1;
        if ((rc = drv->pipeline_begin(s->db->conn))) break;
        size_t sent = 0;
        for (; sent < w && rc == SINEW_OK; sent++) {
            pipe_item *it = &win[sent];
            sn_exec *x = &hs[it->h];
            const sinew_model *m = it->o->model;
            int param = 0;
            rc = bind_fields(x, m, SN_DATA_OF(it->o), it->set, &param);
            for (size_t i = 0; i < m->npk && rc == SINEW_OK; i++)
                rc = sn_bind_field(x, param++, &m->fields[m->pk[i]], SN_SNAP(it->o));
            if (rc == SINEW_OK && hplan[it->h]->version_field >= 0) {
                sinew_value v = sn_field_value(&m->fields[hplan[it->h]->version_field], SN_SNAP(it->o));
                rc = sn_exec_bind(x, param++, &v);
            }
            if (rc == SINEW_OK) rc = drv->send(x->stmt);
            if (rc) *failed = it->o;
        }
        if (rc == SINEW_OK) sent = w;
        /* the answers, in order; the first failure is the flush's (the rest are dropped) */
        for (size_t k = 0; k < sent && rc == SINEW_OK; k++) {
            pipe_item *it = &win[k];
            sn_exec *x = &hs[it->h];
            rc = drv->receive(x->stmt);
            sn_db_note_statement(s->db, x->sql, t0, 0, rc);
            if (rc == SINEW_OK) rc = update_answered(s, hplan[it->h], it->o, it->set, drv->changes(s->db->conn));
            if (rc) *failed = it->o;
        }
        if (rc) {
            sinew_error saved = *sinew_last_error();
            drv->pipeline_end(s->db->conn);
            *sn_error_mut() = saved;
        } else {
            rc = drv->pipeline_end(s->db->conn);
        }
        for (int h = 0; h < nh; h++) sn_exec_end(&hs[h]);   /* back to the cache: the next window finds them */
        nh = 0;
    }
    for (int h = 0; h < nh; h++) sn_exec_end(&hs[h]);
    sn_free(win);
    return rc;
}

SN_HOT int sinew_save(sinew_session *s, const sinew_model *m, void *obj)
{
    if (SN_UNLIKELY(!s)) return sinew_error_set(SINEW_MISUSE, "sinew_save: session is NULL");
    int rc = check_model(m, "sinew_save");
    if (!rc) rc = sn_model_writable(m, "sinew_save");
    if (SN_UNLIKELY(rc)) return rc;
    sn_obj *o = sn_obj_check(s, m, obj, "sinew_save");
    if (SN_UNLIKELY(!o)) return SINEW_MISUSE;
    if (SN_UNLIKELY(o->state != SN_NEW && o->state != SN_PERSISTENT)) {
        if (o->state == SN_READONLY) return sn_readonly_refused(o, "sinew_save");
        return sinew_error_set(SINEW_MISUSE, "sinew_save: this %s was %s; create a new object instead", m->name,
                               o->state == SN_DELETED ? "deleted" : "dropped by sinew_session_rollback");
    }
    const sinew_hooks *h = sn_hooks_for(s->db, m);
    if (SN_UNLIKELY(h && h->before_save) && (rc = h->before_save(s, m, obj, h->ctx))) return rc;
    sn_plan *p;
    if (SN_UNLIKELY(rc = sn_plan_get(s->db, m, &p))) return rc;
    if (SN_UNLIKELY(p->has_rules) && (rc = sinew_validate(m, obj))) return rc;
    if (o->state == SN_NEW) {
        rc = sn_insert_row(s, m, obj, &s->arena);
        if (SN_UNLIKELY(rc)) return rc;
        o->state = SN_PERSISTENT;
        sn_take_snapshot(s, o);
        if (SN_UNLIKELY(rc = sn_identity_add_later(s, o))) return rc;
    } else if (SN_UNLIKELY(rc = sn_update_row(s, o))) {
        return rc;
    }
    if (SN_UNLIKELY(h && h->after_save)) h->after_save(s, m, obj, h->ctx);
    return SINEW_OK;
}

int sinew_insert(sinew_session *s, const sinew_model *m, void *obj)
{
    if (!s || !obj) return sinew_error_set(SINEW_MISUSE, "sinew_insert: session and object must not be NULL");
    int rc = check_model(m, "sinew_insert");
    if (!rc) rc = sn_model_writable(m, "sinew_insert");
    if (rc) return rc;
    sn_plan *p;
    if ((rc = sn_plan_get(s->db, m, &p))) return rc;
    /* the caller's struct: a field left zero gets its default, then is validated as written */
    uint64_t filled = 0;
    if (!(rc = sn_defaults_fill_zero(&s->arena, p, obj, &filled, 0)) && !(rc = sinew_validate(m, obj)))
        rc = sn_insert_row(s, m, obj, &s->arena);
    if (rc) {
        sn_defaults_unfill(m, obj, filled);   /* nothing was written: the struct as it came */
        return rc;
    }
    return SINEW_OK;
}

int sn_delete_row(sinew_session *s, sn_obj *o)
{
    if (SN_UNLIKELY(o->model->flags & SINEW_MODEL_SOFT_DELETE) && sinew_model_soft_delete_field(o->model) >= 0)
        return sn_soft_delete_row(s, o);
    return sn_delete_row_hard(s, o);
}

int sn_delete_row_hard(sinew_session *s, sn_obj *o)
{
    const sinew_model *m = o->model;
    sn_plan *p;
    int rc = sn_plan_get(s->db, m, &p);
    if (rc) return rc;
    sn_exec x;
    if ((rc = sn_exec_start_plan(&x, s->db, p->delete_pk))) return rc;
    for (size_t i = 0; i < p->ndelete_by && rc == SINEW_OK; i++) {   /* the key and the version as loaded */
        sinew_value v = sn_field_value(&m->fields[p->delete_by[i]], SN_SNAP(o));
        rc = sn_exec_bind(&x, (int)i, &v);
    }
    if (rc == SINEW_OK) {
        rc = sn_exec_step(&x);
        if (rc == SINEW_DONE) rc = SINEW_OK;
    }
    sn_exec_end(&x);
    if (rc) return rc;
    int64_t n = s->db->drv->changes(s->db->conn);
    /* a stale object stays what it was: the row is there, someone else changed it */
    if (n == 0 && p->version_field >= 0)
        return sinew_error_set(SINEW_CONFLICT, "%s to delete was changed or deleted by someone else since it was "
                               "loaded (version %lld); reload it and delete it again", m->name,
                               (long long)sn_field_value(&m->fields[p->version_field], SN_SNAP(o)).u.i);
    sn_identity_remove(s, o);
    o->state = SN_DELETED;
    o->flags |= SN_F_GONE;
    if (n == 0) return sinew_error_set(SINEW_NOTFOUND, "%s to delete no longer exists in %s", m->name, m->table);
    return sn_session_after_delete(s, o);
}

int sinew_delete(sinew_session *s, const sinew_model *m, void *obj)
{
    if (!s) return sinew_error_set(SINEW_MISUSE, "sinew_delete: session is NULL");
    int rc = check_model(m, "sinew_delete");
    if (!rc) rc = sn_model_writable(m, "sinew_delete");
    if (rc) return rc;
    sn_obj *o = sn_obj_check(s, m, obj, "sinew_delete");
    if (!o) return SINEW_MISUSE;
    if (o->state == SN_READONLY) return sn_readonly_refused(o, "sinew_delete");
    if (o->state != SN_PERSISTENT)
        return sinew_error_set(SINEW_MISUSE, "sinew_delete: this %s is %s", m->name,
                               o->state == SN_DELETED ? "already deleted" : "not saved yet (nothing to delete)");
    const sinew_hooks *h = sn_hooks_for(s->db, m);
    if (h && h->before_delete && (rc = h->before_delete(s, m, obj, h->ctx))) return rc;
    if ((rc = sn_delete_row(s, o))) return rc;
    if (h && h->after_delete) h->after_delete(s, m, obj, h->ctx);
    return SINEW_OK;
}

int sinew_count(sinew_session *s, const sinew_model *m, int64_t *out)
{
    if (!s || !m || !out) return sinew_error_set(SINEW_MISUSE, "sinew_count: arguments must not be NULL");
    *out = 0;   /* what a failure leaves (docs/api.md) */
    sn_plan *p;
    int rc = sn_plan_get(s->db, m, &p);
    if (rc) return rc;
    sn_exec x;
    if ((rc = sn_exec_start_plan(&x, s->db, p->count))) return rc;
    rc = sn_exec_step(&x);
    if (rc == SINEW_ROW) {
        *out = x.drv->column_i64(x.stmt, 0);
        rc = SINEW_OK;
    } else if (rc == SINEW_DONE) {
        rc = sinew_error_set(SINEW_INTERNAL, "COUNT(*) returned no row");
    }
    sn_exec_end(&x);
    return rc;
}
