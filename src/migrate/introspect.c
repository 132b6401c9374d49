/*
 * introspect.c - sinew_introspect(): the live schema of any backend. SQLite
 * goes through its driver's introspect slot; PostgreSQL is read from
 * information_schema / pg_catalog with ordinary queries over the generic
 * driver vtable (introspect_pg.c), so it needs nothing from libpq here.
 */
#include <string.h>
#include "migrate/introspect.h"
#include "orm/orm.h"
#include "sinew/migrate.h"

int sinew_introspect(sinew_db *db, sinew_schema **out)
{
    if (!db || !out) return sinew_error_set(SINEW_MISUSE, "sinew_introspect: db and out must not be NULL");
    *out = NULL;
    if (strcmp(sinew_db_backend(db), "postgres") == 0) return sn_introspect_pg(db, out);
    if (db->drv->introspect) return db->drv->introspect(db->conn, out);
    return sinew_error_set(SINEW_UNSUPPORTED, "the %s driver cannot read a database's schema",
                           sinew_db_backend(db));
}

int sinew_introspect_schemas(sinew_db *db, const char *const *schemas, size_t n, sinew_schema **out)
{
    if (!db || !out || (n && !schemas))
        return sinew_error_set(SINEW_MISUSE, "sinew_introspect_schemas: db, out and schemas must not be NULL");
    *out = NULL;
    if (!n) return sinew_introspect(db, out);
    for (size_t i = 0; i < n; i++)
        if (!schemas[i] || !schemas[i][0])
            return sinew_error_set(SINEW_MISUSE, "sinew_introspect_schemas: schema name %zu is empty", i + 1);
    if (strcmp(sinew_db_backend(db), "postgres") != 0)
        return sinew_error_set(SINEW_UNSUPPORTED, "schemas are PostgreSQL's: a %s database has one, pull it "
                               "without --schema", sinew_db_backend(db));
    if (sinew_tx_depth(db))
        return sinew_error_set(SINEW_MISUSE, "sinew_introspect_schemas: a transaction is open; call it outside one");
    return sn_introspect_pg_schemas(db, schemas, n, out);
}

const char *sinew_introspect_notes(const sinew_schema *schema) { return sn_ib_notes_of(schema); }

void sinew_migrate_free(void *p) { sn_free(p); }
