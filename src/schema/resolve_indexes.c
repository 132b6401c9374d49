/*
 * resolve_indexes.c - a model's indexes: the @@index / @@unique it declares
 * (checked here, built with their fields in output order and sinew's name
 * <table>_<columns>_idx / _key unless they give one), and an automatic index
 * on each to-one's foreign key that no key or index leads already.
 */
#include <stdio.h>
#include <string.h>
#include "resolve.h"

/* @@index and @@unique name fields or to-one relations of their model */
void sn_rs_check_indexes(R *r)
{
    for (size_t mi = 0; mi < r->nm; mi++) {
        rmodel *rm = &r->m[mi];
        for (size_t i = 0; rm->a && i < rm->a->nattrs; i++) {
            const ast_attr *a = &rm->a->attrs[i];
            if (strcmp(a->name, "unique") && strcmp(a->name, "index")) continue;
            if (a->nargs < 1 || a->args[0].kind != ARG_LIST || !a->args[0].nitems) {
                sn_rs_err(r, a->line, a->col, "@@%s needs a list of fields: @@%s([a, b])", a->name, a->name);
                continue;
            }
            for (size_t j = 0; j < a->args[0].nitems && !rm->broken; j++) {
                const char *fn = a->args[0].items[j];
                const prel *p = find_rel(rm, fn);
                if (!find_field(rm, fn) && !(p && p->kind == SINEW_BELONGS_TO))
                    sn_rs_err(r, a->line, a->col, "@@%s names '%s', which is not a field or to-one relation of %s", a->name,
                        fn, rm->name);
            }
            /* the other arguments: the SQL name, when it is not sinew's <table>_<columns>_idx/_key, and a
             * partial index's predicate, each once */
            int seen_name = 0, seen_where = 0;
            for (size_t j = 1; j < a->nargs; j++) {
                const ast_arg *v = &a->args[j];
                int is_name = v->label && !strcmp(v->label, "name"), is_where = v->label && !strcmp(v->label, "where");
                if ((!is_name && !is_where) || v->kind != ARG_STRING || !v->text[0] || (is_name && seen_name++) ||
                    (is_where && seen_where++))
                    sn_rs_err(r, v->line, v->col, "@@%s takes the fields and, optionally, the index's SQL name and a "
                        "partial index's predicate: @@%s([a, b], name: \"%s_a_b_%s\", where: \"deleted_at IS NULL\")",
                        a->name, a->name, rm->table ? rm->table : "table", strcmp(a->name, "unique") ? "idx" : "key");
                else if (is_name)
                    sn_rs_control_free(r, v, strcmp(a->name, "unique") ? "@@index(name:)" : "@@unique(name:)");
            }
        }
    }
}

/* "<table>_<col>_<col>_idx" (or _key) */
static const char *index_name(R *r, const sinew_model *m, const unsigned *fs, size_t nf, int uniq)
{
    char name[512];
    size_t nl = (size_t)snprintf(name, sizeof name, "%s", m->table);
    for (size_t j = 0; j < nf && nl < sizeof name; j++)
        nl += (size_t)snprintf(name + nl, sizeof name - nl, "_%s", m->fields[fs[j]].column);
    if (nl < sizeof name) snprintf(name + nl, sizeof name - nl, "%s", uniq ? "_key" : "_idx");
    return sn_arena_strdup(r->a, name);
}

/* the indexes of one model: @@index / @@unique (field or to-one relation
 * names), then one for each to-one's foreign key that no key or index leads
 * already */
int sn_rs_build_indexes(R *r, rmodel *rm)
{
    sinew_model *m = rm->out;
    size_t n = rm->nr;
    for (size_t i = 0; rm->a && i < rm->a->nattrs; i++)
        n += !strcmp(rm->a->attrs[i].name, "index") || !strcmp(rm->a->attrs[i].name, "unique");
    if (!n) return SINEW_OK;
    sinew_index *ix = sn_arena_calloc(r->a, n * sizeof *ix);
    if (!ix) return SINEW_NOMEM;
    size_t k = 0;
    for (size_t i = 0; rm->a && i < rm->a->nattrs; i++) {
        const ast_attr *a = &rm->a->attrs[i];
        int uniq = !strcmp(a->name, "unique");
        if (!uniq && strcmp(a->name, "index")) continue;
        if (a->nargs < 1 || a->args[0].kind != ARG_LIST || !a->args[0].nitems) continue;   /* check_indexes said */
        unsigned *fs = sn_arena_calloc(r->a, (a->args[0].nitems * MAXK) * sizeof *fs);
        if (!fs) return SINEW_NOMEM;
        size_t nf = 0;
        for (size_t j = 0; j < a->args[0].nitems; j++) {
            const char *fn = a->args[0].items[j];
            int fi = sn_nameidx_get(&rm->fidx, fn);
            prel *p = find_rel(rm, fn);
            if (fi >= 0) {
                fs[nf++] = (unsigned)fi;
            } else if (p && p->kind == SINEW_BELONGS_TO) {
                for (size_t q = 0; q < p->nfk; q++) fs[nf++] = field_index(rm, p->fk[q]);
            }
        }
        for (size_t j = 1; j < a->nargs; j++)   /* name: "...", where: "..." (check_indexes said the rest) */
            if (a->args[j].kind == ARG_STRING && a->args[j].label) {
                if (!strcmp(a->args[j].label, "name")) ix[k].name = a->args[j].text;
                else if (!strcmp(a->args[j].label, "where")) ix[k].where = a->args[j].text;
            }
        if (uniq && !ix[k].where) ix[k].where = rm->soft_pred;   /* @@soft_delete: unique among live rows */
        if (!ix[k].name && !(ix[k].name = index_name(r, m, fs, nf, uniq))) return SINEW_NOMEM;
        ix[k].fields = fs;
        ix[k].nfields = nf;
        ix[k].unique = uniq;
        ix[k].loc.line = a->line;
        ix[k].loc.col = a->col;
        k++;
    }
    /* which fields start an index so far: a one-column key is checked in constant time */
    unsigned char *starts = sn_arena_calloc(r->a, m->nfields ? m->nfields : 1);
    if (!starts) return SINEW_NOMEM;
    for (size_t i = 0; i < k; i++)
        if (ix[i].nfields) starts[ix[i].fields[0]] = 1;
    for (size_t ri = 0; ri < rm->nr; ri++) {
        const prel *p = &rm->r[ri];
        if (p->kind != SINEW_BELONGS_TO || !p->nfk || p->no_index) continue;
        unsigned *fs = sn_arena_calloc(r->a, p->nfk * sizeof *fs);
        if (!fs) return SINEW_NOMEM;
        for (size_t q = 0; q < p->nfk; q++) fs[q] = field_index(rm, p->fk[q]);
        if (p->nfk == 1 ? starts[fs[0]] || sn_index_led(m, NULL, 0, fs, 1) : sn_index_led(m, ix, k, fs, p->nfk))
            continue;
        starts[fs[0]] = 1;
        if (!(ix[k].name = index_name(r, m, fs, p->nfk, 0))) return SINEW_NOMEM;
        ix[k].fields = fs;
        ix[k].nfields = p->nfk;
        ix[k].loc.line = p->line;
        ix[k].loc.col = p->col;
        ix[k].automatic = 1;
        k++;
    }
    m->indexes = ix;
    m->nindexes = k;
    return SINEW_OK;
}
