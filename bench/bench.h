/*
 * bench.h - the benchmark's shared pieces: the models, the workload
 * signature, and memory accounting (sinew's allocator hook and the raw
 * side's malloc go through the same counter, so peaks compare).
 */
#ifndef SINEW_BENCH_H
#define SINEW_BENCH_H
#include <sqlite3.h>
#include <stdint.h>
#include "sinew/sinew.h"

typedef struct BUser BUser;
typedef struct BPost BPost;
typedef struct BComment BComment;
struct BUser {
    int64_t id;
    char *name;
    char *email;
    int32_t age;
    sinew_list posts;
};
struct BPost {
    int64_t id;
    int64_t author_id;
    char *title;
    BUser *author;
    sinew_list comments;
};
struct BComment {
    int64_t id;
    int64_t post_id;
    char *body;
};

extern const sinew_model buser_model, bpost_model, bcomment_model;
extern const sinew_schema bench_schema;
#define BUSER_ID sinew_column(&buser_model, 0)
#define BUSER_EMAIL sinew_column(&buser_model, 2)
#define BUSER_POSTS (&buser_model.relations[0])
#define BPOST_TITLE sinew_column(&bpost_model, 2)
#define BPOST_AUTHOR (&bpost_model.relations[0])
#define BPOST_COMMENTS (&bpost_model.relations[1])

/* memory: live and peak bytes through counted allocation */
void *cmalloc(size_t n);
void cfree(void *p);
char *cstrdup(const char *s);
void mem_reset_peak(void);
long long mem_peak_delta(void);   /* peak - live at the last reset */
void mem_install(void);           /* route sinew's allocations through the counter */

/* the workload environment */
typedef struct env {
    const char *url;       /* sinew's URL of the database */
    sqlite3 *raw;          /* SQLite: sinew's own connection handle, for the raw side */
    struct pg_conn *pg;    /* PostgreSQL: a second libpq connection to the same database */
    struct pg_conn *setup_pg;   /* PostgreSQL: a third, for the untimed setups (see rexec) */
    int is_pg;
    struct st_mysql *my;   /* MariaDB: the raw side's own Connector/C connection */
    struct st_mysql *setup_my;   /* MariaDB: another, for the untimed setups */
    int is_my;
    sinew_db *db;
    int n_users;           /* W1-W3 */
    int n_gets;            /* W4 */
    int n_updates;         /* W5 */
    int n_stream;          /* W8 */
    int n_joins;           /* W7: queries run */
    int quick;
    char **names, **emails;
    long long raw_statements;
    long long checksum;    /* each side leaves one here; the two must agree */
} env;

typedef int (*workload_fn)(env *e);

typedef struct workload {
    const char *id, *what;
    workload_fn setup;     /* untimed, before each run of either side */
    workload_fn sinew_side, raw_side;
    workload_fn raw_pg;    /* the raw side written against libpq */
    workload_fn raw_my;    /* the raw side written against MariaDB Connector/C (NULL: not built) */
} workload;

/* workloads_pg.c: the hand-written libpq versions */
int w1_raw_pg(env *e);
int w2_raw_pg(env *e);
int w3_raw_pg(env *e);
int w4_raw_pg(env *e);
int w5_raw_pg(env *e);
int w6_raw_pg(env *e);
int w7_raw_pg(env *e);
int w8_raw_pg(env *e);
int w9_raw_pg(env *e);
int w10_raw_pg_pipelined(env *e);
/* workloads_my.c: the hand-written MariaDB Connector/C versions (built with the MariaDB driver) */
#ifdef SINEW_BENCH_MARIADB
#define MY(fn) fn
#else
#define MY(fn) NULL
#endif
int w1_raw_my(env *e);
int w2_raw_my(env *e);
int w3_raw_my(env *e);
int w4_raw_my(env *e);
int w5_raw_my(env *e);
int w6_raw_my(env *e);
int w7_raw_my(env *e);
int w8_raw_my(env *e);
struct st_mysql *my_connect(const char *url);   /* with sinew's session settings; NULL (said) on failure */
void my_disconnect(struct st_mysql *m);
int my_exec(struct st_mysql *m, const char *sql);   /* statements separated by ';' */
extern sinew_list w5_loaded;
long long w3_sum_and_free(BUser *users, size_t n);
long long w6_sum_and_free(BUser *users, int nu, BPost *posts, int np, BComment *comments, int nc);   /* W5's objects, loaded by its setup */

extern const workload workloads[];
extern const int nworkloads;

#endif
