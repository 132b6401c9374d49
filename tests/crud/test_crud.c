/*
 * CRUD and hydration on every backend: every type round-trips (edge values
 * and NULL), composite keys, only changed columns are written, the identity
 * map returns the same object without a query.
 */
#include "harness.h"
#include "models.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char blob_bytes[] = {0, 1, 2, 0, 255, 0, 'x', 0};

static void fill_required(sinew_session *s, Thing *t, int variant)
{
    t->b = variant ? false : true;
    t->i32 = variant ? INT32_MIN : INT32_MAX;
    t->i64 = variant ? INT64_MAX : INT64_MIN;
    t->d = variant ? -1.5e-300 : 3.141592653589793;
    t->t = variant ? sinew_strdup(s, "") : sinew_strdup(s, "héllo wörld ✓ 日本語 \xF0\x9F\x98\x80");
    t->bl.data = variant ? (const unsigned char *)"" : blob_bytes;
    t->bl.len = variant ? 0 : sizeof blob_bytes;
    assert_int_equal(sinew_timestamp_parse(variant ? "1969-07-20 20:17:40.000001" : "2038-01-19 03:14:08.999999", 26, &t->ts), 0);
    assert_int_equal(sinew_date_parse(variant ? "0001-01-01" : "9999-12-31", 10, &t->dt), 0);
    assert_int_equal(sinew_uuid_v4(&t->u), 0);
    t->j = variant ? "[]" : "{\"a\": [1, 2, {\"b\": null}]}";
    t->dec = variant ? "-0.000000000000000000001" : "12345678901234567890.123456789";
    t->e = variant ? COLOR_RED : COLOR_BLUE;
}

static void assert_same_required(const Thing *a, const Thing *b)
{
    assert_int_equal(a->b, b->b);
    assert_int_equal(a->i32, b->i32);
    assert_true(a->i64 == b->i64);
    assert_true(a->d == b->d);
    assert_string_equal(a->t, b->t);
    assert_int_equal(a->bl.len, b->bl.len);
    if (a->bl.len) assert_memory_equal(a->bl.data, b->bl.data, a->bl.len);
    assert_non_null(b->bl.data);
    assert_true(a->ts == b->ts);
    assert_int_equal(a->dt, b->dt);
    assert_memory_equal(a->u.bytes, b->u.bytes, 16);
    assert_int_equal(a->e, b->e);
}

static void normalize_json(const char *in, char *out)
{
    /* PostgreSQL's jsonb normalises spacing; compare without blanks */
    for (; *in; in++)
        if (*in != ' ') *out++ = *in;
    *out = '\0';
}

static void every_type_round_trips_with_nulls(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &thing_model));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Thing *t;
    th_ok(sinew_new(s, &thing_model, (void **)&t));
    fill_required(s, t, 0);
    th_ok(sinew_save(s, &thing_model, t));
    assert_true(t->id > 0);
    int64_t id = t->id;

    sinew_session *s2;
    th_ok(sinew_session_new(db, &s2));
    Thing *r;
    sinew_value key = sinew_v_int64(id);
    th_ok(sinew_get(s2, &thing_model, &key, 1, (void **)&r));
    assert_true(r != t);
    assert_same_required(t, r);
    char ja[128], jb[128];
    normalize_json(t->j, ja);
    normalize_json(r->j, jb);
    assert_string_equal(ja, jb);
    /* decimals are exact: no float rounding on the way */
    assert_string_equal(r->dec, "12345678901234567890.123456789");
    /* every nullable field came back NULL */
    assert_false(r->has_ob);
    assert_false(r->has_oi32);
    assert_false(r->has_oi64);
    assert_false(r->has_od);
    assert_null(r->ot);
    assert_false(r->has_obl);
    assert_false(r->has_ots);
    assert_false(r->has_odt);
    assert_false(r->has_ou);
    assert_null(r->oj);
    assert_null(r->odec);
    assert_false(r->has_oe);
    sinew_session_free(s2);
    sinew_session_free(s);
    th_close(db);
}

