/*
 * sqlite.c - the SQLite driver: sinew's embedded default.
 *
 * Files open in WAL mode with foreign keys on and a busy timeout; ":memory:"
 * databases skip WAL. Errors are translated to sinew status codes, and for
 * constraint failures the table, column and constraint kind are pulled out
 * of SQLite's message ("UNIQUE constraint failed: users.email").
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base.h"
#include "sql/dialect.h"
#include "sinew/driver.h"
#include "driver/readers.h"

struct sinew_conn {
    sqlite3 *db;
};

struct sinew_stmt {
    sqlite3_stmt *st;
    sinew_conn *conn;
    /* The column last looked at. Hydration asks a column's storage class and
     * then its value; reading both through one sqlite3_value saves the
     * per-call API overhead of sqlite3_column_*(). Valid until the next step. */
    int vcol;
    sqlite3_value *v;
};

SN_HOT static sqlite3_value *col(sinew_stmt *s, int i)
{
    if (s->vcol != i) {
        s->v = sqlite3_column_value(s->st, i);
        s->vcol = i;
    }
    return s->v;
}

static int map_code(int code)
{
    switch (code & 0xff) {
    case SQLITE_OK: return SINEW_OK;
    case SQLITE_ROW: return SINEW_ROW;
    case SQLITE_DONE: return SINEW_DONE;
    case SQLITE_CONSTRAINT: return SINEW_CONSTRAINT;
    case SQLITE_NOMEM: return SINEW_NOMEM;
    case SQLITE_BUSY: case SQLITE_LOCKED: return SINEW_BUSY;
    case SQLITE_IOERR: case SQLITE_FULL: case SQLITE_CANTOPEN: case SQLITE_READONLY:
    case SQLITE_CORRUPT: case SQLITE_NOTADB: case SQLITE_PERM: return SINEW_IOERR;
    case SQLITE_MISUSE: case SQLITE_RANGE: return SINEW_MISUSE;
    case SQLITE_MISMATCH: return SINEW_TYPE;
    default: return SINEW_ERROR;
    }
}

/* "UNIQUE constraint failed: users.email, users.x" -> table users, column email */
static void constraint_detail(const char *msg, int ext)
{
    const char *p = strstr(msg, "constraint failed: ");
    char table[128] = "", column[128] = "";
    const char *kind = NULL;
    switch (ext) {
    case SQLITE_CONSTRAINT_UNIQUE: kind = "unique"; break;
    case SQLITE_CONSTRAINT_PRIMARYKEY: kind = "primary key"; break;
    case SQLITE_CONSTRAINT_NOTNULL: kind = "not null"; break;
    case SQLITE_CONSTRAINT_FOREIGNKEY: kind = "foreign key"; break;
    case SQLITE_CONSTRAINT_CHECK: kind = "check"; break;
    default: break;
    }
    if (p) {
        p += strlen("constraint failed: ");
        const char *dot = strchr(p, '.');
        size_t end = strcspn(p, ", ");
        if (dot && (size_t)(dot - p) < end && ext != SQLITE_CONSTRAINT_CHECK) {
            snprintf(table, sizeof table, "%.*s", (int)(dot - p), p);
            snprintf(column, sizeof column, "%.*s", (int)(end - (size_t)(dot - p) - 1), dot + 1);
        }
    }
    sinew_error_detail(ext, NULL, table[0] ? table : NULL, column[0] ? column : NULL, kind);
    if (ext == SQLITE_CONSTRAINT_CHECK && p) {
        /* "CHECK constraint failed: age >= 0" or the constraint name */
        sinew_error_detail(0, NULL, NULL, NULL, p);
    }
}

