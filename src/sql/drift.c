/*
 * drift.c - the drift engine (drift.h): the differences between the schema
 * a database should have and the one it has, as a list both `migrate check`
 * and the diagram's drift view render.
 *
 * Things are compared the way the database reports them, so a database the
 * migrations just built shows no drift: a column's type is the same when the
 * database reports the type sinew would create (read back through the
 * dialect) or the same kind of value as the field's (a DATETIME column for a
 * timestamp); defaults by rendering the expected one as SQL and reading it
 * back; unique constraints by their columns (SQLite does not keep their
 * names), indexes by name and columns, foreign keys by columns, target and
 * actions. A declared @db_type is compared as written, up to case and blanks.
 * Names are compared as the database keeps them (PostgreSQL cuts them at 63
 * bytes), and the index names sinew makes up as DDL writes them, fitted to
 * that limit (ident_limit.c).
 * Constraint names are compared where one side names a constraint
 * explicitly (a NULL name is the database's default: the introspection
 * readers report a name only when it is not the backend's own): primary and
 * foreign keys, and CHECK constraints, which are compared by name alone (a
 * database rewrites a check's expression as it stores it, `x IN (...)` as
 * `x = ANY (ARRAY[...])`, so comparing texts would report false drift).
 */
#include <string.h>
#include <strings.h>
#include "sql/dialect.h"
#include "sql/drift.h"
#include "schema/introspect.h"
#include "schema/ixdefs.h"

typedef struct ctx {
    sn_drift_list *out;
    const sinew_dialect *dl;
    sn_arena *a;                  /* scratch for index lists and read-back defaults */
    const char *schema;           /* @@schema of the table being compared (its items carry it) */
    int failed;
} ctx;

static void add(ctx *c, sn_drift_kind kind, const char *table, const char *column, const char *text,
                const char *note)
{
    sn_drift_list *d = c->out;
    if (c->failed) return;
    if (!text || !note) { c->failed = 1; return; }
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        sn_drift_item *v = sn_realloc(d->v, cap * sizeof *v);
        if (!v) { c->failed = 1; return; }
        d->v = v;
        d->cap = cap;
    }
    sn_drift_item *it = &d->v[d->n++];
    it->kind = kind;
    it->table = sn_arena_strdup(&d->arena, table);
    it->column = column ? sn_arena_strdup(&d->arena, column) : NULL;
    it->schema = c->schema ? sn_arena_strdup(&d->arena, c->schema) : NULL;
    it->text = text;
    it->note = note;
    if (!it->table || (column && !it->column) || (c->schema && !it->schema)) c->failed = 1;
}

#define P(...) sn_arena_printf(&c->out->arena, __VA_ARGS__)

/* the column of m that the database keeps as `name` keeps: by name first, then (a name past the
 * identifier limit) by what is kept of it */
static const sinew_field *col(const ctx *c, const sinew_model *m, const char *name)
{
    int i = sinew_model_column_index(m, name);
    if (i >= 0) return &m->fields[i];
    if (c->dl->max_ident_len <= 0) return NULL;
    for (size_t k = 0; k < m->nfields; k++)
        if (sn_sql_same_ident(c->dl, m->fields[k].column, name)) return &m->fields[k];
    return NULL;
}

/* the same for a table of s, in the same schema (@@schema) as `like` */
static const sinew_model *find_table(const ctx *c, const sinew_schema *s, const sinew_model *like)
{
    if (!s) return NULL;
    const sinew_model *m = sn_schema_find_table_in(s, like->db_schema, like->table);
    if (m || c->dl->max_ident_len <= 0) return m;
    for (size_t i = 0; i < s->nmodels; i++)
        if (sn_sql_same_ident(c->dl, s->models[i]->table, like->table) &&
            sn_same_db_schema(s->models[i], like)) return s->models[i];
    return NULL;
}

static int same_ident(const ctx *c, const char *a, const char *b) { return sn_sql_same_ident(c->dl, a, b); }

static int same_type(const sinew_dialect *dl, const sinew_field *ef, const sinew_field *lf)
{
    if (ef->type == lf->type) return 1;          /* the same kind of value */
    const char *want = dl->column_type(ef);
    if (dl->type_from_sql) return dl->type_from_sql(want) == lf->type;
    return want && lf->db_type && strcasecmp(want, lf->db_type) == 0;
}

