/*
 * soft_version.c - @version and @@soft_delete together: a soft delete or a
 * restore changes its rows, so it bumps their version (version + 1, in the
 * statement: query_bulk.c, unit_batch.c, soft_restore.c), and it only writes
 * rows the program holds as they are in the database.
 *
 * The rows asked for (the object deleted or restored) are matched by key and
 * the version loaded in the statement itself. The rows a cascade takes along
 * are found by a subquery, so the loaded objects among them (the ones the
 * session marks deleted or live again with them) are checked after the
 * statements ran, inside their transaction: each such object's row must now
 * hold the version loaded plus one and the state the operation gave it; one
 * that does not was changed by someone else since it was loaded, and the
 * operation is SINEW_CONFLICT (rolled back by the caller, nothing changed in
 * the session).
 */
#include "orm.h"
#include "query_int.h"

int sn_soft_version_field(const sinew_model *m)
{
    for (size_t i = 0; i < m->nfields; i++)
        if (m->fields[i].flags & SINEW_FIELD_VERSION) return (int)i;
    return -1;
}

void sn_soft_bump_version(sn_obj *o)
{
    int vf = sn_soft_version_field(o->model);
    if (vf < 0) return;
    const sinew_field *f = &o->model->fields[vf];
    void *places[2] = {SN_DATA_OF(o), SN_SNAP(o)};
    int64_t v = sn_field_value(f, places[1] ? places[1] : places[0]).u.i + 1;
    for (int k = 0; k < 2; k++) {
        if (!places[k]) continue;
        char *slot = (char *)places[k] + f->offset;
        if (f->type == SINEW_INT32) *(int32_t *)(void *)slot = (int32_t)v;
        else *(int64_t *)(void *)slot = v;
    }
}

/* rel (a foreign key of a @@soft_delete model) is one a soft delete cascades through: the inverse of a list
 * or to-one of its target, as query_bulk.c follows them (a to-one no relation of its target answers takes
 * nothing along in the database, so neither in the session) */
static int cascades_through(const sinew_relation *rel)
{
    const sinew_model *t = rel->target;
    for (size_t r = 0; r < t->nrelations; r++)
        if (sn_soft_cascade_back(&t->relations[r]) == rel) return 1;
    return 0;
}

/* o's foreign key rel (to up's model) holds up's key, as both were loaded */
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

int sn_soft_follows(const sn_obj *o, const sn_obj *up, int restore, int64_t at)
{
    if (o == up || (o->flags & SN_F_GONE)) return 0;
    if (restore ? o->state != SN_PERSISTENT && o->state != SN_DELETED : o->state != SN_PERSISTENT) return 0;
    const sinew_model *m = o->model;
    int f = sinew_model_soft_delete_field(m);
    if (f < 0) return 0;   /* not soft-deleted: its row stays in the database, so does the object */
    if (restore) {
        const void *src = SN_SNAP(o) ? SN_SNAP(o) : SN_DATA_OF(o);
        if (!sn_field_has_value(&m->fields[f], src) || sn_field_value(&m->fields[f], src).u.i != at) return 0;
    }
    for (size_t r = 0; r < m->nrelations; r++) {
        const sinew_relation *rel = &m->relations[r];
        if (rel->kind != SINEW_BELONGS_TO || rel->target != up->model || rel->on_delete != SINEW_FK_CASCADE) continue;
        if (points_at(rel, o, up) && cascades_through(rel)) return 1;
    }
    return 0;
}

/* a model the cascade from m can reach (through @on_delete(cascade) to @@soft_delete models) has @version;
 * seen: the models visited (a cycle of models ends there) */
static int reaches_version(const sinew_model *m, const sinew_model **seen, size_t *nseen)
{
    for (size_t i = 0; i < *nseen; i++)
        if (seen[i] == m) return 0;
    if (*nseen == 32) return 1;   /* deeper than a cascade goes (query_bulk.c refuses it): check */
    seen[(*nseen)++] = m;
    for (size_t r = 0; r < m->nrelations; r++) {
        if (!sn_soft_cascade_back(&m->relations[r])) continue;
        const sinew_model *c = m->relations[r].target;
        if (sn_soft_version_field(c) >= 0 || reaches_version(c, seen, nseen)) return 1;
    }
    return 0;
}

