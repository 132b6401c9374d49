/*
 * jobqueue - a small job-queue application on sinew, written from the
 * documentation (README.md, docs/queries.md, docs/sessions.md,
 * docs/scaling.md, docs/schema.md) rather than from the test suite.
 *
 *   jobqueue_example [sqlite-file | URL]
 *
 * It creates the tables of jobqueue.sinew, enqueues NJOBS jobs on two
 * queues, lets NWORKERS threads drain them (each with a connection from a
 * pool, claiming a batch at a time with sinew_claim: FOR UPDATE SKIP LOCKED
 * on PostgreSQL, the write transaction on SQLite), records every run, then
 * prints reports and checks that every job was claimed and run exactly
 * once. Exit status 0 when every check holds.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sinew/sinew.h>
#include "jobqueue.h"

#define NJOBS 1200
#define NWORKERS 4
#define BATCH 8

#define CHECK(x) do { int rc_ = (x); if (rc_) { fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #x, sinew_errmsg()); return 1; } } while (0)
#define EXPECT(cond, ...) do { if (!(cond)) { fprintf(stderr, "check failed: " __VA_ARGS__); fputc('\n', stderr); failures++; } } while (0)

static int failures;

/* ---- enqueue ------------------------------------------------------------------------ */

static int enqueue(sinew_db *db)
{
    sinew_session *s;
    CHECK(sinew_session_new(db, &s));
    Queue *mail, *render;
    CHECK(queue_new(s, &mail));
    mail->name = "mail";
    CHECK(queue_new(s, &render));
    render->name = "render";
    for (int i = 0; i < NJOBS; i++) {
        Job *j;
        CHECK(job_new(s, &j));
        j->queue = i % 3 ? mail : render;
        j->kind = i % 3 ? "send" : "thumbnail";
        char payload[160];
        snprintf(payload, sizeof payload, "{\"to\": \"user%d@example.com\", \"size\": %d, \"tags\": [\"%s\", \"t%d\"]}",
                 i % 50, (i * 37) % 1000, i % 7 ? "normal" : "urgent", i % 5);
        j->payload = sinew_strdup(s, payload);
        j->priority = i % 7 ? 0 : 5;
    }
    CHECK(sinew_session_flush(s));   /* one transaction */
    sinew_session_free(s);
    return 0;
}

/* ---- workers ------------------------------------------------------------------------ */

typedef struct worker {
    sinew_pool *pool;
    int id;
    int claimed;
    int failed;              /* calls that failed */
} worker;

/* the flush of one batch's results, retried by sinew_transaction when writers collide */
static int flush_batch(sinew_db *db, void *ctx)
{
    (void)db;
    return sinew_session_flush(ctx);
}

/* a job "runs": it fails when its size is a multiple of 97, and takes size / 10 "milliseconds" */
static void perform(Job *j, int64_t size, bool *ok, int64_t *millis)
{
    *ok = size % 97 != 0;
    *millis = size / 10 + j->id % 3;
}

static void *work(void *arg)
{
    worker *w = arg;
    sinew_db *db;
    if (sinew_pool_acquire(w->pool, &db) != SINEW_OK) {
        fprintf(stderr, "worker %d: %s\n", w->id, sinew_errmsg());
        w->failed++;
        return NULL;
    }
    sinew_session *s;
    if (sinew_session_new(db, &s) != SINEW_OK) {
        w->failed++;
        sinew_pool_release(w->pool, db);
        return NULL;
    }
    /* the next jobs: queued ones, urgent first, oldest first */
    sinew_query *q = job_query(s);
    sinew_where(q, sinew_eq(JOB_PHASE, sinew_v_enum(PHASE_QUEUED)));
    sinew_order(q, JOB_PRIORITY, SINEW_DESC);
    sinew_order(q, JOB_ID, SINEW_ASC);
    sinew_set take[3] = {sinew_set_value(JOB_PHASE, sinew_v_enum(PHASE_RUNNING)),
                         sinew_set_value(JOB_WORKER, sinew_v_int32(w->id)),
                         sinew_set_expr(JOB_ATTEMPTS, sinew_col_op(JOB_ATTEMPTS, '+', sinew_v_int64(1)))};
    sinew_retry_policy retry = {50, 2, 100};   /* SQLite writers take turns: retry SINEW_BUSY */
    for (;;) {
        sinew_list jobs;
        int rc = sinew_claim(q, BATCH, take, 3, &jobs);
        if (rc != SINEW_OK) {
            fprintf(stderr, "worker %d: claim: %s\n", w->id, sinew_errmsg());
            w->failed++;
            break;
        }
        if (jobs.count == 0) break;   /* the queue is empty */
        for (size_t i = 0; i < jobs.count; i++) {
            Job *j = jobs.items[i];
            /* the payload is JSON text; the size is read by the database in the reports, here by hand */
            const char *at = strstr(j->payload, "\"size\": ");
            int64_t size = at ? strtoll(at + 8, NULL, 10) : 0;
            Run *r;
            if (run_new(s, &r) != SINEW_OK) {
                w->failed++;
                continue;
            }
            r->job = j;
            r->worker = w->id;
            perform(j, size, &r->ok, &r->millis);
            j->phase = r->ok ? PHASE_DONE : PHASE_FAILED;
        }
        w->claimed += (int)jobs.count;
        if (sinew_transaction(db, flush_batch, s, &retry) != SINEW_OK) {
            fprintf(stderr, "worker %d: flush: %s\n", w->id, sinew_errmsg());
            w->failed++;
            break;
        }
    }
    sinew_query_free(q);
    sinew_session_free(s);
    sinew_pool_release(w->pool, db);
    return NULL;
}

