/*
 * ir.h - statements as data: what the ORM builds and the renderers in this
 * directory turn into SQL text for a dialect.
 *
 * A SELECT over one model (sn_select) holds its joins, filter tree, order,
 * grouping, paging and the to-one relations it loads by JOIN; every column
 * in it carries the table alias it is read from (t0 the model itself, tN a
 * join), resolved by the builder, so the renderer needs no relation paths.
 * Writes (sn_insert, sn_delete) name a model and field indexes. The
 * renderers take the description const and append parameters to an output
 * list (sn_sql_out); they never change what they render.
 *
 * Nothing here talks to a database, and nothing here is on a per-row path:
 * the ORM renders per query, and per model once (orm/plan.c).
 */
#ifndef SINEW_SQL_IR_H
#define SINEW_SQL_IR_H

#include "dialect.h"
#include "sn_limits.h"
#include "sinew/query_types.h"

/* ---- filter expressions ---- */

typedef enum xkind {
    X_CMP = 1, X_CMPCOL, X_IN, X_NOTIN, X_INSUB, X_LIKE, X_ILIKE, X_NULL, X_NOTNULL,
    X_BETWEEN, X_AND, X_OR, X_NOT, X_ERROR,
    X_EXISTS,   /* EXISTS (SELECT 1 FROM rel's target WHERE correlated AND l) */
    X_CMPSUB,   /* (SELECT fn(a) FROM rel's target WHERE correlated AND l) op vals[0] */
    X_JSONHAS   /* json column a contains the JSON value vals[0] (the dialect's json_contains) */
} xkind;

struct sn_select;
struct sinew_query;

/* One node of a filter. The public constructors (orm/expr.c) build it; the
 * query that takes it over resolves alias_a / alias_b. */
struct sinew_expr {
    xkind kind;
    sinew_op op;
    sinew_col a, b;
    sinew_value *vals;        /* owned, strings copied into `store` */
    size_t nvals;
    char *store;
    sinew_expr *l, *r;
    struct sinew_query *sub;  /* X_INSUB: owned by the node (the ORM frees it) */
    int err;                  /* X_ERROR: status */
    char *errmsg;             /* X_ERROR: message */
    int alias_a, alias_b;     /* table aliases of a and b: t<alias> */
    const struct sn_select *subsel;   /* X_INSUB: the subquery's description (inside `sub`) */
    /* X_INSUB with rel set (the ORM's soft cascades): rel is a belongs-to relation of a's model; its
     * local columns IN (SELECT its remote columns ...) of b's model, the whole key however many columns.
     * X_EXISTS, X_CMPSUB: a subquery correlated through relation `rel` of `owner` (the model of
     * t<alias_outer>); its rows are t<alias_sub>; `l` is its own filter (or NULL), `fn` the aggregate */
    const sinew_relation *rel;
    const sinew_model *owner;
    sinew_agg fn;
    int alias_outer, alias_sub;
};

/* ---- SELECT ---- */

/* a column and the alias of the table it is read from */
typedef struct sn_ir_col {
    sinew_col col;
    int alias;
} sn_ir_col;

typedef struct sn_ir_order {
    sn_ir_col key;
    sinew_dir dir;
    sinew_nulls nulls;
} sn_ir_order;

/* LEFT JOIN rel->target AS t<alias> ON (its keys = those of t<parent>); a
 * many-to-many relation goes through its join table, aliased t<100 + alias> */
typedef struct sn_ir_join {
    const sinew_relation *rel;
    const sinew_model *from;  /* the model of t<parent> */
    int parent, alias;
} sn_ir_join;

typedef struct sn_ir_agg {
    sinew_agg fn;
    sn_ir_col arg;
} sn_ir_agg;

typedef struct sn_ir_having {
    sn_ir_agg agg;
    sinew_op op;
    sinew_value v;
} sn_ir_having;

/* an aggregate over a relation, per row of the object SELECT (sinew_annotate): a correlated scalar
 * subquery after the model's (and eager) columns */
