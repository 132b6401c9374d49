/*
 * commands.h - the subcommands of the `sinew` tool. Each lives in its own
 * file (cmd_<name>.c) and has this signature: argv[0] is the subcommand's
 * name; it returns an exit code and prints its own diagnostics to stderr.
 */
#ifndef SINEW_TOOL_COMMANDS_H
#define SINEW_TOOL_COMMANDS_H

#include <stdio.h>
#include "sinew/sinew.h"

/*
 * Exit codes: 0 success; 1 an error in the input or the database (a bad
 * schema, drift, a failed migration); 2 a usage error (unknown option, a
 * bad value such as `--to abc`), reported before anything is touched;
 * 3 an internal error (out of memory, a bug).
 */
enum { EXIT_OK = 0, EXIT_USER = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

typedef struct sinew_command {
    const char *name;
    const char *summary;                       /* one line for `sinew --help` */
    const char *usage;                         /* full help for `sinew help NAME` */
    int (*run)(int argc, char **argv);
} sinew_command;

/*
 * Commands register themselves by defining one of these symbols; they are
 * declared weak so the tool builds while a command is not written yet, and
 * `sinew --help` lists only the ones present.
 */
extern const sinew_command sinew_cmd_generate __attribute__((weak));
extern const sinew_command sinew_cmd_format __attribute__((weak));
extern const sinew_command sinew_cmd_check __attribute__((weak));
extern const sinew_command sinew_cmd_diagram __attribute__((weak));
extern const sinew_command sinew_cmd_migrate __attribute__((weak));
extern const sinew_command sinew_cmd_db __attribute__((weak));

/* Shared helpers for commands. */
/* Print "sinew CMD: error: ..." and the command's usage; returns EXIT_USAGE. */
int sinew_tool_usage_error(const sinew_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A whole decimal number in [min, max] (digits only); 0, or -1 when text is anything else. */
int sinew_tool_parse_number(const char *text, int min, int max, int *out);
/*
 * sinew_open(), except that unless may_create an SQLite file must exist
 * already (commands that only read must not leave an empty database behind).
 */
int sinew_tool_open(sinew_db **db, const char *url, int may_create);
/* Report every table, column, index or enum name with a control character; returns how many. */
size_t sinew_tool_report_bad_names(const sinew_schema *s, const char *cmd, FILE *err);

#endif