static int drain(sinew_pool *pool)
{
    pthread_t th[NWORKERS];
    worker w[NWORKERS];
    for (int i = 0; i < NWORKERS; i++) {
        w[i] = (worker){pool, i + 1, 0, 0};
        if (pthread_create(&th[i], NULL, work, &w[i])) return 1;
    }
    int total = 0;
    for (int i = 0; i < NWORKERS; i++) {
        pthread_join(th[i], NULL);
        printf("   worker %d claimed %d jobs\n", w[i].id, w[i].claimed);
        EXPECT(w[i].failed == 0, "worker %d had %d failed calls", w[i].id, w[i].failed);
        total += w[i].claimed;
    }
    EXPECT(total == NJOBS, "%d jobs claimed in all, not %d", total, NJOBS);
    return 0;
}

/* ---- reports ------------------------------------------------------------------------ */

/* print every row of a rows query: integers, doubles and text */
static int print_rows(sinew_query *q, const char *indent, int *nrows)
{
    sinew_rows *rows;
    CHECK(sinew_rows_open(q, &rows));
    int n = 0, rc;
    while ((rc = sinew_rows_next(rows)) == SINEW_ROW) {
        printf("%s", indent);
        for (int c = 0; c < sinew_rows_columns(rows); c++) {
            sinew_value v = sinew_rows_value(rows, c);
            if (c) printf(" | ");
            if (v.is_null) printf("NULL");
            else if (v.type == SINEW_TEXT || v.type == SINEW_ENUM) printf("%.*s", (int)v.u.s.len, v.u.s.ptr);
            else if (v.type == SINEW_DOUBLE) printf("%.2f", v.u.d);
            else printf("%lld", (long long)v.u.i);
        }
        printf("\n");
        n++;
    }
    sinew_rows_free(rows);
    if (rc != SINEW_DONE) CHECK(rc);
    if (nrows) *nrows = n;
    return 0;
}

