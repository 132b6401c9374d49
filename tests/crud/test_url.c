/* Database URLs: the accepted forms parse into their parts; bad ones say what is wrong. */
#include "harness.h"
#include <stdio.h>
#include <string.h>

static void good_urls_parse(void **state)
{
    (void)state;
    sinew_url *u;
    th_ok(sinew_url_parse("sqlite::memory:", &u));
    assert_string_equal(u->scheme, "sqlite");
    assert_string_equal(u->path, ":memory:");
    sinew_url_free(u);
    th_ok(sinew_url_parse("sqlite:///tmp/a%20b.db?busy_timeout=10", &u));
    assert_string_equal(u->path, "/tmp/a b.db");
    assert_string_equal(sinew_url_param(u, "busy_timeout"), "10");
    sinew_url_free(u);
    th_ok(sinew_url_parse("postgres://ann:p%40ss@127.0.0.1:5433/blog?sslmode=disable&application_name=x", &u));
    assert_string_equal(u->scheme, "postgres");
    assert_string_equal(u->user, "ann");
    assert_string_equal(u->password, "p@ss");
    assert_string_equal(u->host, "127.0.0.1");
    assert_int_equal(u->port, 5433);
    assert_string_equal(u->path, "blog");
    assert_string_equal(sinew_url_param(u, "sslmode"), "disable");
    assert_null(sinew_url_param(u, "nope"));
    sinew_url_free(u);
    th_ok(sinew_url_parse("postgresql://[::1]:6000/db", &u));
    assert_string_equal(u->host, "::1");
    assert_int_equal(u->port, 6000);
    sinew_url_free(u);
    th_ok(sinew_url_parse("postgres:///db", &u));
    assert_null(u->host);
    assert_string_equal(u->path, "db");
    sinew_url_free(u);
}

