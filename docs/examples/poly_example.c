/*
 * poly_example.c - the polymorphic relation of docs/relations.md (`target
 * Post | Comment`), through the code `sinew generate` writes for
 * docs/examples/poly.sinew; compiled and run by the test suite (tests/docs).
 */
#include <stdio.h>
#include <string.h>
#include "poly.h"

#define CHECK(x) do { int rc_ = (x); if (rc_) { fprintf(stderr, "%s: %s\n", #x, sinew_errmsg()); return 1; } } while (0)

int main(void)
{
    sinew_db *db;
    CHECK(sinew_open("sqlite::memory:", &db));
    CHECK(sinew_create_tables(db, &poly_schema));
    sinew_session *s;
    CHECK(sinew_session_new(db, &s));
    Post *post;
    CHECK(post_new(s, &post));
    post->title = "hello";
    CHECK(post_save(s, post));
    Comment *comment;
    CHECK(comment_new(s, &comment));
    comment->body = "nice";
    CHECK(comment_save(s, comment));

    /* --- pointing a like at one target: the other keys are cleared --- */
    Like *l;
    CHECK(like_new(s, &l));
    l->who = "ada";
    CHECK(like_target_set_post(s, l, post));        /* target_post_id = post->id */
    CHECK(like_target_set_comment(s, l, comment));  /* target_comment_id set, target_post_id NULL */
    CHECK(like_save(s, l));
    if (like_target_which(l) != LIKE_TARGET_IS_COMMENT) return 1;
    Like *other;
    CHECK(like_new(s, &other));
    other->who = "bob";
    CHECK(like_target_set_post(s, other, post));
    CHECK(like_save(s, other));
    sinew_session_free(s);

    /* --- lazy: the accessor says which target is set and loads it --- */
    CHECK(sinew_session_new(db, &s));
    CHECK(like_get(s, 1, &l));                    /* the first like: ada's, of the comment */
    like_target_kind kind;
    void *target;
    CHECK(like_target(s, l, &kind, &target));     /* one SELECT from comments */
    if (kind == LIKE_TARGET_IS_COMMENT) printf("liked comment: %s\n", ((Comment *)target)->body);
    else if (kind == LIKE_TARGET_IS_POST) printf("liked post: %s\n", ((Post *)target)->title);
    sinew_session_free(s);

    /* --- eager: one statement per target model, for any number of likes --- */
    CHECK(sinew_session_new(db, &s));
    sinew_count_mark mark = sinew_count_begin(db);
    sinew_query *q = like_query(s);
    CHECK(sinew_prefetch_poly(q, LIKE_TARGET));   /* SELECT ... FROM posts / comments WHERE id IN (...) */
    like_list likes;
    CHECK(like_all(q, &likes));
    sinew_query_free(q);
    for (size_t i = 0; i < likes.count; i++)
        CHECK(like_target(s, likes.items[i], &kind, &target));   /* loaded: nothing sent */
    CHECK(sinew_count_expect(db, mark, 3));
    printf("%zu likes and their targets in 3 statements\n", likes.count);
    sinew_session_free(s);

    /* --- the database keeps the rule: a like with no target is refused --- */
    CHECK(sinew_session_new(db, &s));
    CHECK(like_new(s, &l));
    l->who = "nobody";
    if (like_save(s, l) != SINEW_CONSTRAINT) return 1;   /* CHECK likes_target_one_target */
    sinew_session_free(s);
    sinew_close(db);
    return 0;
}
