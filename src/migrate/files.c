/*
 * files.c - the migrations directory: listing migrations in order, their
 * parent links, conflicts between branches and renumbering, reading the SQL
 * for a dialect, checksums, and splitting SQL into statements so a failure
 * can name the one that failed.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "migrate/files.h"
#include "sql/dialect.h"

static int read_all(const char *path, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return sinew_error_set(SINEW_IOERR, "cannot read %s: %s", path, strerror(errno));
    sn_buf b;
    sn_buf_init(&b);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) sn_buf_append(&b, chunk, n);
    int err = ferror(f);
    fclose(f);
    if (err) {
        sn_buf_free(&b);
        return sinew_error_set(SINEW_IOERR, "cannot read %s", path);
    }
    sn_buf_cstr(&b);
    if (b.failed) { sn_buf_free(&b); return sn_nomem(); }
    if (!b.data) { *out = sn_strdup(""); return *out ? SINEW_OK : sn_nomem(); }
    *len = b.len;
    *out = sn_buf_take(&b);
    return *out ? SINEW_OK : sn_nomem();
}

int sn_read_file(const char *path, char **out)
{
    size_t len;
    return read_all(path, out, &len);
}

/*
 * A migration's SQL, whole: a NUL byte would end the text early for the
 * statement splitter and the checksum, so whatever follows it would neither
 * run nor count when the file is later edited. Refused with where it is.
 */
static int read_sql(const char *path, char **out)
{
    size_t len;
    int rc = read_all(path, out, &len);
    if (rc) return rc;
    const char *nul = memchr(*out, '\0', len);
    if (!nul) return SINEW_OK;
    int line = 1, col = 1;
    for (const char *p = *out; p < nul; p++) {
        if (*p == '\n') { line++; col = 1; }
        else col++;
    }
    size_t off = (size_t)(nul - *out);
    sn_free(*out);
    *out = NULL;
    return sinew_error_set(SINEW_INVALID, "%s:%d:%d: error: the file holds a NUL byte (byte offset %zu); a "
                           "migration is text: remove the byte (and check what else was damaged)",
                           path, line, col, off);
}

int sn_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f) return sinew_error_set(SINEW_IOERR, "cannot write %s: %s", path, strerror(errno));
    size_t n = strlen(text);
    int ok = fwrite(text, 1, n, f) == n;
    ok = (fclose(f) == 0) && ok;
    return ok ? SINEW_OK : sinew_error_set(SINEW_IOERR, "cannot write %s", path);
}

void sn_mig_checksum(const char *text, char buf[17])
{
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        h ^= *p;
        h *= 1099511628211ull;
    }
    snprintf(buf, 17, "%016llx", (unsigned long long)h);
}

/* "-- sinew migration NAME (parent PARENT)" -> PARENT (sn_strdup), NULL when none. */
static char *parent_of(const char *text)
{
    const char *p = strstr(text, "(parent ");
    const char *nl = strchr(text, '\n');
    if (!p || (nl && p > nl)) return NULL;
    p += 8;
    const char *e = strchr(p, ')');
    if (!e || (nl && e > nl)) return NULL;
    return sn_strndup(p, (size_t)(e - p));
}

static int cmp_mig(const void *x, const void *y)
{
    const sn_mig *a = x, *b = y;
    if (a->number != b->number) return a->number < b->number ? -1 : 1;
    return strcmp(a->name, b->name);
}

void sn_migset_free(sn_migset *s)
{
    for (size_t i = 0; s && i < s->n; i++) {
        sn_free(s->v[i].name);
        sn_free(s->v[i].path);
        sn_free(s->v[i].parent);
    }
    if (s) { sn_free(s->v); s->v = NULL; s->n = 0; }
}

static int first_sql(const char *path, char **text)
{
    *text = NULL;
    /* up.sql, then up.<dialect>.sql of each built-in dialect */
    for (size_t i = 0; i <= sn_ndialects; i++) {
        char buf[4096];
        int n = i ? snprintf(buf, sizeof buf, "%s/up.%s.sql", path, sn_dialects[i - 1].dialect->name)
                  : snprintf(buf, sizeof buf, "%s/up.sql", path);
        if (n >= (int)sizeof buf) continue;
        FILE *f = fopen(buf, "rb");
        if (!f) continue;
        fclose(f);
        return sn_read_file(buf, text);
    }
    return SINEW_NOTFOUND;
}

int sn_mig_require_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return sinew_error_set(SINEW_NOTFOUND, "migrations directory %s does not exist (%s): give the folder "
                               "with --dir, or write the first migration with `sinew migrate make`",
                               dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return sinew_error_set(SINEW_NOTFOUND, "migrations directory %s is not a directory: give the "
                               "folder with --dir", dir);
    return SINEW_OK;
}

