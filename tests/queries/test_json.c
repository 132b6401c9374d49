/*
 * Values inside json columns (#21 item 7): filter, order, group and select
 * by a JSON path typed by the caller (sinew_json_path), containment
 * (sinew_json_contains: PostgreSQL's @>, MariaDB's JSON_CONTAINS, refused on
 * SQLite), and malformed paths refused before anything is sent.
 */
#include "harness.h"
#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef struct Event {
    int64_t id;
    char *kind;
    char *data;   /* json, NULL when unset */
} Event;

static const sinew_field event_fields[] = {
    SINEW_FIELD(Event, id, SINEW_INT64, SINEW_FIELD_PK),
    SINEW_FIELD(Event, kind, SINEW_TEXT, 0),
    SINEW_FIELD(Event, data, SINEW_JSON, SINEW_FIELD_NULLABLE),
};
static const unsigned pk[] = {0};
static const sinew_model event_model = SINEW_MODEL(Event, "Event", "events", "event", event_fields, pk);
static const sinew_model *const models[] = {&event_model};
static const sinew_schema events_schema = {"events", models, 1, NULL, 0, NULL};

#define EVENT_ID sinew_column(&event_model, 0)
#define EVENT_KIND sinew_column(&event_model, 1)
#define EVENT_DATA sinew_column(&event_model, 2)

static sinew_db *db;
static sinew_session *s;

static int setup(void **state)
{
    (void)state;
    db = th_open();
    th_ok(sinew_create_tables(db, &events_schema));
    th_ok(sinew_exec(db, "INSERT INTO events (id, kind, data) VALUES "
                         "(1, 'a', '{\"user\": {\"name\": \"ada\", \"age\": 36}, \"score\": 10, \"ratio\": 0.5, "
                         "\"ok\": true, \"tags\": [\"urgent\", \"db\"]}'), "
                         "(2, 'b', '{\"user\": {\"name\": \"bob\", \"age\": 25}, \"score\": 30, \"ratio\": 1.5, "
                         "\"ok\": false, \"tags\": [\"db\"]}'), "
                         "(3, 'a', '{\"user\": {\"name\": \"cy\"}, \"score\": 20, \"ratio\": 2.25, \"ok\": true, "
                         "\"tags\": []}'), "
                         "(4, 'b', '{\"score\": null}'), "
                         "(5, 'a', NULL)"));
    th_ok(sinew_session_new(db, &s));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sinew_session_free(s);
    th_close(db);
    return 0;
}

/* the ids of what q returns, as "1 2 3" */
static const char *ids(sinew_query *q)
{
    static char buf[128];
    sinew_list l;
    th_ok(sinew_all(q, &l));
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < l.count; i++)
        at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%lld", i ? " " : "", (long long)((Event *)l.items[i])->id);
    return buf;
}

static sinew_col path(const char *p, sinew_type t) { return sinew_json_path(EVENT_DATA, p, t); }

