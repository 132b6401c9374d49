/*
 * test_hostile.c - names chosen to break out of SQL (quotes, backslashes,
 * semicolons, newlines, comment openers and closers, unicode, reserved
 * words) go through every DDL renderer (CREATE TABLE, field and explicit
 * indexes, every migration step: add / rename / alter / drop columns,
 * primary-key changes, table renames, foreign keys, SQLite's rebuild, the
 * down direction) and every CRUD renderer, on the backend under test.
 *
 * The rendered migration text is handed whole to the database, so the
 * database's own parser decides where comments and statements end; then the
 * catalog must hold exactly the tables, columns and indexes the graph names
 * (no drift, which also means no extra table) and the `victims` sentinel
 * must still hold its row. Last, the reproduction: a column named
 * "note\nDROP TABLE victims;\n" through `migrate make` and `migrate up`.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "support.h"
#include "migrate/diff.h"
#include "migrate/files.h"
#include "orm/orm.h"
#include "sql/ir.h"

static const char *const hostile[] = {
    "q\"uote",
    "back\\slash",
    "semi;colon",
    "new\nline DROP TABLE victims;",
    "cr\rret\tab",
    "star*/slash/*",
    "dash--dash",
    "unicod\xc3\xa9\xe2\x9c\x93",
    "select",
    "v\" ON \"victims\" (\"id\"); DROP TABLE \"victims\"; --",
    "it's",
    "$$dollar$$",
};
#define NHOSTILE (sizeof hostile / sizeof hostile[0])

/* "name" with quotes doubled, appended to b (SQLite DDL for the graphs) */
static void q(sn_buf *b, const char *prefix, const char *name, const char *suffix)
{
    sn_buf t;
    sn_buf_init(&t);
    sn_buf_printf(&t, "%s%s%s", prefix, name, suffix);
    sn_sql_ident(b, &sn_dialect_sqlite, sn_buf_cstr(&t));
    sn_buf_free(&t);
}

static char *joined(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 1;
    char *s = malloc(n);
    snprintf(s, n, "%s%s", a, b);
    return s;
}

static const char *victims_ddl = "CREATE TABLE victims (id INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT NOT NULL);";

/* g1: victims, H (auto id, column h, field-level index on c2, FK to victims), Hk (text pk a), Hr. */
static sinew_schema *graph1(const char *h)
{
    sn_buf b;
    sn_buf_init(&b);
    sn_buf_puts(&b, victims_ddl);
    sn_buf_puts(&b, "CREATE TABLE ");
    q(&b, "", h, "");
    sn_buf_puts(&b, " (id INTEGER PRIMARY KEY AUTOINCREMENT, ");
    q(&b, "", h, "");
    sn_buf_puts(&b, " TEXT NOT NULL, c2 TEXT NOT NULL, v INTEGER REFERENCES victims (id));\nCREATE INDEX ");
    q(&b, "", h, "_ix");
    sn_buf_puts(&b, " ON ");
    q(&b, "", h, "");
    sn_buf_puts(&b, " (");
    q(&b, "", h, "");
    sn_buf_puts(&b, ");\nCREATE TABLE ");
    q(&b, "", h, "k");
    sn_buf_puts(&b, " (a TEXT NOT NULL PRIMARY KEY, b TEXT NOT NULL);\nCREATE TABLE ");
    q(&b, "", h, "r");
    sn_buf_puts(&b, " (id INTEGER PRIMARY KEY AUTOINCREMENT, x TEXT);");
    sinew_schema *s = mt_graph(sn_buf_cstr(&b));
    sn_buf_free(&b);
    /* a field-level @index: its name <table>_<column>_idx is derived, not written anywhere */
    const sinew_model *m = sinew_schema_find_table(s, h);
    assert_non_null(m);
    int c2 = sinew_model_column_index(m, "c2");
    assert_true(c2 >= 0);
    ((sinew_field *)&m->fields[c2])->flags |= SINEW_FIELD_INDEX;
    return s;
}

