/*
 * runner.c - applies and rolls back migrations, and reports their status.
 *
 * Each migration runs in its own transaction (one with `-- sinew:
 * no-transaction` steps, online.h, is run step by step instead, as where DDL
 * is not transactional: steps.c). The runner takes the lock
 * first (the transaction's BEGIN where it serialises writers, as SQLite's
 * BEGIN IMMEDIATE does; else the dialect's advisory lock, PostgreSQL's
 * pg_advisory_xact_lock), then reads sinew_migrations, so two runners
 * started together apply every migration exactly once: the second one
 * waits, then sees the first one's work. Before anything runs, every
 * applied migration's checksum is compared with its file (an edited
 * applied migration is an error naming the file), and the order on disk is
 * checked for branch conflicts. Where the dialect says so (SQLite),
 * foreign-key enforcement is off during a migration (the copy-and-swap
 * rebuild needs that) and its foreign-key check runs before COMMIT. All
 * of it is asked of the connection's dialect, never of the backend's name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "migrate/files.h"
#include "migrate/online.h"
#include "migrate/steps.h"
#include "orm/orm.h"
#include "sinew/migrate.h"

/* advisory lock key, fixed for sinew; PostgreSQL's migration_lock_query (src/sql/dialect.c) takes the
   same one, 126875035658611, for a migration with no-transaction steps */
#define SN_MIG_LOCK_KEY INT64_C(0x7364656e6973)

typedef struct applied {
    char **name, **sum, **at;
    size_t n;
} applied;

static void applied_free(applied *a)
{
    for (size_t i = 0; i < a->n; i++) { sn_free(a->name[i]); sn_free(a->sum[i]); sn_free(a->at[i]); }
    sn_free(a->name);
    sn_free(a->sum);
    sn_free(a->at);
    memset(a, 0, sizeof *a);
}

/* Run or start one statement rendered by `render` for the connection's dialect. */
typedef void render_fn(sn_buf *out, const sinew_dialect *d);

static int exec_rendered(sinew_db *db, render_fn *render)
{
    sn_buf b;
    sn_buf_init(&b);
    render(&b, db->dialect);
    int rc = b.failed ? sn_nomem() : sinew_exec(db, sn_buf_cstr(&b));
    sn_buf_free(&b);
    return rc;
}

/* The statement's text is in *sql, which the execution reads until sn_exec_end: the caller frees
   it after that (also when this fails). */
static int start_rendered(sn_exec *x, sinew_db *db, render_fn *render, sn_buf *sql)
{
    sn_buf_init(sql);
    render(sql, db->dialect);
    return sql->failed ? sn_nomem() : sn_exec_start(x, db, sn_buf_cstr(sql));
}

static int ensure_table(sinew_db *db) { return exec_rendered(db, sn_sql_migrations_table); }

/* *exists: the migrations table is there (the dialect's query); a dialect without that query
   gets the table made, as before (driver interface version 8) */
static int migrations_exist(sinew_db *db, int *exists)
{
    *exists = 1;
    const char *q = db->dialect->migrations_exist_query;
    if (!q) return ensure_table(db);
    sn_exec x;
    int rc = sn_exec_start(&x, db, q);
    if (rc) return rc;
    rc = sn_exec_step(&x);
    if (rc == SINEW_ROW) {
        *exists = x.drv->column_i64(x.stmt, 0) != 0;
        rc = SINEW_OK;
    } else if (rc == SINEW_DONE) {
        rc = sinew_error_set(SINEW_INTERNAL, "the query for the migrations table returned no row");
    }
    sn_exec_end(&x);
    return rc;
}

/* the file of a migration is chosen by dialect: up.<dialect>.sql, else up.sql */
static const char *dialect_name(sinew_db *db) { return db->dialect->name; }

static const char *col(sn_exec *x, int i)
{
    size_t n;
    if (x->drv->column_storage(x->stmt, i) == SINEW_STORAGE_NULL) return "";
    const char *s = x->drv->column_text(x->stmt, i, &n);
    return s ? s : "";
}

