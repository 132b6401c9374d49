/*
 * cmd_diagram.c - `sinew diagram`: draw a schema file, a live database, or
 * the schema against the live database (drift view).
 */
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "sinew/sinew.h"
#if defined(__has_include)
#if __has_include("sinew/parse.h")
#define SN_HAVE_PARSER 1
#include "sinew/parse.h"
#endif
#endif

extern const sinew_command sinew_cmd_diagram;

static int load_schema(const char *path, sinew_schema **out)
{
#ifdef SN_HAVE_PARSER
    sinew_diagnostics *d = NULL;
    if (sinew_diagnostics_new(&d)) return EXIT_INTERNAL;
    int rc = sinew_schema_parse_file(path, d, out);
    if (rc) sinew_diagnostics_print(d, stderr);
    sinew_diagnostics_free(d);
    return rc ? EXIT_USER : EXIT_OK;
#else
    (void)out;
    fprintf(stderr, "sinew diagram: error: cannot read %s: this build has no schema parser; use --db URL\n", path);
    return EXIT_INTERNAL;
#endif
}

static int run(int argc, char **argv)
{
    const char *schema_path = NULL, *url = NULL, *outp = NULL, *fmt_name = NULL;
    int fold = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--db") && i + 1 < argc) url = argv[++i];
        else if (!strcmp(argv[i], "-o") && i + 1 < argc) outp = argv[++i];
        else if ((!strcmp(argv[i], "-f") || !strcmp(argv[i], "--format")) && i + 1 < argc) fmt_name = argv[++i];
        else if (!strcmp(argv[i], "--fold-join-tables")) fold = 1;
        else if (argv[i][0] != '-' && !schema_path) schema_path = argv[i];
        else return sinew_tool_usage_error(&sinew_cmd_diagram, "unexpected argument '%s'", argv[i]);
    }
    if (!schema_path && !url) return sinew_tool_usage_error(&sinew_cmd_diagram, "give a schema file, --db URL, or both");
    if (!fmt_name && outp) {   /* from the file name */
        const char *dot = strrchr(outp, '.');
        fmt_name = dot ? dot + 1 : NULL;
    }
    sinew_diagram_format fmt = sinew_diagram_format_parse(fmt_name ? fmt_name : "mermaid");
    if (!fmt)
        return sinew_tool_usage_error(&sinew_cmd_diagram, "unknown format '%s' (mermaid, dot, svg, png)", fmt_name);
    sinew_schema *schema = NULL, *live = NULL;
    int rc = EXIT_OK;
    const sinew_dialect *dialect = NULL;
    if (schema_path && (rc = load_schema(schema_path, &schema))) return rc;
#ifdef SINEW_NO_DRIVERS
    if (url) {   /* built with SINEW_DRIVERS=OFF: no driver to read a database with */
        fprintf(stderr, "sinew diagram: error: --db needs a database driver, and this sinew was built "
                        "without them (SINEW_DRIVERS=OFF); draw the schema file instead\n");
        sinew_schema_free(schema);
        return EXIT_USER;
    }
#else
    if (url) {
        sinew_db *db;
        if (sinew_tool_open(&db, url, 0) || sinew_introspect_like(db, schema, &live)) {
            fprintf(stderr, "sinew diagram: error: %s\n", sinew_errmsg());
            sinew_close(db);
            sinew_schema_free(schema);
            return EXIT_USER;
        }
        dialect = sinew_db_dialect(db);   /* static data of the driver: outlives the connection */
        sinew_close(db);
    }
#endif
    sinew_diagram_opts o = {fold, schema ? live : NULL, dialect, NULL};
    FILE *f = outp ? fopen(outp, "wb") : stdout;
    if (!f) {
        fprintf(stderr, "sinew diagram: error: cannot write %s\n", outp);
        rc = EXIT_USER;
    } else {
        if (sinew_diagram_ex(schema ? schema : live, &o, fmt, f)) {
            fprintf(stderr, "sinew diagram: error: %s\n", sinew_errmsg());
            rc = sinew_last_error()->status == SINEW_UNSUPPORTED ? EXIT_USER : EXIT_INTERNAL;
        }
        if (outp) fclose(f);
    }
    sinew_schema_free(schema);
    sinew_schema_free(live);
    return rc;
}

const sinew_command sinew_cmd_diagram = {
    "diagram", "draw the schema, a live database, or their drift as an ER diagram",
    "usage: sinew diagram [SCHEMA.sinew] [--db URL] [-f mermaid|dot|svg|png] [-o FILE] [--fold-join-tables]\n\n"
    "  SCHEMA.sinew        draw the schema file\n"
    "  --db URL            draw the live database; with a schema file too, draw the schema and mark\n"
    "                      what differs from the database (drift view, with a legend)\n"
    "  -f, --format        mermaid (default; for READMEs), dot, svg or png (svg/png need Graphviz)\n"
    "  -o FILE             write to FILE (the format follows its extension when -f is absent)\n"
    "  --fold-join-tables  draw many-to-many relations as one M-N edge\n",
    run,
};