static void nullable_fields_round_trip_values_and_edges(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &thing_model));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Thing *t;
    th_ok(sinew_new(s, &thing_model, (void **)&t));
    fill_required(s, t, 1);
    t->ob = true; t->has_ob = true;
    t->oi32 = -7; t->has_oi32 = true;
    t->oi64 = INT64_MIN; t->has_oi64 = true;
    t->od = 0.1; t->has_od = true;
    /* 1 MiB of text */
    char *big = sinew_alloc(s, (1 << 20) + 1);
    for (int i = 0; i < (1 << 20); i++) big[i] = (char)('a' + i % 26);
    big[1 << 20] = '\0';
    t->ot = big;
    t->obl.data = blob_bytes; t->obl.len = 3; t->has_obl = true;
    t->ots = 0; t->has_ots = true;
    t->odt = -1; t->has_odt = true;
    memset(t->ou.bytes, 0xab, 16); t->has_ou = true;
    t->oj = "null";
    t->odec = "0";
    t->oe = COLOR_GREEN; t->has_oe = true;
    th_ok(sinew_save(s, &thing_model, t));

    sinew_session *s2;
    th_ok(sinew_session_new(db, &s2));
    Thing *r;
    sinew_value key = sinew_v_int64(t->id);
    th_ok(sinew_get(s2, &thing_model, &key, 1, (void **)&r));
    assert_same_required(t, r);
    assert_string_equal(r->t, "");
    assert_int_equal(r->bl.len, 0);
    assert_true(r->has_ob && r->ob);
    assert_true(r->has_oi32 && r->oi32 == -7);
    assert_true(r->has_oi64 && r->oi64 == INT64_MIN);
    assert_true(r->has_od && r->od == 0.1);
    assert_int_equal(strlen(r->ot), 1 << 20);
    assert_memory_equal(r->ot, big, 1 << 20);
    assert_true(r->has_obl);
    assert_int_equal(r->obl.len, 3);
    assert_memory_equal(r->obl.data, blob_bytes, 3);
    assert_true(r->has_ots && r->ots == 0);
    assert_true(r->has_odt && r->odt == -1);
    assert_true(r->has_ou);
    assert_memory_equal(r->ou.bytes, t->ou.bytes, 16);
    assert_string_equal(r->oj, "null");
    assert_string_equal(r->odec, "0");
    assert_true(r->has_oe && r->oe == COLOR_GREEN);

    /* set back to NULL and save: only those columns change */
    r->has_oi32 = false;
    r->ot = NULL;
    th_ok(sinew_save(s2, &thing_model, r));
    sinew_session *s3;
    th_ok(sinew_session_new(db, &s3));
    Thing *r3;
    th_ok(sinew_get(s3, &thing_model, &key, 1, (void **)&r3));
    assert_false(r3->has_oi32);
    assert_null(r3->ot);
    assert_true(r3->has_oi64);
    sinew_session_free(s3);
    sinew_session_free(s2);
    sinew_session_free(s);
    th_close(db);
}

