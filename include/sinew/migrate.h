/*
 * sinew/migrate.h - introspection of a live database, and migrations:
 * make (diff two schema graphs into SQL files), apply, roll back, status
 * and drift checks.
 *
 *   sinew_db *db;  sinew_open("sqlite:app.db", &db);
 *   if (sinew_migrate_up(db, "migrations") != SINEW_OK)
 *       fprintf(stderr, "%s\n", sinew_errmsg());
 *
 * A migrations directory holds one folder per migration, NNNN_name/, with
 * up.<dialect>.sql, down.<dialect>.sql (or plain up.sql/down.sql for a single
 * dialect) and schema.sinew, the snapshot of the schema after it. See
 * docs/migrations.md.
 */
#ifndef SINEW_MIGRATE_H
#define SINEW_MIGRATE_H

#include "export.h"

#include <stddef.h>
#include "db.h"
#include "dialect.h"
#include "schema.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Read the live database's tables, columns, keys, indexes and foreign keys
 * into a graph (free it with sinew_schema_free). Relations and their
 * inverses are inferred from foreign keys. sinew's own bookkeeping table
 * (sinew_migrations) is left out.
 */
SINEW_API int sinew_introspect(sinew_db *db, sinew_schema **out);
/*
 * What a graph from sinew_introspect could not say (PostgreSQL enum types,
 * domains, arrays and other types read as text, generated columns, views,
 * partial and expression indexes, CHECK constraints, defaults that are
 * expressions, partitions): one line per item, "table T, column C: what;
 * what to do", owned by the graph; NULL when there is nothing (or for a
 * graph that did not come from sinew_introspect, or whose name was changed).
 */
SINEW_API const char *sinew_introspect_notes(const sinew_schema *schema);
/*
 * PostgreSQL: the tables of the named schemas (n of them; n = 0 is
 * sinew_introspect, which reads the schemas of the connection's search
 * path, its models without a schema). Each model records its schema
 * (`@@schema("app")`, sinew_model.db_schema), so tables of the same name in
 * two schemas are two models and sinew's SQL names them "app"."t".
 * SQLite and MariaDB: SINEW_UNSUPPORTED for n > 0.
 */
SINEW_API int sinew_introspect_schemas(sinew_db *db, const char *const *schemas, size_t n, sinew_schema **out);
/*
 * The live database as the graph `like` names its tables: every schema a
 * model of `like` names with @@schema (models with it) and, when a model has
 * none, the schemas of the search path (models without a schema). What `migrate check`, `migrate
 * baseline` and `diagram --db FILE` compare with. like NULL or without
 * @@schema: sinew_introspect.
 */
SINEW_API int sinew_introspect_like(sinew_db *db, const sinew_schema *like, sinew_schema **out);

/* Dialects a migration is written for: SINEW_DIALECT_* (sinew/dialect.h). */
typedef struct sinew_make_opts {
    unsigned dialects;           /* SINEW_DIALECT_*; 0 means all */
    int allow_destructive;       /* permit drops, lossy type changes, look-alike renames */
} sinew_make_opts;

/*
 * Compare `schema_path` with the snapshot of the latest migration in `dir`
 * and write dir/NNNN_name/. *created (optional, caller frees with
 * sinew_migrate_free) gets the new folder's path, or NULL when nothing
 * changed (SINEW_OK either way). Destructive changes without
 * allow_destructive, and a dropped + added column that look like a rename,
 * fail with SINEW_INVALID and a message saying what to do.
 */
SINEW_API int sinew_migrate_make(const char *dir, const char *schema_path, const char *name,
                       const sinew_make_opts *opts, char **created);

/*
 * Apply pending migrations in order, each in its own transaction, up to and
 * including number `to` (0: all). Concurrent runners are serialised. On a
 * failing statement the database stays at the last good migration and the
 * message names the migration file and the statement.
 */
SINEW_API int sinew_migrate_up(sinew_db *db, const char *dir);
SINEW_API int sinew_migrate_up_to(sinew_db *db, const char *dir, int to);
/* Roll back applied migrations numbered above `to` (newest first); to = -1 rolls back one. */
SINEW_API int sinew_migrate_down(sinew_db *db, const char *dir, int to);
/*
 * A missing `dir` is SINEW_NOTFOUND for up, down, status and check (only
 * make creates it). The _report forms call `cb` after each migration is
 * committed: its name, 1 for applied / 0 for rolled back, and the seconds
 * it took (the `sinew migrate` tool prints these lines).
 */
typedef void sinew_migrate_progress(void *ctx, const char *name, int up, double seconds);
SINEW_API int sinew_migrate_up_report(sinew_db *db, const char *dir, int to, sinew_migrate_progress *cb, void *ctx);
SINEW_API int sinew_migrate_down_report(sinew_db *db, const char *dir, int to, sinew_migrate_progress *cb, void *ctx);

typedef struct sinew_migration_status {
    char *name;                  /* "0002_add_email" */
    int number;
    int applied;                 /* recorded in sinew_migrations */
    char *applied_at;            /* "YYYY-MM-DD HH:MM:SS" UTC, or NULL */
    int modified;                /* applied, but its up file changed since */
    int missing;                 /* applied, but its folder is gone */
} sinew_migration_status;

SINEW_API int sinew_migrate_status(sinew_db *db, const char *dir, sinew_migration_status **out, size_t *count);
SINEW_API void sinew_migrate_status_free(sinew_migration_status *st, size_t count);

/*
 * Compare the live database with the schema the applied migrations should
 * have built. *ndrift gets the number of differences; *report (optional,
 * free with sinew_migrate_free) lists them table by table.
 */
SINEW_API int sinew_migrate_check(sinew_db *db, const char *dir, char **report, size_t *ndrift);

/*
 * The drift engine itself, the one sinew_migrate_check(), the diagram's drift
 * view and `sinew db pull` use: the differences between `expected` and `live`
 * (a graph from sinew_introspect on a connection of `dialect`, see
 * sinew_db_dialect), one "table T: ..." line each in *report (optional, free
 * with sinew_migrate_free). Either graph may be NULL (no tables).
 */
SINEW_API int sinew_schema_drift(const sinew_schema *expected, const sinew_schema *live, const sinew_dialect *dialect,
                                 char **report, size_t *ndrift);

/*
 * Adopt an existing database: record the migrations up to number `to` (0:
 * only the first) as applied without running them. Refused (SINEW_CONFLICT,
 * nothing recorded) when the database already has applied migrations or
 * differs from that migration's schema snapshot; then *ndrift (optional)
 * counts the differences and *report (optional, sinew_migrate_free) lists
 * them as sinew_migrate_check does. `cb` is called once per recorded
 * migration (seconds = 0). See docs/migrations.md, "Adopting sinew".
 */
SINEW_API int sinew_migrate_baseline(sinew_db *db, const char *dir, int to, sinew_migrate_progress *cb, void *ctx,
                                     char **report, size_t *ndrift);

/* Free a string returned by this API. */
SINEW_API void sinew_migrate_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
