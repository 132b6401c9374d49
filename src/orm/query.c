/*
 * query.c - the query object: collecting filters, order, paging and
 * grouping, checking that every column belongs to the queried model or is
 * reached through its relations (adding the joins itself), and rendering
 * the SELECT with placeholders and a parameter list.
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
    q->limit = q->offset = -1;
    sn_buf_init(&q->sql);
    if (m->npk == 0 && !(m->flags & SINEW_MODEL_READONLY)) {
        sinew_error_set(SINEW_MISUSE, "model %s has no primary key: queries need one", m->name);
        sn_q_fail(q, SINEW_MISUSE);
    }
    return q;
}

void sinew_query_free(sinew_query *q)
{
    if (!q) return;
    sinew_expr_free(q->where);
    sinew_expr_free(q->after);
    for (size_t i = 0; i < q->nhaving; i++) sn_free(q->having[i].store);
    sn_buf_free(&q->sql);
    sn_free(q->params);
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
int sn_q_check_col(sinew_query *q, const sinew_col *c, const char *what)
{
    /* the field itself first (index in range, arithmetic sane), as the expression constructors do */
    sinew_expr *bad = sn_x_check_col(c);
    if (bad) {
        int rc = sn_q_check_expr(q, bad);
        sinew_expr_free(bad);
        return rc;
    }
    const sinew_model *at = q->model;
    for (int i = 0; i < c->nvia; i++) {
        if (!rel_of(at, c->via[i]))
            return sinew_error_set(SINEW_MISUSE, "%s: relation '%s' is not a relation of %s", what,
                                   c->via[i] ? c->via[i]->name : "NULL", at->name);
        at = c->via[i]->target;
    }
    if (c->model != at) {
        const char *f = c->model && c->field >= 0 && (size_t)c->field < c->model->nfields
                            ? c->model->fields[c->field].name : "?";
        if (c->nvia == 0)
            return sinew_error_set(SINEW_MISUSE, "%s: column %s.%s is not a column of %s; reach it through a "
                                   "relation with sinew_via(<relation of %s>, column)", what,
                                   c->model ? c->model->name : "?", f, q->model->name, q->model->name);
        return sinew_error_set(SINEW_MISUSE, "%s: column %s.%s is not a column of %s, where the relation path ends",
                               what, c->model ? c->model->name : "?", f, at->name);
    }
    /* register the joins for every prefix of the path */
    for (int n = 1; n <= c->nvia; n++) {
        size_t j;
        for (j = 0; j < q->njoins; j++)
            if (q->joins[j].n == n && memcmp(q->joins[j].path, c->via, (size_t)n * sizeof c->via[0]) == 0) break;
        if (j < q->njoins) continue;
        if (q->njoins == Q_MAX)
            return sinew_error_set(SINEW_UNSUPPORTED, "%s: more than %d joins in one query", what, Q_MAX);
        q_join *jn = &q->joins[q->njoins++];
        memcpy(jn->path, c->via, (size_t)n * sizeof c->via[0]);
        jn->n = n;
        jn->alias = (int)q->njoins;
        sinew_rel_kind k = c->via[n - 1]->kind;
        jn->to_many = k == SINEW_HAS_MANY || k == SINEW_MANY_TO_MANY;
        if (jn->to_many) q->to_many = 1;
    }
    return SINEW_OK;
}

int sn_q_check_expr(sinew_query *q, const sinew_expr *e)
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
        if ((rc = sn_q_check_col(q, &e->a, "filter"))) return rc;
        return sn_q_check_col(q, &e->b, "filter");
    case X_INSUB:
        if (e->sub->err) {
            *sn_error_mut() = e->sub->errdetail;
            return e->sub->err;
        }
        return sn_q_check_col(q, &e->a, "filter");
    default:
        return sn_q_check_col(q, &e->a, "filter");
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
    q->where = q->where ? sinew_and(q->where, e) : e;
    if (q->where->kind == X_ERROR) return sn_q_fail(q, sn_q_check_expr(q, q->where));
    return SINEW_OK;
}

