/*
 * plan.c - per (db, model) pre-rendered SQL. Rendering is done once, on
 * first use, so a get or an insert on the hot path is a pointer compare (the
 * model last asked about) or a hash lookup of the model pointer, and a
 * statement-cache hit, never string building.
 */
#include <string.h>
#include "orm.h"
#include "sql/ir.h"

static char *render(sn_buf *b)
{
    char *s = sn_buf_take(b);
    if (!s) sn_nomem();
    return s;
}

SN_NOINLINE int sn_plan_lookup(sinew_db *db, const sinew_model *m, sn_plan **out)
{
    uint64_t h = sn_hash_u64((uint64_t)(uintptr_t)m);
    sn_plan *p = sn_map_get(&db->plans, h, m);
    if (p) {
        *out = db->last_plan = p;
        return SINEW_OK;
    }
    if (m->npk == 0 && !(m->flags & SINEW_MODEL_READONLY))
        return sinew_error_set(SINEW_MISUSE, "model %s has no primary key: mark a field @id or add @@id([...])",
                               m->name);
    int refused = sn_sql_schema_refused(db->dialect, m);   /* @@schema on SQLite */
    if (refused) return refused;
    if (m->nfields > SN_MAX_FIELDS)
        return sinew_error_set(SINEW_UNSUPPORTED, "model %s has %zu fields; sinew supports up to %d per model: "
                               "split it into two models with a one-to-one relation", m->name, m->nfields, SN_MAX_FIELDS);
    p = sn_calloc(1, sizeof *p);
    if (!p) return sn_nomem();
    p->model = m;
    p->auto_pk = sinew_model_auto_pk(m);
    p->version_field = -1;
    for (size_t i = 0; i < m->nfields; i++) {
        if (m->fields[i].flags & SINEW_FIELD_VERSION) p->version_field = (int)i;
        if (m->fields[i].def.kind != SINEW_DEFAULT_NONE) p->default_fields |= 1ull << i;
        if (m->fields[i].rules) p->has_rules = 1;
        if (m->fields[i].flags & (SINEW_FIELD_READONLY | SINEW_FIELD_GENERATED)) p->readonly |= 1ull << i;
        else if ((m->fields[i].flags & SINEW_FIELD_UPDATED_AT) && m->fields[i].type == SINEW_TIMESTAMP &&
                 m->fields[i].offset != SINEW_NO_OFFSET)
            p->stamped |= 1ull << i;
    }
    for (size_t i = 0; i < m->npk; i++) p->pk_mask |= 1ull << m->pk[i];
    for (size_t i = 0; i < m->npk && i < SN_MAX_KEY; i++) p->delete_by[p->ndelete_by++] = m->pk[i];
    if (p->version_field >= 0 && m->npk) p->delete_by[p->ndelete_by++] = (unsigned)p->version_field;
    for (size_t r = 0; r < m->nrelations; r++)
        if (m->relations[r].kind == SINEW_BELONGS_TO && m->relations[r].offset != SINEW_NO_OFFSET) p->members = 1;
    p->checked = sn_checked_fields(m);
    if (sn_defaults_init(p) || sn_dirty_init(p)) {
        sn_free(p->defvals);
        sn_free(p);
        return SINEW_NOMEM;
    }
    sn_buf b;
    sn_buf_init(&b);
    sn_sql_select_all(&b, db->dialect, m);
    p->select_all = render(&b);
    /* a model without a key (@@readonly) is never read by key nor deleted: those two stay empty */
    if (m->npk) sn_sql_select_where(&b, db->dialect, m, m->pk, m->npk);
    p->select_pk = render(&b);
    if (m->npk) {
        sn_delete del = {.model = m, .keys = p->delete_by, .nkeys = p->ndelete_by};
        if (sn_sql_delete_stmt(&b, db->dialect, &del)) sn_buf_clear(&b);   /* NULL below: out of memory */
    }
    p->delete_pk = render(&b);
    sn_sql_count(&b, db->dialect, m);
    p->count = render(&b);
    if (!p->select_all || !p->select_pk || !p->delete_pk || !p->count ||
        sn_map_put(&db->plans, h, m, p) != SINEW_OK) {
        sn_free(p->select_all);
        sn_free(p->select_pk);
        sn_free(p->delete_pk);
        sn_free(p->count);
        sn_free(p->defvals);
        sn_free(p->dirty);
        sn_free(p);
        return sn_nomem();
    }
    *out = db->last_plan = p;
    return SINEW_OK;
}

/* the fields of mask in field order, the order statements bind them in (NULL: out of memory) */
static unsigned *field_list(const sinew_model *m, uint64_t mask, size_t *n)
{
    unsigned *cols = sn_malloc((m->nfields ? m->nfields : 1) * sizeof *cols);
    *n = 0;
    if (!cols) return NULL;
    for (size_t i = 0; i < m->nfields; i++)
        if ((mask >> i) & 1) cols[(*n)++] = (unsigned)i;
    return cols;
}

/*
 * The INSERT for one set of fields left to the database (`omit`: an @auto key
 * or a field with a default, left zero by the caller). Those come back
 * through RETURNING; on SQLite a
 * lone auto key is read with last_insert_rowid instead, which is cheaper.
 */
