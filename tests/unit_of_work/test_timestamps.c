/*
 * @updated_at and @default(now) on every write path and every backend
 * (issue 21, item 8): sinew writes the time of each insert and update into
 * an @updated_at field, one clock reading per flush, bulk insert or
 * statement (as Rails takes one per save), in UTC microseconds, which every
 * backend keeps; a value the program set itself wins.
 */
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct Doc {
    int64_t id;
    char *name;
    int32_t n;
    int64_t created_at;   /* timestamp @default(now) */
    int64_t updated_at;   /* timestamp @updated_at */
    int64_t touched;      /* timestamp? @updated_at: a nullable one is set and present */
    bool has_touched;
} Doc;

static const sinew_field doc_fields[] = {
    SINEW_FIELD(Doc, id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_AUTO),
    SINEW_FIELD(Doc, name, SINEW_TEXT, SINEW_FIELD_UNIQUE),
    SINEW_FIELD(Doc, n, SINEW_INT32, 0),
    {"created_at", "created_at", SINEW_TIMESTAMP, 0, NULL, {SINEW_DEFAULT_NOW, NULL}, NULL, NULL, NULL, NULL,
     offsetof(Doc, created_at), SINEW_NO_OFFSET, 0, {0, 0}, NULL, NULL},
    SINEW_FIELD(Doc, updated_at, SINEW_TIMESTAMP, SINEW_FIELD_UPDATED_AT),
    SINEW_FIELD_OPT(Doc, touched, SINEW_TIMESTAMP, SINEW_FIELD_UPDATED_AT),
};
static const unsigned doc_pk[] = {0};
static const sinew_model doc_model = SINEW_MODEL(Doc, "Doc", "docs", "doc", doc_fields, doc_pk);
#define DOC_ID sinew_column(&doc_model, 0)
#define DOC_NAME sinew_column(&doc_model, 1)
#define DOC_N sinew_column(&doc_model, 2)
#define DOC_UPDATED_AT sinew_column(&doc_model, 4)

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* the clock moves on: two writes a moment apart get different stamps even on a coarse clock */
static void tick(void)
{
    struct timespec d = {0, 2000000};
    nanosleep(&d, NULL);
}

static sinew_db *fresh(sinew_session **s)
{
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &doc_model));
    th_ok(sinew_session_new(db, s));
    return db;
}

/* the row as the database has it, read in a session of its own */
static Doc reload(sinew_db *db, int64_t id)
{
    sinew_session *s2;
    th_ok(sinew_session_new(db, &s2));
    Doc *r;
    sinew_value key = sinew_v_int64(id);
    th_ok(sinew_get(s2, &doc_model, &key, 1, (void **)&r));
    Doc copy = *r;
    copy.name = NULL;
    sinew_session_free(s2);
    return copy;
}

static Doc *new_doc(sinew_session *s, const char *name)
{
    Doc *d;
    th_ok(sinew_new(s, &doc_model, (void **)&d));
    d->name = (char *)name;
    return d;
}

static void save_stamps_the_insert_and_every_update(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    Doc *d = new_doc(s, "a");
    assert_int_equal(d->updated_at, 0);   /* not a default: the time of the write */
    int64_t t0 = now_us();
    th_ok(sinew_save(s, &doc_model, d));
    int64_t t1 = now_us();
    assert_true(d->updated_at >= t0 && d->updated_at <= t1);
    assert_true(d->has_touched);
    assert_true(d->touched == d->updated_at);   /* one reading for the statement */
    Doc r = reload(db, d->id);
    assert_true(r.updated_at == d->updated_at);   /* microseconds kept by every backend */
    assert_true(r.touched == d->updated_at && r.has_touched);

    int64_t first = d->updated_at;
    tick();
    d->n = 5;
    th_ok(sinew_save(s, &doc_model, d));
    assert_true(d->updated_at > first);
    assert_true(d->touched == d->updated_at);
    r = reload(db, d->id);
    assert_true(r.updated_at == d->updated_at);
    assert_int_equal(r.n, 5);

    /* nothing changed: no UPDATE, no new stamp */
    int64_t second = d->updated_at;
    tick();
    th_ok(sinew_save(s, &doc_model, d));
    assert_true(d->updated_at == second);
    assert_true(reload(db, d->id).updated_at == second);
    sinew_session_free(s);
    th_close(db);
}

