/* Time, date and UUID conversions round-trip and reject bad text with clear errors. */
#include "harness.h"
#include <string.h>

static void timestamps_round_trip(void **state)
{
    (void)state;
    int64_t t;
    char buf[32];
    th_ok(sinew_timestamp_from_parts(&t, 1970, 1, 1, 0, 0, 0, 0));
    assert_int_equal(t, 0);
    th_ok(sinew_timestamp_parse(&t, "2024-02-29 23:59:59.123456", 26));
    sinew_timestamp_format(t, buf);
    assert_string_equal(buf, "2024-02-29 23:59:59.123456");
    th_ok(sinew_timestamp_parse(&t, "1969-12-31 23:59:59.999999", 26));
    assert_int_equal(t, -1);
    sinew_timestamp_format(-1, buf);
    assert_string_equal(buf, "1969-12-31 23:59:59.999999");
    th_ok(sinew_timestamp_parse(&t, "2009-01-01 00:00:00", 19));
    sinew_timestamp_format(t, buf);
    assert_string_equal(buf, "2009-01-01 00:00:00.000000");
    th_ok(sinew_timestamp_parse(&t, "2009-01-01T10:00:00Z", 20));
    th_assert_status(sinew_timestamp_parse(&t, "2009-13-01 00:00:00", 19), SINEW_INVALID, "invalid date");
    th_assert_status(sinew_timestamp_parse(&t, "yesterday", 9), SINEW_INVALID, "expected YYYY-MM-DD");
    th_assert_status(sinew_timestamp_parse(&t, "2009-01-01 10:00:00+02", 22), SINEW_INVALID, "UTC");
}

static void dates_round_trip(void **state)
{
    (void)state;
    int32_t d;
    char buf[16];
    th_ok(sinew_date_parse(&d, "0001-01-01", 10));
    sinew_date_format(d, buf);
    assert_string_equal(buf, "0001-01-01");
    th_ok(sinew_date_parse(&d, "9999-12-31", 10));
    sinew_date_format(d, buf);
    assert_string_equal(buf, "9999-12-31");
    th_assert_status(sinew_date_parse(&d, "2023-02-29", 10), SINEW_INVALID, "2023-02-29");
}

static void uuids_round_trip(void **state)
{
    (void)state;
    sinew_uuid u, v;
    char buf[37];
    th_ok(sinew_uuid_v4(&u));
    sinew_uuid_format(&u, buf);
    assert_int_equal(buf[14], '4');
    th_ok(sinew_uuid_parse(&v, buf, 36));
    assert_memory_equal(u.bytes, v.bytes, 16);
    th_assert_status(sinew_uuid_parse(&v, "not-a-uuid", 10), SINEW_INVALID, "8-4-4-4-12");
}

static void value_constructors(void **state)
{
    (void)state;
    sinew_value v = sinew_text(NULL);
    assert_true(v.is_null);
    v = sinew_blobv(NULL, 0);
    assert_false(v.is_null);
    assert_string_equal(sinew_type_name(SINEW_DECIMAL), "decimal");
    assert_string_equal(sinew_status_name(SINEW_NOTFOUND), "SINEW_NOTFOUND");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(timestamps_round_trip),
        cmocka_unit_test(dates_round_trip),
        cmocka_unit_test(uuids_round_trip),
        cmocka_unit_test(value_constructors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
