/*
 * test_adopt.c - adopting sinew on databases nobody here wrote (tests/data):
 * the whole path a user takes, with the built `sinew` binary, on the backend
 * under test. For each database: `db pull` -> `check` passes on the file as
 * pulled -> `generate` -> the generated C compiles with -Wall -Wextra
 * -Werror, and a program built on it counts, lists and loads by key every
 * model -> `migrate make init` -> `migrate baseline` (refused on any
 * drift) -> `migrate check` reports no drift -> `diagram --db` draws it.
 * SQLite: Chinook and Sakila (files copied first); PostgreSQL: Chinook,
 * Sakila (schema) and Northwind, loaded from their scripts; MediaWiki's
 * 58-table schema on both.
 *
 * Also: `db pull --schema NAME` (PostgreSQL) reads other schemas than public;
 * `db pull` warns once per lossy mapping (views, partial and
 * expression indexes, generated columns, enum types, arrays, ...), and
 * `migrate baseline` refuses a database that differs from the schema,
 * recording nothing.
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

static void expect_(const result *r, int want, const char *stream, const char *needle, const char *step,
                    const char *db, int line)
{
    if (r->code != want || (needle && !strstr(stream, needle)))
        fail_msg("line %d, %s, %s: exit %d (want %d), wanted \"%s\"\nstdout:\n%.4000s\nstderr:\n%.4000s", line, db,
                 step, r->code, want, needle ? needle : "", r->out, r->err);
}
#define expect(r, code, stream, needle, step) expect_(&(r), code, (r).stream, needle, step, name, __LINE__)

/*
 * The program a user would write first: every model of the generated code
 * counted, listed (the list as long as the count) and its first row loaded
 * again by its key in a fresh session (integer and text keys), and every
 * relation of that first row followed by lazy loading (what the generated
 * <model>_<relation>() accessors call): a required to-one must find its row.
 */
static const char reader_src[] =
    "#include <stdint.h>\n#include <stdio.h>\n#include \"sinew/sinew.h\"\n#include SCHEMA_H\n"
    "static int key_of(const sinew_model *m, const void *o, sinew_value *k)\n{\n"
    "    if (!m->npk || m->npk > 16) return 0;\n"
    "    for (size_t i = 0; i < m->npk; i++) {\n"
    "        const sinew_field *f = &m->fields[m->pk[i]];\n"
    "        const char *p = (const char *)o + f->offset;\n"
    "        if (f->type == SINEW_INT32) k[i] = sinew_v_int32(*(const int32_t *)(const void *)p);\n"
    "        else if (f->type == SINEW_INT64) k[i] = sinew_v_int64(*(const int64_t *)(const void *)p);\n"
    "        else if (f->type == SINEW_TEXT) k[i] = sinew_v_text(*(char *const *)(const void *)p);\n"
    "        else return 0;\n"
    "    }\n    return 1;\n}\n"
    "int main(int argc, char **argv)\n{\n"
    "    sinew_db *db;\n    int bad = 0;\n    size_t followed = 0, possible = 0;\n    (void)argc;\n"
    "    if (sinew_open(argv[1], &db)) { fprintf(stderr, \"open: %s\\n\", sinew_errmsg()); return 1; }\n"
    "    const sinew_schema *s = &SCHEMA;\n"
    "    for (size_t i = 0; i < s->nmodels; i++) {\n"
    "        const sinew_model *m = s->models[i];\n"
    "        if (m->flags & SINEW_MODEL_JOIN) continue;\n"
    "        sinew_session *ss, *again;\n"
    "        int64_t n = -1;\n"
    "        if (sinew_session_new(db, &ss) || sinew_session_new(db, &again)) return 1;\n"
    "        if (sinew_count(ss, m, &n)) { fprintf(stderr, \"%s: count: %s\\n\", m->name, sinew_errmsg()); bad = 1; }\n"
    "        sinew_query *q = sinew_query_new(ss, m);\n"
    "        sinew_list l = {0};\n"
    "        if (!q || sinew_all(q, &l)) { fprintf(stderr, \"%s: list: %s\\n\", m->name, sinew_errmsg()); bad = 1; }\n"
    "        else if ((int64_t)l.count != n) { fprintf(stderr, \"%s: %zu listed, %lld counted\\n\", m->name, l.count, (long long)n); bad = 1; }\n"
    "        else if (l.count) {\n"
    "            sinew_value k[16];\n"
    "            void *o = NULL;\n"
    "            if (key_of(m, l.items[0], k) && (sinew_get(again, m, k, m->npk, &o) || !o)) {\n"
    "                fprintf(stderr, \"%s: load by key: %s\\n\", m->name, sinew_errmsg());\n"
    "                bad = 1;\n"
    "            }\n"
    /* every relation of the first row, lazily: a required to-one must find its row (the foreign key holds) */
    "            possible += m->nrelations;\n"
    "            for (size_t r = 0; r < m->nrelations; r++) {\n"
    "                const sinew_relation *rel = &m->relations[r];\n"
    "                int rc;\n"
    "                if (rel->kind == SINEW_BELONGS_TO || rel->kind == SINEW_HAS_ONE) {\n"
    "                    void *t = NULL;\n"
    "                    rc = sinew_load_one(ss, rel, l.items[0], &t);\n"
    "                    if (!rc && !t && rel->kind == SINEW_BELONGS_TO && !rel->optional) {\n"
    "                        fprintf(stderr, \"%s.%s: the required %s is not found\\n\", m->name, rel->name, rel->target->name);\n"
    "                        bad = 1;\n"
    "                    }\n"
    "                } else {\n"
    "                    sinew_list many = {0};\n"
    "                    rc = sinew_load_many(ss, rel, l.items[0], &many);\n"
    "                }\n"
    "                if (rc) { fprintf(stderr, \"%s.%s: follow: %s\\n\", m->name, rel->name, sinew_errmsg()); bad = 1; }\n"
    "                else followed++;\n"
    "            }\n"
    "        }\n"
    "        printf(\"%s %lld\\n\", m->name, (long long)n);\n"
    "        sinew_query_free(q);\n"
    "        sinew_session_free(again);\n"
    "        sinew_session_free(ss);\n"
    "    }\n"
    "    printf(\"followed %zu of %zu relations\\n\", followed, possible);\n"
    "    sinew_close(db);\n    return bad;\n}\n";

