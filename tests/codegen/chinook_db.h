/*
 * chinook_db.h - the Chinook sample database on the backend under test, for
 * the tests of code generated from it. On SQLite it is tests/data/chinook's
 * file, opened read-only; on PostgreSQL a database of the test's own, made
 * from that file: the tables sinew_create_tables() makes of its introspected
 * schema (same table and column names), then every row copied, so that the
 * same generated code and the same assertions run on both.
 */
#ifndef SINEW_TEST_CHINOOK_DB_H
#define SINEW_TEST_CHINOOK_DB_H

#include "harness.h"

/* Make the database (PostgreSQL: create and fill it; SQLite: nothing to do). Once per program. */
void chinook_setup(const char *sqlite_path);
/* Open a connection to it (each test its own); close with sinew_close. */
sinew_db *chinook_open(void);
/* Drop what chinook_setup made. */
void chinook_teardown(void);

#endif