SN_COLD static int fail(sqlite3 *db, int code, const char *doing, const char *sql)
{
    int ext = db ? sqlite3_extended_errcode(db) : code;
    const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(code);
    int st = map_code(code);
    if (st == SINEW_DONE || st == SINEW_ROW || st == SINEW_OK) st = SINEW_ERROR;
    /* plain SQLITE_READONLY: the connection takes no writes (a read transaction's PRAGMA query_only,
     * or ?mode=ro), the status a read-only transaction gives elsewhere; its extended codes
     * (SQLITE_READONLY_RECOVERY, _CANTLOCK, _DBMOVED ...) are file trouble, SINEW_IOERR */
    if (ext == SQLITE_READONLY) st = SINEW_READONLY;
    if (st == SINEW_CONSTRAINT) {
        const char *hint = "";
        switch (ext) {
        case SQLITE_CONSTRAINT_UNIQUE: case SQLITE_CONSTRAINT_PRIMARYKEY:
            hint = "; a row with the same value already exists: change the value or update that row"; break;
        case SQLITE_CONSTRAINT_NOTNULL: hint = "; give the field a value"; break;
        case SQLITE_CONSTRAINT_FOREIGNKEY: hint = "; the referenced row does not exist or still has dependants"; break;
        default: break;
        }
        sinew_error_set(st, "%s%s", msg, hint);
        constraint_detail(msg, ext);
    } else if (st == SINEW_BUSY) {
        sinew_error_set(st, "sqlite: database is locked while %s (%s); retry, or raise ?busy_timeout=ms", doing, msg);
        sinew_error_detail(ext, NULL, NULL, NULL, NULL);
    } else if (st == SINEW_READONLY) {
        sinew_error_set(st, "sqlite: %s while %s%s%.200s; this connection takes reads only (a read transaction, "
                        "or ?mode=ro): write outside it", msg, doing, sql ? ": " : "", sql ? sql : "");
        sinew_error_detail(ext, NULL, NULL, NULL, NULL);
    } else if (sql) {
        sinew_error_set(st, "sqlite: %s while %s: %.200s", msg, doing, sql);
        sinew_error_detail(ext, NULL, NULL, NULL, NULL);
    } else {
        sinew_error_set(st, "sqlite: %s while %s", msg, doing);
        sinew_error_detail(ext, NULL, NULL, NULL, NULL);
    }
    return st;
}

static int sq_exec(sinew_conn *c, const char *sql)
{
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? SINEW_OK : fail(c->db, rc, "executing", sql);
}

