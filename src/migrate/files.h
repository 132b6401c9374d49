/*
 * files.h - private: the migrations directory on disk (files.c) and the
 * pieces the runner, `make` and the CLI share.
 *
 *   migrations/0001_init/up.sqlite.sql      SQL per dialect (or up.sql for one dialect)
 *   migrations/0001_init/down.sqlite.sql
 *   migrations/0001_init/schema.sinew       the schema after this migration
 *
 * Every SQL file starts with "-- sinew migration NAME (parent PARENT)": the
 * parent is the migration it was made on top of, which is how two
 * migrations made on different branches are told apart.
 */
#ifndef SINEW_MIGRATE_FILES_H
#define SINEW_MIGRATE_FILES_H

#include <stdint.h>
#include "base.h"
#include "sinew/schema.h"

typedef struct sn_mig {
    char *name;                 /* "0002_add_email" */
    int number;                 /* 2 */
    char *path;                 /* "migrations/0002_add_email" */
    char *parent;               /* "0001_init", or NULL for the first */
} sn_mig;

typedef struct sn_migset {
    sn_mig *v;
    size_t n;
} sn_migset;

/* SINEW_NOTFOUND (saying what to do) unless dir exists and is a directory. */
int sn_mig_require_dir(const char *dir);
/* Read dir (a missing dir is an empty set); sorted by number, then name. */
int sn_mig_scan(const char *dir, sn_migset *out);
void sn_migset_free(sn_migset *s);
/* Two migrations with one number, two children of one parent, a broken chain: SINEW_CONFLICT. */
int sn_mig_check_order(const sn_migset *s, const char *dir);
/* Move conflicting migrations after the last one; *moved gets how many (prints nothing). */
int sn_mig_renumber(const char *dir, size_t *moved);

/* The SQL of a migration for a dialect ("sqlite", "postgres"); *path gets the file used. */
int sn_mig_sql(const sn_mig *m, const char *dialect, int up, char **text, char **path);
/* A checksum of a migration's text (FNV-1a 64 as 16 hex digits); buf holds 17 bytes. */
void sn_mig_checksum(const char *text, char buf[17]);

int sn_read_file(const char *path, char **out);          /* NUL-terminated, sn_free it */
int sn_write_file(const char *path, const char *text);

/* Split SQL text into statements (respecting quotes, comments and $$ bodies). */
typedef struct sn_stmts {
    char **v;
    int *line;                  /* 1-based line where each statement starts */
    size_t n;
} sn_stmts;
int sn_split_sql(const char *text, sn_stmts *out);
void sn_stmts_free(sn_stmts *s);

/* ---- make (make.c) ---- */
struct sinew_make_opts;
/*
 * Write the next migration of `dir` from graph `from` (the latest snapshot,
 * NULL for none) to `to`, whose schema-language text `snapshot` is stored as
 * schema.sinew. *created: the new folder (sn_free), NULL when nothing changed.
 */
int sn_mig_make_from(const char *dir, const sinew_schema *from, const sinew_schema *to,
                     const char *snapshot, const char *name, const struct sinew_make_opts *opts,
                     char **created);

/* ---- check (check.c) ---- */
struct sinew_db;
/* Drift between the live database and `expected`; see sinew_migrate_check(). */
int sn_migrate_check_graph(struct sinew_db *db, const sinew_schema *expected, char **report, size_t *ndrift);

/* ---- the schema file: parsed by the schema-language parser (schema_io.c) ---- */
int sn_mig_load_schema(const char *path, sinew_schema **out);
/*
 * A migration's schema.sinew. Snapshots written before to-one foreign keys
 * were indexed by default lack SN_SNAPSHOT_MARK: their graph is read without
 * those automatic indexes (the migrations that built the database did not
 * create them), so the next `migrate make` adds them and `migrate check`
 * agrees with a database built by the older migrations.
 */
#define SN_SNAPSHOT_MARK "// sinew snapshot 2: to-one foreign keys are indexed unless @no_index\n"
int sn_mig_load_snapshot(const char *path, sinew_schema **out);

/* ---- drift: see migrate/drift.h ---- */

#endif
