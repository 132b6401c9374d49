/*
 * sinew on a real Citus cluster: a coordinator and two workers
 * (scripts/with-citus.sh; the `citus` label, skipped without
 * SINEW_TEST_CITUS_URL). Every table here is really distributed
 * (create_distributed_table, shards on both workers), in a schema of this
 * run's own on the coordinator's database, where the workers are registered:
 *   - a duplicate key found during COPY (sinew_insert_many of 1000+ rows),
 *     which Citus reports as SQLSTATE XX000, is SINEW_CONSTRAINT with
 *     SQLSTATE 23505, the table and the constraint without the shard suffix;
 *   - a duplicate key and a NULL in a NOT NULL column from a plain INSERT
 *     (relayed from a worker) name table, column and constraint without
 *     shard suffixes;
 *   - create_distributed_table refusing a foreign key passes the DETAIL
 *     that says why;
 *   - ?citus=true&lock_timeout=ms holds on the workers: a row locked on a
 *     worker makes the second writer SINEW_BUSY, not wait for ever;
 *   - the multi-tenant shop of tests/migrate/distribute_schema.h
 *     (@@distribute, colocate_with, @@reference): `migrate make` + `up`
 *     distribute it (pg_dist_partition says how, the shards are on both
 *     workers, orders and items share a colocation group), its foreign keys
 *     hold across shards, drift sees none, `db pull` reads the layout back,
 *     drift reports a table distributed otherwise than the schema says, and
 *     sinew_create_tables() builds the same layout;
 *   - changing @@distribute and migrating: alter_distributed_table (another
 *     column), undistribute_table + create_reference_table (@@reference),
 *     undistribute_table (no attribute), and back down, rows kept.
 */
#include "harness.h"
#include "../crud/models.h"
#include "../migrate/distribute_schema.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char schema[64];
static char url[1200];
static sinew_db *admin;

static const char *citus_url(const char *extra)
{
    const char *base = getenv("SINEW_TEST_CITUS_URL");
    /* every connection of this run works in its schema: libpq's options=-csearch_path=... */
    snprintf(url, sizeof url, "%s%coptions=-csearch_path%%3D%s%s%s", base, strchr(base, '?') ? '&' : '?', schema,
             *extra ? "&" : "", extra);
    return url;
}

static int setup(void **state)
{
    (void)state;
    snprintf(schema, sizeof schema, "sinew_c%ld", (long)getpid());
    if (sinew_open(getenv("SINEW_TEST_CITUS_URL"), &admin) != SINEW_OK) return -1;
    char sql[160];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", schema);
    sinew_exec(admin, sql);
    snprintf(sql, sizeof sql, "CREATE SCHEMA %s", schema);
    return sinew_exec(admin, sql) == SINEW_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char sql[160];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", schema);
    sinew_exec(admin, sql);
    sinew_close(admin);
    return 0;
}

static int64_t scalar(sinew_db *db, const char *sql)
{
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    sinew_rows *r;
    int rc = sinew_raw_rows(s, sql, NULL, 0, &r);
    if (rc) fail_msg("%s: %s", sql, sinew_errmsg());
    assert_int_equal(sinew_rows_next(r), SINEW_ROW);
    sinew_value v = sinew_rows_value(r, 0);
    int64_t out = v.is_null ? 0 : v.u.i;
    sinew_rows_free(r);
    sinew_session_free(s);
    return out;
}

/* the table is distributed, with shards on both workers */
static void assert_distributed(sinew_db *db, const char *table)
{
    char sql[400];
    snprintf(sql, sizeof sql, "SELECT COUNT(DISTINCT p.nodeport) FROM pg_dist_shard s JOIN pg_dist_shard_placement p "
             "USING (shardid) WHERE s.logicalrelid = '%s'::regclass", table);
    assert_int_equal(scalar(db, sql), 2);
}

static void assert_error_names(const char *table, const char *column, const char *constraint)
{
    const sinew_error *e = sinew_last_error();
    assert_string_equal(e->table, table);
    assert_string_equal(e->column, column);
    assert_string_equal(e->constraint, constraint);
}

