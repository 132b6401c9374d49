/*
 * cmd_generate.c - `sinew generate SCHEMA -o DIR` (C code), `sinew check
 * SCHEMA` (diagnostics only) and `sinew format SCHEMA` (canonical text).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "commands.h"
#include "sinew/sinew.h"

extern const sinew_command sinew_cmd_generate, sinew_cmd_check, sinew_cmd_format;

/* parse with diagnostics printed; EXIT_OK with *out set, or the exit code */
static int load(const char *path, sinew_schema **out)
{
    sinew_diagnostics *d;
    if (sinew_diagnostics_new(&d)) return EXIT_INTERNAL;
    int rc = sinew_schema_parse_file(path, d, out);
    sinew_diagnostics_print(d, stderr);
    size_t errors = sinew_diagnostics_errors(d);
    sinew_diagnostics_free(d);
    if (rc == SINEW_OK) return EXIT_OK;
    if (rc == SINEW_NOMEM) {
        fprintf(stderr, "sinew: %s\n", sinew_errmsg());
        return EXIT_INTERNAL;
    }
    if (!errors) fprintf(stderr, "sinew: error: %s\n", sinew_errmsg());
    else fprintf(stderr, "%zu error%s\n", errors, errors == 1 ? "" : "s");
    return EXIT_USER;
}

static int mkdir_p(const char *dir)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0777) && errno != EEXIST) return -1;
            *p = '/';
        }
    return mkdir(buf, 0777) && errno != EEXIST ? -1 : 0;
}

/* write to NAME.tmp then rename: an interrupted run never leaves half a file */
static FILE *open_tmp(const char *path, char *tmp, size_t cap)
{
    snprintf(tmp, cap, "%s.tmp", path);
    return fopen(tmp, "w");
}

static int run_generate(int argc, char **argv)
{
    const char *schema = NULL, *dir = NULL, *name = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc) dir = argv[++i];
        else if (!strcmp(argv[i], "--name") && i + 1 < argc) name = argv[++i];
        else if (argv[i][0] != '-' && !schema) schema = argv[i];
        else return sinew_tool_usage_error(&sinew_cmd_generate, "unexpected argument '%s'", argv[i]);
    }
    if (!schema) return sinew_tool_usage_error(&sinew_cmd_generate, "give the schema file");
    if (!dir) dir = ".";
    sinew_schema *s;
    int rc = load(schema, &s);
    if (rc) return rc;
    if (name) s->name = name;
    if (mkdir_p(dir)) {
        fprintf(stderr, "sinew generate: error: cannot create directory %s: %s\n", dir, strerror(errno));
        sinew_schema_free(s);
        return EXIT_USER;
    }
    char hpath[4200], cpath[4200], htmp[4300], ctmp[4300], hname[300];
    snprintf(hname, sizeof hname, "%s.h", s->name);
    snprintf(hpath, sizeof hpath, "%s/%s.h", dir, s->name);
    snprintf(cpath, sizeof cpath, "%s/%s.c", dir, s->name);
    FILE *h = open_tmp(hpath, htmp, sizeof htmp), *c = open_tmp(cpath, ctmp, sizeof ctmp);
    if (!h || !c) {
        fprintf(stderr, "sinew generate: error: cannot write in %s: %s\n", dir, strerror(errno));
        if (h) fclose(h), remove(htmp);
        if (c) fclose(c), remove(ctmp);
        sinew_schema_free(s);
        return EXIT_USER;
    }
    const char *base = strrchr(schema, '/');
    sinew_codegen_opts o = {hname, base ? base + 1 : schema};
    int gr = sinew_codegen(s, &o, h, c);
    int ferr = fclose(h) | fclose(c);
    if (gr || ferr) {
        fprintf(stderr, "sinew generate: error: %s\n", gr ? sinew_errmsg() : "writing the output failed");
        remove(htmp);
        remove(ctmp);
        sinew_schema_free(s);
        return gr == SINEW_INVALID ? EXIT_USER : EXIT_INTERNAL;
    }
    if (rename(htmp, hpath) || rename(ctmp, cpath)) {
        fprintf(stderr, "sinew generate: error: cannot rename the output into place: %s\n", strerror(errno));
        sinew_schema_free(s);
        return EXIT_INTERNAL;
    }
    sinew_schema_free(s);
    return EXIT_OK;
}

