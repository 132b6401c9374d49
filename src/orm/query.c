/*
 * query.c - the query object: collecting filters, order, paging and
 * grouping into the statement's description (sn_select, sql/ir.h), checking
 * that every column belongs to the queried model or is reached through its
 * relations (adding the joins and giving each column its table alias).
 * src/sql renders the description; nothing here writes SQL.
 */
#include <stdio.h>
#include <string.h>
#include "query_int.h"
#include "sinew/relations.h"

sinew_query *sinew_query_new(sinew_session *s, const sinew_model *m)
{
    if (!s || !m) {
        sinew_error_set(SINEW_MISUSE, "sinew_query_new: session and model must not be NULL");
        return NULL;
    }
    sinew_query *q = sn_calloc(1, sizeof *q);
    if (!q) {
        sn_nomem();
        return NULL;
    }
    q->s = s;
    q->model = m;
    q->sel.model = m;
    q->sel.limit = q->sel.offset = -1;
    sn_sql_out_init(&q->out);
    if (m->npk == 0 && !(m->flags & SINEW_MODEL_READONLY)) {
        sinew_error_set(SINEW_MISUSE, "model %s has no primary key: queries need one", m->name);
        sn_q_fail(q, SINEW_MISUSE);
    } else if (sn_sql_schema_refused(s->db->dialect, m)) {   /* @@schema on SQLite (error set) */
        sn_q_fail(q, SINEW_UNSUPPORTED);
    }
    return q;
}

void sinew_query_free(sinew_query *q)
{
    if (!q) return;
    sinew_expr_free(q->sel.where);
    sinew_expr_free(q->sel.after);
    for (size_t i = 0; i < q->sel.nhaving; i++) sn_free(q->having_store[i]);
    for (size_t i = 0; i < q->sel.nann; i++) sinew_expr_free(q->sel.ann[i].where);
    sinew_expr_free(q->sel.closure_start);
    sinew_query_free(q->other);
    sn_free(q->ann_vals);
    sn_sql_out_free(&q->out);
    sn_free(q);
}

int sn_q_fail(sinew_query *q, int rc)
{
    if (!q->err) {
        q->err = rc;
        q->errdetail = *sinew_last_error();
    }
    return rc;
}

/* re-raise the sticky error so sinew_errmsg() shows it */
static int q_error(sinew_query *q)
{
    *sn_error_mut() = q->errdetail;
    return q->err;
}

#define CHECK_Q(q)                                                                   \
    do {                                                                             \
        if (!(q)) return sinew_error_set(SINEW_MISUSE, "query is NULL (out of memory when it was made?)"); \
        if ((q)->err) return q_error(q);                                             \
    } while (0)

static int rel_of(const sinew_model *m, const sinew_relation *r)
{
    return m && r >= m->relations && r < m->relations + m->nrelations;
}

