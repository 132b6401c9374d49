/*
 * plan.c - renders a diff as SQL for one dialect.
 *
 * A dialect that can ALTER everything (alter_in_place: PostgreSQL) gets
 * one or two statements per operation. Otherwise (SQLite) ALTER TABLE only
 * renames tables and columns and adds plain columns; any other change to a table is done by the copy-and-swap
 * rebuild from SQLite's documentation: create the new shape under a
 * temporary name, copy every row (through renamed columns), drop the old
 * table, rename the new one into place and recreate its indexes. The
 * runner turns foreign-key enforcement off around the migration and runs
 * the dialect's foreign-key check inside its transaction before committing.
 */
#include <stdio.h>
#include <string.h>
#include "migrate/diff.h"
#include "sn_limits.h"

static void ident(sn_buf *o, const sinew_dialect *dl, const char *s) { sn_sql_ident(o, dl, s); }

static void cols(sn_buf *o, const sinew_dialect *dl, const char *const *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i) sn_buf_puts(o, ", ");
        ident(o, dl, c[i]);
    }
}

/* One "--" line per step; sn_sql_comment keeps any name in it from ending the line. */
static void comment(sn_buf *o, const sn_op *op)
{
    const char *what = op->what ? op->what : "";
    if (!op->destructive) {
        sn_sql_comment(o, what);
        return;
    }
    sn_buf t;
    sn_buf_init(&t);
    sn_buf_printf(&t, "sinew: destructive: %s", what);
    if (t.failed) o->failed = 1;
    else sn_sql_comment(o, sn_buf_cstr(&t));
    sn_buf_free(&t);
}

/* CREATE TABLE + its indexes, the way sinew_create_table() makes them. */
static void create_table(sn_buf *o, const sinew_dialect *dl, const sinew_model *m, int without_fks)
{
    sn_sql_create_table_fks(o, dl, m, 0, !without_fks);
    sn_buf_puts(o, ";\n");
    sn_sql_create_indexes(o, dl, m, 0);
}

/*
 * The name of an index or unique key in the database: a column's UNIQUE is
 * named by the database itself when CREATE TABLE makes it, so a migration
 * adds and drops it under that name (<table>_<column>_key by PostgreSQL's
 * rule, the column's own name on MariaDB); every other name is sinew's, fitted to the identifier limit as
 * CREATE TABLE / CREATE INDEX write it.
 */
static void ix_ident(sn_buf *o, const sinew_dialect *dl, const char *table, const sn_ixdef *ix)
{
    if (ix->field_level && ix->unique && dl->unique_named_by_column && ix->ncols == 1) ident(o, dl, ix->cols[0]);
    else if (ix->field_level && ix->unique) sn_sql_default_ident(o, dl, table, ix->cols, ix->ncols, "key");
    else sn_sql_fit_ident(o, dl, ix->name);
}

/*
 * concurrently: the table exists and holds rows, and the dialect builds an index without blocking
 * writes (create_index_concurrently): CREATE INDEX CONCURRENTLY, a step that cannot run in a
 * transaction, marked so for the runner (online.h). A unique constraint stays an ALTER TABLE.
 */
