/*
 * A batched flush binds its rows through the driver's bind_rows (driver
 * interface version 9) where the driver has one, and value by value through
 * bind() where it has not, with the same rows written either way: every
 * column type, required and nullable, present and absent, goes through a
 * batch and is read back equal to the same values saved row by row (which
 * binds through bind()). Run on the driver as it is first (SQLite's own
 * bind_rows; PostgreSQL and MariaDB have none), then through a wrapper that
 * adds a counting bind_rows made of sinew_field_value() and bind(), then
 * through a wrapper of interface version 8, which the registry gives no
 * bind_rows.
 */
#include "harness.h"
#include "../crud/models.h"
#include "../crud/thing_fill.h"
#include <stdio.h>
#include <string.h>

enum { K = 6 };   /* several objects: a batch (one INSERT of K rows, under COPY's threshold) */

static const sinew_driver *real;
static sinew_driver with_rows, v8;
static long binds, bind_rows_calls, rows_bound;

static int counting_bind(sinew_stmt *st, int i, const sinew_value *v)
{
    binds++;
    return real->bind(st, i, v);
}

/* the contract of bind_rows, written with the public pieces a driver has */
static int counting_bind_rows(sinew_stmt *st, int first, const sinew_field *fields, const unsigned *cols, size_t ncols,
                              void *const *objs, size_t nrows)
{
    bind_rows_calls++;
    rows_bound += (long)nrows;
    int param = first;
    for (size_t r = 0; r < nrows; r++)
        for (size_t k = 0; k < ncols; k++) {
            sinew_value v = sinew_field_value(&fields[cols[k]], objs[r]);
            int rc = real->bind(st, param++, &v);
            if (rc) return rc;
        }
    return SINEW_OK;
}

/* two rows read back hold the same values (the JSON compared by what it says: servers reformat it alike) */
static void same_row(const Thing *a, const Thing *b)
{
    assert_int_equal(a->b, b->b);
    assert_int_equal(a->has_ob, b->has_ob);
    if (a->has_ob) assert_int_equal(a->ob, b->ob);
    assert_int_equal(a->i32, b->i32);
    assert_int_equal(a->has_oi32, b->has_oi32);
    if (a->has_oi32) assert_int_equal(a->oi32, b->oi32);
    assert_int_equal(a->i64, b->i64);
    assert_int_equal(a->has_oi64, b->has_oi64);
    if (a->has_oi64) assert_int_equal(a->oi64, b->oi64);
    assert_true(a->d == b->d);
    assert_int_equal(a->has_od, b->has_od);
    if (a->has_od) assert_true(a->od == b->od);
    th_text_equal(a->t, b->t);
    th_text_equal(a->ot, b->ot);
    assert_int_equal(a->bl.len, b->bl.len);
    assert_memory_equal(a->bl.data, b->bl.data, a->bl.len);
    assert_int_equal(a->has_obl, b->has_obl);
    if (a->has_obl) {
        assert_int_equal(a->obl.len, b->obl.len);
        assert_memory_equal(a->obl.data, b->obl.data, a->obl.len);
    }
    assert_int_equal(a->ts, b->ts);
    assert_int_equal(a->has_ots, b->has_ots);
    if (a->has_ots) assert_int_equal(a->ots, b->ots);
    assert_int_equal(a->dt, b->dt);
    assert_int_equal(a->has_odt, b->has_odt);
    if (a->has_odt) assert_int_equal(a->odt, b->odt);
    assert_memory_equal(a->u.bytes, b->u.bytes, 16);
    assert_int_equal(a->has_ou, b->has_ou);
    if (a->has_ou) assert_memory_equal(a->ou.bytes, b->ou.bytes, 16);
    th_text_equal(a->j, b->j);
    th_text_equal(a->oj, b->oj);
    th_text_equal(a->dec, b->dec);
    th_text_equal(a->odec, b->odec);
    assert_int_equal(a->e, b->e);
    assert_int_equal(a->has_oe, b->has_oe);
    if (a->has_oe) assert_int_equal(a->oe, b->oe);
}

