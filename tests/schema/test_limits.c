/*
 * The fixed limits (src/base/sn_limits.h) at the schema: each is accepted
 * exactly at the limit and refused one past it with a diagnostic at the
 * declaration that says the limit and what to do (before: 65 fields were
 * accepted and overran the ORM's 64-entry arrays; a 9-column key overflowed
 * the resolver's 8-entry foreign-key list).
 */
#include "harness.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct strbuf {
    char *p;
    size_t len, cap;
} strbuf;

static void add(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(strbuf *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (b->p && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        b->cap = (b->cap + (size_t)n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
}

/* parse `src`: NULL when it is accepted, else the first error as "line:col: message" (static) */
static const char *parse(const char *src, sinew_schema **keep)
{
    static char got[1024];
    sinew_diagnostics *d;
    th_ok(sinew_diagnostics_new(&d));
    sinew_schema *s = NULL;
    int rc = sinew_schema_parse("limits.sinew", src, strlen(src), d, &s);
    const char *res = NULL;
    if (rc != SINEW_OK) {
        const sinew_diag *x = sinew_diagnostics_get(d, sinew_diagnostics_count(d) - 1);
        snprintf(got, sizeof got, "%d:%d: %s", x ? x->line : 0, x ? x->col : 0, x ? x->message : sinew_errmsg());
        res = got;
        assert_null(s);
    }
    sinew_diagnostics_free(d);
    if (keep) *keep = s;
    else sinew_schema_free(s);
    return res;
}

/* model Wide with an id and `extra` more int64 fields (and a to-one to Owner when `fk`) */
static char *wide(int extra, int fk)
{
    strbuf b = {0};
    add(&b, "model Owner {\n  id int64 @id @auto\n}\nmodel Wide {\n  id int64 @id @auto\n");
    for (int i = 0; i < extra; i++) add(&b, "  c%d int64\n", i);
    if (fk) add(&b, "  owner Owner\n");
    add(&b, "}\n");
    return b.p;
}

static void fields_per_model(void **state)
{
    (void)state;
    char *src = wide(63, 0);   /* 64 */
    sinew_schema *s;
    assert_null(parse(src, &s));
    assert_int_equal(sinew_schema_find_model(s, "Wide")->nfields, 64);
    sinew_schema_free(s);
    free(src);
    src = wide(64, 0);         /* 65 */
    assert_string_equal(parse(src, NULL),
                        "4:7: model Wide has 65 fields (foreign-key fields of its relations included); sinew supports "
                        "at most 64 per model: move some into another model with a one-to-one relation");
    free(src);
    src = wide(62, 1);         /* 63 + owner_id = 64 */
    assert_null(parse(src, NULL));
    free(src);
    src = wide(63, 1);         /* 64 + owner_id = 65: the implicit field counts */
    const char *e = parse(src, NULL);
    assert_non_null(e);
    assert_non_null(strstr(e, "model Wide has 65 fields"));
    free(src);
}

/* Hub with `n` lists, each to its own model pointing back */
static char *hub(int n)
{
    strbuf b = {0};
    add(&b, "model Hub {\n  id int64 @id @auto\n");
    for (int i = 0; i < n; i++) add(&b, "  r%d R%d[]\n", i, i);
    add(&b, "}\n");
    for (int i = 0; i < n; i++) add(&b, "model R%d {\n  id int64 @id @auto\n  hub Hub\n}\n", i);
    return b.p;
}

static void relations_per_model(void **state)
{
    (void)state;
    char *src = hub(64);
    sinew_schema *s;
    assert_null(parse(src, &s));
    assert_int_equal(sinew_schema_find_model(s, "Hub")->nrelations, 64);
    sinew_schema_free(s);
    free(src);
    src = hub(65);
    assert_string_equal(parse(src, NULL),
                        "1:7: model Hub has 65 relations (inverses included); sinew supports at most 64 per model: "
                        "move some into another model with a one-to-one relation");
    free(src);
}

/* model K keyed by `n` fields, and Ref pointing to it (its foreign key gets n columns) */
static char *keyed(int n, int fk_names)
{
    strbuf b = {0};
    add(&b, "model K {\n");
    for (int i = 0; i < n; i++) add(&b, "  k%d int64\n", i);
    add(&b, "  @@id([");
    for (int i = 0; i < n; i++) add(&b, "%sk%d", i ? ", " : "", i);
    add(&b, "])\n}\nmodel Ref {\n  id int64 @id @auto\n");
    for (int i = 0; i < fk_names; i++) add(&b, "  f%d int64\n", i);
    add(&b, "  k K");
    if (fk_names) {
        add(&b, " @fk(");
        for (int i = 0; i < fk_names; i++) add(&b, "%sf%d", i ? ", " : "", i);
        add(&b, ")");
    }
    add(&b, "\n}\n");
    return b.p;
}

static void key_columns(void **state)
{
    (void)state;
    char *src = keyed(16, 0);
    sinew_schema *s;
    assert_null(parse(src, &s));
    const sinew_model *ref = sinew_schema_find_model(s, "Ref");
    assert_int_equal(sinew_schema_find_model(s, "K")->npk, 16);
    assert_int_equal(ref->nfields, 17);                       /* id and k_k0 .. k_k15 */
    assert_int_equal(ref->relations[0].nkeys, 16);
    assert_string_equal(ref->fields[16].name, "k_k15");
    sinew_schema_free(s);
    free(src);
    src = keyed(16, 16);                                      /* the same through @fk */
    assert_null(parse(src, NULL));
    free(src);
    src = keyed(17, 0);
    assert_string_equal(parse(src, NULL), "19:3: @@id of K names 17 fields; a primary key has at most 16: "
                                          "use an @id @auto key and make these fields @@unique([...])");
    free(src);
    src = keyed(16, 17);
    const char *e = parse(src, NULL);
    assert_non_null(e);
    assert_non_null(strstr(e, "@fk of 'k' names 17 fields; a foreign key has at most 16 columns"));
    free(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fields_per_model),
        cmocka_unit_test(relations_per_model),
        cmocka_unit_test(key_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
