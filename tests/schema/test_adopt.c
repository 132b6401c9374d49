/*
 * test_adopt.c - what `db pull` writes for the databases people already have
 * (issue 19) is a schema the resolver accepts, and reads as the database means:
 *  1. a key that is also the foreign key (an extension table) is one-to-one:
 *     the to-one back on the target is its has-one side, no implicit key;
 *     the same for a @unique foreign-key field and a @@unique set;
 *  2. two foreign keys between two tables (a cycle) need no @inverse when
 *     one of them is one-to-one, and name their inverse when not;
 *  4. @on_delete(set_null) on a required to-one: a warning, not an error;
 *  5. an int32 foreign key to an int64 key (and back) is accepted;
 *  3. a model without a key is @@readonly, and nothing can point at it by key;
 *  6. a foreign key to a unique key of the target (@references), checked;
 *  7. SQL reserved words as column and table names, C keywords as field names.
 */
#include "harness.h"
#include <stdio.h>
#include <string.h>

static sinew_schema *parse_ok(const char *src, size_t *warnings)
{
    sinew_diagnostics *d;
    th_ok(sinew_diagnostics_new(&d));
    sinew_schema *s = NULL;
    int rc = sinew_schema_parse("adopt.sinew", src, strlen(src), d, &s);
    if (rc != SINEW_OK) {
        for (size_t i = 0; i < sinew_diagnostics_count(d); i++)
            print_error("%d:%d: %s\n", sinew_diagnostics_get(d, i)->line, sinew_diagnostics_get(d, i)->col,
                        sinew_diagnostics_get(d, i)->message);
    }
    assert_int_equal(rc, SINEW_OK);
    assert_int_equal(sinew_diagnostics_errors(d), 0);
    if (warnings) *warnings = sinew_diagnostics_count(d);
    sinew_diagnostics_free(d);
    return s;
}

static void key_that_is_the_foreign_key(void **state)
{
    (void)state;
    /* as `db pull` writes film (film_id PRIMARY KEY) and film_embedding (film_id PRIMARY KEY REFERENCES film) */
    const char *src = "model Film {\n  film_id int32 @id\n  title text\n  film_embedding FilmEmbedding?\n}\n"
                      "model FilmEmbedding {\n  film_id int32 @id\n  v double\n  film Film @fk(film_id)\n}\n";
    sinew_schema *s = parse_ok(src, NULL);
    const sinew_model *film = sinew_schema_find_model(s, "Film");
    const sinew_model *emb = sinew_schema_find_model(s, "FilmEmbedding");
    assert_int_equal(film->nfields, 2);   /* no implicit film_embedding_film_id */
    assert_int_equal(sinew_model_field_index(film, "film_embedding_film_id"), -1);
    const sinew_relation *r = sinew_model_find_relation(film, "film_embedding");
    assert_int_equal(r->kind, SINEW_HAS_ONE);
    assert_ptr_equal(r->target, emb);
    assert_int_equal(r->nkeys, 1);
    assert_string_equal(emb->fields[r->remote[0]].name, "film_id");
    assert_string_equal(r->inverse, "film");
    const sinew_relation *b = sinew_model_find_relation(emb, "film");
    assert_int_equal(b->kind, SINEW_BELONGS_TO);
    assert_string_equal(b->inverse, "film_embedding");
    sinew_schema_free(s);
    /* a @unique key field, and a composite key that is the composite foreign key */
    src = "model User {\n  id int64 @id\n  profile Profile?\n}\n"
          "model Profile {\n  id int64 @id\n  user_id int64 @unique\n  user User @fk(user_id)\n}\n"
          "model Pair {\n  a int64\n  b int64\n  ext PairExt?\n  @@id([a, b])\n}\n"
          "model PairExt {\n  a int64\n  b int64\n  pair Pair @fk(a, b)\n  @@id([a, b])\n}\n";
    s = parse_ok(src, NULL);
    assert_int_equal(sinew_model_find_relation(sinew_schema_find_model(s, "User"), "profile")->kind, SINEW_HAS_ONE);
    const sinew_model *pair = sinew_schema_find_model(s, "Pair");
    assert_int_equal(pair->nfields, 2);
    assert_int_equal(sinew_model_find_relation(pair, "ext")->kind, SINEW_HAS_ONE);
    assert_int_equal(sinew_model_find_relation(pair, "ext")->nkeys, 2);
    sinew_schema_free(s);
}

