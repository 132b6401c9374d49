/*
 * @@distribute and @@reference on backends that do not distribute tables
 * (SQLite; PostgreSQL without the citus extension): the graph carries the
 * layout; the SQLite migration has no distribution step and keeps its
 * foreign keys inline; the PostgreSQL one creates the tables, distributes
 * them in DO blocks guarded by the extension (referenced tables first, the
 * colocation named) and adds the foreign keys after; both apply, the keys
 * hold, drift sees nothing (the database cannot say how it is distributed,
 * so it is not compared), introspection says nothing about distribution,
 * and sinew_create_tables() builds the same. tests/pool/test_citus.c runs
 * the same schema on a real cluster.
 */
#include "harness.h"
#include "distribute_schema.h"
#include "support.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sinew_schema *shop(void)
{
    sinew_schema *s;
    th_ok(sinew_schema_parse("shop.sinew", shop_schema, strlen(shop_schema), NULL, &s));
    return s;
}

static void the_graph_carries_the_layout(void **state)
{
    (void)state;
    sinew_schema *s = shop();
    const sinew_model *t = sinew_schema_find_model(s, "Tenant"), *o = sinew_schema_find_model(s, "Order");
    const sinew_model *i = sinew_schema_find_model(s, "Item"), *c = sinew_schema_find_model(s, "Country");
    assert_int_equal(t->distribution, SINEW_DIST_HASH);
    assert_string_equal(t->fields[t->dist_field].column, "id");
    assert_int_equal(o->distribution, SINEW_DIST_HASH);
    assert_string_equal(o->fields[o->dist_field].column, "tenant_id");   /* by its relation's key column */
    assert_int_equal(i->distribution, SINEW_DIST_HASH);
    assert_ptr_equal(i->colocate_with, o);
    assert_int_equal(c->distribution, SINEW_DIST_REFERENCE);
    assert_null(t->colocate_with);
    /* printed and parsed again: the same layout (a relation is printed by its name) */
    char *text;
    th_ok(sinew_schema_to_string(s, &text));
    assert_non_null(strstr(text, "@@distribute(tenant)\n"));
    assert_non_null(strstr(text, "@@distribute(tenant_id, colocate_with: Order)\n"));
    assert_non_null(strstr(text, "@@reference\n"));
    sinew_schema *again;
    th_ok(sinew_schema_parse("again.sinew", text, strlen(text), NULL, &again));
    const sinew_model *o2 = sinew_schema_find_model(again, "Order");
    assert_int_equal(o2->distribution, SINEW_DIST_HASH);
    assert_string_equal(o2->fields[o2->dist_field].column, "tenant_id");
    assert_ptr_equal(sinew_schema_find_model(again, "Item")->colocate_with, o2);
    assert_int_equal(sinew_schema_find_model(again, "Country")->distribution, SINEW_DIST_REFERENCE);
    sinew_schema_free(again);
    sinew_free(text);
    sinew_schema_free(s);
}