/*
 * g2: H's column h renamed to h+"2", c2 nullable, a new column h+"3", the
 * explicit index replaced by h+"_ix2", the FK dropped; Hk's key moved to b;
 * Hr renamed to Hr+"2".
 */
static sinew_schema *graph2(const char *h)
{
    sn_buf b;
    sn_buf_init(&b);
    sn_buf_puts(&b, victims_ddl);
    sn_buf_puts(&b, "CREATE TABLE ");
    q(&b, "", h, "");
    sn_buf_puts(&b, " (id INTEGER PRIMARY KEY AUTOINCREMENT, ");
    q(&b, "", h, "2");
    sn_buf_puts(&b, " TEXT NOT NULL, c2 TEXT, v INTEGER, ");
    q(&b, "", h, "3");
    sn_buf_puts(&b, " TEXT);\nCREATE INDEX ");
    q(&b, "", h, "_ix2");
    sn_buf_puts(&b, " ON ");
    q(&b, "", h, "");
    sn_buf_puts(&b, " (c2);\nCREATE TABLE ");
    q(&b, "", h, "k");
    sn_buf_puts(&b, " (a TEXT NOT NULL, b TEXT NOT NULL PRIMARY KEY);\nCREATE TABLE ");
    q(&b, "", h, "r2");
    sn_buf_puts(&b, " (id INTEGER PRIMARY KEY AUTOINCREMENT, x TEXT);");
    sinew_schema *s = mt_graph(sn_buf_cstr(&b));
    sn_buf_free(&b);
    char *h2 = joined(h, "2"), *hr = joined(h, "r"), *hr2 = joined(h, "r2");
    mt_rename_from(s, h, h2, h);                      /* h is static */
    mt_rename_from(s, hr2, NULL, sn_arena_strdup(s->owner, hr));   /* lives with the graph */
    free(h2);
    free(hr);
    free(hr2);
    return s;
}

static const sinew_dialect *dialect_of(sinew_db *db) { return db->dialect; }

/* text [b, e) holds a statement, not only blanks and comment lines */
static int has_statement(const char *b, const char *e)
{
    while (b < e) {
        while (b < e && (*b == ' ' || *b == '\n' || *b == '\t')) b++;
        if (b + 1 < e && b[0] == '-' && b[1] == '-') {
            while (b < e && *b != '\n') b++;
            continue;
        }
        return b < e;
    }
    return 0;
}

static int exec_part(sinew_db *db, const char *b, const char *e)
{
    if (!has_statement(b, e)) return SINEW_OK;
    char *part = strndup(b, (size_t)(e - b));
    int rc = sinew_exec(db, part);
    free(part);
    return rc;
}

/* The text as the database's parser reads it: in one piece, but for each statement marked
   `-- sinew: no-transaction` (CREATE / DROP INDEX CONCURRENTLY), which runs by itself. */
static int exec_text(sinew_db *db, const char *text)
{
    static const char mark[] = "-- sinew: no-transaction\n";
    for (const char *p = text;;) {
        const char *m = strstr(p, mark);
        if (!m) return exec_part(db, p, p + strlen(p));
        int rc = exec_part(db, p, m);
        if (rc) return rc;
        const char *e = strstr(m, ";\n");
        e = e ? e + 1 : m + strlen(m);
        if ((rc = exec_part(db, m, e))) return rc;
        p = e;
    }
}

