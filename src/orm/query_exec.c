/*
 * query_exec.c - running queries: lists of objects, first/one, count,
 * exists, aggregates, grouped rows, bulk update/delete, constant-memory
 * streaming and raw SQL. Every value is bound; the SQL text comes only from
 * the renderer in query.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "query_int.h"
#include "sinew/relations.h"

static int q_err(sinew_query *q)
{
    if (!q) return sinew_error_set(SINEW_MISUSE, "query is NULL (out of memory when it was made?)");
    if (q->err) {
        *sn_error_mut() = q->errdetail;
        return q->err;
    }
    return SINEW_OK;
}

/*
 * A grouped query (sinew_group_by / sinew_select_agg) yields rows of values,
 * not objects: running it as objects would drop the grouping and answer
 * something else, so every call that reads objects or counts rows refuses it.
 */
static int q_ungrouped(sinew_query *q, const char *fn)
{
    int rc = q_err(q);
    if (rc) return rc;
    if (q->ngroup || q->naggs)
        return sinew_error_set(SINEW_MISUSE, "%s: the query over %s is grouped (sinew_group_by/sinew_select_agg); "
                               "read its rows with sinew_rows_open(), or build an ungrouped query for objects",
                               fn, q->model->name);
    return SINEW_OK;
}

static int start(sinew_query *q, sn_exec *x, const char *sql)
{
    int max = q->s->db->dialect->max_params;
    if (q->nparams > (size_t)max)
        return sinew_error_set(SINEW_INVALID, "this %s query has %zu parameters but %s takes at most %d in one "
                               "statement: filter with a subquery (sinew_in_query) or split the list",
                               q->model->name, q->nparams, q->s->db->dialect->name, max);
    int rc = sn_exec_start(x, q->s->db, sql);
    for (size_t i = 0; i < q->nparams && rc == SINEW_OK; i++) rc = sn_exec_bind(x, (int)i, &q->params[i]);
    if (rc) sn_exec_end(x);
    return rc;
}

/* ---- objects ---- */

/* the targets of to-one prefetches loaded by JOIN: columns after the owner's */
static int hydrate_join_prefetches(sinew_query *q, sn_exec *x, void *owner)
{
    int base = (int)q->model->nfields;
    for (size_t k = 0; k < q->nprefetch; k++) {
        const q_prefetch *p = &q->prefetch[k];
        if (!p->join) continue;
        const sinew_relation *rel = p->path[0];
        const sinew_model *t = rel->target;
        void *target = NULL;
        if (x->drv->column_storage(x->stmt, base + (int)t->pk[0]) != SINEW_STORAGE_NULL) {
            /* the resolver refuses wider models; a hand-written one must not overrun colmap */
            if (t->nfields > SN_MAX_FIELDS)
                return sinew_error_set(SINEW_UNSUPPORTED, "model %s has %zu fields; sinew supports up to %d per model",
                                       t->name, t->nfields, SN_MAX_FIELDS);
            int colmap[SN_MAX_FIELDS];
            for (size_t i = 0; i < t->nfields; i++) colmap[i] = base + (int)i;
            int rc = sn_session_materialize(q->s, x, t, colmap, &target);
            if (rc) return rc;
        }
        int rc = sn_rel_store(q->s, rel, owner, target, NULL, 1);
        if (rc) return rc;
        base += (int)t->nfields;
    }
    return SINEW_OK;
}

/* every non-JOIN prefetch path, one statement per level (chunked for huge key sets) */
static int run_prefetches(sinew_query *q, void **items, size_t n)
{
    int rc = SINEW_OK;
    for (size_t k = 0; k < q->nprefetch && rc == SINEW_OK && n; k++) {
        const q_prefetch *p = &q->prefetch[k];
        if (p->join) {   /* loaded with the rows; still count it for the unused-eager report */
            continue;
        }
        void **owners = items;
        size_t nowners = n;
        void **next = NULL;
        for (int level = 0; level < p->n && rc == SINEW_OK && nowners; level++) {
            const sinew_relation *rel = p->path[level];
            rc = sn_rel_load(q->s, rel, owners, nowners, 1);
            if (rc || level + 1 == p->n) break;
            /* the loaded targets are the owners of the next level */
            size_t cnt = 0, cap = 0;
            void **nv = NULL;
            for (size_t i = 0; i < nowners && rc == SINEW_OK; i++) {
                sinew_list l = {NULL, 0};
                void *one = NULL;
                if (rel->kind == SINEW_BELONGS_TO || rel->kind == SINEW_HAS_ONE)
                    rc = sinew_load_one_at(q->s, rel, owners[i], &one, NULL, 0);
                else
                    rc = sinew_load_many_at(q->s, rel, owners[i], &l, NULL, 0);
                if (rc) break;
                size_t add = one ? 1 : l.count;
                if (cnt + add > cap) {
                    cap = (cnt + add) * 2;
                    void **g = sn_realloc(nv, cap * sizeof *g);
                    if (!g) {
                        rc = sn_nomem();
                        break;
                    }
                    nv = g;
                }
                if (one) nv[cnt++] = one;
                for (size_t j = 0; j < l.count; j++) nv[cnt++] = l.items[j];
            }
            sn_free(next);
            next = nv;
            owners = nv;
            nowners = cnt;
        }
        sn_free(next);
    }
    return rc;
}

