/*
 * resolve.c - meaning of a parsed schema file: types, keys, relations and
 * their inverses, join tables, indexes; every check of docs/schema.md, each
 * reported with its position; and finally the schema graph.
 *
 * This file runs the passes in their order (each in a file of its own, see
 * resolve.h) and does the first ones itself: enums, models and their
 * @@attributes. Every pass runs even after an error, so that one run reports
 * all independent errors.
 */
#include <string.h>
#include "check_limits.h"
#include "distribute.h"
#include "resolve.h"

static const char *const model_attrs[] = {"map", "id", "unique", "index", "renamed_from", "readonly", "distribute",
                                          "reference", "check", "view", "schema", "soft_delete",
                                          NULL};

/*
 * @@schema("name"): the PostgreSQL schema (MariaDB database) of the table. The name reaches SQL
 * quoted, so any printable text would do; what is refused is what no database takes: an empty
 * name, control characters, more than 63 bytes (PostgreSQL's limit; MariaDB's is 64).
 */
static void schema_attr(R *r, rmodel *m, const ast_attr *at)
{
    if (m->db_schema) {
        sn_rs_err(r, at->line, at->col, "%s has @@schema already: a table lives in one schema", m->name);
        return;
    }
    if (at->nargs != 1 || at->args[0].kind != ARG_STRING || at->args[0].label) {
        sn_rs_err(r, at->line, at->col, "@@schema needs one string, the schema's name: @@schema(\"audit\")");
        return;
    }
    const ast_arg *v = &at->args[0];
    if (!v->text[0]) {
        sn_rs_err(r, v->line, v->col, "@@schema(\"\"): the schema name is empty; name the schema, or leave "
                  "@@schema out for the connection's own (the search path's first)");
        return;
    }
    if (!sn_rs_control_free(r, v, "@@schema")) return;
    if (strlen(v->text) > 63) {
        sn_rs_err(r, v->line, v->col, "@@schema(\"%.20s...\"): the schema name has %zu bytes; PostgreSQL "
                  "allows 63: use a shorter name", v->text, strlen(v->text));
        return;
    }
    m->db_schema = v->text;
}

void sn_rs_push_field(R *r, rmodel *m, const pfield *pf)
{
    PUSH(r->a, m->f, m->nf, m->capf);
    if (!m->f) return;
    m->f[m->nf - 1] = *pf;
    sn_nameidx_add(&m->fidx, r->a, pf->f.name, (int)m->nf - 1);
}

void sn_rs_push_rel(R *r, rmodel *m, const prel *p)
{
    PUSH(r->a, m->r, m->nr, m->capr);
    if (!m->r) return;
    m->r[m->nr - 1] = *p;
    sn_nameidx_add(&m->ridx, r->a, p->name, (int)m->nr - 1);
}

int sn_rs_add_model(R *r, const char *name, const char *table, const char *c_name, int line, int col)
{
    rmodel nm;
    memset(&nm, 0, sizeof nm);
    nm.name = name;
    nm.table = table;
    nm.c_name = c_name;
    nm.line = line;
    nm.col = col;
    PUSH(r->a, r->m, r->nm, r->capm);
    if (!r->m) return -1;
    r->m[r->nm - 1] = nm;
    sn_nameidx_add(&r->midx, r->a, name, (int)r->nm - 1);
    return (int)r->nm - 1;
}

