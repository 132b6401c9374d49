/*
 * Values every backend must answer alike (issue 16 items 8, 9, 13; issue 17
 * item 7): decimals compare, order and aggregate as numbers; text that is not
 * a decimal, JSON that is not JSON, NaN, and timestamps or dates outside
 * 0001-9999 are refused before anything is written, the field named, so a
 * table never holds a value sinew cannot read back.
 */
#include "harness.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Reading {
    int64_t id;
    char *price;                      /* decimal? */
    char *doc;                        /* json? */
    int64_t at;       bool has_at;    /* timestamp? */
    int32_t day;      bool has_day;   /* date? */
    double score;     bool has_score; /* double? */
} Reading;

static const sinew_field reading_fields[] = {
    SINEW_FIELD(Reading, id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_AUTO),
    SINEW_FIELD(Reading, price, SINEW_DECIMAL, SINEW_FIELD_NULLABLE),
    SINEW_FIELD(Reading, doc, SINEW_JSON, SINEW_FIELD_NULLABLE),
    SINEW_FIELD_OPT(Reading, at, SINEW_TIMESTAMP, 0),
    SINEW_FIELD_OPT(Reading, day, SINEW_DATE, 0),
    SINEW_FIELD_OPT(Reading, score, SINEW_DOUBLE, 0),
};
static const unsigned reading_pk[] = {0};
static const sinew_model reading_model =
    SINEW_MODEL(Reading, "Reading", "readings", "reading", reading_fields, reading_pk);
#define R_PRICE sinew_column(&reading_model, 1)

static sinew_db *fresh(sinew_session **s)
{
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &reading_model));
    th_ok(sinew_session_new(db, s));
    return db;
}

static int64_t rows(sinew_session *s)
{
    int64_t n;
    th_ok(sinew_count(s, &reading_model, &n));
    return n;
}

/* every row of the table loads: nothing sinew wrote is unreadable */
static void all_rows_load(sinew_db *db, size_t expect)
{
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    sinew_query *q = sinew_query_new(s, &reading_model);
    sinew_list all;
    th_ok(sinew_all(q, &all));
    assert_int_equal(all.count, expect);
    sinew_query_free(q);
    sinew_session_free(s);
}

/* PostgreSQL's own answer for text as `type` (1: it takes it); the raw path skips sinew's checks */
static int pg_takes(sinew_session *s, const char *type, const char *text)
{
    char sql[64];
    snprintf(sql, sizeof sql, "SELECT CAST($1 AS %s)", type);
    sinew_value p = sinew_v_text(text);
    sinew_rows *r = NULL;
    int rc = sinew_raw_rows(s, sql, &p, 1, &r);
    if (rc == SINEW_OK) rc = sinew_rows_next(r);
    sinew_rows_free(r);
    return rc == SINEW_ROW;
}

static const char *const prices[] = {"9", "10", "-1", "2.5", "100", "-20"};

