/*
 * @@soft_delete on every backend (issue 21, item 9): a delete (object,
 * flush, query) sets the model's deleted_at field instead of removing the
 * row; get, queries, count, exists and relation loads (lazy, prefetched,
 * joined) leave such rows out unless asked (sinew_with_deleted,
 * sinew_get_with_deleted); sinew_restore undoes it; sinew_hard_delete is the
 * real DELETE; @on_delete(cascade) children that are @@soft_delete follow in
 * the same transaction with the same time; unique keys hold among live rows
 * (partial indexes where the backend has them).
 */
#include "harness.h"
#include "soft.h"
#include <stdio.h>
#include <string.h>

static sinew_db *fresh(sinew_session **s)
{
    sinew_db *db = th_open();
    th_ok(sinew_create_tables(db, &soft_schema));
    th_ok(sinew_session_new(db, s));
    return db;
}

static Author *author(sinew_session *s, const char *name)
{
    Author *a;
    th_ok(author_new(s, &a));
    a->name = (char *)name;
    return a;
}

static Post *post(sinew_session *s, Author *a, const char *title)
{
    Post *p;
    th_ok(post_new(s, &p));
    p->author = a;
    p->title = (char *)title;
    return p;
}

/* rows of m, the deleted ones too or not, counted in a session of its own */
static int64_t rows(sinew_db *db, const sinew_model *m, int with_deleted)
{
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    sinew_query *q = sinew_query_new(s, m);
    if (with_deleted) th_ok(sinew_with_deleted(q));
    int64_t n = -1;
    th_ok(sinew_query_count(q, &n));
    sinew_query_free(q);
    sinew_session_free(s);
    return n;
}

static void a_delete_sets_the_column_and_reads_leave_the_row_out(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    Author *a = author(s, "ada"), *b = author(s, "bob");
    th_ok(sinew_session_flush(s));
    int64_t saved = a->updated_at;
    th_ok(author_delete(s, a));
    assert_true(a->has_deleted_at && a->deleted_at > 0);
    assert_true(a->updated_at >= saved && a->updated_at == a->deleted_at);   /* one reading */
    assert_int_equal(rows(db, &author_model, 1), 2);   /* the row is still there */
    assert_int_equal(rows(db, &author_model, 0), 1);
    int64_t n = 0;
    th_ok(author_count(s, &n));
    assert_int_equal(n, 1);
    /* get: refused in this session and in another; sinew_get_with_deleted reads it */
    Author *got;
    th_assert_status(author_get(s, a->id, &got), SINEW_NOTFOUND, "no Author");
    sinew_session *s2;
    th_ok(sinew_session_new(db, &s2));
    th_assert_status(author_get(s2, a->id, &got), SINEW_NOTFOUND, "no Author");
    sinew_value key = sinew_v_int64(a->id);
    th_ok(sinew_get_with_deleted(s2, &author_model, &key, 1, (void **)&got));
    assert_true(got->has_deleted_at && got->deleted_at == a->deleted_at);
    /* loaded through sinew_get_with_deleted, it is still deleted for a plain get */
    th_assert_status(author_get(s2, a->id, &got), SINEW_NOTFOUND, "sinew_get_with_deleted");
    /* queries: list, exists, with and without the deleted rows */
    sinew_query *q = author_query(s2);
    author_list all;
    th_ok(author_all(q, &all));
    assert_int_equal(all.count, 1);
    assert_string_equal(all.items[0]->name, "bob");
    sinew_query_free(q);
    q = author_query(s2);
    th_ok(sinew_where(q, sinew_eq(AUTHOR_NAME, sinew_v_text("ada"))));
    bool there = true;
    th_ok(sinew_query_exists(q, &there));
    assert_false(there);
    th_ok(sinew_with_deleted(q));
    th_ok(sinew_query_exists(q, &there));
    assert_true(there);
    sinew_query_free(q);
    /* an update by query leaves deleted rows alone */
    q = author_query(s2);
    sinew_assign set[1] = {{AUTHOR_NAME, sinew_v_text("renamed")}};
    th_ok(sinew_query_update(q, set, 1, &n));
    assert_int_equal(n, 1);
    sinew_query_free(q);
    /* saving a deleted object is refused; deleting it again too */
    th_assert_status(author_save(s, a), SINEW_MISUSE, "deleted");
    (void)b;
    sinew_session_free(s2);
    sinew_session_free(s);
    th_close(db);
}

