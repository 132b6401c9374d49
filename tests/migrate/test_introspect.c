/*
 * test_introspect.c - reading Chinook (SQLite, opened read-only) into the
 * schema graph: tables, types, keys (PlaylistTrack's composite one), the
 * Employee.ReportsTo self-reference, inferred relation names and inverses,
 * and determinism.
 */
#include <stdio.h>
#include <string.h>
#include "support.h"

static sinew_schema *chinook(void)
{
    sinew_db *db;
    th_ok(sinew_open("sqlite:" SINEW_CHINOOK_DIR "/Chinook_Sqlite.sqlite?mode=ro", &db));
    sinew_schema *s;
    th_ok(sinew_introspect(db, &s));
    sinew_close(db);
    return s;
}

static void test_chinook(void **state)
{
    (void)state;
    sinew_schema *s = chinook();
    assert_int_equal(s->nmodels, 11);
    const sinew_model *pt = sinew_schema_find_table(s, "PlaylistTrack");
    assert_non_null(pt);
    assert_int_equal(pt->npk, 2);
    assert_string_equal(pt->fields[pt->pk[0]].column, "PlaylistId");
    assert_string_equal(pt->fields[pt->pk[1]].column, "TrackId");
    assert_int_equal(sinew_model_auto_pk(pt), -1);
    const sinew_model *emp = sinew_schema_find_table(s, "Employee");
    const sinew_relation *boss = NULL;
    for (size_t i = 0; i < emp->nrelations; i++)
        if (emp->relations[i].kind == SINEW_BELONGS_TO) boss = &emp->relations[i];
    assert_non_null(boss);
    assert_ptr_equal(boss->target, emp);
    assert_string_equal(emp->fields[boss->local[0]].column, "ReportsTo");
    assert_true(boss->optional);
    assert_non_null(boss->inverse);
    const sinew_relation *inv = sinew_model_find_relation(emp, boss->inverse);
    assert_non_null(inv);
    assert_int_equal(inv->kind, SINEW_HAS_MANY);
    /* types, nullability, @auto and names */
    const sinew_model *track = sinew_schema_find_table(s, "Track");
    assert_string_equal(track->name, "Track");
    int up = sinew_model_column_index(track, "UnitPrice");
    assert_int_equal(track->fields[up].type, SINEW_DECIMAL);
    assert_string_equal(track->fields[up].db_type, "NUMERIC(10,2)");
    int name = sinew_model_column_index(track, "Name");
    assert_int_equal(track->fields[name].type, SINEW_TEXT);
    assert_false(track->fields[name].flags & SINEW_FIELD_NULLABLE);
    int comp = sinew_model_column_index(track, "Composer");
    assert_true(track->fields[comp].flags & SINEW_FIELD_NULLABLE);
    assert_true(track->fields[track->pk[0]].flags & SINEW_FIELD_AUTO);
    const sinew_relation *album = sinew_model_find_relation(track, "Album");
    assert_non_null(album);
    assert_int_equal(album->kind, SINEW_BELONGS_TO);
    assert_string_equal(album->target->table, "Album");
    const sinew_model *inv_m = sinew_schema_find_table(s, "Invoice");
    int date = sinew_model_column_index(inv_m, "InvoiceDate");
    assert_int_equal(inv_m->fields[date].type, SINEW_TIMESTAMP);
    const sinew_model *al = sinew_schema_find_table(s, "Album");
    assert_non_null(sinew_model_find_relation(al, "Tracks"));
    assert_int_equal(sinew_model_find_relation(al, "Tracks")->kind, SINEW_HAS_MANY);
    assert_int_equal(al->nindexes, 1);
    assert_string_equal(al->indexes[0].name, "IFK_AlbumArtistId");
    sinew_schema_free(s);
}

