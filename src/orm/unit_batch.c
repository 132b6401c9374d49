/*
 * unit_batch.c - a flush's inserts and deletes of one model, many rows per
 * statement (the unit of work in unit.c decides what goes together and
 * what to do when a batch fails).
 *
 * Inserts: chunks sized to the dialect's parameter limit. Generated keys
 * are matched to their objects without trusting any order the database
 * reports rows in:
 *   - where the dialect has sequences (PostgreSQL), the keys are drawn from
 *     the key column's sequence first, in one statement, and written like
 *     any other value; which object gets which drawn key does not matter,
 *     each gets a distinct one, and nothing is read back (no RETURNING whose
 *     row order PostgreSQL does not promise for a multi-row VALUES);
 *   - on SQLite, one statement holds the write lock and gives each new row
 *     the largest rowid so far plus one, in the order of its VALUES
 *     (sqlite.org/autoinc.html), so the keys of a chunk are the consecutive
 *     ones ending at last_insert_rowid() (bulk.c checks the count; the
 *     random-rowid fallback only starts once a table holds rowid 2^63-1).
 * From SN_COPY_MIN_ROWS rows on, a driver with COPY (PostgreSQL) gets them
 * that way instead, keys drawn first as well; between one chunk and that,
 * the chunks are pipelined where the driver can.
 * Deletes: DELETE ... WHERE key IN (...) per chunk; a row count short of the
 * chunk means some row was gone already, and unit.c replays the chunk row by
 * row to name it. A @@soft_delete model's are UPDATE ... SET deleted_at = ?
 * (and version = version + 1 with @version, matched by key and version as
 * for a DELETE) WHERE key IN (...) AND deleted_at IS NULL per chunk, counted
 * the same way, then one cascade for all of them (query_bulk.c) and the check
 * of the loaded objects it took (soft_version.c).
 */
#include <string.h>
#include "orm.h"
#include "sql/ir.h"
#include "query_int.h"

/*
 * Rows per multi-row statement at most (the parameter limit also caps it).
 * SQLite parses and plans a statement once per chunk shape and the VALUES
 * list is walked row by row, so past a few hundred rows a larger chunk only
 * makes the statement text longer; PostgreSQL's parameter limit (7,000 in
 * the dialect) is the tighter bound for any model of more than 7 columns.
 */
#define BATCH_MAX_ROWS 1000

static size_t rows_per_statement(const sinew_dialect *d, size_t params_per_row)
{
    size_t per = ((size_t)d->max_params - 1) / (params_per_row ? params_per_row : 1);
    if (per > BATCH_MAX_ROWS) per = BATCH_MAX_ROWS;
    return per ? per : 1;
}

/* the fields with database defaults that o leaves zero (out of line: most models have none) */
SN_NOINLINE static uint64_t defaults_left_out(const sn_plan *p, const sinew_model *m, const void *obj)
{
    uint64_t omit = 0;
    for (uint64_t c = p->db_defaults; c; c &= c - 1) {
        unsigned i = (unsigned)__builtin_ctzll(c);
        if (i < m->nfields && sn_field_is_zero(&m->fields[i], obj)) omit |= 1ull << i;
    }
    return omit;
}

/* the fields a row insert of o leaves to the database (as sn_insert_row computes them); asked a few
 * times for every object of a batch, so the usual case (an integer @auto key, no database defaults)
 * is a load and a compare in line */
static inline uint64_t left_out(const sn_plan *p, const sinew_model *m, const void *obj)
{
    /* generated columns are never written and always read back (sn_insert_row): those rows leave the batch */
    uint64_t omit = p->readonly | (p->db_defaults ? defaults_left_out(p, m, obj) : 0);
    if (p->auto_pk >= 0) {
        const sinew_field *k = &m->fields[p->auto_pk];
        int zero = k->has_offset == SINEW_NO_OFFSET && k->type == SINEW_INT64
                       ? *(const int64_t *)(const void *)((const char *)obj + k->offset) == 0
                       : sn_field_is_zero(k, obj);
        if (zero) omit |= 1ull << p->auto_pk;
    }
    return omit;
}

/* left_out for every object of a run: what it needs from the plan read once; in the usual case (an
 * integer @auto key, no database defaults) one load and compare an object */
typedef struct omit_probe {
    const sn_plan *p;
    const sinew_model *m;
    size_t key_offset;
    uint64_t key_bit;
    int fast;
} omit_probe;