int sinew_where(sinew_query *q, sinew_expr *e) { return add_filter(q, e, 0); }
int sinew_exclude(sinew_query *q, sinew_expr *e) { return add_filter(q, e, 1); }

int sinew_order_nulls(sinew_query *q, sinew_col c, sinew_dir dir, sinew_nulls nulls)
{
    CHECK_Q(q);
    int rc = sn_q_check_col(q, &c, "order");
    if (rc) return sn_q_fail(q, rc);
    if (q->norder == Q_MAX) return sn_q_fail(q, sinew_error_set(SINEW_UNSUPPORTED, "more than %d order keys in one query", Q_MAX));
    q->order[q->norder].col = c;
    q->order[q->norder].dir = dir;
    q->order[q->norder].nulls = nulls;
    q->norder++;
    return SINEW_OK;
}

int sinew_order(sinew_query *q, sinew_col c, sinew_dir dir) { return sinew_order_nulls(q, c, dir, SINEW_NULLS_DEFAULT); }

int sinew_limit(sinew_query *q, int64_t n)
{
    CHECK_Q(q);
    if (n < 0) return sn_q_fail(q, sinew_error_set(SINEW_MISUSE, "sinew_limit: %lld is negative", (long long)n));
    q->limit = n;
    return SINEW_OK;
}

int sinew_offset(sinew_query *q, int64_t n)
{
    CHECK_Q(q);
    if (n < 0) return sn_q_fail(q, sinew_error_set(SINEW_MISUSE, "sinew_offset: %lld is negative", (long long)n));
    q->offset = n;
    return SINEW_OK;
}

int sinew_distinct(sinew_query *q)
{
    CHECK_Q(q);
    q->distinct = 1;
    return SINEW_OK;
}

int sinew_readonly(sinew_query *q)
{
    CHECK_Q(q);
    q->readonly = 1;
    return SINEW_OK;
}

/* ---- keyset pagination ---- */

int sn_q_has_pk_order(const sinew_query *q)
{
    for (size_t k = 0; k < q->model->npk; k++) {
        int found = 0;
        for (size_t i = 0; i < q->norder; i++)
            if (q->order[i].col.nvia == 0 && q->order[i].col.model == q->model &&
                (unsigned)q->order[i].col.field == q->model->pk[k])
                found = 1;
        if (!found) return 0;
    }
    return 1;
}

int sinew_after(sinew_query *q, const void *last)
{
    CHECK_Q(q);
    if (!last) return sn_q_fail(q, sinew_error_set(SINEW_MISUSE, "sinew_after: object is NULL"));
    if (!q->model->npk)
        return sn_q_fail(q, sinew_error_set(SINEW_MISUSE, "sinew_after: %s has no primary key (@@readonly): keyset "
                                            "pages need one; page with sinew_limit and sinew_offset", q->model->name));
    if (!sn_q_has_pk_order(q))
        for (size_t k = 0; k < q->model->npk; k++) {
            int rc = sinew_order(q, sinew_column(q->model, (int)q->model->pk[k]), SINEW_ASC);
            if (rc) return rc;
        }
    /* (k1 > v1) OR (k1 = v1 AND k2 > v2) OR ... with < for descending keys */
    sinew_expr *all = NULL;
    for (size_t i = 0; i < q->norder; i++) {
        const q_order *o = &q->order[i];
        if (o->col.nvia || o->col.arith)
            return sn_q_fail(q, sinew_error_set(SINEW_MISUSE, "sinew_after: keyset pagination needs order keys "
                                                "that are plain columns of %s", q->model->name));
        const sinew_field *f = &q->model->fields[o->col.field];
        sinew_value v = sn_field_value(f, last);
        if (v.is_null)
            return sn_q_fail(q, sinew_error_set(SINEW_UNSUPPORTED, "sinew_after: order key %s is NULL in the last "
                                                "row; keyset pagination needs non-NULL keys", f->name));
        sinew_expr *term = sinew_cmp(o->col, o->dir == SINEW_DESC ? SINEW_LT : SINEW_GT, v);
        for (size_t j = i; j-- > 0;) {
            sinew_value pv = sn_field_value(&q->model->fields[q->order[j].col.field], last);
            term = sinew_and(sinew_eq(q->order[j].col, pv), term);
        }
        all = all ? sinew_or(all, term) : term;
    }
    int rc = sn_q_check_expr(q, all);
    if (rc) {
        sinew_expr_free(all);
        return sn_q_fail(q, rc);
    }
    sinew_expr_free(q->after);
    q->after = all;
    return SINEW_OK;
}

