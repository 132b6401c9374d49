/*
 * introspect.h - private: a builder that turns what a database reports
 * (tables, columns, keys, indexes, foreign keys) into a schema graph, and
 * the mappings from SQL type names and default expressions to sinew's.
 * The per-database readers (src/schema/introspect_sqlite.c, _pg.c) feed it.
 */
#ifndef SINEW_MIGRATE_INTROSPECT_H
#define SINEW_MIGRATE_INTROSPECT_H

#include "base.h"
#include "sinew/schema.h"

typedef struct sn_ib sn_ib;

sn_ib *sn_ib_new(void);                         /* NULL on out of memory (error set) */
void sn_ib_free(sn_ib *b);                      /* after finish or on failure */

/* Add a table; returns its index or -1 (out of memory). */
int sn_ib_table(sn_ib *b, const char *table);
/* Add a column: declared type text, NOT NULL, raw SQL default or NULL. pg: PostgreSQL type names. */
int sn_ib_column(sn_ib *b, int t, const char *name, const char *decl_type, int notnull,
                 const char *dflt_sql, int pg);
/* Mark column as part of the primary key at 1-based position pos. */
int sn_ib_pk(sn_ib *b, int t, const char *column, int pos);
void sn_ib_auto(sn_ib *b, int t, const char *column);     /* @auto */
/* An index or unique constraint over columns (in order). */
int sn_ib_index(sn_ib *b, int t, const char *name, int unique, const char *const *columns, size_t n);
/* One column pair of foreign key `id` (rows with the same id form a composite key, seq-ordered). */
int sn_ib_fk(sn_ib *b, int t, int id, int seq, const char *from, const char *to_table,
             const char *to_column, sinew_fk_action on_delete, sinew_fk_action on_update);

/* Resolve foreign keys into relations, name everything, and hand over the graph. */
int sn_ib_finish(sn_ib *b, sinew_schema **out);

/* ---- mappings (shared with the drift check) ---- */
sinew_type sn_type_from_sql(const char *decl, int pg);
/* A database default expression as a schema default (NONE when it is not representable). */
void sn_default_from_sql(const char *sql, sinew_type type, int pg, sn_arena *a, sinew_default *out);
/* Normalised default SQL text for comparisons (lower case, no outer parens or ::casts). */
char *sn_default_norm(const char *sql, sn_arena *a);
sinew_fk_action sn_fk_action_from_sql(const char *s);

/* Readers: fill a graph from a live connection. */
struct sinew_db;
int sn_introspect_pg(struct sinew_db *db, sinew_schema **out);

#endif
