/*
 * query_set.c - assignments for UPDATE and for an upsert's DO UPDATE
 * (sinew_set): the constructors, and the check that turns the caller's
 * assignments into ones the renderer can write as they are (values
 * converted for binding, every column a plain column of the model, types
 * that fit). Shared by sinew_query_update(_set) and sinew_upsert_set.
 */
#include <string.h>
#include "query_int.h"

sinew_set sinew_set_value(sinew_col col, sinew_value v)
{
    sinew_set a;
    memset(&a, 0, sizeof a);
    a.kind = SINEW_SET_VALUE;
    a.col = col;
    a.value = v;
    return a;
}

sinew_set sinew_set_expr(sinew_col col, sinew_col expr)
{
    sinew_set a;
    memset(&a, 0, sizeof a);
    a.col = col;
    a.kind = SINEW_SET_EXPR;
    a.expr = expr;
    return a;
}

sinew_set sinew_set_excluded(sinew_col col, sinew_col from)
{
    sinew_set a = sinew_set_expr(col, from);
    a.kind = SINEW_SET_EXCLUDED;
    return a;
}

sinew_set sinew_set_combine(sinew_col col, char op)
{
    sinew_set a;
    memset(&a, 0, sizeof a);
    a.col = col;
    a.kind = SINEW_SET_COMBINE;
    a.op = op;
    return a;
}

sinew_set sinew_set_case(sinew_col col, const sinew_when *when, size_t n, const sinew_set *otherwise)
{
    sinew_set a;
    memset(&a, 0, sizeof a);
    a.kind = SINEW_SET_CASE;
    a.col = col;
    a.when = when;
    a.nwhen = n;
    a.otherwise = otherwise;
    return a;
}

void sinew_when_free(sinew_when *when, size_t n)
{
    for (size_t i = 0; when && i < n; i++) {
        sinew_expr_free(when[i].cond);
        when[i].cond = NULL;
    }
}

static int numeric(sinew_type t) { return t == SINEW_INT32 || t == SINEW_INT64 || t == SINEW_DOUBLE; }
static int integer(sinew_type t) { return t == SINEW_INT32 || t == SINEW_INT64; }

static const char *fname(const sinew_col *c) { return c->model->fields[c->field].name; }

/* a column of m itself, no relation path, valid; arithmetic allowed only where `arith_ok` */
static int plain(const sinew_model *m, const sinew_col *c, int arith_ok, const char *fn, const char *what)
{
    sinew_expr *bad = sn_x_check_col(c);
    if (bad) {
        int rc = sinew_error_set(bad->err, "%s: %s: %s", fn, what, bad->errmsg ? bad->errmsg : "bad column");
        sinew_expr_free(bad);
        return rc;
    }
    if (c->nvia || c->model != m || (c->arith && !arith_ok) || c->json_type)
        return sinew_error_set(SINEW_MISUSE, "%s: %s %s.%s is not a plain column of %s%s", fn, what, c->model->name,
                               fname(c), m->name, c->arith ? " (no arithmetic there)"
                               : c->json_type ? " (an assignment reads and writes no JSON path)" : "");
    if (c->arith == '/' && ((c->arith_value.type == SINEW_DOUBLE && c->arith_value.u.d == 0) ||
                            (c->arith_value.type != SINEW_DOUBLE && c->arith_value.u.i == 0)))
        return sinew_error_set(SINEW_MISUSE, "%s: %s.%s / 0: division by zero (SQLite would write NULL, PostgreSQL "
                               "fail)", fn, m->name, fname(c));
    return SINEW_OK;
}

/* can the value of expression e (a column of m, perhaps with arithmetic) be stored in column `to`? */
static int fits(const sinew_model *m, const sinew_col *to, const sinew_col *e, const char *fn)
{
    const sinew_field *tf = &m->fields[to->field], *ef = &m->fields[e->field];
    sinew_type et = ef->type;
    if (e->arith && e->arith_value.type == SINEW_DOUBLE) et = SINEW_DOUBLE;
    int ok;
    if (integer(tf->type)) ok = integer(et);
    else if (tf->type == SINEW_DOUBLE) ok = numeric(et);
    else if (tf->type == SINEW_ENUM) ok = et == SINEW_ENUM && ef->enum_type == tf->enum_type;
    else ok = et == tf->type && !e->arith;
    if (!ok)
        return sinew_error_set(SINEW_MISUSE, "%s: %s.%s (%s) cannot take %s%s (%s): the types differ; an integer "
                               "column takes integer arithmetic only", fn, m->name, tf->name,
                               sinew_type_name(tf->type), ef->name, e->arith ? " with arithmetic" : "",
                               sinew_type_name(et));
    if ((ef->flags & SINEW_FIELD_NULLABLE) && !(tf->flags & SINEW_FIELD_NULLABLE))
        return sinew_error_set(SINEW_MISUSE, "%s: %s.%s is not nullable and %s is: a NULL there would fail the "
                               "statement", fn, m->name, tf->name, ef->name);
    return SINEW_OK;
}