static int collect_rows(sinew_query *q, int extra_limit, sinew_list *out, size_t max);

/* a read-only query's objects, and what its prefetches bring, are materialized untracked */
static int collect(sinew_query *q, int extra_limit, sinew_list *out, size_t max)
{
    if (!q) return collect_rows(q, extra_limit, out, max);
    int was = q->s->load_readonly;
    q->s->load_readonly = q->readonly;
    int rc = collect_rows(q, extra_limit, out, max);
    q->s->load_readonly = was;
    return rc;
}

static int collect_rows(sinew_query *q, int extra_limit, sinew_list *out, size_t max)
{
    out->items = NULL;
    out->count = 0;
    int rc = q_err(q);
    if (rc) return rc;
    if ((rc = sn_q_render_select(q, extra_limit))) return rc;
    sn_exec x;
    if ((rc = start(q, &x, sn_buf_cstr(&q->sql)))) return rc;
    void **vec = NULL;
    size_t n = 0, cap = 0;
    while ((rc = sn_exec_step(&x)) == SINEW_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            void **nv = sn_realloc(vec, cap * sizeof *nv);
            if (!nv) {
                rc = sn_nomem();
                break;
            }
            vec = nv;
        }
        if ((rc = sn_session_materialize(q->s, &x, q->model, NULL, &vec[n]))) break;
        if ((rc = hydrate_join_prefetches(q, &x, vec[n]))) break;
        n++;
        if (max && n >= max) {
            rc = SINEW_DONE;
            break;
        }
    }
    sn_exec_end(&x);
    if (rc == SINEW_DONE) {
        rc = SINEW_OK;
        if (n) {
            /* the growth slack goes before the caller's copy is made (the peak is both arrays) */
            void **fit = n < cap ? sn_realloc(vec, n * sizeof *vec) : NULL;
            if (fit) vec = fit;
            out->items = sn_arena_alloc(&q->s->arena, n * sizeof *out->items);
            if (!out->items) rc = SINEW_NOMEM;
            else {
                memcpy(out->items, vec, n * sizeof *vec);
                out->count = n;
            }
        }
    }
    /* vec itself becomes the batch-loading group: the caller may reorder or overwrite their list */
    if (rc == SINEW_OK) {
        rc = sn_group_adopt(q->s, vec, out->count);
    } else {
        sn_free(vec);
    }
    if (rc == SINEW_OK) rc = run_prefetches(q, out->items, out->count);
    return rc;
}

int sinew_all(sinew_query *q, sinew_list *out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_all: out is NULL");
    out->items = NULL;
    out->count = 0;
    int rc = q_ungrouped(q, "sinew_all");
    if (rc) return rc;
    return collect(q, 0, out, 0);
}

int sinew_first(sinew_query *q, void **out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_first: out is NULL");
    *out = NULL;
    sinew_list l;
    int rc = q_ungrouped(q, "sinew_first");
    if (!rc) rc = collect(q, 1, &l, 1);
    if (rc) return rc;
    if (!l.count) return sinew_error_set(SINEW_NOTFOUND, "no %s matches the query", q->model->name);
    *out = l.items[0];
    return SINEW_OK;
}

int sinew_one(sinew_query *q, void **out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_one: out is NULL");
    *out = NULL;
    sinew_list l;
    int rc = q_ungrouped(q, "sinew_one");
    if (!rc) rc = collect(q, 2, &l, 2);
    if (rc) return rc;
    if (!l.count) return sinew_error_set(SINEW_NOTFOUND, "no %s matches the query", q->model->name);
    if (l.count > 1)
        return sinew_error_set(SINEW_MULTIPLE, "more than one %s matches a query that expected exactly one; "
                               "filter by a unique field or use sinew_first()", q->model->name);
    *out = l.items[0];
    return SINEW_OK;
}

/* ---- scalar results ---- */

static int needs_subquery(const sinew_query *q)
{
    return q->distinct || q->to_many || q->limit >= 0 || q->offset >= 0;
}

