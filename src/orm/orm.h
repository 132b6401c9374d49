/*
 * orm.h - private runtime layer: the db handle, statement execution with the
 * statement cache, per-model plans (pre-rendered SQL), hydration and the
 * session's object headers. Everything here sits on the driver vtable.
 */
#ifndef SINEW_ORM_H
#define SINEW_ORM_H

#include <string.h>
#include "base.h"
#include "sn_limits.h"
#include "sql/dialect.h"
#include "sinew/db.h"
#include "sinew/driver.h"
#include "sinew/session.h"
#include "sinew/transaction.h"

/* ---- per-model plan: SQL rendered once per db and model ---- */
#define SN_INSERT_VARIANTS 4
typedef struct sn_insert_variant {
    uint64_t omit;                 /* bit i: field i left to its database default */
    char *sql;
    unsigned char *returning;      /* fields read back (NULL when none) */
    int use_last_id;               /* read the auto key with last_insert_id instead of RETURNING */
    uint64_t reread;               /* no RETURNING (insert_no_returning): fields read back by key after */
    unsigned *cols;                /* the fields bound, in parameter order (the ones not in omit) */
    size_t ncols;
} sn_insert_variant;

#define SN_UPDATE_VARIANTS 8
typedef struct sn_update_variant {
    uint64_t set;                  /* bit i: field i is written */
    char *sql;
    unsigned *cols;                /* the fields of set, in parameter order (the key and version follow) */
    size_t ncols;
} sn_update_variant;

/* One field as dirty checking compares it (dirty.c): where it lives and how wide it is, worked out
 * once per plan so that a save does not switch on the field's type. */
#define SN_DIRTY_REQUIRED UINT32_MAX   /* has_offset of a field without a presence flag */
typedef struct sn_dirty_field {
    uint32_t offset, has_offset;
    uint8_t width;                 /* bytes compared as they are (1, 4, 8); 0: sn_field_changed */
    uint8_t field;                 /* its index in the model */
} sn_dirty_field;

typedef struct sn_plan {
    const sinew_model *model;
    char *select_all;              /* SELECT cols FROM t */
    char *select_pk;               /* ... WHERE pk = ? */
    char *delete_pk;
    char *count;
    sn_insert_variant inserts[SN_INSERT_VARIANTS];
    size_t ninserts;
    sn_update_variant updates[SN_UPDATE_VARIANTS];
    size_t nupdates;
    int auto_pk;                   /* index of the @auto key field, -1 */
    int version_field;             /* index of the @version field, -1 */
    uint64_t default_fields;       /* bit i: field i has a database default */
    /* Defaults sinew computes itself (defaults.c): put into an object by sinew_new, and into the
     * zero fields of a caller's struct before it is validated and written. */
    uint64_t c_defaults;
    uint64_t db_defaults;          /* defaults only the database knows: a zero field is left to it */
    sinew_value *defvals;          /* parsed literal defaults by field (NULL when none) */
    uint64_t checked;              /* bit i: field i's values are checked before writing (values.c) */
    int has_rules;                 /* some field has validation rules (sinew_validate has work) */
    uint64_t pk_mask;              /* bit i: field i is part of the primary key */
    uint64_t readonly;             /* bit i: field i is never written (SINEW_FIELD_READONLY: generated columns);
                                      inserts read it back, updates re-read it when they change the row */
    uint64_t stamped;              /* bit i: field i is @updated_at (stamps.c) */
    int members;                   /* some to-one relation has a struct member: a flush copies keys from it
                                      and orders inserts by it (unit.c); without, there is nothing to look at */
    /* what a delete matches a row by: the key, and the @version field where there is one (a delete of
       an object someone else changed since it was loaded is SINEW_CONFLICT, as its update would be) */
    unsigned delete_by[SN_MAX_KEY + 1];
    size_t ndelete_by;
    sn_dirty_field *dirty;         /* the fields dirty checking compares (dirty.c): first the 8-byte ones */
    size_t ndirty;                 /* without a presence flag, then the 4-byte ones without, then the rest */
    size_t ndirty8, ndirty4;
    size_t last_update;            /* the update variant last used: a run of saves checks it first */
} sn_plan;

/* ---- the db handle ---- */
#define SN_HOT_STMTS 64
typedef struct sn_cached_stmt {
    char *sql;
    sinew_stmt *stmt;
    int busy;                      /* rows are open on it: never evicted then */
    uint64_t hash;                 /* of sql, to take it out of the map */
    struct sn_cached_stmt *newer, *older;   /* the LRU list, newest at db->lru_new */
} sn_cached_stmt;

