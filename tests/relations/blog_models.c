#include "blog_models.h"
#include <stddef.h>

static const unsigned k0[] = {0}, k1[] = {1}, k2[] = {2};

#define REL(nm, kind, target, local, remote, through, tl, tr, inverse, ondel, opt, off) \
    { nm, kind, target, local, remote, 1, through, tl, tr, inverse, ondel, SINEW_FK_NO_ACTION, opt, off, NULL, 0, {0, 0}, NULL, NULL }

static const sinew_field user_fields[] = {
    SINEW_FIELD(User, id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_AUTO),
    SINEW_FIELD(User, email, SINEW_TEXT, SINEW_FIELD_UNIQUE),
    SINEW_FIELD_OPT(User, invited_by_id, SINEW_INT64, SINEW_FIELD_FK),
};
static const sinew_relation user_rels[] = {
    REL("invited_by", SINEW_BELONGS_TO, &user_model, k2, k0, NULL, NULL, NULL, "invitees", SINEW_FK_SET_NULL, 1, offsetof(User, invited_by)),
    REL("posts", SINEW_HAS_MANY, &post_model, k0, k1, NULL, NULL, NULL, "author", SINEW_FK_NO_ACTION, 0, offsetof(User, posts)),
    REL("invitees", SINEW_HAS_MANY, &user_model, k0, k2, NULL, NULL, NULL, "invited_by", SINEW_FK_NO_ACTION, 0, offsetof(User, invitees)),
};

static const sinew_field post_fields[] = {
    SINEW_FIELD(Post, id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_AUTO),
    SINEW_FIELD(Post, author_id, SINEW_INT64, SINEW_FIELD_FK),
    SINEW_FIELD(Post, title, SINEW_TEXT, 0),
};
static const sinew_relation post_rels[] = {
    REL("author", SINEW_BELONGS_TO, &user_model, k1, k0, NULL, NULL, NULL, "posts", SINEW_FK_CASCADE, 0, offsetof(Post, author)),
    REL("comments", SINEW_HAS_MANY, &comment_model, k0, k1, NULL, NULL, NULL, "post", SINEW_FK_NO_ACTION, 0, offsetof(Post, comments)),
    REL("tags", SINEW_MANY_TO_MANY, &tag_model, k0, k0, &post_tag_model, k0, k1, "posts", SINEW_FK_NO_ACTION, 0, offsetof(Post, tags)),
};

static const sinew_field comment_fields[] = {
    SINEW_FIELD(Comment, id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_AUTO),
    SINEW_FIELD(Comment, post_id, SINEW_INT64, SINEW_FIELD_FK),
    SINEW_FIELD(Comment, author_id, SINEW_INT64, SINEW_FIELD_FK),
    SINEW_FIELD(Comment, body, SINEW_TEXT, 0),
};
static const sinew_relation comment_rels[] = {
    REL("post", SINEW_BELONGS_TO, &post_model, k1, k0, NULL, NULL, NULL, "comments", SINEW_FK_CASCADE, 0, offsetof(Comment, post)),
    REL("author", SINEW_BELONGS_TO, &user_model, k2, k0, NULL, NULL, NULL, NULL, SINEW_FK_CASCADE, 0, offsetof(Comment, author)),
};

static const sinew_field tag_fields[] = {
    SINEW_FIELD(Tag, id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_AUTO),
    SINEW_FIELD(Tag, name, SINEW_TEXT, SINEW_FIELD_UNIQUE),
};
static const sinew_relation tag_rels[] = {
    REL("posts", SINEW_MANY_TO_MANY, &post_model, k0, k0, &post_tag_model, k1, k0, "tags", SINEW_FK_NO_ACTION, 0, offsetof(Tag, posts)),
};

static const sinew_field post_tag_fields[] = {
    SINEW_FIELD(PostTag, post_id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_FK),
    SINEW_FIELD(PostTag, tag_id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_FK),
};
static const sinew_relation post_tag_rels[] = {
    REL("post", SINEW_BELONGS_TO, &post_model, k0, k0, NULL, NULL, NULL, NULL, SINEW_FK_CASCADE, 0, SINEW_NO_OFFSET),
    REL("tag", SINEW_BELONGS_TO, &tag_model, k1, k0, NULL, NULL, NULL, NULL, SINEW_FK_CASCADE, 0, SINEW_NO_OFFSET),
};
static const unsigned pk0[] = {0}, pk01[] = {0, 1};

#define MODEL(T, nm, tbl, cn, f, pk, r) \
    { nm, tbl, cn, NULL, NULL, 0, sizeof(T), f, SINEW_COUNT(f), pk, SINEW_COUNT(pk), NULL, 0, r, SINEW_COUNT(r), {0, 0}, \
      SINEW_DIST_UNSAID, 0, NULL, NULL, NULL, 0, NULL, NULL, 0 }

const sinew_model user_model = MODEL(User, "User", "users", "user", user_fields, pk0, user_rels);
const sinew_model post_model = MODEL(Post, "Post", "posts", "post", post_fields, pk0, post_rels);
const sinew_model comment_model = MODEL(Comment, "Comment", "comments", "comment", comment_fields, pk0, comment_rels);
const sinew_model tag_model = MODEL(Tag, "Tag", "tags", "tag", tag_fields, pk0, tag_rels);
const sinew_model post_tag_model = MODEL(PostTag, "PostTag", "post_tags", "post_tag", post_tag_fields, pk01, post_tag_rels);

static const sinew_model *const models[] = {&user_model, &post_model, &comment_model, &tag_model, &post_tag_model};
const sinew_schema blog_schema = {"blog", models, 5, NULL, 0, NULL};
