/*
 * render_select.c - the SELECT of a query (sn_select, ir.h) as text with
 * placeholders, and the statements built on the same rows: a scalar over
 * them, and UPDATE / DELETE of them. Values are never written into the
 * text: each goes to the output's parameter list and gets a placeholder.
 */
#include <stdio.h>
#include <string.h>
#include "ir.h"

typedef struct rctx {
    sn_sql_out *o;
    sn_buf *b;
    const sinew_dialect *d;
} rctx;

void sn_sql_out_init(sn_sql_out *o)
{
    memset(o, 0, sizeof *o);
    sn_buf_init(&o->sql);
}

void sn_sql_out_reset(sn_sql_out *o)
{
    sn_buf_clear(&o->sql);
    o->nparams = 0;
}

void sn_sql_out_free(sn_sql_out *o)
{
    sn_buf_free(&o->sql);
    sn_free(o->params);
    o->params = NULL;
    o->nparams = o->capparams = 0;
}

static int done(const rctx *r) { return r->b->failed ? SINEW_NOMEM : SINEW_OK; }

static void param(rctx *r, const sinew_value *v)
{
    sn_sql_out *o = r->o;
    if (o->nparams == o->capparams) {
        size_t cap = o->capparams ? o->capparams * 2 : 16;
        sinew_value *p = sn_realloc(o->params, cap * sizeof *p);
        if (!p) {
            r->b->failed = 1;
            return;
        }
        o->params = p;
        o->capparams = cap;
    }
    o->params[o->nparams++] = *v;
    sn_sql_param(r->b, r->d, (int)o->nparams);
}

static void alias_col(rctx *r, int alias, const char *column)
{
    sn_buf_printf(r->b, "t%d.", alias);
    sn_sql_ident(r->b, r->d, column);
}

static void col(rctx *r, const sinew_col *c, int alias)
{
    const sinew_field *f = &c->model->fields[c->field];
    if (f->type == SINEW_DECIMAL && r->d->decimal_cast) {
        /* decimals kept as text compare as numbers (docs/queries.md says how exactly) */
        sn_buf_puts(r->b, "CAST(");
        alias_col(r, alias, f->column);
        sn_buf_printf(r->b, " AS %s)", r->d->decimal_cast);
        return;
    }
    if (c->arith) sn_buf_putc(r->b, '(');
    alias_col(r, alias, f->column);
    if (c->arith) {
        sn_buf_printf(r->b, " %c ", c->arith);
        param(r, &c->arith_value);
        sn_buf_putc(r->b, ')');
    }
}

static void ir_col(rctx *r, const sn_ir_col *c) { col(r, &c->col, c->alias); }

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

static void from_where(rctx *r, const sn_select *s, int eager);

/* n rounded up to a power of two, but never past the dialect's parameter limit */
static size_t in_padded(const rctx *r, size_t n)
{
    size_t p = 1;
    while (p < n) p *= 2;
    size_t used = r->o->nparams;
    size_t room = (size_t)r->d->max_params > used ? (size_t)r->d->max_params - used : 0;
    return p > room && room >= n ? room : p;
}

