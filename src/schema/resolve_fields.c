/*
 * resolve_fields.c - the fields of a model from the syntax tree: a column
 * field's type, flags, default and validation rules, or a relation field's
 * target and attributes (@fk, @references, @on_delete, @through, ...), each
 * attribute checked where it is written. What a relation is (belongs-to,
 * has-one, has-many, many-to-many) is decided later (resolve_relations.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "resolve.h"

const char *const sn_rs_scalar_names[] = {"bool", "int32", "int64", "double", "text", "blob", "timestamp",
                                       "date", "uuid", "json", "decimal", NULL};
static const sinew_type scalar_types[] = {SINEW_BOOL, SINEW_INT32, SINEW_INT64, SINEW_DOUBLE, SINEW_TEXT, SINEW_BLOB,
                                          SINEW_TIMESTAMP, SINEW_DATE, SINEW_UUID, SINEW_JSON, SINEW_DECIMAL};

int sn_rs_scalar_of(const char *n, sinew_type *t)
{
    for (size_t i = 0; sn_rs_scalar_names[i]; i++)
        if (!strcmp(sn_rs_scalar_names[i], n)) {
            *t = scalar_types[i];
            return 1;
        }
    return 0;
}

static sinew_fk_action action(R *r, const ast_attr *a)
{
    static const char *const names[] = {"no_action", "restrict", "cascade", "set_null", "set_default", NULL};
    if (!sn_rs_need_args(r, a, 1, "cascade, set_null, restrict or no_action")) return SINEW_FK_NO_ACTION;
    const char *v = a->args[0].text;
    for (int i = 0; names[i]; i++)
        if (v && !strcmp(v, names[i])) return (sinew_fk_action)i;
    sn_rs_err(r, a->args[0].line, a->args[0].col, "@%s(%s): expected cascade, set_null, restrict, set_default or no_action%s",
        a->name, v ? v : "?", v ? sn_rs_suggest_in(r, v, names) : "");
    return SINEW_FK_NO_ACTION;
}

/* ---- defaults ---- */

static void set_default(R *r, pfield *pf, const ast_attr *a)
{
    if (!sn_rs_need_args(r, a, 1, "@default(value), @default(now) or @default(uuid)")) return;
    const ast_arg *v = &a->args[0];
    sinew_field *f = &pf->f;
    const char *tn = f->enum_type ? f->enum_type->name : sinew_type_name(f->type);
    if (v->kind == ARG_IDENT && !strcmp(v->text, "now")) {
        if (f->type != SINEW_TIMESTAMP && f->type != SINEW_DATE)
            sn_rs_err(r, v->line, v->col, "@default(now) needs a timestamp or date field; '%s' is %s", f->name, tn);
        f->def.kind = SINEW_DEFAULT_NOW;
        return;
    }
    if (v->kind == ARG_IDENT && !strcmp(v->text, "uuid")) {
        if (f->type != SINEW_UUID && f->type != SINEW_TEXT)
            sn_rs_err(r, v->line, v->col, "@default(uuid) needs a uuid or text field; '%s' is %s", f->name, tn);
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
            sn_rs_err(r, v->line, v->col, "@default(%s): '%s' is not a value of enum %s%s", text, text, tn,
                sn_rs_suggest_n(r, text, f->enum_type->values, f->enum_type->nvalues, ""));
            return;
        }
        break;
    case SINEW_TIMESTAMP: {
        int64_t t;
        ok = v->kind == ARG_STRING && sinew_timestamp_parse(text, strlen(text), &t) == SINEW_OK;
        break;
    }
    case SINEW_DATE: {
        int32_t dd;
        ok = v->kind == ARG_STRING && sinew_date_parse(text, strlen(text), &dd) == SINEW_OK;
        break;
    }
    case SINEW_UUID: {
        sinew_uuid u;
        ok = v->kind == ARG_STRING && sinew_uuid_parse(text, strlen(text), &u) == SINEW_OK;
        break;
    }
    case SINEW_BLOB: break;
    }
    if (!ok) {
        sn_rs_err(r, v->line, v->col, "@default(%s%s%s) does not fit %s field '%s'", v->kind == ARG_STRING ? "\"" : "",
            text ? text : "", v->kind == ARG_STRING ? "\"" : "", tn, f->name);
        return;
    }
    f->def.kind = SINEW_DEFAULT_VALUE;
    f->def.value = v->kind == ARG_STRING ? sn_arena_printf(r->a, "\"%s\"", text) : text;
}

