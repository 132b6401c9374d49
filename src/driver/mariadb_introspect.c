/*
 * mariadb_introspect.c - the MariaDB / MySQL driver's introspect and
 * introspect_schemas members: reads the tables of the connection's database
 * (DATABASE()), and of the databases named for `@@schema` (a schema is a
 * database there; their models get @@schema, and foreign keys between the
 * databases read are kept), from information_schema and hands what it read to the schema layer's builder
 * (schema/introspect.h), with a note for everything the graph cannot say.
 * It runs plain queries through the driver's own vtable, as the PostgreSQL
 * reader does.
 *
 * What MariaDB reports in its own way:
 *  - COLUMN_TYPE keeps display widths and flags (int(11), smallint(5)
 *    unsigned, tinyint(1) for booleans); the type mapping reads them.
 *  - JSON is LONGTEXT with an automatic CHECK (json_valid(col)) named after
 *    the column: such a column is read as json.
 *  - ENUM('a','b') is a column type, not a named type: it becomes an enum
 *    named after its table and column (when every label is an identifier).
 *  - COLUMN_DEFAULT is SQL on MariaDB ('text' quoted, NULL as the word NULL,
 *    expressions such as current_timestamp()); MySQL 8 gives literals bare
 *    and marks expressions DEFAULT_GENERATED, so bare literals are quoted.
 *  - The index InnoDB makes for a foreign key is an ordinary index (named
 *    after the key's column or constraint) and is pulled as one; key-part
 *    lengths (SUB_PART) are not in the graph: they are noted unless they are
 *    the (255) sinew writes itself for LONGTEXT/LONGBLOB columns.
 *  - Constraint names MariaDB makes itself are no names anyone chose and are
 *    not pulled: CONSTRAINT_<n> for an unnamed table CHECK, the column's own
 *    name for a column's CHECK, <table>_ibfk_<n> for a foreign key (MySQL:
 *    <table>_chk_<n>), and sinew's own <table>_<columns>_fkey. A primary key
 *    is always PRIMARY.
 *  - Views are read-only @@view models of their columns, as on PostgreSQL.
 *  - sinew_migrations and sinew_migrations_progress are the runner's own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "driver/readers.h"
#include "driver/strlist.h"
#include "schema/introspect.h"
#include "sql/dialect.h"

typedef struct cat_query {
    const sinew_driver *drv;
    sinew_stmt *stmt;
} cat_query;

static int cq_step(cat_query *x) { return x->drv->step(x->stmt); }
static void cq_end(cat_query *x) { x->drv->finalize(x->stmt); }

static const char *txt(cat_query *x, int i)
{
    if (x->drv->column_storage(x->stmt, i) == SINEW_STORAGE_NULL) return NULL;
    size_t n;
    return x->drv->column_text(x->stmt, i, &n);
}

static int64_t num(cat_query *x, int i) { return x->drv->column_i64(x->stmt, i); }

/* the query's parameters: the database it reads (when not NULL), then the table (when not NULL) */
static int open_q(cat_query *x, sinew_conn *db, const char *sql, const char *schema, const char *table)
{
    x->drv = &sinew_mariadb_driver;
    int rc = x->drv->prepare(db, sql, &x->stmt);
    if (rc) return rc;
    int k = 0;
    const char *args[2] = {schema, table};
    for (int i = 0; i < 2 && !rc; i++) {
        if (!args[i]) continue;
        sinew_value v = sinew_v_text(args[i]);
        rc = x->drv->bind(x->stmt, k++, &v);
    }
    if (rc) cq_end(x);
    return rc;
}


static int sl_has(const sn_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++) if (l->v[i] && s && !strcmp(l->v[i], s)) return 1;
    return 0;
}

/* MariaDB names a CHECK's column in its clause with the session's quote: `c` or "c" (ANSI_QUOTES) */
static int is_json_check(const char *clause, const char *col)
{
    if (!clause || strncasecmp(clause, "json_valid(", 11) != 0) return 0;
    const char *p = clause + 11;
    size_t n = strlen(col);
    if ((*p != '`' && *p != '"') || strncmp(p + 1, col, n) != 0 || p[n + 1] != *p) return 0;
    return !strcmp(p + n + 2, ")");
}

