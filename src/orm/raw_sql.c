/*
 * raw_sql.c - raw SQL: portable `?` placeholders rewritten for the dialect,
 * the parameter count checked, rows as objects (by column name) or as a
 * rows cursor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "query_int.h"

/*
 * The text raw SQL runs as: `?` placeholders rewritten for the dialect
 * (into *sql_out, an owned copy either way), and their number checked
 * against the parameters before anything reaches the database. `order`
 * gets, where the dialect's placeholders are positional and the text's
 * numbered, the parameter each `?` takes (see sn_sql_placeholders).
 */
static int raw_prepare_text(sinew_session *s, const char *sql, size_t n, char **sql_out, sn_buf *order)
{
    *sql_out = NULL;
    sn_buf b;
    sn_buf_init(&b);
    int count;
    int rc = sn_sql_placeholders(&b, s->db->dialect, sql, &count, order);
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
    sn_buf order;
    sn_buf_init(&order);
    int rc = raw_prepare_text(s, sql, n, sql_out, &order);
    if (rc) {
        sn_buf_free(&order);
        return rc;
    }
    rc = sn_exec_start(x, s->db, *sql_out);
    if (order.len) {   /* numbered placeholders made positional: each ? takes the value it names */
        const int *k = (const int *)(const void *)order.data;
        for (size_t i = 0; i < order.len / sizeof *k && rc == SINEW_OK; i++) rc = sn_exec_bind(x, (int)i, &params[k[i]]);
    } else {
        for (size_t i = 0; i < n && rc == SINEW_OK; i++) rc = sn_exec_bind(x, (int)i, &params[i]);
    }
    sn_buf_free(&order);
    if (rc) {
        sn_exec_end(x);
        sn_free(*sql_out);
        *sql_out = NULL;
    }
    return rc;
}

typedef struct raw_ctx {
    sinew_session *s;
    const sinew_model *m;
    const int *colmap;        /* field -> result column */
} raw_ctx;

static int raw_object(void *ctx, sn_exec *x, void **obj)
{
    const raw_ctx *c = ctx;
    int was = c->s->load_readonly;   /* raw SQL loads track */
    c->s->load_readonly = 0;
    int rc = sn_session_materialize(c->s, x, c->m, c->colmap, obj);
    c->s->load_readonly = was;
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
    raw_ctx c = {s, m, colmap};
    rc = sn_q_collect(&x, 0, raw_object, &c, &vec, &n, &cap);
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
    if (!rc) rc = sn_rows_run(r);
    if (rc) {
        sn_rows_free(r);
        return rc;
    }
    r->db = s->db;
    r->ncols = r->x.drv->column_count(r->x.stmt);
    *out = r;
    return SINEW_OK;
}
