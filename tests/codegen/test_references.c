/*
 * A foreign key to a unique key that is not the primary key (issue 19,
 * item 6), on every backend: `@fk(org_id, user_id) @references([org_id,
 * user_id])` creates FOREIGN KEY ... REFERENCES memberships (org_id,
 * user_id), the database enforces it, and loads follow it both ways (lazy,
 * and eager for a list of owners). And an int32 foreign key to an int64 key
 * (item 5): saved through the object, loaded both ways, one object per row;
 * on MariaDB, whose foreign keys need the referenced column's exact type,
 * the column is created BIGINT (the field stays int32) with no drift.
 */
#include "harness.h"
#include "references.h"
#include "sinew/migrate.h"
#include <string.h>

static void loads_follow_a_key_to_a_unique_constraint(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_tables(db, &references_schema));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Membership *a, *b;
    th_ok(membership_new(s, &a));
    a->org_id = 7;
    a->user_id = 70;
    a->role = "admin";
    th_ok(membership_new(s, &b));
    b->org_id = 8;
    b->user_id = 70;
    b->role = "viewer";
    th_ok(sinew_session_flush(s));
    for (int i = 0; i < 3; i++) {
        Grant *g;
        th_ok(grant_new(s, &g));
        g->org_id = i == 2 ? 8 : 7;
        g->user_id = 70;
        g->what = i == 0 ? "read" : i == 1 ? "write" : "look";
        g->membership = i == 2 ? b : a;
    }
    th_ok(sinew_session_flush(s));
    sinew_session_free(s);

    th_ok(sinew_session_new(db, &s));
    sinew_query *q = grant_query(s);
    th_ok(sinew_where(q, sinew_eq(GRANT_WHAT, sinew_v_text("look"))));
    Grant *look;
    th_ok(grant_first(q, &look));
    sinew_query_free(q);
    Membership *m;
    th_ok(grant_membership(s, look, &m));
    assert_string_equal(m->role, "viewer");
    grant_list gl;
    Membership *admin;
    q = membership_query(s);
    th_ok(sinew_where(q, sinew_eq(MEMBERSHIP_ROLE, sinew_v_text("admin"))));
    th_ok(membership_first(q, &admin));
    sinew_query_free(q);
    th_ok(membership_grants(s, admin, &gl));
    assert_int_equal(gl.count, 2);
    /* eager: the grants of every membership in one query */
    q = membership_query(s);
    th_ok(sinew_prefetch(q, MEMBERSHIP_GRANTS));
    membership_list all;
    th_ok(membership_all(q, &all));
    assert_int_equal(all.count, 2);
    size_t total = 0;
    for (size_t i = 0; i < all.count; i++) total += all.items[i]->grants.count;
    assert_int_equal(total, 3);
    sinew_query_free(q);
    sinew_session_free(s);
    /* the database holds the key: a grant for a membership that does not exist is refused */
    int rc = sinew_exec(db, "INSERT INTO grants (org_id, user_id, what) VALUES (9, 99, 'x')");
    if (!th_is_postgres() && rc == SINEW_OK) fail_msg("SQLite accepted a grant without its membership");
    assert_int_not_equal(rc, SINEW_OK);
    th_close(db);
}

static void int32_key_to_an_int64_key(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_tables(db, &references_schema));
    /* where a foreign key needs its key's exact type (MariaDB refuses an INT referencing a BIGINT,
       errno 150) the column is written BIGINT, the field stays int32, and drift sees no difference */
    sinew_schema *live;
    th_ok(sinew_introspect(db, &live));
    const sinew_model *reports = sinew_schema_find_table(live, "reports");
    assert_non_null(reports);
    int col = sinew_model_column_index(reports, "reported_user_id");
    assert_true(col >= 0);
    if (sinew_db_dialect(db)->fk_same_type) assert_int_equal(reports->fields[col].type, SINEW_INT64);
    else if (th_is_postgres()) assert_int_equal(reports->fields[col].type, SINEW_INT32);   /* SQLite: INTEGER */
    char *report = NULL;
    size_t ndrift = 99;
    th_ok(sinew_schema_drift(&references_schema, live, sinew_db_dialect(db), &report, &ndrift));
    if (ndrift) print_message("drift:\n%s", report);
    assert_int_equal(ndrift, 0);
    sinew_migrate_free(report);
    sinew_schema_free(live);
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Membership *m;
    th_ok(membership_new(s, &m));
    m->org_id = 1;
    m->user_id = 2;
    m->role = "r";
    Report *r;
    th_ok(report_new(s, &r));
    r->reported = m;
    th_ok(sinew_session_flush(s));
    assert_int_equal(r->reported_user_id, (int32_t)m->id);
    int64_t rid = r->id, mid = m->id;
    sinew_session_free(s);
    th_ok(sinew_session_new(db, &s));
    Report *r2;
    th_ok(report_get(s, rid, &r2));
    Membership *via;
    th_ok(report_reported(s, r2, &via));
    Membership *direct;
    th_ok(membership_get(s, mid, &direct));
    assert_ptr_equal(via, direct);   /* the identity map finds the int64 key from the int32 value */
    report_list back;
    th_ok(membership_reports(s, direct, &back));
    assert_int_equal(back.count, 1);
    assert_ptr_equal(back.items[0], r2);
    sinew_session_free(s);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loads_follow_a_key_to_a_unique_constraint),
        cmocka_unit_test(int32_key_to_an_int64_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
