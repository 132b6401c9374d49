/*
 * sinew/query.h - the typed query builder: filters, ordering, paging,
 * aggregates, grouping, bulk update/delete, streaming and raw SQL.
 *
 *   sinew_query *q = sinew_query_new(s, &post_model);        // post_query(s) in generated code
 *   sinew_where(q, sinew_eq(POST_AUTHOR_ID, sinew_v_int64(7)));
 *   sinew_where(q, sinew_ilike(sinew_via(POST_REL_AUTHOR, USER_EMAIL), "%@example.com"));
 *   sinew_order(q, POST_TITLE, SINEW_ASC);
 *   sinew_limit(q, 20);
 *   sinew_list posts;
 *   if (sinew_all(q, &posts) != SINEW_OK) ... sinew_errmsg() ...
 *   sinew_query_free(q);
 *
 * Columns are sinew_col values (generated code defines one per field, e.g.
 * POST_TITLE); identifiers therefore come only from the schema graph, and
 * every value is a bound parameter. Expressions are built without a query
 * and handed to it: sinew_where()/sinew_exclude()/sinew_and()/... take
 * ownership of the expressions passed to them (also when they fail).
 * A builder error (a type mismatch, a column of another model, out of
 * memory) is sticky: it is returned by that call and again by the query's
 * execution, which then sends nothing.
 */
#ifndef SINEW_QUERY_H
#define SINEW_QUERY_H

#include "export.h"

#include <stdbool.h>
#include <stdint.h>
#include "query_types.h"
#include "schema.h"
#include "session.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif


/* The column of field `field` of `model` (generated code has constants for these). */
SINEW_API sinew_col sinew_column(const sinew_model *model, unsigned field);
/* `col` reached through relation `rel` of the queried model: posts whose author's email ... */
SINEW_API sinew_col sinew_via(const sinew_relation *rel, sinew_col col);
/* Arithmetic on a column: sinew_col_op(ITEM_PRICE, '*', sinew_v_int64(2)) */
SINEW_API sinew_col sinew_col_op(sinew_col col, char op, sinew_value v);
/*
 * The value at a JSON path inside json field `col`, read as `type` (SINEW_TEXT, SINEW_INT64,
 * SINEW_DOUBLE or SINEW_BOOL): a column expression like any other, for filters, order, grouping,
 * aggregates and value columns (sinew_select_col), through relations too:
 *
 *   sinew_where(q, sinew_eq(sinew_json_path(EVENT_DATA, "$.user.name", SINEW_TEXT), sinew_v_text("ada")));
 *   sinew_order(q, sinew_json_path(EVENT_DATA, "$.score", SINEW_INT64), SINEW_DESC);
 *
 * A path is $ followed by .key (letters, digits and _, not starting with a digit) and [n] steps, up
 * to SINEW_MAX_JSON_PATH - 1 bytes; it is copied into the column (the caller's string may go) and
 * checked where the column is used: a malformed path, a field that is not json or another type is
 * SINEW_MISUSE naming the fault. A missing key or a JSON null reads as NULL; a value that is not of
 * the type asked is the database's error (PostgreSQL) or its conversion (SQLite, MariaDB). Written
 * as a literal sinew makes from the checked path: PostgreSQL `col #>> '{a,b}'` cast to the type,
 * SQLite `json_extract(col, '$.a.b')`, MariaDB `JSON_VALUE(col, '$.a.b')` (docs/queries.md). Not
 * for assignments, projections (sinew_only) or keyset order keys.
 */
SINEW_API sinew_col sinew_json_path(sinew_col col, const char *path, sinew_type type);



/* Text compared with an enum column must be one of the enum's values (else SINEW_MISUSE naming them). */
SINEW_API sinew_expr *sinew_cmp(sinew_col c, sinew_op op, sinew_value v);
SINEW_API sinew_expr *sinew_eq(sinew_col c, sinew_value v);
SINEW_API sinew_expr *sinew_ne(sinew_col c, sinew_value v);
SINEW_API sinew_expr *sinew_lt(sinew_col c, sinew_value v);
SINEW_API sinew_expr *sinew_le(sinew_col c, sinew_value v);
SINEW_API sinew_expr *sinew_gt(sinew_col c, sinew_value v);
SINEW_API sinew_expr *sinew_ge(sinew_col c, sinew_value v);
SINEW_API sinew_expr *sinew_cmp_col(sinew_col a, sinew_op op, sinew_col b);        /* column against column */
/* n == 0 matches nothing; the list is sent padded to a power of two (its last value repeated),
 * so that lists of any length make few prepared statements */