/* Compile the generated code with the reader and run it on the database. */
static void read_every_model(const char *name, const char *gen, const char *url)
{
    char rpath[800], exe[800], schema_h[800], schema_def[300], ig[720], inc[700], gsrc[800], libdir[800], rp[820];
    snprintf(rpath, sizeof rpath, "%s/reader.c", gen);
    snprintf(exe, sizeof exe, "%s/reader", gen);
    snprintf(gsrc, sizeof gsrc, "%s/%s.c", gen, name);
    snprintf(schema_h, sizeof schema_h, "-DSCHEMA_H=\"%s.h\"", name);
    snprintf(schema_def, sizeof schema_def, "-DSCHEMA=%s_schema", name);
    snprintf(ig, sizeof ig, "-I%s", gen);
    snprintf(inc, sizeof inc, "-I%s/include", SINEW_SOURCE_DIR);
    snprintf(libdir, sizeof libdir, "%s", SINEW_SHARED_LIB);
    char *slash = strrchr(libdir, '/');
    assert_non_null(slash);
    *slash = '\0';
    char ldir[820];
    snprintf(ldir, sizeof ldir, "-L%s", libdir);
    snprintf(rp, sizeof rp, "-Wl,-rpath,%s", libdir);
    mt_write(rpath, reader_src);
    const char *san = SINEW_TEST_SANITIZE[0] ? SINEW_TEST_SANITIZE : "-DSINEW_NO_SANITIZE";
    const char *cc[] = {SINEW_TEST_CC, "-std=c11", "-Wall", "-Wextra", "-Werror", san, inc, ig, schema_h, schema_def,
                        rpath, gsrc, "-o", exe, ldir, rp, "-lsinew", NULL};
    result r = run_argv(cc);
    expect(r, 0, err, NULL, "compile and link the generated C with a reader");
    result_free(&r);
    const char *run[] = {exe, url, NULL};
    r = run_argv(run);
    expect(r, 0, err, NULL, "count, list and load by key every model, and follow its relations");
    if (!strchr(r.out, '\n')) fail_msg("%s: the reader read no model:\n%s", name, r.err);
    /* every relation of every model that has a row (MediaWiki declares no foreign keys; a schema
     * pulled without its data has no row to start from) */
    size_t nf = 0, np = 0;
    const char *fl = strstr(r.out, "followed ");
    if (!fl || sscanf(fl, "followed %zu of %zu", &nf, &np) != 2 || nf != np)
        fail_msg("%s: the reader did not follow every relation:\n%s", name, r.out);
    if (!strcmp(name, "chinook") && !nf) fail_msg("%s: the reader followed no relation:\n%s", name, r.out);
    result_free(&r);
}

/* The pipeline on one database at url; name labels the files and the messages. */
/* pipeline() of the tables in the PostgreSQL schemas `schemas` (NULL-terminated; NULL: the search
 * path's): pulled with --schema each, so the models carry @@schema */