static int sq_open(const sinew_url *url, sinew_conn **out)
{
    *out = NULL;
    const char *path = url->path;
    int memory = strcmp(path, ":memory:") == 0;
    static const char *const known[] = {"mode", "busy_timeout", "vfs", "isolation", NULL};
    int bad = sinew_url_check_params(url, "sqlite (mode=ro|rw|rwc, busy_timeout=milliseconds, vfs=name, "
                                     "isolation=read_committed|repeatable_read|serializable)", known);
    if (bad) return bad;
    /* checked only: SQLite's transactions are always serializable (one writer at a time, a
     * reader sees one snapshot), which satisfies each weaker level too */
    const char *level;
    if ((bad = sinew_url_isolation(url, &level))) return bad;
    const char *mode = sinew_url_param(url, "mode");
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (mode && strcmp(mode, "ro") == 0) flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX;
    else if (mode && strcmp(mode, "rw") == 0) flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    else if (mode && strcmp(mode, "rwc") != 0)
        return sinew_error_set(SINEW_INVALID, "bad URL: mode=%s is not one of ro, rw, rwc", mode);
    long timeout = 5000;
    const char *bt = sinew_url_param(url, "busy_timeout");
    if (bt) {
        char *end;
        timeout = strtol(bt, &end, 10);
        if (*end || timeout < 0 || timeout > 3600000)
            return sinew_error_set(SINEW_INVALID, "bad URL: busy_timeout=%s is not a number of milliseconds", bt);
    }
    sinew_conn *c = sn_calloc(1, sizeof *c);
    if (!c) return sn_nomem();
    /* ?vfs=name picks a registered SQLite VFS (tests use a failing one) */
    int rc = sqlite3_open_v2(path, &c->db, flags, sinew_url_param(url, "vfs"));
    if (rc != SQLITE_OK && !(flags & SQLITE_OPEN_CREATE) && !memory && access(path, F_OK) != 0) {
        /* mode=ro / mode=rw open an existing file only: say so rather than "unable to open" */
        sinew_error_set(SINEW_NOTFOUND, "sqlite: database file '%s' does not exist (mode=%s does not create it): "
                        "check the path", path, mode);
        sqlite3_close(c->db);
        sn_free(c);
        return SINEW_NOTFOUND;
    }
    if (rc != SQLITE_OK) {
        int st = map_code(rc);
        sinew_error_set(st == SINEW_ERROR ? SINEW_IOERR : st, "sqlite: cannot open '%s': %s; check that the "
                        "directory exists and is writable", path, c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        sqlite3_close(c->db);
        sn_free(c);
        return sinew_last_error()->status;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, (int)timeout);
    rc = sq_exec(c, "PRAGMA foreign_keys = ON");
    if (!rc && !memory && !(flags & SQLITE_OPEN_READONLY)) {
        /*
         * Turning a new file to WAL takes an exclusive lock, and SQLite
         * returns SQLITE_BUSY there without calling the busy handler when
         * another connection opens the file at the same moment (seen with
         * three threads opening one new file: 1 open in 30 failed). Retry
         * within the busy timeout.
         */
        int waited = 0, nap = 1;
        for (;;) {
            int r = sqlite3_exec(c->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
            if ((r & 0xff) != SQLITE_BUSY || waited >= timeout) {
                rc = r == SQLITE_OK ? SINEW_OK : fail(c->db, r, "switching to WAL mode", "PRAGMA journal_mode = WAL");
                break;
            }
            sqlite3_sleep(nap);
            waited += nap;
            if (nap < 32) nap *= 2;
        }
        if (!rc) rc = sq_exec(c, "PRAGMA synchronous = NORMAL");
    }
    if (rc) {
        sqlite3_close(c->db);
        sn_free(c);
        return rc;
    }
    *out = c;
    return SINEW_OK;
}

static void sq_close(sinew_conn *c)
{
    if (!c) return;
    sqlite3_close_v2(c->db);
    sn_free(c);
}

static int sq_prepare(sinew_conn *c, const char *sql, sinew_stmt **out)
{
    *out = NULL;
    sinew_stmt *s = sn_malloc(sizeof *s);
    if (!s) return sn_nomem();
    int rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL);
    if (rc != SQLITE_OK) {
        sn_free(s);
        return fail(c->db, rc, "preparing", sql);
    }
    if (!s->st) {
        sn_free(s);
        return sinew_error_set(SINEW_MISUSE, "sqlite: empty statement");
    }
    s->conn = c;
    s->vcol = -1;
    s->v = NULL;
    *out = s;
    return SINEW_OK;
}

/* the types bound as formatted text: out of line, so the common binds need no buffer */
SN_NOINLINE static int bind_formatted(sinew_stmt *s, int idx, const sinew_value *v)
{
    char buf[40];
    switch (v->type) {
    case SINEW_TIMESTAMP:
        sinew_timestamp_format(v->u.i, buf);
        return sqlite3_bind_text(s->st, idx, buf, -1, SQLITE_TRANSIENT);
    case SINEW_DATE:
        sinew_date_format((int32_t)v->u.i, buf);
        return sqlite3_bind_text(s->st, idx, buf, -1, SQLITE_TRANSIENT);
    default:   /* SINEW_UUID */
        sinew_uuid_format(&v->u.uuid, buf);
        return sqlite3_bind_text(s->st, idx, buf, 36, SQLITE_TRANSIENT);
    }
}

SN_HOT static int sq_bind(sinew_stmt *s, int i, const sinew_value *v)
{
    int rc;
    int idx = i + 1;
    if (v->is_null) {
        rc = sqlite3_bind_null(s->st, idx);
    } else {
        switch (v->type) {
        case SINEW_BOOL: rc = sqlite3_bind_int(s->st, idx, v->u.i ? 1 : 0); break;
        case SINEW_INT32: case SINEW_INT64: rc = sqlite3_bind_int64(s->st, idx, v->u.i); break;
        case SINEW_DOUBLE: rc = sqlite3_bind_double(s->st, idx, v->u.d); break;
        case SINEW_ENUM:   /* the runtime binds enums by name (text); a bare index is stored as a number */
            rc = sqlite3_bind_int64(s->st, idx, v->u.i);
            break;
        case SINEW_TEXT: case SINEW_JSON: case SINEW_DECIMAL:
            rc = sqlite3_bind_text64(s->st, idx, v->u.s.ptr, v->u.s.len, SQLITE_STATIC, SQLITE_UTF8);
            break;
        case SINEW_BLOB:
            rc = sqlite3_bind_blob64(s->st, idx, v->u.s.ptr, v->u.s.len, SQLITE_STATIC);
            break;
        case SINEW_TIMESTAMP: case SINEW_DATE: case SINEW_UUID:
            rc = bind_formatted(s, idx, v);
            break;
        default:
            return sinew_error_set(SINEW_MISUSE, "bind: unknown value type %d at parameter %d", (int)v->type, idx);
        }
    }
    return rc == SQLITE_OK ? SINEW_OK : fail(sqlite3_db_handle(s->st), rc, "binding a parameter", sqlite3_sql(s->st));
}

/* one column of a chunk, as the row loop reads it */
typedef struct sq_col {
    size_t offset;
    size_t has_offset;            /* SINEW_NO_OFFSET for a required field */
    sinew_type type;
    int k;                        /* its parameter within the row (0 for the row's first) */
    const sinew_field *f;
} sq_col;

/* more columns than the table on the stack holds: value by value */
SN_NOINLINE static int bind_rows_slow(sinew_stmt *s, int first, const sinew_field *fields, const unsigned *cols,
                                      size_t ncols, void *const *objs, size_t nrows)
{
    int param = first;
    for (size_t r = 0; r < nrows; r++)
        for (size_t k = 0; k < ncols; k++) {
            sinew_value v = sinew_field_value(&fields[cols[k]], objs[r]);
            int rc = sq_bind(s, param++, &v);
            if (rc) return rc;
        }
    return SINEW_OK;
}

/* the kinds of column bind_rows binds a loop of each: required text, int32, int64, double, bool, the rest */
enum { SQ_TEXT, SQ_INT32, SQ_INT64, SQ_DOUBLE, SQ_BOOL, SQ_REST, SQ_KINDS };

static int sq_kind(const sinew_field *f)
{
    if (f->has_offset != SINEW_NO_OFFSET) return SQ_REST;   /* a presence flag to look at first */
    switch (f->type) {
    case SINEW_TEXT: case SINEW_JSON: case SINEW_DECIMAL: return SQ_TEXT;
    case SINEW_INT32: return SQ_INT32;
    case SINEW_INT64: return SQ_INT64;
    case SINEW_DOUBLE: return SQ_DOUBLE;
    case SINEW_BOOL: return SQ_BOOL;
    default: return SQ_REST;
    }
}

/* a column of the rest: NULL by its presence flag, a common type in place, else through sinew_field_value() */
static int bind_rest(sinew_stmt *s, const sq_col *col, const char *obj, int idx)
{
    sqlite3_stmt *st = s->st;
    const char *at = obj + col->offset;
    if (col->has_offset != SINEW_NO_OFFSET && !*(const bool *)(obj + col->has_offset)) return sqlite3_bind_null(st, idx);
    switch (col->type) {
    case SINEW_INT32: return sqlite3_bind_int(st, idx, *(const int32_t *)(const void *)at);
    case SINEW_INT64: return sqlite3_bind_int64(st, idx, *(const int64_t *)(const void *)at);
    case SINEW_BOOL: return sqlite3_bind_int(st, idx, *(const bool *)at ? 1 : 0);
    case SINEW_DOUBLE: return sqlite3_bind_double(st, idx, *(const double *)(const void *)at);
    case SINEW_TEXT: case SINEW_JSON: case SINEW_DECIMAL: {
        const char *text = *(const char *const *)(const void *)at;
        return text ? sqlite3_bind_text(st, idx, text, -1, SQLITE_STATIC) : sqlite3_bind_null(st, idx);
    }
    default: {
        sinew_value v = sinew_field_value(col->f, obj);
        return -sq_bind(s, idx - 1, &v);   /* a status of sinew's, told apart from SQLite's by its sign */
    }
    }
}

/*
 * A chunk of a batched INSERT: each row's fields straight from its struct to
 * SQLite. The same SQLite calls with the same values as sinew_field_value()
 * + sq_bind(), without a sinew_value and a call through the driver table per
 * column. The columns are sorted by kind once for all rows, and a row binds
 * each kind in a loop of its own (SQLite takes parameters in any order): the
 * usual column, required text or a number, costs its SQLite call and a few
 * instructions, with no switch on its type or look at a presence flag.
 */
SN_HOT static int sq_bind_rows(sinew_stmt *s, int first, const sinew_field *fields, const unsigned *cols, size_t ncols,
                               void *const *objs, size_t nrows)
{
    sq_col c[64];   /* the columns looked up once for all rows, by kind */
    if (ncols > sizeof c / sizeof c[0]) return bind_rows_slow(s, first, fields, cols, ncols, objs, nrows);
    size_t start[SQ_KINDS + 1] = {0}, at[SQ_KINDS];
    for (size_t k = 0; k < ncols; k++) start[sq_kind(&fields[cols[k]]) + 1]++;
    for (int t = 0; t < SQ_KINDS; t++) {   /* counts to where each kind starts */
        start[t + 1] += start[t];
        at[t] = start[t];
    }
    for (size_t k = 0; k < ncols; k++) {
        const sinew_field *f = &fields[cols[k]];
        c[at[sq_kind(f)]++] = (sq_col){f->offset, f->has_offset, f->type, (int)k, f};
    }
    const sq_col *text_end = c + start[SQ_TEXT + 1], *i32_end = c + start[SQ_INT32 + 1],
                 *i64_end = c + start[SQ_INT64 + 1], *dbl_end = c + start[SQ_DOUBLE + 1],
                 *bool_end = c + start[SQ_BOOL + 1], *end = c + ncols;
    sqlite3_stmt *st = s->st;
    int base = first + 1, rc = SQLITE_OK;
    for (size_t r = 0; r < nrows; r++, base += (int)ncols) {
        const char *obj = objs[r];
        const sq_col *col = c;
        for (; col < text_end; col++) {
            const char *text = *(const char *const *)(const void *)(obj + col->offset);
            rc = text ? sqlite3_bind_text(st, base + col->k, text, -1, SQLITE_STATIC) : sqlite3_bind_null(st, base + col->k);
            if (SN_UNLIKELY(rc != SQLITE_OK)) goto failed;
        }
        for (; col < i32_end; col++)
            if (SN_UNLIKELY((rc = sqlite3_bind_int(st, base + col->k, *(const int32_t *)(const void *)(obj + col->offset)))))
                goto failed;
        for (; col < i64_end; col++)
            if (SN_UNLIKELY((rc = sqlite3_bind_int64(st, base + col->k, *(const int64_t *)(const void *)(obj + col->offset)))))
                goto failed;
        for (; col < dbl_end; col++)
            if (SN_UNLIKELY((rc = sqlite3_bind_double(st, base + col->k, *(const double *)(const void *)(obj + col->offset)))))
                goto failed;
        for (; col < bool_end; col++)
            if (SN_UNLIKELY((rc = sqlite3_bind_int(st, base + col->k, *(const bool *)(obj + col->offset) ? 1 : 0))))
                goto failed;
        for (; col < end; col++) {
            rc = bind_rest(s, col, obj, base + col->k);
            if (rc < 0) return -rc;   /* sq_bind's own status, its error set */
            if (SN_UNLIKELY(rc != SQLITE_OK)) goto failed;
        }
    }
    return SINEW_OK;
failed:
    return fail(sqlite3_db_handle(st), rc, "binding a parameter", sqlite3_sql(st));
}

SN_HOT static int sq_step(sinew_stmt *s)
{
    s->vcol = -1;
    int rc = sqlite3_step(s->st);
    if (rc == SQLITE_ROW) return SINEW_ROW;
    if (rc == SQLITE_DONE) return SINEW_DONE;
    int st = fail(s->conn->db, rc, "running", sqlite3_sql(s->st));
    sqlite3_reset(s->st);
    return st;
}

SN_HOT static int sq_reset(sinew_stmt *s)
{
    s->vcol = -1;
    sqlite3_reset(s->st);
    return SINEW_OK;
}

static void sq_finalize(sinew_stmt *s)
{
    if (!s) return;
    sqlite3_finalize(s->st);
    sn_free(s);
}

static int sq_column_count(sinew_stmt *s) { return sqlite3_column_count(s->st); }
static const char *sq_column_name(sinew_stmt *s, int i) { return sqlite3_column_name(s->st, i); }

static sinew_storage sq_column_storage(sinew_stmt *s, int i)
{
    switch (sqlite3_value_type(col(s, i))) {
    case SQLITE_INTEGER: return SINEW_STORAGE_INT;
    case SQLITE_FLOAT: return SINEW_STORAGE_FLOAT;
    case SQLITE_TEXT: return SINEW_STORAGE_TEXT;
    case SQLITE_BLOB: return SINEW_STORAGE_BLOB;
    default: return SINEW_STORAGE_NULL;
    }
}

/* a cell from its sqlite3_value, read by the class it holds (text before its length: the
 * length of the UTF-8 text, as sqlite3_column_text then sqlite3_column_bytes give it) */
SN_HOT static inline void sq_value_cell(sqlite3_value *v, sinew_cell *c)
{
    switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
        c->storage = SINEW_STORAGE_INT;
        c->u.i = sqlite3_value_int64(v);
        break;
    case SQLITE_FLOAT:
        c->storage = SINEW_STORAGE_FLOAT;
        c->u.f = sqlite3_value_double(v);
        break;
    case SQLITE_TEXT:
        c->storage = SINEW_STORAGE_TEXT;
        c->u.p = sqlite3_value_text(v);
        c->len = (size_t)sqlite3_value_bytes(v);
        break;
    case SQLITE_BLOB:
        c->storage = SINEW_STORAGE_BLOB;
        c->u.p = sqlite3_value_blob(v);
        c->len = (size_t)sqlite3_value_bytes(v);
        break;
    default:
        c->storage = SINEW_STORAGE_NULL;
        break;
    }
}

