/*
 * queries_example.c - the code of docs/queries.md, compiled and run by the
 * test suite, on the hand-written blog descriptors of tests/relations.
 */
#include <stdio.h>
#include <string.h>
#include "../../tests/relations/blog_models.h"

#define CHECK(x) do { int rc_ = (x); if (rc_) { fprintf(stderr, "%s: %s\n", #x, sinew_errmsg()); return 1; } } while (0)
#define POST_AUTHOR_ID sinew_column(&post_model, 1)
#define COMMENT_ID sinew_column(&comment_model, 0)
#define COMMENT_AUTHOR_ID sinew_column(&comment_model, 2)

int main(void)
{
    sinew_db *db;
    CHECK(sinew_open("sqlite::memory:", &db));
    CHECK(sinew_create_tables(db, &blog_schema));
    sinew_session *s;
    CHECK(sinew_session_new(db, &s));
    for (int i = 0; i < 5; i++) {
        User *u;
        CHECK(sinew_new(s, &user_model, (void **)&u));
        char e[32];
        snprintf(e, sizeof e, "u%d@%s", i, i % 2 ? "example.com" : "test.org");
        u->email = sinew_strdup(s, e);
        for (int j = 0; j < 3; j++) {
            Post *p;
            CHECK(sinew_new(s, &post_model, (void **)&p));
            p->author = u;
            p->title = j ? "Hello again" : "Hello";
        }
    }
    CHECK(sinew_session_flush(s));

    /* filter, exclude, order, slice */
    sinew_query *q = sinew_query_new(s, &post_model);
    CHECK(sinew_where(q, sinew_like(POST_TITLE, "Hello%")));
    CHECK(sinew_exclude(q, sinew_eq(POST_AUTHOR_ID, sinew_v_int64(1))));
    CHECK(sinew_order(q, POST_TITLE, SINEW_ASC));
    CHECK(sinew_order(q, POST_ID, SINEW_DESC));
    CHECK(sinew_limit(q, 10));
    CHECK(sinew_offset(q, 2));
    sinew_list posts;
    CHECK(sinew_all(q, &posts));
    printf("%s\n", sinew_query_sql(q));
    sinew_query_free(q);

    /* OR, NOT, IN */
    q = sinew_query_new(s, &post_model);
    sinew_value ids[] = {sinew_v_int64(1), sinew_v_int64(2)};
    CHECK(sinew_where(q, sinew_or(sinew_in(POST_AUTHOR_ID, ids, 2), sinew_not(sinew_like(POST_TITLE, "%again")))));
    int64_t n;
    CHECK(sinew_query_count(q, &n));
    sinew_query_free(q);

    /* across a relation, like Django's author__email */
    q = sinew_query_new(s, &post_model);
    CHECK(sinew_where(q, sinew_ilike(sinew_via(POST_AUTHOR, USER_EMAIL), "%@EXAMPLE.COM")));
    Post *first;
    CHECK(sinew_first(q, (void **)&first));
    sinew_query_free(q);

    /* get exactly one */
    q = sinew_query_new(s, &user_model);
    CHECK(sinew_where(q, sinew_eq(USER_EMAIL, sinew_v_text("u3@example.com"))));
    User *u3;
    CHECK(sinew_one(q, (void **)&u3));
    bool exists;
    CHECK(sinew_query_exists(q, &exists));
    sinew_query_free(q);

    /* aggregate, and group by with having */
    q = sinew_query_new(s, &post_model);
    sinew_value most;
    CHECK(sinew_aggregate(q, SINEW_MAX, POST_ID, &most));
    CHECK(sinew_group_by(q, POST_AUTHOR_ID));
    CHECK(sinew_select_agg(q, SINEW_COUNT, POST_ID));
    CHECK(sinew_having(q, SINEW_COUNT, POST_ID, SINEW_GE, sinew_v_int64(3)));
    sinew_rows *rows;
    CHECK(sinew_rows_open(q, &rows));
    while (sinew_rows_next(rows) == SINEW_ROW)
        printf("author %lld wrote %lld posts\n", (long long)sinew_rows_value(rows, 0).u.i,
               (long long)sinew_rows_value(rows, 1).u.i);
    sinew_rows_free(rows);
    sinew_query_free(q);

    /* bulk update and delete */
    q = sinew_query_new(s, &post_model);
    CHECK(sinew_where(q, sinew_eq(POST_TITLE, sinew_v_text("Hello"))));
    sinew_assign set = {POST_TITLE, sinew_v_text("Hi")};
    int64_t changed;
    CHECK(sinew_query_update(q, &set, 1, &changed));
    sinew_query_free(q);
    q = sinew_query_new(s, &post_model);
    CHECK(sinew_where(q, sinew_eq(POST_AUTHOR_ID, sinew_v_int64(5))));
    CHECK(sinew_query_delete(q, &changed));
    sinew_query_free(q);

    /* stream, like Django's iterator() */
    q = sinew_query_new(s, &post_model);
    sinew_iter *it;
    CHECK(sinew_iterate(q, &it));
    Post *p;
    while (sinew_iter_next(it, (void **)&p) == SINEW_ROW) n++;
    sinew_iter_free(it);
    sinew_query_free(q);

    /* keyset pagination */
    q = sinew_query_new(s, &post_model);
    CHECK(sinew_order(q, POST_ID, SINEW_ASC));
    CHECK(sinew_limit(q, 5));
    CHECK(sinew_after(q, first));
    CHECK(sinew_all(q, &posts));
    sinew_query_free(q);

    /* read-only, like Rails' readonly or Entity Framework's AsNoTracking */
    q = sinew_query_new(s, &post_model);
    CHECK(sinew_readonly(q));
    CHECK(sinew_all(q, &posts));
    sinew_query_free(q);
    if (posts.count && sinew_save(s, &post_model, posts.items[0]) != SINEW_MISUSE) return 1;

    /* projections: only the title (and the key), like Django's only() */
    sinew_session *list_page;   /* a session of its own: one that holds the rows whole keeps them whole */
    CHECK(sinew_session_new(db, &list_page));
    q = sinew_query_new(list_page, &post_model);
    sinew_col shown[] = {POST_TITLE};
    CHECK(sinew_only(q, shown, 1));
    CHECK(sinew_all(q, &posts));
    sinew_query_free(q);
    if (posts.count && sinew_field_loaded(list_page, posts.items[0], 1)) return 1;   /* author_id was not read */
    sinew_session_free(list_page);

    /* rows of any column expressions, like Django's values() */
    q = sinew_query_new(s, &post_model);
    CHECK(sinew_select_col(q, POST_TITLE));
    CHECK(sinew_select_col(q, sinew_via(POST_AUTHOR, USER_EMAIL)));
    CHECK(sinew_rows_open(q, &rows));
    while (sinew_rows_next(rows) == SINEW_ROW) n++;
    sinew_rows_free(rows);
    sinew_query_free(q);

    /* window functions: the 3 newest posts of each author, numbered, in one statement */
    q = sinew_query_new(s, &post_model);
    sinew_window newest = {.partition = {POST_AUTHOR_ID}, .npartition = 1,
                           .order = {POST_ID}, .dir = {SINEW_DESC}, .norder = 1};
    CHECK(sinew_select_col(q, POST_AUTHOR_ID));
    CHECK(sinew_select_col(q, POST_TITLE));
    CHECK(sinew_select_window(q, SINEW_ROW_NUMBER, POST_ID, &newest));
    CHECK(sinew_where_value(q, 2, SINEW_LE, sinew_v_int64(3)));
    CHECK(sinew_order(q, POST_AUTHOR_ID, SINEW_ASC));
    CHECK(sinew_rows_open(q, &rows));
    while (sinew_rows_next(rows) == SINEW_ROW) n++;
    sinew_rows_free(rows);
    sinew_query_free(q);

    /* subqueries through a relation: posts with a comment by user 2; without comments, or fewer than 2 */
    q = sinew_query_new(s, &post_model);
    CHECK(sinew_where(q, sinew_exists(POST_COMMENTS, sinew_eq(COMMENT_AUTHOR_ID, sinew_v_int64(2)))));
    CHECK(sinew_all(q, &posts));
    sinew_query_free(q);
    q = sinew_query_new(s, &post_model);
    CHECK(sinew_where(q, sinew_or(sinew_not_exists(POST_COMMENTS, NULL),
                                  sinew_cmp_agg(POST_COMMENTS, SINEW_COUNT, COMMENT_ID, NULL, SINEW_LT, sinew_v_int64(2)))));
    CHECK(sinew_query_count(q, &n));
    sinew_query_free(q);

    /* annotations: each post's comment count and latest comment, with the posts, in one statement */
    q = sinew_query_new(s, &post_model);
    CHECK(sinew_annotate(q, POST_COMMENTS, SINEW_COUNT, COMMENT_ID, NULL));
    CHECK(sinew_annotate(q, POST_COMMENTS, SINEW_MAX, COMMENT_ID, NULL));
    CHECK(sinew_all(q, &posts));
    for (size_t i = 0; i < posts.count; i++)
        printf("post %lld: %lld comments\n", (long long)((Post *)posts.items[i])->id,
               (long long)sinew_annotation(q, i, 0).u.i);
    sinew_query_free(q);

    /* WITH RECURSIVE: everyone user 1 invited, directly or through others, as objects */
    q = sinew_query_new(s, &user_model);
    CHECK(sinew_closure(q, USER_INVITEES, sinew_eq(USER_ID, sinew_v_int64(1))));
    sinew_list invited;
    CHECK(sinew_all(q, &invited));
    sinew_query_free(q);

    /* set operations: posts by user 1, and those with a comment by user 2 */
    q = sinew_query_new(s, &post_model);
    CHECK(sinew_where(q, sinew_eq(POST_AUTHOR_ID, sinew_v_int64(1))));
    sinew_query *commented = sinew_query_new(s, &post_model);
    CHECK(sinew_where(commented, sinew_exists(POST_COMMENTS, sinew_eq(COMMENT_AUTHOR_ID, sinew_v_int64(2)))));
    CHECK(sinew_combine(q, SINEW_UNION, commented));
    CHECK(sinew_all(q, &posts));
    sinew_query_free(q);

    /* set operations of rows queries */
    q = sinew_query_new(s, &post_model);
    CHECK(sinew_select_col(q, POST_AUTHOR_ID));
    sinew_query *commenters = sinew_query_new(s, &comment_model);
    CHECK(sinew_select_col(commenters, COMMENT_AUTHOR_ID));
    CHECK(sinew_combine_rows(q, SINEW_UNION, commenters));
    CHECK(sinew_order(q, POST_AUTHOR_ID, SINEW_ASC));
    CHECK(sinew_rows_open(q, &rows));
    while (sinew_rows_next(rows) == SINEW_ROW) n++;
    sinew_rows_free(rows);
    sinew_query_free(q);

    /* raw SQL, values still bound */
    sinew_value since = sinew_v_int64(3);
    sinew_list recent;
    CHECK(sinew_raw_all(s, &post_model, "SELECT * FROM posts WHERE id > ?", &since, 1, &recent));
    sinew_session_free(s);
    sinew_close(db);
    return 0;
}