static void decimals_compare_order_and_aggregate_as_numbers(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    for (size_t i = 0; i < 6; i++) {
        Reading *r;
        th_ok(sinew_new(s, &reading_model, (void **)&r));
        r->price = (char *)prices[i];
        th_ok(sinew_save(s, &reading_model, r));
    }
    sinew_query *q = sinew_query_new(s, &reading_model);
    th_ok(sinew_where(q, sinew_gt(R_PRICE, sinew_v_decimal("9"))));
    int64_t n;
    th_ok(sinew_query_count(q, &n));
    assert_int_equal(n, 2);   /* 10 and 100 */
    sinew_query_free(q);
    q = sinew_query_new(s, &reading_model);
    th_ok(sinew_where(q, sinew_between(R_PRICE, sinew_v_int64(-1), sinew_v_decimal("9.5"))));
    th_ok(sinew_query_count(q, &n));
    assert_int_equal(n, 3);   /* -1, 2.5, 9 */
    sinew_query_free(q);
    q = sinew_query_new(s, &reading_model);
    th_ok(sinew_where(q, sinew_eq(R_PRICE, sinew_v_decimal("2.50"))));   /* equal as numbers, as numeric is */
    th_ok(sinew_query_count(q, &n));
    assert_int_equal(n, 1);
    sinew_query_free(q);
    /* ordering */
    q = sinew_query_new(s, &reading_model);
    th_ok(sinew_order(q, R_PRICE, SINEW_ASC));
    sinew_list all;
    th_ok(sinew_all(q, &all));
    static const char *const sorted[] = {"-20", "-1", "2.5", "9", "10", "100"};
    assert_int_equal(all.count, 6);
    for (size_t i = 0; i < 6; i++) assert_string_equal(((Reading *)all.items[i])->price, sorted[i]);
    sinew_query_free(q);
    /* aggregates */
    sinew_value v;
    q = sinew_query_new(s, &reading_model);
    th_ok(sinew_aggregate(q, SINEW_MAX, R_PRICE, &v));
    assert_false(v.is_null);
    assert_int_equal(strtod(v.u.s.ptr, NULL), 100);
    assert_string_equal(v.u.s.ptr, "100");
    th_ok(sinew_aggregate(q, SINEW_MIN, R_PRICE, &v));
    assert_string_equal(v.u.s.ptr, "-20");
    th_ok(sinew_aggregate(q, SINEW_SUM, R_PRICE, &v));
    assert_true(strtod(v.u.s.ptr, NULL) == 100.5);
    sinew_query_free(q);
    sinew_session_free(s);
    th_close(db);
}

static void text_that_is_not_a_decimal_is_refused(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    static const char *const bad[] = {"not a number", "", "0x10", " 1", "1 ", "1e", ".", "-", "NaN", "Infinity",
                                      "1,5", "1_000", "+-1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        Reading *r;
        th_ok(sinew_new(s, &reading_model, (void **)&r));
        r->price = (char *)bad[i];
        th_assert_status(sinew_save(s, &reading_model, r), SINEW_TYPE, "Reading.price = \"");
        assert_non_null(strstr(sinew_errmsg(), "is not a decimal number"));
        sinew_mark_deleted(s, &reading_model, r);   /* drop it from the unit of work */
        /* the same through the other write paths */
        Reading mine = {0};
        mine.price = (char *)bad[i];
        th_assert_status(sinew_insert(s, &reading_model, &mine), SINEW_TYPE, "Reading.price");
        void *one[1] = {&mine};
        th_assert_status(sinew_insert_many(s, &reading_model, one, 1), SINEW_TYPE, "Reading.price");
        static const unsigned on_id[] = {0};
        th_assert_status(sinew_upsert(s, &reading_model, &mine, on_id, 1), SINEW_TYPE, "Reading.price");
        /* and as a filter value */
        sinew_query *q = sinew_query_new(s, &reading_model);
        th_assert_status(sinew_where(q, sinew_gt(R_PRICE, sinew_v_decimal(bad[i]))), SINEW_MISUSE, "not a decimal number");
        sinew_query_free(q);
    }
    assert_int_equal(rows(s), 0);
    /* what is a decimal everywhere is stored, exactly */
    static const char *const good[] = {"0", "-0.5", "+3", ".5", "5.", "1e6", "-2.5E-3", "12345678901234567890.123456789"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        Reading *r;
        th_ok(sinew_new(s, &reading_model, (void **)&r));
        r->price = (char *)good[i];
        th_ok(sinew_save(s, &reading_model, r));
        if (th_is_postgres()) assert_true(pg_takes(s, "numeric", good[i]));
    }
    /* an update is checked too, and a refused one leaves the row as it was */
    Reading *r;
    th_ok(sinew_new(s, &reading_model, (void **)&r));
    r->price = "1";
    th_ok(sinew_save(s, &reading_model, r));
    r->price = "0x10";
    th_assert_status(sinew_save(s, &reading_model, r), SINEW_TYPE, "Reading.price = \"0x10\" is not a decimal number");
    r->price = "1";
    all_rows_load(db, sizeof good / sizeof good[0] + 1);
    sinew_session_free(s);
    th_close(db);
}

