/*
 * Subqueries (#21 item 4): EXISTS / NOT EXISTS through a relation, a
 * correlated aggregate compared in a filter, nested through the target's
 * relations, many-to-many through the join table, in reads and bulk
 * writes; annotations (an aggregate over a relation per object) read with
 * the objects in one statement.
 */
#include "harness.h"
#include "blog_seed.h"
#include <stdio.h>
#include <string.h>

#define TAG_NAME sinew_column(&tag_model, 1)

static sinew_db *db;
static sinew_session *s;

static int setup(void **state)
{
    (void)state;
    db = th_open();
    th_ok(blog_seed(db));
    th_ok(sinew_exec(db, "INSERT INTO tags (id, name) VALUES (1, 'c'), (2, 'sql')"));
    th_ok(sinew_exec(db, "INSERT INTO post_tags (post_id, tag_id) VALUES (1, 1), (5, 1), (5, 2)"));
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

/* the ids of the objects `e` matches, in id order, as "1,2,3" */
static const char *ids(const sinew_model *m, sinew_expr *e)
{
    static char buf[128];
    sinew_query *q = sinew_query_new(s, m);
    th_ok(sinew_where(q, e));
    th_ok(sinew_order(q, sinew_column(m, 0), SINEW_ASC));
    sinew_list l;
    th_ok(sinew_all(q, &l));
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < l.count; i++)
        at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%lld", i ? "," : "", (long long)*(int64_t *)l.items[i]);
    sinew_query_free(q);
    return buf;
}

static void exists_through_a_relation(void **state)
{
    (void)state;
    /* post p has p % 4 comments, the c-th by user c */
    assert_string_equal(ids(&post_model, sinew_exists(POST_COMMENTS, sinew_eq(COMMENT_AUTHOR_ID, sinew_v_int64(3)))), "3,7");
    assert_string_equal(ids(&post_model, sinew_not_exists(POST_COMMENTS, NULL)), "4,8");
    assert_string_equal(ids(&post_model, sinew_exists(POST_COMMENTS, NULL)), "1,2,3,5,6,7");
    /* to-one: posts whose author was invited by someone */
    assert_string_equal(ids(&post_model, sinew_exists(POST_AUTHOR, sinew_not_null(sinew_column(&user_model, 2)))),
                        "2,3,4,6,7,8");
    /* many-to-many, through the join table */
    assert_string_equal(ids(&post_model, sinew_exists(POST_TAGS, sinew_eq(TAG_NAME, sinew_v_text("c")))), "1,5");
    /* nested: users with a post that has a comment by user 2 (posts 2, 3, 6, 7: authors 2, 3) */
    assert_string_equal(ids(&user_model, sinew_exists(USER_POSTS, sinew_exists(POST_COMMENTS,
                                        sinew_eq(COMMENT_AUTHOR_ID, sinew_v_int64(2))))), "2,3");
    /* combined with other filters and a join of the outer query */
    assert_string_equal(ids(&post_model, sinew_and(sinew_exists(POST_COMMENTS, NULL),
                                                   sinew_like(sinew_via(POST_AUTHOR, USER_EMAIL), "u1@%"))), "1,5");
    th_capture cap = {0};
    th_capture_start(db, &cap);
    ids(&post_model, sinew_exists(POST_COMMENTS, sinew_eq(COMMENT_AUTHOR_ID, sinew_v_int64(3))));
    th_capture_stop(db, &cap);
    assert_int_equal(cap.count, 1);
    assert_non_null(strstr(cap.sql[0], "EXISTS (SELECT 1 FROM \"comments\" AS t200 WHERE t200.\"post_id\" = t0.\"id\" AND ("));
    th_capture_free(&cap);
}

