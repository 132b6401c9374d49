/*
 * mariadb.c - the MariaDB / MySQL driver, on MariaDB Connector/C.
 *
 * Every statement is a server-side prepared statement (mysql_stmt_*), its
 * parameters bound in binary form (integers, doubles; timestamps, dates and
 * uuids as their exact text), handed to Connector/C again only when a type
 * or buffer changes, and its result columns bound once per statement to buffers
 * that are reused from row to row: integers as LONGLONG, floating point as
 * DOUBLE, everything else as text or bytes grown only when a value does not
 * fit. A result is buffered in the client (mysql_stmt_store_result), so
 * another statement may run on the connection while rows are read, as on
 * the other backends. stream() reads its result unbuffered instead, row by
 * row off the connection in constant memory (see settle() for what happens
 * when something else needs the connection meanwhile).
 *
 * The session is set up at connect so that MariaDB behaves as the other
 * backends do: utf8mb4, UTC (time_zone '+00:00'), strict SQL mode (a value
 * that does not fit is an error, never a warning and a truncated row),
 * standard string literals (NO_BACKSLASH_ESCAPES) and double-quoted
 * identifiers in raw SQL (ANSI_QUOTES; sinew itself writes backticks), ||
 * as concatenation (PIPES_AS_CONCAT), and divisions and AVG to 30 decimal
 * places (div_precision_increment; 4 by default), and recursive CTEs as deep
 * as on the other backends (max_recursive_iterations: 1000 by default since
 * MariaDB 10.6, the old default restored). CLIENT_FOUND_ROWS makes an UPDATE
 * report the rows it matched, as PostgreSQL and SQLite do (the optimistic
 * lock counts on it). Errors are mapped from the server's error numbers,
 * with the table, column and constraint read from its message.
 */
#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "base.h"
#include "sql/dialect.h"
#include "sinew/driver.h"
#include "driver/readers.h"

struct sinew_conn {
    MYSQL *my;
    int64_t changes;
    int64_t last_id;
    int no_returning;      /* INSERT has no RETURNING here (MySQL, MariaDB < 10.5, ?returning=off) */
    sinew_stmt *unbuffered; /* a stream whose rows are still on the connection (settle()) */
};

/* one bound parameter: the value lives here until the statement runs */
typedef struct param {
    char *buf;             /* text and bytes, owned, reused */
    size_t cap;
    int64_t i;
    double d;
    unsigned long len;     /* the text's length (MYSQL_BIND.length points here) */
    my_bool null;          /* the value is NULL (MYSQL_BIND.is_null points here) */
} param;

enum { COL_INT, COL_FLOAT, COL_TEXT, COL_BLOB };

typedef struct rcol {
    int kind;              /* COL_* */
    int64_t i;
    double d;
    char *buf;             /* text and bytes (NUL-terminated), owned, reused */
    size_t cap;
    unsigned long len;
    my_bool is_null;
    my_bool error;         /* set by fetch when the value did not fit */
    char num[32];          /* an integer or double column read as text */
} rcol;

struct sinew_stmt {
    sinew_conn *c;
    MYSQL_STMT *st;
    char *sql;
    int nparams, ncols;
    MYSQL_BIND *pbind;
    param *params;
    MYSQL_BIND *rbind;
    rcol *cols;
    char **names;          /* result column names (NUL-terminated copies) */
    int executed;          /* the statement ran; rows (if any) are being read */
    int has_result;        /* a result set is open on the statement */
    int row;               /* a row is current */
    int streaming;         /* stream() asked for an unbuffered result for the next execution */
    int settle_failed;     /* reading the rest of the stream into the client failed (settle()) */
    int rebind;            /* a parameter's type or buffer changed since mysql_stmt_bind_param */
};

/*
 * A stream's result is read unbuffered: its rows come off the connection as they are fetched, and
 * the connection can carry nothing else until the last one has been read (Connector/C says
 * "Commands out of sync", and closing another statement would read the stream's rows as its own).
 * Where anything else is about to use the connection while a stream is open (another statement is
 * prepared, run or closed, a transaction command, a lazy load during the iteration), the stream's
 * remaining rows are first read into the client (mysql_stmt_store_result takes the rows not yet
 * fetched) and the stream goes on from them: correct, no longer in constant memory. The raw
 * protocol costs the server no temporary table and the client no round trip per batch, which a
 * read-only cursor did (W8, docs/performance.md).
 */
SN_NOINLINE static void settle(sinew_conn *c)
{
    sinew_stmt *u = c->unbuffered;
    c->unbuffered = NULL;
    if (mysql_stmt_store_result(u->st)) u->settle_failed = 1;   /* its next step reports it */
}

/* before s (or the connection itself, s NULL) uses the connection */
static inline void settle_for(sinew_conn *c, const sinew_stmt *s)
{
    if (SN_UNLIKELY(c->unbuffered != NULL && c->unbuffered != s)) settle(c);
}

/* ---- errors ---- */

