/*
 * steps.c - a migration statement by statement, where DDL is not
 * transactional (the dialect's ddl_in_transaction is 0: MariaDB / MySQL
 * commit every CREATE / ALTER / DROP at once, so a migration cannot be one
 * transaction).
 *
 * The runner holds the dialect's session lock (GET_LOCK) throughout, so two
 * runners never interleave. A row of sinew_migrations_progress says which
 * migration is under way, in which direction, how many of its statements
 * are done and the checksum of those statements. Each statement is one
 * step, recorded so that a run killed at any moment is finished by the next
 * one, each statement taking effect exactly once:
 *  - a data statement (anything but CREATE, ALTER, DROP, RENAME, TRUNCATE)
 *    runs in a transaction with the update of its step: both or neither;
 *  - a DDL statement cannot share a transaction with anything, but MariaDB
 *    applies each one atomically (10.6+: crash-safe DDL), and it changes the
 *    schema: the step first records the schema's fingerprint (the dialect's
 *    schema_fingerprint_query) as pending, then runs the statement, then
 *    records it done. A run that finds a pending fingerprint compares it
 *    with the schema now: different, the statement took effect (recorded
 *    done, not run again); equal, it did not (run it). A DDL statement that
 *    changes no schema object (TRUNCATE, a no-op ALTER) is run again then,
 *    which has the same effect as running it once.
 *  - when every statement is done, the migration's sinew_migrations row is
 *    written (or deleted, going down) and the progress row removed in one
 *    transaction.
 * A statement that fails (an SQL error, not a crash) leaves the ones before
 * it applied and recorded; the run may then go on from the failed statement
 * once the file is fixed, as long as the statements already done are
 * unchanged (their checksum is compared). *
 * The same record serves a migration with no-transaction steps where DDL is
 * transactional (PostgreSQL: `-- sinew: no-transaction` before CREATE INDEX
 * CONCURRENTLY, online.h). There the statements between two such steps run
 * as one transaction together with the update of their progress (both or
 * neither), and each no-transaction step is a DDL step as above, under the
 * dialect's session lock and schema fingerprint. An INVALID index of the
 * name a CREATE INDEX CONCURRENTLY step builds (left by a killed or failed
 * build) is dropped before the step runs again; the fingerprint leaves
 * INVALID indexes out, so such a step counts as not done. On MariaDB the
 * marker changes nothing: every DDL statement there runs alone already.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "migrate/online.h"
#include "migrate/steps.h"

int sn_mig_stepwise(const sinew_db *db) { return !db->dialect->ddl_in_transaction; }

typedef void render_fn(sn_buf *out, const sinew_dialect *d);

static const char *col(sn_exec *x, int i)
{
    size_t n;
    if (x->drv->column_storage(x->stmt, i) == SINEW_STORAGE_NULL) return NULL;
    return x->drv->column_text(x->stmt, i, &n);
}

/* run a rendered statement with n text parameters (NULL binds NULL) */
static int run(sinew_db *db, render_fn *render, const char *const *args, size_t n)
{
    sn_buf sql;
    sn_buf_init(&sql);
    render(&sql, db->dialect);
    if (sql.failed) { sn_buf_free(&sql); return sn_nomem(); }
    sn_exec x;
    int rc = sn_exec_start(&x, db, sn_buf_cstr(&sql));
    if (rc) { sn_buf_free(&sql); return rc; }
    for (size_t i = 0; !rc && i < n; i++) {
        sinew_value v = args[i] ? sinew_v_text(args[i]) : sinew_v_null(SINEW_TEXT);
        rc = sn_exec_bind(&x, (int)i, &v);
    }
    if (!rc) rc = sn_exec_step(&x);
    if (rc == SINEW_DONE || rc == SINEW_ROW) rc = SINEW_OK;
    sn_exec_end(&x);
    sn_buf_free(&sql);
    return rc;
}