static void copy_duplicate_is_a_constraint_error(void **state)
{
    (void)state;
    sinew_db *db;
    th_ok(sinew_open(citus_url(""), &db));
    th_ok(sinew_create_table(db, &membership_model));
    th_ok(sinew_exec(db, "SELECT create_distributed_table('memberships', 'group_id')"));
    assert_distributed(db, "memberships");
    enum { N = 1200 };
    Membership *rows = calloc(N, sizeof *rows);
    void **objs = calloc(N, sizeof *objs);
    char (*names)[16] = calloc(N, sizeof *names);
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "m%d", i % (N - 1));   /* the last row repeats the first */
        rows[i].group_id = i % (N - 1);
        rows[i].member = names[i];
        objs[i] = &rows[i];
    }
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    int rc = sinew_insert_many(s, &membership_model, objs, N);
    sinew_session_free(s);
    th_assert_status(rc, SINEW_CONSTRAINT, "already exists");
    assert_string_equal(sinew_last_error()->sqlstate, "23505");
    assert_error_names("memberships", "", "memberships_pkey");
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM memberships"), 0);   /* nothing of it landed */
    free(rows);
    free(objs);
    free(names);
    sinew_close(db);
}

static void relayed_errors_name_table_column_constraint(void **state)
{
    (void)state;
    sinew_db *db;
    th_ok(sinew_open(citus_url(""), &db));
    th_ok(sinew_exec(db, "CREATE TABLE emails (email text PRIMARY KEY, owner text NOT NULL)"));
    th_ok(sinew_exec(db, "SELECT create_distributed_table('emails', 'email')"));
    assert_distributed(db, "emails");
    th_ok(sinew_exec(db, "INSERT INTO emails VALUES ('a@x', 'a')"));
    th_assert_status(sinew_exec(db, "INSERT INTO emails VALUES ('a@x', 'b')"), SINEW_CONSTRAINT, "already exists");
    assert_error_names("emails", "email", "emails_pkey");
    th_assert_status(sinew_exec(db, "INSERT INTO emails VALUES ('b@x', NULL)"), SINEW_CONSTRAINT, "give the field a value");
    assert_error_names("emails", "owner", "");
    sinew_close(db);
}

