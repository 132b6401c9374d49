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
#define PROGRESS "sinew_migrations_progress"

/* the type of a text primary key column on this dialect */
static const char *key_type(const sinew_dialect *d)
{
    sinew_field f;
    memset(&f, 0, sizeof f);
    f.type = SINEW_TEXT;
    f.flags = SINEW_FIELD_PK;
    const char *kt = d->column_type(&f);
    return kt && strncasecmp(kt, "TEXT", 5) ? kt : "TEXT";
}

void sn_sql_migrations_table(sn_buf *out, const sinew_dialect *d)
{
    sn_buf_puts(out, "CREATE TABLE IF NOT EXISTS ");
    sn_sql_ident(out, d, TABLE);
    /* the key is text of the dialect's key type where plain TEXT cannot be a key (MariaDB's VARCHAR) */
    sn_buf_printf(out, " (name %s PRIMARY KEY, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)", key_type(d));
    if (d->table_options) sn_buf_puts(out, d->table_options);
}

/*
 * Where DDL is not transactional, a migration is recorded step by step: the row of the migration
 * being applied or rolled back (direction 'up' / 'down'), how many of its statements are done and
 * the checksum of those statements' text, and, while a DDL statement runs, the schema fingerprint
 * read just before it (pending_fp; NULL between statements).
 */
void sn_sql_migrations_progress_table(sn_buf *out, const sinew_dialect *d)
{
    sn_buf_puts(out, "CREATE TABLE IF NOT EXISTS ");
    sn_sql_ident(out, d, PROGRESS);
    sn_buf_printf(out, " (name %s PRIMARY KEY, direction TEXT NOT NULL, done INTEGER NOT NULL, "
                       "done_checksum TEXT NOT NULL, pending_fp TEXT)", key_type(d));
    if (d->table_options) sn_buf_puts(out, d->table_options);
}

void sn_sql_migrations_progress_select(sn_buf *out, const sinew_dialect *d)
{
    sn_buf_puts(out, "SELECT name, direction, done, done_checksum, pending_fp FROM ");
    sn_sql_ident(out, d, PROGRESS);
}

/* (name, direction, done, done_checksum, pending_fp) */
void sn_sql_migrations_progress_insert(sn_buf *out, const sinew_dialect *d)
{
    sn_buf_puts(out, "INSERT INTO ");
    sn_sql_ident(out, d, PROGRESS);
    sn_buf_puts(out, " (name, direction, done, done_checksum, pending_fp) VALUES (");
    for (int i = 1; i <= 5; i++) {
        if (i > 1) sn_buf_puts(out, ", ");
        sn_sql_param(out, d, i);
    }
    sn_buf_putc(out, ')');
}

/* SET done = $1, done_checksum = $2, pending_fp = $3 WHERE name = $4 */
void sn_sql_migrations_progress_update(sn_buf *out, const sinew_dialect *d)
{
    sn_buf_puts(out, "UPDATE ");
    sn_sql_ident(out, d, PROGRESS);
    sn_buf_puts(out, " SET done = ");
    sn_sql_param(out, d, 1);
    sn_buf_puts(out, ", done_checksum = ");
    sn_sql_param(out, d, 2);
    sn_buf_puts(out, ", pending_fp = ");
    sn_sql_param(out, d, 3);
    sn_buf_puts(out, " WHERE name = ");
    sn_sql_param(out, d, 4);
}

void sn_sql_migrations_progress_delete(sn_buf *out, const sinew_dialect *d)
{
    sn_buf_puts(out, "DELETE FROM ");
    sn_sql_ident(out, d, PROGRESS);
    sn_buf_puts(out, " WHERE name = ");
    sn_sql_param(out, d, 1);
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

/*
 * A migration's timeouts (the dialect's lock_timeout_setting / statement_timeout_setting): SET LOCAL
 * for its transaction, or a session SET around a no-transaction step, which the runner restores to
 * the value it read before (sn_sql_show_setting). The value is a literal, quotes doubled.
 */
void sn_sql_set_setting(sn_buf *out, const sinew_dialect *d, const char *name, int local, const char *value)
{
    (void)d;
    sn_buf_printf(out, "SET %s%s = '", local ? "LOCAL " : "", name);
    for (const char *p = value; *p; p++) {
        if (*p == '\'') sn_buf_putc(out, '\'');
        sn_buf_putc(out, *p);
    }
    sn_buf_putc(out, '\'');
}

void sn_sql_show_setting(sn_buf *out, const sinew_dialect *d, const char *name)
{
    (void)d;
    sn_buf_printf(out, "SELECT current_setting('%s')", name);
}

/* What an interrupted CREATE INDEX CONCURRENTLY left (an INVALID index), dropped without blocking writes. */
void sn_sql_drop_index_concurrently(sn_buf *out, const sinew_dialect *d, const char *name)
{
    sn_buf_puts(out, "DROP INDEX CONCURRENTLY IF EXISTS ");
    sn_sql_ident(out, d, name);
}