/* ---- grouping ---- */

int sinew_group_by(sinew_query *q, sinew_col c)
{
    CHECK_Q(q);
    int rc = sn_q_check_col(q, &c, "group by");
    if (rc) return sn_q_fail(q, rc);
    if (q->ngroup == Q_MAX) return sn_q_fail(q, sinew_error_set(SINEW_UNSUPPORTED, "more than %d group keys in one query", Q_MAX));
    q->group[q->ngroup++] = c;
    return SINEW_OK;
}

int sinew_select_agg(sinew_query *q, sinew_agg fn, sinew_col c)
{
    CHECK_Q(q);
    int rc = sn_q_check_col(q, &c, "aggregate");
    if (rc) return sn_q_fail(q, rc);
    if (fn < SINEW_COUNT || fn > SINEW_MAX) return sn_q_fail(q, sinew_error_set(SINEW_MISUSE, "unknown aggregate %d", (int)fn));
    if (q->naggs == Q_MAX) return sn_q_fail(q, sinew_error_set(SINEW_UNSUPPORTED, "more than %d aggregates in one query", Q_MAX));
    q->aggs[q->naggs].fn = fn;
    q->aggs[q->naggs].col = c;
    q->naggs++;
    return SINEW_OK;
}

int sinew_having(sinew_query *q, sinew_agg fn, sinew_col c, sinew_op op, sinew_value v)
{
    CHECK_Q(q);
    int rc = sn_q_check_col(q, &c, "having");
    if (rc) return sn_q_fail(q, rc);
    if (q->nhaving == Q_MAX) return sn_q_fail(q, sinew_error_set(SINEW_UNSUPPORTED, "more than %d HAVING terms in one query", Q_MAX));
    if (v.is_null) return sn_q_fail(q, sinew_error_set(SINEW_MISUSE, "having: comparing with NULL never matches"));
    q_having *h = &q->having[q->nhaving];
    sinew_value *copy;
    if ((rc = sn_value_copy(&v, 1, &copy, &h->store))) return sn_q_fail(q, rc);
    h->v = copy[0];
    sn_free(copy);
    h->agg.fn = fn;
    h->agg.col = c;
    h->op = op;
    q->nhaving++;
    return SINEW_OK;
}

/* ---- rendering ---- */

void sn_q_reset_render(sinew_query *q)
{
    sn_buf_clear(&q->sql);
    q->nparams = 0;
}

int sn_q_param(rctx *r, const sinew_value *v)
{
    sinew_query *q = r->q;
    if (q->nparams == q->capparams) {
        size_t cap = q->capparams ? q->capparams * 2 : 16;
        sinew_value *p = sn_realloc(q->params, cap * sizeof *p);
        if (!p) {
            r->b->failed = 1;
            return SINEW_NOMEM;
        }
        q->params = p;
        q->capparams = cap;
    }
    q->params[q->nparams++] = *v;
    sn_sql_param(r->b, r->d, (int)q->nparams);
    return SINEW_OK;
}

static int alias_of(const sinew_query *q, const sinew_col *c)
{
    if (c->nvia == 0) return 0;
    for (size_t j = 0; j < q->njoins; j++)
        if (q->joins[j].n == c->nvia && memcmp(q->joins[j].path, c->via, (size_t)c->nvia * sizeof c->via[0]) == 0)
            return q->joins[j].alias;
    return 0;
}

static void alias_col(rctx *r, int alias, const char *column)
{
    sn_buf_printf(r->b, "t%d.", alias);
    sn_sql_ident(r->b, r->d, column);
}

