/*
 * sqlite_introspect.c - the SQLite driver's introspect member: reads a live
 * database through the pragma table-valued functions (table_info,
 * index_list, index_info, foreign_key_list) and hands what it read to the
 * schema layer's builder (schema/introspect.h). A single-column INTEGER PRIMARY KEY (a
 * rowid alias, with or without AUTOINCREMENT) is @auto; the indexes SQLite
 * makes for UNIQUE constraints count as those constraints, not as extra
 * indexes. sqlite_* tables and sinew_migrations are left out.
 */
#include <sqlite3.h>
#include <string.h>
#include <strings.h>
#include "driver/readers.h"
#include "schema/introspect.h"

static int sq_fail(sqlite3 *db, const char *what)
{
    return sinew_error_set(SINEW_ERROR, "sqlite: introspecting %s: %s", what, sqlite3_errmsg(db));
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

static int prep(sqlite3 *db, const char *sql, const char *arg, sqlite3_stmt **st)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK) return sq_fail(db, sql);
    if (arg) sqlite3_bind_text(*st, 1, arg, -1, SQLITE_TRANSIENT);
    return SINEW_OK;
}

static int read_columns(sqlite3 *db, sn_ib *b, int t, const char *table)
{
    sqlite3_stmt *st;
    int rc = prep(db, "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_xinfo(?) WHERE hidden IN (0, 2, 3) "
                      "ORDER BY cid",
                  table, &st);
    if (rc) return rc;
    int npk = 0;
    char *pkcol = NULL, *pktype = NULL;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = col_text(st, 0), *type = col_text(st, 1);
        rc = sn_ib_column(b, t, name, type ? type : "", sqlite3_column_int(st, 2), col_text(st, 3), 0);
        if (!rc && sqlite3_column_int(st, 4) > 0) {
            rc = sn_ib_pk(b, t, name, sqlite3_column_int(st, 4));
            npk++;
            sn_free(pkcol);
            sn_free(pktype);
            pkcol = sn_strdup(name);
            pktype = sn_strdup(type ? type : "");
        }
        if (rc) { rc = sn_nomem(); break; }
    }
    if (rc == SQLITE_DONE) rc = SINEW_OK;
    else if (rc != SINEW_NOMEM) rc = sq_fail(db, table);
    sqlite3_finalize(st);
    /* a lone INTEGER PRIMARY KEY is the rowid: the database assigns it */
    if (!rc && npk == 1 && pktype && strcasecmp(pktype, "INTEGER") == 0) sn_ib_auto(b, t, pkcol);
    sn_free(pkcol);
    sn_free(pktype);
    return rc;
}

static int read_index(sqlite3 *db, sn_ib *b, int t, const char *index, int unique, int autoidx, const char *where)
{
    sqlite3_stmt *st;
    int rc = prep(db, "SELECT name FROM pragma_index_info(?) ORDER BY seqno", index, &st);
    if (rc) return rc;
    const char *cols[64];
    char *owned[64];
    size_t n = 0;
    int expr = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < 64) {
        const char *c = col_text(st, 0);
        if (!c) { expr = 1; continue; }
        owned[n] = sn_strdup(c);
        if (!owned[n]) { rc = SINEW_NOMEM; break; }
        cols[n] = owned[n];
        n++;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW) rc = SINEW_OK;
    if (!rc && expr)
        sn_ib_note(b, t, NULL, "the %sindex %s is over an expression and is not pulled (drift does not see it); "
                   "keep it in a migration's SQL", unique ? "unique " : "", index);
    if (!rc && !expr) rc = sn_ib_index(b, t, autoidx ? NULL : index, unique, cols, n, where);
    for (size_t i = 0; i < n; i++) sn_free(owned[i]);
    return rc ? sn_nomem() : SINEW_OK;
}

