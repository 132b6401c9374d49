/*
 * postgres.c - the PostgreSQL driver, on libpq.
 *
 * Every statement is a server-side prepared statement (the runtime caches
 * them per connection). Parameters and results travel in text format; the
 * session is set to UTC and ISO dates at connect, so timestamps read back
 * in the form sinew_timestamp_parse() accepts. Errors are mapped from
 * SQLSTATE, with the constraint, table and column PostgreSQL reports.
 *
 * Behind a pooler that hands each transaction (or statement) to another
 * server connection (PgBouncer's transaction mode), nothing may live in the
 * server session: with `?pgbouncer=true` statements are unnamed (parsed,
 * bound and run in one extended-protocol round, PQexecParams) and the
 * timeouts are SET LOCAL inside each transaction ("Poolers" in
 * docs/scaling.md). TimeZone and DateStyle may stay session SETs there:
 * PgBouncer tracks both (they are reported parameters) and sets them again
 * on whichever server connection it hands out. Without `pgbouncer=` in the
 * URL the driver finds such a pooler itself: at connect, a connection whose
 * server backend (pg_backend_pid()) is not the one its startup named
 * (PQbackendPID(): a pooler makes its own up) is treated as pooled, while a
 * port forward, which passes the server's through, is not; and a named
 * statement the server already has (42P05,
 * another client's `sinew_N` on a shared server connection) switches the
 * connection to unnamed statements from then on. `?pgbouncer=false` keeps
 * named statements whatever is found. `?citus=true` makes the
 * timeouts SET LOCAL the same way, so that a Citus coordinator passes them
 * on to its workers.
 *
 * Errors a Citus coordinator relays from a worker carry the shard's names
 * (accounts_email_key_102008), and a constraint violation found during COPY
 * comes as XX000: fail() reads them back to the distributed table's.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "base.h"
#include "sql/dialect.h"
#include "sinew/driver.h"
#include "driver/readers.h"

/* type OIDs (pg_type.h is a server header; these are stable) */
enum { OID_BOOL = 16, OID_BYTEA = 17, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_OID = 26,
       OID_FLOAT4 = 700, OID_FLOAT8 = 701, OID_NUMERIC = 1700 };

struct sinew_conn {
    PGconn *pg;
    int64_t changes;
    unsigned long long next_name;
    sn_buf copy;                  /* COPY rows not yet sent */
    int64_t copy_rows;
    /* DEALLOCATEs of statements finalized inside a failed transaction (which
     * refuses every command), sent before the next prepare: without them the
     * server would keep those statements for the life of the connection */
    sn_buf deallocate;
    int unnamed;                  /* ?pgbouncer=true: no named statements, no session state */
    int local_timeouts;           /* ?pgbouncer=true or ?citus=true: timeouts SET LOCAL per transaction */
    int citus;                    /* ?citus=true: a Citus coordinator (several statements sent one by one) */
    char timeouts[128];           /* "SET LOCAL lock_timeout = ...; ..." for each transaction, or "" */
    char isolation[40];           /* ?isolation=: " ISOLATION LEVEL SERIALIZABLE" for each BEGIN, or "" */
    int pipelined;                /* in libpq's pipeline mode (pg_pipeline_begin) */
    int unsynced;                 /* executions sent since the last Sync */
    int syncs;                    /* Syncs sent whose PGRES_PIPELINE_SYNC is not read yet */
    sinew_stmt *flight;           /* a stream whose rows are still coming on the connection (settle) */
};

typedef struct param {
    char *buf;            /* owned, reused */
    size_t cap;
    int len;
    int is_null;
} param;

typedef struct blobbuf {
    unsigned char *data;  /* PQunescapeBytea output, owned */
    size_t len;
} blobbuf;

struct sinew_stmt {
    sinew_conn *c;
    char name[32];
    int nparams;
    param *params;
    const char **values;
    int *lengths;
    PGresult *res;
    PGresult *desc;       /* PQdescribePrepared: result columns known before the first step */
    int row, nrows, ncols;
    blobbuf *blobs;       /* decoded bytea per column of the current row */
    char *sql;            /* kept to prepare again when a table changed under the plan */
    int streaming;        /* single-row mode requested for the next execution */
    int in_flight;        /* a single-row-mode query is running: results pending on the connection */
    int wrapped;          /* step_streaming() opened a transaction around it (see needs_wrap) */
    int nblobs;
    PGresult **queue;     /* the stream's rows read ahead by settle(), taken from qhead on */
    size_t nqueue, qhead, qcap;
    int queued;           /* settle() read the stream to its end: its results come from the queue */
    int settle_nomem;     /* settle() had no memory for all of them */
};

static int unwrap(sinew_stmt *s, int rc);

/*
 * A stream (single-row mode) holds the connection until its last row has come: libpq refuses any
 * other command meanwhile ("another command is already in progress"). Where anything else is
 * about to use the connection while a stream is open (a statement prepared or run, a transaction
 * command, a lazy load during the iteration), the stream's remaining results are first read into
 * the client and the stream goes on from them: correct, no longer in constant memory. The
 * transaction step_streaming() opened around it ends then, its rows all read.
 */
SN_NOINLINE static void settle(sinew_conn *c)
{
    sinew_stmt *u = c->flight;
    c->flight = NULL;
    PGresult *r;
    int ok = 1;
    while ((r = PQgetResult(c->pg))) {
        if (PQresultStatus(r) == PGRES_FATAL_ERROR) ok = 0;
        if (u->nqueue == u->qcap) {
            size_t cap = u->qcap ? u->qcap * 2 : 64;
            PGresult **q = sn_realloc(u->queue, cap * sizeof *q);
            if (!q) {   /* out of memory: the rest is dropped, the stream ends with the failure after its queue */
                PQclear(r);
                while ((r = PQgetResult(c->pg))) PQclear(r);
                u->settle_nomem = 1;
                ok = 0;
                break;
            }
            u->queue = q;
            u->qcap = cap;
        }
        u->queue[u->nqueue++] = r;
    }
    u->in_flight = 0;
    u->queued = 1;
    unwrap(u, ok ? SINEW_OK : SINEW_ERROR);   /* a failed COMMIT of a read: the connection's next use says */
}

/* before s (or the connection itself, s NULL) uses the connection */
static inline void settle_for(sinew_conn *c, const sinew_stmt *s)
{
    if (SN_UNLIKELY(c->flight != NULL && c->flight != s)) settle(c);
}

/* the queue read ahead dropped (the stream is reset or freed) */
static void drop_queue(sinew_stmt *s)
{
    while (s->qhead < s->nqueue) PQclear(s->queue[s->qhead++]);
    s->nqueue = s->qhead = 0;
    s->queued = 0;
    s->settle_nomem = 0;
}

static void quiet(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;   /* NOTICEs are not errors; sinew's log hook is for statements */
}

static int map_state(const char *st)
{
    if (!st || !*st) return SINEW_ERROR;
    if (!strncmp(st, "23", 2)) return SINEW_CONSTRAINT;
    if (!strcmp(st, "40001") || !strcmp(st, "40P01")) return SINEW_RETRY;
    if (!strcmp(st, "25006")) return SINEW_READONLY;   /* read_only_sql_transaction: a standby, or READ ONLY */
    if (!strncmp(st, "08", 2) || !strcmp(st, "57P01") || !strcmp(st, "57P02") || !strcmp(st, "57P03"))
        return SINEW_CONNECTION;
    if (!strcmp(st, "55P03") || !strcmp(st, "57014")) return SINEW_BUSY;
    if (!strncmp(st, "53", 2) || !strncmp(st, "58", 2)) return SINEW_IOERR;
    if (!strcmp(st, "22P02") || !strcmp(st, "42804") || !strcmp(st, "22003")) return SINEW_TYPE;
    if (!strncmp(st, "22", 2)) return SINEW_INVALID;
    return SINEW_ERROR;
}

