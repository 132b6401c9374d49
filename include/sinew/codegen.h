/*
 * sinew/codegen.h - C code generation from a schema graph: one header with
 * a plain struct per model, column and relation constants and typed
 * functions, and one source with the static descriptor tables (the same
 * graph types the runtime walks). Output is deterministic: the same graph
 * gives byte-identical files.
 */
#ifndef SINEW_CODEGEN_H
#define SINEW_CODEGEN_H

#include "export.h"

#include <stdio.h>
#include "schema.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sinew_codegen_opts {
    const char *header_name;      /* how the source includes the header, e.g. "blog.h" */
    const char *source_name;      /* the schema file, named in the banner (no path), or NULL */
} sinew_codegen_opts;

/*
 * Write the header and the source for `schema`. Names that cannot become C
 * identifiers, or generated names that collide, fail with SINEW_INVALID and
 * a message naming them; nothing useful is written then.
 */
SINEW_API int sinew_codegen(const sinew_schema *schema, const sinew_codegen_opts *opts, FILE *header, FILE *source);

/* snake_case of a name ("PlaylistTrack" -> "playlist_track"), into buf. */
SINEW_API void sinew_snake_case(const char *name, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
