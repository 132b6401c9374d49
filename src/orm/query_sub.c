/*
 * query_sub.c - subqueries correlated through a relation: EXISTS / NOT
 * EXISTS (posts that have a comment by X), a scalar aggregate compared in a
 * filter (posts with more than 2 comments), and annotations (an aggregate
 * over a relation read with each object: its comment count, its latest
 * comment). The constructors build expression nodes; the query checks them
 * against the model they are correlated with and gives the subquery its
 * own table alias; src/sql renders them.
 */
#include <stdio.h>
#include <string.h>
#include "query_int.h"

static int rel_of(const sinew_model *m, const sinew_relation *rel)
{
    for (size_t i = 0; i < m->nrelations; i++)
        if (&m->relations[i] == rel) return 1;
    return 0;
}

static sinew_expr *sub_node(xkind k, const sinew_relation *rel, sinew_expr *filter, const char *fn)
{
    if (!rel) {
        sinew_expr_free(filter);
        return sn_x_error(SINEW_MISUSE, "%s: relation is NULL", fn);
    }
    sinew_expr *e = sn_calloc(1, sizeof *e);
    if (!e) {
        sinew_expr_free(filter);
        return sn_x_error(SINEW_NOMEM, "out of memory");
    }
    e->kind = k;
    e->rel = rel;
    e->l = filter;
    return e;
}

sinew_expr *sinew_exists(const sinew_relation *rel, sinew_expr *filter)
{
    return sub_node(X_EXISTS, rel, filter, "sinew_exists");
}

sinew_expr *sinew_not_exists(const sinew_relation *rel, sinew_expr *filter)
{
    return sinew_not(sinew_exists(rel, filter));
}

/* can v be compared with fn(col)? *out: v converted */
static sinew_expr *agg_value(sinew_agg fn, const sinew_col *col, const sinew_value *v, sinew_value *out)
{
    *out = *v;
    if (fn < SINEW_COUNT || fn > SINEW_MAX) return sn_x_error(SINEW_MISUSE, "unknown aggregate %d", (int)fn);
    if (fn == SINEW_COUNT || fn == SINEW_AVG || fn == SINEW_SUM) {
        if (v->is_null || !(v->type == SINEW_INT32 || v->type == SINEW_INT64 || v->type == SINEW_DOUBLE))
            return sn_x_error(SINEW_MISUSE, "%s(%s.%s) is compared with a number: make the value with sinew_v_int64() "
                              "or sinew_v_double()", sn_sql_agg_name(fn), col->model->name,
                              col->model->fields[col->field].name);
        return NULL;
    }
    return sn_x_check_value(col, v, out, sn_sql_agg_name(fn));
}

sinew_expr *sinew_cmp_agg(const sinew_relation *rel, sinew_agg fn, sinew_col col, sinew_expr *filter, sinew_op op,
                          sinew_value v)
{
    sinew_expr *bad = sn_x_check_col(&col);
    sinew_value cv;
    if (!bad && (op < SINEW_EQ || op > SINEW_GE)) bad = sn_x_error(SINEW_MISUSE, "unknown comparison operator %d", (int)op);
    if (!bad) bad = agg_value(fn, &col, &v, &cv);
    if (bad) {
        sinew_expr_free(filter);
        return bad;
    }
    sinew_expr *e = sub_node(X_CMPSUB, rel, filter, "sinew_cmp_agg");
    if (e->kind == X_ERROR) return e;
    e->fn = fn;
    e->op = op;
    e->a = col;
    if (sn_value_copy(&cv, 1, &e->vals, &e->store)) {
        sinew_expr_free(e);
        return sn_x_error(SINEW_NOMEM, "out of memory");
    }
    e->nvals = 1;
    return e;
}

static int plain_of(const sinew_col *c, const sinew_model *m, const char *what)
{
    sinew_expr *bad = sn_x_check_col(c);
    if (bad) {
        int rc = sinew_error_set(bad->err, "%s", bad->errmsg ? bad->errmsg : "bad column");
        sinew_expr_free(bad);
        return rc;
    }
    if (c->model != m || c->nvia)
        return sinew_error_set(SINEW_MISUSE, "%s: column %s.%s is not a column of %s, the model the subquery reads "
                               "(inside a subquery, columns are the relation's target's own)", what, c->model->name,
                               c->model->fields[c->field].name, m->name);
    return SINEW_OK;
}

static int next_alias(sinew_query *q, int *alias)
{
    if (q->nsub >= 90)
        return sinew_error_set(SINEW_UNSUPPORTED, "more than 90 subqueries in one query");
    *alias = 200 + q->nsub++;
    return SINEW_OK;
}

