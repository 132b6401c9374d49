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
    int bare;                 /* columns of the written row in SET: unaliased, or qualified by `qual` */
    const char *qual;
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
    sn_sql_param(r->b, r->d, o->param_base + (int)o->nparams);
}

/*
 * " LIMIT n OFFSET ?" (either < 0: not given). LIMIT is written as a number, not bound: it is an
 * integer from the API (nothing to inject), a program uses few page sizes, and a planner that sees
 * the number plans for it. Bound, PostgreSQL's generic plan guessed 10% of the rows and sorted the
 * whole join in W7 of the benchmark (2x slower). OFFSET is bound: every page has its own, and as
 * text each page was one more prepared statement in the cache and on the server.
 */
static void limit_offset(rctx *r, int64_t limit, int64_t offset)
{
    if (limit < 0 && offset < 0) return;
    sn_buf_puts(r->b, " LIMIT ");
    if (limit >= 0) sn_buf_printf(r->b, "%lld", (long long)limit);
    else if (r->d->limit_all) sn_buf_puts(r->b, r->d->limit_all);
    else sn_buf_puts(r->b, r->d->numbered_params ? "ALL" : "-1");
    if (offset >= 0) {
        sinew_value off;
        memset(&off, 0, sizeof off);
        off.type = SINEW_INT64;
        off.u.i = offset;
        sn_buf_puts(r->b, " OFFSET ");
        param(r, &off);
    }
}

static void alias_col(rctx *r, int alias, const char *column)
{
    if (r->bare) {
        if (r->qual) {
            sn_sql_ident(r->b, r->d, r->qual);
            sn_buf_putc(r->b, '.');
        }
        sn_sql_ident(r->b, r->d, column);
        return;
    }
    sn_buf_printf(r->b, "t%d.", alias);
    sn_sql_ident(r->b, r->d, column);
}

/* a dialect template: %c the column, %p the column's JSON path as a literal, %v the value v bound */
static void json_template(rctx *r, const char *t, const sinew_col *c, int alias, const sinew_value *v)
{
    if (!t) {   /* the ORM refuses what the dialect cannot read before rendering */
        r->b->failed = 1;
        return;
    }
    const char *column = c->model->fields[c->field].column;
    for (; *t; t++) {
        if (t[0] != '%' || !t[1]) {
            sn_buf_putc(r->b, *t);
            continue;
        }
        t++;
        if (*t == 'c') alias_col(r, alias, column);
        else if (*t == 'p') sn_sql_json_path_literal(r->b, r->d, c->json_path);
        else if (*t == 'v' && v) param(r, v);
        else sn_buf_putc(r->b, *t);
    }
}

/* " AND t<alias>.<deleted_at> IS NULL" when m is @@soft_delete: a join or subquery sees its live rows */
static void and_live(rctx *r, const sinew_model *m, int alias)
{
    int soft = sinew_model_soft_delete_field(m);
    if (soft < 0) return;
    sn_buf_puts(r->b, " AND ");
    alias_col(r, alias, m->fields[soft].column);
    sn_buf_puts(r->b, " IS NULL");
}

