/*
 * dialect.h - what differs between SQL dialects, as data plus a few
 * functions: identifier quoting, placeholders, column types for DDL,
 * generated keys. Renderers take a dialect and never ask which database
 * it is. Nothing in the sql layer talks to a database.
 */
#ifndef SINEW_SQL_DIALECT_H
#define SINEW_SQL_DIALECT_H

#include "base.h"
#include "sinew/schema.h"

/* the struct is public: drivers outside the tree supply one */
#include "sinew/dialect.h"

/* the transaction takes reads only (standard SQL; MariaDB: the next transaction, said before it) */
#define SN_SQL_TX_READ_ONLY "SET TRANSACTION READ ONLY"

extern const sinew_dialect sn_dialect_sqlite;
extern const sinew_dialect sn_dialect_postgres;
extern const sinew_dialect sn_dialect_mariadb;
extern const sinew_dialect sn_dialect_mariadb_no_returning;   /* MySQL, MariaDB < 10.5: insert_no_returning */

/*
 * The built-in dialects, with the SINEW_DIALECT_* bit (sinew/migrate.h) that
 * selects each for `migrate make` (dialect_registry.c). This table and the
 * three structs above are the only places that know a backend by its name.
 */
typedef struct sn_dialect_entry {
    unsigned bit;
    const sinew_dialect *dialect;
} sn_dialect_entry;
extern const sn_dialect_entry sn_dialects[];
extern const size_t sn_ndialects;

/* "name" with embedded quotes doubled. */
void sn_sql_ident(sn_buf *out, const sinew_dialect *d, const char *name);
/* A model's table: "schema"."table" when it has @@schema, "table" otherwise (quoted either way). */
void sn_sql_table(sn_buf *out, const sinew_dialect *d, const sinew_model *m);
/* SINEW_UNSUPPORTED (error set) when m has @@schema and d has no schemas (create_schema NULL). */
int sn_sql_schema_refused(const sinew_dialect *d, const sinew_model *m);
/*
 * Names and the database's identifier limit (max_ident_len; ident_limit.c).
 * sn_sql_kept_len: the bytes of a name the database keeps (all of them
 * without a limit); sn_sql_same_ident: two names the database keeps as one.
 * sn_sql_fit_name: a name sinew makes up (an index, a unique constraint), as
 * it is when it fits, else its head and "_" + 8 hex digits of a hash of the
 * whole name; _ident writes it quoted. sn_sql_default_name: the name the
 * database gives a constraint sinew leaves unnamed, <table>_<cols>_<label>
 * shortened by PostgreSQL's rule (label "pkey", "fkey", "key").
 */
size_t sn_sql_kept_len(const sinew_dialect *d, const char *name);
int sn_sql_same_ident(const sinew_dialect *d, const char *a, const char *b);
void sn_sql_fit_name(sn_buf *out, const sinew_dialect *d, const char *name);
void sn_sql_fit_ident(sn_buf *out, const sinew_dialect *d, const char *name);
void sn_sql_default_name(sn_buf *out, const sinew_dialect *d, const char *table, const char *const *cols,
                         size_t ncols, const char *label);
void sn_sql_default_ident(sn_buf *out, const sinew_dialect *d, const char *table, const char *const *cols,
                          size_t ncols, const char *label);
/*
 * Where the database refuses a name longer than it keeps (long_idents_refused:
 * MariaDB's 64 bytes) instead of cutting it: SINEW_INVALID for the first table,
 * column or constraint name of `s` past max_ident_len, naming the model, the
 * name, its length and the limit and saying which attribute shortens it
 * (@@map, @map, name:), prefixed "file:line:col: error: " when `file` is given
 * and `extra` (NULL or text starting with "; ") appended. SINEW_OK elsewhere:
 * names sinew derives (indexes, constraints) are fitted by sn_sql_fit_name.
 */