/* the hydration path for one column: one sqlite3_column_value and the value read by its type */
SN_HOT static void sq_column_cell(sinew_stmt *s, int i, sinew_cell *c)
{
    sq_value_cell(sqlite3_column_value(s->st, i), c);
}

/*
 * A row's cells in one call (streaming, loads). Each column costs one
 * sqlite3_column_value and the reader of the class it holds. The expected
 * classes are not needed here: the class comes with the value, as cheaply
 * as any check of it could, and reading a column with sqlite3_column_int64
 * (or _text) directly instead would take a sqlite3_column_type besides to
 * keep the type check, each of those calls costing what
 * sqlite3_column_value does (its bounds check and error bookkeeping).
 */
SN_HOT static void sq_column_cells(sinew_stmt *s, int first, int n, const sinew_storage *expect, sinew_cell *out)
{
    (void)expect;
    sqlite3_stmt *st = s->st;
    for (int k = 0; k < n; k++) sq_value_cell(sqlite3_column_value(st, first + k), &out[k]);
}

static int64_t sq_column_i64(sinew_stmt *s, int i) { return sqlite3_value_int64(col(s, i)); }
static double sq_column_f64(sinew_stmt *s, int i) { return sqlite3_value_double(col(s, i)); }

static const char *sq_column_text(sinew_stmt *s, int i, size_t *len)
{
    sqlite3_value *v = col(s, i);
    const char *p = (const char *)sqlite3_value_text(v);
    *len = (size_t)sqlite3_value_bytes(v);
    return p ? p : "";
}