/*
 * Citus reports a worker's constraint violation found during COPY as
 * SQLSTATE XX000 with the worker's message: the text says which it was.
 */
static const char *relayed_constraint_state(const char *state, const char *msg)
{
    if (!state || strcmp(state, "XX000") || !msg) return NULL;
    if (strstr(msg, "duplicate key value violates unique constraint")) return "23505";
    if (strstr(msg, "violates not-null constraint")) return "23502";
    if (strstr(msg, "violates foreign key constraint")) return "23503";
    if (strstr(msg, "violates check constraint")) return "23514";
    return NULL;
}

/* the text between the quotes after `after` in msg ("... constraint \"x\"") into out, or 0 */
static int quoted_after(const char *msg, const char *after, char *out, size_t cap)
{
    const char *k = msg ? strstr(msg, after) : NULL;
    if (!k || !(k = strchr(k + strlen(after), '"'))) return 0;
    const char *e = strchr(++k, '"');
    if (!e || (size_t)(e - k) >= cap) return 0;
    memcpy(out, k, (size_t)(e - k));
    out[e - k] = '\0';
    return 1;
}

/* drop a trailing "_<digits>" (a Citus shard id: accounts_102008, accounts_email_key_102008) */
static void strip_shard(char *name)
{
    size_t n = strlen(name), d = n;
    while (d && name[d - 1] >= '0' && name[d - 1] <= '9') d--;
    if (d < n && d > 1 && name[d - 1] == '_') name[d - 1] = '\0';
}

/*
 * The table of a constraint relayed from a Citus worker, which names none:
 * from PostgreSQL's default names, <table>_pkey and <table>_<column>_key.
 */
static void table_from_constraint(const char *constraint, const char *column, char *out, size_t cap)
{
    size_t n = strlen(constraint), cl = column ? strlen(column) : 0;
    out[0] = '\0';
    if (n > 5 && !strcmp(constraint + n - 5, "_pkey")) {
        snprintf(out, cap, "%.*s", (int)(n - 5), constraint);
    } else if (cl && n > cl + 5 && !strcmp(constraint + n - 4, "_key") && constraint[n - 5 - cl] == '_' &&
               !strncmp(constraint + n - 4 - cl, column, cl)) {
        snprintf(out, cap, "%.*s", (int)(n - 5 - cl), constraint);
    }
}

/* record the error of `res` (or of the connection when res is NULL) and return its status */
SN_COLD static int fail(sinew_conn *c, const PGresult *res, const char *doing)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!msg) msg = PQerrorMessage(c->pg);
    const char *context = res ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;
    /* an error a Citus coordinator relays from a worker: names carry shard suffixes */
    const char *relayed_state = relayed_constraint_state(state, msg);
    int relayed = relayed_state || (context && strstr(context, "while executing command on"));
    if (relayed_state) state = relayed_state;
    int status = map_state(state);
    if (PQstatus(c->pg) == CONNECTION_BAD) status = SINEW_CONNECTION;
    char clean[400];
    snprintf(clean, sizeof clean, "%s", msg ? msg : "unknown error");
    size_t n = strlen(clean);
    while (n && (clean[n - 1] == '\n' || clean[n - 1] == ' ')) clean[--n] = '\0';
    /* the DETAIL says why a statement was refused (Citus: which foreign keys it can distribute);
     * a constraint violation's detail holds the row's values, which stay out of messages */
    const char *why = res && status != SINEW_CONSTRAINT ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    if (why && *why && n + 12 < sizeof clean) {
        snprintf(clean + n, sizeof clean - n, " (%s)", why);
        for (char *p = clean + n; *p; p++)
            if (*p == '\n') *p = ' ';
    }
    const char *hint = "";
    switch (status) {
    case SINEW_CONSTRAINT:
        if (state && !strcmp(state, "23505")) hint = "; a row with the same value already exists: change the value or update that row";
        else if (state && !strcmp(state, "23502")) hint = "; give the field a value";
        else if (state && !strcmp(state, "23503")) hint = "; the referenced row does not exist or still has dependants";
        break;
    case SINEW_RETRY: hint = "; the transaction was rolled back: run it again (sinew_transaction retries it)"; break;
    case SINEW_CONNECTION: hint = "; the connection to the server was lost: reconnect (nothing of the open transaction was committed)"; break;
    case SINEW_BUSY: hint = "; a lock or a timeout stopped the statement: retry later"; break;
    case SINEW_READONLY:
        hint = "; this server (a hot standby) or transaction (READ ONLY) takes reads only: run writes on the primary";
        break;
    default: break;
    }
    sinew_error_set(status, "postgres: %s while %s%s", clean, doing, hint);
    const char *table = res ? PQresultErrorField(res, PG_DIAG_TABLE_NAME) : NULL;
    const char *column = res ? PQresultErrorField(res, PG_DIAG_COLUMN_NAME) : NULL;
    const char *constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
    char col[128] = "";
    if (!column && res) {   /* unique violations name the column only in the detail: "Key (email)=(x) ..." */
        const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
        const char *k = detail ? strstr(detail, "Key (") : NULL;
        if (k) {
            k += 5;
            const char *e = strchr(k, ')');
            if (e && (size_t)(e - k) < sizeof col && !memchr(k, ',', (size_t)(e - k))) {
                memcpy(col, k, (size_t)(e - k));
                col[e - k] = '\0';
                column = col;
            }
        }
    }
    char tbl[128] = "", con[128] = "";
    if (relayed) {
        if (constraint) snprintf(con, sizeof con, "%s", constraint);
        else quoted_after(msg, "constraint ", con, sizeof con);
        if (table) snprintf(tbl, sizeof tbl, "%s", table);
        else quoted_after(msg, "relation ", tbl, sizeof tbl);
        if (!column && quoted_after(msg, "null value in column ", col, sizeof col)) column = col;
        strip_shard(con);
        strip_shard(tbl);
        if (!tbl[0] && con[0]) table_from_constraint(con, column, tbl, sizeof tbl);
        table = tbl[0] ? tbl : NULL;
        constraint = con[0] ? con : NULL;
    }
    sinew_error_detail(0, state, table, column, constraint);
    return status;
}

static int check_cmd(sinew_conn *c, PGresult *res, const char *doing)
{
    ExecStatusType st = PQresultStatus(res);
    int rc = SINEW_OK;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        const char *n = PQcmdTuples(res);
        c->changes = n && *n ? strtoll(n, NULL, 10) : 0;
    } else {
        rc = fail(c, res, doing);
    }
    PQclear(res);
    return rc;
}

/* one simple-protocol query, nothing around it */
static int run(sinew_conn *c, const char *sql)
{
    settle_for(c, NULL);
    PGresult *res = PQexec(c->pg, sql);
    if (!res) return fail(c, NULL, "executing");
    char doing[240];
    snprintf(doing, sizeof doing, "executing %.200s", sql);
    return check_cmd(c, res, doing);
}

