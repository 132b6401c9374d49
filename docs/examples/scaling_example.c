/*
 * scaling_example.c - the code shown in docs/scaling.md, compiled and run
 * by the test suite (tests/docs): eight threads share a pool of four
 * connections to one SQLite file, each running its own transactions.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include "../../tests/relations/blog_models.h"

#define CHECK(x) do { int rc_ = (x); if (rc_) { fprintf(stderr, "%s: %s\n", #x, sinew_errmsg()); return 1; } } while (0)

struct job {
    sinew_pool *pool;
    int id;
    int count;
    int failed;
};

/* one unit of work; sinew_transaction may run it more than once, so it starts from scratch */
static int add_tag(sinew_db *db, void *ctx)
{
    sinew_session *s;
    int rc = sinew_session_new(db, &s);
    if (rc) return rc;
    Tag *t;
    if ((rc = sinew_new(s, &tag_model, (void **)&t)) == SINEW_OK) {
        t->name = ctx;
        rc = sinew_session_flush(s);
    }
    sinew_session_free(s);                 /* sessions die before their connection goes back */
    return rc;
}

static void *worker(void *arg)
{
    struct job *job = arg;
    sinew_retry_policy retry = {20, 2, 100};   /* SQLite writers take turns: retry SINEW_BUSY */
    for (int i = 0; i < job->count; i++) {
        char name[32];
        snprintf(name, sizeof name, "t%d-%d", job->id, i);
        sinew_db *db;
        int rc = sinew_pool_acquire(job->pool, &db);       /* waits for a free connection */
        if (rc == SINEW_OK) {
            rc = sinew_transaction(db, add_tag, name, &retry);
            sinew_pool_release(job->pool, db);              /* always give it back */
        }
        if (rc != SINEW_OK) {
            fprintf(stderr, "thread %d: %s\n", job->id, sinew_errmsg());   /* this thread's error */
            job->failed++;
        }
    }
    return NULL;
}

/* A lost connection (server restart, failover) is worth another try on a fresh one,
 * for work that is safe to repeat: a COMMIT cut off may have happened or not. */
static int run_with_reconnect(sinew_pool *pool, sinew_tx_fn fn, void *ctx)
{
    int rc = SINEW_CONNECTION;
    for (int tries = 0; tries < 3 && rc == SINEW_CONNECTION; tries++) {
        sinew_db *db;
        rc = sinew_pool_acquire(pool, &db);
        if (rc != SINEW_OK) break;
        rc = sinew_transaction(db, fn, ctx, NULL);
        sinew_pool_release(pool, db);       /* a broken connection is closed and replaced */
    }
    return rc;
}

/* docs/scaling.md, "Read replicas" (PostgreSQL only; tests/pool/test_replica.c runs a router for real) */
static int count_after_insert(sinew_router *router, int64_t *count)
{
    sinew_db *db;
    int rc = sinew_router_acquire_write(router, &db);
    if (rc != SINEW_OK) return rc;
    rc = sinew_exec(db, "INSERT INTO events (kind) VALUES ('signup')");
    sinew_router_release(router, db);    /* notes the primary's WAL position */
    if (rc != SINEW_OK) return rc;
    rc = sinew_router_acquire_read(router, &db);   /* a standby that has replayed the insert */
    if (rc != SINEW_OK) return rc;
    *count = 0;   /* ... read with a session on db ... */
    return sinew_router_release(router, db);
}

/* docs/scaling.md, "Read replicas": a session made on a router routes its reads by itself */
static int count_tags(sinew_session *s, void *ctx)
{
    sinew_query *q = sinew_query_new(s, &tag_model);   /* in a read transaction: on a standby */
    int rc = sinew_query_count(q, ctx);
    sinew_query_free(q);
    return rc;
}

static int tag_then_count(sinew_router *router, int64_t *count)
{
    sinew_session *s;
    int rc = sinew_router_session_new(router, &s);     /* holds one primary connection */
    if (rc != SINEW_OK) return rc;
    Tag *t;
    if ((rc = sinew_new(s, &tag_model, (void **)&t)) == SINEW_OK) {
        t->name = "replicated";
        rc = sinew_session_flush(s);                   /* INSERT on the primary */
    }
    if (rc == SINEW_OK) rc = sinew_read_transaction(s, count_tags, count, NULL);   /* sees the insert */
    sinew_session_free(s);                             /* gives the primary connection back */
    return rc;
}

static void remove_files(void)
{
    remove("scaling_example.db");
    remove("scaling_example.db-wal");
    remove("scaling_example.db-shm");
}

int main(void)
{
    (void)count_after_insert;              /* need a primary and a standby: compiled, not run here */
    (void)tag_then_count;
    remove_files();
    sinew_pool_options opt = {0};          /* zero: the defaults */
    opt.max_size = 4;                      /* at most 4 connections for 8 threads */
    opt.acquire_timeout_ms = 10000;        /* then SINEW_BUSY */
    sinew_pool *pool;
    CHECK(sinew_pool_open("sqlite:scaling_example.db", &opt, &pool));

    sinew_db *db;
    CHECK(sinew_pool_acquire(pool, &db));
    CHECK(sinew_create_tables(db, &blog_schema));
    CHECK(sinew_pool_release(pool, db));

    struct job jobs[8];
    pthread_t threads[8];
    for (int i = 0; i < 8; i++) {
        jobs[i] = (struct job){pool, i, 50, 0};
        if (pthread_create(&threads[i], NULL, worker, &jobs[i]) != 0) return 1;
    }
    int failed = 0;
    for (int i = 0; i < 8; i++) {
        pthread_join(threads[i], NULL);
        failed += jobs[i].failed;
    }
    CHECK(run_with_reconnect(pool, add_tag, "one more"));

    sinew_pool_stats st = sinew_pool_get_stats(pool);
    printf("%llu acquires, %llu waited for a connection, %d connections open\n",
           (unsigned long long)st.acquires, (unsigned long long)st.waits, st.open);

    int64_t tags = 0;
    CHECK(sinew_pool_acquire(pool, &db));
    sinew_session *s;
    CHECK(sinew_session_new(db, &s));
    CHECK(sinew_count(s, &tag_model, &tags));
    sinew_session_free(s);
    CHECK(sinew_pool_release(pool, db));
    printf("%lld tags written by 8 threads\n", (long long)tags);

    CHECK(sinew_pool_close(pool));         /* SINEW_BUSY while connections are lent out */
    remove_files();
    return failed == 0 && tags == 8 * 50 + 1 ? 0 : 1;
}
