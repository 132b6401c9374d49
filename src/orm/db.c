/*
 * db.c - the database handle: opening by URL, the prepared-statement cache,
 * statement execution with logging and statistics, transactions (nested ones
 * become savepoints) and CREATE TABLE from the graph.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "driver/registry.h"
#include "orm.h"
#include "sql/ir.h"

static int str_key_eq(const void *a, const void *b, void *ctx)
{
    (void)ctx;
    return strcmp(a, b) == 0;
}

double sn_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * Take sinew's own URL parameters out of the URL before the driver sees it
 * (PostgreSQL hands every parameter to libpq, which refuses unknown ones).
 * Returns 0, or an error for a value that is not a count.
 */
static int take_db_params(sinew_url *url, size_t *stmt_limit)
{
    for (size_t i = 0; i < url->nparams; i++) {
        if (strcmp(url->keys[i], "statement_cache") != 0) continue;
        const char *v = url->values[i];
        char *end = NULL;
        unsigned long long n = v && *v >= '0' && *v <= '9' ? strtoull(v, &end, 10) : 0;
        if (!v || !end || *end || n > (1u << 30))
            return sinew_error_set(SINEW_INVALID, "URL parameter statement_cache='%s' is not a count of statements "
                                   "(0 to %u; 0 prepares every statement afresh)", v ? v : "", 1u << 30);
        *stmt_limit = (size_t)n;
        sn_free(url->keys[i]);
        sn_free(url->values[i]);
        memmove(&url->keys[i], &url->keys[i + 1], (url->nparams - i - 1) * sizeof *url->keys);
        memmove(&url->values[i], &url->values[i + 1], (url->nparams - i - 1) * sizeof *url->values);
        url->nparams--;
        i--;
    }
    return SINEW_OK;
}

int sinew_open(const char *url_text, sinew_db **out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_open: out is NULL");
    *out = NULL;
    sinew_url *url;
    int rc = sinew_url_parse(url_text, &url);
    if (rc) return rc;
    size_t stmt_limit = SINEW_DEFAULT_STATEMENT_CACHE;
    if ((rc = take_db_params(url, &stmt_limit))) {
        sinew_url_free(url);
        return rc;
    }
    const sinew_driver *drv = sinew_find_driver(url->scheme);
    if (!drv) {
        rc = sinew_error_set(SINEW_UNSUPPORTED, "no driver for '%s:' URLs in this build of sinew%s",
                             url->scheme, sn_driver_absent_hint(url->scheme));
        sinew_url_free(url);
        return rc;
    }
    sinew_db *db = sn_calloc(1, sizeof *db);
    if (!db) {
        sinew_url_free(url);
        return sn_nomem();
    }
    db->drv = drv;
    db->dialect = drv->dialect;
    sn_map_init(&db->stmts, str_key_eq, NULL);
    db->stmt_limit = stmt_limit;
    sn_map_init(&db->plans, NULL, NULL);
    sn_map_init(&db->hooks, NULL, NULL);
    db->spare.limit = SINEW_DEFAULT_SESSION_CACHE;
    rc = drv->open(url, &db->conn);
    sinew_url_free(url);
    if (rc) {
        sn_free(db);
        return rc;
    }
    /* what this server can say (MySQL: no INSERT ... RETURNING), where the driver tells */
    if (drv->conn_dialect) {
        const sinew_dialect *cd = drv->conn_dialect(db->conn);
        if (cd) db->dialect = cd;
    }
    const char *log = getenv("SINEW_LOG");
    db->log_stderr = log && strstr(log, "sql") != NULL;
    *out = db;
    return SINEW_OK;
}

static void free_plan(sn_plan *p)
{
    sn_free(p->select_all);
    sn_free(p->select_pk);
    sn_free(p->delete_pk);
    sn_free(p->count);
    for (size_t i = 0; i < p->ninserts; i++) {
        sn_free(p->inserts[i].sql);
        sn_free(p->inserts[i].returning);
        sn_free(p->inserts[i].cols);
    }
    for (size_t i = 0; i < p->nupdates; i++) {
        sn_free(p->updates[i].sql);
        sn_free(p->updates[i].cols);
    }
    sn_free(p->defvals);
    sn_free(p->dirty);
    sn_free(p);
}

