/*
 * introspect.c - sinew_introspect(): the live schema of any backend. Each
 * driver reads its own catalog through the introspect member of its vtable
 * (src/driver/sqlite_introspect.c, postgres_introspect.c) and the schema
 * layer builds the graph from what it read; this only dispatches, so a new
 * backend needs nothing here.
 */
#include "orm/orm.h"
#include "sinew/migrate.h"

int sinew_introspect(sinew_db *db, sinew_schema **out)
{
    if (!db || !out) return sinew_error_set(SINEW_MISUSE, "sinew_introspect: db and out must not be NULL");
    *out = NULL;
    if (db->drv->introspect) return db->drv->introspect(db->conn, out);
    return sinew_error_set(SINEW_UNSUPPORTED, "the %s driver cannot read a database's schema",
                           sinew_db_backend(db));
}

void sinew_migrate_free(void *p) { sn_free(p); }