/* read column 0 as a value of type `want`, strings copied into the session arena */
static int read_scalar(sinew_query *q, sn_exec *x, sinew_type want, sinew_value *out)
{
    const sinew_driver *d = x->drv;
    sinew_storage st = d->column_storage(x->stmt, 0);
    if (st == SINEW_STORAGE_NULL) {
        *out = sinew_null(want);
        return SINEW_OK;
    }
    size_t len;
    const char *txt;
    switch (want) {
    case SINEW_BOOL: case SINEW_INT32: case SINEW_INT64: case SINEW_ENUM:
        if (st == SINEW_STORAGE_TEXT) {
            txt = d->column_text(x->stmt, 0, &len);
            *out = sinew_i64(strtoll(txt, NULL, 10));
        } else if (st == SINEW_STORAGE_FLOAT) {
            *out = sinew_i64((int64_t)d->column_f64(x->stmt, 0));
        } else {
            *out = sinew_i64(d->column_i64(x->stmt, 0));
        }
        out->type = want == SINEW_ENUM ? SINEW_INT64 : want;
        return SINEW_OK;
    case SINEW_DOUBLE:
        if (st == SINEW_STORAGE_TEXT) {
            txt = d->column_text(x->stmt, 0, &len);
            *out = sinew_f64(strtod(txt, NULL));
        } else {
            *out = sinew_f64(d->column_f64(x->stmt, 0));
        }
        return SINEW_OK;
    case SINEW_TIMESTAMP: case SINEW_DATE: {
        if (st == SINEW_STORAGE_INT) {
            *out = want == SINEW_DATE ? sinew_date((int32_t)d->column_i64(x->stmt, 0))
                                      : sinew_timestamp(d->column_i64(x->stmt, 0));
            return SINEW_OK;
        }
        txt = d->column_text(x->stmt, 0, &len);
        if (want == SINEW_DATE) {
            int32_t v;
            if (sinew_date_parse(&v, txt, len > 10 ? 10 : len)) return SINEW_TYPE;
            *out = sinew_date(v);
        } else {
            int64_t v;
            if (sinew_timestamp_parse(&v, txt, len)) return SINEW_TYPE;
            *out = sinew_timestamp(v);
        }
        return SINEW_OK;
    }
    default: {
        if (st == SINEW_STORAGE_INT || st == SINEW_STORAGE_FLOAT) {
            char num[40];   /* a decimal SQLite computed as a number: its shortest text */
            if (st == SINEW_STORAGE_FLOAT) sn_double_text(d->column_f64(x->stmt, 0), num);
            char *p = st == SINEW_STORAGE_INT
                          ? sn_arena_printf(&q->s->arena, "%lld", (long long)d->column_i64(x->stmt, 0))
                          : sn_arena_strdup(&q->s->arena, num);
            if (!p) return SINEW_NOMEM;
            *out = sinew_text(p);
        } else {
            txt = d->column_text(x->stmt, 0, &len);
            char *p = sn_arena_strndup(&q->s->arena, txt, len);
            if (!p) return SINEW_NOMEM;
            *out = sinew_textn(p, len);
        }
        out->type = want == SINEW_ENUM ? SINEW_TEXT : want;
        return SINEW_OK;
    }
    }
}

static int run_scalar(sinew_query *q, sinew_type want, sinew_value *out)
{
    sn_exec x;
    int rc = start(q, &x, sn_buf_cstr(&q->sql));
    if (rc) return rc;
    rc = sn_exec_step(&x);
    if (rc == SINEW_ROW) rc = read_scalar(q, &x, want, out);
    else if (rc == SINEW_DONE) rc = sinew_error_set(SINEW_INTERNAL, "aggregate query returned no row");
    sn_exec_end(&x);
    return rc;
}

static sinew_type agg_type(sinew_agg fn, const sinew_col *c)
{
    const sinew_field *f = &c->model->fields[c->field];
    if (fn == SINEW_COUNT) return SINEW_INT64;
    if (fn == SINEW_AVG) return SINEW_DOUBLE;
    if (fn == SINEW_SUM && (f->type == SINEW_INT32 || f->type == SINEW_BOOL)) return SINEW_INT64;
    if (c->arith && c->arith_value.type == SINEW_DOUBLE) return SINEW_DOUBLE;
    return f->type;
}

