/*
 * check.c - sinew_migrate_check(): the schema the applied migrations
 * should have built (the snapshot of the newest applied one) against the
 * live database, through the drift engine (drift.h) with the connection's
 * dialect, printed one line per difference.
 */
#include <stdio.h>
#include <string.h>
#include "sql/drift.h"
#include "migrate/files.h"
#include "orm/orm.h"
#include "sinew/migrate.h"

int sinew_schema_drift(const sinew_schema *expected, const sinew_schema *live, const sinew_dialect *dialect,
                       char **report, size_t *ndrift)
{
    if (report) *report = NULL;
    if (!ndrift || !dialect)
        return sinew_error_set(SINEW_MISUSE, "sinew_schema_drift: dialect and ndrift must not be NULL");
    *ndrift = 0;
    sn_drift_list d;
    int rc = sn_drift_compare(expected, live, dialect, &d);
    if (rc) { sn_drift_free(&d); return rc; }
    sn_buf b;
    sn_buf_init(&b);
    sn_drift_text(&d, &b);
    *ndrift = d.n;
    sn_drift_free(&d);
    if (b.failed) { sn_buf_free(&b); return sn_nomem(); }
    if (report) {
        *report = sn_strdup(sn_buf_cstr(&b));
        if (!*report) rc = sn_nomem();
    }
    sn_buf_free(&b);
    return rc;
}

int sn_migrate_check_graph(sinew_db *db, const sinew_schema *expected, char **report, size_t *ndrift)
{
    if (report) *report = NULL;
    *ndrift = 0;
    sinew_schema *live;
    int rc = sinew_introspect_like(db, expected, &live);   /* the schemas the file names too */
    if (rc) return rc;
    rc = sinew_schema_drift(expected, live, db->dialect, report, ndrift);
    sinew_schema_free(live);
    return rc;
}

int sinew_migrate_check(sinew_db *db, const char *dir, char **report, size_t *ndrift)
{
    if (!db || !dir || !ndrift)
        return sinew_error_set(SINEW_MISUSE, "sinew_migrate_check: db, dir and ndrift must not be NULL");
    *ndrift = 0;
    if (report) *report = NULL;
    sinew_migration_status *st;
    size_t n;
    int rc = sinew_migrate_status(db, dir, &st, &n);
    if (rc) return rc;
    const char *last = NULL;
    for (size_t i = 0; i < n; i++) if (st[i].applied && !st[i].missing) last = st[i].name;
    sinew_schema *expected = NULL;
    if (last) {
        char p[4200];
        snprintf(p, sizeof p, "%s/%s/schema.sinew", dir, last);
        rc = sn_mig_load_snapshot(p, &expected);
    }
    sinew_migrate_status_free(st, n);
    if (!rc) rc = sn_migrate_check_graph(db, expected, report, ndrift);
    sinew_schema_free(expected);
    return rc;
}
