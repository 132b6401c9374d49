/*
 * Every query operator and combination against results computed
 * independently in C from the inserted data, on every backend: comparisons
 * (with SQL's NULL semantics), IN lists and subqueries, LIKE / ILIKE, IS
 * NULL, BETWEEN, AND / OR / NOT nesting, column against column, arithmetic,
 * exclude, filters across a relation, ordering with NULLS FIRST/LAST,
 * limit/offset, distinct, and every aggregate.
 */
#include "harness.h"
#include "people.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 150
static struct row {
    int64_t id;
    char name[16];
    int has_age, age;
    double score;
    int active;
    int has_team;
    int64_t team;
} rows[N];
static const char *team_names[] = {"Alpha", "Beta", "Gamma", "Delta"};
static int64_t team_ids[4];

static sinew_db *db;
static sinew_session *s;

static int setup(void **state)
{
    (void)state;
    db = th_open();
    th_ok(sinew_create_tables(db, &people_schema));
    th_ok(sinew_session_new(db, &s));
    uint32_t x = 12345;
    for (int t = 0; t < 4; t++) {
        Team *tm;
        th_ok(sinew_new(s, &team_model, (void **)&tm));
        tm->name = (char *)team_names[t];
        th_ok(sinew_save(s, &team_model, tm));
        team_ids[t] = tm->id;
    }
    static const char *syll[] = {"ka", "lo", "mi", "ne", "ru", "Sa", "TO", "vi"};
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        struct row *r = &rows[i];
        snprintf(r->name, sizeof r->name, "%s%s%d", syll[(x >> 8) % 8], syll[(x >> 12) % 8], i % 7);
        r->has_age = (x >> 16) % 5 != 0;
        r->age = (int)((x >> 4) % 80);
        r->score = (double)((x >> 10) % 1000) / 10.0;
        r->active = (x >> 20) & 1;
        r->has_team = (x >> 22) % 6 != 0;
        r->team = team_ids[(x >> 24) % 4];
        Person *p;
        th_ok(sinew_new(s, &person_model, (void **)&p));
        p->name = r->name;
        p->age = r->age;
        p->has_age = r->has_age;
        p->score = r->score;
        p->active = r->active;
        p->team_id = r->team;
        p->has_team_id = r->has_team;
    }
    th_ok(sinew_session_flush(s));
    int i = 0;
    for (sinew_query *q = sinew_query_new(s, &person_model); q; q = NULL) {
        th_ok(sinew_order(q, PERSON_ID, SINEW_ASC));
        sinew_list l;
        th_ok(sinew_all(q, &l));
        for (size_t k = 0; k < l.count; k++) rows[i++].id = ((Person *)l.items[k])->id;
        sinew_query_free(q);
    }
    assert_int_equal(i, N);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sinew_session_free(s);
    th_close(db);
    return 0;
}

typedef int (*pred)(const struct row *r);

/* run the query (filter already set) and compare its id set with the predicate's */
static void check(sinew_query *q, pred p, const char *what)
{
    sinew_list l;
    th_ok(sinew_all(q, &l));
    int64_t cnt;
    th_ok(sinew_query_count(q, &cnt));
    int want = 0;
    char got_mark[N] = {0};
    for (size_t k = 0; k < l.count; k++) {
        int64_t id = ((Person *)l.items[k])->id;
        int found = 0;
        for (int i = 0; i < N; i++)
            if (rows[i].id == id) {
                got_mark[i]++;
                found = 1;
            }
        if (!found) fail_msg("%s: unknown id %lld", what, (long long)id);
    }
    for (int i = 0; i < N; i++) {
        int w = p(&rows[i]);
        want += w;
        if (w != got_mark[i])
            fail_msg("%s: row %d (%s, age %s%d, score %g) %s but %s", what, i, rows[i].name, rows[i].has_age ? "" : "NULL/",
                     rows[i].age, rows[i].score, w ? "should match" : "should not match", got_mark[i] ? "did" : "did not");
    }
    if (cnt != want) fail_msg("%s: count %lld, want %d", what, (long long)cnt, want);
    assert_true(want > 0 || !strcmp(what, "empty IN"));
    sinew_query_free(q);
}

static sinew_query *where(sinew_expr *e)
{
    sinew_query *q = sinew_query_new(s, &person_model);
    th_ok(sinew_where(q, e));
    return q;
}

