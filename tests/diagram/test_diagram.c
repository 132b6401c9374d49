/*
 * ER diagrams: golden Mermaid and DOT for the blog and Chinook schemas
 * (SINEW_UPDATE_GOLDEN=1 rewrites them after an intended change), DOT that
 * Graphviz renders without a warning, the drift view of Chinook
 * against a copy that was changed behind the schema's back, and a database
 * whose names are hostile (a.b beside a_b, newlines, quotes, <, >, {, },
 * %%, unicode, Mermaid keywords, invalid UTF-8): every table is its own
 * entity with its own id, in Mermaid and in DOT (rendered by Graphviz).
 * The hostile Mermaid is written to the build directory, where the browser
 * test (diagram_mermaid_browser) renders it.
 */
#include "harness.h"
#include "../relations/blog_models.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GOLDEN SINEW_SOURCE_DIR "/tests/diagram/golden/"
#define CHINOOK SINEW_CHINOOK_DIR "/Chinook_Sqlite.sqlite"

static char *render(const sinew_schema *s, const sinew_diagram_opts *o, sinew_diagram_format fmt, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    th_ok(sinew_diagram_ex(s, o, fmt, f));
    fclose(f);
    if (len) *len = n;
    return buf;
}

static void golden(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, GOLDEN "%s", name);
    if (getenv("SINEW_UPDATE_GOLDEN")) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
        return;
    }
    FILE *f = fopen(path, "r");
    if (!f) fail_msg("golden file %s is missing (run with SINEW_UPDATE_GOLDEN=1 to create it)", path);
    static char want[1 << 20];
    size_t n = fread(want, 1, sizeof want - 1, f);
    want[n] = '\0';
    fclose(f);
    if (strcmp(want, text) != 0) {
        size_t i = 0;
        while (want[i] && want[i] == text[i]) i++;
        fail_msg("%s differs from the golden file at byte %zu: got \"%.60s\", want \"%.60s\"", name, i, text + i, want + i);
    }
}

/* Graphviz renders the DOT without a word on stderr */
static void renders_cleanly(const char *dot, const char *svg_out)
{
    char dir[256], in[300], err[300], cmd[1024];
    snprintf(dir, sizeof dir, "%s", th_tmpdir());
    snprintf(in, sizeof in, "%s/d.dot", dir);
    snprintf(err, sizeof err, "%s/d.err", dir);
    FILE *f = fopen(in, "w");
    fputs(dot, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "dot -Tsvg -o '%s' '%s' 2>'%s'", svg_out, in, err);
    assert_int_equal(system(cmd), 0);
    f = fopen(err, "r");
    char msg[512] = "";
    size_t n = fread(msg, 1, sizeof msg - 1, f);
    msg[n] = '\0';
    fclose(f);
    if (n) fail_msg("Graphviz warned: %s", msg);
}

static sinew_schema *chinook(const char *path)
{
    char url[512];
    snprintf(url, sizeof url, "sqlite:%s?mode=ro", path);
    sinew_db *db;
    th_ok(sinew_open(url, &db));
    sinew_schema *s;
    th_ok(sinew_introspect(db, &s));
    s->name = "chinook";
    sinew_close(db);
    return s;
}

static void blog_goldens(void **state)
{
    (void)state;
    char *m = render(&blog_schema, NULL, SINEW_DIAGRAM_MERMAID, NULL);
    golden("blog.mmd", m);
    assert_non_null(strstr(m, "users ||--o{ posts : \"author\""));
    assert_non_null(strstr(m, "users |o--o{ users : \"invited_by\""));   /* the self-reference */
    sinew_diagram_opts fold = {1, NULL, 0, NULL};
    char *mf = render(&blog_schema, &fold, SINEW_DIAGRAM_MERMAID, NULL);
    golden("blog_folded.mmd", mf);
    assert_non_null(strstr(mf, "posts }o--o{ tags : \"tags\""));
    assert_null(strstr(mf, "post_tags["));
    char *d = render(&blog_schema, NULL, SINEW_DIAGRAM_DOT, NULL);
    golden("blog.dot", d);
    char svg[300];
    snprintf(svg, sizeof svg, "%s/blog.svg", SINEW_BINARY_DIR);
    renders_cleanly(d, svg);
    free(m);
    free(mf);
    free(d);
}

