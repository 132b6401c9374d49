/*
 * Polymorphic relations (`target Post | Comment`, tests/relations/poly.sinew)
 * through the generated API, on every backend: the table holds one nullable
 * foreign key per target and a CHECK that exactly one is set (the database
 * refuses none, both, and a key with no row); the setter keeps one set; the
 * lazy accessor loads the right object (cached, batched over a list: one
 * statement per target model); the prefetch is one statement per target;
 * objects come through the identity map; ON DELETE follows each target;
 * a named prefetch path (sinew_prefetch_names) passes through the poly.
 */
#include "harness.h"
#include "poly.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fx {
    sinew_db *db;
    sinew_session *s;
    Post *post;              /* of the first session only */
    Comment *comment;
    int64_t post_id, comment_id;
} fx;

static void open_fx(fx *f)
{
    f->db = th_open();
    th_ok(sinew_create_tables(f->db, &poly_schema));
    th_ok(sinew_session_new(f->db, &f->s));
    th_ok(post_new(f->s, &f->post));
    f->post->title = "a post";
    th_ok(post_save(f->s, f->post));
    th_ok(comment_new(f->s, &f->comment));
    f->comment->body = "a comment";
    th_ok(comment_save(f->s, f->comment));
    f->post_id = f->post->id;
    f->comment_id = f->comment->id;
}

static void close_fx(fx *f)
{
    sinew_session_free(f->s);
    th_close(f->db);
}

/* a fresh session: nothing loaded, nothing in the identity map */
static sinew_session *fresh(fx *f)
{
    sinew_session_free(f->s);
    th_ok(sinew_session_new(f->db, &f->s));
    return f->s;
}

static void database_keeps_exactly_one_target(void **state)
{
    (void)state;
    fx f;
    open_fx(&f);
    Like *l;
    th_ok(like_new(f.s, &l));
    l->who = "nobody";
    th_assert_status(like_save(f.s, l), SINEW_CONSTRAINT, NULL);            /* no target: the CHECK */
    sinew_session *s = fresh(&f);
    th_ok(like_new(s, &l));
    l->who = "both";
    l->target_post_id = f.post_id, l->has_target_post_id = true;
    l->target_comment_id = f.comment_id, l->has_target_comment_id = true;
    th_assert_status(like_save(s, l), SINEW_CONSTRAINT, NULL);              /* two targets: the CHECK */
    s = fresh(&f);
    th_ok(like_new(s, &l));
    l->who = "dangling";
    l->target_post_id = 424242, l->has_target_post_id = true;
    th_assert_status(like_save(s, l), SINEW_CONSTRAINT, NULL);              /* a real foreign key */
    s = fresh(&f);
    Pin *pin;
    th_ok(pin_new(s, &pin));
    pin->note = "pinned to nothing";
    th_ok(pin_save(s, pin));                                                /* `?`: none is allowed */
    int64_t n = -1;
    th_ok(like_count(s, &n));
    assert_int_equal(n, 0);
    close_fx(&f);
}

