/*
 * query_project.c - projections: which columns a query of objects reads
 * (sinew_only, sinew_defer; the objects remember what they lack, and
 * session.c refuses to write or use it), whether a field of an object was
 * loaded, and the value columns of a rows query (sinew_select_col).
 */
#include <stdio.h>
#include <string.h>
#include "query_int.h"

static uint64_t every_field(const sinew_model *m)
{
    return m->nfields >= 64 ? ~0ull : (1ull << m->nfields) - 1;
}

/* the fields every projection reads: the key (one row, one object) and the @version counter (a save
 * compares it) */
static uint64_t always(const sinew_model *m)
{
    uint64_t k = 0;
    for (size_t i = 0; i < m->npk; i++) k |= 1ull << m->pk[i];
    for (size_t i = 0; i < m->nfields; i++)
        if (m->fields[i].flags & SINEW_FIELD_VERSION) k |= 1ull << i;
    return k;
}

/* the fields of cols[0..n) as bits; each a plain column of the queried model */
static int field_bits(sinew_query *q, const sinew_col *cols, size_t n, const char *fn, uint64_t *out)
{
    *out = 0;
    if (!q) return sinew_error_set(SINEW_MISUSE, "%s: query is NULL", fn);
    if (q->err) return q->err;
    if (n && !cols) return sn_q_fail(q, sinew_error_set(SINEW_MISUSE, "%s: columns is NULL but n is %zu", fn, n));
    if (q->model->nfields > 64)
        return sn_q_fail(q, sinew_error_set(SINEW_UNSUPPORTED, "%s: %s has %zu fields; projections take models of "
                                            "up to 64", fn, q->model->name, q->model->nfields));
    for (size_t i = 0; i < n; i++) {
        const sinew_col *c = &cols[i];
        if (c->model != q->model || c->nvia || c->arith || c->json_type || (size_t)c->field >= q->model->nfields)
            return sn_q_fail(q, sinew_error_set(SINEW_MISUSE, "%s: column %zu is not a plain column of %s (a "
                                                "projection picks the model's own fields; read expressions with "
                                                "sinew_select_col)", fn, i, q->model->name));
        *out |= 1ull << c->field;
    }
    return SINEW_OK;
}

int sinew_only(sinew_query *q, const sinew_col *cols, size_t n)
{
    uint64_t bits;
    int rc = field_bits(q, cols, n, "sinew_only", &bits);
    if (rc) return rc;
    q->sel.cols = (bits | always(q->model)) & every_field(q->model);
    if (q->sel.cols == every_field(q->model)) q->sel.cols = 0;
    return SINEW_OK;
}

int sinew_defer(sinew_query *q, const sinew_col *cols, size_t n)
{
    uint64_t bits;
    int rc = field_bits(q, cols, n, "sinew_defer", &bits);
    if (rc) return rc;
    uint64_t keep = always(q->model) & bits;
    if (keep) {
        size_t f = 0;
        while (!((keep >> f) & 1)) f++;
        return sn_q_fail(q, sinew_error_set(SINEW_MISUSE, "sinew_defer: %s.%s is a key or @version field, which "
                                            "every load reads (one row, one object; a save compares the version)",
                                            q->model->name, q->model->fields[f].name));
    }
    uint64_t have = q->sel.cols ? q->sel.cols : every_field(q->model);
    q->sel.cols = have & ~bits;
    if (q->sel.cols == every_field(q->model)) q->sel.cols = 0;
    return SINEW_OK;
}

bool sinew_field_loaded(sinew_session *s, const void *obj, unsigned field)
{
    if (!s || !obj) return false;
    const sn_obj *o = SN_OBJ_OF(obj);
    if (!sn_arena_owns(&s->arena, o) || o->magic != SN_OBJ_MAGIC) return false;
    if ((size_t)field >= o->model->nfields) return false;
    return !((sn_obj_absent(o) >> field) & 1);
}

int sinew_select_col(sinew_query *q, sinew_col c)
{
    if (!q) return sinew_error_set(SINEW_MISUSE, "sinew_select_col: query is NULL");
    if (q->err) return q->err;
    int alias;
    int rc = sn_q_check_col(q, &c, "select", &alias);
    if (rc) return sn_q_fail(q, rc);
    if (q->sel.nvals == Q_MAX)
        return sn_q_fail(q, sinew_error_set(SINEW_UNSUPPORTED, "more than %d value columns in one query", Q_MAX));
    sn_ir_value *v = &q->sel.vals[q->sel.nvals++];
    memset(v, 0, sizeof *v);
    v->kind = SN_VAL_COL;
    v->col.col = c;
    v->col.alias = alias;
    return SINEW_OK;
}