/* a CASE condition: a filter over plain columns of m (the written row), nothing the statement would
 * need a join or a subquery for */
static int case_cond(const sinew_model *m, const sinew_expr *e, const char *fn, const char *col)
{
    if (!e) return sinew_error_set(SINEW_MISUSE, "%s: CASE for %s.%s: a branch has no condition", fn, m->name, col);
    switch (e->kind) {
    case X_ERROR:
        return sinew_error_set(e->err ? e->err : SINEW_MISUSE, "%s: CASE for %s.%s: %s", fn, m->name, col,
                               e->errmsg ? e->errmsg : "bad condition");
    case X_AND: case X_OR: {
        int rc = case_cond(m, e->l, fn, col);
        return rc ? rc : case_cond(m, e->r, fn, col);
    }
    case X_NOT: return case_cond(m, e->l, fn, col);
    case X_INSUB: case X_EXISTS: case X_CMPSUB:
        return sinew_error_set(SINEW_MISUSE, "%s: CASE for %s.%s: a condition cannot hold a subquery", fn, m->name,
                               col);
    case X_JSONHAS:   /* not every database has it, and a CASE is checked without knowing which */
        return sinew_error_set(SINEW_MISUSE, "%s: CASE for %s.%s: a condition cannot test JSON containment; "
                               "compare a value at a path (sinew_json_path) instead", fn, m->name, col);
    default: break;
    }
    const sinew_col *cs[2] = {&e->a, e->kind == X_CMPCOL ? &e->b : NULL};
    for (int i = 0; i < 2; i++)
        if (cs[i] && (cs[i]->nvia || cs[i]->model != m))
            return sinew_error_set(SINEW_MISUSE, "%s: CASE for %s.%s: condition column %s.%s is not a plain column "
                                   "of %s (a CASE reads the written row only)", fn, m->name, col, cs[i]->model->name,
                                   cs[i]->model->fields[cs[i]->field].name, m->name);
    return SINEW_OK;
}

static int check_one(const sinew_model *m, const sinew_set *a, int upsert, const char *fn, sinew_set *out);

/* the branches of a CASE into when/other (storage the caller made room for) */
static int check_case(const sinew_model *m, const sinew_set *a, int upsert, const char *fn, sinew_set *out,
                      sinew_when *when, sinew_set *other)
{
    const char *col = m->fields[a->col.field].name;
    if (!a->when || a->nwhen == 0 || a->nwhen > SINEW_MAX_CASE)
        return sinew_error_set(SINEW_MISUSE, "%s: sinew_set_case(%s.%s) needs 1 to %d branches, not %zu", fn,
                               m->name, col, SINEW_MAX_CASE, a->when ? a->nwhen : 0);
    for (size_t k = 0; k <= a->nwhen; k++) {
        const sinew_set *b = k < a->nwhen ? &a->when[k].then : a->otherwise;
        if (!b) break;
        if (k < a->nwhen) {
            int rc = case_cond(m, a->when[k].cond, fn, col);
            if (rc) return rc;
        }
        if (b->kind == SINEW_SET_CASE)
            return sinew_error_set(SINEW_MISUSE, "%s: CASE for %s.%s: a branch is a CASE itself; write its "
                                   "conditions as branches of this one", fn, m->name, col);
        if (b->col.model != a->col.model || b->col.field != a->col.field || b->col.nvia || b->col.arith)
            return sinew_error_set(SINEW_MISUSE, "%s: CASE for %s.%s: branch %zu assigns %s.%s; every branch "
                                   "assigns the CASE's own column", fn, m->name, col, k,
                                   b->col.model ? b->col.model->name : "?",
                                   b->col.model && (size_t)b->col.field < b->col.model->nfields
                                       ? b->col.model->fields[b->col.field].name : "?");
        sinew_set *dst = k < a->nwhen ? &when[k].then : other;
        int rc = check_one(m, b, upsert, fn, dst);
        if (rc) return rc;
        if (k < a->nwhen) when[k].cond = a->when[k].cond;
    }
    out->when = when;
    out->otherwise = a->otherwise ? other : NULL;
    return SINEW_OK;
}

