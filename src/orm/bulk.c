/*
 * bulk.c - bulk writes: many rows per INSERT statement (chunks sized to the
 * dialect's parameter limit; generated keys drawn from the sequence first
 * where there are sequences, else read back as RETURNING in MariaDB's
 * case or as SQLite's consecutive rowids), COPY where the
 * driver has it and the batch is large, and upsert (on conflict, update
 * and return the row, on SQLite and PostgreSQL). The statements are
 * described here and rendered by src/sql (sn_insert, sql/ir.h).
 */
#include <string.h>
#include "orm.h"
#include "query_int.h"
#include "sql/ir.h"

#define MAX_ROWS_PER_STATEMENT 500   /* past this SQLite gains nothing and statements get large */
/* and from SN_COPY_MIN_ROWS rows on (orm.h), COPY where the driver has it */

static int is_session_obj(sinew_session *s, const void *p)
{
    const sn_obj *o = SN_OBJ_OF(p);
    return sn_arena_owns(&s->arena, o) && o->magic == SN_OBJ_MAGIC;
}

/* fields a bulk write leaves out: an @auto key left zero, and a zero field whose default only
 * the database knows (the ones sinew computes are in the struct by then: defaults.c) */
SN_HOT static inline uint64_t omit_mask(const sinew_model *m, const sn_plan *p, const void *obj)
{
    uint64_t omit = p->readonly;   /* generated columns: the database computes them */
    if (p->auto_pk >= 0 && sn_field_is_zero_fast(&m->fields[p->auto_pk], obj)) omit |= 1ull << p->auto_pk;
    for (uint64_t d = p->db_defaults; d; d &= d - 1) {   /* the fields with a database default, by bit */
        unsigned i = (unsigned)__builtin_ctzll(d);
        if (sn_field_is_zero(&m->fields[i], obj)) omit |= 1ull << i;
    }
    return omit;
}

static int render_multi(sn_buf *b, const sinew_dialect *d, const sinew_model *m, uint64_t omit, size_t rows,
                        int returning_pk, int keys_drawn)
{
    unsigned cols[SN_MAX_FIELDS];
    size_t ncols = 0;
    for (size_t i = 0; i < m->nfields && i < SN_MAX_FIELDS; i++)
        if (!((omit >> i) & 1)) cols[ncols++] = (unsigned)i;
    sn_insert ins = {.model = m, .cols = cols, .ncols = ncols, .rows = rows, .keys_drawn = keys_drawn};
    if (returning_pk) {
        ins.returning = m->pk;
        ins.nreturning = m->npk;
    }
    sn_buf_clear(b);
    return sn_sql_insert_stmt(b, d, &ins) ? sn_nomem() : SINEW_OK;
}

static void set_int_key(const sinew_field *f, void *obj, int64_t id)
{
    if (f->type == SINEW_INT32) *(int32_t *)((char *)obj + f->offset) = (int32_t)id;
    else *(int64_t *)((char *)obj + f->offset) = id;
    if (f->has_offset != SINEW_NO_OFFSET) *(bool *)((char *)obj + f->has_offset) = true;
}

