/*
 * The identity map (src/orm/identity.c) against a plain reference: random
 * adds, removes and lookups over key patterns that stress its hashing
 * (sequential runs, powers-of-two strides, negative and 64-bit keys,
 * two models with the same keys, text keys), checked after every step
 * that exactly the added-and-not-removed objects are found. Adds are
 * immediate or deferred (inserted objects are indexed on the next lookup),
 * and the object list that deferral walks must come out intact.
 */
#include "harness.h"
#include "orm/orm.h"
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct Node {
    int64_t id;
    char *name;
} Node;
typedef struct Label {
    char *code;
    int64_t n;
} Label;

static const sinew_field node_fields[] = {
    SINEW_FIELD(Node, id, SINEW_INT64, SINEW_FIELD_PK),
    SINEW_FIELD(Node, name, SINEW_TEXT, SINEW_FIELD_NULLABLE),
};
static const unsigned node_pk[] = {0};
static const sinew_model node_model = SINEW_MODEL(Node, "Node", "nodes", "node", node_fields, node_pk);
/* the same layout under another model: same keys, other rows */
static const sinew_model twin_model = SINEW_MODEL(Node, "Twin", "twins", "twin", node_fields, node_pk);

static const sinew_field label_fields[] = {
    SINEW_FIELD(Label, code, SINEW_TEXT, SINEW_FIELD_PK),
    SINEW_FIELD(Label, n, SINEW_INT64, SINEW_FIELD_PK),
};
static const unsigned label_pk[] = {0, 1};
static const sinew_model label_model = SINEW_MODEL(Label, "Label", "labels", "label", label_fields, label_pk);

enum { N = 6000 };

typedef struct ref {
    const sinew_model *m;
    sinew_value key[2];
    char text[24];
    sn_obj *obj;   /* NULL: not in the map */
    void *data;
} ref;

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int64_t pattern_key(int pattern, int i)
{
    switch (pattern) {
    case 0: return i + 1;                                   /* auto-increment */
    case 1: return (int64_t)i << 12;                        /* a power-of-two stride */
    case 2: return (int64_t)i << 32;                        /* only high bits differ */
    case 3: return -(int64_t)i - 1;                         /* negative */
    case 4: return (int64_t)(next_rand() >> 1);             /* scattered 63-bit */
    default: return (int64_t)i * 131072 + (i & 7);          /* the table's own size apart */
    }
}

static void check_all(sinew_session *s, ref *refs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sn_obj *got = sn_identity_find(s, refs[i].m, refs[i].key);
        if (got != refs[i].obj)
            fail_msg("key #%zu (%s): found %p, expected %p", i, refs[i].m->name, (void *)got, (void *)refs[i].obj);
    }
}

static void run_pattern(int pattern)
{
    sinew_db *db;
    th_ok(sinew_open("sqlite::memory:", &db));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    ref *refs = calloc(N, sizeof *refs);
    assert_non_null(refs);
    for (int i = 0; i < N; i++) {
        ref *r = &refs[i];
        int kind = i % 3;   /* Node, its twin (same key as the Node before it), Label */
        if (kind == 2) {
            r->m = &label_model;
            snprintf(r->text, sizeof r->text, "L%d", i / 7);
            r->key[0] = sinew_v_text(r->text);
            r->key[1] = sinew_v_int64(i % 7);
        } else {
            r->m = kind ? &twin_model : &node_model;
            r->key[0] = kind ? refs[i - 1].key[0] : sinew_v_int64(pattern_key(pattern, i / 3));
        }
        th_ok(sinew_new(s, r->m, &r->data));
        if (r->m == &label_model) {
            ((Label *)r->data)->code = r->text;
            ((Label *)r->data)->n = r->key[1].u.i;
        } else {
            ((Node *)r->data)->id = r->key[0].u.i;
        }
    }
    /* add everything in order (half of it deferred, as inserts are), check, then churn:
     * remove and re-add at random */
    for (int i = 0; i < N; i++) {
        if (i % 2) th_ok(sn_identity_add_later(s, SN_OBJ_OF(refs[i].data)));
        else th_ok(sn_identity_add(s, SN_OBJ_OF(refs[i].data)));
        refs[i].obj = SN_OBJ_OF(refs[i].data);
    }
    check_all(s, refs, N);
    for (int step = 0; step < 4 * N; step++) {
        ref *r = &refs[next_rand() % N];
        if (r->obj) {
            sn_identity_remove(s, r->obj);
            r->obj = NULL;
        } else {
            int how = (int)(next_rand() % 3);
            if (how == 0) th_ok(sn_identity_add_later(s, SN_OBJ_OF(r->data)));
            else if (how == 1) th_ok(sn_identity_add(s, SN_OBJ_OF(r->data)));
            else {   /* the loading path: claim the key, nobody has it */
                int rc;
                assert_null(sn_identity_claim(s, SN_OBJ_OF(r->data), r->key, sn_key_hash(r->m, r->key), &rc));
                th_ok(rc);
            }
            r->obj = SN_OBJ_OF(r->data);
        }
        if (step % 997 == 0) check_all(s, refs, N);
    }
    check_all(s, refs, N);
    /* the session's object list is whole and in creation order (newest first) */
    size_t listed = 0;
    for (sn_obj *o = s->objects; o; o = o->next, listed++)
        assert_ptr_equal(o, SN_OBJ_OF(refs[N - 1 - listed].data));
    assert_int_equal(listed, N);
    /* a second object claiming a mapped key gets the mapped one, and is not added */
    for (int i = 0; i < N; i += 5) {
        if (!refs[i].obj) continue;
        void *twin;
        th_ok(sinew_new(s, refs[i].m, &twin));
        memcpy(twin, refs[i].data, refs[i].m->size);
        int rc;
        assert_ptr_equal(sn_identity_claim(s, SN_OBJ_OF(twin), refs[i].key, sn_key_hash(refs[i].m, refs[i].key), &rc),
                         refs[i].obj);
        th_ok(rc);
    }
    check_all(s, refs, N);
    /* removing what is not there changes nothing */
    for (int i = 0; i < N; i++)
        if (!refs[i].obj) sn_identity_remove(s, SN_OBJ_OF(refs[i].data));
    check_all(s, refs, N);
    /* lookups of keys never added find nothing (and end: no endless probing through runs) */
    for (int i = 0; i < N; i++) {
        sinew_value k = sinew_v_int64(pattern_key(pattern, i) + 7777777);
        sn_obj *o = sn_identity_find(s, &node_model, &k);
        if (o) assert_true(((Node *)SN_DATA_OF(o))->id == k.u.i);
    }
    free(refs);
    sinew_session_free(s);
    sinew_close(db);
}

static void sequential_keys(void **state) { (void)state; run_pattern(0); }
static void power_of_two_stride(void **state) { (void)state; run_pattern(1); }
static void high_bits_only(void **state) { (void)state; run_pattern(2); }
static void negative_keys(void **state) { (void)state; run_pattern(3); }
static void random_keys(void **state) { (void)state; run_pattern(4); }
static void table_size_stride(void **state) { (void)state; run_pattern(5); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sequential_keys),  cmocka_unit_test(power_of_two_stride), cmocka_unit_test(high_bits_only),
        cmocka_unit_test(negative_keys),    cmocka_unit_test(random_keys),         cmocka_unit_test(table_size_stride),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