static void col(rctx *r, const sinew_col *c, int alias)
{
    const sinew_field *f = &c->model->fields[c->field];
    if (c->json_type) {
        if (c->arith) sn_buf_putc(r->b, '(');
        json_template(r, sn_sql_json_template(r->d, c->json_type), c, alias, NULL);
        if (c->arith) {
            sn_buf_printf(r->b, " %c ", c->arith);
            param(r, &c->arith_value);
            sn_buf_putc(r->b, ')');
        }
        return;
    }
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
static void join_on(rctx *r, int la, const sinew_model *lm, const unsigned *lf, int ra, const sinew_model *rm,
                    const unsigned *rf, size_t n);
static void expr(rctx *r, const sinew_expr *e);

/*
 * FROM rel's target AS t<sub> WHERE (its keys = those of t<outer>) [AND (where)]: the body of a subquery
 * correlated through a relation (EXISTS, a scalar aggregate, an annotation); many-to-many goes through
 * the join table, t<100 + sub>
 */
static void correlated(rctx *r, const sinew_relation *rel, const sinew_model *owner, int outer, int sub,
                       const sinew_expr *where)
{
    sn_buf_puts(r->b, " FROM ");
    if (rel->kind == SINEW_MANY_TO_MANY) {
        int ja = 100 + sub;
        sn_sql_table(r->b, r->d, rel->through);
        sn_buf_printf(r->b, " AS t%d JOIN ", ja);
        sn_sql_table(r->b, r->d, rel->target);
        sn_buf_printf(r->b, " AS t%d ON ", sub);
        join_on(r, ja, rel->through, rel->through_remote, sub, rel->target, rel->remote, rel->nkeys);
        sn_buf_puts(r->b, " WHERE ");
        join_on(r, outer, owner, rel->local, ja, rel->through, rel->through_local, rel->nkeys);
    } else {
        sn_sql_table(r->b, r->d, rel->target);
        sn_buf_printf(r->b, " AS t%d WHERE ", sub);
        join_on(r, outer, owner, rel->local, sub, rel->target, rel->remote, rel->nkeys);
    }
    and_live(r, rel->target, sub);
    if (where) {
        sn_buf_puts(r->b, " AND (");
        expr(r, where);
        sn_buf_putc(r->b, ')');
    }
}

static void agg_name(rctx *r, sinew_agg fn);
static void col(rctx *r, const sinew_col *c, int alias);

/* (SELECT fn(arg) FROM ... correlated ...) */
static void scalar_sub(rctx *r, const sinew_relation *rel, const sinew_model *owner, int outer, int sub,
                       sinew_agg fn, const sinew_col *arg, const sinew_expr *where)
{
    sn_buf_puts(r->b, "(SELECT ");
    agg_name(r, fn);
    sn_buf_putc(r->b, '(');
    col(r, arg, sub);
    sn_buf_putc(r->b, ')');
    correlated(r, rel, owner, outer, sub, where);
    sn_buf_putc(r->b, ')');
}

/* n rounded up to a power of two, but never past the dialect's parameter limit */
static size_t in_padded(const rctx *r, size_t n)
{
    size_t p = 1;
    while (p < n) p *= 2;
    size_t used = (size_t)r->o->param_base + r->o->nparams;
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
        if (e->rel && e->rel->nkeys > 1) {
            /* a key of several columns (a foreign key's, e->rel's): (a1, a2) IN (SELECT b1, b2 ...), a row
             * value every backend takes; a is the first of the outer columns, b of the subquery's */
            sn_buf_putc(b, '(');
            for (size_t k = 0; k < e->rel->nkeys; k++) {
                if (k) sn_buf_puts(b, ", ");
                alias_col(r, e->alias_a, e->a.model->fields[e->rel->local[k]].column);
            }
            sn_buf_puts(b, ") IN (SELECT ");
            for (size_t k = 0; k < e->rel->nkeys; k++) {
                if (k) sn_buf_puts(b, ", ");
                alias_col(r, 0, e->b.model->fields[e->rel->remote[k]].column);
            }
        } else {
            col(r, &e->a, e->alias_a);
            sn_buf_puts(b, " IN (SELECT ");
            alias_col(r, 0, e->b.model->fields[e->b.field].column);
        }
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
    case X_EXISTS:
        sn_buf_puts(b, "EXISTS (SELECT 1");
        correlated(r, e->rel, e->owner, e->alias_outer, e->alias_sub, e->l);
        sn_buf_putc(b, ')');
        break;
    case X_CMPSUB:
        scalar_sub(r, e->rel, e->owner, e->alias_outer, e->alias_sub, e->fn, &e->a, e->l);
        sn_buf_puts(b, sql_op(e->op));
        param(r, &e->vals[0]);
        break;
    case X_JSONHAS:
        json_template(r, r->d->json_contains, &e->a, e->alias_a, &e->vals[0]);
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
            sn_sql_table(r->b, r->d, rel->through);
            sn_buf_printf(r->b, " AS t%d ON ", ja);
            join_on(r, jn->parent, jn->from, rel->local, ja, rel->through, rel->through_local, rel->nkeys);
            sn_buf_puts(r->b, " LEFT JOIN ");
            sn_sql_table(r->b, r->d, rel->target);
            sn_buf_printf(r->b, " AS t%d ON ", jn->alias);
            join_on(r, ja, rel->through, rel->through_remote, jn->alias, rel->target, rel->remote, rel->nkeys);
        } else {
            sn_buf_puts(r->b, " LEFT JOIN ");
            sn_sql_table(r->b, r->d, rel->target);
            sn_buf_printf(r->b, " AS t%d ON ", jn->alias);
            join_on(r, jn->parent, jn->from, rel->local, jn->alias, rel->target, rel->remote, rel->nkeys);
        }
        and_live(r, rel->target, jn->alias);
    }
}

