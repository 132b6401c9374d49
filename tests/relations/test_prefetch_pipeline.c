/*
 * The loads of one prefetch level do not wait for each other: a query of posts prefetching
 * their author (by a SELECT of its own), their comments and their tags sends those three
 * statements as one pipeline on PostgreSQL, a round trip for the three, and one at a time on
 * the backends without pipelining. Round trips are counted by a driver wrapped around the
 * backend's (below): an execution whose answer is waited for, or a pipeline's first answer
 * after its statements were sent, is one. A level whose keys come from the one before (the
 * comments' authors) waits for it: one more round trip. The loaded graph is the same.
 */
#include "harness.h"
#include "blog_models.h"
#include <stdio.h>
#include <string.h>

static const sinew_driver *real;
static sinew_driver wrap;
static long trips, statements_started;
static int pipelined, sent_unread;
#define MAXSTMT 256
static sinew_stmt *fresh[MAXSTMT];   /* bound or reset since their last step: the next step runs them */

static void mark(sinew_stmt *st)
{
    for (int i = 0; i < MAXSTMT; i++)
        if (fresh[i] == st) return;
    for (int i = 0; i < MAXSTMT; i++)
        if (!fresh[i]) {
            fresh[i] = st;
            return;
        }
}
static int take(sinew_stmt *st)
{
    for (int i = 0; i < MAXSTMT; i++)
        if (fresh[i] == st) {
            fresh[i] = NULL;
            return 1;
        }
    return 0;
}
static int w_prepare(sinew_conn *c, const char *sql, sinew_stmt **out)
{
    int rc = real->prepare(c, sql, out);
    if (rc == SINEW_OK) mark(*out);
    return rc;
}
static int w_bind(sinew_stmt *st, int i, const sinew_value *v)
{
    mark(st);
    return real->bind(st, i, v);
}
static int w_reset(sinew_stmt *st)
{
    mark(st);
    return real->reset(st);
}
static void w_finalize(sinew_stmt *st)
{
    take(st);
    real->finalize(st);
}
static int w_step(sinew_stmt *st)
{
    if (take(st) && !pipelined) {
        trips++;
        statements_started++;
    }
    return real->step(st);
}
static int w_exec(sinew_conn *c, const char *sql) { trips++; return real->exec(c, sql); }
static int w_begin(sinew_conn *c) { trips++; return real->begin(c); }
static int w_commit(sinew_conn *c) { trips++; return real->commit(c); }
static int w_rollback(sinew_conn *c) { trips++; return real->rollback(c); }
static int w_pipeline_begin(sinew_conn *c)
{
    pipelined = 1;
    return real->pipeline_begin(c);
}
static int w_send(sinew_stmt *st)
{
    take(st);
    sent_unread = 1;
    statements_started++;
    return real->send(st);
}
static int w_receive(sinew_stmt *st)
{
    if (sent_unread) trips++;   /* what was sent goes out at once and is answered together */
    sent_unread = 0;
    return real->receive(st);
}
static int w_pipeline_end(sinew_conn *c)
{
    pipelined = 0;
    return real->pipeline_end(c);
}

static void install(void)
{
    real = sinew_find_driver(th_backend());   /* the backend's driver is named as the backend */
    assert_non_null(real);
    wrap = *real;
    wrap.prepare = w_prepare;
    wrap.bind = w_bind;
    wrap.reset = w_reset;
    wrap.finalize = w_finalize;
    wrap.step = w_step;
    wrap.exec = w_exec;
    wrap.begin = w_begin;
    wrap.commit = w_commit;
    wrap.rollback = w_rollback;
    if (real->send) {
        wrap.pipeline_begin = w_pipeline_begin;
        wrap.send = w_send;
        wrap.receive = w_receive;
        wrap.pipeline_end = w_pipeline_end;
    }
    th_ok(sinew_register_driver(&wrap));
}

enum { USERS = 6, POSTS = 4, COMMENTS = 3 };