static int read_applied(sinew_db *db, applied *out)
{
    memset(out, 0, sizeof *out);
    sn_exec x;
    sn_buf sql;
    int rc = start_rendered(&x, db, sn_sql_migrations_select, &sql);
    if (rc) { sn_buf_free(&sql); return rc; }
    size_t cap = 0;
    while ((rc = sn_exec_step(&x)) == SINEW_ROW) {
        if (out->n == cap) {
            cap = cap ? cap * 2 : 16;
            char **a = sn_realloc(out->name, cap * sizeof *a);
            if (a) out->name = a;
            char **b = a ? sn_realloc(out->sum, cap * sizeof *b) : NULL;
            if (b) out->sum = b;
            char **c = b ? sn_realloc(out->at, cap * sizeof *c) : NULL;
            if (c) out->at = c;
            if (!c) { rc = sn_nomem(); break; }
        }
        out->name[out->n] = sn_strdup(col(&x, 0));
        out->sum[out->n] = sn_strdup(col(&x, 1));
        out->at[out->n] = sn_strdup(col(&x, 2));
        out->n++;
        if (!out->name[out->n - 1] || !out->sum[out->n - 1] || !out->at[out->n - 1]) { rc = sn_nomem(); break; }
    }
    sn_exec_end(&x);
    sn_buf_free(&sql);
    if (rc == SINEW_DONE) return SINEW_OK;
    applied_free(out);
    return rc;
}

static int find_applied(const applied *a, const char *name)
{
    for (size_t i = 0; i < a->n; i++) if (strcmp(a->name[i], name) == 0) return (int)i;
    return -1;
}

static int begin(sinew_db *db);

/*
 * The lock by trying it (the dialect's xact_try_lock_query): while another runner holds it, the
 * transaction is rolled back and tried again after a pause with none open, so that a CREATE INDEX
 * CONCURRENTLY of the holder, which waits for every older transaction, is never waiting for this
 * one (a deadlock). Waits as long as MariaDB's GET_LOCK does, a day.
 */
