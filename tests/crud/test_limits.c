/*
 * The fixed limits (src/base/sn_limits.h) in the ORM, on every backend: a
 * model of exactly SN_MAX_FIELDS (64) fields works end to end (insert, read,
 * an update of its last field, which is bit 63 of the change mask, raw reads,
 * a JOIN prefetch of it); a hand-written model of 65 (the resolver refuses one
 * in a schema file) gets SINEW_UNSUPPORTED naming the limit wherever it is
 * used, instead of a read past the 64-entry column map of a JOIN prefetch.
 */
#include "harness.h"
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define WIDE_COLS(X) X(c00) X(c01) X(c02) X(c03) X(c04) X(c05) X(c06) X(c07) X(c08) X(c09) X(c10) X(c11) X(c12) X(c13) X(c14) X(c15) X(c16) X(c17) X(c18) X(c19) X(c20) X(c21) X(c22) X(c23) X(c24) X(c25) X(c26) X(c27) X(c28) X(c29) X(c30) X(c31) X(c32) X(c33) X(c34) X(c35) X(c36) X(c37) X(c38) X(c39) X(c40) X(c41) X(c42) X(c43) X(c44) X(c45) X(c46) X(c47) X(c48) X(c49) X(c50) X(c51) X(c52) X(c53) X(c54) X(c55) X(c56) X(c57) X(c58) X(c59) X(c60) X(c61) X(c62)
#define HUGE_COLS(X) X(c00) X(c01) X(c02) X(c03) X(c04) X(c05) X(c06) X(c07) X(c08) X(c09) X(c10) X(c11) X(c12) X(c13) X(c14) X(c15) X(c16) X(c17) X(c18) X(c19) X(c20) X(c21) X(c22) X(c23) X(c24) X(c25) X(c26) X(c27) X(c28) X(c29) X(c30) X(c31) X(c32) X(c33) X(c34) X(c35) X(c36) X(c37) X(c38) X(c39) X(c40) X(c41) X(c42) X(c43) X(c44) X(c45) X(c46) X(c47) X(c48) X(c49) X(c50) X(c51) X(c52) X(c53) X(c54) X(c55) X(c56) X(c57) X(c58) X(c59) X(c60) X(c61) X(c62) X(c63)

typedef struct Wide {
    int64_t id;
#define MEMBER(c) int64_t c;
    WIDE_COLS(MEMBER)
} Wide;
typedef struct Huge {
    int64_t id;
    HUGE_COLS(MEMBER)
#undef MEMBER
} Huge;
typedef struct Link {
    int64_t id;
    int64_t wide_id;
    int64_t huge_id;
    Wide *wide;
    Huge *huge;
} Link;

static const sinew_field wide_fields[] = {
    SINEW_FIELD(Wide, id, SINEW_INT64, SINEW_FIELD_PK),
#define WF(c) SINEW_FIELD(Wide, c, SINEW_INT64, 0),
    WIDE_COLS(WF)
};
static const sinew_field huge_fields[] = {
    SINEW_FIELD(Huge, id, SINEW_INT64, SINEW_FIELD_PK),
#define HF(c) SINEW_FIELD(Huge, c, SINEW_INT64, 0),
    HUGE_COLS(HF)
};
static const unsigned k0[] = {0}, k1[] = {1}, k2[] = {2};
static const sinew_model wide_model = SINEW_MODEL(Wide, "Wide", "wides", "wide", wide_fields, k0);
static const sinew_model huge_model = SINEW_MODEL(Huge, "Huge", "huges", "huge", huge_fields, k0);

static const sinew_field link_fields[] = {
    SINEW_FIELD(Link, id, SINEW_INT64, SINEW_FIELD_PK),
    SINEW_FIELD(Link, wide_id, SINEW_INT64, SINEW_FIELD_FK),
    SINEW_FIELD(Link, huge_id, SINEW_INT64, SINEW_FIELD_FK),
};
static const sinew_relation link_rels[] = {
    {"wide", SINEW_BELONGS_TO, &wide_model, k1, k0, 1, NULL, NULL, NULL, NULL, SINEW_FK_NO_ACTION,
     SINEW_FK_NO_ACTION, 0, offsetof(Link, wide), NULL, 0, {0, 0}, NULL, NULL},
    {"huge", SINEW_BELONGS_TO, &huge_model, k2, k0, 1, NULL, NULL, NULL, NULL, SINEW_FK_NO_ACTION,
     SINEW_FK_NO_ACTION, 0, offsetof(Link, huge), NULL, 0, {0, 0}, NULL, NULL},
};
static const sinew_model link_model = {"Link", "links", "link", NULL, NULL, 0, sizeof(Link), link_fields,
                                       SINEW_COUNT(link_fields), k0, 1, NULL, 0, link_rels, SINEW_COUNT(link_rels), {0, 0},
                                       SINEW_DIST_UNSAID, 0, NULL, NULL, NULL, 0, NULL, NULL, 0};

