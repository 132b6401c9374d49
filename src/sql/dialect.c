/*
 * dialect.c - quoting, placeholders and the two built-in dialects' type maps.
 *
 * SQLite stores timestamps, dates, UUIDs and decimals as text (ISO-8601,
 * canonical UUID, exact decimal) so they sort and compare correctly and
 * stay exact; PostgreSQL gets its native types. MariaDB gets native types
 * where they keep values exactly as sinew writes them (below).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "dialect.h"
#include "replication.h"
#include "schema/introspect.h"

void sn_sql_ident(sn_buf *out, const sinew_dialect *d, const char *name)
{
    char q = d && d->ident_quote ? d->ident_quote : '"';
    sn_buf_putc(out, q);
    for (const char *p = name; *p; p++) {
        if (*p == q) sn_buf_putc(out, q);
        sn_buf_putc(out, *p);
    }
    sn_buf_putc(out, q);
}

/* A model's table as SQL names it: "schema"."table" under @@schema, else "table". */
void sn_sql_table(sn_buf *out, const sinew_dialect *d, const sinew_model *m)
{
    if (m->db_schema) {
        sn_sql_ident(out, d, m->db_schema);
        sn_buf_putc(out, '.');
    }
    sn_sql_ident(out, d, m->table);
}

int sn_sql_schema_refused(const sinew_dialect *d, const sinew_model *m)
{
    if (!m->db_schema || d->create_schema) return SINEW_OK;
    return sinew_error_set(SINEW_UNSUPPORTED, "model %s has @@schema(\"%s\"), but %s databases have no schemas: "
                           "leave @@schema out for %s (keep one schema file per backend), or use PostgreSQL or "
                           "MariaDB", m->name, m->db_schema, d->name ? d->name : "these", d->name ? d->name : "it");
}

void sn_sql_param(sn_buf *out, const sinew_dialect *d, int n)
{
    if (d->numbered_params) sn_buf_printf(out, "$%d", n);
    else sn_buf_putc(out, '?');
}

void sn_sql_string_literal(sn_buf *out, const char *s)
{
    sn_buf_putc(out, '\'');
    for (; *s; s++) {
        if (*s == '\'') sn_buf_putc(out, '\'');
        sn_buf_putc(out, *s);
    }
    sn_buf_putc(out, '\'');
}

static void escape(sn_buf *out, const char *s, int backslash)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\\' && backslash) sn_buf_puts(out, "\\\\");
        else if (*p == '\n') sn_buf_puts(out, "\\n");
        else if (*p == '\r') sn_buf_puts(out, "\\r");
        else if (*p == '\t') sn_buf_puts(out, "\\t");
        else if (*p < 0x20 || *p == 0x7f) sn_buf_printf(out, "\\x%02x", *p);
        else sn_buf_putc(out, (char)*p);
    }
}

void sn_sql_escape_text(sn_buf *out, const char *s) { escape(out, s, 1); }

void sn_sql_comment(sn_buf *out, const char *text)
{
    sn_buf_puts(out, "-- ");
    escape(out, text, 0);     /* already-escaped text stays as it is */
    sn_buf_putc(out, '\n');
}

static const char *sqlite_type(const sinew_field *f)
{
    /* A key column declared exactly INTEGER is an alias of the rowid, which SQLite numbers itself:
     * `db pull` reads it back as @auto. A key the schema does not say is @auto is written INT,
     * which SQLite keeps as a column of its own (same integer affinity), so a pulled `int PRIMARY
     * KEY` survives pull -> migrate -> pull unchanged. */
    if ((f->flags & SINEW_FIELD_PK) && !(f->flags & SINEW_FIELD_AUTO) &&
        (f->type == SINEW_INT32 || f->type == SINEW_INT64))
        return "INT";
    switch (f->type) {
    case SINEW_BOOL: case SINEW_INT32: case SINEW_INT64: return "INTEGER";
    case SINEW_DOUBLE: return "REAL";
    case SINEW_BLOB: return "BLOB";
    case SINEW_TEXT: case SINEW_JSON: case SINEW_DECIMAL: case SINEW_UUID:
    case SINEW_TIMESTAMP: case SINEW_DATE: case SINEW_ENUM: return "TEXT";
    }
    return "TEXT";
}