static void composite_primary_key(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &membership_model));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    const char *members[] = {"ann", "bob", "ann"};
    const int64_t groups[] = {1, 1, 2};
    for (int i = 0; i < 3; i++) {
        Membership *m;
        th_ok(sinew_new(s, &membership_model, (void **)&m));
        m->group_id = groups[i];
        m->member = (char *)members[i];
        m->role = i == 1 ? "admin" : NULL;
        th_ok(sinew_save(s, &membership_model, m));
    }
    sinew_session *s2;
    th_ok(sinew_session_new(db, &s2));
    Membership *m;
    sinew_value key[2] = {sinew_v_int64(1), sinew_v_text("bob")};
    th_ok(sinew_get(s2, &membership_model, key, 2, (void **)&m));
    assert_string_equal(m->role, "admin");
    m->role = "owner";
    th_ok(sinew_save(s2, &membership_model, m));
    sinew_value key2[2] = {sinew_v_int64(2), sinew_v_text("ann")};
    Membership *m2;
    th_ok(sinew_get(s2, &membership_model, key2, 2, (void **)&m2));
    assert_null(m2->role);
    th_ok(sinew_delete(s2, &membership_model, m2));
    th_assert_status(sinew_get(s2, &membership_model, key2, 2, (void **)&m2), SINEW_NOTFOUND, "no Membership");

    sinew_session *s3;
    th_ok(sinew_session_new(db, &s3));
    th_ok(sinew_get(s3, &membership_model, key, 2, (void **)&m));
    assert_string_equal(m->role, "owner");
    th_assert_status(sinew_get(s3, &membership_model, key2, 2, (void **)&m2), SINEW_NOTFOUND,
                     "no Membership with group_id = 2, member = 'ann'");
    int64_t n;
    th_ok(sinew_count(s3, &membership_model, &n));
    assert_int_equal(n, 2);
    sinew_session_free(s3);
    sinew_session_free(s2);
    sinew_session_free(s);
    th_close(db);
}

static void update_writes_only_changed_columns(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &thing_model));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Thing *t;
    th_ok(sinew_new(s, &thing_model, (void **)&t));
    fill_required(s, t, 0);
    th_ok(sinew_save(s, &thing_model, t));

    th_capture cap;
    th_capture_start(db, &cap);
    th_ok(sinew_save(s, &thing_model, t));           /* unchanged: nothing sent */
    assert_int_equal(cap.count, 0);
    t->i32 = 42;
    t->ot = "now set";
    th_ok(sinew_save(s, &thing_model, t));
    th_capture_stop(db, &cap);
    assert_int_equal(cap.count, 1);
    const char *sql = cap.sql[0];
    assert_non_null(strstr(sql, "UPDATE \"things\" SET \"i32\" = "));
    assert_non_null(strstr(sql, "\"ot\" = "));
    /* exactly two assignments: SET a = ?, b = ? WHERE id */
    const char *set = strstr(sql, " SET "), *where = strstr(sql, " WHERE ");
    int assignments = 0;
    for (const char *p = set; p < where; p++) assignments += *p == '=';
    assert_int_equal(assignments, 2);
    assert_null(strstr(sql, "\"i64\""));
    th_capture_free(&cap);
    sinew_session_free(s);
    th_close(db);
}

/* More distinct column sets than a plan keeps UPDATE statements for (8): old
 * ones are recycled and freed while the statement cache trusts plan SQL by
 * its address. Every update must still write its own columns, and only those. */
/* An allocator that hands a just-freed block straight back for the next
 * request of about its size, as malloc's caches do (and ASan's quarantine does
 * not): a stale address in a cache of sinew's then points at new contents. */
typedef struct reuse_block {
    size_t size;
    size_t pad;   /* keeps the payload 16-byte aligned */
} reuse_block;
static reuse_block *reuse_freed[64];
static int reuse_n;

static void *reuse_malloc(size_t n, void *ctx)
{
    (void)ctx;
    for (int i = reuse_n - 1; i >= 0; i--) {
        reuse_block *b = reuse_freed[i];
        if (b->size >= n && b->size <= n + 64) {
            reuse_freed[i] = reuse_freed[--reuse_n];
            return b + 1;
        }
    }
    reuse_block *b = malloc(sizeof *b + n);
    if (!b) return NULL;
    b->size = n;
    return b + 1;
}

static void reuse_free(void *p, void *ctx)
{
    (void)ctx;
    if (!p) return;
    reuse_block *b = (reuse_block *)p - 1;
    if (reuse_n == 64) free(reuse_freed[--reuse_n]);
    reuse_freed[reuse_n++] = b;
}

static void *reuse_realloc(void *p, size_t n, void *ctx)
{
    void *q = reuse_malloc(n, ctx);
    if (q && p) {
        size_t old = ((reuse_block *)p - 1)->size;
        memcpy(q, p, old < n ? old : n);
        reuse_free(p, ctx);
    }
    return q;
}

