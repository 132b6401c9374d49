/*
 * Migrations made from schema files, on every backend: blog.sinew as the
 * first migration, then a changed schema (a nullable column, a column
 * with a default, a new index, a new model) as the second; up, data
 * intact, no drift; down, data intact; the same make run twice makes
 * nothing; a look-alike rename is refused with a message.
 */
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int64_t scalar(sinew_db *db, const char *sql)
{
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    sinew_rows *r;
    th_ok(sinew_raw_rows(s, sql, NULL, 0, &r));
    assert_int_equal(sinew_rows_next(r), SINEW_ROW);
    int64_t v = sinew_rows_value(r, 0).u.i;
    sinew_rows_free(r);
    sinew_session_free(s);
    return v;
}

static const char *v1 =
    "model User {\n  id int64 @id @auto\n  email text @unique\n  posts Post[]\n}\n"
    "model Post {\n  id int64 @id @auto\n  author User @on_delete(cascade)\n  title text\n}\n";
static const char *v2 =
    "model User {\n  id int64 @id @auto\n  email text @unique\n  nick text?\n  karma int32 @default(7)\n  posts Post[]\n}\n"
    "model Post {\n  id int64 @id @auto\n  author User @on_delete(cascade)\n  title text @index\n}\n"
    "model Tag {\n  id int64 @id @auto\n  name text @unique\n}\n";
static const char *v3_rename_lookalike =
    "model User {\n  id int64 @id @auto\n  mail text @unique\n  nick text?\n  karma int32 @default(7)\n  posts Post[]\n}\n"
    "model Post {\n  id int64 @id @auto\n  author User @on_delete(cascade)\n  title text @index\n}\n"
    "model Tag {\n  id int64 @id @auto\n  name text @unique\n}\n";

static void make_up_down_from_schema_files(void **state)
{
    (void)state;
    char dir[600], schema[600];
    snprintf(dir, sizeof dir, "%s/migs_%s", th_tmpdir(), th_backend());
    snprintf(schema, sizeof schema, "%s/app_%s.sinew", th_tmpdir(), th_backend());
    write_file(schema, v1);
    sinew_make_opts opts = {0, 0};
    char *made = NULL;
    th_ok(sinew_migrate_make(dir, schema, "init", &opts, &made));
    assert_non_null(made);
    sinew_migrate_free(made);
    th_ok(sinew_migrate_make(dir, schema, "again", &opts, &made));   /* nothing changed: nothing made */
    assert_null(made);

    sinew_db *db = th_open();
    th_ok(sinew_migrate_up(db, dir));
    th_ok(sinew_exec(db, "INSERT INTO users (email) VALUES ('a@x')"));
    th_ok(sinew_exec(db, "INSERT INTO posts (author_id, title) VALUES (1, 'hello')"));

    write_file(schema, v2);
    th_ok(sinew_migrate_make(dir, schema, "profile", &opts, &made));
    assert_non_null(made);
    sinew_migrate_free(made);
    th_ok(sinew_migrate_up(db, dir));
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM posts"), 1);
    assert_int_equal(scalar(db, "SELECT karma FROM users"), 7);    /* the default filled the old row */
    char *report = NULL;
    size_t drift = 99;
    th_ok(sinew_migrate_check(db, dir, &report, &drift));
    if (drift) fail_msg("drift after up:\n%s", report);
    sinew_migrate_free(report);

    th_ok(sinew_migrate_down(db, dir, 1));
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM posts"), 1);
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM users"), 1);
    th_ok(sinew_migrate_check(db, dir, &report, &drift));
    if (drift) fail_msg("drift after down:\n%s", report);
    sinew_migrate_free(report);

    write_file(schema, v3_rename_lookalike);
    th_assert_status(sinew_migrate_make(dir, schema, "rename", &opts, &made), SINEW_INVALID, "renamed_from");
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(make_up_down_from_schema_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
