/*
 * sinew/session.h - sessions and the object API (CRUD with hydration).
 *
 * A session owns every object, string and list it loads or creates, in one
 * arena; sinew_session_free() releases them all at once. Objects must come
 * from the session (sinew_new / sinew_get / queries) to be saved, deleted or
 * followed through relations; sinew_insert() also accepts a caller's struct.
 *
 * Dirty tracking needs no setters: the session keeps a snapshot of each
 * object as loaded and writes only the columns that differ. Strings are
 * compared by pointer: to change a text field assign a new string (yours or
 * sinew_strdup()'s) rather than editing the loaded one in place.
 */
#ifndef SINEW_SESSION_H
#define SINEW_SESSION_H

#include "export.h"

#include <stddef.h>
#include "db.h"
#include "schema.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sinew_session sinew_session;

SINEW_API int sinew_session_new(sinew_db *db, sinew_session **out);
SINEW_API void sinew_session_free(sinew_session *s);            /* NULL is a no-op */
SINEW_API sinew_db *sinew_session_db(sinew_session *s);

/* Cap the session arena (bytes; 0 = no cap). Past it, calls fail with SINEW_NOMEM. */
SINEW_API void sinew_session_set_memory_limit(sinew_session *s, size_t bytes);
SINEW_API size_t sinew_session_memory_used(const sinew_session *s);

/* Memory that lives as long as the session. */
SINEW_API void *sinew_alloc(sinew_session *s, size_t size);
SINEW_API char *sinew_strdup(sinew_session *s, const char *str);

/*
 * A session-owned object of `model`, not yet in the database: zeroed, except
 * that fields with a schema @default hold it (literals, `now`, a fresh uuid),
 * so a value assigned afterwards, 0 included, is what is written.
 */
SINEW_API int sinew_new(sinew_session *s, const sinew_model *model, void **out);

/* Load by primary key (one value per key field, in key order). SINEW_NOTFOUND if absent. */
SINEW_API int sinew_get(sinew_session *s, const sinew_model *model, const sinew_value *key,
              size_t nkey, void **out);
/* Load by a unique field. */
SINEW_API int sinew_get_by(sinew_session *s, const sinew_model *model, unsigned field_index,
                 const sinew_value *value, void **out);
/* Load by a composite unique key (@@unique([a, b])): values[i] for field fields[i].
 * SINEW_NOTFOUND if absent. Generated as <model>_get_by_<a>_<b>(s, a, b, &out). */
SINEW_API int sinew_get_by_fields(sinew_session *s, const sinew_model *model, const unsigned *fields, size_t n,
                        const sinew_value *values, void **out);

/*
 * Write an object: INSERT if new (reading back generated keys), else UPDATE
 * of the changed columns only (nothing is sent when nothing changed).
 */
SINEW_API int sinew_save(sinew_session *s, const sinew_model *model, void *obj);

/* DELETE by primary key. The object stays readable until the session ends. A @@soft_delete model's
 * delete is UPDATE ... SET deleted_at = now instead, and the @@soft_delete children its
 * @on_delete(cascade) reaches follow in the same transaction (docs/schema.md, Soft delete). */
SINEW_API int sinew_delete(sinew_session *s, const sinew_model *model, void *obj);
/* The real DELETE of a @@soft_delete model's row (soft-deleted already or not); hooks as sinew_delete. */
SINEW_API int sinew_hard_delete(sinew_session *s, const sinew_model *model, void *obj);
/* Undo a soft delete: deleted_at = NULL by key (the object soft-deleted in this session, or loaded
 * through sinew_with_deleted / sinew_get_with_deleted), with what its delete's cascade took: the
 * @@soft_delete children (through @on_delete(cascade)) holding the same deleted_at, level by level;
 * children deleted earlier on their own stay deleted. One transaction. SINEW_MISUSE when it is not
 * soft-deleted, SINEW_NOTFOUND when its row is gone (docs/schema.md, Soft delete). */
SINEW_API int sinew_restore(sinew_session *s, const sinew_model *model, void *obj);
/* sinew_get that finds a soft-deleted row too (for a @@soft_delete model; any other: sinew_get). */
SINEW_API int sinew_get_with_deleted(sinew_session *s, const sinew_model *model, const sinew_value *key,
                                     size_t nkey, void **out);

/* INSERT a struct the caller owns (not tracked); generated keys are written back. Fields it
 * left zero get their @default first (docs/schema.md, Defaults); zeroed again on failure. */
SINEW_API int sinew_insert(sinew_session *s, const sinew_model *model, void *obj);

/* Count the rows of a model's table. */
SINEW_API int sinew_count(sinew_session *s, const sinew_model *model, int64_t *out);

