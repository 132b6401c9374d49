/*
 * soft_restore.c - what sinew_restore brings back with a row: the rows its
 * soft delete's cascade took.
 *
 * A cascade writes the deleted parent's own clock reading into every row it
 * takes (query_bulk.c), so those rows are found again by that time: the
 * children of the restored row (through the @on_delete(cascade) foreign keys
 * of @@soft_delete models) whose deleted_at equals the parent's, and theirs,
 * level by level. A child deleted before, on its own, holds another time and
 * stays deleted, and so does what its own cascade took.
 *
 * Levels are restored deepest first: a level's rows are found through the
 * level above still holding the time, so that one is cleared after them.
 */
#include "orm.h"
#include "query_int.h"

/* cascades deeper than this are refused, as soft deletes refuse them (query_bulk.c) */
#define RESTORE_DEPTH 32

typedef struct level {
    const sinew_model *model;
    const sinew_relation *back;   /* its foreign key to the level above */
} level;

typedef struct tree {
    sinew_session *s;
    sn_obj *root;
    int64_t at;                   /* the root's deleted_at: the reading its cascade wrote */
    level path[RESTORE_DEPTH];
} tree;

/* the rows at level n of the path: the root by its key, then each level's rows deleted at `at` whose
 * foreign key points at a row of the level above (nested IN subqueries) */
static int rows_at(tree *t, size_t n, sinew_query **out)
{
    *out = NULL;
    if (n == 0) {
        *out = sn_soft_by_key(t->s, t->root, 1);
        return *out ? SINEW_OK : sn_nomem();
    }
    sinew_query *up;
    int rc = rows_at(t, n - 1, &up);
    if (rc) return rc;
    const level *l = &t->path[n - 1];
    sinew_query *q = sinew_query_new(t->s, l->model);
    if (!q) {
        sinew_query_free(up);
        return sn_nomem();
    }
    q->sel.with_deleted = 1;
    int f = sinew_model_soft_delete_field(l->model);
    rc = sinew_where(q, sn_x_key_in(l->model, l->back, up));   /* takes `up`, failing or not */
    if (rc == SINEW_OK) rc = sinew_where(q, sinew_eq(sinew_column(l->model, (unsigned)f), sinew_v_timestamp(t->at)));
    if (rc) {
        sinew_query_free(q);
        return rc;
    }
    *out = q;
    return SINEW_OK;
}

/* UPDATE q's rows SET deleted_at = NULL (and their @updated_at, and a @version field to version + 1) */
static int undelete(sinew_query *q, int64_t *changed)
{
    const sinew_model *m = q->model;
    int vf = sn_soft_version_field(m);
    sinew_set two[2] = {sinew_set_value(sinew_column(m, (unsigned)sinew_model_soft_delete_field(m)),
                                        sinew_v_null(SINEW_TIMESTAMP))};
    if (vf >= 0) {
        sinew_col v = sinew_column(m, (unsigned)vf);
        two[1] = sinew_set_expr(v, sinew_col_op(v, '+', sinew_v_int64(1)));
    }
    return sinew_query_update_set(q, two, vf >= 0 ? 2 : 1, changed);
}

/* the rows at level n live again */
static int clear(tree *t, size_t n)
{
    sinew_query *q;
    int rc = rows_at(t, n, &q);
    if (rc) return rc;
    int64_t changed = 0;
    rc = undelete(q, &changed);
    sinew_query_free(q);
    return rc;
}

/* the levels below level n (of model m), deepest first; a level without rows ends its branch, which is
 * what stops a self-reference (a thread of replies) */
static int restore_below(tree *t, size_t n, const sinew_model *m)
{
    for (size_t r = 0; r < m->nrelations; r++) {
        const sinew_relation *back = sn_soft_cascade_back(&m->relations[r]);
        if (!back) continue;
        if (n >= RESTORE_DEPTH)
            return sinew_error_set(SINEW_UNSUPPORTED, "sinew_restore of %s: the cascade is deeper than %d models",
                                   t->root->model->name, RESTORE_DEPTH);
        t->path[n] = (level){m->relations[r].target, back};
        sinew_query *q;
        bool any = false;
        int rc = rows_at(t, n + 1, &q);
        if (rc == SINEW_OK) rc = sinew_query_exists(q, &any);
        sinew_query_free(q);
        if (rc == SINEW_OK && any) rc = restore_below(t, n + 1, m->relations[r].target);
        if (rc == SINEW_OK && any) rc = clear(t, n + 1);
        if (rc) return rc;
    }
    return SINEW_OK;
}

int sn_soft_restore_rows(sinew_session *s, sn_obj *o, int64_t at)
{
    tree t = {.s = s, .root = o, .at = at};
    int rc = restore_below(&t, 0, o->model);
    if (rc) return rc;
    sinew_query *q = sn_soft_by_key(s, o, 1);
    const sinew_model *m = o->model;
    /* with @version, only the row as it was loaded (or as this session's delete left it) */
    int vf = sn_soft_version_field(m);
    const void *src = SN_SNAP(o) ? SN_SNAP(o) : SN_DATA_OF(o);
    int64_t n = 0;
    rc = !q ? sn_nomem()
         : vf >= 0 ? sinew_where(q, sinew_eq(sinew_column(m, (unsigned)vf), sn_field_value(&m->fields[vf], src)))
                   : SINEW_OK;
    if (rc == SINEW_OK) rc = undelete(q, &n);
    sinew_query_free(q);
    if (rc) return rc;
    if (n == 0 && vf >= 0)
        return sinew_error_set(SINEW_CONFLICT, "%s to restore was changed or deleted by someone else since it was "
                               "loaded (version %lld); reload it and restore it again", m->name,
                               (long long)sn_field_value(&m->fields[vf], src).u.i);
    if (n == 0) return sinew_error_set(SINEW_NOTFOUND, "%s to restore no longer exists in %s", m->name, m->table);
    /* the loaded objects its cascade brought back must have been as loaded too */
    return sn_soft_check_taken(s, &o, 1, 1, at, 0);
}

/* the loaded objects whose rows came back with up's: deleted at `at`, pointing at up through a cascade */
int sn_soft_after_restore(sinew_session *s, sn_obj *up, int64_t at, int64_t now)
{
    for (sn_obj *o = s->objects; o; o = o->next) {
        if (!sn_soft_follows(o, up, 1, at)) continue;
        sn_plan *p;
        int rc = sn_plan_get(s->db, o->model, &p);
        if (rc == SINEW_OK) rc = sn_soft_restored(s, p, o, now);
        if (rc == SINEW_OK) rc = sn_soft_after_restore(s, o, at, now);
        if (rc) return rc;
    }
    return SINEW_OK;
}
