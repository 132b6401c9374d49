/*
 * Differential testing: a seeded random sequence of operations (create,
 * update, delete, bulk update/delete by query, flush, rollback, queries with
 * random filters and orders) runs through sinew and through a plain
 * in-memory model; after every step the query results and the whole table
 * must agree. A failure prints the seed and step; replay with
 * SINEW_DIFF_SEED=<seed>, run longer with SINEW_DIFF_STEPS=<n>.
 */
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Item {
    int64_t id;
    char *name;
    int32_t score;
    bool flag;
    bool has_flag;
} Item;

static const sinew_field item_fields[] = {
    SINEW_FIELD(Item, id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_AUTO),
    SINEW_FIELD(Item, name, SINEW_TEXT, 0),
    SINEW_FIELD(Item, score, SINEW_INT32, 0),
    SINEW_FIELD_OPT(Item, flag, SINEW_BOOL, 0),
};
static const unsigned item_pk[] = {0};
static const sinew_model item_model = SINEW_MODEL(Item, "Item", "items", "item", item_fields, item_pk);
#define ITEM_ID sinew_column(&item_model, 0)
#define ITEM_NAME sinew_column(&item_model, 1)
#define ITEM_SCORE sinew_column(&item_model, 2)
#define ITEM_FLAG sinew_column(&item_model, 3)

/* the reference model: rows as the database must hold them */
#define MAXROWS 4096
typedef struct ref_row {
    int live;
    int64_t id;
    char name[16];
    int32_t score;
    int flag;      /* -1 NULL, 0, 1 */
} ref_row;

static ref_row ref[MAXROWS];
static int64_t next_id;
static uint64_t rng;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

/* a random filter, built for sinew and evaluated on the reference */
typedef struct filter {
    int kind;      /* 0 none, 1 score >= v, 2 name like 'n<d>%', 3 flag is null, 4 flag = 1 or score < v, 5 id in (...) */
    int32_t v;
    int digit;
    int64_t ids[3];
} filter;

static filter random_filter(void)
{
    filter f;
    memset(&f, 0, sizeof f);
    f.kind = (int)(rnd() % 6);
    f.v = (int32_t)(rnd() % 100);
    f.digit = (int)(rnd() % 10);
    for (int i = 0; i < 3; i++) f.ids[i] = (int64_t)(rnd() % (uint32_t)(next_id + 1));
    return f;
}

static int matches(const filter *f, const ref_row *r)
{
    switch (f->kind) {
    case 1: return r->score >= f->v;
    case 2: return r->name[0] == 'n' && r->name[1] == '0' + f->digit;
    case 3: return r->flag < 0;
    case 4: return r->flag == 1 || r->score < f->v;
    case 5: return r->id == f->ids[0] || r->id == f->ids[1] || r->id == f->ids[2];
    default: return 1;
    }
}

static void apply_filter(sinew_query *q, const filter *f)
{
    char pat[8];
    switch (f->kind) {
    case 1: th_ok(sinew_where(q, sinew_ge(ITEM_SCORE, sinew_v_int32(f->v)))); break;
    case 2:
        snprintf(pat, sizeof pat, "n%d%%", f->digit);
        th_ok(sinew_where(q, sinew_like(ITEM_NAME, pat)));
        break;
    case 3: th_ok(sinew_where(q, sinew_is_null(ITEM_FLAG))); break;
    case 4: th_ok(sinew_where(q, sinew_or(sinew_eq(ITEM_FLAG, sinew_v_bool(true)), sinew_lt(ITEM_SCORE, sinew_v_int32(f->v))))); break;
    case 5: {
        sinew_value v[3] = {sinew_v_int64(f->ids[0]), sinew_v_int64(f->ids[1]), sinew_v_int64(f->ids[2])};
        th_ok(sinew_where(q, sinew_in(ITEM_ID, v, 3)));
        break;
    }
    default: break;
    }
}