static const char *sqlite_auto_pk(const sinew_field *f)
{
    (void)f;
    return "INTEGER PRIMARY KEY AUTOINCREMENT";
}

/*
 * MariaDB / MySQL. Text is LONGTEXT (no length limit, as on the other backends) except where
 * the column is (part of) a primary or foreign key, which InnoDB cannot build on LONGTEXT:
 * VARCHAR(255) there. A unique LONGTEXT column is enforced through MariaDB's hash-based long
 * unique keys (10.4+); a non-unique index over one indexes its first 255 characters
 * (index_prefix). Decimals are text, as on SQLite: DECIMAL(p,s) would need a precision sinew's
 * type does not have and prints every value with the full scale, so "1.50" would read back as
 * "1.500000000000000000000000000000"; filters and aggregates compare them as DECIMAL(65,30)
 * (decimal_cast), and a column declared @db_type("DECIMAL(10,2)") is written as such.
 * Timestamps are DATETIME(6) holding UTC (the session's time zone is +00:00), UUIDs CHAR(36) in
 * canonical form (MySQL has no UUID type; MariaDB's sorts in its own byte order), json is
 * MariaDB's JSON (LONGTEXT checked with JSON_VALID), bool TINYINT(1), blobs LONGBLOB.
 */
static const char *my_type(const sinew_field *f)
{
    switch (f->type) {
    case SINEW_BOOL: return "TINYINT(1)";
    case SINEW_INT32: return "INT";
    case SINEW_INT64: return "BIGINT";
    case SINEW_DOUBLE: return "DOUBLE";
    case SINEW_TEXT: case SINEW_DECIMAL:
        return f->flags & (SINEW_FIELD_PK | SINEW_FIELD_FK) ? "VARCHAR(255)" : "LONGTEXT";
    case SINEW_ENUM: return "VARCHAR(255)";
    case SINEW_BLOB: return "LONGBLOB";
    case SINEW_TIMESTAMP: return "DATETIME(6)";
    case SINEW_DATE: return "DATE";
    case SINEW_UUID: return "CHAR(36)";
    case SINEW_JSON: return "JSON";
    }
    return "LONGTEXT";
}

static const char *my_auto_pk(const sinew_field *f)
{
    return f->type == SINEW_INT32 ? "INT NOT NULL AUTO_INCREMENT PRIMARY KEY" : "BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY";
}

static const char *my_index_prefix(const sinew_field *f)
{
    const char *t = my_type(f);
    return !strcmp(t, "LONGTEXT") || !strcmp(t, "JSON") || !strcmp(t, "LONGBLOB") ? "(255)" : NULL;
}

static sinew_type my_type_from_sql(const char *decl) { return sn_type_from_sql(decl, 2); }

static const char *pg_type(const sinew_field *f)
{
    switch (f->type) {
    case SINEW_BOOL: return "boolean";
    case SINEW_INT32: return "integer";
    case SINEW_INT64: return "bigint";
    case SINEW_DOUBLE: return "double precision";
    case SINEW_TEXT: return "text";
    case SINEW_BLOB: return "bytea";
    case SINEW_TIMESTAMP: return "timestamptz";
    case SINEW_DATE: return "date";
    case SINEW_UUID: return "uuid";
    case SINEW_JSON: return "jsonb";
    case SINEW_DECIMAL: return "numeric";
    case SINEW_ENUM: return "text";
    }
    return "text";
}

static const char *pg_auto_pk(const sinew_field *f)
{
    return f->type == SINEW_INT32 ? "integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
                                  : "bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
}

/* How each database reports a column type reads as a sinew type: the one reading introspection
   uses (schema/introspect_types.c, SQLite's affinity rules and PostgreSQL's format_type() names
   with their aliases), so that drift and `db pull` never disagree. */
static sinew_type sqlite_type_from_sql(const char *decl) { return sn_type_from_sql(decl, 0); }
static sinew_type pg_type_from_sql(const char *decl) { return sn_type_from_sql(decl, 1); }

