/*
 * Grouped queries say what they are (#16 item 12): sinew_query_sql() shows
 * the grouped SELECT that sinew_rows_open() runs; the statement log shows
 * that text even when sinew_query_sql() is called while the rows are open
 * (it used to point into the query's buffer, which the call rewrote or
 * freed); and reading a grouped query as objects is SINEW_MISUSE instead of
 * a silently ungrouped list.
 */
#include "harness.h"
#include "tracker.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sinew_db *db;
static sinew_session *s;

static int setup(void **state) { return tracker_open(state, &db, &s, 30); }

static sinew_query *by_status(void)
{
    sinew_query *q = sinew_query_new(s, &ticket_model);
    th_ok(sinew_where(q, sinew_ge(TICKET_PRIORITY, sinew_v_int32(1))));
    th_ok(sinew_group_by(q, TICKET_STATUS));
    th_ok(sinew_select_agg(q, SINEW_COUNT, TICKET_ID));
    th_ok(sinew_having(q, SINEW_COUNT, TICKET_ID, SINEW_GT, sinew_v_int64(0)));
    th_ok(sinew_order(q, TICKET_STATUS, SINEW_ASC));
    return q;
}

static void query_sql_shows_the_grouped_select(void **state)
{
    (void)state;
    sinew_query *q = by_status();
    const char *sql = sinew_query_sql(q);
    assert_non_null(sql);
    assert_non_null(strstr(sql, "SELECT t0.\"status\", COUNT(t0.\"id\") FROM \"tickets\" AS t0 WHERE"));
    assert_non_null(strstr(sql, " GROUP BY t0.\"status\" HAVING COUNT(t0.\"id\") > "));
    assert_null(strstr(sql, "\"title\""));
    assert_int_equal(sinew_query_nparams(q), 2);
    /* and it is the statement that runs */
    th_capture cap = {0};
    th_capture_start(db, &cap);
    char *copy = strdup(sql);
    sinew_rows *r;
    th_ok(sinew_rows_open(q, &r));
    int n = 0;
    while (sinew_rows_next(r) == SINEW_ROW) n++;
    sinew_rows_free(r);
    th_capture_stop(db, &cap);
    assert_int_equal(n, 3);
    assert_int_equal(cap.count, 1);
    assert_string_equal(cap.sql[0], copy);
    free(copy);
    th_capture_free(&cap);
    sinew_query_free(q);
}

/* the log must show the grouped statement, not whatever the query's buffer holds by the time it ends */
static void log_while_rows_are_open(int cache)
{
    sinew_db_set_statement_cache(db, cache ? 64 : 0);
    sinew_query *q = by_status();
    th_capture cap = {0};
    th_capture_start(db, &cap);
    sinew_rows *r;
    th_ok(sinew_rows_open(q, &r));
    assert_int_equal(sinew_rows_next(r), SINEW_ROW);
    /* rendering again while the rows are open, also after the query grew (its buffer is reallocated) */
    for (int i = 0; i < 3; i++) assert_non_null(sinew_query_sql(q));
    for (int i = 0; i < 40; i++) th_ok(sinew_where(q, sinew_ne(TICKET_TITLE, sinew_v_text("a title nobody has"))));
    const char *grown = sinew_query_sql(q);
    assert_non_null(grown);
    assert_non_null(strstr(grown, "\"title\""));
    sinew_query *other = sinew_query_new(s, &ticket_model);
    while (sinew_rows_next(r) == SINEW_ROW) {
    }
    sinew_rows_free(r);
    sinew_query_free(other);
    th_capture_stop(db, &cap);
    assert_int_equal(cap.count, 1);
    if (!strstr(cap.sql[0], "GROUP BY t0.\"status\"") || strstr(cap.sql[0], "\"title\""))
        fail_msg("logged: %s", cap.sql[0]);
    th_capture_free(&cap);
    sinew_query_free(q);
}

static void log_with_cache(void **state)
{
    (void)state;
    log_while_rows_are_open(1);
}

static void log_without_cache(void **state)
{
    (void)state;
    log_while_rows_are_open(0);
}

static void objects_from_a_grouped_query_are_refused(void **state)
{
    (void)state;
    sinew_query *q = by_status();
    th_capture cap = {0};
    th_capture_start(db, &cap);
    sinew_list l = {(void **)1, 99};
    th_assert_status(sinew_all(q, &l), SINEW_MISUSE, "grouped");
    assert_null(l.items);
    assert_int_equal(l.count, 0);
    th_assert_status(sinew_all(q, &l), SINEW_MISUSE, "sinew_rows_open");
    void *one = (void *)1;
    th_assert_status(sinew_first(q, &one), SINEW_MISUSE, "grouped");
    assert_null(one);
    th_assert_status(sinew_one(q, &one), SINEW_MISUSE, "grouped");
    int64_t cnt;
    th_assert_status(sinew_query_count(q, &cnt), SINEW_MISUSE, "grouped");
    bool ex;
    th_assert_status(sinew_query_exists(q, &ex), SINEW_MISUSE, "grouped");
    sinew_iter *it;
    th_assert_status(sinew_iterate(q, &it), SINEW_MISUSE, "grouped");
    sinew_value v;
    th_assert_status(sinew_aggregate(q, SINEW_MAX, TICKET_PRIORITY, &v), SINEW_MISUSE, "grouped");
    int64_t changed;
    th_assert_status(sinew_query_delete(q, &changed), SINEW_MISUSE, "grouped");
    sinew_assign set = {TICKET_PRIORITY, sinew_v_int32(9)};
    th_assert_status(sinew_query_update(q, &set, 1, &changed), SINEW_MISUSE, "grouped");
    th_capture_stop(db, &cap);
    assert_int_equal(cap.count, 0);   /* nothing was sent */
    th_capture_free(&cap);
    /* the query still runs as what it is */
    sinew_rows *r;
    th_ok(sinew_rows_open(q, &r));
    assert_int_equal(sinew_rows_next(r), SINEW_ROW);
    sinew_rows_free(r);
    sinew_query_free(q);
    /* select_agg alone is grouped too (one row over everything) */
    q = sinew_query_new(s, &ticket_model);
    th_ok(sinew_select_agg(q, SINEW_COUNT, TICKET_ID));
    th_assert_status(sinew_all(q, &l), SINEW_MISUSE, "grouped");
    sinew_query_free(q);
    /* nothing was deleted or changed */
    q = sinew_query_new(s, &ticket_model);
    th_ok(sinew_query_count(q, &cnt));
    assert_int_equal(cnt, 30);
    sinew_query_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(query_sql_shows_the_grouped_select, setup, tracker_teardown),
        cmocka_unit_test_setup_teardown(log_with_cache, setup, tracker_teardown),
        cmocka_unit_test_setup_teardown(log_without_cache, setup, tracker_teardown),
        cmocka_unit_test_setup_teardown(objects_from_a_grouped_query_are_refused, setup, tracker_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
