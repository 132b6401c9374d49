/*
 * relations_example.c - the code shown in docs/relations.md and
 * docs/n-plus-one.md, compiled and run by the test suite (tests/docs).
 * It uses the hand-written blog descriptors of tests/relations; generated
 * code offers the same calls as post_author(s, p, &u) and friends.
 */
#include <stdio.h>
#include <string.h>
#include "../../tests/relations/blog_models.h"

#define CHECK(x) do { int rc_ = (x); if (rc_) { fprintf(stderr, "%s: %s\n", #x, sinew_errmsg()); return 1; } } while (0)

static int seed(sinew_db *db)
{
    CHECK(sinew_create_tables(db, &blog_schema));
    sinew_session *s;
    CHECK(sinew_session_new(db, &s));
    for (int i = 0; i < 10; i++) {
        User *u;
        CHECK(sinew_new(s, &user_model, (void **)&u));
        char email[32];
        snprintf(email, sizeof email, "user%d@example.com", i);
        u->email = sinew_strdup(s, email);
        for (int j = 0; j < 3; j++) {
            Post *p;
            CHECK(sinew_new(s, &post_model, (void **)&p));
            p->title = "a post";
            p->author = u;                 /* the flush fills p->author_id */
        }
    }
    CHECK(sinew_session_flush(s));
    sinew_session_free(s);
    return 0;
}

static void on_log(void *ctx, const sinew_log_event *ev)
{
    (void)ctx;
    if (ev->message) printf("sinew says: %s\n", ev->message);
}

int main(void)
{
    sinew_db *db;
    CHECK(sinew_open("sqlite::memory:", &db));
    if (seed(db)) return 1;
    sinew_db_set_log(db, on_log, NULL);

    /* --- lazy loading: first access loads, the second is free --- */
    sinew_session *s;
    CHECK(sinew_session_new(db, &s));
    Post *p;
    sinew_value key = sinew_v_int64(1);
    CHECK(sinew_get(s, &post_model, &key, 1, (void **)&p));
    User *author;
    CHECK(sinew_load_one(s, POST_AUTHOR, p, (void **)&author));   /* one SELECT */
    CHECK(sinew_load_one(s, POST_AUTHOR, p, (void **)&author));   /* cached: nothing sent */
    printf("post 1 was written by %s\n", author->email);

    /* --- a naive loop: batched, 2 statements in all --- */
    sinew_count_mark mark = sinew_count_begin(db);
    sinew_query *q = sinew_query_new(s, &post_model);
    sinew_list posts;
    CHECK(sinew_all(q, &posts));
    for (size_t i = 0; i < posts.count; i++) {
        User *a;
        CHECK(sinew_load_one(s, POST_AUTHOR, posts.items[i], (void **)&a));
    }
    sinew_query_free(q);
    CHECK(sinew_count_expect(db, mark, 2));
    printf("naive loop over %zu posts: 2 statements\n", posts.count);
    sinew_session_free(s);

    /* --- the N+1 trap, with batching off: the detector names the fix --- */
    CHECK(sinew_session_new(db, &s));
    sinew_session_set_batching(s, false);
    q = sinew_query_new(s, &post_model);
    CHECK(sinew_all(q, &posts));
    sinew_query_free(q);
    for (size_t i = 0; i < posts.count; i++) {
        User *a;
        CHECK(sinew_load_one(s, POST_AUTHOR, posts.items[i], (void **)&a));
    }
    sinew_session_free(s);

    /* --- the fix: eager loading --- */
    CHECK(sinew_session_new(db, &s));
    mark = sinew_count_begin(db);
    q = sinew_query_new(s, &user_model);
    CHECK(sinew_prefetch(q, USER_POSTS));          /* one extra IN (...) statement */
    sinew_list users;
    CHECK(sinew_all(q, &users));
    sinew_query_free(q);
    size_t total = 0;
    for (size_t i = 0; i < users.count; i++) {
        sinew_list mine;
        CHECK(sinew_load_many(s, USER_POSTS, users.items[i], &mine));   /* already loaded */
        total += mine.count;
    }
    CHECK(sinew_count_expect(db, mark, 2));
    printf("eager: %zu users and %zu posts in 2 statements\n", users.count, total);

    /* --- many-to-many without loading the collection --- */
    Tag *t;
    CHECK(sinew_new(s, &tag_model, (void **)&t));
    t->name = "c";
    CHECK(sinew_save(s, &tag_model, t));
    Post *first = ((User *)users.items[0])->posts.items[0];
    CHECK(sinew_m2m_add(s, POST_TAGS, first, t));
    sinew_list tags;
    CHECK(sinew_load_many(s, POST_TAGS, first, &tags));
    printf("post %lld has %zu tag(s)\n", (long long)first->id, tags.count);
    sinew_session_free(s);
    sinew_close(db);
    return 0;
}
