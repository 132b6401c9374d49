/*
 * sinew/parse.h - the schema language: parsing .sinew text into the schema
 * graph (with validation and compiler-style diagnostics), and printing a
 * graph back as canonical .sinew text. The language is specified in
 * docs/schema.md.
 *
 *   sinew_diagnostics *d;
 *   sinew_diagnostics_new(&d);
 *   sinew_schema *s;
 *   if (sinew_schema_parse_file("blog.sinew", d, &s) != SINEW_OK)
 *       sinew_diagnostics_print(d, stderr);   // blog.sinew:12:9: error: unknown type 'strng'; ...
 *   sinew_diagnostics_free(d);
 */
#ifndef SINEW_PARSE_H
#define SINEW_PARSE_H

#include "export.h"

#include <stddef.h>
#include <stdio.h>
#include "schema.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sinew_diag_severity { SINEW_DIAG_ERROR = 1, SINEW_DIAG_WARNING, SINEW_DIAG_NOTE } sinew_diag_severity;

typedef struct sinew_diag {
    sinew_diag_severity severity;
    const char *file;
    int line;                 /* 1-based */
    int col;                  /* 1-based, in bytes */
    const char *message;
} sinew_diag;

typedef struct sinew_diagnostics sinew_diagnostics;

SINEW_API int sinew_diagnostics_new(sinew_diagnostics **out);
SINEW_API void sinew_diagnostics_free(sinew_diagnostics *d);                 /* NULL is a no-op */
SINEW_API size_t sinew_diagnostics_count(const sinew_diagnostics *d);
SINEW_API size_t sinew_diagnostics_errors(const sinew_diagnostics *d);
SINEW_API const sinew_diag *sinew_diagnostics_get(const sinew_diagnostics *d, size_t i);
/* Every diagnostic as `file:line:col: error: message`, then the source line and a caret. */
SINEW_API void sinew_diagnostics_print(const sinew_diagnostics *d, FILE *out);

/*
 * Parse and validate. On any error: SINEW_INVALID, *out = NULL, and every
 * error of the file in `diags` (when diags is NULL the first error is in
 * sinew_errmsg()). The graph belongs to the caller: sinew_schema_free().
 * The schema's name is the file's base name without extension.
 */
SINEW_API int sinew_schema_parse(const char *filename, const char *text, size_t len, sinew_diagnostics *diags,
                       sinew_schema **out);
SINEW_API int sinew_schema_parse_file(const char *path, sinew_diagnostics *diags, sinew_schema **out);

/* Canonical .sinew text: parse -> print -> parse gives the same graph; printing is idempotent. */
SINEW_API int sinew_schema_print(const sinew_schema *schema, FILE *out);
SINEW_API int sinew_schema_to_string(const sinew_schema *schema, char **out);   /* free with sinew_free() */
/*
 * `sinew format`: the canonical text of a schema file, keeping its `//`
 * comments with the declaration each belongs to (a comment after code on
 * its line stays at the end of that line; one on its own line stays above
 * the next declaration; one before a closing brace stays there; the file's
 * header, separated by a blank line, stays at the top; the rest at the end).
 * Parsing the result gives the same graph, and formatting it again gives the
 * same text. Errors of the file: as sinew_schema_parse(). *out: sinew_free().
 */
SINEW_API int sinew_schema_format(const char *filename, const char *text, size_t len, sinew_diagnostics *diags, char **out);

/* Free memory sinew handed to the caller. */
SINEW_API void sinew_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
