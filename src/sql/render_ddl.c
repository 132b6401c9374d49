/*
 * render_ddl.c - CREATE TABLE and CREATE INDEX from the schema graph:
 * columns with types, NOT NULL, defaults and checks, the primary key
 * (single or composite), unique constraints and foreign keys with their
 * actions. Migrations (tools layer) reuse these pieces.
 */
#include <string.h>
#include "dialect.h"

static const char *fk_action(sinew_fk_action a)
{
    switch (a) {
    case SINEW_FK_RESTRICT: return "RESTRICT";
    case SINEW_FK_CASCADE: return "CASCADE";
    case SINEW_FK_SET_NULL: return "SET NULL";
    case SINEW_FK_SET_DEFAULT: return "SET DEFAULT";
    case SINEW_FK_NO_ACTION: break;
    }
    return "NO ACTION";
}

int sn_sql_default(sn_buf *out, const sinew_dialect *d, const sinew_field *f)
{
    const int pg = d->numbered_params;
    switch (f->def.kind) {
    case SINEW_DEFAULT_NONE:
        return 0;
    case SINEW_DEFAULT_NOW:
        if (f->type == SINEW_DATE) sn_buf_puts(out, pg ? "CURRENT_DATE" : "(date('now'))");
        else sn_buf_puts(out, pg ? "CURRENT_TIMESTAMP"
                                 : "(strftime('%Y-%m-%d %H:%M:%f000', 'now'))");
        return 1;
    case SINEW_DEFAULT_UUID:
        if (pg) {
            sn_buf_puts(out, "gen_random_uuid()");
        } else {
            /* a version-4 UUID in canonical text form, computed by SQLite itself */
            sn_buf_puts(out, "(lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || "
                             "substr(hex(randomblob(2)), 2) || '-' || "
                             "substr('89ab', 1 + (abs(random()) % 4), 1) || "
                             "substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))))");
        }
        return 1;
    case SINEW_DEFAULT_VALUE:
        break;
    }
    const char *v = f->def.value;
    if (!v) return 0;
    size_t n = strlen(v);
    if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
        char *tmp = sn_strndup(v + 1, n - 2);
        if (!tmp) { out->failed = 1; return 1; }
        sn_sql_string_literal(out, tmp);
        sn_free(tmp);
    } else if (f->type == SINEW_BOOL) {
        int t = strcmp(v, "true") == 0;
        sn_buf_puts(out, pg ? (t ? "true" : "false") : (t ? "1" : "0"));
    } else if (f->type == SINEW_ENUM || f->type == SINEW_TEXT || f->type == SINEW_UUID ||
               f->type == SINEW_TIMESTAMP || f->type == SINEW_DATE || f->type == SINEW_JSON) {
        sn_sql_string_literal(out, v);    /* enum value names and bare words are text */
    } else if (f->type == SINEW_DECIMAL && !pg) {
        sn_sql_string_literal(out, v);
    } else {
        sn_buf_puts(out, v);              /* numbers: validated by the parser */
    }
    return 1;
}

/*
 * A declared type (@db_type, what `db pull` read) is written where the
 * backend's own type rules read it as the field's type: NUMERIC(10,2) on
 * both, DATETIME on SQLite only (PostgreSQL has no such type, so a schema
 * pulled from SQLite still builds there with sinew's timestamptz).
 */
int sn_sql_declared_type_applies(const sinew_dialect *d, const sinew_field *f)
{
    if (!(f->flags & SINEW_FIELD_DB_TYPE) || !f->db_type || !f->db_type[0]) return 0;
    if (!d->type_from_sql) return 0;        /* a dialect older than version 4 cannot say how it reads it */
    sinew_type t = d->type_from_sql(f->db_type);
    if (t == f->type) return 1;
    /* an enum is text to the database; a PostgreSQL type sinew does not know reads as text too */
    return f->type == SINEW_ENUM && t == SINEW_TEXT;
}