SINEW_API sinew_expr *sinew_in(sinew_col c, const sinew_value *values, size_t n);
SINEW_API sinew_expr *sinew_not_in(sinew_col c, const sinew_value *values, size_t n);
/* c IN (SELECT sub_col FROM sub ...); takes ownership of `sub` */
struct sinew_query;
SINEW_API sinew_expr *sinew_in_query(sinew_col c, struct sinew_query *sub, sinew_col sub_col);
SINEW_API sinew_expr *sinew_like(sinew_col c, const char *pattern);     /* case-sensitive where the database is */
SINEW_API sinew_expr *sinew_ilike(sinew_col c, const char *pattern);    /* case-insensitive everywhere */
SINEW_API sinew_expr *sinew_is_null(sinew_col c);
SINEW_API sinew_expr *sinew_not_null(sinew_col c);
SINEW_API sinew_expr *sinew_between(sinew_col c, sinew_value lo, sinew_value hi);
SINEW_API sinew_expr *sinew_and(sinew_expr *a, sinew_expr *b);
SINEW_API sinew_expr *sinew_or(sinew_expr *a, sinew_expr *b);
SINEW_API sinew_expr *sinew_not(sinew_expr *e);
/*
 * Subqueries correlated through a relation `rel` of the model filtered (the
 * queried model, or the target of the subquery around it):
 *
 *   sinew_exists(POST_COMMENTS, sinew_eq(COMMENT_AUTHOR_ID, sinew_v_int64(7)))   // posts with a comment by user 7
 *   sinew_not_exists(POST_COMMENTS, NULL)                                   // posts without comments
 *   sinew_cmp_agg(POST_COMMENTS, SINEW_COUNT, COMMENT_ID, NULL, SINEW_GE, sinew_v_int64(3))   // 3 comments or more
 *
 * EXISTS (SELECT 1 FROM comments AS t200 WHERE t200.post_id = t0.id AND (filter)); sinew_cmp_agg
 * compares (SELECT fn(col) FROM ... ) with v (COUNT, SUM, AVG with a number; MIN and MAX with a value
 * of col's type; COUNT of no rows is 0, the others NULL, which matches nothing). `filter` (NULL: none;
 * taken over) is over the target's own columns and may hold subqueries through the target's
 * relations in turn; `col` is a column of the target. Any relation kind, many-to-many through its
 * join table.
 */
SINEW_API sinew_expr *sinew_exists(const sinew_relation *rel, sinew_expr *filter);
SINEW_API sinew_expr *sinew_not_exists(const sinew_relation *rel, sinew_expr *filter);
SINEW_API sinew_expr *sinew_cmp_agg(const sinew_relation *rel, sinew_agg fn, sinew_col col, sinew_expr *filter,
                                    sinew_op op, sinew_value v);
/*
 * json field c (itself: no path) contains the JSON value `json` (validated; copied): PostgreSQL's
 * jsonb `@>`, MariaDB's JSON_CONTAINS. SQLite has neither, and a query given one is refused with
 * SINEW_UNSUPPORTED saying to compare values at paths instead.
 *
 *   sinew_where(q, sinew_json_contains(EVENT_DATA, "{\"tags\": [\"urgent\"]}"));
 */
SINEW_API sinew_expr *sinew_json_contains(sinew_col c, const char *json);
/* Free an expression that was never handed to a query. */
SINEW_API void sinew_expr_free(sinew_expr *e);

/* ---- queries -------------------------------------------------------------------- */

typedef struct sinew_query sinew_query;

/* A query over `model` in session `s`; NULL only when out of memory. */
SINEW_API sinew_query *sinew_query_new(sinew_session *s, const sinew_model *model);
SINEW_API void sinew_query_free(sinew_query *q);   /* NULL is a no-op */