/* the one text value of a query (NULL for SQL NULL), copied into buf */
static int scalar(sinew_db *db, const char *q, char *buf, size_t cap, int *isnull)
{
    sn_exec x;
    int rc = sn_exec_start(&x, db, q);
    if (rc) return rc;
    rc = sn_exec_step(&x);
    if (rc == SINEW_ROW) {
        const char *v = col(&x, 0);
        *isnull = v == NULL;
        snprintf(buf, cap, "%s", v ? v : "");
        rc = SINEW_OK;
    } else if (rc == SINEW_DONE) {
        rc = sinew_error_set(SINEW_ERROR, "migrate: %.80s returned no row", q);
    }
    sn_exec_end(&x);
    return rc;
}

int sn_mig_steps_lock(sinew_db *db)
{
    const char *q = db->dialect->migration_lock_query;
    if (q) {
        char v[32];
        int isnull = 0;
        int rc = scalar(db, q, v, sizeof v, &isnull);
        if (rc) return rc;
        /* a try (xact_try_lock_query given): polled, no transaction open while it waits (runner.c says why) */
        for (long waited = 0, pause = 10; db->dialect->xact_try_lock_query && !isnull && strcmp(v, "1") != 0 &&
                                          waited <= 86400000L; waited += pause, pause = pause < 500 ? pause * 2 : 500) {
            struct timespec ts = {pause / 1000, (pause % 1000) * 1000000L};
            nanosleep(&ts, NULL);
            if ((rc = scalar(db, q, v, sizeof v, &isnull))) return rc;
        }
        if (isnull || strcmp(v, "1") != 0)
            return sinew_error_set(SINEW_BUSY, "migrate: another runner holds the migration lock (%s gave %s); "
                                   "nothing was run: try again when it is done", q, isnull ? "NULL" : v);
    }
    int rc = run(db, sn_sql_migrations_table, NULL, 0);
    if (!rc) rc = run(db, sn_sql_migrations_progress_table, NULL, 0);
    if (rc) sn_mig_steps_unlock(db);
    return rc;
}

void sn_mig_steps_unlock(sinew_db *db)
{
    const char *q = db->dialect->migration_unlock_query;
    if (!q) return;
    sinew_error saved = *sinew_last_error();
    char v[32];
    int isnull;
    scalar(db, q, v, sizeof v, &isnull);
    *sn_error_mut() = saved;
}

typedef struct progress {
    int found, up;
    long done;
    char name[256], sum[32], fp[512];
    int has_fp;
} progress;

static int read_progress(sinew_db *db, progress *p)
{
    memset(p, 0, sizeof *p);
    sn_buf sql;
    sn_buf_init(&sql);
    sn_sql_migrations_progress_select(&sql, db->dialect);
    if (sql.failed) { sn_buf_free(&sql); return sn_nomem(); }
    sn_exec x;
    int rc = sn_exec_start(&x, db, sn_buf_cstr(&sql));
    if (!rc) {
        rc = sn_exec_step(&x);
        if (rc == SINEW_ROW) {
            p->found = 1;
            snprintf(p->name, sizeof p->name, "%s", col(&x, 0) ? col(&x, 0) : "");
            p->up = col(&x, 1) && !strcmp(col(&x, 1), "up");
            p->done = col(&x, 2) ? strtol(col(&x, 2), NULL, 10) : 0;
            snprintf(p->sum, sizeof p->sum, "%s", col(&x, 3) ? col(&x, 3) : "");
            p->has_fp = col(&x, 4) != NULL;
            snprintf(p->fp, sizeof p->fp, "%s", col(&x, 4) ? col(&x, 4) : "");
            rc = SINEW_OK;
        } else if (rc == SINEW_DONE) {
            rc = SINEW_OK;
        }
        sn_exec_end(&x);
    }
    sn_buf_free(&sql);
    return rc;
}

