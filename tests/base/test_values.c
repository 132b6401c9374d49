/* Time, date and UUID conversions round-trip and reject bad text with clear errors. */
#include "harness.h"
#include "base.h"
#include <stdio.h>
#include <string.h>

static void timestamps_round_trip(void **state)
{
    (void)state;
    int64_t t;
    char buf[32];
    th_ok(sinew_timestamp_from_parts(1970, 1, 1, 0, 0, 0, 0, &t));
    assert_int_equal(t, 0);
    th_ok(sinew_timestamp_parse("2024-02-29 23:59:59.123456", 26, &t));
    sinew_timestamp_format(t, buf);
    assert_string_equal(buf, "2024-02-29 23:59:59.123456");
    th_ok(sinew_timestamp_parse("1969-12-31 23:59:59.999999", 26, &t));
    assert_int_equal(t, -1);
    sinew_timestamp_format(-1, buf);
    assert_string_equal(buf, "1969-12-31 23:59:59.999999");
    th_ok(sinew_timestamp_parse("2009-01-01 00:00:00", 19, &t));
    sinew_timestamp_format(t, buf);
    assert_string_equal(buf, "2009-01-01 00:00:00.000000");
    th_ok(sinew_timestamp_parse("2009-01-01T10:00:00Z", 20, &t));
    th_assert_status(sinew_timestamp_parse("2009-13-01 00:00:00", 19, &t), SINEW_INVALID, "invalid date");
    th_assert_status(sinew_timestamp_parse("yesterday", 9, &t), SINEW_INVALID, "expected YYYY-MM-DD");
    th_assert_status(sinew_timestamp_parse("2009-01-01 10:00:00+02", 22, &t), SINEW_INVALID, "UTC");
}

static void dates_round_trip(void **state)
{
    (void)state;
    int32_t d;
    char buf[16];
    th_ok(sinew_date_parse("0001-01-01", 10, &d));
    sinew_date_format(d, buf);
    assert_string_equal(buf, "0001-01-01");
    th_ok(sinew_date_parse("9999-12-31", 10, &d));
    sinew_date_format(d, buf);
    assert_string_equal(buf, "9999-12-31");
    th_assert_status(sinew_date_parse("2023-02-29", 10, &d), SINEW_INVALID, "2023-02-29");
}

static void uuids_round_trip(void **state)
{
    (void)state;
    sinew_uuid u, v;
    char buf[37];
    th_ok(sinew_uuid_v4(&u));
    sinew_uuid_format(&u, buf);
    assert_int_equal(buf[14], '4');
    th_ok(sinew_uuid_parse(buf, 36, &v));
    assert_memory_equal(u.bytes, v.bytes, 16);
    th_assert_status(sinew_uuid_parse("not-a-uuid", 10, &v), SINEW_INVALID, "8-4-4-4-12");
}

/* Out-parameters come last and hold zero after a failure (docs/api.md): no stale
 * value of the caller's and no half-parsed UUID survives a refused input. */
static void out_parameters_are_cleared_on_failure(void **state)
{
    (void)state;
    int64_t t = 42;
    th_assert_status(sinew_timestamp_parse("2009-01-01 25:00:00", 19, &t), SINEW_INVALID, "invalid time");
    assert_int_equal(t, 0);
    t = 42;
    th_assert_status(sinew_timestamp_from_parts(2009, 2, 30, 0, 0, 0, 0, &t), SINEW_INVALID, "2009-02-30");
    assert_int_equal(t, 0);
    int32_t d = 42;
    th_assert_status(sinew_date_parse("2009-02-30", 10, &d), SINEW_INVALID, "2009-02-30");
    assert_int_equal(d, 0);
    d = 42;
    th_assert_status(sinew_date_from_parts(2009, 13, 1, &d), SINEW_INVALID, "2009-13-01");
    assert_int_equal(d, 0);
    sinew_uuid u;
    memset(&u, 0x5a, sizeof u);
    /* the first groups parse, the last does not: nothing of them may stay in u */
    th_assert_status(sinew_uuid_parse("0123abcd-4567-89ab-cdef-0123456789zz", 36, &u), SINEW_INVALID, "8-4-4-4-12");
    static const sinew_uuid zero;
    assert_memory_equal(u.bytes, zero.bytes, 16);
    th_assert_status(sinew_uuid_parse("0123abcd-4567-89ab-cdef-0123456789ab", 36, NULL), SINEW_MISUSE, "NULL");
    th_assert_status(sinew_date_parse("2009-01-01", 10, NULL), SINEW_MISUSE, "NULL");
}

static void value_constructors(void **state)
{
    (void)state;
    sinew_value v = sinew_v_text(NULL);
    assert_true(v.is_null);
    v = sinew_v_blob(NULL, 0);
    assert_false(v.is_null);
    assert_string_equal(sinew_type_name(SINEW_DECIMAL), "decimal");
    assert_string_equal(sinew_status_name(SINEW_NOTFOUND), "SINEW_NOTFOUND");
}

