/*
 * format.c - sinew_schema_format(): the canonical text of a schema file with
 * its `//` comments kept. The file is parsed (and checked) as usual; a second
 * pass of the lexer collects the comments, and each is anchored to a
 * declaration of the syntax tree: a comment after code on its line to that
 * line's declaration (printed after it), a comment on its own line to the
 * next declaration (printed above it, above its /// doc); comments before
 * the closing brace of a model or enum stay before it, comments after the
 * last declaration at the end, and a block at the top of the file that a
 * blank line separates from the first declaration stays the file's header.
 * The printer asks for the comments of each declaration by key
 * ("m:Model", "f:Model.field", "a:Model.index0", "}:Model", "e:Enum",
 * "v:Enum.value", "^" header, "$" end).
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lang.h"

typedef struct anchor {
    int line, col;
    const char *key;
} anchor;

struct sn_comment_map {
    sn_comment *c;
    size_t n;
    const char **key;          /* the anchor of comment i */
    int *next;                 /* the next comment of the same anchor, -1 */
    int *printed;
    sn_nameidx heads;          /* key -> first comment */
    int *tails;                /* per head slot: the last comment, to append in source order */
};

static void emit(const sn_comment_map *c, sn_buf *b, const char *key, int want_trailing, const char *indent)
{
    int i = sn_nameidx_get(&c->heads, key);
    for (; i >= 0; i = c->next[i]) {
        if (c->c[i].trailing != want_trailing || c->printed[i]) continue;
        c->printed[i] = 1;
        if (want_trailing) sn_buf_printf(b, "  //%s", c->c[i].text);
        else sn_buf_printf(b, "%s//%s\n", indent, c->c[i].text);
    }
}

void sn_comments_leading(const sn_comment_map *c, sn_buf *b, const char *key, const char *indent)
{
    emit(c, b, key, 0, indent);
}

void sn_comments_trailing(const sn_comment_map *c, sn_buf *b, const char *key) { emit(c, b, key, 1, ""); }

static int cmp_anchor(const void *x, const void *y)
{
    const anchor *a = x, *b = y;
    if (a->line != b->line) return a->line < b->line ? -1 : 1;
    return (a->col > b->col) - (a->col < b->col);
}

static const char *key(sn_arena *a, const char *kind, const char *x, const char *y)
{
    return y ? sn_arena_printf(a, "%s:%s.%s", kind, x, y) : sn_arena_printf(a, "%s:%s", kind, x);
}

#define PUSH(a, arr, n, cap) ((arr) = sn_vec_push((a), (arr), &(n), &(cap), sizeof *(arr)))

static void add(sn_arena *a, anchor **v, size_t *n, size_t *cap, int line, int col, const char *k)
{
    PUSH(a, *v, *n, *cap);
    (*v)[*n - 1] = (anchor){line, col, k};
}

