/*
 * Row locks and claims (#21 item 1): sinew_lock renders FOR UPDATE / FOR
 * SHARE OF t0 with NOWAIT / SKIP LOCKED where the dialect has row locks
 * (PostgreSQL), FOR UPDATE / LOCK IN SHARE MODE naming no table on MariaDB
 * (which refuses, saying why, a locked query that joins and the key-level
 * modes), and really locks: another connection's NOWAIT fails and its
 * SKIP LOCKED leaves the held row out; where it has none (SQLite) it is
 * refused with SINEW_UNSUPPORTED saying what to do instead. sinew_claim
 * drains one queue of 10,000 jobs from several threads, each with its own
 * connection, with every job claimed exactly once, on every backend
 * (MariaDB: SELECT ... FOR UPDATE SKIP LOCKED, then UPDATE and a read back
 * by key, with no UPDATE ... RETURNING there).
 */
#include "harness.h"
#include "people.h"
#include "tracker.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { JOBS = 10000, THREADS = 4, BATCH = 10 };

static sinew_db *db;
static sinew_session *s;
static char url[700];

static sinew_db *open_shared(void)
{
    static int n;
    if (th_is_server()) {
        sinew_db *d = th_open();
        snprintf(url, sizeof url, "%s", th_last_url());
        return d;
    }
    snprintf(url, sizeof url, "sqlite:%s/locks%d.db", th_tmpdir(), ++n);
    sinew_db *d;
    th_ok(sinew_open(url, &d));
    return d;
}

static int has_row_locks(void) { return sinew_db_dialect(db)->has_row_locks; }

/* jobs 1..JOBS, all open, seq 0 */
static void seed_jobs(void)
{
    th_ok(sinew_create_tables(db, &tracker_schema));
    char *sql = malloc(64 * 1000 + 128);
    assert_non_null(sql);
    for (int base = 0; base < JOBS; base += 1000) {
        size_t len = (size_t)sprintf(sql, "INSERT INTO tickets (id, title, priority, status, seq) VALUES ");
        for (int k = base; k < base + 1000 && k < JOBS; k++)
            len += (size_t)sprintf(sql + len, "%s(%d, 'job', 0, 'open', 0)", k > base ? ", " : "", k + 1);
        th_ok(sinew_exec(db, sql));
    }
    free(sql);
}

static int setup(void **state)
{
    tracker_fixture(state, &db, &s);
    db = open_shared();
    th_ok(sinew_session_new(db, &s));
    return 0;
}

/* 1 where a lock names no table (MariaDB): the rows of every table read are locked */
static int locks_unqualified(void) { return sinew_db_dialect(db)->row_locks_unqualified; }

/* the red team's people; through the team (a join) where a lock can name its table, else by the key */
static sinew_query *open_people(sinew_session *ses)
{
    sinew_query *q = sinew_query_new(ses, &person_model);
    if (locks_unqualified()) th_ok(sinew_where(q, sinew_eq(PERSON_TEAM_ID, sinew_v_int64(1))));
    else th_ok(sinew_where(q, sinew_eq(sinew_via(PERSON_TEAM, TEAM_NAME), sinew_v_text("red"))));
    th_ok(sinew_order(q, PERSON_ID, SINEW_ASC));
    return q;
}