SINEW_API int sinew_where(sinew_query *q, sinew_expr *e);      /* AND e */
SINEW_API int sinew_exclude(sinew_query *q, sinew_expr *e);    /* AND NOT e */
SINEW_API int sinew_order(sinew_query *q, sinew_col c, sinew_dir dir);
SINEW_API int sinew_order_nulls(sinew_query *q, sinew_col c, sinew_dir dir, sinew_nulls nulls);
SINEW_API int sinew_limit(sinew_query *q, int64_t n);
SINEW_API int sinew_offset(sinew_query *q, int64_t n);
SINEW_API int sinew_distinct(sinew_query *q);
/*
 * Load read-only: the objects (and those its prefetches and their lazy loads
 * bring) keep no snapshot and stay out of the identity map. That saves a
 * quarter of the memory a loaded row costs and the time to track it; the
 * price is that sinew_save, sinew_delete and the unit of work refuse them,
 * and a row loaded twice is two objects. For reading many rows: reports,
 * exports, rendering. Like Rails' `readonly` and Entity Framework's
 * AsNoTracking.
 */
SINEW_API int sinew_readonly(sinew_query *q);
/*
 * Keyset (cursor) pagination: only rows after `last` (an object this query
 * returned) in the query's order. The primary key is added as a final
 * tie-breaker so pages never overlap or skip. The first page needs nothing
 * special: any query with a limit or offset (and sinew_first of an ordered
 * one) ends its ORDER BY with the primary key as well. OFFSET is sent as a
 * bound parameter, LIMIT as a number.
 */
SINEW_API int sinew_after(sinew_query *q, const void *last);

/* ---- projections ------------------------------------------------------------------ */

/*
 * Load objects with only some columns (sinew_only) or all but some
 * (sinew_defer): a list page needs the title, not the body. The key and an
 * @version field are always read. Each object remembers which fields it
 * lacks (they hold zero); sinew_field_loaded() tells. What a partial object
 * cannot do is refused with SINEW_MISUSE naming the field, before anything
 * is sent: a save or flush writes its loaded fields that changed and
 * refuses one that was not loaded but was assigned; an upsert of it, a
 * relation load whose key field it lacks and sinew_after() on a lacking
 * order key are refused. A later load of the same row without the
 * projection fills the missing fields into the same object. sinew_iterate
 * and sinew_claim refuse a projection. Columns are plain columns of the
 * queried model; sinew_only replaces the projection, sinew_defer takes
 * columns out of it.
 */
SINEW_API int sinew_only(sinew_query *q, const sinew_col *cols, size_t n);
SINEW_API int sinew_defer(sinew_query *q, const sinew_col *cols, size_t n);
/* whether field `field` of session object obj was loaded (false for a field a projection left out,
 * and for what is not an object of s) */
SINEW_API bool sinew_field_loaded(sinew_session *s, const void *obj, unsigned field);

/*
 * Annotations: an aggregate over relation `rel` of the queried model read
 * with each object, in the same statement (a correlated subquery per row,
 * no other query): the number of comments of each post, its latest comment.
 *
 *   sinew_annotate(q, POST_COMMENTS, SINEW_COUNT, COMMENT_ID, NULL);          // annotation 0
 *   sinew_annotate(q, POST_COMMENTS, SINEW_MAX, COMMENT_ID, NULL);            // annotation 1
 *   sinew_all(q, &posts);
 *   int64_t n = sinew_annotation(q, i, 0).u.i;   // of posts.items[i]
 *
 * Annotation k (the order of the sinew_annotate calls) of row `row` of what
 * the last sinew_all / sinew_first / sinew_one of q returned (row 0 for
 * first and one), typed as the aggregate (COUNT int64, AVG double, the
 * others the column's type; NULL when no related row, except COUNT's 0);
 * text lives in the session. `filter` (taken over, NULL for none) is over
 * the target's columns, as for sinew_exists. Out of range: a NULL value.
 * sinew_iterate refuses an annotated query.
 */
SINEW_API int sinew_annotate(sinew_query *q, const sinew_relation *rel, sinew_agg fn, sinew_col col,
                             sinew_expr *filter);
SINEW_API sinew_value sinew_annotation(const sinew_query *q, size_t row, int k);

