/*
 * sessions_example.c - the code shown in docs/sessions.md, compiled and run
 * by the test suite (tests/docs).
 */
#include <stdio.h>
#include "../../tests/relations/blog_models.h"

#define CHECK(x) do { int rc_ = (x); if (rc_) { fprintf(stderr, "%s: %s\n", #x, sinew_errmsg()); return 1; } } while (0)

static int add_tag(sinew_db *db, void *ctx)
{
    /* may run more than once: start from scratch each time */
    sinew_session *s;
    int rc = sinew_session_new(db, &s);
    if (rc) return rc;
    Tag *t;
    if ((rc = sinew_new(s, &tag_model, (void **)&t)) == SINEW_OK) {
        t->name = ctx;
        rc = sinew_session_flush(s);
    }
    sinew_session_free(s);
    return rc;
}

int main(void)
{
    sinew_db *db;
    CHECK(sinew_open("sqlite::memory:", &db));
    CHECK(sinew_create_tables(db, &blog_schema));
    sinew_session *s;
    CHECK(sinew_session_new(db, &s));

    /* a unit of work: made in any order, written parents first in one transaction */
    Post *p;
    CHECK(sinew_new(s, &post_model, (void **)&p));
    p->title = "Hello";
    User *u;
    CHECK(sinew_new(s, &user_model, (void **)&u));
    u->email = "ada@example.com";
    p->author = u;
    CHECK(sinew_session_flush(s));
    printf("user %lld, post %lld by %lld\n", (long long)u->id, (long long)p->id, (long long)p->author_id);

    /* only what changed is written */
    p->title = "Hello, world";
    CHECK(sinew_session_flush(s));            /* UPDATE posts SET title = ? WHERE id = ? */

    /* a transaction of the caller's, rolled back: the session follows */
    CHECK(sinew_begin(db));
    p->title = "never mind";
    CHECK(sinew_session_flush(s));
    CHECK(sinew_rollback(db));
    printf("after rollback the change is pending again: %zu pending\n", sinew_session_pending(s));
    sinew_session_rollback(s);                /* forget it: the loaded title is back */
    printf("title: %s\n", p->title);

    /* retried transactions */
    CHECK(sinew_transaction(db, add_tag, "retried", NULL));
    sinew_session_free(s);
    sinew_close(db);
    return 0;
}
