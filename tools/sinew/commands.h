/*
 * commands.h - the subcommands of the `sinew` tool. Each lives in its own
 * file (cmd_<name>.c) and has this signature: argv[0] is the subcommand's
 * name; it returns an exit code (0 ok, 1 user error, 2 internal error) and
 * prints its own diagnostics to stderr.
 */
#ifndef SINEW_TOOL_COMMANDS_H
#define SINEW_TOOL_COMMANDS_H

#include <stdio.h>

enum { EXIT_OK = 0, EXIT_USER = 1, EXIT_INTERNAL = 2 };

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
int sinew_tool_usage_error(const sinew_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