int sn_insert_chunk(sinew_session *s, const sinew_model *m, sn_plan *p, void *const *objs, size_t rows,
                    uint64_t omit, sn_chunk_sql *c)
{
    const sinew_dialect *d = s->db->dialect;
    int want_keys = p->auto_pk >= 0 && ((omit >> p->auto_pk) & 1);
    int use_returning = want_keys && d->numbered_params;   /* SQLite: keys from last_insert_rowid */
    sn_buf *b = &c->b;
    int rc = SINEW_OK;
    if (c->m != m || c->omit != omit || c->rows != rows || !b->len) {   /* full chunks share one text */
        c->m = NULL;
        if ((rc = render_multi(b, d, m, omit, rows, use_returning, c->keys_drawn))) return rc;
        c->m = m;
        c->omit = omit;
        c->rows = rows;
    }
    sn_exec x;
    if ((rc = sn_exec_start(&x, s->db, sn_buf_cstr(b)))) return rc;
    unsigned cols[SN_MAX_FIELDS];
    size_t ncols = 0;
    for (size_t i = 0; i < m->nfields && i < SN_MAX_FIELDS; i++)
        if (!((omit >> i) & 1)) cols[ncols++] = (unsigned)i;
    rc = sn_exec_bind_rows(&x, 0, m, cols, ncols, objs, rows);
    size_t got = 0;
    if (rc == SINEW_OK) {
        while ((rc = sn_exec_step(&x)) == SINEW_ROW) {
            if (got < rows)
                for (size_t k = 0; k < m->npk && rc == SINEW_ROW; k++) {
                    int r2 = sn_hydrate_field(x.drv, x.stmt, (int)k, m, &m->fields[m->pk[k]], objs[got], &s->arena);
                    if (r2) rc = r2;
                }
            got++;
        }
        if (rc == SINEW_DONE) rc = SINEW_OK;
    }
    sn_exec_end(&x);
    if (rc) return rc;
    if (want_keys && !use_returning) {
        /* one statement holds the write lock: its rowids are consecutive, ending at the last one */
        int64_t last = s->db->drv->last_insert_id(s->db->conn), first = last - (int64_t)(rows - 1);
        const sinew_field *k = &m->fields[p->auto_pk];
        if (k->type == SINEW_INT64 && k->has_offset == SINEW_NO_OFFSET)   /* the usual key: one store a row */
            for (size_t r = 0; r < rows; r++) *(int64_t *)(void *)((char *)objs[r] + k->offset) = first + (int64_t)r;
        else
            for (size_t r = 0; r < rows; r++) set_int_key(k, objs[r], first + (int64_t)r);
    } else if (use_returning && got != rows) {
        return sinew_error_set(SINEW_INTERNAL, "bulk insert into %s returned %zu keys for %zu rows", m->table, got, rows);
    }
    return SINEW_OK;
}

/*
 * Keys for the rows whose @auto key is zero, from the key's sequence in one
 * statement (COPY cannot return them).
 */
int sn_reserve_keys(sinew_session *s, const sinew_model *m, sn_plan *p, void *const *objs, size_t n)
{
    const sinew_field *f = &m->fields[p->auto_pk];
    size_t need = 0;
    for (size_t i = 0; i < n; i++) need += sn_field_is_zero(f, objs[i]) ? 1 : 0;
    if (!need) return SINEW_OK;
    sn_buf table;
    sn_buf_init(&table);
    sn_sql_table(&table, s->db->dialect, m);   /* "schema"."table" under @@schema */
    if (table.failed) {
        sn_buf_free(&table);
        return sn_nomem();
    }
    const char *sql = sn_sql_sequence_keys(s->db->dialect);
    if (!sql) {
        sn_buf_free(&table);
        return sinew_error_set(SINEW_UNSUPPORTED, "%s has no sequences to take keys from", s->db->dialect->name);
    }
    sn_exec x;
    int rc = sn_exec_start(&x, s->db, sql);
    if (rc) {
        sn_buf_free(&table);
        return rc;
    }
    rc = sn_exec_bind(&x, 0, &(sinew_value){.type = SINEW_TEXT, .u.s = {sn_buf_cstr(&table), table.len}});
    if (rc == SINEW_OK)
        rc = sn_exec_bind(&x, 1, &(sinew_value){.type = SINEW_TEXT, .u.s = {f->column, strlen(f->column)}});
    if (rc == SINEW_OK) rc = sn_exec_bind(&x, 2, &(sinew_value){.type = SINEW_INT64, .u.i = (int64_t)need});
    size_t at = 0;
    while (rc == SINEW_OK || rc == SINEW_ROW) {
        if ((rc = sn_exec_step(&x)) != SINEW_ROW) break;
        if (x.drv->column_storage(x.stmt, 0) != SINEW_STORAGE_INT) {
            rc = sinew_error_set(SINEW_UNSUPPORTED, "%s.%s has no sequence to take keys from", m->table, f->column);
            break;
        }
        while (at < n && !sn_field_is_zero(f, objs[at])) at++;
        if (at == n) {
            rc = SINEW_DONE;
            break;
        }
        set_int_key(f, objs[at++], x.drv->column_i64(x.stmt, 0));
    }
    if (rc == SINEW_DONE) rc = SINEW_OK;
    sn_exec_end(&x);
    sn_buf_free(&table);
    return rc;
}

