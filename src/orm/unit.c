/*
 * unit.c - the unit of work: flush writes every pending insert, update and
 * delete of a session in one transaction, in foreign-key order, and undoes
 * the session side when the database side is rolled back.
 *
 * Every flush journals the objects it touches (their struct, snapshot and
 * state before the flush). A failed flush restores them at once. A flush
 * inside a transaction the caller opened keeps its journal until that
 * transaction ends: sinew_rollback() restores the objects (new objects are
 * new again, changes pending again, deletes scheduled again), a commit
 * drops the journal.
 */
#include <string.h>
#include "orm.h"
#include "sinew/relations.h"

typedef struct jentry {
    sn_obj *o;
    uint8_t state, flags;
    uint8_t touched;              /* journaled by sn_flush_touch: its to-many lists are reset on restore */
    char *data;                   /* struct bytes before */
    char *snap;                   /* snapshot bytes before (when there was one) */
} jentry;

/* the journal's copies come from blocks of its own: a flush of 100,000 objects makes 40 blocks, not
 * 100,000 mallocs */
typedef struct jblock {
    struct jblock *next;
    size_t used, cap;
    _Alignas(16) char mem[];
} jblock;
#define JBLOCK_BYTES 65536

typedef struct sn_journal {
    struct sn_journal *next;      /* older journals */
    int depth;                    /* transaction depth the flush ran in (0 = its own) */
    jentry *e;
    size_t n, cap;
    jblock *blocks;               /* newest first */
} sn_journal;

static void *journal_mem(sn_journal *j, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    jblock *b = j->blocks;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > JBLOCK_BYTES ? n : JBLOCK_BYTES;
        if (!(b = sn_malloc(sizeof *b + cap))) return NULL;
        b->next = j->blocks;
        b->used = 0;
        b->cap = cap;
        j->blocks = b;
    }
    void *p = b->mem + b->used;
    b->used += n;
    return p;
}

static void journal_free(sn_journal *j)
{
    if (!j) return;
    while (j->blocks) {
        jblock *b = j->blocks;
        j->blocks = b->next;
        sn_free(b);
    }
    sn_free(j->e);
    sn_free(j);
}

/* room for n more entries at once (a flush knows how many objects it journals) */
static int journal_reserve(sn_journal *j, size_t n)
{
    if (j->cap - j->n >= n) return SINEW_OK;
    jentry *e = sn_realloc(j->e, (j->n + n) * sizeof *e);
    if (!e) return sn_nomem();
    j->e = e;
    j->cap = j->n + n;
    return SINEW_OK;
}

/* o is not in j yet: a flush journals its new, changed and deleted objects, three disjoint sets, once
 * each (a check here would make a flush of n objects quadratic) */
static int journal_add(sinew_session *s, sn_journal *j, sn_obj *o)
{
    if (j->n == j->cap) {
        size_t cap = j->cap ? j->cap * 2 : 16;
        jentry *e = sn_realloc(j->e, cap * sizeof *e);
        if (!e) return sn_nomem();
        j->e = e;
        j->cap = cap;
    }
    size_t sz = o->model->size;
    jentry *x = &j->e[j->n];
    x->o = o;
    x->state = o->state;
    x->flags = o->flags;
    x->touched = 0;
    x->snap = NULL;
    const void *snap = SN_SNAP(o);
    x->data = journal_mem(j, sz);
    if (!x->data) return sn_nomem();   /* the blocks go with the journal */
    memcpy(x->data, SN_DATA_OF(o), sz);
    if (snap) {   /* a new object has none: its size is not worked out for each of a flush's inserts */
        size_t snap_sz = sn_session_snap_size(s, o->model);
        if (!(x->snap = journal_mem(j, snap_sz ? snap_sz : 1))) return sn_nomem();
        memcpy(x->snap, snap, snap_sz);
    }
    j->n++;
    return SINEW_OK;
}

/* journal_add for a flush's new objects (no snapshot yet): a run of one model gets its copies from one
 * allocation, and each entry is filled without the checks a changed or deleted object needs; a struct
 * of 8 to 32 bytes (most models) is copied as four words in line instead of by a memcpy call.
 * one_model: every object is of news[0]'s model (no runs to find). */
static int journal_add_news(sn_journal *j, sn_obj *const *news, size_t n, int one_model)
{
    if (journal_reserve(j, n)) return SINEW_NOMEM;
    for (size_t a = 0; a < n;) {
        const sinew_model *m = news[a]->model;
        size_t run = one_model ? n - a : 1;
        while (a + run < n && news[a + run]->model == m) run++;
        size_t sz = m->size, step = (sz + 15) & ~(size_t)15;
        char *mem = journal_mem(j, step * run);
        if (!mem) return sn_nomem();
        jentry *x = &j->e[j->n];
        sn_obj *const *o = news + a, *const *end = news + a + run;
        if (sz >= 8 && sz <= 32) {   /* four words at these offsets cover it (overlapping where it is short) */
            size_t w1 = sz - 8 < 8 ? sz - 8 : 8, w2 = sz - 8 < 16 ? sz - 8 : 16, w3 = sz - 8;
            for (; o < end; o++, x++, mem += step) {
                const char *d = SN_DATA_OF(*o);
                uint64_t w[4];
                memcpy(&w[0], d, 8);
                memcpy(&w[1], d + w1, 8);
                memcpy(&w[2], d + w2, 8);
                memcpy(&w[3], d + w3, 8);
                memcpy(mem, &w[0], 8);
                memcpy(mem + w1, &w[1], 8);
                memcpy(mem + w2, &w[2], 8);
                memcpy(mem + w3, &w[3], 8);
                *x = (jentry){.o = *o, .state = (*o)->state, .flags = (*o)->flags, .data = mem};
            }
        } else {
            for (; o < end; o++, x++, mem += step)
                *x = (jentry){.o = *o, .state = (*o)->state, .flags = (*o)->flags, .data = memcpy(mem, SN_DATA_OF(*o), sz)};
        }
        j->n += run;
        a += run;
    }
    return SINEW_OK;
}