static void relations_leave_deleted_rows_out(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    Author *a = author(s, "ada");
    Post *p1 = post(s, a, "one"), *p2 = post(s, a, "two"), *p3 = post(s, a, "three");
    Note *note;
    th_ok(note_new(s, &note));
    note->author = a;
    note->body = "kept";
    th_ok(sinew_session_flush(s));
    /* one post soft-deleted by a query delete */
    sinew_query *q = post_query(s);
    th_ok(sinew_where(q, sinew_eq(POST_TITLE, sinew_v_text("two"))));
    int64_t n = 0;
    th_ok(sinew_query_delete(q, &n));
    assert_int_equal(n, 1);
    sinew_query_free(q);
    (void)p1, (void)p2, (void)p3;

    sinew_session *s2;
    th_ok(sinew_session_new(db, &s2));
    Author *a2;
    th_ok(author_get(s2, a->id, &a2));
    post_list lazy;
    th_ok(author_posts(s2, a2, &lazy));                 /* lazy */
    assert_int_equal(lazy.count, 2);
    for (size_t i = 0; i < lazy.count; i++) assert_string_not_equal(lazy.items[i]->title, "two");
    sinew_session_free(s2);

    th_ok(sinew_session_new(db, &s2));
    q = author_query(s2);
    th_ok(sinew_prefetch(q, AUTHOR_POSTS));             /* eager, a statement of its own */
    author_list as;
    th_ok(author_all(q, &as));
    assert_int_equal(as.count, 1);
    th_ok(author_posts(s2, as.items[0], &lazy));
    assert_int_equal(lazy.count, 2);
    sinew_query_free(q);
    /* a filter through a to-many relation does not see the deleted post */
    q = author_query(s2);
    th_ok(sinew_where(q, sinew_exists(AUTHOR_POSTS, sinew_eq(POST_TITLE, sinew_v_text("two")))));
    bool there = true;
    th_ok(sinew_query_exists(q, &there));
    assert_false(there);
    sinew_query_free(q);
    sinew_session_free(s2);

    /* the author soft-deleted: a note (not @@soft_delete, so kept) loads no author, joined or lazily */
    th_ok(author_delete(s, a));
    th_ok(sinew_session_new(db, &s2));
    q = note_query(s2);
    th_ok(sinew_prefetch_with(q, NOTE_AUTHOR, SINEW_EAGER_JOIN));
    note_list ns;
    th_ok(note_all(q, &ns));
    assert_int_equal(ns.count, 1);
    Author *who = (Author *)1;
    th_ok(note_author(s2, ns.items[0], &who));
    assert_null(who);
    sinew_query_free(q);
    sinew_session_free(s2);
    th_ok(sinew_session_new(db, &s2));
    th_ok(note_get(s2, note->id, &note));
    who = (Author *)1;
    th_ok(note_author(s2, note, &who));                 /* lazy */
    assert_null(who);
    sinew_session_free(s2);
    sinew_session_free(s);
    th_close(db);
}

static void cascades_follow_as_soft_deletes(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    Author *a = author(s, "ada"), *b = author(s, "bob");
    Post *p1 = post(s, a, "one"), *p2 = post(s, a, "two"), *pb = post(s, b, "bob's");
    Comment *c1;
    th_ok(comment_new(s, &c1));
    c1->post = p1;
    c1->body = "first";
    Note *note;
    th_ok(note_new(s, &note));
    note->author = a;
    note->body = "kept";
    th_ok(sinew_session_flush(s));
    /* through the unit of work: mark, flush */
    th_ok(sinew_mark_deleted(s, &author_model, a));
    th_ok(sinew_session_flush(s));
    assert_true(a->has_deleted_at);
    /* the loaded children followed in the session, with the same time */
    assert_true(p1->has_gone_at && p1->gone_at == a->deleted_at);
    assert_true(p2->has_gone_at && p2->gone_at == a->deleted_at);
    assert_true(c1->has_deleted_at && c1->deleted_at == a->deleted_at);
    assert_false(pb->has_gone_at);
    Post *got;
    th_assert_status(post_get(s, p1->id, &got), SINEW_NOTFOUND, NULL);
    /* and in the database */
    assert_int_equal(rows(db, &post_model, 0), 1);
    assert_int_equal(rows(db, &post_model, 1), 3);
    assert_int_equal(rows(db, &comment_model, 0), 0);
    assert_int_equal(rows(db, &comment_model, 1), 1);
    assert_int_equal(rows(db, &note_model, 0), 1);   /* not @@soft_delete: the author's row is still there */
    sinew_session *s2;
    th_ok(sinew_session_new(db, &s2));
    sinew_value key = sinew_v_int64(p2->id);
    th_ok(sinew_get_with_deleted(s2, &post_model, &key, 1, (void **)&got));
    assert_true(got->gone_at == a->deleted_at);
    sinew_session_free(s2);
    sinew_session_free(s);
    th_close(db);
}

