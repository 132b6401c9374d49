/*
 * resolve_relations.c - what each relation field is, and its inverse.
 *
 * Decided in a fixed order: to-one fields first (a to-one is the side holding
 * the foreign key unless it is the optional inverse of a unique to-one on the
 * other model: has-one), then lists (the inverse of exactly one to-one back,
 * else many-to-many with a list back, or through @through). What a model
 * holds pointing at another is counted once per pair of models (pairinfo),
 * so that deciding every relation stays linear.
 */
#include <stdio.h>
#include <string.h>
#include "resolve.h"

/* what model t holds pointing at model mi, counted once so that deciding every
 * relation stays linear however many relations a model has */
typedef struct pairinfo {
    int unique_to_one, first_unique;   /* declared unique to-ones (has-one candidates) */
    int belongs, first_belongs;        /* to-ones holding the key (after the to-one pass) */
    int plain_lists, first_plain;      /* lists without @through */
    int through_lists, first_through;  /* lists with @through */
} pairinfo;

static int points_back(const prel *p, int mi) { return p->target == mi; }

static pairinfo *pair(R *r, int t, int mi)
{
    char k[48];
    snprintf(k, sizeof k, "%d>%d", t, mi);
    int i = sn_nameidx_get(&r->pairs, k);
    if (i >= 0) return &r->pinfo[i];
    PUSH(r->a, r->pinfo, r->npinfo, r->cappinfo);
    if (!r->pinfo) return NULL;
    pairinfo *x = &r->pinfo[r->npinfo - 1];
    memset(x, 0, sizeof *x);
    x->first_unique = x->first_belongs = x->first_plain = x->first_through = -1;
    sn_nameidx_add(&r->pairs, r->a, sn_arena_strdup(r->a, k), (int)r->npinfo - 1);
    return x;
}

/*
 * A to-one whose @fk fields are, as a set, the model's own key or a unique
 * key of it (`film_id int @id` + `film Film @fk(film_id)`: an extension
 * table) holds at most one row per target: it is one-to-one, and the optional
 * to-one back on the target is its has-one side. Decided from the syntax
 * alone, before any relation kind is.
 */
void sn_rs_mark_key_unique(R *r, size_t declared)
{
    for (size_t mi = 0; mi < declared; mi++) {
        rmodel *m = &r->m[mi];
        for (size_t ri = 0; ri < m->nr; ri++) {
            prel *p = &m->r[ri];
            if (!p->a || p->a->list || !p->explicit_fk || p->unique || !p->nfk) continue;
            const char *key[MAXK];
            size_t nk = 0;
            if (m->id_attr) {
                const ast_arg *l = list_arg(m->id_attr);
                for (size_t i = 0; l && i < l->nitems && nk < MAXK; i++) key[nk++] = l->items[i];
            } else {
                for (size_t i = 0; i < m->nf && nk < MAXK; i++)
                    if (m->f[i].f.flags & SINEW_FIELD_PK) key[nk++] = m->f[i].f.name;
            }
            int one = same_names(p->fk, p->nfk, key, nk);
            if (!one && p->nfk == 1) {
                const pfield *f = find_field(m, p->fk[0]);
                one = f && (f->f.flags & SINEW_FIELD_UNIQUE);
            }
            for (size_t i = 0; !one && m->a && i < m->a->nattrs; i++) {
                const ast_attr *at = &m->a->attrs[i];
                const ast_arg *l = list_arg(at);
                if (strcmp(at->name, "unique") || !l) continue;
                one = same_names(p->fk, p->nfk, l->items, l->nitems);
            }
            p->key_unique = one;
        }
    }
}

/* phase 0 (before the to-one pass) counts unique to-ones; phase 1 (after it) the rest */
void sn_rs_count_pairs(R *r, size_t declared, int phase)
{
    for (size_t ti = 0; ti < declared; ti++)
        for (size_t i = 0; i < r->m[ti].nr; i++) {
            const prel *q = &r->m[ti].r[i];
            if (!q->a) continue;
            pairinfo *x = pair(r, (int)ti, q->target);
            if (!x) return;
            if (phase == 0) {
                if (!q->a->list && (q->unique || q->key_unique) && x->unique_to_one++ == 0) x->first_unique = (int)i;
                continue;
            }
            if (q->kind == SINEW_BELONGS_TO && x->belongs++ == 0) x->first_belongs = (int)i;
            if (q->a->list && !q->through && x->plain_lists++ == 0) x->first_plain = (int)i;
            if (q->a->list && q->through && x->through_lists++ == 0) x->first_through = (int)i;
        }
}

