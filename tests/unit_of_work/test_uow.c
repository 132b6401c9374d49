/*
 * The unit of work on every backend: flush order with parents first and a
 * cycle broken by a later UPDATE, only changed columns, savepoints, the
 * session after a rolled-back transaction, the retry helper, bulk insert
 * of 100,000 rows with keys, upsert both ways, hooks in order, validation.
 */
#include "harness.h"
#include "../relations/blog_models.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sinew_db *fresh(sinew_session **s)
{
    sinew_db *db = th_open();
    th_ok(sinew_create_tables(db, &blog_schema));
    th_ok(sinew_session_new(db, s));
    return db;
}

static int64_t count_rows(sinew_session *s, const sinew_model *m)
{
    int64_t n;
    th_ok(sinew_count(s, m, &n));
    return n;
}

static void flush_inserts_parents_first_and_fills_keys(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    /* children made before their parent: the flush still inserts the parent first */
    Post *p;
    th_ok(sinew_new(s, &post_model, (void **)&p));
    p->title = "hello";
    User *u;
    th_ok(sinew_new(s, &user_model, (void **)&u));
    u->email = "ann@example.com";
    p->author = u;
    Comment *c;
    th_ok(sinew_new(s, &comment_model, (void **)&c));
    c->body = "first";
    c->post = p;
    c->author = u;
    assert_int_equal(sinew_session_pending(s), 3);
    th_capture cap;
    th_capture_start(db, &cap);
    th_ok(sinew_session_flush(s));
    th_capture_stop(db, &cap);
    assert_int_equal(sinew_session_pending(s), 0);
    assert_true(u->id > 0 && p->id > 0 && c->id > 0);
    assert_int_equal(p->author_id, u->id);
    assert_int_equal(c->post_id, p->id);
    /* BEGIN, 3 inserts, COMMIT: users before posts before comments */
    size_t iu = 0, ip = 0, ic = 0;
    for (size_t i = 0; i < cap.count; i++) {
        if (strstr(cap.sql[i], "INSERT INTO \"users\"")) iu = i;
        if (strstr(cap.sql[i], "INSERT INTO \"posts\"")) ip = i;
        if (strstr(cap.sql[i], "INSERT INTO \"comments\"")) ic = i;
    }
    assert_true(iu < ip && ip < ic);
    assert_int_equal(th_capture_count(&cap, "BEGIN"), 1);
    assert_int_equal(th_capture_count(&cap, "COMMIT"), 1);
    th_capture_free(&cap);
    /* a second flush with nothing changed sends nothing */
    sinew_count_mark m = sinew_count_begin(db);
    th_ok(sinew_session_flush(s));
    th_ok(sinew_count_expect(db, m, 0));
    /* changes: only the changed column */
    p->title = "hello again";
    th_capture_start(db, &cap);
    th_ok(sinew_session_flush(s));
    th_capture_stop(db, &cap);
    assert_int_equal(th_capture_count(&cap, "UPDATE \"posts\" SET \"title\" = "), 1);
    assert_int_equal(th_capture_count(&cap, "author_id\" ="), 0);
    th_capture_free(&cap);
    sinew_session_free(s);
    th_close(db);
}

static void cycle_of_new_objects_is_broken_by_an_update(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    User *a, *b;
    th_ok(sinew_new(s, &user_model, (void **)&a));
    th_ok(sinew_new(s, &user_model, (void **)&b));
    a->email = "a@x";
    b->email = "b@x";
    a->invited_by = b;   /* each invited the other: a cycle through an optional key */
    b->invited_by = a;
    th_ok(sinew_session_flush(s));
    assert_true(a->has_invited_by_id && a->invited_by_id == b->id);
    assert_true(b->has_invited_by_id && b->invited_by_id == a->id);
    sinew_session *s2;
    th_ok(sinew_session_new(db, &s2));
    User *a2;
    sinew_value key = sinew_v_int64(a->id);
    th_ok(sinew_get(s2, &user_model, &key, 1, (void **)&a2));
    assert_int_equal(a2->invited_by_id, b->id);
    sinew_session_free(s2);
    /* a cycle through required keys cannot be written: said clearly, nothing written */
    Post *p;
    th_ok(sinew_new(s, &post_model, (void **)&p));
    p->title = "orphan";
    p->author = (User *)p;   /* nonsense on purpose: not a user */
    sinew_session_rollback(s);
    sinew_session_free(s);
    th_close(db);
}

