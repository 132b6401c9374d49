/*
 * resolve.c - meaning of a parsed schema file: types, keys, relations and
 * their inverses, join tables, indexes; every check of docs/schema.md, each
 * reported with its position; and finally the schema graph.
 *
 * Relations are decided in a fixed order: to-one fields first (a to-one is
 * the side holding the foreign key unless it is the optional inverse of a
 * unique to-one on the other model: has-one), then lists (the inverse of
 * exactly one to-one back, else many-to-many with a list back, or through
 * @through). Implicit foreign-key fields (`author User` -> author_id) take
 * the relation's place among the fields and the type of the target's key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check_limits.h"
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
    int line, col;
} prel;

typedef struct rmodel {
    const ast_model *a;
    const char *name, *table, *c_name, *doc, *renamed_from;
    unsigned flags;
    pfield *f;
    size_t nf, capf;
    prel *r;
    size_t nr, capr;
    const char *pk[MAXK];
    size_t npk;
    int pk_state;             /* 0 todo, 1 in progress, 2 done */
    const ast_attr *id_attr;
    const char *pk_name;      /* @id(name:) / @@id([..], name:) */
    sinew_check *checks;      /* @@check */
    size_t nchecks;
    int line, col;
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

/* what model t holds pointing at model mi, counted once so that deciding every
 * relation stays linear however many relations a model has */
typedef struct pairinfo {
    int unique_to_one, first_unique;   /* declared unique to-ones (has-one candidates) */
    int belongs, first_belongs;        /* to-ones holding the key (after the to-one pass) */
    int plain_lists, first_plain;      /* lists without @through */
    int through_lists, first_through;  /* lists with @through */
} pairinfo;

#define PUSH(a, arr, n, cap) ((arr) = sn_vec_push((a), (arr), &(n), &(cap), sizeof *(arr)))

