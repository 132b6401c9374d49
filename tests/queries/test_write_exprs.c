/*
 * Expressions in writes (#21 item 2): SET seq = seq + 1 through
 * sinew_query_update_set is one atomic statement, so 8 threads with their
 * own connections incrementing one counter 1,000 times each lose no
 * update and need no @version retry; column-to-column assignments and
 * arithmetic render and run; wrong ones are refused before anything is
 * sent; an upsert's DO UPDATE can read the proposed row (EXCLUDED).
 */
#include "harness.h"
#include "tracker.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { THREADS = 8, ROUNDS = 1000 };

static sinew_db *db;
static sinew_session *s;
static char url[700];

/* a database other connections can open too: SQLite's :memory: is one connection's own */
static sinew_db *open_shared(void)
{
    static int n;
    if (th_is_postgres()) {
        sinew_db *d = th_open();
        snprintf(url, sizeof url, "%s", th_last_url());
        return d;
    }
    snprintf(url, sizeof url, "sqlite:%s/exprs%d.db", th_tmpdir(), ++n);
    sinew_db *d;
    th_ok(sinew_open(url, &d));
    return d;
}

static int setup(void **state)
{
    tracker_fixture(state, &db, &s);
    db = open_shared();
    th_ok(tracker_seed(db, 10));
    th_ok(sinew_session_new(db, &s));
    return 0;
}

static int64_t seq_of(int64_t id)
{
    sinew_rows *r;
    sinew_value p = sinew_v_int64(id);
    th_ok(sinew_raw_rows(s, "SELECT seq FROM tickets WHERE id = ?", &p, 1, &r));
    assert_int_equal(sinew_rows_next(r), SINEW_ROW);
    int64_t v = sinew_rows_value(r, 0).u.i;
    sinew_rows_free(r);
    return v;
}

typedef struct worker {
    const char *url;
    int rc, done;
    char msg[256];
} worker;

static void *increment(void *arg)
{
    worker *w = arg;
    sinew_db *mine = NULL;
    sinew_session *ms = NULL;
    w->rc = sinew_open(w->url, &mine);
    if (w->rc == SINEW_OK) w->rc = sinew_session_new(mine, &ms);
    sinew_set inc = sinew_set_expr(TICKET_SEQ, sinew_col_op(TICKET_SEQ, '+', sinew_v_int64(1)));
    for (int i = 0; i < ROUNDS && w->rc == SINEW_OK; i++) {
        sinew_query *q = sinew_query_new(ms, &ticket_model);
        int64_t changed = 0;
        w->rc = sinew_where(q, sinew_eq(TICKET_ID, sinew_v_int64(tracker_id(0))));
        if (!w->rc) w->rc = sinew_query_update_set(q, &inc, 1, &changed);
        if (!w->rc && changed == 1) w->done++;
        sinew_query_free(q);
    }
    snprintf(w->msg, sizeof w->msg, "%s", w->rc ? sinew_errmsg() : "");
    if (ms) sinew_session_free(ms);
    if (mine) sinew_close(mine);
    return NULL;
}

