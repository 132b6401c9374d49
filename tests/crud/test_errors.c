/*
 * Every error code of the foundation triggered for real, with its message
 * checked: NOTFOUND, CONSTRAINT (unique names table and column, NOT NULL the
 * column), MISUSE, NOMEM (arena cap and injected allocation failure),
 * IOERR, BUSY, TYPE.
 */
#include "harness.h"
#include "models.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void not_found(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &account_model));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Account *a = (Account *)0x1;
    sinew_value key = sinew_v_int64(999);
    th_assert_status(sinew_get(s, &account_model, &key, 1, (void **)&a), SINEW_NOTFOUND, "no Account with id = 999");
    assert_null(a);
    sinew_value email = sinew_v_text("nobody@example.com");
    th_assert_status(sinew_get_by(s, &account_model, 1, &email, (void **)&a), SINEW_NOTFOUND,
                     "no Account with email = 'nobody@example.com'");
    sinew_session_free(s);
    th_close(db);
}

static void unique_violation_names_table_and_column(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &account_model));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Account *a, *b;
    th_ok(sinew_new(s, &account_model, (void **)&a));
    a->email = "dup@example.com";
    a->name = "first";
    th_ok(sinew_save(s, &account_model, a));
    th_ok(sinew_new(s, &account_model, (void **)&b));
    b->email = "dup@example.com";
    b->name = "second";
    th_assert_status(sinew_save(s, &account_model, b), SINEW_CONSTRAINT, NULL);
    const sinew_error *e = sinew_last_error();
    assert_string_equal(e->table, "accounts");
    assert_string_equal(e->column, "email");
    if (th_is_postgres()) assert_string_equal(e->sqlstate, "23505");
    assert_non_null(strstr(e->message, "already exists"));
    assert_int_equal(b->id, 0);   /* nothing written back into the object */
    int64_t n;
    th_ok(sinew_count(s, &account_model, &n));
    assert_int_equal(n, 1);
    sinew_session_free(s);
    th_close(db);
}

static void not_null_violation_names_column(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &account_model));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Account *a;
    th_ok(sinew_new(s, &account_model, (void **)&a));
    a->email = "x@example.com";
    a->name = NULL;   /* required */
    th_assert_status(sinew_save(s, &account_model, a), SINEW_CONSTRAINT, NULL);
    assert_string_equal(sinew_last_error()->column, "name");
    if (th_is_postgres()) assert_string_equal(sinew_last_error()->sqlstate, "23502");
    sinew_session_free(s);
    th_close(db);
}

static void misuse_is_reported(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &membership_model));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Membership *m;
    sinew_value one = sinew_v_int64(1);
    th_assert_status(sinew_get(s, &membership_model, &one, 1, (void **)&m), SINEW_MISUSE,
                     "Membership has 2 key field(s), 1 value(s) given");
    sinew_value wrong[2] = {sinew_v_text("1"), sinew_v_text("x")};
    th_assert_status(sinew_get(s, &membership_model, wrong, 2, (void **)&m), SINEW_TYPE,
                     "field Membership.group_id is int64 but the value given is text");
    th_assert_status(sinew_commit(db), SINEW_MISUSE, "no transaction is open");
    th_ok(sinew_new(s, &membership_model, (void **)&m));
    th_assert_status(sinew_delete(s, &membership_model, m), SINEW_MISUSE, "not saved yet");
    th_assert_status(sinew_save(s, &account_model, m), SINEW_MISUSE, "is a Membership, not a Account");
    th_assert_status(sinew_session_new(db, NULL), SINEW_MISUSE, "must not be NULL");
    sinew_session_free(s);
    th_close(db);
}

static void memory_limit_gives_nomem_and_session_recovers(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &account_model));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Account *a;
    th_ok(sinew_new(s, &account_model, (void **)&a));
    char *big = malloc(300000);
    memset(big, 'n', 299999);
    big[299999] = '\0';
    a->email = "big@example.com";
    a->name = big;
    th_ok(sinew_save(s, &account_model, a));
    sinew_value key = sinew_v_int64(a->id);
    sinew_session *s2;
    th_ok(sinew_session_new(db, &s2));
    sinew_session_set_memory_limit(s2, 64 * 1024);
    Account *b = NULL;
    th_assert_status(sinew_get(s2, &account_model, &key, 1, (void **)&b), SINEW_NOMEM, "memory limit");
    assert_null(b);
    sinew_session_set_memory_limit(s2, 0);
    th_ok(sinew_get(s2, &account_model, &key, 1, (void **)&b));
    assert_int_equal(strlen(b->name), 299999);
    free(big);
    sinew_session_free(s2);
    sinew_session_free(s);
    th_close(db);
}