static void err(R *r, int line, int col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static void err(R *r, int line, int col, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sn_diag_add(r->d, SINEW_DIAG_ERROR, r->file, line, col, "%s", msg);
    r->errors++;
}

/* a warning: the file is accepted, the diagnostic says what the database will do */
static void warn(R *r, int line, int col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static void warn(R *r, int line, int col, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sn_diag_add(r->d, SINEW_DIAG_WARNING, r->file, line, col, "%s", msg);
}

static const char *const scalar_names[] = {"bool", "int32", "int64", "double", "text", "blob", "timestamp",
                                           "date", "uuid", "json", "decimal", NULL};
static const sinew_type scalar_types[] = {SINEW_BOOL, SINEW_INT32, SINEW_INT64, SINEW_DOUBLE, SINEW_TEXT, SINEW_BLOB,
                                          SINEW_TIMESTAMP, SINEW_DATE, SINEW_UUID, SINEW_JSON, SINEW_DECIMAL};

static int scalar_of(const char *n, sinew_type *t)
{
    for (size_t i = 0; scalar_names[i]; i++)
        if (!strcmp(scalar_names[i], n)) {
            *t = scalar_types[i];
            return 1;
        }
    return 0;
}

static sinew_enum *enum_of(R *r, const char *n)
{
    int i = sn_nameidx_get(&r->eidx, n);
    return i >= 0 ? r->enums[i] : NULL;
}

static int model_of(R *r, const char *n) { return sn_nameidx_get(&r->midx, n); }

/* names people reach for from other languages, and the sinew type they mean */
static const char *const alias_from[] = {"string", "str", "varchar", "char", "int", "integer", "long", "bigint",
                                         "float", "real", "boolean", "datetime", "numeric", "bytes", "binary", NULL};
static const char *const alias_to[] = {"text", "text", "text", "text", "int32", "int32", "int64", "int64",
                                       "double", "double", "bool", "timestamp", "decimal", "blob", "blob"};

/* "; did you mean 'x'?" for the closest known name, or "" */
static const char *suggest(R *r, const char *bad, const char *const *extra)
{
    const char *best = NULL;
    size_t bd = 99;
    for (size_t i = 0; alias_from[i]; i++) {
        size_t d = sn_edit_distance(bad, alias_from[i]);
        if (d < bd && d <= (strlen(bad) <= 3 ? 1 : 2)) bd = d, best = alias_to[i];
    }
    if (best && bd == 0) return sn_arena_printf(r->a, "; did you mean '%s'?", best);
    for (size_t i = 0; scalar_names[i]; i++) {
        size_t d = sn_edit_distance(bad, scalar_names[i]);
        if (d < bd) bd = d, best = scalar_names[i];
    }
    for (size_t i = 0; i < r->ne; i++) {
        size_t d = sn_edit_distance(bad, r->enums[i]->name);
        if (d < bd) bd = d, best = r->enums[i]->name;
    }
    for (size_t i = 0; i < r->nm; i++) {
        if (!r->m[i].a) continue;
        size_t d = sn_edit_distance(bad, r->m[i].name);
        if (d < bd) bd = d, best = r->m[i].name;
    }
    for (size_t i = 0; extra && extra[i]; i++) {
        size_t d = sn_edit_distance(bad, extra[i]);
        if (d < bd) bd = d, best = extra[i];
    }
    size_t lim = strlen(bad) <= 4 ? 1 : 2;
    if (!best || bd > lim) return "";
    return sn_arena_printf(r->a, "; did you mean '%s'?", best);
}

static const char *suggest_n(R *r, const char *bad, const char *const *names, size_t n, const char *prefix)
{
    const char *best = NULL;
    size_t bd = 99;
    for (size_t i = 0; i < n; i++) {
        size_t d = sn_edit_distance(bad, names[i]);
        if (d < bd) bd = d, best = names[i];
    }
    if (!best || bd > 2) return "";
    return sn_arena_printf(r->a, "; did you mean '%s%s'?", prefix, best);
}

static size_t count_names(const char *const *names)
{
    size_t n = 0;
    while (names[n]) n++;
    return n;
}

/* for NULL-terminated lists of attribute names: the suggestion carries its '@' */
static const char *suggest_attr(R *r, const char *bad, const char *const *names, const char *prefix)
{
    return suggest_n(r, bad, names, count_names(names), prefix);
}

static const char *suggest_in(R *r, const char *bad, const char *const *names)
{
    const char *best = NULL;
    size_t bd = 99;
    for (size_t i = 0; names[i]; i++) {
        size_t d = sn_edit_distance(bad, names[i]);
        if (d < bd) bd = d, best = names[i];
    }
    if (!best || bd > 2) return "";
    return sn_arena_printf(r->a, "; did you mean '%s'?", best);
}

/*
 * Names reach SQL, migration comments, generated C and diagrams: a control
 * character (a newline above all) in one could end a comment there. Refuse
 * it at the string that brought it, naming the byte and where it is.
 */
static int control_free(R *r, const ast_arg *v, const char *attr)
{
    const unsigned char *t = (const unsigned char *)v->text;
    for (size_t i = 0; t && t[i]; i++)
        if (t[i] < 0x20 || t[i] == 0x7f) {
            char shown[80];
            size_t k = 0;
            for (size_t j = 0; t[j] && k + 5 < sizeof shown; j++)
                k += (size_t)snprintf(shown + k, sizeof shown - k, t[j] < 0x20 || t[j] == 0x7f ? "\\x%02x" : "%c", t[j]);
            err(r, v->line, v->col, "%s(\"%s\"): the name holds the control character 0x%02x (byte %zu); names "
                "cannot contain control characters: remove it", attr, shown, t[i], i + 1);
            return 0;
        }
    return 1;
}

static int need_args(R *r, const ast_attr *a, size_t n, const char *example)
{
    if (a->nargs == n) return 1;
    err(r, a->line, a->col, "@%s takes %zu argument%s: %s", a->name, n, n == 1 ? "" : "s", example);
    return 0;
}

static pfield *find_field(rmodel *m, const char *name)
{
    int i = sn_nameidx_get(&m->fidx, name);
    return i >= 0 ? &m->f[i] : NULL;
}

static prel *find_rel(rmodel *m, const char *name)
{
    int i = sn_nameidx_get(&m->ridx, name);
    return i >= 0 ? &m->r[i] : NULL;
}

/* append a field or relation, indexing its name */
static void push_field(R *r, rmodel *m, const pfield *pf)
{
    PUSH(r->a, m->f, m->nf, m->capf);
    if (!m->f) return;
    m->f[m->nf - 1] = *pf;
    sn_nameidx_add(&m->fidx, r->a, pf->f.name, (int)m->nf - 1);
}

static void push_rel(R *r, rmodel *m, const prel *p)
{
    PUSH(r->a, m->r, m->nr, m->capr);
    if (!m->r) return;
    m->r[m->nr - 1] = *p;
    sn_nameidx_add(&m->ridx, r->a, p->name, (int)m->nr - 1);
}

static sinew_fk_action action(R *r, const ast_attr *a)
{
    static const char *const names[] = {"no_action", "restrict", "cascade", "set_null", "set_default", NULL};
    if (!need_args(r, a, 1, "cascade, set_null, restrict or no_action")) return SINEW_FK_NO_ACTION;
    const char *v = a->args[0].text;
    for (int i = 0; names[i]; i++)
        if (v && !strcmp(v, names[i])) return (sinew_fk_action)i;
    err(r, a->args[0].line, a->args[0].col, "@%s(%s): expected cascade, set_null, restrict, set_default or no_action%s",
        a->name, v ? v : "?", v ? suggest_in(r, v, names) : "");
    return SINEW_FK_NO_ACTION;
}

/* ---- defaults ---- */

static void set_default(R *r, pfield *pf, const ast_attr *a)
{
    if (!need_args(r, a, 1, "@default(value), @default(now) or @default(uuid)")) return;
    const ast_arg *v = &a->args[0];
    sinew_field *f = &pf->f;
    const char *tn = f->enum_type ? f->enum_type->name : sinew_type_name(f->type);
    if (v->kind == ARG_IDENT && !strcmp(v->text, "now")) {
        if (f->type != SINEW_TIMESTAMP && f->type != SINEW_DATE)
            err(r, v->line, v->col, "@default(now) needs a timestamp or date field; '%s' is %s", f->name, tn);
        f->def.kind = SINEW_DEFAULT_NOW;
        return;
    }
    if (v->kind == ARG_IDENT && !strcmp(v->text, "uuid")) {
        if (f->type != SINEW_UUID && f->type != SINEW_TEXT)
            err(r, v->line, v->col, "@default(uuid) needs a uuid or text field; '%s' is %s", f->name, tn);
        f->def.kind = SINEW_DEFAULT_UUID;
        return;
    }
    int ok = 0;
    const char *text = v->text;
    switch (f->type) {
    case SINEW_BOOL: ok = v->kind == ARG_IDENT && (!strcmp(text, "true") || !strcmp(text, "false")); break;
    case SINEW_INT32: case SINEW_INT64: {
        if (v->kind != ARG_NUMBER || strpbrk(text, ".eE")) break;
        long long n = strtoll(text, NULL, 10);
        ok = f->type == SINEW_INT64 || (n >= INT32_MIN && n <= INT32_MAX);
        break;
    }
    case SINEW_DOUBLE: ok = v->kind == ARG_NUMBER; break;
    case SINEW_DECIMAL: ok = v->kind == ARG_NUMBER; break;
    case SINEW_TEXT: case SINEW_JSON: ok = v->kind == ARG_STRING; break;
    case SINEW_ENUM:
        if (v->kind == ARG_IDENT && f->enum_type)
            for (size_t i = 0; i < f->enum_type->nvalues; i++) ok |= !strcmp(f->enum_type->values[i], text);
        if (!ok && v->kind == ARG_IDENT) {
            err(r, v->line, v->col, "@default(%s): '%s' is not a value of enum %s%s", text, text, tn,
                suggest_n(r, text, f->enum_type->values, f->enum_type->nvalues, ""));
            return;
        }
        break;
    case SINEW_TIMESTAMP: {
        int64_t t;
        ok = v->kind == ARG_STRING && sinew_timestamp_parse(&t, text, strlen(text)) == SINEW_OK;
        break;
    }
    case SINEW_DATE: {
        int32_t dd;
        ok = v->kind == ARG_STRING && sinew_date_parse(&dd, text, strlen(text)) == SINEW_OK;
        break;
    }
    case SINEW_UUID: {
        sinew_uuid u;
        ok = v->kind == ARG_STRING && sinew_uuid_parse(&u, text, strlen(text)) == SINEW_OK;
        break;
    }
    case SINEW_BLOB: break;
    }
    if (!ok) {
        err(r, v->line, v->col, "@default(%s%s%s) does not fit %s field '%s'", v->kind == ARG_STRING ? "\"" : "",
            text ? text : "", v->kind == ARG_STRING ? "\"" : "", tn, f->name);
        return;
    }
    f->def.kind = SINEW_DEFAULT_VALUE;
    f->def.value = v->kind == ARG_STRING ? sn_arena_printf(r->a, "\"%s\"", text) : text;
}

/* ---- fields and relations from the syntax tree ---- */

static const char *const field_attrs[] = {"id", "auto", "unique", "index", "default", "map", "check", "version", "db_type",
                                          "renamed_from", "length", "range", "pattern", "generated", NULL};
static const char *const rel_attrs[] = {"on_delete", "on_update", "fk", "inverse", "through", "map", "unique",
                                        "index", "relation", "no_index", "references", NULL};
static const char *const model_attrs[] = {"map", "id", "unique", "index", "renamed_from", "readonly", "check", "view", NULL};

/* a `name: "..."` argument naming an SQL constraint; 0 (and an error) when it is malformed */
static int constraint_name_arg(R *r, const ast_arg *v, const char *attr, const char *example)
{
    if (!v->label || strcmp(v->label, "name") || v->kind != ARG_STRING || !v->text[0]) {
        err(r, v->line, v->col, "%s takes the constraint's SQL name as name: \"...\": %s", attr, example);
        return 0;
    }
    return control_free(r, v, attr);
}

static int in_list(const char *s, const char *const *l)
{
    for (size_t i = 0; l[i]; i++)
        if (!strcmp(l[i], s)) return 1;
    return 0;
}

static void scalar_field(R *r, rmodel *m, const ast_field *af, int order, sinew_type t, sinew_enum *e)
{
    pfield pf;
    memset(&pf, 0, sizeof pf);
    pf.implicit_of = -1;
    pf.order = order;
    sinew_field *f = &pf.f;
    f->name = af->name;
    f->column = af->name;
    f->type = t;
    f->enum_type = e;
    f->doc = af->doc;
    f->offset = SINEW_NO_OFFSET;
    f->has_offset = SINEW_NO_OFFSET;
    f->loc.line = af->line;
    f->loc.col = af->col;
    if (af->optional) f->flags |= SINEW_FIELD_NULLABLE;
    if (af->list) {
        err(r, af->type_line, af->type_col, "'%s[]': lists are for relations; a list of %s values is not a column "
            "type (use json, or a related model)", af->type, af->type);
        return;
    }
    const ast_attr *def = NULL;
    for (size_t i = 0; i < af->nattrs; i++) {
        const ast_attr *a = &af->attrs[i];
        const char *n = a->name;
        if (!in_list(n, field_attrs)) {
            if (in_list(n, rel_attrs))
                err(r, a->line, a->col, "@%s is for relation fields; '%s' is a %s column", n, af->name, af->type);
            else
                err(r, a->line, a->col, "unknown attribute '@%s'%s", n, suggest_attr(r, n, field_attrs, "@"));
            continue;
        }
        if (!strcmp(n, "id")) {
            f->flags |= SINEW_FIELD_PK;
            /* @id(name: "pk_x"): the primary key's constraint name */
            if (a->nargs == 1 && constraint_name_arg(r, &a->args[0], "@id", "@id(name: \"pk_users\")")) {
                if (m->pk_name)
                    err(r, a->line, a->col, "the key of %s is named twice: name a key of several fields once, "
                        "with @@id([a, b], name: \"...\")", m->name);
                m->pk_name = a->args[0].text;
            }
        }
        else if (!strcmp(n, "auto")) f->flags |= SINEW_FIELD_AUTO;
        else if (!strcmp(n, "unique")) f->flags |= SINEW_FIELD_UNIQUE;
        else if (!strcmp(n, "index")) f->flags |= SINEW_FIELD_INDEX;
        else if (!strcmp(n, "version")) f->flags |= SINEW_FIELD_VERSION;
        else if (!strcmp(n, "default")) def = a;
        else if (!strcmp(n, "generated")) {
            /* @generated("price * qty") / @generated("...", virtual): computed by the database, never written */
            int virt = a->nargs == 2 && a->args[1].kind == ARG_IDENT && !a->args[1].label && !strcmp(a->args[1].text, "virtual");
            int stored = a->nargs == 2 && a->args[1].kind == ARG_IDENT && !a->args[1].label && !strcmp(a->args[1].text, "stored");
            if (a->nargs < 1 || a->nargs > 2 || a->args[0].kind != ARG_STRING || a->args[0].label || !a->args[0].text[0] ||
                (a->nargs == 2 && !virt && !stored)) {
                err(r, a->line, a->col, "@generated needs the SQL expression as a string and, optionally, stored "
                    "(the default) or virtual: @generated(\"price * qty\")");
                continue;
            }
            f->generated = a->args[0].text;
            f->flags |= SINEW_FIELD_GENERATED | SINEW_FIELD_READONLY | (virt ? SINEW_FIELD_VIRTUAL : 0u);
        }
        else if (!strcmp(n, "db_type")) {
            /* the declared SQL type (what `db pull` read), kept so that DDL and drift use it */
            if (a->nargs != 1 || a->args[0].kind != ARG_STRING || !a->args[0].text[0]) {
                err(r, a->line, a->col, "@db_type needs the column's SQL type as one string: @db_type(\"NUMERIC(5,2)\")");
                continue;
            }
            if (!control_free(r, &a->args[0], "@db_type")) continue;
            f->db_type = a->args[0].text;
            f->flags |= SINEW_FIELD_DB_TYPE;
        }
        else if (!strcmp(n, "map") || !strcmp(n, "check") || !strcmp(n, "pattern")) {
            if (a->nargs != 1 || a->args[0].kind != ARG_STRING) {
                err(r, a->line, a->col, "@%s needs one string: @%s(\"%s\")", n, n,
                    !strcmp(n, "map") ? "column" : !strcmp(n, "check") ? "expression" : "regex");
                continue;
            }
            if (!strcmp(n, "map")) {
                if (control_free(r, &a->args[0], "@map")) f->column = a->args[0].text;
            }
            else if (!strcmp(n, "check")) f->check = a->args[0].text;
            else {
                if (!pf.rules) {
                    pf.rules = sn_arena_calloc(r->a, sizeof *pf.rules);
                    if (!pf.rules) return;
                    pf.rules->min_len = pf.rules->max_len = -1;
                }
                pf.rules->pattern = a->args[0].text;
            }
        } else if (!strcmp(n, "renamed_from")) {
            if (a->nargs != 1 || (a->args[0].kind != ARG_IDENT && a->args[0].kind != ARG_STRING)) {
                err(r, a->line, a->col, "@renamed_from needs the old field name: @renamed_from(old_name)");
                continue;
            }
            if (control_free(r, &a->args[0], "@renamed_from")) f->renamed_from = a->args[0].text;
        } else if (!strcmp(n, "length") || !strcmp(n, "range")) {
            int ok = a->nargs == 2 && a->args[0].kind == ARG_NUMBER && a->args[1].kind == ARG_NUMBER;
            if (!ok) {
                err(r, a->line, a->col, "@%s needs two numbers: @%s(min, max)", n, n);
                continue;
            }
            if (!pf.rules) {
                pf.rules = sn_arena_calloc(r->a, sizeof *pf.rules);
                if (!pf.rules) return;
                pf.rules->min_len = pf.rules->max_len = -1;
            }
            double lo = strtod(a->args[0].text, NULL), hi = strtod(a->args[1].text, NULL);
            if (lo > hi) err(r, a->line, a->col, "@%s(%s, %s): the minimum is above the maximum", n, a->args[0].text, a->args[1].text);
            if (!strcmp(n, "length")) {
                if (t != SINEW_TEXT) err(r, a->line, a->col, "@length is for text fields; '%s' is %s", af->name, af->type);
                /* lengths are whole numbers a C int64 holds (and no text is longer than 2^31 bytes) */
                if (!(lo >= 0 && lo <= 2147483647.0 && hi >= 0 && hi <= 2147483647.0) ||
                    lo != (double)(int64_t)lo || hi != (double)(int64_t)hi) {
                    err(r, a->line, a->col, "@length(%s, %s): lengths are whole numbers from 0 to 2147483647", a->args[0].text,
                        a->args[1].text);
                    continue;
                }
                pf.rules->min_len = (int64_t)lo;
                pf.rules->max_len = (int64_t)hi;
            } else {
                if (t != SINEW_INT32 && t != SINEW_INT64 && t != SINEW_DOUBLE)
                    err(r, a->line, a->col, "@range is for number fields; '%s' is %s", af->name, af->type);
                pf.rules->has_min = pf.rules->has_max = 1;
                pf.rules->min = lo;
                pf.rules->max = hi;
            }
        }
        if (a->has_parens && a->nargs > !strcmp(n, "id") && (!strcmp(n, "id") || !strcmp(n, "auto") || !strcmp(n, "unique") ||
                                          !strcmp(n, "index") || !strcmp(n, "version")))
            err(r, a->line, a->col, "@%s takes no arguments", n);
    }
    if ((f->flags & SINEW_FIELD_AUTO) && (!(f->flags & SINEW_FIELD_PK) || (t != SINEW_INT32 && t != SINEW_INT64)))
        err(r, af->line, af->col, "@auto needs an integer @id field (int32 or int64); '%s' is %s%s", af->name, af->type,
            (f->flags & SINEW_FIELD_PK) ? "" : " and not @id");
    if ((f->flags & SINEW_FIELD_VERSION) && t != SINEW_INT32 && t != SINEW_INT64)
        err(r, af->line, af->col, "@version needs an int32 or int64 field; '%s' is %s", af->name, af->type);
    if ((f->flags & SINEW_FIELD_PK) && (f->flags & SINEW_FIELD_NULLABLE))
        err(r, af->line, af->col, "the key field '%s' cannot be optional: drop the '?'", af->name);
    if (def) set_default(r, &pf, def);
    if (pf.rules) f->rules = pf.rules;
    if ((f->flags & SINEW_FIELD_GENERATED) && ((f->flags & (SINEW_FIELD_PK | SINEW_FIELD_AUTO | SINEW_FIELD_VERSION)) || def))
        err(r, af->line, af->col, "'%s' is @generated: the database computes it, so it cannot also be %s", af->name,
            def ? "@default" : (f->flags & SINEW_FIELD_VERSION) ? "@version" : "a key (@id, @auto)");
    push_field(r, m, &pf);
}

static void relation_field(R *r, rmodel *m, const ast_field *af, int order, int target)
{
    prel p;
    memset(&p, 0, sizeof p);
    p.a = af;
    p.name = af->name;
    p.target = target;
    p.optional = af->optional;
    p.order = order;
    p.inverse = -1;
    p.through_model = -1;
    p.doc = af->doc;
    p.line = af->line;
    p.col = af->col;
    if (af->list && af->optional)
        err(r, af->type_line, af->type_col, "'%s[]?': a list is never NULL, only empty; drop the '?'", af->type);
    for (size_t i = 0; i < af->nattrs; i++) {
        const ast_attr *a = &af->attrs[i];
        const char *n = a->name;
        if (!in_list(n, rel_attrs)) {
            if (in_list(n, field_attrs))
                err(r, a->line, a->col, "@%s is for column fields; '%s' is a relation to %s", n, af->name, af->type);
            else
                err(r, a->line, a->col, "unknown attribute '@%s'%s", n, suggest_attr(r, n, rel_attrs, "@"));
            continue;
        }
        if (!strcmp(n, "on_delete")) p.on_delete = action(r, a);
        else if (!strcmp(n, "on_update")) p.on_update = action(r, a);
        else if (!strcmp(n, "unique")) p.unique = 1;
        else if (!strcmp(n, "index")) p.indexed = 1;
        else if (!strcmp(n, "no_index")) p.no_index = 1;
        else if (!strcmp(n, "map")) {
            if (a->nargs != 1 || a->args[0].kind != ARG_STRING) err(r, a->line, a->col, "@map needs one string: @map(\"column\")");
            else if (control_free(r, &a->args[0], "@map")) p.map = a->args[0].text;
        } else if (!strcmp(n, "fk")) {
            size_t na = a->nargs;
            /* a last `name: "fk_x"`: the foreign key's constraint name */
            if (na > 1 && a->args[na - 1].label) {
                if (constraint_name_arg(r, &a->args[na - 1], "@fk", "@fk(author_id, name: \"fk_post_author\")"))
                    p.fk_name = a->args[na - 1].text;
                na--;
            }
            if (na == 1 && a->args[0].kind == ARG_LIST) {
                for (size_t k = 0; k < a->args[0].nitems && k < MAXK; k++) p.fk[p.nfk++] = a->args[0].items[k];
            } else {
                for (size_t k = 0; k < na && k < MAXK; k++) {
                    if (a->args[k].kind != ARG_IDENT || a->args[k].label) {
                        err(r, a->args[k].line, a->args[k].col, "@fk names fields of this model: @fk(author_id)");
                        break;
                    }
                    p.fk[p.nfk++] = a->args[k].text;
                }
            }
            if (!p.nfk) err(r, a->line, a->col, "@fk needs the foreign-key field(s): @fk(author_id)");
            p.explicit_fk = 1;
        } else if (!strcmp(n, "references")) {
            if (a->nargs == 1 && a->args[0].kind == ARG_LIST) {
                for (size_t k = 0; k < a->args[0].nitems && k < MAXK; k++) p.ref[p.nref++] = a->args[0].items[k];
            } else {
                for (size_t k = 0; k < a->nargs && k < MAXK; k++) {
                    if (a->args[k].kind != ARG_IDENT) {
                        err(r, a->args[k].line, a->args[k].col, "@references names fields of %s: @references([a, b])", af->type);
                        break;
                    }
                    p.ref[p.nref++] = a->args[k].text;
                }
            }
            if (!p.nref) err(r, a->line, a->col, "@references needs the referenced field(s) of %s: @references([a, b])", af->type);
        } else if (!strcmp(n, "inverse") || !strcmp(n, "relation")) {
            if (a->nargs != 1 || a->args[0].kind != ARG_IDENT) err(r, a->line, a->col, "@%s names a field of %s: @%s(author)", n, af->type, n);
            else p.inverse_hint = a->args[0].text;
        } else if (!strcmp(n, "through")) {
            if (a->nargs != 1 || (a->args[0].kind != ARG_IDENT && a->args[0].kind != ARG_STRING))
                err(r, a->line, a->col, "@through names the join table: @through(post_tags)");
            else if (control_free(r, &a->args[0], "@through")) p.through = a->args[0].text;
        }
    }
    if (p.no_index && (af->list || p.indexed))
        err(r, af->line, af->col, "@no_index is for to-one relations without @index: it keeps sinew from indexing "
            "the foreign key of '%s'", af->name);
    if (p.nref && !p.explicit_fk && !af->list)
        err(r, af->line, af->col, "@references on '%s' needs the foreign-key fields too: @fk(...) @references(...)", af->name);
    if (!af->list && p.through)
        err(r, af->line, af->col, "@through is for many-to-many lists; '%s' is a to-one relation (write %s[])", af->name, af->type);
    if (af->list && (p.explicit_fk || p.on_delete || p.map || p.nref))
        err(r, af->line, af->col, "'%s' is a list: the foreign key and its @fk/@references/@on_delete/@map belong on the to-one "
            "field of %s that points back", af->name, af->type);
    push_rel(r, m, &p);
}

/* ---- keys and implicit foreign-key fields ---- */

static int resolve_pk(R *r, int mi);

static int check_references(R *r, const prel *p, rmodel *t);

/* make (or check) the FK fields of a BELONGS_TO */
static int ensure_fk(R *r, int mi, int ri)
{
    rmodel *m = &r->m[mi];
    prel *p = &m->r[ri];
    if (p->fk_done) return 0;
    p->fk_done = 1;
    int no_key = resolve_pk(r, p->target);   /* once resolved, a keyless @@readonly model says 0 */
    m = &r->m[mi];
    p = &m->r[ri];
    rmodel *t = &r->m[p->target];
    if (!t->npk && (t->flags & SINEW_MODEL_READONLY) && !p->nref) {
        err(r, p->line, p->col, "'%s' points to %s, which has no primary key (@@readonly): name the unique "
            "fields it refers to with @references([...])", p->name, t->name);
        return 1;
    }
    if ((no_key || !t->npk) && !p->nref) return 1;
    if (p->nref && check_references(r, p, t)) return 1;
    size_t tkeys = p->nref ? p->nref : t->npk;
    if ((p->unique || p->indexed) && tkeys > 1) {
        /* the field attribute would apply to each column alone: say the pair */
        err(r, p->line, p->col, "@%s on '%s' would cover one column, but %s's key has %zu; write @@%s([%s]) in %s instead",
            p->unique ? "unique" : "index", p->name, t->name, tkeys, p->unique ? "unique" : "index", p->name, m->name);
        return 1;
    }
    if (p->explicit_fk) {
        if (p->nfk != tkeys) {
            if (p->nref)
                err(r, p->line, p->col, "@fk of '%s' names %zu field(s) but its @references names %zu", p->name, p->nfk,
                    p->nref);
            else
                err(r, p->line, p->col, "@fk of '%s' names %zu field(s) but %s's key has %zu; a foreign key to another "
                    "unique key of %s names it with @references([...])", p->name, p->nfk, t->name, t->npk, t->name);
            return 1;
        }
        for (size_t k = 0; k < p->nfk; k++) {
            pfield *f = find_field(m, p->fk[k]);
            pfield *tf = find_field(t, p->nref ? p->ref[k] : t->pk[k]);
            if (!f) {
                if (!m->broken) err(r, p->line, p->col, "@fk(%s): %s has no field '%s'", p->fk[k], m->name, p->fk[k]);
                return 1;
            }
            /* integers of another width are the database's business (PostgreSQL compares an int
             * column with a bigint key): values travel as int64 either way */
            int int_widths = (f->f.type == SINEW_INT32 || f->f.type == SINEW_INT64) &&
                             tf && (tf->f.type == SINEW_INT32 || tf->f.type == SINEW_INT64);
            if (tf && f->f.type != tf->f.type && !int_widths)
                err(r, f->f.loc.line, f->f.loc.col, "'%s' is %s but it refers to %s.%s, which is %s", f->f.name,
                    sinew_type_name(f->f.type), t->name, tf->f.name, sinew_type_name(tf->f.type));
            f->f.flags |= SINEW_FIELD_FK;
            if (p->unique && p->nfk == 1) f->f.flags |= SINEW_FIELD_UNIQUE;
            if (p->optional) f->f.flags |= SINEW_FIELD_NULLABLE;
            else if (f->f.flags & SINEW_FIELD_NULLABLE) p->optional = 1;
        }
        return 0;
    }
    for (size_t k = 0; k < t->npk; k++) {
        pfield *tf = find_field(t, t->pk[k]);
        if (!tf) return 1;
        const char *fname = sn_arena_printf(r->a, "%s_%s", p->name, tf->f.name);
        if (find_field(m, fname)) {
            err(r, p->line, p->col, "relation '%s' makes the field '%s', but %s already has a field of that name: "
                "write @fk(%s) to use it", p->name, fname, m->name, fname);
            return 1;
        }
        pfield pf;
        memset(&pf, 0, sizeof pf);
        pf.implicit_of = ri;
        pf.order = p->order;
        pf.f.name = fname;
        pf.f.column = (p->map && t->npk == 1) ? p->map : fname;
        pf.f.type = tf->f.type;
        pf.f.enum_type = tf->f.enum_type;
        pf.f.flags = SINEW_FIELD_FK | SINEW_FIELD_IMPLICIT | (p->optional ? SINEW_FIELD_NULLABLE : 0) |
                     (p->unique && t->npk == 1 ? SINEW_FIELD_UNIQUE : 0) | (p->indexed ? SINEW_FIELD_INDEX : 0);
        pf.f.offset = SINEW_NO_OFFSET;
        pf.f.has_offset = SINEW_NO_OFFSET;
        pf.f.loc.line = p->line;
        pf.f.loc.col = p->col;
        push_field(r, m, &pf);
        if (!m->f) return 1;
        p = &m->r[ri];
        p->fk[p->nfk++] = fname;
    }
    return 0;
}

static int resolve_pk(R *r, int mi)
{
    rmodel *m = &r->m[mi];
    if (m->pk_state == 2) return 0;
    if (m->pk_state == 1) {
        err(r, m->line, m->col, "the key of %s depends on itself through relations; give one model its own @id", m->name);
        return 1;
    }
    m->pk_state = 1;
    if (m->id_attr) {
        const ast_attr *a = m->id_attr;
        if (a->nargs == 2 && a->args[0].kind == ARG_LIST &&
            constraint_name_arg(r, &a->args[1], "@@id", "@@id([a, b], name: \"pk_x\")")) {
            if (m->pk_name) err(r, a->line, a->col, "the key of %s is named twice (@id(name:) and @@id(name:))", m->name);
            m->pk_name = a->args[1].text;
        }
        if ((a->nargs != 1 && a->nargs != 2) || a->args[0].kind != ARG_LIST || !a->args[0].nitems) {
            err(r, a->line, a->col, "@@id needs a list of fields: @@id([a, b])");
        } else {
            for (size_t i = 0; i < a->args[0].nitems; i++) {
                const char *n = a->args[0].items[i];
                pfield *f = find_field(m, n);
                prel *p = find_rel(m, n);
                if (f) {
                    f->f.flags |= SINEW_FIELD_PK;
                    if (m->npk < MAXK) m->pk[m->npk++] = f->f.name;
                } else if (p && p->kind == SINEW_BELONGS_TO) {
                    if (ensure_fk(r, mi, (int)(p - m->r))) {
                        m->pk_state = 2;
                        return 1;
                    }
                    m = &r->m[mi];
                    p = find_rel(m, n);
                    for (size_t k = 0; k < p->nfk && m->npk < MAXK; k++) {
                        pfield *ff = find_field(m, p->fk[k]);
                        if (ff) ff->f.flags |= SINEW_FIELD_PK;
                        m->pk[m->npk++] = p->fk[k];
                    }
                } else if (!m->broken) {
                    err(r, a->line, a->col, "@@id names '%s', which is not a field or to-one relation of %s", n, m->name);
                }
            }
        }
    } else {
        for (size_t i = 0; i < m->nf; i++)
            if ((m->f[i].f.flags & SINEW_FIELD_PK) && m->npk < MAXK) m->pk[m->npk++] = m->f[i].f.name;
    }
    m->pk_state = 2;
    if (!m->npk) {
        if (m->flags & SINEW_MODEL_READONLY) return 1;   /* read, never written: a key is not needed */
        if (!m->broken)   /* else the key may be the field of unknown type, reported already */
            err(r, m->line, m->col, "model %s has no primary key: mark a field @id (e.g. `id int64 @id @auto`) or add @@id([...]); "
                "a table without one is @@readonly", m->name);
        return 1;
    }
    /* a generated key is one column: SQLite's AUTOINCREMENT and an identity
     * column each stand alone (and the printer writes a composite key as @@id) */
    if (m->npk > 1)
        for (size_t i = 0; i < m->nf; i++)
            if ((m->f[i].f.flags & SINEW_FIELD_AUTO) && (m->f[i].f.flags & SINEW_FIELD_PK))
                err(r, m->f[i].f.loc.line, m->f[i].f.loc.col,
                    "@auto needs a key of one field, but %s's key has %zu; drop @auto or give %s a single @id",
                    m->name, m->npk, m->name);
    return 0;
}

/* ---- relation kinds and inverses ---- */

static int points_back(const prel *p, int mi) { return p->target == mi; }

static pairinfo *pair(R *r, int t, int mi)
{
    char k[48];
    snprintf(k, sizeof k, "%d>%d", t, mi);
    int i = sn_nameidx_get(&r->pairs, k);
    if (i >= 0) return &r->pinfo[i];
    PUSH(r->a, r->pinfo, r->npinfo, r->cappinfo);
    if (!r->pinfo) return NULL;
    pairinfo *x = &r->pinfo[r->npinfo - 1];
    memset(x, 0, sizeof *x);
    x->first_unique = x->first_belongs = x->first_plain = x->first_through = -1;
    sn_nameidx_add(&r->pairs, r->a, sn_arena_strdup(r->a, k), (int)r->npinfo - 1);
    return x;
}

/* the names of a list attribute argument, or NULL */
static const ast_arg *list_arg(const ast_attr *a)
{
    return a->nargs == 1 && a->args[0].kind == ARG_LIST ? &a->args[0] : NULL;
}

static int same_names(const char *const *a, size_t na, const char *const *b, size_t nb)
{
    if (na != nb) return 0;
    for (size_t i = 0; i < na; i++) {
        size_t j = 0;
        while (j < nb && strcmp(a[i], b[j])) j++;
        if (j == nb) return 0;
    }
    return 1;
}

/*
 * A to-one whose @fk fields are, as a set, the model's own key or a unique
 * key of it (`film_id int @id` + `film Film @fk(film_id)`: an extension
 * table) holds at most one row per target: it is one-to-one, and the optional
 * to-one back on the target is its has-one side. Decided from the syntax
 * alone, before any relation kind is.
 */
static void mark_key_unique(R *r, size_t declared)
{
    for (size_t mi = 0; mi < declared; mi++) {
        rmodel *m = &r->m[mi];
        for (size_t ri = 0; ri < m->nr; ri++) {
            prel *p = &m->r[ri];
            if (!p->a || p->a->list || !p->explicit_fk || p->unique || !p->nfk) continue;
            const char *key[MAXK];
            size_t nk = 0;
            if (m->id_attr) {
                const ast_arg *l = list_arg(m->id_attr);
                for (size_t i = 0; l && i < l->nitems && nk < MAXK; i++) key[nk++] = l->items[i];
            } else {
                for (size_t i = 0; i < m->nf && nk < MAXK; i++)
                    if (m->f[i].f.flags & SINEW_FIELD_PK) key[nk++] = m->f[i].f.name;
            }
            int one = same_names(p->fk, p->nfk, key, nk);
            if (!one && p->nfk == 1) {
                const pfield *f = find_field(m, p->fk[0]);
                one = f && (f->f.flags & SINEW_FIELD_UNIQUE);
            }
            for (size_t i = 0; !one && m->a && i < m->a->nattrs; i++) {
                const ast_attr *at = &m->a->attrs[i];
                const ast_arg *l = list_arg(at);
                if (strcmp(at->name, "unique") || !l) continue;
                one = same_names(p->fk, p->nfk, l->items, l->nitems);
            }
            p->key_unique = one;
        }
    }
}

/*
 * @references([a, b]): the fields of t a foreign key refers to, when they are
 * not its primary key (a FOREIGN KEY ... REFERENCES t (a, b) to a UNIQUE
 * constraint). They must exist and be unique together: the key, a @unique
 * field, or an @@unique of exactly those fields.
 */
static int check_references(R *r, const prel *p, rmodel *t)
{
    for (size_t k = 0; k < p->nref; k++)
        if (!find_field(t, p->ref[k])) {
            if (!t->broken) err(r, p->line, p->col, "@references(%s): %s has no field '%s'", p->ref[k], t->name, p->ref[k]);
            return 1;
        }
    int ok = same_names(p->ref, p->nref, t->pk, t->npk);
    if (!ok && p->nref == 1) ok = (find_field(t, p->ref[0])->f.flags & SINEW_FIELD_UNIQUE) != 0;
    for (size_t i = 0; !ok && t->a && i < t->a->nattrs; i++) {
        const ast_attr *at = &t->a->attrs[i];
        const ast_arg *l = list_arg(at);
        if (!strcmp(at->name, "unique") && l) ok = same_names(p->ref, p->nref, l->items, l->nitems);
    }
    if (!ok) {
        char names[256] = "";
        for (size_t k = 0, l = 0; k < p->nref && l + 1 < sizeof names; k++)
            l += (size_t)snprintf(names + l, sizeof names - l, "%s%s", k ? ", " : "", p->ref[k]);
        err(r, p->line, p->col, "@references([%s]) of '%s': a foreign key refers to a unique key, and %s has none on "
            "exactly these fields; add @@unique([%s]) to %s", names, p->name, t->name, names, t->name);
        return 1;
    }
    return 0;
}

/* phase 0 (before the to-one pass) counts unique to-ones; phase 1 (after it) the rest */
static void count_pairs(R *r, size_t declared, int phase)
{
    for (size_t ti = 0; ti < declared; ti++)
        for (size_t i = 0; i < r->m[ti].nr; i++) {
            const prel *q = &r->m[ti].r[i];
            if (!q->a) continue;
            pairinfo *x = pair(r, (int)ti, q->target);
            if (!x) return;
            if (phase == 0) {
                if (!q->a->list && (q->unique || q->key_unique) && x->unique_to_one++ == 0) x->first_unique = (int)i;
                continue;
            }
            if (q->kind == SINEW_BELONGS_TO && x->belongs++ == 0) x->first_belongs = (int)i;
            if (q->a->list && !q->through && x->plain_lists++ == 0) x->first_plain = (int)i;
            if (q->a->list && q->through && x->through_lists++ == 0) x->first_through = (int)i;
        }
}

static void decide_to_one(R *r, int mi, int ri)
{
    rmodel *m = &r->m[mi];
    prel *p = &m->r[ri];
    p->kind = SINEW_BELONGS_TO;
    p->decided = 1;
    if (p->explicit_fk || p->on_delete || p->on_update || p->unique || p->map || !p->optional) return;
    /* the optional inverse of a unique to-one on the target: has-one */
    rmodel *t = &r->m[p->target];
    int found = -1, count = 0;
    if (p->inverse_hint) {
        const prel *q = find_rel(t, p->inverse_hint);
        if (q && q != p && q->a && !q->a->list && points_back(q, mi) && (q->unique || q->key_unique))
            found = (int)(q - t->r), count = 1;
    } else {
        const pairinfo *x = pair(r, p->target, mi);
        if (x) found = x->first_unique, count = x->unique_to_one;
    }
    if (count == 1) {
        p->kind = SINEW_HAS_ONE;
        p->inverse = found;
    }
}

static void decide_list(R *r, int mi, int ri)
{
    rmodel *m = &r->m[mi];
    prel *p = &m->r[ri];
    p->decided = 1;
    rmodel *t = &r->m[p->target];
    if (p->through) {
        p->kind = SINEW_MANY_TO_MANY;
        return;
    }
    int found = -1, count = 0;
    const pairinfo *x = pair(r, p->target, mi);
    if (!x) return;
    if (p->inverse_hint) {
        const prel *q = find_rel(t, p->inverse_hint);
        if (q && q != p && q->kind == SINEW_BELONGS_TO && points_back(q, mi)) found = (int)(q - t->r), count = 1;
    } else {
        found = x->first_belongs;
        count = x->belongs;
    }
    if (count == 1) {
        p->kind = SINEW_HAS_MANY;
        p->inverse = found;
        t->r[found].inverse = ri;
        return;
    }
    if (count > 1) {
        char names[256] = "";   /* the message only: a scan, on this error alone */
        for (size_t i = 0, l = 0; i < t->nr && l + 1 < sizeof names; i++) {
            const prel *q = &t->r[i];
            if (q->kind != SINEW_BELONGS_TO || !points_back(q, mi)) continue;
            l += (size_t)snprintf(names + l, sizeof names - l, "%s%s", l ? ", " : "", q->name);
        }
        err(r, p->line, p->col, "ambiguous inverse: %s has %d fields pointing to %s (%s); say which one with "
            "@inverse(...)", t->name, count, m->name, names);
        p->kind = SINEW_HAS_MANY;
        return;
    }
    if (t->broken) {   /* the inverse may be its field of unknown type, reported already */
        p->kind = SINEW_HAS_MANY;
        return;
    }
    if (p->inverse_hint) {
        err(r, p->line, p->col, "@inverse(%s): %s has no to-one field '%s' pointing to %s", p->inverse_hint, t->name,
            p->inverse_hint, m->name);
        p->kind = SINEW_HAS_MANY;
        return;
    }
    /* a list back, and no key either way: many-to-many (p itself is a plain list back when t is m) */
    if (x->plain_lists > (p->target == mi ? 1 : 0)) {
        p->kind = SINEW_MANY_TO_MANY;
        return;
    }
    int through_backs = x->through_lists;
    /* the other side named the join table: this side is the same many-to-many
     * (declared once, as Django does) */
    if (through_backs == 1) {
        p->kind = SINEW_MANY_TO_MANY;
        p->through = t->r[x->first_through].through;
        return;
    }
    if (through_backs > 1) {
        char tables[256] = "", choices[256] = "";
        for (size_t i = 0, l = 0, c = 0; i < t->nr && l + 1 < sizeof tables && c + 1 < sizeof choices; i++) {
            const prel *q = &t->r[i];
            if (q == p || !q->a || !q->a->list || !points_back(q, mi) || !q->through) continue;
            l += (size_t)snprintf(tables + l, sizeof tables - l, "%s%s @through(%s)", l ? ", " : "", q->name, q->through);
            c += (size_t)snprintf(choices + c, sizeof choices - c, "%s@through(%s)", c ? " or " : "", q->through);
        }
        err(r, p->line, p->col, "ambiguous many-to-many: %s has %d lists pointing to %s (%s); say which one '%s' pairs "
            "with: add %s to %s.%s", t->name, through_backs, m->name, tables, p->name, choices, m->name, p->name);
        p->kind = SINEW_MANY_TO_MANY;
        return;
    }
    err(r, p->line, p->col, "missing inverse: %s has no field pointing to %s for '%s'; add a to-one field "
        "(`%s %s`) to %s, or a list back for many-to-many", t->name, m->name, p->name,
        sn_arena_printf(r->a, "%c%s", m->c_name[0], m->c_name + 1), m->name, t->name);
    p->kind = SINEW_HAS_MANY;
}

static int add_model(R *r, const char *name, const char *table, const char *c_name, int line, int col)
{
    rmodel nm;
    memset(&nm, 0, sizeof nm);
    nm.name = name;
    nm.table = table;
    nm.c_name = c_name;
    nm.line = line;
    nm.col = col;
    PUSH(r->a, r->m, r->nm, r->capm);
    if (!r->m) return -1;
    r->m[r->nm - 1] = nm;
    sn_nameidx_add(&r->midx, r->a, name, (int)r->nm - 1);
    return (int)r->nm - 1;
}

/* a join model for a many-to-many pair: declared (a model on that table) or synthesised */
static void resolve_m2m(R *r, int mi, int ri)
{
    prel *p = &r->m[mi].r[ri];
    if (p->through_model >= 0) return;
    int ti = p->target;
    const char *table = p->through;
    if (!table) {
        const char *ta = r->m[mi].table, *tb = r->m[ti].table;
        table = strcmp(ta, tb) <= 0 ? sn_arena_printf(r->a, "%s_%s", ta, tb) : sn_arena_printf(r->a, "%s_%s", tb, ta);
        p->through = table;
    }
    /* the other side: a list on the target back to this model with the same join table */
    int back = -1;
    for (size_t i = 0; i < r->m[ti].nr; i++) {
        prel *q = &r->m[ti].r[i];
        if ((ti != mi || (int)i != ri) && q->kind == SINEW_MANY_TO_MANY && q->target == mi &&
            (!q->through || !strcmp(q->through, table)) && q->through_model < 0)
            back = (int)i;
    }
    int jm = -1;
    for (size_t i = 0; i < r->nm; i++)
        if (!strcmp(r->m[i].table, table) && (r->m[i].a || r->m[i].flags & SINEW_MODEL_JOIN)) jm = (int)i;
    int rel_a = -1, rel_b = -1;
    if (jm >= 0 && r->m[jm].a) {
        /* a declared join model: its to-one fields to both sides */
        rmodel *j = &r->m[jm];
        for (size_t i = 0; i < j->nr; i++) {
            if (j->r[i].kind != SINEW_BELONGS_TO) continue;
            if (j->r[i].target == mi && rel_a < 0) rel_a = (int)i;
            else if (j->r[i].target == ti && rel_b < 0) rel_b = (int)i;
        }
        if (rel_a < 0 || rel_b < 0) {
            if (!j->broken)
                err(r, p->line, p->col, "@through(%s): model %s maps to that table but lacks to-one fields to both %s and %s",
                table, j->name, r->m[mi].name, r->m[ti].name);
            return;
        }
    } else if (jm < 0) {
        /* synthesise it: <a>_<key> and <b>_<key> (for a self relation, <model>_<key> and <relation>_<key>) */
        char camel[128];
        size_t k = 0;
        int up = 1;
        for (const char *c = table; *c && k + 1 < sizeof camel; c++) {
            if (*c == '_') {
                up = 1;
                continue;
            }
            camel[k++] = (char)(up && *c >= 'a' && *c <= 'z' ? *c - 32 : *c);
            up = 0;
        }
        camel[k] = '\0';
        jm = add_model(r, sn_arena_strdup(r->a, camel), table, table, p->line, p->col);
        if (jm < 0) return;
        p = &r->m[mi].r[ri];
        rmodel *j = &r->m[jm];
        j->flags = SINEW_MODEL_JOIN;
        for (int side = 0; side < 2; side++) {
            prel q;
            memset(&q, 0, sizeof q);
            q.kind = SINEW_BELONGS_TO;
            q.decided = 1;
            q.target = side ? ti : mi;
            q.name = side ? (ti == mi ? p->name : r->m[ti].c_name) : r->m[mi].c_name;
            q.on_delete = SINEW_FK_CASCADE;
            q.inverse = -1;
            q.through_model = -1;
            q.order = side;
            q.line = p->line;
            q.col = p->col;
            push_rel(r, j, &q);
            if (!j->r) return;
        }
        j->id_attr = NULL;
        rel_a = 0;
        rel_b = 1;
        for (int side = 0; side < 2; side++)
            if (ensure_fk(r, jm, side)) return;
        j = &r->m[jm];
        for (int side = 0; side < 2; side++)
            for (size_t k2 = 0; k2 < j->r[side].nfk; k2++) {
                pfield *f = find_field(j, j->r[side].fk[k2]);
                if (f) f->f.flags |= SINEW_FIELD_PK;
                j->pk[j->npk++] = j->r[side].fk[k2];
            }
        j->pk_state = 2;
    } else {
        return;   /* synthesised already by the other side */
    }
    p = &r->m[mi].r[ri];
    p->through_model = jm;
    p->through_local = rel_a;
    p->through_remote = rel_b;
    if (back >= 0) {
        prel *q = &r->m[ti].r[back];
        q->through = table;
        q->through_model = jm;
        q->through_local = rel_b;
        q->through_remote = rel_a;
        q->inverse = ri;
        p->inverse = back;
    }
}

/* ---- building the graph ---- */

/* fields in declaration order, implicit keys at their relation's place: a
 * stable merge sort (linear-logarithmic for models of any size) */
static void sort_fields(R *r, rmodel *rm)
{
    size_t n = rm->nf;
    size_t first_out = 1;   /* most models are in order already (implicit keys of trailing relations) */
    while (first_out < n && rm->f[first_out - 1].order <= rm->f[first_out].order) first_out++;
    if (first_out >= n) return;
    pfield *tmp = sn_arena_alloc(r->a, n * sizeof *tmp);
    if (!tmp) return;
    pfield *src = rm->f, *dst = tmp;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) dst[k++] = src[j].order < src[i].order ? src[j++] : src[i++];
            while (i < mid) dst[k++] = src[i++];
            while (j < hi) dst[k++] = src[j++];
        }
        pfield *t = src;
        src = dst;
        dst = t;
    }
    if (src != rm->f) memcpy(rm->f, src, n * sizeof *src);
    /* the name index now gives positions in the sorted (= output) order */
    memset(&rm->fidx, 0, sizeof rm->fidx);
    for (size_t i = 0; i < n; i++) sn_nameidx_add(&rm->fidx, r->a, rm->f[i].f.name, (int)i);
}