static void refused_ddl_says_why(void **state)
{
    (void)state;
    sinew_db *db;
    th_ok(sinew_open(citus_url(""), &db));
    th_ok(sinew_exec(db, "CREATE TABLE owners (email text PRIMARY KEY)"));
    th_ok(sinew_exec(db, "SELECT create_distributed_table('owners', 'email')"));
    th_ok(sinew_exec(db, "CREATE TABLE items (tenant bigint, id bigint, owner_email text REFERENCES owners (email), "
                         "PRIMARY KEY (tenant, id))"));
    th_assert_status(sinew_exec(db, "SELECT create_distributed_table('items', 'tenant')"), SINEW_ERROR,
                     "cannot create foreign key constraint");
    /* the DETAIL: what the engine would accept */
    assert_non_null(strstr(sinew_errmsg(), "reference table"));
    sinew_close(db);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void lock_timeout_holds_on_the_workers(void **state)
{
    (void)state;
    sinew_db *db1, *db2;
    th_ok(sinew_open(citus_url(""), &db1));
    th_ok(sinew_exec(db1, "CREATE TABLE counters (name text PRIMARY KEY, n bigint NOT NULL)"));
    th_ok(sinew_exec(db1, "SELECT create_distributed_table('counters', 'name')"));
    th_ok(sinew_exec(db1, "INSERT INTO counters VALUES ('c', 0)"));
    th_ok(sinew_open(citus_url("citus=true&lock_timeout=200"), &db2));
    th_ok(sinew_begin(db1));
    th_ok(sinew_exec(db1, "UPDATE counters SET n = n + 1 WHERE name = 'c'"));   /* the row lock is on a worker */
    double t0 = now_ms();
    th_assert_status(sinew_exec(db2, "UPDATE counters SET n = n + 10 WHERE name = 'c'"), SINEW_BUSY, NULL);
    th_ok(sinew_begin(db2));
    th_assert_status(sinew_exec(db2, "UPDATE counters SET n = n + 10 WHERE name = 'c'"), SINEW_BUSY, NULL);
    th_ok(sinew_rollback(db2));
    assert_true(now_ms() - t0 < 10000);
    th_ok(sinew_commit(db1));
    assert_int_equal(scalar(db2, "SELECT n FROM counters WHERE name = 'c'"), 1);
    sinew_close(db2);
    sinew_close(db1);
}

static char shop_schema_name[80];

static const char *shop_url(void)
{
    const char *base = getenv("SINEW_TEST_CITUS_URL");
    snprintf(url, sizeof url, "%s%coptions=-csearch_path%%3D%s", base, strchr(base, '?') ? '&' : '?', shop_schema_name);
    return url;
}

static char *layout(sinew_db *db)
{
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    sinew_rows *r;
    th_ok(sinew_raw_rows(s, "SELECT c.relname::text || ':' || p.partmethod::text || p.repmodel::text FROM pg_dist_partition p "
                            "JOIN pg_class c ON c.oid = p.logicalrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                            "WHERE n.nspname = current_schema() ORDER BY c.relname", NULL, 0, &r));
    char out[400] = "";
    while (sinew_rows_next(r) == SINEW_ROW) {
        sinew_value v = sinew_rows_value(r, 0);
        strncat(out, v.u.s.ptr, v.u.s.len < 60 ? v.u.s.len : 60);
        strcat(out, " ");
    }
    sinew_rows_free(r);
    sinew_session_free(s);
    return strdup(out);
}

static void shop_is_distributed_by_its_schema(void **state)
{
    (void)state;
    snprintf(shop_schema_name, sizeof shop_schema_name, "%s_shop", schema);
    char sql[200];
    snprintf(sql, sizeof sql, "CREATE SCHEMA %s", shop_schema_name);
    th_ok(sinew_exec(admin, sql));
    char dir[600], file[600];
    snprintf(dir, sizeof dir, "%s/shop_migrations", th_tmpdir());
    snprintf(file, sizeof file, "%s/shop.sinew", th_tmpdir());
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fputs(shop_schema, f);
    fclose(f);
    sinew_make_opts opts = {SINEW_DIALECT_POSTGRES, 0};
    char *made = NULL;
    th_ok(sinew_migrate_make(dir, file, "shop", &opts, &made));
    sinew_migrate_free(made);
    sinew_db *db;
    th_ok(sinew_open(shop_url(), &db));
    th_ok(sinew_migrate_up(db, dir));
    char *l = layout(db);
    assert_string_equal(l, "countries:nt items:hs orders:hs tenants:hs ");
    free(l);
    assert_distributed(db, "items");
    assert_int_equal(scalar(db, "SELECT COUNT(DISTINCT colocationid) FROM pg_dist_partition WHERE logicalrelid IN "
                                "('orders'::regclass, 'items'::regclass, 'tenants'::regclass)"), 1);
    /* the keys hold on the workers */
    th_ok(sinew_exec(db, "INSERT INTO tenants (id, name) VALUES (1, 'a'), (2, 'b')"));
    th_ok(sinew_exec(db, "INSERT INTO countries (code) VALUES ('NZ')"));
    th_ok(sinew_exec(db, "INSERT INTO orders (tenant_id, id) VALUES (1, 10), (2, 20)"));
    th_ok(sinew_exec(db, "INSERT INTO items (tenant_id, order_id, id, sku, country_code) VALUES (1, 10, 1, 'x', 'NZ')"));
    th_assert_status(sinew_exec(db, "INSERT INTO items (tenant_id, order_id, id, sku, country_code) "
                                    "VALUES (1, 20, 2, 'y', 'NZ')"), SINEW_CONSTRAINT, NULL);   /* tenant 2's order */
    th_assert_status(sinew_exec(db, "INSERT INTO items (tenant_id, order_id, id, sku, country_code) "
                                    "VALUES (1, 10, 3, 'x', 'NZ')"), SINEW_CONSTRAINT, NULL);   /* sku per tenant */
    char *report = NULL;
    size_t ndrift = 99;
    th_ok(sinew_migrate_check(db, dir, &report, &ndrift));
    if (ndrift) print_error("%s", report);
    assert_int_equal(ndrift, 0);
    sinew_migrate_free(report);
    /* db pull reads the layout back */
    sinew_schema *live;
    th_ok(sinew_introspect(db, &live));
    const sinew_model *it = sinew_schema_find_table(live, "items");
    assert_int_equal(it->distribution, SINEW_DIST_HASH);
    assert_string_equal(it->fields[it->dist_field].column, "tenant_id");
    assert_int_equal(sinew_schema_find_table(live, "countries")->distribution, SINEW_DIST_REFERENCE);
    assert_int_equal(sinew_schema_find_table(live, "sinew_migrations") ? 1 : 0, 0);
    char *text;
    th_ok(sinew_schema_to_string(live, &text));
    assert_non_null(strstr(text, "@@distribute(tenant_id)"));
    assert_non_null(strstr(text, "@@distribute(id)"));
    assert_non_null(strstr(text, "@@reference"));
    sinew_free(text);
    /* drift: a schema that says countries is local */
    const char *local_countries_src = "model Country {\n  code text @id\n}\n";
    sinew_schema *other;
    th_ok(sinew_schema_parse("o.sinew", local_countries_src, strlen(local_countries_src), NULL, &other));
    sinew_schema one = *live;
    const sinew_model *only[1] = {sinew_schema_find_table(live, "countries")};
    one.models = only;
    one.nmodels = 1;
    th_ok(sinew_schema_drift(other, &one, sinew_db_dialect(db), &report, &ndrift));
    assert_int_equal(ndrift, 1);
    assert_non_null(strstr(report, "table countries: the schema says local, the database has it a reference table"));
    sinew_migrate_free(report);
    sinew_schema_free(other);
    sinew_schema_free(live);
    th_ok(sinew_migrate_down(db, dir, 0));
    l = layout(db);
    assert_string_equal(l, "");
    free(l);
    /* sinew_create_tables: the same layout */
    sinew_schema *s;
    th_ok(sinew_schema_parse("shop.sinew", shop_schema, strlen(shop_schema), NULL, &s));
    th_ok(sinew_create_tables(db, s));
    l = layout(db);
    assert_string_equal(l, "countries:nt items:hs orders:hs tenants:hs ");
    free(l);
    th_ok(sinew_exec(db, "INSERT INTO tenants (id, name) VALUES (1, 'a')"));
    th_assert_status(sinew_exec(db, "INSERT INTO orders (tenant_id, id) VALUES (3, 10)"), SINEW_CONSTRAINT, NULL);
    sinew_schema_free(s);
    sinew_close(db);
    snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", shop_schema_name);
    th_ok(sinew_exec(admin, sql));
}

/* the distribution column of `table` ("" when it is not hash-distributed) and its layout letters */
static char *dist_of(sinew_db *db, const char *table)
{
    char sql[400];
    snprintf(sql, sizeof sql, "SELECT COALESCE((SELECT p.partmethod::text || p.repmodel::text || ':' || "
             "COALESCE(column_to_column_name(p.logicalrelid, p.partkey), '') FROM pg_dist_partition p WHERE "
             "p.logicalrelid = '%s'::regclass), 'local')", table);
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    sinew_rows *r;
    th_ok(sinew_raw_rows(s, sql, NULL, 0, &r));
    assert_int_equal(sinew_rows_next(r), SINEW_ROW);
    sinew_value v = sinew_rows_value(r, 0);
    char *out = strndup(v.u.s.ptr, v.u.s.len);
    sinew_rows_free(r);
    sinew_session_free(s);
    return out;
}

/*
 * Changing @@distribute in the schema and migrating: another column is alter_distributed_table,
 * @@reference is undistribute_table + create_reference_table, no attribute is undistribute_table;
 * the rows stay through each, and each down goes back.
 */
static void redistribution_follows_the_schema(void **state)
{
    (void)state;
    snprintf(shop_schema_name, sizeof shop_schema_name, "%s_redist", schema);
    char sql[200];
    snprintf(sql, sizeof sql, "CREATE SCHEMA %s", shop_schema_name);
    th_ok(sinew_exec(admin, sql));
    char dir[600], file[600];
    snprintf(dir, sizeof dir, "%s/redist_migrations", th_tmpdir());
    snprintf(file, sizeof file, "%s/redist.sinew", th_tmpdir());
    /* the key holds both columns: a distributed table's primary key holds its distribution column */
    static const char *const steps[] = {
        "model Event {\n  id int64\n  account int64\n  @@id([account, id])\n  @@distribute(id)\n}\n",
        "model Event {\n  id int64\n  account int64\n  @@id([account, id])\n  @@distribute(account)\n}\n",
        "model Event {\n  id int64\n  account int64\n  @@id([account, id])\n  @@reference\n}\n",
        "model Event {\n  id int64\n  account int64\n  @@id([account, id])\n}\n",
    };
    static const char *const want[] = {"hs:id", "hs:account", "nt:", "local"};
    sinew_make_opts opts = {SINEW_DIALECT_POSTGRES, 1};
    sinew_db *db;
    th_ok(sinew_open(shop_url(), &db));
    for (int i = 0; i < 4; i++) {
        const char *src = steps[i];
        FILE *f = fopen(file, "w");
        assert_non_null(f);
        fputs(src, f);
        fclose(f);
        char name[16];
        snprintf(name, sizeof name, "step%d", i);
        char *made = NULL;
        if (sinew_migrate_make(dir, file, name, &opts, &made)) fail_msg("make %d: %s", i, sinew_errmsg());
        sinew_migrate_free(made);
        if (sinew_migrate_up(db, dir)) fail_msg("up %d: %s", i, sinew_errmsg());
        if (i == 0) th_ok(sinew_exec(db, "INSERT INTO events (id, account) VALUES (1, 7), (2, 7), (3, 8)"));
        char *d = dist_of(db, "events");
        if (strcmp(d, want[i])) fail_msg("after step %d: events is %s, not %s", i, d, want[i]);
        free(d);
        assert_int_equal(scalar(db, "SELECT COUNT(*) FROM events"), 3);
    }
    /* back down, one migration at a time: the layouts in reverse */
    for (int i = 3; i > 0; i--) {
        if (sinew_migrate_down(db, dir, -1)) fail_msg("down %d: %s", i, sinew_errmsg());
        char *d = dist_of(db, "events");
        if (strcmp(d, want[i - 1])) fail_msg("after rolling back step %d: events is %s, not %s", i, d, want[i - 1]);
        free(d);
        assert_int_equal(scalar(db, "SELECT COUNT(*) FROM events"), 3);
    }
    sinew_close(db);
    snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", shop_schema_name);
    th_ok(sinew_exec(admin, sql));
}

int main(void)
{
    const char *u = getenv("SINEW_TEST_CITUS_URL");
    if (!u || !*u) {
        printf("no Citus cluster (SINEW_TEST_CITUS_URL is unset): run under scripts/with-citus.sh\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(copy_duplicate_is_a_constraint_error),
        cmocka_unit_test(relayed_errors_name_table_column_constraint),
        cmocka_unit_test(refused_ddl_says_why),
        cmocka_unit_test(lock_timeout_holds_on_the_workers),
        cmocka_unit_test(shop_is_distributed_by_its_schema),
        cmocka_unit_test(redistribution_follows_the_schema),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
