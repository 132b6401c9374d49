/*
 * workloads.c - W1-W8, each twice: through sinew, and the way a careful C
 * programmer writes it against the sqlite3 API (prepared statements, bind,
 * step, column reads into the same structs). Both sides use the same
 * connection, so they see the same database in the same process. Each side
 * leaves a checksum of what it did in e->checksum; the two must agree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libpq-fe.h>
#include "bench.h"
#include "orm/orm.h"

sqlite3 *sn_sqlite_handle(sinew_conn *c);

#define OK(x) do { if ((x) != SINEW_OK) { fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #x, sinew_errmsg()); return 1; } } while (0)
#define SQ(x) do { int r_ = (x); if (r_ != SQLITE_OK && r_ != SQLITE_DONE && r_ != SQLITE_ROW) { fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, sqlite3_errmsg(e->raw)); return 1; } } while (0)

/* setup SQL, through sinew's connection: the same text runs on both backends */
/*
 * Setup SQL. On PostgreSQL it runs on a connection of its own: the server
 * process that bulk-loaded 100,000 rows then answered each side's queries
 * 15-20% slower (measured on W4), so running setups on either side's
 * connection tilted the comparison. On SQLite both sides share one
 * connection anyway.
 */
static int rexec(env *e, const char *sql)
{
    if (e->is_pg) {
        PGresult *r = PQexec(e->setup_pg, sql);
        ExecStatusType st = PQresultStatus(r);
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            fprintf(stderr, "setup: %s", PQerrorMessage(e->setup_pg));
            PQclear(r);
            return 1;
        }
        PQclear(r);
        return 0;
    }
#ifdef SINEW_BENCH_MARIADB
    if (e->is_my) return my_exec(e->setup_my, sql);
#endif
    OK(sinew_exec(e->db, sql));
    return 0;
}

/* ---- setups (untimed) ---- */

/* Empties the tables and restarts their AUTOINCREMENT counters, so both sides
 * of W1/W2 hand out the same keys and their checksums compare. */
static int clear_users(env *e)
{
    if (e->is_pg) return rexec(e, "TRUNCATE comments, posts, users RESTART IDENTITY");
    if (e->is_my)   /* TRUNCATE restarts AUTO_INCREMENT; InnoDB refuses it on a referenced table with checks on */
        return rexec(e, "SET FOREIGN_KEY_CHECKS = 0; TRUNCATE TABLE comments; TRUNCATE TABLE posts; "
                        "TRUNCATE TABLE users; SET FOREIGN_KEY_CHECKS = 1");
    return rexec(e, "DELETE FROM comments; DELETE FROM posts; DELETE FROM users; DELETE FROM sqlite_sequence");
}

static int fill_users(env *e, int n)
{
    if (clear_users(e)) return 1;
    char sql[400];
    if (e->is_my)   /* MariaDB puts the WITH after INSERT INTO (its session concatenates with ||, as sinew's does) */
        snprintf(sql, sizeof sql,
                 "INSERT INTO users (id, name, email, age) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                 "FROM c WHERE x < %d) SELECT x, 'user' || x, 'user' || x || '@example.com', x %% 90 FROM c", n);
    else
        snprintf(sql, sizeof sql,
                 "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < %d) "
                 "INSERT INTO users (id, name, email, age) SELECT x, 'user' || x, 'user' || x || '@example.com', x %% 90 FROM c", n);
    return rexec(e, sql);
}

static int setup_users(env *e) { return fill_users(e, e->n_users); }
static int setup_stream(env *e) { return fill_users(e, e->n_stream); }

static int setup_graph(env *e)
{
    if (fill_users(e, 10000)) return 1;
    /* users 1..100 have 10 posts each, every post 10 comments */
    if (e->is_my)   /* integer division is DIV there ('/' gives a decimal) */
        return rexec(e, "INSERT INTO posts (id, author_id, title) WITH RECURSIVE p(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                        "FROM p WHERE x < 1000) SELECT x, (x - 1) DIV 10 + 1, 'post ' || x FROM p;"
                        "INSERT INTO comments (id, post_id, body) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                        "FROM c WHERE x < 10000) SELECT x, (x - 1) DIV 10 + 1, 'comment ' || x FROM c");
    return rexec(e, "WITH RECURSIVE p(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM p WHERE x < 1000) "
                    "INSERT INTO posts (id, author_id, title) SELECT x, (x - 1) / 10 + 1, 'post ' || x FROM p;"
                    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000) "
                    "INSERT INTO comments (id, post_id, body) SELECT x, (x - 1) / 10 + 1, 'comment ' || x FROM c;");
}