struct sinew_db {
    const sinew_driver *drv;
    const sinew_dialect *dialect;
    sinew_conn *conn;
    sn_map stmts;                  /* SQL text -> sn_cached_stmt */
    /* The cache holds at most stmt_limit statements; past that the least
     * recently used one that is not busy is finalized (on PostgreSQL that
     * DEALLOCATEs it). Every hit moves its statement to the front: O(1). */
    sn_cached_stmt *lru_new, *lru_old;
    size_t nstmts, stmt_limit;
    /* In front of stmts: the cached statement last used for a given SQL
     * pointer. Plans hand out the same SQL strings every time, so a hit costs
     * one string compare instead of hashing the text. */
    struct { const char *sql; sn_cached_stmt *c; int owned; } hot[SN_HOT_STMTS];
    sn_map plans;                  /* model pointer -> sn_plan */
    struct sn_plan *last_plan;     /* the plan last looked up, checked before the map */
    sinew_log_fn log_fn;
    void *log_ctx;
    int log_stderr;                /* SINEW_LOG=sql */
    sinew_stats stats;
    int tx_depth;
    sn_map hooks;                  /* model pointer -> sinew_hooks copy */
    struct sinew_session *sessions;   /* open sessions, told about rollbacks */
    sn_chunk_cache spare;          /* arena chunks of ended sessions, for the next ones */
    /* what the connection pool (pool.c) looks at when a connection comes back */
    uint64_t failures;             /* statements and transaction commands that failed */
    int conn_lost;                 /* one failed with SINEW_CONNECTION: the connection is gone */
};

/* One statement in flight: prepare (cached), bind, step, finish. */
typedef struct sn_exec {
    sinew_db *db;
    const sinew_driver *drv;
    sinew_stmt *stmt;
    sn_cached_stmt *cached;        /* NULL when the cache was busy: finalize at the end */
    const char *sql;               /* for the log: the cache's copy, or own_sql */
    char *own_sql;                 /* uncached: a copy, as the caller's text may change before the end */
    int64_t rows;
    double t0;
    int timed;
    int finished;
} sn_exec;

int sn_exec_start(sn_exec *x, sinew_db *db, const char *sql);
/* the same for SQL owned by a plan (sn_plan_*): it lives as long as db, so its address identifies it */
int sn_exec_start_plan(sn_exec *x, sinew_db *db, const char *sql);
/* A plan is about to free sql: the hot statement slots must not trust its address any more. */
void sn_db_forget_sql(sinew_db *db, const char *sql);
static inline int sn_exec_bind(sn_exec *x, int index, const sinew_value *v) { return x->drv->bind(x->stmt, index, v); }
int sn_exec_step(sn_exec *x);          /* SINEW_ROW / SINEW_DONE / error; logs when done */
void sn_exec_end(sn_exec *x);          /* reset and return to the cache */

int sn_plan_lookup(sinew_db *db, const sinew_model *m, sn_plan **out);
/* m's plan on db, made on first use. A run of saves or loads asks for one model's
 * plan again and again: the last one is checked inline before the map. */
static inline int sn_plan_get(sinew_db *db, const sinew_model *m, sn_plan **out)
{
    if (db->last_plan && db->last_plan->model == m) {
        *out = db->last_plan;
        return SINEW_OK;
    }
    return sn_plan_lookup(db, m, out);
}
int sn_plan_insert(sinew_db *db, sn_plan *p, uint64_t omit, const sn_insert_variant **out);
int sn_plan_update(sinew_db *db, sn_plan *p, uint64_t set, const char **out);
/* the same, the whole variant (its SQL and the fields it binds) */
int sn_plan_update_variant(sinew_db *db, sn_plan *p, uint64_t set, const sn_update_variant **out);
/* dirty.c: p->dirty made from p's model; the fields (bit i: field i) of obj that differ from snap */
int sn_dirty_init(sn_plan *p);
uint64_t sn_dirty_fields(const sn_plan *p, const void *obj, const void *snap);

void sn_db_log_message(sinew_db *db, const char *message);
/* Count a finished statement and note its failure; t0 from sn_now_ms() at its start times and
 * logs it (pass -1 when no log hook was on at the start). Used by sn_exec and by COPY. */
void sn_db_note_statement(sinew_db *db, const char *sql, double t0, int64_t rows, int status);
/* Count a failed operation on db (SINEW_CONNECTION marks the connection lost). */
void sn_db_note_failure(sinew_db *db, int status);
double sn_now_ms(void);

/* ---- objects in a session ---- */
/* SN_READONLY: loaded by a sinew_readonly() query: no snapshot, not in the identity map, never flushed */
enum { SN_NEW = 1, SN_PERSISTENT, SN_DELETED, SN_DETACHED, SN_READONLY };
enum {
    SN_F_DELETE = 1u << 0,        /* scheduled for delete at the next flush */
    SN_F_SNAP = 1u << 1,          /* has a snapshot (persistent objects) */
    SN_F_UNMAPPED = 1u << 2,      /* inserted, not yet in the identity map (identity.c adds it on the next lookup) */
    SN_F_GONE = 1u << 3,          /* SN_DELETED by a real DELETE (a @@soft_delete object's state says no more) */
    SN_F_MARK = 1u << 4,          /* visited by a walk of soft_version.c (cleared before it returns) */
    SN_F_TOUCHED = 1u << 5,       /* journaled by the running flush as one its session-side cascade changed */
};
#define SN_OBJ_MAGIC 0x534eu      /* "SN" */