static const char *default_text(const sinew_default *d)
{
    switch (d->kind) {
    case SINEW_DEFAULT_VALUE: return d->value ? d->value : "?";
    case SINEW_DEFAULT_NOW: return "now()";
    case SINEW_DEFAULT_UUID: return "uuid()";
    default: return "none";
    }
}

static void compare_column(ctx *c, const sinew_model *e, size_t i, const sinew_field *lf)
{
    const sinew_field *ef = &e->fields[i];
    const char *t = e->table, *cn = ef->column;
    /* a declared type (@db_type) that applies here is compared as written, up to case and blanks */
    int declared = (int)i != sinew_model_auto_pk(e) && sn_sql_declared_type_applies(c->dl, ef);
    /* the type CREATE TABLE writes: a foreign key's may be its referenced column's (MariaDB) */
    const sinew_field *tf = declared ? ef : sn_sql_type_field(c->dl, e, i);
    if (declared ? !lf->db_type || !sn_declared_type_same(ef->db_type, lf->db_type) : !same_type(c->dl, tf, lf)) {
        const char *db = lf->db_type ? lf->db_type : sinew_type_name(lf->type);
        add(c, SN_DRIFT_COLUMN_TYPE, t, cn, P("column %s has type %s in the database, %s expected", cn, db,
            sn_sql_column_type(c->dl, tf)), P("type %s in the database", db));
    }
    /* a required generated column is nullable where the backend takes no NOT NULL on one (render_ddl.c) */
    int nullable_by_backend = (ef->flags & SINEW_FIELD_GENERATED) && c->dl->generated_not_null_refused &&
                              (lf->flags & SINEW_FIELD_NULLABLE);
    if (((ef->flags ^ lf->flags) & SINEW_FIELD_NULLABLE) && !nullable_by_backend) {
        const char *is = lf->flags & SINEW_FIELD_NULLABLE ? "nullable" : "NOT NULL";
        add(c, SN_DRIFT_COLUMN_NULLABLE, t, cn, P("column %s is %s in the database, %s expected", cn, is,
            ef->flags & SINEW_FIELD_NULLABLE ? "nullable" : "NOT NULL"), P("%s in the database", is));
    }
    if ((ef->flags ^ lf->flags) & SINEW_FIELD_GENERATED) {
        const char *is = lf->flags & SINEW_FIELD_GENERATED ? "generated" : "not generated";
        add(c, SN_DRIFT_COLUMN_DEFAULT, t, cn, P("column %s is %s in the database, %s expected", cn, is,
            ef->flags & SINEW_FIELD_GENERATED ? "generated" : "not generated"), P("%s in the database", is));
    }
    if (ef->flags & SINEW_FIELD_GENERATED) return;   /* no default; the expression as the database spells it */
    if ((int)i == sinew_model_auto_pk(e)) return;   /* its default is the key generator */
    sinew_default ed = {SINEW_DEFAULT_NONE, NULL};
    sn_buf sql;
    sn_buf_init(&sql);
    /* the expected default as the database would report it (the reading is the same on every
       backend: sn_default_from_sql ignores its dialect flag) */
    if (sn_sql_default(&sql, c->dl, ef)) sn_default_from_sql(sn_buf_cstr(&sql), lf->type, 0, c->a, &ed);
    if (sql.failed) c->failed = 1;
    sn_buf_free(&sql);
    int same = ed.kind == lf->def.kind &&
               (ed.kind != SINEW_DEFAULT_VALUE || (ed.value && lf->def.value && !strcmp(ed.value, lf->def.value)));
    if (!same)
        add(c, SN_DRIFT_COLUMN_DEFAULT, t, cn, P("column %s has default %s in the database, %s expected", cn,
            default_text(&lf->def), default_text(&ed)), P("default %s in the database", default_text(&lf->def)));
}

/* names: fitted (fit_names) on both sides. A partial index is compared by name and columns, and by
   having a predicate: not by its text, which the database rewrites as it stores it (PostgreSQL:
   `gone IS NULL` -> `(gone IS NULL)`) */
static int ix_same(const ctx *c, const sn_ixdef *a, const sn_ixdef *b)
{
    /* a backend without partial indexes (MariaDB) stores none: a schema's predicate is not drift there */
    int preds = !c->dl->no_partial_indexes;
    if (a->unique != b->unique || a->ncols != b->ncols || (preds && !a->where != !b->where)) return 0;
    if ((!a->unique || a->where) && strcmp(a->name, b->name) != 0) return 0;
    for (size_t i = 0; i < a->ncols; i++) if (!same_ident(c, a->cols[i], b->cols[i])) return 0;
    return 1;
}