const char *sn_sql_column_type(const sinew_dialect *d, const sinew_field *f)
{
    return sn_sql_declared_type_applies(d, f) ? f->db_type : d->column_type(f);
}

static void key_columns(sn_buf *out, const sinew_dialect *d, const sinew_model *m,
                        const unsigned *idx, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i) sn_buf_puts(out, ", ");
        sn_sql_ident(out, d, m->fields[idx[i]].column);
    }
}

void sn_sql_column_def(sn_buf *out, const sinew_dialect *d, const sinew_model *m, size_t i)
{
    const sinew_field *f = &m->fields[i];
    sn_sql_ident(out, d, f->column);
    sn_buf_putc(out, ' ');
    if ((int)i == sinew_model_auto_pk(m)) {
        const char *ty = d->auto_pk_type(f);
        const char *pk = m->pk_name ? strstr(ty, " PRIMARY KEY") : NULL;
        if (!pk) {
            sn_buf_puts(out, ty);
            return;
        }
        /* a named key: the name goes before the column's PRIMARY KEY */
        sn_buf_printf(out, "%.*s CONSTRAINT ", (int)(pk - ty), ty);
        sn_sql_ident(out, d, m->pk_name);
        sn_buf_puts(out, pk);
        return;
    }
    sn_buf_puts(out, sn_sql_column_type(d, f));
    if (!(f->flags & SINEW_FIELD_NULLABLE)) sn_buf_puts(out, " NOT NULL");
    if (f->generated)   /* the expression is the schema's SQL, as written */
        sn_buf_printf(out, " GENERATED ALWAYS AS (%s) %s", f->generated,
                      (f->flags & SINEW_FIELD_VIRTUAL) ? "VIRTUAL" : "STORED");
    else if (f->def.kind != SINEW_DEFAULT_NONE) {
        sn_buf_puts(out, " DEFAULT ");
        sn_sql_default(out, d, f);
    }
    if (f->flags & SINEW_FIELD_UNIQUE) sn_buf_puts(out, " UNIQUE");
    if (f->type == SINEW_ENUM && f->enum_type) {
        sn_buf_puts(out, " CHECK (");
        sn_sql_ident(out, d, f->column);
        sn_buf_puts(out, " IN (");
        for (size_t k = 0; k < f->enum_type->nvalues; k++) {
            if (k) sn_buf_puts(out, ", ");
            sn_sql_string_literal(out, f->enum_type->values[k]);
        }
        sn_buf_puts(out, "))");
    }
    if (f->check) sn_buf_printf(out, " CHECK (%s)", f->check);
}

void sn_sql_fk_clause(sn_buf *out, const sinew_dialect *d, const sinew_model *m, const sinew_relation *r)
{
    if (r->fk_name) {
        sn_buf_puts(out, "CONSTRAINT ");
        sn_sql_ident(out, d, r->fk_name);
        sn_buf_putc(out, ' ');
    }
    sn_buf_puts(out, "FOREIGN KEY (");
    key_columns(out, d, m, r->local, r->nkeys);
    sn_buf_puts(out, ") REFERENCES ");
    sn_sql_ident(out, d, r->target->table);
    sn_buf_puts(out, " (");
    key_columns(out, d, r->target, r->remote, r->nkeys);
    sn_buf_puts(out, ")");
    if (r->on_delete != SINEW_FK_NO_ACTION)
        sn_buf_printf(out, " ON DELETE %s", fk_action(r->on_delete));
    if (r->on_update != SINEW_FK_NO_ACTION)
        sn_buf_printf(out, " ON UPDATE %s", fk_action(r->on_update));
}

