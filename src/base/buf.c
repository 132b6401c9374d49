/*
 * buf.c - a growable NUL-terminated string builder. Out of memory is sticky
 * (`failed`), so SQL renderers can append freely and check once at the end.
 */
#include <stdio.h>
#include <string.h>
#include "base.h"

void sn_buf_init(sn_buf *b) { memset(b, 0, sizeof *b); }
void sn_buf_free(sn_buf *b) { sn_free(b->data); sn_buf_init(b); }
void sn_buf_clear(sn_buf *b) { b->len = 0; b->failed = 0; if (b->data) b->data[0] = '\0'; }

static int reserve(sn_buf *b, size_t extra)
{
    if (b->failed) return 0;
    if (b->len + extra + 1 <= b->cap) return 1;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) cap *= 2;
    char *p = sn_realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return 0;
    }
    b->data = p;
    b->cap = cap;
    return 1;
}

void sn_buf_append(sn_buf *b, const char *s, size_t n)
{
    if (!reserve(b, n)) return;
    if (n) memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void sn_buf_puts(sn_buf *b, const char *s) { sn_buf_append(b, s, strlen(s)); }
void sn_buf_putc(sn_buf *b, char c) { sn_buf_append(b, &c, 1); }

void sn_buf_printf(sn_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

const char *sn_buf_cstr(sn_buf *b) { return b->data && !b->failed ? b->data : ""; }

char *sn_buf_take(sn_buf *b)
{
    if (b->failed) {
        sn_buf_free(b);
        return NULL;
    }
    char *p = b->data ? b->data : sn_strdup("");
    sn_buf_init(b);
    return p;
}