static void many_update_shapes_each_write_their_columns(void **state)
{
    (void)state;
    sinew_allocator reuse = {reuse_malloc, reuse_realloc, reuse_free, NULL};
    sinew_set_allocator(&reuse);
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &thing_model));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Thing *t;
    th_ok(sinew_new(s, &thing_model, (void **)&t));
    fill_required(s, t, 0);
    th_ok(sinew_save(s, &thing_model, t));
    for (int round = 0; round < 3; round++) {
        for (int k = 0; k < 12; k++) {
            /* k picks one of 12 column sets: i32 alone, i64 alone, both, with d, ... */
            int32_t i32 = round * 100 + k;
            if (k % 2 == 0) t->i32 = i32;
            if (k % 3 == 0) t->i64 = i32;
            if (k % 4 == 0) t->d = i32;
            if (k % 5 == 0) { t->oi32 = i32; t->has_oi32 = true; }
            if (k % 6 == 0) t->dt = i32;
            if (k % 7 == 0) t->ot = k % 2 ? "odd" : "even";
            if (k % 11 == 0) t->b = !t->b;
            if (k % 2 && k % 3 && k % 5 && k % 7) t->ts = i32;   /* the remaining shapes */
            th_ok(sinew_save(s, &thing_model, t));
            /* what the database has now is what the object says */
            sinew_session *fresh;
            th_ok(sinew_session_new(db, &fresh));
            sinew_value key = sinew_v_int64(t->id);
            Thing *back;
            th_ok(sinew_get(fresh, &thing_model, &key, 1, (void **)&back));
            assert_int_equal(back->i32, t->i32);
            assert_true(back->i64 == t->i64);
            assert_true(back->d == t->d);
            assert_int_equal(back->has_oi32, t->has_oi32);
            assert_int_equal(back->oi32, t->oi32);
            assert_int_equal(back->dt, t->dt);
            assert_true(back->ts == t->ts);
            assert_int_equal(back->b, t->b);
            if (t->ot) assert_string_equal(back->ot, t->ot);
            sinew_session_free(fresh);
        }
    }
    sinew_session_free(s);
    th_close(db);
    sinew_set_allocator(NULL);
    while (reuse_n) free(reuse_freed[--reuse_n]);
}

static void identity_map_returns_same_object_without_query(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &account_model));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Account *a;
    th_ok(sinew_new(s, &account_model, (void **)&a));
    a->email = "a@example.com";
    a->name = "A";
    th_ok(sinew_save(s, &account_model, a));
    sinew_value key = sinew_v_int64(a->id);
    Account *b;
    sinew_db_reset_stats(db);
    th_ok(sinew_get(s, &account_model, &key, 1, (void **)&b));
    assert_ptr_equal(a, b);
    assert_int_equal(sinew_db_stats(db).statements, 0);
    /* get by unique field: a query, but the same object */
    sinew_value email = sinew_v_text("a@example.com");
    th_ok(sinew_get_by(s, &account_model, 1, &email, (void **)&b));
    assert_ptr_equal(a, b);
    assert_int_equal(sinew_db_stats(db).statements, 1);
    sinew_session_free(s);
    th_close(db);
}

/* The identity map is an open-addressing table: it grows many times over
 * 3,000 objects, and deleting every third (in a scattered order, which moves
 * entries back over the holes) must leave every other object findable. */