/* MariaDB: FOR UPDATE / LOCK IN SHARE MODE naming no table; what it cannot do is refused, saying why */
static void unqualified_forms(void)
{
    sinew_query *q = open_people(s);
    th_ok(sinew_lock(q, SINEW_FOR_UPDATE, SINEW_LOCK_WAIT));
    const char *sql = sinew_query_sql(q);
    assert_non_null(sql);
    assert_non_null(strstr(sql, " FOR UPDATE"));
    assert_null(strstr(sql, " OF "));
    th_ok(sinew_lock(q, SINEW_FOR_SHARE, SINEW_NOWAIT));
    assert_non_null(strstr(sinew_query_sql(q), " LOCK IN SHARE MODE NOWAIT"));
    th_ok(sinew_lock(q, SINEW_FOR_UPDATE, SINEW_SKIP_LOCKED));
    assert_non_null(strstr(sinew_query_sql(q), " FOR UPDATE SKIP LOCKED"));
    sinew_query_free(q);
    /* a filter through a relation joins the team, whose row would be locked too */
    q = sinew_query_new(s, &person_model);
    th_ok(sinew_where(q, sinew_eq(sinew_via(PERSON_TEAM, TEAM_NAME), sinew_v_text("red"))));
    th_ok(sinew_lock(q, SINEW_FOR_UPDATE, SINEW_LOCK_WAIT));
    sinew_list l;
    th_assert_status(sinew_all(q, &l), SINEW_UNSUPPORTED, "would lock the joined Team rows too");
    sinew_query_free(q);
    /* so would a JOIN-loaded relation */
    q = sinew_query_new(s, &person_model);
    th_ok(sinew_prefetch_with(q, PERSON_TEAM, SINEW_EAGER_JOIN));
    th_ok(sinew_lock(q, SINEW_FOR_SHARE, SINEW_LOCK_WAIT));
    th_assert_status(sinew_all(q, &l), SINEW_UNSUPPORTED, "load a relation in its statement");
    sinew_query_free(q);
    /* a relation loaded by a query of its own is fine: the lock is the main query's */
    q = open_people(s);
    th_ok(sinew_prefetch_with(q, PERSON_TEAM, SINEW_EAGER_SELECT));
    th_ok(sinew_lock(q, SINEW_FOR_SHARE, SINEW_LOCK_WAIT));
    th_ok(sinew_begin(db));
    th_ok(sinew_all(q, &l));
    assert_int_equal(l.count, 2);
    th_ok(sinew_commit(db));
    sinew_query_free(q);
    /* PostgreSQL's key-level modes do not exist there */
    q = open_people(s);
    th_assert_status(sinew_lock(q, SINEW_FOR_NO_KEY_UPDATE, SINEW_LOCK_WAIT), SINEW_UNSUPPORTED,
                     "has no FOR NO KEY UPDATE lock (it locks whole rows only): use SINEW_FOR_UPDATE");
    sinew_query_free(q);
    q = open_people(s);
    th_assert_status(sinew_lock(q, SINEW_FOR_KEY_SHARE, SINEW_NOWAIT), SINEW_UNSUPPORTED, "use SINEW_FOR_SHARE");
    sinew_query_free(q);
}

static void seed_people(void)
{
    th_ok(sinew_create_tables(db, &people_schema));
    th_ok(sinew_exec(db, "INSERT INTO teams (id, name) VALUES (1, 'red')"));
    th_ok(sinew_exec(db, "INSERT INTO people (id, name, score, active, team_id) VALUES "
                         "(1, 'ann', 1, TRUE, 1), (2, 'bob', 2, TRUE, 1)"));
}