void sinew_close(sinew_db *db)
{
    if (!db) return;
    for (sn_cached_stmt *c = db->lru_new, *next; c; c = next) {
        next = c->older;
        db->drv->finalize(c->stmt);
        sn_free(c->sql);
        sn_free(c);
    }
    sn_map_free(&db->stmts);
    for (size_t i = 0; i < db->plans.cap; i++)
        if (db->plans.slots[i].key) free_plan(db->plans.slots[i].value);
    sn_map_free(&db->plans);
    for (size_t i = 0; i < db->hooks.cap; i++)
        if (db->hooks.slots[i].key) sn_free(db->hooks.slots[i].value);
    sn_map_free(&db->hooks);
    /* sessions outliving their db would dangle: orphan them so freeing them later is still safe */
    for (struct sinew_session *s = db->sessions; s; s = s->next_session) {
        s->db = NULL;
        s->arena.cache = NULL;
    }
    db->sessions = NULL;
    sn_chunk_cache_free(&db->spare);
    db->drv->close(db->conn);
    sn_free(db);
}

const char *sinew_db_backend(const sinew_db *db) { return db ? db->drv->name : ""; }

const sinew_dialect *sinew_db_dialect(const sinew_db *db) { return db ? db->dialect : NULL; }

void sinew_db_set_log(sinew_db *db, sinew_log_fn fn, void *ctx)
{
    db->log_fn = fn;
    db->log_ctx = ctx;
}

void sinew_db_set_session_cache(sinew_db *db, size_t bytes)
{
    if (!db) return;
    db->spare.limit = bytes;
    if (db->spare.bytes > bytes) {   /* shrink now: free what no longer fits */
        sn_chunk_cache_free(&db->spare);
    }
}

sinew_stats sinew_db_stats(const sinew_db *db) { return db->stats; }
void sinew_db_reset_stats(sinew_db *db) { memset(&db->stats, 0, sizeof db->stats); }

static void emit(sinew_db *db, const sinew_log_event *ev)
{
    if (db->log_fn) db->log_fn(db->log_ctx, ev);
    if (db->log_stderr) {
        if (ev->sql)
            fprintf(stderr, "[sinew] %8.3f ms %6lld rows  %s%s%s\n", ev->ms, (long long)ev->rows, ev->sql,
                    ev->status ? "  -- failed: " : "", ev->status ? sinew_status_name(ev->status) : "");
        if (ev->message) fprintf(stderr, "[sinew] %s\n", ev->message);
    }
}

void sn_db_note_failure(sinew_db *db, int status)
{
    if (status == SINEW_OK || status == SINEW_ROW || status == SINEW_DONE) return;
    db->failures++;
    if (status == SINEW_CONNECTION) db->conn_lost = 1;
}

/* Every statement ends here: counted, failures noted, and (when timed) its time added and logged. */
SN_HOT void sn_db_note_statement(sinew_db *db, const char *sql, double t0, int64_t rows, int status)
{
    db->stats.statements++;
    sn_db_note_failure(db, status);
    if (t0 < 0) return;
    double ms = sn_now_ms() - t0;
    db->stats.ms += ms;
    sinew_log_event ev = {sql, ms, rows, status, NULL};
    emit(db, &ev);
}

void sn_db_log_message(sinew_db *db, const char *message)
{
    sinew_log_event ev = {NULL, 0, 0, SINEW_OK, message};
    emit(db, &ev);
}

/* ---- statement execution ----------------------------------------------------- */

SN_HOT static void start_timing(sn_exec *x, sinew_db *db)
{
    x->timed = db->log_fn != NULL || db->log_stderr;
    if (x->timed) x->t0 = sn_now_ms();
}

/* ---- the statement cache: a map for lookup, a list for least-recently-used order ---- */

static void lru_unlink(sinew_db *db, sn_cached_stmt *c)
{
    if (c->newer) c->newer->older = c->older;
    else db->lru_new = c->older;
    if (c->older) c->older->newer = c->newer;
    else db->lru_old = c->newer;
    c->newer = c->older = NULL;
}

static void lru_push(sinew_db *db, sn_cached_stmt *c)
{
    c->newer = NULL;
    c->older = db->lru_new;
    if (db->lru_new) db->lru_new->newer = c;
    else db->lru_old = c;
    db->lru_new = c;
}

