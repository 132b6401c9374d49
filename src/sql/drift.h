/*
 * drift.h - the one drift engine: the differences between the schema a
 * database should have (`expected`) and the one it has (`live`, as
 * sinew_introspect reads it), as a structured list. `migrate check` prints
 * the list as text (sn_drift_text), the diagram's drift view draws it as
 * marks and colours, and neither has comparison rules of its own, so they
 * cannot disagree. It does no I/O; the dialect says how the live database
 * reports types and defaults.
 */
#ifndef SINEW_SQL_DRIFT_H
#define SINEW_SQL_DRIFT_H

#include "base.h"
#include "sinew/dialect.h"
#include "sinew/schema.h"

typedef enum sn_drift_kind {
    SN_DRIFT_TABLE_MISSING = 1,   /* in the schema, not in the database */
    SN_DRIFT_TABLE_EXTRA,         /* in the database, not in the schema */
    SN_DRIFT_COLUMN_MISSING,
    SN_DRIFT_COLUMN_EXTRA,
    SN_DRIFT_COLUMN_TYPE,
    SN_DRIFT_COLUMN_NULLABLE,
    SN_DRIFT_COLUMN_DEFAULT,
    SN_DRIFT_COLUMN_UNIQUE,       /* a one-column unique key on one side only */
    SN_DRIFT_PRIMARY_KEY,
    SN_DRIFT_INDEX_MISSING,       /* an index or a unique key over several columns */
    SN_DRIFT_INDEX_EXTRA,
    SN_DRIFT_FK_MISSING,
    SN_DRIFT_FK_EXTRA,
    SN_DRIFT_DISTRIBUTION,        /* @@distribute / @@reference differs from what a coordinator reports */
    SN_DRIFT_CONSTRAINT_NAME,     /* a primary or foreign key named otherwise in the database */
    SN_DRIFT_CHECK_MISSING,       /* a named CHECK constraint (@@check(..., name:)) not in the database */
    SN_DRIFT_CHECK_EXTRA          /* a CHECK constraint named explicitly in the database, not in the schema */
} sn_drift_kind;

typedef struct sn_drift_item {
    sn_drift_kind kind;
    const char *table;
    const char *schema;           /* the table's @@schema, or NULL */
    const char *column;           /* the column of a SN_DRIFT_COLUMN_* item, else NULL */
    const char *text;             /* the sentence after "table T: " (migrate check) */
    const char *note;             /* the short form beside the table or column (diagram) */
} sn_drift_item;

typedef struct sn_drift_list {
    sn_drift_item *v;
    size_t n, cap;
    sn_arena arena;               /* the strings */
} sn_drift_list;

/* Compare; *out is filled in table-name order of the live graph, then the missing tables.
   Either graph may be NULL (no tables). Free *out with sn_drift_free, also after a failure. */
int sn_drift_compare(const sinew_schema *expected, const sinew_schema *live, const sinew_dialect *dl,
                     sn_drift_list *out);
void sn_drift_free(sn_drift_list *d);
/* "table T: text\n" per item */
void sn_drift_text(const sn_drift_list *d, sn_buf *out);

#endif
