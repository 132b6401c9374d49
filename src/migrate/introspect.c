/*
 * introspect.c - sinew_introspect(): the live schema of any backend. Each
 * driver reads its own catalog through the introspect member of its vtable
 * (src/driver/sqlite_introspect.c, postgres_introspect.c) and the schema
 * layer builds the graph from what it read; this only dispatches, so a new
 * backend needs nothing here.
 */
#include <string.h>
#include "orm/orm.h"
#include "schema/introspect.h"
#include "sinew/migrate.h"

int sinew_introspect(sinew_db *db, sinew_schema **out)
{
    if (!db || !out) return sinew_error_set(SINEW_MISUSE, "sinew_introspect: db and out must not be NULL");
    *out = NULL;
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
    /* the driver says whether its backend has named schemas (PostgreSQL's does), not its name */
    if (!db->drv->introspect_schemas)
        return sinew_error_set(SINEW_UNSUPPORTED, "a %s database has no named schemas: pull it "
                               "without --schema", sinew_db_backend(db));
    if (sinew_tx_depth(db))
        return sinew_error_set(SINEW_MISUSE, "sinew_introspect_schemas: a transaction is open; call it outside one");
    return db->drv->introspect_schemas(db->conn, schemas, n, out);
}

int sinew_introspect_like(sinew_db *db, const sinew_schema *like, sinew_schema **out)
{
    if (!db || !out) return sinew_error_set(SINEW_MISUSE, "sinew_introspect_like: db and out must not be NULL");
    *out = NULL;
    /* each schema the file names, once; and "" (the driver's convention: the search path,
     * unqualified) when a model has no @@schema: a file all of whose models name their schemas
     * describes those schemas only, not what else the search path holds */
    size_t n = 0, cap = like ? like->nmodels + 1 : 1;
    const char **names = sn_calloc(cap, sizeof *names);
    if (!names) return sn_nomem();
    int path = 0;
    for (size_t i = 0; like && i < like->nmodels; i++) {
        const char *sc = like->models[i]->db_schema;
        if (!sc) { path = 1; continue; }
        int seen = 0;
        for (size_t k = 0; k < n && !seen; k++) seen = !strcmp(names[k], sc);
        if (!seen) names[n++] = sc;
    }
    if (path) names[n++] = "";
    int rc;
    if (n == 0 || (n == 1 && path)) rc = sinew_introspect(db, out);
    else if (!db->drv->introspect_schemas)
        rc = sinew_error_set(SINEW_UNSUPPORTED, "the schema names tables in schemas (@@schema(\"%s\")), which a %s "
                             "database does not have; it is read without them", names[0],
                             sinew_db_backend(db));
    else rc = db->drv->introspect_schemas(db->conn, names, n, out);   /* plain reads: in a transaction too */
    sn_free(names);
    return rc;
}

const char *sinew_introspect_notes(const sinew_schema *schema) { return sn_ib_notes_of(schema); }

void sinew_migrate_free(void *p) { sn_free(p); }
