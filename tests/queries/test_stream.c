/*
 * Streaming 1,000,000 rows (SINEW_STREAM_ROWS to change) through
 * sinew_iterate on every backend: the sum is right, the session's arena
 * does not grow, and the memory sinew holds (counted through its allocator
 * hook) stays flat from the first row to the last. Peak RSS is printed too
 * (not asserted: under AddressSanitizer freed memory sits in quarantine).
 */
#include "harness.h"
#include "people.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* an allocator that counts live bytes (a size header before each block) */
static long long live, peak;
static void *c_malloc(size_t n, void *ctx)
{
    (void)ctx;
    size_t *p = malloc(n + 16);
    if (!p) return NULL;
    *p = n;
    live += (long long)n;
    if (live > peak) peak = live;
    return (char *)p + 16;
}
static void c_free(void *q, void *ctx)
{
    (void)ctx;
    if (!q) return;
    size_t *p = (size_t *)((char *)q - 16);
    live -= (long long)*p;
    free(p);
}
static void *c_realloc(void *q, size_t n, void *ctx)
{
    if (!q) return c_malloc(n, ctx);
    size_t *p = (size_t *)((char *)q - 16);
    size_t old = *p;
    size_t *np = realloc(p, n + 16);
    if (!np) return NULL;
    *np = n;
    live += (long long)n - (long long)old;
    if (live > peak) peak = live;
    return (char *)np + 16;
}

static long vm_hwm_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6)) kb = atol(line + 6);
    if (f) fclose(f);
    return kb;
}

static void million_rows_in_flat_memory(void **state)
{
    (void)state;
    const char *e = getenv("SINEW_STREAM_ROWS");
    long n = e ? atol(e) : 1000000;
    sinew_db *db = th_open();
    th_ok(sinew_create_tables(db, &people_schema));
    char sql[400];
    if (th_is_postgres())
        snprintf(sql, sizeof sql, "INSERT INTO people (name, score, active) SELECT 'person ' || x, x %% 100, x %% 2 = 1 "
                                  "FROM generate_series(1, %ld) AS x", n);
    else
        snprintf(sql, sizeof sql, "INSERT INTO people (name, score, active) WITH RECURSIVE c(x) AS (SELECT 1 "
                                  "UNION ALL SELECT x + 1 FROM c WHERE x < %ld) SELECT 'person ' || x, x %% 100, x %% 2 "
                                  "FROM c", n);   /* INSERT ... WITH: MariaDB has no WITH before INSERT */
    th_ok(sinew_exec(db, sql));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    sinew_query *q = sinew_query_new(s, &person_model);
    sinew_iter *it;
    th_ok(sinew_iterate(q, &it));
    size_t session_before = sinew_session_memory_used(s);
    long hwm_before = vm_hwm_kb();
    long long live_first = -1, max_live = 0;
    long rows = 0;
    double sum = 0;
    Person *p;
    int rc;
    while ((rc = sinew_iter_next(it, (void **)&p)) == SINEW_ROW) {
        if (rows == 0) live_first = live;
        if (live > max_live) max_live = live;
        sum += p->score;
        rows++;
    }
    assert_int_equal(rc, SINEW_DONE);
    sinew_iter_free(it);
    sinew_query_free(q);
    assert_int_equal(rows, n);
    /* sum of x % 100 over 1..n */
    double want = 0;
    for (long x = 1; x <= n; x++) want += (double)(x % 100);
    assert_true(sum == want);
    assert_int_equal(sinew_session_memory_used(s), session_before);
    long long growth = max_live - live_first;
    print_message("streamed %ld rows: sinew's live memory grew by %lld bytes over the stream; peak RSS +%ld KiB\n",
                  rows, growth, vm_hwm_kb() - hwm_before);
    assert_true(growth < 256 * 1024);   /* flat: not proportional to the rows */
    sinew_session_free(s);
    th_close(db);
}

static void fill_people(sinew_db *db, long n)
{
    char sql[400];
    if (th_is_postgres())
        snprintf(sql, sizeof sql, "INSERT INTO people (name, score, active) SELECT 'person ' || x, x %% 100, x %% 2 = 1 "
                                  "FROM generate_series(1, %ld) AS x", n);
    else
        snprintf(sql, sizeof sql, "INSERT INTO people (name, score, active) WITH RECURSIVE c(x) AS (SELECT 1 "
                                  "UNION ALL SELECT x + 1 FROM c WHERE x < %ld) SELECT 'person ' || x, x %% 100, x %% 2 "
                                  "FROM c", n);
    th_ok(sinew_exec(db, sql));
}

