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
    sqlite3 *raw;          /* a second connection to the same database, for the raw side */
    sinew_db *db;
    int n_users;           /* W1-W3 */
    int n_gets;            /* W4 */
    int n_updates;         /* W5 */
    int n_stream;          /* W8 */
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
} workload;

extern const workload workloads[];
extern const int nworkloads;

#endif