static void probe_init(omit_probe *q, const sn_plan *p, const sinew_model *m)
{
    q->p = p;
    q->m = m;
    q->fast = 0;
    if (p->auto_pk >= 0 && !p->db_defaults && !p->readonly) {
        const sinew_field *k = &m->fields[p->auto_pk];
        q->fast = k->has_offset == SINEW_NO_OFFSET && k->type == SINEW_INT64;
        q->key_offset = k->offset;
        q->key_bit = 1ull << p->auto_pk;
    }
}

static inline uint64_t probe_omit(const omit_probe *q, const void *obj)
{
    if (q->fast) return *(const int64_t *)(const void *)((const char *)obj + q->key_offset) == 0 ? q->key_bit : 0;
    return left_out(q->p, q->m, obj);
}

/* the key comes from a sequence, or as SQLite's rowid; never from RETURNING rows in an order
 * nobody promised (a dialect with RETURNING but no sequence keeps the row-by-row path) */
static int keys_ok_for_batch(sinew_session *s)
{
    const sinew_dialect *d = s->db->dialect;
    return sn_sql_sequence_keys(d) != NULL || !d->numbered_params;
}

/*
 * o can go in a batch: at most its @auto key is left to the database (a
 * default only the database knows would have to be read back per row).
 */
static inline int batchable(const sn_plan *p, uint64_t omit, int keys_ok)
{
    if (omit == 0) return 1;
    return p->auto_pk >= 0 && omit == 1ull << p->auto_pk && keys_ok;
}

/*
 * Every new object of m goes in a batch whatever its values, and a flush has
 * nothing to do for it besides the insert: no to-one member to take keys
 * from or order inserts by, no hooks, no rules, no field the database fills
 * in except the @auto key (unit.c's flush of new objects only).
 */
int sn_batch_simple(sinew_session *s, const sinew_model *m)
{
    sn_plan *p;
    if (sn_plan_get(s->db, m, &p)) return 0;
    if (p->members || p->has_rules || p->readonly || p->db_defaults || sn_hooks_for(s->db, m)) return 0;
    return p->auto_pk < 0 || keys_ok_for_batch(s);
}

int sn_batch_insert_ok(sinew_session *s, const sn_obj *o)
{
    sn_plan *p;
    if (sn_plan_get(s->db, o->model, &p)) return 0;
    return batchable(p, left_out(p, o->model, SN_DATA_OF(o)), keys_ok_for_batch(s));
}

/* a run of a level's objects that can go in a batch, with the plan and keys_ok_for_batch() asked once */
size_t sn_batch_gather(sinew_session *s, const sn_plan *p, sn_obj *const *objs, const size_t *idx, size_t from,
                       size_t n, unsigned char *used, sn_obj **group)
{
    const sinew_model *m = p->model;
    int keys_ok = keys_ok_for_batch(s);
    omit_probe q;
    probe_init(&q, p, m);
    size_t g = 0;
    for (size_t b = from; b < n; b++) {
        sn_obj *o = objs[idx[b]];
        if (used[b] || o->model != m || !batchable(p, probe_omit(&q, SN_DATA_OF(o)), keys_ok)) continue;
        group[g++] = o;
        used[b] = 1;
    }
    return g;
}

/*
 * Every row whole (the keys drawn already), more than one chunk, and a driver
 * that pipelines: the chunks are sent together and their answers read in
 * order, a round trip for them all (PIPE_CHUNKS at a time) instead of one a
 * chunk, and the server inserts one chunk while the next is being bound.
 */
#define PIPE_CHUNKS 64

