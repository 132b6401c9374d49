/*
 * hydrate.c - moving values between struct fields and the driver: the value
 * of a field for binding, and a result column written straight into the
 * struct at the field's offset (strings and blobs copied into the session
 * arena). This is the hot path of every load: no malloc, no lookups by name.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "orm.h"

#define AT(obj, off, T) ((T *)((char *)(obj) + (off)))
#define CAT(obj, off, T) ((const T *)((const char *)(obj) + (off)))

SN_HOT int sn_exec_bind_rows(sn_exec *x, int first, const sinew_model *m, const unsigned *cols, size_t ncols,
                             void *const *objs, size_t nrows)
{
    if (x->drv->bind_rows) return x->drv->bind_rows(x->stmt, first, m->fields, cols, ncols, objs, nrows);
    int param = first, rc = SINEW_OK;
    for (size_t r = 0; r < nrows && rc == SINEW_OK; r++)
        for (size_t k = 0; k < ncols && rc == SINEW_OK; k++) {
            sinew_value v = sinew_field_value(&m->fields[cols[k]], objs[r]);
            rc = x->drv->bind(x->stmt, param++, &v);
        }
    return rc;
}

static void set_has(const sinew_field *f, void *obj, bool on)
{
    if (f->has_offset != SINEW_NO_OFFSET) *AT(obj, f->has_offset, bool) = on;
}

static const char *storage_name(sinew_storage s)
{
    switch (s) {
    case SINEW_STORAGE_NULL: return "NULL";
    case SINEW_STORAGE_INT: return "an integer";
    case SINEW_STORAGE_FLOAT: return "a floating-point number";
    case SINEW_STORAGE_TEXT: return "text";
    case SINEW_STORAGE_BLOB: return "a blob";
    }
    return "?";
}

static int mismatch(const sinew_model *m, const sinew_field *f, sinew_storage got, const char *detail)
{
    return sinew_error_set(SINEW_TYPE,
                           "type mismatch reading %s.%s: field '%s' expects %s%s, the database returned %s%s%s",
                           m->table, f->column, f->name, sinew_type_name(f->type),
                           (f->flags & SINEW_FIELD_NULLABLE) ? " or NULL" : "", storage_name(got),
                           detail ? ": " : "", detail ? detail : "");
}

static void zero_field(const sinew_field *f, void *obj)
{
    switch (f->type) {
    case SINEW_BOOL: *AT(obj, f->offset, bool) = false; break;
    case SINEW_INT32: case SINEW_DATE: *AT(obj, f->offset, int32_t) = 0; break;
    case SINEW_INT64: case SINEW_TIMESTAMP: *AT(obj, f->offset, int64_t) = 0; break;
    case SINEW_DOUBLE: *AT(obj, f->offset, double) = 0; break;
    case SINEW_TEXT: case SINEW_JSON: case SINEW_DECIMAL: *AT(obj, f->offset, char *) = NULL; break;
    case SINEW_BLOB: memset(AT(obj, f->offset, sinew_blob), 0, sizeof(sinew_blob)); break;
    case SINEW_UUID: memset(AT(obj, f->offset, sinew_uuid), 0, sizeof(sinew_uuid)); break;
    case SINEW_ENUM: *AT(obj, f->offset, int) = 0; break;
    }
}

/* Column col of the current row whole: from the driver's column_cell when it
 * has one (one call), else from column_storage and the reader that storage
 * calls for. */
SN_HOT static void fetch_cell(const sinew_driver *drv, sinew_stmt *st, int col, sinew_cell *c)
{
    if (drv->column_cell) {
        drv->column_cell(st, col, c);
        return;
    }
    c->storage = drv->column_storage(st, col);
    switch (c->storage) {
    case SINEW_STORAGE_INT: c->u.i = drv->column_i64(st, col); break;
    case SINEW_STORAGE_FLOAT: c->u.f = drv->column_f64(st, col); break;
    case SINEW_STORAGE_TEXT: c->u.p = drv->column_text(st, col, &c->len); break;
    case SINEW_STORAGE_BLOB: c->u.p = drv->column_blob(st, col, &c->len); break;
    case SINEW_STORAGE_NULL: break;
    }
}

/* borrow: text may point into the driver's row buffer (streaming, where a
 * row lives until the next step anyway) instead of being copied */
