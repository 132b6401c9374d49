/*
 * Relations on every backend, asserted by counting statements: lazy first
 * access 1, cached 0, a batched loop 2, an eager graph 3; the N+1 detector
 * fires at its threshold with the right message and call site (and not on
 * single objects or batched loads); error mode returns SINEW_NPLUSONE;
 * many-to-many add/remove/set/clear checked against the join table;
 * self-references.
 */
#include "harness.h"
#include "blog_models.h"
#include <stdio.h>
#include <string.h>

typedef struct fixture {
    sinew_db *db;
    sinew_session *s;
} fixture;

static User *mk_user(sinew_session *s, const char *email, User *inviter)
{
    User *u;
    th_ok(sinew_new(s, &user_model, (void **)&u));
    u->email = sinew_strdup(s, email);
    if (inviter) {
        u->invited_by_id = inviter->id;
        u->has_invited_by_id = true;
    }
    th_ok(sinew_save(s, &user_model, u));
    return u;
}

static Post *mk_post(sinew_session *s, User *author, const char *title)
{
    Post *p;
    th_ok(sinew_new(s, &post_model, (void **)&p));
    p->author_id = author->id;
    p->title = sinew_strdup(s, title);
    th_ok(sinew_save(s, &post_model, p));
    return p;
}

/* n users, each with posts_each posts, each post with comments_each comments by user 1 */
static void seed(fixture *f, int n, int posts_each, int comments_each)
{
    f->db = th_open();
    th_ok(sinew_create_tables(f->db, &blog_schema));
    sinew_session *s;
    th_ok(sinew_session_new(f->db, &s));
    th_ok(sinew_begin(f->db));
    User *first = NULL;
    for (int i = 0; i < n; i++) {
        char buf[64];
        snprintf(buf, sizeof buf, "u%d@example.com", i);
        User *u = mk_user(s, buf, first);
        if (!first) first = u;
        for (int j = 0; j < posts_each; j++) {
            snprintf(buf, sizeof buf, "post %d.%d", i, j);
            Post *p = mk_post(s, u, buf);
            for (int k = 0; k < comments_each; k++) {
                Comment *c;
                th_ok(sinew_new(s, &comment_model, (void **)&c));
                c->post_id = p->id;
                c->author_id = first->id;
                c->body = "nice";
                th_ok(sinew_save(s, &comment_model, c));
            }
        }
    }
    th_ok(sinew_commit(f->db));
    sinew_session_free(s);
    th_ok(sinew_session_new(f->db, &f->s));   /* a fresh session: nothing loaded */
}

static void teardown(fixture *f)
{
    sinew_session_free(f->s);
    th_close(f->db);
}

static void lazy_first_access_one_statement_then_cached(void **state)
{
    (void)state;
    fixture f;
    seed(&f, 3, 2, 0);
    Post *p;
    sinew_value key = sinew_v_int64(1);
    th_ok(sinew_get(f.s, &post_model, &key, 1, (void **)&p));
    sinew_count_mark m = sinew_count_begin(f.db);
    User *a;
    th_ok(sinew_load_one(f.s, POST_AUTHOR, p, (void **)&a));
    th_ok(sinew_count_expect(f.db, m, 1));
    assert_string_equal(a->email, "u0@example.com");
    assert_ptr_equal(p->author, a);
    m = sinew_count_begin(f.db);
    User *again;
    th_ok(sinew_load_one(f.s, POST_AUTHOR, p, (void **)&again));
    assert_ptr_equal(a, again);
    sinew_list posts;
    th_ok(sinew_load_many(f.s, USER_POSTS, a, &posts));
    assert_int_equal(posts.count, 2);
    assert_ptr_equal(posts.items[0], p);       /* the identity map: the same Post object */
    th_ok(sinew_load_many(f.s, USER_POSTS, a, &posts));
    th_ok(sinew_count_expect(f.db, m, 1));
    assert_string_equal(sinew_session_nplusone_report(f.s), "");
    teardown(&f);
}