static const void *sq_column_blob(sinew_stmt *s, int i, size_t *len)
{
    sqlite3_value *v = col(s, i);
    const void *p = sqlite3_value_blob(v);
    *len = (size_t)sqlite3_value_bytes(v);
    return p ? p : "";
}

static int sq_begin(sinew_conn *c) { return sq_exec(c, "BEGIN IMMEDIATE"); }
static int sq_commit(sinew_conn *c) { return sq_exec(c, "COMMIT"); }
static int sq_rollback(sinew_conn *c)
{
    if (sqlite3_get_autocommit(c->db)) return SINEW_OK;   /* SQLite already rolled back */
    return sq_exec(c, "ROLLBACK");
}

static int named(sinew_conn *c, const char *verb, const char *name)
{
    char sql[160];
    snprintf(sql, sizeof sql, "%s \"%s\"", verb, name);
    return sq_exec(c, sql);
}

static int sq_savepoint(sinew_conn *c, const char *n) { return named(c, "SAVEPOINT", n); }
static int sq_release(sinew_conn *c, const char *n) { return named(c, "RELEASE SAVEPOINT", n); }
static int sq_rollback_to(sinew_conn *c, const char *n) { return named(c, "ROLLBACK TO SAVEPOINT", n); }
static int64_t sq_changes(sinew_conn *c) { return sqlite3_changes64(c->db); }
SN_HOT static int64_t sq_last_insert_id(sinew_conn *c) { return sqlite3_last_insert_rowid(c->db); }
static int sq_in_transaction(sinew_conn *c) { return !sqlite3_get_autocommit(c->db); }

