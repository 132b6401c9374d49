/*
 * sqlite_constraints.c - what SQLite keeps only in a table's CREATE TABLE
 * text (sqlite_master.sql), read back for introspection: the names of the
 * primary key and of foreign keys (`CONSTRAINT fk_x FOREIGN KEY ...`), CHECK
 * constraints with their names, generated columns' expressions, and a
 * partial index's WHERE predicate (CREATE INDEX's text). The pragmas report
 * none of these. A small tokenizer walks the column and
 * table-constraint list: quoted identifiers ("x", [x], `x`, with "" and ``
 * for a quote inside), strings ('' inside), comments (-- and C-style ones, an
 * unclosed one running to the end, as SQLite reads it) and nested
 * parentheses are skipped as SQLite's own parser would. Names are kept
 * whole, however long; an expression is kept as written without its
 * comments (a `--` comment in it would swallow the `)` DDL puts after it).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include "driver/readers.h"
#include "schema/introspect.h"

enum { TK_END = 0, TK_WORD, TK_QUOTED, TK_STRING, TK_LP, TK_RP, TK_COMMA, TK_OTHER };

typedef struct sqtok {
    int kind;
    const char *p;           /* the token's text in the SQL */
    size_t n;
} sqtok;

static size_t skip_blank(const char *s, size_t i)
{
    for (;;) {
        while (s[i] && isspace((unsigned char)s[i])) i++;
        if (s[i] == '-' && s[i + 1] == '-') {
            while (s[i] && s[i] != '\n') i++;
        } else if (s[i] == '/' && s[i + 1] == '*') {
            i += 2;
            while (s[i] && !(s[i] == '*' && s[i + 1] == '/')) i++;
            if (s[i]) i += 2;
        } else {
            return i;
        }
    }
}

/* the token at s[*i], *i moved past it */
static sqtok next_tok(const char *s, size_t *i)
{
    size_t k = skip_blank(s, *i);
    sqtok t = {TK_END, s + k, 0};
    char c = s[k];
    if (!c) { *i = k; return t; }
    if (c == '"' || c == '`' || c == '[' || c == '\'') {
        char close = c == '[' ? ']' : c;
        size_t j = k + 1;
        for (; s[j]; j++) {
            if (s[j] != close) continue;
            if (close != ']' && s[j + 1] == close) { j++; continue; }   /* a doubled quote */
            break;
        }
        if (s[j]) j++;
        t.kind = c == '\'' ? TK_STRING : TK_QUOTED;
        t.n = j - k;
    } else if (isalnum((unsigned char)c) || c == '_' || c == '$' || (unsigned char)c >= 0x80) {
        size_t j = k;
        while (isalnum((unsigned char)s[j]) || s[j] == '_' || s[j] == '$' || (unsigned char)s[j] >= 0x80) j++;
        t.kind = TK_WORD;
        t.n = j - k;
    } else {
        t.kind = c == '(' ? TK_LP : c == ')' ? TK_RP : c == ',' ? TK_COMMA : TK_OTHER;
        t.n = 1;
    }
    *i = k + t.n;
    return t;
}

static int is_kw(const sqtok *t, const char *kw)
{
    return t->kind == TK_WORD && t->n == strlen(kw) && !strncasecmp(t->p, kw, t->n);
}

/* an identifier token's name (quotes removed, doubled quotes undone), allocated; NULL: out of memory */
static char *tok_dup(const sqtok *t)
{
    char *buf = sn_malloc(t->n + 1);
    if (!buf) return NULL;
    size_t j = 0;
    if (t->kind == TK_QUOTED || t->kind == TK_STRING) {
        char close = t->p[0] == '[' ? ']' : t->p[0];
        size_t end = t->n > 1 && t->p[t->n - 1] == close ? t->n - 1 : t->n;   /* unclosed: to the end */
        for (size_t k = 1; k < end; k++) {
            buf[j++] = t->p[k];
            if (t->p[k] == close && close != ']' && k + 1 < end && t->p[k + 1] == close) k++;
        }
    } else {
        memcpy(buf, t->p, t->n);
        j = t->n;
    }
    buf[j] = 0;
    return buf;
}

