/*
 * resolve.h - the resolver's working state, shared by its files (internal to
 * src/schema; the entry point is sn_resolve in lang.h).
 *
 * The resolver gives a parsed schema file its meaning, in passes over this
 * state, each pass in a file of its own:
 *   resolve.c            the entry point and the order of the passes; enums,
 *                        models and their @@attributes; the state's lists
 *   resolve_diag.c       errors and warnings at a position, argument checks
 *   suggest.c            "did you mean ...?" for a misspelt name
 *   resolve_fields.c     column and relation fields and their attributes
 *   resolve_keys.c       primary keys and the foreign-key fields of to-ones
 *   resolve_relations.c  relation kinds and their inverses
 *   resolve_m2m.c        the join model of each many-to-many pair
 *   resolve_graph.c      the schema graph from the finished state
 *   resolve_indexes.c    @@index / @@unique: checks, names, automatic FK indexes
 *   resolve_checks.c     duplicate and clashing names over the finished state
 *   resolve_poly.c       polymorphic relations (`target Post | Comment`): one
 *                        optional to-one per target, their CHECK, the graph's sinew_poly
 *
 * Models, fields and relations refer to each other by index into the arrays
 * below (they grow while the passes run, so pointers would not stay valid).
 */
#ifndef SINEW_SCHEMA_RESOLVE_H
#define SINEW_SCHEMA_RESOLVE_H

#include <string.h>
#include "lang.h"
#include "sn_limits.h"

#define MAXK SN_MAX_KEY   /* key fields of a model, key columns of a relation (base/sn_limits.h) */

typedef struct pfield {
    sinew_field f;
    int order;
    int implicit_of;          /* relation index that made it, or -1 */
    sinew_rules *rules;
} pfield;

typedef struct prel {
    const ast_field *a;       /* NULL for relations of synthesised join models */
    sinew_rel_kind kind;
    int decided;
    int target;               /* model index */
    const char *name;
    int optional;
    int order;
    const char *fk[MAXK];     /* BELONGS_TO: FK field names in this model */
    size_t nfk;
    const char *ref[MAXK];    /* @references: the target's fields the key refers to (default: its key) */
    size_t nref;
    int fk_done;
    int explicit_fk;
    int unique, indexed, no_index;
    int key_unique;           /* @fk fields that are the model's key or a unique set: a one-to-one */
    const char *map;          /* @map on a to-one: the FK column */
    sinew_fk_action on_delete, on_update;
    int inverse;              /* relation index in target, -1 */
    const char *inverse_hint; /* @inverse(name) */
    const char *through;      /* M2M join table */
    int through_model;
    int through_local, through_remote;   /* relation indexes in the join model */
    const char *doc;
    const char *fk_name;      /* @fk(..., name: "fk_x"): the constraint's SQL name */
    int poly;                 /* one target of m->poly[poly - 1] (`target Post | Comment`), or 0 */
    int line, col;
} prel;

/* a polymorphic relation: its targets are the to-ones rels[0..n) of the model */
typedef struct ppoly {
    const ast_field *a;
    const char *name;
    int *rels;
    size_t n;
    int order;
    const char *check_name;
} ppoly;

typedef struct rmodel {
    const ast_model *a;
    const char *name, *table, *c_name, *doc, *renamed_from;
    const char *db_schema;    /* @@schema("name"), or NULL */
    unsigned flags;
    pfield *f;
    size_t nf, capf;
    prel *r;
    size_t nr, capr;
    const char *pk[MAXK];
    size_t npk;
    int pk_state;             /* 0 todo, 1 in progress, 2 done */
    const ast_attr *id_attr;
    const ast_attr *dist_attr;    /* @@distribute or @@reference */
    const ast_attr *soft_attr;    /* @@soft_delete */
    const char *soft_pred;        /* its "deleted_at IS NULL": the predicate of the model's unique indexes */
    const char *pk_name;      /* @id(name:) / @@id([..], name:) */
    sinew_check *checks;      /* @@check */
    size_t nchecks;
    int line, col;
    ppoly *poly;              /* polymorphic relations */
    size_t npoly, cappoly;
    int broken;               /* a field was dropped (unknown type): errors it could cause are not reported */
    sn_nameidx fidx, ridx;    /* field name -> index in f, relation name -> index in r (first of a name) */
    sinew_model *out;
} rmodel;

typedef struct R {
    const ast_file *af;
    sn_arena *a;
    sinew_diagnostics *d;
    const char *file;
    int errors;
    rmodel *m;
    size_t nm, capm;
    sinew_enum **enums;
    size_t ne;
    sn_nameidx midx, eidx;    /* model and enum names -> index */
    sn_nameidx pairs;         /* "target>source" -> index in pinfo: relations of a model pointing at another */
    struct pairinfo *pinfo;
    size_t npinfo, cappinfo;
} R;


#define PUSH(a, arr, n, cap) ((arr) = sn_vec_push((a), (arr), &(n), &(cap), sizeof *(arr)))

/* ---- lookups (inline: they run for every name the file mentions) ---- */

static inline sinew_enum *enum_of(R *r, const char *n)
{
    int i = sn_nameidx_get(&r->eidx, n);
    return i >= 0 ? r->enums[i] : NULL;
}

static inline int model_of(R *r, const char *n) { return sn_nameidx_get(&r->midx, n); }

static inline pfield *find_field(rmodel *m, const char *name)
{
    int i = sn_nameidx_get(&m->fidx, name);
    return i >= 0 ? &m->f[i] : NULL;
}

