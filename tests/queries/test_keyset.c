/*
 * Paging with ties in the order column (#16 item 5): 407 tickets whose
 * priority takes five values, paged by 100 with sinew_after() and with
 * OFFSET, descending and ascending. Every ticket comes back exactly once,
 * and the first page, like the later ones, ends its ORDER BY with the
 * primary key. Before the fix the first page had no tie-breaker and
 * PostgreSQL's top-N sort returned tied rows in an order of its own.
 */
#include "harness.h"
#include "tracker.h"
#include <stdio.h>
#include <string.h>

#define N 407
#define PAGE 100

static sinew_db *db;
static sinew_session *s;

static int setup(void **state) { return tracker_open(state, &db, &s, N); }

/* every seeded id seen exactly once */
static void check_once(const int *seen, const char *what)
{
    int total = 0;
    for (int k = 0; k < N; k++) {
        int64_t id = tracker_id(k);
        if (seen[id] != 1) fail_msg("%s: ticket %lld came back %d times", what, (long long)id, seen[id]);
        total += seen[id];
    }
    assert_int_equal(total, N);
}

static void keyset(sinew_dir dir)
{
    static int seen[1100];
    memset(seen, 0, sizeof seen);
    const char *what = dir == SINEW_DESC ? "keyset DESC" : "keyset ASC";
    Ticket *last = NULL;
    int pages = 0, rows = 0;
    for (;;) {
        sinew_query *q = sinew_query_new(s, &ticket_model);
        th_ok(sinew_order(q, TICKET_PRIORITY, dir));
        th_ok(sinew_limit(q, PAGE));
        if (last) th_ok(sinew_after(q, last));
        const char *sql = sinew_query_sql(q);
        assert_non_null(sql);
        /* the first page too: the key ends the order */
        char want[128];
        snprintf(want, sizeof want, "ORDER BY t0.\"priority\"%s, t0.\"id\" LIMIT %d", dir == SINEW_DESC ? " DESC" : "", PAGE);
        if (!strstr(sql, want)) fail_msg("%s page %d: %s\n  does not end its order with the key: %s", what, pages, sql, want);
        sinew_list l;
        th_ok(sinew_all(q, &l));
        sinew_query_free(q);
        if (l.count == 0) break;
        for (size_t i = 0; i < l.count; i++) {
            Ticket *t = l.items[i];
            assert_true(t->id > 0 && t->id < 1100);
            seen[t->id]++;
            if (last && i == 0)
                assert_true(dir == SINEW_DESC ? t->priority <= last->priority : t->priority >= last->priority);
        }
        rows += (int)l.count;
        last = l.items[l.count - 1];
        pages++;
        assert_true(pages <= N / PAGE + 2);
    }
    assert_int_equal(rows, N);
    assert_int_equal(pages, (N + PAGE - 1) / PAGE);
    check_once(seen, what);
}

static void keyset_descending(void **state)
{
    (void)state;
    keyset(SINEW_DESC);
}

static void keyset_ascending(void **state)
{
    (void)state;
    keyset(SINEW_ASC);
}

/* OFFSET paging over the same ties: the key breaks them too, and the offset is a bound parameter */
static void offset_paging(void **state)
{
    (void)state;
    for (int d = 0; d < 2; d++) {
        static int seen[1100];
        memset(seen, 0, sizeof seen);
        for (int page = 0; page * PAGE < N; page++) {
            sinew_query *q = sinew_query_new(s, &ticket_model);
            th_ok(sinew_order(q, TICKET_PRIORITY, d ? SINEW_DESC : SINEW_ASC));
            th_ok(sinew_limit(q, PAGE));
            th_ok(sinew_offset(q, page * PAGE));
            const char *sql = sinew_query_sql(q);
            assert_non_null(sql);
            assert_non_null(strstr(sql, ", t0.\"id\" LIMIT 100 OFFSET "));
            assert_null(strstr(sql, "OFFSET 100"));   /* bound, not written into the text */
            sinew_list l;
            th_ok(sinew_all(q, &l));
            for (size_t i = 0; i < l.count; i++) seen[((Ticket *)l.items[i])->id]++;
            sinew_query_free(q);
        }
        check_once(seen, d ? "offset DESC" : "offset ASC");
    }
}

/* a slice of an unordered query is ordered by the key, so sinew_after() can continue it */
static void unordered_first_page_orders_by_key(void **state)
{
    (void)state;
    sinew_query *q = sinew_query_new(s, &ticket_model);
    th_ok(sinew_limit(q, PAGE));
    const char *sql = sinew_query_sql(q);
    assert_non_null(strstr(sql, " ORDER BY t0.\"id\" LIMIT 100"));
    sinew_list l;
    th_ok(sinew_all(q, &l));
    sinew_query_free(q);
    assert_int_equal(l.count, PAGE);
    for (size_t i = 1; i < l.count; i++) assert_true(((Ticket *)l.items[i - 1])->id < ((Ticket *)l.items[i])->id);
    /* no slice, no added order */
    q = sinew_query_new(s, &ticket_model);
    assert_null(strstr(sinew_query_sql(q), "ORDER BY"));
    sinew_query_free(q);
    /* an order that already has the key gets nothing added */
    q = sinew_query_new(s, &ticket_model);
    th_ok(sinew_order(q, TICKET_ID, SINEW_DESC));
    th_ok(sinew_limit(q, 3));
    sql = sinew_query_sql(q);
    assert_non_null(strstr(sql, "ORDER BY t0.\"id\" DESC LIMIT 3"));
    sinew_query_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(keyset_descending, setup, tracker_teardown),
        cmocka_unit_test_setup_teardown(keyset_ascending, setup, tracker_teardown),
        cmocka_unit_test_setup_teardown(offset_paging, setup, tracker_teardown),
        cmocka_unit_test_setup_teardown(unordered_first_page_orders_by_key, setup, tracker_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
