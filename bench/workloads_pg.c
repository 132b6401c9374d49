/*
 * workloads_pg.c - the raw side of W1-W8 on PostgreSQL: what a careful C
 * programmer writes against libpq (server-side prepared statements, text
 * parameters, PQgetvalue into the same structs, single-row mode for the
 * stream, COPY for the bulk load). It runs on its own connection to the
 * same database sinew uses, in the same process.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench.h"

#define PGOK(res, want)                                                                          \
    do {                                                                                         \
        if (PQresultStatus(res) != (want)) {                                                     \
            fprintf(stderr, "%s:%d: %s", __FILE__, __LINE__, PQresultErrorMessage(res));         \
            PQclear(res);                                                                        \
            return 1;                                                                            \
        }                                                                                        \
    } while (0)

static int cmd(env *e, const char *sql)
{
    PGresult *r = PQexec(e->pg, sql);
    PGOK(r, PGRES_COMMAND_OK);
    PQclear(r);
    e->raw_statements++;
    return 0;
}

static int prepare(env *e, const char *name, const char *sql)
{
    PGresult *r = PQprepare(e->pg, name, sql, 0, NULL);
    PGOK(r, PGRES_COMMAND_OK);
    PQclear(r);
    return 0;
}

/* statements are prepared once per connection; a second run reuses them */
static int prepared(env *e, const char *name, const char *sql)
{
    PGresult *r = PQdescribePrepared(e->pg, name);
    int have = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    return have ? 0 : prepare(e, name, sql);
}

int w1_raw_pg(env *e)
{
    if (prepared(e, "w1", "INSERT INTO users (name, email, age) VALUES ($1, $2, $3) RETURNING id")) return 1;
    if (cmd(e, "BEGIN")) return 1;
    BUser *users = cmalloc((size_t)e->n_users * sizeof *users);
    long long sum = 0;
    for (int i = 0; i < e->n_users; i++) {
        BUser *u = &users[i];
        u->name = e->names[i];
        u->email = e->emails[i];
        u->age = i % 90;
        char age[16];
        snprintf(age, sizeof age, "%d", u->age);
        const char *vals[3] = {u->name, u->email, age};
        PGresult *r = PQexecPrepared(e->pg, "w1", 3, vals, NULL, NULL, 0);
        PGOK(r, PGRES_TUPLES_OK);
        u->id = atoll(PQgetvalue(r, 0, 0));
        PQclear(r);
        sum += u->id;
        e->raw_statements++;
    }
    if (cmd(e, "COMMIT")) return 1;
    cfree(users);
    e->checksum = sum;
    return 0;
}

int w2_raw_pg(env *e)
{
    /* COPY in text format, then the keys the sequence handed out */
    if (cmd(e, "BEGIN")) return 1;
    PGresult *r = PQexec(e->pg, "COPY users (name, email, age) FROM STDIN");
    PGOK(r, PGRES_COPY_IN);
    PQclear(r);
    char *buf = cmalloc(1 << 16);
    size_t used = 0;
    for (int i = 0; i < e->n_users; i++) {
        /* the generated names need no COPY escaping */
        int n = snprintf(buf + used, (1 << 16) - used, "%s\t%s\t%d\n", e->names[i], e->emails[i], i % 90);
        used += (size_t)n;
        if (used > (1 << 16) - 256) {
            if (PQputCopyData(e->pg, buf, (int)used) != 1) return 1;
            used = 0;
        }
    }
    if (used && PQputCopyData(e->pg, buf, (int)used) != 1) return 1;
    cfree(buf);
    if (PQputCopyEnd(e->pg, NULL) != 1) return 1;
    r = PQgetResult(e->pg);
    PGOK(r, PGRES_COMMAND_OK);
    PQclear(r);
    while ((r = PQgetResult(e->pg))) PQclear(r);
    r = PQexec(e->pg, "SELECT currval(pg_get_serial_sequence('users', 'id'))");
    PGOK(r, PGRES_TUPLES_OK);
    long long last = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    if (cmd(e, "COMMIT")) return 1;
    e->raw_statements += 2;
    long long sum = 0;
    for (int i = 0; i < e->n_users; i++) sum += last - (e->n_users - 1 - i);
    e->checksum = sum;
    return 0;
}

