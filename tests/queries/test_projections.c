/*
 * Projections (#21 item 3): sinew_only / sinew_defer load some columns into
 * objects that remember what they lack; a save writes only what was loaded
 * and changed, and writing or using a field that was not loaded is
 * SINEW_MISUSE naming it, with nothing sent; a later whole load fills the
 * same object in. The rows form reads any column expression as values.
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

static int64_t author_of(int64_t post)
{
    sinew_rows *r;
    sinew_value p = sinew_v_int64(post);
    th_ok(sinew_raw_rows(s, "SELECT author_id FROM posts WHERE id = ?", &p, 1, &r));
    assert_int_equal(sinew_rows_next(r), SINEW_ROW);
    int64_t v = sinew_rows_value(r, 0).u.i;
    sinew_rows_free(r);
    return v;
}

/* post 3 loaded with only its title */
static Post *title_only(int64_t id, th_capture *cap)
{
    sinew_query *q = sinew_query_new(s, &post_model);
    sinew_col cols[] = {POST_TITLE};
    th_ok(sinew_only(q, cols, 1));
    th_ok(sinew_where(q, sinew_eq(POST_ID, sinew_v_int64(id))));
    if (cap) th_capture_start(db, cap);
    Post *p;
    th_ok(sinew_one(q, (void **)&p));
    if (cap) th_capture_stop(db, cap);
    sinew_query_free(q);
    return p;
}

static void only_reads_the_columns_asked(void **state)
{
    (void)state;
    th_capture cap = {0};
    Post *p = title_only(3, &cap);
    assert_int_equal(cap.count, 1);
    assert_non_null(strstr(cap.sql[0], "SELECT t0.\"id\", t0.\"title\" FROM"));
    th_capture_free(&cap);
    assert_int_equal(p->id, 3);
    assert_string_equal(p->title, "post 3");
    assert_int_equal(p->author_id, 0);                       /* not loaded: zero */
    assert_true(sinew_field_loaded(s, p, 0));
    assert_true(sinew_field_loaded(s, p, 2));
    assert_false(sinew_field_loaded(s, p, 1));
    assert_false(sinew_field_loaded(s, p, 7));
}

static void save_writes_only_loaded_changes(void **state)
{
    (void)state;
    Post *p = title_only(3, NULL);
    p->title = "renamed";
    th_capture cap = {0};
    th_capture_start(db, &cap);
    th_ok(sinew_save(s, &post_model, p));
    th_capture_stop(db, &cap);
    assert_int_equal(th_capture_count(&cap, "UPDATE"), 1);
    assert_int_equal(th_capture_count(&cap, "author_id"), 0);   /* the column never read is never written */
    th_capture_free(&cap);
    assert_int_equal(author_of(3), 3);

    /* a field that was not loaded, assigned: refused, nothing sent, then fine once put back */
    p->author_id = 1;
    th_capture_start(db, &cap);
    th_assert_status(sinew_save(s, &post_model, p), SINEW_MISUSE, "Post.author_id was not loaded");
    th_assert_status(sinew_session_flush(s), SINEW_MISUSE, "Post.author_id was not loaded");
    th_capture_stop(db, &cap);
    assert_int_equal(th_capture_count(&cap, "UPDATE"), 0);
    th_capture_free(&cap);
    assert_int_equal(author_of(3), 3);
    p->author_id = 0;
    th_ok(sinew_session_flush(s));
    /* an upsert writes every column: refused */
    const unsigned on_id[] = {0};
    th_assert_status(sinew_upsert(s, &post_model, p, on_id, 1), SINEW_MISUSE, "upsert writes every column");
}

static void using_a_missing_field_is_refused(void **state)
{
    (void)state;
    Post *p = title_only(5, NULL);
    User *u;
    th_assert_status(sinew_load_one(s, POST_AUTHOR, p, (void **)&u), SINEW_MISUSE, "Post.author_id was not loaded");
    /* keyset paging after it, on the missing field */
    sinew_query *q = sinew_query_new(s, &post_model);
    th_ok(sinew_order(q, POST_AUTHOR_ID, SINEW_ASC));
    th_assert_status(sinew_after(q, p), SINEW_MISUSE, "order key of the page");
    sinew_query_free(q);
    /* streams and claims read whole rows */
    q = sinew_query_new(s, &post_model);
    sinew_col cols[] = {POST_TITLE};
    th_ok(sinew_only(q, cols, 1));
    sinew_iter *it;
    th_assert_status(sinew_iterate(q, &it), SINEW_UNSUPPORTED, "projection");
    sinew_query_free(q);
    /* a projection of something else than the model's own columns */
    q = sinew_query_new(s, &post_model);
    sinew_col bad[] = {sinew_via(POST_AUTHOR, USER_EMAIL)};
    th_assert_status(sinew_only(q, bad, 1), SINEW_MISUSE, "not a plain column of Post");
    sinew_query_free(q);
    q = sinew_query_new(s, &post_model);
    sinew_col key[] = {POST_ID};
    th_assert_status(sinew_defer(q, key, 1), SINEW_MISUSE, "Post.id is a key");
    sinew_query_free(q);
}

