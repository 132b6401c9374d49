/*
 * test_drift_agree.c - `migrate check` and the diagram's drift view report
 * the same differences: one drift engine (src/sql/drift.h) feeds both.
 * Each case builds a database with the migrations of one schema, changes it
 * by hand, and compares three things: the engine's list, the check's report
 * (exactly the engine's list as text) and the marks of the Mermaid drift
 * diagram (table, column, note: one per difference, nothing else). Before
 * the engine, the check saw defaults, indexes and foreign keys the diagram
 * did not, and the diagram forgave types the check reported.
 */
#include "support.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sql/drift.h"
#include "migrate/files.h"
#include "sinew/diagram.h"

static const char *base_ddl =
    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, age INTEGER DEFAULT 3, nick TEXT);"
    "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id), title TEXT NOT NULL);"
    "CREATE INDEX posts_title_idx ON posts (title);";

typedef struct drift_case {
    const char *what;
    const char *sql;            /* both backends */
    const char *pg_sql;         /* PostgreSQL, when it differs */
    size_t want;                /* differences */
    const char *my_sql;         /* MariaDB, when it differs (DROP INDEX names the table, a LONGTEXT key part its length) */
} drift_case;

static const drift_case cases[] = {
    {"no change", "SELECT 1", NULL, 0, NULL},
    {"extra column", "ALTER TABLE users ADD COLUMN extra TEXT", NULL, 1, NULL},
    {"extra table", "CREATE TABLE stray (id INTEGER PRIMARY KEY)", NULL, 1, NULL},
    {"missing table", "DROP TABLE posts", NULL, 1, NULL},
    {"missing index", "DROP INDEX posts_title_idx", NULL, 1, "DROP INDEX posts_title_idx ON posts"},
    {"extra index", "CREATE INDEX users_nick_idx ON users (nick)", NULL, 1, "CREATE INDEX users_nick_idx ON users (nick(255))"},
    {"extra unique column", "CREATE UNIQUE INDEX users_email_uq ON users (email)",
     "ALTER TABLE users ADD CONSTRAINT users_email_uq UNIQUE (email)", 1, NULL},
    {"missing column", "ALTER TABLE users DROP COLUMN nick", NULL, 1, NULL},
    {"other default", "ALTER TABLE users DROP COLUMN age; ALTER TABLE users ADD COLUMN age BIGINT DEFAULT 4", NULL, 1, NULL},
    {"other type", "ALTER TABLE users DROP COLUMN nick; ALTER TABLE users ADD COLUMN nick INTEGER", NULL, 1, NULL},
    {"NOT NULL and a default",
     "ALTER TABLE users DROP COLUMN nick; ALTER TABLE users ADD COLUMN nick TEXT NOT NULL DEFAULT ''", NULL, 2, NULL},
    {"extra foreign key", "ALTER TABLE users ADD COLUMN boss_id INTEGER REFERENCES users (id)", NULL, 2,
     /* named as sinew names it: InnoDB's index for the key is then the key's own, not counted */
     "ALTER TABLE users ADD COLUMN boss_id BIGINT, ADD CONSTRAINT users_boss_id_fkey FOREIGN KEY (boss_id) "
     "REFERENCES users (id)"},
    {"several", "ALTER TABLE users ADD COLUMN extra TEXT; DROP INDEX posts_title_idx; "
                "ALTER TABLE users DROP COLUMN age; ALTER TABLE users ADD COLUMN age BIGINT", NULL, 3,
     "ALTER TABLE users ADD COLUMN extra TEXT; DROP INDEX posts_title_idx ON posts; "
     "ALTER TABLE users DROP COLUMN age; ALTER TABLE users ADD COLUMN age BIGINT"},
};

/* "table|column|note" lines, sorted, joined */
typedef struct marks { char *v[64]; size_t n; } marks;