void sn_q_col(rctx *r, const sinew_col *c)
{
    const sinew_field *f = &c->model->fields[c->field];
    if (f->type == SINEW_DECIMAL && r->d->decimal_cast) {
        /* decimals kept as text compare as numbers (docs/queries.md says how exactly) */
        sn_buf_puts(r->b, "CAST(");
        alias_col(r, alias_of(r->q, c), f->column);
        sn_buf_printf(r->b, " AS %s)", r->d->decimal_cast);
        return;
    }
    if (c->arith) sn_buf_putc(r->b, '(');
    alias_col(r, alias_of(r->q, c), f->column);
    if (c->arith) {
        sn_buf_printf(r->b, " %c ", c->arith);
        sn_q_param(r, &c->arith_value);
        sn_buf_putc(r->b, ')');
    }
}

static const char *sql_op(sinew_op op)
{
    switch (op) {
    case SINEW_EQ: return " = ";
    case SINEW_NE: return " <> ";
    case SINEW_LT: return " < ";
    case SINEW_LE: return " <= ";
    case SINEW_GT: return " > ";
    case SINEW_GE: return " >= ";
    }
    return " = ";
}

static void render_subquery(rctx *r, sinew_query *sub, const sinew_col *col);

/* n rounded up to a power of two, but never past the dialect's parameter limit */
static size_t in_padded(const rctx *r, size_t n)
{
    size_t p = 1;
    while (p < n) p *= 2;
    size_t room = (size_t)r->d->max_params > r->q->nparams ? (size_t)r->d->max_params - r->q->nparams : 0;
    return p > room && room >= n ? room : p;
}

void sn_q_expr(rctx *r, const sinew_expr *e)
{
    sn_buf *b = r->b;
    switch (e->kind) {
    case X_CMP:
        sn_q_col(r, &e->a);
        sn_buf_puts(b, sql_op(e->op));
        sn_q_param(r, &e->vals[0]);
        break;
    case X_CMPCOL:
        sn_q_col(r, &e->a);
        sn_buf_puts(b, sql_op(e->op));
        sn_q_col(r, &e->b);
        break;
    case X_IN: case X_NOTIN:
        if (e->nvals == 0) {   /* IN () is not SQL: an empty list matches nothing */
            sn_buf_puts(b, e->kind == X_IN ? "1 = 0" : "1 = 1");
            break;
        }
        sn_q_col(r, &e->a);
        sn_buf_puts(b, e->kind == X_IN ? " IN (" : " NOT IN (");
        /* padded to a power of two with the last value again (the same set): a
         * statement shape for every list length would flood the statement cache */
        size_t n = in_padded(r, e->nvals);
        for (size_t i = 0; i < n; i++) {
            if (i) sn_buf_puts(b, ", ");
            sn_q_param(r, &e->vals[i < e->nvals ? i : e->nvals - 1]);
        }
        sn_buf_putc(b, ')');
        break;
    case X_INSUB:
        sn_q_col(r, &e->a);
        sn_buf_puts(b, " IN (");
        render_subquery(r, e->sub, &e->b);
        sn_buf_putc(b, ')');
        break;
    /* backslash escapes % and _ in patterns on every backend (PostgreSQL's default, made explicit) */
    case X_LIKE:
        sn_q_col(r, &e->a);
        sn_buf_puts(b, " LIKE ");
        sn_q_param(r, &e->vals[0]);
        sn_buf_puts(b, " ESCAPE '\\'");
        break;
    case X_ILIKE:
        if (r->d->has_ilike) {
            sn_q_col(r, &e->a);
            sn_buf_puts(b, " ILIKE ");
            sn_q_param(r, &e->vals[0]);
        } else {
            sn_buf_puts(b, "lower(");
            sn_q_col(r, &e->a);
            sn_buf_puts(b, ") LIKE lower(");
            sn_q_param(r, &e->vals[0]);
            sn_buf_putc(b, ')');
        }
        sn_buf_puts(b, " ESCAPE '\\'");
        break;
    case X_NULL: case X_NOTNULL:
        sn_q_col(r, &e->a);
        sn_buf_puts(b, e->kind == X_NULL ? " IS NULL" : " IS NOT NULL");
        break;
    case X_BETWEEN:
        sn_q_col(r, &e->a);
        sn_buf_puts(b, " BETWEEN ");
        sn_q_param(r, &e->vals[0]);
        sn_buf_puts(b, " AND ");
        sn_q_param(r, &e->vals[1]);
        break;
    case X_AND: case X_OR:
        sn_buf_putc(b, '(');
        sn_q_expr(r, e->l);
        sn_buf_puts(b, e->kind == X_AND ? " AND " : " OR ");
        sn_q_expr(r, e->r);
        sn_buf_putc(b, ')');
        break;
    case X_NOT:
        sn_buf_puts(b, "NOT (");
        sn_q_expr(r, e->l);
        sn_buf_putc(b, ')');
        break;
    case X_ERROR:
        b->failed = 1;
        break;
    }
}

