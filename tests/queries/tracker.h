/* A small issue tracker for the query tests: issues with a priority (many ties) and an enum status. */
#ifndef QUERIES_TRACKER_H
#define QUERIES_TRACKER_H
#include "sinew/sinew.h"

typedef enum { STATUS_OPEN, STATUS_CLOSED, STATUS_WONTFIX } Status;

typedef struct Ticket {
    int64_t id;
    char *title;
    int32_t priority;
    int status;        /* Status */
    int64_t seq;       /* insertion order, unrelated to priority and id */
} Ticket;

extern const sinew_model ticket_model;
extern const sinew_schema tracker_schema;

#define TICKET_ID sinew_column(&ticket_model, 0)
#define TICKET_TITLE sinew_column(&ticket_model, 1)
#define TICKET_PRIORITY sinew_column(&ticket_model, 2)
#define TICKET_STATUS sinew_column(&ticket_model, 3)
#define TICKET_SEQ sinew_column(&ticket_model, 4)

/* Create the table and insert n tickets (n <= 1009): ticket k has id tracker_id(k), priority k % 5
 * (many ties), status k % 3 and seq k. */
int tracker_seed(sinew_db *to, int n);
int64_t tracker_id(int k);

/* The fixture of the tests here, as cmocka setup and teardown: *db a connection and
 * *s a session on it, the test's own variables. tracker_fixture() records where they
 * are (in *state) for tracker_teardown() to free and close; tracker_open() does that
 * and opens them too: th_open(), n tickets seeded, a session. A failure fails the
 * test. Each returns 0. */
int tracker_fixture(void **state, sinew_db **db, sinew_session **s);
int tracker_open(void **state, sinew_db **db, sinew_session **s, int n);
int tracker_teardown(void **state);

#endif
