/*
 * sinew's own PostgreSQL URL parameters, against a real server (registered
 * only when the suite runs against PostgreSQL; the `pgbouncer` stage of
 * scripts/test.sh runs it again through PgBouncer in transaction and session
 * pooling):
 *   - ?pgbouncer=true leaves no prepared statement on the server (unnamed
 *     statements through the extended protocol), while the default names and
 *     keeps them;
 *   - statement_timeout and lock_timeout from the URL hold, inside and
 *     outside transactions, with and without ?pgbouncer=true;
 *   - with ?pgbouncer=true the timeouts are SET LOCAL per transaction, never
 *     for the session (a session SET would stay on a pooled server
 *     connection that other clients get next);
 *   - through PgBouncer without ?pgbouncer=true the driver finds the pooler itself (unnamed
 *     statements all the same), and ?pgbouncer=false overrides that; a plain port forward
 *     (a forwarder of the test's own on another port) is no pooler and keeps named statements;
 *   - a server connection that already holds a statement named like the
 *     one the driver prepares next (42P05, what another client's sinew_N on a
 *     server connection a pooler shares looks like) switches the handle to
 *     unnamed statements, and the statement runs: provoked with a PREPARE
 *     of that name on the handle's own server connection, and, through
 *     PgBouncer in transaction pooling, by a second client whose first
 *     statement lands on the server connection the first one left its
 *     statements on;
 *   - bad values are SINEW_INVALID naming the parameter (the citus switch is
 *     tested on a real cluster in test_citus.c).
 */
#include "pool_support.h"
#include "../crud/models.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "sinew/driver.h"

static char url[1400];

/* th_last_url() with `extra` appended as query parameters */
static const char *with_params(const char *extra)
{
    const char *base = th_last_url();
    if (!*extra) return base;
    snprintf(url, sizeof url, "%s%c%s", base, strchr(base, '?') ? '&' : '?', extra);
    return url;
}

/* the URL of the suite already says pgbouncer=true (the transaction-pooling stage) */
static int suite_is_unnamed(void) { return strstr(th_last_url(), "pgbouncer=true") != NULL; }

/* connected straight to the server, no pooler in between */
static int direct(void)
{
    const char *m = getenv("SINEW_TEST_PGBOUNCER_MODE");
    return !m || !*m;
}

static void unnamed_statements_leave_nothing_on_the_server(void **state)
{
    (void)state;
    sinew_db *owner = th_open();
    sinew_db *db;
    th_ok(sinew_open(with_params(suite_is_unnamed() ? "" : "pgbouncer=true"), &db));
    /* one transaction, so that a transaction-mode pooler keeps one server connection */
    th_ok(sinew_begin(db));
    assert_int_equal(pool_scalar_ok(db, "SELECT 41 + 1"), 42);
    assert_int_equal(pool_scalar_ok(db, "SELECT 41 + 1"), 42);   /* from the statement cache: runs again */
    th_ok(sinew_exec(db, "CREATE TABLE t (id integer PRIMARY KEY, v text)"));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    for (int i = 1; i <= 3; i++) {
        sinew_value p[2] = {sinew_v_int32(i), sinew_v_text("x")};
        sinew_rows *r;
        th_ok(sinew_raw_rows(s, "INSERT INTO t (id, v) VALUES (?, ?)", p, 2, &r));
        sinew_rows_free(r);
    }
    sinew_session_free(s);
    assert_int_equal(pool_scalar_ok(db, "SELECT COUNT(*) FROM t"), 3);
    assert_int_equal(pool_scalar_ok(db, "SELECT COUNT(*) FROM pg_prepared_statements"), 0);
    th_ok(sinew_commit(db));
    sinew_close(db);

    if (!direct()) {
        /* through PgBouncer without the switch: found at connect (the server's port is not the one
           connected to), so unnamed statements all the same */
        th_ok(sinew_open(th_last_url(), &db));
        th_ok(sinew_begin(db));
        assert_int_equal(pool_scalar_ok(db, "SELECT 41 + 1"), 42);
        assert_int_equal(pool_scalar_ok(db, "SELECT COUNT(*) FROM pg_prepared_statements"), 0);
        th_ok(sinew_commit(db));
        sinew_close(db);
        /* pgbouncer=false keeps named statements whatever is found */
        th_ok(sinew_open(with_params("pgbouncer=false"), &db));
        th_ok(sinew_begin(db));
        assert_int_equal(pool_scalar_ok(db, "SELECT 41 + 1"), 42);
        assert_true(pool_scalar_ok(db, "SELECT COUNT(*) FROM pg_prepared_statements") >= 1);
        th_ok(sinew_commit(db));
        sinew_close(db);
    } else if (!suite_is_unnamed()) {
        /* the default: named server-side statements, kept per connection (what the test tells apart) */
        th_ok(sinew_open(th_last_url(), &db));
        th_ok(sinew_begin(db));
        assert_int_equal(pool_scalar_ok(db, "SELECT 41 + 1"), 42);
        assert_true(pool_scalar_ok(db, "SELECT COUNT(*) FROM pg_prepared_statements") >= 1);
        th_ok(sinew_commit(db));
        sinew_close(db);
    }
    th_close(owner);
}

