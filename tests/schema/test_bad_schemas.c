/*
 * Bad schemas: each must be refused with exactly the diagnostic expected
 * (line, column and message), produce no graph, and leak nothing. Also:
 * every error of a file is reported in one run, and the printed form has
 * the source line and a caret.
 */
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bad_cases.h"

static void each_bad_schema_gets_its_diagnostic(void **state)
{
    (void)state;
    size_t n = sizeof bad_cases / sizeof bad_cases[0];
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        sinew_diagnostics *d;
        th_ok(sinew_diagnostics_new(&d));
        sinew_schema *s = (sinew_schema *)0x1;
        int rc = sinew_schema_parse("bad.sinew", bad_cases[i].src, strlen(bad_cases[i].src), d, &s);
        char got[800] = "(no diagnostic)";
        const sinew_diag *x = sinew_diagnostics_get(d, 0);
        if (x) snprintf(got, sizeof got, "%d:%d: %s", x->line, x->col, x->message);
        if (rc != SINEW_INVALID || s != NULL || strcmp(got, bad_cases[i].want) != 0) {
            print_error("case '%s':\n  got  %s (%s)\n  want %s\n", bad_cases[i].name, got, sinew_status_name(rc),
                        bad_cases[i].want);
            failures++;
        }
        sinew_diagnostics_free(d);
    }
    print_message("%zu bad schemas checked\n", n);
    assert_int_equal(failures, 0);
    assert_true(n >= 25);
}

static void all_errors_of_a_file_in_one_run(void **state)
{
    (void)state;
    const char *src = "model User {\n  id int64 @id\n  a strng\n  b itn\n  c text @nope\n}\nmodel Tag {\n  name text\n}\n";
    sinew_diagnostics *d;
    th_ok(sinew_diagnostics_new(&d));
    sinew_schema *s;
    th_assert_status(sinew_schema_parse("multi.sinew", src, strlen(src), d, &s), SINEW_INVALID, NULL);
    assert_int_equal(sinew_diagnostics_errors(d), 4);   /* types and attributes first, then Tag's missing key */
    assert_string_equal(sinew_diagnostics_get(d, 3)->message,
                        "model Tag has no primary key: mark a field @id (e.g. `id int64 @id @auto`) or add @@id([...]); "
                        "a table without one is @@readonly");
    const sinew_diag *x = sinew_diagnostics_get(d, 1);
    assert_int_equal(x->line, 4);
    assert_string_equal(x->message, "unknown type 'itn'; did you mean 'int32'?");
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    sinew_diagnostics_print(d, f);
    fclose(f);
    assert_non_null(strstr(out, "multi.sinew:3:5: error: unknown type 'strng'; did you mean 'text'?\n"
                                "    3 |   a strng\n"
                                "      |     ^\n"));
    free(out);
    sinew_diagnostics_free(d);
    /* without a list the first error is the thread's error */
    th_assert_status(sinew_schema_parse("multi.sinew", src, strlen(src), NULL, &s), SINEW_INVALID,
                     "multi.sinew:3:5: error: unknown type 'strng'");
    th_assert_status(sinew_schema_parse_file("/nonexistent/x.sinew", NULL, &s), SINEW_IOERR, "cannot open schema file");
}

/* issue 17, item 9: errors of every stage (types, attributes, inverses, names,
 * indexes) in one run, each with its position; and no error caused by another */