static void setter_keeps_one_key_and_saves(void **state)
{
    (void)state;
    fx f;
    open_fx(&f);
    Like *l;
    th_ok(like_new(f.s, &l));
    l->who = "ada";
    assert_int_equal(like_target_which(l), LIKE_TARGET_IS_NONE);
    th_ok(like_target_set_post(f.s, l, f.post));
    assert_int_equal(like_target_which(l), LIKE_TARGET_IS_POST);
    assert_true(l->has_target_post_id);
    assert_int_equal(l->target_post_id, f.post->id);
    th_ok(like_target_set_comment(f.s, l, f.comment));                      /* switching clears the post */
    assert_int_equal(like_target_which(l), LIKE_TARGET_IS_COMMENT);
    assert_false(l->has_target_post_id);
    assert_true(l->has_target_comment_id);
    th_ok(like_save(f.s, l));
    /* the setter said what is loaded: following it sends nothing */
    sinew_count_mark mark = sinew_count_begin(f.db);
    like_target_kind kind;
    void *t;
    th_ok(like_target(f.s, l, &kind, &t));
    assert_int_equal(kind, LIKE_TARGET_IS_COMMENT);
    assert_ptr_equal(t, f.comment);
    th_ok(sinew_count_expect(f.db, mark, 0));
    int64_t id = l->id;
    /* read back: the comment's key, no post's */
    sinew_session *s = fresh(&f);
    th_ok(like_get(s, id, &l));
    assert_int_equal(like_target_which(l), LIKE_TARGET_IS_COMMENT);
    assert_false(l->has_target_post_id);
    /* switch a loaded object back to the post and update it */
    Post *p;
    th_ok(post_get(s, f.post_id, &p));
    th_ok(like_target_set_post(s, l, p));
    th_ok(like_save(s, l));
    s = fresh(&f);
    th_ok(like_get(s, id, &l));
    assert_int_equal(like_target_which(l), LIKE_TARGET_IS_POST);
    assert_false(l->has_target_comment_id);
    /* a target of another model is refused, and so is an index past the targets */
    Comment *c;
    th_ok(comment_get(s, f.comment_id, &c));
    th_assert_status(sinew_poly_set(s, LIKE_TARGET, l, 1, c), SINEW_MISUSE, NULL);
    th_assert_status(sinew_poly_set(s, LIKE_TARGET, l, 3, c), SINEW_MISUSE, "not a Tag");
    th_assert_status(sinew_poly_set(s, LIKE_TARGET, l, 4, c), SINEW_MISUSE, "none of them");
    /* an optional one can be cleared */
    Pin *pin;
    th_ok(pin_new(s, &pin));
    pin->note = "n";
    th_ok(pin_thing_set_comment(s, pin, c));
    th_ok(pin_save(s, pin));
    th_ok(pin_thing_clear(s, pin));
    assert_int_equal(pin_thing_which(pin), PIN_THING_IS_NONE);
    th_ok(pin_save(s, pin));
    close_fx(&f);
}

/* a target whose key is text: the key field is a char *, NULL when unset */
static void text_keyed_target(void **state)
{
    (void)state;
    fx f;
    open_fx(&f);
    Tag *t;
    th_ok(tag_new(f.s, &t));
    t->code = "c-1";
    th_ok(tag_save(f.s, t));
    Like *l;
    th_ok(like_new(f.s, &l));
    l->who = "t";
    th_ok(like_target_set_post(f.s, l, f.post));
    th_ok(like_target_set_tag(f.s, l, t));
    assert_int_equal(like_target_which(l), LIKE_TARGET_IS_TAG);
    assert_false(l->has_target_post_id);
    assert_string_equal(l->target_tag_code, "c-1");
    th_ok(like_save(f.s, l));
    int64_t id = l->id;
    sinew_session *s = fresh(&f);
    th_ok(like_get(s, id, &l));
    assert_int_equal(like_target_which(l), LIKE_TARGET_IS_TAG);
    like_target_kind kind;
    void *obj;
    th_ok(like_target(s, l, &kind, &obj));
    assert_int_equal(kind, LIKE_TARGET_IS_TAG);
    assert_string_equal(((Tag *)obj)->code, "c-1");
    th_assert_status(like_target_set_comment(s, l, NULL), SINEW_MISUSE, "NULL");   /* no object: refused */
    close_fx(&f);
}

static void unsaved_target_gets_its_key_at_flush(void **state)
{
    (void)state;
    fx f;
    open_fx(&f);
    Post *np;
    th_ok(post_new(f.s, &np));
    np->title = "not saved yet";
    Like *l;
    th_ok(like_new(f.s, &l));
    l->who = "early";
    th_ok(like_target_set_post(f.s, l, np));
    assert_int_equal(like_target_which(l), LIKE_TARGET_IS_POST);
    th_ok(sinew_session_flush(f.s));                                               /* the post first, then the like */
    assert_true(np->id > 0);
    assert_true(l->has_target_post_id);
    assert_int_equal(l->target_post_id, np->id);
    close_fx(&f);
}

