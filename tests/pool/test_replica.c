/*
 * A PostgreSQL primary and a real hot standby streaming from it
 * (scripts/with-replica.sh; the `replica` label, skipped without
 * SINEW_TEST_REPLICA_URL):
 *   - a write on the standby, or in a READ ONLY transaction, is
 *     SINEW_READONLY (SQLSTATE 25006) with a message saying where to send it;
 *   - the router hands read connections out on the standby and write
 *     connections on the primary; a read right after a write sees it
 *     (read-your-writes: it waits for the standby to replay the primary's
 *     WAL position), twenty times in a row;
 *   - a write through a read connection is SINEW_READONLY;
 *   - replay paused on the standby: the read after a write goes to the
 *     primary after wait_ms (and sees the row); resumed, the standby
 *     serves reads again;
 *   - the standby stopped: reads go to the primary; started again: after
 *     down_ms the router reads there again;
 *   - the standby promoted: it takes writes, and the router still reads
 *     from it.
 */
#include "pool_support.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char replica_url[1200];

/* the standby's URL for th_open()'s database, once replay has created it there */
static const char *replica_for_last(void)
{
    const char *base = getenv("SINEW_TEST_REPLICA_URL");
    const char *db = strrchr(th_last_url(), '/') + 1;
    const char *slash = strchr(strstr(base, "://") + 3, '/');
    snprintf(replica_url, sizeof replica_url, "%.*s/%s", (int)(slash - base), base, db);
    sinew_db *probe = NULL;
    for (int i = 0; i < 200; i++) {
        if (sinew_open(replica_url, &probe) == SINEW_OK) break;
        pool_sleep_ms(25);
    }
    if (!probe) fail_msg("the standby never got database %s: %s", db, sinew_errmsg());
    sinew_close(probe);
    return replica_url;
}

static const char *in_recovery = "SELECT CASE WHEN pg_is_in_recovery() THEN 1 ELSE 0 END";

static void writes_on_the_standby_are_readonly(void **state)
{
    (void)state;
    sinew_db *primary = th_open();
    sinew_db *standby;
    th_ok(sinew_open(replica_for_last(), &standby));
    assert_int_equal(pool_scalar_ok(standby, in_recovery), 1);
    assert_int_equal(pool_scalar_ok(standby, "SELECT 1 + 1"), 2);   /* reads work */
    th_assert_status(sinew_exec(standby, "CREATE TABLE t (id integer)"), SINEW_READONLY, "takes reads only");
    assert_string_equal(sinew_last_error()->sqlstate, "25006");
    /* the same status from a READ ONLY transaction on the primary */
    th_ok(sinew_exec(primary, "CREATE TABLE t (id integer)"));
    th_ok(sinew_begin(primary));
    th_ok(sinew_exec(primary, "SET TRANSACTION READ ONLY"));
    th_assert_status(sinew_exec(primary, "INSERT INTO t VALUES (1)"), SINEW_READONLY, "run writes on the primary");
    th_ok(sinew_rollback(primary));
    sinew_close(standby);
    th_close(primary);
}

static void router_reads_on_the_standby_and_sees_its_writes(void **state)
{
    (void)state;
    sinew_db *owner = th_open();
    const char *replicas[] = {replica_for_last()};
    sinew_router *r;
    sinew_router_options opt = {0};
    opt.wait_ms = 5000;
    th_ok(sinew_router_open(th_last_url(), replicas, 1, &opt, &r));
    sinew_db *w, *rd;
    th_ok(sinew_router_acquire_write(r, &w));
    assert_int_equal(pool_scalar_ok(w, in_recovery), 0);
    th_ok(sinew_exec(w, "CREATE TABLE t (id integer PRIMARY KEY)"));
    th_ok(sinew_router_release(r, w));
    for (int i = 1; i <= 20; i++) {
        th_ok(sinew_router_acquire_write(r, &w));
        th_ok(pool_execf(w, "INSERT INTO t VALUES (%d)", i));
        th_ok(sinew_router_release(r, w));
        th_ok(sinew_router_acquire_read(r, &rd));
        assert_int_equal(pool_scalar_ok(rd, in_recovery), 1);
        assert_int_equal(pool_scalar_ok(rd, "SELECT COUNT(*) FROM t"), i);
        th_ok(sinew_router_release(r, rd));
    }
    sinew_router_stats st = sinew_router_get_stats(r);
    assert_int_equal((int)st.reads_on_replicas, 20);
    assert_int_equal((int)st.reads_on_primary, 0);
    assert_int_equal((int)st.writes, 21);

    th_ok(sinew_router_acquire_read(r, &rd));
    th_assert_status(sinew_exec(rd, "INSERT INTO t VALUES (100)"), SINEW_READONLY, "reads only");
    th_ok(sinew_router_release(r, rd));
    th_assert_status(sinew_router_release(r, owner), SINEW_MISUSE, "not lent out");
    th_ok(sinew_router_close(r));
    th_close(owner);
}