static int setup_join(env *e)
{
    if (fill_users(e, 10000)) return 1;
    /* MariaDB: statistics read again after the reload (TRUNCATE leaves InnoDB's at 0 rows, and its
       background recount comes seconds later, while one side or the other runs), so that both sides
       start from the same statistics and no recount runs alongside their timing */
    if (e->is_my)
        return rexec(e, "INSERT INTO posts (id, author_id, title) WITH RECURSIVE p(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                        "FROM p WHERE x < 30000) SELECT x, (x * 7919) % 10000 + 1, 'post ' || (x * 31 % 30000) FROM p; "
                        "ANALYZE TABLE users, posts");
    return rexec(e, "WITH RECURSIVE p(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM p WHERE x < 30000) "
                    "INSERT INTO posts (id, author_id, title) SELECT x, (x * 7919) % 10000 + 1, 'post ' || (x * 31 % 30000) FROM p;");
}

/* ---- W1: insert one by one in a transaction ---- */

static int w1_sinew(env *e)
{
    sinew_session *s;
    OK(sinew_session_new(e->db, &s));
    OK(sinew_begin(e->db));
    long long sum = 0;
    for (int i = 0; i < e->n_users; i++) {
        BUser *u;
        OK(sinew_new(s, &buser_model, (void **)&u));
        u->name = e->names[i];
        u->email = e->emails[i];
        u->age = i % 90;
        OK(sinew_save(s, &buser_model, u));
        sum += u->id;
    }
    OK(sinew_commit(e->db));
    sinew_session_free(s);
    e->checksum = sum;
    return 0;
}

static int w1_raw(env *e)
{
    sqlite3_stmt *st;
    SQ(sqlite3_prepare_v2(e->raw, "INSERT INTO users (name, email, age) VALUES (?, ?, ?)", -1, &st, NULL));
    SQ(sqlite3_exec(e->raw, "BEGIN", NULL, NULL, NULL));
    BUser *users = cmalloc((size_t)e->n_users * sizeof *users);
    long long sum = 0;
    for (int i = 0; i < e->n_users; i++) {
        BUser *u = &users[i];
        u->name = e->names[i];
        u->email = e->emails[i];
        u->age = i % 90;
        sqlite3_bind_text(st, 1, u->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, u->email, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, u->age);
        if (sqlite3_step(st) != SQLITE_DONE) return 1;
        sqlite3_reset(st);
        u->id = sqlite3_last_insert_rowid(e->raw);
        sum += u->id;
        e->raw_statements++;
    }
    SQ(sqlite3_exec(e->raw, "COMMIT", NULL, NULL, NULL));
    e->raw_statements += 2;
    sqlite3_finalize(st);
    cfree(users);
    e->checksum = sum;
    return 0;
}

/* ---- W2: bulk insert ---- */

static int w2_sinew(env *e)
{
    BUser *users = cmalloc((size_t)e->n_users * sizeof *users);
    void **ptrs = cmalloc((size_t)e->n_users * sizeof *ptrs);
    for (int i = 0; i < e->n_users; i++) {
        memset(&users[i], 0, sizeof users[i]);
        users[i].name = e->names[i];
        users[i].email = e->emails[i];
        users[i].age = i % 90;
        ptrs[i] = &users[i];
    }
    sinew_session *s;
    OK(sinew_session_new(e->db, &s));
    OK(sinew_insert_many(s, &buser_model, ptrs, (size_t)e->n_users));
    long long sum = 0;
    for (int i = 0; i < e->n_users; i++) sum += users[i].id;
    sinew_session_free(s);
    cfree(ptrs);
    cfree(users);
    e->checksum = sum;
    return 0;
}

