/*
 * sinew_read_transaction() on a session made on a connection (no router), on
 * every backend: reads work in it; a write in it (a flush, raw SQL) fails with
 * SINEW_READONLY and writes nothing, on a retried attempt too (MariaDB's READ
 * ONLY holds for one transaction); afterwards the session writes again
 * (SQLite's query_only is undone, on failure too); inside an open read-write
 * transaction it is a savepoint of that transaction, which still writes.
 */
#include "harness.h"
#include "../relations/blog_models.h"
#include <stdio.h>
#include <string.h>

static int64_t count_users(sinew_session *s)
{
    sinew_query *q = sinew_query_new(s, &user_model);
    int64_t n = -1;
    th_ok(sinew_query_count(q, &n));
    sinew_query_free(q);
    return n;
}

static sinew_db *seeded(sinew_session **s)
{
    sinew_db *db = th_open();
    th_ok(sinew_create_tables(db, &blog_schema));
    th_ok(sinew_session_new(db, s));
    User *u;
    th_ok(sinew_new(*s, &user_model, (void **)&u));
    u->email = sinew_strdup(*s, "first@example.com");
    th_ok(sinew_session_flush(*s));
    return db;
}

typedef struct probe {
    int64_t seen;          /* users counted inside */
    int attempts;          /* calls of the function */
    int retry_first;       /* 1: the first attempt asks for a retry */
    int write;             /* 0: read only; 1: flush a new user; 2: raw INSERT */
    int write_rc;          /* what the write gave */
} probe;

static int read_fn(sinew_session *s, void *ctx)
{
    probe *p = ctx;
    p->attempts++;
    if (p->retry_first && p->attempts == 1) return sinew_error_set(SINEW_RETRY, "test: try again");
    p->seen = count_users(s);
    if (p->write == 1) {
        User *u;
        th_ok(sinew_new(s, &user_model, (void **)&u));
        u->email = sinew_strdup(s, "inside@example.com");
        p->write_rc = sinew_session_flush(s);
        return p->write_rc;
    }
    if (p->write == 2) {
        p->write_rc = sinew_exec(sinew_session_db(s), "INSERT INTO users (email) VALUES ('raw@example.com')");
        return p->write_rc;
    }
    return SINEW_OK;
}

static void reads_work_in_a_read_transaction(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = seeded(&s);
    probe p = {0};
    th_ok(sinew_read_transaction(s, read_fn, &p, NULL));
    assert_int_equal(p.seen, 1);
    assert_int_equal(p.attempts, 1);
    assert_int_equal(sinew_tx_depth(db), 0);
    sinew_session_free(s);
    th_close(db);
}

static void a_flush_in_a_read_transaction_is_readonly(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = seeded(&s);
    probe p = {.write = 1};
    th_assert_status(sinew_read_transaction(s, read_fn, &p, NULL), SINEW_READONLY, "reads only");
    assert_int_equal(p.write_rc, SINEW_READONLY);
    assert_int_equal(p.seen, 1);
    assert_int_equal(sinew_tx_depth(db), 0);
    assert_int_equal(count_users(s), 1);                  /* nothing written */
    /* the session writes again: the refused user is still pending and goes now */
    th_ok(sinew_session_flush(s));
    assert_int_equal(count_users(s), 2);
    User *u;
    th_ok(sinew_new(s, &user_model, (void **)&u));
    u->email = sinew_strdup(s, "after@example.com");
    th_ok(sinew_session_flush(s));
    assert_int_equal(count_users(s), 3);
    sinew_session_free(s);
    th_close(db);
}

static void raw_sql_in_a_read_transaction_is_readonly(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = seeded(&s);
    probe p = {.write = 2};
    th_assert_status(sinew_read_transaction(s, read_fn, &p, NULL), SINEW_READONLY, "reads only");
    assert_int_equal(p.write_rc, SINEW_READONLY);
    assert_int_equal(count_users(s), 1);
    th_ok(sinew_exec(db, "INSERT INTO users (email) VALUES ('raw@example.com')"));   /* and outside it, writes */
    assert_int_equal(count_users(s), 2);
    /* an ordinary transaction after it writes too */
    th_ok(sinew_begin(db));
    th_ok(sinew_exec(db, "INSERT INTO users (email) VALUES ('tx@example.com')"));
    th_ok(sinew_commit(db));
    assert_int_equal(count_users(s), 3);
    sinew_session_free(s);
    th_close(db);
}

/* each attempt begins again, read-only again (MariaDB's SET TRANSACTION READ ONLY is for one transaction) */
static void a_retried_attempt_is_readonly_too(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = seeded(&s);
    sinew_retry_policy fast = {3, 0, 1};
    probe p = {.retry_first = 1, .write = 2};
    th_assert_status(sinew_read_transaction(s, read_fn, &p, &fast), SINEW_READONLY, "reads only");
    assert_int_equal(p.attempts, 2);
    assert_int_equal(count_users(s), 1);
    th_ok(sinew_exec(db, "INSERT INTO users (email) VALUES ('raw@example.com')"));
    assert_int_equal(count_users(s), 2);
    sinew_session_free(s);
    th_close(db);
}

/* inside an open read-write transaction: a savepoint of it, which takes writes as that transaction does */
static int nested_body(sinew_db *db, void *ctx)
{
    (void)db;
    sinew_session *s = ctx;
    probe p = {.write = 2};
    int rc = sinew_read_transaction(s, read_fn, &p, NULL);
    assert_int_equal(p.write_rc, SINEW_OK);
    return rc;
}

static void nested_in_a_transaction_is_a_savepoint(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = seeded(&s);
    th_ok(sinew_transaction(db, nested_body, s, NULL));
    assert_int_equal(sinew_tx_depth(db), 0);
    assert_int_equal(count_users(s), 2);
    sinew_session_free(s);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_work_in_a_read_transaction),
        cmocka_unit_test(a_flush_in_a_read_transaction_is_readonly),
        cmocka_unit_test(raw_sql_in_a_read_transaction_is_readonly),
        cmocka_unit_test(a_retried_attempt_is_readonly_too),
        cmocka_unit_test(nested_in_a_transaction_is_a_savepoint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