static int p_eq(const struct row *r) { return r->has_age && r->age == 30; }
static int p_ne(const struct row *r) { return r->has_age && r->age != 30; }
static int p_lt(const struct row *r) { return r->has_age && r->age < 20; }
static int p_le(const struct row *r) { return r->has_age && r->age <= 20; }
static int p_gt(const struct row *r) { return r->score > 75.5; }
static int p_ge(const struct row *r) { return r->score >= 75.5; }
static int p_in(const struct row *r) { return r->has_age && (r->age == 1 || r->age == 10 || r->age == 42 || r->age == 79); }
static int p_none(const struct row *r) { (void)r; return 0; }
static int p_notin(const struct row *r) { return r->has_age && !(r->age == 1 || r->age == 10 || r->age == 42); }
static int p_null(const struct row *r) { return !r->has_age; }
static int p_notnull(const struct row *r) { return r->has_age; }
static int p_between(const struct row *r) { return r->has_age && r->age >= 25 && r->age <= 35; }
static int p_like(const struct row *r) { return strncmp(r->name, "ka", 2) == 0; }
static int p_ilike(const struct row *r)
{
    return (r->name[0] == 's' || r->name[0] == 'S') && (r->name[1] == 'a' || r->name[1] == 'A');
}
static int p_and_or(const struct row *r) { return (r->active && r->score > 50) || (r->has_age && r->age < 10); }
static int p_not(const struct row *r) { return !(r->active && r->score > 50); }
static int p_nested(const struct row *r)
{
    /* SQL's three-valued logic: NOT (NULL >= 40) is not true, so a NULL age never matches */
    return r->active && (r->score < 20 || r->score > 80) && r->has_age && r->age < 40;
}
static int p_colcol(const struct row *r) { return r->has_age && r->score > r->age; }
static int p_arith(const struct row *r) { return r->has_age && r->age * 2 > 100; }
static int p_exclude(const struct row *r) { return !r->active; }
static int p_team(const struct row *r) { return r->has_team && (r->team == team_ids[0] || r->team == team_ids[2]); }
static int p_bool(const struct row *r) { return r->active; }

static void comparisons(void **state)
{
    (void)state;
    check(where(sinew_eq(PERSON_AGE, sinew_v_int32(30))), p_eq, "=");
    check(where(sinew_ne(PERSON_AGE, sinew_v_int32(30))), p_ne, "!=");
    check(where(sinew_lt(PERSON_AGE, sinew_v_int32(20))), p_lt, "<");
    check(where(sinew_le(PERSON_AGE, sinew_v_int32(20))), p_le, "<=");
    check(where(sinew_gt(PERSON_SCORE, sinew_v_double(75.5))), p_gt, ">");
    check(where(sinew_ge(PERSON_SCORE, sinew_v_double(75.5))), p_ge, ">=");
    check(where(sinew_eq(PERSON_ACTIVE, sinew_v_bool(true))), p_bool, "bool =");
}

static void sets_nulls_ranges(void **state)
{
    (void)state;
    sinew_value in[] = {sinew_v_int32(1), sinew_v_int32(10), sinew_v_int32(42), sinew_v_int32(79)};
    check(where(sinew_in(PERSON_AGE, in, 4)), p_in, "IN");
    check(where(sinew_in(PERSON_AGE, in, 0)), p_none, "empty IN");
    check(where(sinew_not_in(PERSON_AGE, in, 3)), p_notin, "NOT IN");
    check(where(sinew_is_null(PERSON_AGE)), p_null, "IS NULL");
    check(where(sinew_not_null(PERSON_AGE)), p_notnull, "IS NOT NULL");
    check(where(sinew_between(PERSON_AGE, sinew_v_int32(25), sinew_v_int32(35))), p_between, "BETWEEN");
    check(where(sinew_like(PERSON_NAME, "ka%")), p_like, "LIKE");
    check(where(sinew_ilike(PERSON_NAME, "sA%")), p_ilike, "ILIKE");
    /* IN over a subquery: people of the teams named with an 'a' after the first letter in {Alpha, Gamma} */
    sinew_query *teams = sinew_query_new(s, &team_model);
    sinew_value tn[] = {sinew_v_text("Alpha"), sinew_v_text("Gamma")};
    th_ok(sinew_where(teams, sinew_in(TEAM_NAME, tn, 2)));
    check(where(sinew_in_query(PERSON_TEAM_ID, teams, TEAM_ID)), p_team, "IN (subquery)");
}

