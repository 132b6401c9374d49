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

/* the existing row's column, qualified by the table's name: PostgreSQL finds a bare name in DO UPDATE
 * ambiguous between the row and EXCLUDED */
static void row_col(sn_buf *b, const sinew_dialect *d, const sinew_model *m, int f, int excluded)
{
    if (excluded) sn_buf_puts(b, "excluded");
    else sn_sql_ident(b, d, m->table);
    sn_buf_putc(b, '.');
    sn_sql_ident(b, d, m->fields[f].column);
}

/* DO UPDATE SET of sinew_set assignments; placeholders continue from p */
static void set_list(sn_buf *b, const sinew_dialect *d, const sinew_model *m, const sinew_set *set, size_t n, int p)
{
    for (size_t i = 0; i < n; i++) {
        const sinew_set *a = &set[i];
        if (i) sn_buf_puts(b, ", ");
        sn_sql_ident(b, d, m->fields[a->col.field].column);
        sn_buf_puts(b, " = ");
        switch (a->kind) {
        case SINEW_SET_VALUE: sn_sql_param(b, d, p++); break;
        case SINEW_SET_COMBINE:
            row_col(b, d, m, a->col.field, 0);
            sn_buf_printf(b, " %c ", a->op);
            row_col(b, d, m, a->col.field, 1);
            break;
        case SINEW_SET_EXPR: case SINEW_SET_EXCLUDED:
            if (a->expr.arith) sn_buf_putc(b, '(');
            row_col(b, d, m, a->expr.field, a->kind == SINEW_SET_EXCLUDED);
            if (a->expr.arith) {
                sn_buf_printf(b, " %c ", a->expr.arith);
                sn_sql_param(b, d, p++);
                sn_buf_putc(b, ')');
            }
            break;
        }
    }
}

int sn_sql_insert_stmt(sn_buf *b, const sinew_dialect *d, const sn_insert *ins)
{
    const sinew_model *m = ins->model;
    size_t rows = ins->rows ? ins->rows : 1;
    int p = 1;
    sn_buf_puts(b, "INSERT INTO ");
    sn_sql_ident(b, d, m->table);
    if (ins->ncols == 0 && rows == 1) {
        sn_buf_puts(b, " DEFAULT VALUES");
    } else {
        sn_buf_puts(b, " (");
        fields(b, d, m, ins->cols, ins->ncols);
        sn_buf_puts(b, ") VALUES ");
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
            if (ins->nset) {
                set_list(b, d, m, ins->set, ins->nset, p);
            } else for (size_t i = 0; i < ins->nupdate; i++) {
                if (i) sn_buf_puts(b, ", ");
                set_excluded(b, d, m, ins->update[i]);
            }
            /* nothing else to change: a no-op assignment still makes RETURNING give the row */
            if (!ins->nupdate && !ins->nset) set_excluded(b, d, m, ins->conflict[0]);
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
    if (del->rows > 1 && del->nkeys) {
        /* a row value IN list: SQLite (3.15+) and PostgreSQL both take it, one tuple per row */
        int p = 1, tuple = del->nkeys > 1;
        sn_buf_puts(b, tuple ? " WHERE (" : " WHERE ");
        fields(b, d, m, del->keys, del->nkeys);
        sn_buf_puts(b, tuple ? ") IN (" : " IN (");
        for (size_t r = 0; r < del->rows; r++) {
            if (r) sn_buf_puts(b, ", ");
            if (tuple) sn_buf_putc(b, '(');
            for (size_t i = 0; i < del->nkeys; i++) {
                if (i) sn_buf_puts(b, ", ");
                sn_sql_param(b, d, p++);
            }
            if (tuple) sn_buf_putc(b, ')');
        }
        sn_buf_putc(b, ')');
        return b->failed ? SINEW_NOMEM : SINEW_OK;
    }
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