/* LEFT JOIN target AS eK ON ... for each to-one loaded with the rows */
static void eager_joins(rctx *r, const sn_select *s)
{
    for (size_t k = 0; k < s->neager; k++) {
        const sinew_relation *rel = s->eager[k].rel;
        int tag = s->eager[k].tag;
        sn_buf_puts(r->b, " LEFT JOIN ");
        sn_sql_table(r->b, r->d, rel->target);
        sn_buf_printf(r->b, " AS e%d ON ", tag);
        for (size_t i = 0; i < rel->nkeys; i++) {
            if (i) sn_buf_puts(r->b, " AND ");
            sn_buf_printf(r->b, "e%d.", tag);
            sn_sql_ident(r->b, r->d, rel->target->fields[rel->remote[i]].column);
            sn_buf_puts(r->b, " = ");
            alias_col(r, 0, s->model->fields[rel->local[i]].column);
        }
        int soft = sinew_model_soft_delete_field(rel->target);
        if (soft >= 0) {
            sn_buf_printf(r->b, " AND e%d.", tag);
            sn_sql_ident(r->b, r->d, rel->target->fields[soft].column);
            sn_buf_puts(r->b, " IS NULL");
        }
    }
}

static void from_where_own(rctx *r, const sn_select *s, int eager, int keyset);

static void pk_list(rctx *r, const sinew_model *m, int alias)
{
    for (size_t i = 0; i < m->npk; i++) {
        if (i) sn_buf_puts(r->b, ", ");
        if (alias >= 0) alias_col(r, alias, m->fields[m->pk[i]].column);
        else sn_sql_ident(r->b, r->d, m->fields[m->pk[i]].column);
    }
}

/*
 * FROM ... JOIN ... WHERE ... (no SELECT list, no ORDER/LIMIT). With a set
 * operation the rows are those whose key is in (SELECT key FROM these rows
 * UNION | INTERSECT | EXCEPT SELECT key FROM the other query's rows): each
 * side keeps its own joins and aliases inside its SELECT (uncorrelated), and
 * the outer statement reads t0 alone, with the eager joins and keyset
 * condition.
 */
static void from_where(rctx *r, const sn_select *s, int eager)
{
    if (!s->setop || !s->setop_other) {
        from_where_own(r, s, eager, 1);
        return;
    }
    static const char *const op[] = {"", " UNION ", " INTERSECT ", " EXCEPT ", " UNION ALL "};
    const sinew_model *m = s->model;
    sn_buf_puts(r->b, " FROM ");
    sn_sql_table(r->b, r->d, m);
    sn_buf_puts(r->b, " AS t0");
    if (eager) eager_joins(r, s);
    sn_buf_puts(r->b, " WHERE (");
    pk_list(r, m, 0);
    sn_buf_puts(r->b, ") IN (SELECT ");
    pk_list(r, m, 0);
    from_where_own(r, s, 0, 0);
    sn_buf_puts(r->b, op[s->setop <= SINEW_UNION_ALL ? s->setop : SINEW_UNION]);
    sn_buf_puts(r->b, "SELECT ");
    pk_list(r, m, 0);
    from_where(r, s->setop_other, 0);
    sn_buf_putc(r->b, ')');
    if (s->after) {
        sn_buf_puts(r->b, " AND (");
        expr(r, s->after);
        sn_buf_putc(r->b, ')');
    }
}

/* keyset 0: without the keyset condition (the outer statement of a set operation has it) */
static void from_where_own(rctx *r, const sn_select *s, int eager, int keyset)
{
    const sinew_expr *after = keyset ? s->after : NULL;
    sn_buf_puts(r->b, " FROM ");
    sn_sql_table(r->b, r->d, s->model);
    sn_buf_puts(r->b, " AS t0");
    joins(r, s);
    if (eager) eager_joins(r, s);
    int soft = s->with_deleted ? -1 : sinew_model_soft_delete_field(s->model);
    if (s->where || after || s->closure || soft >= 0) {
        sn_buf_puts(r->b, " WHERE ");
        if (s->where) expr(r, s->where);
        if (s->where && after) sn_buf_puts(r->b, " AND ");
        if (after) {
            sn_buf_putc(r->b, '(');
            expr(r, after);
            sn_buf_putc(r->b, ')');
        }
        if (s->closure) {
            if (s->where || after) sn_buf_puts(r->b, " AND ");
            alias_col(r, 0, s->model->fields[s->model->pk[0]].column);
            sn_buf_puts(r->b, " IN (SELECT k FROM sn_closure)");
        }
        if (soft >= 0) {   /* @@soft_delete: the rows not deleted, unless sinew_with_deleted */
            if (s->where || after || s->closure) sn_buf_puts(r->b, " AND ");
            alias_col(r, 0, s->model->fields[soft].column);
            sn_buf_puts(r->b, " IS NULL");
        }
    }
}

/*
 * WITH RECURSIVE sn_closure(k) AS (the keys one step from the start rows UNION the keys one step from
 * those already reached): UNION, not UNION ALL, so a cycle in the data ends the recursion. A step
 * along relation rel (of the model to itself) from owner o to target t: t.remote = o.local.
 */