/*
 * With ?pgbouncer=true and a timeout, a statement outside a transaction runs
 * in a short one of its own that SETs LOCAL the timeouts first: a session SET
 * would land on whichever server connection the pooler picked, and stay
 * there for other clients. wrap_begin says whether it opened one.
 */
static int needs_wrap(const sinew_conn *c)
{
    return c->local_timeouts && c->timeouts[0] && PQtransactionStatus(c->pg) == PQTRANS_IDLE;
}

static int wrap_begin(sinew_conn *c)
{
    char sql[160];
    snprintf(sql, sizeof sql, "BEGIN%s", c->timeouts);
    return run(c, sql);
}

/* end the wrapping transaction; `rc` is the statement's status, kept (and its message) */
static int wrap_end(sinew_conn *c, int rc)
{
    PGTransactionStatusType t = PQtransactionStatus(c->pg);
    if (t == PQTRANS_INERROR || (rc && t == PQTRANS_INTRANS)) {
        PQclear(PQexec(c->pg, "ROLLBACK"));
        return rc;
    }
    if (t != PQTRANS_INTRANS) return rc;   /* the statement ended it (or the connection is gone) */
    int64_t changes = c->changes;
    int crc = run(c, "COMMIT");
    c->changes = changes;
    return rc ? rc : crc;
}

/* transaction control that must not be wrapped: the caller means the transaction itself */
static int is_tx_control(const char *sql)
{
    while (*sql == ' ' || *sql == '\t' || *sql == '\n' || *sql == '(') sql++;
    static const char *const words[] = {"BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT",
                                        "RELEASE", "PREPARE TRANSACTION", NULL};
    for (int i = 0; words[i]; i++) {
        size_t n = strlen(words[i]);
        if (!strncasecmp(sql, words[i], n) && !((sql[n] >= 'a' && sql[n] <= 'z') || (sql[n] >= 'A' && sql[n] <= 'Z')))
            return 1;
    }
    return 0;
}

/* past blanks and comments (nested block comments, as PostgreSQL reads them) */
static const char *skip_blank(const char *p)
{
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f') p++;
        if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n') p++;
        } else if (p[0] == '/' && p[1] == '*') {
            int depth = 1;
            for (p += 2; *p && depth; p++) {
                if (p[0] == '/' && p[1] == '*') depth++, p++;
                else if (p[0] == '*' && p[1] == '/') depth--, p++;
            }
        } else {
            return p;
        }
    }
}