const sinew_dialect sn_dialect_sqlite = {
    .name = "sqlite",
    .numbered_params = 0,
    .max_params = 32766,
    .has_ilike = 0,
    .has_nulls_order = 1,
    .ddl_in_transaction = 1,
    .column_type = sqlite_type,
    .auto_pk_type = sqlite_auto_pk,
    .decimal_cast = "NUMERIC",
    .dollar_quotes = 0, .backslash_strings = 0, .nested_comments = 0, .bracket_idents = 1,
    .type_from_sql = sqlite_type_from_sql,
    .alter_in_place = 0,
    .unique_constraints = 0,
    .xact_lock_function = NULL,          /* BEGIN IMMEDIATE serialises writers */
    .fk_enforcement_off = "PRAGMA foreign_keys = OFF",
    .fk_enforcement_on = "PRAGMA foreign_keys = ON",
    .fk_violations_query = "PRAGMA foreign_key_check",
    .replication_position_query = NULL,
    .replication_replayed_query = NULL,
    .has_row_locks = 0,
    .ident_quote = '"',
    .upsert_on_duplicate_key = 0,
    .limit_all = "-1",
    .default_now = "(strftime('%Y-%m-%d %H:%M:%f000', 'now'))",
    .default_today = "(date('now'))",
    .default_uuid = "(lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || "
                    "substr(hex(randomblob(2)), 2) || '-' || "
                    "substr('89ab', 1 + (abs(random()) % 4), 1) || "
                    "substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))))",
    .true_literal = "1",
    .false_literal = "0",
    .table_options = NULL,
    .index_prefix = NULL,
    .drop_index_on_table = 0,
    .insert_returning = 0,
    .has_infinity = 1,
    .row_lock_alternative = "SQLite has no row locks: a write transaction locks the whole database, and "
                            "sinew_begin()/sinew_transaction() begin one with BEGIN IMMEDIATE, so whatever "
                            "is read in it cannot change until it ends; read and write in one "
                            "sinew_transaction() instead (sinew_claim() does that for a job queue)",
    .max_ident_len = 0,                  /* no limit */
    .distribution_extension = NULL,      /* one file, one node: @@distribute / @@reference do nothing */
    /* json is TEXT here; json_extract gives SQL values, cast so that every row is of the type asked */
    .json_text = "CAST(json_extract(%c, %p) AS TEXT)",
    .json_int64 = "CAST(json_extract(%c, %p) AS INTEGER)",
    .json_double = "CAST(json_extract(%c, %p) AS REAL)",
    .json_bool = "CAST(json_extract(%c, %p) AS INTEGER)",   /* true and false are 1 and 0 */
    .json_path_array = 0,
    .json_contains = NULL,
    .json_contains_alternative = "SQLite has no JSON containment operator (PostgreSQL's @>, MariaDB's "
                                 "JSON_CONTAINS); compare the values at the paths you need with "
                                 "sinew_json_path() instead (sinew_eq(sinew_json_path(col, \"$.a\", SINEW_TEXT), ...))",
    .migrations_exist_query = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sinew_migrations'",
    /* no read-only transactions: the connection takes no writes while one runs (SQLITE_READONLY);
     * set inside it, as the driver's BEGIN IMMEDIATE is a write query_only refuses */
    .read_only_first = "PRAGMA query_only = 1",
    .read_only_after = "PRAGMA query_only = 0",
};

/*
 * The server takes 65,535 parameters, but libpq drops the connection
 * ("lost synchronization with server") on a ParameterDescription message
 * over 30,000 bytes, which describing a prepared statement of more than
 * about 7,490 parameters produces. 7,000 stays clear of it.
 */
/*
 * A digest of the current schema's catalog, for a no-transaction step of a migration (steps.c):
 * relations, columns with types, defaults and nullability, constraints and enum labels. An
 * INVALID index (what a failed CREATE INDEX CONCURRENTLY leaves) is left out: it is not the
 * statement's effect, and the runner drops it before it runs the step again.
 */
