/*
 * sinew/schema.h - the schema graph: models, fields, keys, indexes, enums and
 * relations.
 *
 * This is the one structure everything in sinew shares. The schema-language
 * parser, database introspection and the code generator's static descriptor
 * tables all produce it; DDL, migrations, diagrams, code generation and the
 * runtime (hydration, queries, relation loading) only read it.
 *
 * A graph built at run time (by the parser or by introspection) is owned by
 * its sinew_schema and released with sinew_schema_free(). A graph emitted by
 * `sinew generate`, or written by hand with the SINEW_FIELD* macros below, is
 * static const data and is never freed.
 *
 * Field, primary-key, index and relation key lists refer to fields by their
 * index in the model's `fields` array.
 */
#ifndef SINEW_SCHEMA_H
#define SINEW_SCHEMA_H

#include "export.h"

#include <stddef.h>
#include <stdint.h>
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Offset value meaning "this member does not exist in the C struct". */
#define SINEW_NO_OFFSET ((size_t)-1)

/* Where a declaration came from in a schema file (line/col are 1-based; 0 = unknown). */
typedef struct sinew_srcloc {
    int line;
    int col;
} sinew_srcloc;

typedef struct sinew_enum {
    const char *name;                /* "Status" */
    const char *const *values;       /* {"draft", "published"} stored as text */
    size_t nvalues;
    const char *doc;                 /* /// doc comment, or NULL */
    sinew_srcloc loc;
} sinew_enum;

typedef enum sinew_default_kind {
    SINEW_DEFAULT_NONE = 0,
    SINEW_DEFAULT_VALUE,             /* a literal: `value` holds its schema-language text */
    SINEW_DEFAULT_NOW,               /* current timestamp / date */
    SINEW_DEFAULT_UUID               /* a fresh random UUID */
} sinew_default_kind;

typedef struct sinew_default {
    sinew_default_kind kind;
    const char *value;               /* for VALUE: `0`, `-1.5`, `true`, `"text"`, an enum value name */
} sinew_default;

/* Field flags. */
enum {
    SINEW_FIELD_NULLABLE = 1u << 0,  /* `?`: the column accepts NULL */
    SINEW_FIELD_PK       = 1u << 1,  /* part of the primary key */
    SINEW_FIELD_AUTO     = 1u << 2,  /* `@auto`: the database generates it */
    SINEW_FIELD_UNIQUE   = 1u << 3,  /* `@unique` on this field alone */
    SINEW_FIELD_INDEX    = 1u << 4,  /* `@index` on this field alone */
    SINEW_FIELD_VERSION  = 1u << 5,  /* `@version`: optimistic-lock counter */
    SINEW_FIELD_FK       = 1u << 6,  /* holds (part of) a to-one relation's key */
    SINEW_FIELD_IMPLICIT = 1u << 7,  /* made by a relation declaration (`author User` -> author_id) */
    SINEW_FIELD_DB_TYPE  = 1u << 8,  /* `@db_type("NUMERIC(5,2)")`: db_type is the column's declared type,
                                        written by DDL and compared by drift on a backend that reads it
                                        as this field's type (see docs/schema.md) */
    SINEW_FIELD_GENERATED = 1u << 9, /* `@generated("expr")`: the database computes it (GENERATED ALWAYS AS
                                        (expr) STORED); sinew never writes it and reads it back after a save */
    SINEW_FIELD_VIRTUAL  = 1u << 10, /* with GENERATED: `@generated("expr", virtual)`, computed when read
                                        (SQLite's VIRTUAL; PostgreSQL has STORED ones only) */
    SINEW_FIELD_READONLY = 1u << 11, /* never written by sinew's inserts and updates (generated columns, and
                                        opaque `@db_type` columns sinew cannot bind: see docs/schema.md) */
    SINEW_FIELD_UPDATED_AT = 1u << 12, /* `@updated_at` (a timestamp): sinew writes the time of every insert and
                                        update into it, one clock reading per flush or statement */
    SINEW_FIELD_DELETED_AT = 1u << 13 /* the soft-delete column of a `@@soft_delete` model (a nullable timestamp):
                                        NULL while the row is live, the time of its deletion after */
};

/* Validation declared in the schema (@length, @range, @pattern), checked before writes. */
typedef struct sinew_rules {
    int64_t min_len;                 /* text: fewest characters (UTF-8 code points); -1 = no bound */
    int64_t max_len;                 /* text: most characters; -1 = no bound */
    int has_min, has_max;            /* numbers: inclusive range */
    double min, max;
    const char *pattern;             /* text: POSIX extended regular expression the whole value matches */
} sinew_rules;