static void concurrent_increments_lose_nothing(void **state)
{
    (void)state;
    worker w[THREADS];
    pthread_t t[THREADS];
    memset(w, 0, sizeof w);
    for (int i = 0; i < THREADS; i++) {
        w[i].url = url;
        assert_int_equal(pthread_create(&t[i], NULL, increment, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < THREADS; i++) {
        if (w[i].rc) fail_msg("thread %d: %s", i, w[i].msg);
        assert_int_equal(w[i].done, ROUNDS);
    }
    assert_int_equal(seq_of(tracker_id(0)), THREADS * ROUNDS);   /* ticket 0 began at seq 0 */
}

static void columns_and_arithmetic(void **state)
{
    (void)state;
    /* ticket k: priority k % 5, seq k. seq = priority (int32 into int64), priority = priority * 3 */
    sinew_set set[2] = {sinew_set_expr(TICKET_SEQ, TICKET_PRIORITY),
                        sinew_set_expr(TICKET_PRIORITY, sinew_col_op(TICKET_PRIORITY, '*', sinew_v_int32(3)))};
    sinew_query *q = sinew_query_new(s, &ticket_model);
    th_ok(sinew_where(q, sinew_eq(TICKET_ID, sinew_v_int64(tracker_id(4)))));
    th_capture cap = {0};
    th_capture_start(db, &cap);
    int64_t changed = 0;
    th_ok(sinew_query_update_set(q, set, 2, &changed));
    th_capture_stop(db, &cap);
    assert_int_equal(changed, 1);
    assert_int_equal(cap.count, 1);
    assert_non_null(strstr(cap.sql[0], "SET \"seq\" = \"priority\", \"priority\" = (\"priority\" * "));
    th_capture_free(&cap);
    sinew_query_free(q);
    /* SQL evaluates every right-hand side on the old row: seq got 4, not 12 */
    assert_int_equal(seq_of(tracker_id(4)), 4);
    sinew_rows *r;
    sinew_value p = sinew_v_int64(tracker_id(4));
    th_ok(sinew_raw_rows(s, "SELECT priority FROM tickets WHERE id = ?", &p, 1, &r));
    assert_int_equal(sinew_rows_next(r), SINEW_ROW);
    assert_int_equal(sinew_rows_value(r, 0).u.i, 12);
    sinew_rows_free(r);

    /* the old form and a mix of values and expressions still work, on a joined/paged query too */
    sinew_set mix[2] = {sinew_set_value(TICKET_TITLE, sinew_v_text("bumped")),
                        sinew_set_expr(TICKET_SEQ, sinew_col_op(TICKET_SEQ, '-', sinew_v_int64(100)))};
    q = sinew_query_new(s, &ticket_model);
    th_ok(sinew_order(q, TICKET_SEQ, SINEW_DESC));
    th_ok(sinew_limit(q, 2));
    th_ok(sinew_query_update_set(q, mix, 2, &changed));
    assert_int_equal(changed, 2);
    sinew_query_free(q);
    assert_int_equal(seq_of(tracker_id(9)), 9 - 100);
    assert_int_equal(seq_of(tracker_id(8)), 8 - 100);
}

static void refused(sinew_set a, const char *needle)
{
    sinew_query *q = sinew_query_new(s, &ticket_model);
    th_capture cap = {0};
    th_capture_start(db, &cap);
    th_assert_status(sinew_query_update_set(q, &a, 1, NULL), SINEW_MISUSE, needle);
    th_capture_stop(db, &cap);
    assert_int_equal(cap.count, 0);   /* nothing was sent */
    th_capture_free(&cap);
    sinew_query_free(q);
}

static void bad_assignments_are_refused(void **state)
{
    (void)state;
    refused(sinew_set_expr(TICKET_SEQ, TICKET_TITLE), "cannot take title");
    refused(sinew_set_expr(TICKET_PRIORITY, sinew_col_op(TICKET_PRIORITY, '*', sinew_v_double(0.5))),
            "integer arithmetic only");
    refused(sinew_set_expr(TICKET_SEQ, sinew_col_op(TICKET_SEQ, '/', sinew_v_int64(0))), "division by zero");
    refused(sinew_set_expr(TICKET_SEQ, sinew_col_op(TICKET_SEQ, '%', sinew_v_int64(2))), "not one of + - * /");
    refused(sinew_set_expr(sinew_col_op(TICKET_SEQ, '+', sinew_v_int64(1)), TICKET_SEQ), "not a plain column");
    refused(sinew_set_excluded(TICKET_SEQ, TICKET_SEQ), "has none");
    refused(sinew_set_combine(TICKET_SEQ, '+'), "has none");
    sinew_set twice[2] = {sinew_set_value(TICKET_SEQ, sinew_v_int64(1)), sinew_set_expr(TICKET_SEQ, TICKET_PRIORITY)};
    sinew_query *q = sinew_query_new(s, &ticket_model);
    th_assert_status(sinew_query_update_set(q, twice, 2, NULL), SINEW_MISUSE, "assigned twice");
    /* sticky: the query refuses again */
    th_assert_status(sinew_query_delete(q, NULL), SINEW_MISUSE, "assigned twice");
    sinew_query_free(q);
    assert_int_equal(seq_of(tracker_id(1)), 1);   /* nothing was written */
}

static void upsert_reads_the_proposed_row(void **state)
{
    (void)state;
    /* a hit counter: insert the row, or add the proposed count to the existing one */
    sinew_set set[2] = {sinew_set_combine(TICKET_SEQ, '+'), sinew_set_excluded(TICKET_TITLE, TICKET_TITLE)};
    const unsigned conflict[] = {0};
    Ticket t = {.id = tracker_id(3), .title = "renamed", .priority = 77, .status = STATUS_OPEN, .seq = 5};
    th_ok(sinew_upsert_set(s, &ticket_model, &t, conflict, 1, set, 2));
    assert_int_equal(t.seq, 3 + 5);              /* read back: the row's */
    assert_string_equal(t.title, "renamed");
    assert_int_equal(t.priority, 3);             /* not assigned: kept */
    assert_int_equal(seq_of(tracker_id(3)), 8);
    /* a new key inserts as given */
    Ticket n = {.id = 5000, .title = "new", .priority = 1, .status = STATUS_OPEN, .seq = 5};
    th_ok(sinew_upsert_set(s, &ticket_model, &n, conflict, 1, set, 2));
    assert_int_equal(seq_of(5000), 5);
    /* the existing row's column with arithmetic, and a value, bound after the row's values */
    sinew_set other[2] = {sinew_set_expr(TICKET_SEQ, sinew_col_op(TICKET_SEQ, '*', sinew_v_int64(10))),
                          sinew_set_value(TICKET_PRIORITY, sinew_v_int32(42))};
    th_ok(sinew_upsert_set(s, &ticket_model, &n, conflict, 1, other, 2));
    assert_int_equal(n.seq, 50);
    assert_int_equal(n.priority, 42);
    th_assert_status(sinew_upsert_set(s, &ticket_model, &n, conflict, 1, NULL, 0), SINEW_MISUSE, "no assignments");
    sinew_set bad = sinew_set_combine(TICKET_TITLE, '+');
    th_assert_status(sinew_upsert_set(s, &ticket_model, &n, conflict, 1, &bad, 1), SINEW_MISUSE, "numeric");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(concurrent_increments_lose_nothing, setup, tracker_teardown),
        cmocka_unit_test_setup_teardown(columns_and_arithmetic, setup, tracker_teardown),
        cmocka_unit_test_setup_teardown(bad_assignments_are_refused, setup, tracker_teardown),
        cmocka_unit_test_setup_teardown(upsert_reads_the_proposed_row, setup, tracker_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
