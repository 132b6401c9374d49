/*
 * Changing an integer key's size takes the foreign keys over it along (issue 20), on every
 * backend. users.id goes int32 -> int64 and back; posts.author_id is the relation's own column
 * (its type is the key's in the schema), reports.reported_user_id an int32 field of the schema
 * (which MariaDB writes with the key's type: InnoDB wants a foreign key's column to have the
 * referenced column's type exactly). After each `migrate up` the rows are kept, the keys still
 * hold and `migrate check` reports no drift. On MariaDB the migration drops the foreign keys
 * before changing the columns and adds them again after; without that InnoDB refuses to change a
 * column a foreign key uses, and the referencing INT would stay INT under a BIGINT key (drift).
 */
#include "support.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *schema_v1 =
    "model User {\n  id int32 @id @auto\n  name text\n  posts Post[]\n}\n"
    "model Post {\n  id int64 @id @auto\n  author User @on_delete(cascade)\n  title text\n}\n"
    "model Report {\n  id int64 @id @auto\n  reported_user_id int32\n"
    "  reported_user User @fk(reported_user_id)\n  note text\n}\n";

/* the wide schema adds a table whose key points at users.id, in the migration that widens it */
static const char *tag_model = "model Tag {\n  id int64 @id @auto\n  user User @on_delete(cascade)\n  label text\n}\n";

static char *with_key(const char *key_type)
{
    char *s = malloc(strlen(schema_v1) + strlen(tag_model) + 1);
    strcpy(s, schema_v1);
    strcat(s, tag_model);
    char *p = strstr(s, "int32 @id");
    memcpy(p, key_type, 5);
    return s;
}

static size_t drift(sinew_db *db, const char *dir)
{
    char *report = NULL;
    size_t n = 99;
    th_ok(sinew_migrate_check(db, dir, &report, &n));
    if (n) print_message("drift:\n%s", report);
    sinew_migrate_free(report);
    return n;
}

/* the SQL of the newest migration for this backend */
static char *up_sql(const char *made)
{
    char path[900];
    snprintf(path, sizeof path, "%s/up.%s.sql", made, th_backend());
    return mt_read(path);
}

static void the_keys_follow(sinew_db *db, const char *sql)
{
    const char *drop = strstr(sql, "DROP FOREIGN KEY `posts_author_id_fkey`");
    const char *drop2 = strstr(sql, "DROP FOREIGN KEY `reports_reported_user_id_fkey`");
    const char *key = strstr(sql, "MODIFY COLUMN `id`");
    const char *add = strstr(sql, "ADD CONSTRAINT `posts_author_id_fkey` FOREIGN KEY");
    const char *add2 = strstr(sql, "ADD CONSTRAINT `reports_reported_user_id_fkey` FOREIGN KEY");
    if (sinew_db_dialect(db)->fk_same_type) {
        assert_non_null(drop);
        assert_non_null(drop2);
        assert_non_null(key);
        assert_non_null(add);
        assert_non_null(add2);
        assert_true(drop < key && drop2 < key && key < add && key < add2);
        assert_non_null(strstr(sql, "MODIFY COLUMN `reported_user_id`"));
    } else {
        /* PostgreSQL changes a referenced column with its keys in place; SQLite rebuilds the table */
        assert_null(strstr(sql, "DROP FOREIGN KEY"));
        assert_null(strstr(sql, "reported_user_id"));
    }
}

