/*
 * A table without a primary key is a @@readonly model (issue 19, item 3),
 * on every backend: it is created, counted, listed, queried and its
 * relations followed both ways; every write and the get by key are refused
 * with SINEW_MISUSE and a message naming the model (the generated header
 * has no log_new, log_get, log_save or log_delete to call).
 */
#include "harness.h"
#include "readonly.h"
#include <string.h>

static void read_only_model_reads_and_refuses_writes(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_tables(db, &readonly_schema));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Account *a;
    th_ok(account_new(s, &a));
    a->name = "alice";
    th_ok(sinew_session_flush(s));
    char sql[300];
    snprintf(sql, sizeof sql, "INSERT INTO logs (seq, message, account_id) VALUES (0, 'one', %lld), (1, 'two', %lld), "
             "(2, 'two', NULL)", (long long)a->id, (long long)a->id);
    th_ok(sinew_exec(db, sql));
    int64_t n = 0;
    th_ok(log_count(s, &n));
    assert_int_equal(n, 3);
    sinew_query *q = log_query(s);
    th_ok(sinew_where(q, sinew_eq(LOG_MESSAGE, sinew_v_text("two"))));
    th_ok(sinew_order(q, LOG_SEQ, SINEW_ASC));
    log_list l;
    th_ok(log_all(q, &l));
    assert_int_equal(l.count, 2);
    assert_int_equal(l.items[0]->seq, 1);
    Account *owner;
    th_ok(log_account(s, l.items[0], &owner));
    assert_ptr_equal(owner, a);
    log_list mine;
    th_ok(account_logs(s, a, &mine));
    assert_int_equal(mine.count, 2);
    /* a filter through the to-one (a join) */
    sinew_query *j = log_query(s);
    th_ok(sinew_where(j, sinew_eq(sinew_via(LOG_ACCOUNT, ACCOUNT_NAME), sinew_v_text("alice"))));
    int64_t nj = 0;
    th_ok(sinew_query_count(j, &nj));
    assert_int_equal(nj, 2);
    log_list jl;
    th_ok(log_all(j, &jl));
    assert_int_equal(jl.count, 2);
    sinew_query_free(j);
    /* writes and get by key: refused, nothing written */
    l.items[0]->message = "changed";
    th_assert_status(sinew_save(s, &log_model, l.items[0]), SINEW_MISUSE, "model Log is read-only (@@readonly, the table has no primary key)");
    th_assert_status(sinew_delete(s, &log_model, l.items[0]), SINEW_MISUSE, "read-only");
    th_assert_status(sinew_mark_deleted(s, &log_model, l.items[0]), SINEW_MISUSE, "read-only");
    void *fresh = NULL;
    th_assert_status(sinew_new(s, &log_model, &fresh), SINEW_MISUSE, "sinew_new: model Log is read-only");
    assert_null(fresh);
    sinew_value key = sinew_v_int64(1);
    void *got = NULL;
    th_assert_status(sinew_get(s, &log_model, &key, 1, &got), SINEW_MISUSE, "Log has no primary key (@@readonly): there is no get by key");
    int64_t changed = -1;
    sinew_query *u = log_query(s);
    sinew_assign set = {LOG_MESSAGE, sinew_v_text("x")};
    th_assert_status(sinew_query_update(u, &set, 1, &changed), SINEW_MISUSE, "sinew_query_update: model Log is read-only");
    th_assert_status(sinew_query_delete(u, &changed), SINEW_MISUSE, "sinew_query_delete: model Log is read-only");
    sinew_query_free(u);
    th_ok(sinew_session_flush(s));
    sinew_query_free(q);
    sinew_session_free(s);
    /* nothing was changed */
    th_ok(sinew_session_new(db, &s));
    q = log_query(s);
    th_ok(sinew_where(q, sinew_eq(LOG_MESSAGE, sinew_v_text("changed"))));
    th_ok(sinew_query_count(q, &n));
    assert_int_equal(n, 0);
    sinew_query_free(q);
    th_ok(log_count(s, &n));
    assert_int_equal(n, 3);
    assert_true(log_model.flags & SINEW_MODEL_READONLY);
    assert_int_equal(log_model.npk, 0);
    sinew_session_free(s);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(read_only_model_reads_and_refuses_writes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
