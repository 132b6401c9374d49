/*
 * sinew/dialect.h - what a driver tells sinew about its SQL dialect.
 *
 * Every driver points at one (sinew_driver.dialect); sinew renders all SQL
 * for that driver's connections from it and never asks which database it is.
 * A driver that speaks a built-in dialect reuses it: a wrapper around the
 * SQLite driver passes sinew_sqlite_driver.dialect on.
 *
 * The layout goes with SINEW_DRIVER_VERSION (sinew/driver.h): members are
 * only ever appended, with a new driver version; a driver declaring an older
 * version supplies the members of that version and sinew treats the rest as
 * absent. Every member below is part of version 1 unless its comment says otherwise.
 */
#ifndef SINEW_DIALECT_H
#define SINEW_DIALECT_H

#include "export.h"

#include "schema.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sinew_dialect {
    /* "sqlite", "postgres", "mariadb": names the dialect (migration files up.<name>.sql), nothing more */
    const char *name;
    int numbered_params;              /* 1: $1, $2 ...; 0: ? */
    int max_params;                   /* bound parameters per statement */
    int has_ilike;                    /* ILIKE operator */
    int has_nulls_order;              /* NULLS FIRST / NULLS LAST */
    int ddl_in_transaction;           /* DDL is transactional */
    /* DDL type of a field (without NULL / key clauses) */
    const char *(*column_type)(const sinew_field *field);
    /* what follows the column name of an @auto integer primary key in CREATE TABLE:
     * its type and key clause ("INTEGER PRIMARY KEY AUTOINCREMENT") */
    const char *(*auto_pk_type)(const sinew_field *field);
    /* Version 3. Where decimals are stored as text: filters, ordering and aggregates read a
     * decimal column as CAST(col AS <this>) to compare numbers, not strings. NULL: the column
     * type is numeric already. */
    const char *decimal_cast;
    /* Version 3. Lexical features raw SQL may use, for finding its placeholders
     * (0 for all four: SQL-standard strings, comments and double-quoted names). */
    int dollar_quotes;                /* $tag$ ... $tag$ strings */
    int backslash_strings;            /* E'...' strings with backslash escapes */
    int nested_comments;              /* block comments nest */
    int bracket_idents;               /* [name] and `name` quote identifiers */

    /* ---- Version 4: what migrations, drift checks and the tools need to know. Absent members
     * (0 / NULL, as for a driver of an older version) mean the least capable behaviour. ---- */
    /* How this database reports a column's type (as introspection reads it) in sinew's terms;
     * the drift check compares through it. NULL: a column's type counts as the same when the
     * database reports it under the name column_type() gives (case-insensitive). */
    sinew_type (*type_from_sql)(const char *declared_type);
    /* 1: ALTER TABLE changes columns and constraints in place. 0: it only renames and adds
     * columns (SQLite), so a migration rebuilds a changed table (copy and swap). */
    int alter_in_place;
    /* 1: a unique key is added as a named constraint (ALTER TABLE ... ADD CONSTRAINT ... UNIQUE);
     * 0: as a unique index (CREATE UNIQUE INDEX). */
    int unique_constraints;
    /* The function that takes an advisory lock held to the end of the transaction, given a
     * 64-bit integer key (PostgreSQL: pg_advisory_xact_lock). Migrations take it first, so two
     * runners apply each migration once. NULL: the transaction's BEGIN serialises writers. */
    const char *xact_lock_function;
    /* Statements run around a migration (outside its transaction) to suspend and restore
     * foreign-key enforcement, which a table rebuild needs (SQLite: PRAGMA foreign_keys).
     * NULL: enforcement stays as it is. */
    const char *fk_enforcement_off;
    const char *fk_enforcement_on;
    /* A query run before a migration commits whose rows are foreign keys the migration broke:
     * column 0 the referencing table, column 2 the referenced one (SQLite: PRAGMA
     * foreign_key_check). NULL: the database checks them itself. */
    const char *fk_violations_query;
    /* Streaming read replicas (sinew_router, sinew/pool.h). On the primary: one text column,
     * where its write-ahead log ends. On a standby, given that position as $1/?: one column, 1
     * when it has replayed up to it, 0 when not yet, NULL when it is no standby any more
     * (promoted). NULL members: the database has no such replicas; the router refuses it. */
    const char *replication_position_query;
    const char *replication_replayed_query;

    /* ---- Version 5: row locks (sinew_lock, sinew_claim in sinew/query.h). ---- */
    /* 1: a SELECT can lock the rows it reads: FOR UPDATE / FOR SHARE [OF t] [NOWAIT | SKIP LOCKED]
     * (PostgreSQL). 0: sinew_lock is refused with SINEW_UNSUPPORTED and row_lock_alternative. */
    int has_row_locks;
    /* Why there are no row locks and what the database does instead, for that refusal (SQLite: a
     * write transaction locks the whole database). NULL with has_row_locks. */
    const char *row_lock_alternative;

    /* ---- Version 6: names. ---- */
    /* The longest identifier the database keeps, in bytes: it cuts a longer one to this length
     * (PostgreSQL: 63, at a character boundary). sinew fits the names it makes up itself
     * (indexes, unique constraints) within it, with a hash of the whole name so that two long
     * ones stay apart, and the drift check compares names as the database keeps them. 0: no
     * limit (SQLite). */
    int max_ident_len;
    /* Also version 6: what MariaDB / MySQL spell differently. Absent members (0 / NULL, as for a
     * driver of an older version) mean what SQLite and PostgreSQL do. */
    /* The character that quotes identifiers (a quote inside a name is doubled): '`' on MariaDB.
     * 0: '"'. */
    char ident_quote;
    /* 1: an upsert is INSERT ... ON DUPLICATE KEY UPDATE (no conflict target: any unique key of the
     * table fires it), the proposed row's column read as VALUES(col), and "do nothing" a no-op
     * assignment of the key. 0: ON CONFLICT (cols) DO UPDATE SET ... / DO NOTHING, with EXCLUDED. */
    int upsert_on_duplicate_key;
    /* What LIMIT says for "no limit" before an OFFSET. NULL: ALL with numbered parameters, else -1. */
    const char *limit_all;
    /* DEFAULT expressions: the current timestamp and date, and a random UUID in text form.
     * NULL: PostgreSQL's with numbered parameters, else SQLite's. */
    const char *default_now;
    const char *default_today;
    const char *default_uuid;
    /* The boolean literals in a DEFAULT. NULL: true/false with numbered parameters, else 1/0. */
    const char *true_literal;
    const char *false_literal;
    /* What follows CREATE TABLE's closing parenthesis (" ENGINE=InnoDB DEFAULT CHARSET=utf8mb4").
     * NULL: nothing. */
    const char *table_options;
    /* The length of a key part of a non-unique index over this column, where the backend cannot
     * index the whole column type (MariaDB's LONGTEXT): "(255)". NULL (or a NULL / "" result):
     * whole columns. */
    const char *(*index_prefix)(const sinew_field *field);
    /* 1: DROP INDEX names its table (DROP INDEX i ON t); 0: index names are per schema. */
    int drop_index_on_table;
    /* 1: a multi-row INSERT's keys come back through RETURNING on this backend too (they are read
     * with last_insert_id otherwise, where the dialect has ? placeholders). */
    int insert_returning;
    /* 1: a single-table DELETE takes no alias: DELETE t0 FROM t AS t0 WHERE ... (MySQL's
     * multiple-table form). 0: DELETE FROM t AS t0 WHERE ... */
    int delete_names_alias;
    /* 1: an UPDATE or DELETE whose rows are chosen by a subquery over its own table (paged, or
     * through joins) reads the subquery through a derived table, which MariaDB materialises first
     * (it refuses the table itself, and LIMIT, in such a subquery). */
    int dml_subquery_derived;
    /* Written around an aggregate (MIN, MAX, SUM, AVG) of a decimal column read through
     * decimal_cast, to give the number without the cast's trailing zeros ("100", not
     * "100.000000000000000000000000000000"); the aggregate always has a decimal point there.
     * NULL: the aggregate as the database gives it. */
    const char *decimal_result_open;
    const char *decimal_result_close;
    /* 1: a double column stores +/-infinity (SQLite, PostgreSQL). 0: writing one is refused
     * (MariaDB's DOUBLE has none: SINEW_TYPE from the server, in strict mode). */
    int has_infinity;
    /* 1: a foreign key's NO ACTION is written out (ON DELETE NO ACTION), because the database reports
     * an action left unsaid as another one (MariaDB: RESTRICT), and drift compares what it reports. */
    int fk_no_action_explicit;
    /* Where DDL is not transactional (ddl_in_transaction 0), or a migration has no-transaction steps:
     * the migration runner's lock, held by the session across a migration's statements, and its
     * release; the lock query returns 1 when it holds the lock (MariaDB: GET_LOCK / RELEASE_LOCK on a
     * name made of the database's; PostgreSQL: pg_advisory_lock on the key of the transactional
     * runner's pg_advisory_xact_lock). NULL: none (and no no-transaction steps). */
    const char *migration_lock_query;
    const char *migration_unlock_query;
    /* Where DDL is not transactional, or for a no-transaction step: one text value that changes
     * whenever a DDL statement changes the database's schema (tables, columns, indexes, keys, checks, views, triggers, routines). The runner
     * reads it before each DDL statement of a migration it records step by step, so that a run
     * interrupted around that statement knows, when it resumes, whether the statement took effect. */
    const char *schema_fingerprint_query;
    /* 1: a column's type, nullability and default change with ALTER TABLE t MODIFY COLUMN and its
     * whole definition; the primary key is dropped with DROP PRIMARY KEY, a unique key with DROP
     * INDEX, a foreign key with DROP FOREIGN KEY (MariaDB / MySQL). 0: ALTER COLUMN ... TYPE /
     * SET NOT NULL / SET DEFAULT and DROP CONSTRAINT (PostgreSQL). */
    int alter_column_modify;
    /* 1: foreign keys are created with a name (CONSTRAINT <table>_<columns>_fkey), the one a
     * migration drops them by, where the database would otherwise make up its own (t_ibfk_1). */
    int fk_names_written;

    /* ---- Version 7: distributed tables (`@@distribute`, `@@reference`, sinew/schema.h). ---- */
    /* The extension whose functions distribute tables (PostgreSQL: "citus", whose
     * create_distributed_table / create_reference_table / undistribute_table /
     * alter_distributed_table the DDL calls). The calls are guarded: they run only where the
     * extension is installed, so one migration file serves PostgreSQL with and without it.
     * NULL: the database cannot distribute tables and the attributes do nothing on it (SQLite). */
    const char *distribution_extension;
    /* 1: the primary key has no name of its own (MariaDB / MySQL call every one PRIMARY): a
     * schema's @id(name:) / @@id(name:) is not written there and drift does not compare it. */
    int primary_key_unnamed;

    /* ---- Version 8: values inside json columns (sinew_json_path, sinew_json_contains in
     * sinew/query.h). ---- */
    /* How the value at a path is read, per type the caller asks for: templates in which %c is
     * the column and %p the path, a string literal sinew writes from a path it has validated
     * ($.a.b[0]: keys of letters, digits and _, array indexes), never the caller's text as such.
     * NULL: paths are refused with SINEW_UNSUPPORTED. */
    const char *json_text;            /* "json_extract(%c, %p)" */
    const char *json_int64;
    const char *json_double;
    const char *json_bool;
    /* 1: the path literal is PostgreSQL's text array ('{a,b,0}', for #>>); 0: the SQL/JSON path
     * itself ('$.a.b[0]'). */
    int json_path_array;
    /* Containment, the column holding a JSON value: %c the column, %v the bound JSON value
     * ("%c @> CAST(%v AS jsonb)"). NULL: refused (SINEW_UNSUPPORTED) with
     * json_contains_alternative, which says what to do instead. */
    const char *json_contains;
    const char *json_contains_alternative;

    /* ---- Also version 8: what MariaDB / MySQL cannot do as SQLite and PostgreSQL do. Absent members (0 /
     * NULL, as for a driver of an older version) mean what SQLite and PostgreSQL do. ---- */
    /* 1: placeholders are positional `?` only (no $n / ?n): raw SQL written with numbered ones is
     * rewritten to `?`, its values reordered (and repeated) to match. */
    int params_positional;
    /* 1: `#` starts a comment to the end of the line, as `-- ` does (MariaDB / MySQL). */
    int hash_comments;
    /* 1: a table or column name longer than max_ident_len is refused by the database, not cut
     * (MariaDB: 64): sinew diagnoses such a name in a schema before anything runs. */
    int long_idents_refused;
    /* 1: a foreign key's column must have its referenced column's type exactly, an INT referencing a
     * BIGINT is refused (InnoDB, errno 150): an integer column referencing an integer key of another
     * size is written with the key's type (an int32 field over a BIGINT column). */
    int fk_same_type;
    /* 1: a foreign key needs an index over its columns (InnoDB makes one when the key is added without)
     * and the database refuses to drop the last index serving it: a migration that drops such an index
     * drops the foreign key first and adds it again after. */
    int fk_needs_index;
    /* 1: row locks in MariaDB's / MySQL's form: FOR UPDATE and LOCK IN SHARE MODE (with NOWAIT / SKIP
     * LOCKED), naming no table, so that the rows of every table the SELECT reads are locked: a lock on
     * a query that joins another table is refused, and PostgreSQL's FOR NO KEY UPDATE / FOR KEY SHARE
     * too. 0 (with has_row_locks): FOR UPDATE / FOR NO KEY UPDATE / FOR SHARE / FOR KEY SHARE OF t0. */
    int row_locks_unqualified;
    /* 1: UPDATE has no RETURNING (MariaDB): sinew_claim reads the rows it changed back with a SELECT
     * in the same transaction. */
    int update_no_returning;
    /* 1: a column's UNIQUE in CREATE TABLE makes an index named after the column (MariaDB / MySQL), not
     * PostgreSQL's <table>_<column>_key: a migration adds and drops a field's unique key by that name. */
    int unique_named_by_column;

    /* ---- Also version 8: tables in named schemas (`@@schema("name")`, sinew/schema.h). ---- */
    /* The statement that makes a schema if it is missing, up to the quoted name (PostgreSQL:
     * "CREATE SCHEMA IF NOT EXISTS ", MariaDB: "CREATE DATABASE IF NOT EXISTS "); a migration runs
     * it before the schema's first table. NULL: the database has no schemas that SQL can name
     * (SQLite, whose attached databases hold no foreign keys to each other), and a model with
     * @@schema is refused on it. */
    const char *create_schema;
    /* Also version 8: one row, one count, nonzero when sinew's migrations table (sinew_migrations)
     * exists where the connection would create it; `migrate status` and `migrate check` read with
     * it and create nothing. NULL: they create the table first, as before version 8. */
    const char *migrations_exist_query;
    /* Also version 8. 1: the backend has no partial indexes (MariaDB / MySQL): an index's `where` predicate is not
     * written, so the index covers every row, and drift does not compare predicates. 0: CREATE INDEX
     * ... WHERE (SQLite, PostgreSQL). A @@soft_delete model's unique keys are partial (docs/schema.md). */
    int no_partial_indexes;

    /* ---- Also version 8: online migrations (docs/migrations.md, "Online migrations"). ---- */
    /* 1: CREATE INDEX CONCURRENTLY builds an index without blocking writes (PostgreSQL); `migrate
     * make` writes an index on an existing table that way, as a no-transaction step. */
    int create_index_concurrently;
    /* One parameter, an index name: a row when an index of that name in the current schema is
     * INVALID (what a failed or killed CREATE INDEX CONCURRENTLY leaves), which the runner drops
     * (DROP INDEX CONCURRENTLY) before it runs the step again. NULL: no such state. */
    const char *invalid_index_query;
    /* The settings a migration's `-- sinew: lock_timeout` / `statement_timeout` lines set, in
     * milliseconds, for its transaction (SET LOCAL) or around a no-transaction step (SET, then
     * the value before); and the SQLSTATE of a lock timeout, on which the migration is retried.
     * NULL: the database has no such setting and a migration naming it is refused there. */
    const char *lock_timeout_setting;
    const char *statement_timeout_setting;
    const char *lock_timeout_sqlstate;
    /* The non-blocking form of xact_lock_function (returns 1 when it took the lock, else 0): where
     * it is given, the runner waits for the migration lock by trying it in short transactions, with
     * none open in between, and the dialect's migration_lock_query is a try too (polled). A runner
     * blocked inside a transaction would deadlock with another's CREATE INDEX CONCURRENTLY, which
     * waits for every older transaction of the database to end. NULL: the blocking forms. */
    const char *xact_try_lock_query;

    /* ---- Version 9: what a server of the backend has or lacks (sinew_driver.conn_dialect). ---- */
    /* 1: INSERT has no RETURNING (MySQL, MariaDB before 10.5): an insert reads its @auto key with
     * last_insert_id and the columns the database filled (defaults, generated columns) back with a
     * SELECT by key; an upsert reads its row back by its conflict fields. 0: INSERT ... RETURNING. */
    int insert_no_returning;
    /* 1: a generated column takes no NOT NULL (MariaDB: "AS (...) [VIRTUAL|PERSISTENT]" and nothing
     * more), so CREATE TABLE leaves it out for a required @generated field and drift does not count
     * the nullable column the database then reports; 0: the field's NOT NULL is written. */
    int generated_not_null_refused;
    /* Also version 9: how sinew_read_transaction() (sinew/pool.h) makes its outermost transaction
     * read-only, so that a write in it fails with SINEW_READONLY. Statements run on the connection:
     * read_only_before before the transaction begins (again before each retried attempt: MariaDB's
     * "SET TRANSACTION READ ONLY", which it refuses inside a transaction and which holds for the
     * next one only), read_only_first as the transaction's first statement (PostgreSQL's "SET
     * TRANSACTION READ ONLY"; SQLite's "PRAGMA query_only = 1"), read_only_after once it has ended,
     * committed or rolled back (SQLite's "PRAGMA query_only = 0"). All three NULL (a driver of an
     * older version): an ordinary transaction, READ ONLY (read_only_first's SQL-standard form) only
     * on a session made on a router. */
    const char *read_only_before;
    const char *read_only_first;
    const char *read_only_after;
} sinew_dialect;

/* The built-in dialects as bits, for the dialects a migration is written for (sinew/migrate.h). */
enum { SINEW_DIALECT_SQLITE = 1, SINEW_DIALECT_POSTGRES = 2, SINEW_DIALECT_MARIADB = 4, SINEW_DIALECT_ALL = 7 };
/* The SINEW_DIALECT_* bit of a built-in dialect's name ("sqlite", "postgres", "mariadb"), SINEW_DIALECT_ALL
   for "all", 0 for a name no built-in dialect has. */
SINEW_API unsigned sinew_dialect_mask(const char *name);

#ifdef __cplusplus
}
#endif
#endif
