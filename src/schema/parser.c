/*
 * parser.c - the syntax of the schema language, by recursive descent, into
 * a small tree (lang.h). It reports every syntax error of a file and
 * recovers at the next field, model or enum. Meaning (types, relations,
 * validation) is resolve.c's job.
 */
#include <string.h>
#include "lang.h"

typedef struct P {
    lexer *lx;
    token tok;
    int errors;
    const char *doc;          /* /// lines waiting for the next declaration */
} P;

void *sn_vec_push(sn_arena *a, void *items, size_t *n, size_t *cap, size_t elem)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        void *p = sn_arena_alloc(a, nc * elem);
        if (!p) return NULL;
        /* items is set whenever *n is; said for gcc -O2, which loses that through the inlined parse_field */
        if (*n && items) memcpy(p, items, *n * elem);
        items = p;
        *cap = nc;
    }
    (*n)++;
    return items;
}

#define PUSH(a, arr, n, cap) ((arr) = sn_vec_push((a), (arr), &(n), &(cap), sizeof *(arr)))

static void next(P *p)
{
    for (;;) {
        p->tok = sn_lex_next(p->lx);
        if (p->tok.kind != T_ERROR) return;
        p->errors++;
    }
}

static void err(P *p, int line, int col, const char *fmt, const char *a, const char *b)
{
    sn_diag_add(p->lx->diags, SINEW_DIAG_ERROR, p->lx->file, line, col, fmt, a, b);
    p->errors++;
}

static const char *tok_desc(const token *t)
{
    switch (t->kind) {
    case T_EOF: return "end of file";
    case T_IDENT: case T_NUMBER: case T_LBRACE: case T_RBRACE: case T_LPAREN: case T_RPAREN: case T_LBRACKET:
    case T_RBRACKET: case T_COMMA: case T_QUESTION: case T_AT: case T_ATAT: case T_COLON: case T_PIPE: return t->text;
    case T_STRING: return "a string";
    case T_DOC: return "a /// comment";
    default: return "?";
    }
}

static void take_doc(P *p)
{
    while (p->tok.kind == T_DOC) {
        if (!p->doc) p->doc = p->tok.text;
        else p->doc = sn_arena_printf(p->lx->arena, "%s\n%s", p->doc, p->tok.text);
        next(p);
    }
}

static const char *pop_doc(P *p)
{
    const char *d = p->doc;
    p->doc = NULL;
    return d;
}

static int is_kw(const token *t, const char *kw) { return t->kind == T_IDENT && t->text && strcmp(t->text, kw) == 0; }

static int parse_arg(P *p, ast_arg *a)
{
    memset(a, 0, sizeof *a);
    a->line = p->tok.line;
    a->col = p->tok.col;
    switch (p->tok.kind) {
    case T_IDENT:
        a->kind = ARG_IDENT;
        a->text = p->tok.text;
        next(p);
        if (p->tok.kind == T_LPAREN) {   /* now() and uuid() read like functions */
            next(p);
            if (p->tok.kind != T_RPAREN) {
                err(p, p->tok.line, p->tok.col, "expected ')' after '%s('%s", a->text, "");
                return 0;
            }
            next(p);
        }
        return 1;
    case T_STRING:
        a->kind = ARG_STRING;
        a->text = p->tok.text;
        next(p);
        return 1;
    case T_NUMBER:
        a->kind = ARG_NUMBER;
        a->text = p->tok.text;
        next(p);
        return 1;
    case T_LBRACKET: {
        a->kind = ARG_LIST;
        size_t cap = 0;
        next(p);
        while (p->tok.kind == T_IDENT) {
            PUSH(p->lx->arena, a->items, a->nitems, cap);
            if (!a->items) return 0;
            a->items[a->nitems - 1] = p->tok.text;
            next(p);
            if (p->tok.kind == T_COMMA) next(p);
        }
        if (p->tok.kind != T_RBRACKET) {
            err(p, p->tok.line, p->tok.col, "expected a field name or ']' in the list, found '%s'%s", tok_desc(&p->tok), "");
            return 0;
        }
        next(p);
        return 1;
    }
    default:
        err(p, p->tok.line, p->tok.col, "expected a value (a name, \"string\", number or [list]), found '%s'%s",
            tok_desc(&p->tok), "");
        return 0;
    }
}