static char *dup_value(PGresult *r, int row, int col) { return cstrdup(PQgetvalue(r, row, col)); }

int w3_raw_pg(env *e)
{
    if (prepared(e, "w3", "SELECT id, name, email, age FROM users")) return 1;
    PGresult *r = PQexecPrepared(e->pg, "w3", 0, NULL, NULL, NULL, 0);
    PGOK(r, PGRES_TUPLES_OK);
    int n = PQntuples(r);
    BUser *users = cmalloc((size_t)(n ? n : 1) * sizeof *users);
    for (int i = 0; i < n; i++) {
        BUser *u = &users[i];
        u->id = atoll(PQgetvalue(r, i, 0));
        u->name = dup_value(r, i, 1);
        u->email = dup_value(r, i, 2);
        u->age = atoi(PQgetvalue(r, i, 3));
    }
    PQclear(r);
    e->raw_statements++;
    long long sum = w3_sum_and_free(users, (size_t)n);
    e->checksum = sum;
    return 0;
}

int w4_raw_pg(env *e)
{
    if (prepared(e, "w4", "SELECT id, name, email, age FROM users WHERE id = $1")) return 1;
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
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)(x % (uint32_t)e->n_users) + 1);
        const char *vals[1] = {id};
        PGresult *r = PQexecPrepared(e->pg, "w4", 1, vals, NULL, NULL, 0);
        PGOK(r, PGRES_TUPLES_OK);
        if (PQntuples(r) != 1) {
            PQclear(r);
            return 1;
        }
        BUser *u = &batch[nb++];
        u->id = atoll(PQgetvalue(r, 0, 0));
        u->name = dup_value(r, 0, 1);
        u->email = dup_value(r, 0, 2);
        u->age = atoi(PQgetvalue(r, 0, 3));
        PQclear(r);
        e->raw_statements++;
        sum += u->age + (long long)strlen(u->name);
    }
    for (int k = 0; k < nb; k++) cfree(batch[k].name), cfree(batch[k].email);
    cfree(batch);
    e->checksum = sum;
    return 0;
}

int w5_raw_pg(env *e)
{
    if (prepared(e, "w5", "UPDATE users SET age = $1 WHERE id = $2")) return 1;
    if (cmd(e, "BEGIN")) return 1;
    long long sum = 0;
    for (size_t i = 0; i < w5_loaded.count; i++) {
        BUser *u = w5_loaded.items[i];
        int32_t age = (int32_t)((u->age + 1) % 100);
        char a[16], id[24];
        snprintf(a, sizeof a, "%d", age);
        snprintf(id, sizeof id, "%lld", (long long)u->id);
        const char *vals[2] = {a, id};
        PGresult *r = PQexecPrepared(e->pg, "w5", 2, vals, NULL, NULL, 0);
        PGOK(r, PGRES_COMMAND_OK);
        PQclear(r);
        e->raw_statements++;
        sum += age;
    }
    if (cmd(e, "COMMIT")) return 1;
    e->checksum = sum;
    return 0;
}

/* "SELECT ... WHERE col IN ($1, ..., $n) ORDER BY col, id" for n keys */
static char *in_query(const char *head, const char *col, int n)
{
    char *sql = cmalloc(strlen(head) + (size_t)n * 8 + 128);
    size_t at = (size_t)sprintf(sql, "%s WHERE %s IN (", head, col);
    for (int i = 0; i < n; i++) at += (size_t)sprintf(sql + at, "%s$%d", i ? "," : "", i + 1);
    sprintf(sql + at, ") ORDER BY %s, id", col);
    return sql;
}