void sn_rs_decide_to_one(R *r, int mi, int ri)
{
    rmodel *m = &r->m[mi];
    prel *p = &m->r[ri];
    p->kind = SINEW_BELONGS_TO;
    p->decided = 1;
    if (p->explicit_fk || p->on_delete || p->on_update || p->unique || p->map || !p->optional) return;
    /* the optional inverse of a unique to-one on the target: has-one */
    rmodel *t = &r->m[p->target];
    int found = -1, count = 0;
    if (p->inverse_hint) {
        const prel *q = find_rel(t, p->inverse_hint);
        if (q && q != p && q->a && !q->a->list && points_back(q, mi) && (q->unique || q->key_unique))
            found = (int)(q - t->r), count = 1;
    } else {
        const pairinfo *x = pair(r, p->target, mi);
        if (x) found = x->first_unique, count = x->unique_to_one;
    }
    if (count == 1) {
        p->kind = SINEW_HAS_ONE;
        p->inverse = found;
    }
}

void sn_rs_decide_list(R *r, int mi, int ri)
{
    rmodel *m = &r->m[mi];
    prel *p = &m->r[ri];
    p->decided = 1;
    rmodel *t = &r->m[p->target];
    if (p->through) {
        p->kind = SINEW_MANY_TO_MANY;
        return;
    }
    int found = -1, count = 0;
    const pairinfo *x = pair(r, p->target, mi);
    if (!x) return;
    if (p->inverse_hint) {
        const prel *q = find_rel(t, p->inverse_hint);
        if (q && q != p && q->kind == SINEW_BELONGS_TO && points_back(q, mi)) found = (int)(q - t->r), count = 1;
    } else {
        found = x->first_belongs;
        count = x->belongs;
    }
    if (count == 1) {
        p->kind = SINEW_HAS_MANY;
        p->inverse = found;
        t->r[found].inverse = ri;
        return;
    }
    if (count > 1) {
        char names[256] = "";   /* the message only: a scan, on this error alone */
        for (size_t i = 0, l = 0; i < t->nr && l + 1 < sizeof names; i++) {
            const prel *q = &t->r[i];
            if (q->kind != SINEW_BELONGS_TO || !points_back(q, mi)) continue;
            l += (size_t)snprintf(names + l, sizeof names - l, "%s%s", l ? ", " : "", q->name);
        }
        sn_rs_err(r, p->line, p->col, "ambiguous inverse: %s has %d fields pointing to %s (%s); say which one with "
            "@inverse(...)", t->name, count, m->name, names);
        p->kind = SINEW_HAS_MANY;
        return;
    }
    if (t->broken) {   /* the inverse may be its field of unknown type, reported already */
        p->kind = SINEW_HAS_MANY;
        return;
    }
    if (p->inverse_hint) {
        sn_rs_err(r, p->line, p->col, "@inverse(%s): %s has no to-one field '%s' pointing to %s", p->inverse_hint, t->name,
            p->inverse_hint, m->name);
        p->kind = SINEW_HAS_MANY;
        return;
    }
    /* a list back, and no key either way: many-to-many (p itself is a plain list back when t is m) */
    if (x->plain_lists > (p->target == mi ? 1 : 0)) {
        p->kind = SINEW_MANY_TO_MANY;
        return;
    }
    int through_backs = x->through_lists;
    /* the other side named the join table: this side is the same many-to-many
     * (declared once, as Django does) */
    if (through_backs == 1) {
        p->kind = SINEW_MANY_TO_MANY;
        p->through = t->r[x->first_through].through;
        return;
    }
    if (through_backs > 1) {
        char tables[256] = "", choices[256] = "";
        for (size_t i = 0, l = 0, c = 0; i < t->nr && l + 1 < sizeof tables && c + 1 < sizeof choices; i++) {
            const prel *q = &t->r[i];
            if (q == p || !q->a || !q->a->list || !points_back(q, mi) || !q->through) continue;
            l += (size_t)snprintf(tables + l, sizeof tables - l, "%s%s @through(%s)", l ? ", " : "", q->name, q->through);
            c += (size_t)snprintf(choices + c, sizeof choices - c, "%s@through(%s)", c ? " or " : "", q->through);
        }
        sn_rs_err(r, p->line, p->col, "ambiguous many-to-many: %s has %d lists pointing to %s (%s); say which one '%s' pairs "
            "with: add %s to %s.%s", t->name, through_backs, m->name, tables, p->name, choices, m->name, p->name);
        p->kind = SINEW_MANY_TO_MANY;
        return;
    }
    sn_rs_err(r, p->line, p->col, "missing inverse: %s has no field pointing to %s for '%s'; add a to-one field "
        "(`%s %s`) to %s, or a list back for many-to-many", t->name, m->name, p->name,
        sn_arena_printf(r->a, "%c%s", m->c_name[0], m->c_name + 1), m->name, t->name);
    p->kind = SINEW_HAS_MANY;
}