/* the ';' ending the statement that starts at p, or its NUL: strings, quoted names and $tag$ bodies skipped */
static const char *stmt_end(const char *p)
{
    while (*p && *p != ';') {
        const char *q = skip_blank(p);
        if (q != p) { p = q; continue; }
        int backslash = (*p == 'E' || *p == 'e') && p[1] == '\'';   /* E'...': backslash escapes */
        if (backslash) p++;
        if (*p == '\'' || *p == '"') {
            char quote = *p;
            for (p++; *p; p++) {
                if (backslash && *p == '\\' && p[1]) { p++; continue; }
                if (*p == quote) {
                    if (p[1] == quote) { p++; continue; }
                    break;
                }
            }
            if (*p) p++;
        } else if (*p == '$') {
            const char *t = p + 1;
            while ((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') || (*t >= '0' && *t <= '9') || *t == '_') t++;
            if (*t != '$') { p++; continue; }   /* $1, a parameter */
            size_t n = (size_t)(t - p) + 1;     /* "$tag$" */
            const char *e = t + 1;
            while (*e && strncmp(e, p, n)) e++;
            p = *e ? e + n : e;
        } else {
            p++;
        }
    }
    return p;
}

/*
 * On a Citus coordinator a query string of several DDL commands on distributed tables is refused
 * ("cannot insert multiple commands into a prepared statement": it relays the string to the
 * workers as one). There a text of several statements runs one statement at a time, in one
 * transaction as PostgreSQL runs a multi-statement string outside a transaction (or in the
 * caller's, or as the text's own BEGIN / COMMIT say).
 */
static int exec_split(sinew_conn *c, const char *sql)
{
    settle_for(c, NULL);
    int own = PQtransactionStatus(c->pg) == PQTRANS_IDLE;
    for (const char *p = skip_blank(sql); *p; p = skip_blank(*p == ';' ? p + 1 : p)) {
        if (is_tx_control(p)) own = 0;
        p = stmt_end(p);
        if (!*p) break;
    }
    int rc = own ? run(c, "BEGIN") : SINEW_OK;
    if (!rc && own && c->local_timeouts && c->timeouts[0]) rc = run(c, c->timeouts + 2);   /* past "; " */
    sn_buf one;
    sn_buf_init(&one);
    for (const char *p = skip_blank(sql); !rc && *p;) {
        const char *e = stmt_end(p);
        sn_buf_clear(&one);
        sn_buf_append(&one, p, (size_t)(e - p));
        rc = one.failed ? sn_nomem() : run(c, sn_buf_cstr(&one));
        p = skip_blank(*e ? e + 1 : e);
    }
    sn_buf_free(&one);
    return own ? wrap_end(c, rc) : rc;
}

/* more than one statement in the text */
static int several_statements(const char *sql)
{
    const char *e = stmt_end(skip_blank(sql));
    return *e && *skip_blank(e + 1);
}

static int pg_exec(sinew_conn *c, const char *sql)
{
    settle_for(c, NULL);   /* before needs_wrap looks at the transaction */
    if (c->citus && several_statements(sql)) return exec_split(c, sql);
    if (!needs_wrap(c) || is_tx_control(sql)) return run(c, sql);
    int rc = wrap_begin(c);
    if (rc) return rc;
    return wrap_end(c, run(c, sql));
}

/*
 * ?key=value pairs go to libpq as connection keywords. libpq refuses an
 * unknown one only as a failed connection ("invalid connection option"),
 * so check them first against its own list and say which are known.
 */
static const char *const own_params[] = {"pgbouncer", "citus", "lock_timeout", "statement_timeout", "isolation", NULL};

static int is_own_param(const char *key)
{
    for (int i = 0; own_params[i]; i++)
        if (!strcmp(own_params[i], key)) return 1;
    return 0;
}

static int check_params(const sinew_url *url)
{
    if (!url->nparams) return SINEW_OK;
    PQconninfoOption *opts = PQconndefaults();
    if (!opts) return sn_nomem();
    size_t n = 0;
    while (opts[n].keyword) n++;
    size_t own = 0;
    while (own_params[own]) own++;
    const char **known = sn_calloc(own + n + 1, sizeof *known);   /* NULL-terminated */
    int rc;
    if (!known) {
        rc = sn_nomem();
    } else {
        size_t k = 0;
        for (int i = 0; own_params[i]; i++) known[k++] = own_params[i];
        for (size_t i = 0; i < n; i++) known[k++] = opts[i].keyword;
        rc = sinew_url_check_params(url, "postgres (sinew's pgbouncer, citus, lock_timeout, statement_timeout, isolation; libpq "
                                    "connection keywords)", known);
    }
    sn_free(known);
    PQconninfoFree(opts);
    return rc;
}

/*
 * sinew's own URL parameters: pgbouncer=true|false, lock_timeout and
 * statement_timeout in milliseconds (0 = none), isolation=level. `session` gets the SETs for
 * the session, c->timeouts the SET LOCALs for each transaction.
 */
static int own_options(sinew_conn *c, const sinew_url *url, char *session, size_t cap)
{
    const char *pb = sinew_url_param(url, "pgbouncer");
    if (pb) {
        if (!strcmp(pb, "true") || !strcmp(pb, "1")) c->unnamed = 1;
        else if (strcmp(pb, "false") && strcmp(pb, "0"))
            return sinew_error_set(SINEW_INVALID, "bad URL: pgbouncer=%s: say pgbouncer=true (a pooler in transaction "
                                   "mode in between) or pgbouncer=false", pb);
    }
    /* a Citus coordinator: a session SET stays on the coordinator; a SET LOCAL with
     * propagate_set_commands = 'local' goes with the transaction to the workers */
    const char *ci = sinew_url_param(url, "citus");
    int citus = 0;
    if (ci) {
        if (!strcmp(ci, "true") || !strcmp(ci, "1")) citus = 1;
        else if (strcmp(ci, "false") && strcmp(ci, "0"))
            return sinew_error_set(SINEW_INVALID, "bad URL: citus=%s: say citus=true (a Citus coordinator) or citus=false", ci);
    }
    /* per transaction (BEGIN ISOLATION LEVEL), not a session default: that holds behind a
     * transaction-mode pooler too */
    const char *level;
    int bad = sinew_url_isolation(url, &level);
    if (bad) return bad;
    c->isolation[0] = '\0';
    if (level) snprintf(c->isolation, sizeof c->isolation, " ISOLATION LEVEL %s", level);
    c->local_timeouts = c->unnamed || citus;
    c->citus = citus;
    session[0] = '\0';
    if (citus) snprintf(session, cap, "; SET citus.propagate_set_commands = 'local'");
    c->timeouts[0] = '\0';
    static const char *const names[] = {"lock_timeout", "statement_timeout"};
    for (int i = 0; i < 2; i++) {
        const char *v = sinew_url_param(url, names[i]);
        if (!v) continue;
        char *end;
        long ms = strtol(v, &end, 10);
        if (!*v || *end || ms < 0 || ms > 86400000L)
            return sinew_error_set(SINEW_INVALID, "bad URL: %s=%s is not a number of milliseconds (0 to 86400000)", names[i], v);
        size_t sl = strlen(session), tl = strlen(c->timeouts);
        if (!c->local_timeouts) snprintf(session + sl, cap - sl, "; SET %s = %ld", names[i], ms);
        snprintf(c->timeouts + tl, sizeof c->timeouts - tl, "; SET LOCAL %s = %ld", names[i], ms);
    }
    return SINEW_OK;
}

/*
 * A pooler between sinew and the server: the backend that answers is not the one the connection
 * was told of at startup. PgBouncer (and pgcat, odyssey) hand the client a BackendKeyData of their
 * own, made up to route cancel requests, so PQbackendPID() is not the server's pg_backend_pid(). A
 * plain port forward (a container's mapped port, an SSH tunnel) passes the server's own through and
 * is not a pooler: it keeps named statements. One round trip at connect.
 */
static int behind_pooler(sinew_conn *c)
{
    PGresult *res = PQexec(c->pg, "SELECT pg_backend_pid()");
    int pooled = 0;
    if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
        pooled = atol(PQgetvalue(res, 0, 0)) != (long)PQbackendPID(c->pg);
    PQclear(res);
    return pooled;
}

static int pg_open(const sinew_url *url, sinew_conn **out)
{
    *out = NULL;
    int bad = check_params(url);
    if (bad) return bad;
    const char *keys[40], *vals[40];
    char port[16];
    int n = 0;
    if (url->host) keys[n] = "host", vals[n++] = url->host;
    if (url->port) {
        snprintf(port, sizeof port, "%d", url->port);
        keys[n] = "port", vals[n++] = port;
    }
    if (url->user) keys[n] = "user", vals[n++] = url->user;
    if (url->password) keys[n] = "password", vals[n++] = url->password;
    if (url->path) keys[n] = "dbname", vals[n++] = url->path;
    for (size_t i = 0; i < url->nparams && n < 38; i++)
        if (!is_own_param(url->keys[i])) keys[n] = url->keys[i], vals[n++] = url->values[i];
    keys[n] = NULL;
    vals[n] = NULL;
    sinew_conn *c = sn_calloc(1, sizeof *c);
    if (!c) return sn_nomem();
    char session[128];
    bad = own_options(c, url, session, sizeof session);
    if (bad) {
        sn_free(c);
        return bad;
    }
    c->pg = PQconnectdbParams(keys, vals, 0);
    if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
        char msg[400];
        snprintf(msg, sizeof msg, "%s", c->pg ? PQerrorMessage(c->pg) : "out of memory");
        size_t l = strlen(msg);
        while (l && (msg[l - 1] == '\n' || msg[l - 1] == ' ')) msg[--l] = '\0';
        PQfinish(c->pg);
        sn_free(c);
        return sinew_error_set(SINEW_CONNECTION, "postgres: cannot connect to %s:%s: %s; check that the server runs "
                               "and the URL's host, port, user and database", url->host ? url->host : "(default host)",
                               url->port ? port : "(default port)", msg);
    }
    PQsetNoticeProcessor(c->pg, quiet, NULL);
    if (!sinew_url_param(url, "pgbouncer") && behind_pooler(c)) {
        c->unnamed = 1;
        own_options(c, url, session, sizeof session);   /* checked above: the timeouts as SET LOCAL now */
    }
    /* client_min_messages and extra_float_digits are not tracked by PgBouncer; neither matters
     * there: notices are dropped by quiet(), and since PostgreSQL 12 floats print exactly anyway */
    char set[400];
    snprintf(set, sizeof set, "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET client_min_messages = warning; "
             "SET extra_float_digits = 3%s", session);
    int rc = run(c, set);
    if (rc) {
        PQfinish(c->pg);
        sn_free(c);
        return rc;
    }
    *out = c;
    return SINEW_OK;
}

static void pg_close(sinew_conn *c)
{
    if (!c) return;
    PQfinish(c->pg);
    sn_buf_free(&c->copy);
    sn_buf_free(&c->deallocate);
    sn_free(c);
}

/*
 * ?pgbouncer=true: parse and describe the statement as the unnamed one, in a
 * single pipeline (Parse, Describe, one Sync), so a transaction-mode pooler
 * keeps both on one server connection. Only the parameter count and the
 * result columns are kept: each run parses the text again (PQexecParams),
 * so nothing of the statement stays on the server. Returns the describe
 * result, or NULL with the failing result (if any) in *err.
 */
static PGresult *describe_unnamed(sinew_conn *c, const char *sql, PGresult **err)
{
    *err = NULL;
    if (!PQenterPipelineMode(c->pg)) return NULL;
    PGresult *results[2] = {NULL, NULL};
    int ok = PQsendPrepare(c->pg, "", sql, 0, NULL) && PQsendDescribePrepared(c->pg, "") && PQpipelineSync(c->pg);
    int idx = 0;
    while (ok) {
        PGresult *r = PQgetResult(c->pg);
        if (!r) {
            if (PQstatus(c->pg) != CONNECTION_OK) break;
            continue;   /* the end of one command's results */
        }
        if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        if (idx < 2) results[idx++] = r;
        else PQclear(r);
    }
    PQexitPipelineMode(c->pg);
    if (ok && results[0] && PQresultStatus(results[0]) == PGRES_COMMAND_OK && results[1] &&
        PQresultStatus(results[1]) == PGRES_COMMAND_OK) {
        PQclear(results[0]);
        return results[1];
    }
    /* the first failure says why (a later command was only skipped) */
    if (results[0] && PQresultStatus(results[0]) != PGRES_COMMAND_OK) {
        *err = results[0];
        PQclear(results[1]);
    } else {
        *err = results[1];
        PQclear(results[0]);
    }
    return NULL;
}

static int pg_prepare(sinew_conn *c, const char *sql, sinew_stmt **out)
{
    *out = NULL;
    sinew_stmt *s = sn_calloc(1, sizeof *s);
    if (!s) return sn_nomem();
    s->c = c;
    s->sql = sn_strdup(sql);
    if (!s->sql) {
        sn_free(s);
        return sn_nomem();
    }
    settle_for(c, NULL);
    if (c->deallocate.len && PQtransactionStatus(c->pg) != PQTRANS_INERROR) {
        PQclear(PQexec(c->pg, sn_buf_cstr(&c->deallocate)));
        sn_buf_clear(&c->deallocate);
    }
    PGresult *res;
again:
    if (c->unnamed) {
        s->name[0] = '\0';
        PGresult *err = NULL;
        res = describe_unnamed(c, sql, &err);
        if (!res) {
            char doing[260];
            snprintf(doing, sizeof doing, "preparing %.220s", sql);
            int rc = fail(c, err, doing);
            PQclear(err);
            sn_free(s->sql);
            sn_free(s);
            return rc;
        }
    } else {
        snprintf(s->name, sizeof s->name, "sinew_%llu", ++c->next_name);
        res = PQprepare(c->pg, s->name, sql, 0, NULL);
        const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        if (state && !strcmp(state, "42P05") && PQtransactionStatus(c->pg) == PQTRANS_IDLE) {
            /* the server connection holds another client's sinew_N: a pooler shares it, found
               only now; unnamed statements from here on (this one was not run) */
            PQclear(res);
            c->unnamed = 1;
            c->local_timeouts = 1;
            goto again;
        }
        if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
            char doing[260];
            snprintf(doing, sizeof doing, "preparing %.220s", sql);
            int rc = fail(c, res, doing);
            PQclear(res);
            sn_free(s->sql);
            sn_free(s);
            return rc;
        }
        PQclear(res);
        res = PQdescribePrepared(c->pg, s->name);
    }
    if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
        int rc = fail(c, res, "describing a prepared statement");
        PQclear(res);
        sn_free(s->sql);
        sn_free(s);
        return rc;
    }
    s->nparams = PQnparams(res);
    s->desc = res;
    if (s->nparams) {
        s->params = sn_calloc((size_t)s->nparams, sizeof *s->params);
        s->values = sn_calloc((size_t)s->nparams, sizeof *s->values);
        s->lengths = sn_calloc((size_t)s->nparams, sizeof *s->lengths);
        if (!s->params || !s->values || !s->lengths) {
            sn_free(s->params);
            sn_free(s->values);
            sn_free(s->lengths);
            PQclear(s->desc);
            sn_free(s->sql);
            sn_free(s);
            return sn_nomem();
        }
    }
    *out = s;
    return SINEW_OK;
}

