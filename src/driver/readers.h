/*
 * readers.h - private to the driver layer: the catalog readers behind the
 * built-in drivers' introspect members. Each reads its database's catalog
 * with its own driver and builds the graph with the schema layer's builder
 * (schema/introspect.h); nothing above the driver layer calls them.
 */
#ifndef SINEW_DRIVER_READERS_H
#define SINEW_DRIVER_READERS_H

#include "sinew/driver.h"

struct sqlite3;

int sn_sqlite_introspect(sinew_conn *c, sinew_schema **out);
struct sn_ib;
/* sqlite_constraints.c: constraint names, CHECKs and generated columns from a CREATE TABLE's text */
int sn_sqlite_constraints(struct sn_ib *b, int t, const char *sql);
/* the predicate of a CREATE INDEX ... WHERE (allocated), or NULL */
char *sn_sqlite_index_where(const char *sql);
struct sqlite3 *sn_sqlite_handle(sinew_conn *c);      /* sqlite.c: the connection's handle */

int sn_pg_introspect(sinew_conn *c, sinew_schema **out);
int sn_pg_introspect_schemas(sinew_conn *c, const char *const *schemas, size_t n, sinew_schema **out);

/* mariadb_introspect.c: information_schema of the connection's database */
int sn_my_introspect(sinew_conn *c, sinew_schema **out);
int sn_my_introspect_schemas(sinew_conn *c, const char *const *schemas, size_t n, sinew_schema **out);

#endif
