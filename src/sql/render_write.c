/*
 * render_write.c - INSERT (one row or many, ON CONFLICT DO NOTHING / DO
 * UPDATE, RETURNING) and DELETE by fields, as described by sn_insert /
 * sn_delete (ir.h), a @@soft_delete model's delete by keys (an UPDATE), and
 * COPY. Values are placeholders, numbered from 1 in
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

/* the proposed row's column: EXCLUDED.col, or VALUES(col) in ON DUPLICATE KEY UPDATE */
static void proposed(sn_buf *b, const sinew_dialect *d, const sinew_model *m, unsigned f)
{
    if (d->upsert_on_duplicate_key) {
        sn_buf_puts(b, "VALUES(");
        sn_sql_ident(b, d, m->fields[f].column);
        sn_buf_putc(b, ')');
    } else {
        sn_buf_puts(b, "excluded.");
        sn_sql_ident(b, d, m->fields[f].column);
    }
}

static void set_excluded(sn_buf *b, const sinew_dialect *d, const sinew_model *m, unsigned f)
{
    sn_sql_ident(b, d, m->fields[f].column);
    sn_buf_puts(b, " = ");
    proposed(b, d, m, f);
}

/* the existing row's column, qualified by the table's name: PostgreSQL finds a bare name in DO UPDATE
 * ambiguous between the row and EXCLUDED */
static void row_col(sn_buf *b, const sinew_dialect *d, const sinew_model *m, int f, int excluded)
{
    if (excluded) {
        proposed(b, d, m, (unsigned)f);
        return;
    }
    sn_sql_ident(b, d, m->table);
    sn_buf_putc(b, '.');
    sn_sql_ident(b, d, m->fields[f].column);
}

/* DO UPDATE SET of sinew_set assignments; placeholders continue from p */
static void set_list(sn_buf *b, const sinew_dialect *d, const sinew_model *m, const sinew_set *set, size_t n, int p)
{
    sn_sql_out o;
    sn_sql_out_init(&o);
    o.param_base = p - 1;
    if (sn_sql_set_list(&o, d, m, set, n)) b->failed = 1;
    else sn_buf_puts(b, sn_buf_cstr(&o.sql));
    sn_sql_out_free(&o);
}

/*
 * ON DUPLICATE KEY UPDATE (MariaDB / MySQL): there is no conflict target, any unique key of the
 * table fires it; "do nothing" assigns a key column to itself, so the statement neither fails
 * nor changes the row.
 */
static void on_duplicate_key(sn_buf *b, const sinew_dialect *d, const sn_insert *ins, int p)
{
    const sinew_model *m = ins->model;
    /* report_key: `id = IF(LAST_INSERT_ID(id), id, id)`, last (an assignment sees the ones before it),
     * leaves the key as it is (also a negative one, which LAST_INSERT_ID's unsigned result would not
     * fit) and makes the statement report the updated row's key as its insert id */
    const int report = ins->report_key && m->npk == 1;
    sn_buf_puts(b, " ON DUPLICATE KEY UPDATE ");
    if (ins->on_conflict != SN_CONFLICT_NOTHING && ins->nconflict && (ins->nset || ins->nupdate)) {
        if (ins->nset) {
            set_list(b, d, m, ins->set, ins->nset, p);
        } else for (size_t i = 0; i < ins->nupdate; i++) {
            if (i) sn_buf_puts(b, ", ");
            set_excluded(b, d, m, ins->update[i]);
        }
        if (!report) return;
        sn_buf_puts(b, ", ");
    }
    if (report) {
        const char *key = m->fields[m->pk[0]].column;
        sn_sql_ident(b, d, key);
        sn_buf_puts(b, " = IF(LAST_INSERT_ID(");
        sn_sql_ident(b, d, key);
        sn_buf_puts(b, "), ");
        sn_sql_ident(b, d, key);
        sn_buf_puts(b, ", ");
        sn_sql_ident(b, d, key);
        sn_buf_putc(b, ')');
        return;
    }
    unsigned k = ins->nconflict ? ins->conflict[0] : m->npk ? m->pk[0] : ins->ncols ? ins->cols[0] : 0;
    sn_sql_ident(b, d, m->fields[k].column);
    sn_buf_puts(b, " = ");
    row_col(b, d, m, (int)k, 0);
}

