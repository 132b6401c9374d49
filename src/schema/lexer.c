/*
 * lexer.c - tokens of the schema language: identifiers, "strings" with
 * escapes, numbers, punctuation, `///` doc comments (kept) and `//`
 * comments (dropped). Positions are 1-based line and byte column.
 */
#include <string.h>
#include "lang.h"

void sn_lex_init(lexer *lx, const char *src, size_t len, sn_arena *a, sinew_diagnostics *d, const char *file)
{
    memset(lx, 0, sizeof *lx);
    lx->src = src;
    lx->len = len;
    lx->line = 1;
    lx->col = 1;
    lx->arena = a;
    lx->diags = d;
    lx->file = file;
}

static int peekc(const lexer *lx, size_t ahead) { return lx->pos + ahead < lx->len ? (unsigned char)lx->src[lx->pos + ahead] : -1; }

static void adv(lexer *lx)
{
    if (lx->pos >= lx->len) return;
    if (lx->src[lx->pos] == '\n') {
        lx->line++;
        lx->col = 1;
    } else {
        lx->col++;
    }
    lx->pos++;
}

static int is_id0(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_id(int c) { return is_id0(c) || (c >= '0' && c <= '9'); }

/* a NUL byte would silently cut the text it is in (every name is a C string
 * from here on): refuse it where it stands */
#define PUSH_COMMENT(lx) \
    ((lx)->comments = sn_vec_push((lx)->arena, (lx)->comments, &(lx)->ncomments, &(lx)->capcomments, sizeof *(lx)->comments))

static void nul_byte(lexer *lx, const char *where)
{
    sn_diag_add(lx->diags, SINEW_DIAG_ERROR, lx->file, lx->line, lx->col,
                "NUL byte (0x00) in %s: schema files are text; remove it", where);
    lx->errors++;
}

static void keep_comment(lexer *lx, size_t start, int line, int col)
{
    size_t n = lx->pos - start;
    while (n && (lx->src[start + n - 1] == ' ' || lx->src[start + n - 1] == '\t' || lx->src[start + n - 1] == '\r')) n--;
    int trailing = 0;
    for (size_t i = start - 2; i > 0 && lx->src[i - 1] != '\n'; i--)
        if (lx->src[i - 1] != ' ' && lx->src[i - 1] != '\t') trailing = 1;
    PUSH_COMMENT(lx);
    if (!lx->comments) return;
    sn_comment *c = &lx->comments[lx->ncomments - 1];
    c->text = sn_arena_strndup(lx->arena, lx->src + start, n);
    c->line = line;
    c->col = col;
    c->trailing = trailing;
}

static token mk(lexer *lx, tok_kind k, int line, int col, const char *s, size_t n)
{
    token t = {k, NULL, line, col};
    if (s) t.text = sn_arena_strndup(lx->arena, s, n);
    if (s && !t.text) t.kind = T_EOF;   /* out of memory: stop; the caller reports SINEW_NOMEM */
    return t;
}

token sn_lex_next(lexer *lx)
{
    for (;;) {
        int c = peekc(lx, 0);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            adv(lx);
            continue;
        }
        if (c == '/' && peekc(lx, 1) == '/') {
            int line = lx->line, col = lx->col;
            int doc = peekc(lx, 2) == '/' && peekc(lx, 3) != '/';
            size_t start = lx->pos + (doc ? 3 : 2);
            while (peekc(lx, 0) != -1 && peekc(lx, 0) != '\n') {
                if (peekc(lx, 0) == 0) nul_byte(lx, "a comment");
                adv(lx);
            }
            if (!doc) {
                if (lx->keep_comments) keep_comment(lx, start, line, col);
                continue;
            }
            const char *s = lx->src + start;
            size_t n = lx->pos - start;
            while (n && (*s == ' ' || *s == '\t')) s++, n--;
            while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) n--;
            return mk(lx, T_DOC, line, col, s, n);
        }
        break;
    }
    int line = lx->line, col = lx->col;
    int c = peekc(lx, 0);
    if (c == -1 || lx->arena->failed) return mk(lx, T_EOF, line, col, NULL, 0);
    if (is_id0(c)) {
        size_t start = lx->pos;
        while (is_id(peekc(lx, 0))) adv(lx);
        return mk(lx, T_IDENT, line, col, lx->src + start, lx->pos - start);
    }
    if ((c >= '0' && c <= '9') || (c == '-' && peekc(lx, 1) >= '0' && peekc(lx, 1) <= '9')) {
        size_t start = lx->pos;
        adv(lx);
        while ((peekc(lx, 0) >= '0' && peekc(lx, 0) <= '9') || peekc(lx, 0) == '.') adv(lx);
        if (peekc(lx, 0) == 'e' || peekc(lx, 0) == 'E') {
            adv(lx);
            if (peekc(lx, 0) == '-' || peekc(lx, 0) == '+') adv(lx);
            while (peekc(lx, 0) >= '0' && peekc(lx, 0) <= '9') adv(lx);
        }
        return mk(lx, T_NUMBER, line, col, lx->src + start, lx->pos - start);
    }
    if (c == '"') {
        adv(lx);
        sn_buf b;
        sn_buf_init(&b);
        for (;;) {
            int d = peekc(lx, 0);
            if (d == -1 || d == '\n') {
                sn_buf_free(&b);
                sn_diag_add(lx->diags, SINEW_DIAG_ERROR, lx->file, line, col,
                            "unterminated string: add the closing '\"' on the same line");
                lx->errors++;
                return mk(lx, T_ERROR, line, col, NULL, 0);
            }
            if (d == 0) nul_byte(lx, "a string");
            adv(lx);
            if (d == '"') break;
            if (d == '\\') {
                int e = peekc(lx, 0);
                adv(lx);
                switch (e) {
                case 'n': sn_buf_putc(&b, '\n'); break;
                case 't': sn_buf_putc(&b, '\t'); break;
                case '"': case '\\': sn_buf_putc(&b, (char)e); break;
                default:
                    sn_diag_add(lx->diags, SINEW_DIAG_ERROR, lx->file, lx->line, lx->col - 2,
                                "unknown escape '\\%c' in string: use \\\", \\\\, \\n or \\t", e > 31 ? e : '?');
                    lx->errors++;
                }
                continue;
            }
            sn_buf_putc(&b, (char)d);
        }
        if (b.failed) {   /* out of memory: through the arena's failure path */
            sn_buf_free(&b);
            sn_arena_alloc(lx->arena, (size_t)1 << 62);
            return mk(lx, T_EOF, line, col, NULL, 0);
        }
        token t = mk(lx, T_STRING, line, col, b.data ? b.data : "", b.len);
        sn_buf_free(&b);
        return t;
    }
    adv(lx);
    switch (c) {
    case '{': return mk(lx, T_LBRACE, line, col, "{", 1);
    case '}': return mk(lx, T_RBRACE, line, col, "}", 1);
    case '(': return mk(lx, T_LPAREN, line, col, "(", 1);
    case ')': return mk(lx, T_RPAREN, line, col, ")", 1);
    case '[': return mk(lx, T_LBRACKET, line, col, "[", 1);
    case ']': return mk(lx, T_RBRACKET, line, col, "]", 1);
    case ',': return mk(lx, T_COMMA, line, col, ",", 1);
    case '?': return mk(lx, T_QUESTION, line, col, "?", 1);
    case ':': return mk(lx, T_COLON, line, col, ":", 1);
    case '|': return mk(lx, T_PIPE, line, col, "|", 1);
    case '@':
        if (peekc(lx, 0) == '@') {
            adv(lx);
            return mk(lx, T_ATAT, line, col, "@@", 2);
        }
        return mk(lx, T_AT, line, col, "@", 1);
    default:
        break;
    }
    if (c == 0)
        sn_diag_add(lx->diags, SINEW_DIAG_ERROR, lx->file, line, col, "NUL byte (0x00): schema files are text; remove it");
    else if (c >= 32 && c < 127)
        sn_diag_add(lx->diags, SINEW_DIAG_ERROR, lx->file, line, col, "unexpected character '%c'", c);
    else {
        sn_diag_add(lx->diags, SINEW_DIAG_ERROR, lx->file, line, col, "unexpected byte 0x%02x (schema files are UTF-8 "
                    "text; non-ASCII is allowed only in strings and comments)", c);
        while (peekc(lx, 0) >= 0x80) adv(lx);   /* one report per character, not per byte */
    }
    lx->errors++;
    return mk(lx, T_ERROR, line, col, NULL, 0);
}
