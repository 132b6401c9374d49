/*
 * A stream reads each row by a column plan made once per statement: the
 * driver's column_cells (driver interface version 10) gives a row's cells in
 * one call where it has one (SQLite), and the others read cell by cell
 * (MariaDB through column_cell, PostgreSQL through column_storage and the
 * readers). Either way a streamed row holds what a load of it holds, for
 * every column type, required and nullable, present and absent, and a cell
 * of the wrong type, a NULL in a field that is not nullable or an int32 out
 * of range is the same error, word for word, as when the row is loaded.
 * Then the same through a wrapper whose column_cells counts its calls (one a
 * row), and through a wrapper of interface version 9, which the registry
 * gives no column_cells.
 */
#include "harness.h"
#include "../crud/models.h"
#include "../crud/thing_fill.h"
#include <stdio.h>
#include <string.h>

enum { K = 6 };

static const sinew_driver *real;
static sinew_driver counting, v9;
static long cells_calls, cell_calls, storage_calls;
static long streamed_cells, streamed_cell;   /* the calls of numbers_in_text_fields_stream_as_their_text's stream */

static void counting_column_cells(sinew_stmt *st, int first, int n, const sinew_storage *expect, sinew_cell *out)
{
    cells_calls++;
    real->column_cells(st, first, n, expect, out);
}
static void counting_column_cell(sinew_stmt *st, int i, sinew_cell *out)
{
    cell_calls++;
    real->column_cell(st, i, out);
}
static sinew_storage counting_column_storage(sinew_stmt *st, int i)
{
    storage_calls++;
    return real->column_storage(st, i);
}

/* a streamed row and the same row loaded: every field, its presence flag, and nothing where absent */
static void same_row(const Thing *a, const Thing *b)
{
    assert_int_equal(a->id, b->id);
    assert_int_equal(a->b, b->b);
    assert_int_equal(a->has_ob, b->has_ob);
    assert_int_equal(a->ob, b->ob);
    assert_int_equal(a->i32, b->i32);
    assert_int_equal(a->has_oi32, b->has_oi32);
    assert_int_equal(a->oi32, b->oi32);
    assert_int_equal(a->i64, b->i64);
    assert_int_equal(a->has_oi64, b->has_oi64);
    assert_int_equal(a->oi64, b->oi64);
    assert_true(a->d == b->d);
    assert_int_equal(a->has_od, b->has_od);
    assert_true(a->od == b->od);
    th_text_equal(a->t, b->t);
    th_text_equal(a->ot, b->ot);
    assert_int_equal(a->bl.len, b->bl.len);
    assert_memory_equal(a->bl.data, b->bl.data, a->bl.len);
    assert_int_equal(a->has_obl, b->has_obl);
    assert_int_equal(a->obl.len, b->obl.len);
    if (a->obl.len) assert_memory_equal(a->obl.data, b->obl.data, a->obl.len);
    assert_int_equal(a->ts, b->ts);
    assert_int_equal(a->has_ots, b->has_ots);
    assert_int_equal(a->ots, b->ots);
    assert_int_equal(a->dt, b->dt);
    assert_int_equal(a->has_odt, b->has_odt);
    assert_int_equal(a->odt, b->odt);
    assert_memory_equal(a->u.bytes, b->u.bytes, 16);
    assert_int_equal(a->has_ou, b->has_ou);
    assert_memory_equal(a->ou.bytes, b->ou.bytes, 16);
    th_text_equal(a->j, b->j);
    th_text_equal(a->oj, b->oj);
    th_text_equal(a->dec, b->dec);
    th_text_equal(a->odec, b->odec);
    assert_int_equal(a->e, b->e);
    assert_int_equal(a->has_oe, b->has_oe);
    assert_int_equal(a->oe, b->oe);
}