/* put one journaled object back as it was */
static void entry_restore(sinew_session *s, const jentry *x)
{
    sn_obj *o = x->o;
    if (o->state == SN_PERSISTENT) sn_identity_remove(s, o);
    memcpy(SN_DATA_OF(o), x->data, o->model->size);
    o->state = x->state;
    o->flags = x->flags & (uint8_t)~SN_F_UNMAPPED;   /* the map's own bookkeeping stays the map's */
    void *snap = SN_SNAP(o);
    if (x->snap && snap) memcpy(snap, x->snap, sn_snap_size(o->model));
    if (o->state == SN_PERSISTENT) sn_identity_add(s, o);
    if (!x->touched) return;
    /* a cascade compacted its loaded lists in place: the counts are back, the items are not */
    for (size_t r = 0; r < o->model->nrelations; r++) {
        const sinew_relation *rel = &o->model->relations[r];
        if (rel->offset != SINEW_NO_OFFSET && (rel->kind == SINEW_HAS_MANY || rel->kind == SINEW_MANY_TO_MANY))
            sinew_relation_reset(s, rel, SN_DATA_OF(o));
    }
}

/* the entries from `from` on are sn_flush_touch's: put back (newest first) and dropped */
static void journal_untouch(sinew_session *s, sn_journal *j, size_t from)
{
    for (size_t k = j->n; k-- > from;) entry_restore(s, &j->e[k]);
    j->n = from;
}

int sn_flush_touch(sinew_session *s, sn_obj *o)
{
    sn_journal *j = s->flushing;
    if (!j || (o->flags & SN_F_TOUCHED)) return SINEW_OK;
    /* an object the flush journaled already gets a second entry: restored newest first, the first
     * entry has the last word */
    int rc = journal_add(s, j, o);
    if (rc) return rc;
    j->e[j->n - 1].touched = 1;
    o->flags |= SN_F_TOUCHED;
    return SINEW_OK;
}

/* put every journaled object back as it was (newest change undone first) */
static void journal_restore(sinew_session *s, sn_journal *j)
{
    for (size_t k = j->n; k-- > 0;) entry_restore(s, &j->e[k]);
}

void sn_session_tx_event(sinew_db *db, int event, int depth)
{
    for (sinew_session *s = db->sessions; s; s = s->next_session) {
        sn_journal **pp = &s->journals;
        while (*pp) {
            sn_journal *j = *pp;
            if (event == SN_TX_COMMIT && depth == 0) {
                *pp = j->next;
                journal_free(j);
            } else if (event == SN_TX_RELEASE && j->depth > depth) {
                j->depth = depth;       /* the savepoint's changes now belong to the outer level */
                pp = &j->next;
            } else if (event == SN_TX_ROLLBACK && j->depth >= depth) {
                *pp = j->next;
                journal_restore(s, j);
                journal_free(j);
            } else {
                pp = &j->next;
            }
        }
    }
}

void sn_session_journals_free(sinew_session *s)
{
    while (s->journals) {
        sn_journal *j = s->journals;
        s->journals = j->next;
        journal_free(j);
    }
}

/* ---- what is pending ---------------------------------------------------------------- */

static int is_session_obj(sinew_session *s, const void *p)
{
    if (!p) return 0;
    const sn_obj *o = SN_OBJ_OF(p);
    return sn_arena_owns(&s->arena, o) && o->magic == SN_OBJ_MAGIC;
}

/* the object a to-one relation member points at, if it is one of ours */
static sn_obj *member_target(sinew_session *s, const sinew_relation *r, void *obj)
{
    if (r->kind != SINEW_BELONGS_TO || r->offset == SINEW_NO_OFFSET) return NULL;
    void *t = *(void **)((char *)obj + r->offset);
    return is_session_obj(s, t) ? SN_OBJ_OF(t) : NULL;
}

static int member_changed(const sinew_relation *r, const sn_obj *o)
{
    if (r->kind != SINEW_BELONGS_TO || r->offset == SINEW_NO_OFFSET || !SN_SNAP(o)) return 0;
    return *(void **)((char *)SN_DATA_OF(o) + r->offset) != *(void **)((char *)SN_SNAP(o) + r->offset);
}