static int w2_raw(env *e)
{
    enum { ROWS = 500 };
    char *sql = cmalloc(64 + ROWS * 12);
    strcpy(sql, "INSERT INTO users (name, email, age) VALUES ");
    for (int r = 0; r < ROWS; r++) strcat(sql, r ? ",(?,?,?)" : "(?,?,?)");
    sqlite3_stmt *st, *tail = NULL;
    SQ(sqlite3_prepare_v2(e->raw, sql, -1, &st, NULL));
    SQ(sqlite3_exec(e->raw, "BEGIN", NULL, NULL, NULL));
    long long sum = 0;
    for (int at = 0; at < e->n_users; at += ROWS) {
        int n = e->n_users - at < ROWS ? e->n_users - at : ROWS;
        sqlite3_stmt *use = st;
        if (n < ROWS) {   /* the last, shorter chunk */
            sql[strlen("INSERT INTO users (name, email, age) VALUES ") + (size_t)n * 8 - 1] = '\0';
            SQ(sqlite3_prepare_v2(e->raw, sql, -1, &tail, NULL));
            use = tail;
        }
        for (int r = 0; r < n; r++) {
            int i = at + r;
            sqlite3_bind_text(use, r * 3 + 1, e->names[i], -1, SQLITE_STATIC);
            sqlite3_bind_text(use, r * 3 + 2, e->emails[i], -1, SQLITE_STATIC);
            sqlite3_bind_int(use, r * 3 + 3, i % 90);
        }
        if (sqlite3_step(use) != SQLITE_DONE) return 1;
        sqlite3_reset(use);
        int64_t last = sqlite3_last_insert_rowid(e->raw);
        for (int r = 0; r < n; r++) sum += last - (n - 1 - r);
        e->raw_statements++;
    }
    SQ(sqlite3_exec(e->raw, "COMMIT", NULL, NULL, NULL));
    e->raw_statements += 2;
    sqlite3_finalize(st);
    sqlite3_finalize(tail);
    cfree(sql);
    e->checksum = sum;
    return 0;
}

/* ---- W3: load all users ---- */

/* the raw sides' end of W3 (both backends): what was read, then free it */
long long w3_sum_and_free(BUser *users, size_t n)
{
    long long sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += users[i].age + (long long)strlen(users[i].email);
        cfree(users[i].name);
        cfree(users[i].email);
    }
    cfree(users);
    return sum;
}

/* W3 and W3r: the same load, tracked (the default) or read-only (sinew_readonly) */
static int w3_load(env *e, int readonly)
{
    sinew_session *s;
    OK(sinew_session_new(e->db, &s));
    sinew_query *q = sinew_query_new(s, &buser_model);
    if (readonly) OK(sinew_readonly(q));
    sinew_list l;
    OK(sinew_all(q, &l));
    long long sum = 0;
    for (size_t i = 0; i < l.count; i++) sum += ((BUser *)l.items[i])->age + (long long)strlen(((BUser *)l.items[i])->email);
    sinew_query_free(q);
    sinew_session_free(s);
    e->checksum = sum;
    return 0;
}

static int w3_sinew(env *e) { return w3_load(e, 0); }
static int w3r_sinew(env *e) { return w3_load(e, 1); }

static int w3_raw(env *e)
{
    sqlite3_stmt *st;
    SQ(sqlite3_prepare_v2(e->raw, "SELECT id, name, email, age FROM users", -1, &st, NULL));
    size_t cap = 1024, n = 0;
    BUser *users = cmalloc(cap * sizeof *users);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n == cap) {
            BUser *bigger = cmalloc(cap * 2 * sizeof *users);
            memcpy(bigger, users, cap * sizeof *users);
            cfree(users);
            users = bigger;
            cap *= 2;
        }
        BUser *u = &users[n++];
        u->id = sqlite3_column_int64(st, 0);
        u->name = cstrdup((const char *)sqlite3_column_text(st, 1));
        u->email = cstrdup((const char *)sqlite3_column_text(st, 2));
        u->age = sqlite3_column_int(st, 3);
    }
    sqlite3_finalize(st);
    e->raw_statements++;
    long long sum = w3_sum_and_free(users, n);
    e->checksum = sum;
    return 0;
}