static void a_flush_takes_one_reading_for_all_its_rows(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    Doc *d[6];
    char names[6][8];
    for (int i = 0; i < 6; i++) {
        snprintf(names[i], sizeof names[i], "d%d", i);
        d[i] = new_doc(s, names[i]);
        tick();
    }
    th_ok(sinew_session_flush(s));   /* the inserts go many rows per statement */
    for (int i = 1; i < 6; i++) assert_true(d[i]->updated_at == d[0]->updated_at);
    assert_true(d[0]->updated_at != 0);
    for (int i = 0; i < 6; i++) assert_true(reload(db, d[i]->id).updated_at == d[0]->updated_at);
    /* created_at is the object's from sinew_new (docs/schema.md), each its own */
    assert_true(d[5]->created_at > d[0]->created_at);

    /* updates and an insert in one flush share the flush's reading (PostgreSQL pipelines the updates) */
    int64_t before = d[0]->updated_at;
    tick();
    for (int i = 0; i < 4; i++) d[i]->n = 10 + i;
    Doc *extra = new_doc(s, "extra");
    th_ok(sinew_session_flush(s));
    assert_true(d[0]->updated_at > before);
    for (int i = 1; i < 4; i++) assert_true(d[i]->updated_at == d[0]->updated_at);
    assert_true(extra->updated_at == d[0]->updated_at);
    assert_true(d[4]->updated_at == before);   /* unchanged rows keep theirs */
    for (int i = 0; i < 6; i++) assert_true(reload(db, d[i]->id).updated_at == d[i]->updated_at);
    sinew_session_free(s);
    th_close(db);
}

static void a_value_the_program_sets_wins(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    int64_t when;
    th_ok(sinew_timestamp_parse("2001-02-03 04:05:06.789012", 26, &when));
    Doc *d = new_doc(s, "mine");
    d->updated_at = when;   /* an import keeps its history */
    th_ok(sinew_save(s, &doc_model, d));
    assert_true(d->updated_at == when);
    assert_true(reload(db, d->id).updated_at == when);
    int64_t later = when + 1000000;
    d->updated_at = later;
    d->n = 1;
    th_ok(sinew_save(s, &doc_model, d));
    assert_true(d->updated_at == later);
    assert_true(reload(db, d->id).updated_at == later);
    sinew_session_free(s);
    th_close(db);
}

static void a_failed_update_leaves_the_old_stamp(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    Doc *a = new_doc(s, "a"), *b = new_doc(s, "b");
    th_ok(sinew_session_flush(s));
    int64_t was = b->updated_at;
    tick();
    b->name = "a";   /* unique violation */
    th_assert_status(sinew_save(s, &doc_model, b), SINEW_CONSTRAINT, NULL);
    assert_true(b->updated_at == was);
    assert_true(reload(db, b->id).updated_at == was);
    /* a failed flush is undone by its journal, stamps included */
    th_assert_status(sinew_session_flush(s), SINEW_CONSTRAINT, NULL);
    assert_true(b->updated_at == was);
    (void)a;
    sinew_session_free(s);
    th_close(db);
}

/* sinew_insert_many of caller structs (multi-row INSERT; from 1,000 rows COPY on PostgreSQL): one reading
 * for @default(now) and @updated_at of every row */
static void insert_many_stamps_every_row_with_one_reading(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    enum { N = 1200 };
    Doc *rows = calloc(N, sizeof *rows);
    void **ptrs = calloc(N, sizeof *ptrs);
    char (*names)[12] = calloc(N, sizeof *names);
    assert_non_null(rows);
    assert_non_null(ptrs);
    assert_non_null(names);
    for (size_t i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "r%zu", i);
        rows[i].name = names[i];
        ptrs[i] = &rows[i];
    }
    int64_t t0 = now_us();
    th_ok(sinew_insert_many(s, &doc_model, ptrs, N));
    int64_t t1 = now_us();
    assert_true(rows[0].updated_at >= t0 && rows[0].updated_at <= t1);
    for (size_t i = 0; i < N; i++) {
        assert_true(rows[i].created_at == rows[0].updated_at);   /* created = updated on creation */
        assert_true(rows[i].updated_at == rows[0].updated_at);
        assert_true(rows[i].touched == rows[0].updated_at && rows[i].has_touched);
    }
    Doc r = reload(db, rows[N - 1].id);
    assert_true(r.updated_at == rows[0].updated_at && r.created_at == rows[0].updated_at);

    /* a small batch goes by multi-row INSERT: the same rule */
    Doc few[3] = {{.name = "f0"}, {.name = "f1"}, {.name = "f2"}};
    void *fp[3] = {&few[0], &few[1], &few[2]};
    tick();
    th_ok(sinew_insert_many(s, &doc_model, fp, 3));
    assert_true(few[0].updated_at > rows[0].updated_at);
    for (int i = 0; i < 3; i++) {
        assert_true(few[i].updated_at == few[0].updated_at && few[i].created_at == few[0].updated_at);
        assert_true(reload(db, few[i].id).updated_at == few[0].updated_at);
    }
    /* a failed bulk insert hands the structs back as they came */
    Doc dup[2] = {{.name = "g0"}, {.name = "f0"}};
    void *dp[2] = {&dup[0], &dup[1]};
    th_assert_status(sinew_insert_many(s, &doc_model, dp, 2), SINEW_CONSTRAINT, NULL);
    assert_true(dup[0].updated_at == 0 && dup[0].created_at == 0 && !dup[0].has_touched);
    free(rows);
    free(ptrs);
    free(names);
    sinew_session_free(s);
    th_close(db);
}

