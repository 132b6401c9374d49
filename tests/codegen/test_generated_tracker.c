/*
 * Code generated for tests/schemas/tracker.sinew, on every backend:
 *  - the getter of a composite @@unique, issue_get_by_project_number(s,
 *    project_id, number, &out) (issue 17, item 14);
 *  - a many-to-many declared with @through on Issue only: both sides add
 *    and read the same pairs (issue 17, item 15);
 *  - foreign keys indexed by default (issue 17, item 5): the created tables
 *    have an index on issues.parent_id and on issue_labels.label_id (the
 *    join key leads with issue_id), none on issues.project_id (the unique
 *    key leads with it) nor on issues.watcher_id (@no_index); read from the
 *    database's catalog.
 */
#include "harness.h"
#include "tracker.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* how many indexes the catalog lists by that name */
static int64_t catalog_has_index(sinew_db *db, const char *table, const char *name)
{
    char sql[400];
    if (th_is_postgres())
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM pg_indexes WHERE tablename = '%s' AND indexname = '%s'", table,
                 name);
    else
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = '%s' AND "
                 "name = '%s'", table, name);
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    sinew_rows *r;
    th_ok(sinew_raw_rows(s, sql, NULL, 0, &r));
    assert_int_equal(sinew_rows_next(r), SINEW_ROW);
    int64_t v = sinew_rows_value(r, 0).u.i;
    sinew_rows_free(r);
    sinew_session_free(s);
    return v;
}

/* indexes on exactly these columns, by the catalog (introspected) */
static size_t live_indexes_on(sinew_db *db, const char *table, const char *column)
{
    sinew_schema *live;
    th_ok(sinew_introspect(db, &live));
    const sinew_model *m = sinew_schema_find_table(live, table);
    assert_non_null(m);
    size_t n = 0;
    for (size_t i = 0; i < m->nindexes; i++)
        n += m->indexes[i].nfields == 1 && !strcmp(m->fields[m->indexes[i].fields[0]].column, column);
    int f = sinew_model_column_index(m, column);
    if (f >= 0 && (m->fields[f].flags & (SINEW_FIELD_INDEX | SINEW_FIELD_UNIQUE))) n++;
    sinew_schema_free(live);
    return n;
}

static void foreign_keys_are_indexed(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_tables(db, &tracker_schema));
    assert_int_equal(catalog_has_index(db, "issues", "issues_parent_id_idx"), 1);
    assert_int_equal(catalog_has_index(db, "issue_labels", "issue_labels_label_id_idx"), 1);
    assert_int_equal(catalog_has_index(db, "issues", "issues_project_id_idx"), 0);   /* the unique key leads */
    assert_int_equal(catalog_has_index(db, "issues", "issues_watcher_id_idx"), 0);   /* @no_index */
    assert_int_equal(live_indexes_on(db, "issues", "parent_id"), 1);
    assert_int_equal(live_indexes_on(db, "issues", "watcher_id"), 0);
    /* the descriptor says which index sinew added by itself */
    int automatic = 0;
    for (size_t i = 0; i < issue_model.nindexes; i++)
        if (issue_model.indexes[i].automatic) {
            automatic++;
            assert_string_equal(issue_model.indexes[i].name, "issues_parent_id_idx");
        }
    assert_int_equal(automatic, 1);
    th_close(db);
}

static void composite_unique_getter(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_tables(db, &tracker_schema));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Project *a, *b;
    th_ok(project_new(s, &a));
    a->name = "alpha";
    th_ok(project_new(s, &b));
    b->name = "beta";
    th_ok(sinew_session_flush(s));
    for (int i = 1; i <= 3; i++) {
        Issue *x, *y;
        th_ok(issue_new(s, &x));
        x->project = a;
        x->number = i;
        x->title = i == 2 ? "alpha two" : "alpha";
        th_ok(issue_new(s, &y));
        y->project = b;
        y->number = i;
        y->title = i == 2 ? "beta two" : "beta";
    }
    th_ok(sinew_session_flush(s));
    int64_t beta_id = b->id;
    sinew_session_free(s);

    th_ok(sinew_session_new(db, &s));
    Issue *got = NULL;
    th_ok(issue_get_by_project_number(s, beta_id, 2, &got));
    assert_string_equal(got->title, "beta two");
    assert_int_equal(got->project_id, beta_id);
    Issue *again = NULL;
    th_ok(issue_get_by_project_number(s, beta_id, 2, &again));
    assert_ptr_equal(again, got);   /* the identity map: one object per row */
    th_assert_status(issue_get_by_project_number(s, beta_id, 9, &got), SINEW_NOTFOUND, NULL);
    assert_null(got);
    sinew_session_free(s);
    th_close(db);
}

static void many_to_many_declared_once(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    th_ok(sinew_create_tables(db, &tracker_schema));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    Project *p;
    th_ok(project_new(s, &p));
    p->name = "p";
    Issue *i1, *i2;
    th_ok(issue_new(s, &i1));
    i1->project = p;
    i1->number = 1;
    i1->title = "one";
    th_ok(issue_new(s, &i2));
    i2->project = p;
    i2->number = 2;
    i2->title = "two";
    Label *bug, *ui;
    th_ok(label_new(s, &bug));
    bug->name = "bug";
    th_ok(label_new(s, &ui));
    ui->name = "ui";
    th_ok(sinew_session_flush(s));
    th_ok(sinew_m2m_add(s, ISSUE_LABELS, i1, bug));   /* from the side with @through */
    th_ok(sinew_m2m_add(s, LABEL_ISSUES, ui, i1));    /* from the side without */
    th_ok(sinew_m2m_add(s, LABEL_ISSUES, bug, i2));
    th_ok(sinew_session_flush(s));
    int64_t i1_id = i1->id, bug_id = bug->id;
    sinew_session_free(s);

    th_ok(sinew_session_new(db, &s));
    Issue *one;
    th_ok(issue_get(s, i1_id, &one));
    label_list labels;
    th_ok(issue_labels(s, one, &labels));
    assert_int_equal(labels.count, 2);
    Label *b2;
    th_ok(label_get(s, bug_id, &b2));
    issue_list issues;
    th_ok(label_issues(s, b2, &issues));
    assert_int_equal(issues.count, 2);
    /* one join table serves both sides */
    assert_ptr_equal(ISSUE_LABELS->through, LABEL_ISSUES->through);
    assert_string_equal(ISSUE_LABELS->through->table, "issue_labels");
    sinew_session_free(s);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(foreign_keys_are_indexed),
        cmocka_unit_test(composite_unique_getter),
        cmocka_unit_test(many_to_many_declared_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