static const Thing *load(sinew_session *r, int64_t id)
{
    Thing *t;
    sinew_value key = sinew_v_int64(id);
    th_ok(sinew_get(r, &thing_model, &key, 1, (void **)&t));
    return t;
}

/*
 * K objects in one flush (a batch) and the same K saved one by one (bind()
 * per value); each batch row read back equals its twin and the values set.
 */
static void batch_and_row_by_row_agree(long *binds_in_flush, int one_insert)
{
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &thing_model));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Thing *batch[K], *single[K];
    for (int i = 0; i < K; i++) {
        th_ok(sinew_new(s, &thing_model, (void **)&batch[i]));
        thing_fill(batch[i], i);
    }
    long before = binds;
    th_capture cap;
    th_capture_start(db, &cap);
    th_ok(sinew_session_flush(s));
    th_capture_stop(db, &cap);
    *binds_in_flush = binds - before;
    if (one_insert) assert_int_equal(th_capture_count(&cap, "INSERT"), 1);   /* one statement for the K rows */
    th_capture_free(&cap);
    for (int i = 0; i < K; i++) {
        th_ok(sinew_new(s, &thing_model, (void **)&single[i]));
        thing_fill(single[i], i);
        th_ok(sinew_save(s, &thing_model, single[i]));
    }
    sinew_session *r;
    th_ok(sinew_session_new(db, &r));
    for (int i = 0; i < K; i++) {
        assert_true(batch[i]->id > 0);
        for (int k = 0; k < i; k++) assert_true(batch[k]->id != batch[i]->id);
        const Thing *got = load(r, batch[i]->id);
        same_row(got, batch[i]);
        same_row(got, load(r, single[i]->id));
    }
    sinew_session_free(r);
    sinew_session_free(s);
    th_close(db);
}

static void the_drivers_own_binding(void **state)
{
    (void)state;
    long unused;
    batch_and_row_by_row_agree(&unused, 1);
}

static void a_driver_with_bind_rows_gets_the_rows_in_one_call(void **state)
{
    (void)state;
    real = sinew_find_driver(th_backend());
    assert_non_null(real);
    with_rows = *real;
    with_rows.bind = counting_bind;
    with_rows.bind_rows = counting_bind_rows;
    th_ok(sinew_register_driver(&with_rows));
    long flush_binds;
    bind_rows_calls = rows_bound = 0;
    batch_and_row_by_row_agree(&flush_binds, 1);
    assert_int_equal(bind_rows_calls, 1);    /* the batch's one statement */
    assert_int_equal(rows_bound, K);
    /* no value of the rows through bind() (PostgreSQL binds the three parameters of the statement
     * that draws the keys from the sequence first) */
    assert_true(flush_binds <= 3);
}

static void a_version_8_driver_binds_value_by_value(void **state)
{
    (void)state;
    v8 = with_rows;   /* the counting wrapper, as a driver built before bind_rows */
    v8.version = 8;
    th_ok(sinew_register_driver(&v8));
    assert_null(sinew_find_driver(th_backend())->bind_rows);   /* the registry's copy ends before it */
    long flush_binds;
    bind_rows_calls = 0;
    /* on PostgreSQL a driver of an older version gets a copy of the dialect, and sequence keys are
     * the built-in dialect's: its flush goes row by row (the real driver, without bind_rows, batches
     * value by value in the first test) */
    batch_and_row_by_row_agree(&flush_binds, !th_is_postgres());
    assert_int_equal(bind_rows_calls, 0);
    assert_true(flush_binds >= (long)K * 24);   /* every column of every row but the key, one bind() each */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_drivers_own_binding),
        cmocka_unit_test(a_driver_with_bind_rows_gets_the_rows_in_one_call),
        cmocka_unit_test(a_version_8_driver_binds_value_by_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