/* ---- W4: random gets by key, a fresh session every 100 ---- */

static int w4_sinew(env *e)
{
    uint32_t x = 2463534242u;
    long long sum = 0;
    sinew_session *s = NULL;
    for (int i = 0; i < e->n_gets; i++) {
        if (i % 100 == 0) {
            sinew_session_free(s);
            OK(sinew_session_new(e->db, &s));
        }
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        sinew_value key = sinew_v_int64((int64_t)(x % (uint32_t)e->n_users) + 1);
        BUser *u;
        OK(sinew_get(s, &buser_model, &key, 1, (void **)&u));
        sum += u->age + (long long)strlen(u->name);
    }
    sinew_session_free(s);
    e->checksum = sum;
    return 0;
}

static int w4_raw(env *e)
{
    sqlite3_stmt *st;
    SQ(sqlite3_prepare_v2(e->raw, "SELECT id, name, email, age FROM users WHERE id = ?", -1, &st, NULL));
    uint32_t x = 2463534242u;
    long long sum = 0;
    BUser *batch = cmalloc(100 * sizeof *batch);
    int nb = 0;
    for (int i = 0; i < e->n_gets; i++) {
        if (i % 100 == 0) {
            for (int k = 0; k < nb; k++) cfree(batch[k].name), cfree(batch[k].email);
            nb = 0;
        }
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        sqlite3_bind_int64(st, 1, (int64_t)(x % (uint32_t)e->n_users) + 1);
        if (sqlite3_step(st) != SQLITE_ROW) return 1;
        BUser *u = &batch[nb++];
        u->id = sqlite3_column_int64(st, 0);
        u->name = cstrdup((const char *)sqlite3_column_text(st, 1));
        u->email = cstrdup((const char *)sqlite3_column_text(st, 2));
        u->age = sqlite3_column_int(st, 3);
        sqlite3_reset(st);
        e->raw_statements++;
        sum += u->age + (long long)strlen(u->name);
    }
    for (int k = 0; k < nb; k++) cfree(batch[k].name), cfree(batch[k].email);
    cfree(batch);
    sqlite3_finalize(st);
    e->checksum = sum;
    return 0;
}

/* ---- W5: update one column of loaded objects and save ---- */

static sinew_session *w5_session;
sinew_list w5_loaded;

static int setup_w5(env *e)
{
    if (fill_users(e, e->n_updates)) return 1;
    sinew_session_free(w5_session);
    OK(sinew_session_new(e->db, &w5_session));
    sinew_query *q = sinew_query_new(w5_session, &buser_model);
    OK(sinew_all(q, &w5_loaded));
    sinew_query_free(q);
    return 0;
}

static int w5_sinew(env *e)
{
    OK(sinew_begin(e->db));
    long long sum = 0;
    for (size_t i = 0; i < w5_loaded.count; i++) {
        BUser *u = w5_loaded.items[i];
        u->age = (int32_t)((u->age + 1) % 100);
        OK(sinew_save(w5_session, &buser_model, u));
        sum += u->age;
    }
    OK(sinew_commit(e->db));
    e->checksum = sum;
    return 0;
}

static int w5_raw(env *e)
{
    /* the same objects, already loaded: write the one changed column */
    sqlite3_stmt *st;
    SQ(sqlite3_prepare_v2(e->raw, "UPDATE users SET age = ? WHERE id = ?", -1, &st, NULL));
    SQ(sqlite3_exec(e->raw, "BEGIN", NULL, NULL, NULL));
    long long sum = 0;
    for (size_t i = 0; i < w5_loaded.count; i++) {
        BUser *u = w5_loaded.items[i];
        int32_t age = (int32_t)((u->age + 1) % 100);
        sqlite3_bind_int(st, 1, age);
        sqlite3_bind_int64(st, 2, u->id);
        if (sqlite3_step(st) != SQLITE_DONE) return 1;
        sqlite3_reset(st);
        e->raw_statements++;
        sum += age;
    }
    SQ(sqlite3_exec(e->raw, "COMMIT", NULL, NULL, NULL));
    e->raw_statements += 2;
    sqlite3_finalize(st);
    e->checksum = sum;
    return 0;
}

