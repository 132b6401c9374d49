/*
 * registry.c - the table of drivers sinew_open() chooses from by URL scheme.
 * Built-in drivers are always present; others are registered at start-up.
 *
 * A driver of an older interface version is copied, as far as its version
 * reaches, into a full-size struct whose later members stay NULL: the rest of
 * sinew then reads every member unconditionally (an optional one tested for
 * NULL, as before) and never past what the driver declared, with no version
 * test on any per-row path.
 *
 * Version 6 reordered open()'s parameters (out-parameter last). A driver of
 * an older version has open(&conn, url); its copy gets, in place of that, a
 * trampoline of its own registry slot that calls the driver's function with
 * the arguments in the old order. C has no closures, so there is one
 * trampoline per slot (MAX_DRIVERS of them); opening is not a hot path.
 */
#include <stddef.h>
#include <string.h>
#include "base.h"
#include "driver/registry.h"
#include "sinew/driver.h"

#define MAX_DRIVERS 16
static const sinew_driver *given[MAX_DRIVERS];   /* as registered, to recognise a second registration */
static const sinew_driver *extra[MAX_DRIVERS];   /* what sinew uses: given[i] or upgraded[i] */
static sinew_driver upgraded[MAX_DRIVERS];
static sinew_dialect upgraded_dialect[MAX_DRIVERS];
static size_t nextra;

/* the open() of the driver in each upgraded slot older than version 6, and a trampoline per slot */
static sinew_driver_open_v1 legacy_open[MAX_DRIVERS];
#define OPEN_V1(i) \
    static int open_v1_##i(const sinew_url *url, sinew_conn **out) { return legacy_open[i](out, url); }
OPEN_V1(0) OPEN_V1(1) OPEN_V1(2) OPEN_V1(3) OPEN_V1(4) OPEN_V1(5) OPEN_V1(6) OPEN_V1(7)
OPEN_V1(8) OPEN_V1(9) OPEN_V1(10) OPEN_V1(11) OPEN_V1(12) OPEN_V1(13) OPEN_V1(14) OPEN_V1(15)
#undef OPEN_V1
static int (*const open_v1[])(const sinew_url *, sinew_conn **) = {
    open_v1_0, open_v1_1, open_v1_2, open_v1_3, open_v1_4, open_v1_5, open_v1_6, open_v1_7,
    open_v1_8, open_v1_9, open_v1_10, open_v1_11, open_v1_12, open_v1_13, open_v1_14, open_v1_15,
};
_Static_assert(sizeof open_v1 / sizeof open_v1[0] == MAX_DRIVERS, "one open() trampoline per registry slot");

/* bytes of struct sinew_driver a driver of that version has */
static size_t driver_size(int version)
{
    switch (version) {
    case 1: return offsetof(sinew_driver, column_cell);
    case 2: case 3: case 4: return offsetof(sinew_driver, introspect_schemas);
    case 5: case 6: return offsetof(sinew_driver, pipeline_begin);
    case 7: case 8: return offsetof(sinew_driver, conn_dialect);
    case 9: return offsetof(sinew_driver, column_cells);
    default: return sizeof(sinew_driver);
    }
}

/* bytes of struct sinew_dialect a driver of that version has */
static size_t dialect_size(int version)
{
    switch (version) {
    case 1: case 2: return offsetof(sinew_dialect, decimal_cast);
    case 3: return offsetof(sinew_dialect, type_from_sql);
    case 4: return offsetof(sinew_dialect, has_row_locks);
    case 5: return offsetof(sinew_dialect, max_ident_len);
    case 6: return offsetof(sinew_dialect, distribution_extension);
    case 7: return offsetof(sinew_dialect, json_text);
    case 8: return offsetof(sinew_dialect, insert_no_returning);
    default: return sizeof(sinew_dialect);
    }
}

/* the first required member that is NULL, or NULL */
static const char *missing_member(const sinew_driver *d)
{
#define REQUIRE(m) if (!d->m) return #m
    REQUIRE(name); REQUIRE(schemes); REQUIRE(dialect);
    REQUIRE(open); REQUIRE(close);
    REQUIRE(prepare); REQUIRE(bind); REQUIRE(step); REQUIRE(reset); REQUIRE(finalize);
    REQUIRE(column_count); REQUIRE(column_name); REQUIRE(column_storage);
    REQUIRE(column_i64); REQUIRE(column_f64); REQUIRE(column_text); REQUIRE(column_blob);
    REQUIRE(exec); REQUIRE(begin); REQUIRE(commit); REQUIRE(rollback);
    REQUIRE(savepoint); REQUIRE(release); REQUIRE(rollback_to);
    REQUIRE(changes); REQUIRE(last_insert_id); REQUIRE(in_transaction);
    REQUIRE(dialect->name); REQUIRE(dialect->column_type); REQUIRE(dialect->auto_pk_type);
#undef REQUIRE
    if (!d->copy_begin != !d->copy_row || !d->copy_begin != !d->copy_end)
        return "copy_begin, copy_row and copy_end (all three or none)";
    if (d->version >= 7 && (!d->pipeline_begin != !d->send || !d->send != !d->receive || !d->receive != !d->pipeline_end))
        return "pipeline_begin, send, receive and pipeline_end (all four or none)";
    return NULL;
}