static void pipeline_in(const char *name, const char *url, const char *const *schemas)
{
    char file[700], gen[700], dir[700], obj[800], src[800], inc[700];
    snprintf(file, sizeof file, "%s/%s.sinew", th_tmpdir(), name);
    snprintf(gen, sizeof gen, "%s/%s_gen", th_tmpdir(), name);
    snprintf(dir, sizeof dir, "%s/%s_migrations", th_tmpdir(), name);
    snprintf(obj, sizeof obj, "%s/%s.o", gen, name);
    snprintf(src, sizeof src, "%s/%s.c", gen, name);
    snprintf(inc, sizeof inc, "-I%s/include", SINEW_SOURCE_DIR);
    const char *pull[32] = {SINEW_CLI, "db", "pull", "--db", url, "-o", file};
    int np = 7;
    for (size_t i = 0; schemas && schemas[i] && np < 29; i++) {
        pull[np++] = "--schema";
        pull[np++] = schemas[i];
    }
    pull[np] = NULL;
    result r = run_argv(pull);
    expect(r, 0, out, NULL, "db pull");
    result_free(&r);
    r = sinew_run("check", file, NULL);
    expect(r, 0, out, ": ok", "check (the file as pulled)");
    result_free(&r);
    r = sinew_run("generate", file, "-o", gen, "--name", name, NULL);
    expect(r, 0, out, NULL, "generate");
    result_free(&r);
    char ig[720];
    snprintf(ig, sizeof ig, "-I%s", gen);
    const char *cc[] = {SINEW_TEST_CC, "-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Werror", inc, ig, "-c", src,
                        "-o", obj, NULL};
    r = run_argv(cc);
    expect(r, 0, err, NULL, "compile the generated C");
    result_free(&r);
    read_every_model(name, gen, url);
    r = sinew_run("migrate", "make", "init", "--schema", file, "--dir", dir, "--dialect", th_backend(), NULL);
    expect(r, 0, out, "created", "migrate make");
    result_free(&r);
    r = sinew_run("migrate", "baseline", "--db", url, "--dir", dir, NULL);
    expect(r, 0, out, "recorded 0001_init as applied (not run)", "migrate baseline (no drift)");
    result_free(&r);
    r = sinew_run("migrate", "check", "--db", url, "--dir", dir, NULL);
    expect(r, 0, out, "no drift", "migrate check");
    result_free(&r);
    /* the live database drawn (with the file: the schemas it names, its drift shown) */
    r = schemas ? sinew_run("diagram", file, "--db", url, NULL) : sinew_run("diagram", "--db", url, NULL);
    expect(r, 0, out, NULL, "diagram --db");
    result_free(&r);
}

static void pipeline(const char *name, const char *url)
{
    pipeline_in(name, url, NULL);
}

