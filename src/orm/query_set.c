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
    if (c->nvia || c->model != m || (c->arith && !arith_ok))
        return sinew_error_set(SINEW_MISUSE, "%s: %s %s.%s is not a plain column of %s%s", fn, what, c->model->name,
                               fname(c), m->name, c->arith ? " (no arithmetic there)" : "");
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

int sn_set_check(const sinew_model *m, const sinew_set *in, size_t n, int upsert, const char *fn, sinew_set *out)
{
    for (size_t i = 0; i < n; i++) {
        const sinew_set *a = &in[i];
        out[i] = *a;
        int rc = plain(m, &a->col, 0, fn, "assigned column");
        if (rc) return rc;
        const sinew_field *f = &m->fields[a->col.field];
        for (size_t k = 0; k < i; k++)
            if (in[k].col.field == a->col.field)
                return sinew_error_set(SINEW_MISUSE, "%s: %s.%s is assigned twice", fn, m->name, f->name);
        switch (a->kind) {
        case SINEW_SET_VALUE:
            if (a->value.is_null) {
                if (!(f->flags & SINEW_FIELD_NULLABLE))
                    return sinew_error_set(SINEW_MISUSE, "%s: %s.%s is not nullable", fn, m->name, f->name);
                break;
            }
            {
                sinew_expr *bad = sn_x_check_value(&a->col, &a->value, &out[i].value, "=");
                if (bad) {
                    rc = sinew_error_set(bad->err, "%s: %s", fn, bad->errmsg ? bad->errmsg : "bad value");
                    sinew_expr_free(bad);
                    return rc;
                }
            }
            /* a write: what save would refuse (NaN, a timestamp past 9999, JSON that is not) is refused here */
            if (sn_check_value(m, f, &out[i].value)) return sinew_error_set(SINEW_TYPE, "%s: %s", fn, sinew_errmsg());
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
            return sinew_error_set(SINEW_MISUSE, "%s: assignment %zu has kind %d, not a sinew_set_kind", fn, i,
                                   (int)a->kind);
        }
    }
    return SINEW_OK;
}