static void expr(rctx *r, const sinew_expr *e)
{
    sn_buf *b = r->b;
    switch (e->kind) {
    case X_CMP:
        col(r, &e->a, e->alias_a);
        sn_buf_puts(b, sql_op(e->op));
        param(r, &e->vals[0]);
        break;
    case X_CMPCOL:
        col(r, &e->a, e->alias_a);
        sn_buf_puts(b, sql_op(e->op));
        col(r, &e->b, e->alias_b);
        break;
    case X_IN: case X_NOTIN:
        if (e->nvals == 0) {   /* IN () is not SQL: an empty list matches nothing */
            sn_buf_puts(b, e->kind == X_IN ? "1 = 0" : "1 = 1");
            break;
        }
        col(r, &e->a, e->alias_a);
        sn_buf_puts(b, e->kind == X_IN ? " IN (" : " NOT IN (");
        /* padded to a power of two with the last value again (the same set): a
         * statement shape for every list length would flood the statement cache */
        size_t n = in_padded(r, e->nvals);
        for (size_t i = 0; i < n; i++) {
            if (i) sn_buf_puts(b, ", ");
            param(r, &e->vals[i < e->nvals ? i : e->nvals - 1]);
        }
        sn_buf_putc(b, ')');
        break;
    case X_INSUB:
        /* uncorrelated, so its own t0/tN aliases may shadow the outer ones; its
         * parameters follow the outer ones in the same list */
        col(r, &e->a, e->alias_a);
        sn_buf_puts(b, " IN (SELECT ");
        alias_col(r, 0, e->b.model->fields[e->b.field].column);
        from_where(r, e->subsel, 0);
        sn_buf_putc(b, ')');
        break;
    /* backslash escapes % and _ in patterns on every backend (PostgreSQL's default, made explicit) */
    case X_LIKE:
        col(r, &e->a, e->alias_a);
        sn_buf_puts(b, " LIKE ");
        param(r, &e->vals[0]);
        sn_buf_puts(b, " ESCAPE '\\'");
        break;
    case X_ILIKE:
        if (r->d->has_ilike) {
            col(r, &e->a, e->alias_a);
            sn_buf_puts(b, " ILIKE ");
            param(r, &e->vals[0]);
        } else {
            sn_buf_puts(b, "lower(");
            col(r, &e->a, e->alias_a);
            sn_buf_puts(b, ") LIKE lower(");
            param(r, &e->vals[0]);
            sn_buf_putc(b, ')');
        }
        sn_buf_puts(b, " ESCAPE '\\'");
        break;
    case X_NULL: case X_NOTNULL:
        col(r, &e->a, e->alias_a);
        sn_buf_puts(b, e->kind == X_NULL ? " IS NULL" : " IS NOT NULL");
        break;
    case X_BETWEEN:
        col(r, &e->a, e->alias_a);
        sn_buf_puts(b, " BETWEEN ");
        param(r, &e->vals[0]);
        sn_buf_puts(b, " AND ");
        param(r, &e->vals[1]);
        break;
    case X_AND: case X_OR:
        sn_buf_putc(b, '(');
        expr(r, e->l);
        sn_buf_puts(b, e->kind == X_AND ? " AND " : " OR ");
        expr(r, e->r);
        sn_buf_putc(b, ')');
        break;
    case X_NOT:
        sn_buf_puts(b, "NOT (");
        expr(r, e->l);
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

static void joins(rctx *r, const sn_select *s)
{
    for (size_t j = 0; j < s->njoins; j++) {
        const sn_ir_join *jn = &s->joins[j];
        const sinew_relation *rel = jn->rel;
        if (rel->kind == SINEW_MANY_TO_MANY) {
            int ja = 100 + jn->alias;   /* the join table's alias */
            sn_buf_puts(r->b, " LEFT JOIN ");
            sn_sql_ident(r->b, r->d, rel->through->table);
            sn_buf_printf(r->b, " AS t%d ON ", ja);
            join_on(r, jn->parent, jn->from, rel->local, ja, rel->through, rel->through_local, rel->nkeys);
            sn_buf_puts(r->b, " LEFT JOIN ");
            sn_sql_ident(r->b, r->d, rel->target->table);
            sn_buf_printf(r->b, " AS t%d ON ", jn->alias);
            join_on(r, ja, rel->through, rel->through_remote, jn->alias, rel->target, rel->remote, rel->nkeys);
        } else {
            sn_buf_puts(r->b, " LEFT JOIN ");
            sn_sql_ident(r->b, r->d, rel->target->table);
            sn_buf_printf(r->b, " AS t%d ON ", jn->alias);
            join_on(r, jn->parent, jn->from, rel->local, jn->alias, rel->target, rel->remote, rel->nkeys);
        }
    }
}

/* LEFT JOIN target AS eK ON ... for each to-one loaded with the rows */
static void eager_joins(rctx *r, const sn_select *s)
{
    for (size_t k = 0; k < s->neager; k++) {
        const sinew_relation *rel = s->eager[k].rel;
        int tag = s->eager[k].tag;
        sn_buf_puts(r->b, " LEFT JOIN ");
        sn_sql_ident(r->b, r->d, rel->target->table);
        sn_buf_printf(r->b, " AS e%d ON ", tag);
        for (size_t i = 0; i < rel->nkeys; i++) {
            if (i) sn_buf_puts(r->b, " AND ");
            sn_buf_printf(r->b, "e%d.", tag);
            sn_sql_ident(r->b, r->d, rel->target->fields[rel->remote[i]].column);
            sn_buf_puts(r->b, " = ");
            alias_col(r, 0, s->model->fields[rel->local[i]].column);
        }
    }
}

/* FROM ... JOIN ... WHERE ... (no SELECT list, no ORDER/LIMIT) */
static void from_where(rctx *r, const sn_select *s, int eager)
{
    sn_buf_puts(r->b, " FROM ");
    sn_sql_ident(r->b, r->d, s->model->table);
    sn_buf_puts(r->b, " AS t0");
    joins(r, s);
    if (eager) eager_joins(r, s);
    if (s->where || s->after) {
        sn_buf_puts(r->b, " WHERE ");
        if (s->where) expr(r, s->where);
        if (s->where && s->after) sn_buf_puts(r->b, " AND ");
        if (s->after) {
            sn_buf_putc(r->b, '(');
            expr(r, s->after);
            sn_buf_putc(r->b, ')');
        }
    }
}

/* the first norder order keys include every primary-key column */
static int has_pk_order(const sn_select *s, size_t norder)
{
    const sinew_model *m = s->model;
    for (size_t k = 0; k < m->npk; k++) {
        int found = 0;
        for (size_t i = 0; i < norder; i++)
            if (s->order[i].key.col.nvia == 0 && s->order[i].key.col.model == m &&
                s->order[i].key.col.field == m->pk[k])
                found = 1;
        if (!found) return 0;
    }
    return 1;
}

int sn_sql_select_has_pk_order(const sn_select *s) { return has_pk_order(s, s->norder); }

static void order_key(rctx *r, const sn_ir_col *c, sinew_dir dir, sinew_nulls nulls, int first)
{
    sn_buf_puts(r->b, first ? " ORDER BY " : ", ");
    ir_col(r, c);
    if (dir == SINEW_DESC) sn_buf_puts(r->b, " DESC");
    if (nulls == SINEW_NULLS_FIRST) sn_buf_puts(r->b, " NULLS FIRST");
    if (nulls == SINEW_NULLS_LAST) sn_buf_puts(r->b, " NULLS LAST");
}

/* ORDER BY ... LIMIT n OFFSET ? (with_order 0: the order is left out, paging stays) */
static void order_limit(rctx *r, const sn_select *s, int64_t extra_limit, int with_order)
{
    size_t norder = with_order ? s->norder : 0;
    for (size_t i = 0; i < norder; i++) order_key(r, &s->order[i].key, s->order[i].dir, s->order[i].nulls, i == 0);
    int64_t limit = s->limit;
    if (extra_limit > 0 && (limit < 0 || limit > extra_limit)) limit = extra_limit;
    /*
     * A slice of the rows (LIMIT/OFFSET, or first-of an ordered query) is
     * ordered totally: the primary key ends the order as the tie-breaker,
     * exactly as sinew_after() adds it. Without it, rows that tie on the
     * order keys come back in any order the database likes, differently for
     * each page (PostgreSQL's top-N sort does), and keyset or offset paging
     * skips some rows and repeats others. Grouped rows have no key to add.
     */
    int sliced = s->limit >= 0 || s->offset >= 0 || (norder && limit >= 0);
    if (sliced && s->ngroup == 0 && s->naggs == 0 && !has_pk_order(s, norder))
        for (size_t k = 0; k < s->model->npk; k++) {
            sn_ir_col c;
            memset(&c, 0, sizeof c);
            c.col.model = s->model;
            c.col.field = s->model->pk[k];
            order_key(r, &c, SINEW_ASC, SINEW_NULLS_DEFAULT, norder == 0 && k == 0);
        }
    /*
     * LIMIT is written as a number, not bound: it is an integer from the API
     * (nothing to inject), a program uses few page sizes, and a planner that
     * sees the number plans for it. Bound, PostgreSQL's generic plan guessed
     * 10% of the rows and sorted the whole join in W7 of the benchmark (2x
     * slower). OFFSET is bound: every page has its own, and as text each
     * page was one more prepared statement in the cache and on the server.
     */
    if (limit >= 0 || s->offset >= 0) {
        sn_buf_puts(r->b, " LIMIT ");
        if (limit < 0 && r->d->numbered_params) sn_buf_puts(r->b, "ALL");
        else sn_buf_printf(r->b, "%lld", (long long)(limit >= 0 ? limit : -1));
        if (s->offset >= 0) {
            sinew_value off;
            memset(&off, 0, sizeof off);
            off.type = SINEW_INT64;
            off.u.i = s->offset;
            sn_buf_puts(r->b, " OFFSET ");
            param(r, &off);
        }
    }
}

static void model_columns(rctx *r, const sinew_model *m)
{
    for (size_t i = 0; i < m->nfields; i++) {
        if (i) sn_buf_puts(r->b, ", ");
        alias_col(r, 0, m->fields[i].column);
    }
}

static const char *select_kw(const sn_select *s)
{
    return (s->distinct || s->to_many) ? "SELECT DISTINCT " : "SELECT ";
}

/* only the queried model's rows are locked (OF t0): PostgreSQL refuses to lock the nullable side of
 * the LEFT JOINs that filters and eager loads add, and the caller asked for these rows */
static void lock_clause(rctx *r, const sn_select *s)
{
    static const char *const mode[] = {"", " FOR UPDATE", " FOR NO KEY UPDATE", " FOR SHARE", " FOR KEY SHARE"};
    if (s->lock <= SINEW_LOCK_NONE || s->lock > SINEW_FOR_KEY_SHARE) return;
    sn_buf_puts(r->b, mode[s->lock]);
    sn_buf_puts(r->b, " OF t0");
    if (s->lock_wait == SINEW_NOWAIT) sn_buf_puts(r->b, " NOWAIT");
    else if (s->lock_wait == SINEW_SKIP_LOCKED) sn_buf_puts(r->b, " SKIP LOCKED");
}

int sn_sql_select_objects(sn_sql_out *o, const sinew_dialect *d, const sn_select *s, int64_t extra_limit)
{
    sn_sql_out_reset(o);
    rctx r = {o, &o->sql, d};
    sn_buf_puts(r.b, select_kw(s));
    model_columns(&r, s->model);
    for (size_t k = 0; k < s->neager; k++) {
        const sinew_model *t = s->eager[k].rel->target;
        for (size_t i = 0; i < t->nfields; i++) {
            sn_buf_printf(r.b, ", e%d.", s->eager[k].tag);
            sn_sql_ident(r.b, d, t->fields[i].column);
        }
    }
    from_where(&r, s, 1);
    order_limit(&r, s, extra_limit, 1);
    lock_clause(&r, s);
    return done(&r);
}

const char *sn_sql_agg_name(sinew_agg fn)
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

static void agg(rctx *r, const sn_ir_agg *a)
{
    sn_buf_printf(r->b, "%s(", sn_sql_agg_name(a->fn));
    ir_col(r, &a->arg);
    sn_buf_putc(r->b, ')');
}

int sn_sql_select_grouped(sn_sql_out *o, const sinew_dialect *d, const sn_select *s)
{
    sn_sql_out_reset(o);
    rctx r = {o, &o->sql, d};
    sn_buf_puts(r.b, "SELECT ");
    int n = 0;
    for (size_t i = 0; i < s->ngroup; i++, n++) {
        if (i) sn_buf_puts(r.b, ", ");
        ir_col(&r, &s->group[i]);
    }
    for (size_t i = 0; i < s->naggs; i++, n++) {
        if (n) sn_buf_puts(r.b, ", ");
        agg(&r, &s->aggs[i]);
    }
    from_where(&r, s, 0);
    for (size_t i = 0; i < s->ngroup; i++) {
        sn_buf_puts(r.b, i ? ", " : " GROUP BY ");
        ir_col(&r, &s->group[i]);
    }
    for (size_t i = 0; i < s->nhaving; i++) {
        const sn_ir_having *h = &s->having[i];
        sn_buf_puts(r.b, i ? " AND " : " HAVING ");
        agg(&r, &h->agg);
        sn_buf_puts(r.b, sql_op(h->op >= SINEW_EQ && h->op <= SINEW_GE ? h->op : SINEW_EQ));
        param(&r, &h->v);
    }
    order_limit(&r, s, 0, 1);
    return done(&r);
}

int sn_sql_select_needs_wrap(const sn_select *s)
{
    return s->distinct || s->to_many || s->limit >= 0 || s->offset >= 0;
}

int sn_sql_select_scalar(sn_sql_out *o, const sinew_dialect *d, const sn_select *s, sinew_agg fn,
                         const sn_ir_col *arg)
{
    sn_sql_out_reset(o);
    rctx r = {o, &o->sql, d};
    if (fn) sn_buf_printf(r.b, "SELECT %s(", sn_sql_agg_name(fn));
    else sn_buf_puts(r.b, "SELECT COUNT(*)");
    if (sn_sql_select_needs_wrap(s)) {
        /* over a derived table of the rows, which carries the model's columns under their names */
        if (arg) {
            sn_buf_puts(r.b, "c.");
            sn_sql_ident(r.b, d, arg->col.model->fields[arg->col.field].column);
            if (arg->col.arith) {
                sn_buf_printf(r.b, " %c ", arg->col.arith);
                param(&r, &arg->col.arith_value);
            }
        }
        if (fn) sn_buf_putc(r.b, ')');
        sn_buf_puts(r.b, " FROM (");
        sn_buf_puts(r.b, select_kw(s));
        model_columns(&r, s->model);
        from_where(&r, s, 0);
        /* order only matters for limit/offset; keep it then */
        order_limit(&r, s, 0, s->limit >= 0 || s->offset >= 0);
        sn_buf_puts(r.b, ") AS c");
    } else {
        if (arg) ir_col(&r, arg);
        if (fn) sn_buf_putc(r.b, ')');
        from_where(&r, s, 0);
    }
    return done(&r);
}

/* the rows of a bulk statement: directly, or "(pk) IN (SELECT t0.pk ...)" when joins or paging are involved */
static int simple_rows(const sn_select *s)
{
    return s->njoins == 0 && s->limit < 0 && s->offset < 0 && !s->distinct;
}

static void bulk_where(rctx *r, const sn_select *s)
{
    const sinew_model *m = s->model;
    if (simple_rows(s)) {
        if (s->where) {
            sn_buf_puts(r->b, " WHERE ");
            expr(r, s->where);
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
        alias_col(r, 0, m->fields[m->pk[i]].column);
    }
    from_where(r, s, 0);
    order_limit(r, s, 0, 1);
    sn_buf_putc(r->b, ')');
}

int sn_sql_update_rows(sn_sql_out *o, const sinew_dialect *d, const sn_select *s, const sinew_set *set, size_t n,
                       int returning)
{
    sn_sql_out_reset(o);
    rctx r = {o, &o->sql, d};
    sn_buf_puts(r.b, "UPDATE ");
    sn_sql_ident(r.b, d, s->model->table);
    if (simple_rows(s)) sn_buf_puts(r.b, " AS t0");
    sn_buf_puts(r.b, " SET ");
    for (size_t i = 0; i < n; i++) {
        const sinew_set *a = &set[i];
        if (i) sn_buf_puts(r.b, ", ");
        sn_sql_ident(r.b, d, s->model->fields[a->col.field].column);
        sn_buf_puts(r.b, " = ");
        if (a->kind != SINEW_SET_EXPR) {
            param(&r, &a->value);
            continue;
        }
        /* unqualified: in SET it can only be the row being updated (with or without the t0 alias) */
        if (a->expr.arith) sn_buf_putc(r.b, '(');
        sn_sql_ident(r.b, d, s->model->fields[a->expr.field].column);
        if (a->expr.arith) {
            sn_buf_printf(r.b, " %c ", a->expr.arith);
            param(&r, &a->expr.arith_value);
            sn_buf_putc(r.b, ')');
        }
    }
    bulk_where(&r, s);
    for (size_t i = 0; returning && i < s->model->nfields; i++) {
        sn_buf_puts(r.b, i ? ", " : " RETURNING ");
        sn_sql_ident(r.b, d, s->model->fields[i].column);
    }
    return done(&r);
}

int sn_sql_delete_rows(sn_sql_out *o, const sinew_dialect *d, const sn_select *s)
{
    sn_sql_out_reset(o);
    rctx r = {o, &o->sql, d};
    sn_buf_puts(r.b, "DELETE FROM ");
    sn_sql_ident(r.b, d, s->model->table);
    if (simple_rows(s)) sn_buf_puts(r.b, " AS t0");
    bulk_where(&r, s);
    return done(&r);
}