/* a self-relation: a thread's replies follow, level by level (MariaDB reads its own table through a
 * derived table in the UPDATE's subquery) */
static void a_cascade_follows_a_thread(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    Author *a = author(s, "ada");
    Post *p = post(s, a, "one");
    Comment *c[4];
    const char *bodies[4] = {"root", "reply", "reply to reply", "other"};
    for (int i = 0; i < 4; i++) {
        th_ok(comment_new(s, &c[i]));
        c[i]->post = p;
        c[i]->body = (char *)bodies[i];
    }
    c[1]->parent = c[0];
    c[2]->parent = c[1];
    th_ok(sinew_session_flush(s));
    sinew_session *s2;
    th_ok(sinew_session_new(db, &s2));
    Comment *root;
    th_ok(comment_get(s2, c[0]->id, &root));
    th_ok(comment_delete(s2, root));
    sinew_session_free(s2);
    assert_int_equal(rows(db, &comment_model, 0), 1);   /* "other" */
    assert_int_equal(rows(db, &comment_model, 1), 4);
    th_ok(sinew_session_new(db, &s2));
    sinew_value key = sinew_v_int64(c[2]->id);
    Comment *leaf;
    th_ok(sinew_get_with_deleted(s2, &comment_model, &key, 1, (void **)&leaf));
    assert_true(leaf->has_deleted_at && leaf->deleted_at == root->deleted_at);
    sinew_session_free(s2);
    sinew_session_free(s);
    th_close(db);
}

static void restore_and_hard_delete(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    Author *a = author(s, "ada");
    Post *p = post(s, a, "one");
    Note *note;
    th_ok(note_new(s, &note));
    note->author = a;
    note->body = "n";
    th_ok(sinew_session_flush(s));
    th_ok(author_delete(s, a));
    th_ok(sinew_restore(s, &author_model, a));
    assert_false(a->has_deleted_at);
    Author *got;
    th_ok(author_get(s, a->id, &got));
    assert_ptr_equal(got, a);
    assert_int_equal(rows(db, &author_model, 0), 1);
    assert_int_equal(rows(db, &post_model, 0), 1);   /* what the cascade took comes back */
    th_ok(post_delete(s, p));
    assert_int_equal(rows(db, &post_model, 0), 0);
    /* restore of a row loaded with its deletion */
    sinew_session *s2;
    th_ok(sinew_session_new(db, &s2));
    Post *p2;
    sinew_value key = sinew_v_int64(p->id);
    th_ok(sinew_get_with_deleted(s2, &post_model, &key, 1, (void **)&p2));
    th_ok(sinew_restore(s2, &post_model, p2));
    sinew_session_free(s2);
    assert_int_equal(rows(db, &post_model, 0), 1);
    th_assert_status(sinew_restore(s, &author_model, a), SINEW_MISUSE, "not soft-deleted");
    th_assert_status(sinew_restore(s, &note_model, note), SINEW_MISUSE, "not @@soft_delete");
    /* the real DELETE: the row goes, and the database's ON DELETE CASCADE takes posts and notes */
    th_ok(sinew_hard_delete(s, &author_model, a));
    assert_int_equal(rows(db, &author_model, 1), 0);
    assert_int_equal(rows(db, &post_model, 1), 0);
    assert_int_equal(rows(db, &note_model, 0), 0);
    /* an object soft-deleted in this session can still go for good */
    Author *z = author(s, "z");
    th_ok(sinew_session_flush(s));
    th_ok(author_delete(s, z));
    assert_int_equal(rows(db, &author_model, 1), 1);
    th_ok(sinew_hard_delete(s, &author_model, z));
    assert_int_equal(rows(db, &author_model, 1), 0);
    th_assert_status(sinew_hard_delete(s, &author_model, z), SINEW_MISUSE, "already deleted");
    /* a query's hard delete takes soft-deleted rows too, with sinew_with_deleted */
    Author *x = author(s, "x"), *y = author(s, "y");
    th_ok(sinew_session_flush(s));
    th_ok(author_delete(s, x));
    sinew_query *q = author_query(s);
    th_ok(sinew_with_deleted(q));
    int64_t n = 0;
    th_ok(sinew_query_hard_delete(q, &n));
    assert_int_equal(n, 2);
    sinew_query_free(q);
    assert_int_equal(rows(db, &author_model, 1), 0);
    (void)y;
    q = note_query(s);
    th_assert_status(sinew_with_deleted(q), SINEW_MISUSE, "not @@soft_delete");
    sinew_query_free(q);
    sinew_session_free(s);
    th_close(db);
}