static void identity_map_survives_growth_and_deletes(void **state)
{
    (void)state;
    enum { N = 3000 };
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &account_model));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    static Account *objs[N];
    static char emails[N][32];
    th_ok(sinew_begin(db));
    for (int i = 0; i < N; i++) {
        th_ok(sinew_new(s, &account_model, (void **)&objs[i]));
        snprintf(emails[i], sizeof emails[i], "u%d@example.com", i);
        objs[i]->email = emails[i];
        objs[i]->name = "n";
        th_ok(sinew_save(s, &account_model, objs[i]));
    }
    for (int k = 0; k < N / 3; k++) {
        int i = (int)(((long)k * 1237) % N);   /* 1237 is prime to 3000: distinct, scattered indexes */
        th_ok(sinew_delete(s, &account_model, objs[i]));
        objs[i] = NULL;
    }
    th_ok(sinew_commit(db));
    int64_t gone = 0;
    sinew_db_reset_stats(db);
    for (int i = 0; i < N; i++) {
        if (!objs[i]) continue;
        sinew_value key = sinew_v_int64(objs[i]->id);
        Account *got;
        th_ok(sinew_get(s, &account_model, &key, 1, (void **)&got));
        assert_ptr_equal(got, objs[i]);
    }
    assert_int_equal(sinew_db_stats(db).statements, 0);   /* all from the map */
    for (int i = 0; i < N; i++)
        if (!objs[i]) gone++;
    assert_int_equal(gone, N / 3);
    /* a deleted key is not in the map any more: the database is asked, and says no */
    for (int i = 0; i < N; i++) {
        if (objs[i]) continue;
        sinew_value key = sinew_v_int64(i + 1);
        Account *got;
        th_assert_status(sinew_get(s, &account_model, &key, 1, (void **)&got), SINEW_NOTFOUND, NULL);
        break;
    }
    /* loading everything again hands back the very same objects */
    sinew_query *q = sinew_query_new(s, &account_model);
    sinew_list all;
    th_ok(sinew_all(q, &all));
    assert_int_equal((int64_t)all.count, N - gone);
    for (size_t k = 0; k < all.count; k++) {
        Account *a = all.items[k];
        assert_ptr_equal(a, objs[a->id - 1]);
    }
    sinew_query_free(q);
    sinew_session_free(s);
    th_close(db);
}

static void insert_of_caller_struct_fills_key(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &account_model));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Account mine = {0, "me@example.com", "Me", 0};
    th_ok(sinew_insert(s, &account_model, &mine));
    assert_true(mine.id > 0);
    Account other = {0, "you@example.com", "You", 0};
    th_ok(sinew_insert(s, &account_model, &other));
    assert_true(other.id > mine.id);
    /* the caller's struct is not a session object: save refuses it without touching it */
    th_assert_status(sinew_save(s, &account_model, &mine), SINEW_MISUSE, "sinew_insert()");
    int64_t n;
    th_ok(sinew_count(s, &account_model, &n));
    assert_int_equal(n, 2);
    sinew_session_free(s);
    th_close(db);
}

static void version_field_detects_stale_update(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &account_model));
    sinew_session *s1, *s2;
    th_ok(sinew_session_new(db, &s1));
    th_ok(sinew_session_new(db, &s2));
    Account *a;
    th_ok(sinew_new(s1, &account_model, (void **)&a));
    a->email = "v@example.com";
    a->name = "one";
    th_ok(sinew_save(s1, &account_model, a));
    sinew_value key = sinew_v_int64(a->id);
    Account *b;
    th_ok(sinew_get(s2, &account_model, &key, 1, (void **)&b));
    a->name = "two";
    th_ok(sinew_save(s1, &account_model, a));
    assert_int_equal(a->version, 1);
    b->name = "stale";
    th_assert_status(sinew_save(s2, &account_model, b), SINEW_CONFLICT, "changed or deleted by someone else");
    assert_int_equal(b->version, 0);
    sinew_session *s3;
    th_ok(sinew_session_new(db, &s3));
    Account *c;
    th_ok(sinew_get(s3, &account_model, &key, 1, (void **)&c));
    assert_string_equal(c->name, "two");
    sinew_session_free(s3);
    sinew_session_free(s2);
    sinew_session_free(s1);
    th_close(db);
}

/*
 * Bulk insert of every type, big enough for PostgreSQL's COPY path (1,000
 * rows and up), with text that COPY must escape (tab, newline, CR,
 * backslash, a literal \N) and NULLs: every row reads back as written, and
 * keys come back in order. A duplicate key fails the whole call, writes
 * nothing and leaves the objects' keys zero again.
 */