/* a hit: c becomes the newest (a few pointer writes, nothing allocated) */
static inline void lru_touch(sinew_db *db, sn_cached_stmt *c)
{
    if (db->lru_new == c) return;
    lru_unlink(db, c);
    lru_push(db, c);
}

/* Finalize c and forget it everywhere: the map, the list and every hot slot that points at it. */
static void stmt_evict(sinew_db *db, sn_cached_stmt *c)
{
    sn_map_remove(&db->stmts, c->hash, c->sql);
    lru_unlink(db, c);
    for (size_t i = 0; i < SN_HOT_STMTS; i++)
        if (db->hot[i].c == c) {
            db->hot[i].sql = NULL;
            db->hot[i].c = NULL;
            db->hot[i].owned = 0;
        }
    db->nstmts--;
    db->drv->finalize(c->stmt);
    sn_free(c->sql);
    sn_free(c);
}

/* Evict the least recently used statements that are not busy until at most `limit` are cached. */
static void stmt_trim(sinew_db *db, size_t limit)
{
    sn_cached_stmt *c = db->lru_old;
    while (db->nstmts > limit && c) {
        sn_cached_stmt *newer = c->newer;
        if (!c->busy) stmt_evict(db, c);
        c = newer;
    }
}

void sinew_db_set_statement_cache(sinew_db *db, size_t statements)
{
    if (!db) return;
    db->stmt_limit = statements;
    stmt_trim(db, statements);
}

size_t sinew_db_statement_cache_count(const sinew_db *db) { return db ? db->nstmts : 0; }

/* a statement not in the hot slots (or busy there): the cache, else prepare */
SN_NOINLINE static int exec_start_slow(sn_exec *x, sinew_db *db, const char *sql, int owned, size_t slot)
{
    uint64_t h = 0;
    sn_cached_stmt *c = NULL;
    if (db->hot[slot].sql == sql && ((owned && db->hot[slot].owned) || strcmp(db->hot[slot].c->sql, sql) == 0)) {
        c = db->hot[slot].c;   /* hot, but busy */
    } else {
        h = sn_hash_str(sql);
        c = sn_map_get(&db->stmts, h, sql);
        if (c) {
            db->hot[slot].sql = sql;
            db->hot[slot].c = c;
            db->hot[slot].owned = owned;
        }
    }
    if (c && !c->busy) {
        c->busy = 1;
        lru_touch(db, c);
        x->cached = c;
        x->stmt = c->stmt;
        x->sql = c->sql;
    } else {
        int rc = db->drv->prepare(db->conn, sql, &x->stmt);
        if (rc) {
            sn_db_note_failure(db, rc);
            sinew_log_event ev = {sql, 0, 0, rc, NULL};
            emit(db, &ev);
            return rc;
        }
        if (!c && db->stmt_limit) {   /* cache it; when the cached one is busy the new one is used once */
            c = sn_calloc(1, sizeof *c);
            char *key = c ? sn_strdup(sql) : NULL;
            if (c && key && sn_map_put(&db->stmts, h, key, c) == SINEW_OK) {
                c->sql = key;
                c->hash = h;
                c->stmt = x->stmt;
                c->busy = 1;
                x->cached = c;
                x->sql = key;   /* the log reads the cache's copy: the caller's text may change while rows are open */
                lru_push(db, c);
                db->nstmts++;
                if (db->nstmts > db->stmt_limit) stmt_trim(db, db->stmt_limit);
            } else {
                sn_free(key);
                sn_free(c);
                c = NULL;
            }
        } else {
            c = NULL;
        }
        /* used once and finalized: the log keeps its own copy of the text (NULL: the caller's, out of memory) */
        if (!c && (x->own_sql = sn_strdup(sql))) x->sql = x->own_sql;
    }
    start_timing(x, db);
    return SINEW_OK;
}