static int is_dirty(sinew_db *db, const sn_obj *o)
{
    const sinew_model *m = o->model;
    const void *d = SN_DATA_OF(o), *snap = SN_SNAP(o);
    sn_plan *p;
    if (snap && sn_plan_get(db, m, &p) == SINEW_OK) {   /* the plan's table: no switch on each type */
        if (sn_dirty_fields(p, d, snap)) return 1;
    } else {
        for (size_t i = 0; i < m->nfields; i++)
            if (sn_field_changed(&m->fields[i], d, snap)) return 1;
    }
    for (size_t r = 0; r < m->nrelations; r++)
        if (member_changed(&m->relations[r], o)) return 1;
    return 0;
}

size_t sinew_session_pending(const sinew_session *s)
{
    size_t n = 0;
    for (const sn_obj *o = s->objects; o; o = o->next)
        if (o->state == SN_NEW || (o->state == SN_PERSISTENT && ((o->flags & SN_F_DELETE) || is_dirty(s->db, o)))) n++;
    return n;
}

int sinew_mark_deleted(sinew_session *s, const sinew_model *m, void *obj)
{
    if (!s) return sinew_error_set(SINEW_MISUSE, "sinew_mark_deleted: session is NULL");
    int rc = sn_model_writable(m, "sinew_mark_deleted");
    if (rc) return rc;
    sn_obj *o = sn_obj_check(s, m, obj, "sinew_mark_deleted");
    if (!o) return SINEW_MISUSE;
    if (o->state == SN_READONLY) return sn_readonly_refused(o, "sinew_mark_deleted");
    if (o->state == SN_NEW) {   /* never written: simply not inserted */
        o->state = SN_DETACHED;
        return SINEW_OK;
    }
    if (o->state != SN_PERSISTENT)
        return sinew_error_set(SINEW_MISUSE, "sinew_mark_deleted: this %s is already deleted", o->model->name);
    o->flags |= SN_F_DELETE;
    return SINEW_OK;
}

void sinew_session_rollback(sinew_session *s)
{
    if (!s) return;
    for (sn_obj *o = s->objects; o; o = o->next) {
        if (o->state == SN_NEW) o->state = SN_DETACHED;
        else if (o->state == SN_PERSISTENT) {
            o->flags &= (uint8_t)~SN_F_DELETE;
            const void *snap = SN_SNAP(o);
            if (snap && is_dirty(s->db, o)) memcpy(SN_DATA_OF(o), snap, sn_snap_size(o->model));
        }
    }
}

/* ---- flush -------------------------------------------------------------------------- */

/* o's model has to-one members, so that sync_fks and blocker have something to look at (a model
 * without is asked once per run of its objects, not per object) */
static int has_members(sinew_session *s, const sinew_model *m)
{
    sn_plan *p;
    return sn_plan_get(s->db, m, &p) != SINEW_OK || p->members;   /* no plan: look, as before */
}

/* copy keys from relation members into foreign-key fields (a changed or new member wins) */
static void sync_fks(sinew_session *s, sn_obj *o)
{
    const sinew_model *m = o->model;
    void *obj = SN_DATA_OF(o);
    for (size_t r = 0; r < m->nrelations; r++) {
        const sinew_relation *rel = &m->relations[r];
        if (rel->kind != SINEW_BELONGS_TO || rel->offset == SINEW_NO_OFFSET) continue;
        if (SN_SNAP(o) && !member_changed(rel, o)) continue;
        sn_obj *t = member_target(s, rel, obj);
        void *raw = *(void **)((char *)obj + rel->offset);
        if (t && t->state == SN_PERSISTENT) {
            for (size_t k = 0; k < rel->nkeys; k++)
                sn_field_copy(&m->fields[rel->local[k]], obj, &rel->target->fields[rel->remote[k]], SN_DATA_OF(t));
        } else if (!raw && SN_SNAP(o) && rel->optional) {
            for (size_t k = 0; k < rel->nkeys; k++) {   /* member set to NULL: clear the key */
                const sinew_field *f = &m->fields[rel->local[k]];
                if (f->has_offset != SINEW_NO_OFFSET) *(bool *)((char *)obj + f->has_offset) = false;
            }
        }
    }
}

/* a relation member of o points at a new object that is not inserted yet */
static const sinew_relation *blocker(sinew_session *s, sn_obj *o, int optional_only)
{
    const sinew_model *m = o->model;
    for (size_t r = 0; r < m->nrelations; r++) {
        const sinew_relation *rel = &m->relations[r];
        sn_obj *t = member_target(s, rel, SN_DATA_OF(o));
        if (t && t != o && t->state == SN_NEW && (!optional_only || rel->optional)) return rel;
    }
    return NULL;
}

/* every new object o waits for is reached through an optional (nullable) key */
static int only_optional_blockers(sinew_session *s, sn_obj *o)
{
    const sinew_model *m = o->model;
    for (size_t r = 0; r < m->nrelations; r++) {
        const sinew_relation *rel = &m->relations[r];
        sn_obj *t = member_target(s, rel, SN_DATA_OF(o));
        if (t && t != o && t->state == SN_NEW && !rel->optional) return 0;
    }
    return 1;
}

