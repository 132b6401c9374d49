/*
 * json_example.c - the JSON section of docs/queries.md (values inside json
 * columns), compiled and run by the test suite on SQLite.
 */
#include <stddef.h>
#include <stdio.h>
#include "sinew/sinew.h"

#define CHECK(x) do { int rc_ = (x); if (rc_) { fprintf(stderr, "%s: %s\n", #x, sinew_errmsg()); return 1; } } while (0)

/* what `model Event { id int64 @id  kind text  data json? }` generates, by hand */
typedef struct Event {
    int64_t id;
    char *kind;
    char *data;
} Event;
static const sinew_field event_fields[] = {
    SINEW_FIELD(Event, id, SINEW_INT64, SINEW_FIELD_PK),
    SINEW_FIELD(Event, kind, SINEW_TEXT, 0),
    SINEW_FIELD(Event, data, SINEW_JSON, SINEW_FIELD_NULLABLE),
};
static const unsigned event_pk[] = {0};
static const sinew_model event_model = SINEW_MODEL(Event, "Event", "events", "event", event_fields, event_pk);
static const sinew_model *const event_models[] = {&event_model};
static const sinew_schema events_schema = {"events", event_models, 1, NULL, 0, NULL};
#define EVENT_ID sinew_column(&event_model, 0)
#define EVENT_DATA sinew_column(&event_model, 2)

int main(void)
{
    sinew_db *db;
    CHECK(sinew_open("sqlite::memory:", &db));
    CHECK(sinew_create_tables(db, &events_schema));
    CHECK(sinew_exec(db, "INSERT INTO events (id, kind, data) VALUES "
                         "(1, 'signup', '{\"user\": {\"name\": \"ada\"}, \"score\": 10, \"tags\": [\"new\"]}'), "
                         "(2, 'signup', '{\"user\": {\"name\": \"bob\"}, \"score\": 30, \"tags\": []}')"));
    sinew_session *s;
    CHECK(sinew_session_new(db, &s));
    int n = 0;

    sinew_query *q = sinew_query_new(s, &event_model);
    CHECK(sinew_where(q, sinew_eq(sinew_json_path(EVENT_DATA, "$.user.name", SINEW_TEXT), sinew_v_text("ada"))));
    CHECK(sinew_where(q, sinew_eq(sinew_json_path(EVENT_DATA, "$.tags[0]", SINEW_TEXT), sinew_v_text("new"))));
    CHECK(sinew_order(q, sinew_json_path(EVENT_DATA, "$.score", SINEW_INT64), SINEW_DESC));
    sinew_list events;
    CHECK(sinew_all(q, &events));
    sinew_query_free(q);

    q = sinew_query_new(s, &event_model);
    CHECK(sinew_select_col(q, EVENT_ID));
    CHECK(sinew_select_col(q, sinew_json_path(EVENT_DATA, "$.score", SINEW_INT64)));
    sinew_rows *rows;
    CHECK(sinew_rows_open(q, &rows));
    while (sinew_rows_next(rows) == SINEW_ROW) n += (int)sinew_rows_value(rows, 1).u.i;
    sinew_rows_free(rows);
    sinew_query_free(q);

    q = sinew_query_new(s, &event_model);
    int rc = sinew_where(q, sinew_json_contains(EVENT_DATA, "{\"tags\": [\"new\"]}"));
    if (rc == SINEW_UNSUPPORTED) printf("%s\n", sinew_errmsg());   /* SQLite: compare paths instead */
    sinew_query_free(q);

    q = sinew_query_new(s, &event_model);
    rc = sinew_where(q, sinew_eq(sinew_json_path(EVENT_DATA, "$.user name", SINEW_TEXT), sinew_v_text("ada")));
    if (rc == SINEW_MISUSE) printf("%s\n", sinew_errmsg());
    sinew_query_free(q);

    if (events.count != 1 || n != 40 || rc != SINEW_MISUSE) return 1;
    sinew_session_free(s);
    sinew_close(db);
    return 0;
}