/* The column must belong to the queried model, or be reached from it through relations. */
int sn_q_check_col(sinew_query *q, const sinew_col *c, const char *what, int *alias)
{
    *alias = 0;
    /* the field itself first (index in range, arithmetic sane), as the expression constructors do */
    sinew_expr *bad = sn_x_check_col(c);
    if (bad) {
        int rc = sn_q_check_expr(q, bad);
        sinew_expr_free(bad);
        return rc;
    }
    if (c->json_type) {
        int rc = sn_q_json_supported(q, c, NULL);
        if (rc) return rc;
    }
    const sinew_model *at = q->model;
    for (int i = 0; i < c->nvia; i++) {
        if (!rel_of(at, c->via[i]))
            return sinew_error_set(SINEW_MISUSE, "%s: relation '%s' is not a relation of %s", what,
                                   c->via[i] ? c->via[i]->name : "NULL", at->name);
        at = c->via[i]->target;
    }
    if (c->model != at) {
        const char *f = c->model && c->field < c->model->nfields
                            ? c->model->fields[c->field].name : "?";
        if (c->nvia == 0)
            return sinew_error_set(SINEW_MISUSE, "%s: column %s.%s is not a column of %s; reach it through a "
                                   "relation with sinew_via(<relation of %s>, column)", what,
                                   c->model ? c->model->name : "?", f, q->model->name, q->model->name);
        return sinew_error_set(SINEW_MISUSE, "%s: column %s.%s is not a column of %s, where the relation path ends",
                               what, c->model ? c->model->name : "?", f, at->name);
    }
    /* register the joins for every prefix of the path (a parent before its child) */
    int parent = 0;
    for (int n = 1; n <= c->nvia; n++) {
        size_t j;
        for (j = 0; j < q->sel.njoins; j++)
            if (q->joins[j].n == n && memcmp(q->joins[j].path, c->via, (size_t)n * sizeof c->via[0]) == 0) break;
        if (j == q->sel.njoins) {
            if (q->sel.njoins == Q_MAX)
                return sinew_error_set(SINEW_UNSUPPORTED, "%s: more than %d joins in one query", what, Q_MAX);
            q_join *jp = &q->joins[j];
            memcpy(jp->path, c->via, (size_t)n * sizeof c->via[0]);
            jp->n = n;
            sn_ir_join *jn = &q->sel.joins[j];
            jn->rel = c->via[n - 1];
            jn->from = n == 1 ? q->model : c->via[n - 2]->target;
            jn->parent = parent;
            jn->alias = (int)j + 1;
            sinew_rel_kind k = jn->rel->kind;
            if (k == SINEW_HAS_MANY || k == SINEW_MANY_TO_MANY) q->sel.to_many = 1;
            q->sel.njoins++;
        }
        parent = q->sel.joins[j].alias;
    }
    *alias = parent;
    return SINEW_OK;
}

int sn_q_json_supported(sinew_query *q, const sinew_col *c, const sinew_expr *e)
{
    const sinew_dialect *d = q->s->db->dialect;
    if (c && c->json_type && !sn_sql_json_template(d, c->json_type))
        return sinew_error_set(SINEW_UNSUPPORTED, "sinew_json_path on %s.%s: the %s dialect reads no values inside "
                               "json columns (its driver predates interface version 8)", c->model->name,
                               c->model->fields[c->field].name, d->name ? d->name : "database's");
    if (e && e->kind == X_JSONHAS && !d->json_contains)
        return sinew_error_set(SINEW_UNSUPPORTED, "sinew_json_contains on %s.%s: %s", e->a.model->name,
                               e->a.model->fields[e->a.field].name,
                               d->json_contains_alternative ? d->json_contains_alternative
                                                            : "this database has no JSON containment test");
    return SINEW_OK;
}

int sn_q_check_expr(sinew_query *q, sinew_expr *e)
{
    if (!e) return SINEW_OK;
    int rc;
    switch (e->kind) {
    case X_ERROR:
        if (e->errmsg) return sinew_error_set(e->err, "%s", e->errmsg);
        return e->err == SINEW_NOMEM ? sn_nomem() : sinew_error_set(e->err, "invalid expression");
    case X_AND: case X_OR:
        if ((rc = sn_q_check_expr(q, e->l))) return rc;
        return sn_q_check_expr(q, e->r);
    case X_NOT:
        return sn_q_check_expr(q, e->l);
    case X_CMPCOL:
        if ((rc = sn_q_check_col(q, &e->a, "filter", &e->alias_a))) return rc;
        return sn_q_check_col(q, &e->b, "filter", &e->alias_b);
    case X_EXISTS: case X_CMPSUB:
        return sn_q_check_sub(q, e, q->model, 0);
    case X_JSONHAS:
        if ((rc = sn_q_json_supported(q, NULL, e))) return rc;
        return sn_q_check_col(q, &e->a, "filter", &e->alias_a);
    case X_INSUB:
        if (e->sub->err) {
            *sn_error_mut() = e->sub->errdetail;
            return e->sub->err;
        }
        if (e->sub->sel.closure)
            return sinew_error_set(SINEW_UNSUPPORTED, "sinew_in_query: the subquery over %s has a closure "
                                   "(sinew_closure), which only a query of its own can hold", e->sub->model->name);
        e->subsel = &e->sub->sel;
        return sn_q_check_col(q, &e->a, "filter", &e->alias_a);
    default:
        return sn_q_check_col(q, &e->a, "filter", &e->alias_a);
    }
}

