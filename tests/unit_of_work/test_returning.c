/*
 * What an insert leaves to the database comes back, with INSERT ... RETURNING and without it (issue
 * 20: MySQL 8 and MariaDB before 10.5 have none). On every backend, and on MariaDB a second time
 * with ?returning=off (the mariadb_noreturning stage), where the connection's dialect says
 * insert_no_returning: a save, a flush of several, sinew_insert_many and sinew_upsert (new row and
 * existing row) give each object its @auto key and its generated column; without RETURNING the
 * statements have none, and the key comes from LAST_INSERT_ID() and the rest from a SELECT.
 */
#include "harness.h"
#include "returning.h"
#include <stdlib.h>
#include <string.h>

static int url_says_off(void)
{
    const char *p = getenv("SINEW_TEST_URL_PARAMS");
    return p && strstr(p, "returning=off") != NULL;
}

static int64_t twice_in_db(sinew_db *db, int64_t id)
{
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Gadget *g = NULL;
    th_ok(gadget_get(s, id, &g));
    assert_non_null(g);
    int64_t v = g->twice;
    sinew_session_free(s);
    return v;
}

static void what_the_database_fills_in_comes_back(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_tables(db, &returning_schema));
    const int noret = sinew_db_dialect(db)->insert_no_returning;
    /* MariaDB 10.11 has RETURNING: only the URL turns it off; the other backends always have it */
    assert_int_equal(noret, th_is_mariadb() && url_says_off());
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    th_capture cap;
    th_capture_start(db, &cap);

    /* a flush of several new objects */
    Gadget *g[3];
    for (int i = 0; i < 3; i++) {
        th_ok(gadget_new(s, &g[i]));
        g[i]->name = i == 0 ? "a" : i == 1 ? "b" : "c";
        g[i]->price = 10 * (i + 1);
    }
    th_ok(sinew_session_flush(s));
    for (int i = 0; i < 3; i++) {
        assert_true(g[i]->id > 0);
        assert_int_equal(g[i]->twice, 20 * (i + 1));
        assert_int_equal(twice_in_db(db, g[i]->id), g[i]->twice);
    }
    assert_true(g[0]->id != g[1]->id && g[1]->id != g[2]->id);

    /* sinew_insert_many: the keys of one statement, in order */
    Gadget many[3] = {{.name = "m1", .price = 1}, {.name = "m2", .price = 2}, {.name = "m3", .price = 3}};
    void *objs[3] = {&many[0], &many[1], &many[2]};
    th_ok(sinew_insert_many(s, &gadget_model, objs, 3));
    for (int i = 0; i < 3; i++) {
        assert_true(many[i].id > g[2]->id);
        assert_int_equal(twice_in_db(db, many[i].id), 2 * (i + 1));
    }
    assert_true(many[0].id < many[1].id && many[1].id < many[2].id);

    /* sinew_upsert: a new row, then the same row again */
    static const unsigned on_name[] = {1};
    Gadget u = {.name = "u", .price = 7};
    th_ok(sinew_upsert(s, &gadget_model, &u, on_name, 1));
    assert_true(u.id > many[2].id);
    assert_int_equal(u.twice, 14);
    Gadget again = {.name = "u", .price = 8};
    th_ok(sinew_upsert(s, &gadget_model, &again, on_name, 1));
    assert_int_equal(again.id, u.id);
    assert_int_equal(again.twice, 16);
    assert_int_equal(twice_in_db(db, u.id), 16);
    th_capture_stop(db, &cap);

    /* the statements: RETURNING where the connection has it, none where not */
    if (noret) {
        assert_int_equal(th_capture_count(&cap, "RETURNING"), 0);
        assert_true(th_capture_count(&cap, "ON DUPLICATE KEY UPDATE") == 2);
    } else {
        assert_true(th_capture_count(&cap, "RETURNING") >= 3);
    }
    th_capture_free(&cap);
    sinew_session_free(s);
    th_close(db);
}