/* a line holding only blanks between lines from and to (exclusive) */
static int blank_between(const char *text, size_t len, int from, int to)
{
    int line = 1;
    size_t i = 0;
    while (i < len && line <= from) line += text[i++] == '\n';
    while (i < len && line < to) {
        size_t j = i;
        while (j < len && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r')) j++;
        if (j >= len || text[j] == '\n') return 1;
        while (j < len && text[j] != '\n') j++;
        i = j + 1;
        line++;
    }
    return 0;
}

static int build_map(sn_arena *a, const char *text, size_t len, const lexer *lx, const ast_file *af, sn_comment_map *m)
{
    anchor *v = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < af->nenums; i++) {
        const ast_enum *e = &af->enums[i];
        add(a, &v, &n, &cap, e->kw_line, 0, key(a, "e", e->name, NULL));
        for (size_t k = 0; k < e->nvalues; k++) add(a, &v, &n, &cap, e->vline[k], e->vcol[k], key(a, "v", e->name, e->values[k]));
        if (e->end_line) add(a, &v, &n, &cap, e->end_line, 0, key(a, "}", e->name, NULL));
    }
    for (size_t i = 0; i < af->nmodels; i++) {
        const ast_model *md = &af->models[i];
        add(a, &v, &n, &cap, md->kw_line, 0, key(a, "m", md->name, NULL));
        for (size_t k = 0; k < md->nfields; k++)
            add(a, &v, &n, &cap, md->fields[k].line, md->fields[k].col, key(a, "f", md->name, md->fields[k].name));
        size_t nix = 0, nck = 0;
        for (size_t k = 0; k < md->nattrs; k++) {
            const ast_attr *at = &md->attrs[k];
            const char *what = at->name;
            if (!strcmp(what, "index") || !strcmp(what, "unique")) what = sn_arena_printf(a, "index%zu", nix++);
            else if (!strcmp(what, "check")) what = sn_arena_printf(a, "check%zu", nck++);
            add(a, &v, &n, &cap, at->line, at->col, key(a, "a", md->name, what));
        }
        if (md->end_line) add(a, &v, &n, &cap, md->end_line, 0, key(a, "}", md->name, NULL));
    }
    if (n) qsort(v, n, sizeof *v, cmp_anchor);
    m->c = lx->comments;
    m->n = lx->ncomments;
    m->key = sn_arena_calloc(a, (m->n ? m->n : 1) * sizeof *m->key);
    m->next = sn_arena_calloc(a, (m->n ? m->n : 1) * sizeof *m->next);
    m->printed = sn_arena_calloc(a, (m->n ? m->n : 1) * sizeof *m->printed);
    m->tails = sn_arena_calloc(a, (m->n ? m->n : 1) * sizeof *m->tails);
    if (!m->key || !m->next || !m->printed || !m->tails) return SINEW_NOMEM;
    size_t j = 0;   /* the first anchor after the comment (both lists are in source order) */
    for (size_t i = 0; i < m->n; i++) {
        const sn_comment *c = &m->c[i];
        while (j < n && (v[j].line < c->line || (v[j].line == c->line && v[j].col < c->col))) j++;
        const char *k;
        if (c->trailing) k = j ? v[j - 1].key : "^";
        else if (j == n) k = "$";
        else if (j == 0 && blank_between(text, len, c->line, v[0].line)) k = "^";
        else k = v[j].key;
        if (c->trailing && !j) m->c[i].trailing = 0;   /* nothing before it to trail: a header line */
        m->key[i] = k;
        m->next[i] = -1;
        int head = sn_nameidx_add(&m->heads, a, k, (int)i);
        if (head >= 0) {
            m->next[m->tails[head]] = (int)i;
            m->tails[head] = (int)i;
        } else {
            m->tails[i] = (int)i;
        }
    }
    return SINEW_OK;
}

static int format_in(sn_arena *a, const sinew_schema *s, const char *file, const char *text, size_t len, sn_buf *b)
{
    jmp_buf oom;
    a->oom_jump = &oom;
    if (setjmp(oom)) return SINEW_NOMEM;
    lexer lx;
    sn_lex_init(&lx, text, len, a, NULL, file);
    lx.keep_comments = 1;
    ast_file af;
    if (sn_parse_syntax(&lx, &af)) return sinew_error_set(SINEW_INVALID, "%s: the schema could not be read", file);
    sn_comment_map m;
    memset(&m, 0, sizeof m);
    int rc = build_map(a, text, len, &lx, &af, &m);
    if (!rc) rc = sn_schema_render(s, &m, b);
    /* a comment whose declaration is not printed (an @@index the graph makes anyway) is kept at the end */
    int first = 1;
    for (size_t i = 0; !rc && i < m.n; i++) {
        if (m.printed[i]) continue;
        if (first && b->len) sn_buf_putc(b, '\n');
        first = 0;
        sn_buf_printf(b, "//%s\n", m.c[i].text);
    }
    a->oom_jump = NULL;
    return rc ? rc : b->failed ? SINEW_NOMEM : SINEW_OK;
}

int sinew_schema_format(const char *filename, const char *text, size_t len, sinew_diagnostics *diags, char **out)
{
    if (!out || !text) return sinew_error_set(SINEW_MISUSE, "sinew_schema_format: text and out must not be NULL");
    *out = NULL;
    const char *file = filename ? filename : "<schema>";
    sinew_schema *s;
    int rc = sinew_schema_parse(file, text, len, diags, &s);
    if (rc) return rc;
    sn_arena *a = sn_malloc(sizeof *a);
    if (!a) {
        sinew_schema_free(s);
        return sn_nomem();
    }
    sn_arena_init(a, 16384);
    sn_buf b;
    sn_buf_init(&b);
    rc = format_in(a, s, file, text, len, &b);
    sn_arena_free(a);
    sn_free(a);
    sinew_schema_free(s);
    if (rc) {
        sn_buf_free(&b);
        return rc == SINEW_NOMEM ? sn_nomem() : rc;
    }
    *out = sn_buf_take(&b);
    return *out ? SINEW_OK : sn_nomem();
}
