/*
 * diag.c - compiler-style diagnostics for schema files: collected (all
 * errors of a file in one run), then printed as
 *   blog.sinew:12:9: error: unknown type 'strng'; did you mean 'text'?
 *     12 |   name strng
 *        |        ^
 */
#include <stdio.h>
#include <string.h>
#include "lang.h"

typedef struct source {
    char *file;
    char *text;
    size_t len;
    size_t *lines;            /* offset of each line's start: printing 200,000 diagnostics stays linear */
    size_t nlines;
} source;

struct sinew_diagnostics {
    sinew_diag *items;
    size_t n, cap, errors;
    source *srcs;
    size_t nsrcs;
};

int sinew_diagnostics_new(sinew_diagnostics **out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_diagnostics_new: out is NULL");
    *out = sn_calloc(1, sizeof **out);
    return *out ? SINEW_OK : sn_nomem();
}

void sinew_diagnostics_free(sinew_diagnostics *d)
{
    if (!d) return;
    for (size_t i = 0; i < d->n; i++) {
        sn_free((char *)d->items[i].file);
        sn_free((char *)d->items[i].message);
    }
    for (size_t i = 0; i < d->nsrcs; i++) {
        sn_free(d->srcs[i].file);
        sn_free(d->srcs[i].text);
        sn_free(d->srcs[i].lines);
    }
    sn_free(d->srcs);
    sn_free(d->items);
    sn_free(d);
}

size_t sinew_diagnostics_count(const sinew_diagnostics *d) { return d ? d->n : 0; }
size_t sinew_diagnostics_errors(const sinew_diagnostics *d) { return d ? d->errors : 0; }
const sinew_diag *sinew_diagnostics_get(const sinew_diagnostics *d, size_t i)
{
    return d && i < d->n ? &d->items[i] : NULL;
}

int sn_diag_source(sinew_diagnostics *d, const char *file, const char *text, size_t len)
{
    if (!d) return SINEW_OK;
    source *s = sn_realloc(d->srcs, (d->nsrcs + 1) * sizeof *s);
    if (!s) return sn_nomem();
    d->srcs = s;
    s[d->nsrcs].file = sn_strdup(file);
    s[d->nsrcs].text = sn_strndup(text, len);
    s[d->nsrcs].len = len;
    size_t nl = 1;
    for (size_t i = 0; i < len; i++) nl += text[i] == '\n';
    s[d->nsrcs].lines = sn_malloc(nl * sizeof(size_t));
    s[d->nsrcs].nlines = nl;
    if (!s[d->nsrcs].file || !s[d->nsrcs].text || !s[d->nsrcs].lines) {
        sn_free(s[d->nsrcs].file);
        sn_free(s[d->nsrcs].text);
        sn_free(s[d->nsrcs].lines);
        return sn_nomem();
    }
    s[d->nsrcs].lines[0] = 0;
    for (size_t i = 0, k = 1; i < len; i++)
        if (text[i] == '\n') s[d->nsrcs].lines[k++] = i + 1;
    d->nsrcs++;
    return SINEW_OK;
}

void sn_diag_add(sinew_diagnostics *d, sinew_diag_severity sev, const char *file, int line, int col,
                 const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* the first error also becomes the thread's last error, for callers without a list */
    if (sev == SINEW_DIAG_ERROR && (d ? d->errors == 0 : sinew_last_error()->status == SINEW_OK))
        sinew_error_set(SINEW_INVALID, "%s:%d:%d: error: %s", file, line, col, msg);
    if (!d) return;
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        sinew_diag *p = sn_realloc(d->items, cap * sizeof *p);
        if (!p) return;
        d->items = p;
        d->cap = cap;
    }
    sinew_diag *x = &d->items[d->n];
    x->severity = sev;
    x->file = sn_strdup(file);
    x->line = line;
    x->col = col;
    x->message = sn_strdup(msg);
    if (!x->file || !x->message) {
        sn_free((char *)x->file);
        sn_free((char *)x->message);
        return;
    }
    d->n++;
    if (sev == SINEW_DIAG_ERROR) d->errors++;
}

static const char *line_of(const sinew_diagnostics *d, const char *file, int line, size_t *len)
{
    for (size_t i = d->nsrcs; i-- > 0;) {
        if (strcmp(d->srcs[i].file, file)) continue;
        if (line < 1 || (size_t)line > d->srcs[i].nlines) return NULL;
        const char *p = d->srcs[i].text + d->srcs[i].lines[line - 1], *end = d->srcs[i].text + d->srcs[i].len;
        const char *e = p;
        while (e < end && *e != '\n') e++;
        *len = (size_t)(e - p);
        return p;
    }
    return NULL;
}

void sinew_diagnostics_print(const sinew_diagnostics *d, FILE *out)
{
    static const char *const sev[] = {"", "error", "warning", "note"};
    for (size_t i = 0; d && i < d->n; i++) {
        const sinew_diag *x = &d->items[i];
        fprintf(out, "%s:%d:%d: %s: %s\n", x->file, x->line, x->col, sev[x->severity], x->message);
        size_t len;
        const char *src = line_of(d, x->file, x->line, &len);
        if (!src) continue;
        fprintf(out, "%5d | %.*s\n      | ", x->line, (int)len, src);
        for (int c = 1; c < x->col && (size_t)(c - 1) < len; c++) fputc(src[c - 1] == '\t' ? '\t' : ' ', out);
        fputs("^\n", out);
    }
}

void sinew_free(void *p) { sn_free(p); }
