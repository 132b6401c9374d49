/*
 * The raw-SQL placeholder rewriter (src/sql/placeholders.c) on its own: `?`
 * becomes the dialect's placeholder outside literals, quoted names,
 * dollar-quoted strings and comments; `??` is a literal `?`; native numbered
 * placeholders are left alone on PostgreSQL; the parameter count is right.
 * (C strings write ?? as ?\? so that no trigraph is read.)
 */
#include "harness.h"
#include "sql/dialect.h"
#include <string.h>

/* rewrite `in` for d; want == NULL: the text goes unchanged */
static void expect(const sinew_dialect *d, const char *in, const char *want, int want_count)
{
    sn_buf b;
    sn_buf_init(&b);
    int count = -2;
    int rc = sn_sql_placeholders(&b, d, in, &count, NULL);
    if (rc != SINEW_OK) fail_msg("%s: %s: rc %d (%s)", d->name, in, rc, sinew_errmsg());
    const char *got = b.len ? sn_buf_cstr(&b) : NULL;
    if ((want == NULL) != (got == NULL) || (want && strcmp(want, got) != 0))
        fail_msg("%s: %s\n  want %s\n  got  %s", d->name, in, want ? want : "(unchanged)", got ? got : "(unchanged)");
    if (count != want_count) fail_msg("%s: %s: count %d, want %d", d->name, in, count, want_count);
    sn_buf_free(&b);
}

static void refused(const sinew_dialect *d, const char *in, const char *needle)
{
    sn_buf b;
    sn_buf_init(&b);
    int count;
    th_assert_status(sn_sql_placeholders(&b, d, in, &count, NULL), SINEW_MISUSE, needle);
    sn_buf_free(&b);
}

static void question_marks_become_numbered_on_postgres(void **state)
{
    (void)state;
    const sinew_dialect *pg = &sn_dialect_postgres;
    expect(pg, "SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = $1 AND b = $2", 2);
    expect(pg, "SELECT 1", NULL, 0);
    /* literals, quoted identifiers, comments: untouched */
    expect(pg, "SELECT 'a?b', 'it''s ?', \"col?\" FROM t WHERE x = ? -- why?\n AND y = ? /* ? /* ? */ ? */",
           "SELECT 'a?b', 'it''s ?', \"col?\" FROM t WHERE x = $1 -- why?\n AND y = $2 /* ? /* ? */ ? */", 2);
    /* E'' strings with backslash escapes, and dollar quotes */
    expect(pg, "SELECT E'\\'?', $$ ? $$, $tag$ it's ? $x$ $tag$, ?", "SELECT E'\\'?', $$ ? $$, $tag$ it's ? $x$ $tag$, $1", 1);
    /* a plain string does not take backslash escapes: 'a\' ends there */
    expect(pg, "SELECT 'a\\', ?", "SELECT 'a\\', $1", 1);
    /* ?? is a literal ?: jsonb operators */
    expect(pg, "SELECT j ?\? 'k', j ?\?| array['a'], j ?\?& array['b'] FROM t WHERE id = ?",
           "SELECT j ? 'k', j ?| array['a'], j ?& array['b'] FROM t WHERE id = $1", 1);
    /* native placeholders: sent as written, ? are operators, the count is the highest $n */
    expect(pg, "SELECT $2::text, $1::int, j ? 'k' FROM t", NULL, 2);
    /* $ inside an identifier is no placeholder */
    expect(pg, "SELECT a$1 FROM t WHERE b = ?", "SELECT a$1 FROM t WHERE b = $1", 1);
    /* ten and more */
    expect(pg, "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)", 11);
    /* an unterminated literal swallows the rest: nothing in it is a placeholder */
    expect(pg, "SELECT ? || 'open ?", "SELECT $1 || 'open ?", 1);
}