static void mark(marks *m, const char *table, const char *column, const char *note, size_t note_len)
{
    assert_true(m->n < 64);
    char buf[600];
    snprintf(buf, sizeof buf, "%s|%s|%.*s", table, column ? column : "", (int)note_len, note);
    m->v[m->n++] = strdup(buf);
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static char *joined(marks *m)
{
    qsort(m->v, m->n, sizeof m->v[0], cmp);
    size_t len = 1;
    for (size_t i = 0; i < m->n; i++) len += strlen(m->v[i]) + 1;
    char *s = malloc(len), *p = s;
    *p = 0;
    for (size_t i = 0; i < m->n; i++) { p += sprintf(p, "%s\n", m->v[i]); free(m->v[i]); }
    m->n = 0;
    return s;
}

/* the notes of "differs: a; b" (up to the end of the quoted comment or title) */
static void differs(marks *m, const char *table, const char *column, const char *at, const char *end)
{
    at += strlen("differs: ");
    while (at < end) {
        const char *semi = strstr(at, "; ");
        if (!semi || semi > end) semi = end;
        mark(m, table, column, at, (size_t)(semi - at));
        at = semi + (semi < end ? 2 : 0);
    }
}

/* Mermaid text with its entity codes (#34; for a quote) read back, line ends kept */
static char *decoded(const char *s)
{
    char *out = malloc(strlen(s) + 1), *o = out;
    while (*s) {
        unsigned code;
        int used = 0;
        if (*s == '#' && sscanf(s, "#%u;%n", &code, &used) == 1 && used > 0 && code < 128 && code != '\n') {
            *o++ = (char)code;
            s += used;
        } else {
            *o++ = *s++;
        }
    }
    *o = 0;
    return out;
}

/* The marks of a Mermaid drift diagram: titles `ID["Model (table) - ..."] {`, rows `type col ... "comment"`. */
static void diagram_marks(const char *raw, marks *m)
{
    char *text = decoded(raw);
    char table[128] = "";
    int whole = 0;              /* the table is only in one place: its rows say so too, not counted */
    for (const char *line = text; *line;) {
        const char *eol = strchr(line, '\n');
        if (!eol) eol = line + strlen(line);
        const char *q = memchr(line, '"', (size_t)(eol - line));
        if (q && eol - line > 3 && eol[-1] == '{') {            /* an entity title */
            const char *end = eol - 4;                          /* before "] { */
            const char *dash = strstr(q, " - ");
            const char *name_end = dash && dash < end ? dash : end;
            const char *open = memchr(q, '(', (size_t)(name_end - q));
            if (open) snprintf(table, sizeof table, "%.*s", (int)(name_end - open - 2), open + 1);
            else snprintf(table, sizeof table, "%.*s", (int)(name_end - q - 1), q + 1);
            whole = 0;
            if (dash && dash < end) {
                const char *what = dash + 3;
                if (!strncmp(what, "differs: ", 9)) differs(m, table, NULL, what, end);
                else { mark(m, table, NULL, what, (size_t)(end - what)); whole = 1; }
            }
        } else if (q && !whole) {                               /* a row with a comment */
            const char *end = eol - 1;                          /* the closing quote */
            char col[128];
            const char *sp = line;
            while (*sp == ' ') sp++;
            sp = strchr(sp, ' ') + 1;                           /* after the type */
            snprintf(col, sizeof col, "%.*s", (int)(strcspn(sp, " ")), sp);
            const char *d = strstr(q, "differs: ");
            if (d && d < end) differs(m, table, col, d, end);
            else if (strstr(q, "only in schema") && strstr(q, "only in schema") < end)
                mark(m, table, col, "only in schema", 14);
            else if (strstr(q, "only in database") && strstr(q, "only in database") < end)
                mark(m, table, col, "only in database", 16);
        }
        line = *eol ? eol + 1 : eol;
    }
    free(text);
}

static void one_case(const drift_case *c, const sinew_schema *g, const char *dir)
{
    sinew_db *db = th_open();
    th_ok(sinew_migrate_up(db, dir));
    th_ok(sinew_exec(db, th_is_postgres() && c->pg_sql ? c->pg_sql : th_is_mariadb() && c->my_sql ? c->my_sql : c->sql));

    /* the check */
    char *report;
    size_t n = mt_drift(db, g, &report);

    /* the engine, on the graph the check read */
    sinew_schema *live;
    th_ok(sinew_introspect(db, &live));
    sn_drift_list d;
    th_ok(sn_drift_compare(g, live, sinew_db_dialect(db), &d));
    sn_buf text;
    sn_buf_init(&text);
    sn_drift_text(&d, &text);
    assert_string_equal(report, sn_buf_cstr(&text));
    sn_buf_free(&text);
    marks want = {0};
    for (size_t i = 0; i < d.n; i++) mark(&want, d.v[i].table, d.v[i].column, d.v[i].note, strlen(d.v[i].note));

    /* the diagram */
    char *mmd = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mmd, &len);
    sinew_diagram_opts o = {.live = live, .live_dialect = sinew_db_dialect(db)};
    th_ok(sinew_diagram_ex(g, &o, SINEW_DIAGRAM_MERMAID, f));
    fclose(f);
    marks got = {0};
    diagram_marks(mmd, &got);

    if (n != c->want || got.n != c->want)
        fail_msg("%s: %zu differences expected; the check reports %zu:\n%s\nthe diagram marks %zu:\n%s", c->what,
                 c->want, n, report, got.n, mmd);
    char *w = joined(&want), *gm = joined(&got);
    if (strcmp(w, gm) != 0) fail_msg("%s: the engine says\n%s\nthe diagram shows\n%s\n%s", c->what, w, gm, mmd);
    free(w);
    free(gm);
    free(mmd);
    sn_drift_free(&d);
    sinew_schema_free(live);
    sinew_migrate_free(report);
    th_close(db);
}

static void check_and_diagram_agree(void **state)
{
    (void)state;
    sinew_schema *g = mt_graph(base_ddl);
    const char *dir = mt_dir("agree");
    sinew_make_opts o = {SINEW_DIALECT_ALL, 0};
    th_ok(sn_mig_make_from(dir, NULL, g, "", "init", &o, NULL));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) one_case(&cases[i], g, dir);
    sinew_schema_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(check_and_diagram_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