/* a polymorphic relation: one edge per target, dotted, each labelled with all the targets */
static void polymorphic_relation_edges(void **state)
{
    (void)state;
    const char *src = "model Post {\n  id int64 @id @auto\n}\nmodel Comment {\n  id int64 @id @auto\n}\n"
                      "model Like {\n  id int64 @id @auto\n  target Post | Comment @on_delete(cascade)\n}\n"
                      "model Pin {\n  id int64 @id @auto\n  thing Post | Comment?\n}\n";
    sinew_schema *s;
    th_ok(sinew_schema_parse("poly.sinew", src, strlen(src), NULL, &s));
    char *m = render(s, NULL, SINEW_DIAGRAM_MERMAID, NULL);
    golden("poly.mmd", m);
    assert_non_null(strstr(m, "posts |o..o{ likes : \"target (one of Post | Comment)\""));
    assert_non_null(strstr(m, "comments |o..o{ likes : \"target (one of Post | Comment)\""));
    assert_non_null(strstr(m, "posts |o..o{ pins : \"thing (one of Post | Comment)\""));
    char *d = render(s, NULL, SINEW_DIAGRAM_DOT, NULL);
    golden("poly.dot", d);
    assert_non_null(strstr(d, "style=dotted, label=\"target (one of Post | Comment)\""));
    char svg[300];
    snprintf(svg, sizeof svg, "%s/poly.svg", SINEW_BINARY_DIR);
    renders_cleanly(d, svg);
    free(m);
    free(d);
    sinew_schema_free(s);
}

static void chinook_goldens(void **state)
{
    (void)state;
    sinew_schema *s = chinook(CHINOOK);
    char *m = render(s, NULL, SINEW_DIAGRAM_MERMAID, NULL);
    golden("chinook.mmd", m);
    /* every table, the composite key, the self-reference */
    const char *tables[] = {"Album", "Artist", "Customer", "Employee", "Genre", "Invoice", "InvoiceLine",
                            "MediaType", "Playlist", "PlaylistTrack", "Track"};
    for (size_t i = 0; i < 11; i++) {
        char e[64];
        snprintf(e, sizeof e, "    %s[\"", tables[i]);
        assert_non_null(strstr(m, e));
    }
    assert_non_null(strstr(m, "int64 PlaylistId PK, FK"));
    assert_non_null(strstr(m, "Employee |o--o{ Employee"));
    char *d = render(s, NULL, SINEW_DIAGRAM_DOT, NULL);
    golden("chinook.dot", d);
    char svg[300];
    snprintf(svg, sizeof svg, "%s/chinook.svg", SINEW_BINARY_DIR);
    renders_cleanly(d, svg);
    /* SVG straight from the API, through Graphviz */
    size_t n;
    char *direct = render(s, NULL, SINEW_DIAGRAM_SVG, &n);
    assert_true(n > 1000);
    assert_non_null(strstr(direct, "<svg"));
    assert_non_null(strstr(direct, "PlaylistTrack"));
    free(direct);
    free(m);
    free(d);
    sinew_schema_free(s);
}

static void drift_view_marks_differences(void **state)
{
    (void)state;
    char copy[512], cmd[1200], url[600];
    snprintf(copy, sizeof copy, "%s/drift.sqlite", th_tmpdir());
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", CHINOOK, copy);
    assert_int_equal(system(cmd), 0);
    snprintf(url, sizeof url, "sqlite:%s", copy);
    sinew_db *db;
    th_ok(sinew_open(url, &db));
    th_ok(sinew_exec(db, "PRAGMA foreign_keys = OFF;"
                         "ALTER TABLE Artist ADD COLUMN Country TEXT;"
                         "ALTER TABLE Customer DROP COLUMN Fax;"
                         "CREATE TABLE Review (ReviewId INTEGER PRIMARY KEY, TrackId INTEGER NOT NULL "
                         "REFERENCES Track (TrackId), Stars INTEGER NOT NULL);"
                         "CREATE TABLE Genre2 (GenreId INTEGER NOT NULL PRIMARY KEY, Name INTEGER);"
                         "INSERT INTO Genre2 SELECT GenreId, Name FROM Genre; DROP TABLE Genre;"
                         "ALTER TABLE Genre2 RENAME TO Genre;"
                         "CREATE UNIQUE INDEX employee_email ON Employee (Email);"));
    sinew_schema *live;
    th_ok(sinew_introspect(db, &live));
    sinew_close(db);
    sinew_schema *s = chinook(CHINOOK);
    sinew_diagram_opts o = {0, live, 0, "chinook drift"};
    char *m = render(s, &o, SINEW_DIAGRAM_MERMAID, NULL);
    assert_non_null(strstr(m, "text Country \"nullable, only in database\""));
    assert_non_null(strstr(m, "text Fax \"nullable, only in schema\""));
    assert_non_null(strstr(m, "Review[\"Review - only in database\"]"));
    assert_non_null(strstr(m, "text Name \"nullable, differs: type INTEGER in the database\""));
    assert_non_null(strstr(m, "text Email \"nullable, differs: unique in the database\""));
    char *d = render(s, &o, SINEW_DIAGRAM_DOT, NULL);
    assert_non_null(strstr(d, "only in the database"));   /* the legend */
    char svg[300];
    snprintf(svg, sizeof svg, "%s/chinook_drift.svg", SINEW_BINARY_DIR);
    renders_cleanly(d, svg);
    FILE *png = fopen(SINEW_BINARY_DIR "/chinook_drift.png", "wb");
    th_ok(sinew_diagram_ex(s, &o, SINEW_DIAGRAM_PNG, png));
    fclose(png);
    free(m);
    free(d);
    sinew_schema_free(s);
    sinew_schema_free(live);
}