static void errors_of_every_stage_in_one_run(void **state)
{
    (void)state;
    const char *src = "model User {\n"
                      "  id int64 @id @auto\n"
                      "  email text @uniqe\n"            /* 3: misspelt attribute */
                      "  age itn\n"                      /* 4: typo in a type */
                      "  posts Post[]\n"                 /* 5: ambiguous inverse */
                      "  order int32\n"                  /* 6: a reserved word, legal (quoted everywhere) */
                      "}\n"
                      "model Post {\n"
                      "  id int64 @id @auto\n"
                      "  author User\n"
                      "  editor User\n"
                      "  tag Tagg\n"                     /* 12: typo in a model name */
                      "  @@index([nope])\n"              /* 13: unknown field (Post is broken: not reported) */
                      "}\n"
                      "model Tag {\n"
                      "  id int64 @id\n"
                      "  name text\n"
                      "  @@index([nmae])\n"              /* 18: unknown field */
                      "}\n";
    sinew_diagnostics *d;
    th_ok(sinew_diagnostics_new(&d));
    sinew_schema *s = NULL;
    th_assert_status(sinew_schema_parse("stages.sinew", src, strlen(src), d, &s), SINEW_INVALID, NULL);
    assert_null(s);
    static const char *const want[] = {
        "stages.sinew:3:14: unknown attribute '@uniqe'; did you mean '@unique'?",
        "stages.sinew:4:7: unknown type 'itn'; did you mean 'int32'?",
        "stages.sinew:12:7: unknown type 'Tagg'; did you mean 'Tag'?",
        ("stages.sinew:5:3: ambiguous inverse: Post has 2 fields pointing to User (author, editor); say which one "
         "with @inverse(...)"),
        "stages.sinew:18:3: @@index names 'nmae', which is not a field or to-one relation of Tag",
    };
    size_t n = sizeof want / sizeof want[0];
    for (size_t i = 0; i < sinew_diagnostics_count(d); i++) {
        const sinew_diag *x = sinew_diagnostics_get(d, i);
        char got[400];
        snprintf(got, sizeof got, "%s:%d:%d: %s", x->file, x->line, x->col, x->message);
        if (i < n) assert_string_equal(got, want[i]);
        else fail_msg("unexpected diagnostic %s", got);
    }
    assert_int_equal(sinew_diagnostics_errors(d), n);
    sinew_diagnostics_free(d);
}

/* a NUL byte would cut a name short (issue 17, item 11): refused wherever it is, with its position */
static void nul_bytes_are_refused_where_they_stand(void **state)
{
    (void)state;
    static const struct { const char *src; size_t len; const char *want; } cases[] = {
        {"model T {\n  id int64 @id\n  n text @map(\"a\0b\")\n}\n", 48,
         "3:17: NUL byte (0x00) in a string: schema files are text; remove it"},
        {"model T {\n  id int64 @id\n  @@map(\"t\0\")\n}\n", 41,
         "3:11: NUL byte (0x00) in a string: schema files are text; remove it"},
        {"model T {\n  id int64 @id // x\0y\n}\n", 34, "2:20: NUL byte (0x00) in a comment: schema files are text; remove it"},
        {"/// doc\0more\nmodel T {\n  id int64 @id\n}\n", 40, "1:8: NUL byte (0x00) in a comment: schema files are text; remove it"},
        {"model T {\n  id int64 @id\0\n}\n", 28, "2:15: NUL byte (0x00): schema files are text; remove it"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sinew_diagnostics *d;
        th_ok(sinew_diagnostics_new(&d));
        sinew_schema *s = (sinew_schema *)0x1;
        assert_int_equal(sinew_schema_parse("nul.sinew", cases[i].src, cases[i].len, d, &s), SINEW_INVALID);
        assert_null(s);
        const sinew_diag *x = sinew_diagnostics_get(d, 0);
        assert_non_null(x);
        char got[300];
        snprintf(got, sizeof got, "%d:%d: %s", x->line, x->col, x->message);
        assert_string_equal(got, cases[i].want);
        assert_string_equal(x->file, "nul.sinew");
        sinew_diagnostics_free(d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_bad_schema_gets_its_diagnostic),
        cmocka_unit_test(all_errors_of_a_file_in_one_run),
        cmocka_unit_test(nul_bytes_are_refused_where_they_stand),
        cmocka_unit_test(errors_of_every_stage_in_one_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