/* every int64 formats without overflow (INT64_MIN was undefined behaviour: -INT64_MIN) */
static void extreme_timestamps_format_without_overflow(void **state)
{
    (void)state;
    char buf[32];
    const int64_t extremes[] = {INT64_MIN, INT64_MIN + 1, INT64_MAX, INT64_MAX - 1, -86400000000LL, -1000001};
    for (size_t i = 0; i < sizeof extremes / sizeof extremes[0]; i++) {
        sinew_timestamp_format(extremes[i], buf);
        assert_true(strlen(buf) > 0 && strlen(buf) < 32);
    }
    sinew_timestamp_format(-1000001, buf);
    assert_string_equal(buf, "1969-12-31 23:59:58.999999");
    sinew_timestamp_format(-86400000000LL, buf);
    assert_string_equal(buf, "1969-12-31 00:00:00.000000");
    char d[16];
    sinew_date_format(INT32_MIN, d);
    assert_true(strlen(d) > 0);
    sinew_date_format(INT32_MAX, d);
    assert_true(strlen(d) > 0);
}

static void json_syntax_is_strict(void **state)
{
    (void)state;
    static const char *const good[] = {"{}", "[]", "0", "-0", "1.5e-3", "\"\"", "null", " [ 1 , {\"a\" : []} ] ",
                                       "\"\\u00e9\\ud83d\\ude00\"", "\"\xc3\xa9\xf0\x9f\x98\x80\"", "[[[[]]]]"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        if (!sn_json_valid(good[i], strlen(good[i]), NULL, NULL)) fail_msg("refused %s", good[i]);
    }
    static const char *const bad[] = {"", " ", "{", "}", "[1,]", "[,1]", "{\"a\"}", "{\"a\":}", "{a:1}", "'x'", "01",
                                      "1.", ".5", "+1", "1e", "NaN", "Infinity", "tru", "nul", "[1 2]", "\"\\x\"",
                                      "\"\\u12\"", "\"\\u0000\"", "\"\\udc00\"", "\"\\ud800x\"",
                                      "\"\x01\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"",
                                      "\"abc", "1 2", "{}{}", "[1]]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t at = 99;
        const char *why = NULL;
        if (sn_json_valid(bad[i], strlen(bad[i]), &at, &why)) fail_msg("accepted %s", bad[i]);
        assert_non_null(why);
        assert_true(at <= strlen(bad[i]));
    }
    assert_false(sn_json_valid("[1]\0", 4, NULL, NULL));   /* a NUL after the value */
    /* deep nesting is refused, not a stack overflow */
    static char deep[20000];
    memset(deep, '[', sizeof deep);
    assert_false(sn_json_valid(deep, sizeof deep, NULL, NULL));
}

static void decimal_syntax(void **state)
{
    (void)state;
    static const char *const good[] = {"0", "-1", "+2", "2.5", ".5", "5.", "1e6", "1E-6", "-0.000000000000000000001"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) assert_true(sn_decimal_valid(good[i], strlen(good[i])));
    static const char *const bad[] = {"", ".", "-", "e5", "1e", "1e+", "0x10", " 1", "1 ", "NaN", "inf", "1,5", "1..2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) assert_false(sn_decimal_valid(bad[i], strlen(bad[i])));
}

/* every constructor a type-mismatch hint names is declared in the public header */
static void type_constructors_are_real(void **state)
{
    (void)state;
    FILE *f = fopen(SINEW_SOURCE_DIR "/include/sinew/types.h", "rb");
    assert_non_null(f);
    static char header[65536];
    size_t n = fread(header, 1, sizeof header - 1, f);
    fclose(f);
    header[n] = '\0';
    for (int t = SINEW_BOOL; t <= SINEW_ENUM; t++) {
        char decl[64];
        snprintf(decl, sizeof decl, "sinew_value %s(", sn_type_ctor((sinew_type)t));
        if (!strstr(header, decl)) fail_msg("%s names %s, which sinew/types.h does not declare",
                                            sinew_type_name((sinew_type)t), sn_type_ctor((sinew_type)t));
    }
    /* the naming rule (docs/api.md): sinew_v_ and the schema type's name, for every type */
    for (int t = SINEW_BOOL; t <= SINEW_ENUM; t++) {
        char want[64];
        snprintf(want, sizeof want, "sinew_v_%s", sinew_type_name((sinew_type)t));
        assert_string_equal(sn_type_ctor((sinew_type)t), want);
    }
    assert_string_equal(sn_type_ctor(SINEW_INT32), "sinew_v_int32");
    assert_string_equal(sn_type_ctor(SINEW_INT64), "sinew_v_int64");
    assert_string_equal(sn_type_ctor(SINEW_ENUM), "sinew_v_enum");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(timestamps_round_trip),
        cmocka_unit_test(dates_round_trip),
        cmocka_unit_test(uuids_round_trip),
        cmocka_unit_test(value_constructors),
        cmocka_unit_test(out_parameters_are_cleared_on_failure),
        cmocka_unit_test(extreme_timestamps_format_without_overflow),
        cmocka_unit_test(json_syntax_is_strict),
        cmocka_unit_test(decimal_syntax),
        cmocka_unit_test(type_constructors_are_real),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