/* @@unique([name]) is unique among the live rows where the backend has partial indexes; MariaDB has none,
 * so there a deleted row keeps its name (docs/schema.md) */
static void unique_keys_hold_among_live_rows(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    Author *a = author(s, "ada");
    th_ok(sinew_session_flush(s));
    author(s, "ada");
    th_assert_status(sinew_session_flush(s), SINEW_CONSTRAINT, NULL);   /* two live rows: refused */
    sinew_session_rollback(s);
    th_ok(author_delete(s, a));
    Author *again = author(s, "ada");
    if (th_is_mariadb()) {
        th_assert_status(author_save(s, again), SINEW_CONSTRAINT, NULL);
    } else {
        th_ok(author_save(s, again));
        assert_int_equal(rows(db, &author_model, 1), 2);
    }
    sinew_session_free(s);
    th_close(db);
}

/* statements a flush runs, by the table they UPDATE (the log hook) */
typedef struct updates {
    int authors, posts, other;
} updates;

static void count_updates(void *ctx, const sinew_log_event *e)
{
    updates *u = ctx;
    if (!e->sql || strncmp(e->sql, "UPDATE ", 7) != 0) return;
    const char *t = e->sql + 7 + 1;   /* past the quote of the table's name */
    if (strncmp(t, "authors", 7) == 0) u->authors++;
    else if (strncmp(t, "posts", 5) == 0) u->posts++;
    else u->other++;
}

/* a flush's soft deletes of one model go as one UPDATE ... WHERE key IN (...), the cascade once for them
 * all; a row that is gone fails the batch, which is replayed row by row to name its object */
static void a_flush_batches_soft_deletes(void **state)
{
    (void)state;
    enum { N = 5 };
    sinew_session *s;
    sinew_db *db = fresh(&s);
    Author *a[N];
    Post *p[N];
    char names[N][8];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "a%d", i);
        a[i] = author(s, names[i]);
        p[i] = post(s, a[i], "p");
    }
    Author *keep = author(s, "keep");
    Post *kept = post(s, keep, "kept");
    th_ok(sinew_session_flush(s));
    updates u = {0};
    sinew_db_set_log(db, count_updates, &u);
    for (int i = 0; i < N; i++) th_ok(sinew_mark_deleted(s, &author_model, a[i]));
    th_ok(sinew_session_flush(s));
    sinew_db_set_log(db, NULL, NULL);
    assert_int_equal(u.authors, 1);   /* one statement for the N authors */
    assert_int_equal(u.posts, 1);     /* and one for the cascade to their posts */
    assert_true(u.other <= 1);        /* the posts' cascade to comments */
    for (int i = 0; i < N; i++) {
        assert_true(a[i]->has_deleted_at && a[i]->deleted_at == a[0]->deleted_at);
        assert_true(a[i]->updated_at == a[i]->deleted_at);
        assert_true(p[i]->has_gone_at && p[i]->gone_at == a[0]->deleted_at);
        Author *got;
        th_assert_status(author_get(s, a[i]->id, &got), SINEW_NOTFOUND, NULL);
    }
    assert_false(keep->has_deleted_at);
    assert_false(kept->has_gone_at);
    assert_int_equal(rows(db, &author_model, 0), 1);
    assert_int_equal(rows(db, &post_model, 0), 1);
    assert_int_equal(rows(db, &author_model, 1), N + 1);

    /* one of three is deleted by another session first: the flush fails naming it, nothing is written */
    Author *b[3];
    for (int i = 0; i < 3; i++) b[i] = author(s, i == 0 ? "b0" : i == 1 ? "b1" : "b2");
    th_ok(sinew_session_flush(s));
    sinew_session *s2;
    th_ok(sinew_session_new(db, &s2));
    Author *other;
    th_ok(author_get(s2, b[1]->id, &other));
    th_ok(author_delete(s2, other));
    sinew_session_free(s2);
    for (int i = 0; i < 3; i++) th_ok(sinew_mark_deleted(s, &author_model, b[i]));
    th_assert_status(sinew_session_flush(s), SINEW_NOTFOUND, "Author");
    assert_ptr_equal(sinew_flush_failed(s), b[1]);
    assert_int_equal(rows(db, &author_model, 0), 3);   /* keep, b0, b2 */
    assert_false(b[0]->has_deleted_at);
    sinew_session_free(s);
    th_close(db);
}

