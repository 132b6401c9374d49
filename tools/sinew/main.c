/*
 * main.c - the `sinew` command line: dispatches to subcommands
 * (generate, diagram, migrate, db, ...), prints help and the version.
 * Exit codes (commands.h): 0 success, 1 user error (bad input), 2 usage error,
 * 3 internal error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "sinew/sinew.h"

static const sinew_command *all_commands(size_t i)
{
    const sinew_command *table[] = {
        &sinew_cmd_generate, &sinew_cmd_format, &sinew_cmd_check, &sinew_cmd_diagram,
        &sinew_cmd_migrate, &sinew_cmd_db,
    };
    return i < sizeof table / sizeof table[0] ? table[i] : (const sinew_command *)-1;
}

static const sinew_command *find(const char *name)
{
    for (size_t i = 0;; i++) {
        const sinew_command *c = all_commands(i);
        if (c == (const sinew_command *)-1) return NULL;
        if (c && strcmp(c->name, name) == 0) return c;
    }
}

static void usage(FILE *out)
{
    fprintf(out, "usage: sinew <command> [options]\n\n"
                 "sinew turns a schema file into C structs and typed functions, keeps databases in step\n"
                 "with it through migrations, and draws it as an ER diagram.\n\ncommands:\n");
    for (size_t i = 0;; i++) {
        const sinew_command *c = all_commands(i);
        if (c == (const sinew_command *)-1) break;
        if (c) fprintf(out, "  %-10s %s\n", c->name, c->summary);
    }
    fprintf(out, "  %-10s %s\n", "help", "show help for a command: sinew help <command>");
    fprintf(out, "\noptions:\n  -h, --help     this help\n  -V, --version  print the version\n"
                 "\nexit codes: 0 success, 1 error (bad input, drift, a failed migration), 2 usage error,\n"
                 "3 internal error\n");
}

int sinew_tool_usage_error(const sinew_command *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "sinew %s: error: ", cmd->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n%s", cmd->usage);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *a = argv[1];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
        usage(stdout);
        return EXIT_OK;
    }
    if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
        printf("sinew %s\n", SINEW_VERSION);
        return EXIT_OK;
    }
    if (!strcmp(a, "help")) {
        if (argc < 3) {
            usage(stdout);
            return EXIT_OK;
        }
        const sinew_command *c = find(argv[2]);
        if (!c) {
            fprintf(stderr, "sinew: unknown command '%s'; run 'sinew --help' for the list\n", argv[2]);
            return EXIT_USAGE;
        }
        fputs(c->usage, stdout);
        return EXIT_OK;
    }
    const sinew_command *c = find(a);
    if (!c) {
        fprintf(stderr, "sinew: unknown command '%s'; run 'sinew --help' for the list\n", a);
        return EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(c->usage, stdout);
            return EXIT_OK;
        }
    return c->run(argc - 1, argv + 1);
}
