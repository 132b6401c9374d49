/*
 * writes_example.c - the code of docs/queries.md on computed writes, row
 * locks and claims, compiled and run by the test suite (SQLite, where
 * sinew_lock is refused and sinew_claim still works).
 */
#include <stdio.h>
#include <string.h>
#include "sinew/sinew.h"

#define CHECK(x) do { int rc_ = (x); if (rc_) { fprintf(stderr, "%s: %s\n", #x, sinew_errmsg()); return 1; } } while (0)

typedef struct Page {
    int64_t id;
    char *slug;
    int64_t views;
    int64_t last_views;
} Page;

typedef struct Job {
    int64_t id;
    bool taken;
    int32_t worker;
} Job;

static const sinew_field page_fields[] = {
    SINEW_FIELD(Page, id, SINEW_INT64, SINEW_FIELD_PK),
    SINEW_FIELD(Page, slug, SINEW_TEXT, SINEW_FIELD_UNIQUE),
    SINEW_FIELD(Page, views, SINEW_INT64, 0),
    SINEW_FIELD(Page, last_views, SINEW_INT64, 0),
};
static const sinew_field job_fields[] = {
    SINEW_FIELD(Job, id, SINEW_INT64, SINEW_FIELD_PK),
    SINEW_FIELD(Job, taken, SINEW_BOOL, 0),
    SINEW_FIELD(Job, worker, SINEW_INT32, 0),
};
static const unsigned one_pk[] = {0};
static const sinew_model page_model = SINEW_MODEL(Page, "Page", "pages", "page", page_fields, one_pk);
static const sinew_model job_model = SINEW_MODEL(Job, "Job", "jobs", "job", job_fields, one_pk);
static const sinew_model *const models[] = {&page_model, &job_model};
static const sinew_schema site_schema = {"site", models, 2, NULL, 0, NULL};

#define PAGE_SLUG sinew_column(&page_model, 1)
#define PAGE_VIEWS sinew_column(&page_model, 2)
#define PAGE_LAST_VIEWS sinew_column(&page_model, 3)
#define PAGE_ID sinew_column(&page_model, 0)
#define JOB_ID sinew_column(&job_model, 0)
#define JOB_TAKEN sinew_column(&job_model, 1)
#define JOB_WORKER sinew_column(&job_model, 2)

int main(void)
{
    sinew_db *db;
    CHECK(sinew_open("sqlite::memory:", &db));
    CHECK(sinew_create_tables(db, &site_schema));
    CHECK(sinew_exec(db, "INSERT INTO pages (id, slug, views, last_views) VALUES (1, 'home', 0, 0)"));
    CHECK(sinew_exec(db, "INSERT INTO jobs (id, taken, worker) VALUES (1, FALSE, 0), (2, FALSE, 0), (3, FALSE, 0)"));
    sinew_session *s;
    CHECK(sinew_session_new(db, &s));

    /* computed assignments: UPDATE pages SET last_views = views, views = (views + ?) WHERE ... */
    sinew_query *q = sinew_query_new(s, &page_model);
    CHECK(sinew_where(q, sinew_eq(PAGE_SLUG, sinew_v_text("home"))));
    sinew_set set[2] = {sinew_set_expr(PAGE_LAST_VIEWS, PAGE_VIEWS),
                        sinew_set_expr(PAGE_VIEWS, sinew_col_op(PAGE_VIEWS, '+', sinew_v_int64(1)))};
    int64_t changed;
    CHECK(sinew_query_update_set(q, set, 2, &changed));
    sinew_query_free(q);

    /* an upsert that adds the proposed count to the row's: views = pages.views + excluded.views */
    Page hit = {.id = 1, .slug = "home", .views = 10};
    const unsigned on_slug[] = {1};
    sinew_set add = sinew_set_combine(PAGE_VIEWS, '+');
    CHECK(sinew_upsert_set(s, &page_model, &hit, on_slug, 1, &add, 1));
    printf("home has %lld views\n", (long long)hit.views);   /* 11 */

    /* row locks: PostgreSQL locks the rows read; SQLite refuses and says what to do instead */
    q = sinew_query_new(s, &page_model);
    CHECK(sinew_where(q, sinew_eq(PAGE_ID, sinew_v_int64(1))));
    int rc = sinew_lock(q, SINEW_FOR_UPDATE, SINEW_NOWAIT);
    if (rc == SINEW_UNSUPPORTED) printf("%s\n", sinew_errmsg());
    sinew_query_free(q);

    /* a job queue: take two open jobs at a time, mark them as this worker's */
    q = sinew_query_new(s, &job_model);
    CHECK(sinew_where(q, sinew_eq(JOB_TAKEN, sinew_v_bool(false))));
    CHECK(sinew_order(q, JOB_ID, SINEW_ASC));
    sinew_set take[2] = {sinew_set_value(JOB_TAKEN, sinew_v_bool(true)), sinew_set_value(JOB_WORKER, sinew_v_int32(7))};
    sinew_list jobs;
    int total = 0;
    while ((rc = sinew_claim(q, 2, take, 2, &jobs)) == SINEW_OK && jobs.count) {
        for (size_t i = 0; i < jobs.count; i++) printf("job %lld taken\n", (long long)((Job *)jobs.items[i])->id);
        total += (int)jobs.count;
    }
    CHECK(rc);
    sinew_query_free(q);

    sinew_session_free(s);
    sinew_close(db);
    return hit.views == 11 && total == 3 ? 0 : 1;
}