static int map_errno(unsigned e, const char *state)
{
    switch (e) {
    case ER_DUP_ENTRY: case ER_DUP_ENTRY_WITH_KEY_NAME: case ER_DUP_KEY: case ER_ROW_IS_REFERENCED:
    case ER_ROW_IS_REFERENCED_2: case ER_NO_REFERENCED_ROW: case ER_NO_REFERENCED_ROW_2: case ER_BAD_NULL_ERROR:
    case ER_NO_DEFAULT_FOR_FIELD: case ER_CONSTRAINT_FAILED:
        return SINEW_CONSTRAINT;
    case ER_LOCK_DEADLOCK: return SINEW_RETRY;
    case ER_LOCK_WAIT_TIMEOUT: case ER_STATEMENT_TIMEOUT: case ER_QUERY_INTERRUPTED: return SINEW_BUSY;
    case CR_SERVER_GONE_ERROR: case CR_SERVER_LOST: case CR_CONN_HOST_ERROR: case CR_CONNECTION_ERROR:
    case CR_SERVER_LOST_EXTENDED: case ER_CONNECTION_KILLED: case ER_SERVER_SHUTDOWN:
        return SINEW_CONNECTION;
    case ER_OPTION_PREVENTS_STATEMENT: case ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION: return SINEW_READONLY;
    case ER_OUTOFMEMORY: case CR_OUT_OF_MEMORY: return SINEW_NOMEM;
    case ER_WARN_DATA_OUT_OF_RANGE: case ER_TRUNCATED_WRONG_VALUE_FOR_FIELD: case ER_TRUNCATED_WRONG_VALUE:
        return SINEW_TYPE;
    case ER_DISK_FULL: case ER_RECORD_FILE_FULL: return SINEW_IOERR;
    default: break;
    }
    if (state && !strncmp(state, "23", 2)) return SINEW_CONSTRAINT;
    if (state && !strcmp(state, "40001")) return SINEW_RETRY;
    if (state && !strncmp(state, "08", 2)) return SINEW_CONNECTION;
    if (state && !strncmp(state, "22", 2)) return SINEW_INVALID;
    return SINEW_ERROR;
}

/* the text between the first pair of `q` after `after` in msg into out, or 0 */
static int quoted_after(const char *msg, const char *after, char q, char *out, size_t cap)
{
    const char *k = msg && after ? strstr(msg, after) : msg;
    if (!k || !(k = strchr(k + (after ? strlen(after) : 0), q))) return 0;
    const char *e = strchr(++k, q);
    if (!e || (size_t)(e - k) >= cap) return 0;
    memcpy(out, k, (size_t)(e - k));
    out[e - k] = '\0';
    return 1;
}

/* the table an INSERT / UPDATE / DELETE / REPLACE writes, from its text (`t` or "t") */
static void table_of(const char *sql, char *out, size_t cap)
{
    out[0] = '\0';
    if (!sql) return;
    static const char *const leads[] = {"INSERT INTO ", "UPDATE ", "DELETE FROM ", "REPLACE INTO ", NULL};
    for (int i = 0; leads[i]; i++) {
        size_t n = strlen(leads[i]);
        if (strncasecmp(sql, leads[i], n)) continue;
        const char *p = sql + n;
        char q = *p == '`' || *p == '"' ? *p : 0;
        if (q) {
            const char *e = strchr(p + 1, q);
            if (e && (size_t)(e - p - 1) < cap) snprintf(out, cap, "%.*s", (int)(e - p - 1), p + 1);
        } else {
            size_t l = strcspn(p, " (\n");
            if (l < cap) snprintf(out, cap, "%.*s", (int)l, p);
        }
        return;
    }
}

/*
 * The column of a unique key, for the error's detail: sinew names a unique column's key after the
 * column (MariaDB's default for an inline UNIQUE), and a composite key has no one column.
 * PRIMARY is the primary key, whose column the catalog knows; asked on the error path only.
 */
static void key_column(sinew_conn *c, const char *table, const char *key, char *out, size_t cap)
{
    out[0] = '\0';
    if (!table[0] || !key[0] || strchr(table, '\'') || strchr(key, '\'') || strchr(table, '\\') || strchr(key, '\\'))
        return;
    char sql[600];
    settle_for(c, NULL);
    snprintf(sql, sizeof sql, "SELECT column_name FROM information_schema.statistics WHERE table_schema = DATABASE() "
             "AND table_name = '%s' AND index_name = '%s'", table, key);
    if (mysql_query(c->my, sql)) return;
    MYSQL_RES *r = mysql_store_result(c->my);
    if (!r) return;
    MYSQL_ROW row;
    int n = 0;
    while ((row = mysql_fetch_row(r))) {
        if (!n && row[0]) snprintf(out, cap, "%s", row[0]);
        n++;
    }
    if (n != 1) out[0] = '\0';
    mysql_free_result(r);
}