/* The labels of enum('a','it''s',...) (each unquoted); 0 when the text is not of that form. */
static int enum_labels(const char *type, sn_strlist *out)
{
    if (strncasecmp(type, "enum(", 5) != 0) return 0;
    const char *p = type + 5;
    while (*p == '\'') {
        sn_buf b;
        sn_buf_init(&b);
        for (p++; *p; p++) {
            if (*p == '\'' && p[1] == '\'') { sn_buf_putc(&b, '\''); p++; continue; }
            if (*p == '\'') break;
            sn_buf_putc(&b, *p);
        }
        int rc = b.failed ? sn_nomem() : sn_strlist_push(out, sn_buf_cstr(&b));
        sn_buf_free(&b);
        if (rc || *p != '\'') return rc ? -1 : 0;
        p++;
        if (*p == ',') p++;
    }
    return *p == ')' ? 1 : 0;
}

/* A MySQL 8 default given bare: quoted as SQL unless it is a number or an expression. */
static char *mysql_default(const char *d, const char *extra, const char *data_type)
{
    if (!d || (extra && strstr(extra, "DEFAULT_GENERATED"))) return d ? sn_strdup(d) : NULL;
    int numeric = strstr(data_type, "int") || !strcmp(data_type, "decimal") || !strcmp(data_type, "double") ||
                  !strcmp(data_type, "float") || !strcmp(data_type, "bit");
    if (numeric) return sn_strdup(d);
    sn_buf b;
    sn_buf_init(&b);
    sn_sql_string_literal(&b, d);
    char *o = b.failed ? NULL : sn_strdup(sn_buf_cstr(&b));
    sn_buf_free(&b);
    return o;
}

/* MariaDB quotes a default with backslash escapes ('it\\'s', 'a\\\\b'): as a standard literal ('it''s') */
static char *mariadb_default(const char *d)
{
    size_t n = d ? strlen(d) : 0;
    if (n < 2 || d[0] != '\'' || d[n - 1] != '\'') return d ? sn_strdup(d) : NULL;
    sn_buf b;
    sn_buf_init(&b);
    sn_buf_putc(&b, '\'');
    for (size_t i = 1; i + 1 < n; i++) {
        char ch = d[i];
        if (ch == '\\' && i + 2 < n) {
            ch = d[++i];
            ch = ch == 'n' ? '\n' : ch == 'r' ? '\r' : ch == 't' ? '\t' : ch == '0' ? '\0' : ch == 'Z' ? '\032' : ch;
        } else if (ch == '\'' && i + 2 < n && d[i + 1] == '\'') {
            i++;
        }
        if (ch == '\'') sn_buf_putc(&b, '\'');
        if (ch) sn_buf_putc(&b, ch);
    }
    sn_buf_putc(&b, '\'');
    char *o = b.failed ? NULL : sn_strdup(sn_buf_cstr(&b));
    sn_buf_free(&b);
    return o;
}

/* name ends in `suffix` and then digits only (at least one when digits is 1) */
static int ends_with_number(const char *name, const char *suffix, int digits)
{
    size_t n = name ? strlen(name) : 0, k = strlen(suffix), d = n;
    while (d && name[d - 1] >= '0' && name[d - 1] <= '9') d--;
    if (digits && d == n) return 0;
    return d >= k && !strncmp(name + d - k, suffix, k);
}

/* a foreign key's name the database or sinew made: <table>_ibfk_<n>, or <table>_<columns>_fkey */
static int default_fk_name(const char *name)
{
    return ends_with_number(name, "_ibfk_", 1) || ends_with_number(name, "_fkey", 0);
}

typedef struct ctx {
    sinew_conn *db;
    sn_ib *b;
    int mysql;                 /* MySQL, not MariaDB: defaults are bare */
    const char *schema;        /* the database being read (the connection's own, or one named) */
    const char *own;           /* the connection's database (DATABASE()), or NULL */
    const sn_strlist *named;   /* the databases asked for ("" for the connection's own), or NULL: its own */
} ctx;