static void filters_by_each_type(void **state)
{
    (void)state;
    sinew_query *q = sinew_query_new(s, &event_model);
    th_ok(sinew_where(q, sinew_eq(path("$.user.name", SINEW_TEXT), sinew_v_text("bob"))));
    assert_string_equal(ids(q), "2");
    sinew_query_free(q);

    q = sinew_query_new(s, &event_model);
    th_ok(sinew_where(q, sinew_ge(path("$.score", SINEW_INT64), sinew_v_int64(20))));
    th_ok(sinew_order(q, EVENT_ID, SINEW_ASC));
    assert_string_equal(ids(q), "2 3");
    sinew_query_free(q);

    q = sinew_query_new(s, &event_model);
    th_ok(sinew_where(q, sinew_gt(path("$.ratio", SINEW_DOUBLE), sinew_v_double(1.0))));
    th_ok(sinew_order(q, EVENT_ID, SINEW_ASC));
    assert_string_equal(ids(q), "2 3");
    sinew_query_free(q);

    q = sinew_query_new(s, &event_model);
    th_ok(sinew_where(q, sinew_eq(path("$.ok", SINEW_BOOL), sinew_v_bool(true))));
    th_ok(sinew_order(q, EVENT_ID, SINEW_ASC));
    assert_string_equal(ids(q), "1 3");
    sinew_query_free(q);

    /* an array element; a missing key and a JSON null are NULL, which sinew_is_null finds */
    q = sinew_query_new(s, &event_model);
    th_ok(sinew_where(q, sinew_eq(path("$.tags[0]", SINEW_TEXT), sinew_v_text("urgent"))));
    assert_string_equal(ids(q), "1");
    sinew_query_free(q);
    q = sinew_query_new(s, &event_model);
    th_ok(sinew_where(q, sinew_is_null(path("$.score", SINEW_INT64))));
    th_ok(sinew_order(q, EVENT_ID, SINEW_ASC));
    assert_string_equal(ids(q), "4 5");
    sinew_query_free(q);
    q = sinew_query_new(s, &event_model);
    th_ok(sinew_where(q, sinew_is_null(path("$.user.age", SINEW_INT64))));
    th_ok(sinew_order(q, EVENT_ID, SINEW_ASC));
    assert_string_equal(ids(q), "3 4 5");
    sinew_query_free(q);
}

static void orders_by_a_path_and_writes_it_as_a_literal(void **state)
{
    (void)state;
    sinew_query *q = sinew_query_new(s, &event_model);
    th_ok(sinew_where(q, sinew_not_null(path("$.score", SINEW_INT64))));
    th_ok(sinew_order(q, path("$.score", SINEW_INT64), SINEW_DESC));
    th_capture cap = {0};
    th_capture_start(db, &cap);
    assert_string_equal(ids(q), "2 3 1");
    th_capture_stop(db, &cap);
    assert_int_equal(cap.count, 1);
    const char *want = th_is_postgres() ? "CAST(t0.\"data\" #>> '{score}' AS bigint)"
                       : th_is_mariadb() ? "CAST(JSON_VALUE(t0.\"data\", '$.score') AS SIGNED)"
                                         : "CAST(json_extract(t0.\"data\", '$.score') AS INTEGER)";
    assert_non_null(strstr(cap.sql[0], want));
    th_capture_free(&cap);
    sinew_query_free(q);

    /* nested keys and indexes become PostgreSQL's text array */
    q = sinew_query_new(s, &event_model);
    th_ok(sinew_where(q, sinew_eq(path("$.a.b[12].c", SINEW_TEXT), sinew_v_text("x"))));
    const char *sql = th_sql(sinew_query_sql(q));
    assert_non_null(strstr(sql, th_is_postgres() ? "'{a,b,12,c}'" : "'$.a.b[12].c'"));
    sinew_query_free(q);
}

