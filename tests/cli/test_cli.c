/*
 * test_cli.c - the built `sinew` binary, run as a user would, on the
 * backend under test: its exit code, what it prints and what it leaves in
 * the database and on disk.
 *
 *   - numeric arguments are strict: `--to abc` is a usage error (exit 2)
 *     that touches nothing; rolling back everything takes `--to 0`;
 *   - up and down print each migration they apply or roll back, and say so
 *     when there is nothing to do; a missing migrations folder is an error;
 *   - commands that only read a database never create one;
 *   - unknown URL parameters are refused, listing the known ones;
 *   - `db pull` refuses names with control characters, naming table and column;
 *   - `db pull --check` compares the file it wrote with the database;
 *   - the reproduction of a column named "note\nDROP TABLE victims;\n".
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "support.h"
#include "cli_run.h"

static void expect_(const result *r, int want, const char *stream, const char *name, const char *needle, int line)
{
    if (r->code != want || (needle && !strstr(stream, needle)))
        fail_msg("line %d: exit %d (want %d), wanted \"%s\" in %s\nstdout:\n%s\nstderr:\n%s", line, r->code, want,
                 needle ? needle : "", name, r->out, r->err);
}
#define expect(r, want_code, stream, needle) expect_(&(r), want_code, (r).stream, #stream, needle, __LINE__)

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* What the test writes in each backend's own SQL or URL syntax: one row per backend, the test the same. */
typedef struct backend_text {
    const char *name;                 /* th_backend() */
    const char *has_migrations_table; /* counts sinew_migrations in the catalog */
    const char *known_param;          /* a parameter the unknown-parameter error lists */
    const char *bad_url, *bad_name;   /* a URL with a misspelt parameter, and that name as quoted */
    const char *good_param;           /* a known parameter that opens */
    const char *insert_row;           /* a row of defaults into victims */
} backend_text;

static const backend_text backends[] = {
    {"sqlite", "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sinew_migrations'", "busy_timeout",
     "sqlite::memory:?mode=rwc&busytimeout=5", "'busytimeout'", "busy_timeout=100",
     "INSERT INTO victims DEFAULT VALUES"},
    {"postgres",
     "SELECT COUNT(*) FROM pg_tables WHERE tablename = 'sinew_migrations' AND schemaname = current_schema()",
     "sslmode", "postgres://127.0.0.1:1/x?sslmode=disable&mdoe=1", "'mdoe'", "application_name=sinew_test",
     "INSERT INTO victims DEFAULT VALUES"},
    {"mariadb",
     "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'sinew_migrations' "
     "AND table_schema = DATABASE()",
     "ssl-mode", "mariadb://127.0.0.1:1/x?ssl-mode=DISABLED&mdoe=1", "'mdoe'", "connect_timeout=5",
     "INSERT INTO victims () VALUES ()"},   /* MariaDB has no DEFAULT VALUES */
};

static const backend_text *bt(void)
{
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
        if (strcmp(backends[i].name, th_backend()) == 0) return &backends[i];
    fail_msg("no backend_text row for %s", th_backend());
    return NULL;
}

/* The database the binary works on: a file for SQLite, the harness's fresh database on a server. */
typedef struct target {
    sinew_db *db;               /* the test's own connection to it */
    char url[1100];
} target;

static void target_open(target *t, const char *name)
{
    if (th_is_server()) {
        t->db = th_open();
        snprintf(t->url, sizeof t->url, "%s", th_last_url());
    } else {
        snprintf(t->url, sizeof t->url, "sqlite:%s/%s.db", th_tmpdir(), name);
        if (sinew_open(t->url, &t->db) != SINEW_OK) fail_msg("%s", sinew_errmsg());
    }
}

static void target_close(target *t) { th_close(t->db); }

static long applied(target *t)
{
    char *r = mt_rows(t->db, "SELECT COUNT(*) FROM sinew_migrations");
    long n = atol(r);
    free(r);
    return n;
}

static void write_mig(const char *dir, const char *name, const char *parent, const char *up, const char *down)
{
    char p[1024], f[1200], t[2048];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    mkdir(p, 0777);
    char hdr[300];
    snprintf(hdr, sizeof hdr, "-- sinew migration %s%s%s%s\n", name, parent ? " (parent " : "", parent ? parent : "",
             parent ? ")" : "");
    snprintf(f, sizeof f, "%s/up.sql", p);
    snprintf(t, sizeof t, "%s%s", hdr, up);
    mt_write(f, t);
    snprintf(f, sizeof f, "%s/down.sql", p);
    snprintf(t, sizeof t, "%s%s", hdr, down);
    mt_write(f, t);
}

