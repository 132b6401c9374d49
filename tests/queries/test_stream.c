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
        snprintf(sql, sizeof sql, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < %ld) "
                                  "INSERT INTO people (name, score, active) SELECT 'person ' || x, x %% 100, x %% 2 FROM c", n);
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

int main(void)
{
    /* installed before anything is allocated and never removed, so every block is freed by its allocator */
    static const sinew_allocator counting = {c_malloc, c_realloc, c_free, NULL};
    sinew_set_allocator(&counting);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(million_rows_in_flat_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