static int put(param *p, const char *data, size_t n)
{
    if (n + 1 > p->cap) {
        size_t cap = p->cap ? p->cap : 32;
        while (cap < n + 1) cap *= 2;
        char *b = sn_realloc(p->buf, cap);
        if (!b) return sn_nomem();
        p->buf = b;
        p->cap = cap;
    }
    if (n) memcpy(p->buf, data, n);
    p->buf[n] = '\0';
    p->len = (int)n;
    p->is_null = 0;
    return SINEW_OK;
}

/*
 * The text PostgreSQL reads for a value other than a blob: *out points into
 * the value or into tmp. Shared by parameters and COPY rows.
 */
static int scalar_text(const sinew_value *v, char tmp[64], const char **out, size_t *len)
{
    switch (v->type) {
    case SINEW_BOOL:
        *out = v->u.i ? "t" : "f";
        *len = 1;
        return SINEW_OK;
    case SINEW_INT32: case SINEW_INT64: case SINEW_ENUM:
        snprintf(tmp, 64, "%lld", (long long)v->u.i);
        break;
    case SINEW_DOUBLE:
        snprintf(tmp, 64, "%.17g", v->u.d);
        break;
    case SINEW_TEXT: case SINEW_JSON: case SINEW_DECIMAL:
        if (memchr(v->u.s.ptr, '\0', v->u.s.len))
            return sinew_error_set(SINEW_INVALID, "postgres: text values cannot contain NUL bytes; "
                                   "store binary data in a blob field");
        *out = v->u.s.ptr;
        *len = v->u.s.len;
        return SINEW_OK;
    case SINEW_TIMESTAMP:
        sinew_timestamp_format(v->u.i, tmp);
        strcat(tmp, "+00");
        break;
    case SINEW_DATE:
        sinew_date_format((int32_t)v->u.i, tmp);
        break;
    case SINEW_UUID:
        sinew_uuid_format(&v->u.uuid, tmp);
        break;
    case SINEW_BLOB:
    default:
        return sinew_error_set(SINEW_MISUSE, "postgres: no text form for value type %d", (int)v->type);
    }
    *out = tmp;
    *len = strlen(tmp);
    return SINEW_OK;
}

static const char hexdigits[] = "0123456789abcdef";

static int pg_bind(sinew_stmt *s, int i, const sinew_value *v)
{
    if (i < 0 || i >= s->nparams)
        return sinew_error_set(SINEW_MISUSE, "bind: parameter %d is out of range (the statement has %d)", i + 1, s->nparams);
    param *p = &s->params[i];
    if (v->is_null) {
        p->is_null = 1;
        return SINEW_OK;
    }
    if (v->type == SINEW_BLOB) {
        /* bytea in hex text form: \x0a1b... */
        size_t n = 2 + 2 * v->u.s.len;
        int rc = put(p, "\\x", 2);
        if (rc) return rc;
        if (n + 1 > p->cap) {
            char *b = sn_realloc(p->buf, n + 1);
            if (!b) return sn_nomem();
            p->buf = b;
            p->cap = n + 1;
        }
        const unsigned char *d = (const unsigned char *)v->u.s.ptr;
        for (size_t k = 0; k < v->u.s.len; k++) {
            p->buf[2 + 2 * k] = hexdigits[d[k] >> 4];
            p->buf[3 + 2 * k] = hexdigits[d[k] & 15];
        }
        p->buf[n] = '\0';
        p->len = (int)n;
        return SINEW_OK;
    }
    char tmp[64];
    const char *txt;
    size_t len;
    int rc = scalar_text(v, tmp, &txt, &len);
    if (rc) {
        if (rc == SINEW_INVALID) sinew_error_set(rc, "%s (parameter %d)", sinew_errmsg(), i + 1);
        return rc;
    }
    return put(p, txt, len);
}

/* ---- COPY ... FROM STDIN: the bulk path ---- */

#define COPY_FLUSH (64 * 1024)

static int copy_flush(sinew_conn *c)
{
    if (c->copy.len && PQputCopyData(c->pg, c->copy.data, (int)c->copy.len) != 1)
        return fail(c, NULL, "sending COPY data");
    sn_buf_clear(&c->copy);
    return SINEW_OK;
}