/* an allocator that fails the k-th call */
static long alloc_countdown = -1;
static void *failing_malloc(size_t n, void *ctx)
{
    (void)ctx;
    if (alloc_countdown == 0) return NULL;
    if (alloc_countdown > 0) alloc_countdown--;
    return malloc(n);
}
static void *failing_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    if (alloc_countdown == 0) return NULL;
    if (alloc_countdown > 0) alloc_countdown--;
    return realloc(p, n);
}
static void plain_free(void *p, void *ctx) { (void)ctx; free(p); }

static int workload(void)
{
    sinew_db *db;
    int rc = sinew_open("sqlite::memory:", &db);
    if (rc) return rc;
    sinew_session *s = NULL;
    if ((rc = sinew_create_table(db, &account_model))) goto out;
    if ((rc = sinew_session_new(db, &s))) goto out;
    Account *a;
    if ((rc = sinew_new(s, &account_model, (void **)&a))) goto out;
    a->email = "k@example.com";
    a->name = "k";
    if ((rc = sinew_save(s, &account_model, a))) goto out;
    sinew_value key = sinew_v_int64(a->id);
    sinew_session *s2;
    if ((rc = sinew_session_new(db, &s2))) goto out;
    Account *b;
    rc = sinew_get(s2, &account_model, &key, 1, (void **)&b);
    if (rc == SINEW_OK) {
        b->name = "changed";
        rc = sinew_save(s2, &account_model, b);
    }
    sinew_session_free(s2);
out:
    sinew_session_free(s);
    sinew_close(db);
    return rc;
}

static void injected_allocation_failures_give_nomem_without_leaks(void **state)
{
    (void)state;
    sinew_allocator a = {failing_malloc, failing_realloc, plain_free, NULL};
    sinew_set_allocator(&a);
    int failures = 0, k;
    for (k = 0; k < 200; k++) {
        alloc_countdown = k;
        int rc = workload();
        if (rc == SINEW_OK) break;   /* k past the last allocation: the workload completes */
        if (rc != SINEW_NOMEM) {
            sinew_set_allocator(NULL);
            fail_msg("allocation %d failed with %s (%s), want SINEW_NOMEM", k, sinew_status_name(rc), sinew_errmsg());
        }
        failures++;
    }
    alloc_countdown = -1;
    sinew_set_allocator(NULL);
    assert_true(failures > 5);
    assert_true(k < 200);
    print_message("injected %d allocation failures, each gave SINEW_NOMEM\n", failures);
}

static void io_error_on_unopenable_file(void **state)
{
    (void)state;
    sinew_db *db = (sinew_db *)0x1;
    th_assert_status(sinew_open("sqlite:/nonexistent-dir/sub/x.db", &db), SINEW_IOERR, "cannot open");
    assert_null(db);
    char path[512];
    snprintf(path, sizeof path, "sqlite:%s/notadb.db", th_tmpdir());
    FILE *f = fopen(path + 7, "w");
    fputs("this is not a database file, just text that is long enough to matter .....", f);
    fclose(f);
    int rc = sinew_open(path, &db);
    if (rc == SINEW_OK) {
        rc = sinew_create_table(db, &account_model);
        sinew_close(db);
    }
    assert_int_equal(rc, SINEW_IOERR);
}

static void busy_when_another_writer_holds_the_lock(void **state)
{
    (void)state;
    sinew_db *db1 = th_open();
    th_ok(sinew_create_table(db1, &account_model));
    sinew_db *db2;
    if (th_is_postgres()) {
        /* the timeout as a URL parameter: a session SET would not hold behind PgBouncer's
         * transaction pooling (it lands on one server connection, the UPDATE on another) */
        char url[1100];
        snprintf(url, sizeof url, "%s%clock_timeout=100", th_last_url(), strchr(th_last_url(), '?') ? '&' : '?');
        th_ok(sinew_open(url, &db2));
        th_ok(sinew_exec(db1, "INSERT INTO accounts (email, name, version) VALUES ('l@x', 'l', 0)"));
        th_ok(sinew_begin(db1));
        th_ok(sinew_exec(db1, "UPDATE accounts SET name = 'held' WHERE email = 'l@x'"));
        th_assert_status(sinew_exec(db2, "UPDATE accounts SET name = 'blocked' WHERE email = 'l@x'"), SINEW_BUSY, NULL);
    } else {
        th_close(db1);
        char url[512];
        snprintf(url, sizeof url, "sqlite:%s/busy.db?busy_timeout=50", th_tmpdir());
        th_ok(sinew_open(url, &db1));
        th_ok(sinew_create_table(db1, &account_model));
        th_ok(sinew_open(url, &db2));
        th_ok(sinew_begin(db1));
        th_ok(sinew_exec(db1, "INSERT INTO accounts (email, name, version) VALUES ('l@x', 'l', 0)"));
        sinew_session *s;
        th_ok(sinew_session_new(db2, &s));
        Account *a;
        th_ok(sinew_new(s, &account_model, (void **)&a));
        a->email = "other@x";
        a->name = "o";
        th_assert_status(sinew_save(s, &account_model, a), SINEW_BUSY, "database is locked");
        sinew_session_free(s);
    }
    th_ok(sinew_rollback(db1));
    sinew_close(db2);
    th_close(db1);
}

