/*
 * sinew_bench - sinew against hand-written sqlite3 C, side by side, in one
 * run and one process: for each workload, both versions alternately over
 * several rounds, then a table of medians, rows/s, the ratio sinew/raw,
 * peak memory and statements issued. `--quick` runs a tiny version of
 * everything once and only checks that both sides computed the same thing
 * (the test suite runs it).
 *
 *   sinew_bench [--quick] [--rounds N] [--only W3] [--rows N]
 *
 * `--only` runs one workload (for profiling it under callgrind). `--rows N`
 * is the number of rows W8 streams (default 1,000,000, 2,000 with --quick):
 * fewer make a callgrind run of it short, the per-row cost the same.
 */
#include <stdio.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libpq-fe.h>
#include "bench.h"
#include "orm/orm.h"

sqlite3 *sn_sqlite_handle(sinew_conn *c);

/* ---- memory accounting ----
 * Both sides allocate through these (sinew through its allocator hook), and
 * each block counts what it really takes from the heap: glibc's usable size
 * plus its 8-byte chunk header. Counting only the bytes asked for would
 * flatter many small mallocs (the raw side's strings) against few big
 * chunks (sinew's arena). */
static long long live, peak, base;
static long long footprint(void *p) { return (long long)malloc_usable_size(p) + 8; }
static void *h_malloc(size_t n, void *ctx) { (void)ctx; return cmalloc(n); }
static void h_free(void *p, void *ctx) { (void)ctx; cfree(p); }
static void *h_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    if (!p) return cmalloc(n);
    long long old = footprint(p);
    void *q = realloc(p, n);
    if (!q) return NULL;
    live += footprint(q) - old;
    if (live > peak) peak = live;
    return q;
}
void *cmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p) return NULL;
    live += footprint(p);
    if (live > peak) peak = live;
    return p;
}
void cfree(void *p)
{
    if (!p) return;
    live -= footprint(p);
    free(p);
}
char *cstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = cmalloc(n);
    memcpy(p, s, n);
    return p;
}
void mem_reset_peak(void) { peak = base = live; }
long long mem_peak_delta(void) { return peak - base; }
void mem_install(void)
{
    static const sinew_allocator a = {h_malloc, h_realloc, h_free, NULL};
    sinew_set_allocator(&a);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct result {
    double ms;
    long long mem, statements, checksum;
} result;

static int run_side(env *e, const workload *w, int sinew_side, result *r)
{
    if (w->setup(e)) return 1;
    sinew_db_reset_stats(e->db);
    e->raw_statements = 0;
    mem_reset_peak();
    double t0 = now_ms();
    int rc = sinew_side ? w->sinew_side(e) : e->is_pg ? w->raw_pg(e) : e->is_my ? w->raw_my(e) : w->raw_side(e);
    r->ms = now_ms() - t0;
    r->mem = mem_peak_delta();
    r->statements = sinew_side ? (long long)sinew_db_stats(e->db).statements : e->raw_statements;
    r->checksum = e->checksum;
    return rc;
}

static long long rows_of(const env *e, const char *id)
{
    if (!strncmp(id, "W10", 3)) return e->n_updates;
    if (!strcmp(id, "W1") || !strncmp(id, "W2", 2) || !strncmp(id, "W3", 2) || !strncmp(id, "W9", 2)) return e->n_users;
    if (!strcmp(id, "W4")) return e->n_gets;
    if (!strcmp(id, "W5")) return e->n_updates;
    if (!strcmp(id, "W6")) return 100 + 1000 + 10000;
    if (!strcmp(id, "W7")) return (long long)e->n_joins * 20;
    return e->n_stream;
}

static const char *only;

/* the medians of the last backend's run, by workload id, for the summary lines */
static double med_sinew[64], med_raw[64];
static double median_of(const char *id, int raw)
{
    for (int w = 0; w < nworkloads && w < 64; w++)
        if (!strcmp(workloads[w].id, id)) return raw ? med_raw[w] : med_sinew[w];
    return 0;
}
static double ratio(double a, double b) { return b > 0 ? a / b : 0; }

/* the batched flush's targets, read from this run (issue: W9 >= 20x the per-row W1 on PostgreSQL, within
 * 1.5x of its raw floor; W9 >= 2.5x raw W1 on SQLite; W10 >= 10x the per-row UPDATE loop on PostgreSQL) */
static void flush_summary(const char *label)
{
    if (only || median_of("W9", 0) <= 0) return;
    printf("%s: W9 (one flush) %.1fx faster than sinew W1 (save per row), %.1fx than raw W1; W9/raw multi-row %.2f, "
           "W9/raw COPY %.2f; W10 (one flush) %.1fx faster than the raw UPDATE per row, W10/raw pipelined %.2f\n",
           label, ratio(median_of("W1", 0), median_of("W9", 0)), ratio(median_of("W1", 1), median_of("W9", 0)),
           ratio(median_of("W9", 0), median_of("W9", 1)), ratio(median_of("W9c", 0), median_of("W9c", 1)),
           ratio(median_of("W10", 1), median_of("W10", 0)), ratio(median_of("W10p", 0), median_of("W10p", 1)));
}

static int bench_backend(env *e, const char *label, int rounds, double *w1_raw_ms, double *w2_sinew_ms)
{
    int failures = 0;
    for (int w = 0; w < nworkloads; w++) {
        const workload *wl = &workloads[w];
        if (only && strcmp(only, wl->id)) continue;
        /* W9c and W10p differ from W9 and W10 by a raw side MariaDB has no form of (COPY, pipelining) */
        if (e->is_my && (!wl->raw_my || !strcmp(wl->id, "W9c") || !strcmp(wl->id, "W10p"))) continue;
        double ts[32], tr[32];
        long long ms = 0, mr = 0, ss = 0, sr = 0;
        for (int r = 0; r < rounds; r++) {
            result a, b;
            int first_sinew = r % 2 == 0;   /* alternate which side runs first */
            if (run_side(e, wl, first_sinew, first_sinew ? &a : &b) || run_side(e, wl, !first_sinew, first_sinew ? &b : &a)) {
                fprintf(stderr, "%s %s: a side failed\n", label, wl->id);
                return 1;
            }
            if (a.checksum != b.checksum) {
                fprintf(stderr, "%s %s: sinew computed %lld, raw %lld\n", label, wl->id, a.checksum, b.checksum);
                failures++;
            }
            ts[r] = a.ms;
            tr[r] = b.ms;
            if (b.mem > mr) mr = b.mem;
            ss = a.statements;
            sr = b.statements;
        }
        /* sinew's peak memory from one more, untimed run with the session
         * chunk cache off: chunks a warm cache hands out cost no malloc, so
         * the timed runs would not see them */
        {
            result m;
            sinew_db_set_session_cache(e->db, 0);
            if (run_side(e, wl, 1, &m)) return 1;
            sinew_db_set_session_cache(e->db, SINEW_DEFAULT_SESSION_CACHE);
            ms = m.mem;
        }
        qsort(ts, (size_t)rounds, sizeof ts[0], cmp_d);
        qsort(tr, (size_t)rounds, sizeof tr[0], cmp_d);
        double s = ts[rounds / 2], rw = tr[rounds / 2];
        if (w < 64) med_sinew[w] = s, med_raw[w] = rw;
        if (w == 0) *w1_raw_ms = rw;
        if (w == 1) *w2_sinew_ms = s;
        printf("| %-3s | %-7s | %-44s | %9.2f | %9.2f | %5.2f | %11.0f | %9lld | %9lld | %6lld | %6lld |\n", wl->id, label,
               wl->what, s, rw, rw > 0 ? s / rw : 0, s > 0 ? (double)rows_of(e, wl->id) / (s / 1000.0) : 0, ms / 1024,
               mr / 1024, ss, sr);
        fflush(stdout);
    }
    return failures;
}

static int open_env(env *e, const char *url)
{
    e->url = url;
    e->is_pg = strncmp(url, "postgres", 8) == 0;
    e->is_my = strncmp(url, "mariadb:", 8) == 0 || strncmp(url, "mysql:", 6) == 0;
    if (sinew_open(url, &e->db) != SINEW_OK) {
        fprintf(stderr, "%s: %s\n", url, sinew_errmsg());
        return 1;
    }
    if (e->is_pg || e->is_my) {   /* start from empty tables: an earlier run may have left its own */
        if (sinew_exec(e->db, "DROP TABLE IF EXISTS comments, posts, users") != SINEW_OK) {   /* the same on both */
            fprintf(stderr, "%s\n", sinew_errmsg());
            return 1;
        }
    }
    if (sinew_create_tables(e->db, &bench_schema) != SINEW_OK) {
        fprintf(stderr, "%s\n", sinew_errmsg());
        return 1;
    }
    if (e->is_pg) {
        /* the raw side's own connection to the same database */
        e->pg = PQconnectdb(url);
        if (PQstatus(e->pg) != CONNECTION_OK) {
            fprintf(stderr, "%s: %s", url, PQerrorMessage(e->pg));
            return 1;
        }
        e->setup_pg = PQconnectdb(url);
        if (PQstatus(e->setup_pg) != CONNECTION_OK) {
            fprintf(stderr, "%s: %s", url, PQerrorMessage(e->setup_pg));
            return 1;
        }
        e->raw = NULL;
    } else if (e->is_my) {
#ifdef SINEW_BENCH_MARIADB
        /* the raw side's own Connector/C connection, and one for the setups */
        if (!(e->my = my_connect(url)) || !(e->setup_my = my_connect(url))) return 1;
        /* the setups make their rows with recursive CTEs of up to 1,000,000 steps (MariaDB stops at 1,000) */
        if (my_exec(e->setup_my, "SET SESSION max_recursive_iterations = 4294967295")) return 1;
        e->raw = NULL;
#else
        fprintf(stderr, "%s: this sinew_bench was built without MariaDB Connector/C\n", url);
        return 1;
#endif
    } else {
        e->raw = sn_sqlite_handle(e->db->conn);   /* the same connection: the same database, same process */
    }
    return 0;
}

static void close_env(env *e)
{
    sinew_close(e->db);
    e->db = NULL;
    if (e->pg) PQfinish(e->pg);
    if (e->setup_pg) PQfinish(e->setup_pg);
    e->pg = NULL;
#ifdef SINEW_BENCH_MARIADB
    my_disconnect(e->my);
    my_disconnect(e->setup_my);
#endif
    e->my = e->setup_my = NULL;
    e->is_my = 0;
}

int main(int argc, char **argv)
{
    int quick = 0, rounds = 5, sqlite_too = 1, stream_rows = 0;
    const char *pg_url = NULL, *my_url = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) quick = 1;
        else if (!strcmp(argv[i], "--pg") && i + 1 < argc) pg_url = argv[++i];
        else if (!strcmp(argv[i], "--pg-only") && i + 1 < argc) pg_url = argv[++i], sqlite_too = 0;
        else if (!strcmp(argv[i], "--mariadb") && i + 1 < argc) my_url = argv[++i];
        else if (!strcmp(argv[i], "--mariadb-only") && i + 1 < argc) my_url = argv[++i], sqlite_too = 0;
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
        else if (!strcmp(argv[i], "--rows") && i + 1 < argc) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            if (*end || n < 1 || n > 100000000) {
                fprintf(stderr, "sinew_bench: --rows %s is not a row count from 1 to 100000000\n", argv[i]);
                return 2;
            }
            stream_rows = (int)n;
        } else {
            fprintf(stderr, "usage: sinew_bench [--quick] [--rounds N] [--only Wn] [--rows N] [--pg URL | --pg-only URL] [--mariadb URL | --mariadb-only URL]\n");
            return 2;
        }
    }
    if (quick) rounds = 1;
    if (rounds < 1 || rounds > 31) rounds = 5;
    mem_install();
    env e;
    memset(&e, 0, sizeof e);
    e.quick = quick;
    e.n_users = quick ? 300 : 100000;
    e.n_gets = quick ? 200 : 10000;
    e.n_updates = quick ? 200 : 10000;
    e.n_stream = stream_rows ? stream_rows : quick ? 2000 : 1000000;
    e.n_joins = quick ? 10 : 200;
    e.names = malloc((size_t)e.n_users * sizeof *e.names);
    e.emails = malloc((size_t)e.n_users * sizeof *e.emails);
    for (int i = 0; i < e.n_users; i++) {
        char b[64];
        snprintf(b, sizeof b, "user%d", i);
        e.names[i] = strdup(b);
        snprintf(b, sizeof b, "user%d@example.com", i);
        e.emails[i] = strdup(b);
    }
    /* both sides run on the SQLite inside libsinew (the embedded one unless built with -DSINEW_SYSTEM_SQLITE=ON) */
    printf("sinew_bench: %d round(s) per workload, medians; ratio = sinew / raw (lower is better); SQLite %s\n\n",
           rounds, sqlite3_libversion());
    printf("| W | backend | workload | sinew ms | raw ms | ratio | sinew rows/s | sinew KiB | raw KiB | sinew stmts | raw stmts |\n");
    printf("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    int failures = 0;
    double w1_raw = 0, w2_sinew = 0;
    if (sqlite_too) {
        if (open_env(&e, "sqlite::memory:")) return 1;
        failures += bench_backend(&e, "memory", rounds, &w1_raw, &w2_sinew);
        flush_summary("memory");
        double mem_w2_vs_w1 = w2_sinew > 0 ? w1_raw / w2_sinew : 0;
        close_env(&e);
        char path[256], url[300];
        snprintf(path, sizeof path, "%s/sinew-bench-%ld.db", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
        snprintf(url, sizeof url, "sqlite:%s", path);
        if (open_env(&e, url)) return 1;
        failures += bench_backend(&e, "WAL file", rounds, &w1_raw, &w2_sinew);
        flush_summary("WAL file");
        close_env(&e);
        unlink(path);
        char aux[300];
        snprintf(aux, sizeof aux, "%s-wal", path);
        unlink(aux);
        snprintf(aux, sizeof aux, "%s-shm", path);
        unlink(aux);
        if (!only)
            printf("\nW2 (sinew bulk insert) against W1 raw (one by one): %.1fx faster in memory, %.1fx on the WAL file\n",
                   mem_w2_vs_w1, w2_sinew > 0 ? w1_raw / w2_sinew : 0);
    }
    if (pg_url) {
        if (open_env(&e, pg_url)) return 1;
        failures += bench_backend(&e, "postgres", rounds, &w1_raw, &w2_sinew);
        flush_summary("postgres");
        close_env(&e);
        if (!only)
            printf("W2 (sinew bulk insert) against W1 raw (one by one) on PostgreSQL: %.1fx faster\n",
                   w2_sinew > 0 ? w1_raw / w2_sinew : 0);
    } else {
        printf("PostgreSQL: not measured in this run (--pg URL; see docs/performance.md)\n");
    }
    if (my_url) {
        if (open_env(&e, my_url)) return 1;
        failures += bench_backend(&e, "mariadb", rounds, &w1_raw, &w2_sinew);
        flush_summary("mariadb");
        close_env(&e);
        if (!only)
            printf("W2 (sinew bulk insert) against W1 raw (one by one) on MariaDB: %.1fx faster\n",
                   w2_sinew > 0 ? w1_raw / w2_sinew : 0);
    }
    for (int i = 0; i < e.n_users; i++) free(e.names[i]), free(e.emails[i]);
    free(e.names);
    free(e.emails);
    if (failures) {
        fprintf(stderr, "sinew_bench: %d workload(s) computed different results on the two sides\n", failures);
        return 1;
    }
    printf("%s\n", quick ? "quick run: every workload computed the same result on both sides" : "done");
    return 0;
}