/* ---- fields and relations from the syntax tree ---- */

static const char *const field_attrs[] = {"id", "auto", "unique", "index", "default", "map", "check", "version", "db_type",
                                          "renamed_from", "length", "range", "pattern", "generated", "updated_at", NULL};
static const char *const rel_attrs[] = {"on_delete", "on_update", "fk", "inverse", "through", "map", "unique",
                                        "index", "relation", "no_index", "references", NULL};

void sn_rs_scalar_field(R *r, rmodel *m, const ast_field *af, int order, sinew_type t, sinew_enum *e)
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
        sn_rs_err(r, af->type_line, af->type_col, "'%s[]': lists are for relations; a list of %s values is not a column "
            "type (use json, or a related model)", af->type, af->type);
        return;
    }
    const ast_attr *def = NULL, *stamp = NULL;
    for (size_t i = 0; i < af->nattrs; i++) {
        const ast_attr *a = &af->attrs[i];
        const char *n = a->name;
        if (!in_list(n, field_attrs)) {
            if (in_list(n, rel_attrs))
                sn_rs_err(r, a->line, a->col, "@%s is for relation fields; '%s' is a %s column", n, af->name, af->type);
            else
                sn_rs_err(r, a->line, a->col, "unknown attribute '@%s'%s", n, sn_rs_suggest_attr(r, n, field_attrs, "@"));
            continue;
        }
        if (!strcmp(n, "id")) {
            f->flags |= SINEW_FIELD_PK;
            /* @id(name: "pk_x"): the primary key's constraint name */
            if (a->nargs == 1 && sn_rs_constraint_name_arg(r, &a->args[0], "@id", "@id(name: \"pk_users\")")) {
                if (m->pk_name)
                    sn_rs_err(r, a->line, a->col, "the key of %s is named twice: name a key of several fields once, "
                        "with @@id([a, b], name: \"...\")", m->name);
                m->pk_name = a->args[0].text;
            }
        }
        else if (!strcmp(n, "auto")) f->flags |= SINEW_FIELD_AUTO;
        else if (!strcmp(n, "unique")) f->flags |= SINEW_FIELD_UNIQUE;
        else if (!strcmp(n, "index")) f->flags |= SINEW_FIELD_INDEX;
        else if (!strcmp(n, "version")) f->flags |= SINEW_FIELD_VERSION;
        else if (!strcmp(n, "updated_at")) {
            if (stamp) sn_rs_err(r, a->line, a->col, "@updated_at is given twice on '%s'; write it once", af->name);
            stamp = a;
            f->flags |= SINEW_FIELD_UPDATED_AT;
        }
        else if (!strcmp(n, "default")) def = a;
        else if (!strcmp(n, "generated")) {
            /* @generated("price * qty") / @generated("...", virtual): computed by the database, never written */
            int virt = a->nargs == 2 && a->args[1].kind == ARG_IDENT && !a->args[1].label && !strcmp(a->args[1].text, "virtual");
            int stored = a->nargs == 2 && a->args[1].kind == ARG_IDENT && !a->args[1].label && !strcmp(a->args[1].text, "stored");
            if (a->nargs < 1 || a->nargs > 2 || a->args[0].kind != ARG_STRING || a->args[0].label || !a->args[0].text[0] ||
                (a->nargs == 2 && !virt && !stored)) {
                sn_rs_err(r, a->line, a->col, "@generated needs the SQL expression as a string and, optionally, stored "
                    "(the default) or virtual: @generated(\"price * qty\")");
                continue;
            }
            f->generated = a->args[0].text;
            f->flags |= SINEW_FIELD_GENERATED | SINEW_FIELD_READONLY | (virt ? SINEW_FIELD_VIRTUAL : 0u);
        }
        else if (!strcmp(n, "db_type")) {
            /* the declared SQL type (what `db pull` read), kept so that DDL and drift use it */
            if (a->nargs != 1 || a->args[0].kind != ARG_STRING || !a->args[0].text[0]) {
                sn_rs_err(r, a->line, a->col, "@db_type needs the column's SQL type as one string: @db_type(\"NUMERIC(5,2)\")");
                continue;
            }
            if (!sn_rs_control_free(r, &a->args[0], "@db_type")) continue;
            f->db_type = a->args[0].text;
            f->flags |= SINEW_FIELD_DB_TYPE;
        }
        else if (!strcmp(n, "map") || !strcmp(n, "check") || !strcmp(n, "pattern")) {
            if (a->nargs != 1 || a->args[0].kind != ARG_STRING) {
                sn_rs_err(r, a->line, a->col, "@%s needs one string: @%s(\"%s\")", n, n,
                    !strcmp(n, "map") ? "column" : !strcmp(n, "check") ? "expression" : "regex");
                continue;
            }
            if (!strcmp(n, "map")) {
                if (sn_rs_control_free(r, &a->args[0], "@map")) f->column = a->args[0].text;
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
                sn_rs_err(r, a->line, a->col, "@renamed_from needs the old field name: @renamed_from(old_name)");
                continue;
            }
            if (sn_rs_control_free(r, &a->args[0], "@renamed_from")) f->renamed_from = a->args[0].text;
        } else if (!strcmp(n, "length") || !strcmp(n, "range")) {
            int ok = a->nargs == 2 && a->args[0].kind == ARG_NUMBER && a->args[1].kind == ARG_NUMBER;
            if (!ok) {
                sn_rs_err(r, a->line, a->col, "@%s needs two numbers: @%s(min, max)", n, n);
                continue;
            }
            if (!pf.rules) {
                pf.rules = sn_arena_calloc(r->a, sizeof *pf.rules);
                if (!pf.rules) return;
                pf.rules->min_len = pf.rules->max_len = -1;
            }
            double lo = strtod(a->args[0].text, NULL), hi = strtod(a->args[1].text, NULL);
            if (lo > hi) sn_rs_err(r, a->line, a->col, "@%s(%s, %s): the minimum is above the maximum", n, a->args[0].text, a->args[1].text);
            if (!strcmp(n, "length")) {
                if (t != SINEW_TEXT) sn_rs_err(r, a->line, a->col, "@length is for text fields; '%s' is %s", af->name, af->type);
                /* lengths are whole numbers a C int64 holds (and no text is longer than 2^31 bytes) */
                if (!(lo >= 0 && lo <= 2147483647.0 && hi >= 0 && hi <= 2147483647.0) ||
                    lo != (double)(int64_t)lo || hi != (double)(int64_t)hi) {
                    sn_rs_err(r, a->line, a->col, "@length(%s, %s): lengths are whole numbers from 0 to 2147483647", a->args[0].text,
                        a->args[1].text);
                    continue;
                }
                pf.rules->min_len = (int64_t)lo;
                pf.rules->max_len = (int64_t)hi;
            } else {
                if (t != SINEW_INT32 && t != SINEW_INT64 && t != SINEW_DOUBLE)
                    sn_rs_err(r, a->line, a->col, "@range is for number fields; '%s' is %s", af->name, af->type);
                pf.rules->has_min = pf.rules->has_max = 1;
                pf.rules->min = lo;
                pf.rules->max = hi;
            }
        }
        if (a->has_parens && a->nargs > !strcmp(n, "id") && (!strcmp(n, "id") || !strcmp(n, "auto") || !strcmp(n, "unique") ||
                                          !strcmp(n, "index") || !strcmp(n, "version") || !strcmp(n, "updated_at")))
            sn_rs_err(r, a->line, a->col, "@%s takes no arguments", n);
    }

    /* @updated_at: sinew writes the clock into it on every insert and update, so it must be a timestamp
     * that nothing else writes (the database for @auto and @generated, the lock counter for @version);
     * said once, at the attribute, instead of the other attribute's own complaint about the type */
    if (stamp && (f->flags & (SINEW_FIELD_AUTO | SINEW_FIELD_VERSION | SINEW_FIELD_GENERATED | SINEW_FIELD_PK)))
        sn_rs_err(r, stamp->line, stamp->col, "@updated_at cannot go with %s on '%s': sinew writes the time of "
            "every save into it; drop one of them", (f->flags & SINEW_FIELD_AUTO) ? "@auto" :
            (f->flags & SINEW_FIELD_VERSION) ? "@version" : (f->flags & SINEW_FIELD_GENERATED) ? "@generated" : "@id",
            af->name);
    else if (stamp && t != SINEW_TIMESTAMP)
        sn_rs_err(r, stamp->line, stamp->col, "@updated_at needs a timestamp field; '%s' is %s", af->name, af->type);
    else if ((f->flags & SINEW_FIELD_AUTO) && (!(f->flags & SINEW_FIELD_PK) || (t != SINEW_INT32 && t != SINEW_INT64)))
        sn_rs_err(r, af->line, af->col, "@auto needs an integer @id field (int32 or int64); '%s' is %s%s", af->name, af->type,
            (f->flags & SINEW_FIELD_PK) ? "" : " and not @id");
    if (!stamp && (f->flags & SINEW_FIELD_VERSION) && t != SINEW_INT32 && t != SINEW_INT64)
        sn_rs_err(r, af->line, af->col, "@version needs an int32 or int64 field; '%s' is %s", af->name, af->type);
    if ((f->flags & SINEW_FIELD_PK) && (f->flags & SINEW_FIELD_NULLABLE))
        sn_rs_err(r, af->line, af->col, "the key field '%s' cannot be optional: drop the '?'", af->name);
    if (def) set_default(r, &pf, def);
    if (pf.rules) f->rules = pf.rules;
    if ((f->flags & SINEW_FIELD_GENERATED) && ((f->flags & (SINEW_FIELD_PK | SINEW_FIELD_AUTO | SINEW_FIELD_VERSION)) || def))
        sn_rs_err(r, af->line, af->col, "'%s' is @generated: the database computes it, so it cannot also be %s", af->name,
            def ? "@default" : (f->flags & SINEW_FIELD_VERSION) ? "@version" : "a key (@id, @auto)");
    sn_rs_push_field(r, m, &pf);
}