/* SELECT <what> FROM (... the rows ...) or FROM t AS t0 ... WHERE ... */
static int render_over_rows(sinew_query *q, const char *what_prefix, const sinew_col *col, const char *suffix)
{
    sn_q_reset_render(q);
    rctx r = {q, &q->sql, q->s->db->dialect};
    if (needs_subquery(q)) {
        if (col && col->nvia)
            return sinew_error_set(SINEW_UNSUPPORTED, "aggregates over related columns cannot be combined with "
                                   "distinct, limit/offset or to-many filters; aggregate a column of %s", q->model->name);
        sn_buf_puts(&q->sql, what_prefix);
        if (col) {
            sn_buf_puts(&q->sql, "c.");
            sn_sql_ident(&q->sql, r.d, col->model->fields[col->field].column);
            if (col->arith) {
                sn_buf_printf(&q->sql, " %c ", col->arith);
                sn_q_param(&r, &col->arith_value);
            }
        }
        sn_buf_puts(&q->sql, suffix);
        sn_buf_puts(&q->sql, " FROM (");
        sn_buf_puts(&q->sql, (q->distinct || q->to_many) ? "SELECT DISTINCT " : "SELECT ");
        for (size_t i = 0; i < q->model->nfields; i++) {
            if (i) sn_buf_puts(&q->sql, ", ");
            sn_buf_puts(&q->sql, "t0.");
            sn_sql_ident(&q->sql, r.d, q->model->fields[i].column);
        }
        sn_q_from_where(&r, 1);
        /* order only matters for limit/offset; keep it then */
        size_t norder = q->norder;
        if (q->limit < 0 && q->offset < 0) q->norder = 0;
        sn_q_order_limit(&r, 0);
        q->norder = norder;
        sn_buf_puts(&q->sql, ") AS c");
    } else {
        sn_buf_puts(&q->sql, what_prefix);
        if (col) sn_q_col(&r, col);
        sn_buf_puts(&q->sql, suffix);
        sn_q_from_where(&r, 1);
    }
    return q->sql.failed ? sn_nomem() : SINEW_OK;
}

int sinew_query_count(sinew_query *q, int64_t *out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_query_count: out is NULL");
    int rc = q_ungrouped(q, "sinew_query_count");
    if (rc) return rc;
    if ((rc = render_over_rows(q, "SELECT COUNT(*)", NULL, ""))) return rc;
    sinew_value v;
    if ((rc = run_scalar(q, SINEW_INT64, &v))) return rc;
    *out = v.u.i;
    return SINEW_OK;
}

int sinew_query_exists(sinew_query *q, bool *out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_query_exists: out is NULL");
    int rc = q_ungrouped(q, "sinew_query_exists");
    if (rc) return rc;
    if ((rc = sn_q_render_select(q, 1))) return rc;
    sn_exec x;
    if ((rc = start(q, &x, sn_buf_cstr(&q->sql)))) return rc;
    rc = sn_exec_step(&x);
    sn_exec_end(&x);
    if (rc != SINEW_ROW && rc != SINEW_DONE) return rc;
    *out = rc == SINEW_ROW;
    return SINEW_OK;
}

int sinew_aggregate(sinew_query *q, sinew_agg fn, sinew_col c, sinew_value *out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_aggregate: out is NULL");
    int rc = q_ungrouped(q, "sinew_aggregate");
    if (rc) return rc;
    sinew_expr *bad = sn_x_check_col(&c);
    if (bad) {
        rc = sn_q_check_expr(q, bad);
        sinew_expr_free(bad);
        return rc;
    }
    if ((rc = sn_q_check_col(q, &c, "aggregate"))) return rc;
    if (fn < SINEW_COUNT || fn > SINEW_MAX) return sinew_error_set(SINEW_MISUSE, "unknown aggregate %d", (int)fn);
    sinew_type t = c.model->fields[c.field].type;
    if ((fn == SINEW_SUM || fn == SINEW_AVG) && !(t == SINEW_INT32 || t == SINEW_INT64 || t == SINEW_DOUBLE ||
                                                  t == SINEW_DECIMAL || t == SINEW_BOOL))
        return sinew_error_set(SINEW_MISUSE, "%s needs a numeric column; %s.%s is %s", sn_q_agg_name(fn), c.model->name,
                               c.model->fields[c.field].name, sinew_type_name(t));
    char prefix[32];
    snprintf(prefix, sizeof prefix, "SELECT %s(", sn_q_agg_name(fn));
    if ((rc = render_over_rows(q, prefix, &c, ")"))) return rc;
    return run_scalar(q, agg_type(fn, &c), out);
}

/* ---- rows ---- */

struct sinew_rows {
    sinew_query *q;          /* NULL for raw rows */
    sinew_db *db;
    sn_exec x;
    int ncols;
    sinew_type *types;       /* expected type per column, 0 = as stored */
    int done;
    int pending;             /* the first row, stepped to when the rows were opened, not handed out yet */
    sinew_value *raw_params; /* raw: owned copies */
    char *raw_store;
    char *sql;               /* the statement text, owned: the query may render again while rows are open */
};