/*
 * WITH RECURSIVE over a relation of the model to itself: keep only the
 * rows reached from the rows `start` matches (taken over; NULL: every row)
 * by following `rel` once or more: every invitee of user 1, directly or
 * not (USER_INVITEES), or the chain of who invited user 9 (USER_INVITED_BY);
 * the descendants of a category. The start rows themselves are not in it
 * (unless a cycle comes back to them); a cycle in the data ends the
 * recursion (UNION). The query stays a query of objects, with its other
 * filters, order, paging and prefetches, and counts; bulk update/delete
 * and use as sinew_in_query's subquery refuse it. One closure per query,
 * a model with a one-column key, `start` over the model's own columns.
 */
SINEW_API int sinew_closure(sinew_query *q, const sinew_relation *rel, sinew_expr *start);
/*
 * UNION / INTERSECT / EXCEPT of two queries of one model: q's rows become
 * (q's rows) op (other's rows), compared by key, and q stays a query of
 * objects with its order, paging, prefetches, counts and bulk writes. Each
 * side keeps its own filters and joins. `other` is taken over (also on
 * failure) and may only filter; it may be combined itself first (a UNION (b
 * EXCEPT c)). q's order keys must be its own columns (the outer statement
 * reads no joins).
 */
SINEW_API int sinew_combine(sinew_query *q, sinew_setop op, sinew_query *other);
/*
 * UNION / UNION ALL / INTERSECT / EXCEPT of two rows queries (their sinew_group_by,
 * sinew_select_agg and sinew_select_col columns), over any models of one session: q's rows
 * become (q's rows) op (other's rows), whole rows compared, read with sinew_rows_open.
 *
 *   sinew_select_col(posts, POST_TITLE);  sinew_select_col(drafts, DRAFT_TITLE);
 *   sinew_combine_rows(posts, SINEW_UNION_ALL, drafts);
 *   sinew_order(posts, POST_TITLE, SINEW_ASC);          // a column of the result: ORDER BY u.c0
 *
 * The columns must match in number and, in order, in type (int32 and int64 alike); otherwise
 * SINEW_MISUSE naming the column. q's order and paging apply to the combined rows, so an order
 * key must be one of q's result columns (a group key or value column, by the same expression):
 * anything else is SINEW_MISUSE when the query runs. `other` is taken over (also on failure) and
 * may filter, group and choose columns, but not order, page, lock, filter a window value or be
 * combined itself; one set operation per query.
 */
SINEW_API int sinew_combine_rows(sinew_query *q, sinew_setop op, sinew_query *other);

/* ---- execution ------------------------------------------------------------------ */

/* Every matching object, in a session-owned list. */
SINEW_API int sinew_all(sinew_query *q, sinew_list *out);
/* The first matching object, SINEW_NOTFOUND if none. */
SINEW_API int sinew_first(sinew_query *q, void **out);
/* Exactly one: SINEW_NOTFOUND if none, SINEW_MULTIPLE if more than one. */
SINEW_API int sinew_one(sinew_query *q, void **out);
SINEW_API int sinew_query_count(sinew_query *q, int64_t *out);
SINEW_API int sinew_query_exists(sinew_query *q, bool *out);

/*
 * One aggregate over the matching rows. *out is NULL-valued when no rows
 * match (except COUNT). Text results (MIN/MAX of text, decimals) point
 * into memory owned by the session.
 */
SINEW_API int sinew_aggregate(sinew_query *q, sinew_agg fn, sinew_col c, sinew_value *out);

/* ---- grouping: results read row by row ------------------------------------------ */

SINEW_API int sinew_group_by(sinew_query *q, sinew_col c);                 /* selects c too */
SINEW_API int sinew_select_agg(sinew_query *q, sinew_agg fn, sinew_col c); /* adds an aggregate column */
SINEW_API int sinew_having(sinew_query *q, sinew_agg fn, sinew_col c, sinew_op op, sinew_value v);
/*
 * Add a value column to a rows query: any column expression, through
 * relations and with arithmetic (sinew_via(POST_AUTHOR, USER_EMAIL),
 * sinew_col_op(ITEM_PRICE, '*', sinew_v_int64(2))). Without grouping every
 * matching row is one row of values (read with sinew_rows_open); in a
 * grouped query a value column must be a group key. Columns come in the
 * order group keys, aggregates, value columns.
 */