static void query_update_stamps_the_rows_it_changes(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    Doc *d[4];
    const char *names[4] = {"q0", "q1", "q2", "q3"};
    for (int i = 0; i < 4; i++) d[i] = new_doc(s, names[i]);
    th_ok(sinew_session_flush(s));
    int64_t before = d[0]->updated_at;
    tick();
    sinew_query *q = sinew_query_new(s, &doc_model);
    th_ok(sinew_where(q, sinew_lt(DOC_ID, sinew_v_int64(d[2]->id))));
    sinew_assign set[1] = {{DOC_N, sinew_v_int32(7)}};
    int64_t changed = 0, t0 = now_us();
    th_ok(sinew_query_update(q, set, 1, &changed));
    int64_t t1 = now_us();
    sinew_query_free(q);
    assert_int_equal(changed, 2);
    Doc r0 = reload(db, d[0]->id), r1 = reload(db, d[1]->id), r2 = reload(db, d[2]->id);
    assert_true(r0.updated_at >= t0 && r0.updated_at <= t1);
    assert_true(r1.updated_at == r0.updated_at);   /* one reading for the statement */
    assert_true(r0.touched == r0.updated_at);
    assert_true(r2.updated_at == before);           /* not matched: untouched */
    assert_int_equal(r0.n, 7);

    /* an assignment of the column itself wins */
    q = sinew_query_new(s, &doc_model);
    th_ok(sinew_where(q, sinew_eq(DOC_ID, sinew_v_int64(d[3]->id))));
    sinew_set sets[2] = {sinew_set_value(DOC_N, sinew_v_int32(8)), sinew_set_value(DOC_UPDATED_AT, sinew_v_timestamp(42))};
    th_ok(sinew_query_update_set(q, sets, 2, &changed));
    sinew_query_free(q);
    Doc r3 = reload(db, d[3]->id);
    assert_true(r3.updated_at == 42);
    assert_true(r3.touched > before);   /* the other @updated_at column is still the statement's */
    sinew_session_free(s);
    th_close(db);
}

/* sinew_claim updates the rows it takes: their @updated_at is the claim's time */
static void a_claim_stamps_the_rows_it_takes(void **state)
{
    (void)state;
    /* sinew_claim is not written for MariaDB yet (no UPDATE ... RETURNING there; tests/CMakeLists.txt,
     * SINEW_MARIADB_PENDING_query_row_locks): on that backend the claim itself is the pending part */
    if (th_is_mariadb()) return;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    Doc *d[3];
    const char *names[3] = {"j0", "j1", "j2"};
    for (int i = 0; i < 3; i++) d[i] = new_doc(s, names[i]);
    th_ok(sinew_session_flush(s));
    int64_t before = d[0]->updated_at;
    tick();
    sinew_query *q = sinew_query_new(s, &doc_model);
    th_ok(sinew_where(q, sinew_eq(DOC_N, sinew_v_int32(0))));
    th_ok(sinew_order(q, DOC_ID, SINEW_ASC));
    sinew_set take = sinew_set_value(DOC_N, sinew_v_int32(1));
    sinew_list got;
    th_ok(sinew_claim(q, 2, &take, 1, &got));
    sinew_query_free(q);
    assert_int_equal(got.count, 2);
    Doc r0 = reload(db, d[0]->id), r1 = reload(db, d[1]->id), r2 = reload(db, d[2]->id);
    assert_true(r0.updated_at > before && r1.updated_at == r0.updated_at);
    assert_true(r2.updated_at == before);
    sinew_session_free(s);
    th_close(db);
}

static void upsert_stamps_the_new_row_and_the_existing_one(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    Doc a = {.name = "u", .n = 1};
    unsigned conflict[1] = {1};
    th_ok(sinew_upsert(s, &doc_model, &a, conflict, 1));
    assert_true(a.updated_at != 0);
    int64_t first = a.updated_at;
    tick();
    Doc b = {.name = "u", .n = 2};
    th_ok(sinew_upsert(s, &doc_model, &b, conflict, 1));
    assert_true(b.id == a.id);
    assert_true(b.updated_at > first);
    Doc r = reload(db, a.id);
    assert_true(r.updated_at == b.updated_at);
    assert_true(r.created_at == a.created_at);   /* a default is for a new row */
    tick();
    Doc c = {.name = "u"};
    sinew_set set[1] = {sinew_set_value(DOC_N, sinew_v_int32(3))};
    th_ok(sinew_upsert_set(s, &doc_model, &c, conflict, 1, set, 1));
    r = reload(db, a.id);
    assert_int_equal(r.n, 3);
    assert_true(r.updated_at > b.updated_at);
    sinew_session_free(s);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(save_stamps_the_insert_and_every_update),
        cmocka_unit_test(a_flush_takes_one_reading_for_all_its_rows),
        cmocka_unit_test(a_value_the_program_sets_wins),
        cmocka_unit_test(a_failed_update_leaves_the_old_stamp),
        cmocka_unit_test(insert_many_stamps_every_row_with_one_reading),
        cmocka_unit_test(query_update_stamps_the_rows_it_changes),
        cmocka_unit_test(upsert_stamps_the_new_row_and_the_existing_one),
        cmocka_unit_test(a_claim_stamps_the_rows_it_takes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