static void rows_free(sinew_rows *r)
{
    sn_exec_end(&r->x);
    sn_free(r->types);
    sn_free(r->raw_params);
    sn_free(r->raw_store);
    sn_free(r->sql);
    sn_free(r);
}

/*
 * Run the statement now, not at the first sinew_rows_next(): a statement
 * that writes (raw INSERT ... RETURNING, or one without rows) has done so
 * when the rows are open, and an error is the opener's. The first row, if
 * any, is kept for the first sinew_rows_next().
 */
static int rows_run(sinew_rows *r)
{
    int rc = sn_exec_step(&r->x);
    if (rc == SINEW_ROW) r->pending = 1;
    else if (rc == SINEW_DONE) r->done = 1;
    else return rc;
    return SINEW_OK;
}

int sinew_rows_open(sinew_query *q, sinew_rows **out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_rows_open: out is NULL");
    *out = NULL;
    int rc = q_err(q);
    if (rc) return rc;
    if (q->ngroup == 0 && q->naggs == 0)
        return sinew_error_set(SINEW_MISUSE, "sinew_rows_open: the query has no sinew_group_by() or sinew_select_agg(); "
                               "use sinew_all() for objects");
    sinew_rows *r = sn_calloc(1, sizeof *r);
    if (!r) return sn_nomem();
    r->q = q;
    r->db = q->s->db;
    r->ncols = (int)(q->ngroup + q->naggs);
    r->types = sn_calloc((size_t)r->ncols, sizeof *r->types);
    if (!r->types) {
        sn_free(r);
        return sn_nomem();
    }
    int col = 0;
    for (size_t i = 0; i < q->ngroup; i++) r->types[col++] = q->group[i].model->fields[q->group[i].field].type;
    for (size_t i = 0; i < q->naggs; i++) r->types[col++] = agg_type(q->aggs[i].fn, &q->aggs[i].col);
    rc = sn_q_render_grouped(q);
    if (!rc && !(r->sql = sn_strdup(sn_buf_cstr(&q->sql)))) rc = sn_nomem();
    if (!rc) rc = start(q, &r->x, r->sql);
    if (!rc) rc = rows_run(r);
    if (rc) {
        rows_free(r);
        return rc;
    }
    *out = r;
    return SINEW_OK;
}

int sinew_rows_next(sinew_rows *r)
{
    if (!r) return sinew_error_set(SINEW_MISUSE, "sinew_rows_next: rows is NULL");
    if (r->pending) {
        r->pending = 0;
        return SINEW_ROW;
    }
    if (r->done) return SINEW_DONE;
    int rc = sn_exec_step(&r->x);
    if (rc != SINEW_ROW) r->done = 1;
    return rc;
}

int sinew_rows_columns(const sinew_rows *r) { return r ? r->ncols : 0; }

const char *sinew_rows_name(const sinew_rows *r, int col)
{
    if (!r || col < 0 || col >= r->ncols) return NULL;
    return r->x.drv->column_name(r->x.stmt, col);
}

sinew_value sinew_rows_value(const sinew_rows *r, int col)
{
    sinew_value v = sinew_null(SINEW_INT64);
    if (!r || col < 0 || col >= r->ncols || r->done || r->pending) return v;
    const sinew_driver *d = r->x.drv;
    sinew_stmt *st = r->x.stmt;
    sinew_storage s = d->column_storage(st, col);
    sinew_type want = r->types ? r->types[col] : 0;
    size_t len;
    const char *txt;
    switch (s) {
    case SINEW_STORAGE_NULL:
        return sinew_null(want ? want : SINEW_TEXT);
    case SINEW_STORAGE_INT:
        v = sinew_i64(d->column_i64(st, col));
        if (want == SINEW_DOUBLE) v = sinew_f64((double)v.u.i);
        else if (want == SINEW_BOOL || want == SINEW_INT32) v.type = want;
        return v;
    case SINEW_STORAGE_FLOAT:
        v = sinew_f64(d->column_f64(st, col));
        if (want == SINEW_INT64 || want == SINEW_INT32) v = sinew_i64((int64_t)v.u.d);
        return v;
    case SINEW_STORAGE_TEXT:
        txt = d->column_text(st, col, &len);
        if (want == SINEW_INT64 || want == SINEW_INT32) return sinew_i64(strtoll(txt, NULL, 10));
        if (want == SINEW_DOUBLE) return sinew_f64(strtod(txt, NULL));
        if (want == SINEW_TIMESTAMP) {
            int64_t t;
            if (sinew_timestamp_parse(&t, txt, len) == SINEW_OK) return sinew_timestamp(t);
        }
        if (want == SINEW_DATE) {
            int32_t dd;
            if (sinew_date_parse(&dd, txt, len > 10 ? 10 : len) == SINEW_OK) return sinew_date(dd);
        }
        v = sinew_textn(txt, len);
        if (want == SINEW_DECIMAL || want == SINEW_JSON) v.type = want;
        return v;
    case SINEW_STORAGE_BLOB: {
        const void *p = d->column_blob(st, col, &len);
        return sinew_blobv(p, len);
    }
    }
    return v;
}

