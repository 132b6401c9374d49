/*
 * blog_example - sinew's main example, on an embedded SQLite file.
 *
 *   blog_example [path/to/blog.db]
 *
 * blog.sinew describes users, posts, comments, tags and who invited whom;
 * `sinew generate` (run by the build through sinew_generate()) turns it
 * into blog.h / blog.c. This program creates the tables, saves objects,
 * queries them, follows relations, updates and deletes, shows the N+1
 * detector catching a lazy loop and the eager-loading fix, and draws the
 * schema as a Mermaid diagram.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sinew/sinew.h>   /* blog.h brings only the typed API; this adds migrations and diagrams */
#include "blog.h"

#define CHECK(call)                                                                          \
    do {                                                                                     \
        int rc_ = (call);                                                                    \
        if (rc_ != SINEW_OK) {                                                               \
            fprintf(stderr, "%s failed: %s: %s\n", #call, sinew_status_name(rc_), sinew_errmsg()); \
            return 1;                                                                        \
        }                                                                                    \
    } while (0)

static int statements(sinew_db *db) { return (int)sinew_db_stats(db).statements; }

static void show_warnings(void *ctx, const sinew_log_event *ev)
{
    (void)ctx;
    if (ev->message) printf("    sinew warns: %s\n", ev->message);
}

int main(int argc, char **argv)
{
    /* a file name (SQLite), or the URL of an empty server database:
     * postgres://user@127.0.0.1/blog, mariadb://user:pw@127.0.0.1:3306/blog */
    const char *path = argc > 1 ? argv[1] : "blog.db";
    char url[1024];
    if (strstr(path, "://")) {
        snprintf(url, sizeof url, "%s", path);
    } else {
        unlink(path);   /* a fresh database every run */
        snprintf(url, sizeof url, "sqlite:%s", path);
    }
    sinew_db *db;
    CHECK(sinew_open(url, &db));
    printf("1. Opened %s and created the tables from blog.sinew.\n", url);
    CHECK(sinew_create_tables(db, &blog_schema));

    /* --- saving: a unit of work, written in one transaction, parents first --- */
    sinew_session *s;
    CHECK(sinew_session_new(db, &s));
    const char *names[] = {"Ada", "Grace", "Edsger", "Barbara", "Ken", "Dennis"};
    User *users[6];
    for (int i = 0; i < 6; i++) {
        CHECK(user_new(s, &users[i]));
        char email[64];
        snprintf(email, sizeof email, "%s@example.com", names[i]);
        for (char *c = email; *c; c++) *c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
        users[i]->email = sinew_strdup(s, email);
        users[i]->name = (char *)names[i];
        if (i) users[i]->invited_by = users[0];   /* Ada invited everyone */
    }
    const char *tag_names[] = {"c", "databases", "history"};
    Tag *tags[3];
    for (int i = 0; i < 3; i++) {
        CHECK(tag_new(s, &tags[i]));
        tags[i]->name = (char *)tag_names[i];
    }
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 2; j++) {
            Post *p;
            CHECK(post_new(s, &p));
            p->author = users[i];
            char title[64];
            snprintf(title, sizeof title, "%s's post #%d", names[i], j + 1);
            p->title = sinew_strdup(s, title);
            p->body = "Lorem ipsum.";
        }
    int before = statements(db);
    CHECK(sinew_session_flush(s));
    printf("2. Saved 6 users, 3 tags and 12 posts in one flush (%d statements, one transaction);\n"
           "   keys were filled in: Ada is user %lld, Grace was invited by user %lld.\n",
           statements(db) - before, (long long)users[0]->id, (long long)users[1]->invited_by_id);
    sinew_session_free(s);

    /* --- queries --- */
    CHECK(sinew_session_new(db, &s));
    User *ada;
    CHECK(user_get_by_email(s, "ada@example.com", &ada));
    printf("3. Loaded %s by her unique email (user %lld).\n", ada->name, (long long)ada->id);
    sinew_query *q = post_query(s);
    CHECK(sinew_where(q, sinew_like(sinew_via(POST_AUTHOR, USER_NAME), "%a%")));
    CHECK(sinew_order(q, POST_TITLE, SINEW_DESC));
    CHECK(sinew_limit(q, 3));
    post_list posts;
    CHECK(post_all(q, &posts));
    printf("4. Posts by authors with an 'a' in their name, newest title first, limit 3:\n   %s\n",
           sinew_query_sql(q));
    for (size_t i = 0; i < posts.count; i++) printf("     - %s\n", posts.items[i]->title);
    sinew_query_free(q);

    /* --- relations and many-to-many --- */
    post_list mine;
    CHECK(user_posts(s, ada, &mine));
    Tag *c_tag;
    CHECK(tag_get_by_name(s, "c", &c_tag));
    CHECK(sinew_m2m_add(s, POST_TAGS, mine.items[0], c_tag));
    tag_list tags_of_post;
    CHECK(post_tags(s, mine.items[0], &tags_of_post));
    user_list invitees;
    CHECK(user_invitees(s, ada, &invitees));
    printf("5. Ada wrote %zu posts; her first is tagged '%s'; she invited %zu people.\n", mine.count,
           tags_of_post.items[0]->name, invitees.count);

    /* --- updates write only what changed, deletes cascade --- */
    Post *p0 = ada->posts.items[0];   /* the loaded relation member is a typed post_list: no cast */
    p0->title = "Ada's first post, edited";
    p0->status = STATUS_PUBLISHED;
    CHECK(post_save(s, p0));
    printf("6. Edited a post: only title, status and the @version counter were written (version %d).\n", p0->version);
    User *dennis;
    CHECK(user_get_by_email(s, "dennis@example.com", &dennis));
    CHECK(user_delete(s, dennis));
    int64_t n;
    CHECK(post_count(s, &n));
    printf("7. Deleted Dennis; his posts went with him (on_delete cascade): %lld posts remain.\n", (long long)n);
    sinew_session_free(s);

    /* --- the N+1 trap: caught, then fixed --- */
    CHECK(sinew_session_new(db, &s));
    sinew_db_set_log(db, show_warnings, NULL);
    sinew_session_set_batching(s, false);   /* to show the trap; batching is on by default */
    before = statements(db);
    q = post_query(s);
    CHECK(post_all(q, &posts));
    sinew_query_free(q);
    for (size_t i = 0; i < posts.count; i++) {
        User *author;
        CHECK(post_author(s, posts.items[i], &author));
    }
    printf("8. A naive loop over %zu posts loading each author lazily, batching off: %d statements\n"
           "   (1 for the posts, then 1 per author not yet in the session).\n",
           posts.count, statements(db) - before);
    sinew_session_free(s);
    CHECK(sinew_session_new(db, &s));
    before = statements(db);
    q = post_query(s);
    CHECK(sinew_prefetch(q, POST_AUTHOR));
    CHECK(post_all(q, &posts));
    sinew_query_free(q);
    for (size_t i = 0; i < posts.count; i++) {
        User *author;
        CHECK(post_author(s, posts.items[i], &author));
    }
    printf("9. The fix, sinew_prefetch(q, POST_AUTHOR): %d statement for posts and authors together.\n",
           statements(db) - before);
    sinew_session_free(s);
    sinew_db_set_log(db, NULL, NULL);

    /* --- the schema as a diagram --- */
    char diagram[1100];
    snprintf(diagram, sizeof diagram, "%s.mmd", path);
    FILE *f = fopen(diagram, "w");
    if (f) {
        CHECK(sinew_diagram(&blog_schema, SINEW_DIAGRAM_MERMAID, f));
        fclose(f);
        printf("10. Wrote the ER diagram of the schema to %s (Mermaid; `sinew diagram` makes SVG too).\n", diagram);
    }
    sinew_close(db);
    return 0;
}