#define SN_PG_NS "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())"
#define SN_SQL_PG_FINGERPRINT                                                                              \
    "SELECT md5(COALESCE(string_agg(x, ',' ORDER BY x), '')) FROM ("                                       \
    "SELECT 'r:' || c.relname || ':' || c.relkind::text FROM pg_class c WHERE c.relnamespace = " SN_PG_NS        \
    " AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indexrelid = c.oid AND NOT i.indisvalid)"           \
    " UNION ALL SELECT 'a:' || c.relname || '.' || a.attname || ':' || format_type(a.atttypid, a.atttypmod)" \
    " || ':' || a.attnotnull::text || ':' || COALESCE(pg_get_expr(d.adbin, d.adrelid), '')"                     \
    " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"                                           \
    " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"                             \
    " WHERE c.relnamespace = " SN_PG_NS " AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"                      \
    " AND a.attnum > 0 AND NOT a.attisdropped"                                                             \
    " UNION ALL SELECT 'k:' || conname || ':' || pg_get_constraintdef(oid) FROM pg_constraint"            \
    " WHERE connamespace = " SN_PG_NS                                                                      \
    " UNION ALL SELECT 'e:' || t.typname || '=' || e.enumlabel FROM pg_enum e"                             \
    " JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typnamespace = " SN_PG_NS ") s(x)"

const sinew_dialect sn_dialect_postgres = {
    .name = "postgres",
    .numbered_params = 1,
    .max_params = 7000,
    .has_ilike = 1,
    .has_nulls_order = 1,
    .ddl_in_transaction = 1,
    .column_type = pg_type,
    .auto_pk_type = pg_auto_pk,
    .decimal_cast = NULL,
    .dollar_quotes = 1, .backslash_strings = 1, .nested_comments = 1, .bracket_idents = 0,
    .type_from_sql = pg_type_from_sql,
    .alter_in_place = 1,
    .unique_constraints = 1,
    .xact_lock_function = "pg_advisory_xact_lock",
    .fk_enforcement_off = NULL,          /* constraints are checked as rows change */
    .fk_enforcement_on = NULL,
    .fk_violations_query = NULL,
    .replication_position_query = SN_SQL_PG_WAL_POSITION,
    .replication_replayed_query = SN_SQL_PG_REPLAYED,
    .has_row_locks = 1,
    .row_lock_alternative = NULL,
    .max_ident_len = 63,                 /* NAMEDATALEN - 1 */
    .ident_quote = '"',
    .upsert_on_duplicate_key = 0,
    .limit_all = "ALL",
    .default_now = "CURRENT_TIMESTAMP",
    .default_today = "CURRENT_DATE",
    .default_uuid = "gen_random_uuid()",
    .true_literal = "true",
    .false_literal = "false",
    .table_options = NULL,
    .index_prefix = NULL,
    .drop_index_on_table = 0,
    .insert_returning = 1,
    .has_infinity = 1,
    /* a no-transaction step of a migration: the session lock on the key the transactional runner's
       pg_advisory_xact_lock takes (runner.c), so the two kinds of runner exclude each other */
    .migration_lock_query = "SELECT CASE WHEN pg_try_advisory_lock(126875035658611) THEN 1 ELSE 0 END",
    .migration_unlock_query = "SELECT pg_advisory_unlock(126875035658611)",
    .schema_fingerprint_query = SN_SQL_PG_FINGERPRINT,
    .distribution_extension = "citus",
    /* json is jsonb; #>> reads the value at a text-array path as text, NULL for a JSON null */
    .json_text = "(%c #>> %p)",
    .json_int64 = "CAST(%c #>> %p AS bigint)",
    .json_double = "CAST(%c #>> %p AS double precision)",
    .json_bool = "CAST(%c #>> %p AS boolean)",
    .json_path_array = 1,
    .json_contains = "%c @> CAST(%v AS jsonb)",
    .json_contains_alternative = NULL,
    .create_schema = "CREATE SCHEMA IF NOT EXISTS ",
    /* through the search path, where CREATE TABLE sinew_migrations would put it */
    .migrations_exist_query = "SELECT (to_regclass('sinew_migrations') IS NOT NULL)::int",
    .create_index_concurrently = 1,
    .invalid_index_query = "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE NOT i.indisvalid"
                           " AND c.relname = $1 AND c.relnamespace = " SN_PG_NS,
    .lock_timeout_setting = "lock_timeout",
    .statement_timeout_setting = "statement_timeout",
    .lock_timeout_sqlstate = "55P03",
    .xact_try_lock_query = "SELECT CASE WHEN pg_try_advisory_xact_lock(126875035658611) THEN 1 ELSE 0 END",
    .read_only_first = SN_SQL_TX_READ_ONLY,
};