int sn_mig_steps_pending(sinew_db *db, char **name, int *up, int *done)
{
    *name = NULL;
    progress p;
    int rc = read_progress(db, &p);
    if (rc || !p.found) return rc;
    *up = p.up;
    *done = (int)p.done;
    *name = sn_strdup(p.name);
    return *name ? SINEW_OK : sn_nomem();
}

/* the checksum of the first n statements, as they are recorded done */
static void prefix_sum(const sn_stmts *st, size_t n, char sum[17])
{
    sn_buf b;
    sn_buf_init(&b);
    for (size_t i = 0; i < n; i++) { sn_buf_puts(&b, st->v[i]); sn_buf_puts(&b, "\n;\n"); }
    sn_mig_checksum(b.failed ? "?" : sn_buf_cstr(&b), sum);
    sn_buf_free(&b);
}

static int set_progress(sinew_db *db, const char *name, const sn_stmts *st, size_t done, const char *fp)
{
    char n[32], sum[17];
    snprintf(n, sizeof n, "%zu", done);
    prefix_sum(st, done, sum);
    const char *args[4] = {n, sum, fp, name};
    return run(db, sn_sql_migrations_progress_update, args, 4);
}

/* CREATE, ALTER, DROP, RENAME, TRUNCATE: statements MariaDB commits by themselves */
static int is_ddl(const char *s)
{
    for (;;) {
        while (isspace((unsigned char)*s)) s++;
        if (s[0] == '-' && s[1] == '-') { while (*s && *s != '\n') s++; continue; }
        if (s[0] == '/' && s[1] == '*') {
            const char *e = strstr(s + 2, "*/");
            s = e ? e + 2 : s + strlen(s);
            continue;
        }
        break;
    }
    static const char *const kw[] = {"CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE"};
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++) {
        size_t n = strlen(kw[i]);
        if (!strncasecmp(s, kw[i], n) && !isalnum((unsigned char)s[n]) && s[n] != '_') return 1;
    }
    return 0;
}

static int fingerprint(sinew_db *db, char *buf, size_t cap)
{
    const char *q = db->dialect->schema_fingerprint_query;
    if (!q) return sinew_error_set(SINEW_UNSUPPORTED, "migrate: the %s dialect has no transactional DDL and no "
                                   "schema_fingerprint_query: a migration cannot be resumed safely", db->dialect->name);
    int isnull = 0;
    int rc = scalar(db, q, buf, cap, &isnull);
    if (!rc && isnull) rc = sinew_error_set(SINEW_ERROR, "migrate: the schema fingerprint query returned NULL");
    return rc;
}

static int fail_at(int rc, sinew_db *db, const sn_mig *m, const char *path, const sn_stmts *st, size_t i)
{
    sinew_error saved = *sinew_last_error();
    sinew_error_set(rc, "migration %s failed at %s:%d, statement %zu: %.160s%s: %s; %s, so the %zu statement%s "
                    "before it %s applied and recorded: fix statement %zu (leave the ones before it as they are) and "
                    "run the migration again to go on from it", m->name, path, st->line[i], i + 1, st->v[i],
                    strlen(st->v[i]) > 160 ? "..." : "", saved.message,
                    sn_mig_stepwise(db) ? "this database commits DDL at once" : "the migration has no-transaction steps",
                    i, i == 1 ? "" : "s", i == 1 ? "is" : "are", i + 1);
    sinew_error_detail(saved.db_code, saved.sqlstate, saved.table, saved.column, saved.constraint);
    return rc;
}

/* skip blanks and comments, then one keyword (case-insensitive): the text after it, or NULL */
static const char *keyword(const char *s, const char *kw)
{
    for (;;) {
        while (isspace((unsigned char)*s)) s++;
        if (s[0] == '-' && s[1] == '-') { while (*s && *s != '\n') s++; continue; }
        if (s[0] == '/' && s[1] == '*') {
            const char *e = strstr(s + 2, "*/");
            s = e ? e + 2 : s + strlen(s);
            continue;
        }
        break;
    }
    size_t n = strlen(kw);
    if (strncasecmp(s, kw, n) || isalnum((unsigned char)s[n]) || s[n] == '_') return NULL;
    return s + n;
}

