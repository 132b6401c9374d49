/*
 * drift.c - the differences between the schema the migrations should have
 * built and the live one, listed table by table. Things are compared the
 * way the database reports them, so a database the migrations just built
 * shows no drift: types through the dialect's DDL type and back (a declared
 * @db_type as written, up to case and blanks), defaults
 * by rendering the expected one as SQL and reading it back, unique
 * constraints by their columns (SQLite does not keep their names), indexes
 * by name and columns, foreign keys by columns, target and actions.
 */
#include <string.h>
#include "migrate/diff.h"
#include "migrate/files.h"
#include "migrate/introspect.h"

static const sinew_field *col(const sinew_model *m, const char *c)
{
    int i = sinew_model_column_index(m, c);
    return i < 0 ? NULL : &m->fields[i];
}

static void line(sn_buf *r, size_t *n, const char *table, const char *what)
{
    sn_buf_printf(r, "table %s: %s\n", table, what);
    (*n)++;
}

static int ix_same(const sn_ixdef *a, const sn_ixdef *b)
{
    if (a->unique != b->unique || a->ncols != b->ncols) return 0;
    if (!a->unique && strcmp(a->name, b->name) != 0) return 0;
    for (size_t i = 0; i < a->ncols; i++) if (strcmp(a->cols[i], b->cols[i]) != 0) return 0;
    return 1;
}

static void ix_text(sn_buf *b, const sn_ixdef *x)
{
    sn_buf_printf(b, "%s %s (", x->unique ? "unique" : "index", x->unique ? "" : x->name);
    for (size_t i = 0; i < x->ncols; i++) sn_buf_printf(b, "%s%s", i ? ", " : "", x->cols[i]);
    sn_buf_putc(b, ')');
}

static int fk_same(const sinew_model *ma, const sinew_relation *a, const sinew_model *mb, const sinew_relation *b)
{
    if (a->nkeys != b->nkeys || strcmp(a->target->table, b->target->table) != 0) return 0;
    if (a->on_delete != b->on_delete || a->on_update != b->on_update) return 0;
    for (size_t i = 0; i < a->nkeys; i++) {
        if (strcmp(ma->fields[a->local[i]].column, mb->fields[b->local[i]].column) != 0) return 0;
        if (strcmp(a->target->fields[a->remote[i]].column, b->target->fields[b->remote[i]].column) != 0) return 0;
    }
    return 1;
}