static void defer_and_fill_in(void **state)
{
    (void)state;
    sinew_query *q = sinew_query_new(s, &post_model);
    sinew_col cols[] = {POST_TITLE};
    th_ok(sinew_defer(q, cols, 1));
    th_ok(sinew_order(q, POST_ID, SINEW_ASC));
    sinew_list l;
    th_ok(sinew_all(q, &l));
    sinew_query_free(q);
    assert_int_equal(l.count, 8);
    Post *p = l.items[1];
    assert_int_equal(p->id, 2);
    assert_int_equal(p->author_id, 2);
    assert_null(p->title);
    assert_false(sinew_field_loaded(s, p, 2));
    /* the relation whose key was loaded works */
    User *u;
    th_ok(sinew_load_one(s, POST_AUTHOR, p, (void **)&u));
    assert_int_equal(u->id, 2);
    /* a whole load of the same row fills the same object in */
    Post *again;
    sinew_value key = sinew_v_int64(2);
    q = sinew_query_new(s, &post_model);
    th_ok(sinew_where(q, sinew_eq(POST_ID, key)));
    th_ok(sinew_one(q, (void **)&again));
    sinew_query_free(q);
    assert_ptr_equal(again, p);
    assert_string_equal(p->title, "post 2");
    assert_true(sinew_field_loaded(s, p, 2));
    p->title = "changed";
    th_ok(sinew_save(s, &post_model, p));
}

static void rows_of_expressions(void **state)
{
    (void)state;
    sinew_query *q = sinew_query_new(s, &post_model);
    th_ok(sinew_select_col(q, POST_TITLE));
    th_ok(sinew_select_col(q, sinew_via(POST_AUTHOR, USER_EMAIL)));
    th_ok(sinew_select_col(q, sinew_col_op(POST_ID, '*', sinew_v_int64(10))));
    th_ok(sinew_where(q, sinew_le(POST_ID, sinew_v_int64(2))));
    th_ok(sinew_order(q, POST_ID, SINEW_ASC));
    sinew_rows *r;
    th_ok(sinew_rows_open(q, &r));
    assert_int_equal(sinew_rows_columns(r), 3);
    for (int i = 1; i <= 2; i++) {
        assert_int_equal(sinew_rows_next(r), SINEW_ROW);
        char want[32];
        sinew_value v = sinew_rows_value(r, 0);
        snprintf(want, sizeof want, "post %d", i);
        assert_int_equal(v.u.s.len, strlen(want));
        assert_memory_equal(v.u.s.ptr, want, v.u.s.len);
        v = sinew_rows_value(r, 1);
        snprintf(want, sizeof want, "u%d@example.com", i);
        assert_memory_equal(v.u.s.ptr, want, v.u.s.len);
        assert_int_equal(sinew_rows_value(r, 2).u.i, i * 10);
    }
    assert_int_equal(sinew_rows_next(r), SINEW_DONE);
    sinew_rows_free(r);
    /* a rows query is not a query of objects */
    sinew_list l;
    th_assert_status(sinew_all(q, &l), SINEW_MISUSE, "sinew_select_col");
    sinew_query_free(q);
    /* grouped: a value column must be a group key */
    q = sinew_query_new(s, &post_model);
    th_ok(sinew_group_by(q, POST_AUTHOR_ID));
    th_ok(sinew_select_agg(q, SINEW_COUNT, POST_ID));
    th_ok(sinew_select_col(q, POST_TITLE));
    th_assert_status(sinew_rows_open(q, &r), SINEW_MISUSE, "not a group key");
    sinew_query_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(only_reads_the_columns_asked, setup, teardown),
        cmocka_unit_test_setup_teardown(save_writes_only_loaded_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(using_a_missing_field_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(defer_and_fill_in, setup, teardown),
        cmocka_unit_test_setup_teardown(rows_of_expressions, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
