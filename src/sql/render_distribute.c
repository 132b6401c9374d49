/*
 * render_distribute.c - the calls that distribute a table on a Citus
 * coordinator (create_distributed_table, create_reference_table,
 * alter_distributed_table, undistribute_table), for `@@distribute` and
 * `@@reference`. Each is wrapped in a DO block that runs it only where the
 * dialect's distribution extension is installed: the same migration file or
 * sinew_create_tables() leaves a plain PostgreSQL's tables as they are, so a
 * developer's server and the cluster share one schema and one set of files.
 */
#include <string.h>
#include "dialect.h"

static sinew_distribution kind(const sinew_model *m)
{
    if (!m || m->distribution == SINEW_DIST_UNSAID) return SINEW_DIST_LOCAL;
    return m->distribution;
}

static const char *dist_column(const sinew_model *m)
{
    return m->dist_field < m->nfields ? m->fields[m->dist_field].column : "";
}

int sn_sql_same_distribution(const sinew_model *a, const sinew_model *b)
{
    sinew_distribution x = kind(a), y = kind(b);
    if (x != y) return 0;
    return x != SINEW_DIST_HASH || !strcmp(dist_column(a), dist_column(b));
}

/*
 * A string literal inside the DO block's $$ body: quotes doubled, and each '$' spelled
 * chr(36), so no name can end the body early.
 */
static void body_literal(sn_buf *o, const char *s)
{
    sn_buf_putc(o, '\'');
    for (; *s; s++) {
        if (*s == '\'') sn_buf_puts(o, "''");
        else if (*s == '$') sn_buf_puts(o, "' || chr(36) || '");
        else sn_buf_putc(o, *s);
    }
    sn_buf_putc(o, '\'');
}

/* the table as a regclass literal: its quoted name, so case and odd characters survive */
static void table_literal(sn_buf *o, const sinew_dialect *d, const sinew_model *m)
{
    sn_buf t;
    sn_buf_init(&t);
    sn_sql_table(&t, d, m);
    if (t.failed) o->failed = 1;
    else body_literal(o, sn_buf_cstr(&t));
    sn_buf_free(&t);
}

static void call(sn_buf *o, const sinew_dialect *d, const char *indent, const char *fn, const sinew_model *m,
                 int with_column)
{
    sn_buf_printf(o, "%sPERFORM %s(", indent, fn);
    table_literal(o, d, m);
    if (with_column) {
        sn_buf_puts(o, !strcmp(fn, "alter_distributed_table") ? ", distribution_column => " : ", ");
        body_literal(o, dist_column(m));
    }
    if (with_column && m->colocate_with && !strcmp(fn, "create_distributed_table")) {
        sn_buf_puts(o, ", colocate_with => ");
        table_literal(o, d, m->colocate_with);
    }
    sn_buf_puts(o, ");\n");
}

int sn_sql_distribute(sn_buf *o, const sinew_dialect *d, const sinew_model *from, const sinew_model *to)
{
    if (!d->distribution_extension || !to) return 0;
    sinew_distribution a = kind(from), b = kind(to);
    if (sn_sql_same_distribution(from, to)) return 0;
    sn_buf_puts(o, "DO $$ BEGIN\n  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = ");
    body_literal(o, d->distribution_extension);
    sn_buf_puts(o, ") THEN\n");
    /* one connection per worker for the rest of the transaction: a migration that adds foreign
       keys after distributing tables (or makes one a reference table) cannot follow shards
       created over several connections ("there was a parallel operation on a distributed table") */
    sn_buf_puts(o, "    PERFORM set_config('citus.multi_shard_modify_mode', 'sequential', true);\n");
    if (!from) {
        /* a table just created: distributed already only when CREATE TABLE IF NOT EXISTS found it
           (sinew_create_tables run again) or its schema is distributed (schema-based sharding) */
        sn_buf_puts(o, "    IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = ");
        table_literal(o, d, to);
        sn_buf_puts(o, "::regclass) THEN\n");
        call(o, d, "      ", b == SINEW_DIST_HASH ? "create_distributed_table" : "create_reference_table", to,
             b == SINEW_DIST_HASH);
        /* distributed already, but otherwise: say so rather than leave the schema untrue */
        sn_buf_puts(o, "    ELSIF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = ");
        table_literal(o, d, to);
        if (b == SINEW_DIST_HASH) {
            sn_buf_puts(o, "::regclass AND partmethod = 'h' AND column_to_column_name(logicalrelid, partkey) = ");
            body_literal(o, dist_column(to));
        } else {
            sn_buf_puts(o, "::regclass AND partmethod = 'n' AND repmodel = 't'");
        }
        sn_buf_puts(o, ") THEN\n      RAISE EXCEPTION USING MESSAGE = ");
        sn_buf b2;
        sn_buf_init(&b2);
        sn_buf_printf(&b2, "table %s is distributed already, otherwise than %s says (a table of a distributed "
                      "schema, schema-based sharding, is distributed with its schema): create it in a schema "
                      "that is not distributed, or leave the attribute out", to->table,
                      b == SINEW_DIST_HASH ? "@@distribute" : "@@reference");
        if (b2.failed) o->failed = 1;
        else body_literal(o, sn_buf_cstr(&b2));
        sn_buf_free(&b2);
        sn_buf_puts(o, ";\n    END IF;\n");
    } else if (a == SINEW_DIST_HASH && b == SINEW_DIST_HASH) {
        call(o, d, "    ", "alter_distributed_table", to, 1);
    } else {
        if (a != SINEW_DIST_LOCAL) call(o, d, "    ", "undistribute_table", to, 0);
        if (b == SINEW_DIST_HASH) call(o, d, "    ", "create_distributed_table", to, 1);
        else if (b == SINEW_DIST_REFERENCE) call(o, d, "    ", "create_reference_table", to, 0);
    }
    sn_buf_puts(o, "  END IF;\nEND $$;\n");
    return 1;
}