static int run_hook_before(sinew_session *s, sn_obj *o, int del)
{
    const sinew_hooks *h = sn_hooks_for(s->db, o->model);
    if (!h) return SINEW_OK;
    int (*fn)(sinew_session *, const sinew_model *, void *, void *) = del ? h->before_delete : h->before_save;
    return fn ? fn(s, o->model, SN_DATA_OF(o), h->ctx) : SINEW_OK;
}

static void run_hook_after(sinew_session *s, sn_obj *o, int del)
{
    const sinew_hooks *h = sn_hooks_for(s->db, o->model);
    if (!h) return;
    void (*fn)(sinew_session *, const sinew_model *, void *, void *) = del ? h->after_delete : h->after_save;
    if (fn) fn(s, o->model, SN_DATA_OF(o), h->ctx);
}

/* does any not-yet-deleted object in dels reference o? then o must wait */
static int referenced_by(sn_obj *o, sn_obj **dels, size_t n, const unsigned char *done)
{
    for (size_t i = 0; i < n; i++) {
        if (done[i] || dels[i] == o) continue;
        const sinew_model *m = dels[i]->model;
        for (size_t r = 0; r < m->nrelations; r++) {
            const sinew_relation *rel = &m->relations[r];
            if (rel->kind != SINEW_BELONGS_TO || rel->target != o->model) continue;
            int same = 1;
            for (size_t k = 0; k < rel->nkeys && same; k++) {
                sinew_value a = sn_field_value(&m->fields[rel->local[k]], SN_SNAP(dels[i]));
                sinew_value b = sn_field_value(&o->model->fields[rel->remote[k]], SN_SNAP(o));
                same = sn_value_eq(&a, &b);
            }
            if (same) return 1;
        }
    }
    return 0;
}

/* one new object by itself (its keys read back), the session side with it */
static int insert_one(sinew_session *s, sn_obj *o)
{
    int rc = sn_insert_row(s, o->model, SN_DATA_OF(o), &s->arena);
    if (rc) {
        s->failed = o;
        return rc;
    }
    o->state = SN_PERSISTENT;
    sn_take_snapshot(s, o);
    return sn_identity_add(s, o);
}

static int delete_one(sinew_session *s, sn_obj *o)
{
    o->flags &= (uint8_t)~SN_F_DELETE;
    s->stale = NULL;
    int rc = sn_delete_row(s, o);
    if (rc) s->failed = rc == SINEW_CONFLICT && s->stale ? s->stale : o;   /* a stale object its cascade took */
    return rc;
}

/*
 * The objects of a level that go many to a statement: the rest of those
 * of o's model that can (ok), gathered into group and marked used.
 */
static size_t gather(sn_obj **objs, const size_t *idx, size_t n, size_t a, unsigned char *used, sn_obj **group,
                     sinew_session *s, int inserts)
{
    const sinew_model *m = objs[idx[a]]->model;
    sn_plan *p = NULL;
    if (inserts) {   /* the model's plan once, not a lookup a row */
        if (sn_plan_get(s->db, m, &p)) return 0;
        return sn_batch_gather(s, p, objs, idx, a, n, used, group);
    }
    size_t g = 0;
    for (size_t b = a; b < n; b++) {
        sn_obj *o = objs[idx[b]];
        if (used[b] || o->model != m) continue;
        group[g++] = o;
        used[b] = 1;
    }
    return g;
}

/*
 * A batch failed for something in its rows (a constraint, a value, a row
 * gone, a key column without a sequence): written row by row, one of them
 * fails the same way and is named. Anything else (the connection, a lock,
 * the disk) is no row's doing: the flush fails with it as it is.
 */
static int about_a_row(int rc)
{
    return rc == SINEW_CONSTRAINT || rc == SINEW_NOTFOUND || rc == SINEW_TYPE || rc == SINEW_INVALID ||
           rc == SINEW_UNSUPPORTED;
}

/*
 * A batch failed: the savepoint before the level is rolled back, its
 * objects are put back as the journal has them (entries base + idx), and
 * the level is written again row by row, which names the object whose
 * statement fails (sinew_flush_failed) with the database's own error.
 */
static int replay_level(sinew_session *s, sn_journal *j, size_t base, sn_obj **objs, const size_t *idx, size_t n,
                        int inserts, size_t touched_from)
{
    sinew_rollback(s->db);
    journal_untouch(s, j, touched_from);   /* what the batch's cascade changed in the session, first */
    for (size_t k = n; k-- > 0;) entry_restore(s, &j->e[base + idx[k]]);
    s->failed = NULL;
    int rc = SINEW_OK;
    for (size_t k = 0; k < n && rc == SINEW_OK; k++) {
        sn_obj *o = objs[idx[k]];
        if (inserts) {
            sync_fks(s, o);
            rc = insert_one(s, o);
        } else if (o->state == SN_PERSISTENT) {   /* a cascade in the session may have taken it already */
            rc = delete_one(s, o);
        }
    }
    return rc;
}

/*
 * Insert a level of new objects (none waits for another): two or more of a
 * model that can share statements go through sn_batch_insert, inside a
 * savepoint so that a failed batch can be replayed row by row.
 */