/* ---- hostile names ------------------------------------------------------------------------ */

/* the tables of the hostile database, as the database names them */
static const char *const hostile_tables[] = {
    "a.b", "a_b", "a_b_2", "new\nline", "quo\"te", "it's", "<b>bold</b> & co", "{brace}", "%%comment",
    "café ☕ 表", "end", "1st", "direction TB", "#35; x~y~z", "back\\slash", "bad\xff utf8", "style:x#a;",
};
#define HOSTILE_N (sizeof hostile_tables / sizeof hostile_tables[0])

/* an SQL identifier, quoted ("" inside) */
static void sql_ident(char *out, size_t cap, const char *s)
{
    size_t o = 0;
    out[o++] = '"';
    for (; *s && o + 3 < cap; s++) {
        if (*s == '"') out[o++] = '"';
        out[o++] = *s;
    }
    out[o++] = '"';
    out[o] = '\0';
}

static sinew_schema *hostile_schema(void)
{
    char path[512], url[600];
    snprintf(path, sizeof path, "%s/hostile.sqlite", th_tmpdir());
    remove(path);
    snprintf(url, sizeof url, "sqlite:%s", path);
    sinew_db *db;
    th_ok(sinew_open(url, &db));
    for (size_t i = 0; i < HOSTILE_N; i++) {
        /* every table: a key, hostile column names, and a foreign key to the table before it */
        char t[128], prev[128], sql[1024];
        sql_ident(t, sizeof t, hostile_tables[i]);
        sql_ident(prev, sizeof prev, hostile_tables[i ? i - 1 : 0]);
        snprintf(sql, sizeof sql,
                 "CREATE TABLE %s (id INTEGER PRIMARY KEY, \"x.y\" TEXT, \"x_y\" TEXT, \"pk\" TEXT, "
                 "\"col\nname %%%% {}\" TEXT, \"<i>\"\"q\"\"</i>\" INTEGER, \"ünï\" TEXT, "
                 "\"ref\n%%%%\" INTEGER REFERENCES %s (id))",
                 t, prev);
        th_ok(sinew_exec(db, sql));
    }
    sinew_schema *s;
    th_ok(sinew_introspect(db, &s));
    sinew_close(db);
    s->name = "hostile\nnames: 'quoted' \"double\" %% #35;";
    assert_int_equal(s->nmodels, HOSTILE_N);
    return s;
}

/* Mermaid entity declarations: `    ID["LABEL"] {` lines; returns how many, ids in ids[] */
static size_t mermaid_entities(const char *m, char ids[][64], size_t cap)
{
    size_t n = 0;
    for (const char *line = m; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len < 8 || strncmp(line, "    ", 4) != 0 || line[4] == ' ' || strncmp(line + len - 3, "] {", 3) != 0)
            continue;
        const char *br = memchr(line + 4, '[', len - 4);
        assert_non_null(br);
        assert_true(n < cap);
        size_t idl = (size_t)(br - line - 4);
        assert_true(idl < 64);
        memcpy(ids[n], line + 4, idl);
        ids[n][idl] = '\0';
        /* an id the Mermaid ER lexer reads as one name: [A-Za-z_][A-Za-z0-9_]* */
        for (size_t k = 0; k < idl; k++) {
            char c = ids[n][k];
            int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (k && c >= '0' && c <= '9');
            if (!ok) fail_msg("entity id '%s' holds '%c'", ids[n], c);
        }
        n++;
    }
    return n;
}