/* Render from -> to for the backend and give the whole text to the database's own parser. */
static void migrate_whole(sinew_db *db, const sinew_schema *from, const sinew_schema *to, char **text_out)
{
    sn_diff d;
    th_ok(sn_diff_schemas(from, to, &d));
    sn_buf b;
    sn_buf_init(&b);
    th_ok(sn_plan_render(&d, dialect_of(db), &b));
    const char *text = sn_buf_cstr(&b);
    /* every comment line is inert: no control character inside it */
    for (const char *p = text; (p = strstr(p, "--")) != NULL; p += 2) {
        if (p != text && p[-1] != '\n') continue;            /* only comments that start a line */
        const char *e = strchr(p, '\n');
        for (const char *c = p; c < (e ? e : p + strlen(p)); c++)
            assert_false((unsigned char)*c < 0x20 && *c != '\t');
    }
    /* a table rebuild needs foreign keys off where the dialect says how (SQLite's PRAGMA) */
    const sinew_dialect *dl = sinew_find_driver(th_backend())->dialect;
    if (dl->fk_enforcement_off) th_ok(sinew_exec(db, dl->fk_enforcement_off));
    int rc = exec_text(db, text);
    if (rc) fail_msg("%s\n---\n%s", sinew_errmsg(), text);
    if (dl->fk_enforcement_on) th_ok(sinew_exec(db, dl->fk_enforcement_on));
    if (text_out) *text_out = strdup(text);
    sn_buf_free(&b);
    sn_diff_free(&d);
}

static void assert_no_drift(sinew_db *db, const sinew_schema *expected, const char *h)
{
    char *report = NULL;
    size_t n = mt_drift(db, expected, &report);
    if (n) fail_msg("name [%s]: %zu differences:\n%s", h, n, report);
    free(report);
    mt_assert_rows(db, "SELECT id, label FROM victims", "1|sentinel\n");
}

static void test_ddl_renderers(void **state)
{
    (void)state;
    for (size_t i = 0; i < NHOSTILE; i++) {
        const char *h = hostile[i];
        sinew_db *db = th_open();
        sinew_schema *g0 = mt_graph(victims_ddl), *g1 = graph1(h), *g2 = graph2(h);
        migrate_whole(db, NULL, g0, NULL);
        th_ok(sinew_exec(db, "INSERT INTO victims (label) VALUES ('sentinel')"));
        assert_no_drift(db, g0, h);
        /* create: CREATE TABLE, explicit and field-level indexes, a foreign key */
        migrate_whole(db, g0, g1, NULL);
        assert_no_drift(db, g1, h);
        /* every kind of change, then back */
        char *up;
        migrate_whole(db, g1, g2, &up);
        assert_no_drift(db, g2, h);
        if (strchr(h, '\n')) assert_null(strstr(up, "\n DROP TABLE victims"));
        free(up);
        migrate_whole(db, g2, g1, NULL);
        assert_no_drift(db, g1, h);
        migrate_whole(db, g1, g0, NULL);
        assert_no_drift(db, g0, h);
        sinew_schema_free(g0);
        sinew_schema_free(g1);
        sinew_schema_free(g2);
        th_close(db);
    }
}

/* Run one CRUD statement with text parameters; returns the first column of the first row (or NULL). */
static char *run(sinew_db *db, const char *sql, const char *const *params, size_t n)
{
    sn_exec x;
    int rc = sn_exec_start(&x, db, sql);
    if (rc) fail_msg("%s: %s", sql, sinew_errmsg());
    for (size_t i = 0; i < n; i++) {
        sinew_value v = sinew_v_text(params[i]);
        th_ok(sn_exec_bind(&x, (int)i, &v));
    }
    char *out = NULL;
    rc = sn_exec_step(&x);
    if (rc == SINEW_ROW) {
        size_t len;
        const char *t = x.drv->column_text(x.stmt, 0, &len);
        out = strdup(t ? t : "");
        while ((rc = sn_exec_step(&x)) == SINEW_ROW) {}
    }
    if (rc != SINEW_DONE) fail_msg("%s: %s", sql, sinew_errmsg());
    sn_exec_end(&x);
    return out;
}

