/*
 * @default on every write path and every backend (issue 16, items 6 and 7).
 * The rule: an object from sinew_new() holds its defaults from the start, so
 * what the program assigns afterwards wins (0, false and NULL included) and
 * validation sees the value that will be written; a caller's struct gets
 * its defaults in the fields it left zero, on save, flush, sinew_insert,
 * sinew_insert_many (multi-row INSERT and COPY) and sinew_upsert alike.
 */
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef enum { SEV_LOW, SEV_NORMAL, SEV_HIGH } Sev;

typedef struct Item {
    int64_t id;
    char *name;
    int32_t prio;          /* @default(3) @range(1, 5) */
    int32_t stock;         /* @default(7) */
    bool active;           /* @default(true) */
    char *severity;        /* text @default("normal") */
    int level;             /* enum @default(high) */
    int64_t created_at;    /* timestamp @default(now) */
    int32_t due;           /* date? @default("2030-01-02") */
    bool has_due;
} Item;

static const char *const sev_values[] = {"low", "normal", "high"};
static const sinew_enum sev_enum = {"Sev", sev_values, 3, NULL, {0, 0}};
static const sinew_rules prio_rules = {-1, -1, 1, 1, 1, 5, NULL};

#define DEFF(member, type, flags, en, kind, value, hasoff, rules)                                        \
    { #member, #member, type, flags, en, {kind, value}, NULL, NULL, NULL, NULL, offsetof(Item, member), \
      hasoff, 0, {0, 0}, rules, NULL }

static const sinew_field item_fields[] = {
    SINEW_FIELD(Item, id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_AUTO),
    SINEW_FIELD(Item, name, SINEW_TEXT, SINEW_FIELD_UNIQUE),
    DEFF(prio, SINEW_INT32, 0, NULL, SINEW_DEFAULT_VALUE, "3", SINEW_NO_OFFSET, &prio_rules),
    DEFF(stock, SINEW_INT32, 0, NULL, SINEW_DEFAULT_VALUE, "7", SINEW_NO_OFFSET, NULL),
    DEFF(active, SINEW_BOOL, 0, NULL, SINEW_DEFAULT_VALUE, "true", SINEW_NO_OFFSET, NULL),
    DEFF(severity, SINEW_TEXT, 0, NULL, SINEW_DEFAULT_VALUE, "\"normal\"", SINEW_NO_OFFSET, NULL),
    DEFF(level, SINEW_ENUM, 0, &sev_enum, SINEW_DEFAULT_VALUE, "high", SINEW_NO_OFFSET, NULL),
    DEFF(created_at, SINEW_TIMESTAMP, 0, NULL, SINEW_DEFAULT_NOW, NULL, SINEW_NO_OFFSET, NULL),
    DEFF(due, SINEW_DATE, SINEW_FIELD_NULLABLE, NULL, SINEW_DEFAULT_VALUE, "\"2030-01-02\"", offsetof(Item, has_due),
         NULL),
};
static const unsigned item_pk[] = {0};
static const sinew_model item_model = SINEW_MODEL(Item, "Item", "items", "item", item_fields, item_pk);

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static sinew_db *fresh(sinew_session **s)
{
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &item_model));
    th_ok(sinew_session_new(db, s));
    return db;
}

/* the row as the database has it, read in a session of its own */
static Item *reload(sinew_db *db, sinew_session **s2, int64_t id)
{
    th_ok(sinew_session_new(db, s2));
    Item *r;
    sinew_value key = sinew_v_int64(id);
    th_ok(sinew_get(*s2, &item_model, &key, 1, (void **)&r));
    return r;
}

static void assert_defaults(const Item *it, int64_t t0, int64_t t1)
{
    assert_int_equal(it->prio, 3);
    assert_int_equal(it->stock, 7);
    assert_true(it->active);
    assert_string_equal(it->severity, "normal");
    assert_int_equal(it->level, SEV_HIGH);
    assert_true(it->created_at >= t0 - 1000 && it->created_at <= t1 + 1000);
    assert_true(it->has_due);
    int32_t due;
    th_ok(sinew_date_parse("2030-01-02", 10, &due));
    assert_int_equal(it->due, due);
}

