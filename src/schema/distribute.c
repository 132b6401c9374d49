/*
 * distribute.c - `@@distribute(col)` and `@@reference` (how a table is spread
 * over a Citus cluster) on a resolved graph, and the checks that say, at the
 * place in the schema file, what Citus would refuse when it distributes the
 * tables: a primary key or unique key without the distribution column (each
 * shard enforces its own keys), and a foreign key that cannot be checked on
 * one node (between distributed tables it must pair the two distribution
 * columns; a distributed or reference table cannot point at a local table,
 * nor a reference table at a distributed one). These run on every backend:
 * the schema describes the production layout, whichever database a test
 * or a developer uses.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "distribute.h"

typedef struct dctx {
    sinew_diagnostics *d;
    const char *file;
    int errors;
} dctx;

static void derr(dctx *c, int line, int col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static void derr(dctx *c, int line, int col, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sn_diag_add(c->d, SINEW_DIAG_ERROR, c->file, line, col, "%s", msg);
    c->errors++;
}

static const char *kind_name(sinew_distribution k)
{
    switch (k) {
    case SINEW_DIST_HASH: return "distributed";
    case SINEW_DIST_REFERENCE: return "a reference table";
    default: return "local";
    }
}

/* the field a distribution names: a field, or a to-one relation of one key column */
static int dist_column(dctx *c, const sinew_model *m, const ast_arg *v)
{
    if (v->kind != ARG_IDENT || v->label) {
        derr(c, v->line, v->col, "@@distribute names its distribution column first: @@distribute(tenant_id)");
        return -1;
    }
    int fi = sinew_model_field_index(m, v->text);
    if (fi >= 0) return fi;
    const sinew_relation *r = sinew_model_find_relation(m, v->text);
    if (r && r->kind == SINEW_BELONGS_TO) {
        if (r->nkeys == 1) return (int)r->local[0];
        derr(c, v->line, v->col, "@@distribute(%s): the relation '%s' has a key of %zu columns; a table is "
             "distributed by one column: name one of its fields", v->text, v->text, r->nkeys);
        return -1;
    }
    derr(c, v->line, v->col, "@@distribute(%s): %s has no field or to-one relation '%s'", v->text, m->name, v->text);
    return -1;
}

static int has_field(const unsigned *fs, size_t n, unsigned f)
{
    for (size_t i = 0; i < n; i++)
        if (fs[i] == f) return 1;
    return 0;
}

/* "a, b" of a model's fields, for advice */
static void field_list(char *out, size_t cap, const sinew_model *m, const unsigned *fs, size_t n, int lead, unsigned first)
{
    size_t k = 0;
    out[0] = 0;
    if (lead) k += (size_t)snprintf(out + k, cap - k, "%s", m->fields[first].name);
    for (size_t i = 0; i < n && k < cap; i++) {
        if (lead && fs[i] == first) continue;
        k += (size_t)snprintf(out + k, cap - k, "%s%s", k ? ", " : "", m->fields[fs[i]].name);
    }
}