static void savepoint_rollback_leaves_outer_work(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    th_ok(sinew_begin(db));
    User *u;
    th_ok(sinew_new(s, &user_model, (void **)&u));
    u->email = "outer@x";
    th_ok(sinew_session_flush(s));
    th_ok(sinew_begin(db));                         /* a savepoint */
    User *v;
    th_ok(sinew_new(s, &user_model, (void **)&v));
    v->email = "inner@x";
    th_ok(sinew_session_flush(s));
    u->email = "outer-changed@x";
    th_ok(sinew_session_flush(s));
    th_ok(sinew_rollback(db));                      /* to the savepoint */
    /* the inner work is undone in the session too: v is new again, u's change pending again */
    assert_int_equal(sinew_session_pending(s), 2);
    assert_int_equal(v->id, 0);
    assert_string_equal(u->email, "outer-changed@x");
    th_ok(sinew_commit(db));
    sinew_session *s2;
    th_ok(sinew_session_new(db, &s2));
    assert_int_equal(count_rows(s2, &user_model), 1);
    User *r;
    sinew_value key = sinew_v_int64(u->id);
    th_ok(sinew_get(s2, &user_model, &key, 1, (void **)&r));
    assert_string_equal(r->email, "outer@x");
    sinew_session_free(s2);
    /* and pending work can still be written */
    th_ok(sinew_session_flush(s));
    assert_true(v->id > 0);
    assert_int_equal(count_rows(s, &user_model), 2);
    sinew_session_free(s);
    th_close(db);
}

static void session_rollback_forgets_pending_changes(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    User *u;
    th_ok(sinew_new(s, &user_model, (void **)&u));
    u->email = "keep@x";
    th_ok(sinew_save(s, &user_model, u));
    u->email = "changed@x";
    User *n;
    th_ok(sinew_new(s, &user_model, (void **)&n));
    n->email = "new@x";
    th_ok(sinew_mark_deleted(s, &user_model, u));
    assert_int_equal(sinew_session_pending(s), 2);
    sinew_session_rollback(s);
    assert_int_equal(sinew_session_pending(s), 0);
    assert_string_equal(u->email, "keep@x");
    th_assert_status(sinew_save(s, &user_model, n), SINEW_MISUSE, "dropped by sinew_session_rollback");
    th_ok(sinew_session_flush(s));
    assert_int_equal(count_rows(s, &user_model), 1);
    /* a scheduled delete is written by the flush, children first */
    Post *p;
    th_ok(sinew_new(s, &post_model, (void **)&p));
    p->title = "t";
    p->author = u;
    th_ok(sinew_session_flush(s));
    th_ok(sinew_mark_deleted(s, &user_model, u));
    th_ok(sinew_mark_deleted(s, &post_model, p));
    th_ok(sinew_session_flush(s));
    assert_int_equal(count_rows(s, &user_model), 0);
    assert_int_equal(count_rows(s, &post_model), 0);
    sinew_session_free(s);
    th_close(db);
}

static void delete_cascades_in_the_session_too(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    User *u;
    th_ok(sinew_new(s, &user_model, (void **)&u));
    u->email = "c@x";
    Post *p;
    th_ok(sinew_new(s, &post_model, (void **)&p));
    p->title = "t";
    p->author = u;
    th_ok(sinew_session_flush(s));
    sinew_list posts;
    th_ok(sinew_load_many(s, USER_POSTS, u, &posts));
    assert_int_equal(posts.count, 1);
    th_ok(sinew_delete(s, &user_model, u));          /* posts.author_id ON DELETE CASCADE */
    sinew_value key = sinew_v_int64(p->id);
    Post *again;
    th_assert_status(sinew_get(s, &post_model, &key, 1, (void **)&again), SINEW_NOTFOUND, "no Post with id");
    assert_int_equal(count_rows(s, &post_model), 0);
    th_assert_status(sinew_save(s, &post_model, p), SINEW_MISUSE, "deleted");
    sinew_session_free(s);
    th_close(db);
}

typedef struct retry_ctx {
    int fail_times;
    int calls;
} retry_ctx;

static int flaky(sinew_db *db, void *ctx)
{
    retry_ctx *r = ctx;
    r->calls++;
    char sql[96];
    snprintf(sql, sizeof sql, "INSERT INTO tags (name) VALUES ('attempt %d of %p')", r->calls, (void *)r);
    th_ok(sinew_exec(db, sql));
    if (r->calls <= r->fail_times)
        return sinew_error_set(SINEW_RETRY, "could not serialize access due to concurrent update (forced)");
    return SINEW_OK;
}