/*
 * The index a CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS] name statement builds, as the
 * catalog spells it (a quoted name as written, a bare one folded to lower case, a schema left
 * off); 0 when the statement is not one (or names no index: the server makes a name up).
 */
static int concurrent_index_name(const char *s, char *name, size_t cap)
{
    if (!(s = keyword(s, "CREATE"))) return 0;
    const char *u = keyword(s, "UNIQUE");
    if (u) s = u;
    if (!(s = keyword(s, "INDEX")) || !(s = keyword(s, "CONCURRENTLY"))) return 0;
    const char *ine = keyword(s, "IF");
    if (ine) {
        if (!(ine = keyword(ine, "NOT")) || !(ine = keyword(ine, "EXISTS"))) return 0;
        s = ine;
    }
    if (keyword(s, "ON")) return 0;
    while (isspace((unsigned char)*s)) s++;
    for (;;) {
        size_t k = 0;
        if (*s == '"') {
            for (s++; *s && !(*s == '"' && s[1] != '"'); s++) {
                if (*s == '"') s++;
                if (k + 1 < cap) name[k++] = *s;
            }
            if (*s) s++;
        } else {
            for (; isalnum((unsigned char)*s) || *s == '_' || *s == '$'; s++)
                if (k + 1 < cap) name[k++] = (char)tolower((unsigned char)*s);
        }
        name[k] = '\0';
        if (*s != '.') return k > 0;
        s++;                       /* schema.name: the name */
    }
}

static int has_row(sinew_db *db, const char *q, const char *arg, int *found)
{
    sn_exec x;
    int rc = sn_exec_start(&x, db, q);
    if (rc) return rc;
    sinew_value v = sinew_v_text(arg);
    rc = sn_exec_bind(&x, 0, &v);
    if (!rc) rc = sn_exec_step(&x);
    *found = rc == SINEW_ROW;
    if (rc == SINEW_ROW || rc == SINEW_DONE) rc = SINEW_OK;
    sn_exec_end(&x);
    return rc;
}

/* before a CREATE INDEX CONCURRENTLY step (again): the INVALID index an earlier attempt left, dropped */
static int clear_invalid_index(sinew_db *db, const char *stmt)
{
    char name[256];
    const char *q = db->dialect->invalid_index_query;
    if (!q || !concurrent_index_name(stmt, name, sizeof name)) return SINEW_OK;
    int found = 0;
    int rc = has_row(db, q, name, &found);
    if (rc || !found) return rc;
    sn_buf b;
    sn_buf_init(&b);
    sn_sql_drop_index_concurrently(&b, db->dialect, name);
    rc = b.failed ? sn_nomem() : sinew_exec(db, sn_buf_cstr(&b));
    sn_buf_free(&b);
    if (rc) {
        sinew_error saved = *sinew_last_error();
        sinew_error_set(rc, "migrate: dropping the INVALID index %s that an interrupted CREATE INDEX CONCURRENTLY "
                        "left: %s", name, saved.message);
    }
    return rc;
}

/* a session setting's value now (for putting it back after a no-transaction step) */
static int setting_now(sinew_db *db, const char *name, char *buf, size_t cap)
{
    sn_buf b;
    sn_buf_init(&b);
    sn_sql_show_setting(&b, db->dialect, name);
    int isnull = 0;
    int rc = b.failed ? sn_nomem() : scalar(db, sn_buf_cstr(&b), buf, cap, &isnull);
    sn_buf_free(&b);
    return rc;
}

static int set_session(sinew_db *db, const char *name, const char *value)
{
    sn_buf b;
    sn_buf_init(&b);
    sn_sql_set_setting(&b, db->dialect, name, 0, value);
    int rc = b.failed ? sn_nomem() : sinew_exec(db, sn_buf_cstr(&b));
    sn_buf_free(&b);
    return rc;
}

