/*
 * placeholders.c - finding and rewriting the placeholders of raw SQL, so
 * that one raw statement written with `?` runs on every backend. A small
 * lexer skips what may hold a `?` that is not a placeholder: string
 * literals, quoted identifiers, dollar-quoted strings and comments, as the
 * dialect has them. See sn_sql_placeholders() in dialect.h for the rules.
 */
#include <stdio.h>
#include <string.h>
#include "dialect.h"

static int ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           (unsigned char)c >= 0x80;
}

static int digit(char c) { return c >= '0' && c <= '9'; }

/* the end of a literal or quoted name opened at s[i] by `q` (doubled q escapes; backslash too if bs) */
static size_t skip_quoted(const char *s, size_t i, char q, int bs)
{
    for (i++; s[i]; i++) {
        if (bs && s[i] == '\\' && s[i + 1]) {
            i++;
            continue;
        }
        if (s[i] == q) {
            if (s[i + 1] != q) return i + 1;
            i++;
        }
    }
    return i;
}

static size_t skip_block_comment(const char *s, size_t i, int nested)
{
    int depth = 1;
    for (i += 2; s[i]; i++) {
        if (s[i] == '*' && s[i + 1] == '/') {
            i++;
            if (--depth == 0) return i + 1;
        } else if (nested && s[i] == '/' && s[i + 1] == '*') {
            i++;
            depth++;
        }
    }
    return i;
}

/* s[i] == '$': the length of a dollar-quote tag ($$ or $name$) starting there, 0 if none */
static size_t dollar_tag(const char *s, size_t i)
{
    size_t j = i + 1;
    if (digit(s[j])) return 0;
    while (ident_char(s[j]) && s[j] != '$') j++;
    return s[j] == '$' ? j + 1 - i : 0;
}

static size_t number_end(const char *s, size_t i, long *value)
{
    long v = 0;
    while (digit(s[i])) {
        if (v < 100000) v = v * 10 + (s[i] - '0');
        i++;
    }
    *value = v;
    return i;
}

/* MySQL's "-- " comment: the dashes must be followed by a blank or a control character */
static int dash_comment(const sinew_dialect *d, const char *s, size_t i)
{
    if (s[i] != '-' || s[i + 1] != '-') return 0;
    return !d->hash_comments || s[i + 2] == '\0' || (unsigned char)s[i + 2] <= ' ';
}

/* the 0-based parameter of a numbered placeholder, for the positional ? it becomes */
static void record(sn_buf *order, long n)
{
    int k = (int)n - 1;
    if (order) sn_buf_append(order, (const char *)&k, sizeof k);
}

int sn_sql_placeholders(sn_buf *out, const sinew_dialect *d, const char *s, int *count, sn_buf *order)
{
    *count = 0;
    const int positional = d->params_positional;
    /* what the text uses: bare ?, literal ??, numbered ($n / ?n), named (:a @a $a) */
    long qmarks = 0, numbered_max = 0;
    int escapes = 0, numbered = 0, named = 0, dollar_n = 0, zero = 0;
    /* pass 1: classify; pass 2 (only when something must change): write */
    for (int pass = 0; pass < 2; pass++) {
        long next = 0;
        size_t i = 0, from = 0;   /* text s[from, i) not yet copied */
        while (s[i]) {
            char c = s[i];
            size_t end = i + 1;
            const char *put = NULL;   /* replacement for s[i, end) */
            char num[24];
            if (c == '\'') {
                int bs = d->backslash_strings && i > 0 && (s[i - 1] == 'E' || s[i - 1] == 'e') &&
                         (i < 2 || !ident_char(s[i - 2]));
                end = skip_quoted(s, i, '\'', bs);
            } else if (c == '"') {
                end = skip_quoted(s, i, '"', 0);
            } else if (d->bracket_idents && c == '`') {
                end = skip_quoted(s, i, '`', 0);
            } else if (d->bracket_idents && c == '[') {
                const char *close = strchr(s + i, ']');
                end = close ? (size_t)(close - s) + 1 : strlen(s);
            } else if (dash_comment(d, s, i) || (c == '#' && d->hash_comments)) {
                const char *nl = strchr(s + i, '\n');
                end = nl ? (size_t)(nl - s) : strlen(s);
            } else if (c == '/' && s[i + 1] == '*') {
                end = skip_block_comment(s, i, d->nested_comments);
            } else if (c == '$' && i > 0 && ident_char(s[i - 1])) {
                /* part of an identifier (PostgreSQL allows $ after the first character) */
            } else if (c == '$' && digit(s[i + 1])) {
                long n;
                end = number_end(s, i + 1, &n);
                numbered = dollar_n = 1;
                if (n > numbered_max) numbered_max = n;
                zero |= n == 0;
                if (positional) {            /* MariaDB: ?, the values put in its order */
                    put = "?";
                    if (pass == 1) record(order, n);
                } else if (!d->numbered_params) {   /* SQLite: $n as ?n, numbered */
                    snprintf(num, sizeof num, "?%ld", n);
                    put = num;
                }
            } else if (c == '$' && d->dollar_quotes && dollar_tag(s, i)) {
                size_t tl = dollar_tag(s, i);
                const char *p = s + i + tl;
                const char *close = NULL;
                for (; *p; p++)
                    if (*p == '$' && strncmp(p, s + i, tl) == 0) {
                        close = p;
                        break;
                    }
                end = close ? (size_t)(close - s) + tl : strlen(s);
            } else if (!d->numbered_params && !positional && (c == ':' || c == '@' || c == '$') &&
                       ident_char(s[i + 1]) &&
                       !(c == ':' && i > 0 && s[i - 1] == ':')) {
                named = 1;
                while (ident_char(s[end])) end++;
            } else if (c == '?' && s[i + 1] == '?') {
                end = i + 2;
                escapes = 1;
                put = "?";
            } else if (c == '?' && !d->numbered_params && digit(s[i + 1])) {
                long n;
                end = number_end(s, i + 1, &n);
                numbered = 1;
                if (n > numbered_max) numbered_max = n;
                zero |= n == 0;
                if (positional) {
                    put = "?";
                    if (pass == 1) record(order, n);
                }
            } else if (c == '?') {
                if (pass == 0) qmarks++;
                next++;
                if (d->numbered_params) {
                    snprintf(num, sizeof num, "$%ld", next);
                    put = num;
                }
            }
            if (pass == 1 && put) {
                sn_buf_append(out, s + from, i - from);
                sn_buf_puts(out, put);
                from = end;
            }
            i = end;
        }
        if (pass == 0) {
            /* PostgreSQL text with $n is native: sent as written, its ? are operators */
            if (d->numbered_params && dollar_n) {
                *count = (int)numbered_max;
                return SINEW_OK;
            }
            if (qmarks && (numbered || named))
                return sinew_error_set(SINEW_MISUSE, "raw SQL mixes ? placeholders with numbered or named ones "
                                       "(%s): write every placeholder as ?", numbered ? "$n or ?n" : ":name");
            if (zero && positional)
                return sinew_error_set(SINEW_MISUSE, "raw SQL has a placeholder numbered 0: numbered placeholders "
                                       "start at 1 ($1 or ?1)");
            *count = named ? -1 : qmarks ? (int)qmarks : (int)numbered_max;
            int rewrite = escapes || (qmarks && d->numbered_params) || (dollar_n && !d->numbered_params) ||
                          (numbered && positional);
            if (!rewrite) return SINEW_OK;
        } else {
            sn_buf_append(out, s + from, i - from);
        }
    }
    return out->failed || (order && order->failed) ? SINEW_NOMEM : SINEW_OK;
}