void sn_rs_relation_field(R *r, rmodel *m, const ast_field *af, int order, int target)
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
        sn_rs_err(r, af->type_line, af->type_col, "'%s[]?': a list is never NULL, only empty; drop the '?'", af->type);
    for (size_t i = 0; i < af->nattrs; i++) {
        const ast_attr *a = &af->attrs[i];
        const char *n = a->name;
        if (!in_list(n, rel_attrs)) {
            if (in_list(n, field_attrs))
                sn_rs_err(r, a->line, a->col, "@%s is for column fields; '%s' is a relation to %s", n, af->name, af->type);
            else
                sn_rs_err(r, a->line, a->col, "unknown attribute '@%s'%s", n, sn_rs_suggest_attr(r, n, rel_attrs, "@"));
            continue;
        }
        if (!strcmp(n, "on_delete")) p.on_delete = action(r, a);
        else if (!strcmp(n, "on_update")) p.on_update = action(r, a);
        else if (!strcmp(n, "unique")) p.unique = 1;
        else if (!strcmp(n, "index")) p.indexed = 1;
        else if (!strcmp(n, "no_index")) p.no_index = 1;
        else if (!strcmp(n, "map")) {
            if (a->nargs != 1 || a->args[0].kind != ARG_STRING) sn_rs_err(r, a->line, a->col, "@map needs one string: @map(\"column\")");
            else if (sn_rs_control_free(r, &a->args[0], "@map")) p.map = a->args[0].text;
        } else if (!strcmp(n, "fk")) {
            size_t na = a->nargs;
            /* a last `name: "fk_x"`: the foreign key's constraint name */
            if (na > 1 && a->args[na - 1].label) {
                if (sn_rs_constraint_name_arg(r, &a->args[na - 1], "@fk", "@fk(author_id, name: \"fk_post_author\")"))
                    p.fk_name = a->args[na - 1].text;
                na--;
            }
            if (na == 1 && a->args[0].kind == ARG_LIST) {
                for (size_t k = 0; k < a->args[0].nitems && k < MAXK; k++) p.fk[p.nfk++] = a->args[0].items[k];
            } else {
                for (size_t k = 0; k < na && k < MAXK; k++) {
                    if (a->args[k].kind != ARG_IDENT || a->args[k].label) {
                        sn_rs_err(r, a->args[k].line, a->args[k].col, "@fk names fields of this model: @fk(author_id)");
                        break;
                    }
                    p.fk[p.nfk++] = a->args[k].text;
                }
            }
            if (!p.nfk) sn_rs_err(r, a->line, a->col, "@fk needs the foreign-key field(s): @fk(author_id)");
            p.explicit_fk = 1;
        } else if (!strcmp(n, "references")) {
            if (a->nargs == 1 && a->args[0].kind == ARG_LIST) {
                for (size_t k = 0; k < a->args[0].nitems && k < MAXK; k++) p.ref[p.nref++] = a->args[0].items[k];
            } else {
                for (size_t k = 0; k < a->nargs && k < MAXK; k++) {
                    if (a->args[k].kind != ARG_IDENT) {
                        sn_rs_err(r, a->args[k].line, a->args[k].col, "@references names fields of %s: @references([a, b])", af->type);
                        break;
                    }
                    p.ref[p.nref++] = a->args[k].text;
                }
            }
            if (!p.nref) sn_rs_err(r, a->line, a->col, "@references needs the referenced field(s) of %s: @references([a, b])", af->type);
        } else if (!strcmp(n, "inverse") || !strcmp(n, "relation")) {
            if (a->nargs != 1 || a->args[0].kind != ARG_IDENT) sn_rs_err(r, a->line, a->col, "@%s names a field of %s: @%s(author)", n, af->type, n);
            else p.inverse_hint = a->args[0].text;
        } else if (!strcmp(n, "through")) {
            if (a->nargs != 1 || (a->args[0].kind != ARG_IDENT && a->args[0].kind != ARG_STRING))
                sn_rs_err(r, a->line, a->col, "@through names the join table: @through(post_tags)");
            else if (sn_rs_control_free(r, &a->args[0], "@through")) p.through = a->args[0].text;
        }
    }
    if (p.no_index && (af->list || p.indexed))
        sn_rs_err(r, af->line, af->col, "@no_index is for to-one relations without @index: it keeps sinew from indexing "
            "the foreign key of '%s'", af->name);
    if (p.nref && !p.explicit_fk && !af->list)
        sn_rs_err(r, af->line, af->col, "@references on '%s' needs the foreign-key fields too: @fk(...) @references(...)", af->name);
    if (!af->list && p.through)
        sn_rs_err(r, af->line, af->col, "@through is for many-to-many lists; '%s' is a to-one relation (write %s[])", af->name, af->type);
    if (af->list && (p.explicit_fk || p.on_delete || p.map || p.nref))
        sn_rs_err(r, af->line, af->col, "'%s' is a list: the foreign key and its @fk/@references/@on_delete/@map belong on the to-one "
            "field of %s that points back", af->name, af->type);
    sn_rs_push_rel(r, m, &p);
}
