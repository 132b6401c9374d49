/*
 * ER diagrams: golden Mermaid and DOT for the blog and Chinook schemas
 * (SINEW_UPDATE_GOLDEN=1 rewrites them after an intended change), DOT that
 * Graphviz renders without a warning, and the drift view of Chinook
 * against a copy that was changed behind the schema's back.
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
    th_ok(sinew_open(&db, url));
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
    th_ok(sinew_open(&db, url));
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
        cmocka_unit_test(chinook_goldens),
        cmocka_unit_test(drift_view_marks_differences),
        cmocka_unit_test(bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
