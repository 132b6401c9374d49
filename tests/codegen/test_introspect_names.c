/*
 * A model read from a database gets the function prefix (c_name) that the
 * schema file `sinew db pull` prints for it gives when resolved: both come from
 * the one snake_case in schema/names.c. Before, introspection had a third
 * snake_case that did not split a run of capitals ("HTTPLog" -> httplog, where
 * the resolver gives http_log), so code generated straight from the database
 * and code generated from the pulled file named their functions differently.
 */
#include "harness.h"
#include <stdlib.h>
#include <string.h>
#include "sinew/migrate.h"
#include "sinew/parse.h"

static void introspected_prefix_is_the_resolvers(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_exec(db, "CREATE TABLE \"HTTPLogs\" (\"id\" INTEGER PRIMARY KEY)"));
    sinew_schema *live;
    th_ok(sinew_introspect(db, &live));
    const sinew_model *m = sinew_schema_find_table(live, "HTTPLogs");
    assert_non_null(m);
    assert_string_equal(m->name, "HTTPLog");
    assert_string_equal(m->c_name, "http_log");
    /* the pulled text, resolved again, names it the same */
    char *text;
    th_ok(sinew_schema_to_string(live, &text));
    sinew_schema *again = NULL;
    th_ok(sinew_schema_parse("pulled.sinew", text, strlen(text), NULL, &again));
    const sinew_model *m2 = sinew_schema_find_table(again, "HTTPLogs");
    assert_non_null(m2);
    assert_string_equal(m2->c_name, m->c_name);
    sinew_schema_free(again);
    sinew_free(text);
    sinew_schema_free(live);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(introspected_prefix_is_the_resolvers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