/* 6 likes: posts p0..p2 get one each, comments c0..c2 one each */
static void seed_likes(fx *f, Post **ps, Comment **cs)
{
    for (int i = 0; i < 3; i++) {
        char buf[32];
        th_ok(post_new(f->s, &ps[i]));
        snprintf(buf, sizeof buf, "post %d", i);
        ps[i]->title = sinew_strdup(f->s, buf);
        th_ok(post_save(f->s, ps[i]));
        th_ok(comment_new(f->s, &cs[i]));
        snprintf(buf, sizeof buf, "comment %d", i);
        cs[i]->body = sinew_strdup(f->s, buf);
        th_ok(comment_save(f->s, cs[i]));
    }
    for (int i = 0; i < 6; i++) {
        Like *l;
        th_ok(like_new(f->s, &l));
        l->who = "w";
        if (i % 2) th_ok(like_target_set_comment(f->s, l, cs[i / 2]));
        else th_ok(like_target_set_post(f->s, l, ps[i / 2]));
        th_ok(like_save(f->s, l));
    }
}

static void check_targets(sinew_session *s, like_list *likes)
{
    assert_int_equal(likes->count, 6);
    for (size_t i = 0; i < likes->count; i++) {
        Like *l = likes->items[i];
        like_target_kind kind;
        void *t;
        th_ok(like_target(s, l, &kind, &t));
        assert_non_null(t);
        if (l->has_target_post_id) {
            assert_int_equal(kind, LIKE_TARGET_IS_POST);
            assert_int_equal(((Post *)t)->id, l->target_post_id);
            assert_ptr_equal(t, l->target_post);                            /* the member holds it too */
        } else {
            assert_int_equal(kind, LIKE_TARGET_IS_COMMENT);
            assert_int_equal(((Comment *)t)->id, l->target_comment_id);
            assert_ptr_equal(t, l->target_comment);
        }
    }
}

static void lazy_loop_costs_one_statement_per_target(void **state)
{
    (void)state;
    fx f;
    open_fx(&f);
    Post *ps[3];
    Comment *cs[3];
    seed_likes(&f, ps, cs);
    sinew_session *s = fresh(&f);
    sinew_count_mark mark = sinew_count_begin(f.db);
    sinew_query *q = like_query(s);
    th_ok(sinew_order(q, LIKE_ID, SINEW_ASC));
    like_list likes;
    th_ok(like_all(q, &likes));
    sinew_query_free(q);
    check_targets(s, &likes);                                              /* batched over the siblings */
    th_ok(sinew_count_expect(f.db, mark, 3));                              /* likes, posts, comments */
    mark = sinew_count_begin(f.db);
    check_targets(s, &likes);                                              /* cached */
    th_ok(sinew_count_expect(f.db, mark, 0));
    /* the identity map: the post a like points at is the post the session has */
    Post *p;
    th_ok(post_get(s, likes.items[0]->target_post_id, &p));
    assert_ptr_equal(p, likes.items[0]->target_post);
    close_fx(&f);
}

static void prefetch_is_one_statement_per_target(void **state)
{
    (void)state;
    fx f;
    open_fx(&f);
    Post *ps[3];
    Comment *cs[3];
    seed_likes(&f, ps, cs);
    sinew_session *s = fresh(&f);
    sinew_count_mark mark = sinew_count_begin(f.db);
    sinew_query *q = like_query(s);
    th_ok(sinew_prefetch_poly(q, LIKE_TARGET));
    like_list likes;
    th_ok(like_all(q, &likes));
    sinew_query_free(q);
    th_ok(sinew_count_expect(f.db, mark, 3));
    mark = sinew_count_begin(f.db);
    check_targets(s, &likes);
    th_ok(sinew_count_expect(f.db, mark, 0));
    /* a poly of another model is refused */
    q = post_query(s);
    th_assert_status(sinew_prefetch_poly(q, LIKE_TARGET), SINEW_MISUSE, "not a polymorphic relation of Post");
    sinew_query_free(q);
    close_fx(&f);
}

/* posts written by one writer, comments by another (tags have no author) */
static void seed_authors(fx *f, Post **ps, Comment **cs, int64_t *post_writer, int64_t *comment_writer)
{
    Writer *w[2];
    for (int i = 0; i < 2; i++) {
        th_ok(writer_new(f->s, &w[i]));
        w[i]->name = i ? "comment writer" : "post writer";
        th_ok(writer_save(f->s, w[i]));
    }
    for (int i = 0; i < 3; i++) {
        ps[i]->author_id = w[0]->id, ps[i]->has_author_id = true;
        th_ok(post_save(f->s, ps[i]));
        cs[i]->author_id = w[1]->id, cs[i]->has_author_id = true;
        th_ok(comment_save(f->s, cs[i]));
    }
    *post_writer = w[0]->id;
    *comment_writer = w[1]->id;
}