/* record the connection's or statement's last error and return its status */
SN_COLD static int fail(sinew_conn *c, MYSQL_STMT *st, const char *sql, const char *doing)
{
    unsigned e = st ? mysql_stmt_errno(st) : mysql_errno(c->my);
    char statebuf[8];
    snprintf(statebuf, sizeof statebuf, "%s", st ? mysql_stmt_sqlstate(st) : mysql_sqlstate(c->my));
    const char *state = statebuf;
    const char *msg = st ? mysql_stmt_error(st) : mysql_error(c->my);
    char clean[400];
    snprintf(clean, sizeof clean, "%s", msg && *msg ? msg : "unknown error");
    int status = map_errno(e, state);
    if (!e) status = SINEW_ERROR;
    const char *hint = "";
    char table[128] = "", column[128] = "", constraint[128] = "";
    switch (e) {
    case ER_DUP_ENTRY: case ER_DUP_ENTRY_WITH_KEY_NAME: case ER_DUP_KEY: {
        hint = "; a row with the same value already exists: change the value or update that row";
        char key[128];
        /* "Duplicate entry 'x' for key 'k'" (MySQL 8: 'table.k') */
        if (quoted_after(clean, "for key ", '\'', key, sizeof key)) {
            const char *dot = strrchr(key, '.');
            snprintf(constraint, sizeof constraint, "%s", dot ? dot + 1 : key);
            if (dot) snprintf(table, sizeof table, "%.*s", (int)(dot - key), key);
        }
        if (!table[0]) table_of(sql, table, sizeof table);
        /* the row's values stay out of messages: keep only what follows the value */
        const char *fk = strstr(clean, " for key ");
        if (fk && !strncmp(clean, "Duplicate entry", 15)) memmove(clean + 15, fk, strlen(fk) + 1);
        break;
    }
    case ER_ROW_IS_REFERENCED: case ER_ROW_IS_REFERENCED_2: case ER_NO_REFERENCED_ROW: case ER_NO_REFERENCED_ROW_2: {
        hint = "; the referenced row does not exist or still has dependants";
        /* "... a foreign key constraint fails (`db`.`child`, CONSTRAINT `fk` FOREIGN KEY (`col`) REFERENCES ..." */
        const char *p = strstr(clean, "fails (");
        if (p) {
            const char *dot = strstr(p, "`.`");
            if (dot) quoted_after(dot + 2, NULL, '`', table, sizeof table);
            quoted_after(p, "CONSTRAINT ", '`', constraint, sizeof constraint);
            char cols[128];
            if (quoted_after(p, "FOREIGN KEY (", '`', cols, sizeof cols)) {
                const char *fkp = strstr(p, "FOREIGN KEY (");
                const char *close = fkp ? strchr(fkp, ')') : NULL;
                const char *comma = fkp ? strchr(fkp, ',') : NULL;
                if (!(comma && close && comma < close)) snprintf(column, sizeof column, "%s", cols);
            }
        }
        break;
    }
    case ER_BAD_NULL_ERROR: case ER_NO_DEFAULT_FOR_FIELD:
        hint = "; give the field a value";
        /* "Column 'x' cannot be null", "Field 'x' doesn't have a default value" */
        quoted_after(clean, NULL, '\'', column, sizeof column);
        table_of(sql, table, sizeof table);
        snprintf(constraint, sizeof constraint, "not null");
        if (e == ER_NO_DEFAULT_FOR_FIELD) state = "23502";   /* HY000 from the server: report what it is */
        break;
    case ER_CONSTRAINT_FAILED:
        /* "CONSTRAINT `name` failed for `db`.`t`" */
        quoted_after(clean, "CONSTRAINT ", '`', constraint, sizeof constraint);
        {
            const char *f = strstr(clean, "failed for ");
            const char *dot = f ? strstr(f, "`.`") : NULL;
            if (dot) quoted_after(dot + 2, NULL, '`', table, sizeof table);
        }
        if (!table[0]) table_of(sql, table, sizeof table);
        break;
    case ER_LOCK_DEADLOCK: hint = "; the transaction was rolled back: run it again (sinew_transaction retries it)"; break;
    case ER_LOCK_WAIT_TIMEOUT: hint = "; a lock or a timeout stopped the statement: retry later"; break;
    default:
        if (status == SINEW_CONNECTION)
            hint = "; the connection to the server was lost: reconnect (nothing of the open transaction was committed)";
        else if (status == SINEW_READONLY) hint = "; this server or transaction takes reads only: run writes on the primary";
        break;
    }
    if (e == ER_DUP_ENTRY || e == ER_DUP_ENTRY_WITH_KEY_NAME || e == ER_DUP_KEY)
        key_column(c, table, constraint, column, sizeof column);   /* everything of the error is copied by now */
    sinew_error_set(status, "mariadb: %s while %s%s", clean, doing, hint);
    sinew_error_detail((int)e, state && *state ? state : NULL, table[0] ? table : NULL, column[0] ? column : NULL,
                       constraint[0] ? constraint : NULL);
    return status;
}

/* ---- connection ---- */

/* every result of a (multi-)statement text read and dropped; the first failure reported */
static int drain_results(sinew_conn *c, const char *sql)
{
    int rc = SINEW_OK;
    for (;;) {
        MYSQL_RES *r = mysql_store_result(c->my);
        if (r) {
            mysql_free_result(r);
        } else if (mysql_field_count(c->my) == 0) {
            my_ulonglong n = mysql_affected_rows(c->my);
            c->changes = n == (my_ulonglong)-1 ? 0 : (int64_t)n;
            my_ulonglong id = mysql_insert_id(c->my);
            if (id) c->last_id = (int64_t)id + (c->changes > 1 ? c->changes - 1 : 0);
        } else if (rc == SINEW_OK) {
            char doing[240];
            snprintf(doing, sizeof doing, "executing %.200s", sql);
            rc = fail(c, NULL, sql, doing);
        }
        int next = mysql_next_result(c->my);
        if (next < 0) break;
        if (next > 0) {
            if (rc == SINEW_OK) {
                char doing[240];
                snprintf(doing, sizeof doing, "executing %.200s", sql);
                rc = fail(c, NULL, sql, doing);
            }
            break;
        }
    }
    return rc;
}

static int run(sinew_conn *c, const char *sql)
{
    settle_for(c, NULL);
    if (mysql_real_query(c->my, sql, (unsigned long)strlen(sql))) {
        char doing[240];
        snprintf(doing, sizeof doing, "executing %.200s", sql);
        return fail(c, NULL, sql, doing);
    }
    return drain_results(c, sql);
}

static int my_exec(sinew_conn *c, const char *sql) { return run(c, sql); }

static const char *const known_params[] = {"charset", "ssl-mode", "sslmode", "ssl-ca", "connect_timeout", "unix_socket",
                                           "lock_timeout", "statement_timeout", "isolation", "returning", NULL};

static int ms_param(const sinew_url *url, const char *name, long *out)
{
    const char *v = sinew_url_param(url, name);
    *out = -1;
    if (!v) return SINEW_OK;
    char *end;
    long ms = strtol(v, &end, 10);
    if (!*v || *end || ms < 0 || ms > 86400000L)
        return sinew_error_set(SINEW_INVALID, "bad URL: %s=%s is not a number of milliseconds (0 to 86400000)", name, v);
    *out = ms;
    return SINEW_OK;
}