void sinew_rows_free(sinew_rows *r)
{
    if (r) rows_free(r);
}

/* ---- bulk writes ---- */

static int simple_where(const sinew_query *q)
{
    return q->njoins == 0 && q->limit < 0 && q->offset < 0 && !q->distinct;
}

/* WHERE clause for bulk statements: direct, or "(pk) IN (SELECT t0.pk ...)" when joins or limits are involved */
static void bulk_where(rctx *r)
{
    sinew_query *q = r->q;
    const sinew_model *m = q->model;
    if (simple_where(q)) {
        if (q->where) {
            sn_buf_puts(r->b, " WHERE ");
            sn_q_expr(r, q->where);
        }
        return;
    }
    sn_buf_puts(r->b, " WHERE (");
    for (size_t i = 0; i < m->npk; i++) {
        if (i) sn_buf_puts(r->b, ", ");
        sn_sql_ident(r->b, r->d, m->fields[m->pk[i]].column);
    }
    sn_buf_puts(r->b, ") IN (SELECT ");
    for (size_t i = 0; i < m->npk; i++) {
        if (i) sn_buf_puts(r->b, ", ");
        sn_buf_puts(r->b, "t0.");
        sn_sql_ident(r->b, r->d, m->fields[m->pk[i]].column);
    }
    sn_q_from_where(r, 1);
    sn_q_order_limit(r, 0);
    sn_buf_putc(r->b, ')');
}

static int run_write(sinew_query *q, int64_t *changed)
{
    sn_exec x;
    int rc = start(q, &x, sn_buf_cstr(&q->sql));
    if (rc) return rc;
    rc = sn_exec_step(&x);
    sn_exec_end(&x);
    if (rc == SINEW_DONE) rc = SINEW_OK;
    else if (rc == SINEW_ROW) rc = sinew_error_set(SINEW_INTERNAL, "bulk statement returned rows");
    if (rc == SINEW_OK && changed) *changed = q->s->db->drv->changes(q->s->db->conn);
    return rc;
}

int sinew_query_update(sinew_query *q, const sinew_assign *set, size_t n, int64_t *changed)
{
    int rc = q_ungrouped(q, "sinew_query_update");
    if (!rc) rc = sn_model_writable(q->model, "sinew_query_update");
    if (rc) return rc;
    if (!set || n == 0) return sinew_error_set(SINEW_MISUSE, "sinew_query_update: nothing to set");
    sinew_value *vals = sn_malloc(n * sizeof *vals);
    if (!vals) return sn_nomem();
    for (size_t i = 0; i < n; i++) {
        const sinew_col *c = &set[i].col;
        sinew_expr *bad = sn_x_check_col(c);
        if (!bad && (c->nvia || c->model != q->model || c->arith))
            bad = sn_x_error(SINEW_MISUSE, "sinew_query_update: %s.%s is not a plain column of %s",
                             c->model ? c->model->name : "?", c->model ? c->model->fields[c->field].name : "?",
                             q->model->name);
        if (!bad) {
            if (set[i].value.is_null) {
                if (!(c->model->fields[c->field].flags & SINEW_FIELD_NULLABLE))
                    bad = sn_x_error(SINEW_MISUSE, "sinew_query_update: %s.%s is not nullable", q->model->name,
                                     c->model->fields[c->field].name);
                vals[i] = set[i].value;
            } else {
                bad = sn_x_check_value(c, &set[i].value, &vals[i], "=");
                /* a write: what save would refuse (NaN, a timestamp past 9999, JSON that is not) is refused here */
                if (!bad && sn_check_value(c->model, &c->model->fields[c->field], &vals[i]))
                    bad = sn_x_error(SINEW_TYPE, "sinew_query_update: %s", sinew_errmsg());
            }
        }
        if (bad) {
            rc = sn_q_check_expr(q, bad);
            sinew_expr_free(bad);
            sn_free(vals);
            return rc;
        }
    }
    sn_q_reset_render(q);
    rctx r = {q, &q->sql, q->s->db->dialect};
    sn_buf_puts(&q->sql, "UPDATE ");
    sn_sql_ident(&q->sql, r.d, q->model->table);
    if (simple_where(q)) sn_buf_puts(&q->sql, " AS t0");
    sn_buf_puts(&q->sql, " SET ");
    for (size_t i = 0; i < n; i++) {
        if (i) sn_buf_puts(&q->sql, ", ");
        sn_sql_ident(&q->sql, r.d, q->model->fields[set[i].col.field].column);
        sn_buf_puts(&q->sql, " = ");
        sn_q_param(&r, &vals[i]);
    }
    bulk_where(&r);
    sn_free(vals);
    if (q->sql.failed) return sn_nomem();
    return run_write(q, changed);
}