/* every row through the driver's COPY, keys reserved first */
int sn_insert_copy(sinew_session *s, const sinew_model *m, sn_plan *p, void *const *objs, size_t n)
{
    const sinew_driver *drv = s->db->drv;
    int rc = p->auto_pk >= 0 ? sn_reserve_keys(s, m, p, objs, n) : SINEW_OK;
    if (rc) return rc;
    sn_buf sql;
    sn_buf_init(&sql);
    if (sn_sql_copy_in(&sql, s->db->dialect, m)) {
        sn_buf_free(&sql);
        return sn_nomem();
    }
    double t0 = s->db->log_fn || s->db->log_stderr ? sn_now_ms() : -1;
    rc = drv->copy_begin(s->db->conn, sn_buf_cstr(&sql));
    if (rc == SINEW_OK) {
        sinew_value vals[SN_MAX_FIELDS];
        for (size_t r = 0; r < n && rc == SINEW_OK; r++) {
            for (size_t i = 0; i < m->nfields; i++) vals[i] = sn_field_value(&m->fields[i], objs[r]);
            rc = drv->copy_row(s->db->conn, vals, m->nfields);
        }
        if (rc == SINEW_OK) {
            rc = drv->copy_end(s->db->conn, 1);
        } else {
            sinew_error saved = *sinew_last_error();
            drv->copy_end(s->db->conn, 0);
            *sn_error_mut() = saved;
        }
    }
    sn_db_note_statement(s->db, sn_buf_cstr(&sql), t0, rc == SINEW_OK ? (int64_t)n : 0, rc);
    sn_buf_free(&sql);
    return rc;
}

static int insert_many(sinew_session *s, const sinew_model *m, sn_plan *p, void *const *objs, size_t n,
                       uint64_t *filled);

int sinew_insert_many(sinew_session *s, const sinew_model *m, void *const *objs, size_t n)
{
    if (!s || !m || (n && !objs))
        return sinew_error_set(SINEW_MISUSE, "sinew_insert_many: session, model and objects must not be NULL");
    int rc = sn_model_writable(m, "sinew_insert_many");
    if (rc) return rc;
    if (n == 0) return SINEW_OK;
    sn_plan *p;
    if ((rc = sn_plan_get(s->db, m, &p))) return rc;
    /* the fields of the caller's structs this call gives their defaults or stamps, zeroed again if it fails */
    uint64_t *filled = NULL;
    if ((p->c_defaults || p->stamped) && !(filled = sn_calloc(n, sizeof *filled))) return sn_nomem();
    /* one clock reading for the whole call: @default(now) and @updated_at alike (stamps.c) */
    int64_t outer_stamp = sn_stamp_begin(s);
    rc = insert_many(s, m, p, objs, n, filled);
    sn_stamp_end(s, outer_stamp);
    sn_free(filled);
    return rc;
}