/* @name or @@name, with optional (args) */
static int parse_attr(P *p, ast_attr *at, int model_level)
{
    memset(at, 0, sizeof *at);
    at->line = p->tok.line;
    at->col = p->tok.col;
    at->model_level = model_level;
    next(p);
    if (p->tok.kind != T_IDENT) {
        err(p, p->tok.line, p->tok.col, "expected an attribute name after '%s'%s", model_level ? "@@" : "@", "");
        return 0;
    }
    at->name = p->tok.text;
    next(p);
    if (p->tok.kind != T_LPAREN) return 1;
    at->has_parens = 1;
    next(p);
    size_t cap = 0;
    while (p->tok.kind != T_RPAREN) {
        PUSH(p->lx->arena, at->args, at->nargs, cap);
        if (!at->args) return 0;
        /* named arguments (`fields: [a]`, `name: "x"`) keep their label beside the value */
        const char *label = NULL;
        if (p->tok.kind == T_IDENT) {
            lexer save = *p->lx;
            token t = p->tok;
            next(p);
            if (p->tok.kind != T_COLON) {
                *p->lx = save;
                p->tok = t;
            } else {
                label = t.text;
                next(p);
            }
        }
        if (!parse_arg(p, &at->args[at->nargs - 1])) return 0;
        at->args[at->nargs - 1].label = label;
        if (p->tok.kind == T_COMMA) {
            next(p);
            continue;
        }
        if (p->tok.kind != T_RPAREN) {
            err(p, p->tok.line, p->tok.col, "expected ',' or ')' in the arguments of @%s, found '%s'", at->name,
                tok_desc(&p->tok));
            return 0;
        }
    }
    next(p);
    return 1;
}

/* skip to something a field or model can start with */
static void recover_in_model(P *p)
{
    while (p->tok.kind != T_EOF && p->tok.kind != T_RBRACE && p->tok.kind != T_IDENT && p->tok.kind != T_ATAT &&
           p->tok.kind != T_DOC)
        next(p);
}