int sn_q_check_sub(sinew_query *q, sinew_expr *e, const sinew_model *owner, int outer)
{
    if (!rel_of(owner, e->rel))
        return sinew_error_set(SINEW_MISUSE, "%s: relation '%s' is not a relation of %s",
                               e->kind == X_EXISTS ? "sinew_exists" : "sinew_cmp_agg", e->rel->name, owner->name);
    e->owner = owner;
    e->alias_outer = outer;
    int rc = next_alias(q, &e->alias_sub);
    if (!rc && e->kind == X_CMPSUB) {
        rc = plain_of(&e->a, e->rel->target, "sinew_cmp_agg");
        e->alias_a = e->alias_sub;
    }
    if (!rc) rc = sn_q_check_scoped(q, e->l, e->rel->target, e->alias_sub);
    return rc;
}

int sn_q_check_scoped(sinew_query *q, sinew_expr *e, const sinew_model *m, int alias)
{
    if (!e) return SINEW_OK;
    int rc;
    switch (e->kind) {
    case X_ERROR: return sn_q_check_expr(q, e);
    case X_AND: case X_OR:
        if ((rc = sn_q_check_scoped(q, e->l, m, alias))) return rc;
        return sn_q_check_scoped(q, e->r, m, alias);
    case X_NOT: return sn_q_check_scoped(q, e->l, m, alias);
    case X_EXISTS: case X_CMPSUB: return sn_q_check_sub(q, e, m, alias);
    case X_INSUB:
        return sinew_error_set(SINEW_MISUSE, "a filter inside a correlated subquery cannot hold sinew_in_query; "
                               "put it in the outer query's filter");
    case X_CMPCOL:
        if ((rc = plain_of(&e->b, m, "filter"))) return rc;
        e->alias_b = alias;
        /* fall through */
    default:
        if ((rc = plain_of(&e->a, m, "filter"))) return rc;
        if ((rc = sn_q_json_supported(q, &e->a, e))) return rc;
        e->alias_a = alias;
        return SINEW_OK;
    }
}

/* ---- annotations ---- */

int sinew_annotate(sinew_query *q, const sinew_relation *rel, sinew_agg fn, sinew_col col, sinew_expr *filter)
{
    if (!q) {
        sinew_expr_free(filter);
        return sinew_error_set(SINEW_MISUSE, "sinew_annotate: query is NULL");
    }
    if (q->err) {
        sinew_expr_free(filter);
        return sn_q_err(q);
    }
    int rc = SINEW_OK;
    if (!rel || !rel_of(q->model, rel))
        rc = sinew_error_set(SINEW_MISUSE, "sinew_annotate: relation '%s' is not a relation of %s",
                             rel ? rel->name : "NULL", q->model->name);
    else if (fn < SINEW_COUNT || fn > SINEW_MAX)
        rc = sinew_error_set(SINEW_MISUSE, "sinew_annotate: unknown aggregate %d", (int)fn);
    else if (q->sel.nann == Q_MAX)
        rc = sinew_error_set(SINEW_UNSUPPORTED, "sinew_annotate: more than %d annotations in one query", Q_MAX);
    else rc = plain_of(&col, rel->target, "sinew_annotate");
    sn_ir_annot a;
    memset(&a, 0, sizeof a);
    if (!rc) rc = next_alias(q, &a.alias_sub);
    if (!rc) rc = sn_q_check_scoped(q, filter, rel->target, a.alias_sub);
    if (rc) {
        sinew_expr_free(filter);
        return sn_q_fail(q, rc);
    }
    a.rel = rel;
    a.fn = fn;
    a.arg.col = col;
    a.arg.alias = a.alias_sub;
    a.where = filter;
    q->sel.ann[q->sel.nann++] = a;
    return SINEW_OK;
}

sinew_value sinew_annotation(const sinew_query *q, size_t row, int k)
{
    if (!q || k < 0 || (size_t)k >= q->sel.nann || row >= q->ann_rows) return sinew_v_null(SINEW_INT64);
    return q->ann_vals[row * q->sel.nann + (size_t)k];
}