/* a database asked for by name, whose tables are models with @@schema */
static int named_db(const ctx *c, const char *db)
{
    for (size_t i = 0; c->named && db && i < c->named->n; i++)
        if (c->named->v[i][0] && !strcmp(c->named->v[i], db)) return 1;
    return 0;
}

/* the connection's own database is read too (unqualified: models without @@schema) */
static int wants_own(const ctx *c)
{
    if (!c->named || !c->named->n) return 1;
    for (size_t i = 0; i < c->named->n; i++) if (!c->named->v[i][0]) return 1;
    return 0;
}

static int checks(ctx *c, int t, const char *table, sn_strlist *json_cols)
{
    cat_query x;
    int rc = open_q(&x, c->db,
        c->mysql ? "SELECT CONSTRAINT_NAME, CHECK_CLAUSE, 'Table' FROM information_schema.CHECK_CONSTRAINTS "
                   "WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ? ORDER BY CONSTRAINT_NAME"
                 : "SELECT CONSTRAINT_NAME, CHECK_CLAUSE, LEVEL FROM information_schema.CHECK_CONSTRAINTS "
                   "WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ? ORDER BY CONSTRAINT_NAME", c->schema, table);
    if (rc) return rc;
    while ((rc = cq_step(&x)) == SINEW_ROW) {
        const char *name = txt(&x, 0), *clause = txt(&x, 1), *level = txt(&x, 2) ? txt(&x, 2) : "";
        if (!clause) continue;
        if (name && is_json_check(clause, name)) {
            rc = sn_strlist_push(json_cols, name);
        } else {
            /* a column's CHECK is named after the column, an unnamed table CHECK CONSTRAINT_<n> (MySQL:
               <table>_chk_<n>): the database's names, not pulled */
            int dflt = !name || !strcmp(level, "Column") || ends_with_number(name, "CONSTRAINT_", 1) ||
                       (c->mysql && ends_with_number(name, "_chk_", 1));
            rc = sn_ib_check(c->b, t, dflt ? NULL : name, clause);
            if (rc) rc = sn_nomem();
        }
        if (rc) break;
    }
    cq_end(&x);
    return rc == SINEW_DONE ? SINEW_OK : rc;
}