static void with_clause(rctx *r, const sn_select *s)
{
    const sinew_relation *rel = s->closure;
    if (!rel) return;
    const sinew_model *m = s->model;
    const char *pk = m->fields[m->pk[0]].column;
    sn_buf_puts(r->b, "WITH RECURSIVE sn_closure(k) AS (SELECT ");
    alias_col(r, 191, pk);
    sn_buf_puts(r->b, " FROM ");
    sn_sql_table(r->b, r->d, m);
    sn_buf_puts(r->b, " AS t191 JOIN ");
    sn_sql_table(r->b, r->d, m);
    sn_buf_puts(r->b, " AS t190 ON ");
    join_on(r, 190, m, rel->local, 191, m, rel->remote, rel->nkeys);
    if (s->closure_start) {
        sn_buf_puts(r->b, " WHERE ");
        expr(r, s->closure_start);
    }
    sn_buf_puts(r->b, " UNION SELECT ");
    alias_col(r, 193, pk);
    sn_buf_puts(r->b, " FROM ");
    sn_sql_table(r->b, r->d, m);
    sn_buf_puts(r->b, " AS t193 JOIN ");
    sn_sql_table(r->b, r->d, m);
    sn_buf_puts(r->b, " AS t192 ON ");
    join_on(r, 192, m, rel->local, 193, m, rel->remote, rel->nkeys);
    sn_buf_puts(r->b, " JOIN sn_closure ON sn_closure.k = ");
    alias_col(r, 192, pk);
    sn_buf_puts(r->b, ") ");
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
    if (!r->d->has_nulls_order && nulls != SINEW_NULLS_DEFAULT) {
        /* no NULLS FIRST / LAST (MariaDB): order by whether the key is NULL first */
        ir_col(r, c);
        sn_buf_puts(r->b, nulls == SINEW_NULLS_FIRST ? " IS NULL DESC, " : " IS NULL ASC, ");
    }
    ir_col(r, c);
    if (dir == SINEW_DESC) sn_buf_puts(r->b, " DESC");
    if (r->d->has_nulls_order && nulls == SINEW_NULLS_FIRST) sn_buf_puts(r->b, " NULLS FIRST");
    if (r->d->has_nulls_order && nulls == SINEW_NULLS_LAST) sn_buf_puts(r->b, " NULLS LAST");
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
    limit_offset(r, limit, s->offset);
}

static void model_columns(rctx *r, const sinew_model *m)
{
    for (size_t i = 0; i < m->nfields; i++) {
        if (i) sn_buf_puts(r->b, ", ");
        alias_col(r, 0, m->fields[i].column);
    }
}

/* the fields of mask (0: every one), in field order */
static void some_columns(rctx *r, const sinew_model *m, uint64_t mask)
{
    if (!mask) {
        model_columns(r, m);
        return;
    }
    int n = 0;
    for (size_t i = 0; i < m->nfields; i++) {
        if (!((mask >> i) & 1)) continue;
        if (n++) sn_buf_puts(r->b, ", ");
        alias_col(r, 0, m->fields[i].column);
    }
}

static const char *select_kw(const sn_select *s)
{
    return (s->distinct || s->to_many) ? "SELECT DISTINCT " : "SELECT ";
}

/* only the queried model's rows are locked (OF t0): PostgreSQL refuses to lock the nullable side of
 * the LEFT JOINs that filters and eager loads add, and the caller asked for these rows. MariaDB's
 * lock names no table (row_locks_unqualified): the ORM refuses a locked query that joins there, and
 * the key-level modes, which it does not have */
static void lock_clause(rctx *r, const sn_select *s)
{
    static const char *const mode[] = {"", " FOR UPDATE", " FOR NO KEY UPDATE", " FOR SHARE", " FOR KEY SHARE"};
    if (s->lock <= SINEW_LOCK_NONE || s->lock > SINEW_FOR_KEY_SHARE) return;
    if (r->d->row_locks_unqualified) {
        sn_buf_puts(r->b, s->lock == SINEW_FOR_SHARE || s->lock == SINEW_FOR_KEY_SHARE ? " LOCK IN SHARE MODE"
                                                                                       : " FOR UPDATE");
    } else {
        sn_buf_puts(r->b, mode[s->lock]);
        sn_buf_puts(r->b, " OF t0");
    }
    if (s->lock_wait == SINEW_NOWAIT) sn_buf_puts(r->b, " NOWAIT");
    else if (s->lock_wait == SINEW_SKIP_LOCKED) sn_buf_puts(r->b, " SKIP LOCKED");
}

