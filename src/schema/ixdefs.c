/*
 * ixdefs.c - a model's effective indexes (ixdefs.h).
 */
#include "schema/ixdefs.h"

size_t sn_model_ixdefs(sn_arena *a, const sinew_model *m, sn_ixdef **out)
{
    size_t n = 0;
    for (size_t i = 0; i < m->nfields; i++)
        n += !!(m->fields[i].flags & SINEW_FIELD_UNIQUE) + !!(m->fields[i].flags & SINEW_FIELD_INDEX);
    n += m->nindexes;
    sn_ixdef *v = sn_arena_calloc(a, (n ? n : 1) * sizeof *v);
    *out = v;
    if (!v) return 0;
    size_t k = 0;
    for (size_t i = 0; i < m->nindexes; i++) {
        const sinew_index *ix = &m->indexes[i];
        v[k].name = ix->name;
        v[k].unique = ix->unique;
        v[k].where = ix->where;
        v[k].ncols = ix->nfields;
        v[k].cols = sn_arena_calloc(a, (ix->nfields ? ix->nfields : 1) * sizeof *v[k].cols);
        if (!v[k].cols) return 0;
        for (size_t j = 0; j < ix->nfields; j++) v[k].cols[j] = m->fields[ix->fields[j]].column;
        k++;
    }
    for (size_t i = 0; i < m->nfields; i++)
        for (int u = 1; u >= 0; u--) {
            unsigned flag = u ? SINEW_FIELD_UNIQUE : SINEW_FIELD_INDEX;
            if (!(m->fields[i].flags & flag)) continue;
            v[k].unique = u;
            v[k].field_level = 1;
            v[k].ncols = 1;
            v[k].cols = sn_arena_calloc(a, sizeof *v[k].cols);
            v[k].name = sn_arena_printf(a, "%s_%s_%s", m->table, m->fields[i].column, u ? "key" : "idx");
            if (!v[k].cols || !v[k].name) return 0;
            v[k].cols[0] = m->fields[i].column;
            k++;
        }
    return k;
}
