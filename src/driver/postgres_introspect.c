/*
 * postgres_introspect.c - the PostgreSQL driver's introspect member: reads
 * a live schema (the current schema, usually "public") from pg_catalog and
 * hands what it read to the schema layer's builder (schema/introspect.h).
 * It runs plain queries through the driver's own vtable on the connection,
 * so it needs no libpq calls of its own. Identity and serial columns are
 * @auto; unique constraints and unique indexes both count as unique;
 * expression and partial indexes are left out (the graph cannot express them).
 */
#include <stdlib.h>
#include <string.h>
#include "driver/readers.h"
#include "schema/introspect.h"

#define REL "to_regclass(quote_ident(current_schema()) || '.' || quote_ident($1))"

/* one catalog query: the driver's statement on the connection being read */
typedef struct cat_query {
    const sinew_driver *drv;
    sinew_stmt *stmt;
} cat_query;

static int cq_step(cat_query *x) { return x->drv->step(x->stmt); }
static void cq_end(cat_query *x) { x->drv->finalize(x->stmt); }

static const char *txt(cat_query *x, int i)
{
    if (x->drv->column_storage(x->stmt, i) == SINEW_STORAGE_NULL) return NULL;
    size_t n;
    return x->drv->column_text(x->stmt, i, &n);
}

static int open_q(cat_query *x, sinew_conn *db, const char *sql, const char *table)
{
    x->drv = &sinew_postgres_driver;
    int rc = x->drv->prepare(db, sql, &x->stmt);
    if (rc) return rc;
    if (table) {
        sinew_value v = sinew_text(table);
        rc = x->drv->bind(x->stmt, 0, &v);
        if (rc) cq_end(x);
    }
    return rc;
}

static int columns(sinew_conn *db, sn_ib *b, int t, const char *table)
{
    cat_query x;
    int rc = open_q(&x, db,
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull::int, "
        "pg_get_expr(d.adbin, d.adrelid), (a.attidentity <> '')::int "
        "FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "WHERE a.attrelid = " REL " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum", table);
    if (rc) return rc;
    while ((rc = cq_step(&x)) == SINEW_ROW) {
        const char *name = txt(&x, 0), *dflt = txt(&x, 3);
        rc = sn_ib_column(b, t, name, txt(&x, 1), (int)x.drv->column_i64(x.stmt, 2), dflt, 1);
        if (rc) { rc = sn_nomem(); break; }
        if (x.drv->column_i64(x.stmt, 4) || (dflt && strstr(dflt, "nextval(")))
            sn_ib_auto(b, t, name);
    }
    cq_end(&x);
    return rc == SINEW_DONE ? SINEW_OK : rc;
}

static int primary_key(sinew_conn *db, sn_ib *b, int t, const char *table)
{
    cat_query x;
    int rc = open_q(&x, db,
        "SELECT a.attname, k.ord::int FROM pg_index i "
        "CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
        "WHERE i.indrelid = " REL " AND i.indisprimary ORDER BY k.ord", table);
    if (rc) return rc;
    int n = 0;
    while ((rc = cq_step(&x)) == SINEW_ROW) {
        sn_ib_pk(b, t, txt(&x, 0), (int)x.drv->column_i64(x.stmt, 1));
        n++;
    }
    cq_end(&x);
    return rc == SINEW_DONE ? SINEW_OK : rc;
}

typedef struct strlist { char **v; size_t n, cap; } strlist;

static int sl_push(strlist *l, const char *s)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 8;
        char **nv = sn_realloc(l->v, nc * sizeof *nv);
        if (!nv) return sn_nomem();
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n] = s ? sn_strdup(s) : NULL;
    if (s && !l->v[l->n]) return sn_nomem();
    l->n++;
    return SINEW_OK;
}

static void sl_clear(strlist *l)
{
    for (size_t i = 0; i < l->n; i++) sn_free(l->v[i]);
    l->n = 0;
}

static int flush_index(sn_ib *b, int t, const char *name, int unique, strlist *cols)
{
    int ok = 1;
    for (size_t i = 0; i < cols->n; i++) if (!cols->v[i]) ok = 0;   /* expression index */
    int rc = ok ? sn_ib_index(b, t, name, unique, (const char *const *)cols->v, cols->n) : SINEW_OK;
    sl_clear(cols);
    return rc ? sn_nomem() : SINEW_OK;
}

