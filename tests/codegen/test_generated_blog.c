/*
 * The code `sinew generate` writes for tests/schemas/blog.sinew: byte for
 * byte the golden files (SINEW_UPDATE_GOLDEN=1 rewrites them after an
 * intended change), and on every backend the typed API works: new/save,
 * get and get_by_<unique>, queries with the column constants, relation
 * accessors, defaults and @version, delete, count.
 */
#include "harness.h"
#include "blog.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    size_t got = fread(p, 1, (size_t)n, f);
    p[got] = '\0';
    fclose(f);
    return p;
}

static void matches_golden(const char *name)
{
    char gen[512], gold[512];
    snprintf(gen, sizeof gen, "%s/%s", GENERATED_DIR, name);
    snprintf(gold, sizeof gold, "%s/%s", GOLDEN_DIR, name);
    char *a = slurp(gen);
    assert_non_null(a);
    if (getenv("SINEW_UPDATE_GOLDEN")) {
        FILE *f = fopen(gold, "wb");
        fputs(a, f);
        fclose(f);
    }
    char *b = slurp(gold);
    if (!b) fail_msg("golden file %s is missing (run with SINEW_UPDATE_GOLDEN=1)", gold);
    if (strcmp(a, b)) {
        size_t i = 0;
        while (a[i] && a[i] == b[i]) i++;
        fail_msg("%s differs from its golden file at byte %zu: \"%.50s\" vs \"%.50s\"", name, i, a + i, b + i);
    }
    free(a);
    free(b);
}

static void output_matches_golden_files(void **state)
{
    (void)state;
    matches_golden("blog.h");
    matches_golden("blog.c");
}

static void typed_api_round_trip(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_tables(db, &blog_schema));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    User *ada;
    th_ok(user_new(s, &ada));
    ada->email = "ada@example.com";
    ada->name = "Ada";
    th_ok(user_save(s, ada));
    assert_true(ada->id > 0);
    assert_true(ada->created_at > 0);              /* @default(now), read back */
    User *bob;
    th_ok(user_new(s, &bob));
    bob->email = "bob@example.com";
    bob->invited_by = ada;                         /* the flush fills invited_by_id */
    Post *p;
    th_ok(post_new(s, &p));
    p->author = ada;
    p->title = "Hello";
    p->body = "First post";
    th_ok(sinew_session_flush(s));
    assert_int_equal(bob->invited_by_id, ada->id);
    assert_int_equal(p->status, STATUS_DRAFT);     /* @default(draft) */
    assert_int_equal(p->views, 0);
    th_assert_status(user_save(s, (User *)&(User){0}), SINEW_MISUSE, NULL);
    sinew_session_free(s);

    th_ok(sinew_session_new(db, &s));
    User *u;
    th_ok(user_get_by_email(s, "ada@example.com", &u));
    assert_string_equal(u->name, "Ada");
    post_list posts;
    th_ok(user_posts(s, u, &posts));
    assert_int_equal(posts.count, 1);
    Post *first = posts.items[0];
    User *author;
    th_ok(post_author(s, first, &author));
    assert_ptr_equal(author, u);
    user_list invitees;
    th_ok(user_invitees(s, u, &invitees));
    assert_int_equal(invitees.count, 1);
    assert_string_equal(invitees.items[0]->email, "bob@example.com");
    /* the loaded to-many members are typed lists (#21 item 11): no casts, and the same objects and
     * storage the accessor returned (the identity map's; the runtime fills them as sinew_list) */
    assert_int_equal(_Generic(u->posts, post_list: 1, default: 0), 1);
    assert_int_equal(_Generic(u->invitees.items[0], User *: 1, default: 0), 1);
    assert_int_equal(u->posts.count, 1);
    assert_ptr_equal(u->posts.items[0], first);
    assert_ptr_equal(u->posts.items, posts.items);
    assert_string_equal(u->invitees.items[0]->email, "bob@example.com");
    assert_ptr_equal(u->posts.items[0]->author, u);
    first->status = STATUS_PUBLISHED;
    th_ok(post_save(s, first));
    assert_int_equal(first->version, 1);           /* @version counts writes */
    Tag *t;
    th_ok(tag_new(s, &t));
    t->name = "c";
    th_ok(tag_save(s, t));
    th_ok(sinew_m2m_add(s, POST_TAGS, first, t));
    tag_list tags;
    th_ok(post_tags(s, first, &tags));
    assert_int_equal(tags.count, 1);
    assert_string_equal(first->tags.items[0]->name, "c");   /* many-to-many too */

    sinew_query *q = post_query(s);
    th_ok(sinew_where(q, sinew_eq(POST_STATUS, sinew_v_enum(STATUS_PUBLISHED))));
    th_ok(sinew_where(q, sinew_eq(sinew_via(POST_AUTHOR, USER_EMAIL), sinew_v_text("ada@example.com"))));
    post_list published;
    th_ok(post_all(q, &published));
    sinew_query_free(q);
    assert_int_equal(published.count, 1);
    int64_t n;
    th_ok(post_count(s, &n));
    assert_int_equal(n, 1);
    Post *again;
    th_ok(post_get(s, first->id, &again));
    assert_ptr_equal(again, first);
    th_ok(post_delete(s, first));
    th_assert_status(post_get(s, first->id, &again), SINEW_NOTFOUND, "no Post");
    /* validation declared in the schema: @length(1, 200) on the title */
    Post *empty;
    th_ok(post_new(s, &empty));
    empty->author = u;
    empty->title = "";
    empty->body = "x";
    th_assert_status(sinew_session_flush(s), SINEW_INVALID, "Post.title is 0 characters long");
    sinew_session_rollback(s);
    sinew_session_free(s);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(output_matches_golden_files),
        cmocka_unit_test(typed_api_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