/* ---- W6: eager graph, 100 users x 10 posts x 10 comments ---- */

/* the raw sides' end of W6 (both backends): count what was linked, free it all */
long long w6_sum_and_free(BUser *users, int nu, BPost *posts, int np, BComment *comments, int nc)
{
    long long sum = 0;
    for (int i = 0; i < nu; i++)
        for (size_t j = 0; j < users[i].posts.count; j++) sum += (long long)((BPost *)users[i].posts.items[j])->comments.count;
    for (int i = 0; i < nc; i++) cfree(comments[i].body);
    for (int i = 0; i < np; i++) cfree(posts[i].title), cfree(posts[i].comments.items);
    for (int i = 0; i < nu; i++) cfree(users[i].name), cfree(users[i].email), cfree(users[i].posts.items);
    cfree(comments);
    cfree(posts);
    cfree(users);
    return sum;
}

static int w6_sinew(env *e)
{
    sinew_session *s;
    OK(sinew_session_new(e->db, &s));
    sinew_query *q = sinew_query_new(s, &buser_model);
    OK(sinew_where(q, sinew_le(BUSER_ID, sinew_v_int64(100))));
    const sinew_relation *path[] = {BUSER_POSTS, BPOST_COMMENTS};
    OK(sinew_prefetch_path(q, path, 2));
    sinew_list users;
    OK(sinew_all(q, &users));
    long long sum = 0;
    for (size_t i = 0; i < users.count; i++) {
        BUser *u = users.items[i];
        for (size_t j = 0; j < u->posts.count; j++) sum += (long long)((BPost *)u->posts.items[j])->comments.count;
    }
    sinew_query_free(q);
    sinew_session_free(s);
    e->checksum = sum;
    return 0;
}

static int w6_raw(env *e)
{
    /* users; their posts with IN (...); those posts' comments with IN (...); linked up in memory */
    sqlite3_stmt *st;
    SQ(sqlite3_prepare_v2(e->raw, "SELECT id, name, email, age FROM users WHERE id <= 100 ORDER BY id", -1, &st, NULL));
    BUser *users = cmalloc(100 * sizeof *users);
    int nu = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        BUser *u = &users[nu++];
        memset(u, 0, sizeof *u);
        u->id = sqlite3_column_int64(st, 0);
        u->name = cstrdup((const char *)sqlite3_column_text(st, 1));
        u->email = cstrdup((const char *)sqlite3_column_text(st, 2));
        u->age = sqlite3_column_int(st, 3);
        u->posts.items = cmalloc(16 * sizeof(void *));
    }
    sqlite3_finalize(st);
    char sql[4096];
    size_t at = (size_t)snprintf(sql, sizeof sql, "SELECT id, author_id, title FROM posts WHERE author_id IN (");
    for (int i = 0; i < nu; i++) at += (size_t)snprintf(sql + at, sizeof sql - at, "%s?", i ? "," : "");
    snprintf(sql + at, sizeof sql - at, ") ORDER BY author_id, id");
    SQ(sqlite3_prepare_v2(e->raw, sql, -1, &st, NULL));
    for (int i = 0; i < nu; i++) sqlite3_bind_int64(st, i + 1, users[i].id);
    BPost *posts = cmalloc(1000 * sizeof *posts);
    int np = 0, ui = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        BPost *p = &posts[np++];
        memset(p, 0, sizeof *p);
        p->id = sqlite3_column_int64(st, 0);
        p->author_id = sqlite3_column_int64(st, 1);
        p->title = cstrdup((const char *)sqlite3_column_text(st, 2));
        p->comments.items = cmalloc(16 * sizeof(void *));
        while (users[ui].id != p->author_id) ui++;   /* both in id order */
        users[ui].posts.items[users[ui].posts.count++] = p;
    }
    sqlite3_finalize(st);
    char *csql = cmalloc(16 + 6 * 1000 + 64);
    at = (size_t)sprintf(csql, "SELECT id, post_id, body FROM comments WHERE post_id IN (");
    for (int i = 0; i < np; i++) at += (size_t)sprintf(csql + at, "%s?", i ? "," : "");
    sprintf(csql + at, ") ORDER BY post_id, id");
    SQ(sqlite3_prepare_v2(e->raw, csql, -1, &st, NULL));
    for (int i = 0; i < np; i++) sqlite3_bind_int64(st, i + 1, posts[i].id);
    BComment *comments = cmalloc(10000 * sizeof *comments);
    int nc = 0, pi = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        BComment *c = &comments[nc++];
        c->id = sqlite3_column_int64(st, 0);
        c->post_id = sqlite3_column_int64(st, 1);
        c->body = cstrdup((const char *)sqlite3_column_text(st, 2));
        while (posts[pi].id != c->post_id) pi++;
        posts[pi].comments.items[posts[pi].comments.count++] = c;
    }
    sqlite3_finalize(st);
    e->raw_statements += 3;
    long long sum = w6_sum_and_free(users, nu, posts, np, comments, nc);
    cfree(csql);
    e->checksum = sum;
    return 0;
}

