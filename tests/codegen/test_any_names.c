/*
 * Code generated for tests/codegen/any_names.sinew (issue 19, items 7 and 8),
 * on every backend: fields named after every C keyword, macros of the
 * included headers (NULL, errno, stdin, EOF, INT32_MAX, unix), reserved
 * identifiers (__x, _X), the generated code's own locals and parameters
 * (s, out, key, v, sinew_key ...), names that clash once upper-cased (Key2,
 * key2) or with a has_ flag (x, has_x), and SQL reserved words (values,
 * index, select, order, a table named "order"). The header compiles with
 * -Werror (gcc here, clang in the clang build); every value makes the
 * round trip through the typed API and the columns keep their names.
 */
#include "harness.h"
#include "any_names.h"
#include <stdio.h>
#include <string.h>

static void every_name_round_trips(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_tables(db, &any_names_schema));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    ArInternalMetadata *meta;
    th_ok(ar_internal_metadata_new(s, &meta));
    meta->key = "environment";
    meta->value = "test";
    meta->created_at = meta->updated_at = 1700000000000000;
    Keywords *k;
    th_ok(keywords_new(s, &k));
    k->int_ = 1;
    k->has_int_ = true;
    k->struct_ = 2;
    k->has_struct_ = true;
    k->f_Bool = 3;
    k->has_f_Bool = true;
    k->typeof_ = 4;
    k->has_typeof_ = true;
    Generated *g;
    th_ok(generated_new(s, &g));
    g->NULL_ = 5;
    g->has_NULL_ = true;
    g->errno_ = 6;
    g->has_errno_ = true;
    g->f__x = 7;
    g->has_f__x = true;
    g->s = 8;
    g->has_s = true;
    g->q = 9;
    g->v = 10;
    g->n = 11;
    g->model = 12;
    g->Key2 = 13;
    g->x_ = 14;       /* x steps aside: its flag has_x would be the field has_x */
    g->has_x_ = true;
    g->has_x = 15;
    g->has_has_x = true;
    g->fsinew_key = 16;
    g->has_fsinew_key = true;
    g->values = "v";
    g->index = "i";
    g->select = "sel";
    g->order = "ord";
    g->typedef_ = k;
    Child *c;
    th_ok(child_new(s, &c));
    c->s = 1;
    c->out = 2;
    c->key = "k";
    c->struct_ = g;
    th_ok(sinew_session_flush(s));
    int64_t kid = k->id, gid = g->id;
    sinew_session_free(s);

    th_ok(sinew_session_new(db, &s));
    ArInternalMetadata *m2;
    th_ok(ar_internal_metadata_get(s, "environment", &m2));
    assert_string_equal(m2->value, "test");
    Keywords *k2;
    th_ok(keywords_get(s, kid, &k2));
    assert_true(k2->has_int_ && k2->int_ == 1 && k2->struct_ == 2 && k2->f_Bool == 3 && k2->typeof_ == 4);
    assert_false(k2->has_while_);
    Generated *g2;
    th_ok(generated_get_by_q(s, 9, &g2));
    assert_int_equal(g2->id, gid);
    Generated *g3;
    th_ok(generated_get_by_v(s, 10, &g3));
    assert_ptr_equal(g3, g2);
    th_ok(generated_get_by_n_model(s, 11, 12, &g3));
    assert_ptr_equal(g3, g2);
    assert_true(g2->NULL_ == 5 && g2->errno_ == 6 && g2->f__x == 7 && g2->s == 8 && g2->Key2 == 13);
    assert_true(g2->has_x_ && g2->x_ == 14 && g2->has_has_x && g2->has_x == 15 && g2->fsinew_key == 16);
    assert_string_equal(g2->values, "v");
    assert_string_equal(g2->index, "i");
    assert_string_equal(g2->select, "sel");
    assert_string_equal(g2->order, "ord");
    Keywords *via;
    th_ok(generated_typedef_(s, g2, &via));
    assert_ptr_equal(via, k2);
    Child *c2;
    th_ok(child_get(s, 1, 2, &c2));
    assert_string_equal(c2->key, "k");
    Generated *parent;
    th_ok(child_struct_(s, c2, &parent));
    assert_ptr_equal(parent, g2);
    child_list kids;
    th_ok(generated_children(s, g2, &kids));
    assert_int_equal(kids.count, 1);
    /* the macros name the columns as the database has them */
    assert_string_equal(generated_model.fields[sinew_model_field_index(&generated_model, "select")].column, "select");
    assert_string_equal(child_model.table, "order");
    assert_string_equal(generated_model.fields[sinew_model_field_index(&generated_model, "has_x")].column, "has_x");
    sinew_session_free(s);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_name_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