static int run_check(int argc, char **argv)
{
    if (argc != 2) return sinew_tool_usage_error(&sinew_cmd_check, "give one schema file");
    sinew_schema *s;
    int rc = load(argv[1], &s);
    if (rc) return rc;
    size_t models = 0;
    for (size_t i = 0; i < s->nmodels; i++) models += !(s->models[i]->flags & SINEW_MODEL_JOIN);
    printf("%s: ok (%zu models, %zu enums)\n", argv[1], models, s->nenums);
    sinew_schema_free(s);
    return EXIT_OK;
}

static int run_format(int argc, char **argv)
{
    int write = 0;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-w")) write = 1;
        else if (!path) path = argv[i];
        else return sinew_tool_usage_error(&sinew_cmd_format, "unexpected argument '%s'", argv[i]);
    }
    if (!path) return sinew_tool_usage_error(&sinew_cmd_format, "give one schema file");
    sinew_schema *s;
    int rc = load(path, &s);   /* the diagnostics, printed */
    if (rc) return rc;
    sinew_schema_free(s);
    /* the file again, for its comments: format keeps every one */
    FILE *in = fopen(path, "rb");
    char *src = NULL;
    size_t len = 0, cap = 0;
    if (in) {
        char chunk[8192];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, in)) > 0) {
            if (len + n + 1 > cap) {
                cap = (len + n + 1) * 2;
                char *p = realloc(src, cap);
                if (!p) break;
                src = p;
            }
            memcpy(src + len, chunk, n);
            len += n;
        }
        fclose(in);
    }
    char *text = NULL;
    if (!in || !src || sinew_schema_format(path, src, len, NULL, &text)) {
        fprintf(stderr, "sinew format: error: %s\n", in ? sinew_errmsg() : strerror(errno));
        free(src);
        return EXIT_INTERNAL;
    }
    free(src);
    if (write) {
        char tmp[4300];
        FILE *f = open_tmp(path, tmp, sizeof tmp);
        if (!f || fputs(text, f) < 0 || fclose(f) || rename(tmp, path)) {
            fprintf(stderr, "sinew format: error: cannot rewrite %s: %s\n", path, strerror(errno));
            rc = EXIT_USER;
        }
    } else {
        fputs(text, stdout);
    }
    sinew_free(text);
    return rc;
}

const sinew_command sinew_cmd_generate = {
    "generate", "generate C structs, descriptors and typed functions from a schema file",
    "usage: sinew generate SCHEMA.sinew [-o DIR] [--name NAME]\n\n"
    "Writes DIR/NAME.h and DIR/NAME.c (NAME defaults to the schema file's base name): one struct per\n"
    "model, column and relation constants, typed functions (new, get, get_by_<unique>, save, delete,\n"
    "count, query, all, first, one, relation accessors) and the static descriptor tables. The output\n"
    "is deterministic and compiles warning-free as C11. Schema errors are printed as\n"
    "file:line:col: error: ... and nothing is written.\n",
    run_generate,
};

const sinew_command sinew_cmd_check = {
    "check", "check a schema file and print its diagnostics",
    "usage: sinew check SCHEMA.sinew\n\nReports every error of the file (exit 1), or prints ok (exit 0).\n",
    run_check,
};

const sinew_command sinew_cmd_format = {
    "format", "print a schema file in canonical form (-w rewrites it)",
    "usage: sinew format [-w] SCHEMA.sinew\n\nPrints the canonical text of the schema, keeping every // comment with its declaration;\n"
    "with -w, rewrites the file.\n",
    run_format,
};
