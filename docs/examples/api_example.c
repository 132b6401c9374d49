/*
 * api_example.c - the code shown in docs/api.md, compiled and run by the test
 * suite (tests/docs): out-parameters last, cleared on failure.
 */
#include <stdio.h>
#include "../../tests/relations/blog_models.h"

#define CHECK(x) do { int rc_ = (x); if (rc_) { fprintf(stderr, "%s: %s\n", #x, sinew_errmsg()); return 1; } } while (0)

int main(void)
{
    sinew_db *db;
    CHECK(sinew_open("sqlite::memory:", &db));
    CHECK(sinew_create_tables(db, &blog_schema));
    sinew_session *s;
    CHECK(sinew_session_new(db, &s));
    int64_t when;
    CHECK(sinew_timestamp_parse("2024-02-29 12:00:00", 19, &when));

    /* a failure leaves every out-parameter cleared */
    sinew_db *other = db;
    if (sinew_open("nosuchscheme:x", &other) == SINEW_OK || other) return 1;
    if (sinew_timestamp_parse("2024-02-30 12:00:00", 19, &when) == SINEW_OK || when != 0) return 1;
    User *u = (User *)1;
    if (sinew_get_by(s, &user_model, 1, &(sinew_value){0}, (void **)&u) == SINEW_OK || u) return 1;
    printf("conventions hold\n");
    sinew_session_free(s);
    sinew_close(db);
    return 0;
}
