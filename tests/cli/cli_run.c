/*
 * cli_run.c - see cli_run.h. SINEW_CLI (the built binary's path) is given
 * by the test's CMake target.
 */
#include "cli_run.h"
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "support.h"

char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return strdup("");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *t = malloc((size_t)n + 1);
    size_t got = fread(t, 1, (size_t)n, f);
    t[got] = 0;
    fclose(f);
    return t;
}

result run_argv(const char *const *argv)
{
    char outp[600], errp[600];
    snprintf(outp, sizeof outp, "%s/cli.out", th_tmpdir());
    snprintf(errp, sizeof errp, "%s/cli.err", th_tmpdir());
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int o = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644), e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (o < 0 || e < 0) _exit(127);
        dup2(o, 1);
        dup2(e, 2);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    int st;
    assert_true(waitpid(pid, &st, 0) == pid);
    result r = {WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), slurp(outp), slurp(errp)};
    return r;
}

result sinew_run(const char *first, ...)
{
    const char *argv[32];
    int n = 0;
    const char *cli = getenv("SINEW_TEST_CLI") && *getenv("SINEW_TEST_CLI") ? getenv("SINEW_TEST_CLI") : SINEW_CLI;
    argv[n++] = cli;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && n < 31; a = va_arg(ap, const char *)) argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    return run_argv(argv);
}

void result_free(result *r)
{
    free(r->out);
    free(r->err);
}