static void add_index(sn_buf *o, const sinew_dialect *dl, const sinew_model *m, const sn_ixdef *ix, int concurrently)
{
    const char *table = m->table;
    if (ix->unique && dl->unique_constraints && !ix->where) {
        sn_buf_puts(o, "ALTER TABLE ");
        sn_sql_table(o, dl, m);
        sn_buf_puts(o, " ADD CONSTRAINT ");
        ix_ident(o, dl, table, ix);
        sn_buf_puts(o, " UNIQUE (");
    } else {
        if (concurrently && dl->create_index_concurrently) sn_buf_puts(o, "-- sinew: no-transaction\n");
        sn_buf_puts(o, ix->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
        if (concurrently && dl->create_index_concurrently) sn_buf_puts(o, "CONCURRENTLY ");
        ix_ident(o, dl, table, ix);
        sn_buf_puts(o, " ON ");
        sn_sql_table(o, dl, m);
        sn_buf_puts(o, " (");
    }
    if (ix->unique) {
        cols(o, dl, ix->cols, ix->ncols);
    } else {   /* with the key-part length CREATE TABLE's indexes have (MariaDB's LONGTEXT: (255)) */
        for (size_t i = 0; i < ix->ncols; i++) {
            if (i) sn_buf_puts(o, ", ");
            int f = sinew_model_column_index(m, ix->cols[i]);
            if (f >= 0) sn_sql_index_column(o, dl, &m->fields[f]);
            else ident(o, dl, ix->cols[i]);
        }
    }
    sn_buf_putc(o, ')');
    if (ix->where && !dl->no_partial_indexes) sn_buf_printf(o, " WHERE %s", ix->where);   /* the schema's SQL; none on MariaDB */
    sn_buf_puts(o, ";\n");
}

/* the database's own name for a foreign key: <table>_<columns>_fkey */
static void pg_fk_name(sn_buf *o, const sinew_dialect *dl, const sinew_model *m, const sinew_relation *r)
{
    if (r->fk_name) {   /* the schema's own name for it */
        ident(o, dl, r->fk_name);
        return;
    }
    const char *cols[SN_MAX_KEY];
    size_t n = 0;
    for (size_t i = 0; i < r->nkeys && n < SN_MAX_KEY; i++) cols[n++] = m->fields[r->local[i]].column;
    sn_sql_default_ident(o, dl, m->table, cols, n, "fkey");
}

static void alter_table(sn_buf *o, const sinew_dialect *dl, const sinew_model *m)
{
    sn_buf_puts(o, "ALTER TABLE ");
    sn_sql_table(o, dl, m);
    sn_buf_putc(o, ' ');
}

/* MariaDB: the column's whole new definition (its unique key is left as it is: the plan adds and
   drops unique keys as operations of their own) */
static void modify_column(sn_buf *o, const sinew_dialect *dl, const sinew_model *m, size_t i)
{
    sinew_field *fields = sn_malloc(m->nfields * sizeof *fields);
    if (!fields) { o->failed = 1; return; }
    memcpy(fields, m->fields, m->nfields * sizeof *fields);
    fields[i].flags &= ~(unsigned)SINEW_FIELD_UNIQUE;
    sinew_model copy = *m;
    copy.fields = fields;
    alter_table(o, dl, m);
    sn_buf_puts(o, "MODIFY COLUMN ");
    if ((int)i == sinew_model_auto_pk(m)) {
        /* the numbered key (an int32 key made int64): its type and AUTO_INCREMENT, not its PRIMARY KEY,
           which the table has already (MariaDB: "Multiple primary key defined") */
        const char *ty = dl->auto_pk_type(&m->fields[i]);
        const char *pk = strstr(ty, " PRIMARY KEY");
        sn_sql_ident(o, dl, m->fields[i].column);
        sn_buf_printf(o, " %.*s%s", pk ? (int)(pk - ty) : (int)strlen(ty), ty, pk ? pk + strlen(" PRIMARY KEY") : "");
    } else {
        sn_sql_column_def(o, dl, &copy, i);
    }
    sn_buf_puts(o, ";\n");
    sn_free(fields);
}

/* 1 when the first columns of cols are the foreign key's, in its order: an index InnoDB can use for it */
static int leads(const char *const *cols, size_t ncols, const sinew_model *m, const sinew_relation *r)
{
    if (ncols < r->nkeys || !r->nkeys) return 0;
    for (size_t k = 0; k < r->nkeys; k++)
        if (strcmp(cols[k], m->fields[r->local[k]].column) != 0) return 0;
    return 1;
}

/* 1 when the diff drops index `name` of table fm (or the foreign key r of fm) */
static int dropped(const sn_diff *d, const sinew_model *fm, const char *name, const sinew_relation *r)
{
    for (size_t i = 0; i < d->nops; i++) {
        const sn_op *op = &d->ops[i];
        if (op->from_m != fm) continue;
        if (r && op->kind == SN_OP_DROP_FK && op->rel == r) return 1;
        if (name && (op->kind == SN_OP_DROP_INDEX || op->kind == SN_OP_DROP_UNIQUE) && op->ix.name &&
            strcmp(op->ix.name, name) == 0)
            return 1;
    }
    return 0;
}

/*
 * Where a foreign key needs an index (fk_needs_index: InnoDB refuses to drop the last one a key
 * uses, errno 1553): the foreign key of the table that the index op drops is the last index for,
 * which the plan drops before the index and adds again after it (InnoDB then makes an index of its
 * own for it), or NULL. An index the migration keeps, or the primary key, serving the key already
 * lets the index go by itself. The key is the one of the table as it was: the index is dropped
 * before any rename, and a key the diff drops is gone by then.
 */
static const sinew_relation *fk_losing_index(const sn_diff *d, const sinew_dialect *dl, const sn_op *op)
{
    const sinew_model *fm = op->from_m;
    if (!dl->fk_needs_index || !d || !fm) return NULL;
    const sinew_relation *found = NULL;
    sn_arena a;
    sn_arena_init(&a, 1024);
    sn_ixdef *defs = NULL;
    size_t ndefs = sn_model_ixdefs(&a, fm, &defs);
    const char *pk[SN_MAX_KEY];
    size_t npk = 0;
    for (size_t k = 0; k < fm->npk && npk < SN_MAX_KEY; k++) pk[npk++] = fm->fields[fm->pk[k]].column;
    for (size_t r = 0; r < fm->nrelations && !found; r++) {
        const sinew_relation *rel = &fm->relations[r];
        if (rel->kind != SINEW_BELONGS_TO || !leads(op->ix.cols, op->ix.ncols, fm, rel) || dropped(d, fm, NULL, rel))
            continue;
        int served = leads(pk, npk, fm, rel);
        for (size_t x = 0; x < ndefs && defs && !served; x++)
            served = defs[x].name && !dropped(d, fm, defs[x].name, NULL) &&
                     leads(defs[x].cols, defs[x].ncols, fm, rel);
        if (!served) found = rel;
    }
    sn_arena_free(&a);
    return found;
}

static void pg_fk_name(sn_buf *o, const sinew_dialect *dl, const sinew_model *m, const sinew_relation *r);

static void drop_fk(sn_buf *o, const sinew_dialect *dl, const sinew_model *fm, const sinew_relation *r)
{
    alter_table(o, dl, fm);
    sn_buf_puts(o, dl->alter_column_modify ? "DROP FOREIGN KEY " : "DROP CONSTRAINT ");
    pg_fk_name(o, dl, fm, r);
    sn_buf_puts(o, ";\n");
}

static void add_fk(sn_buf *o, const sinew_dialect *dl, const sinew_model *m, const sinew_relation *r)
{
    alter_table(o, dl, m);
    sn_buf_puts(o, "ADD ");
    sn_sql_fk_clause(o, dl, m, r);
    sn_buf_puts(o, ";\n");
}

/*
 * A `follows` step (diff.c, follow_key_types) runs where the dialect needs it: the foreign keys
 * over a column whose type changes are dropped and added again where a key's column must have the
 * referenced column's type (fk_same_type), and a referencing column changes where its written type
 * (the key's, sn_sql_type_field) is another after the change than before.
 */
int sn_plan_applies(const sinew_dialect *dl, const sn_op *op)
{
    if (!op->follows) return 1;
    if (op->kind != SN_OP_ALTER_COLUMN) return dl->fk_same_type;
    const char *was = sn_sql_column_type(dl, sn_sql_type_field(dl, op->from_m, (size_t)op->from_f));
    const char *is = sn_sql_column_type(dl, sn_sql_type_field(dl, op->to_m, (size_t)op->to_f));
    return strcmp(was, is) != 0;
}

/* ---- PostgreSQL: one operation at a time --------------------------------------- */

static void pg_op(sn_buf *o, const sinew_dialect *dl, const sn_diff *d, const sn_op *op)
{
    const sinew_model *fm = op->from_m, *tm = op->to_m;
    /* nothing to spread; a new table's keys are inline then */
    if ((op->kind == SN_OP_DISTRIBUTE || (op->kind == SN_OP_ADD_FK && op->deferred)) && !dl->distribution_extension)
        return;
    if (!sn_plan_applies(dl, op)) return;
    comment(o, op);
    switch (op->kind) {
    case SN_OP_DISTRIBUTE:
        sn_sql_distribute(o, dl, fm, tm);
        break;
    case SN_OP_CREATE_TABLE:
        create_table(o, dl, tm, (op->deferred && dl->distribution_extension) || (op->fks_after && dl->fk_same_type));
        break;
    case SN_OP_DROP_TABLE:
        sn_buf_puts(o, "DROP TABLE ");
        sn_sql_table(o, dl, fm);
        sn_buf_puts(o, ";\n");
        break;
    case SN_OP_RENAME_TABLE:
        alter_table(o, dl, fm);
        sn_buf_puts(o, "RENAME TO ");
        /* PostgreSQL renames within the table's schema and refuses a qualified name; MariaDB (whose
         * index names are per table) would move an unqualified one to the connection's database */
        if (dl->drop_index_on_table) sn_sql_table(o, dl, tm);
        else ident(o, dl, tm->table);
        sn_buf_puts(o, ";\n");
        break;
    case SN_OP_RENAME_COLUMN:
        alter_table(o, dl, tm);
        sn_buf_puts(o, "RENAME COLUMN ");
        ident(o, dl, fm->fields[op->from_f].column);
        sn_buf_puts(o, " TO ");
        ident(o, dl, tm->fields[op->to_f].column);
        sn_buf_puts(o, ";\n");
        break;
    case SN_OP_ADD_COLUMN:
        alter_table(o, dl, tm);
        sn_buf_puts(o, "ADD COLUMN ");
        sn_sql_column_def(o, dl, tm, (size_t)op->to_f);
        sn_buf_puts(o, ";\n");
        break;
    case SN_OP_DROP_COLUMN:
        alter_table(o, dl, tm);
        sn_buf_puts(o, "DROP COLUMN ");
        ident(o, dl, fm->fields[op->from_f].column);
        sn_buf_puts(o, ";\n");
        break;
    case SN_OP_ALTER_COLUMN: {
        const sinew_field *f = &tm->fields[op->to_f];
        if (dl->alter_column_modify) {
            modify_column(o, dl, tm, (size_t)op->to_f);
            break;
        }
        if (op->alter & SN_ALTER_DEFAULT) {      /* an old default may not cast to the new type */
            alter_table(o, dl, tm);
            sn_buf_puts(o, "ALTER COLUMN ");
            ident(o, dl, f->column);
            sn_buf_puts(o, " DROP DEFAULT;\n");
        }
        if (op->alter & (SN_ALTER_TYPE | SN_ALTER_KEY_TYPE)) {
            const char *ty = sn_sql_column_type(dl, sn_sql_type_field(dl, tm, (size_t)op->to_f));
            alter_table(o, dl, tm);
            sn_buf_puts(o, "ALTER COLUMN ");
            ident(o, dl, f->column);
            sn_buf_printf(o, " TYPE %s USING ", ty);
            ident(o, dl, f->column);
            sn_buf_printf(o, "::%s;\n", ty);
        }
        if (op->alter & SN_ALTER_NULL) {
            alter_table(o, dl, tm);
            sn_buf_puts(o, "ALTER COLUMN ");
            ident(o, dl, f->column);
            sn_buf_puts(o, (f->flags & SINEW_FIELD_NULLABLE) ? " DROP NOT NULL;\n" : " SET NOT NULL;\n");
        }
        if ((op->alter & SN_ALTER_DEFAULT) && f->def.kind != SINEW_DEFAULT_NONE) {
            alter_table(o, dl, tm);
            sn_buf_puts(o, "ALTER COLUMN ");
            ident(o, dl, f->column);
            sn_buf_puts(o, " SET DEFAULT ");
            sn_sql_default(o, dl, f);
            sn_buf_puts(o, ";\n");
        }
        break;
    }
    case SN_OP_ALTER_PK:
        alter_table(o, dl, tm);
        if (dl->alter_column_modify) {
            sn_buf_puts(o, "DROP PRIMARY KEY;\n");
            /* MariaDB: a key's text column is VARCHAR(255), any other LONGTEXT (which InnoDB cannot
               make a key of), so a column that joins or leaves the key changes type first */
            for (size_t i = 0; i < tm->nfields; i++) {
                int j = sinew_model_column_index(fm, tm->fields[i].column);
                if (j >= 0 && strcmp(sn_sql_column_type(dl, &fm->fields[j]), sn_sql_column_type(dl, &tm->fields[i])))
                    modify_column(o, dl, tm, i);
            }
        } else {
            sn_buf_puts(o, "DROP CONSTRAINT ");
            if (fm->pk_name) ident(o, dl, fm->pk_name);
            else sn_sql_default_ident(o, dl, fm->table, NULL, 0, "pkey");   /* the database's name for it */
            sn_buf_puts(o, ";\n");
        }
        if (tm->npk) {
            alter_table(o, dl, tm);
            sn_buf_puts(o, "ADD ");
            if (tm->pk_name && !dl->primary_key_unnamed) {
                sn_buf_puts(o, "CONSTRAINT ");
                ident(o, dl, tm->pk_name);
                sn_buf_putc(o, ' ');
            }
            sn_buf_puts(o, "PRIMARY KEY (");
            for (size_t i = 0; i < tm->npk; i++) {
                if (i) sn_buf_puts(o, ", ");
                ident(o, dl, tm->fields[tm->pk[i]].column);
            }
            sn_buf_puts(o, ");\n");
        }
        break;
    case SN_OP_ADD_INDEX:
    case SN_OP_ADD_UNIQUE:
        add_index(o, dl, tm, &op->ix, 1);    /* an index on a table that exists already */
        break;
    case SN_OP_DROP_INDEX:
    case SN_OP_DROP_UNIQUE: {
        /* MariaDB: the last index of a foreign key goes only with the key out of the way */
        const sinew_relation *fk = fk_losing_index(d, dl, op);
        const sinew_model *im = fm ? fm : tm;
        if (fk) {
            sn_sql_comment(o, "the foreign key this index serves is dropped first and added again after it");
            drop_fk(o, dl, im, fk);
        }
        if (op->kind == SN_OP_DROP_INDEX) {
            /* without blocking writes either, where the dialect can (and then outside a transaction) */
            sn_buf_puts(o, dl->create_index_concurrently ? "-- sinew: no-transaction\nDROP INDEX CONCURRENTLY "
                                                         : "DROP INDEX ");
            /* PostgreSQL: an index lives in its table's schema, and is found there by name only */
            if (im->db_schema && !dl->drop_index_on_table) {
                ident(o, dl, im->db_schema);
                sn_buf_putc(o, '.');
            }
            ix_ident(o, dl, im->table, &op->ix);
            if (dl->drop_index_on_table) {   /* MariaDB: index names are per table */
                sn_buf_puts(o, " ON ");
                sn_sql_table(o, dl, im);
            }
            sn_buf_puts(o, ";\n");
        } else {
            alter_table(o, dl, fm);
            sn_buf_puts(o, dl->alter_column_modify ? "DROP INDEX " : "DROP CONSTRAINT ");
            ix_ident(o, dl, fm->table, &op->ix);
            sn_buf_puts(o, ";\n");
        }
        if (fk) add_fk(o, dl, im, fk);
        break;
    }
    case SN_OP_ADD_FK:
        add_fk(o, dl, tm, op->rel);
        break;
    case SN_OP_ADD_CHECK:
        alter_table(o, dl, tm);
        sn_buf_puts(o, "ADD CONSTRAINT ");
        sn_sql_ident(o, dl, op->poly->check_name);
        sn_buf_putc(o, ' ');
        sn_sql_poly_check(o, dl, tm, op->poly);
        sn_buf_puts(o, ";\n");
        break;
    case SN_OP_DROP_CHECK:
        alter_table(o, dl, fm);
        sn_buf_puts(o, "DROP CONSTRAINT ");
        sn_sql_ident(o, dl, op->poly->check_name);
        sn_buf_puts(o, ";\n");
        break;
    case SN_OP_DROP_FK:
        drop_fk(o, dl, fm, op->rel);
        if (dl->alter_column_modify) {
            /* MariaDB: the index InnoDB made for the key (under the key's name, where the table had
               none of its own) outlives the key; it is no index of the schema's */
            alter_table(o, dl, fm);
            sn_buf_puts(o, "DROP INDEX IF EXISTS ");
            pg_fk_name(o, dl, fm, op->rel);
            sn_buf_puts(o, ";\n");
        }
        break;
    }
}

/* ---- SQLite: ALTER where it can, rebuild where it cannot ---------------------------- */

/* SQLite's ALTER TABLE can make this change in place. */
static int sqlite_simple(const sn_op *op)
{
    switch (op->kind) {
    case SN_OP_RENAME_TABLE: case SN_OP_RENAME_COLUMN: case SN_OP_ADD_INDEX: case SN_OP_DROP_INDEX:
    case SN_OP_CREATE_TABLE: case SN_OP_DROP_TABLE:
    case SN_OP_DISTRIBUTE:      /* nothing on SQLite (no distribution_extension) */
        return 1;
    case SN_OP_ADD_COLUMN: {
        const sinew_field *f = &op->to_m->fields[op->to_f];
        if (f->flags & (SINEW_FIELD_PK | SINEW_FIELD_UNIQUE | SINEW_FIELD_FK)) return 0;
        if ((f->flags & SINEW_FIELD_GENERATED) && !(f->flags & SINEW_FIELD_VIRTUAL)) return 0;   /* ADD COLUMN cannot */
        if (f->flags & SINEW_FIELD_GENERATED) return 1;
        if (f->def.kind == SINEW_DEFAULT_NOW || f->def.kind == SINEW_DEFAULT_UUID) return 0;
        return (f->flags & SINEW_FIELD_NULLABLE) || f->def.kind == SINEW_DEFAULT_VALUE;
    }
    default:
        return 0;
    }
}

/* The rows of tm that come from fm: for each field of tm, its column in fm, or -1 (a new column). */
static int source_column(const sn_diff *d, const sinew_model *fm, const sinew_model *tm, size_t i)
{
    int j = sinew_model_column_index(fm, tm->fields[i].column);
    if (j < 0) for (size_t k = 0; k < d->nops; k++) {
        const sn_op *op = &d->ops[k];
        if (op->kind == SN_OP_RENAME_COLUMN && op->to_m == tm && op->to_f == (int)i) j = op->from_f;
    }
    return j;
}

/*
 * AUTOINCREMENT promises never to hand out an id twice; its high-water
 * mark lives in sqlite_sequence under the table's name. Copying the rows
 * sets the new table's mark to max(id) only, and dropping the old table
 * drops its mark, so an id used and deleted before the rebuild would come
 * back. Carry the larger of the two marks over to the new table.
 */
static void keep_sequence(sn_buf *o, const sinew_model *fm, const sinew_model *tm, const char *tmp)
{
    sn_buf_puts(o, "DELETE FROM sqlite_sequence WHERE name = ");
    sn_sql_string_literal(o, tmp);
    sn_buf_puts(o, ";\nINSERT INTO sqlite_sequence (name, seq) SELECT ");
    sn_sql_string_literal(o, tmp);
    sn_buf_puts(o, ", max(seq) FROM (SELECT seq FROM sqlite_sequence WHERE name = ");
    sn_sql_string_literal(o, fm->table);
    sn_buf_puts(o, " UNION ALL SELECT max(");
    ident(o, &sn_dialect_sqlite, tm->fields[sinew_model_auto_pk(tm)].column);
    sn_buf_puts(o, ") FROM ");
    ident(o, &sn_dialect_sqlite, tmp);
    sn_buf_puts(o, ") HAVING max(seq) IS NOT NULL;\n");
}

static void rebuild(sn_buf *o, const sinew_dialect *dl, const sn_diff *d, const sinew_model *fm,
                    const sinew_model *tm)
{
    sn_buf tb;
    sn_buf_init(&tb);
    sn_buf_printf(&tb, "_sinew_new_%s", tm->table);
    if (tb.failed) { o->failed = 1; sn_buf_free(&tb); return; }
    const char *tmp = sn_buf_cstr(&tb);
    sn_buf c;
    sn_buf_init(&c);
    sn_buf_puts(&c, "rebuild ");
    sn_sql_escape_text(&c, tm->table);
    sn_buf_puts(&c, " (copy and swap; SQLite's ALTER TABLE cannot make these changes):");
    if (c.failed) o->failed = 1;
    else sn_sql_comment(o, sn_buf_cstr(&c));
    sn_buf_free(&c);
    for (size_t i = 0; i < d->nops; i++)
        if (d->ops[i].to_m == tm && d->ops[i].from_m == fm && sn_plan_applies(dl, &d->ops[i])) comment(o, &d->ops[i]);
    sinew_model shadow = *tm;
    shadow.table = tmp;
    sn_sql_create_table(o, dl, &shadow, 0);
    sn_buf_puts(o, ";\n");
    /* copy the rows: every kept column under its new name */
    sn_buf_puts(o, "INSERT INTO ");
    ident(o, dl, tmp);
    sn_buf_puts(o, " (");
    int first = 1;
    for (size_t i = 0; i < tm->nfields; i++) {
        if (source_column(d, fm, tm, i) < 0) continue;
        if (!first) sn_buf_puts(o, ", ");
        ident(o, dl, tm->fields[i].column);
        first = 0;
    }
    sn_buf_puts(o, ")\n  SELECT ");
    first = 1;
    for (size_t i = 0; i < tm->nfields; i++) {
        int j = source_column(d, fm, tm, i);
        if (j < 0) continue;
        if (!first) sn_buf_puts(o, ", ");
        ident(o, dl, fm->fields[j].column);
        first = 0;
    }
    sn_buf_puts(o, " FROM ");
    ident(o, dl, fm->table);
    sn_buf_puts(o, ";\n");
    if (sinew_model_auto_pk(tm) >= 0) keep_sequence(o, fm, tm, tmp);
    sn_buf_puts(o, "DROP TABLE ");
    ident(o, dl, fm->table);
    sn_buf_puts(o, ";\nALTER TABLE ");
    ident(o, dl, tmp);
    sn_buf_puts(o, " RENAME TO ");
    ident(o, dl, tm->table);
    sn_buf_puts(o, ";\n");
    sn_sql_create_indexes(o, dl, tm, 0);
    sn_buf_free(&tb);
}

static void sqlite_op(sn_buf *o, const sinew_dialect *dl, const sn_diff *d, const sn_op *op)
{
    const sinew_model *fm = op->from_m, *tm = op->to_m;
    switch (op->kind) {
    case SN_OP_ADD_COLUMN:
        comment(o, op);
        alter_table(o, dl, tm);
        sn_buf_puts(o, "ADD COLUMN ");
        sn_sql_column_def(o, dl, tm, (size_t)op->to_f);
        sn_buf_puts(o, ";\n");
        break;
    case SN_OP_DROP_INDEX:
        comment(o, op);
        sn_buf_puts(o, "DROP INDEX ");
        ix_ident(o, dl, fm->table, &op->ix);
        sn_buf_puts(o, ";\n");
        break;
    case SN_OP_ADD_INDEX:
        comment(o, op);
        add_index(o, dl, tm, &op->ix, 0);
        break;
    case SN_OP_RENAME_TABLE: case SN_OP_RENAME_COLUMN: case SN_OP_CREATE_TABLE: case SN_OP_DROP_TABLE:
        pg_op(o, dl, d, op);      /* the same SQL on both */
        break;
    default:
        (void)fm;
        break;
    }
}

/*
 * Tables in named schemas (@@schema): refused where the dialect has none; elsewhere each schema a
 * new table goes into is made first (IF NOT EXISTS: it may be there already, or hold other tables).
 */
static int schemas(const sn_diff *d, const sinew_dialect *dl, sn_buf *out)
{
    for (size_t i = 0; i < d->nops; i++) {
        const sn_op *op = &d->ops[i];
        int rc = op->to_m ? sn_sql_schema_refused(dl, op->to_m) : SINEW_OK;
        if (!rc && op->from_m) rc = sn_sql_schema_refused(dl, op->from_m);
        if (rc) return rc;
        if (op->kind != SN_OP_CREATE_TABLE || !op->to_m->db_schema) continue;
        int seen = 0;
        for (size_t k = 0; k < i && !seen; k++)
            seen = d->ops[k].kind == SN_OP_CREATE_TABLE && d->ops[k].to_m->db_schema &&
                   !strcmp(d->ops[k].to_m->db_schema, op->to_m->db_schema);
        if (seen) continue;
        sn_sql_create_schema(out, dl, op->to_m->db_schema);
        sn_buf_puts(out, ";\n");
    }
    return SINEW_OK;
}

int sn_plan_render(const sn_diff *d, const sinew_dialect *dl, sn_buf *out)
{
    int src = schemas(d, dl, out);
    if (src) return src;
    if (dl->alter_in_place) {
        for (size_t i = 0; i < d->nops; i++) pg_op(out, dl, d, &d->ops[i]);
        return out->failed ? sn_nomem() : SINEW_OK;
    }
    /* tables needing a rebuild, and where in the order it goes (its first complex step) */
    unsigned char *rb = sn_calloc(d->nops ? d->nops : 1, 1);
    if (!rb) return sn_nomem();
    for (size_t i = 0; i < d->nops; i++) {
        const sn_op *op = &d->ops[i];
        if (!sn_plan_applies(dl, op) || sqlite_simple(op) || !op->from_m || !op->to_m) continue;
        size_t k = 0;
        while (k < i && !(rb[k] && d->ops[k].to_m == op->to_m)) k++;
        if (k == i) rb[i] = 1;
    }
    for (size_t i = 0; i < d->nops; i++) {
        const sn_op *op = &d->ops[i];
        if (rb[i]) {
            rebuild(out, dl, d, op->from_m, op->to_m);
            continue;
        }
        if (!sn_plan_applies(dl, op)) continue;
        int absorbed = 0;
        if (op->from_m && op->to_m)
            for (size_t k = 0; k < d->nops && !absorbed; k++)
                if (rb[k] && d->ops[k].to_m == op->to_m) absorbed = 1;
        if (!absorbed) sqlite_op(out, dl, d, op);
    }
    sn_free(rb);
    return out->failed ? sn_nomem() : SINEW_OK;
}
