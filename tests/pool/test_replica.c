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
 *     from it;
 *   - a session made on the router (sinew_router_session_new) writes on the
 *     primary and reads sinew_readonly() queries and read transactions on
 *     the standby (a view of pg_is_in_recovery() read through them says
 *     where), sees its own writes there, keeps its hooks, log and identity
 *     map whichever server served a read, reads on the primary inside its
 *     read-write transactions and when the standby lags, follows the
 *     relations of read-only objects on the standby, and survives the
 *     standby dying under it;
 *   - `primary-down` (a run of its own, replica/primary_down): a router whose
 *     primary is on a closed port fails to open, naming the primary; with the
 *     primary stopped, writes and routed sessions fail with SINEW_CONNECTION
 *     while reads are still served by the standby, and once it is started
 *     again writes go through.
 */
#include "pool_support.h"
#include "../relations/blog_models.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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

/* a router over th_open()'s database, with its standby as the one replica (opt may be NULL) */
static sinew_router *router_for_last(const sinew_router_options *opt)
{
    const char *replicas[] = {replica_for_last()};
    sinew_router *r = NULL;
    th_ok(sinew_router_open(th_last_url(), replicas, 1, opt, &r));
    return r;
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
    sinew_router_options opt = {.wait_ms = 5000};
    sinew_router *r = router_for_last(&opt);
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
    const char *standby_url = replica_for_last();
    sinew_router_options opt = {.wait_ms = 400};
    sinew_router *r = router_for_last(&opt);
    sinew_db *w, *rd, *standby;
    th_ok(sinew_open(standby_url, &standby));
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
    sinew_pool_options popt = {0};
    popt.check = SINEW_POOL_CHECK_ALWAYS;
    sinew_router_options opt = {.pool = &popt, .wait_ms = 5000, .down_ms = 300};
    sinew_router *r = router_for_last(&opt);
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
    const char *standby_url = replica_for_last();
    sinew_router *r = router_for_last(NULL);
    sinew_db *w;
    th_ok(sinew_router_acquire_write(r, &w));
    th_ok(sinew_exec(w, "CREATE TABLE before_promotion (id integer)"));
    th_ok(sinew_router_release(r, w));

    standby_ctl("promote");
    sinew_db *former;
    th_ok(sinew_open(standby_url, &former));
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


/* ---- sessions made on the router: reads routed by themselves ---------------------------- */

typedef struct Note {
    int64_t id;
    char *body;
} Note;
static const sinew_field note_fields[] = {
    SINEW_FIELD(Note, id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_AUTO),
    SINEW_FIELD(Note, body, SINEW_TEXT, 0),
};
static const unsigned note_pk[] = {0};
static const sinew_model note_model = SINEW_MODEL(Note, "Note", "notes", "note", note_fields, note_pk);

/* one row saying which server answered: a view over pg_is_in_recovery() */
typedef struct Where {
    int64_t id;
    bool standby;
} Where;
static const sinew_field where_fields[] = {
    SINEW_FIELD(Where, id, SINEW_INT64, SINEW_FIELD_PK),
    SINEW_FIELD(Where, standby, SINEW_BOOL, 0),
};
static const unsigned where_pk[] = {0};
static const sinew_model where_model = SINEW_MODEL(Where, "Where", "where_am_i", "where", where_fields, where_pk);

static const char *notes_ddl = "CREATE TABLE notes (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, body text NOT NULL)";
static const char *where_ddl = "CREATE VIEW where_am_i AS SELECT 1::bigint AS id, pg_is_in_recovery() AS standby";

/* which server a query of the session reads: 1 the standby, 0 the primary */
static int where_read(sinew_session *s, int readonly)
{
    sinew_query *q = sinew_query_new(s, &where_model);
    if (readonly) th_ok(sinew_readonly(q));
    void *w;
    th_ok(sinew_first(q, &w));
    sinew_query_free(q);
    return ((Where *)w)->standby;
}

static int64_t notes_count(sinew_session *s)
{
    sinew_query *q = sinew_query_new(s, &note_model);
    th_ok(sinew_readonly(q));
    int64_t n;
    th_ok(sinew_query_count(q, &n));
    sinew_query_free(q);
    return n;
}

static void add_note(sinew_session *s, const char *body)
{
    void *obj;
    th_ok(sinew_new(s, &note_model, &obj));
    ((Note *)obj)->body = (char *)body;
    th_ok(sinew_session_flush(s));
}

static int loads_seen;
static void count_load(sinew_session *s, const sinew_model *m, void *obj, void *ctx)
{
    (void)s, (void)m, (void)obj, (void)ctx;
    loads_seen++;
}

static int selects_logged;
static void count_selects(void *ctx, const sinew_log_event *ev)
{
    (void)ctx;
    if (ev->sql && strstr(ev->sql, "notes") && !strncmp(ev->sql, "SELECT", 6)) selects_logged++;
}

typedef struct read_probe {
    int64_t key;           /* the note to load */
    int standby;           /* pg_is_in_recovery() on the connection the transaction ran on */
    int write;             /* try an INSERT inside it, and return what it gave */
    Note *got;             /* the note, loaded (tracked) inside it */
} read_probe;

static int probe_read(sinew_session *s, void *ctx)
{
    read_probe *p = ctx;
    p->standby = (int)pool_scalar_ok(sinew_session_db(s), in_recovery);
    sinew_value key = sinew_v_int64(p->key);
    void *obj;
    int rc = sinew_get(s, &note_model, &key, 1, &obj);
    if (rc) return rc;
    p->got = obj;
    return p->write ? sinew_exec(sinew_session_db(s), "INSERT INTO notes (body) VALUES ('in a read transaction')") : SINEW_OK;
}

static void a_routed_session_reads_on_the_standby_and_writes_on_the_primary(void **state)
{
    (void)state;
    sinew_db *owner = th_open();
    sinew_router_options opt = {.wait_ms = 5000};
    sinew_router *r = router_for_last(&opt);
    sinew_session *s;
    th_ok(sinew_router_session_new(r, &s));
    sinew_db *home = sinew_session_db(s);
    assert_int_equal(pool_scalar_ok(home, in_recovery), 0);   /* the session's own connection: the primary */
    th_ok(sinew_exec(home, notes_ddl));
    th_ok(sinew_exec(home, where_ddl));
    sinew_hooks h = {0};
    h.after_load = count_load;
    th_ok(sinew_db_set_hooks(home, &note_model, &h));
    sinew_db_set_log(home, count_selects, NULL);
    loads_seen = selects_logged = 0;

    /* write, then read what was written: on the standby, every time */
    int loaded = 0;
    for (int i = 1; i <= 10; i++) {
        add_note(s, "n");
        assert_int_equal(notes_count(s), i);
        sinew_query *q = sinew_query_new(s, &note_model);
        th_ok(sinew_readonly(q));
        sinew_list all;
        th_ok(sinew_all(q, &all));
        assert_int_equal((int)all.count, i);
        loaded += i;
        sinew_query_free(q);
        assert_int_equal(where_read(s, 1), 1);
    }
    assert_int_equal(where_read(s, 0), 0);   /* a query that is not read-only: the primary */
    sinew_router_stats st = sinew_router_get_stats(r);
    assert_int_equal((int)st.reads_on_replicas, 30);
    assert_int_equal((int)st.reads_on_primary, 0);
    /* the session's hooks and log held on the standby's connection, and its counters count there */
    assert_int_equal(loads_seen, loaded);
    assert_true(selects_logged >= 20);
    uint64_t before = sinew_db_stats(home).statements;
    assert_int_equal(notes_count(s), 10);
    assert_true(sinew_db_stats(home).statements > before);

    /* a read transaction: on the standby, writes refused, and what it loads joins the identity map (a row
       the session has not loaded yet: written by raw SQL) */
    th_ok(sinew_exec(home, "INSERT INTO notes (id, body) VALUES (100, 'raw')"));
    read_probe p = {100, -1, 0, NULL};
    th_ok(sinew_read_transaction(s, probe_read, &p, NULL));
    assert_int_equal(p.standby, 1);
    Note *first = p.got;
    read_probe w = {100, -1, 1, NULL};
    th_assert_status(sinew_read_transaction(s, probe_read, &w, NULL), SINEW_READONLY, "reads only");
    assert_int_equal(w.standby, 1);
    assert_ptr_equal(w.got, first);
    first->body = "changed";
    th_ok(sinew_session_flush(s));   /* an UPDATE on the primary */
    read_probe again = {100, -1, 0, NULL};
    th_ok(sinew_read_transaction(s, probe_read, &again, NULL));
    assert_ptr_equal(again.got, first);   /* one row, one object, whichever server read it */
    assert_string_equal(again.got->body, "changed");
    sinew_query *q = sinew_query_new(s, &note_model);
    th_ok(sinew_readonly(q));
    th_ok(sinew_where(q, sinew_eq(sinew_column(&note_model, 0), sinew_v_int64(100))));
    void *ro;
    th_ok(sinew_first(q, &ro));
    assert_string_equal(((Note *)ro)->body, "changed");   /* the standby has replayed the update */
    assert_ptr_not_equal(ro, first);                      /* read-only objects stay out of the map */
    sinew_query_free(q);

    /* inside a read-write transaction everything stays on the primary, which sees the uncommitted row */
    th_ok(sinew_begin(home));
    th_ok(sinew_exec(home, "INSERT INTO notes (body) VALUES ('uncommitted')"));
    assert_int_equal(notes_count(s), 12);
    assert_int_equal(where_read(s, 1), 0);
    th_ok(sinew_rollback(home));
    assert_int_equal(notes_count(s), 11);
    assert_int_equal(where_read(s, 1), 1);

    sinew_session_free(s);
    th_ok(sinew_router_close(r));   /* the session gave its primary connection back */
    th_close(owner);
}

/* replay paused: a routed read after a write goes to the primary, a read transaction there is READ ONLY */
static void a_routed_session_reads_on_the_primary_while_the_standby_lags(void **state)
{
    (void)state;
    sinew_db *owner = th_open();
    const char *standby_url = replica_for_last();
    sinew_router_options opt = {.wait_ms = 300};
    sinew_router *r = router_for_last(&opt);
    sinew_session *s;
    th_ok(sinew_router_session_new(r, &s));
    th_ok(sinew_exec(sinew_session_db(s), notes_ddl));
    th_ok(sinew_exec(sinew_session_db(s), where_ddl));
    add_note(s, "one");
    assert_int_equal(notes_count(s), 1);
    assert_int_equal(where_read(s, 1), 1);

    sinew_db *standby;
    th_ok(sinew_open(standby_url, &standby));
    th_ok(sinew_exec(standby, "SELECT pg_wal_replay_pause()"));
    add_note(s, "two");
    assert_int_equal(pool_scalar_ok(standby, "SELECT COUNT(*) FROM notes"), 1);   /* it really lags */
    assert_int_equal(notes_count(s), 2);         /* read-your-writes: from the primary */
    assert_int_equal(where_read(s, 1), 0);
    read_probe p = {1, -1, 1, NULL};
    th_assert_status(sinew_read_transaction(s, probe_read, &p, NULL), SINEW_READONLY, "reads only");
    assert_int_equal(p.standby, 0);                      /* READ ONLY on the primary too */
    sinew_router_stats st = sinew_router_get_stats(r);
    assert_true(st.behind >= 1);
    assert_true(st.reads_on_primary >= 3);

    th_ok(sinew_exec(standby, "SELECT pg_wal_replay_resume()"));
    assert_int_equal(notes_count(s), 2);
    assert_int_equal(where_read(s, 1), 1);
    sinew_close(standby);
    sinew_session_free(s);
    th_ok(sinew_router_close(r));
    th_close(owner);
}

/* the standby stops under a routed session: its read-only queries still answer (from the primary) */
static void a_routed_session_survives_a_dead_standby(void **state)
{
    (void)state;
    sinew_db *owner = th_open();
    const char *standby_url = replica_for_last();
    /* written past the router, so that no read waits for a position (the wait would meet the dead
       connection first): the query itself does */
    th_ok(sinew_exec(owner, notes_ddl));
    th_ok(sinew_exec(owner, where_ddl));
    th_ok(sinew_exec(owner, "INSERT INTO notes (body) VALUES ('one')"));
    sinew_db *standby;
    th_ok(sinew_open(standby_url, &standby));
    int64_t there = 0;
    for (int i = 0; i < 200 && there != 1; i++) {
        if (pool_scalar(standby, "SELECT COUNT(*) FROM notes", &there) || there != 1) pool_sleep_ms(25);
    }
    assert_int_equal(there, 1);
    sinew_close(standby);
    sinew_pool_options popt = {0};
    popt.check = SINEW_POOL_CHECK_NEVER;   /* the dead connection is met by the query */
    sinew_router_options opt = {.pool = &popt, .down_ms = 300};
    sinew_router *r = router_for_last(&opt);
    sinew_session *s;
    th_ok(sinew_router_session_new(r, &s));
    assert_int_equal(where_read(s, 1), 1);

    standby_ctl("stop -m fast");
    assert_int_equal(notes_count(s), 1);   /* no error: the replica is taken out, the read runs on the primary */
    assert_int_equal(where_read(s, 1), 0);
    sinew_router_stats st = sinew_router_get_stats(r);
    assert_true(st.replica_failures >= 1);

    standby_ctl("start");
    int back = 0;
    for (int i = 0; i < 100 && !back; i++) {   /* past down_ms, once the standby accepts connections */
        pool_sleep_ms(400);
        back = where_read(s, 1) == 1;
    }
    assert_true(back);
    assert_int_equal(notes_count(s), 1);
    sinew_session_free(s);
    th_ok(sinew_router_close(r));
    th_close(owner);
}


/* a sinew_readonly() query's prefetches run on the standby with it, and so do the lazy loads of what it loaded */
static void a_routed_session_follows_read_only_relations_on_the_standby(void **state)
{
    (void)state;
    sinew_db *owner = th_open();
    sinew_router_options opt = {.wait_ms = 5000};
    sinew_router *r = router_for_last(&opt);
    /* written by one routed session, read by another (its release marks the position for every reader) */
    sinew_session *w;
    th_ok(sinew_router_session_new(r, &w));
    th_ok(sinew_create_tables(sinew_session_db(w), &blog_schema));
    User *u;
    th_ok(sinew_new(w, &user_model, (void **)&u));
    u->email = "ada@example.com";
    for (int i = 0; i < 3; i++) {
        Post *p;
        th_ok(sinew_new(w, &post_model, (void **)&p));
        p->author = u;
        p->title = "t";
        Comment *c;
        th_ok(sinew_new(w, &comment_model, (void **)&c));
        c->post = p;
        c->author = u;
        c->body = "c";
    }
    th_ok(sinew_session_flush(w));
    sinew_session_free(w);
    sinew_session *s;
    th_ok(sinew_router_session_new(r, &s));

    sinew_router_stats before = sinew_router_get_stats(r);
    sinew_query *q = sinew_query_new(s, &post_model);
    th_ok(sinew_readonly(q));
    th_ok(sinew_prefetch(q, POST_COMMENTS));
    sinew_list posts;
    th_ok(sinew_all(q, &posts));
    assert_int_equal((int)posts.count, 3);
    for (size_t i = 0; i < posts.count; i++) assert_int_equal((int)((Post *)posts.items[i])->comments.count, 1);
    sinew_router_stats st = sinew_router_get_stats(r);
    assert_int_equal((int)(st.reads_on_replicas - before.reads_on_replicas), 1);   /* query and prefetch: one read */

    User *a;
    th_ok(sinew_load_one(s, POST_AUTHOR, posts.items[0], (void **)&a));
    assert_string_equal(a->email, "ada@example.com");
    sinew_router_stats after = sinew_router_get_stats(r);
    assert_int_equal((int)(after.reads_on_replicas - st.reads_on_replicas), 1);   /* the lazy load, on the standby */
    assert_int_equal((int)after.reads_on_primary, (int)before.reads_on_primary);
    th_assert_status(sinew_save(s, &user_model, a), SINEW_MISUSE, "read-only");
    sinew_query_free(q);
    sinew_session_free(s);
    th_ok(sinew_router_close(r));
    th_close(owner);
}

/* without a router a read transaction is an ordinary one on the session's connection */
static void a_read_transaction_without_a_router(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_exec(db, notes_ddl));
    th_ok(sinew_exec(db, "INSERT INTO notes (body) VALUES ('x')"));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    read_probe p = {1, -1, 0, NULL};
    th_ok(sinew_read_transaction(s, probe_read, &p, NULL));
    assert_int_equal(p.standby, 0);
    assert_non_null(p.got);
    assert_int_equal(sinew_tx_depth(db), 0);
    th_assert_status(sinew_read_transaction(s, NULL, NULL, NULL), SINEW_MISUSE, "must not be NULL");
    sinew_session_free(s);
    th_close(db);
}


