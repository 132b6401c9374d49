/*
 * identity.c - the session's identity map: (model, key) -> the one object
 * of that row in this session.
 *
 * One table per model, open addressing with Robin Hood linear probing over
 * two parallel arrays: the keys' 32-bit hashes (0 marks an empty slot) and
 * the objects. A probe reads the packed hashes and touches an object only
 * when its hash matches, so adding 100,000 new rows costs no cache misses on
 * old objects and no allocation per row.
 *
 * Integer keys hash so that neighbouring keys land in neighbouring slots:
 * rows arrive in key order (inserts, and loads of a table), and a run of
 * them then walks the arrays in order instead of missing the cache on every
 * row (that was a third of the overhead of inserting 100,000 rows). Such a
 * hash makes long runs of occupied slots, which is why the probing is Robin
 * Hood's: a lookup of an absent key stops as soon as it meets an entry
 * closer to its home than the lookup is to its own, instead of walking the
 * run to its end. And why tables are per model: two models' key ranges
 * (users 1..N, posts 1..N) would otherwise pile into the same slots.
 */
#include <string.h>
#include "orm.h"

struct sn_idmap {
    const sinew_model *model;
    uint32_t *hashes;
    sn_obj **objs;
    size_t cap, count;
    size_t pending;                /* this model's SN_F_UNMAPPED objects: room is kept for them */
};

/* ---- keys ---------------------------------------------------------------------- */

/* key values of a persistent object, read from its snapshot (the key as the database has it) */
SN_HOT void sn_obj_key(const sn_obj *o, sinew_value *vals)
{
    const sinew_model *m = o->model;
    const void *snap = SN_SNAP(o);
    const void *src = snap ? snap : SN_DATA_OF(o);
    if (m->npk == 1) {   /* the common case: one integer key, read straight */
        const sinew_field *f = &m->fields[m->pk[0]];
        if (f->has_offset == SINEW_NO_OFFSET && (f->type == SINEW_INT64 || f->type == SINEW_INT32)) {
            vals[0].type = f->type;
            vals[0].is_null = false;
            vals[0].u.i = f->type == SINEW_INT64 ? *(const int64_t *)((const char *)src + f->offset)
                                                 : *(const int32_t *)((const char *)src + f->offset);
            return;
        }
        vals[0] = sn_field_value(f, src);
        return;
    }
    for (size_t i = 0; i < m->npk; i++) vals[i] = sn_field_value(&m->fields[m->pk[i]], src);
}

uint32_t sn_key_hash_any(const sinew_model *m, const sinew_value *vals)
{
    uint64_t h = 0;
    for (size_t i = 0; i < m->npk; i++) h = sn_value_hash(&vals[i], h);
    uint32_t h32 = (uint32_t)(h ^ (h >> 32));
    return h32 ? h32 : 1;   /* 0 marks an empty slot */
}

SN_HOT static int key_matches(const sn_obj *o, const sinew_value *vals)
{
    sinew_value ov[SN_MAX_KEY];
    sn_obj_key(o, ov);
    for (size_t i = 0; i < o->model->npk; i++)
        if (!sn_value_eq(&ov[i], &vals[i])) return 0;
    return 1;
}

/* ---- the per-model tables ---------------------------------------------------------- */

/* m's table, NULL if it has none yet (create: make one; NULL then means out of memory) */
SN_NOINLINE static sn_idmap *map_of(sinew_session *s, const sinew_model *m, int create)
{
    for (size_t i = 0; i < s->nid_maps; i++)
        if (s->id_maps[i]->model == m) return s->id_last = s->id_maps[i];
    if (!create) return NULL;
    sn_idmap **maps = sn_realloc(s->id_maps, (s->nid_maps + 1) * sizeof *maps);
    if (!maps) {
        sn_nomem();
        return NULL;
    }
    s->id_maps = maps;
    sn_idmap *t = sn_calloc(1, sizeof *t);
    if (!t) {
        sn_nomem();
        return NULL;
    }
    t->model = m;
    maps[s->nid_maps++] = t;
    return s->id_last = t;
}

