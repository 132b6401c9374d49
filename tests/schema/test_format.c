/*
 * `sinew format` keeps comments (issue 17, item 8). For every schema file of
 * the repository and for tests/schemas/comments.sinew (a comment in every
 * place: file header, before and after enums, models, fields, values and
 * attributes, before closing braces, at the end of the file):
 * sinew_schema_format() keeps every `//` comment, in order; its text parses
 * to the same graph as the original (parse -> print -> parse is the
 * identity); formatting it again changes nothing. comments.sinew formats to
 * exactly tests/schema/comments.formatted.sinew. And the built `sinew format
 * -w` rewrites a file with its comments in place.
 */
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    size_t got = fread(p, 1, (size_t)n, f);
    p[got] = '\0';
    fclose(f);
    if (len) *len = got;
    return p;
}

static char *canonical(const char *name, const char *text)
{
    sinew_schema *s;
    th_ok(sinew_schema_parse(name, text, strlen(text), NULL, &s));
    char *t;
    th_ok(sinew_schema_to_string(s, &t));
    sinew_schema_free(s);
    return t;
}

/* every `//` comment (not `///`) of src, in order, appears in out */
static void comments_kept(const char *src, const char *out)
{
    const char *p = src, *q = out;
    size_t n = 0;
    while ((p = strstr(p, "//")) != NULL) {
        if (p[2] == '/' && p[3] != '/') {   /* a /// doc line */
            p = strchr(p, '\n');
            if (!p) break;
            continue;
        }
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\r')) len--;
        char *c = strndup(p, len);
        const char *at = strstr(q, c);
        if (!at) fail_msg("comment lost: %s", c);
        q = at + len;
        free(c);
        n++;
        p += len;
    }
    (void)n;
}

static void check_file(const char *path)
{
    size_t len;
    char *src = slurp(path, &len);
    char *out = NULL;
    th_ok(sinew_schema_format(path, src, len, NULL, &out));
    comments_kept(src, out);
    char *a = canonical(path, src), *b = canonical("formatted.sinew", out);
    assert_string_equal(a, b);   /* the same graph */
    char *again = NULL;
    th_ok(sinew_schema_format("formatted.sinew", out, strlen(out), NULL, &again));
    assert_string_equal(again, out);   /* idempotent */
    sinew_free(a);
    sinew_free(b);
    sinew_free(again);
    sinew_free(out);
    free(src);
}

static void every_schema_keeps_its_comments(void **state)
{
    (void)state;
    static const char *const files[] = {"tests/schemas/blog.sinew", "tests/schemas/chinook.sinew",
                                        "tests/schemas/tracker.sinew", "tests/schemas/comments.sinew",
                                        "tests/codegen/hostile_doc.sinew", "examples/blog/blog.sinew"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[600];
        snprintf(path, sizeof path, "%s/%s", SINEW_SOURCE_DIR, files[i]);
        check_file(path);
    }
}

static void comments_everywhere_exact(void **state)
{
    (void)state;
    size_t len;
    char *src = slurp(SINEW_SOURCE_DIR "/tests/schemas/comments.sinew", &len);
    char *want = slurp(SINEW_SOURCE_DIR "/tests/schema/comments.formatted.sinew", NULL);
    char *out = NULL;
    th_ok(sinew_schema_format("comments.sinew", src, len, NULL, &out));
    assert_string_equal(out, want);
    sinew_free(out);
    /* a file with errors: SINEW_INVALID with the diagnostics, nothing written */
    sinew_diagnostics *d;
    th_ok(sinew_diagnostics_new(&d));
    out = (char *)0x1;
    th_assert_status(sinew_schema_format("bad.sinew", "model X {\n  a strng\n}\n", 22, d, &out), SINEW_INVALID, NULL);
    assert_null(out);
    assert_true(sinew_diagnostics_errors(d) >= 1);
    sinew_diagnostics_free(d);
    free(src);
    free(want);
}

static void cli_format_w_keeps_comments(void **state)
{
    (void)state;
    char path[600], cmd[1600];
    snprintf(path, sizeof path, "%s/comments.sinew", th_tmpdir());
    snprintf(cmd, sizeof cmd, "cp '%s/tests/schemas/comments.sinew' '%s' && '%s/sinew' format -w '%s'", SINEW_SOURCE_DIR,
             path, SINEW_BINARY_DIR, path);
    assert_int_equal(system(cmd), 0);
    char *got = slurp(path, NULL);
    char *want = slurp(SINEW_SOURCE_DIR "/tests/schema/comments.formatted.sinew", NULL);
    assert_string_equal(got, want);
    free(got);
    free(want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_schema_keeps_its_comments),
        cmocka_unit_test(comments_everywhere_exact),
        cmocka_unit_test(cli_format_w_keeps_comments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