static void retry_helper_retries_then_gives_up(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    sinew_retry_policy p = {4, 1, 4};
    retry_ctx r = {2, 0};
    int attempts;
    th_ok(sinew_transaction_ex(db, flaky, &r, &p, &attempts));
    assert_int_equal(attempts, 3);
    assert_int_equal(count_rows(s, &tag_model), 1);   /* failed attempts rolled back */
    retry_ctx r2 = {10, 0};
    th_assert_status(sinew_transaction_ex(db, flaky, &r2, &p, &attempts), SINEW_RETRY, "gave up after 4 attempts");
    assert_int_equal(attempts, 4);
    assert_int_equal(r2.calls, 4);
    assert_int_equal(count_rows(s, &tag_model), 1);
    assert_int_equal(sinew_tx_depth(db), 0);
    sinew_session_free(s);
    th_close(db);
}

static void bulk_insert_100k_with_keys(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    enum { N = 100000 };
    Tag *tags = calloc(N, sizeof *tags);
    void **ptrs = calloc(N, sizeof *ptrs);
    char *names = malloc((size_t)N * 16);
    for (int i = 0; i < N; i++) {
        snprintf(names + (size_t)i * 16, 16, "tag%d", i);
        tags[i].name = names + (size_t)i * 16;
        ptrs[i] = &tags[i];
    }
    sinew_count_mark m = sinew_count_begin(db);
    th_ok(sinew_insert_many(s, &tag_model, ptrs, N));
    uint64_t stmts = sinew_db_stats(db).statements - m.statements;
    assert_true(stmts <= N / 100 + 4);   /* many rows per statement */
    for (int i = 0; i < N; i++) assert_int_equal(tags[i].id, tags[0].id + i);
    assert_int_equal(count_rows(s, &tag_model), N);
    sinew_session *s2;
    th_ok(sinew_session_new(db, &s2));
    Tag *t;
    sinew_value key = sinew_v_int64(tags[77777].id);
    th_ok(sinew_get(s2, &tag_model, &key, 1, (void **)&t));
    assert_string_equal(t->name, "tag77777");
    sinew_session_free(s2);
    /* a duplicate aborts the whole call: nothing from it stays */
    Tag dup[2] = {{0, "fresh", {0}}, {0, "tag5", {0}}};
    void *dp[2] = {&dup[0], &dup[1]};
    th_assert_status(sinew_insert_many(s, &tag_model, dp, 2), SINEW_CONSTRAINT, NULL);
    assert_int_equal(count_rows(s, &tag_model), N);
    free(tags);
    free(ptrs);
    free(names);
    sinew_session_free(s);
    th_close(db);
}

static void upsert_inserts_then_updates(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    static const unsigned on_email[] = {1};
    User *u;
    th_ok(sinew_new(s, &user_model, (void **)&u));
    u->email = "up@x";
    th_ok(sinew_upsert(s, &user_model, u, on_email, 1));
    assert_true(u->id > 0);
    int64_t first = u->id;
    User mine = {0};
    mine.email = "up@x";
    mine.invited_by_id = first;
    mine.has_invited_by_id = true;
    th_ok(sinew_upsert(s, &user_model, &mine, on_email, 1));   /* conflict: the row is updated */
    assert_int_equal(mine.id, first);
    assert_int_equal(count_rows(s, &user_model), 1);
    sinew_session *s2;
    th_ok(sinew_session_new(db, &s2));
    User *r;
    sinew_value key = sinew_v_int64(first);
    th_ok(sinew_get(s2, &user_model, &key, 1, (void **)&r));
    assert_true(r->has_invited_by_id);
    sinew_session_free(s2);
    sinew_session_free(s);
    th_close(db);
}

static char hook_log[256];
static int before_save(sinew_session *s, const sinew_model *m, void *obj, void *ctx)
{
    (void)s; (void)ctx;
    strcat(hook_log, "before_save ");
    Tag *t = obj;
    if (m == &tag_model && t->name && strcmp(t->name, "forbidden") == 0)
        return sinew_error_set(SINEW_INVALID, "tag name 'forbidden' is reserved");
    return SINEW_OK;
}
static void after_save(sinew_session *s, const sinew_model *m, void *obj, void *ctx) { (void)s; (void)m; (void)obj; (void)ctx; strcat(hook_log, "after_save "); }
static int before_delete(sinew_session *s, const sinew_model *m, void *obj, void *ctx) { (void)s; (void)m; (void)obj; (void)ctx; strcat(hook_log, "before_delete "); return SINEW_OK; }
static void after_delete(sinew_session *s, const sinew_model *m, void *obj, void *ctx) { (void)s; (void)m; (void)obj; (void)ctx; strcat(hook_log, "after_delete "); }
static void after_load(sinew_session *s, const sinew_model *m, void *obj, void *ctx) { (void)s; (void)m; (void)obj; (void)ctx; strcat(hook_log, "after_load "); }