static int64_t val(int64_t id, size_t field) { return id * 1000 + (int64_t)field; }

static void assert_wide(const Wide *w, int64_t id, int64_t last)
{
    assert_int_equal(w->id, id);
    const int64_t *v = &w->id;   /* the members are consecutive int64_t, field i at v[i] */
    for (size_t i = 1; i + 1 < wide_model.nfields; i++) assert_int_equal(v[i], val(id, i));
    assert_int_equal(v[wide_model.nfields - 1], last);
}

static void sixty_four_fields_work_end_to_end(void **state)
{
    (void)state;
    assert_int_equal(wide_model.nfields, 64);
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &wide_model));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    for (int64_t id = 1; id <= 2; id++) {
        Wide *w;
        th_ok(sinew_new(s, &wide_model, (void **)&w));
        int64_t *v = &w->id;
        v[0] = id;
        for (size_t i = 1; i < wide_model.nfields; i++) v[i] = val(id, i);
        th_ok(sinew_save(s, &wide_model, w));
    }
    sinew_session_free(s);

    /* the last field alone changes: bit 63 of the change mask */
    th_ok(sinew_session_new(db, &s));
    Wide *w;
    sinew_value key = sinew_v_int64(1);
    th_ok(sinew_get(s, &wide_model, &key, 1, (void **)&w));
    assert_wide(w, 1, val(1, 63));
    w->c62 = -7;
    th_ok(sinew_save(s, &wide_model, w));
    sinew_session_free(s);

    th_ok(sinew_session_new(db, &s));
    sinew_query *q = sinew_query_new(s, &wide_model);
    th_ok(sinew_order(q, sinew_column(&wide_model, 0), SINEW_ASC));
    sinew_list all;
    th_ok(sinew_all(q, &all));
    assert_int_equal(all.count, 2);
    assert_wide(all.items[0], 1, -7);
    assert_wide(all.items[1], 2, val(2, 63));
    sinew_query_free(q);
    sinew_session_free(s);

    /* raw reads map 64 columns by name */
    th_ok(sinew_session_new(db, &s));
    th_ok(sinew_raw_all(s, &wide_model, "SELECT * FROM wides ORDER BY id", NULL, 0, &all));
    assert_int_equal(all.count, 2);
    assert_wide(all.items[0], 1, -7);
    sinew_session_free(s);

    /* a JOIN prefetch of the 64-field model */
    th_ok(sinew_exec(db, "CREATE TABLE links (id BIGINT PRIMARY KEY, wide_id BIGINT NOT NULL, huge_id BIGINT NOT NULL)"));
    th_ok(sinew_exec(db, "INSERT INTO links (id, wide_id, huge_id) VALUES (1, 2, 0)"));
    th_ok(sinew_session_new(db, &s));
    q = sinew_query_new(s, &link_model);
    th_ok(sinew_prefetch_with(q, &link_rels[0], SINEW_EAGER_JOIN));
    th_ok(sinew_all(q, &all));
    assert_int_equal(all.count, 1);
    const Link *l = all.items[0];
    assert_non_null(l->wide);
    assert_wide(l->wide, 2, val(2, 63));
    sinew_query_free(q);
    sinew_session_free(s);
    th_close(db);
}