static void copy_file(const char *from, const char *to)
{
    char *t = NULL;
    FILE *f = fopen(from, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    t = malloc((size_t)n);
    assert_true(fread(t, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    FILE *o = fopen(to, "wb");
    assert_non_null(o);
    assert_true(fwrite(t, 1, (size_t)n, o) == (size_t)n);
    fclose(o);
    free(t);
}

static void sqlite_pipeline(const char *name, const char *rel)
{
    char from[700], to[700], url[800];
    snprintf(from, sizeof from, "%s/%s", SINEW_DATA_DIR, rel);
    snprintf(to, sizeof to, "%s/%s.db", th_tmpdir(), name);
    copy_file(from, to);
    snprintf(url, sizeof url, "sqlite:%s", to);
    pipeline(name, url);
}

/* A PostgreSQL database of the test's own, filled by a script (from the line after `skip_to`). */
static void pg_pipeline(const char *name, const char *rel, const char *skip_to)
{
    sinew_db *db = th_open();
    char path[700], url[1100];
    snprintf(url, sizeof url, "%s", th_last_url());
    snprintf(path, sizeof path, "%s/%s", SINEW_DATA_DIR, rel);
    char *sql = mt_read(path);
    const char *start = sql;
    if (skip_to) {
        const char *p = strstr(sql, skip_to);
        assert_non_null(p);
        start = strchr(p, '\n') + 1;
    }
    th_ok(sinew_exec(db, start));
    free(sql);
    pipeline(name, url);
    th_close(db);
}

/*
 * A MariaDB database of the test's own, filled the way a user would: the script fed to the
 * `mariadb` client (it has DELIMITER blocks for triggers and routines, which only the client
 * understands), without the script's own DROP/CREATE DATABASE and USE lines (`drop_lines`:
 * they are blanked: everything else goes into the test's database, the SET lines around it included).
 */
static void my_pipeline(const char *name, const char *rel, const char *const *drop_lines, const char *own_db)
{
    sinew_db *db = th_open();
    char path[700], url[1100], script[700];
    snprintf(url, sizeof url, "%s", th_last_url());
    if (own_db) {
        /* the script makes its database itself (its views name it): the URL names that one */
        char *slash = strrchr(url, '/');
        assert_non_null(slash);
        snprintf(slash + 1, sizeof url - (size_t)(slash + 1 - url), "%s", own_db);
    }
    snprintf(path, sizeof path, "%s/%s", SINEW_DATA_DIR, rel);
    snprintf(script, sizeof script, "%s/%s.mariadb.sql", th_tmpdir(), name);
    char *sql = mt_read(path);
    for (size_t i = 0; drop_lines[i]; i++) {      /* blanked: same length, the line numbers stay */
        char *p = strstr(sql, drop_lines[i]);
        assert_non_null(p);
        memset(p, ' ', strlen(drop_lines[i]));
    }
    mt_write(script, sql);
    free(sql);
    sinew_url *u;
    th_ok(sinew_url_parse(th_last_url(), &u));      /* the client starts in the test's own database */
    char host[300], port[32], user[300], pw[300];
    snprintf(host, sizeof host, "--host=%s", u->host ? u->host : "127.0.0.1");
    snprintf(port, sizeof port, "--port=%d", u->port ? u->port : 3306);
    snprintf(user, sizeof user, "--user=%s", u->user ? u->user : "root");
    snprintf(pw, sizeof pw, "--password=%s", u->password ? u->password : "");
    char dbname[300];
    snprintf(dbname, sizeof dbname, "--database=%s", u->path ? u->path : "");
    sinew_url_free(u);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int in = open(script, O_RDONLY);
        if (in < 0) _exit(127);
        dup2(in, 0);
        execlp("mariadb", "mariadb", "--no-defaults", "--protocol=tcp", host, port, user, pw, dbname,
               "--default-character-set=utf8mb4", (char *)NULL);
        execlp("mysql", "mysql", "--no-defaults", "--protocol=tcp", host, port, user, pw, dbname, (char *)NULL);
        _exit(127);
    }
    int st;
    assert_true(waitpid(pid, &st, 0) == pid);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) fail_msg("the mariadb client could not load %s", path);
    pipeline(name, url);
    if (own_db) {
        char drop[400];
        snprintf(drop, sizeof drop, "DROP DATABASE `%s`", own_db);
        th_ok(sinew_exec(db, drop));
    }
    th_close(db);
}

static void test_chinook(void **state)
{
    (void)state;
    static const char *const own_db[] = {"DROP DATABASE IF EXISTS `Chinook`;", "CREATE DATABASE `Chinook`;",
                                         "USE `Chinook`;", NULL};
    if (th_is_mariadb()) my_pipeline("chinook", "chinook/Chinook_MySql.sql", own_db, NULL);
    else if (th_is_postgres()) pg_pipeline("chinook", "chinook/Chinook_PostgreSql.sql", "\\c chinook;");
    else sqlite_pipeline("chinook", "chinook/Chinook_Sqlite.sqlite");
}

static void test_sakila(void **state)
{
    (void)state;
    /* the script as it is: its views name the database `sakila` */
    static const char *const nothing[] = {NULL};
    if (th_is_mariadb()) my_pipeline("sakila", "sakila/mysql-sakila-schema.sql", nothing, "sakila");
    else if (th_is_postgres()) pg_pipeline("sakila", "sakila/postgres-sakila-schema.sql", NULL);
    else sqlite_pipeline("sakila", "sakila/sakila.sqlite");
}

static void test_northwind(void **state)
{
    (void)state;
    if (!th_is_postgres()) skip();     /* Northwind is a PostgreSQL script */
    pg_pipeline("northwind", "northwind/northwind.sql", NULL);
}

/* A real application's schema of 58 tables (MediaWiki 1.39, empty), from its own scripts. */
/*
 * AdventureWorks (Microsoft's sample, PostgreSQL port; tests/data/README.md): 68 tables and their
 * views in five schemas, none of them `public`, keys across schemas. Pulled with --schema for each,
 * so every model carries @@schema; then the whole pipeline. The port is PostgreSQL's only (schemas,
 * domains, uuid-ossp): the other backends have no such database to adopt.
 */
static void test_adventureworks(void **state)
{
    (void)state;
    if (!th_is_postgres()) return;
    static const char *const schemas[] = {"person", "humanresources", "production", "purchasing", "sales", NULL};
    sinew_db *db = th_open();
    char path[700], url[1100];
    snprintf(url, sizeof url, "%s", th_last_url());
    snprintf(path, sizeof path, "%s/adventureworks/postgres-schema.sql", SINEW_DATA_DIR);
    char *sql = mt_read(path);
    th_ok(sinew_exec(db, sql));
    free(sql);
    pipeline_in("adventureworks", url, schemas);
    char file[700];
    snprintf(file, sizeof file, "%s/adventureworks.sinew", th_tmpdir());
    char *text = mt_read(file);
    assert_non_null(strstr(text, "@@schema(\"humanresources\")"));
    assert_non_null(strstr(text, "@@schema(\"sales\")"));
    free(text);
    th_close(db);
}

static void test_mediawiki(void **state)
{
    (void)state;
    if (th_is_postgres()) {
        pg_pipeline("mediawiki", "mediawiki/postgres-tables-generated.sql", NULL);
        return;
    }
    char path[700], url[800], file[700];
    snprintf(path, sizeof path, "%s/mediawiki/sqlite-tables-generated.sql", SINEW_DATA_DIR);
    snprintf(file, sizeof file, "%s/mediawiki.db", th_tmpdir());
    unlink(file);
    snprintf(url, sizeof url, "sqlite:%s", file);
    sinew_db *db;
    th_ok(sinew_open(url, &db));
    char *sql = mt_read(path);
    th_ok(sinew_exec(db, sql));
    free(sql);
    sinew_close(db);
    pipeline("mediawiki", url);
}

/* One warning per lossy mapping, naming table and column; the file still checks. */
static void test_pull_warns(void **state)
{
    (void)state;
    sinew_db *db;
    char url[1100];
    if (th_is_postgres()) {
        db = th_open();
        snprintf(url, sizeof url, "%s", th_last_url());
        th_ok(sinew_exec(db, "CREATE TYPE mood AS ENUM ('sad', 'ok');"
                             "CREATE TABLE t (id int PRIMARY KEY, m mood NOT NULL, tags text[], doc tsvector, "
                             "n int, twice int GENERATED ALWAYS AS (n * 2) STORED, gone timestamp);"
                             "CREATE UNIQUE INDEX t_live ON t (n) WHERE gone IS NULL;"
                             "CREATE INDEX t_lower ON t ((n + 1));"
                             "CREATE VIEW v AS SELECT id FROM t;"));
    } else {
        snprintf(url, sizeof url, "sqlite:%s/warns.db", th_tmpdir());
        unlink(url + 7);
        th_ok(sinew_open(url, &db));
        th_ok(sinew_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, n INT, gone TEXT, "
                             "twice INT GENERATED ALWAYS AS (n * 2) STORED, CHECK (n > 0))"));
        th_ok(sinew_exec(db, "CREATE UNIQUE INDEX t_live ON t (n) WHERE gone IS NULL"));
        th_ok(sinew_exec(db, "CREATE INDEX t_lower ON t (lower(gone))"));
        th_ok(sinew_exec(db, "CREATE VIEW v AS SELECT id FROM t"));
    }
    char file[700];
    const char *name = "warns";
    snprintf(file, sizeof file, "%s/warns.sinew", th_tmpdir());
    result r = sinew_run("db", "pull", "--db", url, "-o", file, NULL);
    expect(r, 0, err, "warning: table v: a view, pulled as a read-only @@view model", "pull");
    expect(r, 0, err, "index t_lower", "pull");
    expect(r, 0, err, "not pulled (drift does not see it)", "pull");
    if (th_is_postgres()) {
        expect(r, 0, err, "table t, column m: the PostgreSQL enum type mood is pulled as an enum", "pull");
        expect(r, 0, err, "table t, column tags: the array type text[]", "pull");
        expect(r, 0, err, "table t, column doc: the type tsvector has no sinew equivalent", "pull");
    }
    result_free(&r);
    char *text = mt_read(file);
    /* no longer lossy: the generated column is @generated (never written), the CHECK an @@check */
    if (!strstr(text, "twice") || !strstr(text, "@generated(\""))
        fail_msg("the generated column is not @generated:\n%s", text);
    if (!th_is_postgres() && !strstr(text, "@@check(\"n > 0\")")) fail_msg("the CHECK is not pulled:\n%s", text);
    /* on PostgreSQL the nullable timestamp "gone" that the only unique index is partial on reads as
       @@soft_delete(gone), and the index then as what the resolver writes for it (introspect_soft.c);
       SQLite's column is TEXT under an unquoted predicate, which is not sinew's form: kept as it is */
    if (th_is_postgres()) {
        if (!strstr(text, "@@soft_delete(gone)") || !strstr(text, "@@unique([n], name: \"t_live\")"))
            fail_msg("the soft-delete table is not pulled as @@soft_delete:\n%s", text);
    } else if (!strstr(text, "@@unique([n], name: \"t_live\", where: ")) {
        fail_msg("the partial index is not pulled:\n%s", text);
    }
    if (!strstr(text, "/// db pull: ")) fail_msg("no /// db pull: comment in\n%s", text);
    if (th_is_postgres() && (!strstr(text, "@db_type(\"mood\")") || !strstr(text, "enum Mood {")))
        fail_msg("the enum type is not kept:\n%s", text);
    free(text);
    r = sinew_run("check", file, NULL);
    expect(r, 0, out, ": ok", "check");
    result_free(&r);
    th_close(db);
}