/* K things saved, streamed in key order: each row as sinew_get loads it, and its values as set */
static void every_type_streams_as_it_loads(void)
{
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &thing_model));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Thing *made[K];
    for (int i = 0; i < K; i++) {
        th_ok(sinew_new(s, &thing_model, (void **)&made[i]));
        thing_fill(made[i], i);
    }
    th_ok(sinew_session_flush(s));
    sinew_session *r;
    th_ok(sinew_session_new(db, &r));
    sinew_query *q = sinew_query_new(r, &thing_model);
    th_ok(sinew_order(q, sinew_column(&thing_model, 0), SINEW_ASC));
    sinew_iter *it;
    th_ok(sinew_iterate(q, &it));
    Thing *row;
    int n = 0;
    sinew_session *g;
    th_ok(sinew_session_new(db, &g));
    while (sinew_iter_next(it, (void **)&row) == SINEW_ROW) {
        assert_true(n < K);
        Thing *loaded;
        sinew_value key = sinew_v_int64(made[n]->id);
        th_ok(sinew_get(g, &thing_model, &key, 1, (void **)&loaded));
        same_row(row, loaded);
        assert_string_equal(row->t, made[n]->t);
        assert_int_equal(row->i64, made[n]->i64);
        assert_int_equal(row->has_oi32, made[n]->has_oi32);
        n++;
    }
    assert_int_equal(n, K);
    sinew_session_free(g);
    sinew_iter_free(it);
    sinew_query_free(q);
    sinew_session_free(r);
    sinew_session_free(s);
    th_close(db);
}

/* The rows of accounts (table made by `create`, filled by `insert`): the stream's error and
 * sinew_all's, the same status and the same words; on the second row when the first is good */
static void stream_fails_as_a_load(const char *create, const char *insert, int first_good, const char *message)
{
    sinew_db *db = th_open();
    th_ok(sinew_exec(db, create));
    th_ok(sinew_exec(db, insert));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    sinew_query *q = sinew_query_new(s, &account_model);
    sinew_list all = {0};
    th_assert_status(sinew_all(q, &all), SINEW_TYPE, message);
    char loaded[512];
    snprintf(loaded, sizeof loaded, "%s", sinew_errmsg());
    sinew_query_free(q);
    q = sinew_query_new(s, &account_model);
    th_ok(sinew_order(q, sinew_column(&account_model, 0), SINEW_ASC));
    sinew_iter *it;
    th_ok(sinew_iterate(q, &it));
    Account *a;
    if (first_good) {
        assert_int_equal(sinew_iter_next(it, (void **)&a), SINEW_ROW);
        assert_int_equal(a->id, 1);
        assert_string_equal(a->name, "a");
        assert_int_equal(a->version, 1);
    }
    th_assert_status(sinew_iter_next(it, (void **)&a), SINEW_TYPE, message);
    assert_string_equal(sinew_errmsg(), loaded);
    assert_null(a);
    assert_int_equal(sinew_iter_next(it, (void **)&a), SINEW_DONE);   /* the stream ends at its error */
    sinew_iter_free(it);
    sinew_query_free(q);
    sinew_session_free(s);
    th_close(db);
}

static void wrong_cells_fail_as_in_a_load(void)
{
    stream_fails_as_a_load("CREATE TABLE accounts (id integer PRIMARY KEY, email text, name text, version text)",
                           "INSERT INTO accounts VALUES (1, 'a@x', 'a', 'seven')", 0,
                           "type mismatch reading accounts.version: field 'version' expects int32, the database "
                           "returned text");
    stream_fails_as_a_load("CREATE TABLE accounts (id integer PRIMARY KEY, email text, name text, version integer)",
                           "INSERT INTO accounts VALUES (1, 'a@x', 'a', 1), (2, 'b@x', NULL, 2)", 1,
                           "accounts.name is NULL in the database but field 'name' is not nullable: declare it "
                           "'text?' or fix the row");
    stream_fails_as_a_load("CREATE TABLE accounts (id integer PRIMARY KEY, email text, name text, version bigint)",
                           "INSERT INTO accounts VALUES (1, 'a@x', 'a', 1), (2, 'b@x', 'b', 3000000000)", 1,
                           "type mismatch reading accounts.version: field 'version' expects int32, the database "
                           "returned an integer: 3000000000 does not fit in int32");
}