static int pg_copy_begin(sinew_conn *c, const char *sql)
{
    settle_for(c, NULL);
    PGresult *res = PQexec(c->pg, sql);
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        int rc = fail(c, res, "starting COPY");
        PQclear(res);
        return rc;
    }
    PQclear(res);
    sn_buf_clear(&c->copy);
    c->copy_rows = 0;
    return SINEW_OK;
}

/* text-format COPY escaping: backslash, and the delimiters tab, newline, CR */
static void copy_escaped(sn_buf *b, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        char e = 0;
        switch (s[i]) {
        case '\\': e = '\\'; break;
        case '\t': e = 't'; break;
        case '\n': e = 'n'; break;
        case '\r': e = 'r'; break;
        default: continue;
        }
        sn_buf_append(b, s + run, i - run);
        sn_buf_putc(b, '\\');
        sn_buf_putc(b, e);
        run = i + 1;
    }
    sn_buf_append(b, s + run, n - run);
}

static int pg_copy_row(sinew_conn *c, const sinew_value *vals, size_t n)
{
    sn_buf *b = &c->copy;
    for (size_t i = 0; i < n; i++) {
        const sinew_value *v = &vals[i];
        if (i) sn_buf_putc(b, '\t');
        if (v->is_null) {
            sn_buf_puts(b, "\\N");
        } else if (v->type == SINEW_BLOB) {
            sn_buf_puts(b, "\\\\x");   /* bytea hex, its backslash escaped for COPY */
            const unsigned char *d = (const unsigned char *)v->u.s.ptr;
            for (size_t k = 0; k < v->u.s.len; k++) {
                sn_buf_putc(b, hexdigits[d[k] >> 4]);
                sn_buf_putc(b, hexdigits[d[k] & 15]);
            }
        } else {
            char tmp[64];
            const char *txt;
            size_t len;
            int rc = scalar_text(v, tmp, &txt, &len);
            if (rc) return rc;
            copy_escaped(b, txt, len);
        }
    }
    sn_buf_putc(b, '\n');
    if (b->failed) return sn_nomem();
    c->copy_rows++;
    return b->len >= COPY_FLUSH ? copy_flush(c) : SINEW_OK;
}

static int pg_copy_end(sinew_conn *c, int ok)
{
    int rc = ok ? copy_flush(c) : SINEW_OK;
    if (PQputCopyEnd(c->pg, ok && rc == SINEW_OK ? NULL : "abandoned by sinew") != 1 && rc == SINEW_OK)
        rc = fail(c, NULL, "ending COPY");
    PGresult *res;
    while ((res = PQgetResult(c->pg))) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == SINEW_OK && ok) rc = fail(c, res, "running COPY");
        PQclear(res);
    }
    sn_buf_free(&c->copy);
    c->changes = rc == SINEW_OK && ok ? c->copy_rows : 0;
    return ok ? rc : SINEW_OK;
}

static void clear_row(sinew_stmt *s)
{
    for (int i = 0; i < s->nblobs; i++) {
        PQfreemem(s->blobs[i].data);
        s->blobs[i].data = NULL;
    }
}

/*
 * A table changed under a cached statement (a migration altered it): the
 * server refuses the old plan with 0A000. Prepare it again under the same
 * name and run it once more.
 */
static int replan(sinew_stmt *s)
{
    const char *state = PQresultErrorField(s->res, PG_DIAG_SQLSTATE);
    if (!state || strcmp(state, "0A000") || PQtransactionStatus(s->c->pg) == PQTRANS_INERROR) return 0;
    PGresult *q = PQdescribePrepared(s->c->pg, s->name);
    PQclear(q);
    char sql[64];
    snprintf(sql, sizeof sql, "DEALLOCATE %s", s->name);
    PQclear(PQexec(s->c->pg, sql));
    return 1;
}

/* end the transaction step_streaming() opened around the statement (see needs_wrap) */
static int unwrap(sinew_stmt *s, int rc)
{
    if (!s->wrapped) return rc;
    s->wrapped = 0;
    int ok = rc == SINEW_DONE || rc == SINEW_ROW;
    int erc = wrap_end(s->c, ok ? SINEW_OK : rc);
    return ok && erc ? erc : rc;   /* a failed COMMIT is the statement's failure */
}

static void drain(sinew_stmt *s)
{
    if (s->in_flight) {
        PGresult *r;
        while ((r = PQgetResult(s->c->pg))) PQclear(r);
    }
    if (s->c->flight == s) s->c->flight = NULL;
    s->in_flight = 0;
    drop_queue(s);
}

/* the stream's next result: read ahead by settle(), or from the connection */
static PGresult *stream_result(sinew_stmt *s)
{
    if (!s->queued) return PQgetResult(s->c->pg);
    return s->qhead < s->nqueue ? s->queue[s->qhead++] : NULL;
}

/* single-row mode: one PGresult per row, so memory stays flat however many rows */
static int step_streaming(sinew_stmt *s)
{
    if (!s->in_flight && !s->queued) {
        if (s->res) return SINEW_DONE;   /* finished already */
        settle_for(s->c, s);   /* another stream still coming */
        for (int i = 0; i < s->nparams; i++) {
            s->values[i] = s->params[i].is_null ? NULL : s->params[i].buf;
            s->lengths[i] = s->params[i].len;
        }
        if (needs_wrap(s->c)) {
            int rc = wrap_begin(s->c);
            if (rc) return rc;
            s->wrapped = 1;
        }
        int sent = s->c->unnamed ? PQsendQueryParams(s->c->pg, s->sql, s->nparams, NULL, s->values, s->lengths, NULL, 0)
                                 : PQsendQueryPrepared(s->c->pg, s->name, s->nparams, s->values, s->lengths, NULL, 0);
        if (!sent) return unwrap(s, fail(s->c, NULL, "running a statement"));
        PQsetSingleRowMode(s->c->pg);
        s->in_flight = 1;
        s->c->flight = s;
    }
    clear_row(s);
    PQclear(s->res);
    s->res = stream_result(s);
    if (!s->res) {
        int nomem = s->settle_nomem;
        drain(s);
        if (SN_UNLIKELY(nomem))
            return sinew_error_set(SINEW_NOMEM, "postgres: no memory for the rest of a stream, read ahead because "
                                   "another statement used the connection");
        return unwrap(s, SINEW_DONE);
    }
    ExecStatusType st = PQresultStatus(s->res);
    if (st == PGRES_SINGLE_TUPLE) {
        s->ncols = PQnfields(s->res);
        if (s->ncols > s->nblobs) {
            blobbuf *b = sn_realloc(s->blobs, (size_t)s->ncols * sizeof *b);
            if (!b) return sn_nomem();
            for (int i = s->nblobs; i < s->ncols; i++) b[i].data = NULL, b[i].len = 0;
            s->blobs = b;
            s->nblobs = s->ncols;
        }
        s->row = 0;
        s->nrows = 1;
        return SINEW_ROW;
    }
    int rc = st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK ? SINEW_DONE : fail(s->c, s->res, "running a statement");
    s->nrows = 0;
    drain(s);
    return unwrap(s, rc);
}

/*
 * s->res holds an execution's answer: the rows it gave (step() walks them),
 * SINEW_DONE for a command, or its error (s->res dropped then).
 */
