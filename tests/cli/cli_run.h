/*
 * cli_run.h - running the built `sinew` binary (or any program) as a user
 * would, no shell in between, and reading back what it printed; shared by
 * the CLI tests (test_cli.c, test_adopt.c).
 */
#ifndef SINEW_TEST_CLI_RUN_H
#define SINEW_TEST_CLI_RUN_H

typedef struct result {
    int code;            /* the exit code, or 128 + the signal that ended it */
    char *out, *err;     /* what it wrote to stdout and stderr (malloc'd, NUL-terminated) */
} result;

/* The whole file as a malloc'd string; "" when it cannot be read. */
char *slurp(const char *path);
/* Run argv[0] (found on PATH unless it has a slash) with argv, NULL-terminated; its output goes
 * through files in th_tmpdir(). */
result run_argv(const char *const *argv);
/* Run the sinew binary (SINEW_TEST_CLI when set, to run another build of it; else the one built)
 * with these arguments, NULL-terminated. */
result sinew_run(const char *first, ...);
void result_free(result *r);

#endif
