/*
 * render_crud.c - the statements the runtime needs for one model: select by
 * key, insert, update of chosen columns, delete, count. The runtime renders
 * each once per model and keeps it (see orm/plan.c), so this is not a hot path.
 */
#include "ir.h"

static void column_list(sn_buf *out, const sinew_dialect *d, const sinew_model *m,
                        const unsigned char *mask)
{
    int first = 1;
    for (size_t i = 0; i < m->nfields; i++) {
        if (mask && !mask[i]) continue;
        if (!first) sn_buf_puts(out, ", ");
        first = 0;
        sn_sql_ident(out, d, m->fields[i].column);
    }
}

void sn_sql_select_all(sn_buf *out, const sinew_dialect *d, const sinew_model *m)
{
    sn_buf_puts(out, "SELECT ");
    column_list(out, d, m, NULL);
    sn_buf_puts(out, " FROM ");
    sn_sql_table(out, d, m);
}

static void where_fields(sn_buf *out, const sinew_dialect *d, const sinew_model *m,
                         const unsigned *fields, size_t n, int *param)
{
    sn_buf_puts(out, " WHERE ");
    for (size_t i = 0; i < n; i++) {
        if (i) sn_buf_puts(out, " AND ");
        sn_sql_ident(out, d, m->fields[fields[i]].column);
        sn_buf_puts(out, " = ");
        sn_sql_param(out, d, (*param)++);
    }
}

/* " AND <deleted_at> IS NULL" for a @@soft_delete model: its reads see the rows not deleted */
static void and_live(sn_buf *out, const sinew_dialect *d, const sinew_model *m)
{
    int soft = sinew_model_soft_delete_field(m);
    if (soft < 0) return;
    sn_buf_puts(out, " AND ");
    sn_sql_ident(out, d, m->fields[soft].column);
    sn_buf_puts(out, " IS NULL");
}

void sn_sql_select_where(sn_buf *out, const sinew_dialect *d, const sinew_model *m,
                         const unsigned *fields, size_t nfields)
{
    int p = 1;
    sn_sql_select_all(out, d, m);
    where_fields(out, d, m, fields, nfields, &p);
    and_live(out, d, m);
}

void sn_sql_select_where_any(sn_buf *out, const sinew_dialect *d, const sinew_model *m,
                             const unsigned *fields, size_t nfields)
{
    int p = 1;
    sn_sql_select_all(out, d, m);
    where_fields(out, d, m, fields, nfields, &p);
}

/* one INSERT renderer (render_write.c): these masks become its field lists */
void sn_sql_insert(sn_buf *out, const sinew_dialect *d, const sinew_model *m,
                   const unsigned char *include, const unsigned char *returning)
{
    unsigned cols[SN_MAX_FIELDS], ret[SN_MAX_FIELDS];
    size_t ncols = 0, nret = 0;
    for (size_t i = 0; i < m->nfields && i < SN_MAX_FIELDS; i++) {
        if (include[i]) cols[ncols++] = (unsigned)i;
        if (returning && returning[i]) ret[nret++] = (unsigned)i;
    }
    sn_insert ins = {.model = m, .cols = cols, .ncols = ncols, .returning = ret, .nreturning = nret};
    sn_sql_insert_stmt(out, d, &ins);
}

void sn_sql_update(sn_buf *out, const sinew_dialect *d, const sinew_model *m,
                   const unsigned char *set, int version_field)
{
    int p = 1;
    sn_buf_puts(out, "UPDATE ");
    sn_sql_table(out, d, m);
    sn_buf_puts(out, " SET ");
    int first = 1;
    for (size_t i = 0; i < m->nfields; i++) {
        if (!set[i]) continue;
        if (!first) sn_buf_puts(out, ", ");
        first = 0;
        sn_sql_ident(out, d, m->fields[i].column);
        sn_buf_puts(out, " = ");
        sn_sql_param(out, d, p++);
    }
    where_fields(out, d, m, m->pk, m->npk, &p);
    if (version_field >= 0) {
        sn_buf_puts(out, " AND ");
        sn_sql_ident(out, d, m->fields[version_field].column);
        sn_buf_puts(out, " = ");
        sn_sql_param(out, d, p++);
    }
}

void sn_sql_count(sn_buf *out, const sinew_dialect *d, const sinew_model *m)
{
    sn_buf_puts(out, "SELECT COUNT(*) FROM ");
    sn_sql_table(out, d, m);
    int soft = sinew_model_soft_delete_field(m);
    if (soft >= 0) {
        sn_buf_puts(out, " WHERE ");
        sn_sql_ident(out, d, m->fields[soft].column);
        sn_buf_puts(out, " IS NULL");
    }
}