static int columns(ctx *c, int t, const char *table)
{
    sn_strlist json_cols = {0};
    int rc = checks(c, t, table, &json_cols);
    cat_query x;
    if (!rc) rc = open_q(&x, c->db,
        "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, DATA_TYPE, GENERATION_EXPRESSION "
        "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? "
        "ORDER BY ORDINAL_POSITION", c->schema, table);
    if (rc) { sn_strlist_free(&json_cols); return rc; }
    sn_strlist en = {0};     /* enum columns: name, type, default */
    while ((rc = cq_step(&x)) == SINEW_ROW) {
        const char *name = txt(&x, 0), *type = txt(&x, 1), *dflt = txt(&x, 3);
        const char *extra = txt(&x, 4) ? txt(&x, 4) : "", *dt = txt(&x, 5) ? txt(&x, 5) : "";
        int generated = strstr(extra, "GENERATED") && !strstr(extra, "DEFAULT_GENERATED");
        int json = sl_has(&json_cols, name) && !strcmp(dt, "longtext");
        char *d = generated ? NULL : c->mysql ? mysql_default(dflt, extra, dt) : mariadb_default(dflt);
        if (!generated && dflt && !d) { rc = sn_nomem(); break; }
        rc = sn_ib_column(c->b, t, name, json ? "json" : type, !strcmp(txt(&x, 2) ? txt(&x, 2) : "", "NO"), d, 2);
        if (rc) { sn_free(d); rc = sn_nomem(); break; }
        if (strstr(extra, "auto_increment")) sn_ib_auto(c->b, t, name);
        if (generated && txt(&x, 6) && sn_ib_generated(c->b, t, name, txt(&x, 6), strstr(extra, "STORED") != NULL)) {
            rc = sn_nomem();
            break;
        }
        if (strstr(extra, "on update"))
            sn_ib_note(c->b, t, name, "the database sets this column on every UPDATE (%s); the schema cannot say so, "
                       "and DDL made by sinew leaves it out", extra);
        if (!strcmp(dt, "enum")) {
            if ((rc = sn_strlist_push(&en, name)) || (rc = sn_strlist_push(&en, type)) || (rc = sn_strlist_push(&en, d))) { sn_free(d); break; }
        } else if (!strcmp(dt, "set"))
            sn_ib_note(c->b, t, name, "the SET type %s is read as text (comma-separated members); @db_type keeps it "
                       "for DDL and drift; sinew has no set fields", type);
        else if (!json && sn_type_from_sql(type, 2) == SINEW_TEXT && strstr(dt, "char") == NULL &&
                 strstr(dt, "text") == NULL)
            sn_ib_note(c->b, t, name, "the type %s has no sinew equivalent and is read as text; @db_type keeps it for "
                       "DDL and drift; a write must be text the database accepts for it", type);
        sn_free(d);
    }
    cq_end(&x);
    if (rc == SINEW_DONE) rc = SINEW_OK;
    for (size_t i = 0; !rc && i + 3 <= en.n; i += 3) {
        sn_strlist labels = {0};
        int form = enum_labels(en.v[i + 1], &labels);
        if (form < 0) rc = sn_nomem();
        char tn[300];
        snprintf(tn, sizeof tn, "%s_%s", table, en.v[i]);
        int done = 0;
        if (!rc && form > 0) {
            done = sn_ib_enum_column(c->b, t, en.v[i], tn, (const char *const *)labels.v, labels.n, en.v[i + 2]);
            if (done < 0) rc = sn_nomem();
        }
        if (!rc && done)
            sn_ib_note(c->b, t, en.v[i], "the column type %s is pulled as an enum; @db_type keeps the ENUM for DDL and "
                       "drift", en.v[i + 1]);
        else if (!rc)
            sn_ib_note(c->b, t, en.v[i], "the column type %s is read as text (a value is not a schema identifier); "
                       "@db_type keeps it for DDL and drift, and the database checks the values", en.v[i + 1]);
        sn_strlist_free(&labels);
    }
    sn_strlist_free(&en);
    sn_strlist_free(&json_cols);
    return rc;
}

/* The key-part length sinew writes itself for a column of this type (index_prefix): (255) for LONGTEXT/LONGBLOB */
static int own_prefix(const char *type, int64_t len)
{
    return len == 255 && type && (!strcasecmp(type, "longtext") || !strcasecmp(type, "longblob"));
}

static int flush_index(ctx *c, int t, const char *name, int unique, sn_strlist *cols)
{
    int rc = SINEW_OK;
    if (!strcmp(name, "PRIMARY")) {
        for (size_t i = 0; i < cols->n && !rc; i++) rc = sn_ib_pk(c->b, t, cols->v[i], (int)i + 1);
    } else {
        rc = sn_ib_index(c->b, t, name, unique, (const char *const *)cols->v, cols->n, NULL);   /* MariaDB has no partial indexes */
    }
    for (size_t i = 0; i < cols->n; i++) sn_free(cols->v[i]);
    cols->n = 0;
    return rc ? sn_nomem() : SINEW_OK;
}

/* The names of the table's foreign keys: InnoDB gives a key that no index leads an index of the key's
   own name, which is the key's, not the schema's (a schema with @no_index has none of its own). */
static int fk_names(ctx *c, const char *table, sn_strlist *out)
{
    cat_query x;
    int rc = open_q(&x, c->db, "SELECT CONSTRAINT_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS "
                               "WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?", c->schema, table);
    if (rc) return rc;
    while ((rc = cq_step(&x)) == SINEW_ROW)
        if ((rc = sn_strlist_push(out, txt(&x, 0)))) break;
    cq_end(&x);
    return rc == SINEW_DONE ? SINEW_OK : rc;
}