static void bad_urls_are_explained(void **state)
{
    (void)state;
    static const struct { const char *url; const char *msg; } cases[] = {
        {"", "empty"},
        {"blog.db", "no scheme"},
        {":memory:", "no scheme"},
        {"oracle://x/y", "unknown scheme 'oracle'"},
        {"sqlite:", "no database file given"},
        {"sqlite://relative.db", "absolute path"},
        {"postgres:host/db", "expected '//'"},
        {"postgres://h:99999/db", "port '99999' is not a number from 1 to 65535"},
        {"postgres://h:abc/db", "port 'abc'"},
        {"postgres://h:/db", "empty port"},
        {"postgres://h:0/db", "port 0"},
        {"postgres://[::1/db", "unterminated '['"},
        {"postgres://h/db?sslmode", "has no '=value'"},
        {"postgres://h/db?=x", "empty query parameter name"},
        {"postgres://us%zzer@h/db", "invalid percent-escape in the user name"},
        {"postgres://h/d%00b", "invalid percent-escape"},
        {"sq lite:x", "invalid character in the scheme"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sinew_url *u = (sinew_url *)0x1;
        int rc = sinew_url_parse(cases[i].url, &u);
        if (rc != SINEW_INVALID || !strstr(sinew_errmsg(), cases[i].msg))
            fail_msg("'%s': got %s '%s', want SINEW_INVALID with '%s'", cases[i].url, sinew_status_name(rc),
                     sinew_errmsg(), cases[i].msg);
        assert_null(u);
    }
    sinew_db *db;
    th_assert_status(sinew_open("oracle://127.0.0.1/x", &db), SINEW_INVALID, "unknown scheme");
    /* mariadb:// and mysql:// are server URLs; their parameters are checked before connecting */
    sinew_url *mu;
    th_ok(sinew_url_parse("mysql://u:p%40w@db.example:3307/shop?ssl-mode=REQUIRED", &mu));
    assert_string_equal(mu->scheme, "mysql");
    assert_string_equal(mu->password, "p@w");
    assert_int_equal(mu->port, 3307);
    assert_string_equal(mu->path, "shop");
    assert_string_equal(sinew_url_param(mu, "ssl-mode"), "REQUIRED");
    sinew_url_free(mu);
    if (sinew_find_driver("mariadb")) {
        th_assert_status(sinew_open("mariadb://127.0.0.1:1/x?sslmod=REQUIRED", &db), SINEW_INVALID, "'sslmod'");
        th_assert_status(sinew_open("mariadb://127.0.0.1:1/x?charset=latin1", &db), SINEW_INVALID, "utf8mb4");
        th_assert_status(sinew_open("mariadb://127.0.0.1:1/x?ssl-mode=maybe", &db), SINEW_INVALID, "ssl-mode=maybe");
        th_assert_status(sinew_open("mariadb://127.0.0.1:1/x?connect_timeout=1", &db), SINEW_CONNECTION, "cannot connect");
    }
    th_assert_status(sinew_open("sqlite::memory:?mode=bogus", &db), SINEW_INVALID, "mode=bogus");
    th_assert_status(sinew_open("sqlite::memory:?busy_timeout=soon", &db), SINEW_INVALID, "busy_timeout=soon");
}

/* open() as a driver of interface version 1 to 5 has it: out-parameter first. Counted,
 * and it refuses arguments in the new order (a URL where the out-pointer belongs). */
static int legacy_opens;
static int legacy_sqlite_open(sinew_conn **out, const sinew_url *url)
{
    legacy_opens++;
    if (!out || !url || !url->scheme) return sinew_error_set(SINEW_MISUSE, "legacy open: arguments swapped");
    return sinew_sqlite_driver.open(url, out);
}

/* The registry accepts every driver interface version from 1 to SINEW_DRIVER_VERSION:
 * a driver declaring an older one is used through a copy whose later members are NULL
 * (version 1 has no column_cell), so sinew never reads past what the driver declared.
 * A version outside that range, or a required member missing, is refused by name. */
static void driver_interface_versions(void **state)
{
    (void)state;
    static const char *const schemes[] = {"oldthing", NULL};
    static const char *const newer_schemes[] = {"newthing", NULL};
    static sinew_driver bad;
    bad = sinew_sqlite_driver;
    bad.schemes = newer_schemes;
    bad.version = SINEW_DRIVER_VERSION + 1;
    char want[128];
    snprintf(want, sizeof want, "declares interface version %d; this sinew accepts 1 to %d",
             SINEW_DRIVER_VERSION + 1, SINEW_DRIVER_VERSION);
    th_assert_status(sinew_register_driver(&bad), SINEW_MISUSE, want);
    bad.version = 0;
    th_assert_status(sinew_register_driver(&bad), SINEW_MISUSE, "interface version 0");
    bad.version = SINEW_DRIVER_VERSION;
    bad.step = NULL;
    th_assert_status(sinew_register_driver(&bad), SINEW_MISUSE, "driver 'sqlite' has no step");
    bad.step = sinew_sqlite_driver.step;
    bad.copy_begin = (int (*)(sinew_conn *, const char *))sinew_sqlite_driver.exec;
    th_assert_status(sinew_register_driver(&bad), SINEW_MISUSE, "copy_begin, copy_row and copy_end");
    assert_null(sinew_find_driver("newthing"));

    static sinew_driver old;   /* registered: must outlive its use */
    old = sinew_sqlite_driver;
    old.version = 1;
    old.schemes = schemes;
    old.open = SINEW_DRIVER_OPEN_V1(legacy_sqlite_open);
    th_ok(sinew_register_driver(&old));
    const sinew_driver *got = sinew_find_driver("oldthing");
    assert_non_null(got);
    assert_ptr_not_equal(got, &old);               /* sinew's copy, as far as version 1 reaches */
    assert_null(got->column_cell);                 /* a member version 1 does not have */
    assert_ptr_equal(got->step, sinew_sqlite_driver.step);
    assert_ptr_equal(got->copy_end, old.copy_end);
    /* open(&conn, url) of versions 1-5 is called through an adapter taking (url, &conn) */
    assert_ptr_not_equal(got->open, old.open);
    /* the dialect is copied as far as version 1 reaches too: decimal_cast (version 3) is absent */
    assert_ptr_not_equal(got->dialect, sinew_sqlite_driver.dialect);
    assert_string_equal(got->dialect->name, sinew_sqlite_driver.dialect->name);
    assert_null(got->dialect->decimal_cast);
    th_ok(sinew_register_driver(&old));            /* again: no second entry */
    assert_ptr_equal(sinew_find_driver("oldthing"), got);
    sinew_db *db;
    th_ok(sinew_open("oldthing::memory:", &db));
    assert_int_equal(legacy_opens, 1);
    th_ok(sinew_exec(db, "CREATE TABLE t (x INTEGER)"));
    sinew_close(db);

    /* a version-3 driver's dialect ends at decimal_cast: version 4's members read as absent */
    static const char *const v3_schemes[] = {"v3thing", NULL};
    static sinew_driver v3;
    v3 = sinew_sqlite_driver;
    v3.version = 3;
    v3.schemes = v3_schemes;
    v3.open = SINEW_DRIVER_OPEN_V1(legacy_sqlite_open);
    th_ok(sinew_register_driver(&v3));
    got = sinew_find_driver("v3thing");
    assert_non_null(got);
    assert_ptr_not_equal(got->dialect, sinew_sqlite_driver.dialect);
    assert_string_equal(got->dialect->decimal_cast, sinew_sqlite_driver.dialect->decimal_cast);
    assert_null(got->dialect->type_from_sql);
    assert_int_equal(got->dialect->alter_in_place, 0);
    assert_null(got->dialect->fk_enforcement_off);
    assert_null(got->dialect->fk_violations_query);

    /* a version-4 driver ends before introspect_schemas (version 5): a value past its end is not read */
    static const char *const v4_schemes[] = {"v4thing", NULL};
    static sinew_driver v4;
    v4 = sinew_sqlite_driver;
    v4.version = 4;
    v4.schemes = v4_schemes;
    v4.open = SINEW_DRIVER_OPEN_V1(legacy_sqlite_open);
    v4.introspect_schemas = (int (*)(sinew_conn *, const char *const *, size_t, sinew_schema **))1;
    th_ok(sinew_register_driver(&v4));
    got = sinew_find_driver("v4thing");
    assert_non_null(got);
    assert_ptr_not_equal(got, &v4);
    assert_null(got->introspect_schemas);
    assert_ptr_equal(got->column_cell, sinew_sqlite_driver.column_cell);   /* version 2's member is kept */
    assert_ptr_equal(got->introspect, sinew_sqlite_driver.introspect);

    /* a version-5 driver (the last with open(&conn, url)) is adapted too, and opens; its
       dialect ends before max_ident_len (version 6): no limit is read */
    static const char *const v5_schemes[] = {"v5thing", NULL};
    static sinew_dialect v5d;
    v5d = *sinew_sqlite_driver.dialect;
    v5d.has_row_locks = 1;
    v5d.max_ident_len = 10;
    static sinew_driver v5;
    v5 = sinew_sqlite_driver;
    v5.version = 5;
    v5.schemes = v5_schemes;
    v5.open = SINEW_DRIVER_OPEN_V1(legacy_sqlite_open);
    v5.dialect = &v5d;
    th_ok(sinew_register_driver(&v5));
    got = sinew_find_driver("v5thing");
    assert_non_null(got);
    assert_ptr_not_equal(got, &v5);
    assert_ptr_equal(got->introspect_schemas, sinew_sqlite_driver.introspect_schemas);
    assert_ptr_not_equal(got->dialect, &v5d);
    assert_int_equal(got->dialect->has_row_locks, 1);   /* version 5's member is kept */
    assert_int_equal(got->dialect->max_ident_len, 0);
    th_ok(sinew_open("v5thing::memory:", &db));
    assert_int_equal(legacy_opens, 2);
    sinew_close(db);
    /* the slots' trampolines are per driver: the version-1 one still reaches its own */
    th_ok(sinew_open("oldthing::memory:", &db));
    assert_int_equal(legacy_opens, 3);
    sinew_close(db);

    /* a version-6 driver's dialect ends before distribution_extension (version 7): read as absent,
       so @@distribute does nothing on it, whatever lies past the end of its dialect */
    static const char *const v6_schemes[] = {"v6thing", NULL};
    static sinew_driver v6;
    static sinew_dialect v6_dialect;
    v6_dialect = *sinew_postgres_driver.dialect;
    v6 = sinew_sqlite_driver;
    v6.version = 6;
    v6.schemes = v6_schemes;
    v6.dialect = &v6_dialect;
    th_ok(sinew_register_driver(&v6));
    got = sinew_find_driver("v6thing");
    assert_non_null(got);
    assert_ptr_not_equal(got->dialect, &v6_dialect);
    assert_int_equal(got->dialect->max_ident_len, 63);               /* version 6's member is kept */
    assert_null(got->dialect->distribution_extension);
    assert_string_equal(sinew_postgres_driver.dialect->distribution_extension, "citus");

    /* a version-7 driver's dialect ends before json_text (version 8): whatever lies past it, its
       placeholders are not made positional, names are cut, not refused, it has no schemas (@@schema is
       refused on it), migrate status creates its table as before, and so on */
    static const char *const v7_schemes[] = {"v7thing", NULL};
    static sinew_driver v7;
    static sinew_dialect v7_dialect;
    v7_dialect = *sinew_postgres_driver.dialect;
    v7_dialect.params_positional = v7_dialect.long_idents_refused = v7_dialect.row_locks_unqualified = 1;
    v7_dialect.update_no_returning = v7_dialect.fk_needs_index = v7_dialect.unique_named_by_column = 1;
    v7 = sinew_sqlite_driver;
    v7.version = 7;
    v7.schemes = v7_schemes;
    v7.dialect = &v7_dialect;
    th_ok(sinew_register_driver(&v7));
    got = sinew_find_driver("v7thing");
    assert_non_null(got);
    assert_string_equal(got->dialect->distribution_extension, "citus");   /* version 7's member is kept */
    assert_int_equal(got->dialect->params_positional, 0);
    assert_int_equal(got->dialect->long_idents_refused, 0);
    assert_int_equal(got->dialect->row_locks_unqualified, 0);
    assert_int_equal(got->dialect->update_no_returning, 0);
    assert_int_equal(got->dialect->fk_needs_index, 0);
    assert_int_equal(got->dialect->unique_named_by_column, 0);
    assert_null(got->dialect->create_schema);
    assert_null(got->dialect->migrations_exist_query);
    assert_non_null(sinew_postgres_driver.dialect->create_schema);

    static sinew_driver current;
    current = sinew_sqlite_driver;
    current.schemes = schemes;
    th_ok(sinew_register_driver(&current));
    assert_ptr_equal(sinew_find_driver("oldthing"), &current);   /* the current version is used as given */
    th_ok(sinew_open("oldthing::memory:", &db));                  /* open(url, &conn) called directly */
    assert_int_equal(legacy_opens, 3);
    sinew_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_urls_parse),
        cmocka_unit_test(bad_urls_are_explained),
        cmocka_unit_test(driver_interface_versions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
