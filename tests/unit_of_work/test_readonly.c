/*
 * Read-only queries (sinew_readonly) on every backend: objects without a
 * snapshot or identity entry, refused by everything that would write them,
 * invisible to the unit of work; what their prefetches and lazy loads bring
 * is read-only too; hooks still run; tracked loading is unchanged beside them.
 */
#include "harness.h"
#include "../relations/blog_models.h"
#include <stdio.h>
#include <string.h>

static sinew_db *seeded(sinew_session **s)
{
    sinew_db *db = th_open();
    th_ok(sinew_create_tables(db, &blog_schema));
    sinew_session *w;
    th_ok(sinew_session_new(db, &w));
    for (int i = 0; i < 4; i++) {
        User *u;
        th_ok(sinew_new(w, &user_model, (void **)&u));
        char email[32];
        snprintf(email, sizeof email, "u%d@example.com", i);
        u->email = sinew_strdup(w, email);
        for (int k = 0; k < 3; k++) {
            Post *p;
            th_ok(sinew_new(w, &post_model, (void **)&p));
            char title[32];
            snprintf(title, sizeof title, "post %d.%d", i, k);
            p->title = sinew_strdup(w, title);
            p->author = u;
        }
    }
    th_ok(sinew_session_flush(w));
    sinew_session_free(w);
    th_ok(sinew_session_new(db, s));
    return db;
}

static sinew_list load_users(sinew_session *s, int readonly)
{
    sinew_query *q = sinew_query_new(s, &user_model);
    if (readonly) th_ok(sinew_readonly(q));
    th_ok(sinew_order(q, USER_ID, SINEW_ASC));
    sinew_list l;
    th_ok(sinew_all(q, &l));
    sinew_query_free(q);
    return l;
}

static void readonly_objects_are_not_tracked(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = seeded(&s);
    th_assert_status(sinew_readonly(NULL), SINEW_MISUSE, "query is NULL");
    sinew_list ro = load_users(s, 1);
    assert_int_equal(ro.count, 4);
    User *u = ro.items[0];
    assert_string_equal(u->email, "u0@example.com");
    assert_true(u->id > 0);
    /* changes to them are nobody's business: nothing pending, a flush sends nothing */
    u->email = "changed@example.com";
    assert_int_equal(sinew_session_pending(s), 0);
    sinew_count_mark m = sinew_count_begin(db);
    th_ok(sinew_session_flush(s));
    th_ok(sinew_count_expect(db, m, 0));
    /* everything that would write one refuses it, names the cause and writes nothing */
    th_assert_status(sinew_save(s, &user_model, u), SINEW_MISUSE, "read-only");
    th_assert_status(sinew_delete(s, &user_model, u), SINEW_MISUSE, "sinew_readonly");
    th_assert_status(sinew_mark_deleted(s, &user_model, u), SINEW_MISUSE, "read-only");
    unsigned conflict[1] = {0};
    th_assert_status(sinew_upsert(s, &user_model, u, conflict, 1), SINEW_MISUSE, "read-only");
    void *one[1] = {u};
    th_assert_status(sinew_insert_many(s, &user_model, one, 1), SINEW_MISUSE, "read-only");
    /* not in the identity map: a tracked load of the same row is another object, with the database's values */
    User *t;
    sinew_value key = sinew_v_int64(u->id);
    th_ok(sinew_get(s, &user_model, &key, 1, (void **)&t));
    assert_ptr_not_equal(t, u);
    assert_string_equal(t->email, "u0@example.com");
    th_ok(sinew_save(s, &user_model, t));
    /* and a second read-only load makes new objects again */
    sinew_list again = load_users(s, 1);
    assert_ptr_not_equal(again.items[0], u);
    assert_ptr_not_equal(again.items[0], t);
    /* while tracked loads still share one object per row */
    sinew_list tracked = load_users(s, 0);
    assert_ptr_equal(tracked.items[0], t);
    /* many-to-many changes refuse a read-only object on either side */
    Tag *tag;
    th_ok(sinew_new(s, &tag_model, (void **)&tag));
    tag->name = "c";
    th_ok(sinew_save(s, &tag_model, tag));
    sinew_query *q = sinew_query_new(s, &post_model);
    th_ok(sinew_readonly(q));
    Post *ro_post;
    th_ok(sinew_first(q, (void **)&ro_post));
    sinew_query_free(q);
    th_assert_status(sinew_m2m_add(s, POST_TAGS, ro_post, tag), SINEW_MISUSE, "read-only");
    q = sinew_query_new(s, &tag_model);
    th_ok(sinew_readonly(q));
    Tag *ro_tag;
    th_ok(sinew_first(q, (void **)&ro_tag));
    sinew_query_free(q);
    Post *post;
    sinew_value pkey = sinew_v_int64(ro_post->id);
    th_ok(sinew_get(s, &post_model, &pkey, 1, (void **)&post));
    th_assert_status(sinew_m2m_add(s, POST_TAGS, post, ro_tag), SINEW_MISUSE, "read-only");
    th_ok(sinew_m2m_add(s, POST_TAGS, post, tag));   /* the tracked pair is fine */
    sinew_session_free(s);
    th_close(db);
}