int sn_mig_scan(const char *dir, sn_migset *out)
{
    out->v = NULL;
    out->n = 0;
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT) return SINEW_OK;
        return sinew_error_set(SINEW_IOERR, "cannot open migrations directory %s: %s", dir, strerror(errno));
    }
    size_t cap = 0;
    struct dirent *e;
    int rc = SINEW_OK;
    while ((e = readdir(d)) != NULL) {
        const char *nm = e->d_name;
        size_t k = 0;
        while (isdigit((unsigned char)nm[k])) k++;
        if (k == 0 || nm[k] != '_') continue;
        /* the name goes into header comments ("-- sinew migration NAME (parent ...)") */
        const char *c = nm;
        while (*c && (unsigned char)*c >= 0x20 && *c != 0x7f) c++;
        if (*c) {
            rc = sinew_error_set(SINEW_INVALID, "migration folder %s/%.*s... has a control character in its name: "
                                 "rename it (letters, digits and _)", dir, (int)(c - nm), nm);
            break;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, nm);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) continue;
        if (out->n == cap) {
            cap = cap ? cap * 2 : 16;
            sn_mig *nv = sn_realloc(out->v, cap * sizeof *nv);
            if (!nv) { rc = sn_nomem(); break; }
            out->v = nv;
        }
        sn_mig *m = &out->v[out->n];
        memset(m, 0, sizeof *m);
        m->name = sn_strdup(nm);
        m->path = sn_strdup(path);
        m->number = atoi(nm);
        out->n++;
        if (!m->name || !m->path) { rc = sn_nomem(); break; }
        char *text;
        if (first_sql(path, &text) == SINEW_OK) {
            m->parent = parent_of(text);
            sn_free(text);
        }
    }
    closedir(d);
    if (rc) { sn_migset_free(out); return rc; }
    if (out->n) qsort(out->v, out->n, sizeof *out->v, cmp_mig);
    return SINEW_OK;
}

int sn_mig_check_order(const sn_migset *s, const char *dir)
{
    for (size_t i = 1; i < s->n; i++) {
        const sn_mig *a = &s->v[i - 1], *b = &s->v[i];
        if (a->number == b->number)
            return sinew_error_set(SINEW_CONFLICT,
                "migrations %s and %s have the same number %04d (made on different branches?): run "
                "`sinew migrate renumber --dir %s` to move %s after the last migration, then check that "
                "its SQL still fits", a->name, b->name, a->number, dir, b->name);
    }
    for (size_t i = 0; i < s->n; i++)
        for (size_t j = i + 1; j < s->n; j++)
            if (s->v[i].parent && s->v[j].parent && strcmp(s->v[i].parent, s->v[j].parent) == 0)
                return sinew_error_set(SINEW_CONFLICT,
                    "migrations %s and %s were both made on top of %s (made on different branches?): run "
                    "`sinew migrate renumber --dir %s` to put %s after %s, then check that its SQL still fits "
                    "(or delete it and run `sinew migrate make` again)",
                    s->v[i].name, s->v[j].name, s->v[i].parent, dir, s->v[j].name, s->v[j - 1].name);
    return SINEW_OK;
}

/* Rewrite the header line of every SQL file in path to name/parent. */
static int rewrite_headers(const char *path, const char *name, const char *parent)
{
    /* up.sql, down.sql, then up.<dialect>.sql and down.<dialect>.sql of each built-in dialect */
    for (size_t i = 0; i < 2 * (sn_ndialects + 1); i++) {
        char p[4096];
        const char *kind = i % 2 ? "down" : "up";
        int n = i < 2 ? snprintf(p, sizeof p, "%s/%s.sql", path, kind)
                      : snprintf(p, sizeof p, "%s/%s.%s.sql", path, kind, sn_dialects[i / 2 - 1].dialect->name);
        if (n >= (int)sizeof p) continue;
        char *text;
        FILE *f = fopen(p, "rb");
        if (!f) continue;
        fclose(f);
        int rc = sn_read_file(p, &text);
        if (rc) return rc;
        const char *rest = text;
        if (strncmp(text, "-- sinew migration ", 19) == 0) {
            rest = strchr(text, '\n');
            rest = rest ? rest + 1 : "";
        }
        sn_buf b;
        sn_buf_init(&b);
        sn_buf_printf(&b, "-- sinew migration %s", name);
        if (parent) sn_buf_printf(&b, " (parent %s)", parent);
        sn_buf_printf(&b, "\n%s", rest);
        rc = b.failed ? sn_nomem() : sn_write_file(p, sn_buf_cstr(&b));
        sn_buf_free(&b);
        sn_free(text);
        if (rc) return rc;
    }
    return SINEW_OK;
}

