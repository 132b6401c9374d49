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
    const char *name;                 /* "sqlite", "postgres" */
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
} sinew_dialect;

#ifdef __cplusplus
}
#endif
#endif