/* "<table>_<col>_<col>_idx" (or _key) */
static const char *index_name(R *r, const sinew_model *m, const unsigned *fs, size_t nf, int uniq)
{
    char name[512];
    size_t nl = (size_t)snprintf(name, sizeof name, "%s", m->table);
    for (size_t j = 0; j < nf && nl < sizeof name; j++)
        nl += (size_t)snprintf(name + nl, sizeof name - nl, "_%s", m->fields[fs[j]].column);
    if (nl < sizeof name) snprintf(name + nl, sizeof name - nl, "%s", uniq ? "_key" : "_idx");
    return sn_arena_strdup(r->a, name);
}

static unsigned field_index(const rmodel *m, const char *name)
{
    int i = sn_nameidx_get(&m->fidx, name);
    return i < 0 ? 0 : (unsigned)i;
}

static int build(R *r, const char *schema_name, sinew_schema **out)
{
    sinew_schema *s = sn_arena_calloc(r->a, sizeof *s);
    if (!s) return SINEW_NOMEM;
    s->name = schema_name;
    sinew_model **models = sn_arena_calloc(r->a, (r->nm ? r->nm : 1) * sizeof *models);
    if (!models) return SINEW_NOMEM;
    for (size_t i = 0; i < r->nm; i++) {
        models[i] = sn_arena_calloc(r->a, sizeof(sinew_model));
        if (!models[i]) return SINEW_NOMEM;
        r->m[i].out = models[i];
    }
    for (size_t mi = 0; mi < r->nm; mi++) {
        rmodel *rm = &r->m[mi];
        sinew_model *m = rm->out;
        sort_fields(r, rm);
        sinew_field *fields = sn_arena_calloc(r->a, (rm->nf ? rm->nf : 1) * sizeof *fields);
        if (!fields) return SINEW_NOMEM;
        for (size_t i = 0; i < rm->nf; i++) {
            fields[i] = rm->f[i].f;
            fields[i].order = rm->f[i].order;
        }
        m->name = rm->name;
        m->table = rm->table;
        m->c_name = rm->c_name;
        m->doc = rm->doc;
        m->renamed_from = rm->renamed_from;
        m->pk_name = rm->pk_name;
        m->checks = rm->checks;
        m->nchecks = rm->nchecks;
        m->flags = rm->flags;
        m->fields = fields;
        m->nfields = rm->nf;
        m->loc.line = rm->line;
        m->loc.col = rm->col;
        unsigned *pk = sn_arena_calloc(r->a, (rm->npk ? rm->npk : 1) * sizeof *pk);
        if (!pk) return SINEW_NOMEM;
        for (size_t k = 0; k < rm->npk; k++) pk[k] = field_index(rm, rm->pk[k]);
        m->pk = pk;
        m->npk = rm->npk;
    }
    for (size_t mi = 0; mi < r->nm; mi++) {
        rmodel *rm = &r->m[mi];
        sinew_model *m = rm->out;
        sinew_relation *rels = sn_arena_calloc(r->a, (rm->nr ? rm->nr : 1) * sizeof *rels);
        if (!rels) return SINEW_NOMEM;
        for (size_t ri = 0; ri < rm->nr; ri++) {
            prel *p = &rm->r[ri];
            sinew_relation *x = &rels[ri];
            rmodel *tm = &r->m[p->target];
            x->name = p->name;
            x->kind = p->kind;
            x->target = tm->out;
            x->inverse = p->inverse >= 0 && (size_t)p->inverse < tm->nr ? tm->r[p->inverse].name : NULL;
            x->on_delete = p->on_delete;
            x->on_update = p->on_update;
            x->optional = p->optional;
            x->offset = SINEW_NO_OFFSET;
            x->doc = p->doc;
            x->order = p->order;
            x->loc.line = p->line;
            x->loc.col = p->col;
            x->fk_name = p->fk_name;
            unsigned *lo = sn_arena_calloc(r->a, MAXK * sizeof *lo), *re = sn_arena_calloc(r->a, MAXK * sizeof *re);
            if (!lo || !re) return SINEW_NOMEM;
            if (p->kind == SINEW_BELONGS_TO) {
                x->nkeys = p->nfk;
                for (size_t k = 0; k < p->nfk; k++) {
                    lo[k] = field_index(rm, p->fk[k]);
                    re[k] = field_index(tm, p->nref ? p->ref[k] : tm->pk[k]);
                }
            } else if (p->kind == SINEW_HAS_ONE || p->kind == SINEW_HAS_MANY) {
                const prel *q = p->inverse >= 0 ? &tm->r[p->inverse] : NULL;
                x->nkeys = q ? q->nfk : 0;
                for (size_t k = 0; q && k < q->nfk; k++) {
                    lo[k] = field_index(rm, q->nref ? q->ref[k] : rm->pk[k]);
                    re[k] = field_index(tm, q->fk[k]);
                }
            } else if (p->through_model >= 0) {
                rmodel *j = &r->m[p->through_model];
                const prel *la = &j->r[p->through_local], *lb = &j->r[p->through_remote];
                unsigned *tl = sn_arena_calloc(r->a, MAXK * sizeof *tl), *tr = sn_arena_calloc(r->a, MAXK * sizeof *tr);
                if (!tl || !tr) return SINEW_NOMEM;
                x->nkeys = la->nfk < lb->nfk ? la->nfk : lb->nfk;
                for (size_t k = 0; k < x->nkeys; k++) {
                    lo[k] = field_index(rm, rm->pk[k]);
                    re[k] = field_index(tm, tm->pk[k]);
                    tl[k] = field_index(j, la->fk[k]);
                    tr[k] = field_index(j, lb->fk[k]);
                }
                x->through = j->out;
                x->through_local = tl;
                x->through_remote = tr;
            }
            x->local = lo;
            x->remote = re;
        }
        m->relations = rels;
        m->nrelations = rm->nr;
    }
    /* indexes: @@index / @@unique (field or to-one relation names), then one for
     * each to-one's foreign key that no key or index leads already */
    for (size_t mi = 0; mi < r->nm; mi++) {
        rmodel *rm = &r->m[mi];
        sinew_model *m = rm->out;
        size_t n = rm->nr;
        for (size_t i = 0; rm->a && i < rm->a->nattrs; i++)
            n += !strcmp(rm->a->attrs[i].name, "index") || !strcmp(rm->a->attrs[i].name, "unique");
        if (!n) continue;
        sinew_index *ix = sn_arena_calloc(r->a, n * sizeof *ix);
        if (!ix) return SINEW_NOMEM;
        size_t k = 0;
        for (size_t i = 0; rm->a && i < rm->a->nattrs; i++) {
            const ast_attr *a = &rm->a->attrs[i];
            int uniq = !strcmp(a->name, "unique");
            if (!uniq && strcmp(a->name, "index")) continue;
            if (a->nargs < 1 || a->args[0].kind != ARG_LIST || !a->args[0].nitems) continue;   /* check_indexes said */
            unsigned *fs = sn_arena_calloc(r->a, (a->args[0].nitems * MAXK) * sizeof *fs);
            if (!fs) return SINEW_NOMEM;
            size_t nf = 0;
            for (size_t j = 0; j < a->args[0].nitems; j++) {
                const char *fn = a->args[0].items[j];
                int fi = sn_nameidx_get(&rm->fidx, fn);
                prel *p = find_rel(rm, fn);
                if (fi >= 0) {
                    fs[nf++] = (unsigned)fi;
                } else if (p && p->kind == SINEW_BELONGS_TO) {
                    for (size_t q = 0; q < p->nfk; q++) fs[nf++] = field_index(rm, p->fk[q]);
                }
            }
            for (size_t j = 1; j < a->nargs; j++)   /* name: "...", where: "..." (check_indexes said the rest) */
                if (a->args[j].kind == ARG_STRING && a->args[j].label) {
                    if (!strcmp(a->args[j].label, "name")) ix[k].name = a->args[j].text;
                    else if (!strcmp(a->args[j].label, "where")) ix[k].where = a->args[j].text;
                }
            if (!ix[k].name && !(ix[k].name = index_name(r, m, fs, nf, uniq))) return SINEW_NOMEM;
            ix[k].fields = fs;
            ix[k].nfields = nf;
            ix[k].unique = uniq;
            ix[k].loc.line = a->line;
            ix[k].loc.col = a->col;
            k++;
        }
        /* which fields start an index so far: a one-column key is checked in constant time */
        unsigned char *starts = sn_arena_calloc(r->a, m->nfields ? m->nfields : 1);
        if (!starts) return SINEW_NOMEM;
        for (size_t i = 0; i < k; i++)
            if (ix[i].nfields) starts[ix[i].fields[0]] = 1;
        for (size_t ri = 0; ri < rm->nr; ri++) {
            const prel *p = &rm->r[ri];
            if (p->kind != SINEW_BELONGS_TO || !p->nfk || p->no_index) continue;
            unsigned *fs = sn_arena_calloc(r->a, p->nfk * sizeof *fs);
            if (!fs) return SINEW_NOMEM;
            for (size_t q = 0; q < p->nfk; q++) fs[q] = field_index(rm, p->fk[q]);
            if (p->nfk == 1 ? starts[fs[0]] || sn_index_led(m, NULL, 0, fs, 1) : sn_index_led(m, ix, k, fs, p->nfk))
                continue;
            starts[fs[0]] = 1;
            if (!(ix[k].name = index_name(r, m, fs, p->nfk, 0))) return SINEW_NOMEM;
            ix[k].fields = fs;
            ix[k].nfields = p->nfk;
            ix[k].loc.line = p->line;
            ix[k].loc.col = p->col;
            ix[k].automatic = 1;
            k++;
        }
        m->indexes = ix;
        m->nindexes = k;
    }
    s->models = (const sinew_model *const *)models;
    s->nmodels = r->nm;
    s->enums = (const sinew_enum *const *)r->enums;
    s->nenums = r->ne;
    *out = s;
    return SINEW_OK;
}