/* ---- W7: filtered, ordered join with LIMIT, run 200 times ----
 * The raw side orders by the key after the title too: sinew does (a LIMIT over ties
 * needs a total order to return the same rows each time), and so must the floor. */

static int w7_sinew(env *e)
{
    long long sum = 0;
    for (int k = 0; k < e->n_joins; k++) {
        sinew_session *s;
        OK(sinew_session_new(e->db, &s));
        char pat[32];
        snprintf(pat, sizeof pat, "user%d%%", k % 50 + 1);
        sinew_query *q = sinew_query_new(s, &bpost_model);
        OK(sinew_where(q, sinew_like(sinew_via(BPOST_AUTHOR, BUSER_EMAIL), pat)));
        OK(sinew_order(q, BPOST_TITLE, SINEW_ASC));
        OK(sinew_limit(q, 20));
        sinew_list l;
        OK(sinew_all(q, &l));
        for (size_t i = 0; i < l.count; i++) sum += ((BPost *)l.items[i])->id;
        sinew_query_free(q);
        sinew_session_free(s);
    }
    e->checksum = sum;
    return 0;
}

static int w7_raw(env *e)
{
    sqlite3_stmt *st;
    SQ(sqlite3_prepare_v2(e->raw, "SELECT p.id, p.author_id, p.title FROM posts AS p JOIN users AS u ON u.id = p.author_id "
                                  "WHERE u.email LIKE ? ESCAPE '\\' ORDER BY p.title, p.id LIMIT 20", -1, &st, NULL));
    long long sum = 0;
    BPost posts[20];
    for (int k = 0; k < e->n_joins; k++) {
        char pat[32];
        snprintf(pat, sizeof pat, "user%d%%", k % 50 + 1);
        sqlite3_bind_text(st, 1, pat, -1, SQLITE_TRANSIENT);
        int n = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            BPost *p = &posts[n++];
            p->id = sqlite3_column_int64(st, 0);
            p->author_id = sqlite3_column_int64(st, 1);
            p->title = cstrdup((const char *)sqlite3_column_text(st, 2));
            sum += p->id;
        }
        sqlite3_reset(st);
        e->raw_statements++;
        for (int i = 0; i < n; i++) cfree(posts[i].title);
    }
    sqlite3_finalize(st);
    e->checksum = sum;
    return 0;
}

/* ---- W8: stream a million rows ---- */

static int w8_sinew(env *e)
{
    sinew_session *s;
    OK(sinew_session_new(e->db, &s));
    sinew_query *q = sinew_query_new(s, &buser_model);
    sinew_iter *it;
    OK(sinew_iterate(q, &it));
    BUser *u;
    long long sum = 0;
    while (sinew_iter_next(it, (void **)&u) == SINEW_ROW) sum += u->age + (long long)strlen(u->email);
    sinew_iter_free(it);
    sinew_query_free(q);
    sinew_session_free(s);
    e->checksum = sum;
    return 0;
}