static int add_filter(sinew_query *q, sinew_expr *e, int negate)
{
    if (!q) {
        sinew_expr_free(e);
        return sinew_error_set(SINEW_MISUSE, "query is NULL");
    }
    if (q->err) {
        sinew_expr_free(e);
        return q_error(q);
    }
    if (!e) return sn_q_fail(q, sinew_error_set(SINEW_MISUSE, "filter expression is NULL"));
    int rc = sn_q_check_expr(q, e);
    if (rc) {
        sinew_expr_free(e);
        return sn_q_fail(q, rc);
    }
    if (negate) e = sinew_not(e);
    q->sel.where = q->sel.where ? sinew_and(q->sel.where, e) : e;
    if (q->sel.where->kind == X_ERROR) return sn_q_fail(q, sn_q_check_expr(q, q->sel.where));
    return SINEW_OK;
}

int sinew_where(sinew_query *q, sinew_expr *e) { return add_filter(q, e, 0); }
int sinew_exclude(sinew_query *q, sinew_expr *e) { return add_filter(q, e, 1); }

int sinew_order_nulls(sinew_query *q, sinew_col c, sinew_dir dir, sinew_nulls nulls)
{
    CHECK_Q(q);
    int alias;
    int rc = sn_q_check_col(q, &c, "order", &alias);
    if (rc) return sn_q_fail(q, rc);
    if (q->sel.norder == Q_MAX) return sn_q_fail(q, sinew_error_set(SINEW_UNSUPPORTED, "more than %d order keys in one query", Q_MAX));
    sn_ir_order *o = &q->sel.order[q->sel.norder++];
    o->key.col = c;
    o->key.alias = alias;
    o->dir = dir;
    o->nulls = nulls;
    return SINEW_OK;
}

int sinew_order(sinew_query *q, sinew_col c, sinew_dir dir) { return sinew_order_nulls(q, c, dir, SINEW_NULLS_DEFAULT); }

int sinew_limit(sinew_query *q, int64_t n)
{
    CHECK_Q(q);
    if (n < 0) return sn_q_fail(q, sinew_error_set(SINEW_MISUSE, "sinew_limit: %lld is negative", (long long)n));
    q->sel.limit = n;
    return SINEW_OK;
}

int sinew_offset(sinew_query *q, int64_t n)
{
    CHECK_Q(q);
    if (n < 0) return sn_q_fail(q, sinew_error_set(SINEW_MISUSE, "sinew_offset: %lld is negative", (long long)n));
    q->sel.offset = n;
    return SINEW_OK;
}

int sinew_distinct(sinew_query *q)
{
    CHECK_Q(q);
    q->sel.distinct = 1;
    return SINEW_OK;
}

int sinew_readonly(sinew_query *q)
{
    CHECK_Q(q);
    q->readonly = 1;
    return SINEW_OK;
}

/* ---- keyset pagination ---- */

int sinew_after(sinew_query *q, const void *last)
{
    CHECK_Q(q);
    if (!last) return sn_q_fail(q, sinew_error_set(SINEW_MISUSE, "sinew_after: object is NULL"));
    if (!q->model->npk)
        return sn_q_fail(q, sinew_error_set(SINEW_MISUSE, "sinew_after: %s has no primary key (@@readonly): keyset "
                                            "pages need one; page with sinew_limit and sinew_offset", q->model->name));
    if (!sn_sql_select_has_pk_order(&q->sel))
        for (size_t k = 0; k < q->model->npk; k++) {
            int rc = sinew_order(q, sinew_column(q->model, (int)q->model->pk[k]), SINEW_ASC);
            if (rc) return rc;
        }
    /* (k1 > v1) OR (k1 = v1 AND k2 > v2) OR ... with < for descending keys */
    sinew_expr *all = NULL;
    for (size_t i = 0; i < q->sel.norder; i++) {
        const sn_ir_order *o = &q->sel.order[i];
        if (o->key.col.nvia || o->key.col.arith || o->key.col.json_type)
            return sn_q_fail(q, sinew_error_set(SINEW_MISUSE, "sinew_after: keyset pagination needs order keys "
                                                "that are plain columns of %s (not a relation path, arithmetic or a "
                                                "JSON path)", q->model->name));
        const sinew_field *f = &q->model->fields[o->key.col.field];
        const sn_obj *lo = SN_OBJ_OF(last);
        if (sn_arena_owns(&q->s->arena, lo) && lo->magic == SN_OBJ_MAGIC && ((sn_obj_absent(lo) >> o->key.col.field) & 1))
            return sn_q_fail(q, sn_absent_refused(lo, 1ull << o->key.col.field, "sinew_after",
                                                          "it is an order key of the page"));
        sinew_value v = sn_field_value(f, last);
        if (v.is_null)
            return sn_q_fail(q, sinew_error_set(SINEW_UNSUPPORTED, "sinew_after: order key %s is NULL in the last "
                                                "row; keyset pagination needs non-NULL keys", f->name));
        sinew_expr *term = sinew_cmp(o->key.col, o->dir == SINEW_DESC ? SINEW_LT : SINEW_GT, v);
        for (size_t j = i; j-- > 0;) {
            sinew_value pv = sn_field_value(&q->model->fields[q->sel.order[j].key.col.field], last);
            term = sinew_and(sinew_eq(q->sel.order[j].key.col, pv), term);
        }
        all = all ? sinew_or(all, term) : term;
    }
    int rc = sn_q_check_expr(q, all);
    if (rc) {
        sinew_expr_free(all);
        return sn_q_fail(q, rc);
    }
    sinew_expr_free(q->sel.after);
    q->sel.after = all;
    return SINEW_OK;
}