static Comment *comment(sinew_session *s, Post *p, Comment *parent, const char *body)
{
    Comment *c;
    th_ok(comment_new(s, &c));
    c->post = p;
    c->parent = parent;
    c->body = (char *)body;
    return c;
}

static bool live(sinew_db *db, const sinew_model *m, int64_t id)
{
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    void *got = NULL;
    sinew_value key = sinew_v_int64(id);
    int rc = sinew_get(s, m, &key, 1, &got);
    sinew_session_free(s);
    if (rc != SINEW_NOTFOUND) th_ok(rc);
    return rc == SINEW_OK;
}

/* a restore brings back what its delete's cascade took (the rows holding the same time), level by
 * level, and leaves what was deleted before, on its own */
static void restore_brings_back_the_cascade(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    Author *a = author(s, "ada");
    Post *p1 = post(s, a, "one"), *p2 = post(s, a, "two");
    Comment *c1 = comment(s, p1, NULL, "c1"), *c2 = comment(s, p1, c1, "reply"),
            *c3 = comment(s, p1, c2, "reply to reply"), *c4 = comment(s, p1, NULL, "alone"),
            *c5 = comment(s, p2, NULL, "on two");
    th_ok(sinew_session_flush(s));
    /* before: a post and a comment deleted on their own (and what the post's delete took) */
    th_ok(post_delete(s, p2));
    th_ok(comment_delete(s, c4));
    assert_true(c5->has_deleted_at && c5->deleted_at == p2->gone_at);
    int64_t before = p2->gone_at;
    th_ok(author_delete(s, a));
    assert_true(p1->gone_at == a->deleted_at && c3->deleted_at == a->deleted_at);
    assert_true(a->deleted_at != before);
    th_ok(sinew_restore(s, &author_model, a));
    /* in the database */
    assert_true(live(db, &author_model, a->id));
    assert_true(live(db, &post_model, p1->id));
    assert_true(live(db, &comment_model, c1->id));
    assert_true(live(db, &comment_model, c2->id));
    assert_true(live(db, &comment_model, c3->id));
    assert_false(live(db, &post_model, p2->id));
    assert_false(live(db, &comment_model, c4->id));
    assert_false(live(db, &comment_model, c5->id));
    /* and in the session: the loaded ones are live again */
    assert_false(p1->has_gone_at);
    assert_false(c3->has_deleted_at);
    assert_true(p2->has_gone_at && p2->gone_at == before);
    Post *got;
    th_ok(post_get(s, p1->id, &got));
    assert_ptr_equal(got, p1);
    th_assert_status(post_get(s, p2->id, &got), SINEW_NOTFOUND, NULL);

    /* the same from a session that has loaded nothing but the deleted author */
    th_ok(author_delete(s, a));
    sinew_session *s2;
    th_ok(sinew_session_new(db, &s2));
    Author *a2;
    sinew_value key = sinew_v_int64(a->id);
    th_ok(sinew_get_with_deleted(s2, &author_model, &key, 1, (void **)&a2));
    assert_false(live(db, &comment_model, c3->id));
    th_ok(sinew_restore(s2, &author_model, a2));
    sinew_session_free(s2);
    assert_true(live(db, &post_model, p1->id));
    assert_true(live(db, &comment_model, c3->id));
    assert_false(live(db, &post_model, p2->id));
    assert_false(live(db, &comment_model, c4->id));
    /* restoring the post deleted on its own brings back its own cascade's comment */
    th_ok(sinew_restore(s, &post_model, p2));
    assert_true(live(db, &comment_model, c5->id));
    assert_false(live(db, &comment_model, c4->id));
    sinew_session_free(s);
    th_close(db);
}

static Shelf *shelf(sinew_session *s, const char *site, int64_t code)
{
    Shelf *sh;
    th_ok(shelf_new(s, &sh));
    sh->site = (char *)site;
    sh->code = code;
    sh->label = "l";
    return sh;
}

static int64_t live_books(sinew_db *db, Shelf *sh)
{
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    sinew_query *q = book_query(s);
    th_ok(sinew_where(q, sinew_eq(BOOK_SHELF_SITE, sinew_v_text(sh->site))));
    th_ok(sinew_where(q, sinew_eq(BOOK_SHELF_CODE, sinew_v_int64(sh->code))));
    int64_t n = -1;
    th_ok(sinew_query_count(q, &n));
    sinew_query_free(q);
    sinew_session_free(s);
    return n;
}