static inline prel *find_rel(rmodel *m, const char *name)
{
    int i = sn_nameidx_get(&m->ridx, name);
    return i >= 0 ? &m->r[i] : NULL;
}

/* the position of a field in the output order (after sn_rs_build sorted them) */
static inline unsigned field_index(const rmodel *m, const char *name)
{
    int i = sn_nameidx_get(&m->fidx, name);
    return i < 0 ? 0 : (unsigned)i;
}

static inline int in_list(const char *s, const char *const *l)
{
    for (size_t i = 0; l[i]; i++)
        if (!strcmp(l[i], s)) return 1;
    return 0;
}

/* the names of a list attribute's first argument ([a, b] in @@unique([a, b], name: "k")), or NULL */
static inline const ast_arg *list_arg(const ast_attr *a)
{
    return a->nargs >= 1 && a->args[0].kind == ARG_LIST && !a->args[0].label ? &a->args[0] : NULL;
}

/* the same names in any order */
static inline int same_names(const char *const *a, size_t na, const char *const *b, size_t nb)
{
    if (na != nb) return 0;
    for (size_t i = 0; i < na; i++) {
        size_t j = 0;
        while (j < nb && strcmp(a[i], b[j])) j++;
        if (j == nb) return 0;
    }
    return 1;
}

/* ---- resolve.c: the state's lists ---- */

/* append a field or relation, indexing its name */
void sn_rs_push_field(R *r, rmodel *m, const pfield *pf);
void sn_rs_push_rel(R *r, rmodel *m, const prel *p);
/* a model (declared or a synthesised join model); its index, or -1 out of memory */
int sn_rs_add_model(R *r, const char *name, const char *table, const char *c_name, int line, int col);

/* ---- resolve_diag.c ---- */

#if defined(__GNUC__)
#define SN_RS_PRINTF __attribute__((format(printf, 4, 5)))
#else
#define SN_RS_PRINTF
#endif
/* an error at line:col of the file (counted in r->errors) */
void sn_rs_err(R *r, int line, int col, const char *fmt, ...) SN_RS_PRINTF;
/* a warning: the file is accepted, the diagnostic says what the database will do */
void sn_rs_warn(R *r, int line, int col, const char *fmt, ...) SN_RS_PRINTF;
/* 0 (and an error) when the name in v holds a control character */
int sn_rs_control_free(R *r, const ast_arg *v, const char *attr);
/* a `name: "..."` argument naming an SQL constraint; 0 (and an error) when it is malformed */
int sn_rs_constraint_name_arg(R *r, const ast_arg *v, const char *attr, const char *example);
/* 0 (and an error showing `example`) unless @a has n arguments */
int sn_rs_need_args(R *r, const ast_attr *a, size_t n, const char *example);

/* ---- suggest.c: "; did you mean 'x'?" for the closest name, or "" ---- */

/* among type names: aliases from other languages, scalars, enums, models, then `extra` */
const char *sn_rs_suggest(R *r, const char *bad, const char *const *extra);
/* among names[0..n), the suggestion written with `prefix` */
const char *sn_rs_suggest_n(R *r, const char *bad, const char *const *names, size_t n, const char *prefix);
/* among the NULL-terminated attribute names, the suggestion carrying its '@' (prefix) */
const char *sn_rs_suggest_attr(R *r, const char *bad, const char *const *names, const char *prefix);
/* among the NULL-terminated names */
const char *sn_rs_suggest_in(R *r, const char *bad, const char *const *names);

/* ---- resolve_fields.c ---- */

extern const char *const sn_rs_scalar_names[];   /* NULL-terminated */
/* 1 and *t when n names a scalar type */
int sn_rs_scalar_of(const char *n, sinew_type *t);
void sn_rs_scalar_field(R *r, rmodel *m, const ast_field *af, int order, sinew_type t, sinew_enum *e);
void sn_rs_relation_field(R *r, rmodel *m, const ast_field *af, int order, int target);

/* ---- resolve_keys.c (each returns nonzero when the key could not be made) ---- */

int sn_rs_resolve_pk(R *r, int mi);
/* make (or check) the FK fields of a BELONGS_TO */
int sn_rs_ensure_fk(R *r, int mi, int ri);

/* ---- resolve_relations.c ---- */

void sn_rs_mark_key_unique(R *r, size_t declared);
void sn_rs_count_pairs(R *r, size_t declared, int phase);
void sn_rs_decide_to_one(R *r, int mi, int ri);
void sn_rs_decide_list(R *r, int mi, int ri);

/* ---- resolve_m2m.c ---- */

void sn_rs_resolve_m2m(R *r, int mi, int ri);

/* ---- resolve_graph.c, resolve_indexes.c ---- */

int sn_rs_build(R *r, const char *schema_name, sinew_schema **out);
/* the indexes of one built model (fields in output order); SINEW_OK or SINEW_NOMEM */
int sn_rs_build_indexes(R *r, rmodel *rm);
void sn_rs_check_indexes(R *r);

/* ---- resolve_poly.c ---- */

/* a field `name A | B ...`: checks it and adds one optional to-one per target */
void sn_rs_poly_field(R *r, rmodel *m, const ast_field *af, int order);
/* once the keys are made: single-column keys, clashes, and the CHECK that one target is set */
void sn_rs_poly_keys(R *r);
/* on the built graph: each model's sinew_poly list and its relations' `poly`; SINEW_OK or SINEW_NOMEM */
int sn_rs_poly_build(R *r);

/* ---- resolve_checks.c ---- */

void sn_rs_check_names(R *r);

#endif