/* each index name as the database has it: sinew's own fitted to the identifier limit as DDL
 * writes them; a name that fits (every name the database reports) stays as it is */
static void fit_names(ctx *c, sn_ixdef *v, size_t n)
{
    if (c->dl->max_ident_len <= 0) return;
    for (size_t i = 0; i < n; i++) {
        if ((int)strlen(v[i].name) <= c->dl->max_ident_len) continue;
        sn_buf b;
        sn_buf_init(&b);
        sn_sql_fit_name(&b, c->dl, v[i].name);
        const char *s = b.failed ? NULL : sn_arena_strdup(c->a, sn_buf_cstr(&b));
        sn_buf_free(&b);
        if (!s) c->failed = 1;
        else v[i].name = s;
    }
}

/* "index NAME (a, b)" or "unique (a, b)" */
static const char *ix_text(ctx *c, const sn_ixdef *x)
{
    sn_buf b;
    sn_buf_init(&b);
    if (x->unique && !x->where) sn_buf_puts(&b, "unique (");
    else sn_buf_printf(&b, "%sindex %s (", x->unique ? "unique " : "", x->name);
    for (size_t i = 0; i < x->ncols; i++) sn_buf_printf(&b, "%s%s", i ? ", " : "", x->cols[i]);
    sn_buf_putc(&b, ')');
    if (x->where) sn_buf_printf(&b, " where %s", x->where);
    const char *s = b.failed ? NULL : sn_arena_strdup(&c->out->arena, sn_buf_cstr(&b));
    sn_buf_free(&b);
    return s;
}

static void compare_indexes(ctx *c, const sinew_model *e, const sinew_model *l)
{
    sn_ixdef *ei, *li;
    size_t ne = sn_model_ixdefs(c->a, e, &ei), nl = sn_model_ixdefs(c->a, l, &li);
    if (!ei || !li) { c->failed = 1; return; }
    fit_names(c, ei, ne);
    fit_names(c, li, nl);
    for (int side = 0; side < 2; side++) {          /* 0: expected only, 1: live only */
        const sn_ixdef *x = side ? li : ei, *y = side ? ei : li;
        size_t nx = side ? nl : ne, ny = side ? ne : nl;
        for (size_t i = 0; i < nx; i++) {
            size_t j = 0;
            while (j < ny && !ix_same(c, &x[i], &y[j])) j++;
            if (j < ny) continue;
            const char *what = ix_text(c, &x[i]);
            const char *where = side ? "is in the database but not in the schema" : "is missing from the database";
            if (x[i].unique && x[i].ncols == 1 && !x[i].where)    /* a unique column: drawn on the column */
                add(c, SN_DRIFT_COLUMN_UNIQUE, e->table, x[i].cols[0], P("%s %s", what, where),
                    side ? "unique in the database" : "not unique in the database");
            else
                add(c, side ? SN_DRIFT_INDEX_EXTRA : SN_DRIFT_INDEX_MISSING, e->table, NULL,
                    P("%s %s", what, where), P("%s only in %s", what, side ? "database" : "schema"));
        }
    }
}

static int fk_same(const ctx *c, const sinew_model *ma, const sinew_relation *a, const sinew_model *mb,
                   const sinew_relation *b)
{
    if (a->nkeys != b->nkeys || !same_ident(c, a->target->table, b->target->table) ||
        !sn_same_db_schema(a->target, b->target)) return 0;
    if (a->on_delete != b->on_delete || a->on_update != b->on_update) return 0;
    for (size_t i = 0; i < a->nkeys; i++) {
        if (!same_ident(c, ma->fields[a->local[i]].column, mb->fields[b->local[i]].column)) return 0;
        if (!same_ident(c, a->target->fields[a->remote[i]].column, b->target->fields[b->remote[i]].column)) return 0;
    }
    return 1;
}

