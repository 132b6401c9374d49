/*
 * workloads_my.c - the raw side of W1-W10 on MariaDB: what a careful C
 * programmer writes against MariaDB Connector/C (server-side prepared
 * statements, typed MYSQL_BIND parameters and result buffers,
 * mysql_stmt_fetch into the same structs, an unbuffered fetch for the
 * stream, multi-row INSERTs with LAST_INSERT_ID for the bulk load). It runs
 * on its own connection to the same database sinew uses, in the same
 * process, with the session settings sinew's driver sets (so the SQL texts
 * mean the same on both sides).
 */
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench.h"

#define MYFAIL(what, msg)                                                                         \
    do {                                                                                          \
        fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, what, msg);                        \
        return 1;                                                                                 \
    } while (0)
#define MYOK(call, st)                                                                            \
    do {                                                                                          \
        if (call) MYFAIL(#call, mysql_stmt_error(st));                                            \
    } while (0)

/* the settings sinew's driver gives its sessions (src/driver/mariadb.c) */
static const char *const session_sql =
    "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
    "NO_ENGINE_SUBSTITUTION,NO_BACKSLASH_ESCAPES,ANSI_QUOTES,PIPES_AS_CONCAT', time_zone = '+00:00'";

struct st_mysql *my_connect(const char *url)
{
    /* mariadb://user[:pw]@host[:port]/db, as the tests' and the bench's URLs are */
    char user[128] = "root", pw[128] = "", host[128] = "127.0.0.1", db[128] = "";
    unsigned port = 3306;
    const char *p = strstr(url, "://");
    if (!p) return NULL;
    p += 3;
    const char *at = strchr(p, '@'), *slash = strchr(p, '/');
    if (at && (!slash || at < slash)) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        size_t ul = (size_t)((colon ? colon : at) - p);
        snprintf(user, sizeof user, "%.*s", (int)ul, p);
        if (colon) snprintf(pw, sizeof pw, "%.*s", (int)(at - colon - 1), colon + 1);
        p = at + 1;
    }
    const char *end = slash ? slash : p + strlen(p);
    const char *colon = memchr(p, ':', (size_t)(end - p));
    snprintf(host, sizeof host, "%.*s", (int)((colon ? colon : end) - p), p);
    if (colon) port = (unsigned)atoi(colon + 1);
    if (slash) {
        const char *q = strchr(slash + 1, '?');
        snprintf(db, sizeof db, "%.*s", (int)(q ? (size_t)(q - slash - 1) : strlen(slash + 1)), slash + 1);
    }
    MYSQL *m = mysql_init(NULL);
    if (!m) return NULL;
    if (!mysql_real_connect(m, host, user, pw[0] ? pw : NULL, db[0] ? db : NULL, port, NULL, CLIENT_MULTI_STATEMENTS)) {
        fprintf(stderr, "%s: %s\n", url, mysql_error(m));
        mysql_close(m);
        return NULL;
    }
    if (mysql_set_character_set(m, "utf8mb4") || mysql_query(m, session_sql)) {
        fprintf(stderr, "%s: %s\n", url, mysql_error(m));
        mysql_close(m);
        return NULL;
    }
    return m;
}

void my_disconnect(struct st_mysql *m)
{
    if (m) mysql_close(m);
}

/* one or more statements separated by ';' (setup and transaction control), their results dropped */
int my_exec(struct st_mysql *m, const char *sql)
{
    if (mysql_query(m, sql)) MYFAIL(sql, mysql_error(m));
    do {
        MYSQL_RES *r = mysql_store_result(m);
        if (r) mysql_free_result(r);
        else if (mysql_field_count(m)) MYFAIL(sql, mysql_error(m));
    } while (mysql_next_result(m) == 0);
    if (mysql_errno(m)) MYFAIL(sql, mysql_error(m));
    return 0;
}

static MYSQL_STMT *prep(env *e, const char *sql)
{
    MYSQL_STMT *st = mysql_stmt_init(e->my);
    if (!st) return NULL;
    if (mysql_stmt_prepare(st, sql, (unsigned long)strlen(sql))) {
        fprintf(stderr, "prepare %s: %s\n", sql, mysql_stmt_error(st));
        mysql_stmt_close(st);
        return NULL;
    }
    return st;
}

