/*
 * Names within the dialect's identifier limit (src/sql/ident_limit.c):
 * sinew's own names are fitted with a hash of the whole name, so two long
 * names that agree in their first 63 bytes stay two names; names that fit,
 * and every name on a dialect without a limit, stay as they are; a UTF-8
 * character is never cut; the database's own constraint names follow
 * PostgreSQL's makeObjectName (the migration tests check them against a
 * real server); names compare as the database keeps them.
 */
#include "harness.h"
#include "sql/dialect.h"
#include <stdlib.h>
#include <string.h>

static char *fit(const sinew_dialect *d, const char *name)
{
    sn_buf b;
    sn_buf_init(&b);
    sn_sql_fit_name(&b, d, name);
    assert_false(b.failed);
    char *s = strdup(sn_buf_cstr(&b));
    sn_buf_free(&b);
    return s;
}

static char *dflt(const sinew_dialect *d, const char *table, const char *const *cols, size_t n, const char *label)
{
    sn_buf b;
    sn_buf_init(&b);
    sn_sql_default_name(&b, d, table, cols, n, label);
    assert_false(b.failed);
    char *s = strdup(sn_buf_cstr(&b));
    sn_buf_free(&b);
    return s;
}

#define T70 "order_fulfillment_warehouse_shipment_tracking_event_notification_xxxxx"   /* 70 bytes */

static void long_names_are_fitted_apart(void **state)
{
    (void)state;
    const sinew_dialect *pg = &sn_dialect_postgres;
    assert_int_equal(strlen(T70), 70);
    char *a = fit(pg, T70 "_customer_idx"), *b = fit(pg, T70 "_region_idx"), *a2 = fit(pg, T70 "_customer_idx");
    assert_int_equal(strlen(a), 63);
    assert_int_equal(strlen(b), 63);
    assert_string_equal(a, a2);                       /* deterministic */
    assert_string_not_equal(a, b);                    /* the same 63-byte head, two names */
    assert_memory_equal(a, T70, 54);                  /* the head, then _ and 8 hex digits */
    assert_int_equal(a[54], '_');
    assert_int_equal(strspn(a + 55, "0123456789abcdef"), 8);
    /* a name that fits, and any name without a limit, as it is */
    char *s = fit(pg, "users_email_idx"), *q = fit(&sn_dialect_sqlite, T70 "_customer_idx");
    assert_string_equal(s, "users_email_idx");
    assert_string_equal(q, T70 "_customer_idx");
    char *exact = fit(pg, T70 + 7);                   /* 63 bytes: fits */
    assert_string_equal(exact, T70 + 7);
    free(a), free(b), free(a2), free(s), free(q), free(exact);
}

static void utf8_is_never_cut(void **state)
{
    (void)state;
    const sinew_dialect *pg = &sn_dialect_postgres;
    /* 53 ASCII bytes, then 'é' (2 bytes) across the 54-byte head */
    char name[200];
    memset(name, 'a', 53);
    strcpy(name + 53, "\xc3\xa9tude_and_more_and_more_idx");
    char *f = fit(pg, name);
    assert_int_equal(strlen(f), 53 + 9);              /* the é is left out whole */
    assert_int_equal(f[53], '_');
    /* kept lengths: what the database keeps of a name */
    memset(name, 'b', 62);
    strcpy(name + 62, "\xc3\xa9");                    /* 64 bytes: the é would straddle byte 63 */
    assert_int_equal(sn_sql_kept_len(pg, name), 62);
    assert_int_equal(sn_sql_kept_len(&sn_dialect_sqlite, name), 64);
    char other[200];
    memcpy(other, name, 62);
    strcpy(other + 62, "\xc3\xa8");                   /* differs only past what is kept */
    assert_true(sn_sql_same_ident(pg, name, other));
    assert_false(sn_sql_same_ident(&sn_dialect_sqlite, name, other));
    free(f);
}

static void the_databases_own_names(void **state)
{
    (void)state;
    const sinew_dialect *pg = &sn_dialect_postgres;
    const char *one[] = {"email"};
    char *k = dflt(pg, "users", one, 1, "key"), *p = dflt(pg, "users", NULL, 0, "pkey");
    assert_string_equal(k, "users_email_key");
    assert_string_equal(p, "users_pkey");
    /* past the limit: the table (as kept, 63 bytes) gives way first, then the longer part */
    char *lp = dflt(pg, T70, NULL, 0, "pkey");
    assert_string_equal(lp, "order_fulfillment_warehouse_shipment_tracking_event_notifi_pkey");
    const char *cols[] = {"customer_notification_channel_preference_for_early_deliveries"};
    char *lk = dflt(pg, T70, cols, 1, "key");
    assert_string_equal(lk, "order_fulfillment_warehouse_s_customer_notification_channel_key");
    const char *two[] = {"a_rather_long_column_name_number_one_here", "another_column_name_that_is_long_too"};
    char *lf = dflt(pg, "t", two, 2, "fkey");
    assert_int_equal(strlen(lf), 63);
    assert_string_equal(lf, "t_a_rather_long_column_name_number_one_here_another_column_fkey");
    /* no limit: plain */
    char *sq = dflt(&sn_dialect_sqlite, T70, cols, 1, "key");
    assert_string_equal(sq, T70 "_customer_notification_channel_preference_for_early_deliveries_key");
    free(k), free(p), free(lp), free(lk), free(lf), free(sq);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(long_names_are_fitted_apart),
        cmocka_unit_test(utf8_is_never_cut),
        cmocka_unit_test(the_databases_own_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