/* A TCP forward on 127.0.0.1 to the server, as a container's mapped port or an SSH tunnel is: the
 * bytes both ways, nothing else (one client connection). */
typedef struct forward {
    int listener;
    int port;            /* where the server is */
} forward;

static void *forward_run(void *arg)
{
    forward *f = arg;
    int client = accept(f->listener, NULL, NULL);
    if (client < 0) return NULL;
    int server = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)f->port)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (server < 0 || connect(server, (struct sockaddr *)&to, sizeof to) != 0) {
        close(client);
        if (server >= 0) close(server);
        return NULL;
    }
    struct pollfd p[2] = {{.fd = client, .events = POLLIN}, {.fd = server, .events = POLLIN}};
    char buf[16384];
    for (;;) {
        if (poll(p, 2, 10000) <= 0) break;
        int from = (p[0].revents & (POLLIN | POLLHUP)) ? 0 : (p[1].revents & (POLLIN | POLLHUP)) ? 1 : -1;
        if (from < 0) break;
        ssize_t n = read(p[from].fd, buf, sizeof buf);
        if (n <= 0) break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(p[1 - from].fd, buf + off, (size_t)(n - off));
            if (w <= 0) goto done;
            off += w;
        }
    }
done:
    close(client);
    close(server);
    return NULL;
}

static void a_port_forward_is_no_pooler(void **state)
{
    (void)state;
    if (!direct() || suite_is_unnamed()) return;   /* the forward goes to the server itself */
    sinew_db *owner = th_open();   /* the test's database: th_last_url() names it from here on */
    sinew_url *u;
    th_ok(sinew_url_parse(th_last_url(), &u));
    forward f = {.listener = socket(AF_INET, SOCK_STREAM, 0), .port = u->port};
    assert_true(f.listener >= 0);
    struct sockaddr_in at = {.sin_family = AF_INET, .sin_port = 0};
    at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof at;
    assert_int_equal(bind(f.listener, (struct sockaddr *)&at, sizeof at), 0);
    assert_int_equal(listen(f.listener, 1), 0);
    assert_int_equal(getsockname(f.listener, (struct sockaddr *)&at, &len), 0);
    /* the suite's URL with the forward's port for the server's */
    char from[32], to[32], furl[1400];
    snprintf(from, sizeof from, ":%d/", u->port);
    snprintf(to, sizeof to, ":%d/", (int)ntohs(at.sin_port));
    sinew_url_free(u);
    const char *base = th_last_url(), *hit = strstr(base, from);
    assert_non_null(hit);
    snprintf(furl, sizeof furl, "%.*s%s%s", (int)(hit - base), base, to, hit + strlen(from));
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, forward_run, &f), 0);
    sinew_db *db;
    th_ok(sinew_open(furl, &db));
    th_ok(sinew_begin(db));
    assert_int_equal(pool_scalar_ok(db, "SELECT 41 + 1"), 42);
    /* named, kept on the server: another port, but the server's own backend answers */
    assert_true(pool_scalar_ok(db, "SELECT COUNT(*) FROM pg_prepared_statements") >= 1);
    th_ok(sinew_commit(db));
    sinew_close(db);
    pthread_join(t, NULL);
    close(f.listener);
    th_close(owner);
}