static int cmd(env *e, const char *sql)
{
    if (mysql_query(e->my, sql)) MYFAIL(sql, mysql_error(e->my));
    e->raw_statements++;
    return 0;
}

static void bind_text(MYSQL_BIND *b, const char *s, unsigned long *len)
{
    *len = (unsigned long)strlen(s);
    b->buffer_type = MYSQL_TYPE_STRING;
    b->buffer = (void *)s;
    b->buffer_length = *len;
    b->length = len;
}

static void bind_int(MYSQL_BIND *b, int32_t *v)
{
    b->buffer_type = MYSQL_TYPE_LONG;
    b->buffer = v;
}

static void bind_i64(MYSQL_BIND *b, int64_t *v)
{
    b->buffer_type = MYSQL_TYPE_LONGLONG;
    b->buffer = v;
}

/* result buffers for a users row: id, name, email, age */
typedef struct urow {
    MYSQL_BIND b[4];
    int64_t id;
    int32_t age;
    char name[256], email[256];
    unsigned long nlen, elen;
} urow;

static void urow_bind(urow *r)
{
    memset(r->b, 0, sizeof r->b);
    bind_i64(&r->b[0], &r->id);
    r->b[1].buffer_type = MYSQL_TYPE_STRING;
    r->b[1].buffer = r->name;
    r->b[1].buffer_length = sizeof r->name - 1;
    r->b[1].length = &r->nlen;
    r->b[2].buffer_type = MYSQL_TYPE_STRING;
    r->b[2].buffer = r->email;
    r->b[2].buffer_length = sizeof r->email - 1;
    r->b[2].length = &r->elen;
    bind_int(&r->b[3], &r->age);
}

static void urow_take(urow *r, BUser *u, int copy)
{
    r->name[r->nlen < sizeof r->name ? r->nlen : sizeof r->name - 1] = '\0';
    r->email[r->elen < sizeof r->email ? r->elen : sizeof r->email - 1] = '\0';
    u->id = r->id;
    u->age = r->age;
    u->name = copy ? cstrdup(r->name) : r->name;
    u->email = copy ? cstrdup(r->email) : r->email;
}

int w1_raw_my(env *e)
{
    MYSQL_STMT *st = prep(e, "INSERT INTO users (name, email, age) VALUES (?, ?, ?)");
    if (!st || cmd(e, "BEGIN")) return 1;
    BUser *users = cmalloc((size_t)e->n_users * sizeof *users);
    long long sum = 0;
    MYSQL_BIND b[3];
    unsigned long nl, el;
    for (int i = 0; i < e->n_users; i++) {
        BUser *u = &users[i];
        u->name = e->names[i];
        u->email = e->emails[i];
        u->age = i % 90;
        memset(b, 0, sizeof b);
        bind_text(&b[0], u->name, &nl);
        bind_text(&b[1], u->email, &el);
        bind_int(&b[2], &u->age);
        MYOK(mysql_stmt_bind_param(st, b), st);
        MYOK(mysql_stmt_execute(st), st);
        u->id = (int64_t)mysql_stmt_insert_id(st);
        sum += u->id;
        e->raw_statements++;
    }
    if (cmd(e, "COMMIT")) return 1;
    mysql_stmt_close(st);
    cfree(users);
    e->checksum = sum;
    return 0;
}

/* multi-row INSERTs, 500 rows a statement; LAST_INSERT_ID is the chunk's first key and the rest follow
 * it (InnoDB's consecutive lock mode, the default, for an INSERT whose row count is known) */
