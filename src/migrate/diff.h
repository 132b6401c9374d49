/*
 * diff.h - private: the difference between two schema graphs as an ordered
 * list of operations (diff.c), and their SQL for one dialect (plan.c).
 */
#ifndef SINEW_MIGRATE_DIFF_H
#define SINEW_MIGRATE_DIFF_H

#include "base.h"
#include "schema/ixdefs.h"
#include "sinew/schema.h"
#include "sql/dialect.h"

typedef enum sn_op_kind {
    SN_OP_DROP_FK = 1,          /* in execution order */
    SN_OP_DROP_CHECK,           /* a polymorphic relation's CHECK, before its key columns go */
    SN_OP_DROP_INDEX,
    SN_OP_DROP_UNIQUE,
    SN_OP_RENAME_TABLE,
    SN_OP_RENAME_COLUMN,
    SN_OP_CREATE_TABLE,
    SN_OP_ADD_COLUMN,
    SN_OP_ALTER_COLUMN,
    SN_OP_ALTER_PK,
    SN_OP_DROP_COLUMN,
    SN_OP_DROP_TABLE,
    SN_OP_ADD_INDEX,
    SN_OP_ADD_UNIQUE,
    SN_OP_DISTRIBUTE,           /* @@distribute / @@reference changed: after the tables exist and before
                                   the foreign keys of new tables are added, referenced tables first */
    SN_OP_ADD_FK,
    SN_OP_ADD_CHECK             /* a polymorphic relation's CHECK, once its key columns are there */
} sn_op_kind;

/* What an ALTER_COLUMN changes. */
enum { SN_ALTER_TYPE = 1, SN_ALTER_NULL = 2, SN_ALTER_DEFAULT = 4,
       SN_ALTER_KEY_TYPE = 8 /* the column's own type is unchanged, the key it references changed type (follows) */ };

typedef struct sn_op {
    sn_op_kind kind;
    const sinew_model *from_m;  /* the table before (NULL for CREATE_TABLE) */
    const sinew_model *to_m;    /* the table after (NULL for DROP_TABLE) */
    int from_f, to_f;           /* field indexes, -1 when not applicable */
    unsigned alter;             /* SN_ALTER_* */
    sn_ixdef ix;                /* index ops */
    const sinew_relation *rel;  /* FK ops: the BELONGS_TO (of from_m for drops, to_m for adds) */
    const sinew_poly *poly;     /* CHECK ops: the polymorphic relation (of from_m for drops, to_m for adds) */
    int destructive;            /* loses data */
    int deferred;               /* CREATE_TABLE: its foreign keys come as ADD_FK ops marked deferred, which
                                   a dialect that distributes tables runs after SN_OP_DISTRIBUTE (Citus
                                   refuses to distribute a table whose keys point at local tables, and to
                                   make a table a reference table while a local table that points at it
                                   also points at a distributed one); elsewhere the keys stay inline */
    int follows;                /* a step another one needs only where a foreign key's column must have the
                                   referenced column's type (fk_same_type): the key's type changes, so its
                                   foreign keys are dropped before and added again after (DROP_FK / ADD_FK)
                                   and the columns that take its type change with it (ALTER_COLUMN with
                                   SN_ALTER_KEY_TYPE); sn_plan_applies says whether a dialect runs it */
    int fks_after;              /* CREATE_TABLE: a foreign key of the new table refers to a column whose type
                                   this diff changes; where the types must match (fk_same_type) the table is
                                   created without its foreign keys, which `follows` ADD_FK ops add at the end */
    const char *what;           /* one-line description */
} sn_op;

typedef struct sn_diff {
    sn_arena arena;
    sn_op *ops;
    size_t nops, cap;
    const char *suspect;        /* first drop+add pair that looks like a rename, or NULL */
    size_t ndestructive;
} sn_diff;

/* Operations that turn `from` into `to` (either may be an empty schema / NULL). */
int sn_diff_schemas(const sinew_schema *from, const sinew_schema *to, sn_diff *out);
void sn_diff_free(sn_diff *d);

/*
 * The SQL of a diff for one dialect, statements ending in ";\n", with a
 * "-- sinew: destructive: ..." line before each step that loses data.
 * SQLite table changes ALTER TABLE cannot make become a copy-and-swap
 * rebuild of the table.
 */
int sn_plan_render(const sn_diff *d, const sinew_dialect *dl, sn_buf *out);
/* 1 when the dialect runs this step (every step but a `follows` one it does not need) */
int sn_plan_applies(const sinew_dialect *dl, const sn_op *op);


#endif