static int indexes(ctx *c, int t, const char *table)
{
    sn_strlist fks = {0};
    int frc = fk_names(c, table, &fks);
    if (frc) { sn_strlist_free(&fks); return frc; }
    cat_query x;
    int rc = open_q(&x, c->db,
        "SELECT s.INDEX_NAME, s.NON_UNIQUE, s.COLUMN_NAME, s.SUB_PART, s.INDEX_TYPE, col.DATA_TYPE "
        "FROM information_schema.STATISTICS s LEFT JOIN information_schema.COLUMNS col "
        "ON col.TABLE_SCHEMA = s.TABLE_SCHEMA AND col.TABLE_NAME = s.TABLE_NAME AND col.COLUMN_NAME = s.COLUMN_NAME "
        "WHERE s.TABLE_SCHEMA = ? AND s.TABLE_NAME = ? ORDER BY s.INDEX_NAME = 'PRIMARY' DESC, "
        "s.INDEX_NAME, s.SEQ_IN_INDEX", c->schema, table);
    if (rc) { sn_strlist_free(&fks); return rc; }
    sn_strlist cols = {0};
    char *cur = NULL;
    int uniq = 0, skip = 0;
    while ((rc = cq_step(&x)) == SINEW_ROW) {
        const char *name = txt(&x, 0), *col = txt(&x, 2), *itype = txt(&x, 4) ? txt(&x, 4) : "";
        if (!name) continue;
        if (!cur || strcmp(cur, name) != 0) {
            if (cur && !skip && (rc = flush_index(c, t, cur, uniq, &cols))) break;
            for (size_t i = 0; i < cols.n; i++) sn_free(cols.v[i]);
            cols.n = 0;
            sn_free(cur);
            cur = sn_strdup(name);
            if (!cur) { rc = sn_nomem(); break; }
            uniq = num(&x, 1) == 0;
            skip = !uniq && sl_has(&fks, name);
            if (!strcmp(itype, "FULLTEXT") || !strcmp(itype, "SPATIAL")) {
                skip = 1;
                sn_ib_note(c->b, t, NULL, "the %s index %s is not pulled (drift does not see it); keep it in a "
                           "migration's SQL", itype, name);
            }
        }
        if (skip) continue;
        if (!col) {
            skip = 1;
            sn_ib_note(c->b, t, NULL, "the expression index %s is not pulled (drift does not see it); keep it in a "
                       "migration's SQL", name);
            continue;
        }
        if (x.drv->column_storage(x.stmt, 3) != SINEW_STORAGE_NULL && !own_prefix(txt(&x, 5), num(&x, 3)))
            sn_ib_note(c->b, t, NULL, "the index %s covers the first %lld characters of %s; the schema keeps the whole "
                       "column (drift compares names and columns), and DDL made by sinew indexes %s", name,
                       (long long)num(&x, 3), col, "the whole column, or its first 255 for LONGTEXT");
        if ((rc = sn_strlist_push(&cols, col))) break;
    }
    cq_end(&x);
    if (rc == SINEW_DONE) rc = cur && !skip ? flush_index(c, t, cur, uniq, &cols) : SINEW_OK;
    sn_strlist_free(&cols);
    sn_strlist_free(&fks);
    sn_free(cur);
    return rc;
}