int sinew_query_delete(sinew_query *q, int64_t *changed)
{
    int rc = q_ungrouped(q, "sinew_query_delete");
    if (!rc) rc = sn_model_writable(q->model, "sinew_query_delete");
    if (rc) return rc;
    sn_q_reset_render(q);
    rctx r = {q, &q->sql, q->s->db->dialect};
    sn_buf_puts(&q->sql, "DELETE FROM ");
    sn_sql_ident(&q->sql, r.d, q->model->table);
    if (simple_where(q)) sn_buf_puts(&q->sql, " AS t0");
    bulk_where(&r);
    if (q->sql.failed) return sn_nomem();
    return run_write(q, changed);
}

/* ---- streaming ---- */

struct sinew_iter {
    sinew_query *q;
    sn_exec x;
    sn_arena arena;           /* strings of the current row only */
    sn_arena_mark mark;       /* empty-arena point every row rolls back to */
    void *row;                /* the one struct every row is hydrated into */
    int done;
};

int sinew_iterate(sinew_query *q, sinew_iter **out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_iterate: out is NULL");
    *out = NULL;
    int rc = q_ungrouped(q, "sinew_iterate");
    if (rc) return rc;
    if (q->model->size == 0)
        return sinew_error_set(SINEW_MISUSE, "sinew_iterate: model %s has no C struct", q->model->name);
    if ((rc = sn_q_render_select(q, 0))) return rc;
    sinew_iter *it = sn_calloc(1, sizeof *it);
    if (!it) return sn_nomem();
    it->row = sn_calloc(1, q->model->size);
    if (!it->row) {
        sn_free(it);
        return sn_nomem();
    }
    /* one chunk is kept for good, so rows that fit in it cost no allocation */
    sn_arena_init(&it->arena, 64 * 1024);
    if (!sn_arena_alloc(&it->arena, 1)) {
        sn_free(it->row);
        sn_free(it);
        return SINEW_NOMEM;
    }
    it->mark = sn_arena_mark_get(&it->arena);
    it->q = q;
    if ((rc = start(q, &it->x, sn_buf_cstr(&q->sql)))) {
        sn_free(it->row);
        sn_free(it);
        return rc;
    }
    if (it->x.drv->stream && (rc = it->x.drv->stream(it->x.stmt))) {
        sn_exec_end(&it->x);
        sn_arena_free(&it->arena);
        sn_free(it->row);
        sn_free(it);
        return rc;
    }
    *out = it;
    return SINEW_OK;
}

int sinew_iter_next(sinew_iter *it, void **obj)
{
    if (!it || !obj) return sinew_error_set(SINEW_MISUSE, "sinew_iter_next: arguments must not be NULL");
    *obj = NULL;
    if (it->done) return SINEW_DONE;
    int rc = sn_exec_step(&it->x);
    if (rc != SINEW_ROW) {
        it->done = 1;
        return rc;
    }
    /* the previous row's strings are dropped before the next row is read */
    sn_arena_reset_to(&it->arena, it->mark);
    memset(it->row, 0, it->q->model->size);
    rc = sn_hydrate_row_borrowed(it->x.drv, it->x.stmt, it->q->model, it->row, &it->arena);
    if (rc) {
        it->done = 1;
        return rc;
    }
    *obj = it->row;
    return SINEW_ROW;
}

void sinew_iter_free(sinew_iter *it)
{
    if (!it) return;
    sn_exec_end(&it->x);
    sn_arena_free(&it->arena);
    sn_free(it->row);
    sn_free(it);
}

/* ---- raw SQL ---- */

/*
 * The text raw SQL runs as: `?` placeholders rewritten for the dialect
 * (into *sql_out, an owned copy either way), and their number checked
 * against the parameters before anything reaches the database.
 */