/* a foreign key of two columns: the cascade and the restore match the whole key */
static void a_cascade_through_a_composite_key(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    Shelf *x = shelf(s, "north", 1), *y = shelf(s, "south", 1), *z = shelf(s, "north", 2);
    Shelf *all[3] = {x, y, z};
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 2; k++) {
            Book *b;
            th_ok(book_new(s, &b));
            b->shelf = all[i];
            b->title = "t";
        }
    th_ok(sinew_session_flush(s));
    th_ok(shelf_delete(s, x));   /* north/1: neither south/1 nor north/2 */
    assert_int_equal(live_books(db, x), 0);
    assert_int_equal(live_books(db, y), 2);
    assert_int_equal(live_books(db, z), 2);
    assert_int_equal(rows(db, &book_model, 1), 6);
    th_ok(sinew_restore(s, &shelf_model, x));
    assert_int_equal(live_books(db, x), 2);
    /* by query: two shelves at once */
    sinew_query *q = shelf_query(s);
    th_ok(sinew_where(q, sinew_eq(SHELF_CODE, sinew_v_int64(1))));
    int64_t n = 0;
    th_ok(sinew_query_delete(q, &n));
    assert_int_equal(n, 2);
    sinew_query_free(q);
    assert_int_equal(live_books(db, x), 0);
    assert_int_equal(live_books(db, y), 0);
    assert_int_equal(live_books(db, z), 2);
    sinew_session_free(s);
    th_close(db);
}

/* ---- @version: a soft delete and a restore check the version loaded and bump it ---- */

static Ledger *ledger(sinew_session *s, const char *name)
{
    Ledger *l;
    th_ok(ledger_new(s, &l));
    l->name = (char *)name;
    return l;
}

static Entry *entry(sinew_session *s, Ledger *l, int64_t amount)
{
    Entry *e;
    th_ok(entry_new(s, &e));
    e->ledger = l;
    e->amount = amount;
    return e;
}

/* the row's version and whether it is deleted, read in a session of its own */
static int64_t version_in_db(sinew_db *db, const sinew_model *m, int64_t id, bool *deleted)
{
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    void *got = NULL;
    sinew_value key = sinew_v_int64(id);
    th_ok(sinew_get_with_deleted(s, m, &key, 1, &got));
    int64_t v = sinew_field_value(&m->fields[sinew_model_field_index(m, "version")], got).u.i;
    if (deleted) *deleted = sinew_field_value(&m->fields[sinew_model_field_index(m, "deleted_at")], got).is_null == 0;
    sinew_session_free(s);
    return v;
}

/* someone else changes the row: its version moves on */
static void bump_elsewhere(sinew_db *db, const sinew_model *m, int64_t id)
{
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE %s SET version = version + 1 WHERE id = %lld", m->table, (long long)id);
    th_ok(sinew_exec(db, sql));
}

static void soft_delete_and_restore_bump_the_version(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    Ledger *l = ledger(s, "l");
    Entry *e1 = entry(s, l, 1), *e2 = entry(s, l, 2);
    th_ok(sinew_session_flush(s));
    int64_t v = l->version, ev1 = e1->version, ev2 = e2->version;
    bool deleted = false;
    th_ok(ledger_delete(s, l));
    /* the object holds what the statement wrote, and so do the loaded rows its cascade took */
    assert_int_equal(l->version, v + 1);
    assert_int_equal(e1->version, ev1 + 1);
    assert_true(e1->has_deleted_at && e1->deleted_at == l->deleted_at);
    assert_int_equal(version_in_db(db, &ledger_model, l->id, &deleted), v + 1);
    assert_true(deleted);
    assert_int_equal(version_in_db(db, &entry_model, e1->id, &deleted), ev1 + 1);
    assert_true(deleted);
    assert_int_equal(version_in_db(db, &entry_model, e2->id, NULL), ev2 + 1);
    /* restore: the version as this delete left it is the one matched, and it moves on again */
    th_ok(sinew_restore(s, &ledger_model, l));
    assert_int_equal(l->version, v + 2);
    assert_int_equal(e1->version, ev1 + 2);
    assert_false(e1->has_deleted_at);
    assert_int_equal(version_in_db(db, &ledger_model, l->id, &deleted), v + 2);
    assert_false(deleted);
    assert_int_equal(version_in_db(db, &entry_model, e2->id, &deleted), ev2 + 2);
    assert_false(deleted);
    /* the objects are as their rows: an update matches them */
    l->name = "renamed";
    th_ok(ledger_save(s, l));
    assert_int_equal(l->version, v + 3);
    e1->amount = 10;
    th_ok(entry_save(s, e1));
    /* a query's soft delete bumps the rows it takes too */
    sinew_query *q = ledger_query(s);
    int64_t n = 0;
    th_ok(sinew_query_delete(q, &n));
    assert_int_equal(n, 1);
    sinew_query_free(q);
    assert_int_equal(version_in_db(db, &ledger_model, l->id, NULL), v + 4);
    assert_int_equal(version_in_db(db, &entry_model, e2->id, NULL), ev2 + 3);
    sinew_session_free(s);
    th_close(db);
}