static int foreign_keys(ctx *c, int t, const char *table)
{
    cat_query x;
    int rc = open_q(&x, c->db,
        "SELECT k.CONSTRAINT_NAME, k.ORDINAL_POSITION, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, "
        "k.REFERENCED_COLUMN_NAME, r.DELETE_RULE, r.UPDATE_RULE, COALESCE(k.REFERENCED_TABLE_SCHEMA, k.TABLE_SCHEMA) "
        "FROM information_schema.KEY_COLUMN_USAGE k "
        "JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA "
        "AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME "
        "WHERE k.TABLE_SCHEMA = ? AND k.TABLE_NAME = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL "
        "ORDER BY k.CONSTRAINT_NAME, k.ORDINAL_POSITION", c->schema, table);
    if (rc) return rc;
    int id = -1;
    char *cur = NULL;
    while ((rc = cq_step(&x)) == SINEW_ROW) {
        const char *name = txt(&x, 0), *into = txt(&x, 7);
        if (!name) continue;
        /* a key into a database asked for by name refers to a model with @@schema; one into the
           connection's own database, read too, to a model without; a key into a database not read
           is not pulled (its table is no model of the file) */
        int qualified = named_db(c, into);
        if (!qualified && !(wants_own(c) && c->own && into && !strcmp(into, c->own))) continue;
        if (!cur || strcmp(cur, name) != 0) {
            sn_free(cur);
            cur = sn_strdup(name);
            if (!cur) { rc = sn_nomem(); break; }
            id++;
        }
        rc = sn_ib_fk(c->b, t, id, (int)num(&x, 1), txt(&x, 2), txt(&x, 3), txt(&x, 4),
                      sn_fk_action_from_sql(txt(&x, 5)), sn_fk_action_from_sql(txt(&x, 6)));
        if (!rc && num(&x, 1) == 1 && !default_fk_name(name)) rc = sn_ib_fk_name(c->b, t, id, name);
        if (!rc && qualified) rc = sn_ib_fk_schema(c->b, t, id, into);
        if (rc) { rc = sn_nomem(); break; }
    }
    cq_end(&x);
    sn_free(cur);
    return rc == SINEW_DONE ? SINEW_OK : rc;
}

/* views: read-only @@view models of their columns */
static int views(ctx *c, const char *qualify)
{
    cat_query x;
    sn_strlist names = {0};
    int rc = open_q(&x, c->db, "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? "
                               "ORDER BY 1", c->schema, NULL);
    if (rc) return rc;
    while ((rc = cq_step(&x)) == SINEW_ROW)
        if ((rc = sn_strlist_push(&names, txt(&x, 0)))) break;
    cq_end(&x);
    if (rc == SINEW_DONE) rc = SINEW_OK;
    for (size_t i = 0; !rc && i < names.n; i++) {
        int t = sn_ib_table(c->b, names.v[i]);
        if (t < 0) { rc = sn_nomem(); break; }
        if (qualify && (rc = sn_ib_table_schema(c->b, t, qualify))) break;
        rc = columns(c, t, names.v[i]);
        if (rc) break;
        sn_ib_view(c->b, t);
        sn_ib_note(c->b, t, NULL, "a view, pulled as a read-only @@view model; a migration made from this file does "
                   "not create it: put its CREATE VIEW in that migration's SQL");
    }
    sn_strlist_free(&names);
    return rc;
}

/* triggers and routines: not models; said once each */
static int notes(ctx *c)
{
    static const char *const q[] = {
        "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? "
        "ORDER BY 1",
        "SELECT ROUTINE_NAME, LOWER(ROUTINE_TYPE) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? "
        "ORDER BY 1"};
    for (int k = 0; k < 2; k++) {
        cat_query x;
        int rc = open_q(&x, c->db, q[k], c->schema, NULL);
        if (rc) return rc;
        while ((rc = cq_step(&x)) == SINEW_ROW) {
            const char *a = txt(&x, 0) ? txt(&x, 0) : "?", *b = txt(&x, 1) ? txt(&x, 1) : "?";
            if (k == 0) sn_ib_note(c->b, -1, NULL, "trigger %s on %s: not pulled (the database still runs it); keep it "
                                        "in a migration's SQL", a, b);
            else sn_ib_note(c->b, -1, NULL, "%s %s: not pulled; keep it in a migration's SQL", b, a);
        }
        cq_end(&x);
        if (rc != SINEW_DONE) return rc;
    }
    return SINEW_OK;
}

