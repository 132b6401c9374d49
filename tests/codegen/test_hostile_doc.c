/*
 * Doc comments cannot inject C (issue 16, item 4). hostile_doc.sinew holds
 * /// lines that, written raw into the generated header, would close the
 * comment and define globals and an __attribute__((constructor)) function.
 * This program is compiled with that generated header and source: none of
 * the injected symbols exists (weak references stay NULL), nothing ran at
 * start-up, and the header's comments hold every byte of the doc text
 * without a comment terminator, opener, trigraph or line splice. The banner
 * names the source file, which is made inert the same way.
 */
#include "harness.h"
#include "hostile_doc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sinew/codegen.h"

extern int sinew_injected __attribute__((weak));
extern int sinew_injected2 __attribute__((weak));
extern int sinew_injected3 __attribute__((weak));
extern int sinew_injected4 __attribute__((weak));

static void injected_code_does_not_exist(void **state)
{
    (void)state;
    assert_null(&sinew_injected);
    assert_null(&sinew_injected2);
    assert_null(&sinew_injected3);
    assert_null(&sinew_injected4);
    /* the model is there, with its doc (byte for byte in the descriptor) */
    assert_string_equal(note_model.name, "Note");
    assert_non_null(strstr(note_model.doc, "sinew_injected_ctor"));
    assert_non_null(strstr(note_model.doc, "\x01"));
}

/* the comments of generated text (the first `max` of them: the source has
 * string literals after its banner): each closes where the generator closed it */
static void check_comments(const char *text, int max)
{
    const char *p = text;
    while (max-- > 0 && (p = strstr(p, "/*")) != NULL) {
        const char *end = strstr(p + 2, "*/");
        assert_non_null(end);
        for (const char *q = p + 2; q < end; q++) {
            assert_false(q[0] == '/' && q[1] == '*');               /* no nested opener */
            assert_false(q[0] == '?' && q[1] == '?');               /* no trigraph */
            assert_false((unsigned char)q[0] < 32 && q[0] != '\n'); /* no control byte */
            assert_false(q[0] == 127);
            if (q[0] == '\\') {                                      /* no splice */
                const char *r = q + 1;
                while (*r == ' ' || *r == '\t') r++;
                assert_false(*r == '\n');
            }
        }
        /* the comment ends right before the generator's own newline */
        assert_true(end[2] == '\n');
        p = end + 2;
    }
}

static void comments_are_inert(void **state)
{
    (void)state;
    sinew_schema *s;
    th_ok(sinew_schema_parse_file(SINEW_SOURCE_DIR "/tests/codegen/hostile_doc.sinew", NULL, &s));
    char *h = NULL, *c = NULL;
    size_t hl = 0, cl = 0;
    FILE *hf = open_memstream(&h, &hl), *cf = open_memstream(&c, &cl);
    sinew_codegen_opts o = {"x.h", "evil*/ int banner_injected; /*?" "?/\\\n.sinew"};
    th_ok(sinew_codegen(s, &o, hf, cf));
    fclose(hf);
    fclose(cf);
    check_comments(h, 1000);   /* the header has no string literal that holds a comment opener */
    check_comments(c, 1);
    /* the injected text is still there, inside the comments */
    assert_non_null(strstr(h, "sinew_injected_ctor"));
    assert_non_null(strstr(h, "banner_injected"));
    free(h);
    free(c);
    sinew_schema_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(injected_code_does_not_exist),
        cmocka_unit_test(comments_are_inert),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
