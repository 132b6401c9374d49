/*
 * ?isolation=read_committed|repeatable_read|serializable in the URL: every transaction sinew begins
 * on the connection (sinew_begin, sinew_transaction, a session's flush) runs at that level, read
 * back from the server inside one (PostgreSQL: BEGIN ISOLATION LEVEL per transaction; MariaDB: the
 * session's level, set at connect; SQLite: always serializable, the parameter is checked only).
 * Another value is refused at open, naming the parameter, the value and the accepted ones.
 */
#include "harness.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>

static char url[1400], sqlite_url[1024];

/* the database th_open() made: a file on SQLite (its th_open() is a memory database, one per handle) */
static const char *base_url(void)
{
    if (th_is_server()) return th_last_url();
    snprintf(sqlite_url, sizeof sqlite_url, "sqlite:%s/isolation.db", th_tmpdir());
    return sqlite_url;
}

/* base_url() with `extra` appended as a query parameter */
static const char *with_params(const char *extra)
{
    const char *base = base_url();
    snprintf(url, sizeof url, "%s%c%s", base, strchr(base, '?') ? '&' : '?', extra);
    return url;
}

/* the transaction's isolation level as the server says it ("serializable", ...); "" on SQLite */
static void level_of(sinew_db *db, char *out, size_t cap)
{
    out[0] = '\0';
    const char *sql = th_is_postgres() ? "SHOW transaction_isolation"
                    : th_is_mariadb() ? "SELECT @@tx_isolation" : NULL;
    if (!sql) return;
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    sinew_rows *r;
    th_ok(sinew_raw_rows(s, sql, NULL, 0, &r));
    th_assert_status(sinew_rows_next(r), SINEW_ROW, NULL);
    sinew_value v = sinew_rows_value(r, 0);
    assert_false(v.is_null);
    snprintf(out, cap, "%.*s", (int)v.u.s.len, v.u.s.ptr);
    sinew_rows_free(r);
    sinew_session_free(s);
}

/* "REPEATABLE-READ" (MariaDB) and "repeatable read" (PostgreSQL) are both "repeatable_read" */
static void assert_level(const char *got, const char *want)
{
    if (!th_is_server()) return;
    char norm[64];
    snprintf(norm, sizeof norm, "%s", got);
    for (char *p = norm; *p; p++)
        if (*p == ' ' || *p == '-') *p = '_';
    if (strcasecmp(norm, want)) fail_msg("isolation level %s, want %s", got, want);
}

static int in_transaction(sinew_db *db, void *ctx)
{
    level_of(db, ctx, 64);
    return sinew_exec(db, "UPDATE iso SET v = v + 1");
}

static void check_level(const char *name)
{
    char param[64];
    snprintf(param, sizeof param, "isolation=%s", name);
    sinew_db *db;
    th_ok(sinew_open(with_params(param), &db));
    char got[64];
    /* sinew_begin */
    th_ok(sinew_begin(db));
    level_of(db, got, sizeof got);
    assert_level(got, name);
    th_ok(sinew_exec(db, "UPDATE iso SET v = v + 1"));
    th_ok(sinew_commit(db));
    /* sinew_transaction, with a write that commits */
    th_ok(sinew_transaction(db, in_transaction, got, NULL));
    assert_level(got, name);
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    sinew_rows *r;
    th_ok(sinew_raw_rows(s, "SELECT v FROM iso", NULL, 0, &r));
    th_assert_status(sinew_rows_next(r), SINEW_ROW, NULL);
    assert_int_equal(sinew_rows_value(r, 0).u.i, 2);
    sinew_rows_free(r);
    sinew_session_free(s);
    th_ok(sinew_exec(db, "UPDATE iso SET v = 0"));
    sinew_close(db);
}

static void every_transaction_runs_at_the_urls_level(void **state)
{
    (void)state;
    sinew_db *owner = th_open(), *db;
    th_ok(sinew_open(base_url(), &db));
    th_ok(sinew_exec(db, "DROP TABLE IF EXISTS iso"));
    th_ok(sinew_exec(db, "CREATE TABLE iso (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)"));
    th_ok(sinew_exec(db, "INSERT INTO iso VALUES (1, 0)"));
    sinew_close(db);
    check_level("serializable");
    check_level("repeatable_read");
    check_level("read_committed");
    th_close(owner);
}

/* PostgreSQL behind a transaction-mode pooler: the level and the SET LOCAL timeouts in one BEGIN */
static void the_level_goes_with_the_pooled_timeouts(void **state)
{
    (void)state;
    sinew_db *owner = th_open();
    if (!th_is_postgres()) {
        th_close(owner);
        return;   /* pgbouncer= and the SET LOCAL timeouts are PostgreSQL's */
    }
    sinew_db *db;
    const char *base = th_last_url();
    snprintf(url, sizeof url, "%s%c%s", base, strchr(base, '?') ? '&' : '?',
             strstr(base, "pgbouncer=") ? "isolation=serializable&lock_timeout=1234"
                                        : "isolation=serializable&lock_timeout=1234&pgbouncer=true");
    th_ok(sinew_open(url, &db));
    th_ok(sinew_begin(db));
    char got[64];
    level_of(db, got, sizeof got);
    assert_level(got, "serializable");
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    sinew_rows *r;
    th_ok(sinew_raw_rows(s, "SHOW lock_timeout", NULL, 0, &r));
    th_assert_status(sinew_rows_next(r), SINEW_ROW, NULL);
    sinew_value v = sinew_rows_value(r, 0);
    assert_true(v.u.s.len >= 6 && !strncmp(v.u.s.ptr, "1234ms", 6));
    sinew_rows_free(r);
    sinew_session_free(s);
    th_ok(sinew_commit(db));
    sinew_close(db);
    th_close(owner);
}

static void an_unknown_level_is_refused_at_open(void **state)
{
    (void)state;
    sinew_db *owner = th_open();
    sinew_db *db = NULL;
    th_assert_status(sinew_open(with_params("isolation=snapshot"), &db), SINEW_INVALID,
                     "isolation=snapshot is not an isolation level; say isolation=read_committed, "
                     "isolation=repeatable_read or isolation=serializable");
    assert_null(db);
    th_assert_status(sinew_open(with_params("isolation=SERIALIZABLE"), &db), SINEW_INVALID, "isolation=SERIALIZABLE");
    assert_null(db);
    th_close(owner);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_transaction_runs_at_the_urls_level),
        cmocka_unit_test(the_level_goes_with_the_pooled_timeouts),
        cmocka_unit_test(an_unknown_level_is_refused_at_open),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
