/*
 * chinook_db.c - see chinook_db.h.
 */
#include "chinook_db.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char url[4200];
static sinew_db *owner;   /* PostgreSQL: th_open()'s handle, whose th_close drops the database */

/* a growing SQL buffer (a test helper: aborts the test when memory runs out) */
typedef struct sqlbuf {
    char *p;
    size_t len, cap;
} sqlbuf;

static void put(sqlbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void puts_(sqlbuf *b, const char *s) { put(b, s, strlen(s)); }

/* s quoted with q (" for identifiers, ' for literals), q doubled inside */
static void quoted(sqlbuf *b, const char *s, size_t n, char q)
{
    put(b, &q, 1);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == q) put(b, &q, 1);
        put(b, s + i, 1);
    }
    put(b, &q, 1);
}

/*
 * One value read from the SQLite file as an SQL literal. Every non-NULL value is a quoted
 * literal, whose type PostgreSQL takes from the column it is inserted into (bigint, numeric,
 * timestamp...), so no value is converted on the way.
 */
static void literal(sqlbuf *b, sinew_value v)
{
    char num[64];
    if (v.is_null) {
        puts_(b, "NULL");
        return;
    }
    switch (v.type) {
    case SINEW_BOOL: snprintf(num, sizeof num, "'%d'", v.u.b ? 1 : 0); break;
    case SINEW_INT32:
    case SINEW_INT64: snprintf(num, sizeof num, "'%lld'", (long long)v.u.i); break;
    case SINEW_DOUBLE:   /* the shortest text that reads back as the same double: 0.99, not 0.98999999999999999 */
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(num, sizeof num, "'%.*g'", prec, v.u.d);
            if (strtod(num + 1, NULL) == v.u.d) break;
        }
        break;
    case SINEW_TEXT:
    case SINEW_DECIMAL:
    case SINEW_JSON: quoted(b, v.u.s.ptr, v.u.s.len, '\''); return;
    default: fail_msg("chinook_db: a value of type %s in the Chinook file", sinew_type_name(v.type)); return;
    }
    puts_(b, num);
}

/* every row of one table, from the file to the server, 500 rows a statement */
static void copy_table(sinew_session *from, sinew_db *to, const sinew_model *m)
{
    sqlbuf cols = {0}, sel = {0};
    for (size_t i = 0; i < m->nfields; i++) {
        if (i) puts_(&cols, ", ");
        quoted(&cols, m->fields[i].column, strlen(m->fields[i].column), '"');
    }
    puts_(&sel, "SELECT ");
    puts_(&sel, cols.p);
    puts_(&sel, " FROM ");
    quoted(&sel, m->table, strlen(m->table), '"');
    puts_(&sel, " ORDER BY 1");   /* Employee.ReportsTo points at smaller ids: parents first */
    sinew_rows *r;
    th_ok(sinew_raw_rows(from, sel.p, NULL, 0, &r));
    sqlbuf ins = {0};
    size_t in_batch = 0;
    int rc;
    while ((rc = sinew_rows_next(r)) == SINEW_ROW) {
        if (in_batch == 0) {
            ins.len = 0;
            puts_(&ins, "INSERT INTO ");
            quoted(&ins, m->table, strlen(m->table), '"');
            puts_(&ins, " (");
            puts_(&ins, cols.p);
            puts_(&ins, ") VALUES ");
        } else {
            puts_(&ins, ", ");
        }
        puts_(&ins, "(");
        for (int c = 0; c < sinew_rows_columns(r); c++) {
            if (c) puts_(&ins, ", ");
            literal(&ins, sinew_rows_value(r, c));
        }
        puts_(&ins, ")");
        if (++in_batch == 500) {
            th_ok(sinew_exec(to, ins.p));
            in_batch = 0;
        }
    }
    assert_int_equal(rc, SINEW_DONE);
    if (in_batch) th_ok(sinew_exec(to, ins.p));
    sinew_rows_free(r);
    free(cols.p);
    free(sel.p);
    free(ins.p);
}

void chinook_setup(const char *sqlite_path)
{
    char file_url[4200];
    snprintf(file_url, sizeof file_url, "sqlite:%s?mode=ro", sqlite_path);
    if (!th_is_postgres()) {
        snprintf(url, sizeof url, "%s", file_url);
        return;
    }
    sinew_db *file;
    th_ok(sinew_open(file_url, &file));
    sinew_schema *schema;
    th_ok(sinew_introspect(file, &schema));
    owner = th_open();
    snprintf(url, sizeof url, "%s", th_last_url());
    th_ok(sinew_create_tables(owner, schema));
    sinew_session *s;
    th_ok(sinew_session_new(file, &s));
    th_ok(sinew_begin(owner));
    /* a table is filled once every table it refers to (but itself) has been */
    char *filled = calloc(schema->nmodels + 1, 1);
    assert_non_null(filled);
    for (size_t done = 0, pass = 0; done < schema->nmodels; pass++) {
        assert_true(pass <= schema->nmodels);   /* a cycle: nothing would ever be ready */
        for (size_t i = 0; i < schema->nmodels; i++) {
            const sinew_model *m = schema->models[i];
            int ready = !filled[i];
            for (size_t r = 0; r < m->nrelations && ready; r++) {
                const sinew_relation *rel = &m->relations[r];
                if (rel->kind != SINEW_BELONGS_TO || rel->target == m) continue;
                for (size_t k = 0; k < schema->nmodels; k++)
                    if (schema->models[k] == rel->target) ready = filled[k];
            }
            if (!ready) continue;
            copy_table(s, owner, m);
            filled[i] = 1;
            done++;
        }
    }
    free(filled);
    th_ok(sinew_commit(owner));
    sinew_session_free(s);
    sinew_schema_free(schema);
    sinew_close(file);
}

sinew_db *chinook_open(void)
{
    sinew_db *db;
    th_ok(sinew_open(url, &db));
    return db;
}

void chinook_teardown(void)
{
    if (owner) th_close(owner);
    owner = NULL;
}
