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

/* UPDATE the rows at level n SET deleted_at = NULL (and their @updated_at) */
static int clear(tree *t, size_t n)
{
    sinew_query *q;
    int rc = rows_at(t, n, &q);
    if (rc) return rc;
    const sinew_model *m = q->model;
    sinew_set none = sinew_set_value(sinew_column(m, (unsigned)sinew_model_soft_delete_field(m)),
                                     sinew_v_null(SINEW_TIMESTAMP));
    int64_t changed = 0;
    rc = sinew_query_update_set(q, &none, 1, &changed);
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
    sinew_set none = sinew_set_value(sinew_column(m, (unsigned)sinew_model_soft_delete_field(m)),
                                     sinew_v_null(SINEW_TIMESTAMP));
    int64_t n = 0;
    rc = q ? sinew_query_update_set(q, &none, 1, &n) : sn_nomem();
    sinew_query_free(q);
    if (rc) return rc;
    if (n == 0) return sinew_error_set(SINEW_NOTFOUND, "%s to restore no longer exists in %s", m->name, m->table);
    return SINEW_OK;
}

/* does o (a row of a model with foreign key rel to up's model) point at up? */
static int points_at(const sinew_relation *rel, const sn_obj *o, const sn_obj *up)
{
    const void *src = SN_SNAP(o) ? SN_SNAP(o) : SN_DATA_OF(o);
    const void *usrc = SN_SNAP(up) ? SN_SNAP(up) : SN_DATA_OF(up);
    for (size_t k = 0; k < rel->nkeys; k++) {
        sinew_value a = sn_field_value(&o->model->fields[rel->local[k]], src);
        sinew_value b = sn_field_value(&up->model->fields[rel->remote[k]], usrc);
        if (!sn_value_eq(&a, &b)) return 0;
    }
    return 1;
}

/* the loaded objects whose rows came back with up's: deleted at `at`, pointing at up through a cascade */
int sn_soft_after_restore(sinew_session *s, sn_obj *up, int64_t at, int64_t now)
{
    for (sn_obj *o = s->objects; o; o = o->next) {
        if (o == up || (o->state != SN_PERSISTENT && o->state != SN_DELETED) || (o->flags & SN_F_GONE)) continue;
        const sinew_model *m = o->model;
        int f = sinew_model_soft_delete_field(m);
        if (f < 0) continue;
        const void *src = SN_SNAP(o) ? SN_SNAP(o) : SN_DATA_OF(o);
        if (!sn_field_has_value(&m->fields[f], src) || *(const int64_t *)((const char *)src + m->fields[f].offset) != at)
            continue;
        for (size_t r = 0; r < m->nrelations; r++) {
            const sinew_relation *rel = &m->relations[r];
            if (rel->kind != SINEW_BELONGS_TO || rel->target != up->model || rel->on_delete != SINEW_FK_CASCADE ||
                !points_at(rel, o, up))
                continue;
            sn_plan *p;
            int rc = sn_plan_get(s->db, m, &p);
            if (rc == SINEW_OK) rc = sn_soft_restored(s, p, o, now);
            if (rc == SINEW_OK) rc = sn_soft_after_restore(s, o, at, now);
            if (rc) return rc;
            break;
        }
    }
    return SINEW_OK;
}