int w2_raw_my(env *e)
{
    enum { ROWS = 500 };
    char *sql = cmalloc(64 + ROWS * 12);
    strcpy(sql, "INSERT INTO users (name, email, age) VALUES ");
    size_t head = strlen(sql);
    for (int r = 0; r < ROWS; r++) strcat(sql, r ? ",(?,?,?)" : "(?,?,?)");
    MYSQL_STMT *st = prep(e, sql), *tail = NULL;
    MYSQL_BIND *b = cmalloc(ROWS * 3 * sizeof *b);
    unsigned long *lens = cmalloc(ROWS * 2 * sizeof *lens);
    int32_t *ages = cmalloc(ROWS * sizeof *ages);
    if (!st || cmd(e, "BEGIN")) return 1;
    long long sum = 0;
    for (int at = 0; at < e->n_users; at += ROWS) {
        int n = e->n_users - at < ROWS ? e->n_users - at : ROWS;
        MYSQL_STMT *use = st;
        if (n < ROWS) {   /* the last, shorter chunk */
            sql[head + (size_t)n * 8 - 1] = '\0';
            if (!(tail = prep(e, sql))) return 1;
            use = tail;
        }
        memset(b, 0, (size_t)n * 3 * sizeof *b);
        for (int r = 0; r < n; r++) {
            int i = at + r;
            ages[r] = i % 90;
            bind_text(&b[r * 3], e->names[i], &lens[r * 2]);
            bind_text(&b[r * 3 + 1], e->emails[i], &lens[r * 2 + 1]);
            bind_int(&b[r * 3 + 2], &ages[r]);
        }
        MYOK(mysql_stmt_bind_param(use, b), use);
        MYOK(mysql_stmt_execute(use), use);
        int64_t first = (int64_t)mysql_stmt_insert_id(use);
        for (int r = 0; r < n; r++) sum += first + r;
        e->raw_statements++;
    }
    if (cmd(e, "COMMIT")) return 1;
    mysql_stmt_close(st);
    if (tail) mysql_stmt_close(tail);
    cfree(ages);
    cfree(lens);
    cfree(b);
    cfree(sql);
    e->checksum = sum;
    return 0;
}

int w3_raw_my(env *e)
{
    MYSQL_STMT *st = prep(e, "SELECT id, name, email, age FROM users");
    if (!st) return 1;
    MYOK(mysql_stmt_execute(st), st);
    urow r;
    urow_bind(&r);
    MYOK(mysql_stmt_bind_result(st, r.b), st);
    size_t n = 0, cap = 1024;
    BUser *users = cmalloc(cap * sizeof *users);
    int rc;
    while ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
        if (n == cap) {
            BUser *more = cmalloc(cap * 2 * sizeof *more);
            memcpy(more, users, cap * sizeof *users);
            cfree(users);
            users = more;
            cap *= 2;
        }
        urow_take(&r, &users[n++], 1);
    }
    if (rc != MYSQL_NO_DATA) MYFAIL("fetch", mysql_stmt_error(st));
    mysql_stmt_close(st);
    e->raw_statements++;
    e->checksum = w3_sum_and_free(users, n);
    return 0;
}

int w4_raw_my(env *e)
{
    MYSQL_STMT *st = prep(e, "SELECT id, name, email, age FROM users WHERE id = ?");
    if (!st) return 1;
    int64_t key;
    MYSQL_BIND pb[1];
    memset(pb, 0, sizeof pb);
    bind_i64(&pb[0], &key);
    MYOK(mysql_stmt_bind_param(st, pb), st);
    urow r;
    urow_bind(&r);
    MYOK(mysql_stmt_bind_result(st, r.b), st);
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
        key = (int64_t)(x % (uint32_t)e->n_users) + 1;
        MYOK(mysql_stmt_execute(st), st);
        int rc = mysql_stmt_fetch(st);
        if (rc != 0 && rc != MYSQL_DATA_TRUNCATED) MYFAIL("fetch", "no row");
        BUser *u = &batch[nb++];
        urow_take(&r, u, 1);
        mysql_stmt_free_result(st);
        e->raw_statements++;
        sum += u->age + (long long)strlen(u->name);
    }
    for (int k = 0; k < nb; k++) cfree(batch[k].name), cfree(batch[k].email);
    cfree(batch);
    mysql_stmt_close(st);
    e->checksum = sum;
    return 0;
}

