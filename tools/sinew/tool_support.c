/*
 * tool_support.c - what several commands share: strict numeric arguments,
 * opening a database that must already exist (commands that only read),
 * and refusing a live database whose names a schema file cannot hold.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "sinew/driver.h"
#include "sinew/sinew.h"

int sinew_tool_parse_number(const char *text, int min, int max, int *out)
{
    /* digits only: no sign, no blanks, no trailing junk ("abc", "3x", "" and " 3" are refused) */
    if (!text || !*text) return -1;
    for (const char *p = text; *p; p++)
        if (*p < '0' || *p > '9') return -1;
    errno = 0;
    long v = strtol(text, NULL, 10);
    if (errno || v < min || v > max) return -1;
    *out = (int)v;
    return 0;
}

#ifndef SINEW_NO_DRIVERS   /* SINEW_DRIVERS=OFF: no command opens a database */
int sinew_tool_open(sinew_db **db, const char *url, int may_create)
{
    *db = NULL;
    if (may_create) return sinew_open(url, db);
    sinew_url *u;
    int rc = sinew_url_parse(url, &u);
    if (rc) return rc;
    /* the built-in SQLite driver (whichever scheme names it) and its mode= parameter */
    int sqlite_file = sinew_find_driver(u->scheme) == &sinew_sqlite_driver &&
                      strcmp(u->path, ":memory:") != 0 && !sinew_url_param(u, "mode");
    if (!sqlite_file) {
        sinew_url_free(u);
        return sinew_open(url, db);
    }
    /* SQLite creates a missing file unless told mode=rw (open an existing file, read-write) */
    size_t n = strlen(url);
    char *with = malloc(n + 10);
    if (!with) {
        sinew_url_free(u);
        return sinew_error_set(SINEW_NOMEM, "out of memory");
    }
    memcpy(with, url, n);
    strcpy(with + n, strchr(url, '?') ? "&mode=rw" : "?mode=rw");
    rc = sinew_open(with, db);
    free(with);
    if (rc == SINEW_NOTFOUND)
        sinew_error_set(rc, "database file '%s' does not exist: this command reads a database and creates "
                        "none (only `sinew migrate up` does); check the --db URL", u->path);
    sinew_url_free(u);
    return rc;
}
#endif

/* A name holding a control character, or NULL. */
static const char *bad(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++)
        if (*p < 0x20 || *p == 0x7f) return s;
    return NULL;
}

static void show(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\n') fputs("\\n", f);
        else if (*p == '\r') fputs("\\r", f);
        else if (*p == '\t') fputs("\\t", f);
        else if (*p < 0x20 || *p == 0x7f) fprintf(f, "\\x%02x", *p);
        else if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
        else fputc(*p, f);
    }
    fputc('"', f);
}

size_t sinew_tool_report_bad_names(const sinew_schema *s, const char *cmd, FILE *err)
{
    size_t n = 0;
    for (size_t i = 0; s && i < s->nmodels; i++) {
        const sinew_model *m = s->models[i];
        if (bad(m->table)) {
            fprintf(err, "sinew %s: error: table ", cmd);
            show(err, m->table);
            fputs(": the name holds a control character, which a schema file cannot hold; rename the table "
                  "(ALTER TABLE ... RENAME TO ...) first\n", err);
            n++;
        }
        for (size_t j = 0; j < m->nfields; j++) {
            if (!bad(m->fields[j].column)) continue;
            fprintf(err, "sinew %s: error: table ", cmd);
            show(err, m->table);
            fputs(", column ", err);
            show(err, m->fields[j].column);
            fputs(": the name holds a control character, which a schema file cannot hold; rename the column "
                  "(ALTER TABLE ... RENAME COLUMN ... TO ...) first\n", err);
            n++;
        }
        for (size_t j = 0; j < m->nindexes; j++) {
            if (!bad(m->indexes[j].name)) continue;
            fprintf(err, "sinew %s: error: table ", cmd);
            show(err, m->table);
            fputs(", index ", err);
            show(err, m->indexes[j].name);
            fputs(": the name holds a control character, which a schema file cannot hold; rename the index "
                  "first\n", err);
            n++;
        }
    }
    for (size_t i = 0; s && i < s->nenums; i++)
        for (size_t k = 0; k < s->enums[i]->nvalues; k++) {
            if (!bad(s->enums[i]->values[k]) && !bad(s->enums[i]->name)) continue;
            fprintf(err, "sinew %s: error: enum ", cmd);
            show(err, s->enums[i]->name);
            fputs(", value ", err);
            show(err, s->enums[i]->values[k]);
            fputs(": the name holds a control character, which a schema file cannot hold; rename it first\n", err);
            n++;
        }
    return n;
}