static int cmp_ref(const void *a, const void *b)
{
    const ref_row *x = *(const ref_row *const *)a, *y = *(const ref_row *const *)b;
    if (x->score != y->score) return x->score < y->score ? 1 : -1;   /* score DESC */
    return x->id < y->id ? -1 : x->id > y->id;                        /* then id ASC */
}

static void check_query(sinew_session *s, uint64_t seed, int step)
{
    filter f = random_filter();
    sinew_query *q = sinew_query_new(s, &item_model);
    apply_filter(q, &f);
    th_ok(sinew_order(q, ITEM_SCORE, SINEW_DESC));
    th_ok(sinew_order(q, ITEM_ID, SINEW_ASC));
    sinew_list got;
    th_ok(sinew_all(q, &got));
    int64_t cnt;
    th_ok(sinew_query_count(q, &cnt));
    sinew_query_free(q);
    static const ref_row *want[MAXROWS];
    size_t n = 0;
    for (int i = 0; i < MAXROWS; i++)
        if (ref[i].live && matches(&f, &ref[i])) want[n++] = &ref[i];
    qsort(want, n, sizeof want[0], cmp_ref);
    if (got.count != n || (size_t)cnt != n)
        fail_msg("seed %llu step %d: filter kind %d returned %zu rows (count %lld), reference has %zu",
                 (unsigned long long)seed, step, f.kind, got.count, (long long)cnt, n);
    for (size_t i = 0; i < n; i++) {
        const Item *it = got.items[i];
        const ref_row *r = want[i];
        if (it->id != r->id || strcmp(it->name, r->name) || it->score != r->score ||
            (r->flag < 0 ? it->has_flag : (!it->has_flag || it->flag != (r->flag == 1))))
            fail_msg("seed %llu step %d: row %zu differs: sinew id %lld '%s' %d, reference id %lld '%s' %d",
                     (unsigned long long)seed, step, i, (long long)it->id, it->name, it->score, (long long)r->id,
                     r->name, r->score);
    }
}

static ref_row *ref_find(int64_t id)
{
    for (int i = 0; i < MAXROWS; i++)
        if (ref[i].live && ref[i].id == id) return &ref[i];
    return NULL;
}