static void a_new_object_holds_its_defaults(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    int64_t t0 = now_us();
    Item *it;
    th_ok(sinew_new(s, &item_model, (void **)&it));
    int64_t t1 = now_us();
    assert_defaults(it, t0, t1);
    it->name = "first";
    /* left as they are, the defaults pass validation (prio 3 is in 1..5) and are written */
    th_ok(sinew_save(s, &item_model, it));
    sinew_session *s2;
    Item *r = reload(db, &s2, it->id);
    assert_defaults(r, t0, t1);
    assert_true(r->created_at == it->created_at);
    sinew_session_free(s2);
    sinew_session_free(s);
    th_close(db);
}

static void a_value_set_on_purpose_wins_over_the_default(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    Item *a, *b;
    th_ok(sinew_new(s, &item_model, (void **)&a));
    a->name = "zeroes";
    a->stock = 0;          /* 0 on purpose: stored as 0, not as the default 7 */
    a->active = false;
    a->level = SEV_LOW;    /* index 0 */
    a->has_due = false;    /* NULL on purpose */
    a->severity = "urgent";
    th_ok(sinew_save(s, &item_model, a));
    th_ok(sinew_new(s, &item_model, (void **)&b));
    b->name = "flushed";
    b->stock = 0;
    b->prio = 5;
    th_ok(sinew_session_flush(s));
    sinew_session *s2;
    Item *r = reload(db, &s2, a->id);
    assert_int_equal(r->stock, 0);
    assert_false(r->active);
    assert_int_equal(r->level, SEV_LOW);
    assert_false(r->has_due);
    assert_string_equal(r->severity, "urgent");
    sinew_session_free(s2);
    r = reload(db, &s2, b->id);
    assert_int_equal(r->stock, 0);
    assert_int_equal(r->prio, 5);
    sinew_session_free(s2);
    /* an explicit value is validated as it is: 0 is below the range */
    Item *c;
    th_ok(sinew_new(s, &item_model, (void **)&c));
    c->name = "bad";
    c->prio = 0;
    th_assert_status(sinew_save(s, &item_model, c), SINEW_INVALID, "Item.prio = 0 is below the minimum 1");
    th_assert_status(sinew_session_flush(s), SINEW_INVALID, "Item.prio = 0 is below the minimum 1");
    sinew_session_free(s);
    th_close(db);
}

/* n caller-owned structs with only a name: every other field left zero */
static Item *bare_items(size_t n, void ***ptrs, char **names)
{
    Item *items = calloc(n, sizeof *items);
    *ptrs = calloc(n, sizeof **ptrs);
    *names = malloc(n * 16);
    for (size_t i = 0; i < n; i++) {
        snprintf(*names + i * 16, 16, "item%zu", i);
        items[i].name = *names + i * 16;
        (*ptrs)[i] = &items[i];
    }
    return items;
}

static void check_bulk(size_t n)
{
    sinew_session *s;
    sinew_db *db = fresh(&s);
    void **ptrs;
    char *names;
    Item *items = bare_items(n, &ptrs, &names);
    int64_t t0 = now_us();
    th_capture cap;
    th_capture_start(db, &cap);
    th_ok(sinew_insert_many(s, &item_model, ptrs, n));
    th_capture_stop(db, &cap);
    int64_t t1 = now_us();
    if (th_is_postgres() && n >= 1000) assert_true(th_capture_count(&cap, "COPY ") >= 1);   /* the COPY path */
    else assert_int_equal(th_capture_count(&cap, "COPY "), 0);
    th_capture_free(&cap);
    for (size_t i = 0; i < n; i++) assert_defaults(&items[i], t0, t1);   /* the structs say what was written */
    /* and the rows hold it: loaded back through a query */
    sinew_session *s2;
    th_ok(sinew_session_new(db, &s2));
    sinew_query *q = sinew_query_new(s2, &item_model);
    sinew_list all;
    th_ok(sinew_all(q, &all));
    assert_int_equal(all.count, n);
    for (size_t i = 0; i < all.count; i++) assert_defaults(all.items[i], t0, t1);
    sinew_query_free(q);
    sinew_session_free(s2);
    /* session objects in a bulk insert have their defaults from sinew_new; a 0 set on purpose stays */
    Item *mine[2];
    for (int k = 0; k < 2; k++) {
        th_ok(sinew_new(s, &item_model, (void **)&mine[k]));
        mine[k]->name = k ? "session1" : "session0";
    }
    mine[1]->stock = 0;
    th_ok(sinew_insert_many(s, &item_model, (void *const *)mine, 2));
    Item *r = reload(db, &s2, mine[1]->id);
    assert_int_equal(r->stock, 0);
    assert_int_equal(r->prio, 3);
    sinew_session_free(s2);
    free(items);
    free(ptrs);
    free(names);
    sinew_session_free(s);
    th_close(db);
}