static void sqlite_keeps_question_marks_and_takes_dollar_numbers(void **state)
{
    (void)state;
    const sinew_dialect *sq = &sn_dialect_sqlite;
    expect(sq, "SELECT * FROM t WHERE a = ? AND b = ?", NULL, 2);
    expect(sq, "SELECT '?', \"?\", [a?], `b?` FROM t -- ?\n WHERE a = ? /* ? */", NULL, 1);
    expect(sq, "SELECT $2, $1", "SELECT ?2, ?1", 2);
    expect(sq, "SELECT ?2, ?1", NULL, 2);
    expect(sq, "SELECT ?\? , ?", "SELECT ? , ?", 1);
    /* named parameters: the count is the database's to tell */
    expect(sq, "SELECT :a, @b, $c", NULL, -1);
    /* SQLite has no dollar quotes: $$ is not a string there */
    expect(sq, "SELECT 1 WHERE ? = ?", NULL, 2);
}

/* `in` on MariaDB: rewritten to `want`, the ? taking the parameters `order` (0-based, -1 ends) */
static void expect_positional(const char *in, const char *want, int want_count, const int *order)
{
    sn_buf b, o;
    sn_buf_init(&b);
    sn_buf_init(&o);
    int count = -2;
    int rc = sn_sql_placeholders(&b, &sn_dialect_mariadb, in, &count, &o);
    if (rc != SINEW_OK) fail_msg("mariadb: %s: rc %d (%s)", in, rc, sinew_errmsg());
    const char *got = b.len ? sn_buf_cstr(&b) : NULL;
    if ((want == NULL) != (got == NULL) || (want && strcmp(want, got) != 0))
        fail_msg("mariadb: %s\n  want %s\n  got  %s", in, want ? want : "(unchanged)", got ? got : "(unchanged)");
    assert_int_equal(count, want_count);
    size_t n = 0;
    while (order && order[n] >= 0) n++;
    assert_int_equal(o.len, n * sizeof(int));
    for (size_t i = 0; i < n; i++) assert_int_equal(((const int *)(const void *)o.data)[i], order[i]);
    sn_buf_free(&b);
    sn_buf_free(&o);
}

static void mariadb_takes_numbers_as_positions(void **state)
{
    (void)state;
    /* ? as written: nothing to rewrite or reorder */
    expect_positional("SELECT * FROM t WHERE a = ? AND b = ?", NULL, 2, NULL);
    /* numbered: ? each, the values in the text's order, repeated where a number is */
    expect_positional("SELECT $2 || $1 || $2", "SELECT ? || ? || ?", 2, (const int[]){1, 0, 1, -1});
    expect_positional("SELECT ?2, ?1", "SELECT ?, ?", 2, (const int[]){1, 0, -1});
    expect_positional("SELECT $10, $1", "SELECT ?, ?", 10, (const int[]){9, 0, -1});
    /* not in literals, quoted names, or either kind of MySQL comment */
    expect_positional("SELECT '$1 ?', \"$2\", `$3?` # $4 ?\n, $1 -- $5 ?\n /* $6 ? */",
                      "SELECT '$1 ?', \"$2\", `$3?` # $4 ?\n, ? -- $5 ?\n /* $6 ? */", 1, (const int[]){0, -1});
    /* "--" with no blank after it is two minus signs, not a comment */
    expect_positional("SELECT 5--$1", "SELECT 5--?", 1, (const int[]){0, -1});
    /* :a, @a and $a are no placeholders there (@a is a user variable): the count is the text's */
    expect_positional("SELECT @a, $1", "SELECT @a, ?", 1, (const int[]){0, -1});
    expect_positional("SELECT @a", NULL, 0, NULL);
    /* ?? is a literal ? */
    expect_positional("SELECT '?' = ?\?, $1", "SELECT '?' = ?, ?", 1, (const int[]){0, -1});
}

static void mixing_styles_is_refused(void **state)
{
    (void)state;
    refused(&sn_dialect_sqlite, "SELECT ?, $1", "mixes");
    refused(&sn_dialect_sqlite, "SELECT ?, :name", "mixes");
    refused(&sn_dialect_sqlite, "SELECT ?, ?2", "mixes");
    refused(&sn_dialect_mariadb, "SELECT ?, $1", "mixes");
    refused(&sn_dialect_mariadb, "SELECT $0, $1", "numbered 0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(question_marks_become_numbered_on_postgres),
        cmocka_unit_test(sqlite_keeps_question_marks_and_takes_dollar_numbers),
        cmocka_unit_test(mariadb_takes_numbers_as_positions),
        cmocka_unit_test(mixing_styles_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