/* baseline refuses a database that is not what the migration describes, and records nothing */
static void test_baseline_refuses_drift(void **state)
{
    (void)state;
    sinew_db *db;
    char url[1100];
    const char *name = "baseline";
    if (th_is_postgres()) {
        db = th_open();
        snprintf(url, sizeof url, "%s", th_last_url());
    } else {
        snprintf(url, sizeof url, "sqlite:%s/baseline.db", th_tmpdir());
        unlink(url + 7);
        th_ok(sinew_open(url, &db));
    }
    th_ok(sinew_exec(db, "CREATE TABLE items (id BIGINT PRIMARY KEY, name TEXT NOT NULL)"));
    char schema[700], dir[700];
    snprintf(schema, sizeof schema, "%s/baseline.sinew", th_tmpdir());
    snprintf(dir, sizeof dir, "%s/baseline_migrations", th_tmpdir());
    mt_write(schema, "model Item {\n  id int64 @id\n  name text\n  price decimal\n  @@map(\"items\")\n}\n");
    result r = sinew_run("migrate", "make", "init", "--schema", schema, "--dir", dir, "--dialect", th_backend(), NULL);
    expect(r, 0, out, "created", "make");
    result_free(&r);
    /* status and check only read: on a database with no migrations table they say so, and make none */
    r = sinew_run("migrate", "status", "--db", url, "--dir", dir, NULL);
    expect(r, 0, out, "no migrations recorded in the database", "status before any migration");
    result_free(&r);
    r = sinew_run("migrate", "check", "--db", url, "--dir", dir, NULL);
    expect(r, 1, out, "no migrations recorded", "check before any migration");
    expect(r, 1, out, "table items: in the database but not in the schema", "check before any migration");
    result_free(&r);
    assert_int_not_equal(sinew_exec(db, "SELECT count(*) FROM sinew_migrations"), SINEW_OK);
    r = sinew_run("migrate", "baseline", "--db", url, "--dir", dir, NULL);
    expect(r, 1, err, "column price is missing from the database", "baseline");
    expect(r, 1, err, "nothing was recorded", "baseline");
    result_free(&r);
    r = sinew_run("migrate", "status", "--db", url, "--dir", dir, NULL);
    expect(r, 0, out, "pending", "status after the refused baseline");
    result_free(&r);
    /* once the database has it, the migration is recorded and not run (running it would fail: items exists) */
    th_ok(sinew_exec(db, th_is_postgres() ? "ALTER TABLE items ADD COLUMN price numeric NOT NULL"
                                          : "ALTER TABLE items ADD COLUMN price TEXT NOT NULL DEFAULT ''"));
    if (!th_is_postgres()) {
        /* SQLite cannot drop a default by ALTER: rebuild the table as the schema has it */
        th_ok(sinew_exec(db, "DROP TABLE items"));
        th_ok(sinew_exec(db, "CREATE TABLE items (id INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, price TEXT NOT NULL)"));
    }
    r = sinew_run("migrate", "baseline", "--db", url, "--dir", dir, NULL);
    expect(r, 0, out, "recorded 0001_init as applied (not run)", "baseline");
    result_free(&r);
    r = sinew_run("migrate", "status", "--db", url, "--dir", dir, NULL);
    expect(r, 0, out, "applied", "status");
    result_free(&r);
    /* a second baseline is refused: the database is already migrated */
    r = sinew_run("migrate", "baseline", "--db", url, "--dir", dir, NULL);
    expect(r, 1, err, "already has 1 applied migration", "baseline again");
    result_free(&r);
    th_close(db);
}

