/*
 * render_ddl.c - CREATE TABLE and CREATE INDEX from the schema graph:
 * columns with types, NOT NULL, defaults and checks, the primary key
 * (single or composite), unique constraints and foreign keys with their
 * actions. Migrations (tools layer) reuse these pieces. The index and
 * constraint names sinew makes up are fitted to the dialect's identifier
 * limit (ident_limit.c).
 */
#include <string.h>
#include "dialect.h"
#include "sn_limits.h"

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
    /* a dialect of an older driver version has no default_* members: PostgreSQL's with numbered
     * parameters, SQLite's otherwise (as before they existed) */
    const int pg = d->numbered_params;
    const sinew_dialect *like = pg ? &sn_dialect_postgres : &sn_dialect_sqlite;
    switch (f->def.kind) {
    case SINEW_DEFAULT_NONE:
        return 0;
    case SINEW_DEFAULT_NOW:
        if (f->type == SINEW_DATE) sn_buf_puts(out, d->default_today ? d->default_today : like->default_today);
        else sn_buf_puts(out, d->default_now ? d->default_now : like->default_now);
        return 1;
    case SINEW_DEFAULT_UUID:
        sn_buf_puts(out, d->default_uuid ? d->default_uuid : like->default_uuid);
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
        const char *lit = t ? (d->true_literal ? d->true_literal : like->true_literal)
                            : (d->false_literal ? d->false_literal : like->false_literal);
        sn_buf_puts(out, lit);
    } else if (f->type == SINEW_ENUM || f->type == SINEW_TEXT || f->type == SINEW_UUID ||
               f->type == SINEW_TIMESTAMP || f->type == SINEW_DATE || f->type == SINEW_JSON) {
        sn_sql_string_literal(out, v);    /* enum value names and bare words are text */
    } else if (f->type == SINEW_DECIMAL && d->decimal_cast) {   /* stored as text */
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

static int integer(sinew_type t) { return t == SINEW_INT32 || t == SINEW_INT64; }

static const sinew_field *type_field(const sinew_dialect *d, const sinew_model *m, size_t i, int depth)
{
    const sinew_field *f = &m->fields[i];
    if (!d->fk_same_type || !(f->flags & SINEW_FIELD_FK) || !integer(f->type) || depth > 8 ||
        sn_sql_declared_type_applies(d, f))
        return f;
    for (size_t r = 0; r < m->nrelations; r++) {
        const sinew_relation *rel = &m->relations[r];
        if (rel->kind != SINEW_BELONGS_TO || !rel->target) continue;
        for (size_t k = 0; k < rel->nkeys; k++) {
            if (rel->local[k] != i) continue;
            /* the referenced column as it is written (itself a foreign key, perhaps) */
            const sinew_field *t = type_field(d, rel->target, rel->remote[k], depth + 1);
            if (integer(t->type) && t->type != f->type) return t;
        }
    }
    return f;
}

const sinew_field *sn_sql_type_field(const sinew_dialect *d, const sinew_model *m, size_t i)
{
    return type_field(d, m, i, 0);
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
        const char *pk = m->pk_name && !d->primary_key_unnamed ? strstr(ty, " PRIMARY KEY") : NULL;
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
    sn_buf_puts(out, sn_sql_column_type(d, sn_sql_type_field(d, m, i)));
    /* NOT NULL after the expression: PostgreSQL and SQLite take either order, MySQL only this one */
    if (f->generated)   /* the expression is the schema's SQL, as written */
        sn_buf_printf(out, " GENERATED ALWAYS AS (%s) %s", f->generated,
                      (f->flags & SINEW_FIELD_VIRTUAL) ? "VIRTUAL" : "STORED");
    if (!(f->flags & SINEW_FIELD_NULLABLE) && !(f->generated && d->generated_not_null_refused))
        sn_buf_puts(out, " NOT NULL");
    if (f->generated) {
        /* no default */
    } else if (f->def.kind != SINEW_DEFAULT_NONE) {
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
    } else if (d->fk_names_written) {
        /* the name migrations drop it by: PostgreSQL's default one, <table>_<columns>_fkey, shortened
           by its rule to the limit (MariaDB refuses a longer name) */
        const char *cols[SN_MAX_KEY];
        size_t n = 0;
        for (size_t i = 0; i < r->nkeys && n < SN_MAX_KEY; i++) cols[n++] = m->fields[r->local[i]].column;
        sn_buf_puts(out, "CONSTRAINT ");
        sn_sql_default_ident(out, d, m->table, cols, n, "fkey");
        sn_buf_putc(out, ' ');
    }
    sn_buf_puts(out, "FOREIGN KEY (");
    key_columns(out, d, m, r->local, r->nkeys);
    sn_buf_puts(out, ") REFERENCES ");
    sn_sql_table(out, d, r->target);
    sn_buf_puts(out, " (");
    key_columns(out, d, r->target, r->remote, r->nkeys);
    sn_buf_puts(out, ")");
    if (r->on_delete != SINEW_FK_NO_ACTION || d->fk_no_action_explicit)
        sn_buf_printf(out, " ON DELETE %s", fk_action(r->on_delete));
    if (r->on_update != SINEW_FK_NO_ACTION || d->fk_no_action_explicit)
        sn_buf_printf(out, " ON UPDATE %s", fk_action(r->on_update));
}

/* the polymorphic relation whose CHECK k is (the schema's text of it uses double quotes; DDL quotes as the
 * dialect does), or NULL */
static const sinew_poly *poly_of_check(const sinew_model *m, const sinew_check *k)
{
    for (size_t i = 0; k->name && i < m->npolys; i++)
        if (m->polys[i].check_name && !strcmp(m->polys[i].check_name, k->name)) return &m->polys[i];
    return NULL;
}

/* CHECK ((CASE WHEN a IS NULL THEN 0 ELSE 1 END + ...) = 1): exactly one target's key set (`?`: at most one).
 * Integers, not booleans, are added: PostgreSQL has no boolean + boolean */
void sn_sql_poly_check(sn_buf *out, const sinew_dialect *d, const sinew_model *m, const sinew_poly *p)
{
    sn_buf_puts(out, "CHECK ((");
    for (size_t i = 0; i < p->ntargets; i++) {
        const sinew_relation *r = &m->relations[p->targets[i]];
        sn_buf_puts(out, i ? " + CASE WHEN " : "CASE WHEN ");
        sn_sql_ident(out, d, m->fields[r->local[0]].column);
        sn_buf_puts(out, " IS NULL THEN 0 ELSE 1 END");
    }
    sn_buf_puts(out, p->optional ? ") <= 1)" : ") = 1)");
}

void sn_sql_create_table(sn_buf *out, const sinew_dialect *d, const sinew_model *m, int ine)
{
    sn_sql_create_table_fks(out, d, m, ine, 1);
}

void sn_sql_create_table_fks(sn_buf *out, const sinew_dialect *d, const sinew_model *m, int ine, int with_fks)
{
    int auto_pk = sinew_model_auto_pk(m);
    sn_buf_puts(out, ine ? "CREATE TABLE IF NOT EXISTS " : "CREATE TABLE ");
    sn_sql_table(out, d, m);
    sn_buf_puts(out, " (\n");
    for (size_t i = 0; i < m->nfields; i++) {
        if (i) sn_buf_puts(out, ",\n");
        sn_buf_puts(out, "  ");
        sn_sql_column_def(out, d, m, i);
    }
    if (auto_pk < 0 && m->npk) {
        sn_buf_puts(out, ",\n  ");
        if (m->pk_name && !d->primary_key_unnamed) {
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
        sn_sql_fit_ident(out, d, ix->name);
        sn_buf_puts(out, " UNIQUE (");
        key_columns(out, d, m, ix->fields, ix->nfields);
        sn_buf_putc(out, ')');
    }
    for (size_t i = 0; i < m->nrelations; i++) {
        const sinew_relation *r = &m->relations[i];
        if (r->kind != SINEW_BELONGS_TO || !with_fks) continue;
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
        const sinew_poly *p = poly_of_check(m, &m->checks[i]);
        if (p) sn_sql_poly_check(out, d, m, p);
        else sn_buf_printf(out, "CHECK (%s)", m->checks[i].expr);
    }
    sn_buf_puts(out, "\n)");
    if (d->table_options) sn_buf_puts(out, d->table_options);
}

/* the columns of a non-unique index, each with the key-part length the dialect needs */
static void index_columns(sn_buf *out, const sinew_dialect *d, const sinew_model *m, const unsigned *idx, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i) sn_buf_puts(out, ", ");
        sn_sql_index_column(out, d, &m->fields[idx[i]]);
    }
}