static int insert_many(sinew_session *s, const sinew_model *m, sn_plan *p, void *const *objs, size_t n,
                       uint64_t *filled)
{
    int rc = SINEW_OK;
    int db_omits = 0;   /* some row leaves a column to the database's default: no COPY */
    for (size_t i = 0; i < n && rc == SINEW_OK; i++) {
        if (!objs[i]) {
            rc = sinew_error_set(SINEW_MISUSE, "sinew_insert_many: object %zu is NULL", i);
            break;
        }
        const sn_obj *o = is_session_obj(s, objs[i]) ? SN_OBJ_OF(objs[i]) : NULL;
        if (o && o->state == SN_READONLY) rc = sn_readonly_refused(o, "sinew_insert_many");
        else if (o && o->state != SN_NEW)
            rc = sinew_error_set(SINEW_MISUSE, "sinew_insert_many: object %zu is already in the database", i);
        /* a session object has its defaults from sinew_new; a caller's struct gets them now, as sinew_insert does */
        else if (!o && p->c_defaults) rc = sn_defaults_fill_zero(&s->arena, p, objs[i], &filled[i], s->stamp_now);
        if (rc == SINEW_OK && p->stamped) filled[i] |= sn_stamp_insert(p, objs[i], s->stamp_now);
        if (rc == SINEW_OK && p->has_rules) rc = sinew_validate(m, objs[i]);
        if (rc == SINEW_OK) {
            uint64_t omit = omit_mask(m, p, objs[i]);
            db_omits |= (omit & p->db_defaults) != 0;
            if (p->checked & ~omit) rc = sn_check_fields(m, objs[i], p->checked & ~omit);
        }
    }
    if (rc) {
        for (size_t i = 0; filled && i < n; i++) sn_defaults_unfill(m, objs[i], filled[i]);
        return rc;
    }
    size_t ncols = m->nfields;
    size_t per = ((size_t)s->db->dialect->max_params - 1) / (ncols ? ncols : 1);
    if (per > MAX_ROWS_PER_STATEMENT) per = MAX_ROWS_PER_STATEMENT;
    if (per == 0) per = 1;
    sn_chunk_sql c = {.m = NULL};
    sn_buf_init(&c.b);
    int copy = s->db->drv->copy_begin && n >= SN_COPY_MIN_ROWS && m->nfields <= SN_MAX_FIELDS && !db_omits;
    /* the objects whose key this call fills in: set back to zero if it fails */
    unsigned char *taken = NULL;
    if (p->auto_pk >= 0) {
        if (!(taken = sn_malloc(n))) {
            for (size_t i = 0; filled && i < n; i++) sn_defaults_unfill(m, objs[i], filled[i]);
            return sn_nomem();
        }
        for (size_t i = 0; i < n; i++) taken[i] = (unsigned char)sn_field_is_zero_fast(&m->fields[p->auto_pk], objs[i]);
    }
    if ((rc = sinew_begin(s->db))) {
        for (size_t i = 0; filled && i < n; i++) sn_defaults_unfill(m, objs[i], filled[i]);
        sn_free(taken);
        return rc;
    }
    if (copy) {
        rc = sn_insert_copy(s, m, p, objs, n);
    } else if (taken && sn_sql_sequence_keys(s->db->dialect)) {
        /* keys from the sequence first, as a flush's batch does: each row is then written whole and
         * nothing is read back, for PostgreSQL does not promise that a multi-row VALUES's RETURNING
         * rows come in the order of its tuples */
        for (size_t i = 0; i < n && !c.keys_drawn; i++) c.keys_drawn = taken[i];
        if (c.keys_drawn) rc = sn_reserve_keys(s, m, p, objs, n);
    }
    size_t at = copy ? n : 0;
    while (at < n && rc == SINEW_OK) {
        /* a run of rows with the same columns */
        uint64_t omit = omit_mask(m, p, objs[at]);
        size_t rows = 1;
        while (at + rows < n && rows < per && omit_mask(m, p, objs[at + rows]) == omit) rows++;
        rc = sn_insert_chunk(s, m, p, objs + at, rows, omit, &c);
        at += rows;
    }
    sn_buf_free(&c.b);
    if (rc == SINEW_OK) rc = sinew_commit(s->db);
    if (rc) {
        sinew_error saved = *sinew_last_error();
        if (sinew_tx_depth(s->db) > 0) sinew_rollback(s->db);
        /* nothing was written: the objects get back the zero keys they came with */
        for (size_t i = 0; taken && i < n; i++)
            if (taken[i]) {
                const sinew_field *f = &m->fields[p->auto_pk];
                set_int_key(f, objs[i], 0);
                if (f->has_offset != SINEW_NO_OFFSET) *(bool *)((char *)objs[i] + f->has_offset) = false;
            }
        for (size_t i = 0; filled && i < n; i++) sn_defaults_unfill(m, objs[i], filled[i]);
        sn_free(taken);
        *sn_error_mut() = saved;
        return rc;
    }
    sn_free(taken);
    for (size_t i = 0; i < n && rc == SINEW_OK; i++) {
        if (!is_session_obj(s, objs[i])) continue;
        sn_obj *o = SN_OBJ_OF(objs[i]);
        o->state = SN_PERSISTENT;
        sn_take_snapshot(s, o);
        rc = sn_identity_add(s, o);
    }
    return rc;
}

static int upsert(sinew_session *s, const sinew_model *m, void *obj, const unsigned *conflict, size_t nconf,
                  const sinew_set *set, size_t nset);