int w6_raw_pg(env *e)
{
    PGresult *r = PQexec(e->pg, "SELECT id, name, email, age FROM users WHERE id <= 100 ORDER BY id");
    PGOK(r, PGRES_TUPLES_OK);
    int nu = PQntuples(r);
    BUser *users = cmalloc(100 * sizeof *users);
    char (*ids)[24] = cmalloc(1000 * sizeof *ids);
    const char **vals = cmalloc(1000 * sizeof *vals);
    for (int i = 0; i < nu; i++) {
        BUser *u = &users[i];
        memset(u, 0, sizeof *u);
        u->id = atoll(PQgetvalue(r, i, 0));
        u->name = dup_value(r, i, 1);
        u->email = dup_value(r, i, 2);
        u->age = atoi(PQgetvalue(r, i, 3));
        u->posts.items = cmalloc(16 * sizeof(void *));
        snprintf(ids[i], sizeof ids[i], "%lld", (long long)u->id);
        vals[i] = ids[i];
    }
    PQclear(r);
    char *sql = in_query("SELECT id, author_id, title FROM posts", "author_id", nu);
    r = PQexecParams(e->pg, sql, nu, NULL, vals, NULL, NULL, 0);
    cfree(sql);
    PGOK(r, PGRES_TUPLES_OK);
    int np = PQntuples(r), ui = 0;
    BPost *posts = cmalloc(1000 * sizeof *posts);
    for (int i = 0; i < np; i++) {
        BPost *p = &posts[i];
        memset(p, 0, sizeof *p);
        p->id = atoll(PQgetvalue(r, i, 0));
        p->author_id = atoll(PQgetvalue(r, i, 1));
        p->title = dup_value(r, i, 2);
        p->comments.items = cmalloc(16 * sizeof(void *));
        while (users[ui].id != p->author_id) ui++;   /* both in id order */
        users[ui].posts.items[users[ui].posts.count++] = p;
        snprintf(ids[i], sizeof ids[i], "%lld", (long long)p->id);
        vals[i] = ids[i];
    }
    PQclear(r);
    sql = in_query("SELECT id, post_id, body FROM comments", "post_id", np);
    r = PQexecParams(e->pg, sql, np, NULL, vals, NULL, NULL, 0);
    cfree(sql);
    PGOK(r, PGRES_TUPLES_OK);
    int nc = PQntuples(r), pi = 0;
    BComment *comments = cmalloc(10000 * sizeof *comments);
    for (int i = 0; i < nc; i++) {
        BComment *c = &comments[i];
        c->id = atoll(PQgetvalue(r, i, 0));
        c->post_id = atoll(PQgetvalue(r, i, 1));
        c->body = dup_value(r, i, 2);
        while (posts[pi].id != c->post_id) pi++;
        posts[pi].comments.items[posts[pi].comments.count++] = c;
    }
    PQclear(r);
    e->raw_statements += 3;
    long long sum = w6_sum_and_free(users, nu, posts, np, comments, nc);
    cfree(ids);
    cfree(vals);
    e->checksum = sum;
    return 0;
}

int w7_raw_pg(env *e)
{
    if (prepared(e, "w7", "SELECT p.id, p.author_id, p.title FROM posts AS p JOIN users AS u ON u.id = p.author_id "
                          "WHERE u.email LIKE $1 ESCAPE '\\' ORDER BY p.title, p.id LIMIT 20"))
        return 1;
    long long sum = 0;
    BPost posts[20];
    for (int k = 0; k < e->n_joins; k++) {
        char pat[32];
        snprintf(pat, sizeof pat, "user%d%%", k % 50 + 1);
        const char *vals[1] = {pat};
        PGresult *r = PQexecPrepared(e->pg, "w7", 1, vals, NULL, NULL, 0);
        PGOK(r, PGRES_TUPLES_OK);
        int n = PQntuples(r);
        for (int i = 0; i < n; i++) {
            BPost *p = &posts[i];
            p->id = atoll(PQgetvalue(r, i, 0));
            p->author_id = atoll(PQgetvalue(r, i, 1));
            p->title = dup_value(r, i, 2);
            sum += p->id;
        }
        PQclear(r);
        e->raw_statements++;
        for (int i = 0; i < n; i++) cfree(posts[i].title);
    }
    e->checksum = sum;
    return 0;
}

int w8_raw_pg(env *e)
{
    if (prepared(e, "w8", "SELECT id, name, email, age FROM users")) return 1;
    if (!PQsendQueryPrepared(e->pg, "w8", 0, NULL, NULL, NULL, 0) || !PQsetSingleRowMode(e->pg)) return 1;
    long long sum = 0;
    PGresult *r;
    int failed = 0;
    while ((r = PQgetResult(e->pg))) {
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_SINGLE_TUPLE) {
            BUser u;   /* one row at a time, pointing into libpq's buffers */
            u.id = atoll(PQgetvalue(r, 0, 0));
            u.name = PQgetvalue(r, 0, 1);
            u.email = PQgetvalue(r, 0, 2);
            u.age = atoi(PQgetvalue(r, 0, 3));
            sum += u.age + (long long)strlen(u.email);
        } else if (st != PGRES_TUPLES_OK) {
            fprintf(stderr, "w8: %s", PQresultErrorMessage(r));
            failed = 1;
        }
        PQclear(r);
    }
    e->raw_statements++;
    e->checksum = sum;
    return failed;
}

