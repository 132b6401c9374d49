/*
 * render_relation.c - the batch loader's statement (sn_sql_relation_select
 * in ir.h): a relation's target rows for a set of owner keys, one
 * placeholder per key column, through the join table for many-to-many.
 */
#include "ir.h"

static int is_to_one(const sinew_relation *rel) { return rel->kind == SINEW_BELONGS_TO || rel->kind == SINEW_HAS_ONE; }

static void key_in(sn_buf *b, const sinew_dialect *d, const char *alias, const sinew_model *m,
                   const unsigned *fields, size_t nk, size_t nkeys)
{
    if (nk == 1) {
        sn_buf_printf(b, "%s.", alias);
        sn_sql_ident(b, d, m->fields[fields[0]].column);
    } else {
        sn_buf_putc(b, '(');
        for (size_t i = 0; i < nk; i++) {
            if (i) sn_buf_puts(b, ", ");
            sn_buf_printf(b, "%s.", alias);
            sn_sql_ident(b, d, m->fields[fields[i]].column);
        }
        sn_buf_putc(b, ')');
    }
    sn_buf_puts(b, " IN (");
    int param = 1;
    for (size_t k = 0; k < nkeys; k++) {
        if (k) sn_buf_puts(b, ", ");
        if (nk > 1) sn_buf_putc(b, '(');
        for (size_t i = 0; i < nk; i++) {
            if (i) sn_buf_puts(b, ", ");
            sn_sql_param(b, d, param++);
        }
        if (nk > 1) sn_buf_putc(b, ')');
    }
    sn_buf_putc(b, ')');
}

int sn_sql_relation_select(sn_buf *b, const sinew_dialect *d, const sinew_relation *rel, size_t nkeys)
{
    const sinew_model *t = rel->target;
    size_t nk = rel->nkeys;
    sn_buf_puts(b, "SELECT ");
    for (size_t i = 0; i < t->nfields; i++) {
        if (i) sn_buf_puts(b, ", ");
        sn_buf_puts(b, "t0.");
        sn_sql_ident(b, d, t->fields[i].column);
    }
    int m2m = rel->kind == SINEW_MANY_TO_MANY;
    if (m2m)
        for (size_t i = 0; i < nk; i++) {
            sn_buf_puts(b, ", j.");
            sn_sql_ident(b, d, rel->through->fields[rel->through_local[i]].column);
        }
    sn_buf_puts(b, " FROM ");
    sn_sql_table(b, d, t);
    sn_buf_puts(b, " AS t0");
    if (m2m) {
        sn_buf_puts(b, " JOIN ");
        sn_sql_table(b, d, rel->through);
        sn_buf_puts(b, " AS j ON ");
        for (size_t i = 0; i < nk; i++) {
            if (i) sn_buf_puts(b, " AND ");
            sn_buf_puts(b, "j.");
            sn_sql_ident(b, d, rel->through->fields[rel->through_remote[i]].column);
            sn_buf_puts(b, " = t0.");
            sn_sql_ident(b, d, t->fields[rel->remote[i]].column);
        }
        sn_buf_puts(b, " WHERE ");
        key_in(b, d, "j", rel->through, rel->through_local, nk, nkeys);
    } else {
        sn_buf_puts(b, " WHERE ");
        key_in(b, d, "t0", t, rel->remote, nk, nkeys);
    }
    int soft = sinew_model_soft_delete_field(t);
    if (soft >= 0) {   /* @@soft_delete: a relation loads the rows not deleted */
        sn_buf_puts(b, " AND t0.");
        sn_sql_ident(b, d, t->fields[soft].column);
        sn_buf_puts(b, " IS NULL");
    }
    if (!is_to_one(rel)) {
        /* A stable order for to-many lists: by parent key, then primary key.
         * Each list comes out in key order, and leading with the foreign key
         * lets the database walk the foreign key's index instead of sorting. */
        sn_buf_puts(b, " ORDER BY ");
        for (size_t i = 0; i < nk; i++) {
            if (m2m) {
                sn_buf_puts(b, "j.");
                sn_sql_ident(b, d, rel->through->fields[rel->through_local[i]].column);
            } else {
                sn_buf_puts(b, "t0.");
                sn_sql_ident(b, d, t->fields[rel->remote[i]].column);
            }
            if (i + 1 < nk || t->npk) sn_buf_puts(b, ", ");   /* a @@readonly target may have no key */
        }
        for (size_t i = 0; i < t->npk; i++) {
            if (i) sn_buf_puts(b, ", ");
            sn_buf_puts(b, "t0.");
            sn_sql_ident(b, d, t->fields[t->pk[i]].column);
        }
    }
    return b->failed ? SINEW_NOMEM : SINEW_OK;
}