static void parse_attrs(dctx *c, sinew_model *const *models, const ast_attr *const *attrs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const ast_attr *a = attrs[i];
        sinew_model *m = models[i];
        if (!a) continue;
        if (!strcmp(a->name, "reference")) {
            if (a->nargs) derr(c, a->line, a->col, "@@reference takes no arguments: every node holds all of %s's rows", m->name);
            m->distribution = SINEW_DIST_REFERENCE;
            continue;
        }
        if (!a->nargs) {
            derr(c, a->line, a->col, "@@distribute needs the distribution column: @@distribute(tenant_id)");
            continue;
        }
        int fi = dist_column(c, m, &a->args[0]);
        if (fi < 0) continue;
        m->distribution = SINEW_DIST_HASH;
        m->dist_field = (unsigned)fi;
        for (size_t j = 1; j < a->nargs; j++) {
            const ast_arg *v = &a->args[j];
            if (!v->label || strcmp(v->label, "colocate_with") || v->kind != ARG_IDENT) {
                derr(c, v->line, v->col, "@@distribute takes the column and, optionally, the model whose shards it "
                     "shares: @@distribute(%s, colocate_with: Model)", a->args[0].text);
                continue;
            }
            const sinew_model *t = NULL;
            for (size_t k = 0; k < n && !t; k++)
                if (!strcmp(models[k]->name, v->text)) t = models[k];
            if (!t) derr(c, v->line, v->col, "colocate_with: no model named '%s'", v->text);
            else if (t == m) derr(c, v->line, v->col, "colocate_with: %s names itself", m->name);
            else m->colocate_with = t;
        }
    }
    /* colocation needs both distributed, by columns of one type */
    for (size_t i = 0; i < n; i++) {
        sinew_model *m = models[i];
        const sinew_model *t = m->colocate_with;
        if (!t) continue;
        const ast_attr *a = attrs[i];
        if (t->distribution != SINEW_DIST_HASH) {
            derr(c, a->line, a->col, "colocate_with: %s is %s, not distributed: give it @@distribute(...) too, or "
                 "leave colocate_with out", t->name, kind_name(t->distribution));
            m->colocate_with = NULL;
        } else if (t->fields[t->dist_field].type != m->fields[m->dist_field].type) {
            derr(c, a->line, a->col, "colocate_with: %s is distributed by %s, of another type than %s.%s; colocated "
                 "tables are distributed by columns of one type", t->name, t->fields[t->dist_field].name, m->name,
                 m->fields[m->dist_field].name);
            m->colocate_with = NULL;
        }
    }
}

/* each shard checks its keys alone: every unique key holds the distribution column */
static void check_keys(dctx *c, const sinew_model *m, const ast_attr *a)
{
    unsigned dc = m->dist_field;
    const char *col = m->fields[dc].name;
    char list[400];
    if (m->npk && !has_field(m->pk, m->npk, dc)) {
        field_list(list, sizeof list, m, m->pk, m->npk, 1, dc);
        derr(c, a->line, a->col, "%s is distributed by %s, so its primary key must include %s (each shard checks "
             "its keys alone, and Citus refuses a key without the distribution column): use @@id([%s])",
             m->name, col, col, list);
    }
    for (size_t i = 0; i < m->nfields; i++) {
        const sinew_field *f = &m->fields[i];
        if (!(f->flags & SINEW_FIELD_UNIQUE) || i == dc) continue;
        derr(c, f->loc.line, f->loc.col, "%s is distributed by %s, so '%s' cannot be @unique on its own (each shard "
             "checks its keys alone): use @@unique([%s, %s]) on the model", m->name, col, f->name, col, f->name);
    }
    for (size_t i = 0; i < m->nindexes; i++) {
        const sinew_index *ix = &m->indexes[i];
        if (!ix->unique || has_field(ix->fields, ix->nfields, dc)) continue;
        field_list(list, sizeof list, m, ix->fields, ix->nfields, 1, dc);
        derr(c, ix->loc.line, ix->loc.col, "%s is distributed by %s, so the unique key %s must include %s (each "
             "shard checks its keys alone): use @@unique([%s])", m->name, col, ix->name, col, list);
    }
}