static void parse_field(P *p, ast_model *m, size_t *fcap)
{
    ast_field f;
    memset(&f, 0, sizeof f);
    f.doc = pop_doc(p);
    f.name = p->tok.text;
    f.line = p->tok.line;
    f.col = p->tok.col;
    next(p);
    if (p->tok.kind != T_IDENT) {
        err(p, p->tok.line, p->tok.col, "field '%s' needs a type after its name, e.g. `%s text`", f.name, f.name);
        recover_in_model(p);
        return;
    }
    f.type = p->tok.text;
    f.type_line = p->tok.line;
    f.type_col = p->tok.col;
    next(p);
    if (p->tok.kind == T_PIPE) {
        /* `target Post | Comment`: a polymorphic relation (its meaning is the resolver's) */
        size_t cap = 0, lcap = 0, ccap = 0, nl = 0, nc = 0;
        PUSH(p->lx->arena, f.alts, f.nalts, cap);
        PUSH(p->lx->arena, f.alt_line, nl, lcap);
        PUSH(p->lx->arena, f.alt_col, nc, ccap);
        if (!f.alts || !f.alt_line || !f.alt_col) return;
        f.alts[0] = f.type;
        f.alt_line[0] = f.type_line;
        f.alt_col[0] = f.type_col;
        while (p->tok.kind == T_PIPE) {
            next(p);
            if (p->tok.kind != T_IDENT) {
                err(p, p->tok.line, p->tok.col, "expected a model name after '|' in the type of '%s'%s", f.name, "");
                recover_in_model(p);
                return;
            }
            PUSH(p->lx->arena, f.alts, f.nalts, cap);
            PUSH(p->lx->arena, f.alt_line, nl, lcap);
            PUSH(p->lx->arena, f.alt_col, nc, ccap);
            if (!f.alts || !f.alt_line || !f.alt_col) return;
            f.alts[f.nalts - 1] = p->tok.text;
            f.alt_line[f.nalts - 1] = p->tok.line;
            f.alt_col[f.nalts - 1] = p->tok.col;
            next(p);
        }
    }
    if (p->tok.kind == T_LBRACKET) {
        next(p);
        if (p->tok.kind != T_RBRACKET) {
            err(p, p->tok.line, p->tok.col, "expected ']' after '%s['%s", f.type, "");
            recover_in_model(p);
            return;
        }
        next(p);
        f.list = 1;
    }
    if (p->tok.kind == T_QUESTION) {
        f.optional = 1;
        next(p);
    }
    size_t acap = 0;
    while (p->tok.kind == T_AT) {
        PUSH(p->lx->arena, f.attrs, f.nattrs, acap);
        if (!f.attrs) return;
        if (!parse_attr(p, &f.attrs[f.nattrs - 1], 0)) {
            recover_in_model(p);
            break;
        }
    }
    PUSH(p->lx->arena, m->fields, m->nfields, *fcap);
    if (m->fields) m->fields[m->nfields - 1] = f;
}

/*
 * `model`/`enum` inside a model: the next declaration (the model was not
 * closed) when a name and '{' follow, else a field of that name (`model text`,
 * a car's model). The current token was just read: the source after it is
 * looked at, past blanks, one identifier and blanks.
 */
static int starts_declaration(const P *p)
{
    const char *s = p->lx->src;
    size_t i = p->lx->pos, n = p->lx->len;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) i++;
    size_t id = i;
    while (i < n && (s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                     (s[i] >= '0' && s[i] <= '9')))
        i++;
    if (i == id) return 1;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) i++;
    return i < n && s[i] == '{';
}

static void parse_model(P *p, ast_file *file, size_t *cap)
{
    ast_model m;
    memset(&m, 0, sizeof m);
    m.doc = pop_doc(p);
    int kl = p->tok.line, kc = p->tok.col;
    m.kw_line = kl;
    next(p);
    if (p->tok.kind != T_IDENT) {
        err(p, p->tok.line, p->tok.col, "expected a model name after 'model', found '%s'%s", tok_desc(&p->tok), "");
        return;
    }
    m.name = p->tok.text;
    m.line = p->tok.line;
    m.col = p->tok.col;
    next(p);
    if (p->tok.kind != T_LBRACE) {
        err(p, p->tok.line, p->tok.col, "expected '{' after 'model %s', found '%s'", m.name, tok_desc(&p->tok));
        return;
    }
    next(p);
    size_t fcap = 0, acap = 0;
    for (;;) {
        take_doc(p);
        if (p->tok.kind == T_RBRACE) {
            m.end_line = p->tok.line;
            next(p);
            break;
        }
        if (p->tok.kind == T_EOF) {
            err(p, kl, kc, "model %s is not closed: add '}' after its last field%s", m.name, "");
            break;
        }
        if (p->tok.kind == T_ATAT) {
            PUSH(p->lx->arena, m.attrs, m.nattrs, acap);
            if (!m.attrs) return;
            if (!parse_attr(p, &m.attrs[m.nattrs - 1], 1)) {
                m.nattrs--;
                recover_in_model(p);
            }
            continue;
        }
        if (p->tok.kind == T_IDENT) {
            if ((is_kw(&p->tok, "model") || is_kw(&p->tok, "enum")) && starts_declaration(p)) {
                err(p, kl, kc, "model %s is not closed: add '}' before the next '%s'", m.name, p->tok.text);
                break;
            }
            parse_field(p, &m, &fcap);
            continue;
        }
        err(p, p->tok.line, p->tok.col, "unexpected '%s' in model %s: expected a field (`name type`) or an @@attribute",
            tok_desc(&p->tok), m.name);
        next(p);
        recover_in_model(p);
    }
    PUSH(p->lx->arena, file->models, file->nmodels, *cap);
    if (file->models) file->models[file->nmodels - 1] = m;
}