int sinew_register_driver(const sinew_driver *d)
{
    if (!d) return sinew_error_set(SINEW_MISUSE, "sinew_register_driver: driver is NULL");
    /* the version first: it says how much of the struct may be read at all */
    if (d->version < 1 || d->version > SINEW_DRIVER_VERSION)
        return sinew_error_set(SINEW_MISUSE, "sinew_register_driver: driver '%s' declares interface version %d; "
                                             "this sinew accepts 1 to %d (SINEW_DRIVER_VERSION in sinew/driver.h)",
                               d->name ? d->name : "?", d->version, SINEW_DRIVER_VERSION);
    for (size_t i = 0; i < nextra; i++)
        if (given[i] == d) return SINEW_OK;
    if (nextra == MAX_DRIVERS)
        return sinew_error_set(SINEW_MISUSE, "sinew_register_driver: too many drivers (max %d)", MAX_DRIVERS);
    const sinew_driver *use = d;
    if (d->version < SINEW_DRIVER_VERSION) {
        sinew_driver *u = &upgraded[nextra];
        memset(u, 0, sizeof *u);
        memcpy(u, d, driver_size(d->version));
        if (d->dialect) {
            /* the dialect grows with the driver version too: its newer members stay NULL */
            sinew_dialect *ud = &upgraded_dialect[nextra];
            memset(ud, 0, sizeof *ud);
            memcpy(ud, d->dialect, dialect_size(d->version));
            u->dialect = ud;
        }
        if (d->version < 6 && d->open) {
            /* stored with SINEW_DRIVER_OPEN_V1: called back through its own type */
            legacy_open[nextra] = (sinew_driver_open_v1)(void (*)(void))d->open;
            u->open = open_v1[nextra];
        }
        use = u;
    }
    const char *miss = missing_member(use);
    if (miss)
        return sinew_error_set(SINEW_MISUSE, "sinew_register_driver: driver '%s' has no %s; only introspect, "
                                             "stream, the copy_* functions, column_cell, introspect_schemas, the "
                                             "pipelining four, conn_dialect, bind_rows and column_cells may be NULL",
                               d->name ? d->name : "?", miss);
    given[nextra] = d;
    extra[nextra++] = use;
    return SINEW_OK;
}

static int serves(const sinew_driver *d, const char *scheme)
{
    for (const char *const *s = d->schemes; *s; s++)
        if (strcmp(*s, scheme) == 0) return 1;
    return 0;
}

const sinew_driver *sinew_find_driver(const char *scheme)
{
    /* registered drivers first, so a wrapper can stand in for a built-in one */
    for (size_t i = nextra; i-- > 0;)
        if (serves(extra[i], scheme)) return extra[i];
    if (serves(&sinew_sqlite_driver, scheme)) return &sinew_sqlite_driver;
#ifdef SINEW_HAVE_POSTGRES
    if (serves(&sinew_postgres_driver, scheme)) return &sinew_postgres_driver;
#endif
#ifdef SINEW_HAVE_MARIADB
    if (serves(&sinew_mariadb_driver, scheme)) return &sinew_mariadb_driver;
#endif
    return NULL;
}

const char *sn_driver_absent_hint(const char *scheme)
{
#ifndef SINEW_HAVE_POSTGRES
    if (scheme && strncmp(scheme, "postgres", 8) == 0) return " (rebuild with -DSINEW_POSTGRES=ON and libpq installed)";
#endif
#ifndef SINEW_HAVE_MARIADB
    if (scheme && (strcmp(scheme, "mariadb") == 0 || strcmp(scheme, "mysql") == 0))
        return " (rebuild with MariaDB Connector/C installed: apt-get install libmariadb-dev, -DSINEW_MARIADB=ON)";
#endif
    (void)scheme;
    return "";
}

int sn_url_is_private_memory(const sinew_url *u)
{
    /* the built-in SQLite driver's in-memory forms (a wrapper registered under its schemes too) */
    if (!u || (strcmp(u->scheme, "sqlite") != 0 && strcmp(u->scheme, "sqlite3") != 0)) return 0;
    const char *mode = sinew_url_param(u, "mode");
    return strcmp(u->path, ":memory:") == 0 || strstr(u->path, ":memory:") || (mode && strcmp(mode, "memory") == 0);
}