static void migrations_distribute_only_where_they_can(void **state)
{
    (void)state;
    char dir[600], schema[600], path[700];
    snprintf(dir, sizeof dir, "%s/dist_%s", th_tmpdir(), th_backend());
    snprintf(schema, sizeof schema, "%s/shop_%s.sinew", th_tmpdir(), th_backend());
    mt_write(schema, shop_schema);
    sinew_make_opts opts = {0, 0};
    char *made = NULL;
    th_ok(sinew_migrate_make(dir, schema, "init", &opts, &made));
    assert_non_null(made);
    snprintf(path, sizeof path, "%s/up.sqlite.sql", made);
    char *lite = mt_read(path);
    snprintf(path, sizeof path, "%s/up.postgres.sql", made);
    char *pg = mt_read(path);
    sinew_migrate_free(made);
    /* SQLite: no distribution step, the foreign keys inside CREATE TABLE */
    assert_null(strstr(lite, "distribute"));
    assert_null(strstr(lite, "ALTER TABLE"));
    assert_non_null(strstr(lite, "FOREIGN KEY (\"tenant_id\", \"order_id\") REFERENCES \"orders\""));
    /* PostgreSQL: tables, then the guarded calls in key order, then the foreign keys */
    const char *guard = strstr(pg, "IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN");
    const char *tenants = strstr(pg, "PERFORM create_distributed_table('\"tenants\"', 'id');");
    const char *orders = strstr(pg, "PERFORM create_distributed_table('\"orders\"', 'tenant_id');");
    const char *items = strstr(pg, "PERFORM create_distributed_table('\"items\"', 'tenant_id', colocate_with => '\"orders\"');");
    const char *countries = strstr(pg, "PERFORM create_reference_table('\"countries\"');");
    const char *fk = strstr(pg, "ALTER TABLE \"items\" ADD FOREIGN KEY (\"tenant_id\", \"order_id\") REFERENCES \"orders\"");
    const char *last_create = strstr(pg, "CREATE TABLE \"items\"");
    assert_non_null(guard);
    assert_non_null(tenants);
    assert_non_null(orders);
    assert_non_null(items);
    assert_non_null(countries);
    assert_non_null(fk);
    assert_non_null(last_create);
    assert_true(last_create < guard);
    assert_true(tenants < orders);
    assert_true(orders < items);
    assert_true(countries < items);
    assert_true(items < fk);
    assert_null(strstr(strstr(pg, "CREATE TABLE \"items\""), "  FOREIGN KEY"));   /* not inline */
    free(lite);
    free(pg);
    /* applied here (no citus): the tables are plain, the keys hold, no drift */
    sinew_db *db = th_open();
    th_ok(sinew_migrate_up(db, dir));
    th_ok(sinew_exec(db, "INSERT INTO tenants (id, name) VALUES (1, 'a')"));
    th_ok(sinew_exec(db, "INSERT INTO countries (code) VALUES ('NZ')"));
    th_ok(sinew_exec(db, "INSERT INTO orders (tenant_id, id) VALUES (1, 10)"));
    th_ok(sinew_exec(db, "INSERT INTO items (tenant_id, order_id, id, sku, country_code) VALUES (1, 10, 1, 'x', 'NZ')"));
    th_assert_status(sinew_exec(db, "INSERT INTO items (tenant_id, order_id, id, sku, country_code) "
                                    "VALUES (1, 11, 2, 'y', 'NZ')"), SINEW_CONSTRAINT, NULL);
    char *report = NULL;
    size_t ndrift = 99;
    th_ok(sinew_migrate_check(db, dir, &report, &ndrift));
    if (ndrift) print_error("%s", report);
    assert_int_equal(ndrift, 0);
    sinew_migrate_free(report);
    sinew_schema *live;
    th_ok(sinew_introspect(db, &live));
    for (size_t i = 0; i < live->nmodels; i++) assert_int_equal(live->models[i]->distribution, SINEW_DIST_UNSAID);
    sinew_schema_free(live);
    th_ok(sinew_migrate_down(db, dir, 0));
    th_close(db);
}

static void create_tables_builds_the_same(void **state)
{
    (void)state;
    sinew_schema *s = shop();
    sinew_db *db = th_open();
    th_ok(sinew_create_tables(db, s));
    th_ok(sinew_exec(db, "INSERT INTO tenants (id, name) VALUES (1, 'a')"));
    th_assert_status(sinew_exec(db, "INSERT INTO orders (tenant_id, id) VALUES (2, 10)"), SINEW_CONSTRAINT, NULL);
    assert_int_equal(mt_drift(db, s, NULL), 0);
    th_close(db);
    sinew_schema_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_graph_carries_the_layout),
        cmocka_unit_test(migrations_distribute_only_where_they_can),
        cmocka_unit_test(create_tables_builds_the_same),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