static void lock_renders_and_locks(void **state)
{
    (void)state;
    seed_people();
    sinew_query *q = open_people(s);
    if (!has_row_locks()) {
        th_assert_status(sinew_lock(q, SINEW_FOR_UPDATE, SINEW_LOCK_WAIT), SINEW_UNSUPPORTED, "BEGIN IMMEDIATE");
        /* sticky: the query refuses to run rather than run unlocked */
        sinew_list l;
        th_assert_status(sinew_all(q, &l), SINEW_UNSUPPORTED, "no row locks");
        sinew_query_free(q);
        return;
    }
    if (locks_unqualified()) {
        unqualified_forms();
    } else {
        /* a join (the team filter): only the people rows are locked */
        th_ok(sinew_lock(q, SINEW_FOR_UPDATE, SINEW_LOCK_WAIT));
        const char *sql = sinew_query_sql(q);
        assert_non_null(sql);
        assert_non_null(strstr(sql, "LEFT JOIN"));
        assert_non_null(strstr(sql, " FOR UPDATE OF t0"));
        th_ok(sinew_lock(q, SINEW_FOR_SHARE, SINEW_NOWAIT));
        assert_non_null(strstr(sinew_query_sql(q), " FOR SHARE OF t0 NOWAIT"));
    }
    th_ok(sinew_lock(q, SINEW_LOCK_NONE, SINEW_LOCK_WAIT));
    assert_null(strstr(sinew_query_sql(q), " FOR "));

    /* hold ann's row in this transaction ... */
    th_ok(sinew_begin(db));
    th_ok(sinew_lock(q, SINEW_FOR_UPDATE, SINEW_LOCK_WAIT));
    th_ok(sinew_limit(q, 1));
    sinew_list held;
    th_ok(sinew_all(q, &held));
    assert_int_equal(held.count, 1);
    /* ... another connection cannot take it with NOWAIT, and SKIP LOCKED gives it bob */
    sinew_db *other;
    th_ok(sinew_open(url, &other));
    sinew_session *os;
    th_ok(sinew_session_new(other, &os));
    th_ok(sinew_begin(other));
    sinew_query *oq = open_people(os);
    th_ok(sinew_lock(oq, SINEW_FOR_UPDATE, SINEW_NOWAIT));
    sinew_list got;
    th_assert_status(sinew_all(oq, &got), SINEW_BUSY, NULL);
    th_ok(sinew_rollback(other));
    /* a stream of the same query fails the same way, at once (when it starts or at its first row) */
    th_ok(sinew_begin(other));
    sinew_iter *it = NULL;
    int rc = sinew_iterate(oq, &it);
    if (!rc) {
        void *row;
        rc = sinew_iter_next(it, &row);
        sinew_iter_free(it);
    }
    th_assert_status(rc, SINEW_BUSY, NULL);
    th_ok(sinew_rollback(other));
    /* and the statement, run again after failing part way through its result, fails again at once
     * (MariaDB: Connector/C waited for the rest of the failed result) */
    th_ok(sinew_begin(other));
    th_assert_status(sinew_all(oq, &got), SINEW_BUSY, NULL);
    th_ok(sinew_rollback(other));
    th_ok(sinew_begin(other));
    th_ok(sinew_lock(oq, SINEW_FOR_UPDATE, SINEW_SKIP_LOCKED));
    th_ok(sinew_all(oq, &got));
    assert_int_equal(got.count, 1);
    assert_string_equal(((Person *)got.items[0])->name, "bob");
    th_ok(sinew_rollback(other));
    sinew_query_free(oq);
    sinew_session_free(os);
    sinew_close(other);
    th_ok(sinew_commit(db));

    /* what a lock cannot go with is refused when the query runs, before anything is sent */
    int64_t n;
    th_assert_status(sinew_query_count(q, &n), SINEW_MISUSE, "row lock");
    th_assert_status(sinew_query_delete(q, NULL), SINEW_MISUSE, "row lock");
    sinew_query_free(q);
    q = sinew_query_new(s, &team_model);
    th_ok(sinew_where(q, sinew_eq(sinew_via(TEAM_MEMBERS, PERSON_NAME), sinew_v_text("ann"))));
    th_ok(sinew_lock(q, SINEW_FOR_UPDATE, SINEW_LOCK_WAIT));
    sinew_list teams;
    th_assert_status(sinew_all(q, &teams), SINEW_MISUSE, "to-many");
    sinew_query_free(q);
}

typedef struct worker {
    int no;
    int rc;
    char msg[256];
    int64_t *ids;
    size_t count;
} worker;

static void *drain(void *arg)
{
    worker *w = arg;
    sinew_db *mine = NULL;
    sinew_session *ms = NULL;
    w->rc = sinew_open(url, &mine);
    if (!w->rc) w->rc = sinew_session_new(mine, &ms);
    sinew_query *q = NULL;
    if (!w->rc) {
        q = sinew_query_new(ms, &ticket_model);
        w->rc = sinew_where(q, sinew_eq(TICKET_STATUS, sinew_v_text("open")));
        if (!w->rc) w->rc = sinew_order(q, TICKET_ID, SINEW_ASC);
    }
    sinew_set take[2] = {sinew_set_value(TICKET_STATUS, sinew_v_text("closed")),
                         sinew_set_value(TICKET_SEQ, sinew_v_int64(w->no))};
    while (!w->rc) {
        sinew_list jobs;
        w->rc = sinew_claim(q, BATCH, take, 2, &jobs);
        if (w->rc || !jobs.count) break;
        for (size_t i = 0; i < jobs.count; i++) {
            Ticket *t = jobs.items[i];
            if (t->status != STATUS_CLOSED || t->seq != w->no) {   /* the objects are as claimed */
                w->rc = SINEW_INTERNAL;
                snprintf(w->msg, sizeof w->msg, "job %lld came back as status %d seq %lld", (long long)t->id,
                         t->status, (long long)t->seq);
                break;
            }
            w->ids[w->count++] = t->id;
        }
    }
    if (w->rc && !w->msg[0]) snprintf(w->msg, sizeof w->msg, "%s", sinew_errmsg());
    sinew_query_free(q);
    if (ms) sinew_session_free(ms);
    if (mine) sinew_close(mine);
    return NULL;
}