/* ---- the primary unreachable (`test_replica primary-down`) ------------------------------ */

static void primary_ctl(const char *action)
{
    const char *ctl = getenv("SINEW_TEST_PRIMARY_PG_CTL");
    if (!ctl || !*ctl) fail_msg("SINEW_TEST_PRIMARY_PG_CTL is not set: run under scripts/with-replica.sh");
    char cmd[2000];
    snprintf(cmd, sizeof cmd, "%s %s >/dev/null 2>&1", ctl, action);
    if (system(cmd) != 0) fail_msg("pg_ctl %s for the primary failed", action);
}

/* a loopback port nothing listens on: bound, read and closed again */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static void a_router_on_an_unreachable_primary_does_not_open(void **state)
{
    (void)state;
    char url[200];
    snprintf(url, sizeof url, "postgres://postgres@127.0.0.1:%d/postgres?connect_timeout=5", closed_port());
    const char *replicas[] = {getenv("SINEW_TEST_REPLICA_URL")};
    sinew_router *r = (sinew_router *)0x1;
    th_assert_status(sinew_router_open(url, replicas, 1, NULL, &r), SINEW_CONNECTION, "the primary: postgres: cannot connect");
    assert_null(r);
}

/* the primary stops under a router: writes fail with SINEW_CONNECTION, reads are still served by the
   standby; the primary starts again: writes go through */
