#include "tracker.h"
#include <stddef.h>
#include "harness.h"

static const char *const status_values[] = {"open", "closed", "wontfix"};
static const sinew_enum status_enum = {"Status", status_values, 3, NULL, {0, 0}};

static const sinew_field ticket_fields[] = {
    SINEW_FIELD(Ticket, id, SINEW_INT64, SINEW_FIELD_PK),
    SINEW_FIELD(Ticket, title, SINEW_TEXT, 0),
    SINEW_FIELD(Ticket, priority, SINEW_INT32, 0),
    {"status", "status", SINEW_ENUM, 0, &status_enum, {SINEW_DEFAULT_NONE, NULL}, NULL, NULL, NULL, NULL,
     offsetof(Ticket, status), SINEW_NO_OFFSET, 0, {0, 0}, NULL, NULL},
    SINEW_FIELD(Ticket, seq, SINEW_INT64, 0),
};
static const unsigned ticket_pk[] = {0};
const sinew_model ticket_model = SINEW_MODEL(Ticket, "Ticket", "tickets", "ticket", ticket_fields, ticket_pk);
static const sinew_model *const models[] = {&ticket_model};
static const sinew_enum *const enums[] = {&status_enum};
const sinew_schema tracker_schema = {"tracker", models, 1, enums, 1, NULL};

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the id of the k-th seeded ticket: a permutation of 1..1009, unrelated to priority and insertion order */
int64_t tracker_id(int k) { return (int64_t)((k * 211) % 1009) + 1; }

int tracker_seed(sinew_db *to, int n)
{
    int rc = sinew_create_tables(to, &tracker_schema);
    if (rc) return rc;
    size_t cap = (size_t)n * 64 + 128, len = 0;
    char *sql = malloc(cap);
    if (!sql) return SINEW_NOMEM;
    len += (size_t)snprintf(sql, cap, "INSERT INTO tickets (id, title, priority, status, seq) VALUES ");
    for (int k = 0; k < n; k++)
        len += (size_t)snprintf(sql + len, cap - len, "%s(%lld, 'ticket %d', %d, '%s', %d)", k ? ", " : "",
                                (long long)tracker_id(k), k, k % 5, status_values[k % 3], k);
    rc = sinew_exec(to, sql);
    free(sql);
    return rc;
}

typedef struct fixture {
    sinew_db **db;
    sinew_session **s;
} fixture;

int tracker_fixture(void **state, sinew_db **db, sinew_session **s)
{
    fixture *f = malloc(sizeof *f);
    assert_non_null(f);
    f->db = db;
    f->s = s;
    *db = NULL;
    *s = NULL;
    *state = f;
    return 0;
}

int tracker_open(void **state, sinew_db **db, sinew_session **s, int n)
{
    tracker_fixture(state, db, s);
    *db = th_open();
    th_ok(tracker_seed(*db, n));
    th_ok(sinew_session_new(*db, s));
    return 0;
}

int tracker_teardown(void **state)
{
    fixture *f = *state;
    if (!f) return 0;
    sinew_session_free(*f->s);
    *f->s = NULL;
    if (*f->db) th_close(*f->db);
    *f->db = NULL;
    free(f);
    *state = NULL;
    return 0;
}