static void naive_loop_is_batched_into_two_statements(void **state)
{
    (void)state;
    fixture f;
    seed(&f, 10, 3, 0);
    sinew_count_mark m = sinew_count_begin(f.db);
    sinew_query *q = sinew_query_new(f.s, &post_model);
    th_ok(sinew_order(q, POST_ID, SINEW_ASC));
    sinew_list posts;
    th_ok(sinew_all(q, &posts));
    sinew_query_free(q);
    assert_int_equal(posts.count, 30);
    for (size_t i = 0; i < posts.count; i++) {
        Post *p = posts.items[i];
        User *a;
        th_ok(sinew_load_one(f.s, POST_AUTHOR, p, (void **)&a));
        assert_int_equal(a->id, p->author_id);
    }
    th_ok(sinew_count_expect(f.db, m, 2));
    /* the authors came from one statement, so their posts batch too */
    m = sinew_count_begin(f.db);
    for (size_t i = 0; i < posts.count; i++) {
        sinew_list mine;
        th_ok(sinew_load_many(f.s, USER_POSTS, ((Post *)posts.items[i])->author, &mine));
        assert_int_equal(mine.count, 3);
    }
    th_ok(sinew_count_expect(f.db, m, 1));
    assert_string_equal(sinew_session_nplusone_report(f.s), "");
    teardown(&f);
}

/* a result list is the caller's: overwriting it does not disturb the batch its objects load with */
static void result_list_is_the_callers_to_change(void **state)
{
    (void)state;
    fixture f;
    seed(&f, 4, 2, 0);
    sinew_query *q = sinew_query_new(f.s, &post_model);
    th_ok(sinew_order(q, POST_ID, SINEW_ASC));
    sinew_list posts;
    th_ok(sinew_all(q, &posts));
    sinew_query_free(q);
    Post *first = posts.items[0], *last = posts.items[posts.count - 1];
    for (size_t i = 0; i < posts.count; i++) posts.items[i] = NULL;   /* e.g. filtered in place */
    sinew_count_mark m = sinew_count_begin(f.db);
    User *a;
    th_ok(sinew_load_one(f.s, POST_AUTHOR, first, (void **)&a));
    assert_int_equal(a->id, first->author_id);
    th_ok(sinew_load_one(f.s, POST_AUTHOR, last, (void **)&a));   /* loaded with the batch */
    assert_int_equal(a->id, last->author_id);
    th_ok(sinew_count_expect(f.db, m, 1));
    teardown(&f);
}

/* a prefetched to-many list is its owner's too: filtering it in place leaves the batch the loaded
 * rows form (here every user's posts) whole */
static void prefetched_list_is_the_callers_to_change(void **state)
{
    (void)state;
    fixture f;
    seed(&f, 3, 3, 2);
    sinew_query *q = sinew_query_new(f.s, &user_model);
    th_ok(sinew_order(q, USER_ID, SINEW_ASC));
    th_ok(sinew_prefetch(q, USER_POSTS));
    sinew_list users;
    th_ok(sinew_all(q, &users));
    sinew_query_free(q);
    assert_int_equal(users.count, 3);
    User *u0 = users.items[0], *u2 = users.items[2];
    assert_int_equal(u0->posts.count, 3);
    Post *first = u0->posts.items[0], *last = u2->posts.items[u2->posts.count - 1];
    for (size_t i = 0; i < u0->posts.count; i++) u0->posts.items[i] = NULL;   /* e.g. filtered in place */
    for (size_t i = 0; i < u2->posts.count; i++) assert_non_null(u2->posts.items[i]);
    sinew_count_mark m = sinew_count_begin(f.db);
    sinew_list cs;
    th_ok(sinew_load_many(f.s, POST_COMMENTS, first, &cs));
    assert_int_equal(cs.count, 2);
    th_ok(sinew_load_many(f.s, POST_COMMENTS, last, &cs));   /* loaded with the batch */
    assert_int_equal(cs.count, 2);
    th_ok(sinew_count_expect(f.db, m, 1));
    teardown(&f);
}