SINEW_API int sinew_select_col(sinew_query *q, sinew_col c);
/*
 * Add a window function's value column to a rows query: fn(arg) OVER
 * (PARTITION BY w->partition ORDER BY w->order). ROW_NUMBER, RANK and
 * DENSE_RANK ignore arg; ranks and LAG/LEAD need an order. SINEW_WIN_SUM
 * with an order is a running sum (peers in the order share their total).
 * Typed: ranks and COUNT int64, AVG double, SUM of integers int64, the
 * others arg's type (LAG/LEAD NULL at the window's edge).
 *
 *   sinew_window w = {.partition = {POST_AUTHOR_ID}, .npartition = 1,
 *                     .order = {POST_ID}, .dir = {SINEW_DESC}, .norder = 1};
 *   sinew_select_col(q, POST_TITLE);
 *   sinew_select_window(q, SINEW_ROW_NUMBER, POST_ID, &w);   // column 1
 *   sinew_where_value(q, 1, SINEW_LE, sinew_v_int64(3));          // the 3 newest posts per author
 */
SINEW_API int sinew_select_window(sinew_query *q, sinew_window_fn fn, sinew_col arg, const sinew_window *w);
/*
 * Keep the rows whose value column `col` (an index among the rows query's
 * columns; a sinew_select_col or window column) compares with the number
 * v. The statement becomes a derived table filtered outside (windows are
 * computed after WHERE), ordered by the query's order and paged after the
 * filter. One such filter per query; not with sinew_having.
 */
SINEW_API int sinew_where_value(sinew_query *q, int col, sinew_op op, sinew_value v);

typedef struct sinew_rows sinew_rows;
/*
 * Run a grouped query (or raw SQL, below) and read its rows as values. The
 * statement runs at open; its first row is the first sinew_rows_next()'s.
 * A grouped query yields values only: sinew_all/first/one, sinew_iterate,
 * count, exists, sinew_aggregate and the bulk update/delete refuse it with
 * SINEW_MISUSE, and sinew_query_sql() shows its grouped SELECT.
 */
SINEW_API int sinew_rows_open(sinew_query *q, sinew_rows **out);
SINEW_API int sinew_rows_next(sinew_rows *r);                     /* SINEW_ROW, SINEW_DONE or an error */
SINEW_API int sinew_rows_columns(const sinew_rows *r);
SINEW_API const char *sinew_rows_name(const sinew_rows *r, int col);
/* Column `col` of the current row; text and blobs stay valid until the next sinew_rows_next(). */
SINEW_API sinew_value sinew_rows_value(const sinew_rows *r, int col);
SINEW_API void sinew_rows_free(sinew_rows *r);

/* ---- bulk writes by query ----------------------------------------------------- */

typedef struct sinew_assign {
    sinew_col col;
    sinew_value value;
} sinew_assign;

/* UPDATE the matching rows; *changed gets the number of rows. Loaded objects are not refreshed. */
SINEW_API int sinew_query_update(sinew_query *q, const sinew_assign *set, size_t n, int64_t *changed);

/*
 * Assignments computed by the database, so that a read-modify-write needs
 * no read and no retry: SET views = views + 1 is one atomic statement on
 * every backend, whatever else runs at the same time.
 *
 *   sinew_set set[] = {sinew_set_expr(POST_VIEWS, sinew_col_op(POST_VIEWS, '+', sinew_v_int64(1))),
 *                      sinew_set_expr(POST_TITLE, POST_DRAFT_TITLE),
 *                      sinew_set_value(POST_EDITED, sinew_v_bool(true))};
 *   sinew_query_update_set(q, set, 3, &changed);
 *
 * An expression is a column of the same model (no relation path), with at
 * most one arithmetic step by a number (sinew_col_op); its type must fit the
 * column assigned (an integer column takes integer arithmetic only), and
 * division by zero is refused. A column assigned twice is refused. Every
 * refusal is SINEW_MISUSE before anything is sent.
 */
