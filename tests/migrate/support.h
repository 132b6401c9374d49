/*
 * support.h - helpers for the migration tests: schema graphs from SQLite
 * DDL (introspected from a scratch in-memory database, so the tests need no
 * schema parser), rows as text for row-by-row comparison, file edits.
 */
#ifndef SINEW_TEST_MIGRATE_SUPPORT_H
#define SINEW_TEST_MIGRATE_SUPPORT_H

#include "harness.h"
#include "sinew/migrate.h"

/* A graph from CREATE TABLE statements (freed with sinew_schema_free). */
sinew_schema *mt_graph(const char *ddl);
/* Set @renamed_from on table.column of a run-time graph. */
void mt_rename_from(sinew_schema *s, const char *table, const char *column, const char *old);
/* The rows of `sql` as "a|b|NULL\n" lines (caller frees). */
char *mt_rows(sinew_db *db, const char *sql);
/* Assert the rows of `sql` equal `want`. */
void mt_assert_rows(sinew_db *db, const char *sql, const char *want);
/* Insert `text` before the first line of file containing `marker` (or at the end). */
void mt_insert_before(const char *file, const char *marker, const char *text);
char *mt_read(const char *file);
void mt_write(const char *file, const char *text);
/* A fresh directory under the test's temporary directory. */
const char *mt_dir(const char *name);
/* Number of differences between the live db and `expected`. */
size_t mt_drift(sinew_db *db, const sinew_schema *expected, char **report);

#endif
