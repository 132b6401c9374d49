/* The blog schema of tests/relations, seeded for the query tests: users, posts, comments. */
#ifndef QUERIES_BLOG_SEED_H
#define QUERIES_BLOG_SEED_H
#include "../relations/blog_models.h"

#define POST_AUTHOR_ID sinew_column(&post_model, 1)
#define COMMENT_ID sinew_column(&comment_model, 0)
#define COMMENT_POST_ID sinew_column(&comment_model, 1)
#define COMMENT_AUTHOR_ID sinew_column(&comment_model, 2)
#define COMMENT_BODY sinew_column(&comment_model, 3)

/*
 * Create the tables and fill them: users 1..4 (user k invited by k-1, user 1 by nobody), posts
 * 1..8 (post p by user (p-1)%4+1, title "post p"), and comments: post p has p % 4 comments, the
 * c-th (c = 1..) by user c, body "p.c". Returns a sinew status.
 */
int blog_seed(sinew_db *db);

/*
 * Every row of a rows query as "a:b" joined by spaces: integers and text as themselves, NULL as
 * "-" (a buffer of its own, overwritten by the next call; at most 1 KiB).
 */
const char *blog_rows_text(sinew_query *q);
#endif
