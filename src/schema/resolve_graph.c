/*
 * resolve_graph.c - the schema graph (include/sinew/schema.h) from the
 * resolver's finished state: models with their fields in declaration order
 * (implicit keys at their relation's place), keys, and relations with the
 * field positions they join on. Indexes come from resolve_indexes.c.
 */
#include <string.h>
#include "resolve.h"

/* fields in declaration order, implicit keys at their relation's place: a
 * stable merge sort (linear-logarithmic for models of any size) */
static void sort_fields(R *r, rmodel *rm)
{
    size_t n = rm->nf;
    size_t first_out = 1;   /* most models are in order already (implicit keys of trailing relations) */
    while (first_out < n && rm->f[first_out - 1].order <= rm->f[first_out].order) first_out++;
    if (first_out >= n) return;
    pfield *tmp = sn_arena_alloc(r->a, n * sizeof *tmp);
    if (!tmp) return;
    pfield *src = rm->f, *dst = tmp;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) dst[k++] = src[j].order < src[i].order ? src[j++] : src[i++];
            while (i < mid) dst[k++] = src[i++];
            while (j < hi) dst[k++] = src[j++];
        }
        pfield *t = src;
        src = dst;
        dst = t;
    }
    if (src != rm->f) memcpy(rm->f, src, n * sizeof *src);
    /* the name index now gives positions in the sorted (= output) order */
    memset(&rm->fidx, 0, sizeof rm->fidx);
    for (size_t i = 0; i < n; i++) sn_nameidx_add(&rm->fidx, r->a, rm->f[i].f.name, (int)i);
}

int sn_rs_build(R *r, const char *schema_name, sinew_schema **out)
{
    sinew_schema *s = sn_arena_calloc(r->a, sizeof *s);
    if (!s) return SINEW_NOMEM;
    s->name = schema_name;
    sinew_model **models = sn_arena_calloc(r->a, (r->nm ? r->nm : 1) * sizeof *models);
    if (!models) return SINEW_NOMEM;
    for (size_t i = 0; i < r->nm; i++) {
        models[i] = sn_arena_calloc(r->a, sizeof(sinew_model));
        if (!models[i]) return SINEW_NOMEM;
        r->m[i].out = models[i];
    }
    for (size_t mi = 0; mi < r->nm; mi++) {
        rmodel *rm = &r->m[mi];
        sinew_model *m = rm->out;
        sort_fields(r, rm);
        sinew_field *fields = sn_arena_calloc(r->a, (rm->nf ? rm->nf : 1) * sizeof *fields);
        if (!fields) return SINEW_NOMEM;
        for (size_t i = 0; i < rm->nf; i++) {
            fields[i] = rm->f[i].f;
            fields[i].order = rm->f[i].order;
        }
        m->name = rm->name;
        m->table = rm->table;
        m->c_name = rm->c_name;
        m->doc = rm->doc;
        m->renamed_from = rm->renamed_from;
        m->db_schema = rm->db_schema;
        m->pk_name = rm->pk_name;
        m->checks = rm->checks;
        m->nchecks = rm->nchecks;
        m->flags = rm->flags;
        m->fields = fields;
        m->nfields = rm->nf;
        m->loc.line = rm->line;
        m->loc.col = rm->col;
        unsigned *pk = sn_arena_calloc(r->a, (rm->npk ? rm->npk : 1) * sizeof *pk);
        if (!pk) return SINEW_NOMEM;
        for (size_t k = 0; k < rm->npk; k++) pk[k] = field_index(rm, rm->pk[k]);
        m->pk = pk;
        m->npk = rm->npk;
    }
    for (size_t mi = 0; mi < r->nm; mi++) {
        rmodel *rm = &r->m[mi];
        sinew_model *m = rm->out;
        sinew_relation *rels = sn_arena_calloc(r->a, (rm->nr ? rm->nr : 1) * sizeof *rels);
        if (!rels) return SINEW_NOMEM;
        for (size_t ri = 0; ri < rm->nr; ri++) {
            prel *p = &rm->r[ri];
            sinew_relation *x = &rels[ri];
            rmodel *tm = &r->m[p->target];
            x->name = p->name;
            x->kind = p->kind;
            x->target = tm->out;
            x->inverse = p->inverse >= 0 && (size_t)p->inverse < tm->nr ? tm->r[p->inverse].name : NULL;
            x->on_delete = p->on_delete;
            x->on_update = p->on_update;
            x->optional = p->optional;
            x->offset = SINEW_NO_OFFSET;
            x->doc = p->doc;
            x->order = p->order;
            x->loc.line = p->line;
            x->loc.col = p->col;
            x->fk_name = p->fk_name;
            unsigned *lo = sn_arena_calloc(r->a, MAXK * sizeof *lo), *re = sn_arena_calloc(r->a, MAXK * sizeof *re);
            if (!lo || !re) return SINEW_NOMEM;
            if (p->kind == SINEW_BELONGS_TO) {
                x->nkeys = p->nfk;
                for (size_t k = 0; k < p->nfk; k++) {
                    lo[k] = field_index(rm, p->fk[k]);
                    re[k] = field_index(tm, p->nref ? p->ref[k] : tm->pk[k]);
                }
            } else if (p->kind == SINEW_HAS_ONE || p->kind == SINEW_HAS_MANY) {
                const prel *q = p->inverse >= 0 ? &tm->r[p->inverse] : NULL;
                x->nkeys = q ? q->nfk : 0;
                for (size_t k = 0; q && k < q->nfk; k++) {
                    lo[k] = field_index(rm, q->nref ? q->ref[k] : rm->pk[k]);
                    re[k] = field_index(tm, q->fk[k]);
                }
            } else if (p->through_model >= 0) {
                rmodel *j = &r->m[p->through_model];
                const prel *la = &j->r[p->through_local], *lb = &j->r[p->through_remote];
                unsigned *tl = sn_arena_calloc(r->a, MAXK * sizeof *tl), *tr = sn_arena_calloc(r->a, MAXK * sizeof *tr);
                if (!tl || !tr) return SINEW_NOMEM;
                x->nkeys = la->nfk < lb->nfk ? la->nfk : lb->nfk;
                for (size_t k = 0; k < x->nkeys; k++) {
                    lo[k] = field_index(rm, rm->pk[k]);
                    re[k] = field_index(tm, tm->pk[k]);
                    tl[k] = field_index(j, la->fk[k]);
                    tr[k] = field_index(j, lb->fk[k]);
                }
                x->through = j->out;
                x->through_local = tl;
                x->through_remote = tr;
            }
            x->local = lo;
            x->remote = re;
        }
        m->relations = rels;
        m->nrelations = rm->nr;
    }
    /* indexes: @@index / @@unique (field or to-one relation names), then one for
     * each to-one's foreign key that no key or index leads already */
    for (size_t mi = 0; mi < r->nm; mi++)
        if (sn_rs_build_indexes(r, &r->m[mi]) != SINEW_OK) return SINEW_NOMEM;
    s->models = (const sinew_model *const *)models;
    s->nmodels = r->nm;
    s->enums = (const sinew_enum *const *)r->enums;
    s->nenums = r->ne;
    *out = s;
    return SINEW_OK;
}
