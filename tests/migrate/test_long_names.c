/*
 * Names longer than the database keeps (PostgreSQL cuts identifiers at 63
 * bytes). A model whose table name is past the limit, with indexes over
 * long column names, a unique column, a composite unique key and a foreign
 * key from another long-named model: `migrate up` builds it and `migrate
 * check` reports no drift. The index names sinew derives (<table>_<columns>_idx)
 * are fitted to the limit with a hash of the whole name, so two of them that
 * agree in their first 63 bytes stay two indexes; the names PostgreSQL
 * gives itself (<table>_pkey, <table>_<columns>_fkey, <table>_<column>_key)
 * are derived by its own rule, so that a second migration dropping the
 * indexes and the unique keys, changing the foreign key's action and the
 * other model's key finds each of them; and the check compares table and
 * column names as the database keeps them. On every backend (SQLite has no
 * limit: the same migrations, nothing fitted). MariaDB refuses a name past
 * its 64 bytes instead of cutting it: there `migrate make` (also for every
 * dialect at once, on each backend), `migrate up` of a migration made for
 * another dialect and sinew_create_tables() refuse the schema before
 * anything runs, naming the model, the name, its length and the limit and
 * suggesting @@map; with the tables @@map'ed to names within the limit (one
 * of exactly 64 bytes), the same migrations run there, the derived names
 * fitted.
 */
#include "harness.h"
#include "sinew/migrate.h"
#include "sinew/parse.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PARENT "OrderFulfillmentWarehouseShipmentTrackingEventNotificationPreference"
#define CHILD "ShipmentTrackingEventNotificationPreferenceChangeHistoryRecord"
#define DELAYED "customer_notification_channel_preference_for_delayed_shipments"
#define EARLY "customer_notification_channel_preference_for_early_deliveries"
#define REGION "warehouse_region_code_used_for_regional_routing_and_escalation"
#define REVISION "revision_number_within_the_notification_preference_history"
#define OWNER "preference_that_this_history_record_belongs_to"

/* each "%s" is the model's @@map line, or nothing */
#define PARENT_MAP "  @@map(\"order_fulfillment_warehouse_shipment_tracking_event_notification\")\n"   /* 64 */
#define CHILD_MAP "  @@map(\"shipment_tracking_event_notification_preference_change_history\")\n"

static const char *v1 =
    "model " PARENT " {\n"
    "%s"
    "  id int64 @id @auto\n"
    "  " DELAYED " text @index\n"
    "  " EARLY " text @unique\n"
    "  " REGION " text\n"
    "  history " CHILD "[]\n"
    "  @@index([" DELAYED ", " REGION "])\n"
    "  @@index([" EARLY ", " REGION "])\n"      /* the same first 63 bytes as the index above */
    "  @@unique([" REGION ", " DELAYED "])\n"
    "}\n"
    "model " CHILD " {\n"
    "%s"
    "  id int64 @id\n"
    "  " REVISION " int32\n"
    "  " OWNER " " PARENT "? @on_delete(cascade)\n"
    "}\n";

/* the indexes and unique keys dropped, the foreign key's action and the child's key changed */
static const char *v2 =
    "model " PARENT " {\n"
    "%s"
    "  id int64 @id @auto\n"
    "  " DELAYED " text\n"
    "  " EARLY " text\n"
    "  " REGION " text\n"
    "  history " CHILD "[]\n"
    "  @@index([" DELAYED ", " REGION "])\n"
    "}\n"
    "model " CHILD " {\n"
    "%s"
    "  id int64\n"
    "  " REVISION " int32\n"
    "  " OWNER " " PARENT "? @on_delete(set_null)\n"
    "  @@id([id, " REVISION "])\n"
    "}\n";

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* schema v (v1 or v2), its tables @@map'ed to shorter names or not */
static void write_schema(const char *path, const char *v, int mapped)
{
    char text[4000];
    snprintf(text, sizeof text, v, mapped ? PARENT_MAP : "", mapped ? CHILD_MAP : "");
    write_file(path, text);
}

static size_t drift(sinew_db *to, const char *dir)
{
    char *report = NULL;
    size_t n = 99;
    th_ok(sinew_migrate_check(to, dir, &report, &n));
    if (n) print_message("drift:\n%s", report);
    sinew_migrate_free(report);
    return n;
}

static int64_t scalar(sinew_db *to, const char *sql)
{
    sinew_session *s;
    th_ok(sinew_session_new(to, &s));
    sinew_rows *r;
    th_ok(sinew_raw_rows(s, sql, NULL, 0, &r));
    assert_int_equal(sinew_rows_next(r), SINEW_ROW);
    int64_t v = sinew_rows_value(r, 0).u.i;
    sinew_rows_free(r);
    sinew_session_free(s);
    return v;
}