typedef struct log_capture {
    char last[1024];
    int messages;
} log_capture;

static void on_log(void *ctx, const sinew_log_event *ev)
{
    log_capture *c = ctx;
    if (!ev->message) return;
    snprintf(c->last, sizeof c->last, "%s", ev->message);
    c->messages++;
}

static void detector_fires_at_threshold_with_call_site(void **state)
{
    (void)state;
    fixture f;
    seed(&f, 8, 1, 0);
    log_capture cap = {{0}, 0};
    sinew_db_set_log(f.db, on_log, &cap);
    sinew_session_set_batching(f.s, false);
    sinew_query *q = sinew_query_new(f.s, &post_model);
    sinew_list posts;
    th_ok(sinew_all(q, &posts));
    sinew_query_free(q);
    int fired_at = -1, line = 0;
    for (size_t i = 0; i < posts.count; i++) {
        User *a;
        line = __LINE__ + 1;
        th_ok(sinew_load_one(f.s, POST_AUTHOR, posts.items[i], (void **)&a));
        if (cap.messages && fired_at < 0) fired_at = (int)i + 1;
    }
    assert_int_equal(fired_at, 5);
    assert_int_equal(cap.messages, 1);   /* reported once per relation */
    char site[128];
    snprintf(site, sizeof site, "test_relations.c:%d", line);
    assert_non_null(strstr(cap.last, "N+1 query: Post.author was loaded lazily 5 times"));
    assert_non_null(strstr(cap.last, site));
    assert_non_null(strstr(cap.last, "sinew_prefetch(q, POST_AUTHOR)"));
    assert_non_null(strstr(sinew_session_nplusone_report(f.s), "Post.author"));
    sinew_db_set_log(f.db, NULL, NULL);
    teardown(&f);
}

/* the report counts every lazy load of the loop, not the ones up to the threshold (issue 17.7) */
static void report_gives_the_true_count(void **state)
{
    (void)state;
    fixture f;
    seed(&f, 50, 1, 0);
    log_capture cap = {{0}, 0};
    sinew_db_set_log(f.db, on_log, &cap);
    sinew_session_set_batching(f.s, false);
    sinew_query *q = sinew_query_new(f.s, &post_model);
    sinew_list posts;
    th_ok(sinew_all(q, &posts));
    sinew_query_free(q);
    assert_int_equal(posts.count, 50);
    for (size_t i = 0; i < posts.count; i++) {
        User *a;
        th_ok(sinew_load_one(f.s, POST_AUTHOR, posts.items[i], (void **)&a));
    }
    /* the warning when it crossed the threshold says so; the report says how many in the end */
    assert_int_equal(cap.messages, 1);
    assert_non_null(strstr(cap.last, "loaded lazily 5 times so far"));
    const char *report = sinew_session_nplusone_report(f.s);
    assert_non_null(strstr(report, "N+1 query: Post.author was loaded lazily 50 times, one statement per object"));
    assert_null(strstr(report, " 5 times"));
    assert_null(strchr(strchr(report, '\n') + 1, 'N'));   /* one line per relation */
    /* and the log gets the total when the session ends */
    sinew_session_free(f.s);
    f.s = NULL;
    assert_int_equal(cap.messages, 2);
    assert_non_null(strstr(cap.last, "Post.author was loaded lazily 50 times in all"));
    sinew_db_set_log(f.db, NULL, NULL);
    teardown(&f);
}

