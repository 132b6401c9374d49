/*
 * lang.h - private pieces of the schema language: tokens, the syntax tree,
 * diagnostics, and the name conventions shared by the parser, the resolver
 * and the printer.
 */
#ifndef SINEW_SCHEMA_LANG_H
#define SINEW_SCHEMA_LANG_H

#include "base.h"
#include "sinew/parse.h"
#include "sinew/schema.h"

/* ---- diagnostics ---- */
void sn_diag_add(sinew_diagnostics *d, sinew_diag_severity sev, const char *file, int line, int col,
                 const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;
/* keep the source text so that printing can show the line */
int sn_diag_source(sinew_diagnostics *d, const char *file, const char *text, size_t len);

/* ---- tokens ---- */
typedef enum tok_kind {
    T_EOF = 0, T_IDENT, T_STRING, T_NUMBER, T_DOC, T_LBRACE, T_RBRACE, T_LPAREN, T_RPAREN,
    T_LBRACKET, T_RBRACKET, T_COMMA, T_QUESTION, T_AT, T_ATAT, T_COLON, T_PIPE, T_ERROR
} tok_kind;

typedef struct token {
    tok_kind kind;
    const char *text;          /* arena copy: identifier, unescaped string, number, doc text */
    int line, col;
} token;

/* a `//` comment, kept for `sinew format` (the parser ignores them) */
typedef struct sn_comment {
    const char *text;          /* after the `//`, trailing blanks cut */
    int line, col;
    int trailing;              /* code before it on its line */
} sn_comment;

typedef struct lexer {
    const char *src;
    size_t len, pos;
    int line, col;
    sn_arena *arena;
    sinew_diagnostics *diags;
    const char *file;
    int errors;
    int keep_comments;         /* collect `//` comments into comments[] */
    sn_comment *comments;
    size_t ncomments, capcomments;
} lexer;

void sn_lex_init(lexer *lx, const char *src, size_t len, sn_arena *a, sinew_diagnostics *d, const char *file);
token sn_lex_next(lexer *lx);

/* ---- syntax tree ---- */
enum { ARG_IDENT = 1, ARG_STRING, ARG_NUMBER, ARG_LIST };

typedef struct ast_arg {
    int kind;
    const char *text;
    const char *label;         /* `name:` before a named argument, or NULL */
    const char **items;        /* ARG_LIST */
    size_t nitems;
    int line, col;
} ast_arg;

typedef struct ast_attr {
    const char *name;
    int model_level;           /* @@ */
    ast_arg *args;
    size_t nargs;
    int has_parens;
    int line, col;
} ast_attr;

typedef struct ast_field {
    const char *name;
    const char *type;
    int list, optional;
    ast_attr *attrs;
    size_t nattrs;
    const char *doc;
    int line, col, type_line, type_col;
    /* `target Post | Comment`: a polymorphic relation; alts[0] is `type`. nalts is 0 otherwise */
    const char **alts;
    int *alt_line, *alt_col;
    size_t nalts;
} ast_field;

typedef struct ast_model {
    const char *name;
    ast_field *fields;
    size_t nfields;
    ast_attr *attrs;
    size_t nattrs;
    const char *doc;
    int line, col;
    int kw_line, end_line;     /* the `model` keyword's line, the closing brace's line */
} ast_model;

typedef struct ast_enum {
    const char *name;
    const char **values;
    int *vline, *vcol;
    size_t nvalues;
    const char *doc;
    int line, col;
    int kw_line, end_line;
} ast_enum;

typedef struct ast_file {
    ast_model *models;
    size_t nmodels;
    ast_enum *enums;
    size_t nenums;
} ast_file;

/* syntax only: errors go to diags; returns the number of errors */
int sn_parse_syntax(lexer *lx, ast_file *out);
/* names, types, relations, validation: builds the graph in `a`; returns the number of errors */
int sn_resolve(const ast_file *f, sn_arena *a, sinew_diagnostics *d, const char *file, const char *name,
               sinew_schema **out);

/* fields[0..n) lead the primary key, a one-field @unique/@index, or one of ix[0..nix):
 * an index over them would add nothing (the rule for a to-one's automatic index) */
int sn_index_led(const sinew_model *m, const sinew_index *ix, size_t nix, const unsigned *fields, size_t n);

/* ---- printing (printer.c), with the comments of a source file (format.c) ---- */
typedef struct sn_comment_map sn_comment_map;
/* the comments anchored at `key`: leading ones on their own lines (indented), or the trailing one */
void sn_comments_leading(const sn_comment_map *c, sn_buf *b, const char *key, const char *indent);
void sn_comments_trailing(const sn_comment_map *c, sn_buf *b, const char *key);
int sn_schema_render(const sinew_schema *s, const sn_comment_map *c, sn_buf *b);

/* ---- conventions (names.c, shared with the code generator) ---- */
#include "names.h"
/* names -> int in an arena (nameidx.c); a zeroed struct is an empty table */
typedef struct sn_nameidx {
    const char **keys;
    int *vals;
    uint64_t *hashes;
    size_t cap, n;
} sn_nameidx;
int sn_nameidx_get(const sn_nameidx *x, const char *key);                 /* -1 when absent */
int sn_nameidx_add(sn_nameidx *x, sn_arena *a, const char *key, int val); /* the value already there, or -1 (added) */

void *sn_vec_push(sn_arena *a, void *items, size_t *n, size_t *cap, size_t elem);

#endif