static int insert_level(sinew_session *s, sn_journal *j, sn_obj **news, const size_t *ready, size_t n,
                        sn_obj **group)
{
    const sinew_model *mm = NULL;   /* the model last asked about, and whether it has members */
    int members = 0;
    for (size_t k = 0; k < n; k++) {
        sn_obj *o = news[ready[k]];
        if (o->model != mm) members = has_members(s, mm = o->model);
        if (members) sync_fks(s, o);
    }
    if (n == 1) return insert_one(s, news[ready[0]]);
    unsigned char *used = sn_calloc(n, 1);
    if (!used) return sn_nomem();
    int rc = SINEW_OK, sp = 0, batch_failed = 0;
    for (size_t a = 0; a < n && rc == SINEW_OK; a++) {
        /* the next object no batch took yet: after one batch of the whole level, a scan of the bytes */
        const unsigned char *next = memchr(used + a, 0, n - a);
        if (!next) break;
        a = (size_t)(next - used);
        sn_obj *o = news[ready[a]];
        size_t g = sn_batch_insert_ok(s, o) ? gather(news, ready, n, a, used, group, s, 1) : 0;
        used[a] = 1;
        if (g < 2) {
            rc = insert_one(s, o);
            continue;
        }
        if (!sp && (rc = sinew_begin(s->db))) break;
        sp = 1;
        rc = sn_batch_insert(s, group, g);
        batch_failed = rc != SINEW_OK;
        if (rc == SINEW_OK) rc = sn_inserted_n(s, group, g);   /* mapped at the first lookup, as sinew_save's are */
    }
    sn_free(used);
    if (!sp) return rc;
    if (rc == SINEW_OK) return sinew_commit(s->db);   /* RELEASE */
    if (batch_failed && about_a_row(rc)) return replay_level(s, j, 0, news, ready, n, 1, j->n);
    sinew_error saved = *sinew_last_error();
    sinew_rollback(s->db);
    *sn_error_mut() = saved;
    return rc;
}

/* Delete a level of objects (nothing left to delete points at them), by model many to a statement
 * unless they form a cycle (row by row then, in order, for the database's ON DELETE actions). */
static int delete_level(sinew_session *s, sn_journal *j, size_t base, sn_obj **dels, const size_t *ready, size_t n,
                        sn_obj **group, int cycle)
{
    if (n == 1 || cycle) {
        int rc = SINEW_OK;
        for (size_t k = 0; k < n && rc == SINEW_OK; k++) rc = delete_one(s, dels[ready[k]]);
        return rc;
    }
    unsigned char *used = sn_calloc(n, 1);
    if (!used) return sn_nomem();
    int rc = SINEW_OK, sp = 0, batch_failed = 0;
    size_t touched_from = j->n;   /* the journal's entries from here on are the level's cascade's */
    for (size_t a = 0; a < n && rc == SINEW_OK; a++) {
        if (used[a]) continue;
        size_t g = gather(dels, ready, n, a, used, group, s, 0);
        if (g < 2) {
            rc = delete_one(s, group[0]);
            continue;
        }
        if (!sp && (rc = sinew_begin(s->db))) break;
        sp = 1;
        for (size_t k = 0; k < g; k++) group[k]->flags &= (uint8_t)~SN_F_DELETE;
        const sinew_model *m = group[0]->model;
        if ((m->flags & SINEW_MODEL_SOFT_DELETE) && sinew_model_soft_delete_field(m) >= 0) {
            /* one UPDATE ... SET deleted_at = ? WHERE key IN (...) a chunk, the cascade once for them all */
            sn_plan *p;
            int64_t now = sn_stamp_now(s);   /* the flush's reading */
            if ((rc = sn_plan_get(s->db, m, &p))) break;
            rc = sn_batch_soft_delete(s, p, group, g, now);
            batch_failed = rc != SINEW_OK;
            for (size_t k = 0; k < g && rc == SINEW_OK; k++)
                if (group[k]->state == SN_PERSISTENT) rc = sn_soft_deleted(s, p, group[k], now);
            continue;
        }
        rc = sn_batch_delete(s, group, g);
        batch_failed = rc != SINEW_OK;
        for (size_t k = 0; k < g && rc == SINEW_OK; k++) {
            sn_identity_remove(s, group[k]);
            group[k]->state = SN_DELETED;
            group[k]->flags |= SN_F_GONE;
            rc = sn_session_after_delete(s, group[k]);
        }
    }
    sn_free(used);
    if (!sp) return rc;
    if (rc == SINEW_OK) return sinew_commit(s->db);
    if (batch_failed && about_a_row(rc)) return replay_level(s, j, base, dels, ready, n, 0, touched_from);
    sinew_error saved = *sinew_last_error();
    sinew_rollback(s->db);
    *sn_error_mut() = saved;
    return rc;
}

/*
 * A flush of new objects only, each of a model sn_batch_simple() takes: no
 * levels (no object points at another), nothing to validate or hook, every
 * object batchable, so nothing is asked per object but its journal entry.
 * The writes are insert_level's for one level: a model's objects in one
 * batch (the models in the order their first objects were made), inside a
 * savepoint; a batch that fails for a row is replayed row by row to name it.
 * news is in creation order; one_model: all of them are of news[0]'s model.
 */