static void test_features(void **state)
{
    (void)state;
    sinew_schema *s = mt_graph(
        "CREATE TABLE user_accounts (id INTEGER PRIMARY KEY AUTOINCREMENT, email VARCHAR(80) NOT NULL UNIQUE, "
        "active BOOLEAN NOT NULL DEFAULT 1, born DATE, at DATETIME DEFAULT CURRENT_TIMESTAMP, score REAL DEFAULT -1.5, "
        "nick TEXT DEFAULT 'it''s', data BLOB, a INT, b INT, UNIQUE (a, b));"
        "CREATE TABLE profiles (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL UNIQUE REFERENCES user_accounts (id) "
        "ON DELETE CASCADE ON UPDATE SET NULL, other_id INTEGER REFERENCES user_accounts (id));");
    const sinew_model *u = sinew_schema_find_table(s, "user_accounts");
    assert_string_equal(u->name, "UserAccount");
    const sinew_field *f = &u->fields[sinew_model_column_index(u, "email")];
    assert_true(f->flags & SINEW_FIELD_UNIQUE);
    assert_int_equal(f->type, SINEW_TEXT);
    f = &u->fields[sinew_model_column_index(u, "active")];
    assert_int_equal(f->type, SINEW_BOOL);
    assert_int_equal(f->def.kind, SINEW_DEFAULT_VALUE);
    assert_string_equal(f->def.value, "true");
    assert_int_equal(u->fields[sinew_model_column_index(u, "born")].type, SINEW_DATE);
    assert_int_equal(u->fields[sinew_model_column_index(u, "at")].def.kind, SINEW_DEFAULT_NOW);
    assert_string_equal(u->fields[sinew_model_column_index(u, "score")].def.value, "-1.5");
    assert_string_equal(u->fields[sinew_model_column_index(u, "nick")].def.value, "\"it's\"");
    assert_int_equal(u->fields[sinew_model_column_index(u, "data")].type, SINEW_BLOB);
    assert_int_equal(u->nindexes, 1);
    assert_true(u->indexes[0].unique);
    assert_int_equal(u->indexes[0].nfields, 2);
    const sinew_model *p = sinew_schema_find_table(s, "profiles");
    const sinew_relation *r = sinew_model_find_relation(p, "user");
    assert_non_null(r);
    assert_int_equal(r->on_delete, SINEW_FK_CASCADE);
    assert_int_equal(r->on_update, SINEW_FK_SET_NULL);
    assert_non_null(sinew_model_find_relation(p, "other"));
    /* unique key: a HAS_ONE inverse; the second key's inverse is disambiguated */
    const sinew_relation *inv = sinew_model_find_relation(u, r->inverse);
    assert_int_equal(inv->kind, SINEW_HAS_ONE);
    assert_string_equal(inv->name, "profile");
    const sinew_relation *inv2 = sinew_model_find_relation(u, sinew_model_find_relation(p, "other")->inverse);
    assert_int_equal(inv2->kind, SINEW_HAS_MANY);
    assert_string_equal(inv2->name, "profiles");
    sinew_schema_free(s);
}

/* the named CHECK constraints of a model (name or "-" for none: expr), one a line */
static void checks_text(const sinew_model *m, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = 0;
    for (size_t i = 0; i < m->nchecks; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s: %s\n", m->checks[i].name ? m->checks[i].name : "-",
                              m->checks[i].expr);
}

/* SQLite keeps CHECK constraints and their names only in the CREATE TABLE text: the reader's tokenizer
 * against quoted names with quotes inside, parentheses in strings and names, comments that hold what
 * looks like a constraint, and names longer than any buffer */
static void test_check_tokenizer(void **state)
{
    (void)state;
    char longname[301];
    memset(longname, 'n', 300);
    longname[300] = 0;
    char ddl[4096];
    snprintf(ddl, sizeof ddl,
             "CREATE TABLE \"we\"\"ird (t)\" (\n"
             "  id INTEGER PRIMARY KEY, -- a comment with ) and ' and CONSTRAINT fake CHECK (1)\n"
             "  \"a(b\" TEXT DEFAULT ')' CONSTRAINT \"col \"\"chk\"\"\" CHECK (\"a(b\" <> 'x)('' -- no comment'),\n"
             "  `back``tick` INT CHECK (`back``tick` > 0),\n"
             "  /* CONSTRAINT hidden CHECK (0), */\n"
             "  d VARCHAR(10) DEFAULT 'CHECK (' CONSTRAINT d_len CHECK (length(d) < 10 -- short\n"
             "  ),\n"
             "  c INT CONSTRAINT c_nn NOT NULL,\n"
             "  CONSTRAINT [brack et] CHECK ((c + 1) * (c - 1) > (0)),\n"
             "  CONSTRAINT `bt``name` CHECK (c IN (1, 2, /* ) */ 3)),\n"
             "  CONSTRAINT 'str name' CHECK (c <> ')'),\n"
             "  CHECK (c < 100),\n"
             "  CONSTRAINT \"%s\" CHECK (c <> 7),\n"
             "  CONSTRAINT weird_target_one_target CHECK ((CASE WHEN c IS NULL THEN 0 ELSE 1 END) <= 1)\n"
             ") /* the end */",
             longname);
    sinew_schema *s = mt_graph(ddl);
    const sinew_model *m = sinew_schema_find_table(s, "we\"ird (t)");
    assert_non_null(m);
    char got[4096], want[4096];
    checks_text(m, got, sizeof got);
    snprintf(want, sizeof want,
             "col \"chk\": \"a(b\" <> 'x)('' -- no comment'\n"
             "-: `back``tick` > 0\n"
             "d_len: length(d) < 10\n"
             "brack et: (c + 1) * (c - 1) > (0)\n"
             "bt`name: c IN (1, 2, 3)\n"
             "str name: c <> ')'\n"
             "-: c < 100\n"
             "%s: c <> 7\n"
             "weird_target_one_target: (CASE WHEN c IS NULL THEN 0 ELSE 1 END) <= 1\n",
             longname);
    assert_string_equal(got, want);
    assert_int_equal(m->nfields, 5);
    sinew_schema_free(s);
    /* an unclosed comment runs to the end, as SQLite reads it; the constraints before it count */
    s = mt_graph("CREATE TABLE t (a INT CONSTRAINT pos CHECK (a > 0)) /* trailing");
    m = sinew_schema_find_table(s, "t");
    checks_text(m, got, sizeof got);
    assert_string_equal(got, "pos: a > 0\n");
    sinew_schema_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chinook),
        cmocka_unit_test(test_features),
        cmocka_unit_test(test_check_tokenizer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