typedef struct sinew_field {
    const char *name;                /* name in the schema and the C struct: "author_id" */
    const char *column;              /* SQL column name (differs under @map) */
    sinew_type type;
    unsigned flags;                  /* SINEW_FIELD_* */
    const sinew_enum *enum_type;     /* for SINEW_ENUM */
    sinew_default def;
    const char *check;               /* SQL CHECK expression (`@check`), or NULL */
    const char *renamed_from;        /* `@renamed_from(old)`, or NULL */
    const char *doc;                 /* /// doc comment, or NULL */
    const char *db_type;             /* the database's own type name when introspected, or `@db_type`'s; NULL */
    size_t offset;                   /* offsetof(struct, member), SINEW_NO_OFFSET when no struct */
    size_t has_offset;               /* offsetof(struct, has_<member>) for nullable scalars, else SINEW_NO_OFFSET */
    int order;                       /* declaration position among fields and relations */
    sinew_srcloc loc;
    const sinew_rules *rules;        /* validation, or NULL */
    const char *generated;           /* GENERATED's SQL expression (SINEW_FIELD_GENERATED), or NULL */
} sinew_field;

typedef struct sinew_index {
    const char *name;                /* SQL name, e.g. "posts_author_id_title_idx" */
    const unsigned *fields;          /* field indexes */
    size_t nfields;
    int unique;                      /* 1 for @@unique / @unique */
    sinew_srcloc loc;
    int automatic;                   /* 1: not written in the schema, the index sinew gives every
                                        to-one's foreign key (unless @no_index or already led) */
    const char *where;               /* a partial index's predicate (`where: "gone IS NULL"`), SQL; NULL */
} sinew_index;

typedef enum sinew_rel_kind {
    SINEW_BELONGS_TO = 1,            /* to-one holding the foreign key: Post.author */
    SINEW_HAS_ONE,                   /* inverse of a unique to-one: User.profile */
    SINEW_HAS_MANY,                  /* inverse of a to-one: User.posts */
    SINEW_MANY_TO_MANY               /* through a join table: Post.tags */
} sinew_rel_kind;

typedef enum sinew_fk_action {
    SINEW_FK_NO_ACTION = 0,
    SINEW_FK_RESTRICT,
    SINEW_FK_CASCADE,
    SINEW_FK_SET_NULL,
    SINEW_FK_SET_DEFAULT
} sinew_fk_action;

struct sinew_model;
struct sinew_poly;

/*
 * A relation, seen from `model` (its owner).
 *  BELONGS_TO:   local  = the FK fields of the owner,  remote = the referenced fields of target.
 *  HAS_ONE/MANY: local  = the referenced fields of the owner, remote = the FK fields of target.
 *  MANY_TO_MANY: local  = owner's key fields, remote = target's key fields; through_local are
 *                the join model's fields that reference the owner, through_remote those that
 *                reference the target.
 */
typedef struct sinew_relation {
    const char *name;                /* "author", "posts", "tags" */
    sinew_rel_kind kind;
    const struct sinew_model *target;
    const unsigned *local;
    const unsigned *remote;
    size_t nkeys;
    const struct sinew_model *through;   /* join model for MANY_TO_MANY, else NULL */
    const unsigned *through_local;
    const unsigned *through_remote;
    const char *inverse;             /* name of the inverse relation on target, or NULL */
    sinew_fk_action on_delete;       /* BELONGS_TO only */
    sinew_fk_action on_update;
    int optional;                    /* BELONGS_TO: the FK is nullable */
    size_t offset;                   /* struct member caching the loaded object (T *) or list
                                        (sinew_list), SINEW_NO_OFFSET if none */
    const char *doc;
    int order;                       /* declaration position among fields and relations */
    sinew_srcloc loc;
    const char *fk_name;             /* BELONGS_TO: the foreign key's SQL constraint name (`@fk(..., name:)`),
                                        NULL for the database's default */
    const struct sinew_poly *poly;   /* BELONGS_TO: the polymorphic relation this is one target of
                                        (`target Post | Comment` makes target_post, target_comment), or NULL */
} sinew_relation;

/*
 * A polymorphic relation (`target Post | Comment`): a to-one that points at one of several models.
 * Each target is an ordinary optional BELONGS_TO of the owner (`target_post`, its nullable key
 * `target_post_id` with a real foreign key), listed here in declaration order; the table has a
 * CHECK constraint (one of the model's `checks`, named `check_name`) that exactly one of the
 * targets' keys is set.
 */
