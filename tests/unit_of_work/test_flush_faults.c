/*
 * Fault injection across a flush: the driver fails its k-th call, for every
 * k until the flush gets through untouched. After each failure the database
 * holds none of the flush, the session has every change still pending, and
 * a second flush writes all of it. ASan checks that nothing leaks.
 */
#include "harness.h"
#include "faulty_driver.h"
#include "../relations/blog_models.h"
#include <string.h>

typedef struct snapshot {
    int64_t users, posts, comments;
    int title_changed;
    int victim_present;
} snapshot;

static snapshot observe(sinew_db *db)
{
    snapshot r;
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    th_ok(sinew_count(s, &user_model, &r.users));
    th_ok(sinew_count(s, &post_model, &r.posts));
    th_ok(sinew_count(s, &comment_model, &r.comments));
    Post *p;
    sinew_value key = sinew_v_int64(1);
    th_ok(sinew_get(s, &post_model, &key, 1, (void **)&p));
    r.title_changed = strcmp(p->title, "changed") == 0;
    Comment *c;
    key = sinew_v_int64(1);
    r.victim_present = sinew_get(s, &comment_model, &key, 1, (void **)&c) == SINEW_OK;
    sinew_session_free(s);
    return r;
}

/* a database with one user, post and comment; a session with a mixed unit of work pending */
static sinew_session *prepare(sinew_db *db)
{
    th_ok(sinew_create_tables(db, &blog_schema));
    th_ok(sinew_exec(db, "INSERT INTO users (email) VALUES ('base@x')"));
    th_ok(sinew_exec(db, "INSERT INTO posts (author_id, title) VALUES (1, 'original')"));
    th_ok(sinew_exec(db, "INSERT INTO comments (post_id, author_id, body) VALUES (1, 1, 'victim')"));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Post *p;
    sinew_value key = sinew_v_int64(1);
    th_ok(sinew_get(s, &post_model, &key, 1, (void **)&p));
    p->title = "changed";
    Comment *c;
    th_ok(sinew_get(s, &comment_model, &key, 1, (void **)&c));
    th_ok(sinew_mark_deleted(s, &comment_model, c));
    for (int i = 0; i < 2; i++) {
        User *u;
        th_ok(sinew_new(s, &user_model, (void **)&u));
        u->email = i ? "new1@x" : "new0@x";
        Post *np;
        th_ok(sinew_new(s, &post_model, (void **)&np));
        np->title = "fresh";
        np->author = u;
        Comment *nc;
        th_ok(sinew_new(s, &comment_model, (void **)&nc));
        nc->body = "hi";
        nc->post = np;
        nc->author = u;
    }
    return s;
}

static void every_failure_point_is_all_or_nothing(void **state)
{
    (void)state;
    faulty_install(th_is_postgres() ? "postgres" : "sqlite");
    const int statuses[] = {SINEW_IOERR, SINEW_BUSY, SINEW_CONNECTION, SINEW_ERROR};
    long faults = 0;
    int k;
    for (k = 1; k < 200; k++) {
        sinew_db *db = th_open();
        sinew_session *s = prepare(db);
        size_t pending = sinew_session_pending(s);
        assert_int_equal(pending, 8);
        long before = faulty_injected();
        faulty_arm(faulty_calls() + k, statuses[k % 4]);
        int rc = sinew_session_flush(s);
        faulty_arm(0, 0);
        int hit = faulty_injected() > before;
        snapshot after = observe(db);
        if (rc == SINEW_OK) {
            assert_false(hit);   /* a fault that was injected must not be swallowed */
            assert_int_equal(after.users, 3);
            assert_int_equal(after.posts, 3);
            assert_int_equal(after.comments, 2);
            assert_true(after.title_changed);
            assert_false(after.victim_present);
            sinew_session_free(s);
            th_close(db);
            break;
        }
        faults++;
        assert_true(hit);
        /* none of it */
        assert_int_equal(after.users, 1);
        assert_int_equal(after.posts, 1);
        assert_int_equal(after.comments, 1);
        assert_false(after.title_changed);
        assert_true(after.victim_present);
        /* the session still has all of it, and writes it on the next try */
        assert_int_equal(sinew_session_pending(s), pending);
        assert_int_equal(sinew_tx_depth(db), 0);
        th_ok(sinew_session_flush(s));
        snapshot fixed = observe(db);
        assert_int_equal(fixed.users, 3);
        assert_int_equal(fixed.comments, 2);
        assert_true(fixed.title_changed);
        assert_false(fixed.victim_present);
        sinew_session_free(s);
        th_close(db);
    }
    assert_true(k < 200);
    assert_true(faults >= 10);
    print_message("flush fault injection: %ld faults injected, each left the database all-or-nothing\n", faults);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_failure_point_is_all_or_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
