/* blog_seed.h's fixture, written with raw SQL so that the test under it depends on nothing it tests. */
#include "blog_seed.h"
#include <stdio.h>
#include "harness.h"

int blog_seed(sinew_db *db)
{
    int rc = sinew_create_tables(db, &blog_schema);
    char sql[256];
    for (int u = 1; u <= 4 && !rc; u++) {
        if (u == 1) snprintf(sql, sizeof sql, "INSERT INTO users (id, email) VALUES (1, 'u1@example.com')");
        else snprintf(sql, sizeof sql, "INSERT INTO users (id, email, invited_by_id) VALUES (%d, 'u%d@example.com', %d)",
                      u, u, u - 1);
        rc = sinew_exec(db, sql);
    }
    int cid = 1;
    for (int p = 1; p <= 8 && !rc; p++) {
        snprintf(sql, sizeof sql, "INSERT INTO posts (id, author_id, title) VALUES (%d, %d, 'post %d')", p,
                 (p - 1) % 4 + 1, p);
        rc = sinew_exec(db, sql);
        for (int c = 1; c <= p % 4 && !rc; c++, cid++) {
            snprintf(sql, sizeof sql, "INSERT INTO comments (id, post_id, author_id, body) VALUES (%d, %d, %d, '%d.%d')",
                     cid, p, c, p, c);
            rc = sinew_exec(db, sql);
        }
    }
    return rc;
}

const char *blog_rows_text(sinew_query *q)
{
    static char buf[1024];
    sinew_rows *r;
    th_ok(sinew_rows_open(q, &r));
    size_t at = 0;
    buf[0] = '\0';
    int rows = 0;
    while (sinew_rows_next(r) == SINEW_ROW) {
        for (int c = 0; c < sinew_rows_columns(r); c++) {
            sinew_value v = sinew_rows_value(r, c);
            const char *sep = c ? ":" : rows ? " " : "";
            if (v.is_null) at += (size_t)snprintf(buf + at, sizeof buf - at, "%s-", sep);
            else if (v.type == SINEW_TEXT)
                at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%.*s", sep, (int)v.u.s.len, v.u.s.ptr);
            else at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%lld", sep, (long long)v.u.i);
            if (at >= sizeof buf) at = sizeof buf - 1;
        }
        rows++;
    }
    sinew_rows_free(r);
    return buf;
}
