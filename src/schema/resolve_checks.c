/*
 * resolve_checks.c - checks over the finished names of a resolved file:
 * duplicate fields and relations, two fields on one column, two models with
 * the same C name, and what the database would refuse later (a warning).
 */
#include <string.h>
#include "resolve.h"

/* every lookup is through a name index: linear in the size of the file */
void sn_rs_check_names(R *r)
{
    sn_nameidx cnames;
    memset(&cnames, 0, sizeof cnames);
    for (size_t mi = 0; mi < r->nm; mi++) {
        rmodel *m = &r->m[mi];
        if (!m->a) continue;
        int mj = sn_nameidx_add(&cnames, r->a, m->c_name, (int)mi);
        if (mj >= 0)
            sn_rs_err(r, m->line, m->col, "models %s and %s would both generate C functions named %s_...; rename one",
                r->m[mj].name, m->name, m->c_name);
        sn_nameidx columns;
        memset(&columns, 0, sizeof columns);
        for (size_t i = 0; i < m->nf; i++) {
            const sinew_field *f = &m->f[i].f;
            if (sn_nameidx_get(&m->fidx, f->name) != (int)i) {
                sn_rs_err(r, f->loc.line, f->loc.col, "duplicate field '%s' in model %s", f->name, m->name);
                continue;
            }
            int j = sn_nameidx_add(&columns, r->a, f->column, (int)i);
            if (j >= 0)
                sn_rs_err(r, f->loc.line, f->loc.col, "fields '%s' and '%s' of %s both map to column '%s'", m->f[j].f.name,
                    f->name, m->name, f->column);
        }
        for (size_t i = 0; i < m->nr; i++) {
            /* implicit key fields come after every declared one: the first of a name is declared if any is */
            int j = sn_nameidx_get(&m->fidx, m->r[i].name);
            if (m->r[i].poly && ((j >= 0 && m->f[j].implicit_of < 0) || sn_nameidx_get(&m->ridx, m->r[i].name) != (int)i))
                sn_rs_err(r, m->r[i].line, m->r[i].col, "polymorphic relation '%s' makes the relation '%s' for its "
                          "target %s, but %s already has a field of that name: rename one of them",
                          m->poly[m->r[i].poly - 1].name, m->r[i].name, r->m[m->r[i].target].name, m->name);
            else if (j >= 0 && m->f[j].implicit_of < 0)
                sn_rs_err(r, m->r[i].line, m->r[i].col, "duplicate field '%s' in model %s", m->r[i].name, m->name);
            else if (sn_nameidx_get(&m->ridx, m->r[i].name) != (int)i)
                sn_rs_err(r, m->r[i].line, m->r[i].col, "duplicate field '%s' in model %s", m->r[i].name, m->name);
            prel *p = &m->r[i];
            /* legal SQL (a pulled database has it): deleting the referenced row then fails */
            if (p->kind == SINEW_BELONGS_TO && p->on_delete == SINEW_FK_SET_NULL && !p->optional)
                sn_rs_warn(r, p->line, p->col, "@on_delete(set_null) on the required relation '%s': the database will refuse "
                     "to delete a %s that is still referenced; write '%s %s?' to make it optional", p->name,
                     r->m[p->target].name, p->name, r->m[p->target].name);
        }
    }
}