/* a named path through the poly: every target, then each target's author, one statement per model and level */
static void prefetch_names_passes_through_poly(void **state)
{
    (void)state;
    fx f;
    open_fx(&f);
    Post *ps[3];
    Comment *cs[3];
    seed_likes(&f, ps, cs);
    int64_t pw, cw;
    seed_authors(&f, ps, cs, &pw, &cw);
    sinew_session *s = fresh(&f);
    sinew_count_mark mark = sinew_count_begin(f.db);
    sinew_query *q = like_query(s);
    th_ok(sinew_prefetch_names(q, "target.author"));
    like_list likes;
    th_ok(like_all(q, &likes));
    sinew_query_free(q);
    /* likes; posts and comments (no tag is liked: no statement); the posts' and the comments' writers */
    th_ok(sinew_count_expect(f.db, mark, 5));
    mark = sinew_count_begin(f.db);
    check_targets(s, &likes);
    for (size_t i = 0; i < likes.count; i++) {
        Like *l = likes.items[i];
        Writer *w;
        if (l->target_post) th_ok(post_author(s, l->target_post, &w));
        else th_ok(comment_author(s, l->target_comment, &w));
        assert_non_null(w);
        assert_int_equal(w->id, l->target_post ? pw : cw);
    }
    th_ok(sinew_count_expect(f.db, mark, 0));                              /* all loaded by the prefetch */
    /* the poly alone is sinew_prefetch_poly: likes, posts, comments */
    s = fresh(&f);
    mark = sinew_count_begin(f.db);
    q = like_query(s);
    th_ok(sinew_prefetch_names(q, "target"));
    th_ok(like_all(q, &likes));
    sinew_query_free(q);
    th_ok(sinew_count_expect(f.db, mark, 3));
    mark = sinew_count_begin(f.db);
    check_targets(s, &likes);
    th_ok(sinew_count_expect(f.db, mark, 0));
    /* a poly in the middle: writers, their posts, the posts' likes, what those likes point at */
    s = fresh(&f);
    mark = sinew_count_begin(f.db);
    q = writer_query(s);
    th_ok(sinew_prefetch_names(q, "posts.likes.target"));
    writer_list writers;
    th_ok(writer_all(q, &writers));
    sinew_query_free(q);
    /* writers, posts, likes; the likes' targets are those posts, in the session already: no statement */
    th_ok(sinew_count_expect(f.db, mark, 3));
    assert_int_equal(writers.count, 2);
    mark = sinew_count_begin(f.db);
    size_t seen = 0;
    for (size_t i = 0; i < writers.count; i++) {
        post_list posts;
        th_ok(writer_posts(s, writers.items[i], &posts));
        for (size_t j = 0; j < posts.count; j++) {
            like_list pl;
            th_ok(post_likes(s, posts.items[j], &pl));
            for (size_t k = 0; k < pl.count; k++, seen++) {
                like_target_kind kind;
                void *t;
                th_ok(like_target(s, pl.items[k], &kind, &t));
                assert_int_equal(kind, LIKE_TARGET_IS_POST);
                assert_ptr_equal(t, posts.items[j]);
            }
        }
    }
    assert_int_equal(seen, 3);
    th_ok(sinew_count_expect(f.db, mark, 0));
    close_fx(&f);
}

