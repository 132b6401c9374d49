/*
 * Set operations over rows queries (sinew_combine_rows): UNION, UNION ALL,
 * INTERSECT and EXCEPT of value and grouped rows of different models,
 * ordered and paged after the operation; incompatible column lists refused;
 * and the ORDER BY of a combined query (rows, or sinew_combine's objects)
 * naming only what the combined result has.
 *
 * The seed: posts 1..8 by authors 1..4 (post p by (p-1)%4+1); post p has p%4
 * comments, comment c of a post by user c (so comment authors are 1..3).
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

static sinew_query *post_authors(void)
{
    sinew_query *q = sinew_query_new(s, &post_model);
    th_ok(sinew_select_col(q, POST_AUTHOR_ID));
    return q;
}

static sinew_query *comment_authors(void)
{
    sinew_query *q = sinew_query_new(s, &comment_model);
    th_ok(sinew_select_col(q, COMMENT_AUTHOR_ID));
    return q;
}

static void union_intersect_except_of_value_rows(void **state)
{
    (void)state;
    sinew_query *q = post_authors();
    th_ok(sinew_combine_rows(q, SINEW_UNION, comment_authors()));
    th_ok(sinew_order(q, POST_AUTHOR_ID, SINEW_ASC));
    th_capture cap = {0};
    th_capture_start(db, &cap);
    assert_string_equal(blog_rows_text(q), "1 2 3 4");
    th_capture_stop(db, &cap);
    assert_int_equal(cap.count, 1);
    assert_non_null(strstr(cap.sql[0], " UNION SELECT "));
    assert_non_null(strstr(cap.sql[0], "ORDER BY u.c0"));
    th_capture_free(&cap);
    sinew_query_free(q);

    q = post_authors();
    th_ok(sinew_combine_rows(q, SINEW_INTERSECT, comment_authors()));
    th_ok(sinew_order(q, POST_AUTHOR_ID, SINEW_DESC));
    assert_string_equal(blog_rows_text(q), "3 2 1");
    sinew_query_free(q);

    q = post_authors();
    th_ok(sinew_combine_rows(q, SINEW_EXCEPT, comment_authors()));
    assert_string_equal(blog_rows_text(q), "4");
    sinew_query_free(q);

    /* UNION ALL keeps every row: 8 post authors and 12 comment authors, each side filtered */
    q = post_authors();
    sinew_query *c = comment_authors();
    th_ok(sinew_where(c, sinew_eq(COMMENT_AUTHOR_ID, sinew_v_int64(3))));
    th_ok(sinew_combine_rows(q, SINEW_UNION_ALL, c));
    th_ok(sinew_order(q, POST_AUTHOR_ID, SINEW_ASC));
    assert_string_equal(blog_rows_text(q), "1 1 2 2 3 3 3 3 4 4");
    /* paged after the operation */
    th_ok(sinew_limit(q, 3));
    th_ok(sinew_offset(q, 4));
    assert_string_equal(blog_rows_text(q), "3 3 3");
    sinew_query_free(q);

    /* text columns of two models, two columns each */
    q = sinew_query_new(s, &post_model);
    th_ok(sinew_where(q, sinew_le(POST_ID, sinew_v_int64(2))));
    th_ok(sinew_select_col(q, POST_ID));
    th_ok(sinew_select_col(q, POST_TITLE));
    c = sinew_query_new(s, &comment_model);
    th_ok(sinew_where(c, sinew_eq(COMMENT_POST_ID, sinew_v_int64(2))));
    th_ok(sinew_select_col(c, COMMENT_ID));
    th_ok(sinew_select_col(c, COMMENT_BODY));
    th_ok(sinew_combine_rows(q, SINEW_UNION_ALL, c));
    th_ok(sinew_order(q, POST_TITLE, SINEW_ASC));
    assert_string_equal(blog_rows_text(q), "2:2.1 3:2.2 1:post 1 2:post 2");
    sinew_query_free(q);
}

static void grouped_rows_combined(void **state)
{
    (void)state;
    /* rows per author: posts written, then comments written, in one statement */
    sinew_query *q = sinew_query_new(s, &post_model);
    th_ok(sinew_group_by(q, POST_AUTHOR_ID));
    th_ok(sinew_select_agg(q, SINEW_COUNT, POST_ID));
    sinew_query *c = sinew_query_new(s, &comment_model);
    th_ok(sinew_group_by(c, COMMENT_AUTHOR_ID));
    th_ok(sinew_select_agg(c, SINEW_COUNT, COMMENT_ID));
    th_ok(sinew_having(c, SINEW_COUNT, COMMENT_ID, SINEW_GE, sinew_v_int64(4)));
    th_ok(sinew_combine_rows(q, SINEW_UNION_ALL, c));
    th_ok(sinew_order(q, POST_AUTHOR_ID, SINEW_DESC));
    /* comments: author 1 wrote 6 (posts 1,2,3,5,6,7), author 2 4 (2,3,6,7), author 3 2 (3,7) */
    const char *got = blog_rows_text(q);
    assert_true(strcmp(got, "4:2 3:2 2:2 2:4 1:2 1:6") == 0 || strcmp(got, "4:2 3:2 2:4 2:2 1:6 1:2") == 0 ||
                strcmp(got, "4:2 3:2 2:2 2:4 1:6 1:2") == 0 || strcmp(got, "4:2 3:2 2:4 2:2 1:2 1:6") == 0);
    sinew_query_free(q);
}