static void reads_go_on_while_the_primary_is_down(void **state)
{
    (void)state;
    const char *primary = getenv("SINEW_TEST_PG_URL");
    const char *replicas[] = {getenv("SINEW_TEST_REPLICA_URL")};
    sinew_pool_options popt = {0};
    popt.check = SINEW_POOL_CHECK_ALWAYS;   /* the stopped primary is found at the next hand-out */
    sinew_router_options opt = {.pool = &popt, .wait_ms = 5000};
    sinew_router *r;
    th_ok(sinew_router_open(primary, replicas, 1, &opt, &r));
    sinew_db *db;
    th_ok(sinew_router_acquire_write(r, &db));
    th_ok(sinew_exec(db, "CREATE TABLE IF NOT EXISTS primary_down (id integer)"));
    th_ok(sinew_exec(db, "INSERT INTO primary_down VALUES (1)"));
    th_ok(sinew_router_release(r, db));   /* the mark: the standby must replay the row before reading */

    primary_ctl("stop -m fast");
    th_assert_status(sinew_router_acquire_write(r, &db), SINEW_CONNECTION, "cannot connect");
    assert_null(db);
    sinew_session *s = (sinew_session *)0x1;
    th_assert_status(sinew_router_session_new(r, &s), SINEW_CONNECTION, "no connection to the primary");
    assert_null(s);
    for (int i = 0; i < 3; i++) {
        th_ok(sinew_router_acquire_read(r, &db));
        assert_int_equal(pool_scalar_ok(db, in_recovery), 1);
        assert_int_equal(pool_scalar_ok(db, "SELECT COUNT(*) FROM primary_down"), 1);
        th_ok(sinew_router_release(r, db));
    }
    sinew_router_stats st = sinew_router_get_stats(r);
    assert_int_equal((int)st.promotions, 0);   /* the standby is still one: nothing to follow */
    assert_int_equal((int)st.reads_on_primary, 0);

    primary_ctl("start");
    int rc = SINEW_CONNECTION;
    for (int i = 0; i < 100 && rc; i++) {
        rc = sinew_router_acquire_write(r, &db);
        if (rc) pool_sleep_ms(100);
    }
    th_ok(rc);
    assert_int_equal(pool_scalar_ok(db, in_recovery), 0);
    th_ok(sinew_exec(db, "DROP TABLE primary_down"));
    /* the standby streams again before the other tests run */
    int64_t streaming = 0;
    for (int i = 0; i < 300 && streaming != 1; i++) {
        streaming = pool_scalar_ok(db, "SELECT COUNT(*) FROM pg_stat_replication WHERE state = 'streaming'");
        if (streaming != 1) pool_sleep_ms(100);
    }
    assert_int_equal(streaming, 1);
    th_ok(sinew_router_release(r, db));
    th_ok(sinew_router_close(r));
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

int main(int argc, char **argv)
{
    const char *rep = getenv("SINEW_TEST_REPLICA_URL");
    if (!rep || !*rep || !th_is_postgres()) {
        printf("no standby (SINEW_TEST_REPLICA_URL is unset): run under scripts/with-replica.sh\n");
        return 77;
    }
    if (argc > 1 && !strcmp(argv[1], "primary-down")) {
        /* a process of its own: the harness's connections to the primary do not survive its restart */
        const struct CMUnitTest down[] = {
            cmocka_unit_test(a_router_on_an_unreachable_primary_does_not_open),
            cmocka_unit_test(reads_go_on_while_the_primary_is_down),
        };
        return cmocka_run_group_tests(down, NULL, NULL);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_on_the_standby_are_readonly),
        cmocka_unit_test(router_reads_on_the_standby_and_sees_its_writes),
        cmocka_unit_test(router_refuses_sqlite),
        cmocka_unit_test(a_lagging_standby_is_waited_for_or_passed_over),
        cmocka_unit_test(a_standby_that_dies_is_left_out_and_taken_back),
        cmocka_unit_test(a_routed_session_reads_on_the_standby_and_writes_on_the_primary),
        cmocka_unit_test(a_routed_session_reads_on_the_primary_while_the_standby_lags),
        cmocka_unit_test(a_routed_session_follows_read_only_relations_on_the_standby),
        cmocka_unit_test(a_routed_session_survives_a_dead_standby),
        cmocka_unit_test(a_read_transaction_without_a_router),
        cmocka_unit_test(a_promoted_standby_takes_writes),   /* last: the standby is a primary after it */
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