/*
 * Other statements on the stream's connection while it is open: a get, a count, an insert into
 * another table (flushed), a transaction, a raw statement and a second stream read to its end in
 * the middle of the first. Every row of the first comes, in order, with its values, and every
 * other statement gives its own answer (MariaDB reads a stream unbuffered and has to take its
 * remaining rows into the client first; the other backends interleave as they are).
 */
static void statements_run_while_a_stream_is_open(void **state)
{
    (void)state;
    const long n = 5000;
    sinew_db *db = th_open();
    th_ok(sinew_create_tables(db, &people_schema));
    fill_people(db, n);
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    sinew_query *q = sinew_query_new(s, &person_model);
    th_ok(sinew_order(q, sinew_column(&person_model, 0), SINEW_ASC));
    sinew_iter *it;
    th_ok(sinew_iterate(q, &it));
    long rows = 0;
    int64_t last_id = 0;
    double sum = 0;
    Person *p;
    int rc;
    while ((rc = sinew_iter_next(it, (void **)&p)) == SINEW_ROW) {
        assert_true(p->id > last_id);
        last_id = p->id;
        char want[32];
        snprintf(want, sizeof want, "person %ld", rows + 1);
        assert_string_equal(p->name, want);
        sum += p->score;
        rows++;
        if (rows == 3) {   /* a get by key, through the session */
            Person *other = NULL;
            sinew_value key = sinew_v_int64(4000);
            th_ok(sinew_get(s, &person_model, &key, 1, (void **)&other));
            assert_string_equal(other->name, "person 4000");
        } else if (rows == 10) {   /* a count of the streamed table */
            int64_t count = 0;
            th_ok(sinew_count(s, &person_model, &count));
            assert_int_equal(count, n);
        } else if (rows == 20) {   /* a write to another table, in a transaction */
            Team *t;
            th_ok(sinew_begin(db));
            th_ok(sinew_new(s, &team_model, (void **)&t));
            t->name = "streamers";
            th_ok(sinew_session_flush(s));
            th_ok(sinew_commit(db));
            assert_true(t->id > 0);
        } else if (rows == 30) {   /* raw SQL */
            th_ok(sinew_exec(db, "UPDATE teams SET name = 'renamed' WHERE name = 'streamers'"));
        } else if (rows == 40) {   /* a second stream, read to its end */
            sinew_query *q2 = sinew_query_new(s, &team_model);
            sinew_iter *it2;
            th_ok(sinew_iterate(q2, &it2));
            Team *t;
            int teams = 0, rc2;
            while ((rc2 = sinew_iter_next(it2, (void **)&t)) == SINEW_ROW) {
                assert_string_equal(t->name, "renamed");
                teams++;
            }
            assert_int_equal(rc2, SINEW_DONE);
            assert_int_equal(teams, 1);
            sinew_iter_free(it2);
            sinew_query_free(q2);
        }
    }
    assert_int_equal(rc, SINEW_DONE);
    assert_int_equal(rows, n);
    double want = 0;
    for (long x = 1; x <= n; x++) want += (double)(x % 100);
    assert_true(sum == want);
    sinew_iter_free(it);
    sinew_query_free(q);
    sinew_session_free(s);
    th_close(db);
}

/* a stream stopped early leaves the connection usable, for the next stream too */
static void a_stream_stopped_early(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_tables(db, &people_schema));
    fill_people(db, 3000);
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    for (int round = 0; round < 2; round++) {
        sinew_query *q = sinew_query_new(s, &person_model);
        sinew_iter *it;
        th_ok(sinew_iterate(q, &it));
        Person *p;
        for (int i = 0; i < 5; i++) assert_int_equal(sinew_iter_next(it, (void **)&p), SINEW_ROW);
        sinew_iter_free(it);
        sinew_query_free(q);
        int64_t count = 0;
        th_ok(sinew_count(s, &person_model, &count));
        assert_int_equal(count, 3000);
    }
    sinew_session_free(s);
    th_close(db);
}

int main(void)
{
    /* installed before anything is allocated and never removed, so every block is freed by its allocator */
    static const sinew_allocator counting = {c_malloc, c_realloc, c_free, NULL};
    sinew_set_allocator(&counting);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(million_rows_in_flat_memory),
        cmocka_unit_test(statements_run_while_a_stream_is_open),
        cmocka_unit_test(a_stream_stopped_early),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