static void compare_table(const sinew_model *e, const sinew_model *l, int pg, sn_arena *a, sn_buf *r, size_t *n)
{
    const sinew_dialect *dl = pg ? &sn_dialect_postgres : &sn_dialect_sqlite;
    sn_buf w;
    sn_buf_init(&w);
    for (size_t i = 0; i < e->nfields; i++) {
        const sinew_field *ef = &e->fields[i], *lf = col(l, ef->column);
        sn_buf_clear(&w);
        if (!lf) {
            sn_buf_printf(&w, "column %s is missing from the database", ef->column);
            line(r, n, e->table, sn_buf_cstr(&w));
            continue;
        }
        int auto_pk = (int)i == sinew_model_auto_pk(e);
        sinew_type et = auto_pk && !pg ? SINEW_INT64 : sn_type_from_sql(dl->column_type(ef), pg);
        if (auto_pk && pg) et = ef->type == SINEW_INT32 ? SINEW_INT32 : SINEW_INT64;
        /* a declared type (@db_type) is compared as written, up to case and blanks */
        int declared = !auto_pk && sn_sql_declared_type_applies(dl, ef);
        if (declared ? !lf->db_type || !sn_declared_type_same(ef->db_type, lf->db_type) : et != lf->type) {
            sn_buf_printf(&w, "column %s has type %s in the database, %s expected", ef->column,
                          lf->db_type ? lf->db_type : "?", sn_sql_column_type(dl, ef));
            line(r, n, e->table, sn_buf_cstr(&w));
        }
        if ((ef->flags ^ lf->flags) & SINEW_FIELD_NULLABLE) {
            sn_buf_clear(&w);
            sn_buf_printf(&w, "column %s is %s in the database, %s expected", ef->column,
                          lf->flags & SINEW_FIELD_NULLABLE ? "nullable" : "NOT NULL",
                          ef->flags & SINEW_FIELD_NULLABLE ? "nullable" : "NOT NULL");
            line(r, n, e->table, sn_buf_cstr(&w));
        }
        if (!auto_pk) {
            sinew_default ed = {SINEW_DEFAULT_NONE, NULL};
            sn_buf sql;
            sn_buf_init(&sql);
            if (sn_sql_default(&sql, dl, ef)) sn_default_from_sql(sn_buf_cstr(&sql), lf->type, pg, a, &ed);
            sn_buf_free(&sql);
            int same = ed.kind == lf->def.kind &&
                       (ed.kind != SINEW_DEFAULT_VALUE || (ed.value && lf->def.value && !strcmp(ed.value, lf->def.value)));
            if (!same) {
                sn_buf_clear(&w);
                sn_buf_printf(&w, "column %s has default %s in the database, %s expected", ef->column,
                              lf->def.kind == SINEW_DEFAULT_NONE ? "none" : lf->def.kind == SINEW_DEFAULT_VALUE
                                  ? lf->def.value : lf->def.kind == SINEW_DEFAULT_NOW ? "now()" : "uuid()",
                              ed.kind == SINEW_DEFAULT_NONE ? "none" : ed.kind == SINEW_DEFAULT_VALUE
                                  ? ed.value : ed.kind == SINEW_DEFAULT_NOW ? "now()" : "uuid()");
                line(r, n, e->table, sn_buf_cstr(&w));
            }
        }
    }
    for (size_t i = 0; i < l->nfields; i++)
        if (!col(e, l->fields[i].column)) {
            sn_buf_clear(&w);
            sn_buf_printf(&w, "column %s is in the database but not in the schema", l->fields[i].column);
            line(r, n, e->table, sn_buf_cstr(&w));
        }
    /* primary key */
    int pk = e->npk == l->npk;
    for (size_t k = 0; pk && k < e->npk; k++)
        pk = !strcmp(e->fields[e->pk[k]].column, l->fields[l->pk[k]].column);
    if (!pk) line(r, n, e->table, "the primary key differs");
    /* indexes and unique constraints (a unique over the primary key is implied by it) */
    sn_ixdef *ei, *li;
    size_t ne = sn_model_ixdefs(a, e, &ei), nl = sn_model_ixdefs(a, l, &li);
    for (int side = 0; side < 2 && ei && li; side++) {
        const sn_ixdef *x = side ? li : ei, *y = side ? ei : li;
        size_t nx = side ? nl : ne, ny = side ? ne : nl;
        for (size_t i = 0; i < nx; i++) {
            size_t j = 0;
            while (j < ny && !ix_same(&x[i], &y[j])) j++;
            if (j < ny) continue;
            sn_buf_clear(&w);
            ix_text(&w, &x[i]);
            sn_buf_puts(&w, side ? " is in the database but not in the schema" : " is missing from the database");
            line(r, n, e->table, sn_buf_cstr(&w));
        }
    }
    /* foreign keys */
    for (int side = 0; side < 2; side++) {
        const sinew_model *x = side ? l : e, *y = side ? e : l;
        for (size_t i = 0; i < x->nrelations; i++) {
            const sinew_relation *rx = &x->relations[i];
            if (rx->kind != SINEW_BELONGS_TO) continue;
            size_t j = 0;
            for (; j < y->nrelations; j++)
                if (y->relations[j].kind == SINEW_BELONGS_TO && fk_same(x, rx, y, &y->relations[j])) break;
            if (j < y->nrelations) continue;
            sn_buf_clear(&w);
            sn_buf_printf(&w, "foreign key (%s%s) -> %s %s", x->fields[rx->local[0]].column,
                          rx->nkeys > 1 ? ", ..." : "", rx->target->table,
                          side ? "is in the database but not in the schema" : "is missing from the database");
            line(r, n, e->table, sn_buf_cstr(&w));
        }
    }
    sn_buf_free(&w);
}

size_t sn_drift(const sinew_schema *expected, const sinew_schema *live, int pg, sn_buf *r)
{
    size_t n = 0;
    sn_arena a;
    sn_arena_init(&a, 4096);
    size_t ne = expected ? expected->nmodels : 0, nl = live ? live->nmodels : 0;
    /* in table-name order: the live graph is sorted; expected tables interleave by name */
    for (size_t i = 0; i < nl; i++) {
        const sinew_model *l = live->models[i];
        const sinew_model *e = sinew_schema_find_table(expected, l->table);
        if (!e) line(r, &n, l->table, "in the database but not in the schema");
        else compare_table(e, l, pg, &a, r, &n);
    }
    for (size_t i = 0; i < ne; i++) {
        const sinew_model *e = expected->models[i];
        if (!sinew_schema_find_table(live, e->table)) line(r, &n, e->table, "missing from the database");
    }
    sn_arena_free(&a);
    return n;
}