static void bulk_insert_applies_defaults(void **state)
{
    (void)state;
    check_bulk(10);     /* multi-row INSERT */
}

static void bulk_insert_by_copy_applies_defaults(void **state)
{
    (void)state;
    check_bulk(1500);   /* COPY on PostgreSQL, multi-row INSERT on SQLite */
}

static void a_failed_bulk_insert_gives_the_structs_back_as_they_were(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    Item a = {0}, b = {0}, dup = {0};
    a.name = "taken";
    th_ok(sinew_insert(s, &item_model, &a));
    b.name = "fresh";
    dup.name = "taken";
    void *ptrs[2] = {&b, &dup};
    th_assert_status(sinew_insert_many(s, &item_model, ptrs, 2), SINEW_CONSTRAINT, NULL);
    assert_int_equal(b.id, 0);
    assert_int_equal(b.prio, 0);
    assert_null(b.severity);
    assert_int_equal(b.created_at, 0);
    assert_false(b.has_due);
    /* a caller's struct whose value breaks the rules is refused before anything is written */
    Item bad = {0};
    bad.name = "bad";
    bad.prio = 9;
    void *one[1] = {&bad};
    th_assert_status(sinew_insert_many(s, &item_model, one, 1), SINEW_INVALID, "Item.prio = 9 is above the maximum 5");
    assert_int_equal(bad.stock, 0);
    int64_t n;
    th_ok(sinew_count(s, &item_model, &n));
    assert_int_equal(n, 1);
    sinew_session_free(s);
    th_close(db);
}

static void insert_and_upsert_apply_defaults(void **state)
{
    (void)state;
    sinew_session *s;
    sinew_db *db = fresh(&s);
    int64_t t0 = now_us();
    Item a = {0};
    a.name = "inserted";
    th_ok(sinew_insert(s, &item_model, &a));   /* prio left 0 is 3, so within its range */
    Item u = {0};
    u.name = "upserted";
    static const unsigned on_name[] = {1};
    th_ok(sinew_upsert(s, &item_model, &u, on_name, 1));
    int64_t t1 = now_us();
    assert_defaults(&a, t0, t1);
    assert_defaults(&u, t0, t1);
    sinew_session *s2;
    Item *r = reload(db, &s2, u.id);
    assert_defaults(r, t0, t1);
    int64_t created = r->created_at;
    sinew_session_free(s2);
    /* the row exists: what the struct sets is updated, what it left zero keeps the row's value */
    Item again = {0};
    again.name = "upserted";
    again.stock = 42;
    th_ok(sinew_upsert(s, &item_model, &again, on_name, 1));
    assert_int_equal(again.id, u.id);
    r = reload(db, &s2, u.id);
    assert_int_equal(r->stock, 42);
    assert_true(r->created_at == created);
    assert_int_equal(r->prio, 3);
    sinew_session_free(s2);
    /* a session object's values are all its own: a 0 on purpose is written by upsert too */
    Item *mine;
    th_ok(sinew_new(s, &item_model, (void **)&mine));
    mine->name = "upserted";
    mine->stock = 0;
    th_ok(sinew_upsert(s, &item_model, mine, on_name, 1));
    r = reload(db, &s2, u.id);
    assert_int_equal(r->stock, 0);
    sinew_session_free(s2);
    sinew_session_free(s);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_new_object_holds_its_defaults),
        cmocka_unit_test(a_value_set_on_purpose_wins_over_the_default),
        cmocka_unit_test(bulk_insert_applies_defaults),
        cmocka_unit_test(bulk_insert_by_copy_applies_defaults),
        cmocka_unit_test(a_failed_bulk_insert_gives_the_structs_back_as_they_were),
        cmocka_unit_test(insert_and_upsert_apply_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