/* a step no model on the path has is an error naming the path and the models, not a shorter path */
static void prefetch_names_bad_paths(void **state)
{
    (void)state;
    fx f;
    open_fx(&f);
    static const struct {
        const char *path;
        const char *needle;
    } bad[] = {
        {"target.bogus", "\"target.bogus\": no relation 'bogus' on any of Post, Comment, Tag"},
        {"bogus", "no relation 'bogus' on Like"},
        {"target.author.bogus", "no relation 'bogus' on Writer"},
        {"target..author", "an empty step"},
        {"target.", "an empty step"},
        {"target.author.posts.likes.target", "more than 4 steps"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sinew_query *q = like_query(f.s);
        th_assert_status(sinew_prefetch_names(q, bad[i].path), SINEW_INVALID, bad[i].needle);
        like_list likes;
        th_assert_status(like_all(q, &likes), SINEW_INVALID, NULL);         /* the query keeps the error */
        sinew_query_free(q);
    }
    sinew_query *q = like_query(f.s);
    th_assert_status(sinew_prefetch_names(q, NULL), SINEW_MISUSE, "path is NULL");
    sinew_query_free(q);
    close_fx(&f);
}

static void inverse_lists_and_cascade(void **state)
{
    (void)state;
    fx f;
    open_fx(&f);
    Post *ps[3];
    Comment *cs[3];
    seed_likes(&f, ps, cs);
    like_list pl;
    th_ok(post_likes(f.s, ps[1], &pl));
    assert_int_equal(pl.count, 1);
    assert_int_equal(pl.items[0]->target_post_id, ps[1]->id);
    th_ok(comment_delete(f.s, cs[0]));                                     /* ON DELETE CASCADE */
    int64_t n = 0;
    th_ok(like_count(f.s, &n));
    assert_int_equal(n, 5);
    /* restrict: a post a pin points at cannot go; the pin still loads it */
    Pin *pin;
    th_ok(pin_new(f.s, &pin));
    pin->note = "n";
    th_ok(pin_thing_set_post(f.s, pin, ps[2]));
    th_ok(pin_save(f.s, pin));
    int64_t id = pin->id, post = ps[2]->id;
    th_assert_status(post_delete(f.s, ps[2]), SINEW_CONSTRAINT, NULL);
    sinew_session *s = fresh(&f);
    th_ok(pin_get(s, id, &pin));
    assert_int_equal(pin_thing_which(pin), PIN_THING_IS_POST);
    size_t which = 0;
    void *t = NULL;
    th_ok(sinew_load_poly(s, PIN_THING, pin, &which, &t));
    assert_int_equal(which, PIN_THING_IS_POST);
    assert_non_null(t);
    assert_int_equal(((Post *)t)->id, post);
    /* none set: nothing to load, no statement */
    th_ok(pin_thing_clear(s, pin));
    sinew_count_mark mark = sinew_count_begin(f.db);
    t = &which;
    th_ok(sinew_load_poly(s, PIN_THING, pin, &which, &t));
    assert_null(t);
    assert_int_equal(which, 0);
    th_ok(sinew_count_expect(f.db, mark, 0));
    close_fx(&f);
}

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

/* the generated code, byte for byte (SINEW_UPDATE_GOLDEN=1 rewrites the golden files after an intended change) */
static void generated_code_matches_golden(void **state)
{
    (void)state;
    const char *names[] = {"poly.h", "poly.c"};
    for (size_t i = 0; i < 2; i++) {
        char gen[512], gold[512];
        snprintf(gen, sizeof gen, "%s/%s", GENERATED_DIR, names[i]);
        snprintf(gold, sizeof gold, "%s/%s", GOLDEN_DIR, names[i]);
        char *a = slurp(gen);
        assert_non_null(a);
        if (getenv("SINEW_UPDATE_GOLDEN")) {
            FILE *f = fopen(gold, "wb");
            assert_non_null(f);
            fputs(a, f);
            fclose(f);
        }
        char *b = slurp(gold);
        if (!b) fail_msg("golden file %s is missing (run with SINEW_UPDATE_GOLDEN=1)", gold);
        if (strcmp(a, b)) {
            size_t k = 0;
            while (a[k] && a[k] == b[k]) k++;
            fail_msg("%s differs from its golden file at byte %zu: \"%.50s\" vs \"%.50s\"", names[i], k, a + k, b + k);
        }
        free(a);
        free(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(generated_code_matches_golden),
        cmocka_unit_test(database_keeps_exactly_one_target),
        cmocka_unit_test(setter_keeps_one_key_and_saves),
        cmocka_unit_test(unsaved_target_gets_its_key_at_flush),
        cmocka_unit_test(text_keyed_target),
        cmocka_unit_test(lazy_loop_costs_one_statement_per_target),
        cmocka_unit_test(prefetch_is_one_statement_per_target),
        cmocka_unit_test(prefetch_names_passes_through_poly),
        cmocka_unit_test(prefetch_names_bad_paths),
        cmocka_unit_test(inverse_lists_and_cascade),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
