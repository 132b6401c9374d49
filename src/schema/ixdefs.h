/*
 * ixdefs.h - the indexes a model has in the database, explicit ones and
 * those of @unique / @index fields alike, in one list: what the migration
 * diff and the drift engine both compare.
 */
#ifndef SINEW_SCHEMA_IXDEFS_H
#define SINEW_SCHEMA_IXDEFS_H

#include "base.h"
#include "sinew/schema.h"

/* An index or unique constraint, field-level ones (@unique, @index) included. */
typedef struct sn_ixdef {
    const char *name;
    const char **cols;          /* column names */
    size_t ncols;
    int unique;
    int field_level;            /* from a field flag: named <table>_<col>_key / _idx */
    const char *where;          /* a partial index's predicate, or NULL */
} sn_ixdef;

/* The effective indexes of a model (explicit ones plus @unique / @index fields). */
size_t sn_model_ixdefs(sn_arena *a, const sinew_model *m, sn_ixdef **out);

#endif
