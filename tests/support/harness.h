/*
 * harness.h - shared test support. Database tests call th_open() and get a
 * fresh, empty database of the backend under test (SINEW_TEST_BACKEND:
 * "sqlite" by default, "postgres", whose server URL the test command puts in
 * SINEW_TEST_PG_URL, or "mariadb", with SINEW_TEST_MARIADB_URL). The same test
 * source therefore runs on every backend.
 * With SINEW_TEST_LAYOUT=citus (the `citus` stage), PostgreSQL is a Citus
 * coordinator (SINEW_TEST_CITUS_URL) and each fresh database is a distributed
 * schema of its own instead (harness.c says how).
 */
#ifndef SINEW_TEST_HARNESS_H
#define SINEW_TEST_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "sinew/sinew.h"

/* "sqlite", "postgres" or "mariadb" */
const char *th_backend(void);
int th_is_postgres(void);
int th_is_mariadb(void);
/* 1 for a backend on a server (PostgreSQL, MariaDB): a database per th_open() */
int th_is_server(void);
/* PostgreSQL on a Citus coordinator, a distributed schema per th_open() (SINEW_TEST_LAYOUT=citus) */
int th_is_citus(void);

/* Open a fresh, empty database of the backend under test; fails the test on error. */
sinew_db *th_open(void);
/* Close it (and drop it, for servers). */
void th_close(sinew_db *db);
/* The URL th_open() used last (for tests that open a second connection). */
const char *th_last_url(void);

/* A fresh temporary directory (removed by th_cleanup_dirs at exit). */
const char *th_tmpdir(void);

/* ---- statement capture through the log hook ----
 * Captured statements show identifiers in double quotes on every backend (MariaDB's backticks
 * are rewritten), so a test's needle is the same for all of them. */
typedef struct th_capture {
    char **sql;
    size_t count;
    size_t cap;
} th_capture;

/* `sql` (from sinew_query_sql, say) as captured statements show it: MariaDB's backticks as double
 * quotes. A copy that stays valid for the next 15 calls; NULL for NULL. */
const char *th_sql(const char *sql);
void th_capture_start(sinew_db *db, th_capture *cap);   /* installs the log hook */
void th_capture_stop(sinew_db *db, th_capture *cap);    /* removes it, keeps the statements */
void th_capture_clear(th_capture *cap);
void th_capture_free(th_capture *cap);
/* Number of captured statements containing `needle`. */
size_t th_capture_count(const th_capture *cap, const char *needle);

/* Assert a status and, when `needle` is not NULL, that sinew_errmsg() contains it. */
#define th_assert_status(expr, status, needle) \
    th_assert_status_(expr, status, needle, #expr, __FILE__, __LINE__)
void th_assert_status_(int got, int want, const char *needle, const char *expr,
                       const char *file, int line);
#define th_ok(expr) th_assert_status(expr, SINEW_OK, NULL)

#endif