/* a foreign key Citus can check on one node */
static void check_fk(dctx *c, const sinew_model *m, const sinew_relation *r)
{
    const sinew_model *t = r->target;
    sinew_distribution a = m->distribution == SINEW_DIST_UNSAID ? SINEW_DIST_LOCAL : m->distribution;
    sinew_distribution b = t->distribution == SINEW_DIST_UNSAID ? SINEW_DIST_LOCAL : t->distribution;
    if (t == m) {
        if (a != SINEW_DIST_HASH) return;
    } else if (b == SINEW_DIST_REFERENCE || (a == SINEW_DIST_LOCAL && b == SINEW_DIST_LOCAL)) {
        return;   /* every node has the referenced rows; or nothing is distributed */
    }
    int line = r->loc.line, col = r->loc.col;
    if (b == SINEW_DIST_LOCAL) {
        derr(c, line, col, "%s.%s points at %s, which is local, but %s is %s: the referenced rows must be on every "
             "node that holds %s's rows; make %s @@reference (or @@distribute it too)", m->name, r->name, t->name,
             m->name, kind_name(a), m->name, t->name);
        return;
    }
    /* b is distributed */
    if (a != SINEW_DIST_HASH) {
        derr(c, line, col, "%s.%s points at %s, which is distributed, but %s is %s: Citus checks a foreign key into a "
             "distributed table only from a table distributed alongside it; @@distribute %s by the column that "
             "matches %s.%s, or make %s @@reference", m->name, r->name, t->name, m->name, kind_name(a), m->name,
             t->name, t->fields[t->dist_field].name, t->name);
        return;
    }
    unsigned tdc = t->dist_field, mdc = m->dist_field;
    for (size_t k = 0; k < r->nkeys; k++)
        if (r->remote[k] == tdc) {
            if (r->local[k] == mdc) return;
            /* the multi-tenant mistake: the key to the parent carries a copy of the tenant column */
            char fk[400];
            size_t n = 0;
            fk[0] = 0;
            for (size_t q = 0; q < r->nkeys && n < sizeof fk; q++)
                n += (size_t)snprintf(fk + n, sizeof fk - n, "%s%s", q ? ", " : "",
                                      m->fields[q == k ? mdc : r->local[q]].name);
            derr(c, line, col, "%s.%s: %s is distributed by %s, and the foreign key must pair it with %s's own "
                 "distribution column %s, but it pairs it with %s (Citus refuses it: \"cannot create foreign key "
                 "constraint\"); declare the key over %s's column: `%s %s @fk(%s)`%s", m->name, r->name, t->name,
                 t->fields[tdc].name, m->name, m->fields[mdc].name, m->fields[r->local[k]].name, m->name, r->name,
                 t->name, fk, (m->fields[r->local[k]].flags & SINEW_FIELD_IMPLICIT)
                                  ? " (declaring the other key fields yourself)" : "");
            return;
        }
    derr(c, line, col, "%s.%s points at %s, which is distributed by %s, but the foreign key does not include it "
         "(it references other columns): Citus checks a foreign key between distributed tables only when it pairs "
         "their distribution columns; reference %s's key, which includes %s", m->name, r->name, t->name,
         t->fields[tdc].name, t->name, t->fields[tdc].name);
}

/* the other side of a many-to-many was reported already (it comes first) */
static int seen_before(sinew_model *const *models, size_t i, const sinew_model *t)
{
    for (size_t k = 0; k < i; k++)
        if (models[k] == t) return 1;
    return 0;
}

int sn_distribution(sinew_model *const *models, const ast_attr *const *attrs, size_t n, sinew_diagnostics *d,
                    const char *file)
{
    dctx c = {d, file, 0};
    int any = 0;
    for (size_t i = 0; i < n; i++) any |= attrs[i] != NULL;
    if (!any) return 0;                   /* nothing distributed: nothing to check */
    parse_attrs(&c, models, attrs, n);
    /* the join table of an implicit many-to-many follows its two sides where it can */
    for (size_t i = 0; i < n; i++) {
        sinew_model *m = models[i];
        if (!(m->flags & SINEW_MODEL_JOIN) || m->nrelations < 2) continue;
        const sinew_model *x = m->relations[0].target, *y = m->relations[1].target;
        if (x->distribution == SINEW_DIST_REFERENCE && y->distribution == SINEW_DIST_REFERENCE)
            m->distribution = SINEW_DIST_REFERENCE;
    }
    for (size_t i = 0; i < n; i++) {
        const sinew_model *m = models[i];
        if (m->distribution == SINEW_DIST_HASH) check_keys(&c, m, attrs[i]);
        for (size_t r = 0; r < m->nrelations; r++) {
            const sinew_relation *rel = &m->relations[r];
            if (rel->kind == SINEW_BELONGS_TO && !(m->flags & SINEW_MODEL_JOIN)) check_fk(&c, m, rel);
            if (rel->kind == SINEW_MANY_TO_MANY && rel->through && (rel->through->flags & SINEW_MODEL_JOIN) &&
                (m->distribution == SINEW_DIST_HASH || rel->target->distribution == SINEW_DIST_HASH) &&
                !seen_before(models, i, rel->target))
                derr(&c, rel->loc.line, rel->loc.col, "%s.%s: a many-to-many with a distributed side needs a join "
                     "model you declare, distributed by the column its two keys share: a model with both to-ones, "
                     "@@distribute(...) and `@through` on the lists", m->name, rel->name);
        }
    }
    return c.errors;
}
