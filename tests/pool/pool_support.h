/*
 * pool_support.h - helpers shared by the pool tests: a database every pooled
 * connection can reach (a file for SQLite, a fresh database for PostgreSQL)
 * and reading one number with a throwaway session.
 */
#ifndef SINEW_TEST_POOL_SUPPORT_H
#define SINEW_TEST_POOL_SUPPORT_H

#include "harness.h"

typedef struct pool_target {
    sinew_db *owner;        /* PostgreSQL: th_open()'s handle (drops the database at the end); else NULL */
    char url[1200];
} pool_target;

/* A fresh, empty database for a pool: an SQLite file, or a PostgreSQL database of its own. */
void pool_target_make(pool_target *t);
void pool_target_drop(pool_target *t);

/* The first column of the first row of `sql` as an integer; returns a status (no cmocka calls: any thread). */
int pool_scalar(sinew_db *db, const char *sql, int64_t *out);
/* The same, failing the test on error (main thread only). */
int64_t pool_scalar_ok(sinew_db *db, const char *sql);

/* sinew_exec with printf formatting (integers only: tests, not an API pattern). */
int pool_execf(sinew_db *db, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

double pool_now_ms(void);
void pool_sleep_ms(int ms);

#endif
