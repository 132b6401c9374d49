/*
 * test_safety.c - the runner refuses what it cannot do faithfully, on the
 * backend under test: a rebuild keeps an AUTOINCREMENT counter (an id used
 * and deleted is never handed out again), a missing migrations folder is
 * an error for up / down / status / check, and a NUL byte in a migration
 * file is refused with the file and position before anything runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "support.h"
#include "migrate/files.h"

static void write_mig(const char *dir, const char *name, const char *up, size_t uplen, const char *down)
{
    char p[1024], f[1200];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    mkdir(p, 0777);
    snprintf(f, sizeof f, "%s/up.sql", p);
    FILE *o = fopen(f, "wb");
    assert_non_null(o);
    fprintf(o, "-- sinew migration %s\n", name);
    fwrite(up, 1, uplen, o);
    fclose(o);
    snprintf(f, sizeof f, "%s/down.sql", p);
    o = fopen(f, "wb");
    assert_non_null(o);
    fprintf(o, "-- sinew migration %s\n%s", name, down);
    fclose(o);
}

static void test_rebuild_keeps_autoincrement(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    const char *dir = mt_dir("seq");
    sinew_schema *g1 = mt_graph("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT NOT NULL);");
    /* a column becoming nullable: SQLite's ALTER TABLE cannot, so this is a copy-and-swap rebuild */
    sinew_schema *g2 = mt_graph("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT);");
    char *c1 = NULL, *c2 = NULL;
    th_ok(sn_mig_make_from(dir, NULL, g1, "", "init", NULL, &c1));
    th_ok(sn_mig_make_from(dir, g1, g2, "", "nullable", NULL, &c2));
    if (!th_is_server()) {
        char f[1200];
        snprintf(f, sizeof f, "%s/up.sqlite.sql", c2);
        char *t = mt_read(f);
        assert_non_null(strstr(t, "DROP TABLE \"t\""));     /* it is a rebuild */
        free(t);
    }
    th_ok(sinew_migrate_up_to(db, dir, 1));
    th_ok(sinew_exec(db, "INSERT INTO t (a) VALUES ('1'), ('2'), ('3'), ('4')"));
    th_ok(sinew_exec(db, "DELETE FROM t WHERE id >= 3"));
    th_ok(sinew_migrate_up(db, dir));
    th_ok(sinew_exec(db, "INSERT INTO t (a) VALUES ('5')"));
    mt_assert_rows(db, "SELECT id, a FROM t ORDER BY id", "1|1\n2|2\n5|5\n");
    /* and back down (another rebuild), and an empty table keeps its counter too */
    th_ok(sinew_exec(db, "DELETE FROM t"));
    th_ok(sinew_migrate_down(db, dir, -1));
    th_ok(sinew_exec(db, "INSERT INTO t (a) VALUES ('6')"));
    mt_assert_rows(db, "SELECT id, a FROM t ORDER BY id", "6|6\n");
    free(c1);
    free(c2);
    sinew_schema_free(g1);
    sinew_schema_free(g2);
    th_close(db);
}

static void test_missing_folder_is_an_error(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    char missing[600];
    snprintf(missing, sizeof missing, "%s/no_such_migrations", th_tmpdir());
    th_assert_status(sinew_migrate_up(db, missing), SINEW_NOTFOUND, "does not exist");
    th_assert_status(sinew_migrate_down(db, missing, 0), SINEW_NOTFOUND, "no_such_migrations");
    sinew_migration_status *st;
    size_t n;
    th_assert_status(sinew_migrate_status(db, missing, &st, &n), SINEW_NOTFOUND, "does not exist");
    char *report;
    th_assert_status(sinew_migrate_check(db, missing, &report, &n), SINEW_NOTFOUND, "does not exist");
    /* nothing was written: not even the bookkeeping table */
    sinew_schema *live;
    th_ok(sinew_introspect(db, &live));
    assert_int_equal(live->nmodels, 0);
    sinew_schema_free(live);
    char *rows = mt_rows(db, th_is_postgres()
        ? "SELECT COUNT(*) FROM pg_tables WHERE tablename = 'sinew_migrations' AND schemaname = current_schema()"
        : th_is_mariadb() ? "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
                            "AND TABLE_NAME LIKE 'sinew_migrations%'"
        : "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sinew_migrations'");
    assert_string_equal(rows, "0\n");
    free(rows);
    /* a file in its place is no folder either */
    char file[700];
    snprintf(file, sizeof file, "%s/a_file", th_tmpdir());
    mt_write(file, "x");
    th_assert_status(sinew_migrate_up(db, file), SINEW_NOTFOUND, "not a directory");
    /* an empty folder is fine: nothing to apply */
    th_ok(sinew_migrate_up(db, mt_dir("empty")));
    th_close(db);
}

static void test_nul_byte_in_migration_is_refused(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    const char *dir = mt_dir("nul");
    static const char up[] = "CREATE TABLE a (id BIGINT PRIMARY KEY);\nCREATE TABLE b (id BIGINT);\0DROP TABLE a;\n";
    write_mig(dir, "0001_a", up, sizeof up - 1, "DROP TABLE b;\nDROP TABLE a;\n");
    th_assert_status(sinew_migrate_up(db, dir), SINEW_INVALID, "up.sql:3:28: error: the file holds a NUL byte");
    /* nothing ran */
    sinew_schema *live;
    th_ok(sinew_introspect(db, &live));
    assert_null(sinew_schema_find_table(live, "a"));
    assert_null(sinew_schema_find_table(live, "b"));
    sinew_schema_free(live);

    /* an applied migration edited after a NUL byte: refused, not taken as unchanged */
    const char *dir2 = mt_dir("nul2");
    static const char clean[] = "CREATE TABLE c (id BIGINT PRIMARY KEY);\n";
    write_mig(dir2, "0001_c", clean, sizeof clean - 1, "DROP TABLE c;\n");
    th_ok(sinew_migrate_up(db, dir2));
    static const char edited[] = "CREATE TABLE c (id BIGINT PRIMARY KEY);\n\0DROP TABLE victims;\n";
    write_mig(dir2, "0001_c", edited, sizeof edited - 1, "DROP TABLE c;\n");
    th_assert_status(sinew_migrate_up(db, dir2), SINEW_INVALID, "NUL byte");
    sinew_migration_status *st;
    size_t n;
    th_ok(sinew_migrate_status(db, dir2, &st, &n));
    assert_int_equal(n, 1);
    assert_true(st[0].modified);
    sinew_migrate_status_free(st, n);
    th_close(db);
}

static void test_folder_name_with_control_character(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    const char *dir = mt_dir("ctl");
    static const char up[] = "CREATE TABLE ok (id BIGINT PRIMARY KEY);\n";
    write_mig(dir, "0001_x\nDROP TABLE victims;", up, sizeof up - 1, "DROP TABLE ok;\n");
    th_assert_status(sinew_migrate_up(db, dir), SINEW_INVALID, "control character");
    assert_null(strchr(sinew_errmsg(), '\n'));
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rebuild_keeps_autoincrement),
        cmocka_unit_test(test_missing_folder_is_an_error),
        cmocka_unit_test(test_nul_byte_in_migration_is_refused),
        cmocka_unit_test(test_folder_name_with_control_character),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