/* a soft delete or restore of a row someone else changed since it was loaded is SINEW_CONFLICT: nothing
 * written, the objects as they were; also when the stale one is a loaded row the cascade would take */
static void a_stale_soft_delete_is_refused(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    Ledger *l = ledger(s, "l");
    Entry *e = entry(s, l, 1), *other = entry(s, l, 2);
    th_ok(sinew_session_flush(s));
    int64_t v = l->version, ev = e->version, lid = l->id, eid = e->id, oid = other->id, ov = other->version;
    bool deleted = true;
    /* the row itself */
    bump_elsewhere(db, &ledger_model, l->id);
    th_assert_status(ledger_delete(s, l), SINEW_CONFLICT, "version");
    assert_false(l->has_deleted_at);
    assert_int_equal(l->version, v);
    assert_int_equal(version_in_db(db, &ledger_model, l->id, &deleted), v + 1);
    assert_false(deleted);
    Ledger *got;
    th_ok(ledger_get(s, l->id, &got));   /* still live in the session */
    /* a fresh copy of the ledger, and an entry the session holds changed by someone else */
    sinew_session_free(s);
    th_ok(sinew_session_new(db, &s));
    th_ok(ledger_get(s, lid, &l));
    Entry *held;
    th_ok(entry_get(s, eid, &held));
    v = l->version;
    bump_elsewhere(db, &entry_model, eid);
    th_assert_status(ledger_delete(s, l), SINEW_CONFLICT, "Entry");
    assert_false(l->has_deleted_at);
    assert_int_equal(l->version, v);
    assert_false(held->has_deleted_at);
    assert_int_equal(held->version, ev);
    assert_int_equal(version_in_db(db, &ledger_model, l->id, &deleted), v);   /* nothing written */
    assert_false(deleted);
    assert_int_equal(version_in_db(db, &entry_model, oid, &deleted), ov);
    assert_false(deleted);
    th_ok(ledger_get(s, l->id, &got));
    th_ok(entry_get(s, held->id, &held));
    /* reloaded, it goes */
    sinew_session_free(s);
    th_ok(sinew_session_new(db, &s));
    th_ok(ledger_get(s, lid, &l));
    th_ok(entry_get(s, eid, &held));
    th_ok(ledger_delete(s, l));
    assert_int_equal(held->version, ev + 2);
    assert_int_equal(version_in_db(db, &entry_model, held->id, NULL), ev + 2);
    /* a restore of a row someone else changed since */
    bump_elsewhere(db, &ledger_model, l->id);
    int64_t at = l->deleted_at;
    th_assert_status(sinew_restore(s, &ledger_model, l), SINEW_CONFLICT, "version");
    assert_true(l->has_deleted_at && l->deleted_at == at);
    assert_int_equal(l->version, v + 1);
    assert_true(held->has_deleted_at);
    version_in_db(db, &ledger_model, l->id, &deleted);
    assert_true(deleted);
    version_in_db(db, &entry_model, held->id, &deleted);
    assert_true(deleted);   /* the cascade's rows were not brought back either */
    sinew_session_free(s);
    th_close(db);
}

/* statements a flush runs that UPDATE ledgers */
static void count_ledger_updates(void *ctx, const sinew_log_event *e)
{
    if (e->sql && !strncmp(e->sql, "UPDATE ", 7) && !strncmp(e->sql + 8, "ledgers", 7)) (*(int *)ctx)++;
}

/* the ledgers and entries again, in a new session (*s replaced), with their versions */
static void reload(sinew_db *db, sinew_session **s, Ledger **l, Entry **e, int64_t *v, int64_t *ev, int n)
{
    int64_t lid[8], eid[8];
    for (int i = 0; i < n; i++) {
        lid[i] = l[i]->id;
        eid[i] = e[i]->id;
    }
    sinew_session_free(*s);
    th_ok(sinew_session_new(db, s));
    for (int i = 0; i < n; i++) {
        th_ok(ledger_get(*s, lid[i], &l[i]));
        th_ok(entry_get(*s, eid[i], &e[i]));
        v[i] = l[i]->version;
        ev[i] = e[i]->version;
    }
}