static int try_lock_polled(sinew_db *db)
{
    const char *q = db->dialect->xact_try_lock_query;
    for (long waited = 0, pause = 10;; waited += pause, pause = pause < 500 ? pause * 2 : 500) {
        sn_exec x;
        int rc = sn_exec_start(&x, db, q);
        if (rc) return rc;
        rc = sn_exec_step(&x);
        size_t n;
        int got = rc == SINEW_ROW && x.drv->column_storage(x.stmt, 0) != SINEW_STORAGE_NULL &&
                  !strcmp(x.drv->column_text(x.stmt, 0, &n), "1");
        sn_exec_end(&x);
        if (rc != SINEW_ROW) return rc == SINEW_DONE ? sinew_error_set(SINEW_INTERNAL, "migrate: %s gave no row", q) : rc;
        if (got) return SINEW_OK;
        if (waited > 86400000L)
            return sinew_error_set(SINEW_BUSY, "migrate: another runner has held the migration lock for a day; "
                                   "nothing was run");
        sinew_rollback(db);
        struct timespec ts = {pause / 1000, (pause % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        if ((rc = begin(db))) return rc;
    }
}

/* Lock, make sure the table exists, read what is applied. Called inside the transaction. */
static int lock_and_read(sinew_db *db, applied *a)
{
    int rc = SINEW_OK;
    sn_buf lock;
    sn_buf_init(&lock);
    if (db->dialect->xact_try_lock_query)
        rc = try_lock_polled(db);
    else if (sn_sql_xact_lock(&lock, db->dialect, SN_MIG_LOCK_KEY))
        rc = lock.failed ? sn_nomem() : sinew_exec(db, sn_buf_cstr(&lock));
    sn_buf_free(&lock);
    if (!rc) rc = ensure_table(db);
    if (!rc) rc = read_applied(db, a);
    return rc;
}

/* Every applied migration's file is unchanged, and nothing pending sits before an applied one. */
static int verify(sinew_db *db, const sn_migset *s, const applied *a, const char *dir)
{
    int rc = sn_mig_check_order(s, dir);
    if (rc) return rc;
    int seen_pending = -1;
    for (size_t i = 0; i < s->n; i++) {
        int k = find_applied(a, s->v[i].name);
        if (k < 0) { if (seen_pending < 0) seen_pending = (int)i; continue; }
        if (seen_pending >= 0)
            return sinew_error_set(SINEW_CONFLICT,
                "migration %s is not applied but the later %s is (made on another branch?): run "
                "`sinew migrate renumber --dir %s` to move %s after the applied ones",
                s->v[seen_pending].name, s->v[i].name, dir, s->v[seen_pending].name);
        char *text, *path;
        rc = sn_mig_sql(&s->v[i], dialect_name(db), 1, &text, &path);
        if (rc) return rc;
        char sum[17];
        sn_mig_checksum(text, sum);
        sn_free(text);
        if (strcmp(sum, a->sum[k]) != 0) {
            rc = sinew_error_set(SINEW_CONFLICT,
                "%s was changed after it was applied (checksum %s, applied as %s): restore it (git checkout) "
                "and put the change in a new migration", path, sum, a->sum[k]);
            sn_free(path);
            return rc;
        }
        sn_free(path);
    }
    return SINEW_OK;
}

/* The dialect's check for foreign keys a migration broke (with enforcement off), if it has one. */
static int fk_check(sinew_db *db, const char *mig)
{
    const char *q = db->dialect->fk_violations_query;
    if (!q) return SINEW_OK;
    sn_exec x;
    int rc = sn_exec_start(&x, db, q);
    if (rc) return rc;
    rc = sn_exec_step(&x);
    if (rc == SINEW_ROW) {
        char table[128], parent[128];
        snprintf(table, sizeof table, "%s", col(&x, 0));
        snprintf(parent, sizeof parent, "%s", col(&x, 2));
        sn_exec_end(&x);
        return sinew_error_set(SINEW_CONSTRAINT, "migration %s leaves rows of %s whose foreign key finds no row "
                               "in %s (%s); nothing was applied", mig, table, parent, q);
    }
    sn_exec_end(&x);
    return rc == SINEW_DONE ? SINEW_OK : rc;
}

static void now_text(char buf[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%d %H:%M:%S", &tm);
}

/* Run the statements of one file; a failure names the migration, the file, the line and the statement. */
static int run_sql(sinew_db *db, const sn_mig *m, const char *path, const char *text)
{
    sn_stmts st;
    int rc = sn_split_sql(text, &st);
    if (rc) return rc;
    for (size_t i = 0; i < st.n && !rc; i++) {
        rc = sinew_exec(db, st.v[i]);
        if (rc) {
            sinew_error saved = *sinew_last_error();
            sinew_error_set(rc, "migration %s failed at %s:%d, statement %zu: %.160s%s: %s; the database is "
                            "left as it was before %s", m->name, path, st.line[i], i + 1, st.v[i],
                            strlen(st.v[i]) > 160 ? "..." : "", saved.message, m->name);
            /* the SQLSTATE stays: a lock timeout is retried (online.h) */
            sinew_error_detail(saved.db_code, saved.sqlstate, saved.table, saved.column, saved.constraint);
        }
    }
    sn_stmts_free(&st);
    return rc;
}

/* The `-- sinew:` directives of a migration file (online.h), refused where the dialect cannot do them. */
static int read_online(sinew_db *db, const char *text, const char *path, sn_mig_online *on)
{
    sn_stmts st;
    int rc = sn_split_sql(text, &st);
    if (rc) return rc;
    rc = sn_mig_online_read(text, path, &st, on);
    sn_stmts_free(&st);
    if (!rc && (rc = sn_mig_online_supported(db, on, path))) sn_mig_online_free(on);
    return rc;
}

/* Begin a migration transaction (foreign-key enforcement off first where the dialect needs it). */
static int begin(sinew_db *db)
{
    if (db->dialect->fk_enforcement_off) {
        int rc = sinew_exec(db, db->dialect->fk_enforcement_off);
        if (rc) return rc;
    }
    return sinew_begin(db);
}

static int finish(sinew_db *db, int rc)
{
    if (rc) {
        sinew_error saved = *sinew_last_error();
        if (sinew_tx_depth(db)) sinew_rollback(db);
        *sn_error_mut() = saved;
    } else {
        rc = sinew_commit(db);
    }
    if (db->dialect->fk_enforcement_on) {
        sinew_error saved = *sinew_last_error();
        sinew_exec(db, db->dialect->fk_enforcement_on);
        *sn_error_mut() = saved;
    }
    return rc;
}

static int record_applied(sinew_db *db, const sn_mig *m, const char *text);

typedef struct rec_ctx { const sn_mig *m; const char *text; } rec_ctx;

static int record_up(sinew_db *db, void *ctx)
{
    const rec_ctx *r = ctx;
    return record_applied(db, r->m, r->text);
}

static int record_down(sinew_db *db, void *ctx)
{
    const rec_ctx *r = ctx;
    sn_exec x;
    sn_buf sql;
    int rc = start_rendered(&x, db, sn_sql_migrations_delete, &sql);
    if (!rc) {
        sinew_value v = sinew_v_text(r->m->name);
        rc = sn_exec_bind(&x, 0, &v);
        if (!rc) rc = sn_exec_step(&x);
        if (rc == SINEW_DONE) rc = SINEW_OK;
        sn_exec_end(&x);
    }
    sn_buf_free(&sql);
    return rc;
}

/*
 * Before migration m runs, where the database refuses a name longer than it keeps (MariaDB's 64
 * bytes) rather than cutting it: the names of the schema the migration leads to (its snapshot) are
 * checked, so that a migration made for another dialect fails here, saying which name to shorten,
 * and not half-way through its DDL, which is not transactional there. A migration without a
 * snapshot (written by hand) is not checked.
 */
static int check_names(sinew_db *db, const sn_mig *m)
{
    if (!db->dialect->long_idents_refused) return SINEW_OK;
    char snap[4200];
    snprintf(snap, sizeof snap, "%s/schema.sinew", m->path);
    if (access(snap, R_OK) != 0) return SINEW_OK;
    sinew_schema *g = NULL;
    int rc = sn_mig_load_snapshot(snap, &g);
    if (!rc) rc = sn_sql_check_names(db->dialect, g, snap, "; then make the migration again");
    sinew_schema_free(g);
    return rc;
}

/*
 * Where DDL is not transactional: under the session lock, outside any transaction, statement by
 * statement (steps.c). up: the migration `target`; down: the newest applied one (not past `to`).
 */
static int stepwise_one(sinew_db *db, const char *dir, const sn_mig *target, int up, int to, int *did, char name[256])
{
    *did = 0;
    if (name) name[0] = '\0';
    int rc = sn_mig_steps_lock(db);
    if (rc) return rc;
    applied a;
    sn_migset s = {0};
    char *text = NULL, *path = NULL;
    rc = read_applied(db, &a);
    if (rc) { sn_mig_steps_unlock(db); return rc; }
    rc = sn_mig_scan(dir, &s);
    if (!rc) rc = verify(db, &s, &a, dir);
    const sn_mig *m = up ? target : NULL;
    if (!rc && !up) {
        for (size_t i = s.n; i-- > 0;)
            if (find_applied(&a, s.v[i].name) >= 0) { m = &s.v[i]; break; }
        if (a.n && !m)
            rc = sinew_error_set(SINEW_NOTFOUND, "the database records migrations that are not in %s (%s ...): "
                                 "cannot roll them back without their down SQL", dir, a.name[a.n - 1]);
        if (m && !(to < 0 || m->number > to)) m = NULL;
    }
    if (!rc && m && (up ? find_applied(&a, m->name) < 0 : 1)) {
        if (up) rc = check_names(db, m);
        if (!rc) rc = sn_mig_sql(m, dialect_name(db), up, &text, &path);
        rec_ctx r = {m, text};
        sn_mig_online on = {0};
        if (!rc) rc = read_online(db, text, path, &on);
        if (!rc) rc = sn_mig_steps_run(db, m, path, text, up, &on, up ? record_up : record_down, &r);
        sn_mig_online_free(&on);
        if (!rc) {
            *did = 1;
            if (name) snprintf(name, 256, "%s", m->name);
        }
    } else if (!rc) {
        /* nothing to do here: but an interrupted run of another direction is not to be left behind */
        char *pn = NULL;
        int pup = 0, pdone = 0;
        rc = sn_mig_steps_pending(db, &pn, &pup, &pdone);
        /* going up, an interrupted run of a pending migration is finished when the loop reaches it */
        if (!rc && pn && (!up || !pup))
            rc = sinew_error_set(SINEW_CONFLICT, "migration %s was being %s when it was interrupted (%d statement%s "
                                 "done): run `sinew migrate %s` to finish it", pn, pup ? "applied" : "rolled back",
                                 pdone, pdone == 1 ? "" : "s", pup ? "up" : "down");
        sn_free(pn);
    }
    sn_free(text);
    sn_free(path);
    applied_free(&a);
    sn_migset_free(&s);
    sn_mig_steps_unlock(db);
    return rc;
}

/* One migration in one transaction; *retries / *alone get what its file says (online.h). */
static int apply_tx(sinew_db *db, const char *dir, const sn_mig *target, int *did, int *retries, int *alone)
{
    *did = 0;
    int rc = begin(db);
    if (rc) return rc;
    applied a;
    sn_migset s = {0};
    char *text = NULL, *path = NULL;
    rc = lock_and_read(db, &a);
    if (rc) return finish(db, rc);
    rc = sn_mig_scan(dir, &s);
    if (!rc) rc = verify(db, &s, &a, dir);
    if (!rc && find_applied(&a, target->name) < 0) {
        rc = check_names(db, target);
        if (!rc) rc = sn_mig_sql(target, dialect_name(db), 1, &text, &path);
        sn_mig_online on = {0};
        if (!rc) rc = read_online(db, text, path, &on);
        if (!rc) {
            *retries = on.retries;
            *alone = on.nnotx > 0;
        }
        if (!rc && !*alone) rc = sn_mig_online_set_local(db, &on);
        sn_mig_online_free(&on);
        if (!rc && !*alone) rc = run_sql(db, target, path, text);
        if (!rc && !*alone) rc = fk_check(db, target->name);
        if (!rc && !*alone) {
            char sum[17], at[32];
            sn_mig_checksum(text, sum);
            now_text(at);
            sn_exec x;
            sn_buf sql;
            rc = start_rendered(&x, db, sn_sql_migrations_insert, &sql);
            if (!rc) {
                sinew_value v[3] = {sinew_v_text(target->name), sinew_v_text(sum), sinew_v_text(at)};
                for (int i = 0; i < 3 && !rc; i++) rc = sn_exec_bind(&x, i, &v[i]);
                if (!rc) rc = sn_exec_step(&x);
                if (rc == SINEW_DONE) rc = SINEW_OK;
                sn_exec_end(&x);
            }
            sn_buf_free(&sql);
        }
        if (!rc && !*alone) *did = 1;
    }
    sn_free(text);
    sn_free(path);
    applied_free(&a);
    sn_migset_free(&s);
    return finish(db, rc);
}

/*
 * Apply one migration: in one transaction, run again after a lock timeout as often as its file
 * says; a migration with no-transaction steps step by step instead, under the session lock.
 */
static int apply_one(sinew_db *db, const char *dir, const sn_mig *target, int *did)
{
    if (sn_mig_stepwise(db)) return stepwise_one(db, dir, target, 1, 0, did, NULL);
    int rc;
    for (int attempt = 0;; attempt++) {
        int retries = 0, alone = 0;
        rc = apply_tx(db, dir, target, did, &retries, &alone);
        if (!rc && alone) return stepwise_one(db, dir, target, 1, 0, did, NULL);
        if (rc && sn_mig_online_lock_timed_out(db) && attempt < retries) {
            sn_mig_online_backoff(attempt + 1);
            continue;
        }
        return rc;
    }
}

static int record_applied(sinew_db *db, const sn_mig *m, const char *text)
{
    char sum[17], at[32];
    sn_mig_checksum(text, sum);
    now_text(at);
    sn_exec x;
    sn_buf sql;
    int rc = start_rendered(&x, db, sn_sql_migrations_insert, &sql);
    if (!rc) {
        sinew_value v[3] = {sinew_v_text(m->name), sinew_v_text(sum), sinew_v_text(at)};
        for (int i = 0; i < 3 && !rc; i++) rc = sn_exec_bind(&x, i, &v[i]);
        if (!rc) rc = sn_exec_step(&x);
        if (rc == SINEW_DONE) rc = SINEW_OK;
        sn_exec_end(&x);
    }
    sn_buf_free(&sql);
    return rc;
}

/*
 * Adopting sinew on an existing database: the migrations up to `to` (0:
 * the first one) are recorded as applied without running them, once the
 * database is shown to be what the snapshot of migration `to` describes
 * (no drift). All in one transaction, under the migration lock; a database
 * with migrations already applied is refused (that one is past adopting).
 */
int sinew_migrate_baseline(sinew_db *db, const char *dir, int to, sinew_migrate_progress *cb, void *ctx,
                           char **report, size_t *ndrift)
{
    if (report) *report = NULL;
    if (ndrift) *ndrift = 0;
    if (!db || !dir) return sinew_error_set(SINEW_MISUSE, "sinew_migrate_baseline: db and dir must not be NULL");
    if (to < 0) return sinew_error_set(SINEW_MISUSE, "sinew_migrate_baseline: to = %d; give a migration number or 0 "
                                       "for the first", to);
    if (sinew_tx_depth(db))
        return sinew_error_set(SINEW_MISUSE, "sinew_migrate_baseline: a transaction is open; migrate outside it");
    int rc = sn_mig_require_dir(dir);
    if (rc) return rc;
    sn_migset s;
    rc = sn_mig_scan(dir, &s);
    if (rc) return rc;
    rc = sn_mig_check_order(&s, dir);
    size_t last = s.n;
    for (size_t i = 0; !rc && i < s.n; i++)
        if (to == 0 ? i == 0 : s.v[i].number == to) last = i;
    if (!rc && last == s.n)
        rc = s.n ? sinew_error_set(SINEW_NOTFOUND, "baseline: %s has no migration numbered %d", dir, to)
                 : sinew_error_set(SINEW_NOTFOUND, "baseline: %s holds no migrations: make the first one from the "
                                   "pulled schema (sinew migrate make init --schema FILE)", dir);
    if (rc) { sn_migset_free(&s); return rc; }
    /* where DDL is not transactional, the tables are made and the session lock taken first
       (CREATE TABLE would commit the transaction) */
    int stepwise = sn_mig_stepwise(db);
    if (stepwise && (rc = sn_mig_steps_lock(db))) { sn_migset_free(&s); return rc; }
    rc = begin(db);
    if (rc) { if (stepwise) sn_mig_steps_unlock(db); sn_migset_free(&s); return rc; }
    applied a;
    rc = stepwise ? read_applied(db, &a) : lock_and_read(db, &a);
    if (rc) { rc = finish(db, rc); if (stepwise) sn_mig_steps_unlock(db); sn_migset_free(&s); return rc; }
    if (a.n)
        rc = sinew_error_set(SINEW_CONFLICT, "baseline: the database already has %zu applied migration%s (%s...); "
                             "baseline is for a database sinew has not migrated yet: use migrate up", a.n,
                             a.n == 1 ? "" : "s", a.name[0]);
    sinew_schema *expected = NULL;
    if (!rc) {
        char p[4200];
        snprintf(p, sizeof p, "%s/%s/schema.sinew", dir, s.v[last].name);
        rc = sn_mig_load_snapshot(p, &expected);
    }
    size_t nd = 0;
    char *rep = NULL;
    if (!rc) rc = sn_migrate_check_graph(db, expected, &rep, &nd);
    sinew_schema_free(expected);
    if (!rc && nd)
        rc = sinew_error_set(SINEW_CONFLICT, "baseline: the database differs from %s/%s/schema.sinew in %zu place%s "
                             "(listed); nothing was recorded: make the schema describe the database (or change the "
                             "database), then make the migration again", dir, s.v[last].name, nd, nd == 1 ? "" : "s");
    for (size_t i = 0; !rc && i <= last; i++) {
        char *text = NULL, *path = NULL;
        rc = sn_mig_sql(&s.v[i], dialect_name(db), 1, &text, &path);
        if (!rc) rc = record_applied(db, &s.v[i], text);
        sn_free(text);
        sn_free(path);
    }
    applied_free(&a);
    rc = finish(db, rc);
    if (stepwise) sn_mig_steps_unlock(db);
    for (size_t i = 0; !rc && cb && i <= last; i++) cb(ctx, s.v[i].name, 1, 0.0);
    sn_migset_free(&s);
    if (ndrift) *ndrift = nd;
    if (report) *report = rep;
    else sn_free(rep);
    return rc;
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int sinew_migrate_up_report(sinew_db *db, const char *dir, int to, sinew_migrate_progress *cb, void *ctx)
{
    if (!db || !dir) return sinew_error_set(SINEW_MISUSE, "sinew_migrate_up: db and dir must not be NULL");
    if (to < 0) return sinew_error_set(SINEW_MISUSE, "sinew_migrate_up: to = %d; give a migration number or 0 for all", to);
    if (sinew_tx_depth(db))
        return sinew_error_set(SINEW_MISUSE, "sinew_migrate_up: a transaction is open; migrate outside it");
    int rc = sn_mig_require_dir(dir);
    if (rc) return rc;
    sn_migset s;
    rc = sn_mig_scan(dir, &s);
    if (rc) return rc;
    rc = sn_mig_check_order(&s, dir);
    for (size_t i = 0; i < s.n && !rc; i++) {
        if (to > 0 && s.v[i].number > to) break;
        int did;
        double t0 = seconds_now();
        rc = apply_one(db, dir, &s.v[i], &did);
        if (!rc && did && cb) cb(ctx, s.v[i].name, 1, seconds_now() - t0);
    }
    sn_migset_free(&s);
    return rc;
}

int sinew_migrate_up_to(sinew_db *db, const char *dir, int to) { return sinew_migrate_up_report(db, dir, to, NULL, NULL); }

int sinew_migrate_up(sinew_db *db, const char *dir) { return sinew_migrate_up_to(db, dir, 0); }

static int revert_tx(sinew_db *db, const char *dir, int to, int *did, char name[256], int *retries, int *alone)
{
    *did = 0;
    name[0] = '\0';
    int rc = begin(db);
    if (rc) return rc;
    applied a;
    sn_migset s = {0};
    char *text = NULL, *path = NULL;
    rc = lock_and_read(db, &a);
    if (rc) return finish(db, rc);
    rc = sn_mig_scan(dir, &s);
    if (!rc) rc = verify(db, &s, &a, dir);
    /* the newest applied migration */
    const sn_mig *m = NULL;
    for (size_t i = s.n; !rc && i-- > 0;)
        if (find_applied(&a, s.v[i].name) >= 0) { m = &s.v[i]; break; }
    if (!rc && a.n && !m) {
        rc = sinew_error_set(SINEW_NOTFOUND, "the database records migrations that are not in %s (%s ...): "
                             "cannot roll them back without their down SQL", dir, a.name[a.n - 1]);
    }
    if (!rc && m && (to < 0 || m->number > to)) {
        rc = sn_mig_sql(m, dialect_name(db), 0, &text, &path);
        sn_mig_online on = {0};
        if (!rc) rc = read_online(db, text, path, &on);
        if (!rc) {
            *retries = on.retries;
            *alone = on.nnotx > 0;
        }
        if (!rc && !*alone) rc = sn_mig_online_set_local(db, &on);
        sn_mig_online_free(&on);
        if (!rc && !*alone) rc = run_sql(db, m, path, text);
        if (!rc && !*alone) rc = fk_check(db, m->name);
        if (!rc && !*alone) {
            sn_exec x;
            sn_buf sql;
            rc = start_rendered(&x, db, sn_sql_migrations_delete, &sql);
            if (!rc) {
                sinew_value v = sinew_v_text(m->name);
                rc = sn_exec_bind(&x, 0, &v);
                if (!rc) rc = sn_exec_step(&x);
                if (rc == SINEW_DONE) rc = SINEW_OK;
                sn_exec_end(&x);
            }
            sn_buf_free(&sql);
        }
        if (!rc && !*alone) {
            *did = 1;
            snprintf(name, 256, "%s", m->name);
        }
    }
    sn_free(text);
    sn_free(path);
    applied_free(&a);
    sn_migset_free(&s);
    return finish(db, rc);
}

static int revert_one(sinew_db *db, const char *dir, int to, int *did, char name[256])
{
    if (sn_mig_stepwise(db)) return stepwise_one(db, dir, NULL, 0, to, did, name);
    int rc;
    for (int attempt = 0;; attempt++) {
        int retries = 0, alone = 0;
        rc = revert_tx(db, dir, to, did, name, &retries, &alone);
        if (!rc && alone) return stepwise_one(db, dir, NULL, 0, to, did, name);
        if (rc && sn_mig_online_lock_timed_out(db) && attempt < retries) {
            sn_mig_online_backoff(attempt + 1);
            continue;
        }
        return rc;
    }
}

int sinew_migrate_down_report(sinew_db *db, const char *dir, int to, sinew_migrate_progress *cb, void *ctx)
{
    if (!db || !dir) return sinew_error_set(SINEW_MISUSE, "sinew_migrate_down: db and dir must not be NULL");
    if (to < -1)
        return sinew_error_set(SINEW_MISUSE, "sinew_migrate_down: to = %d; give a migration number, 0 for all "
                               "or -1 for the newest one", to);
    if (sinew_tx_depth(db))
        return sinew_error_set(SINEW_MISUSE, "sinew_migrate_down: a transaction is open; migrate outside it");
    int did = 1, rc = sn_mig_require_dir(dir);
    while (did && !rc) {
        char name[256];
        double t0 = seconds_now();
        rc = revert_one(db, dir, to, &did, name);
        if (!rc && did && cb) cb(ctx, name, 0, seconds_now() - t0);
        if (to < 0) break;
    }
    return rc;
}

int sinew_migrate_down(sinew_db *db, const char *dir, int to) { return sinew_migrate_down_report(db, dir, to, NULL, NULL); }

int sinew_migrate_status(sinew_db *db, const char *dir, sinew_migration_status **out, size_t *count)
{
    if (!db || !dir || !out || !count)
        return sinew_error_set(SINEW_MISUSE, "sinew_migrate_status: arguments must not be NULL");
    *out = NULL;
    *count = 0;
    applied a;
    sn_migset s;
    int rc = sn_mig_require_dir(dir);
    if (rc) return rc;
    /* status only reads: a database without the table has nothing recorded, and keeps no table */
    int exists = 1;
    rc = migrations_exist(db, &exists);
    if (rc) return rc;
    if (exists) rc = read_applied(db, &a);
    else memset(&a, 0, sizeof a);
    if (rc) return rc;
    rc = sn_mig_scan(dir, &s);
    if (rc) { applied_free(&a); return rc; }
    size_t n = s.n + a.n;
    sinew_migration_status *v = sn_calloc(n ? n : 1, sizeof *v);
    if (!v) rc = sn_nomem();
    size_t k = 0;
    for (size_t i = 0; !rc && i < s.n; i++) {
        sinew_migration_status *e = &v[k++];
        e->name = sn_strdup(s.v[i].name);
        e->number = s.v[i].number;
        int j = find_applied(&a, s.v[i].name);
        if (j >= 0) {
            e->applied = 1;
            e->applied_at = sn_strdup(a.at[j]);
            char *text;
            int r = sn_mig_sql(&s.v[i], dialect_name(db), 1, &text, NULL);
            if (r == SINEW_OK) {
                char sum[17];
                sn_mig_checksum(text, sum);
                e->modified = strcmp(sum, a.sum[j]) != 0;
                sn_free(text);
            } else if (r == SINEW_INVALID) {
                e->modified = 1;          /* no longer text (a NUL byte): changed since, whatever it was */
            }
        }
    }
    for (size_t j = 0; !rc && j < a.n; j++) {
        int found = 0;
        for (size_t i = 0; i < s.n; i++) if (!strcmp(s.v[i].name, a.name[j])) found = 1;
        if (found) continue;
        sinew_migration_status *e = &v[k++];
        e->name = sn_strdup(a.name[j]);
        e->number = atoi(a.name[j]);
        e->applied = 1;
        e->missing = 1;
        e->applied_at = sn_strdup(a.at[j]);
    }
    sinew_clear_error();
    applied_free(&a);
    sn_migset_free(&s);
    if (rc) { sinew_migrate_status_free(v, k); return rc; }
    *out = v;
    *count = k;
    return SINEW_OK;
}

void sinew_migrate_status_free(sinew_migration_status *st, size_t count)
{
    for (size_t i = 0; st && i < count; i++) { sn_free(st[i].name); sn_free(st[i].applied_at); }
    sn_free(st);
}