SN_HOT static int exec_start(sn_exec *x, sinew_db *db, const char *sql, int owned)
{
    memset(x, 0, sizeof *x);
    x->db = db;
    x->drv = db->drv;
    x->sql = sql;
    size_t slot = ((uintptr_t)sql >> 4) & (SN_HOT_STMTS - 1);
    /* A hot entry made from a plan's SQL is trusted by address: that string
     * lives as long as the db, so the address cannot come back as other SQL.
     * Any other SQL may have been freed and its address reused: compare. */
    sn_cached_stmt *c = db->hot[slot].c;
    if (db->hot[slot].sql == sql && !c->busy && ((owned && db->hot[slot].owned) || strcmp(c->sql, sql) == 0)) {
        db->hot[slot].owned |= owned;
        c->busy = 1;
        lru_touch(db, c);
        x->cached = c;
        x->stmt = c->stmt;
        x->sql = c->sql;
        start_timing(x, db);
        return SINEW_OK;
    }
    return exec_start_slow(x, db, sql, owned, slot);
}

SN_HOT int sn_exec_start(sn_exec *x, sinew_db *db, const char *sql) { return exec_start(x, db, sql, 0); }

void sn_db_forget_sql(sinew_db *db, const char *sql)
{
    for (size_t i = 0; i < SN_HOT_STMTS; i++)
        if (db->hot[i].sql == sql) db->hot[i].sql = NULL;
}
SN_HOT int sn_exec_start_plan(sn_exec *x, sinew_db *db, const char *sql) { return exec_start(x, db, sql, 1); }

SN_HOT static void finish(sn_exec *x, int status)
{
    if (x->finished) return;
    x->finished = 1;
    /* the common end, untimed and fine: sn_db_note_statement's whole work is the count */
    if (SN_UNLIKELY(x->timed || status != SINEW_OK)) {
        sn_db_note_statement(x->db, x->sql, x->timed ? x->t0 : -1, x->rows, status);
        return;
    }
    x->db->stats.statements++;
}

SN_HOT int sn_exec_step(sn_exec *x)
{
    int rc = x->drv->step(x->stmt);
    if (rc == SINEW_ROW) {
        x->rows++;
        x->db->stats.rows++;
        return rc;
    }
    if (rc == SINEW_DONE) {
        finish(x, SINEW_OK);
        return rc;
    }
    finish(x, rc);
    return rc;
}

SN_HOT void sn_exec_end(sn_exec *x)
{
    if (!x->stmt) return;
    if (!x->finished && x->rows) finish(x, SINEW_OK);   /* stopped early after reading rows */
    if (x->cached) {
        x->drv->reset(x->stmt);
        x->cached->busy = 0;
    } else {
        x->drv->finalize(x->stmt);
        sn_free(x->own_sql);
        x->own_sql = NULL;
    }
    x->stmt = NULL;
}

/* ---- plain SQL and transactions --------------------------------------------- */

/* Run one transaction-control or plain statement through the driver, logged and counted. */
typedef int (*db_op)(sinew_db *db, const char *arg);

static int op_exec(sinew_db *db, const char *sql) { return db->drv->exec(db->conn, sql); }
static int op_begin(sinew_db *db, const char *a) { (void)a; return db->drv->begin(db->conn); }
static int op_commit(sinew_db *db, const char *a) { (void)a; return db->drv->commit(db->conn); }
static int op_rollback(sinew_db *db, const char *a) { (void)a; return db->drv->rollback(db->conn); }
static int op_savepoint(sinew_db *db, const char *n) { return db->drv->savepoint(db->conn, n); }
static int op_release(sinew_db *db, const char *n) { return db->drv->release(db->conn, n); }
static int op_rollback_to(sinew_db *db, const char *n) { return db->drv->rollback_to(db->conn, n); }

static int logged(sinew_db *db, const char *sql, db_op fn, const char *arg)
{
    double t0 = db->log_fn != NULL || db->log_stderr ? sn_now_ms() : -1;
    int rc = fn(db, arg);
    sn_db_note_statement(db, sql, t0, 0, rc);
    return rc;
}

int sinew_exec(sinew_db *db, const char *sql)
{
    if (!db || !sql) return sinew_error_set(SINEW_MISUSE, "sinew_exec: db and sql must not be NULL");
    return logged(db, sql, op_exec, sql);
}

static void savepoint_name(char *buf, size_t cap, int depth) { snprintf(buf, cap, "sinew_sp%d", depth); }