static void sixty_five_fields_are_refused_by_name(void **state)
{
    (void)state;
    assert_int_equal(huge_model.nfields, 65);
    sinew_db *db = th_open();
    /* the table made by hand: sinew refuses the model, the test needs a row to read */
    char sql[2048] = "CREATE TABLE huges (id BIGINT PRIMARY KEY";
    char ins[2048] = "INSERT INTO huges VALUES (1";
    for (size_t i = 1; i < huge_model.nfields; i++) {
        snprintf(sql + strlen(sql), sizeof sql - strlen(sql), ", %s BIGINT NOT NULL", huge_fields[i].column);
        snprintf(ins + strlen(ins), sizeof ins - strlen(ins), ", %zu", i);
    }
    strcat(sql, ")");
    strcat(ins, ")");
    th_ok(sinew_exec(db, sql));
    th_ok(sinew_exec(db, ins));
    th_ok(sinew_exec(db, "CREATE TABLE links (id BIGINT PRIMARY KEY, wide_id BIGINT NOT NULL, huge_id BIGINT NOT NULL)"));
    th_ok(sinew_exec(db, "INSERT INTO links (id, wide_id, huge_id) VALUES (1, 0, 1)"));

    const char *want = "model Huge has 65 fields; sinew supports up to 64 per model";
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Huge *h;
    th_ok(sinew_new(s, &huge_model, (void **)&h));
    h->id = 2;
    th_assert_status(sinew_save(s, &huge_model, h), SINEW_UNSUPPORTED, want);
    sinew_list all;
    th_assert_status(sinew_raw_all(s, &huge_model, "SELECT * FROM huges", NULL, 0, &all), SINEW_UNSUPPORTED, want);
    /* a JOIN prefetch of it: the target's columns would overrun a 64-entry column map */
    sinew_query *q = sinew_query_new(s, &link_model);
    th_ok(sinew_prefetch_with(q, &link_rels[1], SINEW_EAGER_JOIN));
    th_assert_status(sinew_all(q, &all), SINEW_UNSUPPORTED, want);
    sinew_query_free(q);
    sinew_session_free(s);
    th_close(db);
}

/* SN_MAX_QUERY_TERMS (16) order keys, group keys, aggregates and HAVING terms run;
 * the 17th of each is refused, naming the limit */
static void sixteen_terms_of_a_query(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &wide_model));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    for (int64_t id = 1; id <= 3; id++) {
        Wide *w;
        th_ok(sinew_new(s, &wide_model, (void **)&w));
        int64_t *v = &w->id;
        v[0] = id;
        for (size_t i = 1; i < wide_model.nfields; i++) v[i] = i == 16 ? -id : val(1, i);   /* c15 decides */
        th_ok(sinew_save(s, &wide_model, w));
    }
    sinew_list all;
    sinew_query *q = sinew_query_new(s, &wide_model);
    for (int i = 1; i <= 16; i++) th_ok(sinew_order(q, sinew_column(&wide_model, i), SINEW_ASC));
    th_ok(sinew_all(q, &all));
    assert_int_equal(all.count, 3);
    assert_int_equal(((Wide *)all.items[0])->id, 3);   /* the 16th key ordered them */
    th_assert_status(sinew_order(q, sinew_column(&wide_model, 17), SINEW_ASC), SINEW_UNSUPPORTED,
                     "more than 16 order keys in one query");
    sinew_query_free(q);

    q = sinew_query_new(s, &wide_model);
    for (int i = 1; i <= 16; i++) th_ok(sinew_group_by(q, sinew_column(&wide_model, i)));
    th_assert_status(sinew_group_by(q, sinew_column(&wide_model, 17)), SINEW_UNSUPPORTED,
                     "more than 16 group keys in one query");
    sinew_query_free(q);

    q = sinew_query_new(s, &wide_model);
    th_ok(sinew_group_by(q, sinew_column(&wide_model, 1)));
    for (int i = 2; i <= 17; i++) th_ok(sinew_select_agg(q, SINEW_MAX, sinew_column(&wide_model, i)));
    th_assert_status(sinew_select_agg(q, SINEW_MAX, sinew_column(&wide_model, 18)), SINEW_UNSUPPORTED,
                     "more than 16 aggregates in one query");
    sinew_query_free(q);

    q = sinew_query_new(s, &wide_model);
    th_ok(sinew_group_by(q, sinew_column(&wide_model, 1)));
    for (int i = 2; i <= 17; i++)
        th_ok(sinew_having(q, SINEW_MAX, sinew_column(&wide_model, i), SINEW_GT, sinew_v_int64(-1000)));
    th_assert_status(sinew_having(q, SINEW_MAX, sinew_column(&wide_model, 18), SINEW_GT, sinew_v_int64(0)),
                     SINEW_UNSUPPORTED, "more than 16 HAVING terms in one query");
    sinew_query_free(q);
    sinew_session_free(s);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sixty_four_fields_work_end_to_end),
        cmocka_unit_test(sixty_five_fields_are_refused_by_name),
        cmocka_unit_test(sixteen_terms_of_a_query),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