/*
 * The hidden header in front of every session object (40 bytes; a loaded
 * row is header + struct + snapshot, in one arena block). The snapshot,
 * the struct's columns and to-one members as last loaded or written, sits
 * right after the struct; the SN_F_SNAP flag says whether there is one (new
 * objects have none). Kept small on purpose: every loaded row pays for it.
 * Which relations are loaded lives out of line (sn_relbits), made the first
 * time one is: most rows never have a relation loaded, and 16 bytes of bits
 * in every header were a tenth of a loaded row. Objects are 8-byte aligned
 * (every column type needs at most that), not 16, for the same reason.
 */
typedef struct sn_relbits {
    uint64_t loaded;               /* bit r: relation r has been loaded */
    uint64_t eager;                /* bit r: relation r was loaded by a prefetch */
    uint64_t absent;               /* bit f: field f was not loaded (sinew_only / sinew_defer) */
} sn_relbits;

typedef struct sn_obj {
    uint16_t magic;
    uint8_t state;
    uint8_t flags;                 /* SN_F_* */
    uint32_t id_hash;              /* identity-map hash of the key (nonzero once hashed) */
    const sinew_model *model;
    struct sn_obj *next;           /* every tracked object of the session */
    sn_relbits *rel;               /* NULL until a relation is loaded (session arena) */
    struct sn_group *group;        /* the result set it came from (batch loading) */
} sn_obj;

#define SN_OBJ_HDR ((sizeof(sn_obj) + 7u) & ~(size_t)7u)
/* the relations of o that are loaded (bit r: relation r) */
static inline uint64_t sn_obj_loaded(const sn_obj *o) { return o->rel ? o->rel->loaded : 0; }
/* the fields of o a projection left out (bit f: field f); 0 for a whole row */
static inline uint64_t sn_obj_absent(const sn_obj *o) { return o->rel ? o->rel->absent : 0; }
#define SN_OBJ_OF(ptr) ((sn_obj *)((char *)(ptr) - SN_OBJ_HDR))
#define SN_DATA_OF(o) ((void *)((char *)(o) + SN_OBJ_HDR))
#define SN_SNAP(o) (((o)->flags & SN_F_SNAP) ? (void *)((char *)SN_DATA_OF(o) + (((o)->model->size + 7u) & ~(size_t)7u)) : NULL)

/* Objects loaded together by one statement: the siblings batch lazy loading works over. */
typedef struct sn_group {
    void **items;
    size_t n;
    struct sn_group *next_owned;   /* groups whose memory the session frees at its end (sn_group_adopt) */
} sn_group;

/* Per-relation statistics of a session, for the N+1 detector. */
typedef struct sn_relstat {
    const sinew_relation *rel;
    const sinew_model *owner;
    int lazy_from_list;            /* unbatched lazy loads on objects that came from a list */
    int reported;                  /* 0, or its place in the session's N+1 report (1, 2, ...) */
    int reported_count;            /* lazy_from_list when it was reported */
    uint64_t prefetched;           /* objects given this relation by prefetch */
    uint64_t accessed_prefetched;  /* accessor calls that found a prefetched value */
    const char *file;
    int line;
} sn_relstat;

struct sinew_session {
    sinew_db *db;
    sn_arena arena;
    /* the identity map (identity.c): a table per model, the last one used first */
    struct sn_idmap **id_maps;
    size_t nid_maps;
    struct sn_idmap *id_last;
    size_t id_pending;             /* objects flagged SN_F_UNMAPPED */
    const sinew_model *snap_model;  /* the model whose snapshot size was last asked for */
    size_t snap_size;
    sn_obj *objects;               /* newest first */
    size_t nobjects;               /* on that list (a flush sizes its arrays by it without a walk) */
    const sinew_model *new_model;  /* the model sinew_new last made an object of, checked and known to
                                    * have no defaults sinew computes: the next of it skips those looks */
    sn_map relcache;               /* (object, relation) -> cached value, for structs without a member */
    sn_map relstats;               /* relation -> sn_relstat */
    int batching;                  /* batch lazy loads over siblings */
    int load_readonly;             /* the load running now makes SN_READONLY objects; set, and put back
                                    * after, by each entry point that loads (so a hook's load is its own) */
    uint64_t load_absent;          /* the load running now leaves these fields of load_absent_model out (a
                                    * projection); like load_readonly set and put back by the entry point */
    const sinew_model *load_absent_model;
    int nplusone_mode;             /* sinew_nplusone_mode */
    int nplusone_threshold;
    sn_buf report;                 /* N+1 reports so far (rebuilt with the counts of now when read) */
    int nreports;
    struct sinew_session *next_session;   /* in db->sessions */
    struct sn_journal *journals;   /* flushes inside transactions still open */
    struct sn_journal *flushing;   /* the running flush's journal (sn_flush_touch), else NULL */
    sn_group *owned_groups;        /* from sn_group_adopt, freed with the session */
    sn_obj *failed;                /* the object whose write failed the last flush (sinew_flush_failed) */
    sn_obj *stale;                 /* the loaded object the last soft delete's cascade found changed by
                                    * someone else (soft_version.c): a flush names it, not the deleted one */
    int64_t stamp_now;             /* the clock reading of the flush or bulk write running now (0: none);
                                    * @updated_at and @default(now) of its rows take it (stamps.c) */
    struct sn_route *route;        /* made on a router (route.c): its primary connection, reads routed; else NULL */
};

