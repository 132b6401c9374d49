/*
 * Raw SQL on every backend. `?` placeholders run everywhere (#17 item 6):
 * rewritten to $n on PostgreSQL, numbered ones ($n, ?n) to positional ?
 * with their values reordered on MariaDB, never inside literals, quoted names,
 * dollar quotes or comments; `??` is a literal ? (jsonb operators); native
 * placeholders keep working; a count mismatch is SINEW_MISUSE before
 * anything is sent. And sinew_raw_rows() runs its statement when the rows
 * are opened (#17 item 12): an INSERT has happened before the first
 * sinew_rows_next(), and its failure is the opener's.
 * (C strings write ?? as ?\? so that no trigraph is read.)
 */
#include "harness.h"
#include "tracker.h"
#include <stdio.h>
#include <string.h>

static sinew_db *db;
static sinew_session *s;

static int setup(void **state) { return tracker_open(state, &db, &s, 20); }

static int64_t count_tickets(void)
{
    sinew_query *q = sinew_query_new(s, &ticket_model);
    int64_t n;
    th_ok(sinew_query_count(q, &n));
    sinew_query_free(q);
    return n;
}

/* the one row of `sql`, column `col` as text */
static void expect_text(const char *sql, const sinew_value *p, size_t n, int col, const char *want)
{
    sinew_rows *r;
    th_ok(sinew_raw_rows(s, sql, p, n, &r));
    assert_int_equal(sinew_rows_next(r), SINEW_ROW);
    sinew_value v = sinew_rows_value(r, col);
    assert_false(v.is_null);
    if (v.type == SINEW_INT64 || v.type == SINEW_BOOL) {
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", (long long)v.u.i);
        assert_string_equal(buf, want);
    } else {
        assert_string_equal(v.u.s.ptr, want);
    }
    assert_int_equal(sinew_rows_next(r), SINEW_DONE);
    sinew_rows_free(r);
}

static void question_marks_everywhere(void **state)
{
    (void)state;
    sinew_value p[] = {sinew_v_int64(tracker_id(3)), sinew_v_int32(3)};
    expect_text("SELECT title FROM tickets WHERE id = ? AND priority = ?", p, 2, 0, "ticket 3");
    /* objects too */
    sinew_list l;
    th_ok(sinew_raw_all(s, &ticket_model, "SELECT * FROM tickets WHERE priority = ? ORDER BY id", &p[1], 1, &l));
    assert_int_equal(l.count, 4);
    /* ? in a literal, a quoted name and comments is text, not a placeholder */
    sinew_value one = sinew_v_text("v");
    expect_text("SELECT 'it''s ?' AS \"wh?t\", ? AS v -- why?\n /* and ? */", &one, 1, 0, "it's ?");
    expect_text("SELECT 'it''s ?' AS \"wh?t\", ? AS v -- why?\n /* and ? */", &one, 1, 1, "v");
    sinew_rows *r;
    th_ok(sinew_raw_rows(s, "SELECT 'a' AS \"wh?t\"", NULL, 0, &r));
    assert_string_equal(sinew_rows_name(r, 0), "wh?t");
    sinew_rows_free(r);
    /* numbered placeholders, in any order, on every backend */
    sinew_value ab[] = {sinew_v_text("a"), sinew_v_text("b")};
    expect_text("SELECT $2 || $1", ab, 2, 0, "ba");
    /* ... repeated, and ?n as SQLite writes them (MariaDB takes only positional ?: the values are
       reordered and repeated to match) */
    expect_text("SELECT $2 || $1 || $2", ab, 2, 0, "bab");
    if (!th_is_postgres()) expect_text("SELECT ?2 || ?1 || ?2 || '?1'", ab, 2, 0, "bab?1");
    /* ten and more */
    sinew_value many[11];
    for (int i = 0; i < 11; i++) many[i] = sinew_v_int64(tracker_id(i < 10 ? i : 12));
    expect_text("SELECT count(*) FROM tickets WHERE id IN (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) AND id <> ?", many, 11, 0, "10");
}

static void postgres_literals_and_operators(void **state)
{
    (void)state;
    if (!th_is_postgres()) skip();
    sinew_value k = sinew_v_text("a");
    /* dollar quotes and E'' strings hold no placeholders */
    expect_text("SELECT $$ what? $$ || $q$ it's ? $q$ || E'\\'?' || ?", &k, 1, 0, " what?  it's ? '?a");
    /* ?? is the jsonb ? operator, next to a ? placeholder */
    expect_text("SELECT ('{\"a\": 1}'::jsonb ?\? ?)::text", &k, 1, 0, "true");
    expect_text("SELECT ('{\"a\": 1}'::jsonb ?\?| array[?])::text", &k, 1, 0, "true");
    /* with native $n placeholders nothing is rewritten: ? is the operator */
    expect_text("SELECT ('{\"a\": 1}'::jsonb ? $1)::text", &k, 1, 0, "true");
}