/* every cell hydrate_common leaves: NULLs, conversions, the other types, and the type errors */
SN_NOINLINE static int hydrate_cell(const sinew_driver *drv, sinew_stmt *st, int col, const sinew_model *m,
                                    const sinew_field *f, void *obj, sn_arena *arena, int borrow, sinew_cell c)
{
    sinew_storage s = c.storage;
    if (s == SINEW_STORAGE_NULL) {
        if (!(f->flags & SINEW_FIELD_NULLABLE))
            return sinew_error_set(SINEW_TYPE, "%s.%s is NULL in the database but field '%s' is not "
                                   "nullable: declare it '%s?' or fix the row", m->table, f->column,
                                   f->name, f->enum_type ? f->enum_type->name : sinew_type_name(f->type));
        zero_field(f, obj);
        set_has(f, obj, false);
        return SINEW_OK;
    }
    /* text and blobs: the bytes, whichever of the two the column holds (an empty blob may come as NULL) */
    const char *txt = (s == SINEW_STORAGE_TEXT || s == SINEW_STORAGE_BLOB) ? (c.u.p ? c.u.p : "") : NULL;
    size_t len = c.len;
    switch (f->type) {
    case SINEW_BOOL:
        if (s != SINEW_STORAGE_INT) {
            if (s == SINEW_STORAGE_TEXT && len == 1 && (txt[0] == 't' || txt[0] == 'f')) {   /* PostgreSQL text form */
                *AT(obj, f->offset, bool) = txt[0] == 't';
                break;
            }
            return mismatch(m, f, s, NULL);
        }
        *AT(obj, f->offset, bool) = c.u.i != 0;
        break;
    case SINEW_INT32: {
        if (s != SINEW_STORAGE_INT) return mismatch(m, f, s, NULL);
        int64_t v = c.u.i;
        if (v < INT32_MIN || v > INT32_MAX) {
            char d[64];
            snprintf(d, sizeof d, "%lld does not fit in int32", (long long)v);
            return mismatch(m, f, s, d);
        }
        *AT(obj, f->offset, int32_t) = (int32_t)v;
        break;
    }
    case SINEW_INT64:
        if (s != SINEW_STORAGE_INT) return mismatch(m, f, s, NULL);
        *AT(obj, f->offset, int64_t) = c.u.i;
        break;
    case SINEW_DOUBLE:
        if (s == SINEW_STORAGE_FLOAT) *AT(obj, f->offset, double) = c.u.f;
        else if (s == SINEW_STORAGE_INT) *AT(obj, f->offset, double) = (double)c.u.i;
        else return mismatch(m, f, s, NULL);
        break;
    case SINEW_TEXT: case SINEW_JSON: case SINEW_DECIMAL: {
        char *p;
        if (s == SINEW_STORAGE_TEXT) {
            p = borrow ? (char *)txt : sn_arena_strndup(arena, txt, len);
        } else if (f->type != SINEW_DECIMAL) {
            if (s == SINEW_STORAGE_BLOB) return mismatch(m, f, s, NULL);
            /* a number in a text column (SQLite's dynamic typing): the driver's own text for it */
            txt = drv->column_text(st, col, &len);
            p = sn_arena_strndup(arena, txt, len);
        } else if (s == SINEW_STORAGE_INT) {
            p = sn_arena_printf(arena, "%lld", (long long)c.u.i);
        } else if (s == SINEW_STORAGE_FLOAT) {
            /* a NUMERIC column SQLite stored as REAL: the shortest text that reads back the same */
            char tmp[40];
            sn_double_text(c.u.f, tmp);
            p = sn_arena_strdup(arena, tmp);
        } else {
            return mismatch(m, f, s, NULL);   /* a blob for a decimal */
        }
        if (!p) return SINEW_NOMEM;
        *AT(obj, f->offset, char *) = p;
        break;
    }
    case SINEW_BLOB: {
        if (!txt) return mismatch(m, f, s, NULL);
        unsigned char *p = sn_arena_alloc(arena, len ? len : 1);
        if (!p) return SINEW_NOMEM;
        if (len) memcpy(p, txt, len);
        sinew_blob *b = AT(obj, f->offset, sinew_blob);
        b->data = p;
        b->len = len;
        break;
    }
    case SINEW_TIMESTAMP:
        if (s == SINEW_STORAGE_INT) {
            *AT(obj, f->offset, int64_t) = c.u.i;
        } else if (s == SINEW_STORAGE_TEXT) {
            if (sinew_timestamp_parse(txt, len, AT(obj, f->offset, int64_t)))
                return mismatch(m, f, s, sinew_errmsg());
        } else {
            return mismatch(m, f, s, NULL);
        }
        break;
    case SINEW_DATE:
        if (s != SINEW_STORAGE_TEXT) return mismatch(m, f, s, NULL);
        if (sinew_date_parse(txt, len > 10 ? 10 : len, AT(obj, f->offset, int32_t)))
            return mismatch(m, f, s, sinew_errmsg());
        break;
    case SINEW_UUID:
        if (s == SINEW_STORAGE_BLOB) {
            if (len != 16) return mismatch(m, f, s, "a binary uuid has 16 bytes");
            memcpy(AT(obj, f->offset, sinew_uuid)->bytes, txt, 16);
        } else if (s == SINEW_STORAGE_TEXT) {
            if (sinew_uuid_parse(txt, len, AT(obj, f->offset, sinew_uuid)))
                return mismatch(m, f, s, sinew_errmsg());
        } else {
            return mismatch(m, f, s, NULL);
        }
        break;
    case SINEW_ENUM: {
        if (s == SINEW_STORAGE_INT) {
            *AT(obj, f->offset, int) = (int)c.u.i;
            break;
        }
        if (s != SINEW_STORAGE_TEXT || !f->enum_type) return mismatch(m, f, s, NULL);
        size_t k = 0;
        for (; k < f->enum_type->nvalues; k++) {
            const char *name = f->enum_type->values[k];
            if (strlen(name) == len && memcmp(name, txt, len) == 0) break;
        }
        if (k == f->enum_type->nvalues) {
            char d[200];
            snprintf(d, sizeof d, "'%.*s' is not a value of enum %s", (int)(len > 80 ? 80 : len), txt,
                     f->enum_type->name);
            return mismatch(m, f, s, d);
        }
        *AT(obj, f->offset, int) = (int)k;
        break;
    }
    }
    set_has(f, obj, true);
    return SINEW_OK;
}