int w5_raw_my(env *e)
{
    MYSQL_STMT *st = prep(e, "UPDATE users SET age = ? WHERE id = ?");
    if (!st || cmd(e, "BEGIN")) return 1;
    int32_t age;
    int64_t id;
    MYSQL_BIND b[2];
    memset(b, 0, sizeof b);
    bind_int(&b[0], &age);
    bind_i64(&b[1], &id);
    MYOK(mysql_stmt_bind_param(st, b), st);
    long long sum = 0;
    for (size_t i = 0; i < w5_loaded.count; i++) {
        BUser *u = w5_loaded.items[i];
        age = (int32_t)((u->age + 1) % 100);
        id = u->id;
        MYOK(mysql_stmt_execute(st), st);
        if (mysql_stmt_affected_rows(st) != 1) MYFAIL("update", "not one row");
        e->raw_statements++;
        sum += age;
    }
    if (cmd(e, "COMMIT")) return 1;
    mysql_stmt_close(st);
    e->checksum = sum;
    return 0;
}

/* "SELECT ... WHERE col IN (?, ..., ?) ORDER BY col, id" for n keys, prepared, the keys bound */
static MYSQL_STMT *in_query(env *e, const char *head, const char *col, int64_t *keys, int n, MYSQL_BIND *pb)
{
    char *sql = cmalloc(strlen(head) + (size_t)n * 2 + 128);
    size_t at = (size_t)sprintf(sql, "%s WHERE %s IN (", head, col);
    for (int i = 0; i < n; i++) at += (size_t)sprintf(sql + at, "%s?", i ? "," : "");
    sprintf(sql + at, ") ORDER BY %s, id", col);
    MYSQL_STMT *st = prep(e, sql);
    cfree(sql);
    if (!st) return NULL;
    memset(pb, 0, (size_t)n * sizeof *pb);
    for (int i = 0; i < n; i++) bind_i64(&pb[i], &keys[i]);
    if (mysql_stmt_bind_param(st, pb) || mysql_stmt_execute(st)) {
        fprintf(stderr, "in_query: %s\n", mysql_stmt_error(st));
        mysql_stmt_close(st);
        return NULL;
    }
    return st;
}

int w6_raw_my(env *e)
{
    MYSQL_STMT *st = prep(e, "SELECT id, name, email, age FROM users WHERE id <= 100 ORDER BY id");
    if (!st) return 1;
    MYOK(mysql_stmt_execute(st), st);
    urow ur;
    urow_bind(&ur);
    MYOK(mysql_stmt_bind_result(st, ur.b), st);
    BUser *users = cmalloc(100 * sizeof *users);
    int64_t *keys = cmalloc(1000 * sizeof *keys);
    MYSQL_BIND *pb = cmalloc(1000 * sizeof *pb);
    int nu = 0, rc;
    while (nu < 100 && ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED)) {
        BUser *u = &users[nu];
        memset(u, 0, sizeof *u);
        urow_take(&ur, u, 1);
        u->posts.items = cmalloc(16 * sizeof(void *));
        keys[nu++] = u->id;
    }
    mysql_stmt_close(st);
    /* posts: id, author_id, title */
    if (!(st = in_query(e, "SELECT id, author_id, title FROM posts", "author_id", keys, nu, pb))) return 1;
    int64_t pid, paid;
    char title[256];
    unsigned long tlen;
    MYSQL_BIND rb[3];
    memset(rb, 0, sizeof rb);
    bind_i64(&rb[0], &pid);
    bind_i64(&rb[1], &paid);
    rb[2].buffer_type = MYSQL_TYPE_STRING;
    rb[2].buffer = title;
    rb[2].buffer_length = sizeof title - 1;
    rb[2].length = &tlen;
    MYOK(mysql_stmt_bind_result(st, rb), st);
    BPost *posts = cmalloc(1000 * sizeof *posts);
    int np = 0, ui = 0;
    while (np < 1000 && ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED)) {
        BPost *p = &posts[np];
        memset(p, 0, sizeof *p);
        title[tlen < sizeof title ? tlen : sizeof title - 1] = '\0';
        p->id = pid;
        p->author_id = paid;
        p->title = cstrdup(title);
        p->comments.items = cmalloc(16 * sizeof(void *));
        while (users[ui].id != p->author_id) ui++;   /* both in id order */
        users[ui].posts.items[users[ui].posts.count++] = p;
        keys[np++] = p->id;
    }
    mysql_stmt_close(st);
    /* comments: id, post_id, body */
    if (!(st = in_query(e, "SELECT id, post_id, body FROM comments", "post_id", keys, np, pb))) return 1;
    MYOK(mysql_stmt_bind_result(st, rb), st);   /* the same shape: two keys and a text */
    BComment *comments = cmalloc(10000 * sizeof *comments);
    int nc = 0, pi = 0;
    while (nc < 10000 && ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED)) {
        BComment *c = &comments[nc++];
        title[tlen < sizeof title ? tlen : sizeof title - 1] = '\0';
        c->id = pid;
        c->post_id = paid;
        c->body = cstrdup(title);
        while (posts[pi].id != c->post_id) pi++;
        posts[pi].comments.items[posts[pi].comments.count++] = c;
    }
    mysql_stmt_close(st);
    e->raw_statements += 3;
    e->checksum = w6_sum_and_free(users, nu, posts, np, comments, nc);
    cfree(keys);
    cfree(pb);
    return 0;
}