static int raw_prepare_text(sinew_session *s, const char *sql, size_t n, char **sql_out)
{
    *sql_out = NULL;
    sn_buf b;
    sn_buf_init(&b);
    int count;
    int rc = sn_sql_placeholders(&b, s->db->dialect, sql, &count);
    if (rc == SINEW_NOMEM) rc = sn_nomem();
    if (!rc && count >= 0 && (size_t)count != n)
        rc = sinew_error_set(SINEW_MISUSE, "raw SQL takes %d parameter%s but %zu %s given: one value per "
                             "placeholder (a literal ?, such as PostgreSQL's jsonb operator, is written ?\?) in: %.200s",
                             count, count == 1 ? "" : "s", n, n == 1 ? "was" : "were", sql);
    if (!rc && !(*sql_out = sn_strdup(b.len ? sn_buf_cstr(&b) : sql))) rc = sn_nomem();
    sn_buf_free(&b);
    return rc;
}

static int raw_start(sinew_session *s, sn_exec *x, const char *sql, const sinew_value *params, size_t n,
                     char **sql_out)
{
    *sql_out = NULL;
    if (!s || !sql) return sinew_error_set(SINEW_MISUSE, "raw SQL: session and sql must not be NULL");
    if (n && !params) return sinew_error_set(SINEW_MISUSE, "raw SQL: %zu parameters but params is NULL", n);
    int rc = raw_prepare_text(s, sql, n, sql_out);
    if (rc) return rc;
    rc = sn_exec_start(x, s->db, *sql_out);
    for (size_t i = 0; i < n && rc == SINEW_OK; i++) rc = sn_exec_bind(x, (int)i, &params[i]);
    if (rc) {
        sn_exec_end(x);
        sn_free(*sql_out);
        *sql_out = NULL;
    }
    return rc;
}

int sinew_raw_all(sinew_session *s, const sinew_model *m, const char *sql, const sinew_value *params,
                  size_t nparams, sinew_list *out)
{
    if (!out || !m) return sinew_error_set(SINEW_MISUSE, "sinew_raw_all: model and out must not be NULL");
    out->items = NULL;
    out->count = 0;
    if (m->nfields > SN_MAX_FIELDS)
        return sinew_error_set(SINEW_UNSUPPORTED, "model %s has %zu fields; sinew supports up to %d per model",
                               m->name, m->nfields, SN_MAX_FIELDS);
    sn_exec x;
    char *text;
    int rc = raw_start(s, &x, sql, params, nparams, &text);
    if (rc) return rc;
    int colmap[SN_MAX_FIELDS];
    for (size_t i = 0; i < m->nfields; i++) colmap[i] = -1;
    int ncols = x.drv->column_count(x.stmt);
    for (int c = 0; c < ncols; c++) {
        int f = sinew_model_column_index(m, x.drv->column_name(x.stmt, c));
        if (f >= 0) colmap[f] = c;
    }
    for (size_t k = 0; k < m->npk; k++)
        if (colmap[m->pk[k]] < 0) {
            sn_exec_end(&x);
            sn_free(text);
            return sinew_error_set(SINEW_MISUSE, "sinew_raw_all: the result has no column '%s' (key of %s); "
                                   "select every key column", m->fields[m->pk[k]].column, m->name);
        }
    void **vec = NULL;
    size_t n = 0, cap = 0;
    while ((rc = sn_exec_step(&x)) == SINEW_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            void **nv = sn_realloc(vec, cap * sizeof *nv);
            if (!nv) {
                rc = sn_nomem();
                break;
            }
            vec = nv;
        }
        int was = s->load_readonly;   /* raw SQL loads track */
        s->load_readonly = 0;
        rc = sn_session_materialize(s, &x, m, colmap, &vec[n]);
        s->load_readonly = was;
        if (rc) break;
        n++;
    }
    sn_exec_end(&x);
    sn_free(text);
    if (rc == SINEW_DONE) {
        rc = SINEW_OK;
        if (n) {
            out->items = sn_arena_alloc(&s->arena, n * sizeof *out->items);
            if (!out->items) rc = SINEW_NOMEM;
            else {
                memcpy(out->items, vec, n * sizeof *vec);
                out->count = n;
            }
        }
    }
    sn_free(vec);
    return rc;
}

int sinew_raw_rows(sinew_session *s, const char *sql, const sinew_value *params, size_t nparams, sinew_rows **out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_raw_rows: out is NULL");
    *out = NULL;
    sinew_rows *r = sn_calloc(1, sizeof *r);
    if (!r) return sn_nomem();
    /* keep copies: the caller's parameters and SQL stay the caller's */
    int rc = sn_value_copy(params, nparams, &r->raw_params, &r->raw_store);
    if (!rc) rc = raw_start(s, &r->x, sql, r->raw_params, nparams, &r->sql);
    if (!rc) rc = rows_run(r);
    if (rc) {
        rows_free(r);
        return rc;
    }
    r->db = s->db;
    r->ncols = r->x.drv->column_count(r->x.stmt);
    *out = r;
    return SINEW_OK;
}