/*
 * The cells nearly every load reads (an integer into an integer or bool
 * field, a float into a double, text into a text field), written in place:
 * no call and none of hydrate_cell's frame (its message buffers), which cost
 * a streamed row more than the store itself (callgrind, W8). 1 when done, 0
 * for hydrate_cell (NULLs, conversions, range checks that fail, the other
 * types), -1 when a text copy ran out of memory.
 */
SN_HOT static inline int hydrate_common(const sinew_field *f, const sinew_cell *c, void *obj, sn_arena *arena,
                                        int borrow)
{
    switch (c->storage) {
    case SINEW_STORAGE_INT:
        if (f->type == SINEW_INT64 || f->type == SINEW_TIMESTAMP) *AT(obj, f->offset, int64_t) = c->u.i;
        else if (f->type == SINEW_INT32 && c->u.i >= INT32_MIN && c->u.i <= INT32_MAX)
            *AT(obj, f->offset, int32_t) = (int32_t)c->u.i;
        else if (f->type == SINEW_BOOL) *AT(obj, f->offset, bool) = c->u.i != 0;
        else return 0;
        break;
    case SINEW_STORAGE_FLOAT:
        if (f->type != SINEW_DOUBLE) return 0;
        *AT(obj, f->offset, double) = c->u.f;
        break;
    case SINEW_STORAGE_TEXT: {
        if (f->type != SINEW_TEXT && f->type != SINEW_JSON && f->type != SINEW_DECIMAL) return 0;
        const char *txt = c->u.p ? (const char *)c->u.p : "";
        char *p = borrow ? (char *)txt : sn_arena_strndup(arena, txt, c->len);
        if (!p) return -1;
        *AT(obj, f->offset, char *) = p;
        break;
    }
    default:
        return 0;
    }
    set_has(f, obj, true);
    return 1;
}

SN_HOT static inline int hydrate_field(const sinew_driver *drv, sinew_stmt *st, int col, const sinew_model *m,
                                       const sinew_field *f, void *obj, sn_arena *arena, int borrow)
{
    sinew_cell c;
    fetch_cell(drv, st, col, &c);
    int done = hydrate_common(f, &c, obj, arena, borrow);
    if (!SN_UNLIKELY(done <= 0)) return SINEW_OK;
    if (done < 0) return SINEW_NOMEM;
    return hydrate_cell(drv, st, col, m, f, obj, arena, borrow, c);
}