/* ---- transactions (transaction.c) ---- */
/* Statements run around each attempt's outermost transaction (none around a savepoint): before ahead
 * of its BEGIN, first as its first statement, after once it has ended (committed, rolled back, or
 * its BEGIN failed), whatever came of it. NULL members: none. */
typedef struct sn_tx_wrap {
    const char *before, *first, *after;
} sn_tx_wrap;
/* sinew_transaction_ex() with w's statements around each attempt (w NULL: none) */
int sn_transaction_wrapped(sinew_db *db, const sn_tx_wrap *w, sinew_tx_fn fn, void *ctx,
                           const sinew_retry_policy *policy, int *attempts);

/* ---- a session made on a router (route.c) ---- */
/* Run fn(ctx), a read of s: on a replica connection that has replayed s's writes (s->db points at it
 * for the call; the session's log, hooks and counters go with it) when s is made on a router and is
 * not inside a transaction on its primary connection; else as it is. */
int sn_route_read(sinew_session *s, int (*fn)(void *), void *ctx);
/* give a routed session's primary connection back to its router and free the rest (session free) */
void sn_route_free(struct sn_route *rt);

void sn_rel_session_init(sinew_session *s);
void sn_rel_session_end(sinew_session *s);
static inline int sn_type_intlike(sinew_type t)
{
    return t == SINEW_BOOL || t == SINEW_INT32 || t == SINEW_INT64 || t == SINEW_TIMESTAMP ||
           t == SINEW_DATE || t == SINEW_ENUM;
}
uint64_t sn_value_hash(const sinew_value *v, uint64_t seed);
int sn_value_eq(const sinew_value *a, const sinew_value *b);
/* ---- the identity map (identity.c) ---- */
#include "sn_limits.h"                 /* SN_MAX_KEY, SN_MAX_FIELDS ... */
typedef struct sn_idmap sn_idmap;
/* the key of a tracked object as the database has it (from the snapshot when there is one) */
void sn_obj_key(const sn_obj *o, sinew_value *vals);
uint32_t sn_key_hash_any(const sinew_model *m, const sinew_value *vals);
/*
 * The identity-map hash of a key. A single integer key (one auto-increment
 * column, the common case) hashes so that neighbouring keys land in
 * neighbouring slots: rows arrive in key order, and a run of them then walks
 * the table in order instead of missing the cache on every row. Its high bits
 * are folded into the low ones (an invertible xorshift) so that keys spaced
 * by a power of two still spread. Never 0: that marks an empty slot.
 */
static inline uint32_t sn_key_hash(const sinew_model *m, const sinew_value *vals)
{
    if (m->npk == 1 && !vals[0].is_null && sn_type_intlike(vals[0].type)) {
        uint64_t k = (uint64_t)vals[0].u.i;
        uint32_t x = (uint32_t)(k ^ (k >> 32));
        x ^= (x >> 8) ^ (x >> 16);
        return x ? x : 1;
    }
    return sn_key_hash_any(m, vals);
}
sn_obj *sn_identity_lookup(sinew_session *s, const sinew_model *m, const sinew_value *vals, uint32_t h);
sn_obj *sn_identity_find(sinew_session *s, const sinew_model *m, const sinew_value *key);
/* add o under its key (vals, hashed to h); an object already there with that key is replaced */
int sn_identity_insert(sinew_session *s, sn_obj *o, const sinew_value *vals, uint32_t h);
/* Add a just-inserted o to the map by the next lookup: room is reserved now (the only failure), the
 * hashing and placing happen then, so a session that only inserts never pays for them. */
int sn_identity_add_later(sinew_session *s, sn_obj *o);
/* the same for n objects of m that the caller flags itself (sn_inserted_n): room for n more reserved
 * first (the only failure), then the count of those flagged */
int sn_identity_later_room(sinew_session *s, const sinew_model *m, size_t n);
void sn_identity_later_count(sinew_session *s, const sinew_model *m, size_t add);
/* The object already mapped under o's key (vals, h), or NULL once o is added in its place;
 * *rc is set on failure (out of memory: o was not added). One probe for a loaded row. */
sn_obj *sn_identity_claim(sinew_session *s, sn_obj *o, const sinew_value *vals, uint32_t h, int *rc);
void sn_identity_free(sinew_session *s);
/* Make objs[0..n) siblings for batch loading (no-op for fewer than 2). */
int sn_group_make(sinew_session *s, void **objs, size_t n);
/* The same without a copy: the group takes over vec (from sn_malloc, at least n items long),
 * which the session frees at its end; for fewer than 2 objects vec is freed at once. On failure
 * vec is freed too. A loaded list of 100,000 rows so keeps one array of pointers for batch
 * loading and one for the caller, not a third. */