/* ---- grouping ---- */

int sinew_group_by(sinew_query *q, sinew_col c)
{
    CHECK_Q(q);
    int alias;
    int rc = sn_q_check_col(q, &c, "group by", &alias);
    if (rc) return sn_q_fail(q, rc);
    if (q->sel.ngroup == Q_MAX) return sn_q_fail(q, sinew_error_set(SINEW_UNSUPPORTED, "more than %d group keys in one query", Q_MAX));
    q->sel.group[q->sel.ngroup].col = c;
    q->sel.group[q->sel.ngroup++].alias = alias;
    return SINEW_OK;
}

int sinew_select_agg(sinew_query *q, sinew_agg fn, sinew_col c)
{
    CHECK_Q(q);
    int alias;
    int rc = sn_q_check_col(q, &c, "aggregate", &alias);
    if (rc) return sn_q_fail(q, rc);
    if (fn < SINEW_COUNT || fn > SINEW_MAX) return sn_q_fail(q, sinew_error_set(SINEW_MISUSE, "unknown aggregate %d", (int)fn));
    if (q->sel.naggs == Q_MAX) return sn_q_fail(q, sinew_error_set(SINEW_UNSUPPORTED, "more than %d aggregates in one query", Q_MAX));
    sn_ir_agg *a = &q->sel.aggs[q->sel.naggs++];
    a->fn = fn;
    a->arg.col = c;
    a->arg.alias = alias;
    return SINEW_OK;
}

int sinew_having(sinew_query *q, sinew_agg fn, sinew_col c, sinew_op op, sinew_value v)
{
    CHECK_Q(q);
    int alias;
    int rc = sn_q_check_col(q, &c, "having", &alias);
    if (rc) return sn_q_fail(q, rc);
    if (q->sel.nhaving == Q_MAX) return sn_q_fail(q, sinew_error_set(SINEW_UNSUPPORTED, "more than %d HAVING terms in one query", Q_MAX));
    if (v.is_null) return sn_q_fail(q, sinew_error_set(SINEW_MISUSE, "having: comparing with NULL never matches"));
    sn_ir_having *h = &q->sel.having[q->sel.nhaving];
    sinew_value *copy;
    if ((rc = sn_value_copy(&v, 1, &copy, &q->having_store[q->sel.nhaving]))) return sn_q_fail(q, rc);
    h->v = copy[0];
    sn_free(copy);
    h->agg.fn = fn;
    h->agg.arg.col = c;
    h->agg.arg.alias = alias;
    h->op = op;
    q->sel.nhaving++;
    return SINEW_OK;
}

/* ---- rendering (by src/sql, from the description) ---- */

int sn_q_render_select(sinew_query *q, int extra_limit)
{
    int rc = sn_q_combined_check(q, "query");
    if (rc) return rc;
    return sn_sql_select_objects(&q->out, q->s->db->dialect, &q->sel, extra_limit) ? sn_nomem() : SINEW_OK;
}