static void changing_the_key_size_changes_its_foreign_keys(void **state)
{
    (void)state;
    char dir[600], schema[600];
    snprintf(dir, sizeof dir, "%s/keysize_%s", th_tmpdir(), th_backend());
    snprintf(schema, sizeof schema, "%s/keysize_%s.sinew", th_tmpdir(), th_backend());
    sinew_make_opts opts = {0, 0};
    char *made = NULL;
    mt_write(schema, schema_v1);
    th_ok(sinew_migrate_make(dir, schema, "init", &opts, &made));
    sinew_migrate_free(made);

    sinew_db *db = th_open();
    th_ok(sinew_migrate_up(db, dir));
    th_ok(sinew_exec(db, "INSERT INTO users (id, name) VALUES (1, 'ann'), (2, 'bob')"));
    th_ok(sinew_exec(db, "INSERT INTO posts (author_id, title) VALUES (1, 'a'), (2, 'b')"));
    th_ok(sinew_exec(db, "INSERT INTO reports (reported_user_id, note) VALUES (2, 'n')"));

    /* int32 -> int64 */
    char *wide = with_key("int64");
    mt_write(schema, wide);
    free(wide);
    th_ok(sinew_migrate_make(dir, schema, "wide_key", &opts, &made));
    assert_non_null(made);
    char *sql = up_sql(made);
    the_keys_follow(db, sql);
    if (sinew_db_dialect(db)->fk_same_type) {
        /* the new table's key comes after the change: an INT key takes no BIGINT foreign key */
        const char *create = strstr(sql, "CREATE TABLE `tags`");
        assert_non_null(create);
        const char *end = strstr(create, ";\n");
        assert_non_null(end);
        const char *fk = strstr(create, "FOREIGN KEY");
        assert_true(!fk || fk > end);
        const char *add = strstr(sql, "ADD CONSTRAINT `tags_user_id_fkey` FOREIGN KEY");
        assert_non_null(add);
        assert_true(add > strstr(sql, "MODIFY COLUMN `id`"));
    }
    free(sql);
    sinew_migrate_free(made);
    if (th_is_citus()) {
        /* Citus refuses ALTER COLUMN ... TYPE on an identity column of a distributed table: the
           migration fails as a whole, names the statement, and leaves the tables and rows as they were */
        th_assert_status(sinew_migrate_up(db, dir), SINEW_ERROR, "involving identity column");
        mt_assert_rows(db, "SELECT u.name, p.title FROM posts p JOIN users u ON u.id = p.author_id ORDER BY p.title",
                       "ann|a\nbob|b\n");
        /* the key is still an int32 */
        assert_int_equal(sinew_exec(db, "INSERT INTO users (id, name) VALUES (3000000000, 'cy')"), SINEW_TYPE);
        th_close(db);
        return;
    }
    th_ok(sinew_migrate_up(db, dir));
    assert_int_equal(drift(db, dir), 0);
    mt_assert_rows(db, "SELECT u.name, p.title FROM posts p JOIN users u ON u.id = p.author_id ORDER BY p.title",
                   "ann|a\nbob|b\n");
    mt_assert_rows(db, "SELECT reported_user_id, note FROM reports", "2|n\n");
    /* the keys are back: a post of no user is refused, a user's delete cascades */
    assert_int_equal(sinew_exec(db, "INSERT INTO posts (author_id, title) VALUES (99, 'x')"), SINEW_CONSTRAINT);
    th_ok(sinew_exec(db, "DELETE FROM users WHERE id = 1"));
    mt_assert_rows(db, "SELECT title FROM posts", "b\n");
    /* a key past int32 with a post of its own (posts.author_id is the key's type everywhere) */
    th_ok(sinew_exec(db, "INSERT INTO users (id, name) VALUES (3000000000, 'cy')"));
    th_ok(sinew_exec(db, "INSERT INTO posts (author_id, title) VALUES (3000000000, 'c')"));
    th_ok(sinew_exec(db, "INSERT INTO tags (user_id, label) VALUES (3000000000, 't')"));
    assert_int_equal(sinew_exec(db, "INSERT INTO tags (user_id, label) VALUES (97, 'x')"), SINEW_CONSTRAINT);
    mt_assert_rows(db, "SELECT author_id FROM posts WHERE title = 'c'", "3000000000\n");
    th_ok(sinew_exec(db, "DELETE FROM users WHERE id = 3000000000"));

    /* and back: int64 -> int32 (narrowing, so destructive by the diff's rule), the tags table dropped
       (its key into users.id goes first) */
    mt_write(schema, schema_v1);
    assert_int_equal(sinew_migrate_make(dir, schema, "narrow_key", &opts, &made), SINEW_INVALID);
    opts.allow_destructive = 1;
    th_ok(sinew_migrate_make(dir, schema, "narrow_key", &opts, &made));
    assert_non_null(made);
    sql = up_sql(made);
    the_keys_follow(db, sql);
    free(sql);
    sinew_migrate_free(made);
    th_ok(sinew_migrate_up(db, dir));
    assert_int_equal(drift(db, dir), 0);
    mt_assert_rows(db, "SELECT p.title, r.note FROM posts p JOIN reports r ON r.reported_user_id = p.author_id",
                   "b|n\n");
    assert_int_equal(sinew_exec(db, "INSERT INTO reports (reported_user_id, note) VALUES (99, 'x')"),
                     SINEW_CONSTRAINT);

    /* the rollback of the last migration widens them all again and makes tags again, its key after */
    th_ok(sinew_migrate_down(db, dir, 2));
    assert_int_equal(sinew_exec(db, "INSERT INTO posts (author_id, title) VALUES (98, 'y')"), SINEW_CONSTRAINT);
    assert_int_equal(sinew_exec(db, "INSERT INTO tags (user_id, label) VALUES (98, 'y')"), SINEW_CONSTRAINT);
    th_ok(sinew_exec(db, "INSERT INTO users (id, name) VALUES (3000000001, 'dee')"));
    th_ok(sinew_exec(db, "INSERT INTO tags (user_id, label) VALUES (3000000001, 'big')"));
    th_ok(sinew_exec(db, "DELETE FROM users WHERE id = 3000000001"));   /* cascades to its tag */
    /* and the wide one's rollback: tags dropped with the key narrowed */
    th_ok(sinew_migrate_down(db, dir, 1));
    mt_assert_rows(db, "SELECT title FROM posts", "b\n");
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(changing_the_key_size_changes_its_foreign_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
