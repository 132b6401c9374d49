/*
 * A quick end-to-end pass over the query builder on the CRUD models: the
 * thorough operator-by-operator tests live in tests/query/.
 */
#include "harness.h"
#include <stdlib.h>
#include "../crud/models.h"
#include <stdio.h>
#include <string.h>

#define ACC_ID sinew_column(&account_model, 0)
#define ACC_EMAIL sinew_column(&account_model, 1)
#define ACC_NAME sinew_column(&account_model, 2)
#define ACC_VERSION sinew_column(&account_model, 3)

static sinew_db *seed(sinew_session **s)
{
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &account_model));
    th_ok(sinew_session_new(db, s));
    for (int i = 1; i <= 20; i++) {
        Account *a;
        th_ok(sinew_new(*s, &account_model, (void **)&a));
        char buf[32];
        snprintf(buf, sizeof buf, "user%02d@%s.com", i, i % 2 ? "odd" : "even");
        a->email = sinew_strdup(*s, buf);
        snprintf(buf, sizeof buf, "Name %d", i % 5);
        a->name = sinew_strdup(*s, buf);
        th_ok(sinew_save(*s, &account_model, a));
    }
    return db;
}

static void filter_order_limit(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = seed(&s);
    sinew_query *q = sinew_query_new(s, &account_model);
    th_ok(sinew_where(q, sinew_like(ACC_EMAIL, "%@odd.com")));
    th_ok(sinew_exclude(q, sinew_eq(ACC_NAME, sinew_v_text("Name 1"))));
    th_ok(sinew_order(q, ACC_ID, SINEW_DESC));
    th_ok(sinew_limit(q, 3));
    sinew_list l;
    th_ok(sinew_all(q, &l));
    assert_int_equal(l.count, 3);
    assert_int_equal(((Account *)l.items[0])->id, 19);
    assert_int_equal(((Account *)l.items[1])->id, 17);
    assert_int_equal(((Account *)l.items[2])->id, 15);
    const char *sql = sinew_query_sql(q);
    assert_non_null(sql);
    /* LIMIT is written as a number (the planner sees it), values are bound */
    assert_non_null(strstr(sql, "LIMIT 3"));
    assert_int_equal(sinew_query_nparams(q), 2);
    sinew_query_free(q);

    /* the identity map: a query returns the already-loaded object */
    sinew_value k = sinew_v_int64(19);
    Account *a;
    th_ok(sinew_get(s, &account_model, &k, 1, (void **)&a));
    q = sinew_query_new(s, &account_model);
    th_ok(sinew_where(q, sinew_eq(ACC_ID, sinew_v_int64(19))));
    Account *b;
    th_ok(sinew_one(q, (void **)&b));
    assert_ptr_equal(a, b);
    sinew_query_free(q);
    sinew_session_free(s);
    th_close(db);
}

/* more values than one statement may bind: a clear error, nothing sent, the session still usable */
static void too_many_parameters_is_an_error(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = seed(&s);
    enum { N = 40000 };
    sinew_value *ids = calloc(N, sizeof *ids);
    for (int i = 0; i < N; i++) ids[i] = sinew_v_int64(i);
    sinew_query *q = sinew_query_new(s, &account_model);
    th_ok(sinew_where(q, sinew_in(ACC_ID, ids, N)));
    sinew_count_mark m = sinew_count_begin(db);
    sinew_list l;
    th_assert_status(sinew_all(q, &l), SINEW_INVALID, "parameters but");
    th_ok(sinew_count_expect(db, m, 0));
    sinew_query_free(q);
    free(ids);
    q = sinew_query_new(s, &account_model);
    th_ok(sinew_all(q, &l));
    assert_true(l.count > 0);
    sinew_query_free(q);
    sinew_session_free(s);
    th_close(db);
}

static void counts_aggregates_and_errors(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = seed(&s);
    sinew_query *q = sinew_query_new(s, &account_model);
    th_ok(sinew_where(q, sinew_or(sinew_lt(ACC_ID, sinew_v_int64(4)), sinew_gt(ACC_ID, sinew_v_int64(18)))));
    int64_t n;
    th_ok(sinew_query_count(q, &n));
    assert_int_equal(n, 5);
    sinew_value v;
    th_ok(sinew_aggregate(q, SINEW_SUM, ACC_ID, &v));
    assert_int_equal(v.u.i, 1 + 2 + 3 + 19 + 20);
    th_ok(sinew_aggregate(q, SINEW_MAX, ACC_EMAIL, &v));
    assert_string_equal(v.u.s.ptr, "user20@even.com");
    void *one;
    th_assert_status(sinew_one(q, &one), SINEW_MULTIPLE, "more than one Account");
    sinew_query_free(q);

    q = sinew_query_new(s, &account_model);
    th_assert_status(sinew_where(q, sinew_eq(ACC_EMAIL, sinew_v_int64(3))), SINEW_MISUSE,
                     "cannot compare Account.email (text)");
    th_assert_status(sinew_all(q, &(sinew_list){0}), SINEW_MISUSE, "Account.email");
    sinew_query_free(q);
    q = sinew_query_new(s, &account_model);
    th_assert_status(sinew_where(q, sinew_eq(sinew_column(&membership_model, 2), sinew_v_text("x"))), SINEW_MISUSE,
                     "not a column of Account");
    sinew_query_free(q);

    q = sinew_query_new(s, &account_model);
    th_ok(sinew_where(q, sinew_eq(ACC_ID, sinew_v_int64(999))));
    th_assert_status(sinew_first(q, &one), SINEW_NOTFOUND, "no Account matches");
    th_ok(sinew_aggregate(q, SINEW_MAX, ACC_ID, &v));
    assert_true(v.is_null);
    bool ex = true;
    th_ok(sinew_query_exists(q, &ex));
    assert_false(ex);
    sinew_query_free(q);
    sinew_session_free(s);
    th_close(db);
}