static void two_foreign_keys_between_two_tables(void **state)
{
    (void)state;
    /* sakila: store.manager_staff_id (UNIQUE) -> staff, staff.store_id -> store, as pulled */
    const char *src = "model Staff {\n  staff_id int32 @id @auto\n  store_id int32\n  store Store @fk(store_id)\n"
                      "  store_manager_staff Store?\n  @@map(\"staff\")\n}\n"
                      "model Store {\n  store_id int32 @id @auto\n  manager_staff_id int32 @unique\n  staffs Staff[]\n"
                      "  manager_staff Staff @fk(manager_staff_id)\n  @@map(\"store\")\n}\n";
    sinew_schema *s = parse_ok(src, NULL);
    const sinew_model *staff = sinew_schema_find_model(s, "Staff"), *store = sinew_schema_find_model(s, "Store");
    assert_int_equal(sinew_model_find_relation(staff, "store_manager_staff")->kind, SINEW_HAS_ONE);
    assert_string_equal(sinew_model_find_relation(staff, "store_manager_staff")->inverse, "manager_staff");
    assert_int_equal(sinew_model_find_relation(store, "staffs")->kind, SINEW_HAS_MANY);
    assert_string_equal(sinew_model_find_relation(store, "staffs")->inverse, "store");
    sinew_schema_free(s);
    /* without the UNIQUE: two lists, each its own inverse */
    src = "model Staff {\n  staff_id int32 @id\n  store_id int32\n  store Store @fk(store_id)\n  stores Store[]\n}\n"
          "model Store {\n  store_id int32 @id\n  manager_staff_id int32\n  staffs Staff[]\n"
          "  manager_staff Staff @fk(manager_staff_id)\n}\n";
    s = parse_ok(src, NULL);
    staff = sinew_schema_find_model(s, "Staff");
    assert_string_equal(sinew_model_find_relation(staff, "stores")->inverse, "manager_staff");
    sinew_schema_free(s);
}

static void what_the_database_allows(void **state)
{
    (void)state;
    size_t warnings = 0;
    /* item 4: NOT NULL with ON DELETE SET NULL; item 5: int32 -> int64 and int64 -> int32 */
    const char *src = "model User {\n  id int64 @id\n}\nmodel Code {\n  id int32 @id\n}\n"
                      "model Report {\n  id int64 @id\n  reported_user_id int32\n"
                      "  reported_user User @fk(reported_user_id) @on_delete(set_null)\n"
                      "  code_id int64?\n  code Code? @fk(code_id)\n}\n";
    sinew_schema *s = parse_ok(src, &warnings);
    assert_int_equal(warnings, 1);
    const sinew_model *rep = sinew_schema_find_model(s, "Report");
    assert_int_equal(sinew_model_find_relation(rep, "reported_user")->on_delete, SINEW_FK_SET_NULL);
    assert_int_equal(rep->fields[sinew_model_field_index(rep, "reported_user_id")].type, SINEW_INT32);
    sinew_schema_free(s);
    /* item 7: reserved words as column and table names, C keywords as field names */
    src = "model Sel {\n  id int64 @id\n  values text\n  index int32\n  select text @map(\"select\")\n  order int32\n"
          "  int int32\n  key text\n  @@map(\"select\")\n}\n";
    s = parse_ok(src, &warnings);
    assert_int_equal(warnings, 0);
    assert_string_equal(sinew_schema_find_model(s, "Sel")->table, "select");
    sinew_schema_free(s);
}

static void first_error(const char *src, const char *want)
{
    sinew_diagnostics *d;
    th_ok(sinew_diagnostics_new(&d));
    sinew_schema *s = NULL;
    assert_int_equal(sinew_schema_parse("adopt.sinew", src, strlen(src), d, &s), SINEW_INVALID);
    assert_null(s);
    const sinew_diag *x = sinew_diagnostics_get(d, 0);
    assert_non_null(x);
    char got[700];
    snprintf(got, sizeof got, "%d:%d: %s", x->line, x->col, x->message);
    assert_string_equal(got, want);
    sinew_diagnostics_free(d);
}

#define MEMBERSHIP "model Membership {\n  id int64 @id\n  org_id int64\n  user_id int64\n  grants Grant[]\n" \
                   "  @@unique([org_id, user_id])\n}\n"

