/*
 * render_migrations.c - the statements the migration runner keeps its
 * bookkeeping with (the sinew_migrations table) and the lock it takes, from
 * the dialect: placeholders and the lock function differ per backend.
 */
#include <inttypes.h>
#include <string.h>
#include <strings.h>
#include "dialect.h"

#define TABLE "sinew_migrations"

void sn_sql_migrations_table(sn_buf *out, const sinew_dialect *d)
{
    sn_buf_puts(out, "CREATE TABLE IF NOT EXISTS ");
    sn_sql_ident(out, d, TABLE);
    /* the key is text of the dialect's key type where plain TEXT cannot be a key (MariaDB's VARCHAR) */
    sinew_field key;
    memset(&key, 0, sizeof key);
    key.type = SINEW_TEXT;
    key.flags = SINEW_FIELD_PK;
    const char *kt = d->column_type(&key);
    sn_buf_printf(out, " (name %s PRIMARY KEY, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)",
                  kt && strncasecmp(kt, "TEXT", 5) ? kt : "TEXT");
    if (d->table_options) sn_buf_puts(out, d->table_options);
}

void sn_sql_migrations_select(sn_buf *out, const sinew_dialect *d)
{
    sn_buf_puts(out, "SELECT name, checksum, applied_at FROM ");
    sn_sql_ident(out, d, TABLE);
    sn_buf_puts(out, " ORDER BY name");
}

void sn_sql_migrations_insert(sn_buf *out, const sinew_dialect *d)
{
    sn_buf_puts(out, "INSERT INTO ");
    sn_sql_ident(out, d, TABLE);
    sn_buf_puts(out, " (name, checksum, applied_at) VALUES (");
    for (int i = 1; i <= 3; i++) {
        if (i > 1) sn_buf_puts(out, ", ");
        sn_sql_param(out, d, i);
    }
    sn_buf_putc(out, ')');
}

void sn_sql_migrations_delete(sn_buf *out, const sinew_dialect *d)
{
    sn_buf_puts(out, "DELETE FROM ");
    sn_sql_ident(out, d, TABLE);
    sn_buf_puts(out, " WHERE name = ");
    sn_sql_param(out, d, 1);
}

int sn_sql_xact_lock(sn_buf *out, const sinew_dialect *d, int64_t key)
{
    if (!d->xact_lock_function) return 0;
    /* a decimal literal: every SQL dialect reads it as an integer */
    sn_buf_printf(out, "SELECT %s(%" PRId64 ")", d->xact_lock_function, key);
    return 1;
}