/* indexes of the database that are not a primary key's (PostgreSQL: also those of unique constraints) */
static int64_t indexes(sinew_db *to)
{
    if (th_is_postgres())
        return scalar(to, "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname NOT LIKE "
                          "'%pkey' AND tablename <> 'sinew_migrations'");
    if (th_is_mariadb())   /* the unique keys are indexes too, like PostgreSQL's */
        return scalar(to, "SELECT COUNT(DISTINCT TABLE_NAME, INDEX_NAME) FROM information_schema.STATISTICS WHERE "
                          "TABLE_SCHEMA = DATABASE() AND INDEX_NAME <> 'PRIMARY' AND TABLE_NAME NOT LIKE 'sinew%'");
    return scalar(to, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name <> 'sinew_migrations' "
                      "AND name NOT LIKE 'sqlite_autoindex%'");
}

static sinew_db *db;   /* closed by the teardown, also when an assertion fails */

static int teardown(void **state)
{
    (void)state;
    if (db) th_close(db);
    db = NULL;
    return 0;
}

static void long_names_show_no_drift(void **state)
{
    (void)state;
    char dir[600], schema[600];
    snprintf(dir, sizeof dir, "%s/longmigs_%s", th_tmpdir(), th_backend());
    snprintf(schema, sizeof schema, "%s/long_%s.sinew", th_tmpdir(), th_backend());
    char *made = NULL;
    db = th_open();
    const int refused = sinew_db_dialect(db)->long_idents_refused;
    /* for every dialect at once: MariaDB's names are too long, so nothing is written, on any backend */
    write_schema(schema, v1, 0);
    char all_dir[700];
    snprintf(all_dir, sizeof all_dir, "%s_all", dir);
    sinew_make_opts all = {0, 1};
    th_assert_status(sinew_migrate_make(all_dir, schema, "init", &all, &made), SINEW_INVALID,
                     "error: model " PARENT ": table name \"order_fulfillment_warehouse_shipment_tracking_event_"
                     "notification_preferences\" is 76 bytes long; mariadb refuses names longer than 64 bytes");
    assert_non_null(strstr(sinew_errmsg(), "@@map"));
    assert_non_null(strstr(sinew_errmsg(), "--dialect sqlite"));
    assert_null(made);
    assert_int_equal(access(all_dir, F_OK), -1);   /* not even the folder */

    /* for this backend's dialect */
    sinew_make_opts opts = {sinew_dialect_mask(th_backend()), 1};
    if (refused) {
        th_assert_status(sinew_migrate_make(dir, schema, "init", &opts, &made), SINEW_INVALID, "is 76 bytes long");
        assert_null(strstr(sinew_errmsg(), "--dialect"));   /* asked for this dialect: no other is suggested */
        /* a migration made for another dialect is refused before it runs, and creates nothing */
        char other_dir[700];
        snprintf(other_dir, sizeof other_dir, "%s_other", dir);
        sinew_make_opts other = {SINEW_DIALECT_SQLITE, 1};
        th_ok(sinew_migrate_make(other_dir, schema, "init", &other, &made));
        sinew_migrate_free(made);
        th_assert_status(sinew_migrate_up(db, other_dir), SINEW_INVALID,
                         "give the model a shorter table name with @@map");
        if (!strstr(sinew_errmsg(), "/schema.sinew:2:7: error: model " PARENT)) fail_msg("%s", sinew_errmsg());
        assert_int_equal(scalar(db, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
                                    "AND TABLE_NAME NOT LIKE 'sinew%'"), 0);
        /* and so is sinew_create_tables() */
        sinew_schema *g;
        char text[4000];
        snprintf(text, sizeof text, v1, "", "");
        th_ok(sinew_schema_parse("long.sinew", text, strlen(text), NULL, &g));
        th_assert_status(sinew_create_tables(db, g), SINEW_INVALID, "refuses names longer than 64 bytes");
        sinew_schema_free(g);
        assert_int_equal(scalar(db, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
                                    "AND TABLE_NAME NOT LIKE 'sinew%'"), 0);
        /* the names within the limit, the rest as everywhere */
        write_schema(schema, v1, 1);
    }
    th_ok(sinew_migrate_make(dir, schema, "init", &opts, &made));
    assert_non_null(made);
    sinew_migrate_free(made);

    th_ok(sinew_migrate_up(db, dir));
    assert_int_equal(drift(db, dir), 0);
    /* three indexes of the parent (the @index field and two @@index), one on the foreign key */
    int64_t n = indexes(db);
    assert_int_equal(n - (th_is_server() ? 2 : 0), 4);   /* PostgreSQL, MariaDB: the two unique keys' too */

    write_schema(schema, v2, refused);
    th_ok(sinew_migrate_make(dir, schema, "smaller", &opts, &made));
    assert_non_null(made);
    sinew_migrate_free(made);
    th_ok(sinew_migrate_up(db, dir));
    assert_int_equal(drift(db, dir), 0);
    assert_int_equal(indexes(db), 2);    /* the @@index left and the foreign key's */

    th_ok(sinew_migrate_down(db, dir, 1));
    assert_int_equal(drift(db, dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(long_names_show_no_drift, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
