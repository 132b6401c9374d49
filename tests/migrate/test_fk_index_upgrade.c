/*
 * Foreign-key indexes reach existing databases (issue 17, item 5). A project
 * whose first migration was made before sinew indexed to-one foreign keys
 * (its SQL has no such index, its schema.sinew snapshot no marker line) is
 * up to date: `migrate check` reports no drift. The next `migrate make`
 * from the unchanged schema adds exactly the missing indexes; after `up`
 * the catalog has them and `migrate check` still reports no drift; `down`
 * drops them again (on MariaDB, whose InnoDB refuses to drop the last index
 * a foreign key uses, with the key dropped before and added again after). On every backend. The time of a cascading delete
 * before and after is printed (SQLite: a scan of the child table per
 * parent row without the index).
 */
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    size_t got = fread(p, 1, (size_t)n, f);
    p[got] = '\0';
    fclose(f);
    return p;
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

static int64_t has_index(sinew_db *db, const char *name)
{
    char sql[300];
    if (th_is_postgres()) snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM pg_indexes WHERE indexname = '%s'", name);
    else if (th_is_mariadb())
        snprintf(sql, sizeof sql, "SELECT COUNT(DISTINCT INDEX_NAME) FROM information_schema.STATISTICS "
                 "WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME = '%s'", name);
    else snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = '%s'", name);
    return scalar(db, sql);
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

/* seconds to delete one project whose issues and their comments cascade */
static double cascade_delete(sinew_db *db, int issues)
{
    th_ok(sinew_exec(db, "DELETE FROM projects"));
    th_ok(sinew_exec(db, "INSERT INTO projects (id, name) VALUES (1, 'p')"));
    char sql[400];
    if (th_is_postgres())
        snprintf(sql, sizeof sql, "INSERT INTO issues (id, project_id, title) SELECT n, 1, 't' FROM "
                 "generate_series(1, %d) AS g(n)", issues);
    else if (th_is_mariadb())   /* MariaDB stops a recursion at 1000 rows: a square of one */
        snprintf(sql, sizeof sql, "INSERT INTO issues (id, project_id, title) WITH RECURSIVE c(n) AS (SELECT 0 UNION "
                 "ALL SELECT n + 1 FROM c WHERE n < 999) SELECT a.n * 1000 + b.n + 1, 1, 't' FROM c a JOIN c b "
                 "WHERE a.n * 1000 + b.n < %d", issues);
    else
        snprintf(sql, sizeof sql, "INSERT INTO issues (id, project_id, title) WITH RECURSIVE c(n) AS (SELECT 1 UNION "
                 "ALL SELECT n + 1 FROM c WHERE n < %d) SELECT n, 1, 't' FROM c", issues);
    th_ok(sinew_exec(db, sql));
    th_ok(sinew_exec(db, "INSERT INTO comments (issue_id, body) SELECT id, 'c' FROM issues"));
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    th_ok(sinew_exec(db, "DELETE FROM projects WHERE id = 1"));
    clock_gettime(CLOCK_MONOTONIC, &b);
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM comments"), 0);
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

static const char *schema_text =
    "model Project {\n  id int64 @id @auto\n  name text\n  issues Issue[]\n}\n"
    "model Issue {\n  id int64 @id @auto\n  project Project @on_delete(cascade)\n  title text\n  comments Comment[]\n}\n"
    "model Comment {\n  id int64 @id @auto\n  issue Issue @on_delete(cascade)\n  body text\n}\n";

static void older_migrations_get_the_indexes(void **state)
{
    (void)state;
    char dir[600], schema[600], path[800];
    snprintf(dir, sizeof dir, "%s/fkmigs_%s", th_tmpdir(), th_backend());
    snprintf(schema, sizeof schema, "%s/fk_%s.sinew", th_tmpdir(), th_backend());
    /* what an older sinew wrote: the SQL without the foreign-key indexes ... */
    char *old = strdup(schema_text);
    sinew_make_opts opts = {0, 0};
    {
        char *noidx = malloc(strlen(schema_text) + 64);
        strcpy(noidx, schema_text);
        char *p = strstr(noidx, "@on_delete(cascade)\n  title");
        memmove(p + 10, p, strlen(p) + 1);
        memcpy(p, "@no_index ", 10);
        p = strstr(noidx, "Issue @on_delete(cascade)\n  body");
        memmove(p + 16, p + 6, strlen(p + 6) + 1);
        memcpy(p + 6, "@no_index ", 10);
        write_file(schema, noidx);
        free(noidx);
    }
    char *made = NULL;
    th_ok(sinew_migrate_make(dir, schema, "init", &opts, &made));
    assert_non_null(made);
    /* ... and the schema file itself as its snapshot, with no marker line */
    snprintf(path, sizeof path, "%s/schema.sinew", made);
    write_file(path, old);
    sinew_migrate_free(made);
    write_file(schema, old);

    sinew_db *db = th_open();
    th_ok(sinew_migrate_up(db, dir));
    assert_int_equal(has_index(db, "issues_project_id_idx"), 0);
    assert_int_equal(drift(db, dir), 0);   /* consistent with what those migrations built */
    double before = cascade_delete(db, 1500);

    th_ok(sinew_migrate_make(dir, schema, "fk_indexes", &opts, &made));
    assert_non_null(made);   /* the same schema: the new migration holds the indexes */
    char up[900];
    snprintf(up, sizeof up, "%s/up.%s.sql", made, th_backend());
    char *sql = read_file(up);
    assert_non_null(strstr(sql, "issues_project_id_idx"));
    assert_non_null(strstr(sql, "comments_issue_id_idx"));
    free(sql);
    /* the rollback drops the indexes; where the foreign key cannot lose its last index (InnoDB) it is
       dropped first and added again after each */
    snprintf(up, sizeof up, "%s/down.%s.sql", made, th_backend());
    sql = read_file(up);
    const char *drop_fk = strstr(sql, "DROP FOREIGN KEY `issues_project_id_fkey`");
    const char *drop_ix = strstr(sql, "issues_project_id_idx` ON");
    if (sinew_db_dialect(db)->fk_needs_index) {
        assert_non_null(drop_fk);
        assert_non_null(drop_ix);
        assert_true(drop_fk < drop_ix);
        assert_non_null(strstr(drop_ix, "ADD CONSTRAINT `issues_project_id_fkey` FOREIGN KEY (`project_id`)"));
    } else {
        assert_null(strstr(sql, "FOREIGN KEY"));
    }
    free(sql);
    snprintf(path, sizeof path, "%s/schema.sinew", made);
    char *snap = read_file(path);
    assert_true(strncmp(snap, "// sinew snapshot 2:", 20) == 0);
    free(snap);
    sinew_migrate_free(made);
    th_ok(sinew_migrate_up(db, dir));
    assert_int_equal(has_index(db, "issues_project_id_idx"), 1);
    assert_int_equal(has_index(db, "comments_issue_id_idx"), 1);
    assert_int_equal(drift(db, dir), 0);
    double after = cascade_delete(db, 1500);
    print_message("%s: deleting a project with 1500 issues and 1500 comments: %.1f ms without the foreign-key "
                  "indexes, %.1f ms with them\n", th_backend(), before * 1e3, after * 1e3);
    th_ok(sinew_migrate_make(dir, schema, "again", &opts, &made));
    assert_null(made);   /* nothing more to do */

    th_ok(sinew_migrate_down(db, dir, 1));
    assert_int_equal(has_index(db, "issues_project_id_idx"), 0);
    assert_int_equal(drift(db, dir), 0);
    th_close(db);
    free(old);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(older_migrations_get_the_indexes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