typedef struct sn_ir_annot {
    const sinew_relation *rel;   /* a relation of the queried model (t0) */
    int alias_sub;
    sinew_agg fn;
    sn_ir_col arg;               /* a column of rel's target, read from t<alias_sub> */
    sinew_expr *where;           /* its filter over the target, or NULL (owned by the query) */
} sn_ir_annot;

/* a value column of a rows query (sinew_select_col): any column expression (a relation path, arithmetic) */
typedef enum sn_val_kind { SN_VAL_COL = 1, SN_VAL_WINDOW } sn_val_kind;

typedef struct sn_ir_value {
    sn_val_kind kind;
    sn_ir_col col;            /* SN_VAL_COL: the column; SN_VAL_WINDOW: the argument (none for ranks) */
    sinew_window_fn win;      /* SN_VAL_WINDOW: fn(col) OVER (PARTITION BY part ORDER BY order) */
    sn_ir_col part[SINEW_MAX_WINDOW_KEYS];
    size_t npart;
    sn_ir_order order[SINEW_MAX_WINDOW_KEYS];
    size_t norder;
} sn_ir_value;

/* a to-one relation of the model (it holds the key) whose target's columns
 * follow the model's in the object SELECT: LEFT JOIN target AS e<tag> */
typedef struct sn_ir_eager {
    const sinew_relation *rel;
    int tag;
} sn_ir_eager;

typedef struct sn_select {
    const sinew_model *model;
    sinew_expr *where;        /* AND of the filters, or NULL */
    sinew_expr *after;        /* keyset condition, or NULL */
    sn_ir_join joins[SN_MAX_QUERY_TERMS];   /* a parent join precedes its children */
    size_t njoins;
    int to_many;              /* a to-many join multiplies rows: they need DISTINCT */
    int distinct;
    sn_ir_order order[SN_MAX_QUERY_TERMS];
    size_t norder;
    int64_t limit, offset;    /* -1 = none */
    sn_ir_col group[SN_MAX_QUERY_TERMS];
    size_t ngroup;
    sn_ir_agg aggs[SN_MAX_QUERY_TERMS];
    size_t naggs;
    sn_ir_having having[SN_MAX_QUERY_TERMS];
    size_t nhaving;
    sn_ir_eager eager[SN_MAX_QUERY_TERMS];
    size_t neager;
    uint64_t cols;            /* the object SELECT reads these fields (bit f: field f); 0: every one */
    sn_ir_value vals[SN_MAX_QUERY_TERMS];   /* a rows query's value columns, after its groups and aggregates */
    size_t nvals;
    sn_ir_annot ann[SN_MAX_QUERY_TERMS];    /* object SELECT: aggregates over relations, per row */
    size_t nann;
    sinew_setop setop;                /* the rows are (these rows) setop (other's rows), keys compared */
    const struct sn_select *setop_other;
    sinew_setop rows_setop;           /* rows query: (these rows) rows_setop (rows_other's), whole rows
                                       * compared, ordered and paged after (sinew_combine_rows) */
    const struct sn_select *rows_other;
    const sinew_relation *closure;   /* WITH RECURSIVE: only the rows reached from those closure_start
                                      * matches by following this self-relation once or more */
    sinew_expr *closure_start;       /* its columns read from t190 */
    int vfilter;              /* rows query: keep the rows whose value column vfilter_col vfilter_op vfilter_v
                               * (a window's result: the statement becomes a derived table) */
    size_t vfilter_col;
    sinew_op vfilter_op;
    sinew_value vfilter_v;
    int with_deleted;         /* a @@soft_delete model's deleted rows count too (sinew_with_deleted); otherwise
                               * every statement over the rows of s, and every join to such a model, leaves
                               * them out */
    sinew_lock_mode lock;     /* FOR UPDATE / FOR SHARE OF t0 (object SELECTs only), or SINEW_LOCK_NONE */
    sinew_lock_wait lock_wait;
} sn_select;

/* ---- output: text plus the values bound to its placeholders, in order ---- */