static int indexes(sinew_conn *db, sn_ib *b, int t, const char *table)
{
    cat_query x;
    int rc = open_q(&x, db,
        "SELECT COALESCE(con.conname, ic.relname), i.indisunique::int, a.attname FROM pg_index i "
        "JOIN pg_class ic ON ic.oid = i.indexrelid "
        "LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.contype = 'u' "
        "CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) "
        "LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
        "WHERE i.indrelid = " REL " AND NOT i.indisprimary AND i.indpred IS NULL "
        "ORDER BY 1, k.ord", table);
    if (rc) return rc;
    strlist cols = {0};
    char *cur = NULL;
    int uniq = 0;
    while ((rc = cq_step(&x)) == SINEW_ROW) {
        const char *name = txt(&x, 0);
        if (!cur || strcmp(cur, name) != 0) {
            if (cur && (rc = flush_index(b, t, cur, uniq, &cols))) break;
            sn_free(cur);
            cur = sn_strdup(name);
            if (!cur) { rc = sn_nomem(); break; }
            uniq = (int)x.drv->column_i64(x.stmt, 1);
        }
        if ((rc = sl_push(&cols, txt(&x, 2)))) break;
    }
    cq_end(&x);
    if (rc == SINEW_DONE) rc = cur ? flush_index(b, t, cur, uniq, &cols) : SINEW_OK;
    sl_clear(&cols);
    sn_free(cols.v);
    sn_free(cur);
    return rc;
}

static int foreign_keys(sinew_conn *db, sn_ib *b, int t, const char *table)
{
    cat_query x;
    int rc = open_q(&x, db,
        "SELECT con.conname, k.ord::int, la.attname, ft.relname, fa.attname, "
        "con.confdeltype::text, con.confupdtype::text FROM pg_constraint con "
        "JOIN pg_class ft ON ft.oid = con.confrelid "
        "CROSS JOIN LATERAL unnest(con.conkey::int2[], con.confkey::int2[]) WITH ORDINALITY AS k(l, f, ord) "
        "JOIN pg_attribute la ON la.attrelid = con.conrelid AND la.attnum = k.l "
        "JOIN pg_attribute fa ON fa.attrelid = con.confrelid AND fa.attnum = k.f "
        "WHERE con.conrelid = " REL " AND con.contype = 'f' ORDER BY con.conname, k.ord", table);
    if (rc) return rc;
    int id = -1;
    char *cur = NULL;
    while ((rc = cq_step(&x)) == SINEW_ROW) {
        const char *name = txt(&x, 0);
        if (!cur || strcmp(cur, name) != 0) {
            sn_free(cur);
            cur = sn_strdup(name);
            if (!cur) { rc = sn_nomem(); break; }
            id++;
        }
        rc = sn_ib_fk(b, t, id, (int)x.drv->column_i64(x.stmt, 1), txt(&x, 2), txt(&x, 3), txt(&x, 4),
                      sn_fk_action_from_sql(txt(&x, 5)), sn_fk_action_from_sql(txt(&x, 6)));
        if (rc) { rc = sn_nomem(); break; }
    }
    cq_end(&x);
    sn_free(cur);
    return rc == SINEW_DONE ? SINEW_OK : rc;
}

int sn_pg_introspect(sinew_conn *db, sinew_schema **out)
{
    *out = NULL;
    sn_ib *b = sn_ib_new();
    if (!b) return SINEW_NOMEM;
    cat_query x;
    strlist names = {0};
    int rc = open_q(&x, db,
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') "
        "AND c.relname <> 'sinew_migrations' ORDER BY c.relname", NULL);
    if (!rc) {
        while ((rc = cq_step(&x)) == SINEW_ROW)
            if ((rc = sl_push(&names, txt(&x, 0)))) break;
        cq_end(&x);
        if (rc == SINEW_DONE) rc = SINEW_OK;
    }
    for (size_t i = 0; !rc && i < names.n; i++) {
        int t = sn_ib_table(b, names.v[i]);
        if (t < 0) { rc = sn_nomem(); break; }
        rc = columns(db, b, t, names.v[i]);
        if (!rc) rc = primary_key(db, b, t, names.v[i]);
        if (!rc) rc = indexes(db, b, t, names.v[i]);
        if (!rc) rc = foreign_keys(db, b, t, names.v[i]);
    }
    sl_clear(&names);
    sn_free(names.v);
    if (!rc) rc = sn_ib_finish(b, out);
    sn_ib_free(b);
    return rc;
}