/* ---- checks over the finished names ---- */

/* @@index and @@unique name fields or to-one relations of their model */
static void check_indexes(R *r)
{
    for (size_t mi = 0; mi < r->nm; mi++) {
        rmodel *rm = &r->m[mi];
        for (size_t i = 0; rm->a && i < rm->a->nattrs; i++) {
            const ast_attr *a = &rm->a->attrs[i];
            if (strcmp(a->name, "unique") && strcmp(a->name, "index")) continue;
            if (a->nargs < 1 || a->args[0].kind != ARG_LIST || !a->args[0].nitems) {
                err(r, a->line, a->col, "@@%s needs a list of fields: @@%s([a, b])", a->name, a->name);
                continue;
            }
            for (size_t j = 0; j < a->args[0].nitems && !rm->broken; j++) {
                const char *fn = a->args[0].items[j];
                const prel *p = find_rel(rm, fn);
                if (!find_field(rm, fn) && !(p && p->kind == SINEW_BELONGS_TO))
                    err(r, a->line, a->col, "@@%s names '%s', which is not a field or to-one relation of %s", a->name,
                        fn, rm->name);
            }
            /* the other arguments: the SQL name, when it is not sinew's <table>_<columns>_idx/_key, and a
             * partial index's predicate, each once */
            int seen_name = 0, seen_where = 0;
            for (size_t j = 1; j < a->nargs; j++) {
                const ast_arg *v = &a->args[j];
                int is_name = v->label && !strcmp(v->label, "name"), is_where = v->label && !strcmp(v->label, "where");
                if ((!is_name && !is_where) || v->kind != ARG_STRING || !v->text[0] || (is_name && seen_name++) ||
                    (is_where && seen_where++))
                    err(r, v->line, v->col, "@@%s takes the fields and, optionally, the index's SQL name and a "
                        "partial index's predicate: @@%s([a, b], name: \"%s_a_b_%s\", where: \"deleted_at IS NULL\")",
                        a->name, a->name, rm->table ? rm->table : "table", strcmp(a->name, "unique") ? "idx" : "key");
                else if (is_name)
                    control_free(r, v, strcmp(a->name, "unique") ? "@@index(name:)" : "@@unique(name:)");
            }
        }
    }
}