static void statement_timeout_from_the_url(const char *extra)
{
    sinew_db *owner = th_open();
    sinew_db *db;
    th_ok(sinew_open(with_params(extra), &db));
    double t0 = pool_now_ms();
    th_assert_status(sinew_exec(db, "SELECT pg_sleep(5)"), SINEW_BUSY, "statement timeout");
    int64_t v;
    th_assert_status(pool_scalar(db, "SELECT 1 FROM pg_sleep(5)", &v), SINEW_BUSY, "statement timeout");
    th_ok(sinew_begin(db));
    th_assert_status(pool_scalar(db, "SELECT 1 FROM pg_sleep(5)", &v), SINEW_BUSY, "statement timeout");
    th_ok(sinew_rollback(db));
    assert_true(pool_now_ms() - t0 < 4000);
    /* and the connection goes on working: nothing left open */
    assert_int_equal(sinew_tx_depth(db), 0);
    assert_int_equal(pool_scalar_ok(db, "SELECT 7"), 7);
    th_ok(sinew_exec(db, "CREATE TABLE after_timeout (id integer)"));
    assert_int_equal(pool_scalar_ok(db, "SELECT COUNT(*) FROM after_timeout"), 0);
    sinew_close(db);
    th_close(owner);
}

static void statement_timeout_plain(void **state)
{
    (void)state;
    statement_timeout_from_the_url("statement_timeout=200");
}

static void statement_timeout_unnamed(void **state)
{
    (void)state;
    statement_timeout_from_the_url("pgbouncer=true&statement_timeout=200");
}

static void timeouts_are_local_to_each_transaction(void **state)
{
    (void)state;
    sinew_db *owner = th_open();
    sinew_db *db;
    th_ok(sinew_open(with_params(suite_is_unnamed() ? "lock_timeout=150" : "pgbouncer=true&lock_timeout=150"), &db));
    const char *is_set = "SELECT CASE WHEN current_setting('lock_timeout') = '150ms' THEN 1 ELSE 0 END";
    th_ok(sinew_begin(db));
    assert_int_equal(pool_scalar_ok(db, is_set), 1);
    th_ok(sinew_commit(db));
    assert_int_equal(pool_scalar_ok(db, is_set), 1);   /* a statement alone: in a short transaction of its own */
    if (direct()) {
        /* the session itself never got it: a transaction not opened by sinew sees the server default */
        th_ok(sinew_exec(db, "BEGIN"));
        assert_int_equal(pool_scalar_ok(db, is_set), 0);
        th_ok(sinew_exec(db, "COMMIT"));
    }
    sinew_close(db);

    if (direct() && !suite_is_unnamed()) {
        /* without the switch the same parameter is a session SET (what the test tells apart) */
        th_ok(sinew_open(with_params("lock_timeout=150"), &db));
        th_ok(sinew_exec(db, "BEGIN"));
        assert_int_equal(pool_scalar_ok(db, is_set), 1);
        th_ok(sinew_exec(db, "COMMIT"));
        sinew_close(db);
    }
    th_close(owner);
}

/* a streamed query outside a transaction runs in one sinew opened for its timeout, closed at the end */
static void streamed_statement_alone_leaves_no_transaction(void **state)
{
    (void)state;
    sinew_db *owner = th_open();
    th_ok(sinew_create_table(owner, &account_model));
    th_ok(sinew_exec(owner, "INSERT INTO accounts (email, name, version) SELECT 'a' || g || '@x', 'n', 0 "
                            "FROM generate_series(1, 50) g"));
    sinew_pool_options opt = {0};
    opt.max_size = 1;
    sinew_pool *pool;
    th_ok(sinew_pool_open(with_params(suite_is_unnamed() ? "statement_timeout=5000"
                                                                : "pgbouncer=true&statement_timeout=5000"), &opt, &pool));
    for (int full = 0; full < 2; full++) {
        sinew_db *db;
        th_ok(sinew_pool_acquire(pool, &db));
        sinew_session *s;
        th_ok(sinew_session_new(db, &s));
        sinew_query *q = sinew_query_new(s, &account_model);
        sinew_iter *it;
        th_ok(sinew_iterate(q, &it));
        void *obj;
        int n = 0, rc;
        while ((rc = sinew_iter_next(it, &obj)) == SINEW_ROW)
            if (++n == 3 && !full) break;   /* the first time, stop after three rows */
        if (full) assert_int_equal(rc, SINEW_DONE);
        assert_int_equal(n, full ? 50 : 3);
        sinew_iter_free(it);
        sinew_query_free(q);
        sinew_session_free(s);
        th_ok(sinew_pool_release(pool, db));
    }
    assert_int_equal((int)sinew_pool_get_stats(pool).rollbacks, 0);   /* nothing was left open */
    th_ok(sinew_pool_close(pool));
    th_close(owner);
}

