/*
 * resolve_keys.c - primary keys (@id fields, or @@id over fields and to-one
 * relations) and the foreign-key fields of each to-one: checked when @fk
 * names them, made otherwise (`author User` -> author_id, at the relation's
 * place and of the type of the target's key). A key made of a to-one needs
 * the target's key first, so the two recurse; a cycle is an error.
 */
#include <stdio.h>
#include <string.h>
#include "resolve.h"

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
            if (!t->broken) sn_rs_err(r, p->line, p->col, "@references(%s): %s has no field '%s'", p->ref[k], t->name, p->ref[k]);
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
        sn_rs_err(r, p->line, p->col, "@references([%s]) of '%s': a foreign key refers to a unique key, and %s has none on "
            "exactly these fields; add @@unique([%s]) to %s", names, p->name, t->name, names, t->name);
        return 1;
    }
    return 0;
}

int sn_rs_ensure_fk(R *r, int mi, int ri)
{
    rmodel *m = &r->m[mi];
    prel *p = &m->r[ri];
    if (p->fk_done) return 0;
    p->fk_done = 1;
    int no_key = sn_rs_resolve_pk(r, p->target);   /* once resolved, a keyless @@readonly model says 0 */
    m = &r->m[mi];
    p = &m->r[ri];
    rmodel *t = &r->m[p->target];
    if (!t->npk && (t->flags & SINEW_MODEL_READONLY) && !p->nref) {
        sn_rs_err(r, p->line, p->col, "'%s' points to %s, which has no primary key (@@readonly): name the unique "
            "fields it refers to with @references([...])", p->name, t->name);
        return 1;
    }
    if ((no_key || !t->npk) && !p->nref) return 1;
    if (p->nref && check_references(r, p, t)) return 1;
    size_t tkeys = p->nref ? p->nref : t->npk;
    if ((p->unique || p->indexed) && tkeys > 1) {
        /* the field attribute would apply to each column alone: say the pair */
        sn_rs_err(r, p->line, p->col, "@%s on '%s' would cover one column, but %s's key has %zu; write @@%s([%s]) in %s instead",
            p->unique ? "unique" : "index", p->name, t->name, tkeys, p->unique ? "unique" : "index", p->name, m->name);
        return 1;
    }
    if (p->explicit_fk) {
        if (p->nfk != tkeys) {
            if (p->nref)
                sn_rs_err(r, p->line, p->col, "@fk of '%s' names %zu field(s) but its @references names %zu", p->name, p->nfk,
                    p->nref);
            else
                sn_rs_err(r, p->line, p->col, "@fk of '%s' names %zu field(s) but %s's key has %zu; a foreign key to another "
                    "unique key of %s names it with @references([...])", p->name, p->nfk, t->name, t->npk, t->name);
            return 1;
        }
        for (size_t k = 0; k < p->nfk; k++) {
            pfield *f = find_field(m, p->fk[k]);
            pfield *tf = find_field(t, p->nref ? p->ref[k] : t->pk[k]);
            if (!f) {
                if (!m->broken) sn_rs_err(r, p->line, p->col, "@fk(%s): %s has no field '%s'", p->fk[k], m->name, p->fk[k]);
                return 1;
            }
            /* integers of another width are the database's business (PostgreSQL compares an int
             * column with a bigint key): values travel as int64 either way */
            int int_widths = (f->f.type == SINEW_INT32 || f->f.type == SINEW_INT64) &&
                             tf && (tf->f.type == SINEW_INT32 || tf->f.type == SINEW_INT64);
            if (tf && f->f.type != tf->f.type && !int_widths)
                sn_rs_err(r, f->f.loc.line, f->f.loc.col, "'%s' is %s but it refers to %s.%s, which is %s", f->f.name,
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
        if (find_field(m, fname) && p->poly) {
            sn_rs_err(r, p->line, p->col, "polymorphic relation '%s' makes the field '%s' for its target %s, but %s "
                "already has a field of that name: rename one of them", m->poly[p->poly - 1].name, fname, t->name,
                m->name);
            return 1;
        }
        if (find_field(m, fname)) {
            sn_rs_err(r, p->line, p->col, "relation '%s' makes the field '%s', but %s already has a field of that name: "
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
        sn_rs_push_field(r, m, &pf);
        if (!m->f) return 1;
        p = &m->r[ri];
        p->fk[p->nfk++] = fname;
    }
    return 0;
}

int sn_rs_resolve_pk(R *r, int mi)
{
    rmodel *m = &r->m[mi];
    if (m->pk_state == 2) return 0;
    if (m->pk_state == 1) {
        sn_rs_err(r, m->line, m->col, "the key of %s depends on itself through relations; give one model its own @id", m->name);
        return 1;
    }
    m->pk_state = 1;
    if (m->id_attr) {
        const ast_attr *a = m->id_attr;
        if (a->nargs == 2 && a->args[0].kind == ARG_LIST &&
            sn_rs_constraint_name_arg(r, &a->args[1], "@@id", "@@id([a, b], name: \"pk_x\")")) {
            if (m->pk_name) sn_rs_err(r, a->line, a->col, "the key of %s is named twice (@id(name:) and @@id(name:))", m->name);
            m->pk_name = a->args[1].text;
        }
        if ((a->nargs != 1 && a->nargs != 2) || a->args[0].kind != ARG_LIST || !a->args[0].nitems) {
            sn_rs_err(r, a->line, a->col, "@@id needs a list of fields: @@id([a, b])");
        } else {
            size_t ncols = 0;          /* the key's columns, relations expanded to their key columns */
            const char *past = NULL;   /* the entry that takes the key past MAXK columns */
            for (size_t i = 0; i < a->args[0].nitems; i++) {
                const char *n = a->args[0].items[i];
                pfield *f = find_field(m, n);
                prel *p = find_rel(m, n);
                if (f) {
                    f->f.flags |= SINEW_FIELD_PK;
                    if (++ncols > MAXK && !past) past = n;
                    if (m->npk < MAXK) m->pk[m->npk++] = f->f.name;
                } else if (p && p->kind == SINEW_BELONGS_TO) {
                    if (sn_rs_ensure_fk(r, mi, (int)(p - m->r))) {
                        m->pk_state = 2;
                        return 1;
                    }
                    m = &r->m[mi];
                    p = find_rel(m, n);
                    ncols += p->nfk;
                    if (ncols > MAXK && !past) past = n;
                    for (size_t k = 0; k < p->nfk && m->npk < MAXK; k++) {
                        pfield *ff = find_field(m, p->fk[k]);
                        if (ff) ff->f.flags |= SINEW_FIELD_PK;
                        m->pk[m->npk++] = p->fk[k];
                    }
                } else if (!m->broken) {
                    sn_rs_err(r, a->line, a->col, "@@id names '%s', which is not a field or to-one relation of %s", n, m->name);
                }
            }
            /* a list of more than MAXK entries is reported by check_limits.c; here the relations
             * in it make more columns than a key can have (they were cut at MAXK) */
            if (past && a->args[0].nitems <= MAXK)
                sn_rs_err(r, a->line, a->col, "@@id of %s covers %zu columns once its relations are expanded to "
                          "their keys ('%s' goes past %d); a primary key has at most %d columns: use an @id @auto "
                          "key and make these @@unique([...])", m->name, ncols, past, MAXK, MAXK);
        }
    } else {
        for (size_t i = 0; i < m->nf; i++)
            if ((m->f[i].f.flags & SINEW_FIELD_PK) && m->npk < MAXK) m->pk[m->npk++] = m->f[i].f.name;
    }
    m->pk_state = 2;
    if (!m->npk) {
        if (m->flags & SINEW_MODEL_READONLY) return 1;   /* read, never written: a key is not needed */
        if (!m->broken)   /* else the key may be the field of unknown type, reported already */
            sn_rs_err(r, m->line, m->col, "model %s has no primary key: mark a field @id (e.g. `id int64 @id @auto`) or add @@id([...]); "
                "a table without one is @@readonly", m->name);
        return 1;
    }
    /* a generated key is one column: SQLite's AUTOINCREMENT and an identity
     * column each stand alone (and the printer writes a composite key as @@id) */
    if (m->npk > 1)
        for (size_t i = 0; i < m->nf; i++)
            if ((m->f[i].f.flags & SINEW_FIELD_AUTO) && (m->f[i].f.flags & SINEW_FIELD_PK))
                sn_rs_err(r, m->f[i].f.loc.line, m->f[i].f.loc.col,
                    "@auto needs a key of one field, but %s's key has %zu; drop @auto or give %s a single @id",
                    m->name, m->npk, m->name);
    return 0;
}
