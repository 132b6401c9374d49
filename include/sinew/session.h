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

#include <stddef.h>
#include "db.h"
#include "schema.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sinew_session sinew_session;

int sinew_session_new(sinew_session **out, sinew_db *db);
void sinew_session_free(sinew_session *s);            /* NULL is a no-op */
sinew_db *sinew_session_db(sinew_session *s);

/* Cap the session arena (bytes; 0 = no cap). Past it, calls fail with SINEW_NOMEM. */
void sinew_session_set_memory_limit(sinew_session *s, size_t bytes);
size_t sinew_session_memory_used(const sinew_session *s);

/* Memory that lives as long as the session. */
void *sinew_alloc(sinew_session *s, size_t size);
char *sinew_strdup(sinew_session *s, const char *str);

/* A zeroed, session-owned object of `model`, not yet in the database. */
int sinew_new(sinew_session *s, const sinew_model *model, void **out);

/* Load by primary key (one value per key field, in key order). SINEW_NOTFOUND if absent. */
int sinew_get(sinew_session *s, const sinew_model *model, const sinew_value *key,
              size_t nkey, void **out);
/* Load by a unique field. */
int sinew_get_by(sinew_session *s, const sinew_model *model, int field_index,
                 const sinew_value *value, void **out);

/*
 * Write an object: INSERT if new (reading back generated keys), else UPDATE
 * of the changed columns only (nothing is sent when nothing changed).
 */
int sinew_save(sinew_session *s, const sinew_model *model, void *obj);

/* DELETE by primary key. The object stays readable until the session ends. */
int sinew_delete(sinew_session *s, const sinew_model *model, void *obj);

/* INSERT a struct the caller owns (not tracked); generated keys are written back. */
int sinew_insert(sinew_session *s, const sinew_model *model, void *obj);

/* Count the rows of a model's table. */
int sinew_count(sinew_session *s, const sinew_model *model, int64_t *out);

#ifdef __cplusplus
}
#endif
#endif