/* numbers in text fields: the database's own text for them, streamed as loaded (text borrowed
 * from the row, a conversion copied), and a NULL into a nullable field as absent */
static void numbers_in_text_fields_stream_as_their_text(void)
{
    sinew_db *db = th_open();
    th_ok(sinew_exec(db, "CREATE TABLE accounts (id integer PRIMARY KEY, email integer, name real, version integer)"));
    th_ok(sinew_exec(db, "INSERT INTO accounts VALUES (1, 42, 2.5, 3), (2, 43, 3.5, 4)"));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    sinew_query *q = sinew_query_new(s, &account_model);
    th_ok(sinew_order(q, sinew_column(&account_model, 0), SINEW_ASC));
    sinew_iter *it;
    long cells0 = cells_calls, cell0 = cell_calls + storage_calls;
    th_ok(sinew_iterate(q, &it));
    Account *a;
    assert_int_equal(sinew_iter_next(it, (void **)&a), SINEW_ROW);
    assert_string_equal(a->email, "42");
    assert_string_equal(a->name, "2.5");
    assert_int_equal(a->version, 3);
    assert_int_equal(sinew_iter_next(it, (void **)&a), SINEW_ROW);
    assert_string_equal(a->email, "43");
    assert_string_equal(a->name, "3.5");
    assert_int_equal(a->version, 4);
    assert_int_equal(sinew_iter_next(it, (void **)&a), SINEW_DONE);
    streamed_cells = cells_calls - cells0;
    streamed_cell = cell_calls + storage_calls - cell0;
    sinew_iter_free(it);
    sinew_query_free(q);
    sinew_session_free(s);
    th_close(db);
}

static void all_of_it(void)
{
    every_type_streams_as_it_loads();
    wrong_cells_fail_as_in_a_load();
    numbers_in_text_fields_stream_as_their_text();
}

static void the_drivers_own_reads(void **state)
{
    (void)state;
    real = sinew_find_driver(th_backend());
    assert_non_null(real);
    /* SQLite reads a row's cells in one call; the servers' drivers leave it to the cell-by-cell fallback */
    if (!th_is_server()) assert_non_null(real->column_cells);
    else assert_null(real->column_cells);
    all_of_it();
}

static void a_driver_with_column_cells_reads_a_row_in_one_call(void **state)
{
    (void)state;
    counting = *real;
    if (real->column_cells) counting.column_cells = counting_column_cells;
    if (real->column_cell) counting.column_cell = counting_column_cell;
    counting.column_storage = counting_column_storage;
    th_ok(sinew_register_driver(&counting));
    cells_calls = cell_calls = storage_calls = 0;
    all_of_it();
    if (real->column_cells) {
        /* every streamed row in one call (K things, 1 + 2 + 2 rows of the failing streams, 2 more),
         * and none of their cells one by one */
        assert_int_equal(cells_calls, K + 5 + 2);
        assert_int_equal(streamed_cells, 2);
        assert_int_equal(streamed_cell, 0);
    } else {
        assert_int_equal(cells_calls, 0);
        assert_int_equal(streamed_cell, 2 * 4);   /* 2 rows of 4 columns */
    }
}

static void a_version_9_driver_reads_cell_by_cell(void **state)
{
    (void)state;
    v9 = counting;   /* the counting wrapper, as a driver built before column_cells */
    v9.version = 9;
    th_ok(sinew_register_driver(&v9));
    assert_null(sinew_find_driver(th_backend())->column_cells);   /* the registry's copy ends before it */
    cells_calls = cell_calls = storage_calls = 0;
    all_of_it();
    assert_int_equal(cells_calls, 0);
    assert_int_equal(streamed_cells, 0);
    assert_int_equal(streamed_cell, 2 * 4);   /* each cell of the 2 rows of 4 columns by itself */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_drivers_own_reads),
        cmocka_unit_test(a_driver_with_column_cells_reads_a_row_in_one_call),
        cmocka_unit_test(a_version_9_driver_reads_cell_by_cell),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