static void bad_option_values_are_refused(void **state)
{
    (void)state;
    sinew_db *owner = th_open();
    sinew_db *db = (sinew_db *)0x1;
    if (!suite_is_unnamed()) {   /* (else the suite's own pgbouncer=true comes first) */
        th_assert_status(sinew_open(with_params("pgbouncer=maybe"), &db), SINEW_INVALID, "pgbouncer=maybe");
        assert_null(db);
        db = (sinew_db *)0x1;
    }
    th_assert_status(sinew_open(with_params("lock_timeout=soon"), &db), SINEW_INVALID, "lock_timeout=soon");
    assert_null(db);
    db = (sinew_db *)0x1;
    th_assert_status(sinew_open(with_params("statement_timeout=-5"), &db), SINEW_INVALID, "milliseconds");
    assert_null(db);
    db = (sinew_db *)0x1;
    th_assert_status(sinew_open(with_params("citus=yes"), &db), SINEW_INVALID, "citus=yes");
    assert_null(db);
    th_close(owner);
}


static const char *named_count = "SELECT COUNT(*) FROM pg_prepared_statements WHERE name LIKE 'sinew%'";

/* 42P05 at prepare: the driver's next name (sinew_1 on a fresh handle) is taken on the server connection */
static void a_taken_statement_name_switches_to_unnamed(void **state)
{
    (void)state;
    sinew_db *owner = th_open();
    sinew_db *db;
    /* named statements whatever the connect-time check finds: only the 42P05 switch is left */
    th_ok(sinew_open(with_params("pgbouncer=false"), &db));
    th_ok(sinew_exec(db, "PREPARE sinew_1 AS SELECT 7"));   /* a plain query: names nothing of sinew's */
    /* the first statement sinew prepares is sinew_1: the server has one, so it runs unnamed */
    assert_int_equal(pool_scalar_ok(db, named_count), 1);
    assert_int_equal(pool_scalar_ok(db, "SELECT 41 + 1"), 42);
    assert_int_equal(pool_scalar_ok(db, "SELECT 41 + 1"), 42);   /* from the statement cache */
    assert_int_equal(pool_scalar_ok(db, named_count), 1);         /* still only the PREPAREd one */
    th_ok(sinew_exec(db, "DEALLOCATE sinew_1"));
    assert_int_equal(pool_scalar_ok(db, named_count), 0);
    sinew_close(db);
    th_close(owner);
}

/* Through PgBouncer in transaction pooling, two clients with pgbouncer=false: the first leaves its named
   statements on the server connection (outside a transaction each statement is handed the most recently
   used server connection, PgBouncer's default), the second's first prepare meets them there. */
static void a_second_client_on_a_shared_server_connection_switches(void **state)
{
    (void)state;
    const char *mode = getenv("SINEW_TEST_PGBOUNCER_MODE");
    if (!mode || strcmp(mode, "transaction")) return;   /* needs a server connection two clients share */
    sinew_db *owner = th_open();
    sinew_db *a, *b;
    th_ok(sinew_open(with_params("pgbouncer=false"), &a));
    th_ok(sinew_open(with_params("pgbouncer=false"), &b));
    assert_int_equal(pool_scalar_ok(a, "SELECT 40 + 2"), 42);   /* a's sinew_1, left on the server connection */
    assert_int_equal(pool_scalar_ok(a, named_count), 2);        /* ... with a's sinew_2: both on one of them */
    /* b's first prepare is sinew_1 too: without the switch, `prepared statement "sinew_1" already exists` */
    assert_int_equal(pool_scalar_ok(b, "SELECT 40 + 2"), 42);
    assert_int_equal(pool_scalar_ok(b, "SELECT 43 - 1"), 42);
    assert_int_equal(pool_scalar_ok(b, named_count), 2);        /* b named nothing: only a's two */
    sinew_close(b);
    sinew_close(a);
    th_close(owner);
}

int main(void)
{
    if (!th_is_postgres()) return 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unnamed_statements_leave_nothing_on_the_server),
        cmocka_unit_test(a_port_forward_is_no_pooler),
        cmocka_unit_test(statement_timeout_plain),
        cmocka_unit_test(statement_timeout_unnamed),
        cmocka_unit_test(timeouts_are_local_to_each_transaction),
        cmocka_unit_test(streamed_statement_alone_leaves_no_transaction),
        cmocka_unit_test(bad_option_values_are_refused),
        cmocka_unit_test(a_taken_statement_name_switches_to_unnamed),
        cmocka_unit_test(a_second_client_on_a_shared_server_connection_switches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
