/*
 * test_dialect_types.c - the built-in dialects' capabilities, as data.
 *
 * type_from_sql (how a database reports a column type, used by the drift
 * engine) is the catalog readers' own reading (schema/introspect.h), so a
 * database the migrations built shows no drift; here it reads what each
 * database reports as it should, and each dialect reads back its own DDL type
 * of every sinew type.
 */
#include "harness.h"
#include <string.h>
#include "schema/introspect.h"
#include "sql/dialect.h"
#include "sinew/migrate.h"

static const char *const names[] = {
    "", "INTEGER", "int", "BIGINT", "smallint", "TINYINT", "BOOLEAN", "bool", "REAL", "DOUBLE PRECISION",
    "double", "FLOAT", "NUMERIC", "numeric(10,2)", "DECIMAL(5,1)", "TEXT", "VARCHAR(20)", "NVARCHAR(120)",
    "character varying", "CLOB", "BLOB", "bytea", "DATE", "DATETIME", "timestamp", "timestamptz",
    "timestamp with time zone", "UUID", "JSON", "jsonb", "money", "interval", "whatever",
};

/* the dialects read what each database reports (one reading, the catalog readers' too) */
static void type_reading(void **state)
{
    (void)state;
    static const struct { const char *decl; sinew_type sqlite, pg; } cases[] = {
        {"INTEGER", SINEW_INT64, SINEW_INT32},         {"BIGINT", SINEW_INT64, SINEW_INT64},
        {"BOOLEAN", SINEW_BOOL, SINEW_BOOL},           {"DOUBLE PRECISION", SINEW_DOUBLE, SINEW_DOUBLE},
        {"numeric(10,2)", SINEW_DECIMAL, SINEW_DECIMAL}, {"NUMERIC", SINEW_DECIMAL, SINEW_DECIMAL},
        {"NVARCHAR(120)", SINEW_TEXT, SINEW_TEXT},     {"bytea", SINEW_TEXT, SINEW_BLOB},
        {"BLOB", SINEW_BLOB, SINEW_TEXT},              {"DATETIME", SINEW_TIMESTAMP, SINEW_TEXT},
        {"timestamp with time zone", SINEW_TIMESTAMP, SINEW_TIMESTAMP},
        {"DATE", SINEW_DATE, SINEW_DATE},              {"UUID", SINEW_UUID, SINEW_UUID},
        {"jsonb", SINEW_JSON, SINEW_JSON},             {"whatever", SINEW_TEXT, SINEW_TEXT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (sn_dialect_sqlite.type_from_sql(cases[i].decl) != cases[i].sqlite ||
            sn_dialect_postgres.type_from_sql(cases[i].decl) != cases[i].pg)
            fail_msg("'%s': sqlite reads %d (want %d), postgres %d (want %d)", cases[i].decl,
                     sn_dialect_sqlite.type_from_sql(cases[i].decl), cases[i].sqlite,
                     sn_dialect_postgres.type_from_sql(cases[i].decl), cases[i].pg);
    }
    assert_int_equal(sn_dialect_sqlite.type_from_sql(""), SINEW_BLOB);   /* no type: BLOB affinity */
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {   /* and every name reads as something */
        assert_true(sn_dialect_sqlite.type_from_sql(names[i]) >= SINEW_BOOL);
        assert_true(sn_dialect_postgres.type_from_sql(names[i]) >= SINEW_BOOL);
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
            } else if (t == SINEW_ENUM || (t == SINEW_DECIMAL && dl->decimal_cast)) {
                assert_int_equal(back, SINEW_TEXT);   /* enums, and MariaDB's decimals, are stored as text */
            } else {
                assert_int_equal(back, t);
            }
        }
    }
}

static void registry_by_name(void **state)
{
    (void)state;
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
        cmocka_unit_test(type_reading),
        cmocka_unit_test(own_types_read_back),
        cmocka_unit_test(registry_by_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