/* row `row`'s annotations from the current result row, whose columns start at `first` */
int sn_q_read_annotations(sinew_query *q, sn_exec *x, size_t row, int first)
{
    size_t na = q->sel.nann;
    if (row >= q->ann_cap) {
        size_t cap = q->ann_cap ? q->ann_cap * 2 : 64;
        sinew_value *nv = sn_realloc(q->ann_vals, cap * na * sizeof *nv);
        if (!nv) return sn_nomem();
        q->ann_vals = nv;
        q->ann_cap = cap;
    }
    for (size_t k = 0; k < na; k++) {
        const sn_ir_annot *a = &q->sel.ann[k];
        sinew_value v = sn_cell_value(x->drv, x->stmt, first + (int)k, sn_q_agg_type(a->fn, &a->arg.col));
        if (!v.is_null && (v.type == SINEW_TEXT || v.type == SINEW_JSON || v.type == SINEW_DECIMAL ||
                           v.type == SINEW_BLOB)) {
            char *copy = sn_arena_alloc(&q->s->arena, v.u.s.len + 1);
            if (!copy) return sn_nomem();
            memcpy(copy, v.u.s.ptr, v.u.s.len);
            copy[v.u.s.len] = '\0';
            v.u.s.ptr = copy;
        }
        q->ann_vals[row * na + k] = v;
    }
    q->ann_rows = row + 1;
    return SINEW_OK;
}

/* ---- recursive closures (WITH RECURSIVE) ---- */

int sinew_closure(sinew_query *q, const sinew_relation *rel, sinew_expr *start)
{
    if (!q) {
        sinew_expr_free(start);
        return sinew_error_set(SINEW_MISUSE, "sinew_closure: query is NULL");
    }
    if (q->err) {
        sinew_expr_free(start);
        return sn_q_err(q);
    }
    const sinew_model *m = q->model;
    int rc = SINEW_OK;
    if (!rel || !rel_of(m, rel))
        rc = sinew_error_set(SINEW_MISUSE, "sinew_closure: relation '%s' is not a relation of %s",
                             rel ? rel->name : "NULL", m->name);
    else if (rel->target != m || rel->kind == SINEW_MANY_TO_MANY)
        rc = sinew_error_set(SINEW_MISUSE, "sinew_closure: relation %s.%s leads to %s; a closure follows a "
                             "relation of a model to itself (not many-to-many)", m->name, rel->name,
                             rel->target->name);
    else if (m->npk != 1)
        rc = sinew_error_set(SINEW_UNSUPPORTED, "sinew_closure: %s has %zu key columns; closures need one", m->name,
                             m->npk);
    else if (q->sel.closure)
        rc = sinew_error_set(SINEW_MISUSE, "sinew_closure: the query over %s has a closure already", m->name);
    if (!rc) rc = sn_q_check_scoped(q, start, m, 190);
    if (rc) {
        sinew_expr_free(start);
        return sn_q_fail(q, rc);
    }
    q->sel.closure = rel;
    q->sel.closure_start = start;
    return SINEW_OK;
}

/* ---- set operations ---- */

int sinew_combine(sinew_query *q, sinew_setop op, sinew_query *other)
{
    if (!q) {
        sinew_query_free(other);
        return sinew_error_set(SINEW_MISUSE, "sinew_combine: query is NULL");
    }
    if (q->err) {
        sinew_query_free(other);
        return sn_q_err(q);
    }
    int rc = SINEW_OK;
    if (op < SINEW_UNION || op > SINEW_UNION_ALL)
        rc = sinew_error_set(SINEW_MISUSE, "sinew_combine: unknown set operation %d", (int)op);
    else if (q->sel.ngroup || q->sel.naggs || q->sel.nvals)
        rc = sinew_error_set(SINEW_MISUSE, "sinew_combine: the query over %s reads rows of values; combine rows "
                             "queries with sinew_combine_rows", q->model->name);
    else if (!other)
        rc = sinew_error_set(SINEW_MISUSE, "sinew_combine: the other query is NULL");
    else if (other->err) {
        *sn_error_mut() = other->errdetail;
        rc = other->err;
    } else if (other == q || other->s != q->s)
        rc = sinew_error_set(SINEW_MISUSE, "sinew_combine: the other query must be a query of its own in the same "
                             "session");
    else if (other->model != q->model)
        rc = sinew_error_set(SINEW_MISUSE, "sinew_combine: a query over %s cannot be combined with one over %s; "
                             "set operations compare rows of one model", q->model->name, other->model->name);
    else if (q->other)
        rc = sinew_error_set(SINEW_MISUSE, "sinew_combine: the query over %s is combined already; combine the "
                             "other query first (a UNION b INTERSECT c: b is combined with c)", q->model->name);
    else if (other->sel.ngroup || other->sel.naggs || other->sel.nvals || other->sel.nann || other->sel.closure ||
             other->sel.limit >= 0 || other->sel.offset >= 0 || other->sel.lock)
        rc = sinew_error_set(SINEW_MISUSE, "sinew_combine: the other query may only filter (no grouping, values, "
                             "annotations, closure, paging or lock): its rows are compared by key");
    if (rc) {
        if (other != q) sinew_query_free(other);
        return sn_q_fail(q, rc);
    }
    q->other = other;
    q->sel.setop = op;
    q->sel.setop_other = &other->sel;
    return SINEW_OK;
}
