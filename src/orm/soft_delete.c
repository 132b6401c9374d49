/*
 * soft_delete.c - @@soft_delete for session objects: a delete sets the
 * model's deleted_at field (one UPDATE by key, through the query path so
 * that the rows its @on_delete(cascade) children follow are soft-deleted in
 * the same transaction and with the same clock reading), restore clears it
 * (and what that cascade took: soft_restore.c), a hard delete is the real
 * DELETE.
 *
 * What every read leaves out is the SQL layer's (the renderers add
 * "deleted_at IS NULL" for such a model); here is only what the session
 * keeps: a soft-deleted object is deleted for the session (out of the
 * identity map, refused by save), and its deleted_at holds the time.
 */
#include "orm.h"
#include "query_int.h"

#define AT(obj, off, T) ((T *)((char *)(obj) + (off)))

/* field f of o's object and its snapshot := now (present), or NULL when now is 0 */
static void put_time(const sinew_field *f, sn_obj *o, int64_t now)
{
    void *places[2] = {SN_DATA_OF(o), SN_SNAP(o)};
    for (int k = 0; k < 2; k++) {
        if (!places[k]) continue;
        *AT(places[k], f->offset, int64_t) = now;
        if (f->has_offset != SINEW_NO_OFFSET) *AT(places[k], f->has_offset, bool) = now != 0;
    }
}

sinew_query *sn_soft_by_key(sinew_session *s, sn_obj *o, int with_deleted)
{
    const sinew_model *m = o->model;
    sinew_query *q = sinew_query_new(s, m);
    if (!q) return NULL;
    q->sel.with_deleted = with_deleted;
    const void *src = SN_SNAP(o) ? SN_SNAP(o) : SN_DATA_OF(o);
    for (size_t i = 0; i < m->npk; i++)
        if (sinew_where(q, sinew_eq(sinew_column(m, m->pk[i]), sn_field_value(&m->fields[m->pk[i]], src)))) {
            sinew_query_free(q);
            return NULL;
        }
    return q;
}

/* the session side of a row taken by a soft delete at `now`: its field (and @updated_at) hold the time
 * and its version the one the statement wrote, out of the identity map, deleted */
static int mark_soft_deleted(sinew_session *s, const sn_plan *p, sn_obj *o, int64_t now)
{
    const sinew_model *m = o->model;
    int rc = sn_flush_touch(s, o);
    if (rc) return rc;
    put_time(&m->fields[sinew_model_soft_delete_field(m)], o, now);
    for (size_t i = 0, b = p ? p->stamped : 0; b; i++, b >>= 1)
        if (b & 1) put_time(&m->fields[i], o, now);
    sn_soft_bump_version(o);
    sn_identity_remove(s, o);
    o->state = SN_DELETED;
    return SINEW_OK;
}

/* the loaded objects that followed o: its cached members go, soft-deleted children cascade */
static int after_soft_delete(sinew_session *s, sn_obj *gone, int64_t now)
{
    void *g = SN_DATA_OF(gone);
    for (sn_obj *o = s->objects; o; o = o->next) {
        if (o == gone || (o->state != SN_PERSISTENT && o->state != SN_NEW)) continue;
        int rc = sn_unlink_cached(s, o, g, 0);
        if (rc) return rc;
        /* a row the cascade took (the statements' rule, sn_soft_follows): deleted too, and what follows it */
        if (!sn_soft_follows(o, gone, 0, 0)) continue;
        sn_plan *p = NULL;
        (void)sn_plan_get(s->db, o->model, &p);   /* its @updated_at; without a plan only those stay as loaded */
        if ((rc = mark_soft_deleted(s, p, o, now)) || (rc = after_soft_delete(s, o, now))) return rc;
    }
    return SINEW_OK;
}

int sn_soft_delete_row(sinew_session *s, sn_obj *o)
{
    const sinew_model *m = o->model;
    sn_plan *p;
    int rc = sn_plan_get(s->db, m, &p);
    if (rc) return rc;
    int64_t outer = sn_stamp_begin(s);
    int64_t now = s->stamp_now, n = 0;
    sinew_query *q = sn_soft_by_key(s, o, 0);
    int vf = p->version_field;   /* with @version, only the row as it was loaded (as a hard delete) */
    rc = !q ? sn_nomem()
         : vf >= 0 ? sinew_where(q, sinew_eq(sinew_column(m, (unsigned)vf), sn_field_value(&m->fields[vf], SN_SNAP(o))))
                   : SINEW_OK;
    /* the row, its cascade and the check of the loaded objects the cascade took, together */
    if (rc == SINEW_OK) rc = sinew_begin(s->db);
    if (rc == SINEW_OK) {
        rc = sn_q_soft_delete_at(q, now, &n);
        if (rc == SINEW_OK && n == 0 && vf >= 0)
            rc = sinew_error_set(SINEW_CONFLICT, "%s to delete was changed or deleted by someone else since it was "
                                 "loaded (version %lld); reload it and delete it again", m->name,
                                 (long long)sn_field_value(&m->fields[vf], SN_SNAP(o)).u.i);
        else if (rc == SINEW_OK && n == 0)
            rc = sinew_error_set(SINEW_NOTFOUND, "%s to delete no longer exists in %s (or is deleted already)",
                                 m->name, m->table);
        if (rc == SINEW_OK) rc = sn_soft_check_taken(s, &o, 1, 0, 0, now);
        if (rc == SINEW_OK) rc = sinew_commit(s->db);
        else {
            sinew_error saved = *sinew_last_error();
            sinew_rollback(s->db);
            *sn_error_mut() = saved;
        }
    }
    sinew_query_free(q);
    sn_stamp_end(s, outer);
    if (rc) return rc;
    return sn_soft_deleted(s, p, o, now);
}