/* every lookup is through a name index: linear in the size of the file */
static void check_names(R *r)
{
    sn_nameidx cnames;
    memset(&cnames, 0, sizeof cnames);
    for (size_t mi = 0; mi < r->nm; mi++) {
        rmodel *m = &r->m[mi];
        if (!m->a) continue;
        int mj = sn_nameidx_add(&cnames, r->a, m->c_name, (int)mi);
        if (mj >= 0)
            err(r, m->line, m->col, "models %s and %s would both generate C functions named %s_...; rename one",
                r->m[mj].name, m->name, m->c_name);
        sn_nameidx columns;
        memset(&columns, 0, sizeof columns);
        for (size_t i = 0; i < m->nf; i++) {
            const sinew_field *f = &m->f[i].f;
            if (sn_nameidx_get(&m->fidx, f->name) != (int)i) {
                err(r, f->loc.line, f->loc.col, "duplicate field '%s' in model %s", f->name, m->name);
                continue;
            }
            int j = sn_nameidx_add(&columns, r->a, f->column, (int)i);
            if (j >= 0)
                err(r, f->loc.line, f->loc.col, "fields '%s' and '%s' of %s both map to column '%s'", m->f[j].f.name,
                    f->name, m->name, f->column);
        }
        for (size_t i = 0; i < m->nr; i++) {
            /* implicit key fields come after every declared one: the first of a name is declared if any is */
            int j = sn_nameidx_get(&m->fidx, m->r[i].name);
            if (j >= 0 && m->f[j].implicit_of < 0)
                err(r, m->r[i].line, m->r[i].col, "duplicate field '%s' in model %s", m->r[i].name, m->name);
            else if (sn_nameidx_get(&m->ridx, m->r[i].name) != (int)i)
                err(r, m->r[i].line, m->r[i].col, "duplicate field '%s' in model %s", m->r[i].name, m->name);
            prel *p = &m->r[i];
            /* legal SQL (a pulled database has it): deleting the referenced row then fails */
            if (p->kind == SINEW_BELONGS_TO && p->on_delete == SINEW_FK_SET_NULL && !p->optional)
                warn(r, p->line, p->col, "@on_delete(set_null) on the required relation '%s': the database will refuse "
                     "to delete a %s that is still referenced; write '%s %s?' to make it optional", p->name,
                     r->m[p->target].name, p->name, r->m[p->target].name);
        }
    }
}