int w7_raw_my(env *e)
{
    /* NO_BACKSLASH_ESCAPES (the session's mode): '\' is one backslash, the LIKE escape */
    MYSQL_STMT *st = prep(e, "SELECT p.id, p.author_id, p.title FROM posts AS p JOIN users AS u ON u.id = p.author_id "
                             "WHERE u.email LIKE ? ESCAPE '\\' ORDER BY p.title, p.id LIMIT 20");
    if (!st) return 1;
    char pat[32];
    unsigned long plen;
    MYSQL_BIND pb[1];
    int64_t pid, paid;
    char title[256];
    unsigned long tlen;
    MYSQL_BIND rb[3];
    memset(rb, 0, sizeof rb);
    bind_i64(&rb[0], &pid);
    bind_i64(&rb[1], &paid);
    rb[2].buffer_type = MYSQL_TYPE_STRING;
    rb[2].buffer = title;
    rb[2].buffer_length = sizeof title - 1;
    rb[2].length = &tlen;
    MYOK(mysql_stmt_bind_result(st, rb), st);
    long long sum = 0;
    BPost posts[20];
    for (int k = 0; k < e->n_joins; k++) {
        snprintf(pat, sizeof pat, "user%d%%", k % 50 + 1);
        memset(pb, 0, sizeof pb);
        bind_text(&pb[0], pat, &plen);
        MYOK(mysql_stmt_bind_param(st, pb), st);
        MYOK(mysql_stmt_execute(st), st);
        int n = 0, rc;
        while (n < 20 && ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED)) {
            BPost *p = &posts[n++];
            title[tlen < sizeof title ? tlen : sizeof title - 1] = '\0';
            p->id = pid;
            p->author_id = paid;
            p->title = cstrdup(title);
            sum += p->id;
        }
        mysql_stmt_free_result(st);
        e->raw_statements++;
        for (int i = 0; i < n; i++) cfree(posts[i].title);
    }
    mysql_stmt_close(st);
    e->checksum = sum;
    return 0;
}

/* the stream: unbuffered (no mysql_stmt_store_result), one row at a time in the bound buffers */
int w8_raw_my(env *e)
{
    MYSQL_STMT *st = prep(e, "SELECT id, name, email, age FROM users");
    if (!st) return 1;
    MYOK(mysql_stmt_execute(st), st);
    urow r;
    urow_bind(&r);
    MYOK(mysql_stmt_bind_result(st, r.b), st);
    long long sum = 0;
    int rc;
    while ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
        BUser u;
        urow_take(&r, &u, 0);
        sum += u.age + (long long)strlen(u.email);
    }
    if (rc != MYSQL_NO_DATA) MYFAIL("fetch", mysql_stmt_error(st));
    mysql_stmt_close(st);
    e->raw_statements++;
    e->checksum = sum;
    return 0;
}