/* the model's one integer key, whose value LAST_INSERT_ID() can carry (report_key), or NULL */
static const sinew_field *int_key(const sinew_model *m)
{
    if (m->npk != 1) return NULL;
    const sinew_field *f = &m->fields[m->pk[0]];
    return f->type == SINEW_INT32 || f->type == SINEW_INT64 ? f : NULL;
}

/*
 * Without INSERT ... RETURNING (MySQL, MariaDB before 10.5): the row the upsert wrote, inserted or
 * updated, read back after it, in the upsert's transaction where there is one. ON DUPLICATE KEY
 * UPDATE fires on any unique key, and a NULL conflicts with nothing, so the conflict fields do not
 * always find that row:
 *  - a model with one integer key: by the key the statement reported (report_key: the updated row's,
 *    whichever unique key fired, or the inserted row's, @auto or given). 0 is a row inserted into a
 *    table without AUTO_INCREMENT, whose key the object carries.
 *  - another key, conflict fields without NULL: by them (the update leaves them as they were).
 *  - another key, a conflict field NULL: the row was inserted, or its key fired: by the key the
 *    object carries.
 */
static int upsert_read_back(sinew_session *s, const sinew_model *m, void *obj, const unsigned *conflict, size_t nconf,
                            uint64_t omit)
{
    const sinew_field *ik = int_key(m);
    const int key_given = m->npk > 0 && !((omit >> m->pk[0]) & 1);
    int any_null = 0;
    for (size_t i = 0; i < nconf; i++) any_null |= sn_field_value(&m->fields[conflict[i]], obj).is_null;
    int64_t reported = ik ? s->db->drv->last_insert_id(s->db->conn) : 0;
    const unsigned *by = conflict;
    size_t nby = nconf;
    if (ik || any_null) {
        if (!ik && !key_given)
            return sinew_error_set(SINEW_CONSTRAINT, "upsert into %s: the row is written, but a conflict field is NULL "
                                   "and the database makes its key: nothing finds the row (this database returns no "
                                   "rows from an insert); give the object its key", m->table);
        if (ik && !reported && !key_given)
            return sinew_error_set(SINEW_INTERNAL, "upsert into %s reported no key for its row", m->table);
        by = m->pk;
        nby = m->npk;
    }
    sn_buf b;
    sn_buf_init(&b);
    sn_sql_select_where_any(&b, s->db->dialect, m, by, nby);   /* a soft-deleted row too */
    if (b.failed) {
        sn_buf_free(&b);
        return sn_nomem();
    }
    sn_exec x;
    int rc = sn_exec_start(&x, s->db, sn_buf_cstr(&b));
    if (rc == SINEW_OK && ik && reported) {
        sinew_value v = sinew_v_int64(reported);
        rc = sn_exec_bind(&x, 0, &v);
    } else {
        for (size_t i = 0; i < nby && rc == SINEW_OK; i++) rc = sn_bind_field(&x, (int)i, &m->fields[by[i]], obj);
    }
    if (rc == SINEW_OK) {
        rc = sn_exec_step(&x);
        if (rc == SINEW_ROW) rc = sn_hydrate_row(x.drv, x.stmt, 0, m, obj, &s->arena);
        else if (rc == SINEW_DONE)
            rc = sinew_error_set(SINEW_CONSTRAINT, "upsert into %s: the statement ran, but no row has the %s it is "
                                 "read back by: another unique key of the table matched another row, which this "
                                 "database's upsert updated instead (it returns no rows from an insert)", m->table,
                                 by == conflict ? "conflict fields' values" : "object's key");
    }
    if (x.stmt) sn_exec_end(&x);
    sn_buf_free(&b);
    return rc;
}

int sinew_upsert(sinew_session *s, const sinew_model *m, void *obj, const unsigned *conflict, size_t nconf)
{
    return upsert(s, m, obj, conflict, nconf, NULL, 0);
}