SN_HOT int sn_hydrate_field(const sinew_driver *drv, sinew_stmt *st, int col, const sinew_model *m,
                     const sinew_field *f, void *obj, sn_arena *arena)
{
    return hydrate_field(drv, st, col, m, f, obj, arena, 0);
}

SN_HOT int sn_hydrate_row(const sinew_driver *drv, sinew_stmt *st, int first, const sinew_model *m,
                   void *obj, sn_arena *arena)
{
    for (size_t i = 0; i < m->nfields; i++) {
        int rc = hydrate_field(drv, st, first + (int)i, m, &m->fields[i], obj, arena, 0);
        if (rc) return rc;
    }
    return SINEW_OK;
}

/* the stores a column plan makes of the cell it expects, in the order a row makes them;
 * SN_OP_CELL: always hydrate_cell (after the others, in column order) */
enum { SN_OP_I64, SN_OP_I32, SN_OP_BOOL, SN_OP_F64, SN_OP_TEXT_BORROW, SN_OP_TEXT_COPY, SN_OP_CELL, SN_OPS };
_Static_assert((int)SN_OPS == (int)SN_PLAN_STORES, "sn_col_plan.end has a bucket per store");

/* the storage a field's column usually holds, and the store of that cell (hydrate_common's cases) */
static sinew_storage plan_expect(const sinew_field *f, int borrow, unsigned *op)
{
    switch (f->type) {
    case SINEW_INT64: case SINEW_TIMESTAMP: *op = SN_OP_I64; return SINEW_STORAGE_INT;
    case SINEW_INT32: *op = SN_OP_I32; return SINEW_STORAGE_INT;
    case SINEW_BOOL: *op = SN_OP_BOOL; return SINEW_STORAGE_INT;
    case SINEW_DOUBLE: *op = SN_OP_F64; return SINEW_STORAGE_FLOAT;
    case SINEW_TEXT: case SINEW_JSON: case SINEW_DECIMAL:
        *op = borrow ? SN_OP_TEXT_BORROW : SN_OP_TEXT_COPY;
        return SINEW_STORAGE_TEXT;
    case SINEW_BLOB: *op = SN_OP_CELL; return SINEW_STORAGE_BLOB;
    case SINEW_DATE: case SINEW_UUID: case SINEW_ENUM: break;   /* parsed from text, or the index */
    }
    *op = SN_OP_CELL;
    return SINEW_STORAGE_TEXT;
}

int sn_col_plan_init(sn_col_plan *p, const sinew_model *m, int first, int borrow)
{
    memset(p, 0, sizeof *p);
    p->m = m;
    p->first = first;
    p->n = (int)m->nfields;
    p->borrow = borrow;
    if (!p->n) return SINEW_OK;
    size_t n = m->nfields;
    if (m->size > UINT32_MAX)
        return sinew_error_set(SINEW_MISUSE, "model %s: a struct of %zu bytes is too large to read rows into",
                               m->name, m->size);
    /* one block: the cells first (their union is the most aligned), then the columns, then the expectations */
    char *block = sn_calloc(1, n * (sizeof(sinew_cell) + sizeof(sn_plan_col) + sizeof(sinew_storage)));
    if (!block) return sn_nomem();
    p->cells = (sinew_cell *)(void *)block;
    p->cols = (sn_plan_col *)(void *)(block + n * sizeof(sinew_cell));
    p->expect = (sinew_storage *)(void *)(block + n * (sizeof(sinew_cell) + sizeof(sn_plan_col)));
    size_t at[SN_OPS + 1] = {0};
    for (size_t i = 0; i < n; i++) {   /* how many of each store, then where each kind starts */
        unsigned op;
        p->expect[i] = plan_expect(&m->fields[i], borrow, &op);
        at[op + 1]++;
    }
    for (int t = 0; t < SN_OPS; t++) {
        at[t + 1] += at[t];
        p->end[t] = p->cols + at[t + 1];
    }
    for (size_t i = 0; i < n; i++) {
        const sinew_field *f = &m->fields[i];
        unsigned op;
        plan_expect(f, borrow, &op);
        p->cols[at[op]++] = (sn_plan_col){(uint32_t)f->offset,
                                          f->has_offset == SINEW_NO_OFFSET ? UINT32_MAX : (uint32_t)f->has_offset,
                                          (uint32_t)i, (f->flags & SINEW_FIELD_NULLABLE) != 0};
    }
    return SINEW_OK;
}