/* m's table: the last one used, checked inline (rows of one model come in runs), else map_of */
static inline sn_idmap *table_for(sinew_session *s, const sinew_model *m, int create)
{
    sn_idmap *t = s->id_last;
    return t && t->model == m ? t : map_of(s, m, create);
}

void sn_identity_free(sinew_session *s)
{
    for (size_t i = 0; i < s->nid_maps; i++) {
        sn_free(s->id_maps[i]->hashes);
        sn_free(s->id_maps[i]);
    }
    sn_free(s->id_maps);
    s->id_maps = NULL;
    s->nid_maps = 0;
    s->id_last = NULL;
}

/* how far the entry in slot j sits from its home slot */
SN_HOT static size_t dist(const sn_idmap *t, size_t j) { return (j - (t->hashes[j] & (t->cap - 1))) & (t->cap - 1); }

/*
 * Walk from h's home slot. Returns the slot holding (vals, h), or `self`, with
 * *found set; else the slot where the walk stopped, which is where such an
 * entry belongs (Robin Hood: past it, every entry sits nearer its home than
 * the walk is to h's, so the entry would have been placed by now).
 */
SN_HOT static size_t probe(const sn_idmap *t, const sinew_value *vals, uint32_t h, const sn_obj *self, int *found)
{
    size_t mask = t->cap - 1, j = h & mask;
    for (size_t d = 0;; d++, j = (j + 1) & mask) {
        uint32_t hj = t->hashes[j];
        if (!hj || dist(t, j) < d) break;
        if (hj == h && (t->objs[j] == self || (vals && key_matches(t->objs[j], vals)))) {
            *found = 1;
            return j;
        }
    }
    *found = 0;
    return j;
}

/* the slot holding (vals, h) or `self`, or (size_t)-1 */
SN_HOT static size_t find_slot(const sn_idmap *t, const sinew_value *vals, uint32_t h, const sn_obj *self)
{
    if (!t->count) return (size_t)-1;
    int found;
    size_t j = probe(t, vals, h, self, &found);
    return found ? j : (size_t)-1;
}

/* place (h, o), known to be absent, in a table with room: from slot j, which is d away from its home */
SN_HOT static void place_from(sn_idmap *t, size_t j, size_t d, uint32_t h, sn_obj *o)
{
    size_t mask = t->cap - 1;
    for (;; d++, j = (j + 1) & mask) {
        if (!t->hashes[j]) {
            t->hashes[j] = h;
            t->objs[j] = o;
            return;
        }
        size_t dj = dist(t, j);
        if (dj < d) {   /* the richer entry moves on; we take its slot */
            uint32_t th = t->hashes[j];
            sn_obj *to = t->objs[j];
            t->hashes[j] = h;
            t->objs[j] = o;
            h = th;
            o = to;
            d = dj;
        }
    }
}

static void place(sn_idmap *t, uint32_t h, sn_obj *o) { place_from(t, h & (t->cap - 1), 0, h, o); }

/*
 * Room for `want` entries. Small tables (a session of a few hundred random
 * gets) stay at most half full, so that lookups of absent keys end after a
 * probe or two; large ones may fill to 4/5 so that 100,000 objects fit
 * 131,072 slots (12 bytes each), and large tables are mostly runs of
 * neighbouring keys, which probe little however full.
 */
SN_HOT static int fits(size_t want, size_t cap) { return cap > 1024 ? want * 5 <= cap * 4 : want * 2 <= cap; }