static void parse_enum(P *p, ast_file *file, size_t *cap)
{
    ast_enum e;
    memset(&e, 0, sizeof e);
    e.doc = pop_doc(p);
    int kl = p->tok.line, kc = p->tok.col;
    e.kw_line = kl;
    next(p);
    if (p->tok.kind != T_IDENT) {
        err(p, p->tok.line, p->tok.col, "expected an enum name after 'enum', found '%s'%s", tok_desc(&p->tok), "");
        return;
    }
    e.name = p->tok.text;
    e.line = p->tok.line;
    e.col = p->tok.col;
    next(p);
    if (p->tok.kind != T_LBRACE) {
        err(p, p->tok.line, p->tok.col, "expected '{' after 'enum %s', found '%s'", e.name, tok_desc(&p->tok));
        return;
    }
    next(p);
    size_t vcap = 0, lcap = 0, ccap = 0;
    for (;;) {
        take_doc(p);
        p->doc = NULL;
        if (p->tok.kind == T_RBRACE) {
            e.end_line = p->tok.line;
            next(p);
            break;
        }
        if (p->tok.kind == T_COMMA) {
            next(p);
            continue;
        }
        if (p->tok.kind == T_IDENT) {
            if (is_kw(&p->tok, "model") || is_kw(&p->tok, "enum")) {
                err(p, kl, kc, "enum %s is not closed: add '}' before the next '%s'", e.name, p->tok.text);
                break;
            }
            PUSH(p->lx->arena, e.values, e.nvalues, vcap);
            size_t nl = e.nvalues - 1, nc = e.nvalues - 1;
            PUSH(p->lx->arena, e.vline, nl, lcap);
            PUSH(p->lx->arena, e.vcol, nc, ccap);
            if (!e.values || !e.vline || !e.vcol) return;
            e.values[e.nvalues - 1] = p->tok.text;
            e.vline[e.nvalues - 1] = p->tok.line;
            e.vcol[e.nvalues - 1] = p->tok.col;
            next(p);
            continue;
        }
        if (p->tok.kind == T_EOF) {
            err(p, kl, kc, "enum %s is not closed: add '}' after its last value%s", e.name, "");
            break;
        }
        err(p, p->tok.line, p->tok.col, "unexpected '%s' in enum %s: expected a value name", tok_desc(&p->tok), e.name);
        next(p);
    }
    PUSH(p->lx->arena, file->enums, file->nenums, *cap);
    if (file->enums) file->enums[file->nenums - 1] = e;
}

int sn_parse_syntax(lexer *lx, ast_file *out)
{
    P p;
    memset(&p, 0, sizeof p);
    memset(out, 0, sizeof *out);
    p.lx = lx;
    next(&p);
    size_t mcap = 0, ecap = 0;
    while (p.tok.kind != T_EOF) {
        take_doc(&p);
        if (is_kw(&p.tok, "model")) parse_model(&p, out, &mcap);
        else if (is_kw(&p.tok, "enum")) parse_enum(&p, out, &ecap);
        else if (p.tok.kind != T_EOF) {
            err(&p, p.tok.line, p.tok.col, "expected 'model' or 'enum', found '%s'%s", tok_desc(&p.tok), "");
            do next(&p);
            while (p.tok.kind != T_EOF && !is_kw(&p.tok, "model") && !is_kw(&p.tok, "enum"));
        }
    }
    return p.errors + lx->errors;
}