void sn_col_plan_free(sn_col_plan *p)
{
    sn_free(p->cells);   /* the block's start */
    memset(p, 0, sizeof *p);
}

/* the whole row again, column by column as sn_hydrate_field reads it, once a cell was not as
 * its plan expected: the conversions, and the error of the first column that has one */
SN_NOINLINE static int hydrate_in_order(const sn_col_plan *p, const sinew_driver *drv, sinew_stmt *st, void *obj,
                                        sn_arena *arena)
{
    const sinew_model *m = p->m;
    for (int k = 0; k < p->n; k++) {
        const sinew_field *f = &m->fields[k];
        int done = hydrate_common(f, &p->cells[k], obj, arena, p->borrow);
        if (done < 0) return SINEW_NOMEM;
        if (done) continue;
        int rc = hydrate_cell(drv, st, p->first + k, m, f, obj, arena, p->borrow, p->cells[k]);
        if (rc) return rc;
    }
    return SINEW_OK;
}

/*
 * A row by its plan: the driver's cells in one call (column_cells), or cell
 * by cell where it has none; then every store of a kind in a loop of its
 * own, over the columns the plan sorted by kind: the usual cell costs a
 * test of its class and the store, with no switch on its field's type. A
 * NULL in a nullable field is stored as hydrate_cell stores it (zero, and
 * not present); any other cell not of the class expected (a NULL refused,
 * a conversion, an int32 out of range) sends the row to hydrate_in_order,
 * which reads it again in column order (the same stores, and the first
 * column's error first, as sn_hydrate_field gives them). The other types
 * (SN_OP_CELL) come last, in column order, through hydrate_cell: every
 * column before them succeeded.
 */
#define HAS(c) do { if ((c)->has_offset != UINT32_MAX) *(bool *)(base + (c)->has_offset) = true; } while (0)
/* a cell not of the class expected: NULL for a nullable field as hydrate_cell makes it (zero, not
 * present), anything else in column order */
#define NOT_EXPECTED(c, cell, T) do { \
        if ((cell)->storage == SINEW_STORAGE_NULL && (c)->nullable) { \
            *(T *)(void *)(base + (c)->offset) = 0; \
            if ((c)->has_offset != UINT32_MAX) *(bool *)(base + (c)->has_offset) = false; \
            continue; \
        } \
        goto in_order; \
    } while (0)