/*
 * Replay paused on the standby (pg_wal_replay_pause): a read after a write
 * waits, and gets the row from the standby once replay resumes within
 * wait_ms, or from the primary when it does not.
 */
static void a_lagging_standby_is_waited_for_or_passed_over(void **state)
{
    (void)state;
    sinew_db *owner = th_open();
    const char *replicas[] = {replica_for_last()};
    sinew_router_options opt = {0};
    opt.wait_ms = 400;
    sinew_router *r;
    th_ok(sinew_router_open(th_last_url(), replicas, 1, &opt, &r));
    sinew_db *w, *rd, *standby;
    th_ok(sinew_open(replicas[0], &standby));
    th_ok(sinew_router_acquire_write(r, &w));
    th_ok(sinew_exec(w, "CREATE TABLE t (id integer PRIMARY KEY)"));
    th_ok(sinew_router_release(r, w));

    /* paused for longer than wait_ms: the read goes to the primary, which has the row */
    th_ok(sinew_router_acquire_read(r, &rd));   /* the table has reached the standby */
    th_ok(sinew_router_release(r, rd));
    th_ok(sinew_exec(standby, "SELECT pg_wal_replay_pause()"));
    th_ok(sinew_router_acquire_write(r, &w));
    th_ok(sinew_exec(w, "INSERT INTO t VALUES (1)"));
    th_ok(sinew_router_release(r, w));
    assert_int_equal(pool_scalar_ok(standby, "SELECT COUNT(*) FROM t"), 0);   /* the standby really lags */
    th_ok(sinew_router_acquire_read(r, &rd));
    assert_int_equal(pool_scalar_ok(rd, "SELECT COUNT(*) FROM t"), 1);
    assert_int_equal(pool_scalar_ok(rd, in_recovery), 0);
    th_ok(sinew_router_release(r, rd));
    sinew_router_stats st = sinew_router_get_stats(r);
    assert_int_equal((int)st.behind, 1);
    assert_int_equal((int)st.reads_on_primary, 1);

    /* resumed: the standby catches up and serves the read again */
    th_ok(sinew_exec(standby, "SELECT pg_wal_replay_resume()"));
    th_ok(sinew_router_acquire_read(r, &rd));
    assert_int_equal(pool_scalar_ok(rd, in_recovery), 1);
    assert_int_equal(pool_scalar_ok(rd, "SELECT COUNT(*) FROM t"), 1);
    th_ok(sinew_router_release(r, rd));
    sinew_close(standby);
    th_ok(sinew_router_close(r));
    th_close(owner);
}

static void standby_ctl(const char *action)
{
    const char *ctl = getenv("SINEW_TEST_REPLICA_PG_CTL");
    if (!ctl || !*ctl) fail_msg("SINEW_TEST_REPLICA_PG_CTL is not set: run under scripts/with-replica.sh");
    char cmd[2000];
    snprintf(cmd, sizeof cmd, "%s %s >/dev/null 2>&1", ctl, action);
    if (system(cmd) != 0) fail_msg("pg_ctl %s for the standby failed", action);
}

/* the standby stops: reads go to the primary; it comes back: after down_ms reads go to it again */
static void a_standby_that_dies_is_left_out_and_taken_back(void **state)
{
    (void)state;
    sinew_db *owner = th_open();
    const char *replicas[] = {replica_for_last()};
    sinew_pool_options popt = {0};
    popt.check = SINEW_POOL_CHECK_ALWAYS;
    sinew_router_options opt = {0};
    opt.pool = &popt;
    opt.wait_ms = 5000;
    opt.down_ms = 300;
    sinew_router *r;
    th_ok(sinew_router_open(th_last_url(), replicas, 1, &opt, &r));
    sinew_db *db;
    th_ok(sinew_router_acquire_read(r, &db));
    assert_int_equal(pool_scalar_ok(db, in_recovery), 1);
    th_ok(sinew_router_release(r, db));

    standby_ctl("stop -m fast");
    th_ok(sinew_router_acquire_read(r, &db));
    assert_int_equal(pool_scalar_ok(db, in_recovery), 0);   /* the primary */
    th_ok(sinew_router_release(r, db));
    sinew_router_stats st = sinew_router_get_stats(r);
    assert_int_equal((int)st.replica_failures, 1);
    assert_int_equal((int)st.reads_on_primary, 1);

    standby_ctl("start");
    pool_sleep_ms(400);   /* past down_ms */
    int back = 0;
    for (int i = 0; i < 100 && !back; i++) {   /* the restarted standby may still be starting up */
        th_ok(sinew_router_acquire_read(r, &db));
        back = pool_scalar_ok(db, in_recovery) == 1;
        th_ok(sinew_router_release(r, db));
        if (!back) pool_sleep_ms(400);
    }
    assert_true(back);
    st = sinew_router_get_stats(r);
    assert_true(st.reads_on_replicas >= 2);
    th_ok(sinew_router_close(r));
    th_close(owner);
}

