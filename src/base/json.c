/*
 * json.c - a strict JSON syntax check (RFC 8259), so that a json field
 * refuses on SQLite what PostgreSQL's jsonb refuses: no comments, no
 * trailing commas, no single quotes, no NaN, strings in valid UTF-8 with
 * control characters escaped, no \u0000 and no unpaired surrogate escape
 * (jsonb cannot hold them). Iterative, with an explicit stack of open
 * containers, so deep nesting cannot overflow the C stack.
 */
#include <string.h>
#include "base.h"

typedef struct jp {
    const unsigned char *s;
    size_t n, i;
    const char *why;
} jp;

static void blanks(jp *p)
{
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r'))
        p->i++;
}

static int fail(jp *p, const char *why)
{
    p->why = why;
    return 0;
}

static int hex4(jp *p, unsigned *out)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        if (p->i >= p->n) return fail(p, "\\u needs four hex digits");
        unsigned char c = p->s[p->i++];
        unsigned d = 16;
        if (c >= '0' && c <= '9') d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') d = (unsigned)(c - 'a') + 10;
        else if (c >= 'A' && c <= 'F') d = (unsigned)(c - 'A') + 10;
        if (d == 16) return fail(p, "\\u needs four hex digits");
        v = v * 16 + d;
    }
    *out = v;
    return 1;
}

/* one UTF-8 sequence starting at p->i (a lead byte >= 0x80) */
static int utf8(jp *p)
{
    unsigned char c = p->s[p->i];
    size_t need;
    unsigned cp;
    if (c >= 0xC2 && c <= 0xDF) need = 1, cp = c & 0x1Fu;
    else if (c >= 0xE0 && c <= 0xEF) need = 2, cp = c & 0x0Fu;
    else if (c >= 0xF0 && c <= 0xF4) need = 3, cp = c & 0x07u;
    else return fail(p, "invalid UTF-8");
    if (p->i + need >= p->n) return fail(p, "invalid UTF-8");
    for (size_t k = 1; k <= need; k++) {
        unsigned char d = p->s[p->i + k];
        if ((d & 0xC0) != 0x80) return fail(p, "invalid UTF-8");
        cp = (cp << 6) | (d & 0x3Fu);
    }
    if ((need == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
        return fail(p, "invalid UTF-8");
    p->i += need + 1;
    return 1;
}

static int string(jp *p)
{
    p->i++;   /* the opening quote */
    while (p->i < p->n) {
        unsigned char c = p->s[p->i];
        if (c == '"') {
            p->i++;
            return 1;
        }
        if (c < 0x20) return fail(p, "a control character in a string must be escaped");
        if (c >= 0x80) {
            if (!utf8(p)) return 0;
            continue;
        }
        p->i++;
        if (c != '\\') continue;
        if (p->i >= p->n) break;
        c = p->s[p->i++];
        if (strchr("\"\\/bfnrt", c) && c) continue;
        if (c != 'u') return fail(p, "unknown escape in a string");
        unsigned u;
        if (!hex4(p, &u)) return 0;
        if (u == 0) return fail(p, "\\u0000 cannot be stored (PostgreSQL's jsonb refuses it)");
        if (u >= 0xDC00 && u <= 0xDFFF) return fail(p, "a low surrogate escape without a high one before it");
        if (u >= 0xD800 && u <= 0xDBFF) {
            unsigned lo;
            if (p->i + 1 >= p->n || p->s[p->i] != '\\' || p->s[p->i + 1] != 'u')
                return fail(p, "a high surrogate escape without a low one after it");
            p->i += 2;
            if (!hex4(p, &lo)) return 0;
            if (lo < 0xDC00 || lo > 0xDFFF) return fail(p, "a high surrogate escape without a low one after it");
        }
    }
    return fail(p, "unterminated string");
}

static int number(jp *p)
{
    size_t i = p->i;
    if (i < p->n && p->s[i] == '-') i++;
    if (i >= p->n || p->s[i] < '0' || p->s[i] > '9') return fail(p, "invalid value");
    if (p->s[i] == '0') i++;
    else while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9') i++;
    if (i < p->n && p->s[i] == '.') {
        i++;
        if (i >= p->n || p->s[i] < '0' || p->s[i] > '9') return fail(p, "digits must follow the decimal point");
        while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9') i++;
    }
    if (i < p->n && (p->s[i] == 'e' || p->s[i] == 'E')) {
        i++;
        if (i < p->n && (p->s[i] == '+' || p->s[i] == '-')) i++;
        if (i >= p->n || p->s[i] < '0' || p->s[i] > '9') return fail(p, "digits must follow the exponent");
        while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9') i++;
    }
    p->i = i;
    return 1;
}

static int word(jp *p, const char *w)
{
    size_t n = strlen(w);
    if (p->n - p->i < n || memcmp(p->s + p->i, w, n) != 0) return fail(p, "invalid value");
    p->i += n;
    return 1;
}

/* a scalar, or the opening of a container (pushed onto stack; *opened set) */
static int value(jp *p, unsigned char *stack, size_t *depth, size_t cap, int *opened)
{
    blanks(p);
    *opened = 0;
    if (p->i >= p->n) return fail(p, "a value is missing");
    switch (p->s[p->i]) {
    case '{': case '[':
        if (*depth == cap) return fail(p, "nested too deeply");
        stack[(*depth)++] = p->s[p->i++];
        *opened = 1;
        return 1;
    case '"': return string(p);
    case 't': return word(p, "true");
    case 'f': return word(p, "false");
    case 'n': return word(p, "null");
    default: return number(p);
    }
}

#define JSON_MAX_DEPTH 4096

int sn_json_valid(const char *text, size_t len, size_t *at, const char **why)
{
    jp p = {(const unsigned char *)text, len, 0, NULL};
    unsigned char stack[JSON_MAX_DEPTH];
    size_t depth = 0;
    int opened;
    int ok = value(&p, stack, &depth, JSON_MAX_DEPTH, &opened);
    while (ok && depth) {
        unsigned char open = stack[depth - 1];
        unsigned char close = open == '{' ? '}' : ']';
        blanks(&p);
        if (p.i < p.n && p.s[p.i] == close) {   /* an empty container, or the end of one */
            p.i++;
            depth--;
            opened = 0;
            continue;
        }
        if (!opened) {   /* after a member: a comma, then the next */
            if (p.i >= p.n || p.s[p.i] != ',') {
                ok = fail(&p, open == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
                break;
            }
            p.i++;
            blanks(&p);
        }
        if (open == '{') {
            if (p.i >= p.n || p.s[p.i] != '"') {
                ok = fail(&p, "expected a member name in double quotes");
                break;
            }
            if (!(ok = string(&p))) break;
            blanks(&p);
            if (p.i >= p.n || p.s[p.i] != ':') {
                ok = fail(&p, "expected ':' after a member name");
                break;
            }
            p.i++;
        }
        ok = value(&p, stack, &depth, JSON_MAX_DEPTH, &opened);
    }
    if (ok) {
        blanks(&p);
        if (p.i != p.n) ok = fail(&p, p.s[p.i] == '\0' ? "a NUL byte" : "text after the value");
    }
    if (!ok) {
        if (at) *at = p.i;
        if (why) *why = p.why;
    }
    return ok;
}