SN_HOT int sn_hydrate_planned(const sn_col_plan *p, const sinew_driver *drv, sinew_stmt *st, void *obj, sn_arena *arena)
{
    if (drv->column_cells) drv->column_cells(st, p->first, p->n, p->expect, p->cells);
    else
        for (int k = 0; k < p->n; k++) fetch_cell(drv, st, p->first + k, &p->cells[k]);
    /* in locals, each end read once: the stores go through char pointers, which the compiler must
     * assume reach *p */
    const sinew_cell *const cells = p->cells;
    const sn_plan_col *c = p->cols, *e;
    char *const base = obj;
    for (e = p->end[SN_OP_I64]; c < e; c++) {
        const sinew_cell *cell = &cells[c->k];
        if (SN_UNLIKELY(cell->storage != SINEW_STORAGE_INT)) NOT_EXPECTED(c, cell, int64_t);
        *(int64_t *)(void *)(base + c->offset) = cell->u.i;
        HAS(c);
    }
    for (e = p->end[SN_OP_I32]; c < e; c++) {
        const sinew_cell *cell = &cells[c->k];
        if (SN_UNLIKELY(cell->storage != SINEW_STORAGE_INT)) NOT_EXPECTED(c, cell, int32_t);
        if (SN_UNLIKELY(cell->u.i < INT32_MIN || cell->u.i > INT32_MAX)) goto in_order;
        *(int32_t *)(void *)(base + c->offset) = (int32_t)cell->u.i;
        HAS(c);
    }
    for (e = p->end[SN_OP_BOOL]; c < e; c++) {
        const sinew_cell *cell = &cells[c->k];
        if (SN_UNLIKELY(cell->storage != SINEW_STORAGE_INT)) NOT_EXPECTED(c, cell, bool);
        *(bool *)(base + c->offset) = cell->u.i != 0;
        HAS(c);
    }
    for (e = p->end[SN_OP_F64]; c < e; c++) {
        const sinew_cell *cell = &cells[c->k];
        if (SN_UNLIKELY(cell->storage != SINEW_STORAGE_FLOAT)) NOT_EXPECTED(c, cell, double);
        *(double *)(void *)(base + c->offset) = cell->u.f;
        HAS(c);
    }
    for (e = p->end[SN_OP_TEXT_BORROW]; c < e; c++) {
        const sinew_cell *cell = &cells[c->k];
        if (SN_UNLIKELY(cell->storage != SINEW_STORAGE_TEXT)) NOT_EXPECTED(c, cell, const char *);
        *(const char **)(void *)(base + c->offset) = cell->u.p ? (const char *)cell->u.p : "";
        HAS(c);
    }
    for (e = p->end[SN_OP_TEXT_COPY]; c < e; c++) {
        const sinew_cell *cell = &cells[c->k];
        if (SN_UNLIKELY(cell->storage != SINEW_STORAGE_TEXT)) NOT_EXPECTED(c, cell, char *);
        char *txt = sn_arena_strndup(arena, cell->u.p ? (const char *)cell->u.p : "", cell->len);
        if (SN_UNLIKELY(!txt)) goto in_order;   /* out of memory: reported there, after any earlier column's error */
        *(char **)(void *)(base + c->offset) = txt;
        HAS(c);
    }
    for (e = p->end[SN_OP_CELL]; c < e; c++) {
        int rc = hydrate_cell(drv, st, p->first + (int)c->k, p->m, &p->m->fields[c->k], obj, arena, p->borrow,
                              cells[c->k]);
        if (rc) return rc;
    }
    return SINEW_OK;
in_order:
    return hydrate_in_order(p, drv, st, obj, arena);
}
#undef HAS
#undef NOT_EXPECTED

size_t sn_type_size(sinew_type t)
{
    switch (t) {
    case SINEW_BOOL: return sizeof(bool);
    case SINEW_INT32: case SINEW_DATE: return sizeof(int32_t);
    case SINEW_INT64: case SINEW_TIMESTAMP: return sizeof(int64_t);
    case SINEW_DOUBLE: return sizeof(double);
    case SINEW_TEXT: case SINEW_JSON: case SINEW_DECIMAL: return sizeof(char *);
    case SINEW_BLOB: return sizeof(sinew_blob);
    case SINEW_UUID: return sizeof(sinew_uuid);
    case SINEW_ENUM: return sizeof(int);
    }
    return 0;
}

/* the rare sizes of sn_field_changed (orm.h) */
int sn_field_bytes_differ(const sinew_field *f, const void *a, const void *b)
{
    return memcmp(CAT(a, f->offset, char), CAT(b, f->offset, char), sn_type_size(f->type)) != 0;
}

SN_HOT int sn_field_is_zero(const sinew_field *f, const void *obj)
{
    if (f->has_offset != SINEW_NO_OFFSET && !*CAT(obj, f->has_offset, bool)) return 1;
    static const unsigned char zero[sizeof(sinew_uuid)];
    size_t n = sn_type_size(f->type);
    if (f->type == SINEW_BLOB) return CAT(obj, f->offset, sinew_blob)->data == NULL;
    /* the common sizes (keys, numbers, pointers) as one load, not a call to memcmp for each row */
    if (n == 8) {
        uint64_t w;
        memcpy(&w, CAT(obj, f->offset, char), 8);
        return w == 0;
    }
    if (n == 4) {
        uint32_t w;
        memcpy(&w, CAT(obj, f->offset, char), 4);
        return w == 0;
    }
    return memcmp(CAT(obj, f->offset, char), zero, n) == 0;
}

void sn_field_copy(const sinew_field *df, void *dst, const sinew_field *sf, const void *src)
{
    size_t n = sn_type_size(df->type);
    if (sn_type_size(sf->type) < n) n = sn_type_size(sf->type);
    memcpy(AT(dst, df->offset, char), CAT(src, sf->offset, char), n);
    bool present = sf->has_offset == SINEW_NO_OFFSET || *CAT(src, sf->has_offset, bool);
    set_has(df, dst, present);
}