/* the standby is promoted (pg_ctl promote): it takes writes, and the router follows: it finds the standby is
   no standby any more (pg_is_in_recovery()), makes it its primary and leaves the former primary out */
static void a_promoted_standby_takes_writes(void **state)
{
    (void)state;
    sinew_db *owner = th_open();
    const char *replicas[] = {replica_for_last()};
    sinew_router *r;
    th_ok(sinew_router_open(th_last_url(), replicas, 1, NULL, &r));
    sinew_db *w;
    th_ok(sinew_router_acquire_write(r, &w));
    th_ok(sinew_exec(w, "CREATE TABLE before_promotion (id integer)"));
    th_ok(sinew_router_release(r, w));

    standby_ctl("promote");
    sinew_db *former;
    th_ok(sinew_open(replicas[0], &former));
    for (int i = 0; i < 200 && pool_scalar_ok(former, in_recovery) == 1; i++) pool_sleep_ms(25);
    assert_int_equal(pool_scalar_ok(former, in_recovery), 0);
    th_ok(sinew_exec(former, "CREATE TABLE only_on_the_promoted (id integer)"));   /* not SINEW_READONLY now */
    th_ok(sinew_exec(former, "INSERT INTO only_on_the_promoted VALUES (1)"));
    assert_int_equal(pool_scalar_ok(former, "SELECT COUNT(*) FROM before_promotion"), 0);   /* replicated before */
    sinew_close(former);

    sinew_db *rd;
    th_ok(sinew_router_acquire_read(r, &rd));
    assert_int_equal(pool_scalar_ok(rd, "SELECT COUNT(*) FROM only_on_the_promoted"), 1);   /* the former standby */
    th_ok(sinew_router_release(r, rd));
    /* the router followed: the promoted server is its primary now, writes go there, the old one is left out */
    sinew_router_stats st = sinew_router_get_stats(r);
    assert_int_equal(st.promotions, 1);
    th_ok(sinew_router_acquire_write(r, &w));
    assert_int_equal(pool_scalar_ok(w, in_recovery), 0);
    assert_int_equal(pool_scalar_ok(w, "SELECT COUNT(*) FROM only_on_the_promoted"), 1);
    th_ok(sinew_exec(w, "INSERT INTO only_on_the_promoted VALUES (2)"));
    th_ok(sinew_router_release(r, w));
    for (int i = 0; i < 3; i++) {
        th_ok(sinew_router_acquire_read(r, &rd));
        assert_int_equal(pool_scalar_ok(rd, "SELECT COUNT(*) FROM only_on_the_promoted"), 2);
        th_ok(sinew_router_release(r, rd));
    }
    st = sinew_router_get_stats(r);
    assert_int_equal(st.promotions, 1);
    th_ok(sinew_router_close(r));
    th_close(owner);
}

/* a router on SQLite is refused: there are no streaming replicas there */
static void router_refuses_sqlite(void **state)
{
    (void)state;
    char url[512];
    snprintf(url, sizeof url, "sqlite:%s/router.db", th_tmpdir());
    sinew_router *r = (sinew_router *)0x1;
    th_assert_status(sinew_router_open(url, NULL, 0, NULL, &r), SINEW_UNSUPPORTED, "PostgreSQL streaming");
    assert_null(r);
}

int main(void)
{
    const char *rep = getenv("SINEW_TEST_REPLICA_URL");
    if (!rep || !*rep || !th_is_postgres()) {
        printf("no standby (SINEW_TEST_REPLICA_URL is unset): run under scripts/with-replica.sh\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_on_the_standby_are_readonly),
        cmocka_unit_test(router_reads_on_the_standby_and_sees_its_writes),
        cmocka_unit_test(router_refuses_sqlite),
        cmocka_unit_test(a_lagging_standby_is_waited_for_or_passed_over),
        cmocka_unit_test(a_standby_that_dies_is_left_out_and_taken_back),
        cmocka_unit_test(a_promoted_standby_takes_writes),   /* last: the standby is a primary after it */
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
