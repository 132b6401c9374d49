/*
 * resolve_poly.c - polymorphic relations: `target Post | Comment` in a model.
 *
 * Such a field becomes one optional to-one per target, named
 * <field>_<target in snake case> (`target_post`, `target_comment`), each with
 * its own nullable key field (`target_post_id`) and a real foreign key, so
 * every later pass (keys, indexes, inverses such as `likes Like[]` on Post),
 * the DDL, migrations, loading and diagrams treat it as the to-one it is. What
 * ties them together is a table CHECK that exactly one key is set (at most one
 * with `?`), named <table>_<field>_one_target, and the graph's sinew_poly.
 */
#include <string.h>
#include "resolve.h"

/* what a polymorphic relation takes: the referential actions and the index switch of each target */
static const char *const poly_attrs[] = {"on_delete", "on_update", "no_index", NULL};

static int already_listed(const ast_field *af, size_t i)
{
    for (size_t k = 0; k < i; k++)
        if (!strcmp(af->alts[k], af->alts[i])) return 1;
    return 0;
}

void sn_rs_poly_field(R *r, rmodel *m, const ast_field *af, int order)
{
    if (af->list) {
        sn_rs_err(r, af->type_line, af->type_col, "'%s' is a list of several models: a polymorphic relation is a "
                  "to-one (to one of them); put the list in each target instead (`%s %s[]`)", af->name, m->table,
                  m->name);
        return;
    }
    /* attributes: the ones every target takes, copied to each; the rest say why not */
    ast_attr *attrs = sn_arena_calloc(r->a, (af->nattrs ? af->nattrs : 1) * sizeof *attrs);
    if (!attrs) return;
    size_t nattrs = 0;
    int bad = 0;
    for (size_t i = 0; i < af->nattrs; i++) {
        const ast_attr *a = &af->attrs[i];
        if (!in_list(a->name, poly_attrs)) {
            sn_rs_err(r, a->line, a->col, "@%s does not apply to the polymorphic relation '%s': its targets' key fields "
                      "are made by sinew (%s_<target>_<key>), one nullable foreign key each; it takes @on_delete, "
                      "@on_update and @no_index", a->name, af->name, af->name);
            bad = 1;
            continue;
        }
        /* an action that writes the key (SET NULL, SET DEFAULT, ON UPDATE CASCADE) writes what the CHECK reads: a
         * required relation would lose its one target, and MariaDB refuses a CHECK over such a column */
        const char *v = a->nargs == 1 ? a->args[0].text : NULL;
        int upd = !strcmp(a->name, "on_update");
        if (v && (!strcmp(v, "set_null") || !strcmp(v, "set_default") || (upd && !strcmp(v, "cascade")))) {
            sn_rs_err(r, a->args[0].line, a->args[0].col, "@%s(%s) on the polymorphic relation '%s': the database "
                      "would write the key its CHECK reads (MariaDB refuses that CHECK); use %s", a->name, v, af->name,
                      upd ? "restrict or no_action" : "cascade, restrict or no_action");
            bad = 1;
            continue;
        }
        attrs[nattrs++] = *a;
    }
    ppoly pp;
    memset(&pp, 0, sizeof pp);
    pp.a = af;
    pp.name = af->name;
    pp.order = order;
    pp.rels = sn_arena_calloc(r->a, af->nalts * sizeof *pp.rels);
    if (!pp.rels) return;
    PUSH(r->a, m->poly, m->npoly, m->cappoly);
    if (!m->poly) return;
    int pi = (int)m->npoly;   /* 1-based: prel.poly */
    for (size_t i = 0; i < af->nalts; i++) {
        const char *t = af->alts[i];
        int line = af->alt_line[i], col = af->alt_col[i];
        sinew_type st;
        int tm = model_of(r, t);
        if (tm < 0) {
            if (sn_rs_scalar_of(t, &st) || enum_of(r, t))
                sn_rs_err(r, line, col, "'%s' in '%s %s | ...' is not a model: each target of a polymorphic relation is "
                          "a model", t, af->name, af->type);
            else
                sn_rs_err(r, line, col, "unknown model '%s' in the polymorphic relation '%s'%s", t, af->name,
                          sn_rs_suggest(r, t, NULL));
            m->broken = 1;
            continue;
        }
        if (already_listed(af, i)) {
            sn_rs_err(r, line, col, "%s is listed twice in the polymorphic relation '%s'; list each target once", t,
                      af->name);
            continue;
        }
        char sn[256];
        sn_snake(t, sn, sizeof sn);
        ast_field *x = sn_arena_calloc(r->a, sizeof *x);
        if (!x) return;
        x->name = sn_arena_printf(r->a, "%s_%s", af->name, sn);
        if (!x->name) return;
        x->type = t;
        x->optional = 1;
        x->attrs = attrs;
        x->nattrs = bad ? 0 : nattrs;
        x->line = line;
        x->col = col;
        x->type_line = line;
        x->type_col = col;
        sn_rs_relation_field(r, m, x, order, tm);
        if (!m->r) return;
        m->r[m->nr - 1].poly = pi;
        m->r[m->nr - 1].doc = NULL;
        pp.rels[pp.n++] = (int)m->nr - 1;
    }
    m->poly[pi - 1] = pp;
}