/*
 * MariaDB 10.6 or later (INSERT ... RETURNING since 10.5, SKIP LOCKED since 10.6). 65,535
 * parameters is the protocol's limit. DDL commits the open transaction (ddl_in_transaction 0).
 * Row locks: FOR UPDATE / LOCK IN SHARE MODE with NOWAIT / SKIP LOCKED, naming no table
 * (row_locks_unqualified); no UPDATE ... RETURNING (update_no_returning).
 */
/*
 * A digest of the database's schema: per catalog view the row count and the sum and XOR of the
 * rows' CRC32s (order-free, so no GROUP_CONCAT length limit), over everything a DDL statement can
 * change. The runner's own progress table is left out (it changes between the reads).
 */
#define SN_MY_CRC(cols, view, schema_col, extra)                                                          \
    "(SELECT CONCAT(COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', " cols "))), 0), ':', "              \
    "COALESCE(BIT_XOR(CRC32(CONCAT_WS('|', " cols "))), 0)) FROM information_schema." view                 \
    " WHERE " schema_col " = DATABASE()" extra ")"
#define SN_SQL_MY_FINGERPRINT                                                                              \
    "SELECT CONCAT_WS('/', "                                                                                 \
    SN_MY_CRC("TABLE_NAME, TABLE_TYPE, COALESCE(ENGINE, ''), COALESCE(TABLE_COLLATION, ''), TABLE_COMMENT", \
              "TABLES", "TABLE_SCHEMA", " AND TABLE_NAME <> 'sinew_migrations_progress'") ", "              \
    SN_MY_CRC("TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, "                     \
              "COALESCE(COLUMN_DEFAULT, '~'), EXTRA, COALESCE(COLLATION_NAME, ''), COLUMN_COMMENT",        \
              "COLUMNS", "TABLE_SCHEMA", " AND TABLE_NAME <> 'sinew_migrations_progress'") ", "             \
    SN_MY_CRC("TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COALESCE(COLUMN_NAME, ''), NON_UNIQUE, "             \
              "COALESCE(SUB_PART, 0), INDEX_TYPE", "STATISTICS", "TABLE_SCHEMA",                             \
              " AND TABLE_NAME <> 'sinew_migrations_progress'") ", "                                         \
    SN_MY_CRC("TABLE_NAME, CONSTRAINT_NAME, CONSTRAINT_TYPE", "TABLE_CONSTRAINTS", "TABLE_SCHEMA", "") ", " \
    SN_MY_CRC("CONSTRAINT_NAME, TABLE_NAME, REFERENCED_TABLE_NAME, DELETE_RULE, UPDATE_RULE",              \
              "REFERENTIAL_CONSTRAINTS", "CONSTRAINT_SCHEMA", "") ", "                                      \
    SN_MY_CRC("TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE", "CHECK_CONSTRAINTS", "CONSTRAINT_SCHEMA", "") ", " \
    SN_MY_CRC("TABLE_NAME, VIEW_DEFINITION", "VIEWS", "TABLE_SCHEMA", "") ", "                           \
    SN_MY_CRC("TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_STATEMENT",     \
              "TRIGGERS", "TRIGGER_SCHEMA", "") ", "                                                        \
    SN_MY_CRC("ROUTINE_NAME, ROUTINE_TYPE, COALESCE(ROUTINE_DEFINITION, '')", "ROUTINES", "ROUTINE_SCHEMA", "") \
    ")"

