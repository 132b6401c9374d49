/*
 * sinew/relations.h - following relations: lazy loading that caches and
 * batches, eager loading (prefetch), many-to-many changes, and the N+1
 * detector.
 *
 * Lazy: sinew_load_one / sinew_load_many load a relation of one object on
 * first use and cache it (in the struct member the relation names, when the
 * struct has one); a second call sends nothing. Batched: an object loaded by
 * a query remembers its siblings, and the first lazy load of a relation on
 * one of them loads it for all of them in one statement, so a naive loop
 * costs 2 statements, not N+1 (on by default; sinew_session_set_batching).
 *
 * Eager: sinew_prefetch(q, rel) loads a relation for every result of q: a
 * to-one by a JOIN in the same statement, a to-many or many-to-many by one
 * extra `IN (...)` statement per level (chunked for very large key sets).
 *
 * The N+1 detector counts lazy loads by relation. When lazy loads of one
 * relation, on objects that came from a list, repeat past a threshold
 * (default 5) it reports the model, relation, count, the call site and the
 * fix through the log hook (warn mode) or fails with SINEW_NPLUSONE (error
 * mode). Loads on objects fetched on their own (sinew_get) and batched
 * loads never count. Eager loads that were never followed are reported
 * when the session ends.
 */
#ifndef SINEW_RELATIONS_H
#define SINEW_RELATIONS_H

#include "export.h"

#include <stdbool.h>
#include "query.h"
#include "schema.h"
#include "session.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The related object of a to-one relation (BELONGS_TO or HAS_ONE); *out is
 * NULL when there is none (a NULL foreign key, or no row). `file`/`line` name
 * the caller for the N+1 report: use the macros below.
 */
SINEW_API int sinew_load_one_at(sinew_session *s, const sinew_relation *rel, void *obj,
                                const char *file, int line, void **out);
/* The related objects of a to-many relation (HAS_MANY or MANY_TO_MANY), session-owned. */
SINEW_API int sinew_load_many_at(sinew_session *s, const sinew_relation *rel, void *obj,
                                 const char *file, int line, sinew_list *out);
#define sinew_load_one(s, rel, obj, out) sinew_load_one_at(s, rel, obj, __FILE__, __LINE__, out)
#define sinew_load_many(s, rel, obj, out) sinew_load_many_at(s, rel, obj, __FILE__, __LINE__, out)

/* Forget a loaded relation of obj, so the next access loads it again. */
SINEW_API void sinew_relation_reset(sinew_session *s, const sinew_relation *rel, void *obj);

/* ---- eager loading -------------------------------------------------------------- */

typedef enum sinew_eager {
    SINEW_EAGER_AUTO = 0,      /* JOIN for to-one, a separate IN query for to-many */
    SINEW_EAGER_JOIN,          /* to-one only: columns of the target in the same statement */
    SINEW_EAGER_SELECT         /* one extra statement with IN (...) */
} sinew_eager;

/* Load `rel` (a relation of the query's model) for every result. */
SINEW_API int sinew_prefetch(sinew_query *q, const sinew_relation *rel);
/* Load a path of relations, e.g. {USER_REL_POSTS, POST_REL_COMMENTS, COMMENT_REL_AUTHOR}. */
SINEW_API int sinew_prefetch_path(sinew_query *q, const sinew_relation *const *path, size_t n);
/* As sinew_prefetch, choosing the strategy. */
SINEW_API int sinew_prefetch_with(sinew_query *q, const sinew_relation *rel, sinew_eager strategy);

/* ---- polymorphic relations (`target Post | Comment`, see docs/relations.md) --------- */

/*
 * Which target obj (an object of `model`) points at through `poly`: 1 + the position of that
 * target in poly->targets (1 for Post, 2 for Comment above), 0 when no key is set. Reads the
 * struct only. Generated code names the values: LIKE_TARGET_IS_POST, ...
 */