static int insert_pipelined(sinew_session *s, const sinew_model *m, void *const *data, size_t n, size_t per,
                            int keys_drawn)
{
    const sinew_driver *drv = s->db->drv;
    unsigned cols[SN_MAX_FIELDS];
    for (size_t i = 0; i < m->nfields; i++) cols[i] = (unsigned)i;
    sn_exec hs[2];   /* the full chunk's statement and the last, shorter one's */
    size_t rows_of[2] = {per, n % per};
    int nh = 0, rc = SINEW_OK;
    sn_buf b;
    sn_buf_init(&b);
    for (int h = 0; h < 2 && rc == SINEW_OK; h++) {
        if (!rows_of[h]) continue;
        sn_insert ins = {.model = m, .cols = cols, .ncols = m->nfields, .rows = rows_of[h], .keys_drawn = keys_drawn};
        sn_buf_clear(&b);
        if (sn_sql_insert_stmt(&b, s->db->dialect, &ins)) rc = sn_nomem();
        else if ((rc = sn_exec_start(&hs[h], s->db, sn_buf_cstr(&b))) == SINEW_OK) {
            hs[h].finished = 1;   /* logged per execution, as the answers come */
            nh = h + 1;
        }
    }
    sn_buf_free(&b);
    for (size_t at = 0; at < n && rc == SINEW_OK;) {
        double t0 = s->db->log_fn || s->db->log_stderr ? sn_now_ms() : -1;
        if ((rc = drv->pipeline_begin(s->db->conn))) break;
        size_t sent = 0, from = at;
        while (at < n && sent < PIPE_CHUNKS && rc == SINEW_OK) {
            size_t rows = n - at < per ? n - at : per;
            sn_exec *x = &hs[rows == per ? 0 : 1];
            rc = sn_exec_bind_rows(x, 0, m, cols, m->nfields, data + at, rows);
            if (rc == SINEW_OK && (rc = drv->send(x->stmt)) == SINEW_OK) sent++;
            at += rows;
        }
        for (size_t k = 0, row = from; k < sent && rc == SINEW_OK; k++) {
            size_t rows = n - row < per ? n - row : per;
            sn_exec *x = &hs[rows == per ? 0 : 1];
            rc = drv->receive(x->stmt);
            sn_db_note_statement(s->db, x->sql, t0, 0, rc);
            if (rc == SINEW_OK && drv->changes(s->db->conn) != (int64_t)rows)
                rc = sinew_error_set(SINEW_INTERNAL, "a multi-row INSERT into %s wrote %lld of %zu rows", m->table,
                                     (long long)drv->changes(s->db->conn), rows);
            row += rows;
        }
        if (rc) {
            sinew_error saved = *sinew_last_error();
            drv->pipeline_end(s->db->conn);
            *sn_error_mut() = saved;
        } else {
            rc = drv->pipeline_end(s->db->conn);
        }
    }
    for (int h = 0; h < nh; h++)
        if (rows_of[h]) sn_exec_end(&hs[h]);
    return rc;
}

/* insert n objects of one model (each sn_batch_insert_ok); the session side is the caller's */
int sn_batch_insert(sinew_session *s, sn_obj *const *objs, size_t n)
{
    const sinew_model *m = objs[0]->model;
    sn_plan *p;
    int rc = sn_plan_get(s->db, m, &p);
    if (rc) return rc;
    void **data = sn_malloc(n * sizeof *data);
    if (!data) return sn_nomem();
    for (size_t i = 0; i < n; i++) data[i] = SN_DATA_OF(objs[i]);
    /* @updated_at left zero: the flush's time (the journal undoes it if the flush fails) */
    for (size_t i = 0; i < n && p->stamped; i++) sn_stamp_insert(p, data[i], sn_stamp_now(s));
    for (size_t i = 0; i < n && rc == SINEW_OK && p->checked; i++) {
        uint64_t omit = left_out(p, m, data[i]);
        if (p->checked & ~omit) rc = sn_check_fields(m, data[i], p->checked & ~omit);
    }
    /* keys first where they come from a sequence: then every row is written whole, the drawn keys
     * with OVERRIDING SYSTEM VALUE (a GENERATED ALWAYS identity key refuses them otherwise) */
    int drawn = 0;
    if (rc == SINEW_OK && p->auto_pk >= 0 && sn_sql_sequence_keys(s->db->dialect)) {
        for (size_t i = 0; i < n && !drawn; i++) drawn = sn_field_is_zero(&m->fields[p->auto_pk], data[i]);
        rc = sn_reserve_keys(s, m, p, data, n);
    }
    size_t per = rows_per_statement(s->db->dialect, m->nfields);
    const sinew_driver *drv = s->db->drv;
    int whole = 0;   /* no row leaves its key to the database: asked only where COPY or a pipeline could take it */
    if (rc == SINEW_OK && ((n >= SN_COPY_MIN_ROWS && drv->copy_begin) || (n > per && drv->send))) {
        whole = 1;
        for (size_t i = 0; i < n && whole; i++) whole = left_out(p, m, data[i]) == 0;
    }
    if (rc == SINEW_OK && whole && n >= SN_COPY_MIN_ROWS && s->db->drv->copy_begin) {
        rc = sn_insert_copy(s, m, p, data, n);   /* the keys are in: nothing to read back */
        sn_free(data);
        return rc;
    }
    if (rc == SINEW_OK && whole && n > per && s->db->drv->send && sinew_tx_depth(s->db) > 0) {
        rc = insert_pipelined(s, m, data, n, per, drawn);
        sn_free(data);
        return rc;
    }
    sn_chunk_sql c = {.m = NULL, .keys_drawn = drawn};
    sn_buf_init(&c.b);
    omit_probe q;
    probe_init(&q, p, m);
    for (size_t at = 0; at < n && rc == SINEW_OK;) {
        /* a run of rows with the same columns: the key given, or the key left to SQLite */
        uint64_t omit = probe_omit(&q, data[at]);
        size_t rows = 1, most = n - at < per ? n - at : per;
        while (rows < most && probe_omit(&q, data[at + rows]) == omit) rows++;
        rc = sn_insert_chunk(s, m, p, data + at, rows, omit, &c);
        at += rows;
    }
    sn_buf_free(&c.b);
    sn_free(data);
    return rc;
}