static void join_on(rctx *r, int la, const sinew_model *lm, const unsigned *lf, int ra, const sinew_model *rm,
                    const unsigned *rf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i) sn_buf_puts(r->b, " AND ");
        alias_col(r, ra, rm->fields[rf[i]].column);
        sn_buf_puts(r->b, " = ");
        alias_col(r, la, lm->fields[lf[i]].column);
    }
}

static void render_joins(rctx *r, const sinew_query *q)
{
    /* joins were registered prefix first, so a parent alias always precedes its child */
    for (size_t j = 0; j < q->njoins; j++) {
        const q_join *jn = &q->joins[j];
        const sinew_relation *rel = jn->path[jn->n - 1];
        int parent = 0;
        for (size_t p = 0; p < q->njoins; p++)
            if (q->joins[p].n == jn->n - 1 && memcmp(q->joins[p].path, jn->path, (size_t)(jn->n - 1) * sizeof jn->path[0]) == 0)
                parent = q->joins[p].alias;
        const sinew_model *pm = jn->n == 1 ? q->model : jn->path[jn->n - 2]->target;
        if (rel->kind == SINEW_MANY_TO_MANY) {
            int ja = 100 + jn->alias;   /* the join table's alias */
            sn_buf_puts(r->b, " LEFT JOIN ");
            sn_sql_ident(r->b, r->d, rel->through->table);
            sn_buf_printf(r->b, " AS t%d ON ", ja);
            join_on(r, parent, pm, rel->local, ja, rel->through, rel->through_local, rel->nkeys);
            sn_buf_puts(r->b, " LEFT JOIN ");
            sn_sql_ident(r->b, r->d, rel->target->table);
            sn_buf_printf(r->b, " AS t%d ON ", jn->alias);
            join_on(r, ja, rel->through, rel->through_remote, jn->alias, rel->target, rel->remote, rel->nkeys);
        } else {
            sn_buf_puts(r->b, " LEFT JOIN ");
            sn_sql_ident(r->b, r->d, rel->target->table);
            sn_buf_printf(r->b, " AS t%d ON ", jn->alias);
            join_on(r, parent, pm, rel->local, jn->alias, rel->target, rel->remote, rel->nkeys);
        }
    }
}

/* LEFT JOIN target AS eK ON ... for each to-one prefetched by JOIN */
static void render_prefetch_joins(rctx *r, const sinew_query *q)
{
    for (size_t k = 0; k < q->nprefetch; k++) {
        const q_prefetch *p = &q->prefetch[k];
        if (!p->join) continue;
        const sinew_relation *rel = p->path[0];
        sn_buf_puts(r->b, " LEFT JOIN ");
        sn_sql_ident(r->b, r->d, rel->target->table);
        sn_buf_printf(r->b, " AS e%zu ON ", k);
        for (size_t i = 0; i < rel->nkeys; i++) {
            if (i) sn_buf_puts(r->b, " AND ");
            sn_buf_printf(r->b, "e%zu.", k);
            sn_sql_ident(r->b, r->d, rel->target->fields[rel->remote[i]].column);
            sn_buf_puts(r->b, " = ");
            alias_col(r, 0, q->model->fields[rel->local[i]].column);
        }
    }
}