static void error_mode_returns_nplusone(void **state)
{
    (void)state;
    fixture f;
    seed(&f, 6, 1, 0);
    sinew_session_set_batching(f.s, false);
    sinew_session_set_nplusone(f.s, SINEW_NPLUSONE_ERROR, 3);
    sinew_query *q = sinew_query_new(f.s, &post_model);
    sinew_list posts;
    th_ok(sinew_all(q, &posts));
    sinew_query_free(q);
    User *a;
    th_ok(sinew_load_one(f.s, POST_AUTHOR, posts.items[0], (void **)&a));
    th_ok(sinew_load_one(f.s, POST_AUTHOR, posts.items[1], (void **)&a));
    th_assert_status(sinew_load_one(f.s, POST_AUTHOR, posts.items[2], (void **)&a), SINEW_NPLUSONE,
                     "loaded lazily 3 times");
    teardown(&f);
}

static void no_false_alarms_for_single_objects(void **state)
{
    (void)state;
    fixture f;
    seed(&f, 8, 1, 0);
    sinew_session_set_batching(f.s, false);
    sinew_session_set_nplusone(f.s, SINEW_NPLUSONE_ERROR, 2);
    /* objects fetched one by one with get are not an N+1, however many */
    for (int64_t id = 1; id <= 8; id++) {
        Post *p;
        sinew_value key = sinew_v_int64(id);
        th_ok(sinew_get(f.s, &post_model, &key, 1, (void **)&p));
        User *a;
        th_ok(sinew_load_one(f.s, POST_AUTHOR, p, (void **)&a));
    }
    /* a query that returned a single row is not a list */
    sinew_query *q = sinew_query_new(f.s, &user_model);
    th_ok(sinew_where(q, sinew_eq(USER_EMAIL, sinew_v_text("u3@example.com"))));
    User *u;
    th_ok(sinew_one(q, (void **)&u));
    sinew_query_free(q);
    sinew_list l;
    th_ok(sinew_load_many(f.s, USER_POSTS, u, &l));
    assert_string_equal(sinew_session_nplusone_report(f.s), "");
    teardown(&f);
}

static void eager_graph_takes_three_statements(void **state)
{
    (void)state;
    fixture f;
    seed(&f, 100, 10, 10);
    sinew_count_mark m = sinew_count_begin(f.db);
    sinew_query *q = sinew_query_new(f.s, &user_model);
    const sinew_relation *path[] = {USER_POSTS, POST_COMMENTS};
    th_ok(sinew_prefetch_path(q, path, 2));
    sinew_list users;
    th_ok(sinew_all(q, &users));
    sinew_query_free(q);
    th_ok(sinew_count_expect(f.db, m, 3));
    assert_int_equal(users.count, 100);
    size_t comments = 0;
    for (size_t i = 0; i < users.count; i++) {
        User *u = users.items[i];
        sinew_list posts;
        th_ok(sinew_load_many(f.s, USER_POSTS, u, &posts));
        assert_int_equal(posts.count, 10);
        assert_int_equal(u->posts.count, 10);   /* also in the struct member */
        for (size_t j = 0; j < posts.count; j++) {
            sinew_list cs;
            th_ok(sinew_load_many(f.s, POST_COMMENTS, posts.items[j], &cs));
            comments += cs.count;
        }
    }
    assert_int_equal(comments, 10000);
    th_ok(sinew_count_expect(f.db, m, 3));     /* nothing more was sent */
    teardown(&f);
}