static const char *two_migrations(const char *name)
{
    const char *dir = mt_dir(name);
    write_mig(dir, "0001_a", NULL, "CREATE TABLE a (id BIGINT PRIMARY KEY);\n", "DROP TABLE a;\n");
    write_mig(dir, "0002_b", "0001_a", "CREATE TABLE b (id BIGINT PRIMARY KEY);\n", "DROP TABLE b;\n");
    return dir;
}

static void test_to_is_strict(void **state)
{
    (void)state;
    target t;
    target_open(&t, "strict");
    const char *dir = two_migrations("strict");
    result r = sinew_run("migrate", "up", "--db", t.url, "--dir", dir, NULL);
    expect(r, 0, out, NULL);
    result_free(&r);
    assert_int_equal(applied(&t), 2);

    static const char *const bad[] = {"abc", "-1", "1x", "", " 1", "+1", "0x1", "99999999999999999999", "1.0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = sinew_run("migrate", "down", "--db", t.url, "--dir", dir, "--to", bad[i], NULL);
        expect(r, 2, err, "is not a migration number");
        result_free(&r);
        r = sinew_run("migrate", "up", "--db", t.url, "--dir", dir, "--to", bad[i], NULL);
        expect(r, 2, err, "is not a migration number");
        result_free(&r);
    }
    r = sinew_run("migrate", "down", "--db", t.url, "--dir", dir, "--to", NULL);
    expect(r, 2, err, "--to needs a value");
    result_free(&r);
    assert_int_equal(applied(&t), 2);                     /* nothing was touched */

    /* a number that names no migration is refused too, before anything runs */
    r = sinew_run("migrate", "up", "--db", t.url, "--dir", dir, NULL);
    expect(r, 0, out, "nothing to apply");
    result_free(&r);
    r = sinew_run("migrate", "down", "--db", t.url, "--dir", dir, "--to", "7", NULL);
    expect(r, 1, err, "no migration numbered 7");
    result_free(&r);
    assert_int_equal(applied(&t), 2);

    r = sinew_run("migrate", "down", "--db", t.url, "--dir", dir, NULL);   /* the newest one */
    expect(r, 0, out, "rolled back 0002_b (");
    assert_null(strstr(r.out, "0001_a"));
    result_free(&r);
    assert_int_equal(applied(&t), 1);
    r = sinew_run("migrate", "up", "--db", t.url, "--dir", dir, NULL);
    expect(r, 0, out, "applied 0002_b (");
    result_free(&r);
    r = sinew_run("migrate", "down", "--db", t.url, "--dir", dir, "--to", "0", NULL);   /* all, explicitly */
    expect(r, 0, out, "rolled back 0002_b (");
    expect(r, 0, out, "rolled back 0001_a (");
    result_free(&r);
    assert_int_equal(applied(&t), 0);
    r = sinew_run("migrate", "down", "--db", t.url, "--dir", dir, "--to", "0", NULL);
    expect(r, 0, out, "nothing to roll back");
    result_free(&r);
    r = sinew_run("migrate", "up", "--db", t.url, "--dir", dir, "--to", "1", NULL);
    expect(r, 0, out, "applied 0001_a (");
    assert_null(strstr(r.out, "0002_b"));
    result_free(&r);
    assert_int_equal(applied(&t), 1);
    target_close(&t);
}

static void test_missing_folder(void **state)
{
    (void)state;
    target t;
    target_open(&t, "nofolder");
    char missing[600];
    snprintf(missing, sizeof missing, "%s/no_such_dir", th_tmpdir());
    static const char *const subs[] = {"up", "down", "status", "check"};
    for (size_t i = 0; i < 4; i++) {
        result r = sinew_run("migrate", subs[i], "--db", t.url, "--dir", missing, NULL);
        expect(r, 1, err, "no_such_dir does not exist");
        result_free(&r);
    }
    result r = sinew_run("migrate", "renumber", "--dir", missing, NULL);
    expect(r, 1, err, "does not exist");
    result_free(&r);
    /* not even the bookkeeping table was made */
    char *n = mt_rows(t.db, bt()->has_migrations_table);
    assert_string_equal(n, "0\n");
    free(n);
    if (!th_is_server()) {   /* and `up` creates no database file (a server's database is never created) */
        char path[700], url[800];
        snprintf(path, sizeof path, "%s/never.db", th_tmpdir());
        snprintf(url, sizeof url, "sqlite:%s", path);
        r = sinew_run("migrate", "up", "--db", url, "--dir", missing, NULL);
        expect(r, 1, err, "does not exist");
        result_free(&r);
        assert_false(exists(path));
    }
    target_close(&t);
}

