/* Hand-written blog descriptors with relations (what `sinew generate` emits, written out). */
#ifndef REL_BLOG_MODELS_H
#define REL_BLOG_MODELS_H
#include "sinew/sinew.h"

typedef struct User User;
typedef struct Post Post;
typedef struct Comment Comment;
typedef struct Tag Tag;

struct User {
    int64_t id;
    char *email;
    int64_t invited_by_id;
    bool has_invited_by_id;
    User *invited_by;          /* relation cache */
    sinew_list posts;
    sinew_list invitees;
};
struct Post {
    int64_t id;
    int64_t author_id;
    char *title;
    User *author;
    sinew_list comments;
    sinew_list tags;
};
struct Comment {
    int64_t id;
    int64_t post_id;
    int64_t author_id;
    char *body;
    Post *post;
    User *author;
};
struct Tag {
    int64_t id;
    char *name;
    sinew_list posts;
};
typedef struct PostTag {
    int64_t post_id;
    int64_t tag_id;
} PostTag;

extern const sinew_model user_model, post_model, comment_model, tag_model, post_tag_model;
extern const sinew_schema blog_schema;

#define USER_INVITED_BY (&user_model.relations[0])
#define USER_POSTS (&user_model.relations[1])
#define USER_INVITEES (&user_model.relations[2])
#define POST_AUTHOR (&post_model.relations[0])
#define POST_COMMENTS (&post_model.relations[1])
#define POST_TAGS (&post_model.relations[2])
#define COMMENT_POST (&comment_model.relations[0])
#define COMMENT_AUTHOR (&comment_model.relations[1])
#define TAG_POSTS (&tag_model.relations[0])

#define USER_EMAIL sinew_column(&user_model, 1)
#define POST_TITLE sinew_column(&post_model, 2)
#define POST_ID sinew_column(&post_model, 0)
#define USER_ID sinew_column(&user_model, 0)

#endif
