/*
 * introspect_poly.c - `db pull` recognises the polymorphic relations sinew
 * creates (docs/relations.md): a CHECK named <table>_<name>_one_target over
 * as many CASE terms as the table has optional one-column foreign keys named
 * <name>_<target>_<key> (at least two, with the same actions and the
 * database's default constraint names) becomes `name A | B` again. Anything
 * else stays what it is: plain to-ones and an @@check.
 */
#include <string.h>
#include <strings.h>
#include "schema/introspect.h"
#include "names.h"

/* occurrences of the word `needle` in s, in any case (MariaDB reports `case when`) */
static size_t count_of(const char *s, const char *needle)
{
    size_t n = 0, l = strlen(needle);
    for (const char *p = s; *p; p++)
        if (!strncasecmp(p, needle, l)) n++;
    return n;
}

/* the relation index list for candidate `name` in m, or 0 targets when it does not fit */
static size_t targets_of(sn_arena *a, const sinew_model *m, const char *name, unsigned *out)
{
    size_t n = 0;
    const sinew_relation *first = NULL;
    for (size_t r = 0; r < m->nrelations && n < SINEW_POLY_MAX_TARGETS_; r++) {
        const sinew_relation *rl = &m->relations[r];
        if (rl->kind != SINEW_BELONGS_TO || rl->nkeys != 1 || rl->target->npk != 1 || rl->fk_name) continue;
        if (rl->remote[0] != rl->target->pk[0]) continue;
        const sinew_field *f = &m->fields[rl->local[0]];
        if (!(f->flags & SINEW_FIELD_NULLABLE) || f->def.kind != SINEW_DEFAULT_NONE || (f->flags & SINEW_FIELD_DB_TYPE)) continue;
        char sn[256];
        sn_snake(rl->target->name, sn, sizeof sn);
        const char *want = sn_arena_printf(a, "%s_%s", name, sn);
        const char *col = want ? sn_arena_printf(a, "%s_%s", want, rl->target->fields[rl->target->pk[0]].name) : NULL;
        if (!col || strcmp(rl->name, want) || strcmp(f->column, col) || strcmp(f->name, col)) continue;
        if (first && (first->on_delete != rl->on_delete || first->on_update != rl->on_update)) return 0;
        if (!first) first = rl;
        out[n++] = (unsigned)r;
    }
    return n;
}

int sn_ib_polys(sn_arena *a, sinew_model *m)
{
    if (!m->nchecks || m->nrelations < 2) return SINEW_OK;
    size_t tl = strlen(m->table);
    for (size_t k = 0; k < m->nchecks; k++) {
        const sinew_check *c = &m->checks[k];
        const char *suf = "_one_target";
        size_t n = c->name ? strlen(c->name) : 0, sl = strlen(suf);
        if (n <= tl + 1 + sl || strncmp(c->name, m->table, tl) || c->name[tl] != '_' || strcmp(c->name + n - sl, suf))
            continue;
        const char *name = sn_arena_strndup(a, c->name + tl + 1, n - tl - 1 - sl);
        if (!name) return SINEW_NOMEM;
        unsigned buf[SINEW_POLY_MAX_TARGETS_];
        size_t nt = targets_of(a, m, name, buf);
        if (nt < 2 || !c->expr || count_of(c->expr, "CASE") != nt) continue;
        int taken = sinew_model_field_index(m, name) >= 0 || sinew_model_find_relation(m, name) ||
                    sinew_model_find_poly(m, name);
        if (taken) continue;
        sinew_poly *ps = sn_arena_alloc(a, (m->npolys + 1) * sizeof *ps);
        unsigned *t = sn_arena_alloc(a, nt * sizeof *t);
        if (!ps || !t) return SINEW_NOMEM;
        if (m->npolys) memcpy(ps, m->polys, m->npolys * sizeof *ps);
        memcpy(t, buf, nt * sizeof *t);
        sinew_poly *p = &ps[m->npolys];
        memset(p, 0, sizeof *p);
        p->name = name;
        p->targets = t;
        p->ntargets = nt;
        p->check_name = c->name;
        p->optional = strstr(c->expr, "<= 1") != NULL;
        p->order = m->relations[t[0]].order;
        /* the relations now point at their group; their keys are the relation's own (printed with it) */
        sinew_relation *rels = (sinew_relation *)m->relations;
        sinew_field *fields = (sinew_field *)m->fields;
        for (size_t i = 0; i < m->npolys; i++)   /* the earlier groups moved */
            for (size_t j = 0; j < ps[i].ntargets; j++) rels[ps[i].targets[j]].poly = &ps[i];
        for (size_t i = 0; i < nt; i++) {
            rels[t[i]].poly = p;
            fields[rels[t[i]].local[0]].flags |= SINEW_FIELD_IMPLICIT;
        }
        m->polys = ps;
        m->npolys++;
    }
    return SINEW_OK;
}