int sn_group_adopt(sinew_session *s, void **vec, size_t n);
/* Load `rel` for every owner in owners[0..n) that has not loaded it; eager marks them as prefetched. */
int sn_rel_load(sinew_session *s, const sinew_relation *rel, void **owners, size_t n, int eager);
/* The same for njobs relations at once, each with its owners (rels[k] for owners[k][0..n[k])): the
 * statements do not wait for each other's answers, so where the driver pipelines (PostgreSQL) they
 * go out together, a round trip for them all. No two jobs may load the same relation. */
int sn_rel_load_many(sinew_session *s, const sinew_relation *const *rels, void **const *owners, const size_t *n,
                     size_t njobs, int eager);
/* Record that obj's relation holds `value` (to-one: the object or NULL; to-many: a sinew_list *). */
/* the loaded values of rel for owners (each must have it loaded), in owner order: a
 * prefetch path's next level of owners; *out is the caller's to free */
int sn_rel_targets(sinew_session *s, const sinew_relation *rel, void **owners, size_t n, void ***out, size_t *count);
int sn_rel_store(sinew_session *s, const sinew_relation *rel, void *obj, void *one, const sinew_list *many, int eager);

/* The object header of one of this session's objects, or NULL (error set) if `obj` is not one. */
sn_obj *sn_obj_check(sinew_session *s, const sinew_model *m, void *obj, const char *fn);
/* the error for changing an SN_READONLY object through fn (SINEW_MISUSE) */
int sn_readonly_refused(const sn_obj *o, const char *fn);
/* SINEW_MISUSE: fn would read or write fields `bits` of o, which its load left out; `why` says what for */
int sn_absent_refused(const sn_obj *o, uint64_t bits, const char *fn, const char *what);
/* SINEW_MISUSE for a write to a @@readonly model (SINEW_OK otherwise) */
int sn_model_writable(const sinew_model *m, const char *fn);

/*
 * Turn the current row into a session object (the identity map's object when
 * the row is already loaded: its unflushed changes win). colmap[i] is the
 * result column of field i (-1: not selected); NULL means fields in order from 0.
 */
int sn_session_materialize(sinew_session *s, sn_exec *x, const sinew_model *m, const int *colmap, void **out);

int sn_identity_add(sinew_session *s, sn_obj *o);
void sn_identity_remove(sinew_session *s, sn_obj *o);
void sn_take_snapshot(sinew_session *s, sn_obj *o);
/* n new objects of one model just written by a batch: persistent, snapshot taken, in the identity map
 * by the next lookup (as sn_identity_add_later), in one pass over them */
int sn_inserted_n(sinew_session *s, sn_obj *const *objs, size_t n);
/* Bytes at the start of an m struct that its snapshot keeps (columns, presence flags, to-one members). */
size_t sn_snap_size(const sinew_model *m);
/* the same, remembered for the model last asked about (a load or a flush asks for one model again and
 * again; working it out measured about 95 instructions an object in W10's journal) */
static inline size_t sn_session_snap_size(sinew_session *s, const sinew_model *m)
{
    if (s->snap_model != m) {
        s->snap_size = sn_snap_size(m);
        s->snap_model = m;
    }
    return s->snap_size;
}
/* INSERT (keys and defaults read back into obj) / UPDATE of changed columns (snapshot refreshed) */
int sn_insert_row(sinew_session *s, const sinew_model *m, void *obj, sn_arena *arena);
int sn_update_row(sinew_session *s, sn_obj *o);
/* n objects' updates, pipelined where the driver can; *failed: the object whose update failed */
int sn_update_rows(sinew_session *s, sn_obj *const *objs, size_t n, sn_obj **failed);
int sn_delete_row(sinew_session *s, sn_obj *o);   /* DELETE by key, no hooks; object marked deleted */
int sn_delete_row_hard(sinew_session *s, sn_obj *o);   /* the same, a @@soft_delete model's real DELETE too */
/* soft_delete.c: a @@soft_delete object's delete (deleted_at = now, its soft cascade, the session side) */
int sn_soft_delete_row(sinew_session *s, sn_obj *o);
/* the session side of o's soft delete at `now` (its row written): the field and o's @updated_at ones,
 * out of the identity map, deleted, its loaded cascade children with it */
int sn_soft_deleted(sinew_session *s, const sn_plan *p, sn_obj *o, int64_t now);
/* the session side of o's restore: the field cleared, @updated_at = now, live again */
int sn_soft_restored(sinew_session *s, const sn_plan *p, sn_obj *o, int64_t now);
/* soft_restore.c: o's row (deleted at `at`) restored with the rows its delete's cascade took (in the
 * caller's transaction); then the loaded objects among those rows, live again */