static int64_t count_of(sinew_session *s, const sinew_model *m)
{
    int64_t n = -1;
    th_ok(sinew_count(s, m, &n));
    return n;
}

/* whether an upsert that met another unique key than its target updated that row (MariaDB's ON
 * DUPLICATE KEY UPDATE, then rc is SINEW_OK); elsewhere the insert is refused (SINEW_CONSTRAINT) */
static int any_unique_key_fires(sinew_db *db, int rc)
{
    if (!sinew_db_dialect(db)->upsert_on_duplicate_key) {
        assert_int_equal(rc, SINEW_CONSTRAINT);
        return 0;
    }
    th_ok(rc);
    return 1;
}

/*
 * A NULL conflict value conflicts with nothing in a unique index, so the upsert inserts, on every
 * backend. Without RETURNING the row is not found by its conflict fields then: an integer key comes
 * from the statement's LAST_INSERT_ID(), a text key is the one the object carries (issue 20).
 */
static void an_upsert_whose_conflict_value_is_null_inserts(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_tables(db, &returning_schema));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    static const unsigned on_code[] = {1};

    /* @auto key: two rows, each with its own key and its generated column */
    Badge a = {.level = 3}, b = {.level = 4};
    th_ok(sinew_upsert(s, &badge_model, &a, on_code, 1));
    th_ok(sinew_upsert(s, &badge_model, &b, on_code, 1));
    assert_true(a.id > 0 && b.id > 0 && a.id != b.id);
    assert_int_equal(a.twice, 6);
    assert_int_equal(b.twice, 8);
    assert_int_equal(count_of(s, &badge_model), 2);
    /* a value conflicts: the second upsert updates the first's row, and reads that row back */
    Badge c = {.code = "c", .level = 5}, c2 = {.code = "c", .level = 6};
    th_ok(sinew_upsert(s, &badge_model, &c, on_code, 1));
    th_ok(sinew_upsert(s, &badge_model, &c2, on_code, 1));
    assert_int_equal(c2.id, c.id);
    assert_int_equal(c2.twice, 12);
    assert_int_equal(count_of(s, &badge_model), 3);
    /* an object with the key of a row: the row is updated by its key (any unique key fires on MariaDB;
       elsewhere the key is no conflict target: refused) */
    Badge again = {.id = a.id, .level = 7};
    int rc = sinew_upsert(s, &badge_model, &again, on_code, 1);
    if (any_unique_key_fires(db, rc)) {
        assert_int_equal(again.id, a.id);
        assert_int_equal(again.twice, 14);
    }

    /* a text key the object carries */
    static const unsigned token_on_code[] = {1};
    Token t1 = {.tag = "t1", .level = 2}, t2 = {.tag = "t2", .level = 3};
    th_ok(sinew_upsert(s, &token_model, &t1, token_on_code, 1));
    th_ok(sinew_upsert(s, &token_model, &t2, token_on_code, 1));
    assert_int_equal(t1.twice, 4);
    assert_int_equal(t2.twice, 6);
    assert_string_equal(t2.tag, "t2");
    assert_int_equal(count_of(s, &token_model), 2);
    Token t1b = {.tag = "t1", .level = 9};
    rc = sinew_upsert(s, &token_model, &t1b, token_on_code, 1);
    if (any_unique_key_fires(db, rc)) {
        assert_int_equal(t1b.twice, 18);
        assert_int_equal(count_of(s, &token_model), 2);
    }
    sinew_session_free(s);
    th_close(db);
}

/*
 * ON DUPLICATE KEY UPDATE fires on any unique key, not only the conflict target: on MariaDB (with
 * RETURNING and without) the row another key matched is updated and is the row that comes back;
 * PostgreSQL and SQLite refuse the insert, the conflict target not matching.
 */