typedef struct sn_sql_out {
    sn_buf sql;
    sinew_value *params;
    size_t nparams, capparams;
    int param_base;           /* placeholders are numbered from param_base + 1 (0 unless set) */
} sn_sql_out;

void sn_sql_out_init(sn_sql_out *o);
void sn_sql_out_reset(sn_sql_out *o);
void sn_sql_out_free(sn_sql_out *o);

/* The renderers return SINEW_OK, or SINEW_NOMEM (no error is recorded: the caller does). */

/* the order keys include every primary-key column */
int sn_sql_select_has_pk_order(const sn_select *s);
/* SELECT [DISTINCT] t0.<every column, or those of s->cols> [, e<k>.<every target column>] [, (annotation
 * subqueries)] FROM ... ORDER BY ... LIMIT
 * (extra_limit > 0 caps the limit: first-of and exactly-one reads) */
int sn_sql_select_objects(sn_sql_out *o, const sinew_dialect *d, const sn_select *s, int64_t extra_limit);
/* SELECT <group keys>, <aggregates>, <values> FROM ... GROUP BY ... HAVING ... ORDER BY ... LIMIT */
int sn_sql_select_grouped(sn_sql_out *o, const sinew_dialect *d, const sn_select *s);
/* the index among a rows query's result columns (group keys, aggregates, value columns) of a plain
 * value or group column the same as c, or -1 (the order keys of a combined rows query must be one) */
int sn_sql_result_col(const sn_select *s, const sinew_col *c);
/* two columns are the same expression (model, field, relation path, arithmetic, JSON path) */
int sn_sql_same_col(const sinew_col *a, const sinew_col *b);
/* the rows must be a derived table before a scalar is taken over them (DISTINCT, paging) */
int sn_sql_select_needs_wrap(const sn_select *s);
/* SELECT COUNT(*) (fn == 0) or SELECT fn(arg) over the rows of s */
int sn_sql_select_scalar(sn_sql_out *o, const sinew_dialect *d, const sn_select *s, sinew_agg fn,
                         const sn_ir_col *arg);
/* UPDATE t SET f = ? | f = g [op ?] | f = CASE ..., ... for the rows of s (a key subselect when s joins
 * or pages); the assignments are checked by the ORM (no EXCLUDED / COMBINE, values converted) */
int sn_sql_update_rows(sn_sql_out *o, const sinew_dialect *d, const sn_select *s, const sinew_set *set, size_t n,
                       int returning);   /* returning: RETURNING every column, in field order */
/* "f = rhs, ..." of an upsert's DO UPDATE, appended to o (its param_base says where the placeholders
 * start): the written row's columns qualified by the table's name, the proposed row's by EXCLUDED */
int sn_sql_set_list(sn_sql_out *o, const sinew_dialect *d, const sinew_model *m, const sinew_set *set, size_t n);
/* DELETE FROM t for the rows of s */
int sn_sql_delete_rows(sn_sql_out *o, const sinew_dialect *d, const sn_select *s);
const char *sn_sql_agg_name(sinew_agg fn);

/* ---- JSON paths (render_json.c) ---- */
/* 1 when path is one sinew reads ($, then .key and [n] steps; keys of letters, digits and '_', not
 * starting with a digit); else 0 with *at the offset of the fault and *why what is wrong there */
int sn_sql_json_path_valid(const char *path, size_t *at, const char **why);
/* the dialect's template for reading a value of type t at a path (%c the column, %p the path), NULL
 * when it has none or t is not text, int64, double or bool */
const char *sn_sql_json_template(const sinew_dialect *d, sinew_type t);
/* a valid path as the string literal the dialect's templates take */
void sn_sql_json_path_literal(sn_buf *out, const sinew_dialect *d, const char *path);

/*
 * The batch loader's SELECT: the rows of rel's target whose keys are among
 * nkeys given ones (bound in order: key by key, each key's columns in
 * order), many-to-many through the join table (its owner-key columns follow
 * the target's columns), to-many lists ordered by owner key, then key.
 */