int sinew_begin(sinew_db *db)
{
    int rc;
    if (db->tx_depth == 0) {
        rc = logged(db, sn_sql_tx_text(SN_SQL_BEGIN), op_begin, NULL);
    } else {
        char name[32];
        savepoint_name(name, sizeof name, db->tx_depth);
        rc = logged(db, sn_sql_tx_text(SN_SQL_SAVEPOINT), op_savepoint, name);
    }
    if (rc == SINEW_OK) db->tx_depth++;
    return rc;
}

int sinew_commit(sinew_db *db)
{
    if (db->tx_depth == 0)
        return sinew_error_set(SINEW_MISUSE, "sinew_commit: no transaction is open (call sinew_begin first)");
    int rc;
    if (db->tx_depth == 1) {
        rc = logged(db, sn_sql_tx_text(SN_SQL_COMMIT), op_commit, NULL);
        if (rc && db->drv->in_transaction(db->conn)) {
            /* a failed COMMIT leaves nothing committed: roll back so the handle is usable */
            sinew_error saved = *sinew_last_error();
            logged(db, sn_sql_tx_text(SN_SQL_ROLLBACK), op_rollback, NULL);
            *sn_error_mut() = saved;
        }
        db->tx_depth = 0;
        sn_session_tx_event(db, rc ? SN_TX_ROLLBACK : SN_TX_COMMIT, rc ? 1 : 0);
        return rc;
    }
    char name[32];
    savepoint_name(name, sizeof name, db->tx_depth - 1);
    rc = logged(db, sn_sql_tx_text(SN_SQL_RELEASE), op_release, name);
    if (rc == SINEW_OK) {
        db->tx_depth--;
        sn_session_tx_event(db, SN_TX_RELEASE, db->tx_depth);
    }
    return rc;
}

int sinew_rollback(sinew_db *db)
{
    if (db->tx_depth == 0)
        return sinew_error_set(SINEW_MISUSE, "sinew_rollback: no transaction is open");
    int rc;
    if (db->tx_depth == 1) {
        rc = logged(db, sn_sql_tx_text(SN_SQL_ROLLBACK), op_rollback, NULL);
        db->tx_depth = 0;
        sn_session_tx_event(db, SN_TX_ROLLBACK, 1);
        return rc;
    }
    char name[32];
    savepoint_name(name, sizeof name, db->tx_depth - 1);
    rc = logged(db, sn_sql_tx_text(SN_SQL_ROLLBACK_TO), op_rollback_to, name);
    if (rc == SINEW_OK) rc = logged(db, sn_sql_tx_text(SN_SQL_RELEASE), op_release, name);
    sn_session_tx_event(db, SN_TX_ROLLBACK, db->tx_depth);
    db->tx_depth--;
    return rc;
}

int sinew_tx_depth(const sinew_db *db) { return db->tx_depth; }

/* ---- DDL ---------------------------------------------------------------------- */

static int exec_script(sinew_db *db, sn_buf *b)
{
    if (b->failed) return sn_nomem();
    return sinew_exec(db, sn_buf_cstr(b));
}

static int create_one(sinew_db *db, const sinew_model *m, int with_fks)
{
    if (m->flags & SINEW_MODEL_VIEW) return SINEW_OK;   /* a view is made by its CREATE VIEW, never by sinew */
    if (m->npk == 0 && !(m->flags & SINEW_MODEL_READONLY))
        return sinew_error_set(SINEW_MISUSE, "model %s has no primary key: mark a field @id or add @@id([...])",
                               m->name);
    sn_buf b;
    sn_buf_init(&b);
    sn_sql_create_table_fks(&b, db->dialect, m, 1, with_fks);
    int rc = exec_script(db, &b);
    /* one statement at a time: a Citus coordinator refuses several DDL commands in one query
       string ("cannot insert multiple commands into a prepared statement") */
    for (size_t k = 0; rc == SINEW_OK; k++) {
        sn_buf_clear(&b);
        if (!sn_sql_create_index_at(&b, db->dialect, m, k, 1)) break;
        rc = exec_script(db, &b);
    }
    sn_buf_free(&b);
    return rc;
}

int sinew_create_table(sinew_db *db, const sinew_model *m)
{
    if (!db || !m) return sinew_error_set(SINEW_MISUSE, "sinew_create_table: db and model must not be NULL");
    sinew_schema one = {.models = &m, .nmodels = 1};
    int rc = sn_sql_check_names(db->dialect, &one, NULL, NULL);   /* MariaDB refuses a name past 64 bytes */
    return rc ? rc : create_one(db, m, 1);
}