int sn_sql_select_objects(sn_sql_out *o, const sinew_dialect *d, const sn_select *s, int64_t extra_limit)
{
    sn_sql_out_reset(o);
    rctx r = {.o = o, .b = &o->sql, .d = d};
    with_clause(&r, s);
    sn_buf_puts(r.b, select_kw(s));
    some_columns(&r, s->model, s->cols);
    for (size_t k = 0; k < s->neager; k++) {
        const sinew_model *t = s->eager[k].rel->target;
        for (size_t i = 0; i < t->nfields; i++) {
            sn_buf_printf(r.b, ", e%d.", s->eager[k].tag);
            sn_sql_ident(r.b, d, t->fields[i].column);
        }
    }
    for (size_t k = 0; k < s->nann; k++) {
        const sn_ir_annot *a = &s->ann[k];
        sn_buf_puts(r.b, ", ");
        scalar_sub(&r, a->rel, s->model, 0, a->alias_sub, a->fn, &a->arg.col, a->where);
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

/* 1: the aggregate of this column is wrapped in the dialect's decimal_result_open/close */
static int trims_decimal(const rctx *r, sinew_agg fn, const sn_ir_col *arg)
{
    if (!arg || fn == SINEW_COUNT || !r->d->decimal_result_open || !r->d->decimal_cast || arg->col.arith) return 0;
    return arg->col.model->fields[arg->col.field].type == SINEW_DECIMAL;
}

static void agg_name(rctx *r, sinew_agg fn) { sn_buf_puts(r->b, sn_sql_agg_name(fn)); }

static void agg(rctx *r, const sn_ir_agg *a)
{
    int trim = trims_decimal(r, a->fn, &a->arg);
    if (trim) sn_buf_puts(r->b, r->d->decimal_result_open);
    sn_buf_printf(r->b, "%s(", sn_sql_agg_name(a->fn));
    ir_col(r, &a->arg);
    sn_buf_putc(r->b, ')');
    if (trim) sn_buf_puts(r->b, r->d->decimal_result_close);
}

static const char *win_name(sinew_window_fn fn)
{
    switch (fn) {
    case SINEW_ROW_NUMBER: return "ROW_NUMBER";
    case SINEW_RANK: return "RANK";
    case SINEW_DENSE_RANK: return "DENSE_RANK";
    case SINEW_WIN_COUNT: return "COUNT";
    case SINEW_WIN_SUM: return "SUM";
    case SINEW_WIN_AVG: return "AVG";
    case SINEW_WIN_MIN: return "MIN";
    case SINEW_WIN_MAX: return "MAX";
    case SINEW_LAG: return "LAG";
    case SINEW_LEAD: return "LEAD";
    }
    return "ROW_NUMBER";
}

static void value_col(rctx *r, const sn_ir_value *v)
{
    switch (v->kind) {
    case SN_VAL_COL: ir_col(r, &v->col); break;
    case SN_VAL_WINDOW:
        sn_buf_printf(r->b, "%s(", win_name(v->win));
        if (v->win >= SINEW_WIN_COUNT) ir_col(r, &v->col);
        sn_buf_puts(r->b, ") OVER (");
        for (size_t i = 0; i < v->npart; i++) {
            sn_buf_puts(r->b, i ? ", " : "PARTITION BY ");
            ir_col(r, &v->part[i]);
        }
        for (size_t i = 0; i < v->norder; i++) {
            sn_buf_puts(r->b, i ? ", " : v->npart ? " ORDER BY " : "ORDER BY ");
            ir_col(r, &v->order[i].key);
            if (v->order[i].dir == SINEW_DESC) sn_buf_puts(r->b, " DESC");
        }
        sn_buf_putc(r->b, ')');
        break;
    }
}

/*
 * A filter on a window's result cannot be in the WHERE of the statement that
 * computes it (windows are computed after WHERE): the rows become a derived
 * table whose columns are c0, c1, ... and whose order keys are o0, o1, ...,
 * filtered, ordered and paged outside.
 */
static int select_filtered(rctx *r, const sn_select *s)
{
    size_t ncols = s->ngroup + s->naggs + s->nvals;
    sn_buf_puts(r->b, "SELECT ");
    for (size_t i = 0; i < ncols; i++) sn_buf_printf(r->b, "%sw.c%zu", i ? ", " : "", i);
    sn_buf_puts(r->b, " FROM (SELECT ");
    size_t n = 0;
    for (size_t i = 0; i < s->ngroup; i++, n++) {
        if (n) sn_buf_puts(r->b, ", ");
        ir_col(r, &s->group[i]);
        sn_buf_printf(r->b, " AS c%zu", n);
    }
    for (size_t i = 0; i < s->naggs; i++, n++) {
        if (n) sn_buf_puts(r->b, ", ");
        agg(r, &s->aggs[i]);
        sn_buf_printf(r->b, " AS c%zu", n);
    }
    for (size_t i = 0; i < s->nvals; i++, n++) {
        if (n) sn_buf_puts(r->b, ", ");
        value_col(r, &s->vals[i]);
        sn_buf_printf(r->b, " AS c%zu", n);
    }
    for (size_t i = 0; i < s->norder; i++) {
        sn_buf_puts(r->b, ", ");
        ir_col(r, &s->order[i].key);
        sn_buf_printf(r->b, " AS o%zu", i);
    }
    from_where(r, s, 0);
    for (size_t i = 0; i < s->ngroup; i++) {
        sn_buf_puts(r->b, i ? ", " : " GROUP BY ");
        ir_col(r, &s->group[i]);
    }
    sn_buf_printf(r->b, ") AS w WHERE w.c%zu", s->vfilter_col);
    sn_buf_puts(r->b, sql_op(s->vfilter_op >= SINEW_EQ && s->vfilter_op <= SINEW_GE ? s->vfilter_op : SINEW_EQ));
    param(r, &s->vfilter_v);
    for (size_t i = 0; i < s->norder; i++) {
        sn_buf_printf(r->b, "%sw.o%zu", i ? ", " : " ORDER BY ", i);
        if (s->order[i].dir == SINEW_DESC) sn_buf_puts(r->b, " DESC");
        if (s->order[i].nulls == SINEW_NULLS_FIRST) sn_buf_puts(r->b, " NULLS FIRST");
        if (s->order[i].nulls == SINEW_NULLS_LAST) sn_buf_puts(r->b, " NULLS LAST");
    }
    if (s->limit >= 0) sn_buf_printf(r->b, " LIMIT %lld", (long long)s->limit);
    if (s->offset >= 0) {
        if (s->limit < 0) sn_buf_puts(r->b, r->d->numbered_params ? " LIMIT ALL" : " LIMIT -1");
        sinew_value off;
        memset(&off, 0, sizeof off);
        off.type = SINEW_INT64;
        off.u.i = s->offset;
        sn_buf_puts(r->b, " OFFSET ");
        param(r, &off);
    }
    return done(r);
}

/* SELECT <groups>, <aggregates>, <values> FROM ... GROUP BY ... HAVING ... (no order, no paging);
 * aliased: each column AS c<n>, as a branch of a set operation names them */
static void grouped_body(rctx *r, const sn_select *s, int aliased)
{
    sn_buf_puts(r->b, "SELECT ");
    int n = 0;
    for (size_t i = 0; i < s->ngroup; i++, n++) {
        if (n) sn_buf_puts(r->b, ", ");
        ir_col(r, &s->group[i]);
        if (aliased) sn_buf_printf(r->b, " AS c%d", n);
    }
    for (size_t i = 0; i < s->naggs; i++, n++) {
        if (n) sn_buf_puts(r->b, ", ");
        agg(r, &s->aggs[i]);
        if (aliased) sn_buf_printf(r->b, " AS c%d", n);
    }
    for (size_t i = 0; i < s->nvals; i++, n++) {
        if (n) sn_buf_puts(r->b, ", ");
        value_col(r, &s->vals[i]);
        if (aliased) sn_buf_printf(r->b, " AS c%d", n);
    }
    from_where(r, s, 0);
    for (size_t i = 0; i < s->ngroup; i++) {
        sn_buf_puts(r->b, i ? ", " : " GROUP BY ");
        ir_col(r, &s->group[i]);
    }
    for (size_t i = 0; i < s->nhaving; i++) {
        const sn_ir_having *h = &s->having[i];
        sn_buf_puts(r->b, i ? " AND " : " HAVING ");
        agg(r, &h->agg);
        sn_buf_puts(r->b, sql_op(h->op >= SINEW_EQ && h->op <= SINEW_GE ? h->op : SINEW_EQ));
        param(r, &h->v);
    }
}

int sn_sql_same_col(const sinew_col *a, const sinew_col *b)
{
    if (a->model != b->model || a->field != b->field || a->nvia != b->nvia || a->arith != b->arith) return 0;
    for (int i = 0; i < a->nvia && i < SINEW_MAX_PATH; i++)
        if (a->via[i] != b->via[i]) return 0;
    if (a->arith && (a->arith_value.type != b->arith_value.type ||
                     (a->arith_value.type == SINEW_DOUBLE ? a->arith_value.u.d != b->arith_value.u.d
                                                          : a->arith_value.u.i != b->arith_value.u.i)))
        return 0;
    return a->json_type == b->json_type && strcmp(a->json_path, b->json_path) == 0;
}

int sn_sql_result_col(const sn_select *s, const sinew_col *c)
{
    for (size_t i = 0; i < s->ngroup; i++)
        if (sn_sql_same_col(&s->group[i].col, c)) return (int)i;
    for (size_t i = 0; i < s->nvals; i++)
        if (s->vals[i].kind == SN_VAL_COL && sn_sql_same_col(&s->vals[i].col.col, c))
            return (int)(s->ngroup + s->naggs + i);
    return -1;
}

/*
 * SELECT u.c0, ... FROM (<these rows> UNION | UNION ALL | INTERSECT | EXCEPT <the other's>) AS u
 * ORDER BY u.c<k> ... LIMIT: the order and paging are of the combined rows, so each order key is
 * one of the result columns (the ORM checks that first), named by its alias on every backend.
 */
static int select_combined(rctx *r, const sn_select *s)
{
    static const char *const op[] = {"", " UNION ", " INTERSECT ", " EXCEPT ", " UNION ALL "};
    size_t ncols = s->ngroup + s->naggs + s->nvals;
    sn_buf_puts(r->b, "SELECT ");
    for (size_t i = 0; i < ncols; i++) sn_buf_printf(r->b, "%su.c%zu", i ? ", " : "", i);
    sn_buf_puts(r->b, " FROM (");
    grouped_body(r, s, 1);
    sn_buf_puts(r->b, op[s->rows_setop >= SINEW_UNION && s->rows_setop <= SINEW_UNION_ALL ? s->rows_setop : 1]);
    grouped_body(r, s->rows_other, 1);
    sn_buf_puts(r->b, ") AS u");
    for (size_t i = 0; i < s->norder; i++) {
        int k = sn_sql_result_col(s, &s->order[i].key.col);
        if (k < 0) {
            r->b->failed = 1;
            break;
        }
        sinew_nulls nulls = s->order[i].nulls;
        sn_buf_puts(r->b, i ? ", " : " ORDER BY ");
        if (!r->d->has_nulls_order && nulls != SINEW_NULLS_DEFAULT)
            sn_buf_printf(r->b, "u.c%d IS NULL %s, ", k, nulls == SINEW_NULLS_FIRST ? "DESC" : "ASC");
        sn_buf_printf(r->b, "u.c%d", k);
        if (s->order[i].dir == SINEW_DESC) sn_buf_puts(r->b, " DESC");
        if (r->d->has_nulls_order && nulls == SINEW_NULLS_FIRST) sn_buf_puts(r->b, " NULLS FIRST");
        if (r->d->has_nulls_order && nulls == SINEW_NULLS_LAST) sn_buf_puts(r->b, " NULLS LAST");
    }
    limit_offset(r, s->limit, s->offset);
    return done(r);
}

int sn_sql_select_grouped(sn_sql_out *o, const sinew_dialect *d, const sn_select *s)
{
    sn_sql_out_reset(o);
    rctx r = {.o = o, .b = &o->sql, .d = d};
    with_clause(&r, s);
    if (s->vfilter) return select_filtered(&r, s);
    if (s->rows_setop && s->rows_other) return select_combined(&r, s);
    grouped_body(&r, s, 0);
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
    rctx r = {.o = o, .b = &o->sql, .d = d};
    int trim = fn && trims_decimal(&r, fn, arg) && !sn_sql_select_needs_wrap(s);
    with_clause(&r, s);
    sn_buf_puts(r.b, "SELECT ");
    if (trim) sn_buf_puts(r.b, d->decimal_result_open);
    if (fn) sn_buf_printf(r.b, "%s(", sn_sql_agg_name(fn));
    else sn_buf_puts(r.b, "COUNT(*)");
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
        if (trim) sn_buf_puts(r.b, d->decimal_result_close);
        from_where(&r, s, 0);
    }
    return done(&r);
}

/* the rows of a bulk statement: directly, or "(pk) IN (SELECT t0.pk ...)" when joins or paging are involved */
static int simple_rows(const sn_select *s)
{
    return s->njoins == 0 && s->limit < 0 && s->offset < 0 && !s->distinct && !s->setop;
}

static void bulk_where(rctx *r, const sn_select *s)
{
    const sinew_model *m = s->model;
    if (simple_rows(s)) {
        int soft = s->with_deleted ? -1 : sinew_model_soft_delete_field(m);
        if (s->where || soft >= 0) sn_buf_puts(r->b, " WHERE ");
        if (s->where) expr(r, s->where);
        if (soft >= 0) {   /* @@soft_delete: the rows not deleted, unless sinew_with_deleted */
            if (s->where) sn_buf_puts(r->b, " AND ");
            alias_col(r, 0, m->fields[soft].column);
            sn_buf_puts(r->b, " IS NULL");
        }
        return;
    }
    sn_buf_puts(r->b, " WHERE (");
    for (size_t i = 0; i < m->npk; i++) {
        if (i) sn_buf_puts(r->b, ", ");
        sn_sql_ident(r->b, r->d, m->fields[m->pk[i]].column);
    }
    sn_buf_puts(r->b, ") IN (SELECT ");
    if (r->d->dml_subquery_derived) sn_buf_puts(r->b, "* FROM (SELECT ");
    for (size_t i = 0; i < m->npk; i++) {
        if (i) sn_buf_puts(r->b, ", ");
        alias_col(r, 0, m->fields[m->pk[i]].column);
    }
    from_where(r, s, 0);
    order_limit(r, s, 0, 1);
    if (r->d->dml_subquery_derived) sn_buf_puts(r->b, ") AS sn_rows");
    sn_buf_putc(r->b, ')');
}

/* the written row's column (bare or qualified, as r says), or the proposed row's (EXCLUDED / VALUES()) */
static void row_col(rctx *r, const sinew_model *m, int field, int excluded)
{
    if (excluded && r->d->upsert_on_duplicate_key) {   /* ON DUPLICATE KEY UPDATE reads VALUES(col) */
        sn_buf_puts(r->b, "VALUES(");
        sn_sql_ident(r->b, r->d, m->fields[field].column);
        sn_buf_putc(r->b, ')');
    } else if (excluded) {
        sn_buf_puts(r->b, "excluded.");
        sn_sql_ident(r->b, r->d, m->fields[field].column);
    } else {
        alias_col(r, 0, m->fields[field].column);
    }
}

/* the right-hand side of one assignment (the ORM checked it: ir.h) */
static void set_rhs(rctx *r, const sinew_model *m, const sinew_set *a)
{
    switch (a->kind) {
    case SINEW_SET_VALUE: param(r, &a->value); break;
    case SINEW_SET_COMBINE:
        row_col(r, m, a->col.field, 0);
        sn_buf_printf(r->b, " %c ", a->op);
        row_col(r, m, a->col.field, 1);
        break;
    case SINEW_SET_EXPR: case SINEW_SET_EXCLUDED:
        if (a->expr.arith) sn_buf_putc(r->b, '(');
        row_col(r, m, a->expr.field, a->kind == SINEW_SET_EXCLUDED);
        if (a->expr.arith) {
            sn_buf_printf(r->b, " %c ", a->expr.arith);
            param(r, &a->expr.arith_value);
            sn_buf_putc(r->b, ')');
        }
        break;
    case SINEW_SET_CASE:
        /* no ELSE given: the column keeps its value (SQL's implicit ELSE NULL would erase it) */
        sn_buf_puts(r->b, "CASE");
        for (size_t k = 0; k < a->nwhen; k++) {
            sn_buf_puts(r->b, " WHEN ");
            expr(r, a->when[k].cond);
            sn_buf_puts(r->b, " THEN ");
            set_rhs(r, m, &a->when[k].then);
        }
        sn_buf_puts(r->b, " ELSE ");
        if (a->otherwise) set_rhs(r, m, a->otherwise);
        else row_col(r, m, a->col.field, 0);
        sn_buf_puts(r->b, " END");
        break;
    }
}

static void set_list(rctx *r, const sinew_model *m, const sinew_set *set, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i) sn_buf_puts(r->b, ", ");
        sn_sql_ident(r->b, r->d, m->fields[set[i].col.field].column);
        sn_buf_puts(r->b, " = ");
        set_rhs(r, m, &set[i]);
    }
}