static int take_result(sinew_stmt *s)
{
    ExecStatusType st = PQresultStatus(s->res);
    if (st == PGRES_COMMAND_OK) {
        const char *n = PQcmdTuples(s->res);
        s->c->changes = n && *n ? strtoll(n, NULL, 10) : 0;
        s->nrows = 0;
        s->row = 0;
        return SINEW_DONE;
    }
    if (st != PGRES_TUPLES_OK) {
        int rc = st == PGRES_PIPELINE_ABORTED
                     ? sinew_error_set(SINEW_ERROR, "postgres: statement skipped: an earlier statement of the "
                                       "pipeline failed")
                     : fail(s->c, s->res, "running a statement");
        PQclear(s->res);
        s->res = NULL;
        return rc;
    }
    const char *n = PQcmdTuples(s->res);
    s->c->changes = n && *n ? strtoll(n, NULL, 10) : 0;
    s->nrows = PQntuples(s->res);
    s->ncols = PQnfields(s->res);
    s->row = -1;
    if (s->ncols > s->nblobs) {
        blobbuf *b = sn_realloc(s->blobs, (size_t)s->ncols * sizeof *b);
        if (!b) return sn_nomem();
        for (int i = s->nblobs; i < s->ncols; i++) b[i].data = NULL, b[i].len = 0;
        s->blobs = b;
        s->nblobs = s->ncols;
    }
    return SINEW_OK;
}

/* ---- pipelining (driver version 6) ----
 *
 * A flush sends its independent statements together and reads the answers
 * in order; the server runs them back to back instead of waiting a round
 * trip for each. Named statements are prepared before the pipeline starts
 * (the ORM starts every statement first); with ?pgbouncer=true each
 * execution carries its text (PQsendQueryParams), which a transaction-mode
 * pooler passes on like any other query of the transaction. The ORM reads
 * answers before it has sent so many that the server, unable to write
 * them, would stop reading (a bounded window).
 */
static int pg_pipeline_begin(sinew_conn *c)
{
    if (c->pipelined) return SINEW_OK;
    settle_for(c, NULL);
    if (!PQenterPipelineMode(c->pg)) return fail(c, NULL, "entering pipeline mode");
    c->pipelined = 1;
    c->unsynced = 0;
    c->syncs = 0;
    return SINEW_OK;
}

static int pg_send(sinew_stmt *s)
{
    sinew_conn *c = s->c;
    if (!c->pipelined) return sinew_error_set(SINEW_MISUSE, "postgres: send outside a pipeline");
    for (int i = 0; i < s->nparams; i++) {
        s->values[i] = s->params[i].is_null ? NULL : s->params[i].buf;
        s->lengths[i] = s->params[i].len;
    }
    int sent = c->unnamed ? PQsendQueryParams(c->pg, s->sql, s->nparams, NULL, s->values, s->lengths, NULL, 0)
                          : PQsendQueryPrepared(c->pg, s->name, s->nparams, s->values, s->lengths, NULL, 0);
    if (!sent) return fail(c, NULL, "sending a statement");
    c->unsynced++;
    return SINEW_OK;
}

/* the next PGresult of the pipeline that is no Sync's (NULL: the connection failed) */
static PGresult *next_result(sinew_conn *c)
{
    for (int nulls = 0; nulls < 3;) {
        PGresult *r = PQgetResult(c->pg);
        if (!r) {
            if (PQstatus(c->pg) != CONNECTION_OK) return NULL;
            nulls++;   /* the end of one execution's results */
            continue;
        }
        if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
            c->syncs--;
            PQclear(r);
            nulls = 0;
            continue;
        }
        return r;
    }
    return NULL;
}

static int pg_receive(sinew_stmt *s)
{
    sinew_conn *c = s->c;
    if (!c->pipelined) return sinew_error_set(SINEW_MISUSE, "postgres: receive outside a pipeline");
    if (c->unsynced) {   /* what was sent goes out and is answered: the Sync asks for that */
        if (!PQpipelineSync(c->pg)) return fail(c, NULL, "sending a pipeline");
        c->unsynced = 0;
        c->syncs++;
    }
    clear_row(s);
    PQclear(s->res);
    s->res = next_result(c);
    if (!s->res) return fail(c, NULL, "reading a pipelined answer");
    PGresult *end = PQgetResult(c->pg);   /* the NULL after the execution's one result */
    if (end) PQclear(end);
    int rc = take_result(s);
    return rc == SINEW_DONE ? SINEW_OK : rc;
}

static int pg_pipeline_end(sinew_conn *c)
{
    if (!c->pipelined) return SINEW_OK;
    int rc = SINEW_OK;
    if (c->unsynced) {
        if (PQpipelineSync(c->pg)) c->syncs++;
        else rc = fail(c, NULL, "sending a pipeline");
        c->unsynced = 0;
    }
    while (c->syncs > 0 && PQstatus(c->pg) == CONNECTION_OK) {
        PGresult *r = PQgetResult(c->pg);
        if (!r) continue;
        if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) c->syncs--;
        PQclear(r);
    }
    if (!PQexitPipelineMode(c->pg) && rc == SINEW_OK) rc = fail(c, NULL, "leaving pipeline mode");
    c->pipelined = 0;
    c->syncs = 0;
    return rc;
}

static int pg_stream(sinew_stmt *s)
{
    s->streaming = 1;
    return SINEW_OK;
}

static int pg_step(sinew_stmt *s)
{
    if (s->streaming) return step_streaming(s);
    if (!s->res) {
        settle_for(s->c, s);
        for (int i = 0; i < s->nparams; i++) {
            s->values[i] = s->params[i].is_null ? NULL : s->params[i].buf;
            s->lengths[i] = s->params[i].len;
        }
        int wrapped = needs_wrap(s->c);
        if (wrapped) {
            int rc = wrap_begin(s->c);
            if (rc) return rc;
        }
        if (s->c->unnamed) s->res = PQexecParams(s->c->pg, s->sql, s->nparams, NULL, s->values, s->lengths, NULL, 0);
        else s->res = PQexecPrepared(s->c->pg, s->name, s->nparams, s->values, s->lengths, NULL, 0);
        if (!s->res && !wrapped) return fail(s->c, NULL, "running a statement");
        if (!wrapped && !s->c->unnamed && PQresultStatus(s->res) == PGRES_FATAL_ERROR && s->sql && replan(s)) {
            PQclear(s->res);
            s->res = NULL;
            PGresult *p = PQprepare(s->c->pg, s->name, s->sql, 0, NULL);
            int ok = p && PQresultStatus(p) == PGRES_COMMAND_OK;
            PQclear(p);
            if (ok) {
                PQclear(s->desc);
                s->desc = PQdescribePrepared(s->c->pg, s->name);
            }
            s->res = PQexecPrepared(s->c->pg, s->name, s->nparams, s->values, s->lengths, NULL, 0);
            if (!s->res) return fail(s->c, NULL, "running a statement");
        }
        if (wrapped) {
            ExecStatusType wst = s->res ? PQresultStatus(s->res) : PGRES_FATAL_ERROR;
            int rc = wst == PGRES_COMMAND_OK || wst == PGRES_TUPLES_OK ? SINEW_OK
                     : fail(s->c, s->res, "running a statement");
            int64_t n = s->res ? strtoll(PQcmdTuples(s->res), NULL, 10) : 0;
            rc = wrap_end(s->c, rc);
            s->c->changes = n;
            if (rc) {
                PQclear(s->res);
                s->res = NULL;
                return rc;
            }
        }
        int rc = take_result(s);
        if (rc != SINEW_OK) return rc;
    }
    clear_row(s);
    if (s->row + 1 >= s->nrows) {
        s->row = s->nrows;
        return SINEW_DONE;
    }
    s->row++;
    return SINEW_ROW;
}