/* after an opening parenthesis at s[*i - 1]: *i past its closing one; the text between in [*from, *to) */
static void skip_parens(const char *s, size_t *i, size_t *from, size_t *to)
{
    int depth = 1;
    *from = *i;
    *to = *i;
    for (;;) {
        size_t before = *i;
        sqtok t = next_tok(s, i);
        if (t.kind == TK_END) { *to = *i; return; }
        if (t.kind == TK_LP) depth++;
        if (t.kind == TK_RP && --depth == 0) { *to = before + (size_t)(t.p - (s + before)); return; }
    }
}

/* the text [from, to) without its comments (each a blank, as SQLite reads it) and surrounding blanks, as
 * an allocated string; quoted names and strings are copied as they are */
static char *span(const char *s, size_t from, size_t to)
{
    char *out = sn_malloc(to - from + 1);
    if (!out) return NULL;
    size_t n = 0;
    for (size_t i = from; i < to;) {
        char c = s[i];
        if (c == '"' || c == '`' || c == '[' || c == '\'') {
            char close = c == '[' ? ']' : c;
            size_t j = i + 1;
            for (; j < to; j++) {
                if (s[j] != close) continue;
                if (close != ']' && j + 1 < to && s[j + 1] == close) { j++; continue; }
                break;
            }
            if (j < to) j++;
            memcpy(out + n, s + i, j - i);
            n += j - i;
            i = j;
        } else if ((c == '-' && i + 1 < to && s[i + 1] == '-') || (c == '/' && i + 1 < to && s[i + 1] == '*')) {
            if (c == '-') {
                while (i < to && s[i] != '\n') i++;
            } else {
                i += 2;
                while (i < to && !(s[i] == '*' && i + 1 < to && s[i + 1] == '/')) i++;
                i = i < to ? i + 2 : to;
            }
            if (n && !isspace((unsigned char)out[n - 1])) out[n++] = ' ';   /* one blank where it was */
            else while (i < to && isspace((unsigned char)s[i])) i++;       /* a blank there already */
        } else {
            out[n++] = c;
            i++;
        }
    }
    size_t a = 0;
    while (a < n && isspace((unsigned char)out[a])) a++;
    while (n > a && isspace((unsigned char)out[n - 1])) n--;
    memmove(out, out + a, n - a);
    out[n - a] = 0;
    return out;
}

/* a parenthesised list of column names after s[*i - 1] == '(' into names (allocated, the caller frees
 * them); SINEW_NOMEM, else the count in *n */
static int name_list(const char *s, size_t *i, char **names, size_t cap, size_t *n)
{
    *n = 0;
    int depth = 1;
    int want = 1;
    for (;;) {
        sqtok t = next_tok(s, i);
        if (t.kind == TK_END) return SINEW_OK;
        if (t.kind == TK_LP) depth++;
        else if (t.kind == TK_RP) { if (--depth == 0) return SINEW_OK; }
        else if (depth == 1 && t.kind == TK_COMMA) want = 1;
        else if (depth == 1 && want && (t.kind == TK_WORD || t.kind == TK_QUOTED || t.kind == TK_STRING)) {
            if (*n < cap && !(names[(*n)++] = tok_dup(&t))) return sn_nomem();
            want = 0;
        }
    }
}

static int fk_named(sn_ib *b, int t, const char *name, char *const *cols, size_t n)
{
    if (!name || !n) return SINEW_OK;
    int id = sn_ib_fk_id_by_columns(b, t, (const char *const *)cols, n);
    return id >= 0 ? sn_ib_fk_name(b, t, id, name) : SINEW_OK;
}

/* *slot := the name of token t (what was there freed); SINEW_NOMEM */
static int take_name(char **slot, const sqtok *t)
{
    sn_free(*slot);
    *slot = tok_dup(t);
    return *slot ? SINEW_OK : sn_nomem();
}

static void clear_name(char **slot)
{
    sn_free(*slot);
    *slot = NULL;
}

static void drop_names(char **names, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        sn_free(names[k]);
        names[k] = NULL;
    }
}