static int tls_options(MYSQL *my, const sinew_url *url)
{
    const char *mode = sinew_url_param(url, "ssl-mode");
    if (!mode) mode = sinew_url_param(url, "sslmode");
    const char *ca = sinew_url_param(url, "ssl-ca");
    if (ca) mysql_optionsv(my, MYSQL_OPT_SSL_CA, ca);
    if (!mode) return SINEW_OK;
    my_bool on = 1;
    if (!strcasecmp(mode, "disabled") || !strcasecmp(mode, "disable")) return SINEW_OK;
    if (!strcasecmp(mode, "preferred") || !strcasecmp(mode, "prefer")) return SINEW_OK;
    if (!strcasecmp(mode, "required") || !strcasecmp(mode, "require")) {
        mysql_optionsv(my, MYSQL_OPT_SSL_ENFORCE, &on);
        return SINEW_OK;
    }
    if (!strcasecmp(mode, "verify_ca") || !strcasecmp(mode, "verify-ca") || !strcasecmp(mode, "verify_identity") ||
        !strcasecmp(mode, "verify-full")) {
        mysql_optionsv(my, MYSQL_OPT_SSL_ENFORCE, &on);
        mysql_optionsv(my, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
        return SINEW_OK;
    }
    return sinew_error_set(SINEW_INVALID, "bad URL: ssl-mode=%s: say DISABLED, PREFERRED, REQUIRED, VERIFY_CA or "
                           "VERIFY_IDENTITY", mode);
}

static int my_open(const sinew_url *url, sinew_conn **out)
{
    *out = NULL;
    int bad = sinew_url_check_params(url, "mariadb", known_params);
    if (bad) return bad;
    const char *cs = sinew_url_param(url, "charset");
    if (cs && strcasecmp(cs, "utf8mb4"))
        return sinew_error_set(SINEW_INVALID, "bad URL: charset=%s: sinew talks to MariaDB in utf8mb4 only (its text is "
                               "UTF-8); drop the parameter or say charset=utf8mb4", cs);
    /* ?returning=off: use no INSERT ... RETURNING although the server has it (as on MySQL) */
    const char *ret = sinew_url_param(url, "returning");
    if (ret && strcmp(ret, "off") && strcmp(ret, "auto"))
        return sinew_error_set(SINEW_INVALID, "bad URL: returning=%s: say returning=off (never INSERT ... RETURNING) or "
                               "returning=auto (where the server has it: MariaDB 10.5 and later, the default)", ret);
    long lock_ms, stmt_ms, conn_s = -1;
    if ((bad = ms_param(url, "lock_timeout", &lock_ms)) || (bad = ms_param(url, "statement_timeout", &stmt_ms))) return bad;
    /* for the session, once: every transaction sinew begins runs at it (READ COMMITTED, as
     * PostgreSQL's default, unless the URL says) */
    const char *level;
    if ((bad = sinew_url_isolation(url, &level))) return bad;
    if (!level) level = "READ COMMITTED";
    const char *ct = sinew_url_param(url, "connect_timeout");
    if (ct) {
        char *end;
        conn_s = strtol(ct, &end, 10);
        if (!*ct || *end || conn_s < 1 || conn_s > 3600)
            return sinew_error_set(SINEW_INVALID, "bad URL: connect_timeout=%s is not a number of seconds (1 to 3600)", ct);
    }
    sinew_conn *c = sn_calloc(1, sizeof *c);
    if (!c) return sn_nomem();
    c->my = mysql_init(NULL);
    if (!c->my) {
        sn_free(c);
        return sn_nomem();
    }
    mysql_optionsv(c->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (conn_s > 0) {
        unsigned t = (unsigned)conn_s;
        mysql_optionsv(c->my, MYSQL_OPT_CONNECT_TIMEOUT, &t);
    }
    if ((bad = tls_options(c->my, url))) {
        mysql_close(c->my);
        sn_free(c);
        return bad;
    }
    const char *sock = sinew_url_param(url, "unix_socket");
    const char *host = url->host && *url->host ? url->host : (sock ? "localhost" : "127.0.0.1");
    if (!mysql_real_connect(c->my, host, url->user, url->password, url->path, (unsigned)url->port, sock,
                            CLIENT_FOUND_ROWS | CLIENT_MULTI_STATEMENTS | CLIENT_MULTI_RESULTS)) {
        char msg[400];
        snprintf(msg, sizeof msg, "%s", mysql_error(c->my));
        mysql_close(c->my);
        sn_free(c);
        char port[16];
        snprintf(port, sizeof port, "%d", url->port ? url->port : 3306);
        return sinew_error_set(SINEW_CONNECTION, "mariadb: cannot connect to %s:%s: %s; check that the server runs "
                               "and the URL's host, port, user, password and database", sock ? sock : host,
                               sock ? "socket" : port, msg);
    }
    /* MariaDB or MySQL: INSERT ... RETURNING is MariaDB's from 10.5 on (MySQL 8 and 9 have none), and
       the recursion limit of a CTE has another name on each */
    const char *info = mysql_get_server_info(c->my);
    int mariadb = info && strstr(info, "MariaDB") != NULL;
    c->no_returning = (ret && !strcmp(ret, "off")) || !mariadb || mysql_get_server_version(c->my) < 100500;
    char set[600];
    int n = snprintf(set, sizeof set,
                     "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
                     "NO_ENGINE_SUBSTITUTION,NO_BACKSLASH_ESCAPES,ANSI_QUOTES,PIPES_AS_CONCAT', time_zone = '+00:00', "
                     "NAMES utf8mb4 COLLATE utf8mb4_bin, div_precision_increment = 30, %s = 4294967295; "
                     "SET SESSION TRANSACTION ISOLATION LEVEL %s",
                     mariadb ? "max_recursive_iterations" : "cte_max_recursion_depth", level);
    if (lock_ms >= 0)   /* innodb_lock_wait_timeout is in whole seconds, 0 not allowed */
        n += snprintf(set + n, sizeof set - (size_t)n, "; SET SESSION innodb_lock_wait_timeout = %ld",
                      lock_ms ? (lock_ms + 999) / 1000 : 1073741824L);
    if (stmt_ms >= 0) snprintf(set + n, sizeof set - (size_t)n, "; SET SESSION max_statement_time = %.3f", stmt_ms / 1000.0);
    int rc = run(c, set);
    if (rc) {
        mysql_close(c->my);
        sn_free(c);
        return rc;
    }
    *out = c;
    return SINEW_OK;
}

static const sinew_dialect *my_conn_dialect(sinew_conn *c)
{
    return c->no_returning ? &sn_dialect_mariadb_no_returning : &sn_dialect_mariadb;
}

static void my_close(sinew_conn *c)
{
    if (!c) return;
    mysql_close(c->my);
    sn_free(c);
}

/* ---- statements ---- */

static void free_stmt(sinew_stmt *s)
{
    /* closing the stream itself drops its rows; closing another statement needs the connection */
    if (s->c->unbuffered == s) s->c->unbuffered = NULL;
    else settle_for(s->c, s);
    if (s->st) mysql_stmt_close(s->st);
    for (int i = 0; i < s->nparams; i++) sn_free(s->params[i].buf);
    for (int i = 0; i < s->ncols; i++) {
        sn_free(s->cols[i].buf);
        if (s->names) sn_free(s->names[i]);
    }
    sn_free(s->params);
    sn_free(s->pbind);
    sn_free(s->cols);
    sn_free(s->rbind);
    sn_free(s->names);
    sn_free(s->sql);
    sn_free(s);
}

/* how a result column is read: by its type, and bytes where the character set is binary */
static int column_kind(const MYSQL_FIELD *f)
{
    switch (f->type) {
    case MYSQL_TYPE_TINY: case MYSQL_TYPE_SHORT: case MYSQL_TYPE_LONG: case MYSQL_TYPE_LONGLONG:
    case MYSQL_TYPE_INT24: case MYSQL_TYPE_YEAR:
        return COL_INT;
    case MYSQL_TYPE_FLOAT: case MYSQL_TYPE_DOUBLE: return COL_FLOAT;
    case MYSQL_TYPE_TINY_BLOB: case MYSQL_TYPE_MEDIUM_BLOB: case MYSQL_TYPE_LONG_BLOB: case MYSQL_TYPE_BLOB:
    case MYSQL_TYPE_STRING: case MYSQL_TYPE_VAR_STRING: case MYSQL_TYPE_VARCHAR: case MYSQL_TYPE_GEOMETRY:
        return f->charsetnr == 63 ? COL_BLOB : COL_TEXT;
    case MYSQL_TYPE_BIT: return COL_BLOB;
    default: return COL_TEXT;   /* DECIMAL stays exact text; dates and times as text */
    }
}

static int grow(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap) return SINEW_OK;
    size_t n = *cap ? *cap : 64;
    while (n < need) n *= 2;
    char *b = sn_realloc(*buf, n);
    if (!b) return sn_nomem();
    *buf = b;
    *cap = n;
    return SINEW_OK;
}

static void bind_column(sinew_stmt *s, int i)
{
    rcol *col = &s->cols[i];
    MYSQL_BIND *b = &s->rbind[i];
    memset(b, 0, sizeof *b);
    b->is_null = &col->is_null;
    b->error = &col->error;
    b->length = &col->len;
    switch (col->kind) {
    case COL_INT:
        b->buffer_type = MYSQL_TYPE_LONGLONG;
        b->buffer = &col->i;
        break;
    case COL_FLOAT:
        b->buffer_type = MYSQL_TYPE_DOUBLE;
        b->buffer = &col->d;
        break;
    default:
        b->buffer_type = col->kind == COL_BLOB ? MYSQL_TYPE_BLOB : MYSQL_TYPE_STRING;
        b->buffer = col->buf;
        b->buffer_length = (unsigned long)(col->cap - 1);   /* room for the NUL */
        break;
    }
}

static int setup_columns(sinew_stmt *s)
{
    MYSQL_RES *meta = mysql_stmt_result_metadata(s->st);
    if (!meta) return SINEW_OK;   /* no result set */
    int n = (int)mysql_num_fields(meta);
    MYSQL_FIELD *f = mysql_fetch_fields(meta);
    s->cols = sn_calloc((size_t)n, sizeof *s->cols);
    s->rbind = sn_calloc((size_t)n, sizeof *s->rbind);
    s->names = sn_calloc((size_t)n, sizeof *s->names);
    if (!s->cols || !s->rbind || !s->names) {
        mysql_free_result(meta);
        return sn_nomem();
    }
    s->ncols = n;
    int rc = SINEW_OK;
    for (int i = 0; i < n && rc == SINEW_OK; i++) {
        s->cols[i].kind = column_kind(&f[i]);
        if (!(s->names[i] = sn_strdup(f[i].name ? f[i].name : ""))) rc = sn_nomem();
        /* text and bytes start at 64 bytes (or the column's size, up to 1 KiB) and grow as values need */
        size_t start = f[i].length > 0 && f[i].length < 1024 ? (size_t)f[i].length + 1 : 64;
        if (start < 64) start = 64;
        if (rc == SINEW_OK && s->cols[i].kind >= COL_TEXT) rc = grow(&s->cols[i].buf, &s->cols[i].cap, start);
        if (rc == SINEW_OK) bind_column(s, i);
    }
    mysql_free_result(meta);
    return rc;
}

static int my_prepare(sinew_conn *c, const char *sql, sinew_stmt **out)
{
    *out = NULL;
    sinew_stmt *s = sn_calloc(1, sizeof *s);
    if (!s) return sn_nomem();
    s->c = c;
    if (!(s->sql = sn_strdup(sql)) || !(s->st = mysql_stmt_init(c->my))) {
        free_stmt(s);
        return sn_nomem();
    }
    settle_for(c, NULL);
    if (mysql_stmt_prepare(s->st, sql, (unsigned long)strlen(sql))) {
        char doing[260];
        snprintf(doing, sizeof doing, "preparing %.220s", sql);
        int rc = fail(c, s->st, sql, doing);
        free_stmt(s);
        return rc;
    }
    s->nparams = (int)mysql_stmt_param_count(s->st);
    if (s->nparams) {
        s->params = sn_calloc((size_t)s->nparams, sizeof *s->params);
        s->pbind = sn_calloc((size_t)s->nparams, sizeof *s->pbind);
        if (!s->params || !s->pbind) {
            free_stmt(s);
            return sn_nomem();
        }
        for (int i = 0; i < s->nparams; i++) {
            s->pbind[i].buffer_type = MYSQL_TYPE_NULL;
            s->pbind[i].length = &s->params[i].len;
            s->pbind[i].is_null = &s->params[i].null;
        }
        s->rebind = 1;
    }
    int rc = setup_columns(s);
    if (rc) {
        free_stmt(s);
        return rc;
    }
    *out = s;
    return SINEW_OK;
}

/*
 * Parameters are handed to Connector/C once (mysql_stmt_bind_param copies the MYSQL_BINDs and makes
 * the next execution send the parameter types again) and read from these buffers at every
 * execution: a value's length and NULL flag go through the pointers in its MYSQL_BIND, so only a
 * new type or a buffer that moved binds again. A run of saves through one statement binds once
 * (W5: about 240 instructions less a save, the type list no longer in every packet).
 */
static inline void set_param(sinew_stmt *s, MYSQL_BIND *b, enum enum_field_types type, void *buf)
{
    if (b->buffer_type != type || b->buffer != buf) {
        b->buffer_type = type;
        b->buffer = buf;
        s->rebind = 1;
    }
}

static int put_bytes(sinew_stmt *s, int i, const void *data, size_t n, enum enum_field_types type)
{
    param *p = &s->params[i];
    int rc = grow(&p->buf, &p->cap, n + 1);
    if (rc) return rc;
    if (n) memcpy(p->buf, data, n);
    p->buf[n] = '\0';
    p->len = (unsigned long)n;
    set_param(s, &s->pbind[i], type, p->buf);
    return SINEW_OK;
}

static int my_bind(sinew_stmt *s, int i, const sinew_value *v)
{
    if (i < 0 || i >= s->nparams)
        return sinew_error_set(SINEW_MISUSE, "bind: parameter %d is out of range (the statement has %d)", i + 1, s->nparams);
    MYSQL_BIND *b = &s->pbind[i];
    param *p = &s->params[i];
    /* a NULL keeps the binding's type (the flag says NULL), so a column that is NULL now and then
       does not bind again */
    p->null = (my_bool)(v->is_null != 0);
    if (v->is_null) return SINEW_OK;
    switch (v->type) {
    case SINEW_BOOL: case SINEW_INT32: case SINEW_INT64: case SINEW_ENUM:
        p->i = v->type == SINEW_BOOL ? (v->u.i != 0) : v->u.i;
        set_param(s, b, MYSQL_TYPE_LONGLONG, &p->i);
        return SINEW_OK;
    case SINEW_DOUBLE:
        p->d = v->u.d;
        set_param(s, b, MYSQL_TYPE_DOUBLE, &p->d);
        return SINEW_OK;
    case SINEW_TEXT: case SINEW_JSON: case SINEW_DECIMAL:
        return put_bytes(s, i, v->u.s.ptr, v->u.s.len, MYSQL_TYPE_STRING);
    case SINEW_BLOB:
        return put_bytes(s, i, v->u.s.ptr, v->u.s.len, MYSQL_TYPE_BLOB);
    case SINEW_TIMESTAMP: case SINEW_DATE: {
        /* the calendar fields, from the text form sinew already makes (exact, UTC) */
        char tmp[32];
        if (v->type == SINEW_TIMESTAMP) sinew_timestamp_format(v->u.i, tmp);
        else sinew_date_format((int32_t)v->u.i, tmp);
        return put_bytes(s, i, tmp, strlen(tmp), MYSQL_TYPE_STRING);
    }
    case SINEW_UUID: {
        char tmp[37];
        sinew_uuid_format(&v->u.uuid, tmp);
        return put_bytes(s, i, tmp, 36, MYSQL_TYPE_STRING);
    }
    }
    return sinew_error_set(SINEW_MISUSE, "mariadb: no form for value type %d", (int)v->type);
}

/* the rows a multi-row INSERT wrote, from the server's note on it ("Records: 3  Duplicates: 0 ..."),
 * which a statement of one row has not */
static int64_t statement_rows(sinew_conn *c)
{
    const char *info = mysql_info(c->my);
    if (!info || strncmp(info, "Records: ", 9)) return 1;
    long long n = strtoll(info + 9, NULL, 10);
    return n > 1 ? (int64_t)n : 1;
}

/*
 * A result that failed part way (an error packet among its rows, met by mysql_stmt_store_result or by
 * a fetch) leaves Connector/C's statement expecting more rows: its next mysql_stmt_execute would wait
 * for them forever. Seen with NOWAIT over a locked row, whose error comes after the result's column
 * count. A reset (COM_STMT_RESET, a round trip on this error path only) makes it prepared again.
 */
SN_COLD static void unstick(sinew_stmt *s)
{
    if (s->c->unbuffered == s) s->c->unbuffered = NULL;
    s->has_result = 0;
    s->row = 0;
    s->settle_failed = 0;
    mysql_stmt_reset(s->st);
}

static void close_result(sinew_stmt *s)
{
    /* a stream stopped early: mysql_stmt_free_result reads its remaining rows off the connection */
    if (s->c->unbuffered == s) s->c->unbuffered = NULL;
    if (s->has_result) mysql_stmt_free_result(s->st);
    s->has_result = 0;
    s->row = 0;
    s->settle_failed = 0;
}

static int execute(sinew_stmt *s)
{
    if (s->rebind && s->nparams) {
        if (mysql_stmt_bind_param(s->st, s->pbind)) return fail(s->c, s->st, s->sql, "binding parameters");
        s->rebind = 0;
    }
    if (s->c->unbuffered == s) s->c->unbuffered = NULL;   /* run again: mysql_stmt_execute drops the old rows */
    settle_for(s->c, s);
    if (mysql_stmt_execute(s->st)) {
        char doing[260];
        snprintf(doing, sizeof doing, "running %.220s", s->sql);
        return fail(s->c, s->st, s->sql, doing);
    }
    s->executed = 1;
    /* INSERT ... RETURNING describes its result only once it has run */
    if (s->ncols == 0 && mysql_stmt_field_count(s->st) > 0) {
        int rc = setup_columns(s);
        if (rc) return rc;
    }
    if (s->ncols == 0 || mysql_stmt_field_count(s->st) == 0) {
        my_ulonglong n = mysql_stmt_affected_rows(s->st);
        s->c->changes = n == (my_ulonglong)-1 ? 0 : (int64_t)n;
        my_ulonglong id = mysql_stmt_insert_id(s->st);
        /* a multi-row INSERT reports its first key; sinew's contract is the last (as SQLite's):
         * the keys of one statement are consecutive (innodb_autoinc_lock_mode 0 or 1). The rows are
         * the server's count of them, not the affected rows, which are 2 for a row that ON DUPLICATE
         * KEY UPDATE changed. A statement that reports no key reports 0: an upsert without RETURNING
         * tells an inserted row with a key of its own from an updated one by it (orm/bulk.c). */
        s->c->last_id = id ? (int64_t)id + (statement_rows(s->c) - 1) : 0;
        return SINEW_DONE;
    }
    if (mysql_stmt_bind_result(s->st, s->rbind)) return fail(s->c, s->st, s->sql, "binding result columns");
    if (s->streaming) {
        s->c->unbuffered = s;   /* rows come as they are fetched */
    } else if (mysql_stmt_store_result(s->st)) {
        int rc = fail(s->c, s->st, s->sql, "reading a result");
        unstick(s);
        return rc;
    }
    s->has_result = 1;
    /* an INSERT ... RETURNING reports no affected rows: the rows it returns are the rows it wrote */
    my_ulonglong n = mysql_stmt_affected_rows(s->st);
    s->c->changes = n != (my_ulonglong)-1 ? (int64_t)n : s->streaming ? 0 : (int64_t)mysql_stmt_num_rows(s->st);
    my_ulonglong id = mysql_stmt_insert_id(s->st);
    if (id) s->c->last_id = (int64_t)id;
    return SINEW_OK;
}

/* a value longer than its buffer: grow the buffer and read the column again */
SN_NOINLINE static int refetch(sinew_stmt *s)
{
    int rebind = 0;
    for (int i = 0; i < s->ncols; i++) {
        rcol *col = &s->cols[i];
        if (!col->error || col->kind < COL_TEXT) continue;
        int rc = grow(&col->buf, &col->cap, (size_t)col->len + 1);
        if (rc) return rc;
        bind_column(s, i);
        if (mysql_stmt_fetch_column(s->st, &s->rbind[i], (unsigned)i, 0))
            return fail(s->c, s->st, s->sql, "reading a long value");
        col->error = 0;
        rebind = 1;
    }
    if (rebind && mysql_stmt_bind_result(s->st, s->rbind)) return fail(s->c, s->st, s->sql, "binding result columns");
    return SINEW_OK;
}

SN_HOT static int my_step(sinew_stmt *s)
{
    if (!s->executed) {
        int rc = execute(s);
        if (rc) {
            if (rc == SINEW_DONE) s->row = 0;
            return rc;
        }
    }
    if (!s->has_result) return SINEW_DONE;
    if (SN_UNLIKELY(s->settle_failed)) {
        int rc = fail(s->c, s->st, s->sql, "reading the rest of a stream before another statement used the connection");
        unstick(s);
        return rc;
    }
    int f = mysql_stmt_fetch(s->st);
    if (f == MYSQL_NO_DATA) {
        s->row = 0;
        close_result(s);
        return SINEW_DONE;
    }
    if (f == 1) {
        /* an unbuffered fetch (a stream) leaves the server's error on the connection, not the statement */
        int rc = fail(s->c, mysql_stmt_errno(s->st) ? s->st : NULL, s->sql, "reading a row");
        unstick(s);
        return rc;
    }
    if (f == MYSQL_DATA_TRUNCATED) {
        int rc = refetch(s);
        if (rc) return rc;
    }
    for (int i = 0; i < s->ncols; i++) {
        rcol *col = &s->cols[i];
        if (col->kind >= COL_TEXT && !col->is_null) col->buf[col->len] = '\0';
    }
    s->row = 1;
    return SINEW_ROW;
}

static int my_stream(sinew_stmt *s)
{
    s->streaming = 1;
    return SINEW_OK;
}

static int my_reset(sinew_stmt *s)
{
    close_result(s);
    s->executed = 0;
    s->streaming = 0;
    return SINEW_OK;
}

static void my_finalize(sinew_stmt *s)
{
    if (!s) return;
    close_result(s);
    free_stmt(s);
}

static int my_column_count(sinew_stmt *s) { return s->ncols; }
static const char *my_column_name(sinew_stmt *s, int i) { return i >= 0 && i < s->ncols ? s->names[i] : NULL; }

static inline const rcol *cur(const sinew_stmt *s, int i)
{
    return s->row && i >= 0 && i < s->ncols && !s->cols[i].is_null ? &s->cols[i] : NULL;
}

static sinew_storage my_column_storage(sinew_stmt *s, int i)
{
    const rcol *c = cur(s, i);
    if (!c) return SINEW_STORAGE_NULL;
    switch (c->kind) {
    case COL_INT: return SINEW_STORAGE_INT;
    case COL_FLOAT: return SINEW_STORAGE_FLOAT;
    case COL_BLOB: return SINEW_STORAGE_BLOB;
    default: return SINEW_STORAGE_TEXT;
    }
}

static int64_t my_column_i64(sinew_stmt *s, int i)
{
    const rcol *c = cur(s, i);
    if (!c) return 0;
    if (c->kind == COL_INT) return c->i;
    if (c->kind == COL_FLOAT) return (int64_t)c->d;
    return strtoll(c->buf, NULL, 10);
}

static double my_column_f64(sinew_stmt *s, int i)
{
    const rcol *c = cur(s, i);
    if (!c) return 0;
    if (c->kind == COL_FLOAT) return c->d;
    if (c->kind == COL_INT) return (double)c->i;
    return strtod(c->buf, NULL);
}

static const char *my_column_text(sinew_stmt *s, int i, size_t *len)
{
    rcol *c = (rcol *)cur(s, i);
    *len = 0;
    if (!c) return "";
    if (c->kind == COL_INT) snprintf(c->num, sizeof c->num, "%lld", (long long)c->i);
    else if (c->kind == COL_FLOAT) snprintf(c->num, sizeof c->num, "%.17g", c->d);
    else {
        *len = c->len;
        return c->buf;
    }
    *len = strlen(c->num);
    return c->num;
}

static const void *my_column_blob(sinew_stmt *s, int i, size_t *len) { return my_column_text(s, i, len); }

SN_HOT static void my_column_cell(sinew_stmt *s, int i, sinew_cell *out)
{
    const rcol *c = cur(s, i);
    if (!c) {
        out->storage = SINEW_STORAGE_NULL;
        out->len = 0;
        return;
    }
    switch (c->kind) {
    case COL_INT: out->storage = SINEW_STORAGE_INT; out->u.i = c->i; out->len = 0; break;
    case COL_FLOAT: out->storage = SINEW_STORAGE_FLOAT; out->u.f = c->d; out->len = 0; break;
    default:
        out->storage = c->kind == COL_BLOB ? SINEW_STORAGE_BLOB : SINEW_STORAGE_TEXT;
        out->u.p = c->buf;
        out->len = c->len;
        break;
    }
}

/* ---- transactions ---- */

static int my_begin(sinew_conn *c) { return run(c, "START TRANSACTION"); }
static int my_commit(sinew_conn *c) { return run(c, "COMMIT"); }
static int my_rollback(sinew_conn *c)
{
    int rc = run(c, "ROLLBACK");
    return rc == SINEW_CONNECTION ? SINEW_OK : rc;   /* the server rolled it back already */
}

static int named(sinew_conn *c, const char *verb, const char *name)
{
    char sql[200];
    sn_buf b;
    sn_buf_init(&b);
    sn_sql_ident(&b, &sn_dialect_mariadb, name);
    snprintf(sql, sizeof sql, "%s %s", verb, b.failed ? "`sp`" : sn_buf_cstr(&b));
    sn_buf_free(&b);
    return run(c, sql);
}

static int my_savepoint(sinew_conn *c, const char *n) { return named(c, "SAVEPOINT", n); }
static int my_release(sinew_conn *c, const char *n) { return named(c, "RELEASE SAVEPOINT", n); }
static int my_rollback_to(sinew_conn *c, const char *n) { return named(c, "ROLLBACK TO SAVEPOINT", n); }
static int64_t my_changes(sinew_conn *c) { return c->changes; }
static int64_t my_last_insert_id(sinew_conn *c) { return c->last_id; }

static int my_in_transaction(sinew_conn *c)
{
    unsigned int status = 0;
    if (mariadb_get_infov(c->my, MARIADB_CONNECTION_SERVER_STATUS, &status)) return 0;
    return (status & SERVER_STATUS_IN_TRANS) != 0;
}

static const char *const my_schemes[] = {"mariadb", "mysql", NULL};

const sinew_driver sinew_mariadb_driver = {
    SINEW_DRIVER_VERSION,
    "mariadb",
    my_schemes,
    &sn_dialect_mariadb,
    my_open, my_close,
    my_prepare, my_bind, my_step, my_reset, my_finalize,
    my_column_count, my_column_name, my_column_storage, my_column_i64, my_column_f64,
    my_column_text, my_column_blob,
    my_exec, my_begin, my_commit, my_rollback, my_savepoint, my_release, my_rollback_to,
    my_changes, my_last_insert_id, my_in_transaction,
    sn_my_introspect,   /* mariadb_introspect.c */
    my_stream,
    NULL, NULL, NULL,   /* no COPY: bulk inserts are multi-row INSERTs */
    my_column_cell,
    sn_my_introspect_schemas,   /* mariadb_introspect.c: a schema is a database */
    NULL, NULL, NULL, NULL,   /* no pipelining: pipeline_begin, send, receive, pipeline_end */
    my_conn_dialect,          /* with or without INSERT ... RETURNING, by the server */
    NULL,   /* bind_rows: a batch binds value by value (MYSQL_BIND copies every value anyway) */
    NULL,   /* column_cells: hydration reads a row cell by cell through column_cell */
};