static void correlated_aggregates_in_filters(void **state)
{
    (void)state;
    assert_string_equal(ids(&post_model, sinew_cmp_agg(POST_COMMENTS, SINEW_COUNT, COMMENT_ID, NULL, SINEW_GE,
                                                       sinew_v_int64(2))), "2,3,6,7");
    /* with a filter inside: posts with exactly one comment by a user other than 1 (p % 4 == 2) */
    assert_string_equal(ids(&post_model, sinew_cmp_agg(POST_COMMENTS, SINEW_COUNT, COMMENT_ID,
                                                       sinew_ne(COMMENT_AUTHOR_ID, sinew_v_int64(1)), SINEW_EQ,
                                                       sinew_v_int64(1))), "2,6");
    /* MAX compared with a value of the column's type: the latest comment's body */
    assert_string_equal(ids(&post_model, sinew_cmp_agg(POST_COMMENTS, SINEW_MAX, COMMENT_BODY, NULL, SINEW_GE,
                                                       sinew_v_text("6"))), "6,7");
    /* a bulk write picks its rows the same way */
    sinew_query *q = sinew_query_new(s, &post_model);
    th_ok(sinew_where(q, sinew_not_exists(POST_COMMENTS, NULL)));
    sinew_assign set = {POST_TITLE, sinew_v_text("lonely")};
    int64_t changed = 0;
    th_ok(sinew_query_update(q, &set, 1, &changed));
    assert_int_equal(changed, 2);
    sinew_query_free(q);
    assert_string_equal(ids(&post_model, sinew_eq(POST_TITLE, sinew_v_text("lonely"))), "4,8");
    /* and a count */
    q = sinew_query_new(s, &user_model);
    th_ok(sinew_where(q, sinew_cmp_agg(USER_POSTS, SINEW_COUNT, POST_ID, NULL, SINEW_EQ, sinew_v_int64(2))));
    int64_t n = 0;
    th_ok(sinew_query_count(q, &n));
    assert_int_equal(n, 4);
    sinew_query_free(q);
}

static void wrong_subqueries_are_refused(void **state)
{
    (void)state;
    sinew_query *q = sinew_query_new(s, &post_model);
    th_assert_status(sinew_where(q, sinew_exists(USER_POSTS, NULL)), SINEW_MISUSE, "not a relation of Post");
    sinew_query_free(q);
    q = sinew_query_new(s, &post_model);
    th_assert_status(sinew_where(q, sinew_exists(POST_COMMENTS, sinew_eq(POST_ID, sinew_v_int64(1)))), SINEW_MISUSE,
                     "is not a column of Comment");
    sinew_query_free(q);
    q = sinew_query_new(s, &post_model);
    th_assert_status(sinew_where(q, sinew_cmp_agg(POST_COMMENTS, SINEW_COUNT, COMMENT_ID, NULL, SINEW_GE,
                                                  sinew_v_text("two"))), SINEW_MISUSE, "compared with a number");
    sinew_query_free(q);
    q = sinew_query_new(s, &post_model);
    th_assert_status(sinew_annotate(q, POST_COMMENTS, SINEW_COUNT, POST_ID, NULL), SINEW_MISUSE,
                     "is not a column of Comment");
    sinew_query_free(q);
}