typedef struct sinew_poly {
    const char *name;                /* "target" */
    const unsigned *targets;         /* indexes into the owner's `relations`, one per target model */
    size_t ntargets;
    const char *check_name;          /* the CHECK constraint's SQL name: "<table>_<name>_one_target" */
    int optional;                    /* `target Post | Comment?`: at most one target set (none allowed) */
    const char *doc;
    int order;                       /* declaration position among fields and relations */
    sinew_srcloc loc;
} sinew_poly;

/* A table CHECK constraint (`@@check("expr", name: "chk")`). */
typedef struct sinew_check {
    const char *name;                /* SQL constraint name, NULL for the database's default */
    const char *expr;                /* the SQL expression, as written (db pull: as the database reports it) */
    sinew_srcloc loc;
} sinew_check;

/* Model flags. */
enum {
    SINEW_MODEL_JOIN = 1u << 0,      /* join table synthesised for an implicit many-to-many */
    SINEW_MODEL_READONLY = 1u << 1,  /* `@@readonly`: sinew reads it (count, list, query, relations)
                                        and never writes it; the one way to have no primary key
                                        (a log table, a partitioned table as `db pull` finds them) */
    SINEW_MODEL_VIEW = 1u << 2,      /* `@@view`: a database view (or materialized view), read-only too;
                                        sinew never creates it: its CREATE VIEW is the migration's SQL */
    SINEW_MODEL_SOFT_DELETE = 1u << 3 /* `@@soft_delete`: a delete sets the SINEW_FIELD_DELETED_AT field instead of
                                        removing the row, and reads leave such rows out (docs/schema.md) */
};

/*
 * How a model's table is spread over a distributed PostgreSQL (Citus) cluster. The schema
 * says it with `@@distribute(column)` or `@@reference`; a graph read from a database says it
 * where the database can (a Citus coordinator). A database that cannot distribute tables
 * (SQLite, PostgreSQL without the citus extension) ignores it: see docs/schema.md.
 */
typedef enum sinew_distribution {
    SINEW_DIST_UNSAID = 0,           /* the schema says nothing, or the database cannot tell */
    SINEW_DIST_LOCAL,                /* read from a coordinator: not hash-distributed nor
                                        replicated (a coordinator table, one of schema-based
                                        sharding, a Citus local table) */
    SINEW_DIST_HASH,                 /* `@@distribute(col)`: rows spread over the workers by col */
    SINEW_DIST_REFERENCE             /* `@@reference`: a full copy on every node */
} sinew_distribution;

typedef struct sinew_model {
    const char *name;                /* "User" (schema / C type name) */
    const char *table;               /* "users" (SQL table name) */
    const char *c_name;              /* "user" (prefix of generated functions) */
    const char *doc;
    const char *renamed_from;        /* `@@renamed_from(old)`, or NULL */
    unsigned flags;                  /* SINEW_MODEL_* */
    size_t size;                     /* sizeof the C struct, 0 when there is none */
    const sinew_field *fields;
    size_t nfields;
    const unsigned *pk;              /* primary-key field indexes */
    size_t npk;
    const sinew_index *indexes;      /* secondary indexes and unique constraints */
    size_t nindexes;
    const sinew_relation *relations;
    size_t nrelations;
    sinew_srcloc loc;
    /* Distribution (appended: static graphs that leave these out are SINEW_DIST_UNSAID). */
    sinew_distribution distribution;
    unsigned dist_field;             /* SINEW_DIST_HASH: the field index of the distribution column */
    const struct sinew_model *colocate_with;   /* `@@distribute(col, colocate_with: Model)`, or NULL */
    const char *pk_name;             /* the primary key's SQL constraint name (`@id(name:)`, `@@id([..], name:)`),
                                        NULL for the database's default */
    const sinew_check *checks;       /* `@@check` table constraints */
    size_t nchecks;
    const char *db_schema;           /* `@@schema("name")`: the PostgreSQL schema (MariaDB: the database)
                                        the table lives in, so SQL names it "name"."table"; NULL: the
                                        connection's own (search path / current database) */
    const sinew_poly *polys;         /* polymorphic relations (`target Post | Comment`) */
    size_t npolys;
} sinew_model;

