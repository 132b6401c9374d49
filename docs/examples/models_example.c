/*
 * models_example.c - the code of docs/schema.md on timestamps kept by sinew
 * (@updated_at, @default(now)) and soft delete (@@soft_delete), compiled and
 * run by the test suite on SQLite.
 */
#include <stdio.h>
#include <string.h>
#include "sinew/sinew.h"

#define CHECK(x) do { int rc_ = (x); if (rc_) { fprintf(stderr, "%s: %s\n", #x, sinew_errmsg()); return 1; } } while (0)

/* what `sinew generate` writes for the Doc model of docs/schema.md */
typedef struct Doc {
    int64_t id;
    char *title;
    int64_t created_at;
    int64_t updated_at;
} Doc;

static const sinew_field doc_fields[] = {
    SINEW_FIELD(Doc, id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_AUTO),
    SINEW_FIELD(Doc, title, SINEW_TEXT, 0),
    {.name = "created_at", .column = "created_at", .type = SINEW_TIMESTAMP, .def = {SINEW_DEFAULT_NOW, NULL},
     .offset = offsetof(Doc, created_at), .has_offset = SINEW_NO_OFFSET},
    SINEW_FIELD(Doc, updated_at, SINEW_TIMESTAMP, SINEW_FIELD_UPDATED_AT),
};
static const unsigned doc_pk[] = {0};
static const sinew_model doc_model = SINEW_MODEL(Doc, "Doc", "docs", "doc", doc_fields, doc_pk);

static int timestamps(sinew_session *s)
{
    Doc *d;
    CHECK(sinew_new(s, &doc_model, (void **)&d));   /* created_at: now */
    d->title = "draft";
    CHECK(sinew_save(s, &doc_model, d));            /* INSERT: updated_at = the time of this save */
    int64_t first = d->updated_at;
    d->title = "final";
    CHECK(sinew_save(s, &doc_model, d));            /* UPDATE docs SET title = ?, updated_at = ? ... */
    return d->updated_at >= first && d->created_at <= first ? 0 : 1;
}

/* model Memo { id int64 @id @auto  body text  deleted_at timestamp?  @@soft_delete } */
typedef struct Memo {
    int64_t id;
    char *body;
    int64_t deleted_at;
    bool has_deleted_at;
} Memo;

static const sinew_field memo_fields[] = {
    SINEW_FIELD(Memo, id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_AUTO),
    SINEW_FIELD(Memo, body, SINEW_TEXT, 0),
    SINEW_FIELD_OPT(Memo, deleted_at, SINEW_TIMESTAMP, SINEW_FIELD_DELETED_AT),
};
static const unsigned memo_pk[] = {0};
static const sinew_model memo_model = {.name = "Memo", .table = "memos", .c_name = "memo",
                                       .flags = SINEW_MODEL_SOFT_DELETE, .size = sizeof(Memo),
                                       .fields = memo_fields, .nfields = 3, .pk = memo_pk, .npk = 1};

static int soft_delete(sinew_session *s)
{
    Memo *m;
    CHECK(sinew_new(s, &memo_model, (void **)&m));
    m->body = "remember";
    CHECK(sinew_save(s, &memo_model, m));
    CHECK(sinew_delete(s, &memo_model, m));         /* UPDATE memos SET deleted_at = ? WHERE ... */
    sinew_query *q = sinew_query_new(s, &memo_model);
    int64_t live, all;
    CHECK(sinew_query_count(q, &live));             /* ... WHERE deleted_at IS NULL: 0 */
    CHECK(sinew_with_deleted(q));
    CHECK(sinew_query_count(q, &all));              /* every row: 1 */
    sinew_query_free(q);
    CHECK(sinew_restore(s, &memo_model, m));        /* deleted_at = NULL: live again */
    CHECK(sinew_hard_delete(s, &memo_model, m));    /* DELETE FROM memos WHERE id = ? */
    return live == 0 && all == 1 ? 0 : 1;
}

int main(void)
{
    sinew_db *db;
    CHECK(sinew_open("sqlite::memory:", &db));
    CHECK(sinew_create_table(db, &doc_model));
    CHECK(sinew_create_table(db, &memo_model));
    sinew_session *s;
    CHECK(sinew_session_new(db, &s));
    int rc = timestamps(s) || soft_delete(s);
    sinew_session_free(s);
    sinew_close(db);
    return rc;
}