static void boolean_logic(void **state)
{
    (void)state;
    check(where(sinew_or(sinew_and(sinew_eq(PERSON_ACTIVE, sinew_v_bool(true)), sinew_gt(PERSON_SCORE, sinew_v_double(50))),
                         sinew_lt(PERSON_AGE, sinew_v_int32(10)))), p_and_or, "(a AND b) OR c");
    check(where(sinew_not(sinew_and(sinew_eq(PERSON_ACTIVE, sinew_v_bool(true)), sinew_gt(PERSON_SCORE, sinew_v_double(50))))),
          p_not, "NOT (a AND b)");
    check(where(sinew_and(sinew_and(sinew_eq(PERSON_ACTIVE, sinew_v_bool(true)),
                                    sinew_or(sinew_lt(PERSON_SCORE, sinew_v_double(20)), sinew_gt(PERSON_SCORE, sinew_v_double(80)))),
                          sinew_not(sinew_ge(PERSON_AGE, sinew_v_int32(40))))), p_nested, "a AND (b OR c) AND NOT d");
    check(where(sinew_cmp_col(PERSON_SCORE, SINEW_GT, PERSON_AGE)), p_colcol, "column > column");
    check(where(sinew_gt(sinew_col_op(PERSON_AGE, '*', sinew_v_int64(2)), sinew_v_int64(100))), p_arith, "age * 2 > 100");
    sinew_query *q = sinew_query_new(s, &person_model);
    th_ok(sinew_exclude(q, sinew_eq(PERSON_ACTIVE, sinew_v_bool(true))));
    check(q, p_exclude, "exclude");
    sinew_value tn[] = {sinew_v_text("Alpha"), sinew_v_text("Gamma")};
    check(where(sinew_in(sinew_via(PERSON_TEAM, TEAM_NAME), tn, 2)), p_team, "across a relation");
}

static int cmp_age_nulls_last(const void *a, const void *b)
{
    const struct row *x = *(const struct row *const *)a, *y = *(const struct row *const *)b;
    if (x->has_age != y->has_age) return x->has_age ? -1 : 1;
    if (x->has_age && x->age != y->age) return x->age < y->age ? 1 : -1;   /* DESC */
    return x->id < y->id ? -1 : 1;
}