void sn_q_from_where(rctx *r, int with_after)
{
    sinew_query *q = r->q;
    sn_buf_puts(r->b, " FROM ");
    sn_sql_ident(r->b, r->d, q->model->table);
    sn_buf_puts(r->b, " AS t0");
    render_joins(r, q);
    if (q->render_prefetch) render_prefetch_joins(r, q);
    const sinew_expr *after = with_after ? q->after : NULL;
    if (q->where || after) {
        sn_buf_puts(r->b, " WHERE ");
        if (q->where) sn_q_expr(r, q->where);
        if (q->where && after) sn_buf_puts(r->b, " AND ");
        if (after) {
            sn_buf_putc(r->b, '(');
            sn_q_expr(r, after);
            sn_buf_putc(r->b, ')');
        }
    }
}

static void select_columns(rctx *r, const sinew_model *m)
{
    for (size_t i = 0; i < m->nfields; i++) {
        if (i) sn_buf_puts(r->b, ", ");
        alias_col(r, 0, m->fields[i].column);
    }
}

static void order_key(rctx *r, const q_order *o, int first)
{
    sn_buf_puts(r->b, first ? " ORDER BY " : ", ");
    sn_q_col(r, &o->col);
    if (o->dir == SINEW_DESC) sn_buf_puts(r->b, " DESC");
    if (o->nulls == SINEW_NULLS_FIRST) sn_buf_puts(r->b, " NULLS FIRST");
    if (o->nulls == SINEW_NULLS_LAST) sn_buf_puts(r->b, " NULLS LAST");
}

void sn_q_order_limit(rctx *r, int extra_limit)
{
    sinew_query *q = r->q;
    for (size_t i = 0; i < q->norder; i++) order_key(r, &q->order[i], i == 0);
    int64_t limit = q->limit;
    if (extra_limit > 0 && (limit < 0 || limit > extra_limit)) limit = extra_limit;
    /*
     * A slice of the rows (LIMIT/OFFSET, or first-of an ordered query) is
     * ordered totally: the primary key ends the order as the tie-breaker,
     * exactly as sinew_after() adds it. Without it, rows that tie on the
     * order keys come back in any order the database likes, differently for
     * each page (PostgreSQL's top-N sort does), and keyset or offset paging
     * skips some rows and repeats others. Grouped rows have no key to add.
     */
    int sliced = q->limit >= 0 || q->offset >= 0 || (q->norder && limit >= 0);
    if (sliced && q->ngroup == 0 && q->naggs == 0 && !sn_q_has_pk_order(q))
        for (size_t k = 0; k < q->model->npk; k++) {
            q_order o = {sinew_column(q->model, (int)q->model->pk[k]), SINEW_ASC, SINEW_NULLS_DEFAULT};
            order_key(r, &o, q->norder == 0 && k == 0);
        }
    /*
     * LIMIT is written as a number, not bound: it is an integer from the API
     * (nothing to inject), a program uses few page sizes, and a planner that
     * sees the number plans for it. Bound, PostgreSQL's generic plan guessed
     * 10% of the rows and sorted the whole join in W7 of the benchmark (2x
     * slower). OFFSET is bound: every page has its own, and as text each
     * page was one more prepared statement in the cache and on the server.
     */
    if (limit >= 0 || q->offset >= 0) {
        sn_buf_puts(r->b, " LIMIT ");
        if (limit < 0 && r->d->numbered_params) sn_buf_puts(r->b, "ALL");
        else sn_buf_printf(r->b, "%lld", (long long)(limit >= 0 ? limit : -1));
        if (q->offset >= 0) {
            sinew_value off = sinew_i64(q->offset);
            sn_buf_puts(r->b, " OFFSET ");
            sn_q_param(r, &off);
        }
    }
}

static void render_subquery(rctx *r, sinew_query *sub, const sinew_col *col)
{
    /*
     * The subquery is uncorrelated, so its own t0/tN aliases may shadow the
     * outer ones. It appends to the outer query's parameter list.
     */
    sinew_query *outer = r->q;
    sinew_value *p = sub->params;
    size_t np = sub->nparams, cp = sub->capparams;
    sub->params = outer->params;
    sub->nparams = outer->nparams;
    sub->capparams = outer->capparams;
    rctx sr = {sub, r->b, r->d};
    sn_buf_puts(r->b, "SELECT ");
    alias_col(&sr, 0, col->model->fields[col->field].column);
    sn_q_from_where(&sr, 1);
    outer->params = sub->params;
    outer->nparams = sub->nparams;
    outer->capparams = sub->capparams;
    sub->params = p;
    sub->nparams = np;
    sub->capparams = cp;
}