static void compare_fks(ctx *c, const sinew_model *e, const sinew_model *l)
{
    for (int side = 0; side < 2; side++) {
        const sinew_model *x = side ? l : e, *y = side ? e : l;
        for (size_t i = 0; i < x->nrelations; i++) {
            const sinew_relation *rx = &x->relations[i];
            if (rx->kind != SINEW_BELONGS_TO) continue;
            size_t j = 0;
            for (; j < y->nrelations; j++)
                if (y->relations[j].kind == SINEW_BELONGS_TO && fk_same(c, x, rx, y, &y->relations[j])) break;
            if (j < y->nrelations) {
                const char *xn = rx->fk_name, *yn = y->relations[j].fk_name;
                if (!side && (xn || yn) && !(xn && yn && !strcmp(xn, yn))) {
                    const char *what = P("foreign key (%s%s) -> %s", x->fields[rx->local[0]].column,
                                         rx->nkeys > 1 ? ", ..." : "", rx->target->table);
                    add(c, SN_DRIFT_CONSTRAINT_NAME, e->table, NULL,
                        P("%s is named %s in the database, %s expected", what, yn ? yn : "by default",
                          xn ? xn : "the default name"), P("%s named %s in the database", what, yn ? yn : "by default"));
                }
                continue;
            }
            const char *what = P("foreign key (%s%s) -> %s", x->fields[rx->local[0]].column,
                                 rx->nkeys > 1 ? ", ..." : "", rx->target->table);
            add(c, side ? SN_DRIFT_FK_EXTRA : SN_DRIFT_FK_MISSING, e->table, NULL,
                P("%s %s", what, side ? "is in the database but not in the schema" : "is missing from the database"),
                P("%s only in %s", what, side ? "database" : "schema"));
        }
    }
}

static const char *dist_text(ctx *c, const sinew_model *m)
{
    switch (m->distribution) {
    case SINEW_DIST_HASH: return P("distributed by %s", m->fields[m->dist_field].column);
    case SINEW_DIST_REFERENCE: return "a reference table";
    default: return "local";
    }
}

/* only where the database can say (a coordinator): elsewhere the attributes do nothing */
static void compare_distribution(ctx *c, const sinew_model *e, const sinew_model *l)
{
    if (l->distribution == SINEW_DIST_UNSAID || !c->dl->distribution_extension) return;
    if (sn_sql_same_distribution(e, l)) return;
    const char *et = dist_text(c, e), *lt = dist_text(c, l);
    add(c, SN_DRIFT_DISTRIBUTION, e->table, NULL,
        et && lt ? P("the schema says %s, the database has it %s", et, lt) : NULL,
        lt ? P("%s in the database", lt) : NULL);
}

static int has_check(const sinew_model *m, const char *name)
{
    for (size_t i = 0; i < m->nchecks; i++)
        if (m->checks[i].name && !strcmp(m->checks[i].name, name)) return 1;
    return 0;
}

/* named CHECK constraints, by name (see the top of the file) */
static void compare_checks(ctx *c, const sinew_model *e, const sinew_model *l)
{
    for (int side = 0; side < 2; side++) {
        const sinew_model *x = side ? l : e, *y = side ? e : l;
        for (size_t i = 0; i < x->nchecks; i++) {
            const sinew_check *k = &x->checks[i];
            if (!k->name || has_check(y, k->name)) continue;
            add(c, side ? SN_DRIFT_CHECK_EXTRA : SN_DRIFT_CHECK_MISSING, e->table, NULL,
                P("check %s (%s) %s", k->name, k->expr,
                  side ? "is in the database but not in the schema" : "is missing from the database"),
                P("check %s only in %s", k->name, side ? "database" : "schema"));
        }
    }
}

static const char *key_text(ctx *c, const sinew_model *m)
{
    sn_buf b;
    sn_buf_init(&b);
    sn_buf_putc(&b, '(');
    for (size_t k = 0; k < m->npk; k++) sn_buf_printf(&b, "%s%s", k ? ", " : "", m->fields[m->pk[k]].column);
    sn_buf_putc(&b, ')');
    const char *s = b.failed ? NULL : sn_arena_strdup(&c->out->arena, sn_buf_cstr(&b));
    sn_buf_free(&b);
    return s;
}