static void test_readers_create_no_database(void **state)
{
    (void)state;
    const char *dir = two_migrations("readers");
    char url[1200], path[700];
    target t = {0};
    if (th_is_server()) {
        /* the server's URL with a database name that does not exist */
        target_open(&t, "readers");
        snprintf(url, sizeof url, "%s", t.url);
        char *slash = strrchr(url, '/'), *q = strchr(url, '?');
        char tail[200] = "";
        if (q) snprintf(tail, sizeof tail, "%s", q);
        snprintf(slash + 1, sizeof url - (size_t)(slash + 1 - url), "sinew_no_such_db%s", tail);
        path[0] = '\0';
    } else {
        snprintf(path, sizeof path, "%s/missing.db", th_tmpdir());
        snprintf(url, sizeof url, "sqlite:%s", path);
    }
    char outfile[700];
    snprintf(outfile, sizeof outfile, "%s/pulled.sinew", th_tmpdir());
    result r = sinew_run("db", "pull", "--db", url, "-o", outfile, NULL);
    expect(r, 1, err, th_is_server() ? "sinew_no_such_db" : "does not exist");
    result_free(&r);
    assert_false(exists(outfile));
    r = sinew_run("diagram", "--db", url, NULL);
    expect(r, 1, err, th_is_server() ? "sinew_no_such_db" : "does not exist");
    result_free(&r);
    static const char *const subs[] = {"status", "check", "down"};
    for (size_t i = 0; i < 3; i++) {
        r = sinew_run("migrate", subs[i], "--db", url, "--dir", dir, NULL);
        expect(r, 1, err, th_is_server() ? "sinew_no_such_db" : "does not exist");
        result_free(&r);
    }
    if (!th_is_server()) {
        assert_false(exists(path));
        /* up may create it */
        r = sinew_run("migrate", "up", "--db", url, "--dir", dir, NULL);
        expect(r, 0, out, "applied 0002_b");
        result_free(&r);
        assert_true(exists(path));
        r = sinew_run("migrate", "status", "--db", url, "--dir", dir, NULL);
        expect(r, 0, out, "0002_b");
        result_free(&r);
    } else {
        target_close(&t);
    }
}

static void test_unknown_url_parameter(void **state)
{
    (void)state;
    target t;
    target_open(&t, "params");
    const char *dir = two_migrations("params");
    char url[1200];
    snprintf(url, sizeof url, "%s%cunknwon=1", t.url, strchr(t.url, '?') ? '&' : '?');
    result r = sinew_run("migrate", "status", "--db", url, "--dir", dir, NULL);
    expect(r, 1, err, "unknown parameter 'unknwon'");
    expect(r, 1, err, bt()->known_param);
    result_free(&r);
    /* the library says the same */
    sinew_db *db = NULL;
    th_assert_status(sinew_open(url, &db), SINEW_INVALID, "the known ones are");
    assert_non_null(strstr(sinew_last_error()->message, "statement_cache"));   /* sinew's own, too */
    assert_null(db);
    th_assert_status(sinew_open(bt()->bad_url, &db), SINEW_INVALID, bt()->bad_name);
    /* known ones still work */
    char ok[1200];
    snprintf(ok, sizeof ok, "%s%c%s", t.url, strchr(t.url, '?') ? '&' : '?',
             bt()->good_param);
    th_ok(sinew_open(ok, &db));
    sinew_close(db);
    target_close(&t);
}

static void test_pull_refuses_control_characters(void **state)
{
    (void)state;
    target t;
    target_open(&t, "pull");
    th_ok(sinew_exec(t.db, "CREATE TABLE fine (id BIGINT PRIMARY KEY, \"a\nb\" TEXT)"));
    th_ok(sinew_exec(t.db, "CREATE TABLE \"bad\ttable\" (id BIGINT PRIMARY KEY)"));
    char outfile[700];
    snprintf(outfile, sizeof outfile, "%s/pull.sinew", th_tmpdir());
    result r = sinew_run("db", "pull", "--db", t.url, "-o", outfile, NULL);
    expect(r, 1, err, "table \"fine\", column \"a\\nb\": the name holds a control character");
    expect(r, 1, err, "table \"bad\\ttable\": the name holds a control character");
    expect(r, 1, err, "nothing was written");
    result_free(&r);
    assert_false(exists(outfile));
    target_close(&t);
}

/*
 * `db pull --check`: the written file, read back, against the database by the
 * drift engine of `migrate check`. A plain database comes back exactly (exit
 * 0), and so does one with a named one-column index: the file keeps its name
 * (`@@index([title], name: "posts_by_title")`). Until db pull kept index
 * names, the printer wrote that index as @index, it came back under sinew's
 * default name, and --check reported it (exit 1).
 */