static int pg_reset(sinew_stmt *s)
{
    drain(s);
    unwrap(s, SINEW_OK);
    s->streaming = 0;
    clear_row(s);
    PQclear(s->res);
    s->res = NULL;
    s->row = 0;
    s->nrows = 0;
    return SINEW_OK;
}

static void pg_finalize(sinew_stmt *s)
{
    if (!s) return;
    pg_reset(s);
    settle_for(s->c, s);   /* DEALLOCATE needs the connection */
    if (s->c->unnamed) {
        /* nothing of it lives on the server */
    } else if (PQstatus(s->c->pg) == CONNECTION_OK && PQtransactionStatus(s->c->pg) != PQTRANS_INERROR &&
               !s->c->pipelined) {   /* no synchronous command inside a pipeline: DEALLOCATE later */
        char sql[64];
        snprintf(sql, sizeof sql, "DEALLOCATE %s", s->name);
        PQclear(PQexec(s->c->pg, sql));
    } else if (PQstatus(s->c->pg) == CONNECTION_OK) {
        sn_buf_printf(&s->c->deallocate, "DEALLOCATE %s;", s->name);
    }
    for (int i = 0; i < s->nparams; i++) sn_free(s->params[i].buf);
    sn_free(s->params);
    sn_free(s->values);
    sn_free(s->lengths);
    sn_free(s->blobs);
    sn_free(s->queue);
    PQclear(s->desc);
    sn_free(s->sql);
    sn_free(s);
}

static int pg_column_count(sinew_stmt *s) { return PQnfields(s->res ? s->res : s->desc); }
static const char *pg_column_name(sinew_stmt *s, int i) { return PQfname(s->res ? s->res : s->desc, i); }

static int in_row(const sinew_stmt *s, int i) { return s->res && s->row >= 0 && s->row < s->nrows && i >= 0 && i < s->ncols; }

static sinew_storage pg_column_storage(sinew_stmt *s, int i)
{
    if (!in_row(s, i) || PQgetisnull(s->res, s->row, i)) return SINEW_STORAGE_NULL;
    switch (PQftype(s->res, i)) {
    case OID_BOOL: case OID_INT2: case OID_INT4: case OID_INT8: case OID_OID: return SINEW_STORAGE_INT;
    case OID_FLOAT4: case OID_FLOAT8: return SINEW_STORAGE_FLOAT;
    case OID_BYTEA: return SINEW_STORAGE_BLOB;
    default: return SINEW_STORAGE_TEXT;   /* numeric stays exact text; dates, uuids, json as text */
    }
}

static int64_t pg_column_i64(sinew_stmt *s, int i)
{
    if (!in_row(s, i)) return 0;
    const char *v = PQgetvalue(s->res, s->row, i);
    if (PQftype(s->res, i) == OID_BOOL) return v[0] == 't';
    return strtoll(v, NULL, 10);
}

static double pg_column_f64(sinew_stmt *s, int i)
{
    if (!in_row(s, i)) return 0;
    return strtod(PQgetvalue(s->res, s->row, i), NULL);
}

static const char *pg_column_text(sinew_stmt *s, int i, size_t *len)
{
    if (!in_row(s, i)) {
        *len = 0;
        return "";
    }
    *len = (size_t)PQgetlength(s->res, s->row, i);
    return PQgetvalue(s->res, s->row, i);
}

static const void *pg_column_blob(sinew_stmt *s, int i, size_t *len)
{
    *len = 0;
    if (!in_row(s, i)) return "";
    if (PQftype(s->res, i) != OID_BYTEA) return pg_column_text(s, i, len);
    if (!s->blobs[i].data) {
        size_t n = 0;
        s->blobs[i].data = PQunescapeBytea((const unsigned char *)PQgetvalue(s->res, s->row, i), &n);
        s->blobs[i].len = n;
        if (!s->blobs[i].data) return "";
    }
    *len = s->blobs[i].len;
    return s->blobs[i].data;
}

/* the URL's isolation level goes with each BEGIN; behind a transaction-mode pooler the timeouts
 * too (SET LOCAL) */
static int pg_begin(sinew_conn *c)
{
    char sql[200];
    snprintf(sql, sizeof sql, "BEGIN%s%s", c->isolation, c->local_timeouts ? c->timeouts : "");
    return run(c, sql);
}
static int pg_commit(sinew_conn *c) { return run(c, "COMMIT"); }
static int pg_rollback(sinew_conn *c)
{
    if (PQstatus(c->pg) != CONNECTION_OK) return SINEW_OK;   /* the server rolled it back already */
    return run(c, "ROLLBACK");
}

static int named(sinew_conn *c, const char *verb, const char *name)
{
    char sql[160];
    snprintf(sql, sizeof sql, "%s \"%s\"", verb, name);
    return run(c, sql);
}

static int pg_savepoint(sinew_conn *c, const char *n) { return named(c, "SAVEPOINT", n); }
static int pg_release(sinew_conn *c, const char *n) { return named(c, "RELEASE SAVEPOINT", n); }
static int pg_rollback_to(sinew_conn *c, const char *n) { return named(c, "ROLLBACK TO SAVEPOINT", n); }
static int64_t pg_changes(sinew_conn *c) { return c->changes; }
static int64_t pg_last_insert_id(sinew_conn *c) { (void)c; return 0; }   /* keys come back through RETURNING */
static int pg_in_transaction(sinew_conn *c)
{
    settle_for(c, NULL);   /* a stream in flight is PQTRANS_ACTIVE, which says nothing of a transaction */
    return PQtransactionStatus(c->pg) != PQTRANS_IDLE;
}

static const char *const pg_schemes[] = {"postgres", "postgresql", NULL};

const sinew_driver sinew_postgres_driver = {
    SINEW_DRIVER_VERSION,
    "postgres",
    pg_schemes,
    &sn_dialect_postgres,
    pg_open, pg_close,
    pg_prepare, pg_bind, pg_step, pg_reset, pg_finalize,
    pg_column_count, pg_column_name, pg_column_storage, pg_column_i64, pg_column_f64,
    pg_column_text, pg_column_blob,
    pg_exec, pg_begin, pg_commit, pg_rollback, pg_savepoint, pg_release, pg_rollback_to,
    pg_changes, pg_last_insert_id, pg_in_transaction,
    sn_pg_introspect,   /* postgres_introspect.c */
    pg_stream,
    pg_copy_begin, pg_copy_row, pg_copy_end,
    NULL,   /* column_cell: values arrive as text anyway; hydration reads them with column_storage + column_text */
    sn_pg_introspect_schemas,   /* postgres_introspect.c */
    pg_pipeline_begin, pg_send, pg_receive, pg_pipeline_end,
    NULL,   /* conn_dialect: every PostgreSQL sinew serves speaks the one dialect */
    NULL,   /* bind_rows: a batch binds value by value (each value is formatted as text anyway) */
    NULL,   /* column_cells: hydration reads cell by cell with column_storage + the readers, as above */
};
