/*
 * test_sqlite_build.c - the SQLite sinew runs on is the one it was built for:
 * the header this tree compiles against and the code inside libsinew agree
 * (two copies of SQLite in one process break each other's file locks), and
 * the embedded build (the default; vendor/sqlite) has its options: FTS5,
 * JSON, the math functions, SQLITE_DQS=0, multi-thread mode, no shared cache.
 * Built with -DSINEW_SYSTEM_SQLITE=ON, only the agreement is checked.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include "sinew/sinew.h"
#include "orm/orm.h"

struct sqlite3 *sn_sqlite_handle(sinew_conn *c);

static int failures;
#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); failures++; } } while (0)

/* the first column of the first row of sql on db, as text ("" on error, with the error counted) */
static void one(sqlite3 *db, const char *sql, char *out, size_t n)
{
    sqlite3_stmt *st = NULL;
    out[0] = 0;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
    else if (rc != SQLITE_DONE)
        CHECK(0, "%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_finalize(st);
}

int main(void)
{
    sinew_db *sdb = NULL;
    if (sinew_open("sqlite::memory:", &sdb) != SINEW_OK) {
        fprintf(stderr, "FAIL: sinew_open: %s\n", sinew_errmsg());
        return 1;
    }
    sqlite3 *db = sn_sqlite_handle(sdb->conn);
    char v[256];
    /* header, library code and sinew's connection: one SQLite */
    CHECK(sqlite3_libversion_number() == SQLITE_VERSION_NUMBER, "the library is SQLite %s, the header %s",
          sqlite3_libversion(), SQLITE_VERSION);
    CHECK(strcmp(sqlite3_sourceid(), SQLITE_SOURCE_ID) == 0, "source ids differ: %s / %s", sqlite3_sourceid(),
          SQLITE_SOURCE_ID);
    one(db, "SELECT sqlite_version()", v, sizeof v);
    CHECK(strcmp(v, SQLITE_VERSION) == 0, "sinew's connection runs SQLite %s, the header is %s", v, SQLITE_VERSION);
#ifndef SINEW_SYSTEM_SQLITE
    CHECK(SQLITE_VERSION_NUMBER >= 3053000, "the embedded SQLite is %s, vendor/sqlite has 3.53.0", SQLITE_VERSION);
    static const char *const opts[] = {"THREADSAFE=2", "DQS=0", "DEFAULT_MEMSTATUS=0", "OMIT_SHARED_CACHE",
                                       "OMIT_DEPRECATED", "OMIT_LOAD_EXTENSION", "ENABLE_FTS5",
                                       "ENABLE_MATH_FUNCTIONS", "LIKE_DOESNT_MATCH_BLOBS"};
    for (size_t i = 0; i < sizeof opts / sizeof *opts; i++)
        CHECK(sqlite3_compileoption_used(opts[i]), "the embedded SQLite is built without SQLITE_%s", opts[i]);
    CHECK(sqlite3_threadsafe() == 2, "sqlite3_threadsafe() is %d, not 2 (multi-thread)", sqlite3_threadsafe());
    /* the features, through sinew's own connection */
    one(db, "SELECT sqrt(16) + log10(100)", v, sizeof v);
    CHECK(strcmp(v, "6.0") == 0, "math functions: sqrt(16) + log10(100) = '%s'", v);
    one(db, "SELECT json_extract('{\"a\":[1,2,3]}', '$.a[2]')", v, sizeof v);
    CHECK(strcmp(v, "3") == 0, "json_extract gave '%s'", v);
    CHECK(sinew_exec(sdb, "CREATE VIRTUAL TABLE docs USING fts5(body)") == SINEW_OK, "fts5: %s", sinew_errmsg());
    CHECK(sinew_exec(sdb, "INSERT INTO docs(body) VALUES ('the quick brown fox'), ('lazy dogs')") == SINEW_OK,
          "fts5 insert: %s", sinew_errmsg());
    one(db, "SELECT body FROM docs WHERE docs MATCH 'quick'", v, sizeof v);
    CHECK(strcmp(v, "the quick brown fox") == 0, "fts5 MATCH gave '%s'", v);
    /* SQLITE_DQS=0: a double-quoted name that is no column is an error, not the string "nope" */
    sqlite3_stmt *st = NULL;
    CHECK(sqlite3_prepare_v2(db, "SELECT \"nope\"", -1, &st, NULL) != SQLITE_OK, "\"nope\" was taken as a string");
    sqlite3_finalize(st);
#endif
    sinew_close(sdb);
    if (failures) return 1;
    printf("SQLite %s: header, library and sinew's connection agree%s\n", SQLITE_VERSION,
#ifndef SINEW_SYSTEM_SQLITE
           "; the embedded build's options and features are there"
#else
           " (the system libsqlite3)"
#endif
    );
    return 0;
}