static void test_crud_renderers(void **state)
{
    (void)state;
    for (size_t i = 0; i < NHOSTILE; i++) {
        const char *h = hostile[i];
        sinew_db *db = th_open();
        /* a table whose name and every column name are hostile, with a text key */
        sn_buf ddl;
        sn_buf_init(&ddl);
        sn_buf_puts(&ddl, victims_ddl);
        sn_buf_puts(&ddl, "CREATE TABLE ");
        q(&ddl, "", h, "");
        sn_buf_puts(&ddl, " (");
        q(&ddl, "", h, "");
        sn_buf_puts(&ddl, " TEXT NOT NULL PRIMARY KEY, ");
        q(&ddl, "", h, "v");
        sn_buf_puts(&ddl, " TEXT);");
        sinew_schema *g0 = mt_graph(victims_ddl), *g = mt_graph(sn_buf_cstr(&ddl));
        sn_buf_free(&ddl);
        migrate_whole(db, NULL, g, NULL);
        th_ok(sinew_exec(db, "INSERT INTO victims (label) VALUES ('sentinel')"));
        const sinew_model *m = sinew_schema_find_table(g, h);
        assert_non_null(m);
        assert_int_equal(m->nfields, 2);
        const sinew_dialect *d = dialect_of(db);
        unsigned char all[2] = {1, 1}, none[2] = {0, 0}, val[2] = {0, 1};
        sn_buf s;
        sn_buf_init(&s);

        sn_sql_insert(&s, d, m, all, none);
        const char *ins[] = {h, "one"};
        free(run(db, sn_buf_cstr(&s), ins, 2));

        sn_buf_clear(&s);
        sn_sql_update(&s, d, m, val, -1);
        const char *upd[] = {"two", h};
        free(run(db, sn_buf_cstr(&s), upd, 2));

        sn_buf_clear(&s);
        unsigned key = 0;
        sn_sql_select_where(&s, d, m, &key, 1);
        const char *sel[] = {h};
        char *got = run(db, sn_buf_cstr(&s), sel, 1);
        assert_non_null(got);
        assert_string_equal(got, h);
        free(got);

        sn_buf_clear(&s);
        sn_sql_select_all(&s, d, m);
        got = run(db, sn_buf_cstr(&s), NULL, 0);
        assert_non_null(got);
        assert_string_equal(got, h);
        free(got);

        sn_buf_clear(&s);
        sn_sql_count(&s, d, m);
        got = run(db, sn_buf_cstr(&s), NULL, 0);
        assert_string_equal(got, "1");
        free(got);

        sn_buf_clear(&s);
        sn_delete del = {.model = m, .keys = m->pk, .nkeys = m->npk};
        assert_int_equal(sn_sql_delete_stmt(&s, d, &del), SINEW_OK);
        free(run(db, sn_buf_cstr(&s), sel, 1));
        sn_buf_clear(&s);
        sn_sql_count(&s, d, m);
        got = run(db, sn_buf_cstr(&s), NULL, 0);
        assert_string_equal(got, "0");
        free(got);
        sn_buf_free(&s);

        assert_no_drift(db, g, h);
        migrate_whole(db, g, g0, NULL);
        assert_no_drift(db, g0, h);
        sinew_schema_free(g);
        sinew_schema_free(g0);
        th_close(db);
    }
}

/*
 * The reproduction through the migration files and the runner: a
 * column "note\nDROP TABLE victims;\n" added by `migrate make` (here from
 * graphs, since the schema checker refuses such a name in a schema file)
 * and applied by `migrate up` leaves victims alone and adds that column.
 */
