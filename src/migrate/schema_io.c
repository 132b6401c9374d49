/*
 * schema_io.c - reads a .sinew file into a graph for `migrate make` and
 * `migrate check`, through the schema-language parser (sinew/parse.h).
 */
#include <string.h>
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
    return sinew_schema_parse_file(path, NULL, out);
#else
    return sinew_error_set(SINEW_UNSUPPORTED, "cannot read %s: this build has no schema parser", path);
#endif
}

int sn_mig_load_snapshot(const char *path, sinew_schema **out)
{
    int rc = sn_mig_load_schema(path, out);
    if (rc) return rc;
    char *text = NULL;
    rc = sn_read_file(path, &text);
    if (rc) {
        sinew_schema_free(*out);
        *out = NULL;
        return rc;
    }
    int current = strncmp(text, SN_SNAPSHOT_MARK, strlen(SN_SNAPSHOT_MARK)) == 0;
    sn_free(text);
    if (current) return SINEW_OK;
    for (size_t i = 0; i < (*out)->nmodels; i++) {
        sinew_model *m = (sinew_model *)(*out)->models[i];   /* the graph is ours: its arena */
        sinew_index *ix = (sinew_index *)m->indexes;
        size_t keep = 0;
        for (size_t x = 0; x < m->nindexes; x++)
            if (!ix[x].automatic) ix[keep++] = ix[x];
        m->nindexes = keep;
    }
    return SINEW_OK;
}