static void workers_drain_one_queue_once(void **state)
{
    (void)state;
    seed_jobs();
    worker w[THREADS];
    pthread_t t[THREADS];
    memset(w, 0, sizeof w);
    for (int i = 0; i < THREADS; i++) {
        w[i].no = i + 1;
        w[i].ids = calloc(JOBS, sizeof *w[i].ids);
        assert_int_equal(pthread_create(&t[i], NULL, drain, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    unsigned char *seen = calloc(JOBS + 1, 1);
    size_t total = 0;
    for (int i = 0; i < THREADS; i++) {
        if (w[i].rc) fail_msg("worker %d: %s", w[i].no, w[i].msg);
        for (size_t k = 0; k < w[i].count; k++) {
            int64_t id = w[i].ids[k];
            assert_true(id >= 1 && id <= JOBS);
            if (seen[id]) fail_msg("job %lld claimed twice (the second time by worker %d)", (long long)id, w[i].no);
            seen[id] = (unsigned char)w[i].no;
        }
        total += w[i].count;
    }
    assert_int_equal(total, JOBS);
    /* and the database agrees with the workers: each row is closed by the worker that took it */
    sinew_rows *r;
    th_ok(sinew_raw_rows(s, "SELECT id, status, seq FROM tickets", NULL, 0, &r));
    size_t rows = 0;
    while (sinew_rows_next(r) == SINEW_ROW) {
        int64_t id = sinew_rows_value(r, 0).u.i;
        sinew_value st = sinew_rows_value(r, 1);
        assert_int_equal(st.u.s.len, 6);
        assert_memory_equal(st.u.s.ptr, "closed", 6);
        assert_int_equal(sinew_rows_value(r, 2).u.i, seen[id]);
        rows++;
    }
    sinew_rows_free(r);
    assert_int_equal(rows, JOBS);
    free(seen);
    for (int i = 0; i < THREADS; i++) free(w[i].ids);
}

static void claim_refusals(void **state)
{
    (void)state;
    th_ok(tracker_seed(db, 5));
    sinew_query *q = sinew_query_new(s, &ticket_model);
    sinew_set take = sinew_set_value(TICKET_STATUS, sinew_v_text("closed"));
    sinew_list l;
    th_assert_status(sinew_claim(q, 0, &take, 1, &l), SINEW_MISUSE, "n is 0");
    th_assert_status(sinew_claim(q, 3, NULL, 0, &l), SINEW_MISUSE, "no assignments");
    sinew_set bad = sinew_set_value(TICKET_STATUS, sinew_v_text("clsoed"));
    th_assert_status(sinew_claim(q, 3, &bad, 1, &l), SINEW_MISUSE, "not a value of enum");
    sinew_query_free(q);
    /* an empty queue claims nothing, successfully */
    q = sinew_query_new(s, &ticket_model);
    th_ok(sinew_where(q, sinew_eq(TICKET_STATUS, sinew_v_text("wontfix"))));
    th_ok(sinew_where(q, sinew_gt(TICKET_SEQ, sinew_v_int64(100))));
    th_ok(sinew_claim(q, 3, &take, 1, &l));
    assert_int_equal(l.count, 0);
    sinew_query_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(lock_renders_and_locks, setup, tracker_teardown),
        cmocka_unit_test_setup_teardown(workers_drain_one_queue_once, setup, tracker_teardown),
        cmocka_unit_test_setup_teardown(claim_refusals, setup, tracker_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
