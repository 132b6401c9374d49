/*
 * Window functions in the rows form (#21 item 6): ROW_NUMBER / RANK /
 * DENSE_RANK, a running SUM, LAG / LEAD with PARTITION BY and ORDER BY, and
 * the top 3 posts per author in one statement (a filter on the window's
 * value).
 */
#include "harness.h"
#include "blog_seed.h"
#include <stdio.h>
#include <string.h>

static sinew_db *db;
static sinew_session *s;

static int setup(void **state)
{
    (void)state;
    db = th_open();
    th_ok(blog_seed(db));
    /* user 1 writes posts 9..12 too: users 1: 1,5,9,10,11,12; 2: 2,6; 3: 3,7; 4: 4,8 */
    th_ok(sinew_exec(db, "INSERT INTO posts (id, author_id, title) VALUES (9, 1, 'post 9'), (10, 1, 'post 10'), "
                         "(11, 1, 'post 11'), (12, 1, 'post 12')"));
    th_ok(sinew_session_new(db, &s));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sinew_session_free(s);
    th_close(db);
    return 0;
}

static void top_three_per_author_in_one_statement(void **state)
{
    (void)state;
    sinew_query *q = sinew_query_new(s, &post_model);
    sinew_window w = {.partition = {POST_AUTHOR_ID}, .npartition = 1, .order = {POST_ID}, .dir = {SINEW_DESC},
                      .norder = 1};
    th_ok(sinew_select_col(q, POST_AUTHOR_ID));
    th_ok(sinew_select_col(q, POST_ID));
    th_ok(sinew_select_window(q, SINEW_ROW_NUMBER, POST_ID, &w));
    th_ok(sinew_where_value(q, 2, SINEW_LE, sinew_v_int64(3)));
    th_ok(sinew_order(q, POST_AUTHOR_ID, SINEW_ASC));
    th_ok(sinew_order(q, POST_ID, SINEW_DESC));
    th_capture cap = {0};
    th_capture_start(db, &cap);
    assert_string_equal(blog_rows_text(q), "1:12:1 1:11:2 1:10:3 2:6:1 2:2:2 3:7:1 3:3:2 4:8:1 4:4:2");
    th_capture_stop(db, &cap);
    assert_int_equal(cap.count, 1);
    assert_non_null(strstr(cap.sql[0], "ROW_NUMBER() OVER (PARTITION BY t0.\"author_id\" ORDER BY t0.\"id\" DESC)"));
    th_capture_free(&cap);
    /* paged after the filter */
    th_ok(sinew_limit(q, 2));
    th_ok(sinew_offset(q, 3));
    assert_string_equal(blog_rows_text(q), "2:6:1 2:2:2");
    sinew_query_free(q);
}

static void running_sums_ranks_and_neighbours(void **state)
{
    (void)state;
    sinew_query *q = sinew_query_new(s, &post_model);
    sinew_window w = {.partition = {POST_AUTHOR_ID}, .npartition = 1, .order = {POST_ID}, .dir = {SINEW_ASC},
                      .norder = 1};
    th_ok(sinew_select_col(q, POST_ID));
    th_ok(sinew_select_window(q, SINEW_WIN_SUM, POST_ID, &w));
    th_ok(sinew_select_window(q, SINEW_LAG, POST_ID, &w));
    th_ok(sinew_select_window(q, SINEW_LEAD, POST_ID, &w));
    th_ok(sinew_where(q, sinew_in(POST_AUTHOR_ID, (sinew_value[]){sinew_v_int64(2), sinew_v_int64(4)}, 2)));
    th_ok(sinew_order(q, POST_ID, SINEW_ASC));
    assert_string_equal(blog_rows_text(q), "2:2:-:6 4:4:-:8 6:8:2:- 8:12:4:-");
    sinew_query_free(q);
    /* ranks over ties, across the whole result (no partition) */
    q = sinew_query_new(s, &post_model);
    sinew_window by_author = {.order = {POST_AUTHOR_ID}, .dir = {SINEW_ASC}, .norder = 1};
    th_ok(sinew_select_col(q, POST_ID));
    th_ok(sinew_select_window(q, SINEW_RANK, POST_ID, &by_author));
    th_ok(sinew_select_window(q, SINEW_DENSE_RANK, POST_ID, &by_author));
    th_ok(sinew_select_window(q, SINEW_WIN_COUNT, POST_ID, &(sinew_window){.partition = {POST_AUTHOR_ID},
                                                                           .npartition = 1}));
    th_ok(sinew_where(q, sinew_in(POST_ID, (sinew_value[]){sinew_v_int64(1), sinew_v_int64(2), sinew_v_int64(6), sinew_v_int64(3)}, 4)));
    th_ok(sinew_order(q, POST_ID, SINEW_ASC));
    /* among posts 1, 2, 3, 6: author 1 (post 1) ranks 1; author 2 (2, 6) rank 2; author 3 (3) rank 4 */
    assert_string_equal(blog_rows_text(q), "1:1:1:1 2:2:2:2 3:4:3:1 6:2:2:2");
    sinew_query_free(q);
}

static void wrong_windows_are_refused(void **state)
{
    (void)state;
    sinew_query *q = sinew_query_new(s, &post_model);
    sinew_window none = {0};
    th_assert_status(sinew_select_window(q, SINEW_ROW_NUMBER, POST_ID, &none), SINEW_MISUSE, "needs an order");
    sinew_query_free(q);
    q = sinew_query_new(s, &post_model);
    th_assert_status(sinew_select_window(q, SINEW_WIN_SUM, POST_TITLE, &none), SINEW_MISUSE, "SUM/AVG of Post.title");
    sinew_query_free(q);
    q = sinew_query_new(s, &post_model);
    th_ok(sinew_select_col(q, POST_ID));
    th_assert_status(sinew_where_value(q, 1, SINEW_LE, sinew_v_int64(3)), SINEW_MISUSE, "not a column 1");
    sinew_query_free(q);
    q = sinew_query_new(s, &post_model);
    th_ok(sinew_group_by(q, POST_AUTHOR_ID));
    th_assert_status(sinew_where_value(q, 0, SINEW_LE, sinew_v_int64(3)), SINEW_MISUSE, "group key");
    sinew_query_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(top_three_per_author_in_one_statement, setup, teardown),
        cmocka_unit_test_setup_teardown(running_sums_ranks_and_neighbours, setup, teardown),
        cmocka_unit_test_setup_teardown(wrong_windows_are_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