static void to_one_prefetch_is_a_join(void **state)
{
    (void)state;
    fixture f;
    seed(&f, 5, 4, 0);
    th_capture cap;
    th_capture_start(f.db, &cap);
    sinew_query *q = sinew_query_new(f.s, &post_model);
    th_ok(sinew_prefetch(q, POST_AUTHOR));
    th_ok(sinew_where(q, sinew_like(POST_TITLE, "post 2.%")));
    sinew_list posts;
    th_ok(sinew_all(q, &posts));
    sinew_query_free(q);
    assert_int_equal(posts.count, 4);
    for (size_t i = 0; i < posts.count; i++) {
        User *a;
        th_ok(sinew_load_one(f.s, POST_AUTHOR, posts.items[i], (void **)&a));
        assert_string_equal(a->email, "u2@example.com");
    }
    th_capture_stop(f.db, &cap);
    assert_int_equal(cap.count, 1);
    assert_non_null(strstr(cap.sql[0], "LEFT JOIN \"users\" AS e0"));
    th_capture_free(&cap);

    /* the same relation by a separate statement, chosen per query */
    sinew_session *s2;
    th_ok(sinew_session_new(f.db, &s2));
    sinew_count_mark m = sinew_count_begin(f.db);
    q = sinew_query_new(s2, &post_model);
    th_ok(sinew_prefetch_with(q, POST_AUTHOR, SINEW_EAGER_SELECT));
    th_ok(sinew_all(q, &posts));
    sinew_query_free(q);
    th_ok(sinew_count_expect(f.db, m, 2));
    assert_non_null(((Post *)posts.items[0])->author);
    sinew_session_free(s2);
    teardown(&f);
}

static void nested_path_to_one_at_second_level(void **state)
{
    (void)state;
    fixture f;
    seed(&f, 4, 2, 3);
    sinew_count_mark m = sinew_count_begin(f.db);
    sinew_query *q = sinew_query_new(f.s, &post_model);
    const sinew_relation *path[] = {POST_COMMENTS, COMMENT_AUTHOR};
    th_ok(sinew_prefetch_path(q, path, 2));
    sinew_list posts;
    th_ok(sinew_all(q, &posts));
    sinew_query_free(q);
    for (size_t i = 0; i < posts.count; i++) {
        Post *p = posts.items[i];
        assert_int_equal(p->comments.count, 3);
        for (size_t j = 0; j < p->comments.count; j++)
            assert_string_equal(((Comment *)p->comments.items[j])->author->email, "u0@example.com");
    }
    th_ok(sinew_count_expect(f.db, m, 3));
    teardown(&f);
}

static int64_t join_rows(sinew_session *s, int64_t post_id)
{
    sinew_rows *r;
    sinew_value p = sinew_v_int64(post_id);
    th_ok(sinew_raw_rows(s, th_is_postgres() ? "SELECT COUNT(*) FROM post_tags WHERE post_id = $1"
                                             : "SELECT COUNT(*) FROM post_tags WHERE post_id = ?", &p, 1, &r));
    assert_int_equal(sinew_rows_next(r), SINEW_ROW);
    int64_t n = sinew_rows_value(r, 0).u.i;
    sinew_rows_free(r);
    return n;
}