int sn_resolve(const ast_file *af, sn_arena *a, sinew_diagnostics *d, const char *file, const char *name,
               sinew_schema **out)
{
    R r;
    memset(&r, 0, sizeof r);
    r.af = af;
    r.a = a;
    r.d = d;
    r.file = file;
    *out = NULL;
    /* enums */
    r.enums = sn_arena_calloc(a, (af->nenums ? af->nenums : 1) * sizeof *r.enums);
    if (!r.enums) return 1;
    for (size_t i = 0; i < af->nenums; i++) {
        const ast_enum *e = &af->enums[i];
        if (enum_of(&r, e->name)) {
            err(&r, e->line, e->col, "duplicate enum '%s'", e->name);
            continue;
        }
        if (!e->nvalues) err(&r, e->line, e->col, "enum %s has no values: list them, e.g. `enum %s { a b }`", e->name, e->name);
        sn_nameidx seen;
        memset(&seen, 0, sizeof seen);
        for (size_t v = 0; v < e->nvalues; v++)
            if (sn_nameidx_add(&seen, a, e->values[v], (int)v) >= 0)
                err(&r, e->vline[v], e->vcol[v], "duplicate value '%s' in enum %s", e->values[v], e->name);
        sinew_enum *x = sn_arena_calloc(a, sizeof *x);
        if (!x) return 1;
        x->name = e->name;
        x->values = e->values;
        x->nvalues = e->nvalues;
        x->doc = e->doc;
        x->loc.line = e->line;
        x->loc.col = e->col;
        sn_nameidx_add(&r.eidx, a, x->name, (int)r.ne);
        r.enums[r.ne++] = x;
    }
    /* models */
    for (size_t i = 0; i < af->nmodels; i++) {
        const ast_model *am = &af->models[i];
        if (model_of(&r, am->name) >= 0 || enum_of(&r, am->name)) {
            err(&r, am->line, am->col, "duplicate name '%s': a model or enum of that name exists already", am->name);
            continue;
        }
        char sn[256], pl[260];
        sn_snake(am->name, sn, sizeof sn);
        sn_plural(sn, pl, sizeof pl);
        int mi = add_model(&r, am->name, sn_arena_strdup(a, pl), sn_arena_strdup(a, sn), am->line, am->col);
        if (mi < 0) return 1;
        rmodel *m = &r.m[mi];
        m->a = am;
        m->doc = am->doc;
        for (size_t k = 0; k < am->nattrs; k++) {
            const ast_attr *at = &am->attrs[k];
            if (!in_list(at->name, model_attrs)) {
                err(&r, at->line, at->col, "unknown model attribute '@@%s'%s", at->name, suggest_attr(&r, at->name, model_attrs, "@@"));
            } else if (!strcmp(at->name, "map")) {
                if (at->nargs != 1 || at->args[0].kind != ARG_STRING) err(&r, at->line, at->col, "@@map needs one string: @@map(\"table\")");
                else if (control_free(&r, &at->args[0], "@@map")) m->table = at->args[0].text;
            } else if (!strcmp(at->name, "renamed_from")) {
                if (at->nargs != 1 || at->args[0].kind == ARG_LIST) err(&r, at->line, at->col, "@@renamed_from needs the old model name");
                else if (control_free(&r, &at->args[0], "@@renamed_from")) m->renamed_from = at->args[0].text;
            } else if (!strcmp(at->name, "id")) {
                m->id_attr = at;
            } else if (!strcmp(at->name, "readonly")) {
                if (at->nargs) err(&r, at->line, at->col, "@@readonly takes no arguments");
                m->flags |= SINEW_MODEL_READONLY;
            } else if (!strcmp(at->name, "view")) {
                /* a database view: read-only, and never created by sinew */
                if (at->nargs) err(&r, at->line, at->col, "@@view takes no arguments (the view's name is @@map's)");
                m->flags |= SINEW_MODEL_READONLY | SINEW_MODEL_VIEW;
            } else if (!strcmp(at->name, "check")) {
                /* @@check("expr") / @@check("expr", name: "chk_x"): a table CHECK constraint */
                if (at->nargs < 1 || at->nargs > 2 || at->args[0].kind != ARG_STRING || at->args[0].label ||
                    !at->args[0].text[0]) {
                    err(&r, at->line, at->col, "@@check needs the SQL expression as a string and, optionally, the "
                        "constraint's name: @@check(\"price >= 0\", name: \"chk_price\")");
                    continue;
                }
                const char *nm = NULL;
                if (at->nargs == 2) {
                    if (!constraint_name_arg(&r, &at->args[1], "@@check", "@@check(\"price >= 0\", name: \"chk_price\")"))
                        continue;
                    nm = at->args[1].text;
                }
                sinew_check *nc = sn_arena_alloc(a, (m->nchecks + 1) * sizeof *nc);
                if (!nc) return 1;
                if (m->nchecks) memcpy(nc, m->checks, m->nchecks * sizeof *nc);
                nc[m->nchecks].name = nm;
                nc[m->nchecks].expr = at->args[0].text;
                nc[m->nchecks].loc.line = at->line;
                nc[m->nchecks].loc.col = at->col;
                m->checks = nc;
                m->nchecks++;
            }
        }
    }
    /* fields */
    for (size_t mi = 0; mi < r.nm; mi++) {
        const ast_model *am = r.m[mi].a;
        for (size_t i = 0; am && i < am->nfields; i++) {
            const ast_field *f = &am->fields[i];
            sinew_type t;
            sinew_enum *e;
            int tm;
            if (scalar_of(f->type, &t)) scalar_field(&r, &r.m[mi], f, (int)i, t, NULL);
            else if ((e = enum_of(&r, f->type))) scalar_field(&r, &r.m[mi], f, (int)i, SINEW_ENUM, e);
            else if ((tm = model_of(&r, f->type)) >= 0) relation_field(&r, &r.m[mi], f, (int)i, tm);
            else {
                err(&r, f->type_line, f->type_col, "unknown type '%s'%s", f->type, suggest(&r, f->type, NULL));
                r.m[mi].broken = 1;
            }
        }
    }
    /* every later check runs too (all independent errors in one run); the
     * ones a dropped field could cause are skipped in models marked broken */
    size_t declared = r.nm;
    mark_key_unique(&r, declared);
    count_pairs(&r, declared, 0);
    for (size_t mi = 0; mi < declared; mi++)
        for (size_t ri = 0; ri < r.m[mi].nr; ri++)
            if (!r.m[mi].r[ri].a->list) decide_to_one(&r, (int)mi, (int)ri);
    count_pairs(&r, declared, 1);
    for (size_t mi = 0; mi < declared; mi++)
        for (size_t ri = 0; ri < r.m[mi].nr; ri++)
            if (r.m[mi].r[ri].a->list) decide_list(&r, (int)mi, (int)ri);
    for (size_t mi = 0; mi < declared; mi++) {
        resolve_pk(&r, (int)mi);
        for (size_t ri = 0; ri < r.m[mi].nr; ri++)
            if (r.m[mi].r[ri].kind == SINEW_BELONGS_TO) ensure_fk(&r, (int)mi, (int)ri);
    }
    /* has-one sides point at the to-one they invert */
    for (size_t mi = 0; mi < declared; mi++)
        for (size_t ri = 0; ri < r.m[mi].nr; ri++) {
            prel *p = &r.m[mi].r[ri];
            if (p->kind == SINEW_HAS_ONE && p->inverse >= 0) r.m[p->target].r[p->inverse].inverse = (int)ri;
        }
    for (size_t mi = 0; mi < declared; mi++)
        for (size_t ri = 0; ri < r.m[mi].nr; ri++)
            if (r.m[mi].r[ri].kind == SINEW_MANY_TO_MANY) resolve_m2m(&r, (int)mi, (int)ri);
    check_names(&r);
    check_indexes(&r);
    if (r.errors) return r.errors;
    if (build(&r, name, out) != SINEW_OK) {
        *out = NULL;
        return r.errors + 1;
    }
    r.errors += sn_check_limits(af, *out, d, file);
    return r.errors;
}