int sn_q_render_grouped(sinew_query *q)
{
    int rc = sn_q_combined_check(q, "rows query");
    if (rc) return rc;
    return sn_sql_select_grouped(&q->out, q->s->db->dialect, &q->sel) ? sn_nomem() : SINEW_OK;
}

const char *sinew_query_sql(sinew_query *q)
{
    if (!q) {
        sinew_error_set(SINEW_MISUSE, "query is NULL");
        return NULL;
    }
    if (q->err) {
        q_error(q);
        return NULL;
    }
    /* what the query runs: sinew_rows_open()'s statement when it is grouped */
    if ((q->sel.ngroup || q->sel.naggs || q->sel.nvals) ? sn_q_render_grouped(q) : sn_q_render_select(q, 0)) return NULL;
    return sn_buf_cstr(&q->out.sql);
}

size_t sinew_query_nparams(sinew_query *q) { return q ? q->out.nparams : 0; }
const sinew_value *sinew_query_params(sinew_query *q) { return q ? q->out.params : NULL; }

/* ---- eager loading ---- */

/* the description's JOIN-loaded relations: the first-level to-one prefetches marked for JOIN */
static void sync_eager(sinew_query *q)
{
    q->sel.neager = 0;
    for (size_t k = 0; k < q->nprefetch; k++)
        if (q->prefetch[k].join) {
            sn_ir_eager *e = &q->sel.eager[q->sel.neager++];
            e->rel = q->prefetch[k].path[0];
            e->tag = (int)k;
        }
}

int sinew_prefetch_path(sinew_query *q, const sinew_relation *const *path, size_t n)
{
    CHECK_Q(q);
    if (!path || n == 0 || n > SINEW_MAX_PATH)
        return sn_q_fail(q, sinew_error_set(SINEW_MISUSE, "sinew_prefetch_path: give 1 to %d relations", SINEW_MAX_PATH));
    const sinew_model *at = q->model;
    for (size_t i = 0; i < n; i++) {
        if (!rel_of(at, path[i]))
            return sn_q_fail(q, sinew_error_set(SINEW_MISUSE, "sinew_prefetch: '%s' is not a relation of %s",
                                                path[i] ? path[i]->name : "NULL", at->name));
        at = path[i]->target;
    }
    for (size_t k = 0; k < q->nprefetch; k++)   /* the same path twice is loaded once */
        if (q->prefetch[k].n == (int)n && memcmp(q->prefetch[k].path, path, n * sizeof *path) == 0) return SINEW_OK;
    if (q->nprefetch == Q_MAX) return sn_q_fail(q, sinew_error_set(SINEW_UNSUPPORTED, "more than %d prefetches", Q_MAX));
    q_prefetch *p = &q->prefetch[q->nprefetch++];
    memset(p, 0, sizeof *p);
    memcpy(p->path, path, n * sizeof *path);
    p->n = (int)n;
    p->join = n == 1 && path[0]->kind == SINEW_BELONGS_TO;
    sync_eager(q);
    return SINEW_OK;
}

int sinew_prefetch_with(sinew_query *q, const sinew_relation *rel, sinew_eager strategy)
{
    int rc = sinew_prefetch_path(q, &rel, 1);
    if (rc) return rc;
    q_prefetch *p = NULL;
    for (size_t k = 0; k < q->nprefetch; k++)
        if (q->prefetch[k].n == 1 && q->prefetch[k].path[0] == rel) p = &q->prefetch[k];
    if (strategy == SINEW_EAGER_JOIN && rel->kind != SINEW_BELONGS_TO)
        return sn_q_fail(q, sinew_error_set(SINEW_UNSUPPORTED, "sinew_prefetch_with: JOIN loading is for to-one "
                                            "relations that hold the key; %s is not one (use SINEW_EAGER_SELECT)", rel->name));
    if (p) p->join = strategy == SINEW_EAGER_SELECT ? 0 : rel->kind == SINEW_BELONGS_TO;
    sync_eager(q);
    return SINEW_OK;
}

int sinew_prefetch(sinew_query *q, const sinew_relation *rel) { return sinew_prefetch_path(q, &rel, 1); }