static void incompatible_column_lists_refused(void **state)
{
    (void)state;
    th_capture cap = {0};
    th_capture_start(db, &cap);
    /* two columns against one */
    sinew_query *q = post_authors();
    th_ok(sinew_select_col(q, POST_ID));
    th_assert_status(sinew_combine_rows(q, SINEW_UNION, comment_authors()), SINEW_MISUSE,
                     "the rows of Post have 2 columns, the other query's (over Comment) 1");
    th_assert_status(sinew_rows_open(q, &(sinew_rows *){NULL}), SINEW_MISUSE, "have 2 columns");
    sinew_query_free(q);
    /* text against int64, named by position */
    q = sinew_query_new(s, &post_model);
    th_ok(sinew_select_col(q, POST_TITLE));
    th_assert_status(sinew_combine_rows(q, SINEW_UNION_ALL, comment_authors()), SINEW_MISUSE,
                     "column 0 is text in the rows of Post but int64 in the other query's (over Comment)");
    sinew_query_free(q);
    /* objects on either side */
    q = post_authors();
    th_assert_status(sinew_combine_rows(q, SINEW_UNION, sinew_query_new(s, &comment_model)), SINEW_MISUSE,
                     "both queries must be rows queries");
    sinew_query_free(q);
    q = sinew_query_new(s, &post_model);
    th_assert_status(sinew_combine(q, SINEW_UNION, post_authors()), SINEW_MISUSE, "may only filter");
    sinew_query_free(q);
    q = post_authors();
    th_assert_status(sinew_combine(q, SINEW_UNION, sinew_query_new(s, &post_model)), SINEW_MISUSE,
                     "combine rows queries with sinew_combine_rows");
    sinew_query_free(q);
    /* the other side ordered or paged: its order would mean nothing */
    q = post_authors();
    sinew_query *c = comment_authors();
    th_ok(sinew_order(c, COMMENT_AUTHOR_ID, SINEW_ASC));
    th_assert_status(sinew_combine_rows(q, SINEW_UNION, c), SINEW_MISUSE, "the other query may only filter");
    sinew_query_free(q);
    /* q given another column after it was combined: refused when it runs */
    q = post_authors();
    th_ok(sinew_combine_rows(q, SINEW_UNION, comment_authors()));
    th_ok(sinew_select_col(q, POST_TITLE));
    th_assert_status(sinew_rows_open(q, &(sinew_rows *){NULL}), SINEW_MISUSE, "have 2 columns");
    assert_null(sinew_query_sql(q));
    sinew_query_free(q);
    /* an unknown operation */
    q = post_authors();
    th_assert_status(sinew_combine_rows(q, (sinew_setop)9, comment_authors()), SINEW_MISUSE, "unknown set operation");
    sinew_query_free(q);
    th_capture_stop(db, &cap);
    assert_int_equal(cap.count, 0);
    th_capture_free(&cap);
}

/* the ORDER BY of a combined query names only columns of the combined result */
static void order_by_only_result_columns(void **state)
{
    (void)state;
    th_capture cap = {0};
    th_capture_start(db, &cap);
    sinew_query *q = post_authors();
    th_ok(sinew_combine_rows(q, SINEW_UNION, comment_authors()));
    th_ok(sinew_order(q, POST_TITLE, SINEW_ASC));
    th_assert_status(sinew_rows_open(q, &(sinew_rows *){NULL}), SINEW_MISUSE,
                     "ordered by Post.title, which is not one of their columns");
    assert_null(sinew_query_sql(q));
    sinew_query_free(q);
    /* the same column with arithmetic is another expression */
    q = post_authors();
    th_ok(sinew_combine_rows(q, SINEW_UNION, comment_authors()));
    th_ok(sinew_order(q, sinew_col_op(POST_AUTHOR_ID, '+', sinew_v_int64(1)), SINEW_ASC));
    th_assert_status(sinew_rows_open(q, &(sinew_rows *){NULL}), SINEW_MISUSE, "not one of their columns");
    sinew_query_free(q);
    /* objects combined (sinew_combine): the result has the model's own columns only */
    q = sinew_query_new(s, &post_model);
    sinew_query *other = sinew_query_new(s, &post_model);
    th_ok(sinew_where(other, sinew_eq(POST_AUTHOR_ID, sinew_v_int64(2))));
    th_ok(sinew_combine(q, SINEW_UNION, other));
    th_ok(sinew_order(q, sinew_via(POST_AUTHOR, USER_EMAIL), SINEW_ASC));
    sinew_list posts;
    th_assert_status(sinew_all(q, &posts), SINEW_MISUSE, "ordered by User.email through a relation");
    sinew_query_free(q);
    th_capture_stop(db, &cap);
    assert_int_equal(cap.count, 0);
    th_capture_free(&cap);

    /* ordering objects combined by their own column still works */
    q = sinew_query_new(s, &post_model);
    th_ok(sinew_where(q, sinew_eq(POST_AUTHOR_ID, sinew_v_int64(1))));
    other = sinew_query_new(s, &post_model);
    th_ok(sinew_where(other, sinew_eq(POST_AUTHOR_ID, sinew_v_int64(2))));
    th_ok(sinew_combine(q, SINEW_UNION_ALL, other));
    th_ok(sinew_order(q, POST_ID, SINEW_DESC));
    th_ok(sinew_all(q, &posts));
    assert_int_equal(posts.count, 4);
    assert_int_equal(((Post *)posts.items[0])->id, 6);
    sinew_query_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(union_intersect_except_of_value_rows),
        cmocka_unit_test(grouped_rows_combined),
        cmocka_unit_test(incompatible_column_lists_refused),
        cmocka_unit_test(order_by_only_result_columns),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
