/*
 * schema_io.c - reads a .sinew file into a graph for `migrate make` and
 * `migrate check`, through the schema-language parser (sinew/parse.h).
 */
#include "migrate/files.h"
#if defined(__has_include)
#if __has_include("sinew/parse.h")
#define SN_HAVE_PARSER 1
#include "sinew/parse.h"
#endif
#endif

int sn_mig_load_schema(const char *path, sinew_schema **out)
{
    *out = NULL;
#ifdef SN_HAVE_PARSER
    return sinew_schema_parse_file(out, path, NULL);
#else
    return sinew_error_set(SINEW_UNSUPPORTED, "cannot read %s: this build has no schema parser", path);
#endif
}