/* a flush's batch of soft deletes checks the versions (a stale one named by sinew_flush_failed, nothing
 * written) and bumps them, in the rows and in the objects, the cascade's loaded rows too */
static void a_flush_batch_checks_and_bumps_versions(void **state)
{
    (void)state;
    enum { N = 3 };
    sinew_session *s;
    sinew_db *db = fresh(&s);
    Ledger *l[N];
    Entry *e[N];
    int64_t v[N], ev[N];
    for (int i = 0; i < N; i++) {
        l[i] = ledger(s, "l");
        e[i] = entry(s, l[i], i);
    }
    th_ok(sinew_session_flush(s));
    for (int i = 0; i < N; i++) {
        v[i] = l[i]->version;
        ev[i] = e[i]->version;
    }
    /* one of them changed by someone else: refused, named, nothing written */
    bump_elsewhere(db, &ledger_model, l[1]->id);
    for (int i = 0; i < N; i++) th_ok(sinew_mark_deleted(s, &ledger_model, l[i]));
    th_assert_status(sinew_session_flush(s), SINEW_CONFLICT, "Ledger");
    assert_ptr_equal(sinew_flush_failed(s), l[1]);
    assert_int_equal(rows(db, &ledger_model, 0), N);
    assert_int_equal(rows(db, &entry_model, 0), N);
    for (int i = 0; i < N; i++) {
        assert_false(l[i]->has_deleted_at);
        assert_int_equal(l[i]->version, v[i]);
    }
    /* the stale ledger's entry is untouched; the entries of the ledgers the replay row by row deleted
     * before it reached l[1] were marked deleted in the session: the flush's journal holds the flush's
     * own objects, not the loaded ones a cascade took (a known limit, hard deletes alike) */
    assert_false(e[1]->has_deleted_at);
    assert_int_equal(e[1]->version, ev[1]);
    /* a loaded entry the cascade would take changed by someone else: the flush names it */
    reload(db, &s, l, e, v, ev, N);
    bump_elsewhere(db, &entry_model, e[2]->id);
    for (int i = 0; i < N; i++) th_ok(sinew_mark_deleted(s, &ledger_model, l[i]));
    th_assert_status(sinew_session_flush(s), SINEW_CONFLICT, "Entry");
    assert_ptr_equal(sinew_flush_failed(s), e[2]);
    assert_int_equal(rows(db, &ledger_model, 0), N);
    assert_int_equal(rows(db, &entry_model, 0), N);
    for (int i = 0; i < N; i++) assert_int_equal(l[i]->version, v[i]);
    assert_int_equal(e[2]->version, ev[2]);
    /* all as loaded: one statement for the ledgers, every version one up */
    reload(db, &s, l, e, v, ev, N);
    for (int i = 0; i < N; i++) th_ok(sinew_mark_deleted(s, &ledger_model, l[i]));
    int nupdates = 0;
    sinew_db_set_log(db, count_ledger_updates, &nupdates);
    th_ok(sinew_session_flush(s));
    sinew_db_set_log(db, NULL, NULL);
    assert_int_equal(nupdates, 1);
    for (int i = 0; i < N; i++) {
        assert_int_equal(l[i]->version, v[i] + 1);
        assert_int_equal(e[i]->version, ev[i] + 1);
        assert_true(e[i]->has_deleted_at && e[i]->deleted_at == l[i]->deleted_at);
        assert_int_equal(version_in_db(db, &ledger_model, l[i]->id, NULL), v[i] + 1);
        assert_int_equal(version_in_db(db, &entry_model, e[i]->id, NULL), ev[i] + 1);
    }
    sinew_session_free(s);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_delete_sets_the_column_and_reads_leave_the_row_out),
        cmocka_unit_test(relations_leave_deleted_rows_out),
        cmocka_unit_test(cascades_follow_as_soft_deletes),
        cmocka_unit_test(a_cascade_follows_a_thread),
        cmocka_unit_test(restore_and_hard_delete),
        cmocka_unit_test(unique_keys_hold_among_live_rows),
        cmocka_unit_test(a_flush_batches_soft_deletes),
        cmocka_unit_test(restore_brings_back_the_cascade),
        cmocka_unit_test(a_cascade_through_a_composite_key),
        cmocka_unit_test(soft_delete_and_restore_bump_the_version),
        cmocka_unit_test(a_stale_soft_delete_is_refused),
        cmocka_unit_test(a_flush_batch_checks_and_bumps_versions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