static void run(uint64_t seed, int steps)
{
    rng = seed ? seed : 1;
    memset(ref, 0, sizeof ref);
    next_id = 0;
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &item_model));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    /* pending work not yet flushed: the reference applies it at flush time */
    ref_row pending[64];
    Item *pending_obj[64];
    int npending = 0;
    for (int step = 0; step < steps; step++) {
        int op = (int)(rnd() % 10);
        if (op <= 2 && npending < 64) {                 /* create (pending until flush) */
            Item *it;
            th_ok(sinew_new(s, &item_model, (void **)&it));
            ref_row r = {1, 0, "", (int32_t)(rnd() % 100), (int)(rnd() % 3) - 1};
            snprintf(r.name, sizeof r.name, "n%u", rnd() % 1000);
            it->name = sinew_strdup(s, r.name);
            it->score = r.score;
            it->has_flag = r.flag >= 0;
            it->flag = r.flag == 1;
            pending[npending] = r;
            pending_obj[npending++] = it;
        } else if (op == 3 || op == 4) {                 /* flush, or roll the pending work back */
            if (op == 3) {
                th_ok(sinew_session_flush(s));
                for (int i = 0; i < npending; i++) {
                    ref_row r = pending[i];
                    r.id = pending_obj[i]->id;
                    if (r.id > next_id) next_id = r.id;
                    for (int k = 0; k < MAXROWS; k++)
                        if (!ref[k].live) {
                            ref[k] = r;
                            break;
                        }
                }
            } else {
                sinew_session_rollback(s);
            }
            npending = 0;
        } else if (op == 5 && next_id) {                 /* load and update one row */
            int64_t id = (int64_t)(rnd() % (uint32_t)next_id) + 1;
            ref_row *r = ref_find(id);
            Item *it;
            sinew_value key = sinew_v_int64(id);
            int rc = sinew_get(s, &item_model, &key, 1, (void **)&it);
            if (!r) {
                assert_int_equal(rc, SINEW_NOTFOUND);
                continue;
            }
            th_ok(rc);
            r->score = (int32_t)(rnd() % 100);
            it->score = r->score;
            th_ok(sinew_save(s, &item_model, it));
        } else if (op == 6 && next_id) {                 /* delete one row */
            int64_t id = (int64_t)(rnd() % (uint32_t)next_id) + 1;
            ref_row *r = ref_find(id);
            Item *it;
            sinew_value key = sinew_v_int64(id);
            if (sinew_get(s, &item_model, &key, 1, (void **)&it) == SINEW_OK) {
                assert_non_null(r);
                th_ok(sinew_delete(s, &item_model, it));
                r->live = 0;
            } else {
                assert_null(r);
            }
        } else if (op == 7) {                            /* bulk update by query */
            if (npending) continue;                      /* keep the reference's order of effects simple */
            filter f = random_filter();
            int32_t v = (int32_t)(rnd() % 100);
            sinew_query *q = sinew_query_new(s, &item_model);
            apply_filter(q, &f);
            sinew_assign set = {ITEM_SCORE, sinew_v_int32(v)};
            int64_t changed;
            th_ok(sinew_query_update(q, &set, 1, &changed));
            sinew_query_free(q);
            int64_t want = 0;
            for (int i = 0; i < MAXROWS; i++)
                if (ref[i].live && matches(&f, &ref[i])) {
                    ref[i].score = v;
                    want++;
                }
            if (changed != want)
                fail_msg("seed %llu step %d: bulk update changed %lld rows, reference %lld", (unsigned long long)seed,
                         step, (long long)changed, (long long)want);
            /* loaded objects are not refreshed by bulk updates: start a fresh session */
            sinew_session_free(s);
            th_ok(sinew_session_new(db, &s));
        } else if (op == 8 && (rnd() % 4) == 0) {       /* bulk delete by query, rarely */
            if (npending) continue;
            filter f = random_filter();
            if (f.kind == 0) continue;
            sinew_query *q = sinew_query_new(s, &item_model);
            apply_filter(q, &f);
            int64_t changed;
            th_ok(sinew_query_delete(q, &changed));
            sinew_query_free(q);
            int64_t want = 0;
            for (int i = 0; i < MAXROWS; i++)
                if (ref[i].live && matches(&f, &ref[i])) {
                    ref[i].live = 0;
                    want++;
                }
            assert_int_equal(changed, want);
            sinew_session_free(s);
            th_ok(sinew_session_new(db, &s));
        } else {
            check_query(s, seed, step);
        }
        if (step % 50 == 49) {   /* the whole table, from a fresh session */
            sinew_session *fresh;
            th_ok(sinew_session_new(db, &fresh));
            int64_t n;
            th_ok(sinew_count(fresh, &item_model, &n));
            int64_t live = 0;
            for (int i = 0; i < MAXROWS; i++) live += ref[i].live;
            if (n != live)
                fail_msg("seed %llu step %d: table has %lld rows, reference %lld", (unsigned long long)seed, step,
                         (long long)n, (long long)live);
            check_query(fresh, seed, step);
            sinew_session_free(fresh);
        }
    }
    sinew_session_free(s);
    th_close(db);
}

static void random_sequences_match_the_reference(void **state)
{
    (void)state;
    const char *e = getenv("SINEW_DIFF_STEPS");
    int steps = e ? atoi(e) : 1500;
    const char *es = getenv("SINEW_DIFF_SEED");
    int runs = es ? 1 : 4;
    for (int r = 0; r < runs; r++) {
        uint64_t seed = es ? strtoull(es, NULL, 10) : 0x5eed0000ull + (uint64_t)r * 7919u;
        run(seed, steps);
        print_message("differential: seed %llu, %d steps, matched the reference\n", (unsigned long long)seed, steps);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_sequences_match_the_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