int sn_sql_check_names(const sinew_dialect *d, const sinew_schema *s, const char *file, const char *extra);
/* the n-th (1-based) placeholder: ? or $n */
void sn_sql_param(sn_buf *out, const sinew_dialect *d, int n);
/*
 * Raw SQL's placeholders, made portable. `?` is a placeholder on every
 * backend and `??` a literal `?` (PostgreSQL's jsonb operators ?, ?| and ?&
 * are written ??, ??| and ??&); both are rewritten to the dialect's own form
 * ($1, $2 ... on PostgreSQL). Nothing inside string literals, quoted
 * identifiers, dollar-quoted strings or comments is touched. Text written
 * with numbered placeholders ($1 ...) is the dialect's native form and goes
 * to PostgreSQL unchanged (its ? are operators then); on SQLite $n becomes
 * ?n. *count gets the number of parameters the text takes, or -1 when only
 * the database can tell (SQLite's named :a, @a, $a). `out` gets the text to
 * run, or stays empty when the text runs as it is. Mixing ? with numbered
 * placeholders is SINEW_MISUSE. Where placeholders are positional only
 * (params_positional: MariaDB), $n and ?n become ? and `order` (when not
 * NULL) gets one int per ? written, the 0-based parameter it takes, so that
 * "$2 || $1 || $2" binds the second, the first and the second value again;
 * `order` stays empty when the parameters go in as given. MySQL's comments
 * (hash_comments: # and "-- ") are skipped there too.
 */
int sn_sql_placeholders(sn_buf *out, const sinew_dialect *d, const char *sql, int *count, sn_buf *order);
/* a string literal with quotes doubled (DDL defaults only; values are always bound) */
void sn_sql_string_literal(sn_buf *out, const char *s);
/*
 * Text made inert for a "--" comment line (and for a terminal): control
 * characters become \n, \r, \t or \xNN and a backslash becomes \\, so a name
 * holding a newline cannot end the comment and start a statement.
 */
void sn_sql_escape_text(sn_buf *out, const char *s);
/* "-- " + text + "\n", where any control character left in text is escaped as above */
void sn_sql_comment(sn_buf *out, const char *text);

/* ---- statements over one model (the CRUD renderers) ---- */

/* SELECT <all columns> FROM t  (columns in field order, so hydration reads by position) */
void sn_sql_select_all(sn_buf *out, const sinew_dialect *d, const sinew_model *m);
/* SELECT ... FROM t WHERE f1 = ? AND f2 = ? (fields by index) */
void sn_sql_select_where(sn_buf *out, const sinew_dialect *d, const sinew_model *m,
                         const unsigned *fields, size_t nfields);
/* the same without leaving out the soft-deleted rows of a @@soft_delete model (sinew_get_with_deleted) */
void sn_sql_select_where_any(sn_buf *out, const sinew_dialect *d, const sinew_model *m,
                             const unsigned *fields, size_t nfields);
/* INSERT INTO t (cols where include[i]) VALUES (...) [RETURNING cols where returning[i]] */
void sn_sql_insert(sn_buf *out, const sinew_dialect *d, const sinew_model *m,
                   const unsigned char *include, const unsigned char *returning);
/* UPDATE t SET c = ?, ... WHERE pk = ? [AND version = ?]; `set` marks fields by index */
void sn_sql_update(sn_buf *out, const sinew_dialect *d, const sinew_model *m,
                   const unsigned char *set, int version_field);
/* SELECT COUNT(*) FROM t */
void sn_sql_count(sn_buf *out, const sinew_dialect *d, const sinew_model *m);

/* ---- migrations' bookkeeping (render_migrations.c) ---- */

/* CREATE TABLE IF NOT EXISTS sinew_migrations (name, checksum, applied_at) */
void sn_sql_migrations_table(sn_buf *out, const sinew_dialect *d);
/* SELECT name, checksum, applied_at FROM sinew_migrations ORDER BY name */
void sn_sql_migrations_select(sn_buf *out, const sinew_dialect *d);
/* INSERT INTO sinew_migrations (name, checksum, applied_at) VALUES (?, ?, ?) */
void sn_sql_migrations_insert(sn_buf *out, const sinew_dialect *d);
/* DELETE FROM sinew_migrations WHERE name = ? */
void sn_sql_migrations_delete(sn_buf *out, const sinew_dialect *d);
/* Where DDL is not transactional: sinew_migrations_progress, a row per migration under way
 * (name, direction, done, done_checksum, pending_fp); its select, insert, update
 * (done, done_checksum, pending_fp WHERE name) and delete (WHERE name) */
void sn_sql_migrations_progress_table(sn_buf *out, const sinew_dialect *d);
void sn_sql_migrations_progress_select(sn_buf *out, const sinew_dialect *d);
void sn_sql_migrations_progress_insert(sn_buf *out, const sinew_dialect *d);
void sn_sql_migrations_progress_update(sn_buf *out, const sinew_dialect *d);
void sn_sql_migrations_progress_delete(sn_buf *out, const sinew_dialect *d);
/* The statement taking the advisory lock `key` to the end of the transaction; returns 0 and
   writes nothing when the dialect has none (its BEGIN serialises writers). */
