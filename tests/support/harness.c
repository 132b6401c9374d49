/*
 * harness.c - see harness.h.
 */
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char last_url[1024];
static char tmpdir[256];

static void skip_if_pending(const char *backend);

const char *th_backend(void)
{
    const char *b = getenv("SINEW_TEST_BACKEND");
    b = b && *b ? b : "sqlite";
    skip_if_pending(b);
    return b;
}

/* a test CTest marks as not yet working on this backend (tests/CMakeLists.txt): say why, skip */
static void skip_if_pending(const char *backend)
{
    const char *pending = getenv("SINEW_TEST_PENDING");
    if (pending && *pending) {
        printf("skipped on %s: %s\n", backend, pending);
        fflush(stdout);
        _exit(77);
    }
}

int th_is_postgres(void) { return strcmp(th_backend(), "postgres") == 0; }
int th_is_mariadb(void) { return strcmp(th_backend(), "mariadb") == 0; }
int th_is_server(void) { return th_is_postgres() || th_is_mariadb(); }

const char *th_last_url(void) { return last_url; }

static void remove_tmpdir(void)
{
    if (!tmpdir[0]) return;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
}

const char *th_tmpdir(void)
{
    if (!tmpdir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/sinew-test-XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(tmpdir)) {
            fprintf(stderr, "mkdtemp failed\n");
            abort();
        }
        atexit(remove_tmpdir);
    }
    return tmpdir;
}

/*
 * PostgreSQL and MariaDB: each th_open() makes a database of its own on the
 * shared throwaway server (tests run in parallel), dropped again by th_close().
 */
static sinew_db *admin;
static char pg_dbname[64];
static int pg_counter;

static void pg_admin_close(void)
{
    sinew_close(admin);
    admin = NULL;
}

/*
 * The Citus layout (SINEW_TEST_LAYOUT=citus, the `citus` stage under
 * scripts/with-citus.sh): each th_open() makes a schema of its own in the
 * coordinator's database, where the workers are registered, created with
 * citus.enable_schema_based_sharding on, so that every table a test creates
 * in it is a distributed table (one shard on a worker, chosen per schema).
 * The connection works in that schema (options=-csearch_path) and carries
 * citus=true, so that URL timeouts hold on the workers.
 */
static int citus_layout(void)
{
    const char *l = getenv("SINEW_TEST_LAYOUT");
    return l && !strcmp(l, "citus");
}

static void citus_open(void)
{
    const char *base = getenv("SINEW_TEST_CITUS_URL");
    if (!base || !*base) {
        printf("SINEW_TEST_LAYOUT=citus but SINEW_TEST_CITUS_URL is not set: run under scripts/with-citus.sh\n");
        exit(77);
    }
    if (!admin) {
        if (sinew_open(base, &admin) != SINEW_OK) fail_msg("connecting to %s: %s", base, sinew_errmsg());
        atexit(pg_admin_close);
        if (sinew_exec(admin, "SET citus.enable_schema_based_sharding = on") != SINEW_OK)
            fail_msg("schema-based sharding: %s", sinew_errmsg());
    }
    snprintf(pg_dbname, sizeof pg_dbname, "sinew_t%ld_%d", (long)getpid(), ++pg_counter);
    char sql[160];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", pg_dbname);
    sinew_exec(admin, sql);
    snprintf(sql, sizeof sql, "CREATE SCHEMA %s", pg_dbname);
    if (sinew_exec(admin, sql) != SINEW_OK) fail_msg("creating a test schema: %s", sinew_errmsg());
    /* the schema is a distributed one (its tables will be): else the stage would test nothing new */
    char check[400];
    snprintf(check, sizeof check, "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_dist_schema WHERE schemaid = "
             "'%s'::regnamespace) THEN RAISE EXCEPTION 'schema %s is not distributed'; END IF; END $$", pg_dbname,
             pg_dbname);
    if (sinew_exec(admin, check) != SINEW_OK) fail_msg("schema-based sharding: %s", sinew_errmsg());
    snprintf(last_url, sizeof last_url, "%s%coptions=-csearch_path%%3D%s&citus=true", base,
             strchr(base, '?') ? '&' : '?', pg_dbname);
}

int th_is_citus(void) { return th_is_postgres() && citus_layout(); }