/* ---- unit of work ------------------------------------------------------------------
 *
 * Besides the immediate sinew_save()/sinew_delete(), a session collects
 * changes and writes them together: objects made with sinew_new() are
 * pending inserts, loaded objects whose fields differ from their snapshot
 * are pending updates, and sinew_mark_deleted() schedules a delete.
 * sinew_session_flush() writes them all in one transaction (a savepoint
 * when one is already open): inserts parents before children, filling
 * foreign keys from relation members (`post->author = user` sets
 * post->author_id once user has its key), breaking cycles of new objects
 * with a NULL key and a later UPDATE; then updates; then deletes, children
 * first. Either everything is written or nothing: on failure the database
 * is unchanged and every object is as it was before the flush (new objects
 * new again, changes still pending, deletes still scheduled).
 *
 * The writes of one model go many rows per statement: the new objects of
 * a level (those whose parents are in) as multi-row INSERTs sized to the
 * backend's parameter limit, keys drawn from the key's sequence first on
 * PostgreSQL and read as consecutive rowids on SQLite, so each object gets
 * its own key whatever order the database returns rows in; the deletes of
 * a level as DELETE ... WHERE key IN (...); on PostgreSQL the updates are
 * pipelined (sent together, their answers read in order). When a
 * statement of many rows fails, the flush writes that level again row by
 * row inside a savepoint, so the error is the one the failing row gets on
 * its own, and sinew_flush_failed() names its object. @version checks and
 * hooks stay per object.
 */

/* Schedule a delete for the next flush. */
SINEW_API int sinew_mark_deleted(sinew_session *s, const sinew_model *model, void *obj);
/* Write every pending change in one transaction. */
SINEW_API int sinew_session_flush(sinew_session *s);
/* Flush, then commit the transaction the flush opened (the outer one stays the caller's). */
SINEW_API int sinew_session_commit(sinew_session *s);
/*
 * Forget pending changes: changed objects get their loaded values back,
 * new objects are dropped from the unit of work (their memory stays valid
 * until the session ends), scheduled deletes are cancelled.
 */
SINEW_API void sinew_session_rollback(sinew_session *s);
/* Number of objects with pending changes. */
SINEW_API size_t sinew_session_pending(const sinew_session *s);
/*
 * The object whose write made the last sinew_session_flush() of s fail (a
 * constraint it violated, a @version conflict, a row gone), or NULL when
 * the last flush succeeded or failed before writing anything. The object is
 * as it was before that flush; sinew_last_error() says what went wrong.
 */
SINEW_API void *sinew_flush_failed(const sinew_session *s);

/* ---- bulk writes ------------------------------------------------------------------ */

/*
 * INSERT n objects (pointers to structs of `model`: session objects or the
 * caller's) with multi-row VALUES statements sized to the database's
 * parameter limit, inside one transaction; generated keys are written back.
 * Defaults apply as for sinew_insert (the caller's structs) and sinew_new.
 */
SINEW_API int sinew_insert_many(sinew_session *s, const sinew_model *model, void *const *objs, size_t n);

/*
 * INSERT obj, or UPDATE the existing row whose fields conflict_fields[0..n)
 * (a unique key or the primary key) are equal: every other column takes
 * obj's value. The key of the row is written back into obj. A caller's struct
 * gets its defaults in the fields it left zero for the insert only: on a
 * conflict those columns keep the row's values.
 */
SINEW_API int sinew_upsert(sinew_session *s, const sinew_model *model, void *obj, const unsigned *conflict_fields,
                 size_t nconflict);
/*
 * sinew_upsert whose conflict branch makes exactly the assignments `set`
 * (sinew/query.h: a value, a column of the existing row with arithmetic,
 * the proposed row's value - sinew_set_excluded - or a combination of both
 * - sinew_set_combine(HIT_COUNT, '+') for a counter) instead of copying
 * every column. The row (inserted or updated) is read back into obj.
 */
struct sinew_set;
SINEW_API int sinew_upsert_set(sinew_session *s, const sinew_model *model, void *obj, const unsigned *conflict_fields,
                 size_t nconflict, const struct sinew_set *set, size_t nset);

/* ---- hooks ------------------------------------------------------------------------ */

typedef struct sinew_hooks {
    /* a non-OK return cancels the operation and is returned to the caller */
    int (*before_save)(sinew_session *s, const sinew_model *m, void *obj, void *ctx);
    void (*after_save)(sinew_session *s, const sinew_model *m, void *obj, void *ctx);
    int (*before_delete)(sinew_session *s, const sinew_model *m, void *obj, void *ctx);
    void (*after_delete)(sinew_session *s, const sinew_model *m, void *obj, void *ctx);
    void (*after_load)(sinew_session *s, const sinew_model *m, void *obj, void *ctx);
    void *ctx;
} sinew_hooks;

/* Install hooks for `model` on every session of db (NULL removes them). The struct is copied. */
SINEW_API int sinew_db_set_hooks(sinew_db *db, const sinew_model *model, const sinew_hooks *hooks);

/*
 * Check the declared validation rules (length, range, pattern) of every
 * field of obj; SINEW_INVALID names the first field that fails. Saves and
 * flushes call it before writing, after defaults are in place, and also
 * refuse values no backend stores alike (NaN, timestamps outside 0001-9999,
 * text that is not a decimal or not JSON) with SINEW_TYPE.
 */
SINEW_API int sinew_validate(const sinew_model *model, const void *obj);

#ifdef __cplusplus
}
#endif
#endif