/*
 * Schemas other than the connection's own: --schema NAME (several allowed). PostgreSQL: schemas
 * beside public; MariaDB: databases beside the connection's (a schema is a database there, named
 * sn_pull_* so no other test's meet them). SQLite refuses it.
 */
static void test_pull_schema(void **state)
{
    (void)state;
    const char *name = "schema";
    char file[700];
    snprintf(file, sizeof file, "%s/schema.sinew", th_tmpdir());
    unlink(file);
    if (!th_is_server()) {
        char url[800];
        snprintf(url, sizeof url, "sqlite:%s/schema.db", th_tmpdir());
        sinew_db *db;
        th_ok(sinew_open(url, &db));
        th_ok(sinew_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY)"));
        sinew_close(db);
        result r = sinew_run("db", "pull", "--db", url, "--schema", "app", "-o", file, NULL);
        expect(r, 1, err, "has no named schemas", "pull --schema on SQLite");
        result_free(&r);
        assert_int_equal(access(file, F_OK), -1);
        return;
    }
    int my = th_is_mariadb();
    const char *A = my ? "sn_pull_app" : "app", *B = my ? "sn_pull_audit" : "audit";
    sinew_db *db = th_open();
    char url[1100], app[1200], sql[2000], want[300], want2[300];
    snprintf(url, sizeof url, "%s", th_last_url());
    /* a connection whose own schema is app: PostgreSQL's search path, MariaDB's database in the URL */
    if (my) {
        const char *host = strstr(url, "://");
        const char *db_at = host ? strchr(host + 3, '/') : NULL;
        assert_non_null(db_at);
        const char *rest = strchr(db_at, '?');
        snprintf(app, sizeof app, "%.*s/%s%s", (int)(db_at - url), url, A, rest ? rest : "");
    } else snprintf(app, sizeof app, "%s%coptions=-csearch_path%%3Dapp", url, strchr(url, '?') ? '&' : '?');
    if (my) {
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s; DROP DATABASE IF EXISTS %s;", B, A);
        th_ok(sinew_exec(db, sql));
    }
    snprintf(sql, sizeof sql,
             "CREATE %s %s; CREATE %s %s;"
             "CREATE TABLE %s.things (id int PRIMARY KEY, name text NOT NULL);"
             "CREATE TABLE %s.parts (id int PRIMARY KEY, thing_id int NOT NULL REFERENCES %s.things (id));"
             "CREATE TABLE %s.entries (id bigint PRIMARY KEY, at %s NOT NULL);"
             /* a table of the same name in another schema, keyed into the first */
             "CREATE TABLE %s.things (id bigint PRIMARY KEY, thing_id int NOT NULL REFERENCES %s.things (id),"
             " note text);"
             "INSERT INTO %s.things VALUES (1, 'one'); INSERT INTO %s.things VALUES (10, 1, 'n');"
             "CREATE TABLE %selsewhere (id int PRIMARY KEY);",
             my ? "DATABASE" : "SCHEMA", A, my ? "DATABASE" : "SCHEMA", B, A, A, A, B, my ? "DATETIME(6)" : "timestamptz",
             B, A, A, B, my ? "" : "public.");
    th_ok(sinew_exec(db, sql));
    result r = sinew_run("db", "pull", "--db", url, "--schema", "nope", "-o", file, NULL);
    expect(r, 1, err, my ? "the server has no database `nope`" : "the database has no schema \"nope\"",
           "pull --schema nope");
    result_free(&r);
    assert_int_equal(access(file, F_OK), -1);
    r = sinew_run("db", "pull", "--db", url, "--schema", A, "--schema", B, "-o", file, NULL);
    expect(r, 0, out, NULL, "pull --schema app --schema audit");
    result_free(&r);
    char *text = mt_read(file);
    snprintf(want, sizeof want, "@@schema(\"%s\")", A);
    snprintf(want2, sizeof want2, "@@schema(\"%s\")", B);
    if (!strstr(text, "model Thing ") || !strstr(text, "model Part ") || !strstr(text, "model Entry ") ||
        strstr(text, "Elsewhere") || !strstr(text, my ? "model SnPullAuditThing " : "model AuditThing ") ||
        !strstr(text, want) || !strstr(text, want2) || strstr(text, "not pulled"))
        fail_msg("pulled:\n%s", text);
    free(text);
    /* the rest of the path on that file, on the plain URL: sinew's SQL names the schemas itself */
    r = sinew_run("check", file, NULL);
    expect(r, 0, out, ": ok", "check (two schemas, as pulled)");
    result_free(&r);
    char gen[700], two[700];
    snprintf(gen, sizeof gen, "%s/schema_gen", th_tmpdir());
    snprintf(two, sizeof two, "%s/schema_two_migrations", th_tmpdir());
    r = sinew_run("generate", file, "-o", gen, "--name", name, NULL);
    expect(r, 0, out, NULL, "generate (two schemas)");
    result_free(&r);
    read_every_model(name, gen, url);
    r = sinew_run("migrate", "make", "init", "--schema", file, "--dir", two, "--dialect", th_backend(), NULL);
    expect(r, 0, out, "created", "make (two schemas)");
    result_free(&r);
    /* SQLite has no schemas: a migration for it is refused, and none is written */
    char refused[720];
    snprintf(refused, sizeof refused, "%s_sqlite", two);
    r = sinew_run("migrate", "make", "init", "--schema", file, "--dir", refused, "--dialect", "sqlite", NULL);
    expect(r, 1, err, "but sqlite databases have no schemas", "make for sqlite (two schemas)");
    result_free(&r);
    char up[800];
    snprintf(up, sizeof up, "%s/0001_init", refused);
    assert_int_equal(access(up, F_OK), -1);
    snprintf(up, sizeof up, "%s/0001_init/up.sql", two);
    text = mt_read(up);
    char w1[300], w2[300], w3[300];
    snprintf(w1, sizeof w1, my ? "CREATE DATABASE IF NOT EXISTS `%s`" : "CREATE SCHEMA IF NOT EXISTS \"%s\"", B);
    snprintf(w2, sizeof w2, my ? "CREATE TABLE `%s`.`things`" : "CREATE TABLE \"%s\".\"things\"", B);
    snprintf(w3, sizeof w3, my ? "REFERENCES `%s`.`things`" : "REFERENCES \"%s\".\"things\"", A);
    if (!strstr(text, w1) || !strstr(text, w2) || !strstr(text, w3)) fail_msg("up.sql:\n%s", text);
    free(text);
    r = sinew_run("migrate", "baseline", "--db", url, "--dir", two, NULL);
    expect(r, 0, out, "recorded 0001_init", "baseline (two schemas)");
    result_free(&r);
    r = sinew_run("migrate", "check", "--db", url, "--dir", two, NULL);
    expect(r, 0, out, "no drift", "check (two schemas)");
    result_free(&r);
    snprintf(want, sizeof want, my ? "SnPullAuditThing (%s.things)" : "AuditThing (%s.things)", B);
    r = sinew_run("diagram", file, "--db", url, NULL);
    expect(r, 0, out, want, "diagram (two schemas)");
    result_free(&r);
    /* drift is per schema: a column gone from audit.things is that table's, not app.things' */
    snprintf(sql, sizeof sql, "ALTER TABLE %s.things DROP COLUMN note", B);
    th_ok(sinew_exec(db, sql));
    snprintf(want, sizeof want, "table %s.things: column note", B);
    snprintf(want2, sizeof want2, "table %s.things", A);
    r = sinew_run("migrate", "check", "--db", url, "--dir", two, NULL);
    expect(r, 1, out, want, "check after a change in audit");
    if (strstr(r.out, want2)) fail_msg("drift on app.things:\n%s", r.out);
    result_free(&r);
    snprintf(sql, sizeof sql, "ALTER TABLE %s.things ADD COLUMN note text", B);
    th_ok(sinew_exec(db, sql));
    /* the connection's own schema (search path, database) is left as it was: a plain pull sees it only */
    r = sinew_run("db", "pull", "--db", url, NULL);
    expect(r, 0, out, "model Elsewhere", "pull");
    if (strstr(r.out, "model Thing")) fail_msg("a plain pull shows app's tables:\n%s", r.out);
    result_free(&r);
    /* the rest of the path works on the file as pulled from one schema */
    r = sinew_run("db", "pull", "--db", url, "--schema", A, "-o", file, NULL);
    expect(r, 0, out, NULL, "pull --schema app");
    result_free(&r);
    char dir[700];
    snprintf(dir, sizeof dir, "%s/schema_migrations", th_tmpdir());
    r = sinew_run("migrate", "make", "init", "--schema", file, "--dir", dir, "--dialect", th_backend(), NULL);
    expect(r, 0, out, "created", "make");
    result_free(&r);
    r = sinew_run("migrate", "baseline", "--db", app, "--dir", dir, NULL);
    expect(r, 0, out, "recorded 0001_init", "baseline with search_path=app");
    result_free(&r);
    r = sinew_run("migrate", "check", "--db", app, "--dir", dir, NULL);
    expect(r, 0, out, "no drift", "check with search_path=app");
    result_free(&r);
    if (my) {
        snprintf(sql, sizeof sql, "DROP DATABASE %s; DROP DATABASE %s;", B, A);
        th_ok(sinew_exec(db, sql));
    }
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chinook),
        cmocka_unit_test(test_sakila),
        cmocka_unit_test(test_northwind),
        cmocka_unit_test(test_mediawiki),
        cmocka_unit_test(test_adventureworks),
        cmocka_unit_test(test_pull_warns),
        cmocka_unit_test(test_baseline_refuses_drift),
        cmocka_unit_test(test_pull_schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