static int flush_news_simple(sinew_session *s, sn_journal *j, sn_obj **news, size_t nn, int one_model,
                             sn_obj **grouped, size_t *ready)
{
    int rc = journal_add_news(j, news, nn, one_model);
    if (rc) return rc;
    if (nn == 1) return insert_one(s, news[0]);
    sn_obj **order = news;
    if (!one_model) {   /* by model, first made first, each model's in creation order */
        unsigned char *used = sn_calloc(nn, 1);
        if (!used) return sn_nomem();
        size_t g = 0;
        for (size_t a = 0; a < nn; a++) {
            if (used[a]) continue;
            const sinew_model *m = news[a]->model;
            for (size_t b = a; b < nn; b++)
                if (!used[b] && news[b]->model == m) {
                    grouped[g++] = news[b];
                    used[b] = 1;
                }
        }
        sn_free(used);
        order = grouped;
    }
    int sp = 0, batch_failed = 0;
    for (size_t a = 0; a < nn && rc == SINEW_OK;) {
        size_t g = 1;
        while (a + g < nn && order[a + g]->model == order[a]->model) g++;
        if (g == 1) {
            rc = insert_one(s, order[a++]);
            continue;
        }
        if (!sp && (rc = sinew_begin(s->db))) break;
        sp = 1;
        rc = sn_batch_insert(s, order + a, g);
        batch_failed = rc != SINEW_OK;
        if (rc == SINEW_OK) rc = sn_inserted_n(s, order + a, g);
        a += g;
    }
    if (!sp) return rc;
    if (rc == SINEW_OK) return sinew_commit(s->db);   /* RELEASE */
    if (batch_failed && about_a_row(rc)) {   /* as insert_level: the whole level again, in creation order */
        for (size_t k = 0; k < nn; k++) ready[k] = k;
        return replay_level(s, j, 0, news, ready, nn, 1, j->n);
    }
    sinew_error saved = *sinew_last_error();
    sinew_rollback(s->db);
    *sn_error_mut() = saved;
    return rc;
}