static void mismatches_are_refused_before_sending(void **state)
{
    (void)state;
    th_capture cap = {0};
    th_capture_start(db, &cap);
    sinew_rows *r = (sinew_rows *)1;
    sinew_value p[] = {sinew_v_int64(1), sinew_v_int64(2)};
    th_assert_status(sinew_raw_rows(s, "SELECT ?", NULL, 0, &r), SINEW_MISUSE, "takes 1 parameter but 0 were given");
    assert_null(r);
    th_assert_status(sinew_raw_rows(s, "SELECT ?, ?", p, 1, &r), SINEW_MISUSE, "takes 2 parameters but 1 was given");
    th_assert_status(sinew_raw_rows(s, "SELECT '?', ?", p, 2, &r), SINEW_MISUSE, "takes 1 parameter but 2");
    th_assert_status(sinew_raw_rows(s, "SELECT $1, $3", p, 2, &r), SINEW_MISUSE, "takes 3 parameters but 2");
    sinew_list l;
    th_assert_status(sinew_raw_all(s, &ticket_model, "SELECT * FROM tickets WHERE id = ?", NULL, 0, &l), SINEW_MISUSE,
                     "written ?\?");
    th_assert_status(sinew_raw_rows(s, "INSERT INTO tickets (id, title, priority, status, seq) VALUES (?, ?, 1, 'open', 1)",
                                    p, 1, &r), SINEW_MISUSE, "takes 2 parameters but 1");
    if (!th_is_postgres())
        th_assert_status(sinew_raw_rows(s, "SELECT ?, $1", p, 2, &r), SINEW_MISUSE, "mixes");
    th_capture_stop(db, &cap);
    assert_int_equal(cap.count, 0);
    th_capture_free(&cap);
    assert_int_equal(count_tickets(), 20);
}

static void raw_rows_run_when_opened(void **state)
{
    (void)state;
    sinew_value p[] = {sinew_v_int64(5000), sinew_v_text("new")};
    sinew_rows *r;
    th_ok(sinew_raw_rows(s, "INSERT INTO tickets (id, title, priority, status, seq) VALUES (?, ?, 1, 'open', 99)", p, 2, &r));
    /* inserted already, before any sinew_rows_next */
    assert_int_equal(count_tickets(), 21);
    assert_true(sinew_rows_value(r, 0).is_null);
    assert_int_equal(sinew_rows_next(r), SINEW_DONE);
    assert_int_equal(sinew_rows_next(r), SINEW_DONE);
    sinew_rows_free(r);
    assert_int_equal(count_tickets(), 21);
    /* RETURNING: the write is done at open, its row is the first sinew_rows_next's */
    p[0] = sinew_v_int64(5001);
    th_ok(sinew_raw_rows(s, "INSERT INTO tickets (id, title, priority, status, seq) VALUES (?, ?, 1, 'open', 99) "
                            "RETURNING id", p, 2, &r));
    assert_int_equal(count_tickets(), 22);
    assert_true(sinew_rows_value(r, 0).is_null);   /* no row is current before the first next */
    assert_int_equal(sinew_rows_next(r), SINEW_ROW);
    assert_int_equal(sinew_rows_value(r, 0).u.i, 5001);
    assert_int_equal(sinew_rows_next(r), SINEW_DONE);
    sinew_rows_free(r);
    /* a failing statement fails at open (duplicate key), and leaves nothing open */
    r = (sinew_rows *)1;
    th_assert_status(sinew_raw_rows(s, "INSERT INTO tickets (id, title, priority, status, seq) VALUES (?, ?, 1, 'open', 1)",
                                    p, 2, &r), SINEW_CONSTRAINT, NULL);
    assert_null(r);
    assert_int_equal(count_tickets(), 22);
    /* reading rows is unchanged: every row, in order */
    sinew_value below = sinew_v_int64(20);
    th_ok(sinew_raw_rows(s, "SELECT seq FROM tickets WHERE seq < ? ORDER BY seq", &below, 1, &r));
    int n = 0;
    while (sinew_rows_next(r) == SINEW_ROW) assert_int_equal(sinew_rows_value(r, 0).u.i, n++);
    assert_int_equal(n, 20);
    sinew_rows_free(r);
    /* an empty result: SINEW_DONE at once */
    sinew_value none = sinew_v_int64(-1);
    th_ok(sinew_raw_rows(s, "SELECT seq FROM tickets WHERE seq = ?", &none, 1, &r));
    assert_int_equal(sinew_rows_next(r), SINEW_DONE);
    sinew_rows_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(question_marks_everywhere, setup, tracker_teardown),
        cmocka_unit_test_setup_teardown(postgres_literals_and_operators, setup, tracker_teardown),
        cmocka_unit_test_setup_teardown(mismatches_are_refused_before_sending, setup, tracker_teardown),
        cmocka_unit_test_setup_teardown(raw_rows_run_when_opened, setup, tracker_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
