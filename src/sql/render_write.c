/*
 * render_write.c - INSERT (one row or many, ON CONFLICT DO NOTHING / DO
 * UPDATE, RETURNING) and DELETE by fields, as described by sn_insert /
 * sn_delete (ir.h), and COPY. Values are placeholders, numbered from 1 in
 * bind order.
 */
#include <string.h>
#include "ir.h"

static void fields(sn_buf *b, const sinew_dialect *d, const sinew_model *m, const unsigned *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i) sn_buf_puts(b, ", ");
        sn_sql_ident(b, d, m->fields[f[i]].column);
    }
}

static void set_excluded(sn_buf *b, const sinew_dialect *d, const sinew_model *m, unsigned f)
{
    sn_sql_ident(b, d, m->fields[f].column);
    sn_buf_puts(b, " = excluded.");
    sn_sql_ident(b, d, m->fields[f].column);
}

int sn_sql_insert_stmt(sn_buf *b, const sinew_dialect *d, const sn_insert *ins)
{
    const sinew_model *m = ins->model;
    size_t rows = ins->rows ? ins->rows : 1;
    sn_buf_puts(b, "INSERT INTO ");
    sn_sql_ident(b, d, m->table);
    if (ins->ncols == 0 && rows == 1) {
        sn_buf_puts(b, " DEFAULT VALUES");
    } else {
        sn_buf_puts(b, " (");
        fields(b, d, m, ins->cols, ins->ncols);
        sn_buf_puts(b, ") VALUES ");
        int p = 1;
        for (size_t r = 0; r < rows; r++) {
            sn_buf_puts(b, r ? ", (" : "(");
            for (size_t c = 0; c < ins->ncols; c++) {
                if (c) sn_buf_puts(b, ", ");
                sn_sql_param(b, d, p++);
            }
            sn_buf_putc(b, ')');
        }
    }
    if (ins->on_conflict != SN_CONFLICT_NONE) {
        sn_buf_puts(b, " ON CONFLICT");
        if (ins->nconflict) {
            sn_buf_puts(b, " (");
            fields(b, d, m, ins->conflict, ins->nconflict);
            sn_buf_putc(b, ')');
        }
        if (ins->on_conflict == SN_CONFLICT_NOTHING || !ins->nconflict) {
            sn_buf_puts(b, " DO NOTHING");
        } else {
            sn_buf_puts(b, " DO UPDATE SET ");
            for (size_t i = 0; i < ins->nupdate; i++) {
                if (i) sn_buf_puts(b, ", ");
                set_excluded(b, d, m, ins->update[i]);
            }
            /* nothing else to change: a no-op assignment still makes RETURNING give the row */
            if (!ins->nupdate) set_excluded(b, d, m, ins->conflict[0]);
        }
    }
    if (ins->nreturning) {
        sn_buf_puts(b, " RETURNING ");
        fields(b, d, m, ins->returning, ins->nreturning);
    }
    return b->failed ? SINEW_NOMEM : SINEW_OK;
}

int sn_sql_delete_stmt(sn_buf *b, const sinew_dialect *d, const sn_delete *del)
{
    const sinew_model *m = del->model;
    sn_buf_puts(b, "DELETE FROM ");
    sn_sql_ident(b, d, m->table);
    for (size_t i = 0; i < del->nkeys; i++) {
        sn_buf_puts(b, i ? " AND " : " WHERE ");
        sn_sql_ident(b, d, m->fields[del->keys[i]].column);
        sn_buf_puts(b, " = ");
        sn_sql_param(b, d, (int)i + 1);
    }
    return b->failed ? SINEW_NOMEM : SINEW_OK;
}

int sn_sql_copy_in(sn_buf *b, const sinew_dialect *d, const sinew_model *m)
{
    sn_buf_puts(b, "COPY ");
    sn_sql_ident(b, d, m->table);
    sn_buf_puts(b, " (");
    for (size_t i = 0; i < m->nfields; i++) {
        if (i) sn_buf_puts(b, ", ");
        sn_sql_ident(b, d, m->fields[i].column);
    }
    sn_buf_puts(b, ") FROM STDIN");
    return b->failed ? SINEW_NOMEM : SINEW_OK;
}