/* one no-transaction statement, alone, with the migration's timeouts set around it for the session */
static int run_alone(sinew_db *db, const sn_mig_online *on, const char *stmt)
{
    const char *names[2] = {db->dialect->lock_timeout_setting, db->dialect->statement_timeout_setting};
    long ms[2] = {on ? on->lock_ms : -1, on ? on->stmt_ms : -1};
    char before[2][64];
    int set[2] = {0, 0}, rc = SINEW_OK;
    for (int t = 0; t < 2 && !rc; t++) {
        if (ms[t] < 0 || !names[t]) continue;
        char v[32];
        snprintf(v, sizeof v, "%ldms", ms[t]);
        rc = setting_now(db, names[t], before[t], sizeof before[t]);
        if (!rc) rc = set_session(db, names[t], v);
        if (!rc) set[t] = 1;
    }
    if (!rc) rc = sinew_exec(db, stmt);
    sinew_error saved = *sinew_last_error();
    for (int t = 0; t < 2; t++)
        if (set[t]) set_session(db, names[t], before[t]);
    if (rc) *sn_error_mut() = saved;
    return rc;
}

/*
 * Statements i.. up to the next no-transaction step, where DDL is transactional: one transaction with
 * the update of their progress, run again (from i) after a lock timeout while retries last.
 */
static int run_group(sinew_db *db, const sn_mig *m, const char *path, const sn_stmts *st, const sn_mig_online *on,
                     size_t i, size_t *next)
{
    size_t j = i;
    while (j < st->n && !(on && on->notx[j])) j++;
    *next = j;
    int rc;
    for (int attempt = 0;; attempt++) {
        rc = sinew_begin(db);
        if (rc) return rc;
        if (on) rc = sn_mig_online_set_local(db, on);
        size_t failed = st->n;
        for (size_t k = i; !rc && k < j; k++) {
            rc = sinew_exec(db, st->v[k]);
            if (rc) failed = k;
        }
        if (!rc) rc = set_progress(db, m->name, st, j, NULL);
        if (!rc) rc = sinew_commit(db);
        if (!rc) return SINEW_OK;
        int timed_out = sn_mig_online_lock_timed_out(db);
        sinew_error saved = *sinew_last_error();
        if (sinew_tx_depth(db)) sinew_rollback(db);
        *sn_error_mut() = saved;
        if (timed_out && on && attempt < on->retries) {
            sn_mig_online_backoff(attempt + 1);
            continue;
        }
        return failed < st->n ? fail_at(rc, db, m, path, st, failed) : rc;
    }
}