int sn_mig_renumber(const char *dir, size_t *moved)
{
    *moved = 0;
    sn_migset s;
    int rc = sn_mig_scan(dir, &s);
    if (rc) return rc;
    /* keep the first of each number and each parent; the others go to the end, in order */
    unsigned char *move = sn_calloc(s.n ? s.n : 1, 1);
    if (!move) { sn_migset_free(&s); return sn_nomem(); }
    for (size_t i = 1; i < s.n; i++) {
        for (size_t j = 0; j < i; j++) {
            if (move[j]) continue;
            if (s.v[i].number == s.v[j].number ||
                (s.v[i].parent && s.v[j].parent && !strcmp(s.v[i].parent, s.v[j].parent)))
                move[i] = 1;
        }
    }
    int last = s.n ? s.v[s.n - 1].number : 0;
    const char *prev = NULL;
    for (size_t i = 0; i < s.n; i++) if (!move[i]) prev = s.v[i].name;
    char *prevbuf = prev ? sn_strdup(prev) : NULL;
    for (size_t i = 0; i < s.n && !rc; i++) {
        if (!move[i]) continue;
        const char *us = strchr(s.v[i].name, '_');
        char nname[1024], npath[4096];
        snprintf(nname, sizeof nname, "%04d%s", ++last, us ? us : "_migration");
        snprintf(npath, sizeof npath, "%s/%s", dir, nname);
        if (rename(s.v[i].path, npath) != 0)
            rc = sinew_error_set(SINEW_IOERR, "cannot rename %s to %s: %s", s.v[i].path, npath, strerror(errno));
        if (!rc) rc = rewrite_headers(npath, nname, prevbuf);
        sn_free(prevbuf);
        prevbuf = sn_strdup(nname);
        (*moved)++;
    }
    sn_free(prevbuf);
    sn_free(move);
    sn_migset_free(&s);
    return rc;
}

int sn_mig_sql(const sn_mig *m, const char *dialect, int up, char **text, char **path)
{
    char p[4096];
    *text = NULL;
    if (path) *path = NULL;
    snprintf(p, sizeof p, "%s/%s.%s.sql", m->path, up ? "up" : "down", dialect);
    FILE *f = fopen(p, "rb");
    if (!f) {
        snprintf(p, sizeof p, "%s/%s.sql", m->path, up ? "up" : "down");
        f = fopen(p, "rb");
        if (!f)
            return sinew_error_set(SINEW_NOTFOUND, "migration %s has no %s SQL for %s (looked for %s.%s.sql "
                                   "and %s.sql): make it with --dialect %s or all", m->name, up ? "up" : "down",
                                   dialect, up ? "up" : "down", dialect, up ? "up" : "down", dialect);
    }
    fclose(f);
    int rc = read_sql(p, text);
    if (!rc && path && !(*path = sn_strdup(p))) {
        sn_free(*text);
        *text = NULL;
        rc = sn_nomem();
    }
    return rc;
}

/* ---- statement splitting ---------------------------------------------------------- */

void sn_stmts_free(sn_stmts *s)
{
    for (size_t i = 0; s && i < s->n; i++) sn_free(s->v[i]);
    if (s) { sn_free(s->v); sn_free(s->line); s->v = NULL; s->line = NULL; s->n = 0; }
}

static int push_stmt(sn_stmts *s, size_t *cap, const char *b, const char *e, int line)
{
    while (b < e && isspace((unsigned char)*b)) b++;
    while (e > b && isspace((unsigned char)e[-1])) e--;
    if (b == e) return SINEW_OK;
    if (s->n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        char **nv = sn_realloc(s->v, *cap * sizeof *nv);
        if (!nv) return sn_nomem();
        s->v = nv;
        int *nl = sn_realloc(s->line, *cap * sizeof *nl);
        if (!nl) return sn_nomem();
        s->line = nl;
    }
    s->v[s->n] = sn_strndup(b, (size_t)(e - b));
    if (!s->v[s->n]) return sn_nomem();
    s->line[s->n++] = line;
    return SINEW_OK;
}

int sn_split_sql(const char *text, sn_stmts *out)
{
    memset(out, 0, sizeof *out);
    size_t cap = 0;
    const char *start = NULL, *p = text;
    int line = 1, start_line = 1;
    while (*p) {
        if (*p == '\n') { line++; p++; continue; }
        if (p[0] == '-' && p[1] == '-') {                   /* comment to end of line */
            while (*p && *p != '\n') p++;
            continue;
        }
        if (p[0] == '/' && p[1] == '*') {
            p += 2;
            while (*p && !(p[0] == '*' && p[1] == '/')) { if (*p == '\n') line++; p++; }
            if (*p) p += 2;
            continue;
        }
        if (isspace((unsigned char)*p)) { p++; continue; }
        if (!start) { start = p; start_line = line; }
        /* strings and quoted names (MariaDB's backticks too: a `;` inside a name ends nothing) */
        if (*p == '\'' || *p == '"' || *p == '`') {
            char q = *p++;
            while (*p && !(*p == q && p[1] != q)) {
                if (*p == q) p++;                            /* doubled quote */
                if (*p == '\n') line++;
                p++;
            }
            if (*p) p++;
            continue;
        }
        if (p[0] == '$' && p[1] == '$') {
            p += 2;
            while (*p && !(p[0] == '$' && p[1] == '$')) { if (*p == '\n') line++; p++; }
            if (*p) p += 2;
            continue;
        }
        if (*p == ';') {
            int rc = push_stmt(out, &cap, start, p, start_line);
            if (rc) { sn_stmts_free(out); return rc; }
            start = NULL;
        }
        p++;
    }
    if (start) {
        int rc = push_stmt(out, &cap, start, p, start_line);
        if (rc) { sn_stmts_free(out); return rc; }
    }
    return SINEW_OK;
}