/* one assignment (not CASE) into *out, values converted */
static int check_one(const sinew_model *m, const sinew_set *a, int upsert, const char *fn, sinew_set *out)
{
    *out = *a;
    int rc;
    const sinew_field *f = &m->fields[a->col.field];
    switch (a->kind) {
    case SINEW_SET_VALUE:
        if (a->value.is_null) {
            if (!(f->flags & SINEW_FIELD_NULLABLE))
                return sinew_error_set(SINEW_MISUSE, "%s: %s.%s is not nullable", fn, m->name, f->name);
            break;
        }
        {
            sinew_expr *bad = sn_x_check_value(&a->col, &a->value, &out->value, "=");
            if (bad) {
                rc = sinew_error_set(bad->err, "%s: %s", fn, bad->errmsg ? bad->errmsg : "bad value");
                sinew_expr_free(bad);
                return rc;
            }
        }
        /* a write: what save would refuse (NaN, a timestamp past 9999, JSON that is not) is refused here */
        if (sn_check_value(m, f, &out->value)) return sinew_error_set(SINEW_TYPE, "%s: %s", fn, sinew_errmsg());
        break;
    case SINEW_SET_EXCLUDED:
        if (!upsert)
            return sinew_error_set(SINEW_MISUSE, "%s: sinew_set_excluded(%s.%s) reads the proposed row of an "
                                   "upsert; a query update has none (use sinew_upsert_set)", fn, m->name, f->name);
        /* fall through */
    case SINEW_SET_EXPR:
        if ((rc = plain(m, &a->expr, 1, fn, "expression"))) return rc;
        if ((rc = fits(m, &a->col, &a->expr, fn))) return rc;
        break;
    case SINEW_SET_COMBINE:
        if (!upsert)
            return sinew_error_set(SINEW_MISUSE, "%s: sinew_set_combine(%s.%s) reads the proposed row of an "
                                   "upsert; a query update has none: use sinew_set_expr with sinew_col_op", fn,
                                   m->name, f->name);
        if (!a->op || !strchr("+-*/", a->op))
            return sinew_error_set(SINEW_MISUSE, "%s: sinew_set_combine(%s.%s): operator '%c' is not one of "
                                   "+ - * /", fn, m->name, f->name, a->op ? a->op : '?');
        if (!numeric(f->type))
            return sinew_error_set(SINEW_MISUSE, "%s: sinew_set_combine(%s.%s) needs a numeric column, not %s",
                                   fn, m->name, f->name, sinew_type_name(f->type));
        break;
    default:
        return sinew_error_set(SINEW_MISUSE, "%s: assignment to %s.%s has kind %d, not a sinew_set_kind", fn,
                               m->name, f->name, (int)a->kind);
    }
    return SINEW_OK;
}

/* room for the CASE branches: one block holds the assignments, then each CASE's whens and ELSE */
static size_t case_room(const sinew_set *in, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (in[i].kind == SINEW_SET_CASE && in[i].when && in[i].nwhen <= SINEW_MAX_CASE) k += in[i].nwhen + 1;
    return k;
}

int sn_set_check(const sinew_model *m, const sinew_set *in, size_t n, int upsert, const char *fn, sinew_set **outp)
{
    *outp = NULL;
    size_t room = case_room(in, n);
    /* the whens follow the sets and the room for the @updated_at assignments (sn_stamp_sets); each when
     * holds a set, so sinew_set alignment serves them too */
    size_t nsets = n + sn_stamp_count(m);
    sinew_set *out = sn_calloc(1, nsets * sizeof *out + room * sizeof(sinew_when));
    if (!out) return sn_nomem();
    sinew_when *spare = (sinew_when *)(void *)(out + nsets);
    int rc = SINEW_OK;
    for (size_t i = 0; i < n && rc == SINEW_OK; i++) {
        const sinew_set *a = &in[i];
        out[i] = *a;
        if ((rc = plain(m, &a->col, 0, fn, "assigned column"))) break;
        const sinew_field *f = &m->fields[a->col.field];
        for (size_t k = 0; k < i && rc == SINEW_OK; k++)
            if (in[k].col.field == a->col.field)
                rc = sinew_error_set(SINEW_MISUSE, "%s: %s.%s is assigned twice", fn, m->name, f->name);
        if (rc) break;
        if (a->kind == SINEW_SET_CASE) {
            rc = check_case(m, a, upsert, fn, &out[i], spare, a->nwhen <= SINEW_MAX_CASE ? &spare[a->nwhen].then
                                                                                          : NULL);
            if (rc == SINEW_OK) spare += a->nwhen + 1;
        } else {
            rc = check_one(m, a, upsert, fn, &out[i]);
        }
    }
    if (rc) {
        sn_free(out);
        return rc;
    }
    *outp = out;
    return SINEW_OK;
}