static void another_unique_key_than_the_target_fires(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_tables(db, &returning_schema));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    static const unsigned on_code[] = {1};
    Badge x = {.code = "x", .sku = "s1", .level = 1}, other = {.code = "o", .sku = "s2", .level = 2};
    th_ok(sinew_upsert(s, &badge_model, &x, on_code, 1));
    th_ok(sinew_upsert(s, &badge_model, &other, on_code, 1));
    /* code "y" is new, sku "s1" is x's */
    Badge y = {.code = "y", .sku = "s1", .level = 9};
    int rc = sinew_upsert(s, &badge_model, &y, on_code, 1);
    if (any_unique_key_fires(db, rc)) {
        assert_int_equal(y.id, x.id);
        assert_string_equal(y.code, "x");   /* the conflict field is not assigned: the row keeps its own */
        assert_int_equal(y.twice, 18);
        assert_int_equal(count_of(s, &badge_model), 2);
    }
    /* a NULL conflict value and another row's sku: the same */
    Badge z = {.sku = "s2", .level = 4};
    rc = sinew_upsert(s, &badge_model, &z, on_code, 1);
    if (any_unique_key_fires(db, rc)) {
        assert_int_equal(z.id, other.id);
        assert_int_equal(z.twice, 8);
    }
    sinew_session_free(s);
    th_close(db);
}

/* ?returning= takes off or auto, nothing else */
static void the_url_parameter_is_checked(void **state)
{
    (void)state;
    /* a MariaDB URL parameter (the other drivers refuse it as unknown); the noreturning stage's URL
       says returning=off already, which the first mention of a parameter decides */
    if (!th_is_mariadb() || url_says_off()) return;
    sinew_db *db = th_open();
    char url[1200];
    const char *base = th_last_url();
    snprintf(url, sizeof url, "%s%creturning=sometimes", base, strchr(base, '?') ? '&' : '?');
    sinew_db *bad = NULL;
    th_assert_status(sinew_open(url, &bad), SINEW_INVALID, "returning=sometimes");
    assert_null(bad);
    th_close(db);
}

/* a required @generated field: the table is made on every backend (MariaDB refused the NOT NULL that
 * came before the expression), the value comes back, and drift sees no difference */
static void a_required_generated_column(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_capture cap;
    th_capture_start(db, &cap);
    th_ok(sinew_create_tables(db, &returning_schema));
    th_capture_stop(db, &cap);
    /* NOT NULL follows the expression wherever it is written */
    assert_int_equal(th_capture_count(&cap, "NOT NULL GENERATED"), 0);
    if (sinew_db_dialect(db)->generated_not_null_refused)
        assert_int_equal(th_capture_count(&cap, "STORED NOT NULL"), 0);
    else
        assert_true(th_capture_count(&cap, "STORED NOT NULL") >= 1);
    th_capture_free(&cap);
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Square *q;
    th_ok(square_new(s, &q));
    q->side = 7;
    th_ok(sinew_session_flush(s));
    assert_int_equal(q->area, 49);
    sinew_session_free(s);
    th_ok(sinew_session_new(db, &s));
    Square *back = NULL;
    th_ok(square_get(s, q->id, &back));
    assert_int_equal(back->area, 49);
    sinew_session_free(s);

    sinew_schema *live;
    th_ok(sinew_introspect(db, &live));
    char *report = NULL;
    size_t n = 99;
    th_ok(sinew_schema_drift(&returning_schema, live, sinew_db_dialect(db), &report, &n));
    if (n) fail_msg("drift after sinew_create_tables:\n%s", report ? report : "");
    sinew_migrate_free(report);
    sinew_schema_free(live);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(what_the_database_fills_in_comes_back),
        cmocka_unit_test(an_upsert_whose_conflict_value_is_null_inserts),
        cmocka_unit_test(another_unique_key_than_the_target_fires),
        cmocka_unit_test(the_url_parameter_is_checked),
        cmocka_unit_test(a_required_generated_column),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
