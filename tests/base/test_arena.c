/* Arena, string builder and hash map behave, and fail cleanly when memory runs out. */
#include "harness.h"
#include "base.h"
#include <stdio.h>
#include <string.h>

static void arena_allocates_aligned_and_frees(void **state)
{
    (void)state;
    sn_arena a;
    sn_arena_init(&a, 64);
    for (int i = 0; i < 1000; i++) {
        char *p = sn_arena_alloc(&a, (size_t)i % 37 + 1);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, 'x', (size_t)i % 37 + 1);
    }
    char *big = sn_arena_alloc(&a, 1 << 20);
    assert_non_null(big);
    assert_string_equal(sn_arena_printf(&a, "%d-%s", 7, "x"), "7-x");
    sn_arena_free(&a);
}

static void arena_limit_gives_nomem(void **state)
{
    (void)state;
    sn_arena a;
    sn_arena_init(&a, 1024);
    a.limit = 8192;
    int failed = 0;
    for (int i = 0; i < 100 && !failed; i++)
        if (!sn_arena_alloc(&a, 1000)) failed = 1;
    assert_true(failed);
    assert_int_equal(sinew_last_error()->status, SINEW_NOMEM);
    assert_true(a.used <= 8192);
    sn_arena_free(&a);
}

static void arena_mark_resets(void **state)
{
    (void)state;
    sn_arena a;
    sn_arena_init(&a, 256);
    assert_non_null(sn_arena_alloc(&a, 10));
    sn_arena_mark m = sn_arena_mark_get(&a);
    size_t used = a.used;
    for (int i = 0; i < 100; i++) assert_non_null(sn_arena_alloc(&a, 500));
    sn_arena_reset_to(&a, m);
    assert_int_equal(a.used, used);
    sn_arena_free(&a);
}

static int str_eq(const void *a, const void *b, void *ctx) { (void)ctx; return strcmp(a, b) == 0; }

/* ownership answers stay right when the chunk it last answered from is given back */
static void arena_owns_after_reset(void **state)
{
    (void)state;
    sn_arena a;
    sn_arena_init(&a, 256);
    char *first = sn_arena_alloc(&a, 64);
    assert_true(sn_arena_owns(&a, first));
    sn_arena_mark m = sn_arena_mark_get(&a);
    char *later = NULL;
    for (int i = 0; i < 64; i++) later = sn_arena_alloc(&a, 200);   /* several more chunks */
    assert_true(sn_arena_owns(&a, later));                          /* remembered: its chunk */
    assert_true(sn_arena_owns(&a, later));
    assert_true(sn_arena_owns(&a, first));
    assert_true(sn_arena_owns(&a, later));
    int local = 0;
    assert_false(sn_arena_owns(&a, &local));
    sn_arena_reset_to(&a, m);   /* later's chunk is freed: asking must not read it */
    assert_false(sn_arena_owns(&a, later));
    assert_true(sn_arena_owns(&a, first));
    sn_arena_free(&a);
    assert_false(sn_arena_owns(&a, first));
}

static void map_put_get_remove(void **state)
{
    (void)state;
    sn_map m;
    sn_map_init(&m, str_eq, NULL);
    static char keys[500][8];
    for (int i = 0; i < 500; i++) {
        snprintf(keys[i], 8, "k%d", i);
        assert_int_equal(sn_map_put(&m, sn_hash_str(keys[i]), keys[i], (void *)(intptr_t)(i + 1)), 0);
    }
    assert_int_equal(m.count, 500);
    for (int i = 0; i < 500; i += 2) assert_true(sn_map_remove(&m, sn_hash_str(keys[i]), keys[i]));
    for (int i = 0; i < 500; i++) {
        void *v = sn_map_get(&m, sn_hash_str(keys[i]), keys[i]);
        if (i % 2) assert_int_equal((intptr_t)v, i + 1);
        else assert_null(v);
    }
    sn_map_free(&m);
}

static void buf_appends(void **state)
{
    (void)state;
    sn_buf b;
    sn_buf_init(&b);
    assert_string_equal(sn_buf_cstr(&b), "");
    for (int i = 0; i < 1000; i++) sn_buf_printf(&b, "%d,", i);
    assert_true(b.len > 3000);
    assert_memory_equal(b.data, "0,1,2,", 6);
    char *s = sn_buf_take(&b);
    assert_non_null(s);
    sn_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arena_allocates_aligned_and_frees),
        cmocka_unit_test(arena_limit_gives_nomem),
        cmocka_unit_test(arena_mark_resets),
        cmocka_unit_test(arena_owns_after_reset),
        cmocka_unit_test(map_put_get_remove),
        cmocka_unit_test(buf_appends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