static int read_indexes(sqlite3 *db, sn_ib *b, int t, const char *table)
{
    sqlite3_stmt *st;
    int rc = prep(db, "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?) ORDER BY name",
                  table, &st);
    if (rc) return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = col_text(st, 0), *origin = col_text(st, 2);
        if (!name || (origin && !strcmp(origin, "pk"))) continue;
        char *nm = sn_strdup(name);
        if (!nm) { rc = sn_nomem(); break; }
        char *where = NULL;
        rc = SINEW_OK;
        if (sqlite3_column_int(st, 3)) {   /* partial: the predicate is only in its CREATE INDEX */
            sqlite3_stmt *q;
            rc = prep(db, "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", nm, &q);
            if (!rc && sqlite3_step(q) == SQLITE_ROW && col_text(q, 0)) where = sn_sqlite_index_where(col_text(q, 0));
            if (!rc) sqlite3_finalize(q);
        }
        if (!rc) rc = read_index(db, b, t, nm, sqlite3_column_int(st, 1), strncmp(nm, "sqlite_autoindex_", 17) == 0, where);
        sn_free(where);
        sn_free(nm);
        if (rc) break;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) rc = SINEW_OK;
    return rc;
}

static int read_fks(sqlite3 *db, sn_ib *b, int t, const char *table)
{
    sqlite3_stmt *st;
    int rc = prep(db, "SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete "
                      "FROM pragma_foreign_key_list(?)", table, &st);
    if (rc) return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        rc = sn_ib_fk(b, t, sqlite3_column_int(st, 0), sqlite3_column_int(st, 1), col_text(st, 3),
                      col_text(st, 2), col_text(st, 4), sn_fk_action_from_sql(col_text(st, 6)),
                      sn_fk_action_from_sql(col_text(st, 5)));
        if (rc) { rc = sn_nomem(); break; }
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) rc = SINEW_OK;
    return rc;
}

/* What only the table's SQL says: constraint names, CHECK constraints, generated columns. */
static int read_sql(sqlite3 *db, sn_ib *b, int t, const char *table)
{
    sqlite3_stmt *st;
    int rc = prep(db, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", table, &st);
    if (rc) return rc;
    if (sqlite3_step(st) == SQLITE_ROW && col_text(st, 0)) rc = sn_sqlite_constraints(b, t, col_text(st, 0));
    sqlite3_finalize(st);
    return rc;
}

/* views: read-only @@view models of their columns */
static int read_views(sqlite3 *db, sn_ib *b)
{
    sqlite3_stmt *st;
    int rc = prep(db, "SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name", NULL, &st);
    if (rc) return rc;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        char *name = sn_strdup(col_text(st, 0));
        if (!name) { rc = sn_nomem(); break; }
        int t = sn_ib_table(b, name);
        if (t < 0) rc = sn_nomem();
        if (!rc) rc = read_columns(db, b, t, name);
        if (!rc) {
            sn_ib_view(b, t);
            sn_ib_note(b, t, NULL, "a view, pulled as a read-only @@view model; a migration made from this file does "
                       "not create it: put its CREATE VIEW in that migration's SQL");
        }
        sn_free(name);
    }
    sqlite3_finalize(st);
    return rc;
}

int sn_sqlite_introspect(sinew_conn *c, sinew_schema **out)
{
    *out = NULL;
    sqlite3 *db = sn_sqlite_handle(c);
    sn_ib *b = sn_ib_new();
    if (!b) return SINEW_NOMEM;
    sqlite3_stmt *st;
    int rc = prep(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
                      "ESCAPE '\\' AND name <> 'sinew_migrations' ORDER BY name", NULL, &st);
    if (rc) { sn_ib_free(b); return rc; }
    char **names = NULL;
    size_t n = 0, cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **nn = sn_realloc(names, cap * sizeof *nn);
            if (!nn) { rc = sn_nomem(); break; }
            names = nn;
        }
        names[n] = sn_strdup(col_text(st, 0));
        if (!names[n]) { rc = sn_nomem(); break; }
        n++;
    }
    if (rc == SQLITE_DONE) rc = SINEW_OK;
    else if (rc != SINEW_NOMEM) rc = sq_fail(db, "sqlite_master");
    sqlite3_finalize(st);
    for (size_t i = 0; !rc && i < n; i++) {
        int t = sn_ib_table(b, names[i]);
        if (t < 0) { rc = sn_nomem(); break; }
        rc = read_columns(db, b, t, names[i]);
        if (!rc) rc = read_indexes(db, b, t, names[i]);
        if (!rc) rc = read_fks(db, b, t, names[i]);
        if (!rc) rc = read_sql(db, b, t, names[i]);
    }
    if (!rc) rc = read_views(db, b);
    for (size_t i = 0; i < n; i++) sn_free(names[i]);
    sn_free(names);
    if (!rc) rc = sn_ib_finish(b, out);
    sn_ib_free(b);
    return rc;
}