int sn_soft_restore_rows(sinew_session *s, sn_obj *o, int64_t at);
int sn_soft_after_restore(sinew_session *s, sn_obj *up, int64_t at, int64_t now);
/* soft_version.c: @version with @@soft_delete. The @version field of m, or -1; o's version := the one
 * loaded + 1, in its struct and snapshot (its row was bumped); does loaded object o follow up in a soft
 * delete (restore: 1, of the rows deleted at `at`), through a cascading foreign key of its @@soft_delete
 * model? The objects following roots (and them, ...) whose model has @version: each row must now hold
 * the version loaded + 1, deleted at `now` (restore: live); SINEW_CONFLICT, and s->stale, when one does not */
int sn_soft_version_field(const sinew_model *m);
void sn_soft_bump_version(sn_obj *o);
int sn_soft_follows(const sn_obj *o, const sn_obj *up, int restore, int64_t at);
int sn_soft_check_taken(sinew_session *s, sn_obj *const *roots, size_t n, int restore, int64_t at, int64_t now);
/* bulk.c: one multi-row INSERT of rows objects whose left-out fields are `omit` (the @auto key, read
 * back as RETURNING or as SQLite's consecutive rowids), rendered into b */
typedef struct sn_chunk_sql {     /* the text of the last chunk rendered: the next of its shape reuses it */
    sn_buf b;
    const sinew_model *m;
    uint64_t omit;
    size_t rows;
    int keys_drawn;               /* the caller's: the keys written were drawn from the sequence (sn_insert) */
} sn_chunk_sql;
int sn_insert_chunk(sinew_session *s, const sinew_model *m, sn_plan *p, void *const *objs, size_t rows,
                    uint64_t omit, sn_chunk_sql *c);
/* keys from the @auto key's sequence for the objects whose key is zero, in one statement (SINEW_UNSUPPORTED:
 * the dialect or the column has no sequence) */
int sn_reserve_keys(sinew_session *s, const sinew_model *m, sn_plan *p, void *const *objs, size_t n);
/* bulk.c: every row through the driver's COPY (copy_begin), keys reserved first */
int sn_insert_copy(sinew_session *s, const sinew_model *m, sn_plan *p, void *const *objs, size_t n);
/*
 * From this many rows on, a driver with COPY (PostgreSQL) loads them that
 * way: keys taken from the sequence in one statement, then one COPY, against
 * one round trip per chunk for multi-row INSERT. Measured by bench W2
 * (100,000 users, loopback): 270 ms by INSERT, 178 ms by COPY (49 ms of it
 * the keys). Below it, one INSERT round trip beats COPY's two.
 */
#define SN_COPY_MIN_ROWS 1000
/* unit_batch.c: a flush's writes of one model, many rows per statement (see there) */
int sn_batch_insert_ok(sinew_session *s, const sn_obj *o);
/* every new object of m can go in a batch and needs nothing else of a flush (see there) */
int sn_batch_simple(sinew_session *s, const sinew_model *m);
/* of objs[idx[from..n)], those of p's model not used yet that can go in a batch: into group, marked used */
size_t sn_batch_gather(sinew_session *s, const sn_plan *p, sn_obj *const *objs, const size_t *idx, size_t from,
                       size_t n, unsigned char *used, sn_obj **group);
int sn_batch_insert(sinew_session *s, sn_obj *const *objs, size_t n);
int sn_batch_delete(sinew_session *s, sn_obj *const *objs, size_t n);
/* the same for a @@soft_delete model (p its plan): deleted_at and @updated_at = now by key, rows already
 * deleted not matched (SINEW_NOTFOUND as above), then the cascade of them all; the session side is the
 * caller's (sn_soft_deleted) */
int sn_batch_soft_delete(sinew_session *s, const sn_plan *p, sn_obj *const *objs, size_t n, int64_t now);
void sn_session_journals_free(sinew_session *s);
/* keep the session consistent after a row is deleted: follow ON DELETE for loaded dependants */
int sn_session_after_delete(sinew_session *s, sn_obj *deleted);
/* drop the deleted object gone from o's loaded relation fields (to-one slots set to NULL, lists
 * compacted); belongs-to slots too when with_belongs_to (a soft-deleted parent is still a row). o is
 * journaled first (sn_flush_touch) when it changes during a flush. */
int sn_unlink_cached(sinew_session *s, sn_obj *o, const void *gone, int with_belongs_to);
/* o, which a flush's session-side cascade is about to change (taken along, its keys set NULL, a cached
 * slot or list losing a deleted object), is journaled by the running flush so that a failed flush (or
 * the rollback of the transaction it ran in) puts it back too; its loaded to-many lists are then reset
 * (reloaded on the next access), since they were compacted in place. No-op outside a flush. */
int sn_flush_touch(sinew_session *s, sn_obj *o);
/* copy the value (and NULL flag) of field sf of src into field df of dst (same type) */
void sn_field_copy(const sinew_field *df, void *dst, const sinew_field *sf, const void *src);

/* hooks installed on the db (NULL when none for the model) */
const sinew_hooks *sn_hooks_for(sinew_db *db, const sinew_model *m);

/* transaction journal: what flushes inside an open transaction changed in each session */
void sn_session_tx_event(sinew_db *db, int event, int depth);
enum { SN_TX_COMMIT = 1, SN_TX_RELEASE, SN_TX_ROLLBACK };