/* `CASE WHEN "a" IS NULL THEN 0 ELSE 1 END + ... = 1`: every backend adds integers (PostgreSQL no booleans),
 * and every session sinew opens takes double-quoted identifiers (MariaDB's is ANSI_QUOTES) */
static const char *check_expr(R *r, rmodel *m, const ppoly *pp)
{
    sn_buf b;
    sn_buf_init(&b);
    sn_buf_putc(&b, '(');
    for (size_t i = 0; i < pp->n; i++) {
        const prel *p = &m->r[pp->rels[i]];
        const pfield *f = find_field(m, p->fk[0]);
        if (!f) {
            sn_buf_free(&b);
            return NULL;
        }
        sn_buf_puts(&b, i ? " + CASE WHEN \"" : "CASE WHEN \"");
        for (const char *c = f->f.column; *c; c++) {
            if (*c == '"') sn_buf_putc(&b, '"');
            sn_buf_putc(&b, *c);
        }
        sn_buf_puts(&b, "\" IS NULL THEN 0 ELSE 1 END");
    }
    sn_buf_puts(&b, pp->a->optional ? ") <= 1" : ") = 1");
    const char *s = b.failed ? NULL : sn_arena_strdup(r->a, sn_buf_cstr(&b));
    sn_buf_free(&b);
    return s;
}

void sn_rs_poly_keys(R *r)
{
    for (size_t mi = 0; mi < r->nm; mi++) {
        rmodel *m = &r->m[mi];
        for (size_t k = 0; k < m->npoly; k++) {
            ppoly *pp = &m->poly[k];
            const ast_field *af = pp->a;
            /* the name is the accessor's and the constant's: it may be nothing else of the model */
            pfield *same = find_field(m, pp->name);
            if (same || find_rel(m, pp->name))
                sn_rs_err(r, af->line, af->col, "duplicate field '%s' in model %s", pp->name, m->name);
            for (size_t j = 0; j < k; j++)
                if (!strcmp(m->poly[j].name, pp->name))
                    sn_rs_err(r, af->line, af->col, "duplicate field '%s' in model %s", pp->name, m->name);
            if (m->broken || pp->n != af->nalts) continue;
            int ok = 1;
            for (size_t i = 0; i < pp->n; i++) {
                const prel *p = &m->r[pp->rels[i]];
                const rmodel *t = &r->m[p->target];
                if (!p->fk_done || p->kind != SINEW_BELONGS_TO) {
                    ok = 0;
                    continue;
                }
                if (t->npk != 1 && !t->broken) {
                    sn_rs_err(r, p->line, p->col, "%s has %s; each target of the polymorphic relation '%s' needs a "
                              "single-column primary key (one nullable foreign-key column per target)", t->name,
                              t->npk ? "a primary key of several columns" : "no primary key", pp->name);
                    ok = 0;
                } else if (p->nfk != 1) ok = 0;
            }
            if (!ok) continue;
            pp->check_name = sn_arena_printf(r->a, "%s_%s_one_target", m->table, pp->name);
            const char *expr = check_expr(r, m, pp);
            sinew_check *nc = sn_arena_alloc(r->a, (m->nchecks + 1) * sizeof *nc);
            if (!nc || !expr || !pp->check_name) return;
            if (m->nchecks) memcpy(nc, m->checks, m->nchecks * sizeof *nc);
            nc[m->nchecks].name = pp->check_name;
            nc[m->nchecks].expr = expr;
            nc[m->nchecks].loc.line = af->line;
            nc[m->nchecks].loc.col = af->col;
            m->checks = nc;
            m->nchecks++;
        }
    }
}

int sn_rs_poly_build(R *r)
{
    for (size_t mi = 0; mi < r->nm; mi++) {
        rmodel *rm = &r->m[mi];
        if (!rm->npoly) continue;
        sinew_model *m = rm->out;
        sinew_poly *ps = sn_arena_calloc(r->a, rm->npoly * sizeof *ps);
        if (!ps) return SINEW_NOMEM;
        sinew_relation *rels = (sinew_relation *)m->relations;
        for (size_t k = 0; k < rm->npoly; k++) {
            const ppoly *pp = &rm->poly[k];
            unsigned *t = sn_arena_calloc(r->a, (pp->n ? pp->n : 1) * sizeof *t);
            if (!t) return SINEW_NOMEM;
            for (size_t i = 0; i < pp->n; i++) {
                t[i] = (unsigned)pp->rels[i];
                rels[pp->rels[i]].poly = &ps[k];
            }
            ps[k].name = pp->name;
            ps[k].targets = t;
            ps[k].ntargets = pp->n;
            ps[k].check_name = pp->check_name;
            ps[k].optional = pp->a->optional;
            ps[k].doc = pp->a->doc;
            ps[k].order = pp->order;
            ps[k].loc.line = pp->a->line;
            ps[k].loc.col = pp->a->col;
        }
        m->polys = ps;
        m->npolys = rm->npoly;
    }
    return SINEW_OK;
}