void sn_sql_index_column(sn_buf *out, const sinew_dialect *d, const sinew_field *f)
{
    sn_sql_ident(out, d, f->column);
    const char *len = d->index_prefix && !sn_sql_declared_type_applies(d, f) ? d->index_prefix(f) : NULL;
    if (len) sn_buf_puts(out, len);
}

/* the k-th CREATE INDEX statement of a model (0-based), or nothing: returns whether there is one */
int sn_sql_create_index_at(sn_buf *out, const sinew_dialect *d, const sinew_model *m, size_t k, int ine)
{
    size_t n = 0;
    for (size_t i = 0; i < m->nindexes; i++) {
        const sinew_index *ix = &m->indexes[i];
        if (ix->unique && !ix->where) continue;     /* unique ones are table constraints */
        if (n++ != k) continue;
        sn_buf_printf(out, "CREATE %sINDEX %s", ix->unique ? "UNIQUE " : "", ine ? "IF NOT EXISTS " : "");
        sn_sql_fit_ident(out, d, ix->name);
        sn_buf_puts(out, " ON ");
        sn_sql_table(out, d, m);
        sn_buf_puts(out, " (");
        index_columns(out, d, m, ix->fields, ix->nfields);
        sn_buf_putc(out, ')');
        /* the schema's SQL, as written; a backend without partial indexes indexes every row */
        if (ix->where && !d->no_partial_indexes) sn_buf_printf(out, " WHERE %s", ix->where);
        sn_buf_puts(out, ";\n");
        return 1;
    }
    for (size_t i = 0; i < m->nfields; i++) {
        const sinew_field *f = &m->fields[i];
        if (!(f->flags & SINEW_FIELD_INDEX)) continue;
        if (n++ != k) continue;
        sn_buf_puts(out, ine ? "CREATE INDEX IF NOT EXISTS " : "CREATE INDEX ");
        sn_buf name;              /* <table>_<column>_idx, quoted as one identifier */
        sn_buf_init(&name);
        sn_buf_printf(&name, "%s_%s_idx", m->table, f->column);
        if (name.failed) out->failed = 1;
        else sn_sql_fit_ident(out, d, sn_buf_cstr(&name));
        sn_buf_free(&name);
        sn_buf_puts(out, " ON ");
        sn_sql_table(out, d, m);
        sn_buf_puts(out, " (");
        sn_sql_index_column(out, d, f);
        sn_buf_puts(out, ");\n");
        return 1;
    }
    return 0;
}

void sn_sql_create_indexes(sn_buf *out, const sinew_dialect *d, const sinew_model *m, int ine)
{
    for (size_t k = 0; sn_sql_create_index_at(out, d, m, k, ine); k++) {}
}

void sn_sql_create_schema(sn_buf *out, const sinew_dialect *d, const char *schema)
{
    sn_buf_puts(out, d->create_schema ? d->create_schema : "CREATE SCHEMA IF NOT EXISTS ");
    sn_sql_ident(out, d, schema);
}

void sn_sql_add_fk(sn_buf *out, const sinew_dialect *d, const sinew_model *m, const sinew_relation *r)
{
    sn_buf_puts(out, "ALTER TABLE ");
    sn_sql_table(out, d, m);
    sn_buf_puts(out, " ADD ");
    sn_sql_fk_clause(out, d, m, r);
}