/* the first INSERT of this shape: render it (kept out of the per-row path) */
SN_NOINLINE static int render_insert(sinew_db *db, sn_plan *p, uint64_t omit, const sn_insert_variant **out)
{
    const sinew_model *m = p->model;
    unsigned char include[SN_MAX_FIELDS], returning[SN_MAX_FIELDS];
    int nret = 0;
    for (size_t i = 0; i < m->nfields; i++) {
        int back = (int)((omit >> i) & 1);
        include[i] = (unsigned char)!back;
        returning[i] = (unsigned char)back;
        nret += back;
    }
    int use_last_id = !db->dialect->numbered_params && p->auto_pk >= 0 && omit == (1ull << p->auto_pk);
    /* no RETURNING (MySQL, MariaDB before 10.5): the auto key from last_insert_id, the rest by key after */
    uint64_t reread = 0;
    if (db->dialect->insert_no_returning && omit) {
        uint64_t key = p->auto_pk >= 0 ? omit & (1ull << p->auto_pk) : 0;
        use_last_id = key != 0;
        reread = omit & ~key;
        nret = 0;
    }
    sn_buf b;
    sn_buf_init(&b);
    sn_sql_insert(&b, db->dialect, m, include, use_last_id || db->dialect->insert_no_returning ? NULL : returning);
    char *sql = render(&b);
    if (!sql) return SINEW_NOMEM;
    unsigned char *ret = NULL;
    if (nret && !use_last_id) {
        ret = sn_malloc(m->nfields);
        if (!ret) {
            sn_free(sql);
            return sn_nomem();
        }
        memcpy(ret, returning, m->nfields);
    }
    size_t ncols;
    unsigned *cols = field_list(m, ~omit, &ncols);
    if (!cols) {
        sn_free(sql);
        sn_free(ret);
        return sn_nomem();
    }
    size_t slot = p->ninserts;
    if (slot == SN_INSERT_VARIANTS) {   /* rarely many combinations: recycle the last slot */
        slot = SN_INSERT_VARIANTS - 1;
        sn_db_forget_sql(db, p->inserts[slot].sql);
        sn_free(p->inserts[slot].sql);
        sn_free(p->inserts[slot].returning);
        sn_free(p->inserts[slot].cols);
    } else {
        p->ninserts++;
    }
    p->inserts[slot].cols = cols;
    p->inserts[slot].ncols = ncols;
    p->inserts[slot].omit = omit;
    p->inserts[slot].sql = sql;
    p->inserts[slot].returning = ret;
    p->inserts[slot].use_last_id = use_last_id;
    p->inserts[slot].reread = reread;
    *out = &p->inserts[slot];
    return SINEW_OK;
}

SN_HOT int sn_plan_insert(sinew_db *db, sn_plan *p, uint64_t omit, const sn_insert_variant **out)
{
    for (size_t i = 0; i < p->ninserts; i++)
        if (p->inserts[i].omit == omit) {
            *out = &p->inserts[i];
            return SINEW_OK;
        }
    return render_insert(db, p, omit, out);
}

/* the first UPDATE of this set of columns: render it (kept out of the per-row path) */
SN_NOINLINE static int render_update(sinew_db *db, sn_plan *p, uint64_t set, const sn_update_variant **out)
{
    const sinew_model *m = p->model;
    unsigned char mask[SN_MAX_FIELDS];
    for (size_t i = 0; i < m->nfields; i++) mask[i] = (unsigned char)((set >> i) & 1);
    sn_buf b;
    sn_buf_init(&b);
    sn_sql_update(&b, db->dialect, m, mask, p->version_field);
    char *sql = render(&b);
    if (!sql) return SINEW_NOMEM;
    size_t ncols;
    unsigned *cols = field_list(m, set, &ncols);
    if (!cols) {
        sn_free(sql);
        return sn_nomem();
    }
    size_t slot = p->nupdates;
    if (slot == SN_UPDATE_VARIANTS) {
        slot = SN_UPDATE_VARIANTS - 1;
        sn_db_forget_sql(db, p->updates[slot].sql);
        sn_free(p->updates[slot].sql);
        sn_free(p->updates[slot].cols);
    } else {
        p->nupdates++;
    }
    p->updates[slot].set = set;
    p->updates[slot].sql = sql;
    p->updates[slot].cols = cols;
    p->updates[slot].ncols = ncols;
    p->last_update = slot;
    *out = &p->updates[slot];
    return SINEW_OK;
}

/* The UPDATE for one set of changed fields (`set`, bit i = field i): a run of saves changing the
 * same fields finds the one it used last at once. */
SN_HOT int sn_plan_update_variant(sinew_db *db, sn_plan *p, uint64_t set, const sn_update_variant **out)
{
    if (p->last_update < p->nupdates && p->updates[p->last_update].set == set) {
        *out = &p->updates[p->last_update];
        return SINEW_OK;
    }
    for (size_t i = 0; i < p->nupdates; i++)
        if (p->updates[i].set == set) {
            p->last_update = i;
            *out = &p->updates[i];
            return SINEW_OK;
        }
    return render_update(db, p, set, out);
}

SN_HOT int sn_plan_update(sinew_db *db, sn_plan *p, uint64_t set, const char **out)
{
    const sn_update_variant *v;
    int rc = sn_plan_update_variant(db, p, set, &v);
    *out = rc ? NULL : v->sql;
    return rc;
}
