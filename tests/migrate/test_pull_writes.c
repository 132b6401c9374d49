/*
 * test_pull_writes.c - writes to the columns a pulled database has that
 * sinew does not compute itself (issue 19, item 11), on the backend under test:
 *  - a generated column (GENERATED ALWAYS AS (...) STORED) pulls as a
 *    @generated field: never written by an insert, an update or an upsert
 *    (the database refuses that), read back after each save, and created
 *    again by the DDL made from the pulled file with no drift;
 *  - a column of a type sinew reads as text (@db_type: a PostgreSQL array; on
 *    SQLite a declared VARCHAR, on MariaDB a SET) is written as the type's text form, which the
 *    database parses (PostgreSQL infers an untyped parameter's type from the
 *    column): an insert and an update of it round-trip, and a save that
 *    leaves it unchanged does not touch it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "support.h"

typedef struct Item {
    int64_t id;
    double price;
    int64_t qty;
    double total;
    bool has_total;
    char *tags;
    char *note;
} Item;

static sinew_field item_fields[] = {
    SINEW_FIELD(Item, id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_AUTO),
    SINEW_FIELD(Item, price, SINEW_DOUBLE, 0),
    SINEW_FIELD(Item, qty, SINEW_INT64, 0),
    SINEW_FIELD_OPT(Item, total, SINEW_DOUBLE, SINEW_FIELD_GENERATED | SINEW_FIELD_READONLY),
    SINEW_FIELD(Item, tags, SINEW_TEXT, SINEW_FIELD_NULLABLE | SINEW_FIELD_DB_TYPE),
    SINEW_FIELD(Item, note, SINEW_TEXT, SINEW_FIELD_NULLABLE),
};
static const unsigned item_pk[] = {0};
static const sinew_model item_model = SINEW_MODEL(Item, "Item", "items", "item", item_fields, item_pk);

/* the opaque column's type on each backend, two values of it in its text form, and the table with
   the same columns where total is an ordinary column */
static const struct backend_fixture {
    const char *backend, *tags_type, *a, *b, *plain_table;
} fixtures[] = {
    {"sqlite", "VARCHAR(40)", "red,blue", "green",
     "CREATE TABLE items (id INTEGER PRIMARY KEY, price REAL NOT NULL, qty INTEGER NOT NULL, "
     "total REAL, tags VARCHAR(40), note TEXT)"},
    {"postgres", "text[]", "{red,blue}", "{green}",
     "CREATE TABLE items (id bigint PRIMARY KEY, price double precision NOT NULL, qty bigint NOT NULL, "
     "total double precision, tags text[], note text)"},
    {"mariadb", "SET('red','blue','green')", "red,blue", "green",
     "CREATE TABLE items (id bigint PRIMARY KEY, price double NOT NULL, qty bigint NOT NULL, "
     "total double, tags SET('red','blue','green'), note longtext)"},
};

static const struct backend_fixture *fixture(void)
{
    for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++)
        if (!strcmp(fixtures[i].backend, th_backend())) return &fixtures[i];
    fail_msg("no fixture for %s", th_backend());
    return NULL;
}

static void opaque_and_generated_writes(void **state)
{
    (void)state;
    const struct backend_fixture *fx = fixture();
    item_fields[3].generated = "price * qty";
    item_fields[4].db_type = fx->tags_type;
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &item_model));   /* the DDL sinew writes for such fields */
    const char *a = fx->a, *b = fx->b;
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Item *it;
    th_ok(sinew_new(s, &item_model, (void **)&it));
    it->price = 2.5;
    it->qty = 4;
    it->total = 99;          /* never written: the database computes it */
    it->has_total = true;
    it->tags = sinew_strdup(s, a);
    th_ok(sinew_save(s, &item_model, it));
    assert_true(it->id > 0);
    assert_true(it->has_total);
    assert_true(it->total == 10.0);   /* read back after the insert */
    it->qty = 6;
    th_ok(sinew_save(s, &item_model, it));
    assert_true(it->total == 15.0);   /* and after the update */
    it->note = sinew_strdup(s, "n");  /* the opaque column is left alone when unchanged */
    th_ok(sinew_save(s, &item_model, it));
    char want[200];
    snprintf(want, sizeof want, "6|15|%s|n\n", a);
    mt_assert_rows(db, "SELECT qty, total, tags, note FROM items", want);
    it->tags = sinew_strdup(s, b);
    th_ok(sinew_save(s, &item_model, it));
    /* a caller's struct, and a bulk insert, leave it out too */
    Item mine = {.price = 1, .qty = 3, .total = 7, .has_total = true};
    th_ok(sinew_insert(s, &item_model, &mine));
    assert_true(mine.total == 3.0);
    sinew_session_free(s);
    th_ok(sinew_session_new(db, &s));
    Item *back;
    sinew_value key = sinew_v_int64(it->id);
    th_ok(sinew_get(s, &item_model, &key, 1, (void **)&back));
    assert_string_equal(back->tags, b);
    assert_true(back->total == 15.0);
    sinew_session_free(s);

    /* pulled: the generated column is @generated, and the pulled file's DDL makes it again */
    sinew_schema *live;
    th_ok(sinew_introspect(db, &live));
    const sinew_model *m = sinew_schema_find_table(live, "items");
    int t = sinew_model_column_index(m, "total");
    assert_true(t >= 0);
    assert_true(m->fields[t].flags & SINEW_FIELD_GENERATED);
    assert_true(m->fields[t].flags & SINEW_FIELD_READONLY);
    assert_non_null(m->fields[t].generated);
    char *text;
    th_ok(sinew_schema_to_string(live, &text));
    assert_non_null(strstr(text, "@generated(\""));
    sinew_diagnostics *d;
    th_ok(sinew_diagnostics_new(&d));
    sinew_schema *parsed = NULL;
    th_ok(sinew_schema_parse("pulled.sinew", text, strlen(text), d, &parsed));
    char *report = NULL;
    size_t n = mt_drift(db, parsed, &report);
    if (n) print_error("%s", report);
    assert_int_equal(n, 0);
    sinew_migrate_free(report);
    sinew_db *db2 = th_open();
    th_ok(sinew_create_tables(db2, parsed));
    th_ok(sinew_exec(db2, "INSERT INTO items (price, qty) VALUES (2, 5)"));
    mt_assert_rows(db2, "SELECT total FROM items", "10\n");
    n = mt_drift(db2, parsed, &report);
    if (n) print_error("%s", report);
    assert_int_equal(n, 0);
    sinew_migrate_free(report);
    /* a column that is not generated where the schema says it is, is drift */
    th_ok(sinew_exec(db2, "DROP TABLE items"));
    th_ok(sinew_exec(db2, fx->plain_table));
    n = mt_drift(db2, parsed, &report);
    assert_non_null(report);
    assert_non_null(strstr(report, "column total is not generated in the database, generated expected"));
    sinew_migrate_free(report);
    th_close(db2);
    sinew_schema_free(parsed);
    sinew_diagnostics_free(d);
    sinew_free(text);
    sinew_schema_free(live);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(opaque_and_generated_writes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