/* ---- values <-> struct fields ---- */
/* whether field f of obj holds a value (a nullable field's presence flag) */
static inline int sn_field_has_value(const sinew_field *f, const void *obj)
{
    if (f->has_offset == SINEW_NO_OFFSET) return 1;
    return *(const bool *)((const char *)obj + f->has_offset);
}

/* The value of field f of obj, ready to bind (enums become their name, text is
 * borrowed from obj): sinew_field_value (sinew/driver.h, the driver layer's, as bind_rows uses it). */
static inline sinew_value sn_field_value(const sinew_field *f, const void *obj) { return sinew_field_value(f, obj); }

/* Bind the fields cols[0..ncols) of each of the nrows structs objs (of model m) as the
 * parameters from first on, row after row: through the driver's bind_rows where it has
 * one, else a bind() a value. */
int sn_exec_bind_rows(sn_exec *x, int first, const sinew_model *m, const unsigned *cols, size_t ncols,
                      void *const *objs, size_t nrows);

/* Bind field f of obj as parameter idx. The common required integers and text go
 * straight to the driver; everything else through sn_field_value. */
static inline int sn_bind_field(sn_exec *x, int idx, const sinew_field *f, const void *obj)
{
    sinew_value v;
    if (f->has_offset == SINEW_NO_OFFSET) {
        const char *p = (const char *)obj + f->offset;
        v.is_null = false;
        switch (f->type) {
        case SINEW_INT64:
            v.type = SINEW_INT64;
            v.u.i = *(const int64_t *)p;
            return x->drv->bind(x->stmt, idx, &v);
        case SINEW_INT32:
            v.type = SINEW_INT32;
            v.u.i = *(const int32_t *)p;
            return x->drv->bind(x->stmt, idx, &v);
        case SINEW_TEXT: {
            const char *str = *(const char *const *)p;
            if (!str) break;
            v.type = SINEW_TEXT;
            v.u.s.ptr = str;
            v.u.s.len = strlen(str);
            return x->drv->bind(x->stmt, idx, &v);
        }
        default: break;
        }
    }
    v = sn_field_value(f, obj);
    return x->drv->bind(x->stmt, idx, &v);
}

/* Read column `col` of the current row into field f of obj; strings go to `arena`. */
int sn_hydrate_field(const sinew_driver *drv, sinew_stmt *st, int col, const sinew_model *m,
                     const sinew_field *f, void *obj, sn_arena *arena);
/* Read columns [first, first + nfields) into every field of obj. */
int sn_hydrate_row(const sinew_driver *drv, sinew_stmt *st, int first, const sinew_model *m,
                   void *obj, sn_arena *arena);
/*
 * A column plan: how the columns first .. first + nfields - 1 of a
 * statement's rows go into a model's fields, worked out once per statement
 * (sn_col_plan_init) and used for every row (sn_hydrate_planned): for each
 * column the storage class expected (the driver's column_cells gets the
 * list) and the store that cell then takes, the columns sorted by that
 * store so that a row makes each kind in a loop of its own. A cell of
 * another class (NULL, a number in a text field, an int32 out of range), and
 * the types parsed from text, go through the same code, and get the same
 * errors in the same column order, as sn_hydrate_field.
 */
typedef struct sn_plan_col {
    uint32_t offset;                /* the field's */
    uint32_t has_offset;            /* the field's presence flag, UINT32_MAX for none */
    uint32_t k;                     /* its column (and field) within the row */
    uint32_t nullable;              /* SINEW_FIELD_NULLABLE: a NULL is stored as absent */
} sn_plan_col;
enum { SN_PLAN_STORES = 7 };        /* the kinds of store (hydrate.c) */
typedef struct sn_col_plan {
    const sinew_model *m;
    int first, n;                   /* the columns: one per field of m, in field order */
    int borrow;                     /* text points into the driver's row (valid until the next step) */
    sn_plan_col *cols;              /* n, by kind of store: kind t ends at end[t] */
    const sn_plan_col *end[SN_PLAN_STORES];
    sinew_storage *expect;          /* n, by column: the list column_cells gets */
    sinew_cell *cells;              /* n, by column: the current row's (one allocation for the three) */
} sn_col_plan;
/* borrow: streaming's zero-copy read of text; 0 copies text into the arena */
int sn_col_plan_init(sn_col_plan *p, const sinew_model *m, int first, int borrow);
void sn_col_plan_free(sn_col_plan *p);
/* Read the current row into every field of obj by the plan; copied strings go to `arena`. */
int sn_hydrate_planned(const sn_col_plan *p, const sinew_driver *drv, sinew_stmt *st, void *obj, sn_arena *arena);
/* Field f differs between a and b (pointer identity for strings). */
/* bytes a field of type t takes in a struct */
size_t sn_type_size(sinew_type t);
int sn_field_bytes_differ(const sinew_field *f, const void *a, const void *b);
/* Whether field f differs between a and b (the struct and its snapshot): by value for
 * numbers, by pointer for text (assign a new string to change one). Inline: every save
 * compares every field. */
