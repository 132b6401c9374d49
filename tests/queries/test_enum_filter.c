/*
 * An enum column compared with text that is not one of its values (#16
 * item 14): `status = 'opne'` used to match nothing, silently. Every
 * comparison, IN list, BETWEEN and bulk update refuses it with SINEW_MISUSE
 * naming the valid values, and sends nothing; the real values still work.
 */
#include "harness.h"
#include "tracker.h"
#include <string.h>

static sinew_db *db;
static sinew_session *s;

static int setup(void **state) { return tracker_open(state, &db, &s, 30); }

#define VALID "the values are: open, closed, wontfix"

/* the filter is refused when added and again when the query runs; nothing is sent */
static void refused(sinew_expr *e, const char *needle)
{
    th_capture cap = {0};
    th_capture_start(db, &cap);
    sinew_query *q = sinew_query_new(s, &ticket_model);
    th_assert_status(sinew_where(q, e), SINEW_MISUSE, needle);
    th_assert_status(sinew_where(q, e = NULL), SINEW_MISUSE, "opne");   /* sticky */
    sinew_list l;
    th_assert_status(sinew_all(q, &l), SINEW_MISUSE, VALID);
    int64_t n;
    th_assert_status(sinew_query_count(q, &n), SINEW_MISUSE, "opne");
    sinew_query_free(q);
    th_capture_stop(db, &cap);
    assert_int_equal(cap.count, 0);
    th_capture_free(&cap);
}

static void misspelt_values_are_refused(void **state)
{
    (void)state;
    refused(sinew_eq(TICKET_STATUS, sinew_v_text("opne")), "Ticket.status = 'opne': not a value of enum Status");
    refused(sinew_eq(TICKET_STATUS, sinew_v_text("opne")), VALID);
    refused(sinew_ne(TICKET_STATUS, sinew_v_text("opne")), VALID);
    refused(sinew_lt(TICKET_STATUS, sinew_v_text("opne")), VALID);
    refused(sinew_ge(TICKET_STATUS, sinew_v_text("opne")), VALID);
    sinew_value in[] = {sinew_v_text("open"), sinew_v_text("opne")};
    refused(sinew_in(TICKET_STATUS, in, 2), "Ticket.status IN 'opne'");
    refused(sinew_not_in(TICKET_STATUS, in, 2), VALID);
    refused(sinew_between(TICKET_STATUS, sinew_v_text("closed"), sinew_v_text("opne")), VALID);
    /* case matters: the values are stored as written */
    sinew_query *q = sinew_query_new(s, &ticket_model);
    th_assert_status(sinew_where(q, sinew_eq(TICKET_STATUS, sinew_v_text("Open"))), SINEW_MISUSE, VALID);
    sinew_query_free(q);
    /* inside AND / OR / NOT as well */
    refused(sinew_or(sinew_eq(TICKET_PRIORITY, sinew_v_int32(1)), sinew_not(sinew_eq(TICKET_STATUS, sinew_v_text("opne")))),
            VALID);
}

static void bulk_update_with_a_misspelt_value_writes_nothing(void **state)
{
    (void)state;
    sinew_query *q = sinew_query_new(s, &ticket_model);
    sinew_assign set = {TICKET_STATUS, sinew_v_text("clsoed")};
    int64_t changed = -1;
    th_assert_status(sinew_query_update(q, &set, 1, &changed), SINEW_MISUSE, VALID);
    assert_int_equal(changed, -1);
    sinew_query_free(q);
    q = sinew_query_new(s, &ticket_model);
    th_ok(sinew_where(q, sinew_eq(TICKET_STATUS, sinew_v_text("closed"))));
    int64_t n;
    th_ok(sinew_query_count(q, &n));
    assert_int_equal(n, 10);
    sinew_query_free(q);
}

static void real_values_still_match(void **state)
{
    (void)state;
    sinew_query *q = sinew_query_new(s, &ticket_model);
    th_ok(sinew_where(q, sinew_eq(TICKET_STATUS, sinew_v_text("open"))));
    sinew_list l;
    th_ok(sinew_all(q, &l));
    assert_int_equal(l.count, 10);
    for (size_t i = 0; i < l.count; i++) assert_int_equal(((Ticket *)l.items[i])->status, STATUS_OPEN);
    sinew_query_free(q);
    sinew_value in[] = {sinew_v_text("closed"), sinew_v_enum(STATUS_WONTFIX)};
    q = sinew_query_new(s, &ticket_model);
    th_ok(sinew_where(q, sinew_in(TICKET_STATUS, in, 2)));
    int64_t n;
    th_ok(sinew_query_count(q, &n));
    assert_int_equal(n, 20);
    sinew_query_free(q);
    /* an enum number out of range was already refused; still is */
    q = sinew_query_new(s, &ticket_model);
    th_assert_status(sinew_where(q, sinew_eq(TICKET_STATUS, sinew_v_enum(7))), SINEW_MISUSE, "not a value of enum");
    sinew_query_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(misspelt_values_are_refused, setup, tracker_teardown),
        cmocka_unit_test_setup_teardown(bulk_update_with_a_misspelt_value_writes_nothing, setup, tracker_teardown),
        cmocka_unit_test_setup_teardown(real_values_still_match, setup, tracker_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