SINEW_API sinew_set sinew_set_value(sinew_col col, sinew_value v);
SINEW_API sinew_set sinew_set_expr(sinew_col col, sinew_col expr);
/* upsert only: col = the proposed row's value of `from` (EXCLUDED.from), arithmetic allowed */
SINEW_API sinew_set sinew_set_excluded(sinew_col col, sinew_col from);
/* upsert only: col = col <op> the proposed row's col; op is '+', '-', '*' or '/' (a counter: n = n + EXCLUDED.n) */
SINEW_API sinew_set sinew_set_combine(sinew_col col, char op);
/*
 * col = CASE WHEN when[0].cond THEN when[0].then ... ELSE otherwise END,
 * the branches tried in order:
 *
 *   sinew_when w[2] = {{sinew_ge(TICKET_PRIORITY, sinew_v_int32(4)), sinew_set_value(TICKET_STATUS, sinew_v_int32(STATUS_CLOSED))},
 *                      {sinew_is_null(TICKET_TITLE), sinew_set_value(TICKET_STATUS, sinew_v_int32(STATUS_WONTFIX))}};
 *   sinew_set st = sinew_set_case(TICKET_STATUS, w, 2, NULL);
 *
 * Each `then` (and `otherwise`) is an assignment of `col` itself, checked as
 * that assignment alone would be (no CASE inside a CASE). A condition is a
 * filter over plain columns of the model written (no relation path, no
 * subquery). `otherwise` NULL leaves the column as it is where no branch
 * holds (SQL's own default, ELSE NULL, would erase it). `when` and
 * `otherwise` are read when the statement is built: they must live until
 * the update (or upsert, or claim) call returns; the conditions stay the
 * caller's (sinew_when_free). At most SINEW_MAX_CASE branches.
 */
#define SINEW_MAX_CASE 16
SINEW_API sinew_set sinew_set_case(sinew_col col, const sinew_when *when, size_t n, const sinew_set *otherwise);
/* sinew_expr_free of every branch's condition (they are set to NULL) */
SINEW_API void sinew_when_free(sinew_when *when, size_t n);
/* sinew_query_update with computed assignments; SINEW_SET_EXCLUDED/COMBINE are refused here (no proposed row) */
SINEW_API int sinew_query_update_set(sinew_query *q, const sinew_set *set, size_t n, int64_t *changed);
/* DELETE the matching rows. For a @@soft_delete model: UPDATE ... SET deleted_at = now of the rows not
 * deleted yet, and of the @@soft_delete children their @on_delete(cascade) reaches, in one transaction
 * (docs/schema.md, Soft delete). */
SINEW_API int sinew_query_delete(sinew_query *q, int64_t *changed);
/* The real DELETE of the matching rows, for a @@soft_delete model too: its live rows, and with
 * sinew_with_deleted(q) its soft-deleted ones as well. */
SINEW_API int sinew_query_hard_delete(sinew_query *q, int64_t *changed);
/* A @@soft_delete model's query counts its deleted rows too (reads, count, exists, update, hard delete);
 * SINEW_MISUSE for any other model. Relations loaded from its objects still leave deleted rows out. */
SINEW_API int sinew_with_deleted(sinew_query *q);

/* ---- row locks and claims ------------------------------------------------------------ */

/*
 * Lock the rows a read of objects returns (sinew_all, sinew_first, sinew_one,
 * sinew_iterate, sinew_query_exists) until the transaction ends:
 * SELECT ... FOR UPDATE | FOR NO KEY UPDATE | FOR SHARE | FOR KEY SHARE OF t0
 * [NOWAIT | SKIP LOCKED]. Only the queried model's rows are locked, not those
 * of joined relations (PostgreSQL refuses to lock the nullable side of the
 * LEFT JOINs filters use). NOWAIT fails at once (SINEW_BUSY or the database's
 * error) when a row is held; SKIP LOCKED leaves held rows out. Outside a
 * transaction the lock ends with the statement. A locked query cannot be
 * DISTINCT, filter through a to-many relation, count, aggregate, group, update
 * or delete (SINEW_MISUSE when it runs). SINEW_LOCK_NONE removes the lock.
 *
 * A database without row locks (the dialect's has_row_locks is 0: SQLite)
 * refuses with SINEW_UNSUPPORTED and says what it does instead: there a
 * write transaction (sinew_begin, sinew_transaction: BEGIN IMMEDIATE) locks
 * the whole database, so reading and writing in one transaction is safe.
 */
SINEW_API int sinew_lock(sinew_query *q, sinew_lock_mode mode, sinew_lock_wait wait);