static void compare_table(ctx *c, const sinew_model *e, const sinew_model *l)
{
    for (size_t i = 0; i < e->nfields; i++) {
        const sinew_field *lf = col(c, l, e->fields[i].column);
        if (lf) compare_column(c, e, i, lf);
        else add(c, SN_DRIFT_COLUMN_MISSING, e->table, e->fields[i].column,
                 P("column %s is missing from the database", e->fields[i].column), "only in schema");
    }
    for (size_t i = 0; i < l->nfields; i++)
        if (!col(c, e, l->fields[i].column))
            add(c, SN_DRIFT_COLUMN_EXTRA, e->table, l->fields[i].column,
                P("column %s is in the database but not in the schema", l->fields[i].column), "only in database");
    int pk = e->npk == l->npk;
    for (size_t k = 0; pk && k < e->npk; k++)
        pk = same_ident(c, e->fields[e->pk[k]].column, l->fields[l->pk[k]].column);
    if (!pk) {
        const char *lk = key_text(c, l);
        add(c, SN_DRIFT_PRIMARY_KEY, e->table, NULL, "the primary key differs",
            lk ? P("primary key %s in the database", lk) : NULL);
    }
    else if (!c->dl->primary_key_unnamed && (e->pk_name || l->pk_name) &&
             !(e->pk_name && l->pk_name && !strcmp(e->pk_name, l->pk_name)))
        add(c, SN_DRIFT_CONSTRAINT_NAME, e->table, NULL,
            P("the primary key is named %s in the database, %s expected", l->pk_name ? l->pk_name : "by default",
              e->pk_name ? e->pk_name : "the default name"),
            P("primary key named %s in the database", l->pk_name ? l->pk_name : "by default"));
    compare_indexes(c, e, l);
    compare_fks(c, e, l);
    compare_distribution(c, e, l);
    compare_checks(c, e, l);
}

/* a view: its columns by name (its types are what its query makes them, its keys none) */
static void compare_view(ctx *c, const sinew_model *e, const sinew_model *l)
{
    for (size_t i = 0; i < e->nfields; i++)
        if (!col(c, l, e->fields[i].column))
            add(c, SN_DRIFT_COLUMN_MISSING, e->table, e->fields[i].column,
                P("column %s is missing from the view in the database", e->fields[i].column), "only in schema");
    for (size_t i = 0; i < l->nfields; i++)
        if (!col(c, e, l->fields[i].column))
            add(c, SN_DRIFT_COLUMN_EXTRA, e->table, l->fields[i].column,
                P("column %s is in the view in the database but not in the schema", l->fields[i].column), "only in database");
}

int sn_drift_compare(const sinew_schema *expected, const sinew_schema *live, const sinew_dialect *dl,
                     sn_drift_list *out)
{
    memset(out, 0, sizeof *out);
    sn_arena_init(&out->arena, 4096);
    sn_arena scratch;
    sn_arena_init(&scratch, 4096);
    ctx c = {out, dl, &scratch, NULL, 0};
    size_t ne = expected ? expected->nmodels : 0, nl = live ? live->nmodels : 0;
    /* in table-name order: the live graph is sorted; expected tables interleave by name */
    for (size_t i = 0; i < nl; i++) {
        const sinew_model *l = live->models[i];
        const sinew_model *e = find_table(&c, expected, l);
        c.schema = l->db_schema;
        /* a view the schema does not name is not drift: a schema need not describe every view */
        if (!e && !(l->flags & SINEW_MODEL_VIEW))
            add(&c, SN_DRIFT_TABLE_EXTRA, l->table, NULL, "in the database but not in the schema", "only in database");
        else if (e && ((e->flags ^ l->flags) & SINEW_MODEL_VIEW))
            add(&c, SN_DRIFT_TABLE_EXTRA, l->table, NULL, (l->flags & SINEW_MODEL_VIEW)
                ? "is a view in the database, a table in the schema" : "is a table in the database, a view (@@view) in the schema",
                (l->flags & SINEW_MODEL_VIEW) ? "a view in the database" : "a table in the database");
        else if (e && (e->flags & SINEW_MODEL_VIEW))
            compare_view(&c, e, l);
        else if (e)
            compare_table(&c, e, l);
    }
    for (size_t i = 0; i < ne; i++) {
        const sinew_model *e = expected->models[i];
        c.schema = e->db_schema;
        if (!find_table(&c, live, e))
            add(&c, SN_DRIFT_TABLE_MISSING, e->table, NULL, "missing from the database", "only in schema");
    }
    sn_arena_free(&scratch);
    return c.failed ? sn_nomem() : SINEW_OK;
}

void sn_drift_free(sn_drift_list *d)
{
    sn_free(d->v);
    sn_arena_free(&d->arena);
    memset(d, 0, sizeof *d);
}

void sn_drift_text(const sn_drift_list *d, sn_buf *out)
{
    for (size_t i = 0; i < d->n; i++)
        sn_buf_printf(out, "table %s%s%s: %s\n", d->v[i].schema ? d->v[i].schema : "", d->v[i].schema ? "." : "",
                      d->v[i].table, d->v[i].text);
}