static void many_to_many_add_remove_set_clear(void **state)
{
    (void)state;
    fixture f;
    seed(&f, 1, 2, 0);
    Tag *tags[3];
    const char *names[] = {"c", "db", "orm"};
    for (int i = 0; i < 3; i++) {
        th_ok(sinew_new(f.s, &tag_model, (void **)&tags[i]));
        tags[i]->name = (char *)names[i];
        th_ok(sinew_save(f.s, &tag_model, tags[i]));
    }
    Post *p;
    sinew_value key = sinew_v_int64(1);
    th_ok(sinew_get(f.s, &post_model, &key, 1, (void **)&p));
    th_ok(sinew_m2m_add(f.s, POST_TAGS, p, tags[0]));
    th_ok(sinew_m2m_add(f.s, POST_TAGS, p, tags[1]));
    th_ok(sinew_m2m_add(f.s, POST_TAGS, p, tags[1]));   /* twice is once */
    assert_int_equal(join_rows(f.s, 1), 2);
    sinew_list l;
    th_ok(sinew_load_many(f.s, POST_TAGS, p, &l));
    assert_int_equal(l.count, 2);
    sinew_list back;
    th_ok(sinew_load_many(f.s, TAG_POSTS, tags[1], &back));
    assert_int_equal(back.count, 1);
    assert_ptr_equal(back.items[0], p);
    th_ok(sinew_m2m_remove(f.s, POST_TAGS, p, tags[0]));
    assert_int_equal(join_rows(f.s, 1), 1);
    th_ok(sinew_load_many(f.s, POST_TAGS, p, &l));      /* reloaded after the change */
    assert_int_equal(l.count, 1);
    assert_ptr_equal(l.items[0], tags[1]);
    void *set[] = {tags[0], tags[2]};
    th_ok(sinew_m2m_set(f.s, POST_TAGS, p, set, 2));
    assert_int_equal(join_rows(f.s, 1), 2);
    th_ok(sinew_load_many(f.s, POST_TAGS, p, &l));
    assert_int_equal(l.count, 2);
    assert_ptr_equal(l.items[0], tags[0]);
    assert_ptr_equal(l.items[1], tags[2]);
    assert_int_equal(join_rows(f.s, 2), 0);
    th_ok(sinew_m2m_clear(f.s, POST_TAGS, p));
    assert_int_equal(join_rows(f.s, 1), 0);
    th_assert_status(sinew_m2m_add(f.s, POST_AUTHOR, p, tags[0]), SINEW_MISUSE, "not a many-to-many");
    teardown(&f);
}

static void self_reference_both_ways(void **state)
{
    (void)state;
    fixture f;
    seed(&f, 4, 0, 0);   /* users 2..4 were invited by user 1 */
    User *root;
    sinew_value key = sinew_v_int64(1);
    th_ok(sinew_get(f.s, &user_model, &key, 1, (void **)&root));
    User *inviter;
    th_ok(sinew_load_one(f.s, USER_INVITED_BY, root, (void **)&inviter));
    assert_null(inviter);                       /* a NULL key: no statement, no object */
    sinew_list invitees;
    th_ok(sinew_load_many(f.s, USER_INVITEES, root, &invitees));
    assert_int_equal(invitees.count, 3);
    for (size_t i = 0; i < invitees.count; i++) {
        th_ok(sinew_load_one(f.s, USER_INVITED_BY, invitees.items[i], (void **)&inviter));
        assert_ptr_equal(inviter, root);        /* from the identity map */
    }
    teardown(&f);
}

static void unused_eager_load_is_reported(void **state)
{
    (void)state;
    fixture f;
    seed(&f, 3, 1, 0);
    log_capture cap = {{0}, 0};
    sinew_db_set_log(f.db, on_log, &cap);
    sinew_query *q = sinew_query_new(f.s, &user_model);
    th_ok(sinew_prefetch(q, USER_POSTS));
    sinew_list users;
    th_ok(sinew_all(q, &users));
    sinew_query_free(q);
    sinew_session_free(f.s);
    f.s = NULL;
    assert_non_null(strstr(cap.last, "unused eager load: User.posts"));
    assert_non_null(strstr(cap.last, "sinew_prefetch(q, USER_POSTS)"));
    sinew_db_set_log(f.db, NULL, NULL);
    teardown(&f);
}

/*
 * A two-level prefetch path walks from its first level to the second inside
 * the loader (no accessor call per owner), and that walk is a use of the
 * first level: only the level nobody followed is reported unused.
 */
static void prefetch_path_level_walk_counts_as_use(void **state)
{
    (void)state;
    fixture f;
    seed(&f, 3, 2, 1);
    log_capture cap = {{0}, 0};
    sinew_db_set_log(f.db, on_log, &cap);
    sinew_count_mark m = sinew_count_begin(f.db);
    sinew_query *q = sinew_query_new(f.s, &user_model);
    const sinew_relation *path[] = {USER_POSTS, POST_COMMENTS};
    th_ok(sinew_prefetch_path(q, path, 2));
    sinew_list users;
    th_ok(sinew_all(q, &users));
    sinew_query_free(q);
    th_ok(sinew_count_expect(f.db, m, 3));
    int before = cap.messages;
    sinew_session_free(f.s);
    f.s = NULL;
    assert_int_equal(cap.messages, before + 1);
    assert_non_null(strstr(cap.last, "unused eager load: Post.comments"));
    sinew_db_set_log(f.db, NULL, NULL);
    teardown(&f);
}