/* W9: multi-row INSERT ... RETURNING id, 1,000 rows a statement; the keys come back in VALUES order
 * (what a careful programmer relies on for serial keys; sinew draws them from the sequence instead) */
int w9_raw_pg(env *e)
{
    enum { ROWS = 1000 };
    char *sql = cmalloc(64 + ROWS * 24);
    const char **vals = cmalloc(ROWS * 3 * sizeof *vals);
    char (*ages)[8] = cmalloc(ROWS * sizeof *ages);
    if (cmd(e, "BEGIN")) return 1;
    long long sum = 0;
    for (int at = 0; at < e->n_users; at += ROWS) {
        int n = e->n_users - at < ROWS ? e->n_users - at : ROWS;
        size_t len = (size_t)sprintf(sql, "INSERT INTO users (name, email, age) VALUES ");
        for (int r = 0; r < n; r++) {
            len += (size_t)sprintf(sql + len, "%s($%d,$%d,$%d)", r ? "," : "", r * 3 + 1, r * 3 + 2, r * 3 + 3);
            snprintf(ages[r], sizeof ages[r], "%d", (at + r) % 90);
            vals[r * 3] = e->names[at + r];
            vals[r * 3 + 1] = e->emails[at + r];
            vals[r * 3 + 2] = ages[r];
        }
        strcpy(sql + len, " RETURNING id");
        PGresult *r = PQexecParams(e->pg, sql, n * 3, NULL, vals, NULL, NULL, 0);
        PGOK(r, PGRES_TUPLES_OK);
        for (int k = 0; k < PQntuples(r); k++) sum += atoll(PQgetvalue(r, k, 0));
        PQclear(r);
        e->raw_statements++;
    }
    if (cmd(e, "COMMIT")) return 1;
    cfree(ages);
    cfree(vals);
    cfree(sql);
    e->checksum = sum;
    return 0;
}

/* W10 pipelined: the prepared UPDATE per row, sent 512 at a time in libpq's pipeline mode */
int w10_raw_pg_pipelined(env *e)
{
    enum { WINDOW = 512 };
    if (prepared(e, "w5", "UPDATE users SET age = $1 WHERE id = $2")) return 1;
    if (cmd(e, "BEGIN")) return 1;
    if (!PQenterPipelineMode(e->pg)) return 1;
    long long sum = 0;
    size_t n = w5_loaded.count;
    for (size_t at = 0; at < n; at += WINDOW) {
        size_t w = n - at < WINDOW ? n - at : WINDOW;
        for (size_t i = 0; i < w; i++) {
            BUser *u = w5_loaded.items[at + i];
            int32_t age = (int32_t)((u->age + 1) % 100);
            char a[16], id[24];
            snprintf(a, sizeof a, "%d", age);
            snprintf(id, sizeof id, "%lld", (long long)u->id);
            const char *vals[2] = {a, id};
            if (!PQsendQueryPrepared(e->pg, "w5", 2, vals, NULL, NULL, 0)) return 1;
            sum += age;
            e->raw_statements++;
        }
        if (!PQpipelineSync(e->pg)) return 1;
        for (size_t i = 0; i < w; i++) {
            PGresult *r = PQgetResult(e->pg);
            PGOK(r, PGRES_COMMAND_OK);
            if (atoll(PQcmdTuples(r)) != 1) return 1;
            PQclear(r);
            while ((r = PQgetResult(e->pg))) PQclear(r);
        }
        PGresult *r = PQgetResult(e->pg);
        PGOK(r, PGRES_PIPELINE_SYNC);
        PQclear(r);
    }
    if (!PQexitPipelineMode(e->pg)) return 1;
    if (cmd(e, "COMMIT")) return 1;
    e->checksum = sum;
    return 0;
}