static void test_make_up_repro(void **state)
{
    (void)state;
    static const char *const notes[] = {"note\nDROP TABLE victims;\n", "note\r\nDROP TABLE victims;--",
                                        "note\\\nDROP TABLE victims;"};
    for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++) {
        sinew_db *db = th_open();
        char dname[32];
        snprintf(dname, sizeof dname, "repro%zu", i);
        const char *dir = mt_dir(dname);
        sinew_schema *g1 = mt_graph("CREATE TABLE victims (id INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT NOT NULL);"
                                    "CREATE TABLE items (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL);");
        sn_buf ddl;
        sn_buf_init(&ddl);
        sn_buf_puts(&ddl, "CREATE TABLE victims (id INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT NOT NULL);"
                          "CREATE TABLE items (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, ");
        q(&ddl, "", notes[i], "");
        sn_buf_puts(&ddl, " TEXT);");
        sinew_schema *g2 = mt_graph(sn_buf_cstr(&ddl));
        sn_buf_free(&ddl);
        char *created = NULL;
        th_ok(sn_mig_make_from(dir, NULL, g1, "", "init", NULL, &created));
        free(created);
        th_ok(sn_mig_make_from(dir, g1, g2, "", "note", NULL, &created));
        assert_non_null(created);
        char f[1024];
        snprintf(f, sizeof f, "%s/up.%s.sql", created, th_backend());
        char *text = mt_read(f);
        /* the comment names the column escaped, on one line */
        const char *c = strstr(text, "-- add column items.note\\");
        assert_non_null(c);
        const char *eol = strchr(c, '\n'), *drop = strstr(c, "DROP TABLE victims");
        assert_true(drop && eol && drop < eol);          /* inside the comment line */
        free(text);
        free(created);
        size_t len = strlen(notes[i]);
        if (th_is_mariadb() && isspace((unsigned char)notes[i][len - 1])) {
            /* MariaDB has no names that end in white space: the server refuses the column, and
               the migration, whose first statement that was, is not applied and not under way
               (nothing holds up migrate down); victims keeps its row */
            th_ok(sinew_migrate_up_to(db, dir, 1));
            th_ok(sinew_exec(db, "INSERT INTO victims (label) VALUES ('sentinel')"));
            th_assert_status(sinew_migrate_up(db, dir), SINEW_ERROR, "Incorrect column name");
            assert_non_null(strstr(sinew_errmsg(), "0002_note"));
            mt_assert_rows(db, "SELECT name FROM sinew_migrations", "0001_init\n");
            assert_no_drift(db, g1, notes[i]);
            th_ok(sinew_migrate_down(db, dir, 0));
            mt_assert_rows(db, "SELECT COUNT(*) FROM sinew_migrations", "0\n");
            sinew_schema_free(g1);
            sinew_schema_free(g2);
            th_close(db);
            continue;
        }
        th_ok(sinew_migrate_up(db, dir));
        th_ok(sinew_exec(db, "INSERT INTO victims (label) VALUES ('sentinel')"));
        assert_no_drift(db, g2, notes[i]);
        th_ok(sinew_migrate_down(db, dir, 0));
        mt_assert_rows(db, "SELECT COUNT(*) FROM sinew_migrations", "0\n");
        sinew_schema_free(g1);
        sinew_schema_free(g2);
        th_close(db);
    }
}

/* A destructive step's description, printed in the refusal, is escaped too. */
static void test_refusal_message_is_escaped(void **state)
{
    (void)state;
    const char *dir = mt_dir("refuse");
    sinew_schema *g1 = mt_graph("CREATE TABLE \"a\nb\" (id INTEGER PRIMARY KEY, \"c\nd\" TEXT);");
    sinew_schema *g0 = mt_graph("CREATE TABLE other (id INTEGER PRIMARY KEY);");
    th_assert_status(sn_mig_make_from(dir, g1, g0, "", "drop", NULL, NULL), SINEW_INVALID, "drop table a\\nb");
    assert_null(strchr(sinew_errmsg(), '\n'));
    sinew_schema_free(g0);
    sinew_schema_free(g1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ddl_renderers),
        cmocka_unit_test(test_crud_renderers),
        cmocka_unit_test(test_make_up_repro),
        cmocka_unit_test(test_refusal_message_is_escaped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
