/*
 * Messages that say what is wrong and what to do (issue 17 item 7): type
 * hints name constructors that exist and say it once, a detail quoted from an
 * earlier error survives, an object of another session is called that.
 * (NaN: test_values.c; a NUL byte in text: queries/test_injection.c; the N+1
 * count: relations/test_relations.c.)
 */
#include "harness.h"
#include "models.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_header(void)
{
    FILE *f = fopen(SINEW_SOURCE_DIR "/include/sinew/types.h", "rb");
    assert_non_null(f);
    char *buf = calloc(1, 65536);
    size_t n = fread(buf, 1, 65535, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* the function a hint names ("... with sinew_v_int32()") is declared; the message says it once */
static void assert_hint_is_real(const char *msg, const char *header)
{
    const char *w = strstr(msg, " with sinew_");
    if (!w) fail_msg("no constructor named in: %s", msg);
    char name[64], decl[80];
    size_t k = 0;
    for (w += 6; *w && *w != '(' && k + 1 < sizeof name; w++) name[k++] = *w;
    name[k] = '\0';
    snprintf(decl, sizeof decl, "sinew_value %s(", name);
    if (!strstr(header, decl)) fail_msg("%s is not declared in sinew/types.h (message: %s)", name, msg);
    /* no part of it twice */
    char head[24];
    snprintf(head, sizeof head, "%s", msg);
    if (strstr(msg + 1, head)) fail_msg("the message repeats itself: %s", msg);
}

static void type_mismatch_hints_name_real_functions(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &thing_model));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    char *header = read_header();
    sinew_uuid u = {{0}};
    size_t checked = 0;
    for (size_t i = 1; i < thing_model.nfields; i++) {
        const sinew_field *f = &thing_model.fields[i];
        sinew_value wrong = f->type == SINEW_UUID ? sinew_v_int64(1) : sinew_v_uuid(u);
        sinew_query *q = sinew_query_new(s, &thing_model);
        th_assert_status(sinew_where(q, sinew_eq(sinew_column(&thing_model, (int)i), wrong)), SINEW_MISUSE,
                         "cannot compare Thing.");
        assert_hint_is_real(sinew_errmsg(), header);
        sinew_query_free(q);
        checked++;
    }
    assert_int_equal(checked, thing_model.nfields - 1);
    /* the int types name their real constructors */
    sinew_query *q = sinew_query_new(s, &thing_model);
    th_assert_status(sinew_where(q, sinew_eq(sinew_column(&thing_model, 3), sinew_v_text("x"))), SINEW_MISUSE,
                     "cannot compare Thing.i32 (int32) = a text value; make the value with sinew_v_int32()");
    sinew_query_free(q);
    /* a key of the wrong type */
    Thing *t;
    sinew_value key = sinew_v_text("1");
    th_assert_status(sinew_get(s, &thing_model, &key, 1, (void **)&t), SINEW_TYPE,
                     "key field Thing.id is int64 but the value given is text; make it with sinew_v_int64()");
    free(header);
    sinew_session_free(s);
    th_close(db);
}

/* a reading error's detail comes from the parser's own error: it is kept, not wiped */
static void detail_of_an_earlier_error_is_kept(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_exec(db, "CREATE TABLE accounts (id integer PRIMARY KEY, email text, name text, version integer)"));
    th_ok(sinew_exec(db, "INSERT INTO accounts VALUES (1, 'a@x', 'a', 1)"));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    /* a timestamp field over a text column holding something else */
    typedef struct Stamp { int64_t id; int64_t email; } Stamp;
    static const sinew_field stamp_fields[] = {
        SINEW_FIELD(Stamp, id, SINEW_INT64, SINEW_FIELD_PK),
        SINEW_FIELD(Stamp, email, SINEW_TIMESTAMP, 0),
    };
    static const unsigned stamp_pk[] = {0};
    static const sinew_model stamp_model = SINEW_MODEL(Stamp, "Stamp", "accounts", "stamp", stamp_fields, stamp_pk);
    Stamp *st;
    sinew_value key = sinew_v_int64(1);
    th_assert_status(sinew_get(s, &stamp_model, &key, 1, (void **)&st), SINEW_TYPE,
                     "type mismatch reading accounts.email: field 'email' expects timestamp, the database returned "
                     "text: invalid timestamp 'a@x': expected YYYY-MM-DD HH:MM:SS[.ffffff] in UTC");
    const char *msg = sinew_errmsg();
    assert_null(strstr(strstr(msg, "type mismatch") + 1, "type mismatch"));
    sinew_session_free(s);
    th_close(db);
}

static void object_of_another_session_is_named_so(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_table(db, &account_model));
    sinew_session *s1, *s2;
    th_ok(sinew_session_new(db, &s1));
    th_ok(sinew_session_new(db, &s2));
    Account *a;
    th_ok(sinew_new(s1, &account_model, (void **)&a));
    a->email = "a@x";
    a->name = "a";
    th_assert_status(sinew_save(s2, &account_model, a), SINEW_MISUSE,
                     "sinew_save: this Account belongs to another session");
    assert_null(strstr(sinew_errmsg(), "not made by a session"));
    th_ok(sinew_save(s1, &account_model, a));
    th_assert_status(sinew_delete(s2, &account_model, a), SINEW_MISUSE, "belongs to another session");
    th_assert_status(sinew_mark_deleted(s2, &account_model, a), SINEW_MISUSE, "belongs to another session");
    /* a struct of the caller's is still told how to make one */
    Account mine = {0};
    th_assert_status(sinew_save(s2, &account_model, &mine), SINEW_MISUSE, "was not made by a session");
    sinew_session_free(s2);
    sinew_session_free(s1);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(type_mismatch_hints_name_real_functions),
        cmocka_unit_test(detail_of_an_earlier_error_is_kept),
        cmocka_unit_test(object_of_another_session_is_named_so),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