static void annotations_come_with_the_objects(void **state)
{
    (void)state;
    sinew_query *q = sinew_query_new(s, &post_model);
    th_ok(sinew_annotate(q, POST_COMMENTS, SINEW_COUNT, COMMENT_ID, NULL));
    th_ok(sinew_annotate(q, POST_COMMENTS, SINEW_MAX, COMMENT_BODY, NULL));
    th_ok(sinew_annotate(q, POST_COMMENTS, SINEW_COUNT, COMMENT_ID, sinew_eq(COMMENT_AUTHOR_ID, sinew_v_int64(1))));
    th_ok(sinew_prefetch(q, POST_AUTHOR));   /* its JOINed columns come before the annotations */
    th_ok(sinew_order(q, POST_ID, SINEW_ASC));
    th_capture cap = {0};
    th_capture_start(db, &cap);
    sinew_list l;
    th_ok(sinew_all(q, &l));
    th_capture_stop(db, &cap);
    assert_int_equal(cap.count, 1);   /* everything in one statement */
    th_capture_free(&cap);
    assert_int_equal(l.count, 8);
    for (size_t i = 0; i < l.count; i++) {
        Post *p = l.items[i];
        int c = (int)(p->id % 4);
        assert_int_equal(sinew_annotation(q, i, 0).u.i, c);
        sinew_value latest = sinew_annotation(q, i, 1);
        if (c == 0) {
            assert_true(latest.is_null);
        } else {
            char want[16];
            snprintf(want, sizeof want, "%d.%d", (int)p->id, c);
            assert_int_equal(latest.u.s.len, strlen(want));
            assert_memory_equal(latest.u.s.ptr, want, latest.u.s.len);
        }
        assert_int_equal(sinew_annotation(q, i, 2).u.i, c ? 1 : 0);
        assert_non_null(p->author);
        assert_int_equal(p->author->id, (p->id - 1) % 4 + 1);
    }
    assert_true(sinew_annotation(q, 8, 0).is_null);   /* out of range */
    assert_true(sinew_annotation(q, 0, 3).is_null);
    /* with a projection and a filter, and for sinew_first */
    sinew_col cols[] = {POST_TITLE};
    th_ok(sinew_only(q, cols, 1));
    th_ok(sinew_where(q, sinew_ge(POST_ID, sinew_v_int64(3))));
    Post *p;
    th_ok(sinew_first(q, (void **)&p));
    assert_int_equal(p->id, 3);
    assert_int_equal(sinew_annotation(q, 0, 0).u.i, 3);
    assert_true(sinew_annotation(q, 1, 0).is_null);
    sinew_iter *it;
    th_assert_status(sinew_iterate(q, &it), SINEW_UNSUPPORTED, "annotations");
    sinew_query_free(q);
    /* users with their post count, to-many from the other side */
    q = sinew_query_new(s, &user_model);
    th_ok(sinew_annotate(q, USER_POSTS, SINEW_COUNT, POST_ID, NULL));
    th_ok(sinew_annotate(q, USER_INVITEES, SINEW_COUNT, USER_ID, NULL));
    th_ok(sinew_order(q, USER_ID, SINEW_ASC));
    th_ok(sinew_all(q, &l));
    assert_int_equal(l.count, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(sinew_annotation(q, i, 0).u.i, 2);
        assert_int_equal(sinew_annotation(q, i, 1).u.i, i < 3 ? 1 : 0);
    }
    sinew_query_free(q);
}

static const char *closure_ids(const sinew_relation *rel, sinew_expr *start, sinew_expr *also)
{
    static char buf[128];
    sinew_query *q = sinew_query_new(s, &user_model);
    th_ok(sinew_closure(q, rel, start));
    if (also) th_ok(sinew_where(q, also));
    th_ok(sinew_order(q, USER_ID, SINEW_ASC));
    sinew_list l;
    th_ok(sinew_all(q, &l));
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < l.count; i++)
        at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%lld", i ? "," : "", (long long)((User *)l.items[i])->id);
    int64_t n = -1;
    th_ok(sinew_query_count(q, &n));
    assert_int_equal((size_t)n, l.count);
    sinew_query_free(q);
    return buf;
}

static void recursive_closures_return_objects(void **state)
{
    (void)state;
    /* user k was invited by k - 1 */
    assert_string_equal(closure_ids(USER_INVITEES, sinew_eq(USER_ID, sinew_v_int64(1)), NULL), "2,3,4");
    assert_string_equal(closure_ids(USER_INVITEES, sinew_eq(USER_ID, sinew_v_int64(3)), NULL), "4");
    assert_string_equal(closure_ids(USER_INVITED_BY, sinew_eq(USER_ID, sinew_v_int64(4)), NULL), "1,2,3");
    assert_string_equal(closure_ids(USER_INVITEES, sinew_eq(USER_ID, sinew_v_int64(1)), sinew_ne(USER_ID, sinew_v_int64(3))),
                        "2,4");
    assert_string_equal(closure_ids(USER_INVITEES, sinew_eq(USER_ID, sinew_v_int64(4)), NULL), "");
    th_capture cap = {0};
    th_capture_start(db, &cap);
    closure_ids(USER_INVITEES, sinew_eq(USER_ID, sinew_v_int64(1)), NULL);
    th_capture_stop(db, &cap);
    assert_int_equal(th_capture_count(&cap, "WITH RECURSIVE"), 2);   /* the list and the count */
    th_capture_free(&cap);
    /* a cycle ends the recursion: user 1 invited by user 4 */
    th_ok(sinew_exec(db, "UPDATE users SET invited_by_id = 4 WHERE id = 1"));
    assert_string_equal(closure_ids(USER_INVITEES, sinew_eq(USER_ID, sinew_v_int64(1)), NULL), "1,2,3,4");
    /* refused */
    sinew_query *q = sinew_query_new(s, &post_model);
    th_assert_status(sinew_closure(q, POST_AUTHOR, NULL), SINEW_MISUSE, "to itself");
    sinew_query_free(q);
    q = sinew_query_new(s, &user_model);
    th_ok(sinew_closure(q, USER_INVITEES, NULL));
    th_assert_status(sinew_query_delete(q, NULL), SINEW_UNSUPPORTED, "closure");
    sinew_query_free(q);
}