static size_t load_cost(sinew_db *db, int readonly)
{
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    size_t before = sinew_session_memory_used(s);
    sinew_list l = load_users(s, readonly);
    assert_int_equal(l.count, 20004);
    size_t used = sinew_session_memory_used(s) - before;
    sinew_session_free(s);
    return used;
}

static void readonly_rows_cost_less_memory(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = seeded(&s);
    enum { N = 20000 };
    User *users = sinew_alloc(s, N * sizeof *users);
    void **ptrs = sinew_alloc(s, N * sizeof *ptrs);
    assert_non_null(users);
    assert_non_null(ptrs);
    memset(users, 0, N * sizeof *users);
    for (int i = 0; i < N; i++) {
        char email[32];
        snprintf(email, sizeof email, "bulk%d@example.com", i);
        users[i].email = sinew_strdup(s, email);
        ptrs[i] = &users[i];
    }
    th_ok(sinew_insert_many(s, &user_model, ptrs, N));
    size_t tracked = load_cost(db, 0), readonly = load_cost(db, 1);
    /* no snapshot: the columns and the to-one member, 40 of the ~200 bytes a row costs in the arena
     * (less a little for the arena's chunk granularity); the identity map is outside the arena */
    assert_true(readonly < tracked);
    assert_true(tracked - readonly >= (size_t)(N + 4) * 32);
    sinew_session_free(s);
    th_close(db);
}

static void what_readonly_objects_bring_is_readonly(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = seeded(&s);
    /* a prefetch of a read-only query */
    sinew_query *q = sinew_query_new(s, &user_model);
    th_ok(sinew_readonly(q));
    th_ok(sinew_prefetch(q, USER_POSTS));
    sinew_list users;
    th_ok(sinew_all(q, &users));
    sinew_query_free(q);
    User *u = users.items[1];
    assert_int_equal(u->posts.count, 3);
    Post *p = u->posts.items[0];
    assert_string_equal(p->title, "post 1.0");
    th_assert_status(sinew_save(s, &post_model, p), SINEW_MISUSE, "read-only");
    /* a lazy load from a read-only object: batched over its siblings, and read-only */
    sinew_count_mark m = sinew_count_begin(db);
    User *author;
    th_ok(sinew_load_one(s, POST_AUTHOR, p, (void **)&author));
    th_ok(sinew_count_expect(db, m, 1));
    assert_string_equal(author->email, "u1@example.com");
    th_assert_status(sinew_save(s, &user_model, author), SINEW_MISUSE, "read-only");
    /* its siblings got theirs in the same statement */
    User *other;
    m = sinew_count_begin(db);
    th_ok(sinew_load_one(s, POST_AUTHOR, ((User *)users.items[1])->posts.items[2], (void **)&other));
    th_ok(sinew_count_expect(db, m, 0));
    assert_ptr_equal(other, author);
    /* a JOIN prefetch of a read-only query */
    q = sinew_query_new(s, &post_model);
    th_ok(sinew_readonly(q));
    th_ok(sinew_prefetch_with(q, POST_AUTHOR, SINEW_EAGER_JOIN));
    th_ok(sinew_order(q, POST_ID, SINEW_ASC));
    Post *first;
    th_ok(sinew_first(q, (void **)&first));
    sinew_query_free(q);
    assert_non_null(first->author);
    assert_string_equal(first->author->email, "u0@example.com");
    th_assert_status(sinew_save(s, &user_model, first->author), SINEW_MISUSE, "read-only");
    th_assert_status(sinew_save(s, &post_model, first), SINEW_MISUSE, "read-only");
    /* a tracked query afterwards tracks again */
    q = sinew_query_new(s, &post_model);
    th_ok(sinew_prefetch(q, POST_AUTHOR));
    th_ok(sinew_order(q, POST_ID, SINEW_ASC));
    th_ok(sinew_first(q, (void **)&first));
    sinew_query_free(q);
    first->title = "renamed";
    first->author->email = "renamed@example.com";
    assert_int_equal(sinew_session_pending(s), 2);
    th_ok(sinew_session_flush(s));
    sinew_session_free(s);
    th_close(db);
}