static void hostile_names_keep_every_table(void **state)
{
    (void)state;
    sinew_schema *s = hostile_schema();
    char *m = render(s, NULL, SINEW_DIAGRAM_MERMAID, NULL);
    /* for the browser test (diagram_mermaid_browser), and for a person to look at */
    FILE *out = fopen(SINEW_BINARY_DIR "/hostile.mmd", "w");
    assert_non_null(out);
    fputs(m, out);
    fclose(out);

    /* one entity per table, ids distinct */
    char ids[HOSTILE_N + 4][64];
    size_t n = mermaid_entities(m, ids, HOSTILE_N + 4);
    assert_int_equal(n, HOSTILE_N);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (!strcmp(ids[i], ids[j])) fail_msg("tables %zu and %zu share the entity id '%s'", i, j, ids[i]);
    /* tables that are plain names keep them; the others are sanitized, then disambiguated */
    assert_non_null(strstr(m, "\n    a_b[\""));
    assert_non_null(strstr(m, "\n    a_b_2[\""));
    assert_non_null(strstr(m, "\n    a_b_3[\""));    /* a.b: a_b and a_b_2 are taken */
    assert_non_null(strstr(m, "\n    end_[\""));     /* a Mermaid keyword */
    assert_non_null(strstr(m, "\n    t_1st[\""));    /* a digit cannot start an id */
    /* nothing raw that Mermaid would read as syntax: each line is a header, an entity, an attribute
       or a relationship, and no string holds a quote, a newline, %% or a stray byte */
    const char *body = strstr(m, "erDiagram\n");   /* the front matter's title is YAML, checked below */
    assert_non_null(body);
    assert_null(strstr(body, "%%"));
    assert_null(strchr(m, '\xff'));
    assert_null(strstr(m, "new\nline"));
    assert_non_null(strstr(m, "new#92;nline"));   /* the newline, shown as \n */
    assert_non_null(strstr(m, "café ☕ 表"));       /* unicode as it is */
    assert_non_null(strstr(m, "title: 'hostile\\nnames: ''quoted'' \"double\" %% #35;'\n"));
    for (const char *line = m; *line; line = strchr(line, '\n') + 1) {
        const char *end = strchr(line, '\n');
        assert_non_null(end);
        size_t quotes = 0;
        for (const char *c = line; c < end; c++) quotes += *c == '"';
        if (strncmp(line, "title: ", 7) != 0) assert_true(quotes % 2 == 0);
    }
    /* a renamed attribute says what the column is called */
    assert_non_null(strstr(m, "text x_y \"nullable\""));
    assert_non_null(strstr(m, "text x_y \"column x.y, nullable\""));
    assert_non_null(strstr(m, "text pk_ \"column pk, nullable\""));

    /* DOT: Graphviz draws it without a warning, one node per table, each table's name in its label */
    char *d = render(s, NULL, SINEW_DIAGRAM_DOT, NULL);
    out = fopen(SINEW_BINARY_DIR "/hostile.dot", "w");
    assert_non_null(out);
    fputs(d, out);
    fclose(out);
    char svg[300];
    snprintf(svg, sizeof svg, "%s/hostile.svg", SINEW_BINARY_DIR);
    renders_cleanly(d, svg);
    FILE *sf = fopen(svg, "r");
    assert_non_null(sf);
    static char text[1 << 20];
    size_t len = fread(text, 1, sizeof text - 1, sf);
    text[len] = '\0';
    fclose(sf);
    size_t nodes = 0, edges = 0;
    for (const char *p = text; (p = strstr(p, "class=\"node\"")); p++) nodes++;
    for (const char *p = text; (p = strstr(p, "class=\"edge\"")); p++) edges++;
    assert_int_equal(nodes, HOSTILE_N);
    assert_int_equal(edges, HOSTILE_N);   /* every table refers to the one before it (the first to itself) */
    for (size_t i = 0; i < n; i++) {
        char title[128];
        snprintf(title, sizeof title, "<title>%s</title>", ids[i]);   /* the node, by its id */
        if (!strstr(text, title)) fail_msg("no node %s in the SVG", title);
    }
    assert_non_null(strstr(text, "&lt;b&gt;bold&lt;/b&gt; &amp; co"));
    assert_non_null(strstr(text, "new\\nline"));
    assert_non_null(strstr(text, "bad\\xff utf8"));
    free(d);
    free(m);
    sinew_schema_free(s);
}

static void bad_arguments(void **state)
{
    (void)state;
    th_assert_status(sinew_diagram(NULL, SINEW_DIAGRAM_DOT, stdout), SINEW_MISUSE, "must not be NULL");
    th_assert_status(sinew_diagram(&blog_schema, (sinew_diagram_format)42, stdout), SINEW_MISUSE, "unknown format");
    assert_int_equal(sinew_diagram_format_parse("svg"), SINEW_DIAGRAM_SVG);
    assert_int_equal(sinew_diagram_format_parse("pdf"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(blog_goldens),
        cmocka_unit_test(polymorphic_relation_edges),
        cmocka_unit_test(chinook_goldens),
        cmocka_unit_test(drift_view_marks_differences),
        cmocka_unit_test(hostile_names_keep_every_table),
        cmocka_unit_test(bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