int sn_sql_xact_lock(sn_buf *out, const sinew_dialect *d, int64_t key);
/* Online migrations (the dialect's version 8 members): SET [LOCAL] name = 'value'; the query reading
   a setting's value now; DROP INDEX CONCURRENTLY IF EXISTS name (an INVALID index left behind). */
void sn_sql_set_setting(sn_buf *out, const sinew_dialect *d, const char *name, int local, const char *value);
void sn_sql_show_setting(sn_buf *out, const sinew_dialect *d, const char *name);
void sn_sql_drop_index_concurrently(sn_buf *out, const sinew_dialect *d, const char *name);

/* ---- DDL ---- */
void sn_sql_create_table(sn_buf *out, const sinew_dialect *d, const sinew_model *m, int if_not_exists);
/* the same, with the foreign keys left out when with_fks is 0 (added afterwards, see
 * sn_sql_distribute) */
void sn_sql_create_table_fks(sn_buf *out, const sinew_dialect *d, const sinew_model *m, int if_not_exists,
                             int with_fks);
/* one CREATE [UNIQUE] INDEX statement per index, each terminated by ";\n" */
void sn_sql_create_indexes(sn_buf *out, const sinew_dialect *d, const sinew_model *m, int if_not_exists);
/* the k-th of those statements (0-based); returns 0, writing nothing, past the last */
int sn_sql_create_index_at(sn_buf *out, const sinew_dialect *d, const sinew_model *m, size_t k, int if_not_exists);
/* a column's SQL type: its @db_type where this backend reads that name as the field's type, else
 * the dialect's own type for it */
const char *sn_sql_column_type(const sinew_dialect *d, const sinew_field *f);
/*
 * The field whose type column i of m is written with: itself, except where a foreign key needs its
 * referenced column's exact type (fk_same_type: InnoDB refuses an INT referencing a BIGINT), where an
 * integer foreign-key column takes the type of the integer column it references (an int32 field
 * over a BIGINT column; its own @db_type wins). CREATE TABLE, ALTER and the drift check use it.
 */
const sinew_field *sn_sql_type_field(const sinew_dialect *d, const sinew_model *m, size_t i);
/* 1 when the column's @db_type applies on this backend (sn_sql_column_type returns it) */
int sn_sql_declared_type_applies(const sinew_dialect *d, const sinew_field *f);
/* one column definition as in CREATE TABLE (name, type, NOT NULL, DEFAULT, UNIQUE, CHECK) */
void sn_sql_column_def(sn_buf *out, const sinew_dialect *d, const sinew_model *m, size_t field);
/* a column of a non-unique index: its name and the key-part length the dialect needs ("(255)") */
void sn_sql_index_column(sn_buf *out, const sinew_dialect *d, const sinew_field *f);
/* FOREIGN KEY (...) REFERENCES t (...) [ON DELETE ..] [ON UPDATE ..] for a BELONGS_TO relation */
void sn_sql_fk_clause(sn_buf *out, const sinew_dialect *d, const sinew_model *m, const sinew_relation *r);
/* CHECK (...) of a polymorphic relation: exactly one of its targets' keys set (at most one when optional) */
void sn_sql_poly_check(sn_buf *out, const sinew_dialect *d, const sinew_model *m, const sinew_poly *p);
/* CREATE SCHEMA IF NOT EXISTS "name" (MariaDB: CREATE DATABASE ...), no terminator: before @@schema tables */
void sn_sql_create_schema(sn_buf *out, const sinew_dialect *d, const char *schema);
/* ALTER TABLE t ADD FOREIGN KEY ... for a BELONGS_TO relation (no terminator) */
void sn_sql_add_fk(sn_buf *out, const sinew_dialect *d, const sinew_model *m, const sinew_relation *r);
/* a field's DEFAULT clause value, or nothing (returns 0) */
int sn_sql_default(sn_buf *out, const sinew_dialect *d, const sinew_field *f);

/* ---- distribution (render_distribute.c) ---- */
/*
 * The statement that takes a table from the distribution of `from` to that of `to`
 * (`@@distribute`, `@@reference`; from NULL: a table just created), ending in ";\n", run only
 * where the dialect's distribution_extension is installed. Returns 0 and writes nothing when
 * nothing changes or the dialect cannot distribute tables.
 */
int sn_sql_distribute(sn_buf *out, const sinew_dialect *d, const sinew_model *from, const sinew_model *to);
/* 1 when the two say the same distribution (UNSAID and LOCAL are the same: not distributed) */
int sn_sql_same_distribution(const sinew_model *a, const sinew_model *b);

#endif
