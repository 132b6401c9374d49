/*
 * One snake_case and one list of C keywords (schema/names.c), shared by the
 * resolver and the code generator (issue 18, item 10). Before, each had its
 * own: the resolver let C23 keywords through as field names (now any field
 * name gets a C name of its own: issue 19, item 8), the generator
 * accepted NULL and reserved identifiers as type names, and the generator's
 * snake_case folded runs of _ so that fields a_b and a__b got the same column
 * constant (a macro defined twice).
 */
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "schema/names.h"
#include "sinew/codegen.h"
#include "sinew/parse.h"

static sinew_schema *parse(const char *text, sinew_diagnostics *d)
{
    sinew_schema *s = NULL;
    int rc = sinew_schema_parse("names.sinew", text, strlen(text), d, &s);
    return rc == SINEW_OK ? s : NULL;
}

/* generates into memory; returns the status, the header in *h (free it) */
static int generate(const sinew_schema *s, char **h)
{
    char *src = NULL;
    size_t hn = 0, sn = 0;
    FILE *hf = open_memstream(h, &hn), *cf = open_memstream(&src, &sn);
    assert_non_null(hf);
    assert_non_null(cf);
    sinew_codegen_opts o = {.header_name = "names.h", .source_name = "names.sinew"};
    int rc = sinew_codegen(s, &o, hf, cf);
    fclose(hf);
    fclose(cf);
    free(src);
    return rc;
}

static void snake_case_is_one_function(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"PlaylistTrack", "playlist_track"}, {"HTTPServer", "http_server"}, {"Track2Album", "track2_album"},
        {"a__b", "a__b"}, {"_x", "_x"}, {"in-progress", "in_progress"}, {"-lead", "lead"}, {"a - b", "a_b"},
        {"x", "x"}, {"", ""}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char a[64], b[64];
        sn_snake(cases[i][0], a, sizeof a);
        sinew_snake_case(cases[i][0], b, sizeof b);   /* the public name of the same function */
        assert_string_equal(a, cases[i][1]);
        assert_string_equal(b, cases[i][1]);
    }
    char small[4];
    sn_snake("PlaylistTrack", small, sizeof small);   /* truncated, terminated */
    assert_true(strlen(small) < sizeof small);
}

static void keyword_list_covers_c11_c23_and_reserved_names(void **state)
{
    (void)state;
    static const char *const kw[] = {"int", "while", "_Bool", "_Generic", "_Complex", "bool", "true", "typeof",
                                     "constexpr", "nullptr", "static_assert", "thread_local", "alignas", "NULL",
                                     "_Reserved", "__x"};
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++) assert_true(sn_c_keyword(kw[i]));
    static const char *const ok[] = {"integer", "_x", "x_", "Bool", "null", "type", "id"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) assert_false(sn_c_keyword(ok[i]));
}

/* a field named after a C23 keyword would not compile as C23: it gets a C name of its own
 * (issue 19, item 8: any field name compiles; the column keeps its name) */
static void c23_keyword_field_gets_a_c_name(void **state)
{
    (void)state;
    sinew_diagnostics *d;
    th_ok(sinew_diagnostics_new(&d));
    sinew_schema *s = parse("model Item {\n  id int64 @id\n  constexpr int64\n}\n", d);
    assert_non_null(s);
    assert_int_equal(sinew_diagnostics_errors(d), 0);
    char *h = NULL;
    th_ok(generate(s, &h));
    assert_non_null(strstr(h, "    int64_t constexpr_;\n"));
    assert_null(strstr(h, " constexpr;"));
    free(h);
    assert_string_equal(s->models[0]->fields[1].column, "constexpr");
    sinew_schema_free(s);
    sinew_diagnostics_free(d);
}

/* the generator refuses what the resolver's list refuses, for the names the resolver does not check */
static void generator_refuses_null_as_a_type_name(void **state)
{
    (void)state;
    sinew_schema *s = parse("enum NULL {\n  a\n  b\n}\nmodel Item {\n  id int64 @id\n  k NULL\n}\n", NULL);
    assert_non_null(s);
    char *h = NULL;
    assert_int_equal(generate(s, &h), SINEW_INVALID);
    assert_non_null(strstr(sinew_errmsg(), "enum name 'NULL'"));
    free(h);
    sinew_schema_free(s);
}

/* fields a_b and a__b: two column constants, not one macro defined twice */
static void underscore_runs_keep_constants_apart(void **state)
{
    (void)state;
    sinew_schema *s = parse("model Item {\n  id int64 @id\n  a_b int64\n  a__b int64\n}\n", NULL);
    assert_non_null(s);
    char *h = NULL;
    th_ok(generate(s, &h));
    assert_non_null(strstr(h, "#define ITEM_A_B sinew_column(&item_model, 1)\n"));
    assert_non_null(strstr(h, "#define ITEM_A__B sinew_column(&item_model, 2)\n"));
    free(h);
    sinew_schema_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(snake_case_is_one_function),
        cmocka_unit_test(keyword_list_covers_c11_c23_and_reserved_names),
        cmocka_unit_test(c23_keyword_field_gets_a_c_name),
        cmocka_unit_test(generator_refuses_null_as_a_type_name),
        cmocka_unit_test(underscore_runs_keep_constants_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