static void selects_and_groups_typed_values(void **state)
{
    (void)state;
    sinew_query *q = sinew_query_new(s, &event_model);
    th_ok(sinew_select_col(q, EVENT_ID));
    th_ok(sinew_select_col(q, path("$.user.name", SINEW_TEXT)));
    th_ok(sinew_select_col(q, path("$.user.age", SINEW_INT64)));
    th_ok(sinew_select_col(q, path("$.ratio", SINEW_DOUBLE)));
    th_ok(sinew_select_col(q, path("$.ok", SINEW_BOOL)));
    th_ok(sinew_order(q, EVENT_ID, SINEW_ASC));
    sinew_rows *r;
    th_ok(sinew_rows_open(q, &r));
    int n = 0;
    while (sinew_rows_next(r) == SINEW_ROW) {
        sinew_value name = sinew_rows_value(r, 1), age = sinew_rows_value(r, 2), ratio = sinew_rows_value(r, 3),
                    ok = sinew_rows_value(r, 4);
        if (n == 0) {
            assert_int_equal(name.type, SINEW_TEXT);
            assert_int_equal(name.u.s.len, 3);
            assert_memory_equal(name.u.s.ptr, "ada", 3);
            assert_int_equal(age.type, SINEW_INT64);
            assert_int_equal(age.u.i, 36);
            assert_int_equal(ratio.type, SINEW_DOUBLE);
            assert_true(ratio.u.d == 0.5);
            assert_int_equal(ok.type, SINEW_BOOL);
            assert_true(ok.u.b);
        }
        if (n == 1) {
            assert_true(ratio.u.d == 1.5);
            assert_int_equal(ok.type, SINEW_BOOL);
            assert_false(ok.u.b);
        }
        if (n == 2) assert_true(age.is_null);
        if (n == 4) assert_true(name.is_null && age.is_null && ratio.is_null && ok.is_null);
        n++;
    }
    sinew_rows_free(r);
    assert_int_equal(n, 5);
    sinew_query_free(q);

    /* grouped by a value at a path, with an aggregate over another */
    q = sinew_query_new(s, &event_model);
    th_ok(sinew_where(q, sinew_not_null(path("$.ok", SINEW_BOOL))));
    th_ok(sinew_group_by(q, path("$.ok", SINEW_BOOL)));
    th_ok(sinew_select_agg(q, SINEW_SUM, path("$.score", SINEW_INT64)));
    th_ok(sinew_order(q, path("$.ok", SINEW_BOOL), SINEW_ASC));
    th_ok(sinew_rows_open(q, &r));
    assert_int_equal(sinew_rows_next(r), SINEW_ROW);
    assert_false(sinew_rows_value(r, 0).u.b);
    assert_int_equal(sinew_rows_value(r, 1).u.i, 30);
    assert_int_equal(sinew_rows_next(r), SINEW_ROW);
    assert_true(sinew_rows_value(r, 0).u.b);
    assert_int_equal(sinew_rows_value(r, 1).u.i, 30);
    assert_int_equal(sinew_rows_next(r), SINEW_DONE);
    sinew_rows_free(r);
    sinew_query_free(q);

    /* a scalar aggregate over a path */
    q = sinew_query_new(s, &event_model);
    sinew_value mx;
    th_ok(sinew_aggregate(q, SINEW_MAX, path("$.ratio", SINEW_DOUBLE), &mx));
    assert_int_equal(mx.type, SINEW_DOUBLE);
    assert_true(mx.u.d == 2.25);
    sinew_query_free(q);
}

/* a malformed path is SINEW_MISUSE naming it, and nothing is sent */
static void refuses_malformed_paths(void **state)
{
    (void)state;
    static const struct { const char *path; const char *needle; } bad[] = {
        {"user.name", "a path starts with $"},
        {"$.1st", "offset 2"},
        {"$.a[01]", "array index"},
        {"$.a[]", "array index"},
        {"$.a b", "offset 3"},
        {"$.a' OR 1=1 --", "malformed path"},
        {"$.a\"); DROP TABLE events; --", "malformed path"},
        {"$..a", "offset 2"},
        {NULL, "NULL or longer than 63 bytes"},
        {"$.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "longer than 63 bytes"},
    };
    th_capture cap = {0};
    th_capture_start(db, &cap);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sinew_query *q = sinew_query_new(s, &event_model);
        th_assert_status(sinew_where(q, sinew_eq(path(bad[i].path, SINEW_TEXT), sinew_v_text("x"))), SINEW_MISUSE,
                         bad[i].needle);
        th_assert_status(sinew_all(q, &(sinew_list){0}), SINEW_MISUSE, "sinew_json_path on Event.data");
        sinew_query_free(q);
        q = sinew_query_new(s, &event_model);
        th_assert_status(sinew_order(q, path(bad[i].path, SINEW_INT64), SINEW_ASC), SINEW_MISUSE, bad[i].needle);
        sinew_query_free(q);
        q = sinew_query_new(s, &event_model);
        th_assert_status(sinew_select_col(q, path(bad[i].path, SINEW_INT64)), SINEW_MISUSE, bad[i].needle);
        sinew_query_free(q);
    }
    /* a path into a field that is not json, a type a path cannot be read as, a value of the wrong type */
    sinew_query *q = sinew_query_new(s, &event_model);
    th_assert_status(sinew_where(q, sinew_eq(sinew_json_path(EVENT_KIND, "$.a", SINEW_TEXT), sinew_v_text("x"))),
                     SINEW_MISUSE, "Event.kind is text, not json");
    sinew_query_free(q);
    q = sinew_query_new(s, &event_model);
    th_assert_status(sinew_where(q, sinew_eq(path("$.a", SINEW_BLOB), sinew_v_text("x"))), SINEW_MISUSE,
                     "SINEW_TEXT, SINEW_INT64, SINEW_DOUBLE or SINEW_BOOL");
    sinew_query_free(q);
    q = sinew_query_new(s, &event_model);
    th_assert_status(sinew_where(q, sinew_eq(path("$.score", SINEW_INT64), sinew_v_text("x"))), SINEW_MISUSE,
                     "make the value with sinew_v_int64()");
    sinew_query_free(q);
    /* not an assignment */
    q = sinew_query_new(s, &event_model);
    sinew_set set = sinew_set_value(path("$.a", SINEW_TEXT), sinew_v_text("x"));
    int64_t changed;
    th_assert_status(sinew_query_update_set(q, &set, 1, &changed), SINEW_MISUSE, "no JSON path");
    sinew_query_free(q);
    th_capture_stop(db, &cap);
    assert_int_equal(cap.count, 0);
    th_capture_free(&cap);
}