typedef struct sinew_schema {
    const char *name;                /* "blog" */
    const sinew_model *const *models;
    size_t nmodels;
    const sinew_enum *const *enums;
    size_t nenums;
    void *owner;                     /* private: the arena of a run-time graph, NULL for static */
} sinew_schema;

/* A list of objects loaded by a session (items belong to the session). */
typedef struct sinew_list {
    void **items;
    size_t count;
} sinew_list;

/* Release a graph made by the parser or by introspection. No-op on static graphs and NULL. */
SINEW_API void sinew_schema_free(sinew_schema *schema);

/* Lookups by name (schema name for models/fields/relations). NULL or -1 when absent. */
SINEW_API const sinew_model *sinew_schema_find_model(const sinew_schema *schema, const char *name);
SINEW_API const sinew_model *sinew_schema_find_table(const sinew_schema *schema, const char *table);
SINEW_API const sinew_enum *sinew_schema_find_enum(const sinew_schema *schema, const char *name);
SINEW_API int sinew_model_field_index(const sinew_model *model, const char *name);
SINEW_API int sinew_model_column_index(const sinew_model *model, const char *column);
SINEW_API const sinew_relation *sinew_model_find_relation(const sinew_model *model, const char *name);
SINEW_API const sinew_poly *sinew_model_find_poly(const sinew_model *model, const char *name);

/* The index of the soft-delete field of a @@soft_delete model (SINEW_FIELD_DELETED_AT), or -1. */
SINEW_API int sinew_model_soft_delete_field(const sinew_model *model);

/* The index of the single auto-generated primary-key field, or -1. */
SINEW_API int sinew_model_auto_pk(const sinew_model *model);

/*
 * Hand-written descriptors over an existing struct.
 *
 *   typedef struct { int64_t id; char *email; int32_t age; bool has_age; } User;
 *   static const sinew_field user_fields[] = {
 *       SINEW_FIELD(User, id,    SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_AUTO),
 *       SINEW_FIELD(User, email, SINEW_TEXT,  SINEW_FIELD_UNIQUE),
 *       SINEW_FIELD_OPT(User, age, SINEW_INT32, 0),   // nullable, uses has_age
 *   };
 *   static const unsigned user_pk[] = {0};
 *   const sinew_model user_model = SINEW_MODEL(User, "User", "users", "user", user_fields, user_pk);
 *
 * Pointer-represented types (text, json, decimal) are nullable with plain
 * SINEW_FIELD plus SINEW_FIELD_NULLABLE; other nullable types need SINEW_FIELD_OPT.
 * The macros use designated initialisers, as generated tables do: members
 * they do not name (a default, a doc comment, relations) are zero.
 */
#define SINEW_FIELD_COL(Struct, member, col, ftype, fflags)                      \
    { .name = #member, .column = col, .type = ftype, .flags = (fflags),             \
      .offset = offsetof(Struct, member), .has_offset = SINEW_NO_OFFSET }
#define SINEW_FIELD(Struct, member, ftype, fflags)                                \
    SINEW_FIELD_COL(Struct, member, #member, ftype, fflags)
#define SINEW_FIELD_OPT(Struct, member, ftype, fflags)                            \
    { .name = #member, .column = #member, .type = ftype,                            \
      .flags = (fflags) | SINEW_FIELD_NULLABLE, .offset = offsetof(Struct, member), \
      .has_offset = offsetof(Struct, has_##member) }
#define SINEW_COUNT(arr) (sizeof(arr) / sizeof((arr)[0]))
/* Session objects are 8-byte aligned (every column type needs at most that): a
 * struct that needs more (a long double, an _Alignas(16) member) is a compile error. */
#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L && !defined(__cplusplus)
#define SINEW_ALIGN_CHECK_(Struct)                                                 \
    (0 * sizeof(struct { _Static_assert(_Alignof(Struct) <= 8, "sinew: session objects are "  \
                                        "8-byte aligned; " #Struct " needs more"); int sinew_; }))
#else
#define SINEW_ALIGN_CHECK_(Struct) 0
#endif
#define SINEW_MODEL(Struct, mname, mtable, mcname, fields_arr, pk_arr)          \
    { .name = mname, .table = mtable, .c_name = mcname,                             \
      .size = sizeof(Struct) + SINEW_ALIGN_CHECK_(Struct), .fields = fields_arr,    \
      .nfields = SINEW_COUNT(fields_arr), .pk = pk_arr, .npk = SINEW_COUNT(pk_arr) }

#ifdef __cplusplus
}
#endif
#endif