sinew_db *th_open(void)
{
    sinew_db *db = NULL;
    skip_if_pending(th_backend());
    if (th_is_postgres() && citus_layout()) {
        citus_open();
    } else if (th_is_server()) {
        const char *var = th_is_mariadb() ? "SINEW_TEST_MARIADB_URL" : "SINEW_TEST_PG_URL";
        const char *base = getenv(var);
        if (!base || !*base) fail_msg("SINEW_TEST_BACKEND=%s but %s is not set", th_backend(), var);
        if (!admin) {
            if (sinew_open(base, &admin) != SINEW_OK) fail_msg("connecting to %s: %s", base, sinew_errmsg());
            atexit(pg_admin_close);
        }
        snprintf(pg_dbname, sizeof pg_dbname, "sinew_t%ld_%d", (long)getpid(), ++pg_counter);
        char sql[160];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", pg_dbname);
        sinew_exec(admin, sql);
        snprintf(sql, sizeof sql, "CREATE DATABASE %s%s", pg_dbname,
                 th_is_mariadb() ? " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin" : "");
        if (sinew_exec(admin, sql) != SINEW_OK) fail_msg("creating a test database: %s", sinew_errmsg());
        /* the same URL with the new database name */
        const char *slash = strstr(base, "://");
        slash = slash ? strchr(slash + 3, '/') : NULL;
        const char *query = strchr(base, '?');
        int host_len = slash ? (int)(slash - base) : (int)(query ? query - base : (long)strlen(base));
        snprintf(last_url, sizeof last_url, "%.*s/%s%s", host_len, base, pg_dbname, query ? query : "");
        /* more URL parameters for the stage (mariadb_noreturning: returning=off) */
        const char *more = getenv("SINEW_TEST_URL_PARAMS");
        if (more && *more) {
            size_t n = strlen(last_url);
            snprintf(last_url + n, sizeof last_url - n, "%c%s", query ? '&' : '?', more);
        }
    } else {
        snprintf(last_url, sizeof last_url, "sqlite::memory:");
    }
    int rc = sinew_open(last_url, &db);
    if (rc != SINEW_OK) fail_msg("sinew_open(%s): %s: %s", last_url, sinew_status_name(rc), sinew_errmsg());
    return db;
}

void th_close(sinew_db *db)
{
    sinew_close(db);
    if (th_is_server() && admin && pg_dbname[0]) {
        char sql[160];
        if (citus_layout()) snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", pg_dbname);
        else snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s%s", pg_dbname, th_is_mariadb() ? "" : " WITH (FORCE)");
        sinew_exec(admin, sql);
    }
}

static void backticks_to_quotes(char *p)
{
    if (!th_is_mariadb()) return;
    for (; *p; p++)
        if (*p == '`') *p = '"';
}

static char *th_sql_slots[16];
static unsigned th_sql_next;

static void th_sql_free(void)
{
    for (size_t i = 0; i < sizeof th_sql_slots / sizeof th_sql_slots[0]; i++) free(th_sql_slots[i]);
}

const char *th_sql(const char *sql)
{
    if (!sql) return NULL;
    if (!th_sql_next) atexit(th_sql_free);
    unsigned k = th_sql_next++ % 16;
    free(th_sql_slots[k]);
    th_sql_slots[k] = strdup(sql);
    assert_non_null(th_sql_slots[k]);
    backticks_to_quotes(th_sql_slots[k]);
    return th_sql_slots[k];
}

static void capture_log(void *ctx, const sinew_log_event *ev)
{
    th_capture *cap = ctx;
    if (!ev->sql) return;
    if (cap->count == cap->cap) {
        cap->cap = cap->cap ? cap->cap * 2 : 16;
        cap->sql = realloc(cap->sql, cap->cap * sizeof *cap->sql);
        assert_non_null(cap->sql);
    }
    char *copy = strdup(ev->sql);
    assert_non_null(copy);
    /* MariaDB's identifiers are quoted with backticks: shown with double quotes, as on the other
     * backends, so that one needle fits every backend */
    backticks_to_quotes(copy);
    cap->sql[cap->count++] = copy;
}

void th_capture_start(sinew_db *db, th_capture *cap)
{
    memset(cap, 0, sizeof *cap);
    sinew_db_set_log(db, capture_log, cap);
}

void th_capture_stop(sinew_db *db, th_capture *cap)
{
    (void)cap;
    sinew_db_set_log(db, NULL, NULL);
}

void th_capture_clear(th_capture *cap)
{
    for (size_t i = 0; i < cap->count; i++) free(cap->sql[i]);
    cap->count = 0;
}

void th_capture_free(th_capture *cap)
{
    th_capture_clear(cap);
    free(cap->sql);
    memset(cap, 0, sizeof *cap);
}

size_t th_capture_count(const th_capture *cap, const char *needle)
{
    size_t n = 0;
    for (size_t i = 0; i < cap->count; i++)
        if (strstr(cap->sql[i], needle)) n++;
    return n;
}

void th_assert_status_(int got, int want, const char *needle, const char *expr,
                       const char *file, int line)
{
    if (got != want) {
        print_error("%s:%d: %s returned %s, expected %s (message: %s)\n", file, line, expr,
                       sinew_status_name(got), sinew_status_name(want), sinew_errmsg());
        _fail(file, line);
    }
    if (needle && !strstr(sinew_errmsg(), needle)) {
        print_error("%s:%d: %s: message \"%s\" lacks \"%s\"\n", file, line, expr,
                       sinew_errmsg(), needle);
        _fail(file, line);
    }
}