/* the path is copied into the column: the caller's buffer may change or go */
static void path_is_copied(void **state)
{
    (void)state;
    char buf[32];
    snprintf(buf, sizeof buf, "$.user.name");
    sinew_col c = path(buf, SINEW_TEXT);
    memset(buf, 'x', sizeof buf - 1);
    sinew_query *q = sinew_query_new(s, &event_model);
    th_ok(sinew_where(q, sinew_eq(c, sinew_v_text("cy"))));
    assert_string_equal(ids(q), "3");
    sinew_query_free(q);
}

static void containment(void **state)
{
    (void)state;
    sinew_query *q = sinew_query_new(s, &event_model);
    int rc = sinew_where(q, sinew_json_contains(EVENT_DATA, "{\"tags\": [\"db\"], \"user\": {\"name\": \"bob\"}}"));
    if (!th_is_postgres() && !th_is_mariadb()) {
        /* SQLite: refused, with what to do instead */
        th_assert_status(rc, SINEW_UNSUPPORTED, "SQLite has no JSON containment operator");
        assert_non_null(strstr(sinew_errmsg(), "sinew_json_path"));
        sinew_query_free(q);
    } else {
        th_ok(rc);
        assert_string_equal(ids(q), "2");
        sinew_query_free(q);
        q = sinew_query_new(s, &event_model);
        th_ok(sinew_where(q, sinew_json_contains(EVENT_DATA, "{\"tags\": [\"db\"]}")));
        th_ok(sinew_order(q, EVENT_ID, SINEW_ASC));
        assert_string_equal(ids(q), "1 2");
        sinew_query_free(q);
    }
    /* not JSON, a path, a text field: SINEW_MISUSE everywhere */
    q = sinew_query_new(s, &event_model);
    th_assert_status(sinew_where(q, sinew_json_contains(EVENT_DATA, "{tags: 1}")), SINEW_MISUSE, "not JSON");
    sinew_query_free(q);
    q = sinew_query_new(s, &event_model);
    th_assert_status(sinew_where(q, sinew_json_contains(path("$.user", SINEW_TEXT), "{}")), SINEW_MISUSE,
                     "containment tests a json field itself");
    sinew_query_free(q);
    q = sinew_query_new(s, &event_model);
    th_assert_status(sinew_where(q, sinew_json_contains(EVENT_KIND, "{}")), SINEW_MISUSE, "Event.kind is text");
    sinew_query_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(filters_by_each_type),
        cmocka_unit_test(orders_by_a_path_and_writes_it_as_a_literal),
        cmocka_unit_test(selects_and_groups_typed_values),
        cmocka_unit_test(refuses_malformed_paths),
        cmocka_unit_test(path_is_copied),
        cmocka_unit_test(containment),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