/* one database: its triggers and routines (notes), views and tables; qualify: their @@schema, or NULL */
static int read_one(ctx *c, const char *qualify)
{
    cat_query x;
    sn_strlist names = {0};
    int rc = open_q(&x, c->db,
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? "
        "AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') "
        "AND TABLE_NAME NOT IN ('sinew_migrations', 'sinew_migrations_progress') ORDER BY TABLE_NAME", c->schema, NULL);
    if (!rc) {
        while ((rc = cq_step(&x)) == SINEW_ROW)
            if ((rc = sn_strlist_push(&names, txt(&x, 0)))) break;
        cq_end(&x);
        if (rc == SINEW_DONE) rc = SINEW_OK;
    }
    if (!rc) rc = notes(c);
    if (!rc) rc = views(c, qualify);
    for (size_t i = 0; !rc && i < names.n; i++) {
        int t = sn_ib_table(c->b, names.v[i]);
        if (t < 0) { rc = sn_nomem(); break; }
        if (qualify && (rc = sn_ib_table_schema(c->b, t, qualify))) break;
        rc = columns(c, t, names.v[i]);
        if (!rc) rc = indexes(c, t, names.v[i]);
        if (!rc) rc = foreign_keys(c, t, names.v[i]);
    }
    sn_strlist_free(&names);
    return rc;
}

/*
 * The reader: the connection's database (unqualified, as the program's SQL names its tables) when
 * `named` is NULL or holds "", and each database named in it (its tables with @@schema: a schema
 * is a database on MariaDB). A named database that does not exist is SINEW_NOTFOUND.
 */
static int read_db(sinew_conn *db, const sn_strlist *named, sinew_schema **out)
{
    *out = NULL;
    ctx c = {db, sn_ib_new(), 0, NULL, NULL, named};
    if (!c.b) return SINEW_NOMEM;
    cat_query x;
    char *own = NULL;
    int rc = open_q(&x, db, "SELECT VERSION() NOT LIKE '%MariaDB%', DATABASE()", NULL, NULL);
    if (!rc) {
        rc = cq_step(&x);
        if (rc == SINEW_ROW) {
            c.mysql = num(&x, 0) != 0;
            if (txt(&x, 1) && !(own = sn_strdup(txt(&x, 1)))) rc = sn_nomem();
            else rc = SINEW_OK;
        }
        cq_end(&x);
    }
    c.own = own;
    if (!rc && wants_own(&c) && !own)
        rc = sinew_error_set(SINEW_MISUSE, "mariadb: the connection has no database to read: name one in the URL "
                             "(mariadb://user@host/DB)");
    for (size_t i = 0; !rc && named && i < named->n; i++) {
        if (!named->v[i][0]) continue;
        rc = open_q(&x, db, "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", named->v[i], NULL);
        if (rc) break;
        rc = cq_step(&x);
        int found = rc == SINEW_ROW && num(&x, 0) > 0;
        cq_end(&x);
        rc = rc == SINEW_ROW ? SINEW_OK : rc;
        if (!rc && !found)
            rc = sinew_error_set(SINEW_NOTFOUND, "the server has no database `%s` (a schema is a database on "
                                 "MariaDB; list them with SHOW DATABASES)", named->v[i]);
    }
    if (!rc && wants_own(&c)) {
        c.schema = own;
        rc = read_one(&c, NULL);
    }
    for (size_t i = 0; !rc && named && i < named->n; i++) {
        int again = 0;
        for (size_t k = 0; k < i && !again; k++) again = !strcmp(named->v[k], named->v[i]);
        if (!named->v[i][0] || again) continue;
        c.schema = named->v[i];
        rc = read_one(&c, named->v[i]);
    }
    if (!rc) rc = sn_ib_finish(c.b, out);
    sn_ib_free(c.b);
    sn_free(own);
    return rc;
}

int sn_my_introspect(sinew_conn *db, sinew_schema **out) { return read_db(db, NULL, out); }

int sn_my_introspect_schemas(sinew_conn *db, const char *const *schemas, size_t n, sinew_schema **out)
{
    *out = NULL;
    sn_strlist named = {0};
    int rc = SINEW_OK;
    for (size_t i = 0; !rc && i < n; i++) rc = sn_strlist_push(&named, schemas[i]);
    if (!rc) rc = read_db(db, &named, out);
    sn_strlist_free(&named);
    return rc;
}
