/*
 * SQL injection: hostile strings through every value position (insert,
 * update, eq, IN, LIKE, BETWEEN, bulk update, raw-SQL parameters) are
 * stored and matched literally, never change the statement, and leave the
 * tables intact. Identifiers cannot be supplied as strings at all: columns
 * are sinew_col values from the schema graph, tables come from models, and
 * no function takes a table or column name as text.
 */
#include "harness.h"
#include "people.h"
#include <stdio.h>
#include <string.h>

static const char *const hostile[] = {
    "'",
    "\"",
    "\\",
    "''; DROP TABLE people; --",
    "' OR '1'='1",
    "\" OR \"\"=\"",
    "1; DELETE FROM people",
    "/* comment */ name",
    "-- comment",
    "Robert'); DROP TABLE teams;--",
    "%",
    "_",
    "\320\260dmin",             /* Cyrillic а (U+0430) */
    "\xef\xbc\x87 OR 1=1",       /* fullwidth apostrophe */
    "$1",
    "?",
    "\\x00",
    "a\nb\r\nc\td",
    "' UNION SELECT name FROM teams --",
};
#define NH (sizeof hostile / sizeof hostile[0])

static void hostile_strings_are_data(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_tables(db, &people_schema));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Team *t;
    th_ok(sinew_new(s, &team_model, (void **)&t));
    t->name = "keep";
    th_ok(sinew_save(s, &team_model, t));
    th_capture cap;
    th_capture_start(db, &cap);
    for (size_t i = 0; i < NH; i++) {
        Person *p;
        th_ok(sinew_new(s, &person_model, (void **)&p));
        p->name = (char *)hostile[i];
        p->score = (double)i;
        th_ok(sinew_save(s, &person_model, p));
        p->name = (char *)hostile[(i + 1) % NH];   /* an UPDATE carries it too */
        th_ok(sinew_save(s, &person_model, p));
        p->name = (char *)hostile[i];
        th_ok(sinew_save(s, &person_model, p));
    }
    for (size_t i = 0; i < NH; i++) {
        sinew_session *r;
        th_ok(sinew_session_new(db, &r));
        sinew_query *q = sinew_query_new(r, &person_model);
        th_ok(sinew_where(q, sinew_eq(PERSON_NAME, sinew_v_text(hostile[i]))));
        Person *p;
        th_ok(sinew_one(q, (void **)&p));                          /* exactly that row */
        assert_string_equal(p->name, hostile[i]);
        assert_true(p->score == (double)i);
        sinew_query_free(q);
        sinew_value in[2] = {sinew_v_text(hostile[i]), sinew_v_text("no such name")};
        q = sinew_query_new(r, &person_model);
        th_ok(sinew_where(q, sinew_in(PERSON_NAME, in, 2)));
        int64_t n;
        th_ok(sinew_query_count(q, &n));
        assert_int_equal(n, 1);
        sinew_query_free(q);
        q = sinew_query_new(r, &person_model);
        th_ok(sinew_where(q, sinew_between(PERSON_NAME, sinew_v_text(hostile[i]), sinew_v_text(hostile[i]))));
        th_ok(sinew_query_count(q, &n));
        assert_int_equal(n, 1);
        sinew_query_free(q);
        q = sinew_query_new(r, &person_model);
        th_ok(sinew_where(q, sinew_like(PERSON_NAME, hostile[i])));   /* a pattern, but only ever data */
        int rc = sinew_query_count(q, &n);
        /* a pattern ending in the escape character is malformed: refused clearly, or matching nothing */
        if (rc != SINEW_OK) assert_int_equal(rc, SINEW_INVALID);
        else assert_true(n >= 0 && n <= (int64_t)NH);
        sinew_query_free(q);
        sinew_session_free(r);
    }
    /* bulk update with a hostile value, matched by a hostile value */
    sinew_query *q = sinew_query_new(s, &person_model);
    th_ok(sinew_where(q, sinew_eq(PERSON_NAME, sinew_v_text(hostile[3]))));
    sinew_assign set = {PERSON_NAME, sinew_v_text(hostile[9])};
    int64_t changed;
    th_ok(sinew_query_update(q, &set, 1, &changed));
    assert_int_equal(changed, 1);
    sinew_query_free(q);
    /* raw SQL: the values are still bound */
    sinew_value p = sinew_v_text(hostile[4]);
    sinew_rows *rows;
    th_ok(sinew_raw_rows(s, th_is_postgres() ? "SELECT COUNT(*) FROM people WHERE name = $1"
                                             : "SELECT COUNT(*) FROM people WHERE name = ?", &p, 1, &rows));
    assert_int_equal(sinew_rows_next(rows), SINEW_ROW);
    assert_int_equal(sinew_rows_value(rows, 0).u.i, 1);
    sinew_rows_free(rows);
    th_capture_stop(db, &cap);
    /* no statement text ever contained a hostile value */
    for (size_t k = 0; k < cap.count; k++)
        for (size_t i = 0; i < NH; i++)
            if (strlen(hostile[i]) > 3 && strstr(cap.sql[k], hostile[i]))
                fail_msg("statement contains the value \"%s\": %s", hostile[i], cap.sql[k]);
    assert_true(cap.count > NH * 3);
    th_capture_free(&cap);
    /* the tables are intact */
    int64_t n;
    th_ok(sinew_count(s, &person_model, &n));
    assert_int_equal(n, (int64_t)NH);
    th_ok(sinew_count(s, &team_model, &n));
    assert_int_equal(n, 1);
    print_message("%zu hostile strings through insert, update, =, IN, BETWEEN, LIKE, bulk update and raw SQL\n", NH);
    sinew_session_free(s);
    th_close(db);
}

static void nul_bytes_in_blobs_and_text(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_tables(db, &people_schema));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    /* a text with an embedded NUL: refused when the filter is built, the field named, on every backend */
    sinew_query *q = sinew_query_new(s, &person_model);
    th_assert_status(sinew_where(q, sinew_eq(PERSON_NAME, sinew_v_text_n("a\0'; DROP TABLE people; --", 27))),
                     SINEW_MISUSE, "Person.name (=) holds a NUL byte at offset 1");
    int64_t n;
    th_assert_status(sinew_query_count(q, &n), SINEW_MISUSE, "Person.name");
    sinew_query_free(q);
    /* raw SQL: the parameter reaches the driver; PostgreSQL's refusal says what and which parameter */
    sinew_value p[2] = {sinew_v_int64(1), sinew_v_text_n("a\0b", 3)};
    sinew_rows *r = NULL;
    int rc = sinew_raw_rows(s, th_is_postgres() ? "SELECT $1::bigint, $2::text" : "SELECT ?, ?", p, 2, &r);
    if (rc == SINEW_OK) rc = sinew_rows_next(r);
    if (th_is_postgres()) th_assert_status(rc, SINEW_INVALID, "text values cannot contain NUL bytes; store binary "
                                                              "data in a blob field (parameter 2)");
    else assert_int_equal(rc, SINEW_ROW);   /* SQLite's raw SQL takes it: its text may hold NUL */
    sinew_rows_free(r);
    th_ok(sinew_count(s, &person_model, &n));   /* still there */
    sinew_session_free(s);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hostile_strings_are_data),
        cmocka_unit_test(nul_bytes_in_blobs_and_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
