/*
 * The prepared-statement cache is bounded (#16 item 15): 10,000 distinct
 * statements keep the cache, and on PostgreSQL the server's
 * pg_prepared_statements, under the bound; the least recently used go
 * first, a statement with rows open is never evicted, the hot slots that
 * plans use never point at an evicted statement (ASan would see it), and
 * OFFSET paging and IN lists make few statement shapes. The bound is set by
 * sinew_db_set_statement_cache() or the URL's statement_cache parameter.
 */
#include "harness.h"
#include "tracker.h"
#include "orm/orm.h"
#include <stdio.h>
#include <string.h>

static sinew_db *db;
static sinew_session *s;

static int setup(void **state) { return tracker_open(state, &db, &s, 50); }

/* prepared statements the server holds for this connection (PostgreSQL), -1 elsewhere */
static long server_prepared(sinew_db *d, sinew_session *ss)
{
    if (!th_is_postgres()) return -1;
    (void)d;
    sinew_rows *r;
    th_ok(sinew_raw_rows(ss, "SELECT count(*) FROM pg_prepared_statements", NULL, 0, &r));
    assert_int_equal(sinew_rows_next(r), SINEW_ROW);
    long n = (long)sinew_rows_value(r, 0).u.i;
    sinew_rows_free(r);
    return n;
}

/* run one statement of shape i: `... AND i = i` makes each text distinct */
static void run_shape(sinew_session *ss, int i)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT id FROM tickets WHERE id = ? AND %d = %d", i, i);
    sinew_value id = sinew_v_int64(tracker_id(i % 50));
    sinew_rows *r;
    th_ok(sinew_raw_rows(ss, sql, &id, 1, &r));
    assert_int_equal(sinew_rows_next(r), SINEW_ROW);
    assert_int_equal(sinew_rows_value(r, 0).u.i, tracker_id(i % 50));
    assert_int_equal(sinew_rows_next(r), SINEW_DONE);
    sinew_rows_free(r);
}

static void get_ticket(int k)
{
    sinew_value key = sinew_v_int64(tracker_id(k));
    Ticket *t;
    th_ok(sinew_get(s, &ticket_model, &key, 1, (void **)&t));
    assert_int_equal(t->seq, k);
}

#define BOUND 40

static void ten_thousand_shapes_stay_under_the_bound(void **state)
{
    (void)state;
    sinew_db_set_statement_cache(db, BOUND);
    for (int i = 0; i < 10000; i++) {
        run_shape(s, i);
        /* a plan's statement, found through the hot slots by address, between the floods */
        if (i % 97 == 0) get_ticket(i % 50);
        if (i % 1000 == 999) {
            assert_true(sinew_db_statement_cache_count(db) <= BOUND);
            long sp = server_prepared(db, s);
            if (sp > BOUND) fail_msg("after %d statements the server holds %ld prepared statements", i + 1, sp);
        }
    }
    assert_true(sinew_db_statement_cache_count(db) <= BOUND);
    assert_true(sinew_db_statement_cache_count(db) >= BOUND / 2);
    get_ticket(3);
    /* a smaller bound applies at once */
    sinew_db_set_statement_cache(db, 5);
    assert_true(sinew_db_statement_cache_count(db) <= 5);
    if (th_is_postgres()) assert_true(server_prepared(db, s) <= 5);
}

/* whether the cache holds shape i now (the internal map, read directly) */
static int shape_cached(int i)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT id FROM tickets WHERE id = %s AND %d = %d", th_is_postgres() ? "$1" : "?", i, i);
    return sn_map_get(&db->stmts, sn_hash_str(sql), sql) != NULL;
}

static void recently_used_statements_stay(void **state)
{
    (void)state;
    sinew_db_set_statement_cache(db, 8);
    run_shape(s, 1);   /* the oldest entry, but used all the time: least recently used it never is */
    for (int i = 0; i < 100; i++) {
        run_shape(s, 1000 + i);
        run_shape(s, 1);
        assert_true(shape_cached(1));
        assert_true(shape_cached(1000 + i));
        if (i >= 8) assert_false(shape_cached(1000 + i - 8));   /* used once, long ago: gone */
    }
    assert_int_equal(sinew_db_statement_cache_count(db), 8);
    /* the plan statements too: a sinew_get after the flood prepares again and works */
    get_ticket(7);
    get_ticket(8);
}

static void open_rows_are_never_evicted(void **state)
{
    (void)state;
    sinew_db_set_statement_cache(db, 4);
    sinew_rows *r;
    th_ok(sinew_raw_rows(s, "SELECT id FROM tickets ORDER BY id", NULL, 0, &r));
    int64_t prev = 0;
    assert_int_equal(sinew_rows_next(r), SINEW_ROW);
    prev = sinew_rows_value(r, 0).u.i;
    /* a grouped query kept open as well */
    sinew_query *q = sinew_query_new(s, &ticket_model);
    th_ok(sinew_group_by(q, TICKET_STATUS));
    th_ok(sinew_order(q, TICKET_STATUS, SINEW_ASC));
    sinew_rows *g;
    th_ok(sinew_rows_open(q, &g));
    for (int i = 0; i < 200; i++) run_shape(s, 5000 + i);
    int n = 1;
    while (sinew_rows_next(r) == SINEW_ROW) {
        int64_t id = sinew_rows_value(r, 0).u.i;
        assert_true(id > prev);
        prev = id;
        n++;
    }
    assert_int_equal(n, 50);
    int groups = 0;
    while (sinew_rows_next(g) == SINEW_ROW) groups++;
    assert_int_equal(groups, 3);
    sinew_rows_free(r);
    sinew_rows_free(g);
    sinew_query_free(q);
    run_shape(s, 1);
    assert_true(sinew_db_statement_cache_count(db) <= 4);
}