void sn_sql_create_table(sn_buf *out, const sinew_dialect *d, const sinew_model *m, int ine)
{
    int auto_pk = sinew_model_auto_pk(m);
    sn_buf_puts(out, ine ? "CREATE TABLE IF NOT EXISTS " : "CREATE TABLE ");
    sn_sql_ident(out, d, m->table);
    sn_buf_puts(out, " (\n");
    for (size_t i = 0; i < m->nfields; i++) {
        if (i) sn_buf_puts(out, ",\n");
        sn_buf_puts(out, "  ");
        sn_sql_column_def(out, d, m, i);
    }
    if (auto_pk < 0 && m->npk) {
        sn_buf_puts(out, ",\n  ");
        if (m->pk_name) {
            sn_buf_puts(out, "CONSTRAINT ");
            sn_sql_ident(out, d, m->pk_name);
            sn_buf_putc(out, ' ');
        }
        sn_buf_puts(out, "PRIMARY KEY (");
        key_columns(out, d, m, m->pk, m->npk);
        sn_buf_putc(out, ')');
    }
    for (size_t i = 0; i < m->nindexes; i++) {
        const sinew_index *ix = &m->indexes[i];
        if (!ix->unique || ix->where) continue;   /* a partial one is a CREATE UNIQUE INDEX */
        sn_buf_puts(out, ",\n  CONSTRAINT ");
        sn_sql_ident(out, d, ix->name);
        sn_buf_puts(out, " UNIQUE (");
        key_columns(out, d, m, ix->fields, ix->nfields);
        sn_buf_putc(out, ')');
    }
    for (size_t i = 0; i < m->nrelations; i++) {
        const sinew_relation *r = &m->relations[i];
        if (r->kind != SINEW_BELONGS_TO) continue;
        sn_buf_puts(out, ",\n  ");
        sn_sql_fk_clause(out, d, m, r);
    }
    for (size_t i = 0; i < m->nchecks; i++) {   /* the expression is the schema's SQL, as written */
        sn_buf_puts(out, ",\n  ");
        if (m->checks[i].name) {
            sn_buf_puts(out, "CONSTRAINT ");
            sn_sql_ident(out, d, m->checks[i].name);
            sn_buf_putc(out, ' ');
        }
        sn_buf_printf(out, "CHECK (%s)", m->checks[i].expr);
    }
    sn_buf_puts(out, "\n)");
}

void sn_sql_create_indexes(sn_buf *out, const sinew_dialect *d, const sinew_model *m, int ine)
{
    for (size_t i = 0; i < m->nindexes; i++) {
        const sinew_index *ix = &m->indexes[i];
        if (ix->unique && !ix->where) continue;     /* unique ones are table constraints */
        sn_buf_printf(out, "CREATE %sINDEX %s", ix->unique ? "UNIQUE " : "", ine ? "IF NOT EXISTS " : "");
        sn_sql_ident(out, d, ix->name);
        sn_buf_puts(out, " ON ");
        sn_sql_ident(out, d, m->table);
        sn_buf_puts(out, " (");
        key_columns(out, d, m, ix->fields, ix->nfields);
        sn_buf_putc(out, ')');
        if (ix->where) sn_buf_printf(out, " WHERE %s", ix->where);   /* the schema's SQL, as written */
        sn_buf_puts(out, ";\n");
    }
    for (size_t i = 0; i < m->nfields; i++) {
        const sinew_field *f = &m->fields[i];
        if (!(f->flags & SINEW_FIELD_INDEX)) continue;
        sn_buf_puts(out, ine ? "CREATE INDEX IF NOT EXISTS " : "CREATE INDEX ");
        sn_buf name;              /* <table>_<column>_idx, quoted as one identifier */
        sn_buf_init(&name);
        sn_buf_printf(&name, "%s_%s_idx", m->table, f->column);
        if (name.failed) out->failed = 1;
        else sn_sql_ident(out, d, sn_buf_cstr(&name));
        sn_buf_free(&name);
        sn_buf_puts(out, " ON ");
        sn_sql_ident(out, d, m->table);
        sn_buf_puts(out, " (");
        sn_sql_ident(out, d, f->column);
        sn_buf_puts(out, ");\n");
    }
}