static sinew_db *seed(void)
{
    sinew_db *db = th_open();
    th_ok(sinew_create_tables(db, &blog_schema));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    User *u[USERS], *commenter[COMMENTS];
    Tag *t[2];
    for (int k = 0; k < 2; k++) {
        th_ok(sinew_new(s, &tag_model, (void **)&t[k]));
        t[k]->name = k ? "c" : "news";
    }
    th_ok(sinew_session_flush(s));
    for (int i = 0; i < USERS; i++) {
        char buf[40];
        snprintf(buf, sizeof buf, "u%d@example.com", i);
        th_ok(sinew_new(s, &user_model, (void **)&u[i]));
        u[i]->email = sinew_strdup(s, buf);
    }
    for (int k = 0; k < COMMENTS; k++) {   /* users with no posts: the query's first level does not load them */
        char buf[40];
        snprintf(buf, sizeof buf, "c%d@example.com", k);
        th_ok(sinew_new(s, &user_model, (void **)&commenter[k]));
        commenter[k]->email = sinew_strdup(s, buf);
    }
    th_ok(sinew_session_flush(s));
    for (int i = 0; i < USERS; i++)
        for (int j = 0; j < POSTS; j++) {
            Post *p;
            char buf[40];
            snprintf(buf, sizeof buf, "post %d.%d", i, j);
            th_ok(sinew_new(s, &post_model, (void **)&p));
            p->author_id = u[i]->id;
            p->title = sinew_strdup(s, buf);
            th_ok(sinew_save(s, &post_model, p));
            th_ok(sinew_m2m_add(s, POST_TAGS, p, t[j % 2]));
            for (int k = 0; k < COMMENTS; k++) {
                Comment *c;
                th_ok(sinew_new(s, &comment_model, (void **)&c));
                c->post_id = p->id;
                c->author_id = commenter[k]->id;
                c->body = "nice";
            }
        }
    th_ok(sinew_session_flush(s));
    sinew_session_free(s);
    return db;
}

/* the query, in a fresh session: round trips and statements it took, and its graph checked */
static void run(sinew_db *db, long *rt, long *stmts)
{
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    sinew_query *q = sinew_query_new(s, &post_model);
    th_ok(sinew_prefetch_with(q, POST_AUTHOR, SINEW_EAGER_SELECT));
    th_ok(sinew_prefetch(q, POST_COMMENTS));
    th_ok(sinew_prefetch(q, POST_TAGS));
    const sinew_relation *path[] = {POST_COMMENTS, COMMENT_AUTHOR};
    th_ok(sinew_prefetch_path(q, path, 2));
    th_ok(sinew_order(q, POST_ID, SINEW_ASC));
    sinew_list posts;
    long t0 = trips, s0 = statements_started;
    th_ok(sinew_all(q, &posts));
    *rt = trips - t0;
    *stmts = statements_started - s0;
    sinew_query_free(q);
    assert_int_equal(posts.count, USERS * POSTS);
    sinew_count_mark m = sinew_count_begin(db);
    for (size_t i = 0; i < posts.count; i++) {
        Post *p = posts.items[i];
        int user = (int)(i / POSTS);
        char want[40];
        snprintf(want, sizeof want, "u%d@example.com", user);
        assert_non_null(p->author);
        assert_string_equal(p->author->email, want);
        assert_int_equal(p->comments.count, COMMENTS);
        for (size_t k = 0; k < p->comments.count; k++) {
            Comment *c = p->comments.items[k];
            assert_int_equal(c->post_id, p->id);
            assert_non_null(c->author);
            assert_int_equal(c->author->id, c->author_id);
            assert_int_equal(c->author->email[0], 'c');
        }
        assert_int_equal(p->tags.count, 1);
        assert_string_equal(((Tag *)p->tags.items[0])->name, (i % POSTS) % 2 ? "c" : "news");
    }
    th_ok(sinew_count_expect(db, m, 0));   /* all of it was loaded by the query */
    sinew_session_free(s);
}

static void one_level_is_one_round_trip(void **state)
{
    (void)state;
    sinew_db *db = seed();
    long rt, stmts;
    run(db, &rt, &stmts);   /* the statements are prepared now (a round trip each on PostgreSQL) */
    run(db, &rt, &stmts);   /* and found in the statement cache from here on */
    /* the posts; their authors, comments and tags; the comments' authors */
    assert_int_equal(stmts, 5);
    if (th_is_postgres()) assert_int_equal(rt, 3);   /* the posts, the first level's pipeline, the second level */
    else assert_int_equal(rt, 5);                    /* no pipelining: each statement waits for its answer */
    th_close(db);
}

int main(void)
{
    install();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_level_is_one_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