static inline int sn_field_changed(const sinew_field *f, const void *a, const void *b)
{
    if (f->has_offset != SINEW_NO_OFFSET) {
        bool ha = *(const bool *)((const char *)a + f->has_offset), hb = *(const bool *)((const char *)b + f->has_offset);
        if (ha != hb) return 1;
        if (!ha) return 0;      /* both NULL: the value member does not matter */
    }
    const char *pa = (const char *)a + f->offset, *pb = (const char *)b + f->offset;
    uint64_t x, y;
    switch (f->type) {
    case SINEW_BOOL: return *(const bool *)pa != *(const bool *)pb;
    case SINEW_INT32: case SINEW_DATE: return *(const int32_t *)pa != *(const int32_t *)pb;
    case SINEW_ENUM: return *(const int *)pa != *(const int *)pb;
    case SINEW_INT64: case SINEW_TIMESTAMP: case SINEW_DOUBLE:
        memcpy(&x, pa, sizeof x);   /* bits: a double's -0.0 and NaN count as they are stored */
        memcpy(&y, pb, sizeof y);
        return x != y;
    case SINEW_TEXT: case SINEW_JSON: case SINEW_DECIMAL: return *(char *const *)pa != *(char *const *)pb;
    default: return sn_field_bytes_differ(f, a, b);
    }
}
/* Field f holds its zero value (what "not set" means for database defaults). */
int sn_field_is_zero(const sinew_field *f, const void *obj);
/* sn_field_is_zero with the plain integer fields (an @auto key's usual types) answered in line: a
 * bulk insert and every single insert ask it of each row */
static inline int sn_field_is_zero_fast(const sinew_field *f, const void *obj)
{
    if (f->has_offset == SINEW_NO_OFFSET && f->type == SINEW_INT64) {
        uint64_t w;
        memcpy(&w, (const char *)obj + f->offset, 8);
        return w == 0;
    }
    if (f->has_offset == SINEW_NO_OFFSET && f->type == SINEW_INT32) {
        uint32_t w;
        memcpy(&w, (const char *)obj + f->offset, 4);
        return w == 0;
    }
    return sn_field_is_zero(f, obj);
}

/* ---- defaults computed by sinew (defaults.c) ---- */
/* Parse the literal defaults of p's model into p (c_defaults, db_defaults, defvals). */
int sn_defaults_init(sn_plan *p);
/* Write the default of every field in mask into obj (strings into arena); @default(now) is `now`
 * (0: read the clock). */
int sn_defaults_apply(sn_arena *arena, const sn_plan *p, void *obj, uint64_t mask, int64_t now);
/* Give the zero fields of a caller's struct their defaults; *filled gets the fields written,
 * which sn_defaults_unfill zeroes again when the write fails. */
int sn_defaults_fill_zero(sn_arena *arena, const sn_plan *p, void *obj, uint64_t *filled, int64_t now);

/* ---- @updated_at (stamps.c) ---- */
int64_t sn_clock_usec(void);           /* CLOCK_REALTIME in microseconds since 1970 UTC */
/* the reading of the flush or bulk write running in s, else the clock now */
int64_t sn_stamp_now(sinew_session *s);
/* take one reading for the writes until sn_stamp_end (nested: the outer one's stays); returns what to pass it */
int64_t sn_stamp_begin(sinew_session *s);
void sn_stamp_end(sinew_session *s, int64_t outer);
/* an insert: the @updated_at fields of obj left zero get now; the fields written */
uint64_t sn_stamp_insert(const sn_plan *p, void *obj, int64_t now);
/* an update writing `set`: the @updated_at fields not in set get now; the fields written (add them to set) */
uint64_t sn_stamp_update(const sn_plan *p, void *obj, uint64_t set, int64_t now);
/* put fields `bits` of obj back as they are in snap (a failed update) */
void sn_stamp_undo(const sn_plan *p, void *obj, const void *snap, uint64_t bits);
/* the assignments of an UPDATE: the @updated_at columns it does not assign, set to now, appended at
 * sets[n..] (room for them is the caller's: sn_set_check reserves it); the new count */
struct sinew_set;
size_t sn_stamp_sets(const sinew_model *m, struct sinew_set *sets, size_t n, int64_t now);
/* how many @updated_at fields m has */
size_t sn_stamp_count(const sinew_model *m);
void sn_defaults_unfill(const sinew_model *m, void *obj, uint64_t filled);

/* ---- values no backend stores as given, refused before writing (values.c) ---- */
/* bit i: field i has a type whose values are checked (double, timestamp, date, json, decimal) */
uint64_t sn_checked_fields(const sinew_model *m);
/* Check the fields of obj in mask; SINEW_TYPE names the first one that cannot be stored. */
int sn_check_fields(const sinew_model *m, const void *obj, uint64_t mask);
/* Check one value for field f of m (the same checks, for a value not in a struct). */
int sn_check_value(const sinew_model *m, const sinew_field *f, const sinew_value *v);

#endif