static void type_mismatch_names_field_and_expected_type(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    /* a table whose version column is text, read through a model that says int32 */
    th_ok(sinew_exec(db, "CREATE TABLE accounts (id integer PRIMARY KEY, email text, name text, version text)"));
    th_ok(sinew_exec(db, "INSERT INTO accounts VALUES (1, 'a@x', 'a', 'seven')"));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Account *a;
    sinew_value key = sinew_v_int64(1);
    th_assert_status(sinew_get(s, &account_model, &key, 1, (void **)&a), SINEW_TYPE,
                     "type mismatch reading accounts.version: field 'version' expects int32, the database returned text");
    sinew_session_free(s);
    th_close(db);
}

/* A number where a text field is: SQLite keeps what it was given (a column
 * declared integer here), PostgreSQL sends its text; both read as the
 * database's own text for the number, and a NULL as NULL. */
static void number_in_a_text_field_reads_as_its_text(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_exec(db, "CREATE TABLE accounts (id integer PRIMARY KEY, email integer, name real, version integer)"));
    th_ok(sinew_exec(db, "INSERT INTO accounts VALUES (1, 42, 2.5, 3)"));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Account *a;
    sinew_value key = sinew_v_int64(1);
    th_ok(sinew_get(s, &account_model, &key, 1, (void **)&a));
    assert_string_equal(a->email, "42");
    assert_string_equal(a->name, "2.5");
    assert_int_equal(a->version, 3);
    sinew_session_free(s);
    th_close(db);
}

/* ---- the session chunk cache (sinew_db_set_session_cache) ---- */

static long live_blocks;
static void *counting_malloc(size_t n, void *ctx)
{
    (void)ctx;
    void *p = malloc(n);
    if (p) live_blocks++;
    return p;
}
static void *counting_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    void *q = realloc(p, n);
    if (q && !p) live_blocks++;
    return q;
}
static void counting_free(void *p, void *ctx)
{
    (void)ctx;
    if (p) live_blocks--;
    free(p);
}

static long load_all(sinew_db *db)
{
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    sinew_query *q = sinew_query_new(s, &account_model);
    sinew_list l;
    th_ok(sinew_all(q, &l));
    long n = (long)l.count;
    sinew_query_free(q);
    sinew_session_free(s);
    return n;
}

static void session_cache_keeps_and_frees_chunks(void **state)
{
    (void)state;
    sinew_allocator a = {counting_malloc, counting_realloc, counting_free, NULL};
    sinew_set_allocator(&a);
    live_blocks = 0;
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &account_model));
    th_ok(sinew_exec(db, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000) "
                         "INSERT INTO accounts (id, email, name, version) SELECT x, 'a' || x || '@x', 'n', 0 FROM c"));
    assert_int_equal(load_all(db), 5000);   /* warms the statement cache and the chunk cache */
    long held = live_blocks;
    assert_int_equal(load_all(db), 5000);
    assert_int_equal(live_blocks, held);    /* the second session reused the first one's chunks */
    sinew_db_set_session_cache(db, 0);      /* 0 frees the spare chunks at once */
    long without = live_blocks;
    assert_true(without < held);
    assert_int_equal(load_all(db), 5000);
    assert_int_equal(live_blocks, without); /* nothing is kept now */
    sinew_db_set_session_cache(db, SINEW_DEFAULT_SESSION_CACHE);
    assert_int_equal(load_all(db), 5000);
    assert_true(live_blocks > without);     /* kept again */
    sinew_db_set_session_cache(NULL, 0);    /* NULL is a no-op */
    th_close(db);
    assert_int_equal(live_blocks, 0);       /* sinew_close frees the cache */
    sinew_set_allocator(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(not_found),
        cmocka_unit_test(unique_violation_names_table_and_column),
        cmocka_unit_test(not_null_violation_names_column),
        cmocka_unit_test(misuse_is_reported),
        cmocka_unit_test(memory_limit_gives_nomem_and_session_recovers),
        cmocka_unit_test(injected_allocation_failures_give_nomem_without_leaks),
        cmocka_unit_test(io_error_on_unopenable_file),
        cmocka_unit_test(busy_when_another_writer_holds_the_lock),
        cmocka_unit_test(type_mismatch_names_field_and_expected_type),
        cmocka_unit_test(number_in_a_text_field_reads_as_its_text),
        cmocka_unit_test(session_cache_keeps_and_frees_chunks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
