/*
 * cmd_db.c - `sinew db pull --db URL [-o FILE]`: introspect a live database
 * and print it as a schema file (relations and inverses inferred from
 * foreign keys; original table and column names kept through @@map / @map
 * by the printer).
 */
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "sinew/migrate.h"
#include "sinew/sinew.h"
#if defined(__has_include)
#if __has_include("sinew/parse.h")
#define SN_HAVE_PRINTER 1
#include "sinew/parse.h"
#endif
#endif

extern const sinew_command sinew_cmd_db;

static int run(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "pull") != 0)
        return sinew_tool_usage_error(&sinew_cmd_db, "the only subcommand is pull");
    const char *url = NULL, *outp = NULL;
    const char *schemas[64];
    size_t nschemas = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--db") && i + 1 < argc) url = argv[++i];
        else if (!strcmp(argv[i], "--schema") && i + 1 < argc) {
            if (nschemas == sizeof schemas / sizeof schemas[0])
                return sinew_tool_usage_error(&sinew_cmd_db, "at most 64 --schema options");
            schemas[nschemas++] = argv[++i];
        }
        else if (!strcmp(argv[i], "-o") && i + 1 < argc) outp = argv[++i];
        else return sinew_tool_usage_error(&sinew_cmd_db, "unexpected argument '%s'", argv[i]);
    }
    if (!url) return sinew_tool_usage_error(&sinew_cmd_db, "pull needs --db URL");
    sinew_db *db;
    sinew_schema *s;
    if (sinew_tool_open(&db, url, 0)) {
        fprintf(stderr, "sinew db pull: error: %s\n", sinew_errmsg());
        return EXIT_USER;
    }
    if (sinew_introspect_schemas(db, schemas, nschemas, &s)) {
        fprintf(stderr, "sinew db pull: error: %s\n", sinew_errmsg());
        sinew_close(db);
        return EXIT_USER;
    }
    sinew_close(db);
    /* such a name could only reach the schema file escaped, and the schema checker refuses it there */
    if (sinew_tool_report_bad_names(s, "db pull", stderr)) {
        fprintf(stderr, "sinew db pull: nothing was written\n");
        sinew_schema_free(s);
        return EXIT_USER;
    }
    /* every lossy mapping, one warning each (also kept as a /// db pull: comment in the file) */
    const char *notes = sinew_introspect_notes(s);
    size_t nnotes = 0;
    for (const char *p = notes; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        fprintf(stderr, "sinew db pull: warning: %.*s\n", (int)len, p);
        nnotes++;
        p += len + (e ? 1 : 0);
    }
    if (nnotes)
        fprintf(stderr, "sinew db pull: %zu thing%s the schema file does not fully describe (see docs/migrations.md, "
                "\"Adopting sinew on an existing database\")\n", nnotes, nnotes == 1 ? "" : "s");
    int rc = EXIT_OK;
#ifdef SN_HAVE_PRINTER
    FILE *f = outp ? fopen(outp, "w") : stdout;
    if (!f) {
        fprintf(stderr, "sinew db pull: error: cannot write %s\n", outp);
        rc = EXIT_USER;
    } else {
        if (sinew_schema_print(s, f) != SINEW_OK) {
            fprintf(stderr, "sinew db pull: error: %s\n", sinew_errmsg());
            rc = EXIT_INTERNAL;
        }
        if (outp) fclose(f);
    }
#else
    (void)outp;
    fprintf(stderr, "sinew db pull: error: this build has no schema printer\n");
    rc = EXIT_INTERNAL;
#endif
    sinew_schema_free(s);
    return rc;
}

const sinew_command sinew_cmd_db = {
    "db",
    "read a live database: db pull writes its schema file",
    "usage: sinew db pull --db URL [--schema NAME]... [-o schema.sinew]\n\n"
    "Introspects the database (SQLite: open read-only with sqlite:/path?mode=ro) and prints a schema\n"
    "file: models for tables, relations and their inverses from foreign keys, @@map/@map where the\n"
    "original names differ from sinew's conventions. Output is deterministic. Prints one warning per\n"
    "thing the file cannot fully describe (also kept as /// db pull: comments).\n"
    "PostgreSQL: the schemas of the search path (usually public), or those named by --schema (several\n"
    "allowed); the program must then connect with that search path (URL ?options=-csearch_path=app).\n",
    run,
};