static int flush_body(sinew_session *s, sn_journal *j)
{
    int rc = SINEW_OK;
    size_t total = s->nobjects;
    sn_obj **news_mem = sn_malloc((total + 1) * sizeof *news_mem), **news = news_mem;
    sn_obj **dirty = sn_malloc((total + 1) * sizeof *dirty);
    sn_obj **dels = sn_malloc((total + 1) * sizeof *dels);
    sn_obj **fixups = sn_malloc((total + 1) * sizeof *fixups);
    unsigned char *done = sn_calloc(total + 1, 1);
    size_t *ready = sn_malloc((total + 1) * sizeof *ready);
    sn_obj **grouped = sn_malloc((total + 1) * sizeof *grouped);
    size_t nn = 0, nd = 0, nx = 0, nf = 0;
    if (!news || !dirty || !dels || !fixups || !done || !ready || !grouped) {
        rc = sn_nomem();
        goto out;
    }
    /* s->objects is newest first: the new ones fill news from its end, which leaves them in creation
     * order; on the way, whether every one of them is of a model sn_batch_simple() takes (asked once
     * per run of one model's objects) */
    size_t first_new = total, runs = 0;
    const sinew_model *run_model = NULL;
    int simple = 1;
    for (sn_obj *o = s->objects; o; o = o->next) {
        if (o->state == SN_NEW) {
            news[--first_new] = o;
            if (o->model != run_model) {
                run_model = o->model;
                runs++;
                simple = simple && sn_batch_simple(s, run_model);
            }
        } else if (o->state == SN_PERSISTENT && (o->flags & SN_F_DELETE)) {
            dels[nx++] = o;
        } else if (o->state == SN_PERSISTENT && is_dirty(s->db, o)) {
            dirty[nd++] = o;
        }
    }
    news += first_new;
    nn = total - first_new;
    if (nn && simple && !nd && !nx) {
        rc = flush_news_simple(s, j, news, nn, runs == 1, grouped, ready);
        goto out;
    }
    /* validation and before-hooks run before anything is written */
    const sinew_model *vm = NULL;   /* the model last looked at, and whether it has rules to check */
    int rules = 0;
    for (size_t i = 0; i < nn && !rc; i++) {
        if (news[i]->model != vm) {
            sn_plan *p;
            if ((rc = sn_plan_get(s->db, news[i]->model, &p))) break;
            vm = news[i]->model;
            rules = p->has_rules;
        }
        /* an object's hooks are looked up only once some model has any */
        if (!(rc = s->db->hooks.count ? run_hook_before(s, news[i], 0) : SINEW_OK) && rules)
            rc = sinew_validate(news[i]->model, SN_DATA_OF(news[i]));
    }
    for (size_t i = 0; i < nd && !rc; i++) {
        if (!(rc = run_hook_before(s, dirty[i], 0))) rc = sinew_validate(dirty[i]->model, SN_DATA_OF(dirty[i]));
    }
    for (size_t i = 0; i < nx && !rc; i++) rc = run_hook_before(s, dels[i], 1);
    if (!rc) rc = journal_reserve(j, nn + nd + nx);
    if (!rc) rc = journal_add_news(j, news, nn, 0);
    for (size_t i = 0; i < nd && !rc; i++) rc = journal_add(s, j, dirty[i]);
    for (size_t i = 0; i < nx && !rc; i++) rc = journal_add(s, j, dels[i]);
    if (rc) goto out;

    /* inserts: parents first, a level at a time (every object whose parents are in), the objects of a
     * level many rows per statement by model; a cycle is broken by inserting with a NULL key and
     * updating later */
    size_t left = nn;
    while (left && !rc) {
        size_t nready = 0;
        const sinew_model *mm = NULL;   /* as in insert_level */
        int members = 0;
        for (size_t i = 0; i < nn; i++) {
            if (news[i]->state != SN_NEW) continue;
            if (news[i]->model != mm) members = has_members(s, mm = news[i]->model);
            if (!members || !blocker(s, news[i], 0)) ready[nready++] = i;
        }
        if (nready) {
            rc = insert_level(s, j, news, ready, nready, grouped);
            left -= nready;
            continue;
        }
        /* every remaining object waits for another: insert one whose wait is optional */
        sn_obj *pick = NULL;
        for (size_t i = 0; i < nn && !pick; i++)
            if (news[i]->state == SN_NEW && only_optional_blockers(s, news[i])) pick = news[i];
        if (!pick) {
            const sn_obj *o = NULL;
            for (size_t i = 0; i < nn && !o; i++)
                if (news[i]->state == SN_NEW) o = news[i];
            const sinew_relation *r = blocker(s, (sn_obj *)o, 0);
            rc = sinew_error_set(SINEW_CONSTRAINT, "flush: new objects reference each other in a cycle through "
                                 "required foreign keys (%s.%s); make one of them optional (nullable) or save "
                                 "one object first", o->model->name, r ? r->name : "?");
            break;
        }
        /* insert it with those keys NULL; the UPDATE below sets them */
        const sinew_model *m = pick->model;
        void *obj = SN_DATA_OF(pick);
        for (size_t r = 0; r < m->nrelations; r++) {
            const sinew_relation *rel = &m->relations[r];
            sn_obj *t = member_target(s, rel, obj);
            if (!t || t == pick || t->state != SN_NEW || !rel->optional) continue;
            for (size_t k = 0; k < rel->nkeys; k++) {
                const sinew_field *f = &m->fields[rel->local[k]];
                if (f->has_offset != SINEW_NO_OFFSET) *(bool *)((char *)obj + f->has_offset) = false;
            }
        }
        void *saved_members[64];
        for (size_t r = 0; r < m->nrelations && r < 64; r++) {   /* keep the members for the later update */
            const sinew_relation *rel = &m->relations[r];
            saved_members[r] = rel->offset != SINEW_NO_OFFSET && rel->kind == SINEW_BELONGS_TO
                                   ? *(void **)((char *)obj + rel->offset) : NULL;
        }
        if ((rc = sn_insert_row(s, m, obj, &s->arena))) s->failed = pick;
        else {
            pick->state = SN_PERSISTENT;
            sn_take_snapshot(s, pick);
            /* the snapshot has no target yet, so the members count as changed at the fix-up */
            for (size_t r = 0; r < m->nrelations && r < 64; r++) {
                const sinew_relation *rel = &m->relations[r];
                if (rel->offset != SINEW_NO_OFFSET && rel->kind == SINEW_BELONGS_TO && saved_members[r])
                    *(void **)((char *)SN_SNAP(pick) + rel->offset) = NULL;
            }
            rc = sn_identity_add(s, pick);
            fixups[nf++] = pick;
        }
        left--;
    }
    for (size_t i = 0; i < nf && !rc; i++) {
        sync_fks(s, fixups[i]);
        if ((rc = sn_update_row(s, fixups[i]))) s->failed = fixups[i];
    }
    /* updates */
    for (size_t i = 0; i < nd && !rc; i++) sync_fks(s, dirty[i]);
    if (!rc && nd) rc = sn_update_rows(s, dirty, nd, &s->failed);
    /* deletes: an object goes once nothing else being deleted still points at it; the objects that can
     * go together go many rows per statement by model. The journal holds the deletes from nn + nd on. */
    size_t gone = 0;
    while (gone < nx && !rc) {
        size_t nready = 0;
        for (size_t i = 0; i < nx; i++)
            if (!done[i] && !referenced_by(dels[i], dels, nx, done)) ready[nready++] = i;
        int cycle = nready == 0;
        if (cycle)   /* a cycle among deletes: let the database's actions decide */
            for (size_t i = 0; i < nx; i++)
                if (!done[i]) ready[nready++] = i;
        rc = delete_level(s, j, nn + nd, dels, ready, nready, grouped, cycle);
        for (size_t k = 0; k < nready; k++) done[ready[k]] = 1;
        gone += nready;
    }
    if (!rc) {
        for (size_t i = 0; i < nn && s->db->hooks.count; i++) run_hook_after(s, news[i], 0);
        for (size_t i = 0; i < nd; i++) run_hook_after(s, dirty[i], 0);
        for (size_t i = 0; i < nx; i++) run_hook_after(s, dels[i], 1);
    }
out:
    sn_free(news_mem);
    sn_free(dirty);
    sn_free(dels);
    sn_free(fixups);
    sn_free(done);
    sn_free(ready);
    sn_free(grouped);
    return rc;
}

