/*
 * m2m.c - many-to-many changes: rows of the join table added, removed,
 * cleared or replaced (all or nothing), and the cached collections of both
 * sides forgotten.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rel_int.h"

static int m2m_check(sinew_session *s, const sinew_relation *rel, void *obj, void *target, const char *fn)
{
    if (!s || !rel) return sinew_error_set(SINEW_MISUSE, "%s: session and relation must not be NULL", fn);
    if (rel->kind != SINEW_MANY_TO_MANY || !rel->through)
        return sinew_error_set(SINEW_MISUSE, "%s: %s is not a many-to-many relation", fn, rel->name);
    sn_obj *o = sn_obj_check(s, NULL, obj, fn);
    if (!o) return SINEW_MISUSE;
    if (sn_rel_index(o->model, rel) < 0)
        return sinew_error_set(SINEW_MISUSE, "%s: %s is not a relation of %s", fn, rel->name, o->model->name);
    if (o->state == SN_READONLY) return sn_readonly_refused(o, fn);
    if (o->state != SN_PERSISTENT) return sinew_error_set(SINEW_MISUSE, "%s: save the %s first", fn, o->model->name);
    if (target) {
        sn_obj *t = sn_obj_check(s, rel->target, target, fn);
        if (!t) return SINEW_MISUSE;
        if (t->state == SN_READONLY) return sn_readonly_refused(t, fn);
        if (t->state != SN_PERSISTENT) return sinew_error_set(SINEW_MISUSE, "%s: save the %s first", fn, rel->target->name);
    }
    return SINEW_OK;
}

/* forget obj's cached collection and, for a target, the inverse collection */
static void m2m_invalidate(sinew_session *s, const sinew_relation *rel, void *obj, void *target)
{
    sinew_relation_reset(s, rel, obj);
    if (target && rel->inverse) {
        const sinew_relation *inv = sinew_model_find_relation(rel->target, rel->inverse);
        if (inv) sinew_relation_reset(s, inv, target);
    }
}

static int m2m_exec(sinew_session *s, const sinew_relation *rel, void *obj, void *target, int insert)
{
    const sinew_model *om = SN_OBJ_OF(obj)->model;
    size_t nk = rel->nkeys;
    if (nk == 0 || nk > SN_MAX_KEY)
        return sinew_error_set(SINEW_UNSUPPORTED, "relation %s has %zu key columns (1 to %d supported)", rel->name,
                               nk, SN_MAX_KEY);
    /* the join table's owner-key columns, then (with a target) its target-key columns */
    unsigned cols[2 * SN_MAX_KEY];
    for (size_t i = 0; i < nk; i++) {
        cols[i] = rel->through_local[i];
        cols[nk + i] = rel->through_remote[i];
    }
    size_t ncols = target ? 2 * nk : nk;
    sn_buf b;
    sn_buf_init(&b);
    if (insert) {
        sn_insert ins = {.model = rel->through, .cols = cols, .ncols = ncols, .on_conflict = SN_CONFLICT_NOTHING};
        sn_sql_insert_stmt(&b, s->db->dialect, &ins);
    } else {
        sn_delete del = {.model = rel->through, .keys = cols, .nkeys = ncols};
        sn_sql_delete_stmt(&b, s->db->dialect, &del);
    }
    if (b.failed) {
        sn_buf_free(&b);
        return sn_nomem();
    }
    sn_exec x;
    int rc = sn_exec_start(&x, s->db, sn_buf_cstr(&b));
    int at = 0;
    for (size_t i = 0; i < nk && rc == SINEW_OK; i++) {
        sinew_value v = sn_field_value(&om->fields[rel->local[i]], obj);
        rc = sn_exec_bind(&x, at++, &v);
    }
    for (size_t i = 0; target && i < nk && rc == SINEW_OK; i++) {
        sinew_value v = sn_field_value(&rel->target->fields[rel->remote[i]], target);
        rc = sn_exec_bind(&x, at++, &v);
    }
    if (rc == SINEW_OK) {
        rc = sn_exec_step(&x);
        if (rc == SINEW_DONE) rc = SINEW_OK;
    }
    if (x.stmt) sn_exec_end(&x);
    sn_buf_free(&b);
    return rc;
}

int sinew_m2m_add(sinew_session *s, const sinew_relation *rel, void *obj, void *target)
{
    int rc = m2m_check(s, rel, obj, target, "sinew_m2m_add");
    if (rc) return rc;
    if (!target) return sinew_error_set(SINEW_MISUSE, "sinew_m2m_add: target is NULL");
    rc = m2m_exec(s, rel, obj, target, 1);
    m2m_invalidate(s, rel, obj, target);
    return rc;
}

int sinew_m2m_remove(sinew_session *s, const sinew_relation *rel, void *obj, void *target)
{
    int rc = m2m_check(s, rel, obj, target, "sinew_m2m_remove");
    if (rc) return rc;
    if (!target) return sinew_error_set(SINEW_MISUSE, "sinew_m2m_remove: target is NULL");
    rc = m2m_exec(s, rel, obj, target, 0);
    m2m_invalidate(s, rel, obj, target);
    return rc;
}

int sinew_m2m_clear(sinew_session *s, const sinew_relation *rel, void *obj)
{
    int rc = m2m_check(s, rel, obj, NULL, "sinew_m2m_clear");
    if (rc) return rc;
    rc = m2m_exec(s, rel, obj, NULL, 0);
    m2m_invalidate(s, rel, obj, NULL);
    return rc;
}

int sinew_m2m_set(sinew_session *s, const sinew_relation *rel, void *obj, void *const *targets, size_t n)
{
    int rc = m2m_check(s, rel, obj, NULL, "sinew_m2m_set");
    if (rc) return rc;
    if (n && !targets) return sinew_error_set(SINEW_MISUSE, "sinew_m2m_set: targets is NULL");
    for (size_t i = 0; i < n; i++)
        if ((rc = m2m_check(s, rel, obj, targets[i], "sinew_m2m_set"))) return rc;
    /* all or nothing: a savepoint when already inside a transaction */
    if ((rc = sinew_begin(s->db))) return rc;
    rc = m2m_exec(s, rel, obj, NULL, 0);
    for (size_t i = 0; i < n && rc == SINEW_OK; i++) rc = m2m_exec(s, rel, obj, targets[i], 1);
    if (rc == SINEW_OK) rc = sinew_commit(s->db);
    else {
        sinew_error saved = *sinew_last_error();
        sinew_rollback(s->db);
        *sn_error_mut() = saved;
    }
    m2m_invalidate(s, rel, obj, NULL);
    if (rel->inverse) {
        const sinew_relation *inv = sinew_model_find_relation(rel->target, rel->inverse);
        for (size_t i = 0; inv && i < n; i++) sinew_relation_reset(s, inv, targets[i]);
    }
    return rc;
}