/* the row of taken object o is the one loaded, bumped once, deleted at `now` (or live again) */
static int still_ours(sinew_session *s, sn_obj *o, int vf, int restore, int64_t now, bool *ok)
{
    const sinew_model *m = o->model;
    const void *src = SN_SNAP(o) ? SN_SNAP(o) : SN_DATA_OF(o);
    sinew_value v = sn_field_value(&m->fields[vf], src);
    v.u.i += 1;
    sinew_col deleted = sinew_column(m, (unsigned)sinew_model_soft_delete_field(m));
    sinew_query *q = sn_soft_by_key(s, o, 1);
    int rc = q ? sinew_where(q, sinew_eq(sinew_column(m, (unsigned)vf), v)) : sn_nomem();
    if (rc == SINEW_OK)
        rc = sinew_where(q, restore ? sinew_is_null(deleted) : sinew_eq(deleted, sinew_v_timestamp(now)));
    if (rc == SINEW_OK) rc = sinew_query_exists(q, ok);
    sinew_query_free(q);
    return rc;
}

int sn_soft_check_taken(sinew_session *s, sn_obj *const *roots, size_t n, int restore, int64_t at, int64_t now)
{
    s->stale = NULL;
    const sinew_model *seen[32];
    size_t nseen = 0;
    if (n == 0 || !reaches_version(roots[0]->model, seen, &nseen)) return SINEW_OK;   /* the usual case */
    /* the objects taken, breadth first; SN_F_MARK keeps each once (a cycle in the data ends) */
    size_t cap = 16, nt = 0;
    sn_obj **taken = sn_malloc(cap * sizeof *taken);
    if (!taken) return sn_nomem();
    int rc = SINEW_OK;
    for (size_t i = 0; i < n; i++) roots[i]->flags |= SN_F_MARK;
    for (size_t i = 0; i < n + nt && rc == SINEW_OK; i++) {
        const sn_obj *up = i < n ? roots[i] : taken[i - n];
        for (sn_obj *o = s->objects; o && rc == SINEW_OK; o = o->next) {
            if ((o->flags & SN_F_MARK) || !sn_soft_follows(o, up, restore, at)) continue;
            if (nt == cap) {
                sn_obj **more = sn_realloc(taken, 2 * cap * sizeof *taken);
                if (!more) {
                    rc = sn_nomem();
                    break;
                }
                taken = more;
                cap *= 2;
            }
            o->flags |= SN_F_MARK;
            taken[nt++] = o;
        }
    }
    for (size_t i = 0; i < n; i++) roots[i]->flags &= (uint8_t)~SN_F_MARK;
    for (size_t i = 0; i < nt; i++) taken[i]->flags &= (uint8_t)~SN_F_MARK;
    for (size_t i = 0; i < nt && rc == SINEW_OK; i++) {
        sn_obj *o = taken[i];
        int vf = sn_soft_version_field(o->model);
        if (vf < 0) continue;
        bool ok = false;
        if ((rc = still_ours(s, o, vf, restore, now, &ok)) || ok) continue;
        const void *src = SN_SNAP(o) ? SN_SNAP(o) : SN_DATA_OF(o);
        s->stale = o;
        rc = sinew_error_set(SINEW_CONFLICT, "%s, which the %s of %s takes along, was changed or deleted by someone "
                             "else since it was loaded (version %lld); reload it and %s again", o->model->name,
                             restore ? "restore" : "soft delete", roots[0]->model->name,
                             (long long)sn_field_value(&o->model->fields[vf], src).u.i,
                             restore ? "restore" : "delete");
    }
    sn_free(taken);
    return rc;
}