SN_NOINLINE static int reserve(sn_idmap *t, size_t want)
{
    if (fits(want, t->cap)) return SINEW_OK;
    size_t old_cap = t->cap, cap = old_cap ? old_cap * 2 : 64;
    while (!fits(want, cap)) cap *= 2;
    uint32_t *old_hashes = t->hashes;
    sn_obj **old_objs = t->objs;
    /* one block: the hashes, then the objects (aligned: cap is even). Only the hashes are zeroed: a
     * zero hash is an empty slot, whose object pointer nothing reads (a flush of 100,000 new objects
     * makes a table of 131,072 slots, 1 MB of pointers not to clear) */
    uint32_t *hashes = sn_malloc(cap * (sizeof(uint32_t) + sizeof(sn_obj *)));
    if (!hashes) return sn_nomem();
    memset(hashes, 0, cap * sizeof *hashes);
    t->hashes = hashes;
    t->objs = (sn_obj **)(void *)(hashes + cap);
    t->cap = cap;
    if (t->count)   /* a table of only deferred objects has nothing to move (and its pages need not be touched) */
        for (size_t i = 0; i < old_cap; i++)
            if (old_hashes[i]) place(t, old_hashes[i], old_objs[i]);
    sn_free(old_hashes);
    return SINEW_OK;
}

/* put o (its key read now) in its table, replacing an entry with the same key; room is there */
static void put(sn_idmap *t, sn_obj *o, const sinew_value *vals, uint32_t h)
{
    o->id_hash = h;
    int found;
    size_t j = probe(t, vals, h, o, &found);
    if (found) {   /* the same key again replaces the old entry, as a map would */
        t->objs[j] = o;
        return;
    }
    place_from(t, j, (j - (h & (t->cap - 1))) & (t->cap - 1), h, o);
    t->count++;
}

static void index_one(sinew_session *s, sn_obj *o)
{
    sn_idmap *t = table_for(s, o->model, 0);   /* made when o was deferred */
    sinew_value vals[SN_MAX_KEY];
    sn_obj_key(o, vals);
    o->flags &= (uint8_t)~SN_F_UNMAPPED;
    t->pending--;
    s->id_pending--;
    put(t, o, vals, sn_key_hash(o->model, vals));
}

/*
 * Index the deferred objects oldest first (a newer object with the same key
 * wins, as if each had been added when it was inserted). They are the newest
 * objects of the session: the object list (newest first) is reversed down to
 * the oldest of them, then walked back, indexing on the way and restoring the
 * links. No allocation, so nothing can fail; done once per run of inserts.
 */
SN_NOINLINE static void index_pending(sinew_session *s)
{
    sn_obj *prev = NULL, *o = s->objects;
    size_t left = s->id_pending;
    while (left && o) {
        sn_obj *next = o->next;
        if (o->flags & SN_F_UNMAPPED) left--;
        o->next = prev;
        prev = o;
        o = next;
    }
    sn_obj *cur = prev;   /* the oldest pending object; o is the untouched rest of the list */
    prev = o;
    while (cur) {
        sn_obj *next = cur->next;
        if (cur->flags & SN_F_UNMAPPED) index_one(s, cur);
        cur->next = prev;
        prev = cur;
        cur = next;
    }
    s->objects = prev;
}

/* ---- the map's operations ---------------------------------------------------------- */

SN_HOT sn_obj *sn_identity_lookup(sinew_session *s, const sinew_model *m, const sinew_value *vals, uint32_t h)
{
    if (s->id_pending) index_pending(s);
    sn_idmap *t = table_for(s, m, 0);
    size_t j = t ? find_slot(t, vals, h, NULL) : (size_t)-1;
    return j == (size_t)-1 ? NULL : t->objs[j];
}

SN_HOT sn_obj *sn_identity_find(sinew_session *s, const sinew_model *m, const sinew_value *vals)
{
    return sn_identity_lookup(s, m, vals, sn_key_hash(m, vals));
}

SN_NOINLINE int sn_identity_insert(sinew_session *s, sn_obj *o, const sinew_value *vals, uint32_t h)
{
    if (s->id_pending) index_pending(s);
    sn_idmap *t = table_for(s, o->model, 1);
    if (!t) return SINEW_NOMEM;
    int rc = reserve(t, t->count + t->pending + 1);
    if (rc) return rc;
    put(t, o, vals, h);
    return SINEW_OK;
}