int sn_q_render_select(sinew_query *q, int extra_limit)
{
    sn_q_reset_render(q);
    rctx r = {q, &q->sql, q->s->db->dialect};
    sn_buf_puts(&q->sql, (q->distinct || q->to_many) ? "SELECT DISTINCT " : "SELECT ");
    select_columns(&r, q->model);
    for (size_t k = 0; k < q->nprefetch; k++) {
        if (!q->prefetch[k].join) continue;
        const sinew_model *t = q->prefetch[k].path[0]->target;
        for (size_t i = 0; i < t->nfields; i++) {
            sn_buf_printf(&q->sql, ", e%zu.", k);
            sn_sql_ident(&q->sql, r.d, t->fields[i].column);
        }
    }
    q->render_prefetch = 1;
    sn_q_from_where(&r, 1);
    q->render_prefetch = 0;
    sn_q_order_limit(&r, extra_limit);
    if (q->sql.failed) return sn_nomem();
    return SINEW_OK;
}

const char *sn_q_agg_name(sinew_agg fn)
{
    switch (fn) {
    case SINEW_COUNT: return "COUNT";
    case SINEW_SUM: return "SUM";
    case SINEW_AVG: return "AVG";
    case SINEW_MIN: return "MIN";
    case SINEW_MAX: return "MAX";
    }
    return "COUNT";
}

int sn_q_render_grouped(sinew_query *q)
{
    sn_q_reset_render(q);
    rctx c = {q, &q->sql, q->s->db->dialect};
    sn_buf_puts(&q->sql, "SELECT ");
    int col = 0;
    for (size_t i = 0; i < q->ngroup; i++, col++) {
        if (i) sn_buf_puts(&q->sql, ", ");
        sn_q_col(&c, &q->group[i]);
    }
    for (size_t i = 0; i < q->naggs; i++, col++) {
        if (col) sn_buf_puts(&q->sql, ", ");
        sn_buf_printf(&q->sql, "%s(", sn_q_agg_name(q->aggs[i].fn));
        sn_q_col(&c, &q->aggs[i].col);
        sn_buf_putc(&q->sql, ')');
    }
    sn_q_from_where(&c, 1);
    for (size_t i = 0; i < q->ngroup; i++) {
        sn_buf_puts(&q->sql, i ? ", " : " GROUP BY ");
        sn_q_col(&c, &q->group[i]);
    }
    for (size_t i = 0; i < q->nhaving; i++) {
        sn_buf_puts(&q->sql, i ? " AND " : " HAVING ");
        sn_buf_printf(&q->sql, "%s(", sn_q_agg_name(q->having[i].agg.fn));
        sn_q_col(&c, &q->having[i].agg.col);
        sn_buf_putc(&q->sql, ')');
        sn_buf_puts(&q->sql, sql_op(q->having[i].op >= SINEW_EQ && q->having[i].op <= SINEW_GE ? q->having[i].op
                                                                                             : SINEW_EQ));
        sn_q_param(&c, &q->having[i].v);
    }
    sn_q_order_limit(&c, 0);
    return q->sql.failed ? sn_nomem() : SINEW_OK;
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
    if ((q->ngroup || q->naggs) ? sn_q_render_grouped(q) : sn_q_render_select(q, 0)) return NULL;
    return sn_buf_cstr(&q->sql);
}

size_t sinew_query_nparams(sinew_query *q) { return q ? q->nparams : 0; }
const sinew_value *sinew_query_params(sinew_query *q) { return q ? q->params : NULL; }

/* ---- eager loading ---- */

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
    return SINEW_OK;
}

int sinew_prefetch(sinew_query *q, const sinew_relation *rel) { return sinew_prefetch_path(q, &rel, 1); }