int sn_soft_deleted(sinew_session *s, const sn_plan *p, sn_obj *o, int64_t now)
{
    int rc = mark_soft_deleted(s, p, o, now);
    return rc ? rc : after_soft_delete(s, o, now);
}

static int soft_model(const sinew_model *m, const char *fn)
{
    if (sinew_model_soft_delete_field(m) >= 0) return SINEW_OK;
    return sinew_error_set(SINEW_MISUSE, "%s: %s is not @@soft_delete", fn, m ? m->name : "(null)");
}

int sinew_hard_delete(sinew_session *s, const sinew_model *m, void *obj)
{
    if (!s || !m) return sinew_error_set(SINEW_MISUSE, "sinew_hard_delete: session and model must not be NULL");
    int rc = sn_model_writable(m, "sinew_hard_delete");
    if (rc) return rc;
    sn_obj *o = sn_obj_check(s, m, obj, "sinew_hard_delete");
    if (!o) return SINEW_MISUSE;
    if (o->state == SN_READONLY) return sn_readonly_refused(o, "sinew_hard_delete");
    /* a soft-deleted row is still a row: it can go for good */
    int soft_gone = o->state == SN_DELETED && !(o->flags & SN_F_GONE) && sinew_model_soft_delete_field(m) >= 0 &&
                    sn_field_has_value(&m->fields[sinew_model_soft_delete_field(m)], obj);
    if (o->state != SN_PERSISTENT && !soft_gone)
        return sinew_error_set(SINEW_MISUSE, "sinew_hard_delete: this %s is %s", m->name,
                               o->state == SN_DELETED ? "already deleted" : "not saved yet (nothing to delete)");
    const sinew_hooks *h = sn_hooks_for(s->db, m);
    if (h && h->before_delete && (rc = h->before_delete(s, m, obj, h->ctx))) return rc;
    if (soft_gone) o->state = SN_PERSISTENT;   /* the DELETE by key below sets it deleted again */
    if ((rc = sn_delete_row_hard(s, o))) {
        if (soft_gone) o->state = SN_DELETED;
        return rc;
    }
    if (h && h->after_delete) h->after_delete(s, m, obj, h->ctx);
    return SINEW_OK;
}

int sinew_restore(sinew_session *s, const sinew_model *m, void *obj)
{
    if (!s || !m) return sinew_error_set(SINEW_MISUSE, "sinew_restore: session and model must not be NULL");
    int rc = soft_model(m, "sinew_restore");
    if (!rc) rc = sn_model_writable(m, "sinew_restore");
    if (rc) return rc;
    sn_obj *o = sn_obj_check(s, m, obj, "sinew_restore");
    if (!o) return SINEW_MISUSE;
    if (o->state == SN_READONLY) return sn_readonly_refused(o, "sinew_restore");
    const sinew_field *f = &m->fields[sinew_model_soft_delete_field(m)];
    if ((o->state != SN_PERSISTENT && o->state != SN_DELETED) || (o->flags & SN_F_GONE) ||
        !sn_field_has_value(f, SN_SNAP(o) ? SN_SNAP(o) : obj))
        return sinew_error_set(SINEW_MISUSE, "sinew_restore: this %s is not soft-deleted", m->name);
    sn_plan *p;
    if ((rc = sn_plan_get(s->db, m, &p))) return rc;
    int64_t at = *(const int64_t *)((const char *)(SN_SNAP(o) ? SN_SNAP(o) : obj) + f->offset);
    int64_t outer = sn_stamp_begin(s);   /* the statements' @updated_at and the objects' alike */
    int64_t now = s->stamp_now;
    rc = sinew_begin(s->db);   /* the row and what its delete's cascade took, together */
    if (rc == SINEW_OK) {
        rc = sn_soft_restore_rows(s, o, at);
        if (rc == SINEW_OK) rc = sinew_commit(s->db);
        else {
            sinew_error saved = *sinew_last_error();
            sinew_rollback(s->db);
            *sn_error_mut() = saved;
        }
    }
    sn_stamp_end(s, outer);
    if (rc) return rc;
    rc = sn_soft_restored(s, p, o, now);
    if (rc == SINEW_OK) rc = sn_soft_after_restore(s, o, at, now);
    return rc;
}

int sn_soft_restored(sinew_session *s, const sn_plan *p, sn_obj *o, int64_t now)
{
    const sinew_model *m = o->model;
    put_time(&m->fields[sinew_model_soft_delete_field(m)], o, 0);
    for (size_t i = 0, b = p->stamped; b; i++, b >>= 1)
        if (b & 1) put_time(&m->fields[i], o, now);
    if (o->state != SN_DELETED) {
        sn_soft_bump_version(o);   /* the statement wrote version + 1 */
        return SINEW_OK;
    }
    o->state = SN_PERSISTENT;
    if (!SN_SNAP(o)) sn_take_snapshot(s, o);
    sn_soft_bump_version(o);
    return sn_identity_add(s, o);
}