/*
 * delete n objects of one model by their keys as loaded (the snapshot);
 * SINEW_NOTFOUND when fewer rows went than were asked for. The session side
 * (identity map, state, ON DELETE in the session) is the caller's.
 */
static int delete_rows(sinew_session *s, sn_obj *const *objs, size_t n, const unsigned *set, size_t nset,
                       int64_t now);

int sn_batch_delete(sinew_session *s, sn_obj *const *objs, size_t n)
{
    return delete_rows(s, objs, n, NULL, 0, 0);
}

int sn_batch_soft_delete(sinew_session *s, const sn_plan *p, sn_obj *const *objs, size_t n, int64_t now)
{
    const sinew_model *m = objs[0]->model;
    unsigned set[65];   /* the field and the @updated_at ones (a bit each in p->stamped: 64 at most); a
                           @version field goes to version + 1 in the statement (sn_sql_soft_delete_stmt) */
    size_t nset = 0;
    set[nset++] = (unsigned)sinew_model_soft_delete_field(m);
    for (size_t i = 0, b = p->stamped; b; i++, b >>= 1)
        if (b & 1) set[nset++] = (unsigned)i;
    int rc = delete_rows(s, objs, n, set, nset, now);
    if (rc == SINEW_OK) rc = sn_q_soft_cascade(s, m, now);
    s->stale = NULL;
    if (rc == SINEW_OK) rc = sn_soft_check_taken(s, objs, n, 0, 0, now);
    if (s->stale) s->failed = s->stale;   /* a loaded object the cascade took, changed by someone else */
    return rc;
}

/* the rows' DELETE by key, or with set (a soft delete) their UPDATE SET set... = now by key */
static int delete_rows(sinew_session *s, sn_obj *const *objs, size_t n, const unsigned *set, size_t nset,
                       int64_t now)
{
    const sinew_model *m = objs[0]->model;
    sn_plan *p;
    int rc = sn_plan_get(s->db, m, &p);
    if (rc) return rc;
    /* rows are matched by key and, with @version, by the version loaded: a stale row leaves the count
       short, and the level's replay row by row names it (SINEW_CONFLICT, sn_delete_row_hard) */
    const size_t nby = p->ndelete_by;
    size_t per = rows_per_statement(s->db->dialect, nby);
    if (nset && per > 1 && per * nby + nset > (size_t)s->db->dialect->max_params - 1)
        per = ((size_t)s->db->dialect->max_params - 1 - nset) / nby;
    sn_buf b;
    sn_buf_init(&b);
    for (size_t at = 0; at < n && rc == SINEW_OK;) {
        size_t rows = n - at < per ? n - at : per;
        sn_delete del = {.model = m, .keys = p->delete_by, .nkeys = nby, .rows = rows};
        sn_buf_clear(&b);
        if ((rc = nset ? sn_sql_soft_delete_stmt(&b, s->db->dialect, &del, set, nset)
                       : sn_sql_delete_stmt(&b, s->db->dialect, &del))) {
            if (rc == SINEW_NOMEM) rc = sn_nomem();
            else rc = sinew_error_set(rc, "soft delete of %s: no statement for it", m->name);
            break;
        }
        sn_exec x;
        if ((rc = sn_exec_start(&x, s->db, sn_buf_cstr(&b)))) break;
        int param = 0;
        for (size_t k = 0; k < nset && rc == SINEW_OK; k++) {
            sinew_value v = sinew_v_timestamp(now);
            rc = sn_exec_bind(&x, param++, &v);
        }
        for (size_t r = 0; r < rows && rc == SINEW_OK; r++)
            for (size_t k = 0; k < nby && rc == SINEW_OK; k++) {
                sinew_value v = sn_field_value(&m->fields[p->delete_by[k]], SN_SNAP(objs[at + r]));
                rc = sn_exec_bind(&x, param++, &v);
            }
        if (rc == SINEW_OK) {
            rc = sn_exec_step(&x);
            if (rc == SINEW_DONE) rc = SINEW_OK;
        }
        sn_exec_end(&x);
        if (rc == SINEW_OK && s->db->drv->changes(s->db->conn) != (int64_t)rows)
            rc = sinew_error_set(SINEW_NOTFOUND, "a %s to delete no longer exists in %s", m->name, m->table);
        at += rows;
    }
    sn_buf_free(&b);
    return rc;
}