int sn_sql_set_list(sn_sql_out *o, const sinew_dialect *d, const sinew_model *m, const sinew_set *set, size_t n)
{
    /* PostgreSQL finds a bare name in DO UPDATE ambiguous between the row and EXCLUDED: qualify it */
    rctx r = {.o = o, .b = &o->sql, .d = d, .bare = 1, .qual = m->table};
    set_list(&r, m, set, n);
    return done(&r);
}

int sn_sql_update_rows(sn_sql_out *o, const sinew_dialect *d, const sn_select *s, const sinew_set *set, size_t n,
                       int returning)
{
    sn_sql_out_reset(o);
    rctx r = {.o = o, .b = &o->sql, .d = d};
    sn_buf_puts(r.b, "UPDATE ");
    sn_sql_table(r.b, d, s->model);
    if (simple_rows(s)) sn_buf_puts(r.b, " AS t0");
    sn_buf_puts(r.b, " SET ");
    /* unqualified: in SET a column can only be the row being updated (with or without the t0 alias) */
    r.bare = 1;
    set_list(&r, s->model, set, n);
    r.bare = 0;
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
    rctx r = {.o = o, .b = &o->sql, .d = d};
    int alias = simple_rows(s);
    sn_buf_puts(r.b, alias && d->delete_names_alias ? "DELETE t0 FROM " : "DELETE FROM ");
    sn_sql_table(r.b, d, s->model);
    if (alias) sn_buf_puts(r.b, " AS t0");
    bulk_where(&r, s);
    return done(&r);
}