static void group_bulk_stream_raw(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = seed(&s);
    sinew_query *q = sinew_query_new(s, &account_model);
    th_ok(sinew_group_by(q, ACC_NAME));
    th_ok(sinew_select_agg(q, SINEW_COUNT, ACC_ID));
    th_ok(sinew_having(q, SINEW_COUNT, ACC_ID, SINEW_GE, sinew_v_int64(4)));
    th_ok(sinew_order(q, ACC_NAME, SINEW_ASC));
    sinew_rows *rows;
    th_ok(sinew_rows_open(q, &rows));
    int groups = 0;
    while (sinew_rows_next(rows) == SINEW_ROW) {
        sinew_value name = sinew_rows_value(rows, 0), cnt = sinew_rows_value(rows, 1);
        assert_int_equal(cnt.u.i, 4);
        assert_memory_equal(name.u.s.ptr, "Name ", 5);
        groups++;
    }
    assert_int_equal(groups, 5);
    sinew_rows_free(rows);
    sinew_query_free(q);

    q = sinew_query_new(s, &account_model);
    th_ok(sinew_where(q, sinew_like(ACC_EMAIL, "%@even.com")));
    sinew_assign set = {ACC_NAME, sinew_v_text("Evens")};
    int64_t changed;
    th_ok(sinew_query_update(q, &set, 1, &changed));
    assert_int_equal(changed, 10);
    sinew_query_free(q);

    q = sinew_query_new(s, &account_model);
    th_ok(sinew_order(q, ACC_ID, SINEW_ASC));
    sinew_iter *it;
    th_ok(sinew_iterate(q, &it));
    Account *a;
    int seen = 0, evens = 0;
    int rc;
    while ((rc = sinew_iter_next(it, (void **)&a)) == SINEW_ROW) {
        seen++;
        if (strcmp(a->name, "Evens") == 0) evens++;
    }
    assert_int_equal(rc, SINEW_DONE);
    assert_int_equal(seen, 20);
    assert_int_equal(evens, 10);
    sinew_iter_free(it);
    sinew_query_free(q);

    q = sinew_query_new(s, &account_model);
    th_ok(sinew_where(q, sinew_in(ACC_ID, (sinew_value[]){sinew_v_int64(1), sinew_v_int64(2), sinew_v_int64(3)}, 3)));
    th_ok(sinew_query_delete(q, &changed));
    assert_int_equal(changed, 3);
    sinew_query_free(q);

    const char *sql = th_is_postgres() ? "SELECT id, email, name, version FROM accounts WHERE id > $1 ORDER BY id"
                                       : "SELECT id, email, name, version FROM accounts WHERE id > ? ORDER BY id";
    sinew_value p = sinew_v_int64(17);
    sinew_list l;
    th_ok(sinew_raw_all(s, &account_model, sql, &p, 1, &l));
    assert_int_equal(l.count, 3);
    assert_int_equal(((Account *)l.items[0])->id, 18);
    sinew_session_free(s);
    th_close(db);
}

static void keyset_pages_cover_everything_once(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = seed(&s);
    int seen[21] = {0};
    void *last = NULL;
    int pages = 0;
    for (;;) {
        sinew_query *q = sinew_query_new(s, &account_model);
        th_ok(sinew_order(q, ACC_NAME, SINEW_DESC));
        th_ok(sinew_limit(q, 6));
        if (last) th_ok(sinew_after(q, last));
        sinew_list l;
        th_ok(sinew_all(q, &l));
        sinew_query_free(q);
        if (!l.count) break;
        pages++;
        for (size_t i = 0; i < l.count; i++) seen[((Account *)l.items[i])->id]++;
        last = l.items[l.count - 1];
    }
    assert_int_equal(pages, 4);
    for (int i = 1; i <= 20; i++) assert_int_equal(seen[i], 1);
    sinew_session_free(s);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(filter_order_limit),
        cmocka_unit_test(counts_aggregates_and_errors),
        cmocka_unit_test(too_many_parameters_is_an_error),
        cmocka_unit_test(group_bulk_stream_raw),
        cmocka_unit_test(keyset_pages_cover_everything_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
