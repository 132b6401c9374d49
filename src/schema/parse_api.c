/*
 * parse_api.c - sinew_schema_parse(): lex and parse the text, resolve it
 * into a graph in its own arena, and hand the graph over only when the file
 * has no error at all.
 */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include "lang.h"

static const char *base_name(sn_arena *a, const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    const char *dot = strrchr(b, '.');
    size_t n = dot && dot != b ? (size_t)(dot - b) : strlen(b);
    char *s = sn_arena_strndup(a, b, n);
    for (char *p = s; p && *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))) *p = '_';
    return s;
}

/*
 * Lex, parse and resolve inside arena `a`. Every allocation of the parse is
 * in `a`; running out longjmps back here and the whole parse is dropped.
 * Returns the number of errors, or -1 when out of memory.
 */
static int parse_in(sn_arena *a, const char *filename, const char *text, size_t len, sinew_diagnostics *diags,
                    sinew_schema **out)
{
    jmp_buf oom;
    a->oom_jump = &oom;
    if (setjmp(oom)) return -1;
    lexer lx;
    sn_lex_init(&lx, text, len, a, diags, filename);
    ast_file af;
    int errors = sn_parse_syntax(&lx, &af);
    if (!errors && !a->failed) errors = sn_resolve(&af, a, diags, filename, base_name(a, filename), out);
    a->oom_jump = NULL;
    return a->failed ? -1 : errors;
}

int sinew_schema_parse(const char *filename, const char *text, size_t len, sinew_diagnostics *diags,
                       sinew_schema **out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_schema_parse: out is NULL");
    *out = NULL;
    if (!text) return sinew_error_set(SINEW_MISUSE, "sinew_schema_parse: text is NULL");
    const char *file = filename ? filename : "<schema>";
    size_t errors_before = sinew_diagnostics_errors(diags);
    if (sn_diag_source(diags, file, text, len)) return SINEW_NOMEM;
    sn_arena *a = sn_malloc(sizeof *a);
    if (!a) return sn_nomem();
    sn_arena_init(a, 16384);
    sinew_clear_error();
    sinew_schema *s = NULL;
    int errors = parse_in(a, file, text, len, diags, &s);
    if (errors != 0 || !s) {
        sn_arena_free(a);
        sn_free(a);
        if (errors < 0) return sn_nomem();
        if (sinew_diagnostics_errors(diags) == errors_before && sinew_last_error()->status == SINEW_OK)
            return sinew_error_set(SINEW_INVALID, "%s: the schema could not be read", file);
        return SINEW_INVALID;
    }
    s->owner = a;
    *out = s;
    return SINEW_OK;
}

int sinew_schema_parse_file(const char *path, sinew_diagnostics *diags, sinew_schema **out)
{
    if (!out || !path) return sinew_error_set(SINEW_MISUSE, "sinew_schema_parse_file: out and path must not be NULL");
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return sinew_error_set(SINEW_IOERR, "cannot open schema file '%s': check the path", path);
    sn_buf b;
    sn_buf_init(&b);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) sn_buf_append(&b, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        sn_buf_free(&b);
        return sinew_error_set(SINEW_IOERR, "cannot read schema file '%s'", path);
    }
    if (b.failed) {
        sn_buf_free(&b);
        return sn_nomem();
    }
    int rc = sinew_schema_parse(path, b.data ? b.data : "", b.len, diags, out);
    sn_buf_free(&b);
    return rc;
}