static int w8_raw(env *e)
{
    sqlite3_stmt *st;
    SQ(sqlite3_prepare_v2(e->raw, "SELECT id, name, email, age FROM users", -1, &st, NULL));
    long long sum = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        BUser u;   /* one row at a time, pointing into SQLite's buffers */
        u.id = sqlite3_column_int64(st, 0);
        u.name = (char *)sqlite3_column_text(st, 1);
        u.email = (char *)sqlite3_column_text(st, 2);
        u.age = sqlite3_column_int(st, 3);
        sum += u.age + (long long)strlen(u.email);
    }
    sqlite3_finalize(st);
    e->raw_statements++;
    e->checksum = sum;
    return 0;
}

/* ---- W9: N objects made with sinew_new, written by one flush ---- */

static int w9_sinew(env *e)
{
    sinew_session *s;
    OK(sinew_session_new(e->db, &s));
    BUser **made = cmalloc((size_t)e->n_users * sizeof *made);
    for (int i = 0; i < e->n_users; i++) {
        OK(sinew_new(s, &buser_model, (void **)&made[i]));
        made[i]->name = e->names[i];
        made[i]->email = e->emails[i];
        made[i]->age = i % 90;
    }
    OK(sinew_session_flush(s));
    long long sum = 0;
    for (int i = 0; i < e->n_users; i++) sum += made[i]->id;
    cfree(made);
    sinew_session_free(s);
    e->checksum = sum;
    return 0;
}

/* ---- W10: the loaded objects of W5 changed, written by one flush ---- */

static int w10_sinew(env *e)
{
    long long sum = 0;
    for (size_t i = 0; i < w5_loaded.count; i++) {
        BUser *u = w5_loaded.items[i];
        u->age = (int32_t)((u->age + 1) % 100);
        sum += u->age;
    }
    OK(sinew_session_flush(w5_session));
    e->checksum = sum;
    return 0;
}

const workload workloads[] = {
    {"W1", "insert N users one by one, one transaction", clear_users, w1_sinew, w1_raw, w1_raw_pg, MY(w1_raw_my)},
    {"W2", "bulk insert N users (raw: multi-row INSERT / COPY)", clear_users, w2_sinew, w2_raw, w2_raw_pg, MY(w2_raw_my)},
    {"W3", "load all N users into structs", setup_users, w3_sinew, w3_raw, w3_raw_pg, MY(w3_raw_my)},
    {"W3r", "the same, read-only (sinew_readonly)", setup_users, w3r_sinew, w3_raw, w3_raw_pg, MY(w3_raw_my)},
    {"W4", "random get by key (fresh session every 100)", setup_users, w4_sinew, w4_raw, w4_raw_pg, MY(w4_raw_my)},
    {"W5", "update one column of loaded objects, save", setup_w5, w5_sinew, w5_raw, w5_raw_pg, MY(w5_raw_my)},
    {"W6", "eager 100 users x 10 posts x 10 comments", setup_graph, w6_sinew, w6_raw, w6_raw_pg, MY(w6_raw_my)},
    {"W7", "filtered ordered join with LIMIT, 200 times", setup_join, w7_sinew, w7_raw, w7_raw_pg, MY(w7_raw_my)},
    {"W8", "stream all rows in constant memory", setup_stream, w8_sinew, w8_raw, w8_raw_pg, MY(w8_raw_my)},
    /* raw: multi-row INSERT (SQLite's consecutive rowids; PostgreSQL: ... RETURNING id) */
    {"W9", "N sinew_new objects, one flush (raw: multi-row INSERT)", clear_users, w9_sinew, w2_raw, w9_raw_pg, MY(w2_raw_my)},
    {"W9c", "the same (raw: COPY + sequence range on PostgreSQL)", clear_users, w9_sinew, w2_raw, w2_raw_pg, MY(w2_raw_my)},
    /* raw: a prepared UPDATE per row; W10p on PostgreSQL: the same pipelined */
    {"W10", "change W5's loaded objects, one flush (raw: UPDATE per row)", setup_w5, w10_sinew, w5_raw, w5_raw_pg, MY(w5_raw_my)},
    {"W10p", "the same (raw: pipelined UPDATEs on PostgreSQL)", setup_w5, w10_sinew, w5_raw, w10_raw_pg_pipelined, MY(w5_raw_my)},
};
const int nworkloads = (int)(sizeof workloads / sizeof workloads[0]);