static int reports(sinew_db *db)
{
    sinew_session *s;
    CHECK(sinew_session_new(db, &s));
    int n;

    /* 1. grouped through a relation: jobs per queue and phase */
    printf("2. Jobs per queue and phase:\n");
    sinew_query *q = job_query(s);
    CHECK(sinew_group_by(q, sinew_via(JOB_QUEUE, QUEUE_NAME)));
    CHECK(sinew_group_by(q, JOB_PHASE));
    CHECK(sinew_select_agg(q, SINEW_COUNT, JOB_ID));
    CHECK(sinew_order(q, sinew_via(JOB_QUEUE, QUEUE_NAME), SINEW_ASC));
    CHECK(sinew_order(q, JOB_PHASE, SINEW_ASC));
    CHECK(print_rows(q, "   ", &n));
    sinew_query_free(q);

    /* 2. exactly once: no job was run twice, every job ran, every job was claimed once */
    q = run_query(s);
    CHECK(sinew_group_by(q, RUN_JOB_ID));
    CHECK(sinew_select_agg(q, SINEW_COUNT, RUN_ID));
    CHECK(sinew_having(q, SINEW_COUNT, RUN_ID, SINEW_GT, sinew_v_int64(1)));
    CHECK(print_rows(q, "   run twice: ", &n));
    EXPECT(n == 0, "%d jobs ran more than once", n);
    sinew_query_free(q);
    int64_t count;
    CHECK(run_count(s, &count));
    EXPECT(count == NJOBS, "%lld runs, not %d", (long long)count, NJOBS);
    q = job_query(s);
    CHECK(sinew_where(q, sinew_or(sinew_ne(JOB_ATTEMPTS, sinew_v_int32(1)),
                                  sinew_in(JOB_PHASE, (sinew_value[]){sinew_v_enum(PHASE_QUEUED),
                                                                      sinew_v_enum(PHASE_RUNNING)}, 2))));
    CHECK(sinew_query_count(q, &count));
    EXPECT(count == 0, "%lld jobs not claimed exactly once or not finished", (long long)count);
    sinew_query_free(q);
    /* a job whose runs do not number one (a correlated aggregate over the relation) */
    q = job_query(s);
    CHECK(sinew_where(q, sinew_cmp_agg(JOB_RUNS, SINEW_COUNT, RUN_ID, NULL, SINEW_NE, sinew_v_int64(1))));
    CHECK(sinew_query_count(q, &count));
    EXPECT(count == 0, "%lld jobs without exactly one run", (long long)count);
    sinew_query_free(q);
    printf("3. Every one of the %d jobs was claimed and run exactly once.\n", NJOBS);

    /* 3. window: the three slowest runs of each worker */
    printf("4. The three slowest runs of each worker (worker | job | millis | rank):\n");
    q = run_query(s);
    sinew_window slowest = {.partition = {RUN_WORKER}, .npartition = 1,
                            .order = {RUN_MILLIS, RUN_ID}, .dir = {SINEW_DESC, SINEW_ASC}, .norder = 2};
    CHECK(sinew_select_col(q, RUN_WORKER));
    CHECK(sinew_select_col(q, RUN_JOB_ID));
    CHECK(sinew_select_col(q, RUN_MILLIS));
    CHECK(sinew_select_window(q, SINEW_ROW_NUMBER, RUN_ID, &slowest));
    CHECK(sinew_where_value(q, 3, SINEW_LE, sinew_v_int64(3)));
    CHECK(sinew_order(q, RUN_WORKER, SINEW_ASC));
    CHECK(sinew_order(q, RUN_MILLIS, SINEW_DESC));
    CHECK(print_rows(q, "   ", &n));
    EXPECT(n <= 3 * NWORKERS && n > 0, "%d rows for the three slowest runs of %d workers", n, NWORKERS);
    sinew_query_free(q);

    /* 4. window: a running total of each worker's time, the last row of each being its total */
    q = run_query(s);
    sinew_window running = {.partition = {RUN_WORKER}, .npartition = 1, .order = {RUN_ID}, .dir = {SINEW_ASC},
                            .norder = 1};
    sinew_window last = {.partition = {RUN_WORKER}, .npartition = 1, .order = {RUN_ID}, .dir = {SINEW_DESC},
                         .norder = 1};
    CHECK(sinew_select_col(q, RUN_WORKER));
    CHECK(sinew_select_window(q, SINEW_WIN_SUM, RUN_MILLIS, &running));
    CHECK(sinew_select_window(q, SINEW_ROW_NUMBER, RUN_ID, &last));
    CHECK(sinew_where_value(q, 2, SINEW_EQ, sinew_v_int64(1)));
    CHECK(sinew_order(q, RUN_WORKER, SINEW_ASC));
    printf("5. Time per worker (worker | total millis | 1):\n");
    CHECK(print_rows(q, "   ", &n));
    sinew_query_free(q);

    /* 5. subquery and annotations: queues with a failed job, with their job and failure counts */
    printf("6. Queues with failed jobs (name: jobs, failed):\n");
    q = queue_query(s);
    CHECK(sinew_where(q, sinew_exists(QUEUE_JOBS, sinew_eq(JOB_PHASE, sinew_v_enum(PHASE_FAILED)))));
    CHECK(sinew_annotate(q, QUEUE_JOBS, SINEW_COUNT, JOB_ID, NULL));
    CHECK(sinew_annotate(q, QUEUE_JOBS, SINEW_COUNT, JOB_ID, sinew_eq(JOB_PHASE, sinew_v_enum(PHASE_FAILED))));
    CHECK(sinew_order(q, QUEUE_NAME, SINEW_ASC));
    queue_list queues;
    CHECK(queue_all(q, &queues));
    int64_t jobs_seen = 0;
    for (size_t i = 0; i < queues.count; i++) {
        printf("   %s: %lld, %lld\n", queues.items[i]->name, (long long)sinew_annotation(q, i, 0).u.i,
               (long long)sinew_annotation(q, i, 1).u.i);
        jobs_seen += sinew_annotation(q, i, 0).u.i;
    }
    EXPECT(queues.count == 2 && jobs_seen == NJOBS, "%zu queues with failures holding %lld jobs", queues.count,
           (long long)jobs_seen);
    sinew_query_free(q);

    /* 6. JSON: the largest urgent payloads, by a value inside the payload */
    printf("7. The largest urgent payloads (job | size | to):\n");
    q = job_query(s);
    CHECK(sinew_where(q, sinew_eq(sinew_json_path(JOB_PAYLOAD, "$.tags[0]", SINEW_TEXT), sinew_v_text("urgent"))));
    CHECK(sinew_select_col(q, JOB_ID));
    CHECK(sinew_select_col(q, sinew_json_path(JOB_PAYLOAD, "$.size", SINEW_INT64)));
    CHECK(sinew_select_col(q, sinew_json_path(JOB_PAYLOAD, "$.to", SINEW_TEXT)));
    CHECK(sinew_order(q, sinew_json_path(JOB_PAYLOAD, "$.size", SINEW_INT64), SINEW_DESC));
    CHECK(sinew_order(q, JOB_ID, SINEW_ASC));
    CHECK(sinew_limit(q, 3));
    CHECK(print_rows(q, "   ", &n));
    EXPECT(n == 3, "%d urgent payloads listed, not 3", n);
    sinew_query_free(q);
    /* the same value read through a relation: the runs of urgent jobs */
    q = run_query(s);
    CHECK(sinew_where(q, sinew_eq(sinew_via(RUN_JOB, sinew_json_path(JOB_PAYLOAD, "$.tags[0]", SINEW_TEXT)),
                                  sinew_v_text("urgent"))));
    CHECK(sinew_query_count(q, &count));
    printf("   %lld runs were of urgent jobs\n", (long long)count);
    EXPECT(count == (NJOBS + 6) / 7, "%lld runs of urgent jobs, not %d", (long long)count, (NJOBS + 6) / 7);
    sinew_query_free(q);

    /* 7. a set operation over rows: the workers that failed a job and also ran a render job */
    printf("8. Workers that failed a job and ran a render job:\n");
    q = run_query(s);
    CHECK(sinew_where(q, sinew_eq(RUN_OK, sinew_v_bool(false))));
    CHECK(sinew_select_col(q, RUN_WORKER));
    sinew_query *render = run_query(s);
    CHECK(sinew_where(render, sinew_eq(sinew_via(RUN_JOB, sinew_via(JOB_QUEUE, QUEUE_NAME)), sinew_v_text("render"))));
    CHECK(sinew_select_col(render, RUN_WORKER));
    CHECK(sinew_combine_rows(q, SINEW_INTERSECT, render));
    CHECK(sinew_order(q, RUN_WORKER, SINEW_ASC));
    CHECK(print_rows(q, "   worker ", &n));
    sinew_query_free(q);

    /* 8. relation members: a queue's jobs, loaded, are a typed list */
    Queue *mail;
    CHECK(queue_get_by_name(s, "mail", &mail));
    job_list mine;
    CHECK(queue_jobs(s, mail, &mine));
    int64_t failed = 0;
    for (size_t i = 0; i < mail->jobs.count; i++) failed += mail->jobs.items[i]->phase == PHASE_FAILED;
    printf("9. The mail queue holds %zu jobs, %lld of them failed.\n", mine.count, (long long)failed);
    EXPECT(mine.count == mail->jobs.count && mine.count == NJOBS - (NJOBS + 2) / 3, "mail holds %zu jobs",
           mine.count);

    sinew_session_free(s);
    return 0;
}

int main(int argc, char **argv)
{
    /* a file name (SQLite), or the URL of an empty server database */
    const char *path = argc > 1 ? argv[1] : "jobqueue.db";
    char url[1024];
    if (strstr(path, "://")) {
        snprintf(url, sizeof url, "%s", path);
    } else {
        unlink(path);   /* a fresh database every run */
        snprintf(url, sizeof url, "sqlite:%s", path);
    }
    sinew_pool_options opt = {0};
    opt.max_size = NWORKERS + 1;
    sinew_pool *pool;
    CHECK(sinew_pool_open(url, &opt, &pool));
    sinew_db *db;
    CHECK(sinew_pool_acquire(pool, &db));
    CHECK(sinew_create_tables(db, &jobqueue_schema));
    if (enqueue(db)) return 1;
    sinew_pool_release(pool, db);
    printf("1. Enqueued %d jobs on %s; %d workers drain them:\n", NJOBS, url, NWORKERS);
    if (drain(pool)) return 1;
    CHECK(sinew_pool_acquire(pool, &db));
    if (reports(db)) return 1;
    sinew_pool_release(pool, db);
    CHECK(sinew_pool_close(pool));
    if (failures) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    printf("10. All checks hold.\n");
    return 0;
}
