/* models.c - the benchmark's descriptors: users, their posts, the posts' comments. */
#include <stddef.h>
#include "bench.h"

static const unsigned k0[] = {0}, k1[] = {1};
static const sinew_field user_fields[] = {
    SINEW_FIELD(BUser, id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_AUTO),
    SINEW_FIELD(BUser, name, SINEW_TEXT, 0),
    SINEW_FIELD(BUser, email, SINEW_TEXT, 0),
    SINEW_FIELD(BUser, age, SINEW_INT32, 0),
};
static const sinew_relation user_rels[] = {
    {"posts", SINEW_HAS_MANY, &bpost_model, k0, k1, 1, NULL, NULL, NULL, "author", SINEW_FK_NO_ACTION,
     SINEW_FK_NO_ACTION, 0, offsetof(BUser, posts), NULL, 0, {0, 0}, NULL, NULL},
};
static const sinew_field post_fields[] = {
    SINEW_FIELD(BPost, id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_AUTO),
    SINEW_FIELD(BPost, author_id, SINEW_INT64, SINEW_FIELD_FK | SINEW_FIELD_INDEX),
    SINEW_FIELD(BPost, title, SINEW_TEXT, 0),
};
static const sinew_relation post_rels[] = {
    {"author", SINEW_BELONGS_TO, &buser_model, k1, k0, 1, NULL, NULL, NULL, "posts", SINEW_FK_NO_ACTION,
     SINEW_FK_NO_ACTION, 0, offsetof(BPost, author), NULL, 0, {0, 0}, NULL, NULL},
    {"comments", SINEW_HAS_MANY, &bcomment_model, k0, k1, 1, NULL, NULL, NULL, NULL, SINEW_FK_NO_ACTION,
     SINEW_FK_NO_ACTION, 0, offsetof(BPost, comments), NULL, 0, {0, 0}, NULL, NULL},
};
static const sinew_field comment_fields[] = {
    SINEW_FIELD(BComment, id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_AUTO),
    SINEW_FIELD(BComment, post_id, SINEW_INT64, SINEW_FIELD_FK | SINEW_FIELD_INDEX),
    SINEW_FIELD(BComment, body, SINEW_TEXT, 0),
};
static const unsigned pk[] = {0};
const sinew_model buser_model = {"User", "users", "user", NULL, NULL, 0, sizeof(BUser), user_fields, 4, pk, 1, NULL, 0,
                                 user_rels, 1, {0, 0}, SINEW_DIST_UNSAID, 0, NULL, NULL, NULL, 0, NULL, NULL, 0};
const sinew_model bpost_model = {"Post", "posts", "post", NULL, NULL, 0, sizeof(BPost), post_fields, 3, pk, 1, NULL, 0,
                                 post_rels, 2, {0, 0}, SINEW_DIST_UNSAID, 0, NULL, NULL, NULL, 0, NULL, NULL, 0};
const sinew_model bcomment_model = {"Comment", "comments", "comment", NULL, NULL, 0, sizeof(BComment), comment_fields, 3,
                                    pk, 1, NULL, 0, NULL, 0, {0, 0}, SINEW_DIST_UNSAID, 0, NULL, NULL, NULL, 0, NULL, NULL, 0};
static const sinew_model *const models[] = {&buser_model, &bpost_model, &bcomment_model};
const sinew_schema bench_schema = {"bench", models, 3, NULL, 0, NULL};