SINEW_API size_t sinew_poly_which(const sinew_model *model, const sinew_poly *poly, const void *obj);
/*
 * Point obj at `target`, a session object of the model of target `which` (1-based, as above):
 * its key goes into that target's key field and every other target's key is cleared, so exactly
 * one is set; the relation is then loaded (target) without a statement. A target not saved yet
 * gets its key when a flush has inserted it (as for any to-one member). `which` 0 with a NULL
 * target clears them all (for a `?` relation). Written to the database by the next save or
 * flush. SINEW_MISUSE for a target of another model or `which` out of range.
 */
SINEW_API int sinew_poly_set(sinew_session *s, const sinew_poly *poly, void *obj, size_t which, void *target);
/*
 * The object obj points at through `poly`, loaded on first use as any to-one is (cached, and
 * batched over obj's siblings: a list costs one statement per target model). *which is set as
 * sinew_poly_which says (may be NULL); *out is NULL when no target is set or its row is gone.
 */
SINEW_API int sinew_load_poly_at(sinew_session *s, const sinew_poly *poly, void *obj, const char *file, int line,
                                 size_t *which, void **out);
#define sinew_load_poly(s, poly, obj, which, out) sinew_load_poly_at(s, poly, obj, __FILE__, __LINE__, which, out)
/* Prefetch `poly` for every result of q: one SELECT ... IN (...) per target model. */
SINEW_API int sinew_prefetch_poly(sinew_query *q, const sinew_poly *poly);
/*
 * A prefetch path by relation names joined by '.', e.g. "likes.target.author", which may pass
 * through a polymorphic relation (a sinew_prefetch_path pointer path cannot name one). A
 * polymorphic step loads every one of its targets, one SELECT ... IN (...) per target model;
 * a step after it applies to the targets that have a relation (or poly) of that name, and the
 * others stop there. Each step must exist on at least one model the step before reached:
 * otherwise SINEW_INVALID naming the path, the step and those models, and nothing is added.
 * At most SINEW_MAX_PATH steps; SINEW_UNSUPPORTED if the forks need more prefetches than the
 * query has room for.
 */
SINEW_API int sinew_prefetch_names(sinew_query *q, const char *path);

/* ---- many-to-many changes (sent at once, without loading the collection) ---------- */

SINEW_API int sinew_m2m_add(sinew_session *s, const sinew_relation *rel, void *obj, void *target);
SINEW_API int sinew_m2m_remove(sinew_session *s, const sinew_relation *rel, void *obj, void *target);
/* Replace the whole set with targets[0..n). */
SINEW_API int sinew_m2m_set(sinew_session *s, const sinew_relation *rel, void *obj, void *const *targets, size_t n);
SINEW_API int sinew_m2m_clear(sinew_session *s, const sinew_relation *rel, void *obj);

/* ---- settings and the N+1 detector ------------------------------------------------ */

SINEW_API void sinew_session_set_batching(sinew_session *s, bool on);     /* default on */

typedef enum sinew_nplusone_mode {
    SINEW_NPLUSONE_OFF = 0,
    SINEW_NPLUSONE_WARN,       /* report through the log hook (and stderr with SINEW_LOG) */
    SINEW_NPLUSONE_ERROR       /* the load that crosses the threshold fails with SINEW_NPLUSONE */
} sinew_nplusone_mode;

/* Default: WARN with threshold 5; SINEW_NPLUSONE=off|warn|error in the environment overrides. */
SINEW_API void sinew_session_set_nplusone(sinew_session *s, sinew_nplusone_mode mode, int threshold);
/* Reports found so far (one per relation), NUL-separated lines; empty when none. Session-owned. */
SINEW_API const char *sinew_session_nplusone_report(sinew_session *s);

/* ---- counting statements in tests (Django's assertNumQueries) ------------------- */

typedef struct sinew_count_mark {
    uint64_t statements;
} sinew_count_mark;

SINEW_API sinew_count_mark sinew_count_begin(sinew_db *db);
/* SINEW_OK if exactly `expected` statements ran since the mark, else SINEW_ERROR with both numbers. */
SINEW_API int sinew_count_expect(sinew_db *db, sinew_count_mark mark, uint64_t expected);

#ifdef __cplusplus
}
#endif
#endif