/*
 * Eager loading splits large key sets into chunks under the dialect's
 * parameter limit (SQLite 16,384 keys a statement, PostgreSQL 4,096):
 * 40,000 users' posts take 3 (SQLite) or 10 (PostgreSQL) statements, and
 * every user gets exactly its own post, also across chunk boundaries.
 */
static void eager_load_chunks_large_key_sets(void **state)
{
    (void)state;
    enum { N = 40000 };
    fixture f;
    f.db = th_open();
    th_ok(sinew_create_tables(f.db, &blog_schema));
    /* INSERT ... WITH ... SELECT: the form every backend takes (MariaDB has no WITH before INSERT) */
    th_ok(sinew_exec(f.db, "INSERT INTO users (id, email) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                           "FROM c WHERE x < 40000) SELECT x, 'u' || x || '@example.com' FROM c"));
    th_ok(sinew_exec(f.db, "INSERT INTO posts (id, author_id, title) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
                           "SELECT x + 1 FROM c WHERE x < 40000) SELECT x, 40001 - x, 'post ' || (40001 - x) FROM c"));
    th_ok(sinew_session_new(f.db, &f.s));
    sinew_count_mark m = sinew_count_begin(f.db);
    sinew_query *q = sinew_query_new(f.s, &user_model);
    th_ok(sinew_prefetch(q, USER_POSTS));
    sinew_list users;
    th_ok(sinew_all(q, &users));
    sinew_query_free(q);
    /* one statement for the users, then one per chunk of keys: the largest power of two that fits
     * the dialect's parameter limit (SQLite 4 statements, PostgreSQL 11, MariaDB 3) */
    int max_params = sinew_find_driver(th_backend())->dialect->max_params;
    int64_t chunk = 1;
    while (chunk * 2 <= max_params - 1) chunk *= 2;
    int expect = 1 + (int)((N + chunk - 1) / chunk);
    th_ok(sinew_count_expect(f.db, m, expect));
    assert_int_equal(users.count, N);
    for (size_t i = 0; i < users.count; i++) {
        User *u = users.items[i];
        assert_int_equal(u->posts.count, 1);
        Post *p = u->posts.items[0];
        assert_true(p->author_id == u->id);
        char want[32];
        snprintf(want, sizeof want, "post %lld", (long long)u->id);
        assert_string_equal(p->title, want);
    }
    th_ok(sinew_count_expect(f.db, m, expect));
    teardown(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lazy_first_access_one_statement_then_cached),
        cmocka_unit_test(naive_loop_is_batched_into_two_statements),
        cmocka_unit_test(result_list_is_the_callers_to_change),
        cmocka_unit_test(prefetched_list_is_the_callers_to_change),
        cmocka_unit_test(detector_fires_at_threshold_with_call_site),
        cmocka_unit_test(report_gives_the_true_count),
        cmocka_unit_test(error_mode_returns_nplusone),
        cmocka_unit_test(no_false_alarms_for_single_objects),
        cmocka_unit_test(eager_graph_takes_three_statements),
        cmocka_unit_test(to_one_prefetch_is_a_join),
        cmocka_unit_test(nested_path_to_one_at_second_level),
        cmocka_unit_test(many_to_many_add_remove_set_clear),
        cmocka_unit_test(self_reference_both_ways),
        cmocka_unit_test(unused_eager_load_is_reported),
        cmocka_unit_test(prefetch_path_level_walk_counts_as_use),
        cmocka_unit_test(eager_load_chunks_large_key_sets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