int sinew_create_tables(sinew_db *db, const sinew_schema *s)
{
    if (!db || !s) return sinew_error_set(SINEW_MISUSE, "sinew_create_tables: db and schema must not be NULL");
    /* every name first: MariaDB refuses a name past 64 bytes, and its DDL is not transactional */
    int rc = sn_sql_check_names(db->dialect, s, NULL, NULL);
    if (rc) return rc;
    /* distributed models on a dialect that distributes: tables first, then distribution, then the
       foreign keys (Citus distributes a table only when its keys point at distributed or reference
       tables, see src/migrate/diff.h) */
    int defer = 0;
    for (size_t i = 0; db->dialect->distribution_extension && i < s->nmodels; i++)
        defer |= s->models[i]->distribution != SINEW_DIST_UNSAID;
    /* referenced tables first; a cycle falls back to declaration order */
    size_t n = s->nmodels;
    unsigned char *done = sn_calloc(n ? n : 1, 1);
    const sinew_model **order = sn_calloc(n ? n : 1, sizeof *order);
    if (!done || !order) {
        sn_free(done);
        sn_free(order);
        return sn_nomem();
    }
    /* @@schema: refused where the database has none; each schema made before its tables */
    for (size_t i = 0; i < n && rc == SINEW_OK; i++) {
        const sinew_model *m = s->models[i];
        if ((rc = sn_sql_schema_refused(db->dialect, m)) || !m->db_schema) continue;
        int seen = 0;
        for (size_t k = 0; k < i && !seen; k++)
            seen = s->models[k]->db_schema && !strcmp(s->models[k]->db_schema, m->db_schema);
        if (seen) continue;
        sn_buf b;
        sn_buf_init(&b);
        sn_sql_create_schema(&b, db->dialect, m->db_schema);
        rc = b.failed ? sn_nomem() : sinew_exec(db, sn_buf_cstr(&b));
        sn_buf_free(&b);
    }
    size_t created = 0;
    while (created < n && rc == SINEW_OK) {
        int progress = 0;
        for (size_t i = 0; i < n && rc == SINEW_OK; i++) {
            if (done[i]) continue;
            const sinew_model *m = s->models[i];
            int ready = 1;
            for (size_t r = 0; r < m->nrelations && ready; r++) {
                const sinew_relation *rel = &m->relations[r];
                if (rel->kind != SINEW_BELONGS_TO || rel->target == m) continue;
                for (size_t j = 0; j < n; j++)
                    if (s->models[j] == rel->target && !done[j]) ready = 0;
            }
            if (!ready) continue;
            rc = create_one(db, m, !defer);
            done[i] = 1;
            order[created++] = m;
            progress = 1;
        }
        if (!progress) {   /* cycle: create the rest as declared */
            for (size_t i = 0; i < n && rc == SINEW_OK; i++)
                if (!done[i]) {
                    rc = create_one(db, s->models[i], !defer);
                    done[i] = 1;
                    order[created++] = s->models[i];
                }
        }
    }
    /* @@distribute / @@reference once every table and key exists, referenced tables first
       (a no-op where the dialect's distribution extension is not installed) */
    for (size_t i = 0; i < created && rc == SINEW_OK; i++) {
        sn_buf b;
        sn_buf_init(&b);
        if (sn_sql_distribute(&b, db->dialect, NULL, order[i])) rc = exec_script(db, &b);
        sn_buf_free(&b);
    }
    for (size_t i = 0; defer && i < created && rc == SINEW_OK; i++)
        for (size_t r = 0; r < order[i]->nrelations && rc == SINEW_OK; r++) {
            if (order[i]->relations[r].kind != SINEW_BELONGS_TO) continue;
            sn_buf b;
            sn_buf_init(&b);
            sn_sql_add_fk(&b, db->dialect, order[i], &order[i]->relations[r]);
            rc = b.failed ? sn_nomem() : sinew_exec(db, sn_buf_cstr(&b));
            sn_buf_free(&b);
        }
    sn_free(done);
    sn_free(order);
    return rc;
}