int sinew_upsert_set(sinew_session *s, const sinew_model *m, void *obj, const unsigned *conflict, size_t nconf,
                     const sinew_set *set, size_t nset)
{
    if (!set || nset == 0) return sinew_error_set(SINEW_MISUSE, "sinew_upsert_set: no assignments (sinew_upsert "
                                                  "copies every column)");
    if (!m) return sinew_error_set(SINEW_MISUSE, "sinew_upsert_set: model is required");
    sinew_set *checked;
    int rc = sn_set_check(m, set, nset, 1, "sinew_upsert_set", &checked);
    if (rc == SINEW_OK && s) {
        /* one reading: the new row's @updated_at and the existing row's assignment alike */
        int64_t outer = sn_stamp_begin(s);
        rc = upsert(s, m, obj, conflict, nconf, checked, sn_stamp_sets(m, checked, nset, s->stamp_now));
        sn_stamp_end(s, outer);
    } else if (rc == SINEW_OK) {
        rc = upsert(s, m, obj, conflict, nconf, checked, nset);   /* refuses the NULL session */
    }
    sn_free(checked);
    return rc;
}

static int upsert(sinew_session *s, const sinew_model *m, void *obj, const unsigned *conflict, size_t nconf,
                  const sinew_set *set, size_t nset)
{
    if (!s || !m || !obj || !conflict || nconf == 0)
        return sinew_error_set(SINEW_MISUSE, "sinew_upsert: session, model, object and conflict fields are required");
    for (size_t i = 0; i < nconf; i++)
        if (conflict[i] >= m->nfields) return sinew_error_set(SINEW_MISUSE, "sinew_upsert: %s has no field %u", m->name, conflict[i]);
    sn_plan *p;
    int rc = sn_model_writable(m, "sinew_upsert");
    if (!rc) rc = sn_plan_get(s->db, m, &p);
    if (rc) return rc;
    int mine = is_session_obj(s, obj);
    if (mine && SN_OBJ_OF(obj)->state == SN_READONLY) return sn_readonly_refused(SN_OBJ_OF(obj), "sinew_upsert");
    /* an upsert writes every column: one a projection left out would be written as zero */
    if (mine && sn_obj_absent(SN_OBJ_OF(obj)))
        return sn_absent_refused(SN_OBJ_OF(obj), sn_obj_absent(SN_OBJ_OF(obj)), "sinew_upsert",
                                 "an upsert writes every column (this one as zero)");
    /* A caller's struct gets its defaults in the fields it left zero, for the INSERT; an existing
     * row keeps its values there (a default is for a new row). A session object holds its
     * defaults from sinew_new, so all of its values are its own and written both ways. */
    uint64_t filled = 0, stamped = 0;
    int64_t now = sn_stamp_now(s);
    if (!mine) rc = sn_defaults_fill_zero(&s->arena, p, obj, &filled, now);
    /* @updated_at: the time of this write, the new row's and the existing one's, unless the program set
     * it itself (a caller's struct: a value in it; a loaded object: a change since it was loaded) */
    if (rc == SINEW_OK && p->stamped) {
        const sn_obj *so = mine ? SN_OBJ_OF(obj) : NULL;
        if (so && SN_SNAP(so)) {
            uint64_t changed = 0;
            for (size_t i = 0; i < m->nfields; i++)
                if (sn_field_changed(&m->fields[i], obj, SN_SNAP(so))) changed |= 1ull << i;
            stamped = sn_stamp_update(p, obj, changed, now);
        } else {
            stamped = sn_stamp_insert(p, obj, now);
        }
    }
    if (rc == SINEW_OK) rc = sinew_validate(m, obj);
    uint64_t omit = omit_mask(m, p, obj);
    if (rc == SINEW_OK && (p->checked & ~omit)) rc = sn_check_fields(m, obj, p->checked & ~omit);
    if (rc) {
        sn_defaults_unfill(m, obj, filled);
        sn_stamp_undo(p, obj, mine ? SN_SNAP(SN_OBJ_OF(obj)) : NULL, stamped);
        return rc;
    }
    /* written: what is not left to the database; set on conflict: what is neither a conflict
     * field, nor left out, nor a default filled in just now, nor the key */
    unsigned cols[SN_MAX_FIELDS], update[SN_MAX_FIELDS], all[SN_MAX_FIELDS];
    size_t ncols = 0, nupdate = 0;
    for (size_t i = 0; i < m->nfields && i < SN_MAX_FIELDS; i++) {
        all[i] = (unsigned)i;
        if ((omit >> i) & 1) continue;
        cols[ncols++] = (unsigned)i;
    }
    for (size_t i = 0; i < m->nfields && i < SN_MAX_FIELDS; i++) {
        int is_conf = 0;
        for (size_t k = 0; k < nconf; k++) is_conf |= conflict[k] == i;
        if (is_conf || (((omit | filled) >> i) & 1) || (m->fields[i].flags & SINEW_FIELD_PK)) continue;
        update[nupdate++] = (unsigned)i;
    }
    sn_insert ins = {.model = m, .cols = cols, .ncols = ncols, .on_conflict = SN_CONFLICT_UPDATE,
                     .conflict = conflict, .nconflict = nconf, .update = update, .nupdate = nupdate,
                     .set = set, .nset = nset, .returning = all, .nreturning = m->nfields};
    const int noret = s->db->dialect->insert_no_returning;   /* MySQL: the row is read back after */
    if (noret) {
        ins.returning = NULL;
        ins.nreturning = 0;
        ins.report_key = int_key(m) != NULL;
    }
    sn_buf b;
    sn_buf_init(&b);
    sn_sql_insert_stmt(&b, s->db->dialect, &ins);
    if (b.failed) {
        sn_buf_free(&b);
        sn_defaults_unfill(m, obj, filled);
        sn_stamp_undo(p, obj, mine ? SN_SNAP(SN_OBJ_OF(obj)) : NULL, stamped);
        return sn_nomem();
    }
    sn_exec x;
    rc = sn_exec_start(&x, s->db, sn_buf_cstr(&b));
    int param = 0;
    for (size_t i = 0; i < m->nfields && rc == SINEW_OK; i++) {
        if ((omit >> i) & 1) continue;
        sinew_value v = sn_field_value(&m->fields[i], obj);
        rc = sn_exec_bind(&x, param++, &v);
    }
    /* the assignments' parameters follow the row's, as the renderer lists them (ir.h) */
    sn_sql_out so;
    sn_sql_out_init(&so);
    if (rc == SINEW_OK && nset && sn_sql_set_list(&so, s->db->dialect, m, set, nset)) rc = sn_nomem();
    for (size_t i = 0; i < so.nparams && rc == SINEW_OK; i++) rc = sn_exec_bind(&x, param++, &so.params[i]);
    sn_sql_out_free(&so);
    if (rc == SINEW_OK) {
        rc = sn_exec_step(&x);
        if (noret) rc = rc == SINEW_DONE ? SINEW_OK : rc == SINEW_ROW ? sinew_error_set(SINEW_INTERNAL, "upsert into %s "
                                                                      "returned a row", m->table) : rc;
        else if (rc == SINEW_ROW) rc = sn_hydrate_row(x.drv, x.stmt, 0, m, obj, &s->arena);
        else if (rc == SINEW_DONE) rc = sinew_error_set(SINEW_INTERNAL, "upsert into %s returned no row", m->table);
    }
    if (x.stmt) sn_exec_end(&x);
    sn_buf_free(&b);
    if (rc == SINEW_OK && noret) rc = upsert_read_back(s, m, obj, conflict, nconf, omit);
    if (rc) {
        sn_defaults_unfill(m, obj, filled);
        sn_stamp_undo(p, obj, mine ? SN_SNAP(SN_OBJ_OF(obj)) : NULL, stamped);
        return rc;
    }
    if (is_session_obj(s, obj)) {
        sn_obj *o = SN_OBJ_OF(obj);
        int was_new = o->state == SN_NEW;
        if (o->state == SN_PERSISTENT) sn_identity_remove(s, o);
        o->state = SN_PERSISTENT;
        sn_take_snapshot(s, o);
        sinew_value key[SN_MAX_KEY];
        for (size_t i = 0; i < m->npk && i < SN_MAX_KEY; i++) key[i] = sn_field_value(&m->fields[m->pk[i]], obj);
        sn_obj *other = sn_identity_find(s, m, key);
        if (!other || !was_new) rc = sn_identity_add(s, o);
        /* another object of the session already is this row: refresh it, keep it as the row's object */
        else if (other != o) {
            memcpy(SN_DATA_OF(other), obj, m->size);
            sn_take_snapshot(s, other);
        }
    }
    return rc;
}