#define SN_MARIADB_DIALECT(no_returning) { \
    .name = "mariadb", \
    .numbered_params = 0, \
    .max_params = 65535, \
    .has_ilike = 0, \
    .has_nulls_order = 0, \
    .ddl_in_transaction = 0, \
    .column_type = my_type, \
    .auto_pk_type = my_auto_pk, \
    .decimal_cast = "DECIMAL(65,30)", \
    /* NO_BACKSLASH_ESCAPES is set on connect: strings are standard; `name` and "name" quote names */ \
    .dollar_quotes = 0, .backslash_strings = 0, .nested_comments = 0, .bracket_idents = 1, \
    .type_from_sql = my_type_from_sql, \
    .alter_in_place = 1, \
    .unique_constraints = 1, \
    .xact_lock_function = NULL, \
    .fk_enforcement_off = NULL, \
    .fk_enforcement_on = NULL, \
    .fk_violations_query = NULL, \
    .replication_position_query = NULL, \
    .replication_replayed_query = NULL, \
    .has_row_locks = 1,                  /* FOR UPDATE / LOCK IN SHARE MODE, NOWAIT, SKIP LOCKED (10.6) */ \
    .row_lock_alternative = NULL, \
    .max_ident_len = 64,                 /* longer names are refused, not cut: sinew fits its own */ \
    .ident_quote = '`', \
    .upsert_on_duplicate_key = 1, \
    .limit_all = "18446744073709551615", \
    .default_now = "(UTC_TIMESTAMP(6))", \
    .default_today = "(UTC_DATE())", \
    .default_uuid = "(UUID())", \
    .true_literal = "1", \
    .false_literal = "0", \
    .table_options = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin", \
    .index_prefix = my_index_prefix, \
    .drop_index_on_table = 1, \
    .insert_returning = !(no_returning), \
    .delete_names_alias = 1, \
    .dml_subquery_derived = 1, \
    .decimal_result_open = "TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM ", \
    .decimal_result_close = "))", \
    .has_infinity = 0, \
    .fk_no_action_explicit = 1, \
    /* a lock per database (GET_LOCK names are server-wide); a day's wait before giving up */ \
    .migration_lock_query = "SELECT GET_LOCK(CONCAT('sinew_migrate.', DATABASE()), 86400)", \
    .migration_unlock_query = "SELECT RELEASE_LOCK(CONCAT('sinew_migrate.', DATABASE()))", \
    .schema_fingerprint_query = SN_SQL_MY_FINGERPRINT, \
    .alter_column_modify = 1, \
    .fk_names_written = 1, \
    .primary_key_unnamed = 1,             /* every primary key is PRIMARY */ \
    /* JSON_VALUE reads a scalar unquoted (a JSON null, an object or an array as NULL; true as 1) */ \
    .json_text = "JSON_VALUE(%c, %p)", \
    .json_int64 = "CAST(JSON_VALUE(%c, %p) AS SIGNED)", \
    .json_double = "CAST(JSON_VALUE(%c, %p) AS DOUBLE)", \
    .json_bool = "CAST(JSON_VALUE(%c, %p) AS SIGNED)", \
    .json_path_array = 0, \
    .json_contains = "JSON_CONTAINS(%c, %v)", \
    .json_contains_alternative = NULL, \
    .params_positional = 1, \
    .hash_comments = 1, \
    .long_idents_refused = 1,             /* "Identifier name ... is too long" (1059) */ \
    .fk_same_type = 1, \
    .fk_needs_index = 1, \
    .row_locks_unqualified = 1, \
    .update_no_returning = 1, \
    .unique_named_by_column = 1, \
    .create_schema = "CREATE DATABASE IF NOT EXISTS ",   /* a MariaDB schema is a database */ \
    .migrations_exist_query = "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() " \
                              "AND TABLE_NAME = 'sinew_migrations'", \
    .no_partial_indexes = 1,              /* no CREATE INDEX ... WHERE */ \
    .insert_no_returning = (no_returning), \
    .generated_not_null_refused = 1,      /* MySQL would take it; MariaDB refuses it (1064) */ \
    /* refused inside a transaction (1568): said before it, for the next transaction only */ \
    .read_only_before = SN_SQL_TX_READ_ONLY, \
}

const sinew_dialect sn_dialect_mariadb = SN_MARIADB_DIALECT(0);
/* MySQL, MariaDB before 10.5, or a URL's ?returning=off: INSERT has no RETURNING (the driver's
 * conn_dialect chooses it per connection, from the server it reached) */
const sinew_dialect sn_dialect_mariadb_no_returning = SN_MARIADB_DIALECT(1);
#undef SN_MARIADB_DIALECT