/* one column definition or table constraint, from s[*i]; *done at the list's closing parenthesis */
static int one_item(sn_ib *b, int t, const char *sql, size_t *i, int *done)
{
    size_t save = *i;
    sqtok first = next_tok(sql, i);
    if (first.kind == TK_END || first.kind == TK_RP) {
        *done = 1;
        return SINEW_OK;
    }
    int table_level = is_kw(&first, "CONSTRAINT") || is_kw(&first, "PRIMARY") || is_kw(&first, "FOREIGN") ||
                      is_kw(&first, "CHECK") || is_kw(&first, "UNIQUE");
    char *colname = NULL, *pending = NULL, *cols[16] = {0};
    size_t ncols = 0;
    int rc = SINEW_OK;
    if (table_level) *i = save;
    else rc = take_name(&colname, &first);
    int in_fk = 0, end = 0;
    while (!rc && !end) {
        sqtok w = next_tok(sql, i);
        size_t from, to;
        switch (w.kind) {
        case TK_END: case TK_RP:
            *done = 1;
            end = 1;
            break;
        case TK_COMMA:
            end = 1;
            break;
        case TK_LP:
            skip_parens(sql, i, &from, &to);
            break;
        default:
            if (is_kw(&w, "CONSTRAINT")) {
                sqtok nm = next_tok(sql, i);
                rc = take_name(&pending, &nm);
            } else if (is_kw(&w, "PRIMARY")) {
                if (pending) rc = sn_ib_pk_name(b, t, pending);
                clear_name(&pending);
            } else if (is_kw(&w, "FOREIGN")) {
                sqtok k = next_tok(sql, i);          /* KEY */
                (void)k;
                sqtok lp = next_tok(sql, i);
                drop_names(cols, ncols);
                ncols = 0;
                if (lp.kind == TK_LP) rc = name_list(sql, i, cols, 16, &ncols);
                if (!rc) rc = fk_named(b, t, pending, cols, ncols);
                clear_name(&pending);
                in_fk = 1;                            /* its REFERENCES is not a column's */
            } else if (is_kw(&w, "REFERENCES")) {
                if (!in_fk && colname) rc = fk_named(b, t, pending, &colname, 1);
                clear_name(&pending);
                sqtok target = next_tok(sql, i);     /* the table; its column list is skipped as parens */
                (void)target;
            } else if (is_kw(&w, "CHECK")) {
                sqtok lp = next_tok(sql, i);
                if (lp.kind != TK_LP) break;
                skip_parens(sql, i, &from, &to);
                char *expr = span(sql, from, to);
                if (!expr) rc = sn_nomem();
                else rc = sn_ib_check(b, t, pending, expr);
                sn_free(expr);
                clear_name(&pending);
            } else if (is_kw(&w, "AS") && colname) {  /* [GENERATED ALWAYS] AS (expr) [STORED|VIRTUAL] */
                sqtok lp = next_tok(sql, i);
                if (lp.kind != TK_LP) break;
                skip_parens(sql, i, &from, &to);
                size_t after = *i;
                sqtok kind = next_tok(sql, i);
                int stored = is_kw(&kind, "STORED");
                if (!stored && !is_kw(&kind, "VIRTUAL")) *i = after;
                char *expr = span(sql, from, to);
                if (!expr) rc = sn_nomem();
                else rc = sn_ib_generated(b, t, colname, expr, stored);
                sn_free(expr);
                clear_name(&pending);
            } else if (is_kw(&w, "UNIQUE") || is_kw(&w, "NOT") || is_kw(&w, "NULL") || is_kw(&w, "DEFAULT") ||
                       is_kw(&w, "COLLATE")) {
                clear_name(&pending);   /* a name for another kind of constraint */
            }
            break;
        }
    }
    sn_free(colname);
    sn_free(pending);
    drop_names(cols, ncols);
    return rc;
}

int sn_sqlite_constraints(sn_ib *b, int t, const char *sql)
{
    size_t i = 0;
    sqtok tk;
    do tk = next_tok(sql, &i);
    while (tk.kind != TK_END && tk.kind != TK_LP);     /* CREATE TABLE name ( */
    if (tk.kind == TK_END) return SINEW_OK;
    int rc = SINEW_OK, done = 0;
    while (!rc && !done) rc = one_item(b, t, sql, &i, &done);
    return rc;
}

char *sn_sqlite_index_where(const char *sql)
{
    size_t i = 0;
    int depth = 0;
    for (;;) {
        sqtok t = next_tok(sql, &i);
        if (t.kind == TK_END) return NULL;
        if (t.kind == TK_LP) depth++;
        else if (t.kind == TK_RP) depth--;
        else if (!depth && is_kw(&t, "WHERE")) {
            size_t end = strlen(sql);
            while (end > i && (isspace((unsigned char)sql[end - 1]) || sql[end - 1] == ';')) end--;
            return span(sql, i, end);
        }
    }
}