/*
 * A job queue's take: in one transaction (sinew_transaction, retried on
 * SINEW_BUSY/SINEW_RETRY up to 20 times, backing off from 5 ms to 500 ms:
 * workers of one queue contend by design, and on SQLite a worker that has
 * just committed can take the write lock again before a waiting one wakes),
 * read up to n rows the query matches, in its
 * order, and apply `set` to each (mark them taken: the query's filter must
 * leave marked rows out). On PostgreSQL the read is FOR UPDATE SKIP LOCKED,
 * so concurrent workers take different rows without waiting; on SQLite the
 * write transaction serialises workers. out gets the claimed objects as they
 * are after `set` (each row's UPDATE ... RETURNING), possibly fewer than n,
 * none when the queue is empty. The query's own limit is replaced by n; its
 * model needs a one-column primary key; `set` takes values and column
 * expressions (sinew_set_value, sinew_set_expr). Inside an open transaction
 * the claim runs in a savepoint and its rows stay locked until that ends.
 *
 *   sinew_query *q = job_query(s);
 *   sinew_where(q, sinew_eq(JOB_TAKEN, sinew_v_bool(false)));
 *   sinew_order(q, JOB_ID, SINEW_ASC);
 *   sinew_set take = sinew_set_value(JOB_TAKEN, sinew_v_bool(true));
 *   sinew_list jobs;
 *   while (sinew_claim(q, 10, &take, 1, &jobs) == SINEW_OK && jobs.count) ... work ...
 */
SINEW_API int sinew_claim(sinew_query *q, size_t n, const sinew_set *set, size_t nset, sinew_list *out);

/* ---- streaming -------------------------------------------------------------------- */

typedef struct sinew_iter sinew_iter;
/*
 * Stream the results in constant memory: each sinew_iter_next() hydrates one
 * row into a buffer the iterator reuses, so *obj is valid (read-only) until
 * the next call. To change a streamed row, load it with sinew_get().
 */
SINEW_API int sinew_iterate(sinew_query *q, sinew_iter **out);
SINEW_API int sinew_iter_next(sinew_iter *it, void **obj);        /* SINEW_ROW, SINEW_DONE or an error */
SINEW_API void sinew_iter_free(sinew_iter *it);

/* ---- raw SQL (values still bound) -------------------------------------------------- */

/*
 * Placeholders in raw SQL are `?` on every backend (rewritten to $1, $2 ...
 * for PostgreSQL; a `?` in a string literal, quoted identifier,
 * dollar-quoted string or comment is left alone). `??` is a literal `?`:
 * PostgreSQL's jsonb operators ?, ?| and ?& are written ??, ??| and ??&.
 * Numbered $1, $2 ... work on every backend too, and PostgreSQL text written
 * with them is sent unchanged (its `?` are operators). The placeholder count
 * (for $n, the highest n) must equal nparams, else SINEW_MISUSE before
 * anything is sent. See docs/queries.md.
 */
/* Run `sql` with bound parameters and hydrate rows into `model` objects (columns matched by name). */
SINEW_API int sinew_raw_all(sinew_session *s, const sinew_model *model, const char *sql,
                  const sinew_value *params, size_t nparams, sinew_list *out);
/*
 * Run `sql` with bound parameters and read the rows as values. The statement
 * runs here, not at the first sinew_rows_next(): an INSERT/UPDATE/DELETE
 * (with or without RETURNING) has been executed when this returns SINEW_OK,
 * and its failure is returned here, with *out NULL. The first row, if any,
 * is the first sinew_rows_next()'s. (sinew_exec() runs SQL with neither
 * parameters nor rows.)
 */
SINEW_API int sinew_raw_rows(sinew_session *s, const char *sql, const sinew_value *params, size_t nparams,
                   sinew_rows **out);

/* ---- inspection ---------------------------------------------------------------------- */

/* The SELECT this query will run (owned by the query; NULL with the error set on failure). */
SINEW_API const char *sinew_query_sql(sinew_query *q);
/* Its parameters, in placeholder order (valid until the query changes or is freed). */
SINEW_API size_t sinew_query_nparams(sinew_query *q);
SINEW_API const sinew_value *sinew_query_params(sinew_query *q);

#ifdef __cplusplus
}
#endif
#endif