static void out_of_range_timestamps_and_dates_are_refused(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    int64_t lo, hi;
    th_ok(sinew_timestamp_parse("0001-01-01 00:00:00", 19, &lo));
    th_ok(sinew_timestamp_parse("9999-12-31 23:59:59.999999", 26, &hi));
    int32_t dlo, dhi;
    th_ok(sinew_date_parse("0001-01-01", 10, &dlo));
    th_ok(sinew_date_parse("9999-12-31", 10, &dhi));
    const int64_t bad_ts[] = {hi + 1, lo - 1, INT64_MAX, INT64_MIN, hi + 86400000000LL * 366};
    for (size_t i = 0; i < sizeof bad_ts / sizeof bad_ts[0]; i++) {
        Reading mine = {0};
        mine.at = bad_ts[i];
        mine.has_at = true;
        th_assert_status(sinew_insert(s, &reading_model, &mine), SINEW_TYPE, "Reading.at = ");
        assert_non_null(strstr(sinew_errmsg(), "outside the timestamps every backend can hold"));
        void *one[1] = {&mine};
        th_assert_status(sinew_insert_many(s, &reading_model, one, 1), SINEW_TYPE, "Reading.at");
    }
    const int32_t bad_days[] = {dhi + 1, dlo - 1, INT32_MAX, INT32_MIN};
    for (size_t i = 0; i < sizeof bad_days / sizeof bad_days[0]; i++) {
        Reading *r;
        th_ok(sinew_new(s, &reading_model, (void **)&r));
        r->day = bad_days[i];
        r->has_day = true;
        th_assert_status(sinew_save(s, &reading_model, r), SINEW_TYPE, "Reading.day = ");
        assert_non_null(strstr(sinew_errmsg(), "outside the dates every backend can hold (0001-01-01 to 9999-12-31)"));
        th_assert_status(sinew_session_flush(s), SINEW_TYPE, "Reading.day");
        sinew_mark_deleted(s, &reading_model, r);
    }
    assert_int_equal(rows(s), 0);
    /* the edges are stored and read back */
    Reading *r;
    th_ok(sinew_new(s, &reading_model, (void **)&r));
    r->at = lo, r->has_at = true, r->day = dlo, r->has_day = true;
    th_ok(sinew_save(s, &reading_model, r));
    th_ok(sinew_new(s, &reading_model, (void **)&r));
    r->at = hi, r->has_at = true, r->day = dhi, r->has_day = true;
    th_ok(sinew_save(s, &reading_model, r));
    int64_t id = r->id;
    all_rows_load(db, 2);
    sinew_session *s2;
    th_ok(sinew_session_new(db, &s2));
    Reading *back;
    sinew_value key = sinew_v_int64(id);
    th_ok(sinew_get(s2, &reading_model, &key, 1, (void **)&back));
    assert_true(back->at == hi);
    assert_int_equal(back->day, dhi);
    sinew_session_free(s2);
    sinew_session_free(s);
    th_close(db);
}