static int loads;
static void count_load(sinew_session *s, const sinew_model *m, void *obj, void *ctx)
{
    (void)s, (void)m, (void)ctx;
    if (((User *)obj)->email) loads++;
}

static void hooks_run_and_a_deleted_target_leaves_readonly_objects(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = seeded(&s);
    sinew_hooks h = {0};
    h.after_load = count_load;
    th_ok(sinew_db_set_hooks(db, &user_model, &h));
    loads = 0;
    sinew_list ro = load_users(s, 1);
    assert_int_equal(loads, 4);
    th_ok(sinew_db_set_hooks(db, &user_model, NULL));
    /* a to-one target the session already tracks is shared, not loaded again: read-only objects may
     * point at tracked ones, and when such a target is deleted their cached pointer goes like any other's */
    sinew_list posts0;
    sinew_query *q = sinew_query_new(s, &post_model);
    th_ok(sinew_order(q, POST_ID, SINEW_DESC));
    th_ok(sinew_limit(q, 3));
    th_ok(sinew_all(q, &posts0));   /* tracked: the last user's posts */
    sinew_query_free(q);
    User *t;
    sinew_value key = sinew_v_int64(((Post *)posts0.items[0])->author_id);
    th_ok(sinew_get(s, &user_model, &key, 1, (void **)&t));
    q = sinew_query_new(s, &post_model);
    th_ok(sinew_readonly(q));
    th_ok(sinew_order(q, POST_ID, SINEW_ASC));
    sinew_list posts;
    th_ok(sinew_all(q, &posts));
    sinew_query_free(q);
    Post *p = posts.items[posts.count - 1];
    User *author;
    sinew_count_mark m = sinew_count_begin(db);
    th_ok(sinew_load_one(s, POST_AUTHOR, p, (void **)&author));
    th_ok(sinew_count_expect(db, m, 1));   /* the other authors, for the siblings; not this one */
    assert_ptr_equal(author, t);
    for (size_t i = 0; i < posts0.count; i++) th_ok(sinew_delete(s, &post_model, posts0.items[i]));
    th_ok(sinew_delete(s, &user_model, t));
    assert_null(p->author);
    assert_string_equal(((User *)ro.items[3])->email, "u3@example.com");   /* the read-only copy stays as loaded */
    sinew_session_free(s);
    th_close(db);
}

static Post *got_in_hook;
static void get_a_post(sinew_session *s, const sinew_model *m, void *obj, void *ctx)
{
    (void)m, (void)obj, (void)ctx;
    if (got_in_hook) return;
    sinew_value key = sinew_v_int64(1);
    th_ok(sinew_get(s, &post_model, &key, 1, (void **)&got_in_hook));
}

/* a load a hook makes during a read-only load is its own: sinew_get tracks there too */
static void a_hooks_own_load_is_tracked(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = seeded(&s);
    sinew_hooks h = {0};
    h.after_load = get_a_post;
    th_ok(sinew_db_set_hooks(db, &user_model, &h));
    got_in_hook = NULL;
    sinew_list ro = load_users(s, 1);
    assert_int_equal(ro.count, 4);
    assert_non_null(got_in_hook);
    got_in_hook->title = "changed in a hook's object";
    assert_int_equal(sinew_session_pending(s), 1);
    th_ok(sinew_save(s, &post_model, got_in_hook));
    th_assert_status(sinew_save(s, &user_model, ro.items[0]), SINEW_MISUSE, "read-only");
    sinew_session_free(s);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(readonly_objects_are_not_tracked),
        cmocka_unit_test(readonly_rows_cost_less_memory),
        cmocka_unit_test(what_readonly_objects_bring_is_readonly),
        cmocka_unit_test(hooks_run_and_a_deleted_target_leaves_readonly_objects),
        cmocka_unit_test(a_hooks_own_load_is_tracked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