int sn_sql_insert_stmt(sn_buf *b, const sinew_dialect *d, const sn_insert *ins)
{
    const sinew_model *m = ins->model;
    size_t rows = ins->rows ? ins->rows : 1;
    int p = 1;
    sn_buf_puts(b, "INSERT INTO ");
    sn_sql_table(b, d, m);
    if (ins->ncols == 0 && rows == 1) {
        sn_buf_puts(b, " DEFAULT VALUES");
    } else {
        sn_buf_puts(b, " (");
        fields(b, d, m, ins->cols, ins->ncols);
        sn_buf_puts(b, ins->keys_drawn && sn_sql_sequence_keys(d) ? ") OVERRIDING SYSTEM VALUE VALUES " : ") VALUES ");
        for (size_t r = 0; r < rows; r++) {
            sn_buf_puts(b, r ? ", (" : "(");
            for (size_t c = 0; c < ins->ncols; c++) {
                if (c) sn_buf_puts(b, ", ");
                sn_sql_param(b, d, p++);
            }
            sn_buf_putc(b, ')');
        }
    }
    if (ins->on_conflict != SN_CONFLICT_NONE && d->upsert_on_duplicate_key) {
        on_duplicate_key(b, d, ins, p);
    } else if (ins->on_conflict != SN_CONFLICT_NONE) {
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

/* the WHERE of a delete by keys, placeholders from p */
static void key_rows(sn_buf *b, const sinew_dialect *d, const sn_delete *del, int p)
{
    const sinew_model *m = del->model;
    if (del->rows > 1 && del->nkeys) {
        /* a row value IN list: SQLite (3.15+), PostgreSQL and MariaDB take it, one tuple per row */
        int tuple = del->nkeys > 1;
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
        return;
    }
    for (size_t i = 0; i < del->nkeys; i++) {
        sn_buf_puts(b, i ? " AND " : " WHERE ");
        sn_sql_ident(b, d, m->fields[del->keys[i]].column);
        sn_buf_puts(b, " = ");
        sn_sql_param(b, d, p++);
    }
}

int sn_sql_delete_stmt(sn_buf *b, const sinew_dialect *d, const sn_delete *del)
{
    sn_buf_puts(b, "DELETE FROM ");
    sn_sql_table(b, d, del->model);
    key_rows(b, d, del, 1);
    return b->failed ? SINEW_NOMEM : SINEW_OK;
}

int sn_sql_soft_delete_stmt(sn_buf *b, const sinew_dialect *d, const sn_delete *del, const unsigned *set, size_t nset)
{
    const sinew_model *m = del->model;
    int soft = sinew_model_soft_delete_field(m);
    if (soft < 0 || nset == 0 || (int)set[0] != soft) return SINEW_INTERNAL;
    sn_buf_puts(b, "UPDATE ");
    sn_sql_table(b, d, m);
    sn_buf_puts(b, " SET ");
    for (size_t i = 0; i < nset; i++) {
        if (i) sn_buf_puts(b, ", ");
        sn_sql_ident(b, d, m->fields[set[i]].column);
        sn_buf_puts(b, " = ");
        sn_sql_param(b, d, (int)i + 1);
    }
    for (size_t i = 0; i < m->nfields; i++)   /* the row changes: its @version moves on (the keys match the old) */
        if (m->fields[i].flags & SINEW_FIELD_VERSION) {
            sn_buf_puts(b, ", ");
            sn_sql_ident(b, d, m->fields[i].column);
            sn_buf_puts(b, " = ");
            sn_sql_ident(b, d, m->fields[i].column);
            sn_buf_puts(b, " + 1");
        }
    key_rows(b, d, del, (int)nset + 1);
    sn_buf_puts(b, " AND ");   /* a row deleted already keeps the time it was deleted */
    sn_sql_ident(b, d, m->fields[soft].column);
    sn_buf_puts(b, " IS NULL");
    return b->failed ? SINEW_NOMEM : SINEW_OK;
}

int sn_sql_copy_in(sn_buf *b, const sinew_dialect *d, const sinew_model *m)
{
    sn_buf_puts(b, "COPY ");
    sn_sql_table(b, d, m);
    sn_buf_puts(b, " (");
    for (size_t i = 0; i < m->nfields; i++) {
        if (i) sn_buf_puts(b, ", ");
        sn_sql_ident(b, d, m->fields[i].column);
    }
    sn_buf_puts(b, ") FROM STDIN");
    return b->failed ? SINEW_NOMEM : SINEW_OK;
}