int sn_mig_steps_run(sinew_db *db, const sn_mig *m, const char *path, const char *text, int up,
                     const sn_mig_online *on, int (*record)(sinew_db *db, void *ctx), void *ctx)
{
    sn_stmts st;
    int rc = sn_split_sql(text, &st);
    if (rc) return rc;
    progress p;
    rc = read_progress(db, &p);
    size_t k = 0, failed = st.n;   /* the statement that failed, if one did */
    int fresh = 0;                 /* this run made the progress row */
    if (!rc && p.found) {
        if (strcmp(p.name, m->name) != 0 || p.up != up) {
            rc = sinew_error_set(SINEW_CONFLICT, "migration %s was being %s when it was interrupted (%ld statement%s "
                                 "done); nothing was run: run `sinew migrate %s` to finish it first", p.name,
                                 p.up ? "applied" : "rolled back", p.done, p.done == 1 ? "" : "s", p.up ? "up" : "down");
        } else {
            char sum[17];
            if ((size_t)p.done <= st.n) prefix_sum(&st, (size_t)p.done, sum);
            if ((size_t)p.done > st.n || strcmp(sum, p.sum) != 0)
                rc = sinew_error_set(SINEW_CONFLICT, "%s was changed in its first %ld statement%s after they ran "
                                     "(an interrupted %s): restore them (git checkout) and run the migration again",
                                     path, p.done, p.done == 1 ? "" : "s", up ? "migrate up" : "migrate down");
            k = (size_t)p.done;
        }
        if (!rc && p.has_fp && k < st.n) {
            /* a DDL statement was started: did it take effect? (an index it left INVALID does not count) */
            char now[512];
            rc = clear_invalid_index(db, st.v[k]);
            if (!rc) rc = fingerprint(db, now, sizeof now);
            if (!rc && strcmp(now, p.fp) != 0) k++;
            if (!rc) rc = set_progress(db, m->name, &st, k, NULL);
        }
    } else if (!rc) {
        char sum[17];
        prefix_sum(&st, 0, sum);
        const char *args[5] = {m->name, up ? "up" : "down", "0", sum, NULL};
        rc = run(db, sn_sql_migrations_progress_insert, args, 5);
        fresh = !rc;
    }
    int transactional = db->dialect->ddl_in_transaction;
    for (size_t i = k; !rc && i < st.n; i++) {
        int alone = transactional && on && on->notx[i];
        if (transactional && !alone) {
            size_t next;
            rc = run_group(db, m, path, &st, on, i, &next);
            i = next - 1;
        } else if (alone || is_ddl(st.v[i])) {
            char fp[512];
            rc = clear_invalid_index(db, st.v[i]);
            if (!rc) rc = fingerprint(db, fp, sizeof fp);
            if (!rc) rc = set_progress(db, m->name, &st, i, fp);
            if (rc) break;
            rc = alone ? run_alone(db, on, st.v[i]) : sinew_exec(db, st.v[i]);
            for (int attempt = 1; rc && alone && sn_mig_online_lock_timed_out(db) && attempt <= on->retries;
                 attempt++) {
                /* a lock timeout: a CONCURRENTLY build leaves an INVALID index, dropped before the next try */
                sn_mig_online_backoff(attempt);
                rc = clear_invalid_index(db, st.v[i]);
                if (!rc) rc = run_alone(db, on, st.v[i]);
            }
            if (rc) {
                /* the statement failed as a whole (atomic DDL): it is to run again */
                sinew_error saved = *sinew_last_error();
                set_progress(db, m->name, &st, i, NULL);
                *sn_error_mut() = saved;
                rc = fail_at(rc, db, m, path, &st, i);
                failed = i;
                break;
            }
            rc = set_progress(db, m->name, &st, i + 1, NULL);
        } else {
            rc = sinew_begin(db);
            if (rc) break;
            rc = sinew_exec(db, st.v[i]);
            if (rc) { rc = fail_at(rc, db, m, path, &st, i); failed = i; }
            if (!rc) rc = set_progress(db, m->name, &st, i + 1, NULL);
            if (!rc) rc = sinew_commit(db);
            if (rc && sinew_tx_depth(db)) {
                sinew_error saved = *sinew_last_error();
                sinew_rollback(db);
                *sn_error_mut() = saved;
            }
        }
    }
    sn_stmts_free(&st);
    if (rc && fresh && failed == 0) {
        /* its first statement failed, as a whole: nothing of the migration took effect, so nothing
           is under way either (a progress row would hold up `migrate down` for a migration that
           never started, and whose file may be deleted now) */
        sinew_error saved = *sinew_last_error();
        const char *args[1] = {m->name};
        run(db, sn_sql_migrations_progress_delete, args, 1);
        *sn_error_mut() = saved;
    }
    if (rc) return rc;
    /* every statement done: the record and the end of the progress row, together */
    rc = sinew_begin(db);
    if (rc) return rc;
    rc = record(db, ctx);
    if (!rc) {
        const char *args[1] = {m->name};
        rc = run(db, sn_sql_migrations_progress_delete, args, 1);
    }
    if (!rc) return sinew_commit(db);
    sinew_error saved = *sinew_last_error();
    sinew_rollback(db);
    *sn_error_mut() = saved;
    return rc;
}