void *sinew_flush_failed(const sinew_session *s) { return s && s->failed ? SN_DATA_OF(s->failed) : NULL; }

/* something to flush (sinew_session_pending() > 0, without counting on past the first) */
static int any_pending(const sinew_session *s)
{
    for (const sn_obj *o = s->objects; o; o = o->next)
        if (o->state == SN_NEW || (o->state == SN_PERSISTENT && ((o->flags & SN_F_DELETE) || is_dirty(s->db, o)))) return 1;
    return 0;
}

int sinew_session_flush(sinew_session *s)
{
    if (!s) return sinew_error_set(SINEW_MISUSE, "sinew_session_flush: session is NULL");
    s->failed = NULL;
    if (!any_pending(s)) return SINEW_OK;
    sn_journal *j = sn_calloc(1, sizeof *j);
    if (!j) return sn_nomem();
    int outer = sinew_tx_depth(s->db);
    int rc = sinew_begin(s->db);
    if (rc) {
        journal_free(j);
        return rc;
    }
    /* one clock reading for every @updated_at the flush writes (stamps.c) */
    int64_t outer_stamp = sn_stamp_begin(s);
    s->flushing = j;
    rc = flush_body(s, j);
    s->flushing = NULL;
    for (size_t k = 0; k < j->n; k++)   /* the mark is the running flush's only */
        if (j->e[k].touched) j->e[k].o->flags &= (uint8_t)~SN_F_TOUCHED;
    sn_stamp_end(s, outer_stamp);
    if (rc == SINEW_OK) {
        rc = sinew_commit(s->db);   /* COMMIT, or RELEASE of the savepoint inside the caller's transaction */
        if (rc == SINEW_OK) {
            if (outer > 0) {    /* keep the journal until the caller's transaction ends */
                j->depth = outer;
                j->next = s->journals;
                s->journals = j;
            } else {
                journal_free(j);
            }
            return SINEW_OK;
        }
        journal_restore(s, j);
        journal_free(j);
        return rc;
    }
    sinew_error saved = *sinew_last_error();
    /* the flush's own transaction, and a level's savepoint whose RELEASE failed */
    while (sinew_tx_depth(s->db) > outer) sinew_rollback(s->db);   /* each call ends one level */
    journal_restore(s, j);
    journal_free(j);
    *sn_error_mut() = saved;
    return rc;
}

int sinew_session_commit(sinew_session *s) { return sinew_session_flush(s); }

/* ---- keeping the session consistent after a delete ------------------------------------ */

static int points_at(const sinew_relation *rel, const sn_obj *o, const sn_obj *target)
{
    const void *src = SN_SNAP(o) ? SN_SNAP(o) : SN_DATA_OF(o);
    for (size_t k = 0; k < rel->nkeys; k++) {
        sinew_value a = sn_field_value(&o->model->fields[rel->local[k]], src);
        sinew_value b = sn_field_value(&target->model->fields[rel->remote[k]], SN_SNAP(target));
        if (!sn_value_eq(&a, &b)) return 0;
    }
    return 1;
}

int sn_session_after_delete(sinew_session *s, sn_obj *deleted)
{
    void *gone = SN_DATA_OF(deleted);
    for (sn_obj *o = s->objects; o; o = o->next) {
        if (o == deleted || o->state == SN_DETACHED) continue;
        const sinew_model *m = o->model;
        void *obj = SN_DATA_OF(o);
        int rc = sn_unlink_cached(s, o, gone, 1);   /* cached values that point at the deleted object go */
        if (rc) return rc;
        for (size_t r = 0; r < m->nrelations; r++) {
            const sinew_relation *rel = &m->relations[r];
            /* rows that referenced it: what the database did with them, the session does too */
            if (rel->kind != SINEW_BELONGS_TO || rel->target != deleted->model || o->state != SN_PERSISTENT ||
                !points_at(rel, o, deleted))
                continue;
            if ((rel->on_delete == SINEW_FK_CASCADE || rel->on_delete == SINEW_FK_SET_NULL) && (rc = sn_flush_touch(s, o)))
                return rc;
            if (rel->on_delete == SINEW_FK_CASCADE) {
                sn_identity_remove(s, o);
                o->state = SN_DELETED;
                o->flags |= SN_F_GONE;
                if ((rc = sn_session_after_delete(s, o))) return rc;
                break;
            }
            if (rel->on_delete == SINEW_FK_SET_NULL) {
                for (size_t k = 0; k < rel->nkeys; k++) {
                    const sinew_field *f = &m->fields[rel->local[k]];
                    if (f->has_offset == SINEW_NO_OFFSET) continue;
                    *(bool *)((char *)obj + f->has_offset) = false;
                    if (SN_SNAP(o)) *(bool *)((char *)SN_SNAP(o) + f->has_offset) = false;
                }
            }
        }
    }
    return SINEW_OK;
}