static void keys_to_unique_keys_and_keyless_models(void **state)
{
    (void)state;
    /* item 6: a composite foreign key to the @@unique, not the key */
    sinew_schema *s = parse_ok(MEMBERSHIP "model Grant {\n  id int64 @id\n  org_id int64\n  user_id int32\n"
                               "  membership Membership @fk(org_id, user_id) @references([org_id, user_id])\n}\n", NULL);
    const sinew_model *g = sinew_schema_find_model(s, "Grant"), *mb = sinew_schema_find_model(s, "Membership");
    const sinew_relation *r = sinew_model_find_relation(g, "membership");
    assert_int_equal(r->nkeys, 2);
    assert_string_equal(mb->fields[r->remote[0]].name, "org_id");
    assert_string_equal(mb->fields[r->remote[1]].name, "user_id");
    const sinew_relation *inv = sinew_model_find_relation(mb, "grants");
    assert_int_equal(inv->kind, SINEW_HAS_MANY);
    assert_string_equal(mb->fields[inv->local[0]].name, "org_id");
    assert_string_equal(mb->fields[inv->local[1]].name, "user_id");
    /* printed back as it was written */
    char *text;
    th_ok(sinew_schema_to_string(s, &text));
    assert_non_null(strstr(text, "@fk(org_id, user_id) @references([org_id, user_id])"));
    sinew_free(text);
    sinew_schema_free(s);
    first_error(MEMBERSHIP "model Grant {\n  id int64 @id\n  org_id int64\n  user_id int64\n"
                "  membership Membership @fk(org_id, user_id)\n}\n",
                "12:3: @fk of 'membership' names 2 field(s) but Membership's key has 1; a foreign key to another unique "
                "key of Membership names it with @references([...])");
    first_error(MEMBERSHIP "model Grant {\n  id int64 @id\n  org_id int64\n  user_id int64\n"
                "  membership Membership @fk(org_id, user_id) @references([user_id, id])\n}\n",
                "12:3: @references([user_id, id]) of 'membership': a foreign key refers to a unique key, and Membership "
                "has none on exactly these fields; add @@unique([user_id, id]) to Membership");
    first_error(MEMBERSHIP "model Grant {\n  id int64 @id\n  org_id int64\n  user_id int64\n"
                "  membership Membership @fk(org_id, user_id) @references([org_id, uid])\n}\n",
                "12:3: @references(uid): Membership has no field 'uid'");
    first_error(MEMBERSHIP "model Grant {\n  id int64 @id\n  org_id int64\n  membership Membership @references([org_id])\n}\n",
                "11:3: @references on 'membership' needs the foreign-key fields too: @fk(...) @references(...)");
    /* item 3: no key with @@readonly; a to-one into it needs @references to a unique field */
    s = parse_ok("model Log {\n  at int64\n  msg text\n  @@readonly\n}\n", NULL);
    assert_int_equal(sinew_schema_find_model(s, "Log")->npk, 0);
    assert_true(sinew_schema_find_model(s, "Log")->flags & SINEW_MODEL_READONLY);
    th_ok(sinew_schema_to_string(s, &text));
    assert_non_null(strstr(text, "  @@readonly\n"));
    sinew_free(text);
    sinew_schema_free(s);
    first_error("model Log {\n  at int64\n  @@readonly\n}\nmodel T {\n  id int64 @id\n  log Log\n}\n",
                "7:3: 'log' points to Log, which has no primary key (@@readonly): name the unique fields it refers to "
                "with @references([...])");
    s = parse_ok("model Log {\n  at int64 @unique\n  @@readonly\n}\nmodel T {\n  id int64 @id\n  at int64\n"
                 "  log Log @fk(at) @references([at])\n}\n", NULL);
    sinew_schema_free(s);    /* a named @@unique is the unique key too (db pull prints MariaDB's unique keys with their name;
       the name argument once hid the list from the check) */
    s = parse_ok("model Membership {\n  id int64 @id\n  org_id int64\n  user_id int64\n"
                 "  @@unique([org_id, user_id], name: \"org_id\")\n}\n"
                 "model Grant {\n  id int64 @id\n  org_id int64\n  user_id int64\n"
                 "  membership Membership @fk(org_id, user_id) @references([org_id, user_id])\n}\n", NULL);
    assert_int_equal(sinew_model_find_relation(sinew_schema_find_model(s, "Grant"), "membership")->nkeys, 2);
    sinew_schema_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(key_that_is_the_foreign_key),
        cmocka_unit_test(two_foreign_keys_between_two_tables),
        cmocka_unit_test(what_the_database_allows),
        cmocka_unit_test(keys_to_unique_keys_and_keyless_models),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