static sinew_query *posts_where(sinew_expr *e)
{
    sinew_query *q = sinew_query_new(s, &post_model);
    th_ok(sinew_where(q, e));
    return q;
}

static const char *list_ids(sinew_query *q)
{
    static char buf[128];
    th_ok(sinew_order(q, POST_ID, SINEW_ASC));
    sinew_list l;
    th_ok(sinew_all(q, &l));
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < l.count; i++)
        at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%lld", i ? "," : "", (long long)((Post *)l.items[i])->id);
    return buf;
}

static void set_operations_of_queries(void **state)
{
    (void)state;
    /* by author 1: 1, 5; with 2 comments or more: 2, 3, 6, 7 */
    sinew_query *q = posts_where(sinew_eq(POST_AUTHOR_ID, sinew_v_int64(1)));
    th_ok(sinew_combine(q, SINEW_UNION, posts_where(sinew_cmp_agg(POST_COMMENTS, SINEW_COUNT, COMMENT_ID, NULL,
                                                                  SINEW_GE, sinew_v_int64(2)))));
    assert_string_equal(list_ids(q), "1,2,3,5,6,7");
    int64_t n = 0;
    th_ok(sinew_query_count(q, &n));
    assert_int_equal(n, 6);
    th_ok(sinew_limit(q, 2));
    th_ok(sinew_offset(q, 1));
    assert_string_equal(list_ids(q), "2,3");
    sinew_query_free(q);
    /* each side keeps its joins: ids 1..4 INTERSECT posts of u2@ (2, 6) */
    q = posts_where(sinew_le(POST_ID, sinew_v_int64(4)));
    th_ok(sinew_combine(q, SINEW_INTERSECT, posts_where(sinew_like(sinew_via(POST_AUTHOR, USER_EMAIL), "u2@%"))));
    assert_string_equal(list_ids(q), "2");
    sinew_assign set = {POST_TITLE, sinew_v_text("both")};
    int64_t changed = 0;
    th_ok(sinew_query_update(q, &set, 1, &changed));
    assert_int_equal(changed, 1);
    sinew_query_free(q);
    assert_string_equal(ids(&post_model, sinew_eq(POST_TITLE, sinew_v_text("both"))), "2");
    /* EXCEPT, nested: all but (posts without comments EXCEPT post 8) */
    sinew_query *lonely = posts_where(sinew_not_exists(POST_COMMENTS, NULL));
    th_ok(sinew_combine(lonely, SINEW_EXCEPT, posts_where(sinew_eq(POST_ID, sinew_v_int64(8)))));
    q = sinew_query_new(s, &post_model);
    th_ok(sinew_combine(q, SINEW_EXCEPT, lonely));
    assert_string_equal(list_ids(q), "1,2,3,5,6,7,8");
    sinew_query_free(q);
    /* refused */
    q = sinew_query_new(s, &post_model);
    th_assert_status(sinew_combine(q, SINEW_UNION, sinew_query_new(s, &user_model)), SINEW_MISUSE, "one model");
    sinew_query_free(q);
    q = sinew_query_new(s, &post_model);
    sinew_query *paged = sinew_query_new(s, &post_model);
    th_ok(sinew_limit(paged, 1));
    th_assert_status(sinew_combine(q, SINEW_UNION, paged), SINEW_MISUSE, "may only filter");
    sinew_query_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(exists_through_a_relation, setup, teardown),
        cmocka_unit_test_setup_teardown(correlated_aggregates_in_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(wrong_subqueries_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(annotations_come_with_the_objects, setup, teardown),
        cmocka_unit_test_setup_teardown(recursive_closures_return_objects, setup, teardown),
        cmocka_unit_test_setup_teardown(set_operations_of_queries, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