static void ordering_paging_aggregates(void **state)
{
    (void)state;
    const struct row *sorted[N];
    for (int i = 0; i < N; i++) sorted[i] = &rows[i];
    qsort(sorted, N, sizeof sorted[0], cmp_age_nulls_last);
    sinew_query *q = sinew_query_new(s, &person_model);
    th_ok(sinew_order_nulls(q, PERSON_AGE, SINEW_DESC, SINEW_NULLS_LAST));
    th_ok(sinew_order(q, PERSON_ID, SINEW_ASC));
    th_ok(sinew_limit(q, 20));
    th_ok(sinew_offset(q, 7));
    sinew_list l;
    th_ok(sinew_all(q, &l));
    assert_int_equal(l.count, 20);
    for (size_t i = 0; i < l.count; i++) assert_int_equal(((Person *)l.items[i])->id, sorted[i + 7]->id);
    int64_t n;
    th_ok(sinew_query_count(q, &n));   /* count honours limit/offset */
    assert_int_equal(n, 20);
    sinew_query_free(q);
    /* aggregates */
    double sum = 0, mn = 1e9, mx = -1e9;
    int64_t agesum = 0, ages = 0;
    for (int i = 0; i < N; i++) {
        sum += rows[i].score;
        if (rows[i].score < mn) mn = rows[i].score;
        if (rows[i].score > mx) mx = rows[i].score;
        if (rows[i].has_age) agesum += rows[i].age, ages++;
    }
    q = sinew_query_new(s, &person_model);
    sinew_value v;
    th_ok(sinew_aggregate(q, SINEW_SUM, PERSON_SCORE, &v));
    assert_true(fabs(v.u.d - sum) < 1e-6);
    th_ok(sinew_aggregate(q, SINEW_MIN, PERSON_SCORE, &v));
    assert_true(v.u.d == mn);
    th_ok(sinew_aggregate(q, SINEW_MAX, PERSON_SCORE, &v));
    assert_true(v.u.d == mx);
    th_ok(sinew_aggregate(q, SINEW_SUM, PERSON_AGE, &v));
    assert_int_equal(v.u.i, agesum);
    th_ok(sinew_aggregate(q, SINEW_AVG, PERSON_AGE, &v));
    assert_true(fabs(v.u.d - (double)agesum / (double)ages) < 1e-6);
    th_ok(sinew_aggregate(q, SINEW_COUNT, PERSON_AGE, &v));   /* COUNT(col) skips NULLs */
    assert_int_equal(v.u.i, ages);
    bool ex;
    th_ok(sinew_query_exists(q, &ex));
    assert_true(ex);
    sinew_query_free(q);
    /* distinct across a to-many filter: teams with an active member over 90 points, no duplicates */
    q = sinew_query_new(s, &team_model);
    th_ok(sinew_where(q, sinew_gt(sinew_via(TEAM_MEMBERS, PERSON_SCORE), sinew_v_double(90))));
    th_ok(sinew_all(q, &l));
    int want = 0;
    for (int t = 0; t < 4; t++) {
        int any = 0;
        for (int i = 0; i < N; i++) any |= rows[i].has_team && rows[i].team == team_ids[t] && rows[i].score > 90;
        want += any;
    }
    assert_int_equal(l.count, want);
    th_ok(sinew_query_count(q, &n));
    assert_int_equal(n, want);
    sinew_query_free(q);
    /* group by with having, read per row */
    q = sinew_query_new(s, &person_model);
    th_ok(sinew_group_by(q, PERSON_TEAM_ID));
    th_ok(sinew_select_agg(q, SINEW_COUNT, PERSON_ID));
    th_ok(sinew_select_agg(q, SINEW_MAX, PERSON_SCORE));
    th_ok(sinew_where(q, sinew_not_null(PERSON_TEAM_ID)));
    th_ok(sinew_having(q, SINEW_COUNT, PERSON_ID, SINEW_GE, sinew_v_int64(1)));
    th_ok(sinew_order(q, PERSON_TEAM_ID, SINEW_ASC));
    sinew_rows *r;
    th_ok(sinew_rows_open(q, &r));
    int groups = 0;
    while (sinew_rows_next(r) == SINEW_ROW) {
        int64_t team = sinew_rows_value(r, 0).u.i, cnt = sinew_rows_value(r, 1).u.i;
        double best = sinew_rows_value(r, 2).u.d;
        int64_t wc = 0;
        double wb = -1;
        for (int i = 0; i < N; i++)
            if (rows[i].has_team && rows[i].team == team) {
                wc++;
                if (rows[i].score > wb) wb = rows[i].score;
            }
        assert_int_equal(cnt, wc);
        assert_true(best == wb);
        groups++;
    }
    assert_int_equal(groups, 4);
    sinew_rows_free(r);
    sinew_query_free(q);
}

static void type_and_model_errors_send_nothing(void **state)
{
    (void)state;
    th_capture cap;
    th_capture_start(db, &cap);
    sinew_query *q = sinew_query_new(s, &person_model);
    th_assert_status(sinew_where(q, sinew_eq(PERSON_NAME, sinew_v_int64(3))), SINEW_MISUSE, "Person.name (text)");
    sinew_list l;
    th_assert_status(sinew_all(q, &l), SINEW_MISUSE, "Person.name");
    sinew_query_free(q);
    q = sinew_query_new(s, &person_model);
    th_assert_status(sinew_where(q, sinew_eq(TEAM_NAME, sinew_v_text("Alpha"))), SINEW_MISUSE,
                     "column Team.name is not a column of Person");
    sinew_query_free(q);
    q = sinew_query_new(s, &person_model);
    th_assert_status(sinew_where(q, sinew_eq(PERSON_AGE, sinew_v_null(SINEW_INT32))), SINEW_MISUSE, "sinew_is_null");
    sinew_query_free(q);
    th_capture_stop(db, &cap);
    assert_int_equal(cap.count, 0);
    th_capture_free(&cap);
    /* the SQL and its parameters, for inspection */
    q = sinew_query_new(s, &person_model);
    th_ok(sinew_where(q, sinew_between(PERSON_AGE, sinew_v_int32(1), sinew_v_int32(9))));
    const char *sql = sinew_query_sql(q);
    assert_non_null(strstr(sql, th_is_postgres() ? "BETWEEN $1 AND $2" : "BETWEEN ? AND ?"));
    assert_int_equal(sinew_query_nparams(q), 2);
    assert_int_equal(sinew_query_params(q)[1].u.i, 9);
    sinew_query_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(comparisons),
        cmocka_unit_test(sets_nulls_ranges),
        cmocka_unit_test(boolean_logic),
        cmocka_unit_test(ordering_paging_aggregates),
        cmocka_unit_test(type_and_model_errors_send_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