/* introspection reads the catalog in sqlite_introspect.c */
sqlite3 *sn_sqlite_handle(sinew_conn *c) { return c->db; }

static const char *const sqlite_schemes[] = {"sqlite", "sqlite3", NULL};

const sinew_driver sinew_sqlite_driver = {
    .version = SINEW_DRIVER_VERSION,
    .name = "sqlite",
    .schemes = sqlite_schemes,
    .dialect = &sn_dialect_sqlite,
    .open = sq_open,
    .close = sq_close,
    .prepare = sq_prepare,
    .bind = sq_bind,
    .step = sq_step,
    .reset = sq_reset,
    .finalize = sq_finalize,
    .column_count = sq_column_count,
    .column_name = sq_column_name,
    .column_storage = sq_column_storage,
    .column_i64 = sq_column_i64,
    .column_f64 = sq_column_f64,
    .column_text = sq_column_text,
    .column_blob = sq_column_blob,
    .exec = sq_exec,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .savepoint = sq_savepoint,
    .release = sq_release,
    .rollback_to = sq_rollback_to,
    .changes = sq_changes,
    .last_insert_id = sq_last_insert_id,
    .in_transaction = sq_in_transaction,
    .introspect = sn_sqlite_introspect,
    /* stream: NULL, SQLite steps row by row already;
     * copy_begin, copy_row, copy_end: NULL, multi-row INSERT is SQLite's bulk path */
    .column_cell = sq_column_cell,
    /* introspect_schemas: NULL, a SQLite database has one schema;
     * pipeline_begin, send, receive, pipeline_end: NULL, in-process a statement has no round trip to save;
     * conn_dialect: NULL, the linked SQLite is the one dialect */
    .bind_rows = sq_bind_rows,
    .column_cells = sq_column_cells,
};
