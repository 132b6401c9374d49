/*
 * support.c - see support.h.
 */
#include "support.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "migrate/files.h"

sinew_schema *mt_graph(const char *ddl)
{
    sinew_db *db;
    if (sinew_open("sqlite::memory:", &db) != SINEW_OK) fail_msg("open: %s", sinew_errmsg());
    if (sinew_exec(db, ddl) != SINEW_OK) fail_msg("ddl: %s", sinew_errmsg());
    sinew_schema *s;
    if (sinew_introspect(db, &s) != SINEW_OK) fail_msg("introspect: %s", sinew_errmsg());
    sinew_close(db);
    return s;
}

void mt_rename_from(sinew_schema *s, const char *table, const char *column, const char *old)
{
    const sinew_model *m = sinew_schema_find_table(s, table);
    assert_non_null(m);
    if (!column) {
        ((sinew_model *)m)->renamed_from = old;
        return;
    }
    int i = sinew_model_column_index(m, column);
    assert_true(i >= 0);
    ((sinew_field *)&m->fields[i])->renamed_from = old;
}

char *mt_rows(sinew_db *db, const char *sql)
{
    sinew_session *s;
    if (sinew_session_new(db, &s) != SINEW_OK) fail_msg("session: %s", sinew_errmsg());
    sinew_rows *r;
    int rc = sinew_raw_rows(s, sql, NULL, 0, &r);
    if (rc != SINEW_OK) fail_msg("%s: %s", sql, sinew_errmsg());
    size_t cap = 4096, len = 0;
    char *out = malloc(cap);
    out[0] = 0;
    while ((rc = sinew_rows_next(r)) == SINEW_ROW) {
        for (int c = 0; c < sinew_rows_columns(r); c++) {
            sinew_value v = sinew_rows_value(r, c);
            char cell[512];
            if (v.is_null) snprintf(cell, sizeof cell, "NULL");
            else if (v.type == SINEW_DOUBLE) snprintf(cell, sizeof cell, "%g", v.u.d);
            else if (v.type == SINEW_TEXT || v.type == SINEW_DECIMAL || v.type == SINEW_JSON)
                snprintf(cell, sizeof cell, "%.*s", (int)v.u.s.len, v.u.s.ptr);
            else snprintf(cell, sizeof cell, "%lld", (long long)v.u.i);
            size_t need = len + strlen(cell) + 3;
            if (need > cap) { cap = need * 2; out = realloc(out, cap); }
            len += (size_t)sprintf(out + len, "%s%s", c ? "|" : "", cell);
        }
        out[len++] = '\n';
        out[len] = 0;
    }
    if (rc != SINEW_DONE) fail_msg("%s: %s", sql, sinew_errmsg());
    sinew_rows_free(r);
    sinew_session_free(s);
    return out;
}

void mt_assert_rows(sinew_db *db, const char *sql, const char *want)
{
    char *got = mt_rows(db, sql);
    assert_string_equal(got, want);
    free(got);
}

char *mt_read(const char *file)
{
    FILE *f = fopen(file, "rb");
    if (!f) fail_msg("cannot read %s", file);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *t = malloc((size_t)n + 1);
    if (fread(t, 1, (size_t)n, f) != (size_t)n) fail_msg("short read %s", file);
    t[n] = 0;
    fclose(f);
    return t;
}

void mt_write(const char *file, const char *text)
{
    FILE *f = fopen(file, "wb");
    if (!f) fail_msg("cannot write %s", file);
    fputs(text, f);
    fclose(f);
}

void mt_insert_before(const char *file, const char *marker, const char *text)
{
    char *t = mt_read(file);
    char *at = strstr(t, marker);
    if (at) while (at > t && at[-1] != '\n') at--;
    else at = t + strlen(t);
    size_t n = strlen(t) + strlen(text) + 2;
    char *o = malloc(n);
    snprintf(o, n, "%.*s%s%s", (int)(at - t), t, text, at);
    mt_write(file, o);
    free(o);
    free(t);
}

const char *mt_dir(const char *name)
{
    static char buf[8][512];
    static int k;
    char *b = buf[k++ % 8];
    snprintf(b, 512, "%s/%s", th_tmpdir(), name);
    mkdir(b, 0777);
    return b;
}

size_t mt_drift(sinew_db *db, const sinew_schema *expected, char **report)
{
    size_t n = 0;
    char *r = NULL;
    if (sn_migrate_check_graph(db, expected, &r, &n) != SINEW_OK) fail_msg("check: %s", sinew_errmsg());
    if (report) *report = r;
    else sinew_migrate_free(r);
    return n;
}