int sn_sql_relation_select(sn_buf *out, const sinew_dialect *d, const sinew_relation *rel, size_t nkeys);

/* ---- writes ---- */

typedef enum sn_conflict { SN_CONFLICT_NONE = 0, SN_CONFLICT_NOTHING, SN_CONFLICT_UPDATE } sn_conflict;

typedef struct sn_insert {
    const sinew_model *model;
    const unsigned *cols;     /* fields written, in bind order; none: DEFAULT VALUES (one row) */
    size_t ncols;
    size_t rows;              /* value tuples; 0 counts as 1 */
    sn_conflict on_conflict;
    const unsigned *conflict; /* ON CONFLICT (these) ...; none with NOTHING: any conflict */
    size_t nconflict;
    const unsigned *update;   /* DO UPDATE SET f = excluded.f; none: conflict[0] to itself */
    size_t nupdate;
    const sinew_set *set;     /* instead of `update`: these assignments (checked by the ORM); their
                               * parameters follow the rows' in the order sn_sql_set_list gives them */
    size_t nset;
    const unsigned *returning;
    size_t nreturning;
    int report_key;           /* ON DUPLICATE KEY UPDATE (no RETURNING): the model's one integer key also
                               * goes through LAST_INSERT_ID(key), so the statement reports the key of
                               * the row it updated as it does that of a row it inserted */
    int keys_drawn;           /* the @auto key's values were drawn from its sequence (sn_sql_sequence_keys):
                               * written with OVERRIDING SYSTEM VALUE, which a GENERATED ALWAYS identity
                               * column requires and a BY DEFAULT or serial one ignores */
} sn_insert;

typedef struct sn_delete {
    const sinew_model *model;
    const unsigned *keys;     /* WHERE k1 = ? AND k2 = ? ... */
    size_t nkeys;
    size_t rows;              /* > 1: that many rows' keys, WHERE k IN (?, ...) / (k1, k2) IN ((?, ?), ...),
                               * bound row by row (a flush's deletes of one model) */
} sn_delete;

int sn_sql_insert_stmt(sn_buf *out, const sinew_dialect *d, const sn_insert *ins);
int sn_sql_delete_stmt(sn_buf *out, const sinew_dialect *d, const sn_delete *del);
/* the same rows' soft delete (a @@soft_delete model): UPDATE t SET set[0] = ?, set[1] = ? ... WHERE
 * <the keys as above> AND <deleted_at> IS NULL; set[0] is the model's deleted_at field (the others its
 * @updated_at ones), bound first, then the keys; a @version field is set to itself + 1 (the keys then
 * hold the version loaded, as a DELETE's). A row deleted already is not matched (the caller counts). */
int sn_sql_soft_delete_stmt(sn_buf *out, const sinew_dialect *d, const sn_delete *del, const unsigned *set,
                            size_t nset);
/* COPY t (every column) FROM STDIN, for a driver with COPY */
int sn_sql_copy_in(sn_buf *out, const sinew_dialect *d, const sinew_model *m);
/* n keys from the sequence behind a serial or identity column: $1 the quoted table, $2 the column, $3 n;
 * NULL for a dialect without sequences */
const char *sn_sql_sequence_keys(const sinew_dialect *d);
/* a statement that does nothing but answer (a connection check) */
const char *sn_sql_ping(void);
/* the transaction just begun takes reads only (standard SQL): a routed session's read transactions
 * (src/orm/route.c) where the dialect gives no read_only_* statements (a driver older than version 9) */
const char *sn_sql_tx_read_only(void);
/* transaction control, as the log shows it (the driver runs it; ROLLBACK also ends
 * a transaction a raw statement began) */
typedef enum sn_sql_tx {
    SN_SQL_BEGIN, SN_SQL_COMMIT, SN_SQL_ROLLBACK, SN_SQL_SAVEPOINT, SN_SQL_RELEASE, SN_SQL_ROLLBACK_TO
} sn_sql_tx;
const char *sn_sql_tx_text(sn_sql_tx op);

#endif