/* paging by OFFSET and IN lists of every length make a handful of statements, not one each */
static void few_statement_shapes(void **state)
{
    (void)state;
    sinew_db_set_statement_cache(db, 10000);
    get_ticket(0);
    long s0 = server_prepared(db, s);   /* first: its own statement is cached too */
    size_t c0 = sinew_db_statement_cache_count(db);
    for (int page = 0; page < 1000; page++) {
        sinew_query *q = sinew_query_new(s, &ticket_model);
        th_ok(sinew_order(q, TICKET_PRIORITY, SINEW_ASC));
        th_ok(sinew_limit(q, 10));
        th_ok(sinew_offset(q, page % 60));
        sinew_list l;
        th_ok(sinew_all(q, &l));
        assert_int_equal(l.count, page % 60 <= 40 ? 10 : (size_t)(50 - page % 60 > 0 ? 50 - page % 60 : 0));
        sinew_query_free(q);
    }
    size_t c1 = sinew_db_statement_cache_count(db);
    if (c1 - c0 > 1) fail_msg("OFFSET paging made %zu statements", c1 - c0);
    static sinew_value ids[600];
    for (int n = 1; n <= 600; n++) {
        for (int k = 0; k < n; k++) ids[k] = sinew_v_int64(tracker_id(k % 50));
        sinew_query *q = sinew_query_new(s, &ticket_model);
        th_ok(sinew_where(q, sinew_in(TICKET_ID, ids, (size_t)n)));
        int64_t cnt;
        th_ok(sinew_query_count(q, &cnt));
        assert_int_equal(cnt, n < 50 ? n : 50);
        /* NOT IN with the padding (the last value repeated) keeps its meaning */
        sinew_query_free(q);
        q = sinew_query_new(s, &ticket_model);
        th_ok(sinew_where(q, sinew_not_in(TICKET_ID, ids, (size_t)n)));
        th_ok(sinew_query_count(q, &cnt));
        assert_int_equal(cnt, n < 50 ? 50 - n : 0);
        sinew_query_free(q);
    }
    size_t c2 = sinew_db_statement_cache_count(db);
    /* lengths 1..600 fall in 11 power-of-two buckets (1 to 1024), IN and NOT IN */
    if (c2 - c1 > 22) fail_msg("IN lists made %zu statements", c2 - c1);
    if (th_is_postgres()) assert_true(server_prepared(db, s) - s0 <= 1 + 22 + 1);
}

static void bound_from_the_url(void **state)
{
    (void)state;
    char url[1200];
    const char *base = th_last_url();
    snprintf(url, sizeof url, "%s%sstatement_cache=5", base, strchr(base, '?') ? "&" : "?");
    sinew_db *d2;
    th_ok(sinew_open(url, &d2));
    sinew_session *s2;
    th_ok(sinew_session_new(d2, &s2));
    if (!th_is_postgres()) th_ok(tracker_seed(d2, 50));
    for (int i = 0; i < 30; i++) run_shape(s2, i);
    assert_true(sinew_db_statement_cache_count(d2) <= 5);
    if (th_is_postgres()) assert_true(server_prepared(d2, s2) <= 5);
    sinew_session_free(s2);
    sinew_close(d2);
    /* 0: nothing cached, everything still runs */
    snprintf(url, sizeof url, "%s%sstatement_cache=0", base, strchr(base, '?') ? "&" : "?");
    th_ok(sinew_open(url, &d2));
    th_ok(sinew_session_new(d2, &s2));
    if (!th_is_postgres()) th_ok(tracker_seed(d2, 50));
    for (int i = 0; i < 5; i++) run_shape(s2, 1);
    assert_int_equal(sinew_db_statement_cache_count(d2), 0);
    if (th_is_postgres()) assert_true(server_prepared(d2, s2) <= 1);   /* only the counting statement, while it runs */
    sinew_session_free(s2);
    sinew_close(d2);
    /* a value that is not a count is refused */
    snprintf(url, sizeof url, "%s%sstatement_cache=lots", base, strchr(base, '?') ? "&" : "?");
    d2 = (sinew_db *)1;
    th_assert_status(sinew_open(url, &d2), SINEW_INVALID, "statement_cache='lots'");
    assert_null(d2);
}

/* statements finalized inside a failed transaction are DEALLOCATEd once it is over (PostgreSQL) */
static void failed_transaction_leaves_no_statements(void **state)
{
    (void)state;
    if (!th_is_postgres()) skip();
    sinew_db_set_statement_cache(db, 0);   /* every statement is finalized at its end */
    for (int i = 0; i < 5; i++) {
        th_ok(sinew_begin(db));
        sinew_value zero = sinew_v_int64(0);
        sinew_rows *r;
        th_assert_status(sinew_raw_rows(s, "SELECT 1 / ? FROM tickets", &zero, 1, &r), SINEW_INVALID, "division by zero");
        th_ok(sinew_rollback(db));
    }
    run_shape(s, 1);
    /* only the counting statement itself, while it runs */
    long n = server_prepared(db, s);
    if (n > 1) fail_msg("the server still holds %ld prepared statements", n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(ten_thousand_shapes_stay_under_the_bound, setup, tracker_teardown),
        cmocka_unit_test_setup_teardown(recently_used_statements_stay, setup, tracker_teardown),
        cmocka_unit_test_setup_teardown(open_rows_are_never_evicted, setup, tracker_teardown),
        cmocka_unit_test_setup_teardown(few_statement_shapes, setup, tracker_teardown),
        cmocka_unit_test_setup_teardown(bound_from_the_url, setup, tracker_teardown),
        cmocka_unit_test_setup_teardown(failed_transaction_leaves_no_statements, setup, tracker_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