int sn_resolve(const ast_file *af, sn_arena *a, sinew_diagnostics *d, const char *file, const char *name,
               sinew_schema **out)
{
    R r;
    memset(&r, 0, sizeof r);
    r.af = af;
    r.a = a;
    r.d = d;
    r.file = file;
    *out = NULL;
    /* enums */
    r.enums = sn_arena_calloc(a, (af->nenums ? af->nenums : 1) * sizeof *r.enums);
    if (!r.enums) return 1;
    for (size_t i = 0; i < af->nenums; i++) {
        const ast_enum *e = &af->enums[i];
        if (enum_of(&r, e->name)) {
            sn_rs_err(&r, e->line, e->col, "duplicate enum '%s'", e->name);
            continue;
        }
        if (!e->nvalues) sn_rs_err(&r, e->line, e->col, "enum %s has no values: list them, e.g. `enum %s { a b }`", e->name, e->name);
        sn_nameidx seen;
        memset(&seen, 0, sizeof seen);
        for (size_t v = 0; v < e->nvalues; v++)
            if (sn_nameidx_add(&seen, a, e->values[v], (int)v) >= 0)
                sn_rs_err(&r, e->vline[v], e->vcol[v], "duplicate value '%s' in enum %s", e->values[v], e->name);
        sinew_enum *x = sn_arena_calloc(a, sizeof *x);
        if (!x) return 1;
        x->name = e->name;
        x->values = e->values;
        x->nvalues = e->nvalues;
        x->doc = e->doc;
        x->loc.line = e->line;
        x->loc.col = e->col;
        sn_nameidx_add(&r.eidx, a, x->name, (int)r.ne);
        r.enums[r.ne++] = x;
    }
    /* models */
    for (size_t i = 0; i < af->nmodels; i++) {
        const ast_model *am = &af->models[i];
        if (model_of(&r, am->name) >= 0 || enum_of(&r, am->name)) {
            sn_rs_err(&r, am->line, am->col, "duplicate name '%s': a model or enum of that name exists already", am->name);
            continue;
        }
        char sn[256], pl[260];
        sn_snake(am->name, sn, sizeof sn);
        sn_plural(sn, pl, sizeof pl);
        int mi = sn_rs_add_model(&r, am->name, sn_arena_strdup(a, pl), sn_arena_strdup(a, sn), am->line, am->col);
        if (mi < 0) return 1;
        rmodel *m = &r.m[mi];
        m->a = am;
        m->doc = am->doc;
        for (size_t k = 0; k < am->nattrs; k++) {
            const ast_attr *at = &am->attrs[k];
            if (!in_list(at->name, model_attrs)) {
                sn_rs_err(&r, at->line, at->col, "unknown model attribute '@@%s'%s", at->name, sn_rs_suggest_attr(&r, at->name, model_attrs, "@@"));
            } else if (!strcmp(at->name, "map")) {
                if (at->nargs != 1 || at->args[0].kind != ARG_STRING) sn_rs_err(&r, at->line, at->col, "@@map needs one string: @@map(\"table\")");
                else if (sn_rs_control_free(&r, &at->args[0], "@@map")) m->table = at->args[0].text;
            } else if (!strcmp(at->name, "schema")) {
                schema_attr(&r, m, at);
            } else if (!strcmp(at->name, "renamed_from")) {
                if (at->nargs != 1 || at->args[0].kind == ARG_LIST) sn_rs_err(&r, at->line, at->col, "@@renamed_from needs the old model name");
                else if (sn_rs_control_free(&r, &at->args[0], "@@renamed_from")) m->renamed_from = at->args[0].text;
            } else if (!strcmp(at->name, "id")) {
                m->id_attr = at;
            } else if (!strcmp(at->name, "distribute") || !strcmp(at->name, "reference")) {
                if (m->dist_attr)
                    sn_rs_err(&r, at->line, at->col, "%s has @@%s already: a table is distributed one way",
                              m->name, m->dist_attr->name);
                else m->dist_attr = at;
            } else if (!strcmp(at->name, "soft_delete")) {
                /* @@soft_delete / @@soft_delete(gone_at): the field is checked once the fields are in */
                if (m->soft_attr) sn_rs_err(&r, at->line, at->col, "@@soft_delete is given twice on %s; write it once",
                                            m->name);
                else if (at->nargs > 1 || (at->nargs == 1 && (at->args[0].kind != ARG_IDENT || at->args[0].label)))
                    sn_rs_err(&r, at->line, at->col, "@@soft_delete takes at most the name of its field: "
                              "@@soft_delete or @@soft_delete(deleted_at)");
                else m->soft_attr = at;
            } else if (!strcmp(at->name, "readonly")) {
                if (at->nargs) sn_rs_err(&r, at->line, at->col, "@@readonly takes no arguments");
                m->flags |= SINEW_MODEL_READONLY;
            } else if (!strcmp(at->name, "view")) {
                /* a database view: read-only, and never created by sinew */
                if (at->nargs) sn_rs_err(&r, at->line, at->col, "@@view takes no arguments (the view's name is @@map's)");
                m->flags |= SINEW_MODEL_READONLY | SINEW_MODEL_VIEW;
            } else if (!strcmp(at->name, "check")) {
                /* @@check("expr") / @@check("expr", name: "chk_x"): a table CHECK constraint */
                if (at->nargs < 1 || at->nargs > 2 || at->args[0].kind != ARG_STRING || at->args[0].label ||
                    !at->args[0].text[0]) {
                    sn_rs_err(&r, at->line, at->col, "@@check needs the SQL expression as a string and, optionally, the "
                        "constraint's name: @@check(\"price >= 0\", name: \"chk_price\")");
                    continue;
                }
                const char *nm = NULL;
                if (at->nargs == 2) {
                    if (!sn_rs_constraint_name_arg(&r, &at->args[1], "@@check", "@@check(\"price >= 0\", name: \"chk_price\")"))
                        continue;
                    nm = at->args[1].text;
                }
                sinew_check *nc = sn_arena_alloc(a, (m->nchecks + 1) * sizeof *nc);
                if (!nc) return 1;
                if (m->nchecks) memcpy(nc, m->checks, m->nchecks * sizeof *nc);
                nc[m->nchecks].name = nm;
                nc[m->nchecks].expr = at->args[0].text;
                nc[m->nchecks].loc.line = at->line;
                nc[m->nchecks].loc.col = at->col;
                m->checks = nc;
                m->nchecks++;
            }
        }
    }
    /* fields */
    for (size_t mi = 0; mi < r.nm; mi++) {
        const ast_model *am = r.m[mi].a;
        for (size_t i = 0; am && i < am->nfields; i++) {
            const ast_field *f = &am->fields[i];
            sinew_type t;
            sinew_enum *e;
            int tm;
            if (f->nalts) sn_rs_poly_field(&r, &r.m[mi], f, (int)i);
            else if (sn_rs_scalar_of(f->type, &t)) sn_rs_scalar_field(&r, &r.m[mi], f, (int)i, t, NULL);
            else if ((e = enum_of(&r, f->type))) sn_rs_scalar_field(&r, &r.m[mi], f, (int)i, SINEW_ENUM, e);
            else if ((tm = model_of(&r, f->type)) >= 0) sn_rs_relation_field(&r, &r.m[mi], f, (int)i, tm);
            else {
                sn_rs_err(&r, f->type_line, f->type_col, "unknown type '%s'%s", f->type, sn_rs_suggest(&r, f->type, NULL));
                r.m[mi].broken = 1;
            }
        }
    }
    /* @@soft_delete: its field is a nullable timestamp of the model, and the model is one sinew writes */
    for (size_t mi = 0; mi < r.nm; mi++) {
        rmodel *m = &r.m[mi];
        const ast_attr *at = m->soft_attr;
        if (!at || m->broken) continue;
        const char *fn = at->nargs ? at->args[0].text : "deleted_at";
        int fi = sn_nameidx_get(&m->fidx, fn);
        if (m->flags & SINEW_MODEL_READONLY)
            sn_rs_err(&r, at->line, at->col, "@@soft_delete on %s, which is @@%s: sinew never deletes its rows",
                      m->name, (m->flags & SINEW_MODEL_VIEW) ? "view" : "readonly");
        else if (fi < 0)
            sn_rs_err(&r, at->line, at->col, "@@soft_delete needs the field '%s' in %s: add `%s timestamp?`%s", fn,
                      m->name, fn, at->nargs ? "" : ", or name another with @@soft_delete(field)");
        else if (m->f[fi].f.type != SINEW_TIMESTAMP || !(m->f[fi].f.flags & SINEW_FIELD_NULLABLE) ||
                 (m->f[fi].f.flags & (SINEW_FIELD_PK | SINEW_FIELD_GENERATED | SINEW_FIELD_UPDATED_AT)))
            sn_rs_err(&r, at->line, at->col, "@@soft_delete: '%s' must be a nullable timestamp that nothing else "
                      "writes (`%s timestamp?`, no @id, @generated or @updated_at)", fn, fn);
        else {
            m->f[fi].f.flags |= SINEW_FIELD_DELETED_AT;
            m->flags |= SINEW_MODEL_SOFT_DELETE;
            /* unique among the live rows: a deleted row keeps its values without blocking a new one. The
             * column in double quotes (SQLite and PostgreSQL, the backends with partial indexes) */
            sn_buf q;
            sn_buf_init(&q);
            sn_buf_putc(&q, '"');
            for (const char *c = m->f[fi].f.column; *c; c++) {
                if (*c == '"') sn_buf_putc(&q, '"');
                sn_buf_putc(&q, *c);
            }
            sn_buf_puts(&q, "\" IS NULL");
            m->soft_pred = q.failed ? NULL : sn_arena_strdup(a, sn_buf_cstr(&q));
            sn_buf_free(&q);
            if (!m->soft_pred) return 1;
            /* a column constraint cannot be partial: the unique key is @@unique's, which sinew makes so */
            for (size_t k = 0; k < m->nf; k++)
                if ((m->f[k].f.flags & SINEW_FIELD_UNIQUE) && m->f[k].implicit_of < 0)
                    sn_rs_err(&r, m->f[k].f.loc.line, m->f[k].f.loc.col, "@unique on '%s' of %s, which is "
                              "@@soft_delete: write @@unique([%s]) instead, which sinew makes unique among the rows "
                              "not deleted (a partial index WHERE %s)", m->f[k].f.name, m->name, m->f[k].f.name,
                              m->soft_pred);
        }
    }
    /* every later check runs too (all independent errors in one run); the
     * ones a dropped field could cause are skipped in models marked broken */
    size_t declared = r.nm;
    sn_rs_mark_key_unique(&r, declared);
    sn_rs_count_pairs(&r, declared, 0);
    for (size_t mi = 0; mi < declared; mi++)
        for (size_t ri = 0; ri < r.m[mi].nr; ri++)
            if (!r.m[mi].r[ri].a->list) sn_rs_decide_to_one(&r, (int)mi, (int)ri);
    sn_rs_count_pairs(&r, declared, 1);
    for (size_t mi = 0; mi < declared; mi++)
        for (size_t ri = 0; ri < r.m[mi].nr; ri++)
            if (r.m[mi].r[ri].a->list) sn_rs_decide_list(&r, (int)mi, (int)ri);
    for (size_t mi = 0; mi < declared; mi++) {
        sn_rs_resolve_pk(&r, (int)mi);
        for (size_t ri = 0; ri < r.m[mi].nr; ri++)
            if (r.m[mi].r[ri].kind == SINEW_BELONGS_TO) sn_rs_ensure_fk(&r, (int)mi, (int)ri);
    }
    sn_rs_poly_keys(&r);
    /* has-one sides point at the to-one they invert */
    for (size_t mi = 0; mi < declared; mi++)
        for (size_t ri = 0; ri < r.m[mi].nr; ri++) {
            prel *p = &r.m[mi].r[ri];
            if (p->kind == SINEW_HAS_ONE && p->inverse >= 0) r.m[p->target].r[p->inverse].inverse = (int)ri;
        }
    for (size_t mi = 0; mi < declared; mi++)
        for (size_t ri = 0; ri < r.m[mi].nr; ri++)
            if (r.m[mi].r[ri].kind == SINEW_MANY_TO_MANY) sn_rs_resolve_m2m(&r, (int)mi, (int)ri);
    sn_rs_check_names(&r);
    sn_rs_check_indexes(&r);
    if (r.errors) return r.errors;
    if (sn_rs_build(&r, name, out) != SINEW_OK || sn_rs_poly_build(&r) != SINEW_OK) {
        *out = NULL;
        return r.errors + 1;
    }
    r.errors += sn_check_limits(af, *out, d, file);
    /* distribution: on the finished graph, whose keys, indexes and foreign keys it checks */
    sinew_model **ms = sn_arena_calloc(a, (r.nm ? r.nm : 1) * sizeof *ms);
    const ast_attr **das = sn_arena_calloc(a, (r.nm ? r.nm : 1) * sizeof *das);
    if (!ms || !das) return r.errors + 1;
    for (size_t i = 0; i < r.nm; i++) {
        ms[i] = r.m[i].out;
        das[i] = r.m[i].dist_attr;
    }
    r.errors += sn_distribution(ms, das, r.nm, d, file);
    return r.errors;
}
