/*
 * cmd_db.c - `sinew db pull --db URL [-o FILE]`: introspect a live database
 * and print it as a schema file (relations and inverses inferred from
 * foreign keys; original table and column names kept through @@map / @map
 * by the printer). With --check the file is read back and compared with
 * the database by the drift engine.
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

#ifdef SN_HAVE_PRINTER
/*
 * --check: the schema file, read back, against the database it came from,
 * through the drift engine `migrate check` uses. Whatever the file cannot say
 * is a difference, reported before code is generated from the file; the file
 * is written either way. Returns the exit status.
 */
static int check_round_trip(const sinew_schema *live, const sinew_dialect *dialect)
{
    char *text = NULL, *report = NULL;
    sinew_schema *back = NULL;
    size_t n = 0;
    int rc = sinew_schema_to_string(live, &text);
    if (!rc) rc = sinew_schema_parse("pulled.sinew", text, strlen(text), NULL, &back);
    if (!rc) rc = sinew_schema_drift(back, live, dialect, &report, &n);
    int status = EXIT_OK;
    if (rc) {
        fprintf(stderr, "sinew db pull: error: could not read the schema file back to compare it with the "
                        "database: %s\n", sinew_errmsg());
        status = EXIT_INTERNAL;
    } else if (!n) {
        fprintf(stderr, "sinew db pull: the schema file describes the database exactly (no drift)\n");
    } else {
        status = EXIT_USER;
        fprintf(stderr, "sinew db pull: error: the schema file differs from the database in %zu place%s "
                        "(as `sinew migrate check` would report it):\n", n, n == 1 ? "" : "s");
        for (const char *l = report; *l;) {
            const char *e = strchr(l, '\n');
            int len = e ? (int)(e - l) : (int)strlen(l);
            fprintf(stderr, "  %.*s\n", len, l);
            l += len + (e != NULL);
        }
    }
    sinew_migrate_free(report);
    sinew_schema_free(back);
    sinew_free(text);
    return status;
}
#endif

static int run(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "pull") != 0)
        return sinew_tool_usage_error(&sinew_cmd_db, "the only subcommand is pull");
    const char *url = NULL, *outp = NULL;
    int check = 0;
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
        else if (!strcmp(argv[i], "--check")) check = 1;
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
    const sinew_dialect *dialect = sinew_db_dialect(db);   /* the driver's: outlives the connection */
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
        if (rc == EXIT_OK && check) rc = check_round_trip(s, dialect);
    }
#else
    (void)outp;
    (void)dialect;
    (void)check;
    fprintf(stderr, "sinew db pull: error: this build has no schema printer\n");
    rc = EXIT_INTERNAL;
#endif
    sinew_schema_free(s);
    return rc;
}

const sinew_command sinew_cmd_db = {
    "db",
    "read a live database: db pull writes its schema file",
    "usage: sinew db pull --db URL [--schema NAME]... [-o schema.sinew] [--check]\n\n"
    "Introspects the database (SQLite: open read-only with sqlite:/path?mode=ro) and prints a schema\n"
    "file: models for tables, relations and their inverses from foreign keys, @@map/@map where the\n"
    "original names differ from sinew's conventions. Output is deterministic. Prints one warning per\n"
    "thing the file cannot fully describe (also kept as /// db pull: comments).\n"
    "PostgreSQL: the schemas of the search path (usually public), or those named by --schema (several\n"
    "allowed), each model of those with @@schema(\"name\") so sinew's SQL names its table \"name\".\"table\"\n"
    "(tables of the same name in two schemas are two models).\n"
    "--check reads the file back and compares it with the database by the rules of `migrate check`\n"
    "(exit 1 when the file does not describe the database exactly; the file is written anyway).\n",
    run,
};