static void bulk_insert_every_type_round_trips(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &thing_model));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    enum { N = 1500 };
    static const char *const tricky[] = {"tab\there", "new\nline", "cr\rhere", "back\\slash", "\\N", "", "plain"};
    Thing *things = calloc(N, sizeof *things);
    void **ptrs = calloc(N, sizeof *ptrs);
    for (int i = 0; i < N; i++) {
        Thing *t = &things[i];
        fill_required(s, t, i % 2);
        t->t = sinew_strdup(s, tricky[i % 7]);
        if (i % 3 == 0) {   /* some optional fields set, the rest NULL */
            t->ob = true, t->has_ob = true;
            t->oi64 = -i, t->has_oi64 = true;
            t->ot = sinew_strdup(s, tricky[(i + 1) % 7]);
            t->obl.data = blob_bytes, t->obl.len = sizeof blob_bytes, t->has_obl = true;
            t->oe = COLOR_GREEN, t->has_oe = true;
            t->odec = "0.10";
        }
        ptrs[i] = t;
    }
    th_ok(sinew_insert_many(s, &thing_model, ptrs, N));
    for (int i = 1; i < N; i++) assert_true(things[i].id > things[i - 1].id);

    sinew_session *s2;
    th_ok(sinew_session_new(db, &s2));
    sinew_query *q = sinew_query_new(s2, &thing_model);
    th_ok(sinew_order(q, sinew_column(&thing_model, 0), SINEW_ASC));
    sinew_list all;
    th_ok(sinew_all(q, &all));
    assert_int_equal(all.count, N);
    for (int i = 0; i < N; i++) {
        const Thing *a = &things[i], *b = all.items[i];
        assert_true(a->id == b->id);
        assert_same_required(a, b);
        assert_int_equal(a->has_ob, b->has_ob);
        assert_int_equal(a->has_oi64, b->has_oi64);
        if (a->has_oi64) assert_true(a->oi64 == b->oi64);
        if (a->ot) assert_string_equal(a->ot, b->ot);
        else assert_null(b->ot);
        assert_int_equal(a->has_obl, b->has_obl);
        if (a->has_obl) assert_memory_equal(a->obl.data, b->obl.data, a->obl.len);
        assert_int_equal(a->has_oe, b->has_oe);
        assert_false(b->has_ots);
        if (a->odec) assert_string_equal(b->odec, "0.10");
        else assert_null(b->odec);
    }
    sinew_query_free(q);
    sinew_session_free(s2);

    /* a duplicate key in the middle: nothing of the call is written */
    Thing *more = calloc(N, sizeof *more);
    void **mp = calloc(N, sizeof *mp);
    for (int i = 0; i < N; i++) {
        fill_required(s, &more[i], 0);
        mp[i] = &more[i];
    }
    more[N / 2].id = things[7].id;   /* already taken */
    th_assert_status(sinew_insert_many(s, &thing_model, mp, N), SINEW_CONSTRAINT, NULL);
    for (int i = 0; i < N; i++)
        if (i != N / 2) assert_true(more[i].id == 0);
    int64_t rows;
    th_ok(sinew_count(s, &thing_model, &rows));
    assert_int_equal(rows, N);
    free(more);
    free(mp);
    free(things);
    free(ptrs);
    sinew_session_free(s);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_type_round_trips_with_nulls),
        cmocka_unit_test(nullable_fields_round_trip_values_and_edges),
        cmocka_unit_test(composite_primary_key),
        cmocka_unit_test(update_writes_only_changed_columns),
        cmocka_unit_test(many_update_shapes_each_write_their_columns),
        cmocka_unit_test(identity_map_returns_same_object_without_query),
        cmocka_unit_test(identity_map_survives_growth_and_deletes),
        cmocka_unit_test(insert_of_caller_struct_fills_key),
        cmocka_unit_test(version_field_detects_stale_update),
        cmocka_unit_test(bulk_insert_every_type_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