static void test_pull_check(void **state)
{
    (void)state;
    target t;
    target_open(&t, "pullcheck");
    th_ok(sinew_exec(t.db, "CREATE TABLE users (id BIGINT PRIMARY KEY, email TEXT NOT NULL UNIQUE, age BIGINT DEFAULT 3);"
                           "CREATE TABLE posts (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users (id) "
                           "ON DELETE CASCADE, title TEXT)"));
    char outfile[700];
    snprintf(outfile, sizeof outfile, "%s/pullcheck.sinew", th_tmpdir());
    result r = sinew_run("db", "pull", "--check", "--db", t.url, "-o", outfile, NULL);
    expect(r, 0, err, "describes the database exactly");
    result_free(&r);
    assert_true(exists(outfile));
    remove(outfile);
    th_ok(sinew_exec(t.db, "CREATE INDEX posts_by_title ON posts (title)"));
    r = sinew_run("db", "pull", "--check", "--db", t.url, "-o", outfile, NULL);
    expect(r, 0, err, "describes the database exactly");
    result_free(&r);
    char *text = slurp(outfile);
    assert_non_null(text);
    assert_non_null(strstr(text, "@@index([title], name: \"posts_by_title\")"));
    free(text);
    target_close(&t);
}

/*
 * The reproduction as written: a field @map("note\nDROP TABLE
 * victims;\n"), `migrate make`, `migrate up`. Either the schema checker
 * refuses the name (exit 1, nothing written) or the migration adds that
 * column; never is victims dropped.
 */
static void test_repro_comment_injection(void **state)
{
    (void)state;
    target t;
    target_open(&t, "repro");
    char a[700], b[700], dir[700];
    snprintf(a, sizeof a, "%s/a.sinew", th_tmpdir());
    snprintf(b, sizeof b, "%s/b.sinew", th_tmpdir());
    snprintf(dir, sizeof dir, "%s/repro_migrations", th_tmpdir());
    mt_write(a, "model Item {\n  id int64 @id @auto\n  name text\n}\n"
                "model Victim {\n  id int64 @id @auto\n  @@map(\"victims\")\n}\n");
    mt_write(b, "model Item {\n  id int64 @id @auto\n  name text\n  note text? @map(\"note\\nDROP TABLE victims;\\n\")\n}\n"
                "model Victim {\n  id int64 @id @auto\n  @@map(\"victims\")\n}\n");
    result r = sinew_run("migrate", "make", "init", "--schema", a, "--dir", dir, NULL);
    expect(r, 0, out, "created");
    result_free(&r);
    r = sinew_run("migrate", "up", "--db", t.url, "--dir", dir, NULL);
    expect(r, 0, out, NULL);
    result_free(&r);
    th_ok(sinew_exec(t.db, bt()->insert_row));
    r = sinew_run("migrate", "make", "note", "--schema", b, "--dir", dir, NULL);
    int made = r.code == 0, escaped = 0;
    if (made) {
        char f[900];
        snprintf(f, sizeof f, "%s/0002_note/up.%s.sql", dir, th_backend());
        char *text = mt_read(f);
        escaped = strstr(text, "-- add column items.note\\nDROP TABLE victims;\\n\n") != NULL;
        free(text);
        result_free(&r);
        r = sinew_run("migrate", "up", "--db", t.url, "--dir", dir, NULL);
        expect(r, 0, out, NULL);
    } else {
        expect(r, 1, err, "note");       /* refused by the checker, naming the field */
        char f[900];
        snprintf(f, sizeof f, "%s/0002_note", dir);
        assert_false(exists(f));
    }
    result_free(&r);
    mt_assert_rows(t.db, "SELECT COUNT(*) FROM victims", "1\n");
    if (made) assert_true(escaped);
    target_close(&t);
}

static void test_usage_errors_exit_2(void **state)
{
    (void)state;
    result r = sinew_run("migrate", "sideways", NULL);
    expect(r, 2, err, "unknown subcommand 'sideways'");
    result_free(&r);
    r = sinew_run("no-such-command", NULL);
    expect(r, 2, err, "unknown command");
    result_free(&r);
    r = sinew_run("migrate", "status", "--dir", "x", "--to", "1", "--db", "sqlite::memory:", NULL);
    expect(r, 2, err, "--to applies to up, down and baseline only");
    result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_to_is_strict),
        cmocka_unit_test(test_missing_folder),
        cmocka_unit_test(test_readers_create_no_database),
        cmocka_unit_test(test_unknown_url_parameter),
        cmocka_unit_test(test_pull_refuses_control_characters),
        cmocka_unit_test(test_pull_check),
        cmocka_unit_test(test_repro_comment_injection),
        cmocka_unit_test(test_usage_errors_exit_2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