static void hooks_run_in_order(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    sinew_hooks h = {before_save, after_save, before_delete, after_delete, after_load, NULL};
    th_ok(sinew_db_set_hooks(db, &tag_model, &h));
    hook_log[0] = '\0';
    Tag *t;
    th_ok(sinew_new(s, &tag_model, (void **)&t));
    t->name = "ok";
    th_ok(sinew_save(s, &tag_model, t));
    sinew_session *s2;
    th_ok(sinew_session_new(db, &s2));
    Tag *r;
    sinew_value key = sinew_v_int64(t->id);
    th_ok(sinew_get(s2, &tag_model, &key, 1, (void **)&r));
    th_ok(sinew_delete(s2, &tag_model, r));
    sinew_session_free(s2);
    assert_string_equal(hook_log, "before_save after_save after_load before_delete after_delete ");
    Tag *bad;
    th_ok(sinew_new(s, &tag_model, (void **)&bad));
    bad->name = "forbidden";
    th_assert_status(sinew_save(s, &tag_model, bad), SINEW_INVALID, "reserved");
    th_assert_status(sinew_session_flush(s), SINEW_INVALID, "reserved");
    assert_int_equal(count_rows(s, &tag_model), 0);
    th_ok(sinew_db_set_hooks(db, &tag_model, NULL));
    sinew_session_free(s);
    th_close(db);
}

/* a model with declared validation rules */
typedef struct Member {
    int64_t id;
    char *nick;
    int32_t age;
    char *email;
} Member;
static const sinew_rules nick_rules = {2, 8, 0, 0, 0, 0, NULL};
static const sinew_rules age_rules = {-1, -1, 1, 1, 0, 150, NULL};
static const sinew_rules email_rules = {-1, -1, 0, 0, 0, 0, "[^@ ]+@[^@ ]+\\.[a-z]+"};
static const sinew_field member_fields[] = {
    SINEW_FIELD(Member, id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_AUTO),
    {"nick", "nick", SINEW_TEXT, 0, NULL, {SINEW_DEFAULT_NONE, NULL}, NULL, NULL, NULL, NULL, offsetof(Member, nick), SINEW_NO_OFFSET, 0, {0, 0}, &nick_rules, NULL},
    {"age", "age", SINEW_INT32, 0, NULL, {SINEW_DEFAULT_NONE, NULL}, NULL, NULL, NULL, NULL, offsetof(Member, age), SINEW_NO_OFFSET, 0, {0, 0}, &age_rules, NULL},
    {"email", "email", SINEW_TEXT, 0, NULL, {SINEW_DEFAULT_NONE, NULL}, NULL, NULL, NULL, NULL, offsetof(Member, email), SINEW_NO_OFFSET, 0, {0, 0}, &email_rules, NULL},
};
static const unsigned member_pk[] = {0};
static const sinew_model member_model = SINEW_MODEL(Member, "Member", "members", "member", member_fields, member_pk);

static void validation_names_the_field(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &member_model));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Member *m;
    th_ok(sinew_new(s, &member_model, (void **)&m));
    m->nick = "ann";
    m->age = 30;
    m->email = "ann@example.com";
    th_ok(sinew_save(s, &member_model, m));
    m->nick = "a";
    th_assert_status(sinew_save(s, &member_model, m), SINEW_INVALID, "Member.nick is 1 characters long; it must have at least 2");
    m->nick = "ünïcödé";   /* 7 characters, more bytes */
    th_ok(sinew_save(s, &member_model, m));
    m->nick = "waytoolongnick";
    th_assert_status(sinew_save(s, &member_model, m), SINEW_INVALID, "may have at most 8");
    m->nick = "ann";
    m->age = 200;
    th_assert_status(sinew_save(s, &member_model, m), SINEW_INVALID, "Member.age = 200 is above the maximum 150");
    m->age = 30;
    m->email = "not an email";
    th_assert_status(sinew_save(s, &member_model, m), SINEW_INVALID, "Member.email");
    th_assert_status(sinew_session_flush(s), SINEW_INVALID, "does not match the pattern");
    sinew_session_free(s);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(flush_inserts_parents_first_and_fills_keys),
        cmocka_unit_test(cycle_of_new_objects_is_broken_by_an_update),
        cmocka_unit_test(savepoint_rollback_leaves_outer_work),
        cmocka_unit_test(session_rollback_forgets_pending_changes),
        cmocka_unit_test(delete_cascades_in_the_session_too),
        cmocka_unit_test(retry_helper_retries_then_gives_up),
        cmocka_unit_test(bulk_insert_100k_with_keys),
        cmocka_unit_test(upsert_inserts_then_updates),
        cmocka_unit_test(hooks_run_in_order),
        cmocka_unit_test(validation_names_the_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