SN_HOT sn_obj *sn_identity_claim(sinew_session *s, sn_obj *o, const sinew_value *vals, uint32_t h, int *rc)
{
    *rc = SINEW_OK;
    if (s->id_pending) index_pending(s);
    sn_idmap *t = table_for(s, o->model, 1);
    if (!t) {
        *rc = SINEW_NOMEM;
        return NULL;
    }
    /* room checked here: reserve() is out of line, and a load claims a slot for every row */
    size_t want = t->count + t->pending + 1;
    if (SN_UNLIKELY(!fits(want, t->cap)) && (*rc = reserve(t, want))) return NULL;
    /* one probe: it meets the twin, or ends where o belongs */
    int found;
    size_t j = probe(t, vals, h, NULL, &found);
    if (found) return t->objs[j];
    o->id_hash = h;
    place_from(t, j, (j - (h & (t->cap - 1))) & (t->cap - 1), h, o);
    t->count++;
    return NULL;
}

SN_NOINLINE int sn_identity_add(sinew_session *s, sn_obj *o)
{
    sinew_value vals[SN_MAX_KEY];
    sn_obj_key(o, vals);
    return sn_identity_insert(s, o, vals, sn_key_hash(o->model, vals));
}

SN_HOT int sn_identity_add_later(sinew_session *s, sn_obj *o)
{
    if (o->flags & SN_F_UNMAPPED) return SINEW_OK;
    /* the per-insert path: the last table and room in it are checked here, the rest is out of line */
    sn_idmap *t = table_for(s, o->model, 1);
    if (!t) return SINEW_NOMEM;
    if (!fits(t->count + t->pending + 1, t->cap)) {
        int rc = reserve(t, t->count + t->pending + 1);
        if (rc) return rc;
    }
    o->flags |= SN_F_UNMAPPED;
    t->pending++;
    s->id_pending++;
    return SINEW_OK;
}

/* room in m's table for n more deferred objects (sn_inserted_n flags them) */
int sn_identity_later_room(sinew_session *s, const sinew_model *m, size_t n)
{
    sn_idmap *t = table_for(s, m, 1);
    if (!t) return SINEW_NOMEM;
    return fits(t->count + t->pending + n, t->cap) ? SINEW_OK : reserve(t, t->count + t->pending + n);
}

/* add of m's objects were flagged SN_F_UNMAPPED in the room sn_identity_later_room made */
void sn_identity_later_count(sinew_session *s, const sinew_model *m, size_t add)
{
    sn_idmap *t = table_for(s, m, 0);
    t->pending += add;
    s->id_pending += add;
}

/* Take o out if it is there (under the hash it went in with). The entries
 * after it shift back one slot until one is at home: no tombstones. */
SN_NOINLINE void sn_identity_remove(sinew_session *s, sn_obj *o)
{
    if (o->flags & SN_F_UNMAPPED) {   /* never indexed: forget the deferral */
        sn_idmap *t = table_for(s, o->model, 0);
        o->flags &= (uint8_t)~SN_F_UNMAPPED;
        t->pending--;
        s->id_pending--;
        return;
    }
    if (!o->id_hash) return;
    sn_idmap *t = table_for(s, o->model, 0);
    size_t i = t ? find_slot(t, NULL, o->id_hash, o) : (size_t)-1;
    if (i == (size_t)-1) return;
    size_t mask = t->cap - 1;
    for (size_t j = (i + 1) & mask; t->hashes[j] && dist(t, j) > 0; i = j, j = (j + 1) & mask) {
        t->hashes[i] = t->hashes[j];
        t->objs[i] = t->objs[j];
    }
    t->hashes[i] = 0;
    t->objs[i] = NULL;
    t->count--;
}
