/*
 * test_dialect_types.c - the built-in dialects' capabilities, as data.
 *
 * type_from_sql (how a database reports a column type, used by the drift
 * engine) must read every type the way introspection does, or a database the
 * migrations built would show drift: until the catalog readers move into the
 * drivers and call the dialect, both readings exist, and this keeps them equal.
 * Each dialect also reads back its own DDL type of every sinew type.
 */
#include "harness.h"
#include <string.h>
#include "migrate/introspect.h"
#include "sql/dialect.h"
#include "sinew/migrate.h"

static const char *const names[] = {
    "", "INTEGER", "int", "BIGINT", "smallint", "TINYINT", "BOOLEAN", "bool", "REAL", "DOUBLE PRECISION",
    "double", "FLOAT", "NUMERIC", "numeric(10,2)", "DECIMAL(5,1)", "TEXT", "VARCHAR(20)", "NVARCHAR(120)",
    "character varying", "CLOB", "BLOB", "bytea", "DATE", "DATETIME", "timestamp", "timestamptz",
    "timestamp with time zone", "UUID", "JSON", "jsonb", "money", "interval", "whatever",
};

static void type_reading_matches_introspection(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        assert_int_equal(sn_dialect_sqlite.type_from_sql(names[i]), sn_type_from_sql(names[i], 0));
        assert_int_equal(sn_dialect_postgres.type_from_sql(names[i]), sn_type_from_sql(names[i], 1));
    }
}

static void own_types_read_back(void **state)
{
    (void)state;
    for (size_t d = 0; d < sn_ndialects; d++) {
        const sinew_dialect *dl = sn_dialects[d].dialect;
        for (int t = SINEW_BOOL; t <= SINEW_ENUM; t++) {
            sinew_field f;
            memset(&f, 0, sizeof f);
            f.type = (sinew_type)t;
            sinew_type back = dl->type_from_sql(dl->column_type(&f));
            /* SQLite keeps bool/int32 as INTEGER and the text-stored types as TEXT */
            if (!dl->alter_in_place) {
                if (t == SINEW_BOOL || t == SINEW_INT32) assert_int_equal(back, SINEW_INT64);
                else if (t == SINEW_DECIMAL || t == SINEW_UUID || t == SINEW_TIMESTAMP || t == SINEW_DATE ||
                         t == SINEW_ENUM || t == SINEW_JSON)
                    assert_int_equal(back, SINEW_TEXT);
                else assert_int_equal(back, t);
            } else {
                assert_int_equal(back, t == SINEW_ENUM ? SINEW_TEXT : t);
            }
        }
    }
}

static void registry_by_name(void **state)
{
    (void)state;
    assert_ptr_equal(sn_dialect_find("sqlite"), &sn_dialect_sqlite);
    assert_ptr_equal(sn_dialect_find("postgres"), &sn_dialect_postgres);
    assert_null(sn_dialect_find("mysql"));
    assert_null(sn_dialect_find(NULL));
    assert_int_equal(sinew_dialect_mask("sqlite"), SINEW_DIALECT_SQLITE);
    assert_int_equal(sinew_dialect_mask("postgres"), SINEW_DIALECT_POSTGRES);
    assert_int_equal(sinew_dialect_mask("all"), SINEW_DIALECT_ALL);
    assert_int_equal(sinew_dialect_mask("oracle"), 0);
    assert_int_equal(sinew_dialect_mask(NULL), 0);
    /* the drivers point at the registry's dialects */
    assert_ptr_equal(sinew_sqlite_driver.dialect, &sn_dialect_sqlite);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(type_reading_matches_introspection),
        cmocka_unit_test(own_types_read_back),
        cmocka_unit_test(registry_by_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