static void json_that_is_not_json_is_refused(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    static const char *const bad[] = {"{not json", "", "{'a': 1}", "[1,]", "{\"a\":1,}", "NaN", "01", "1.",
                                      "\"\\u0000\"", "\"\\ud800\"", "\"tab\there\"", "[1] [2]", "/* c */ 1",
                                      "tru", "\"\xff\"", "{\"a\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        Reading *r;
        th_ok(sinew_new(s, &reading_model, (void **)&r));
        r->doc = (char *)bad[i];
        th_assert_status(sinew_save(s, &reading_model, r), SINEW_TYPE, "Reading.doc is not valid JSON");
        sinew_mark_deleted(s, &reading_model, r);
        if (th_is_postgres() && strcmp(bad[i], "\"\xff\"") != 0)   /* invalid UTF-8 cannot even be sent */
            assert_false(pg_takes(s, "jsonb", bad[i]));                /* the server refuses it too */
    }
    assert_int_equal(rows(s), 0);
    /* a bulk update by query is a write too */
    Reading *one;
    th_ok(sinew_new(s, &reading_model, (void **)&one));
    th_ok(sinew_save(s, &reading_model, one));
    sinew_query *q = sinew_query_new(s, &reading_model);
    sinew_assign set[1] = {{sinew_column(&reading_model, 2), sinew_v_json("{not json")}};
    int64_t changed = -1;
    th_assert_status(sinew_query_update(q, set, 1, &changed), SINEW_TYPE, "Reading.doc is not valid JSON");
    sinew_query_free(q);
    q = sinew_query_new(s, &reading_model);   /* a failed call's error sticks to its query */
    sinew_assign nan_set[1] = {{sinew_column(&reading_model, 5), sinew_v_double(NAN)}};
    th_assert_status(sinew_query_update(q, nan_set, 1, &changed), SINEW_TYPE, "Reading.score is NaN");
    sinew_query_free(q);
    q = sinew_query_new(s, &reading_model);
    sinew_assign dec_set[1] = {{R_PRICE, sinew_v_decimal("0x10")}};
    th_assert_status(sinew_query_update(q, dec_set, 1, &changed), SINEW_MISUSE, "not a decimal number");
    sinew_query_free(q);
    th_ok(sinew_delete(s, &reading_model, one));
    static const char nested[] = "  {\"a\" : [1, 2.5e3, null, true, {\"b\": \"\\u00e9\\ud83d\\ude00\\n\"}]}  ";
    static const char *const good[] = {"{}", "[]", "1", "-0.5e+3", "\"x\"", "null", "true", nested, "\"héllo ✓\""};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        Reading *r;
        th_ok(sinew_new(s, &reading_model, (void **)&r));
        r->doc = (char *)good[i];
        th_ok(sinew_save(s, &reading_model, r));
        if (th_is_postgres()) assert_true(pg_takes(s, "jsonb", good[i]));
    }
    all_rows_load(db, sizeof good / sizeof good[0]);
    sinew_session_free(s);
    th_close(db);
}

static void nan_is_refused_on_every_backend(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    Reading *r;
    th_ok(sinew_new(s, &reading_model, (void **)&r));
    r->score = NAN;
    r->has_score = true;
    th_assert_status(sinew_save(s, &reading_model, r), SINEW_TYPE, "Reading.score is NaN (not a number)");
    assert_null(strstr(sinew_errmsg(), "NOT NULL"));
    r->score = 1.5;
    th_ok(sinew_save(s, &reading_model, r));
    r->score = -NAN;
    th_assert_status(sinew_save(s, &reading_model, r), SINEW_TYPE, "Reading.score is NaN");
    r->score = INFINITY;   /* infinities are numbers both backends keep */
    th_ok(sinew_save(s, &reading_model, r));
    sinew_session *s2;
    th_ok(sinew_session_new(db, &s2));
    Reading *back;
    sinew_value key = sinew_v_int64(r->id);
    th_ok(sinew_get(s2, &reading_model, &key, 1, (void **)&back));
    assert_true(isinf(back->score) && back->score > 0);
    sinew_session_free(s2);
    sinew_session_free(s);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decimals_compare_order_and_aggregate_as_numbers),
        cmocka_unit_test(text_that_is_not_a_decimal_is_refused),
        cmocka_unit_test(out_of_range_timestamps_and_dates_are_refused),
        cmocka_unit_test(json_that_is_not_json_is_refused),
        cmocka_unit_test(nan_is_refused_on_every_backend),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
