/*
 * introspect.h - private: a builder that turns what a database reports
 * (tables, columns, keys, indexes, foreign keys) into a schema graph, and
 * the mappings from SQL type names and default expressions to sinew's.
 * It does no I/O: each driver reads its own catalog (the introspect member
 * of its vtable: src/driver/sqlite_introspect.c, postgres_introspect.c) and
 * feeds what it read in here.
 */
#ifndef SINEW_SCHEMA_INTROSPECT_H
#define SINEW_SCHEMA_INTROSPECT_H

#include "base.h"
#include "sinew/schema.h"

typedef struct sn_ib sn_ib;

sn_ib *sn_ib_new(void);                         /* NULL on out of memory (error set) */
void sn_ib_free(sn_ib *b);                      /* after finish or on failure */

/* Add a table; returns its index or -1 (out of memory). */
int sn_ib_table(sn_ib *b, const char *table);
/* Table t lives in the named schema (PostgreSQL; the model's @@schema): read when the schemas
 * were named (`db pull --schema`), so same-named tables of two schemas are two models. */
int sn_ib_table_schema(sn_ib *b, int t, const char *schema);
/* Foreign key `id` of table t (after its sn_ib_fk columns) refers to a table of that schema. */
int sn_ib_fk_schema(sn_ib *b, int t, int id, const char *schema);
/* Add a column: declared type text, NOT NULL, raw SQL default or NULL. pg: PostgreSQL type names. */
int sn_ib_column(sn_ib *b, int t, const char *name, const char *decl_type, int notnull,
                 const char *dflt_sql, int pg);
/* A column of a PostgreSQL enum type: the field becomes an enum of these labels (one sinew enum per
 * type). Returns 1 when done, 0 when a label is not an identifier (the column stays text), -1 on no memory. */
int sn_ib_enum_column(sn_ib *b, int t, const char *column, const char *type_name, const char *const *labels,
                      size_t n, const char *dflt_sql);
/* The field's type from another declared type (a domain's base type); db_type stays. */
void sn_ib_retype(sn_ib *b, int t, const char *column, const char *decl_type, int pg);
/* Mark column as part of the primary key at 1-based position pos. */
int sn_ib_pk(sn_ib *b, int t, const char *column, int pos);
void sn_ib_auto(sn_ib *b, int t, const char *column);     /* @auto */
/* An index or unique constraint over columns (in order); where: a partial index's predicate, or NULL. */
int sn_ib_index(sn_ib *b, int t, const char *name, int unique, const char *const *columns, size_t n,
                const char *where);
/* One column pair of foreign key `id` (rows with the same id form a composite key, seq-ordered). */
int sn_ib_fk(sn_ib *b, int t, int id, int seq, const char *from, const char *to_table,
             const char *to_column, sinew_fk_action on_delete, sinew_fk_action on_update);
/* Constraint names the database gives explicitly (a reader passes none for the backend's default
 * names): the primary key's, foreign key `id`'s (the columns of sn_ib_fk). */
int sn_ib_pk_name(sn_ib *b, int t, const char *name);
int sn_ib_fk_name(sn_ib *b, int t, int id, const char *name);
/* A CHECK constraint: its SQL expression (without CHECK and the outer parentheses), its name or NULL. */
int sn_ib_check(sn_ib *b, int t, const char *name, const char *expr);
/* A generated column: the database computes it from expr (STORED, or VIRTUAL when stored is 0). */
int sn_ib_generated(sn_ib *b, int t, const char *column, const char *expr, int stored);
/* Table t is a view (call after its columns): a read-only @@view model; a column of no declared type
 * (SQLite, an expression) is read as text. */
void sn_ib_view(sn_ib *b, int t);
/* Foreign key `id` by its local columns (in order), or -1: SQLite names constraints only in its SQL. */
int sn_ib_fk_id_by_columns(sn_ib *b, int t, const char *const *cols, size_t n);

/* The database distributes tables (a Citus coordinator): a table sn_ib_distribution does not
 * name is read as SINEW_DIST_LOCAL rather than SINEW_DIST_UNSAID. */
void sn_ib_distributed_db(sn_ib *b);
/* How table t is distributed: SINEW_DIST_HASH by `column`, SINEW_DIST_REFERENCE, or LOCAL. */
int sn_ib_distribution(sn_ib *b, int t, sinew_distribution kind, const char *column);

/* Note something the schema cannot say (a lossy mapping): printed by `db pull` as a warning and
 * kept as a `/// db pull:` comment on the field (column) or model (column NULL); t = -1: no model. */
void sn_ib_note(sn_ib *b, int t, const char *column, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* The notes of a graph made by sn_ib_finish (NULL for any other graph, or none). */
const char *sn_ib_notes_of(const sinew_schema *s);

/* Resolve foreign keys into relations, name everything, and hand over the graph. */
int sn_ib_finish(sn_ib *b, sinew_schema **out);
/* introspect_soft.c: m (fields f, indexes ix, its key set) is @@soft_delete when its unique keys are the
 * partial ones sinew writes for it (WHERE "col" IS NULL); then the flags are set and those predicates
 * are put as the resolver writes them. SINEW_OK or SINEW_NOMEM. */
int sn_ib_infer_soft_delete(sn_arena *a, sinew_model *m, sinew_field *f, size_t nf, sinew_index *ix, size_t ni);
/* introspect_poly.c: the polymorphic relations of a finished model (its CHECK ..._one_target and
 * the to-ones it counts), made sinew_poly again */
#define SINEW_POLY_MAX_TARGETS_ 64
int sn_ib_polys(sn_arena *a, sinew_model *m);

/* ---- tables in named schemas (@@schema), shared with drift, diff and the diagram ---- */
/* Both models in the same schema: neither has @@schema, or both name the same one. */
int sn_same_db_schema(const sinew_model *a, const sinew_model *b);
/* The model of `table` in `schema` (NULL: a model without @@schema), or NULL. */
const sinew_model *sn_schema_find_table_in(const sinew_schema *s, const char *schema, const char *table);

/* ---- mappings (shared with the drift check) ---- */
sinew_type sn_type_from_sql(const char *decl, int pg);
/* A database default expression as a schema default (NONE when it is not representable). */
void sn_default_from_sql(const char *sql, sinew_type type, int pg, sn_arena *a, sinew_default *out);
/* Normalised default SQL text for comparisons (lower case, no outer parens or ::casts). */
char *sn_default_norm(const char *sql, sn_arena *a);
sinew_fk_action sn_fk_action_from_sql(const char *s);
/* A pulled column keeps its declared type as @db_type (SINEW_FIELD_DB_TYPE). */
int sn_declared_type_kept(const char *decl, sinew_type type, int pg);
/* Declared type names equal up to case and blanks. */
int sn_declared_type_same(const char *a, const char *b);

#endif
