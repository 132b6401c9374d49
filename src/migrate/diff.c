/*
 * diff.c - compares two schema graphs and lists the operations that turn
 * the first into the second, in an order that is safe to execute: foreign
 * keys and indexes are dropped first, then renames, new tables (referenced
 * ones first), column changes, dropped tables (referencing ones first), and
 * finally new indexes and foreign keys.
 *
 * Tables and columns are matched by SQL name, then through renamed_from
 * (in either direction, so the diff from the new graph back to the old one
 * turns a rename around). A dropped and an added column of the same type in
 * one table is recorded as a suspected rename: `migrate make` refuses it
 * unless told otherwise. Steps that lose data are flagged destructive.
 */
#include <stdlib.h>
#include <string.h>
#include "migrate/diff.h"
#include "schema/introspect.h"

typedef struct tmatch {
    const sinew_model *from, *to;
    int *fmap;                  /* to field -> from field or -1 */
    int *rmap;                  /* from field -> to field or -1 */
} tmatch;

typedef struct ctx {
    sn_diff *d;
    sn_arena *a;
    const sinew_schema *from, *to;
    tmatch *m;                  /* one per to-model */
    const sinew_model **dropped;/* from-models with no match */
    size_t ndropped;
} ctx;

static size_t nmodels(const sinew_schema *s) { return s ? s->nmodels : 0; }

static sn_op *push(ctx *c, sn_op_kind k, const sinew_model *fm, const sinew_model *tm)
{
    sn_diff *d = c->d;
    if (d->nops == d->cap) {
        size_t nc = d->cap ? d->cap * 2 : 16;
        sn_op *n = sn_arena_calloc(c->a, nc * sizeof *n);
        if (!n) return NULL;
        if (d->ops) memcpy(n, d->ops, d->nops * sizeof *n);
        d->ops = n;
        d->cap = nc;
    }
    sn_op *op = &d->ops[d->nops++];
    memset(op, 0, sizeof *op);
    op->kind = k;
    op->from_m = fm;
    op->to_m = tm;
    op->from_f = op->to_f = -1;
    return op;
}

static int same(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }
/* @@schema: both unsaid, or the same name (a table moved to another schema is dropped and created) */
static int same_schema(const sinew_model *a, const sinew_model *b) { return sn_same_db_schema(a, b); }
/* "schema.table" for the descriptions of table operations */
static const char *qname(sn_arena *a, const sinew_model *m)
{
    return m->db_schema ? sn_arena_printf(a, "%s.%s", m->db_schema, m->table) : m->table;
}

static const sinew_model *match_table(const sinew_schema *from, const sinew_model *t,
                                      const unsigned char *used)
{
    for (size_t i = 0; i < nmodels(from); i++)
        if (!used[i] && same(from->models[i]->table, t->table) && same_schema(from->models[i], t)) return from->models[i];
    for (size_t i = 0; i < nmodels(from); i++) {
        const sinew_model *f = from->models[i];
        if (used[i] || !same_schema(f, t)) continue;
        if (t->renamed_from && (same(f->table, t->renamed_from) || same(f->name, t->renamed_from))) return f;
        if (f->renamed_from && (same(t->table, f->renamed_from) || same(t->name, f->renamed_from))) return f;
    }
    return NULL;
}

static void match_fields(tmatch *m)
{
    const sinew_model *f = m->from, *t = m->to;
    for (size_t i = 0; i < t->nfields; i++) m->fmap[i] = -1;
    for (size_t j = 0; j < f->nfields; j++) m->rmap[j] = -1;
    for (size_t i = 0; i < t->nfields; i++)
        for (size_t j = 0; j < f->nfields; j++)
            if (m->rmap[j] < 0 && same(t->fields[i].column, f->fields[j].column)) {
                m->fmap[i] = (int)j;
                m->rmap[j] = (int)i;
                break;
            }
    for (size_t i = 0; i < t->nfields; i++) {
        if (m->fmap[i] >= 0) continue;
        const sinew_field *tf = &t->fields[i];
        for (size_t j = 0; j < f->nfields; j++) {
            const sinew_field *ff = &f->fields[j];
            if (m->rmap[j] >= 0) continue;
            if ((tf->renamed_from && (same(ff->column, tf->renamed_from) || same(ff->name, tf->renamed_from))) ||
                (ff->renamed_from && (same(tf->column, ff->renamed_from) || same(tf->name, ff->renamed_from)))) {
                m->fmap[i] = (int)j;
                m->rmap[j] = (int)i;
                break;
            }
        }
    }
}

static tmatch *find_to(ctx *c, const sinew_model *from)
{
    for (size_t i = 0; i < nmodels(c->to); i++)
        if (c->m[i].from == from) return &c->m[i];
    return NULL;
}

/* The name a from-side column has on the to side (itself when it has no match). */
static const char *to_col(ctx *c, const sinew_model *fm, const char *col)
{
    tmatch *m = find_to(c, fm);
    if (!m) return col;
    int j = sinew_model_column_index(fm, col);
    if (j < 0 || m->rmap[j] < 0) return col;
    return m->to->fields[m->rmap[j]].column;
}

static int ix_equal(ctx *c, const sinew_model *fm, const sn_ixdef *f, const sn_ixdef *t)
{
    if (f->unique != t->unique || f->ncols != t->ncols) return 0;
    if ((!t->unique || t->where) && !same(f->name, t->name)) return 0;
    if (!same(f->where, t->where) && (f->where || t->where)) return 0;   /* a predicate added, dropped or changed */
    for (size_t i = 0; i < f->ncols; i++)
        if (!same(to_col(c, fm, f->cols[i]), t->cols[i])) return 0;
    return 1;
}

static int fk_equal(ctx *c, const sinew_model *fm, const sinew_relation *f, const sinew_model *tm,
                    const sinew_relation *t)
{
    if (f->nkeys != t->nkeys || f->on_delete != t->on_delete || f->on_update != t->on_update) return 0;
    if (!same(f->fk_name, t->fk_name) && (f->fk_name || t->fk_name)) return 0;   /* renamed: dropped and added */
    tmatch *tg = find_to(c, f->target);
    if (!tg || !same(tg->to->table, t->target->table) || !same_schema(tg->to, t->target)) return 0;
    for (size_t i = 0; i < f->nkeys; i++) {
        if (!same(to_col(c, fm, fm->fields[f->local[i]].column), tm->fields[t->local[i]].column)) return 0;
        if (!same(to_col(c, f->target, f->target->fields[f->remote[i]].column),
                  t->target->fields[t->remote[i]].column)) return 0;
    }
    return 1;
}

static int widening(sinew_type from, sinew_type to)
{
    if (to == SINEW_TEXT) return 1;
    if (from == SINEW_INT32 && (to == SINEW_INT64 || to == SINEW_DOUBLE || to == SINEW_DECIMAL)) return 1;
    if (from == SINEW_INT64 && to == SINEW_DECIMAL) return 1;
    if (from == SINEW_BOOL && (to == SINEW_INT32 || to == SINEW_INT64)) return 1;
    return 0;
}

static int def_equal(const sinew_default *a, const sinew_default *b)
{
    if (a->kind != b->kind) return 0;
    if (a->kind != SINEW_DEFAULT_VALUE) return 1;
    return same(a->value, b->value) || (!a->value && !b->value);
}

static int diff_table(ctx *c, tmatch *m)
{
    const sinew_model *fm = m->from, *tm = m->to;
    sn_op *op;
    if (!same(fm->table, tm->table)) {
        if (!(op = push(c, SN_OP_RENAME_TABLE, fm, tm))) return SINEW_NOMEM;
        op->what = sn_arena_printf(c->a, "rename table %s to %s", fm->table, tm->table);
    }
    for (size_t i = 0; i < tm->nfields; i++) {
        const sinew_field *tf = &tm->fields[i];
        int j = m->fmap[i];
        if (j < 0) {
            if (!(op = push(c, SN_OP_ADD_COLUMN, fm, tm))) return SINEW_NOMEM;
            op->to_f = (int)i;
            op->what = sn_arena_printf(c->a, "add column %s.%s", tm->table, tf->column);
            continue;
        }
        const sinew_field *ff = &fm->fields[j];
        if (!same(ff->column, tf->column)) {
            if (!(op = push(c, SN_OP_RENAME_COLUMN, fm, tm))) return SINEW_NOMEM;
            op->from_f = j;
            op->to_f = (int)i;
            op->what = sn_arena_printf(c->a, "rename column %s.%s to %s", tm->table, ff->column, tf->column);
        }
        unsigned alter = 0;
        if (ff->type != tf->type) alter |= SN_ALTER_TYPE;
        /* a declared type (@db_type) added, dropped or changed: NUMERIC(5,2) -> NUMERIC(10,2) */
        int da = (ff->flags & SINEW_FIELD_DB_TYPE) && ff->db_type, db = (tf->flags & SINEW_FIELD_DB_TYPE) && tf->db_type;
        if (da != db || (da && !sn_declared_type_same(ff->db_type, tf->db_type))) alter |= SN_ALTER_TYPE;
        if ((ff->flags ^ tf->flags) & SINEW_FIELD_NULLABLE) alter |= SN_ALTER_NULL;
        if (!def_equal(&ff->def, &tf->def)) alter |= SN_ALTER_DEFAULT;
        if (alter) {
            if (!(op = push(c, SN_OP_ALTER_COLUMN, fm, tm))) return SINEW_NOMEM;
            op->from_f = j;
            op->to_f = (int)i;
            op->alter = alter;
            /* a new declared type may be narrower (NUMERIC(10,2) -> NUMERIC(5,2)): destructive too */
            op->destructive = (alter & SN_ALTER_TYPE) && (ff->type == tf->type || !widening(ff->type, tf->type));
            op->what = sn_arena_printf(c->a, "alter column %s.%s:%s%s%s", tm->table, tf->column,
                                       alter & SN_ALTER_TYPE ? " type" : "",
                                       alter & SN_ALTER_NULL ? " nullability" : "",
                                       alter & SN_ALTER_DEFAULT ? " default" : "");
        }
    }
    for (size_t j = 0; j < fm->nfields; j++) {
        if (m->rmap[j] >= 0) continue;
        if (!(op = push(c, SN_OP_DROP_COLUMN, fm, tm))) return SINEW_NOMEM;
        op->from_f = (int)j;
        op->destructive = 1;
        op->what = sn_arena_printf(c->a, "drop column %s.%s", tm->table, fm->fields[j].column);
        for (size_t i = 0; i < tm->nfields && !c->d->suspect; i++)
            if (m->fmap[i] < 0 && tm->fields[i].type == fm->fields[j].type)
                c->d->suspect = sn_arena_printf(c->a,
                    "table %s: column %s is dropped and column %s of the same type is added; if this is a "
                    "rename, add @renamed_from(%s) to %s, otherwise pass --allow-destructive to drop %s",
                    tm->table, fm->fields[j].column, tm->fields[i].column, fm->fields[j].name,
                    tm->fields[i].name, fm->fields[j].column);
    }
    /* primary key */
    int pk_changed = fm->npk != tm->npk;
    for (size_t k = 0; !pk_changed && k < tm->npk; k++)
        pk_changed = !same(to_col(c, fm, fm->fields[fm->pk[k]].column), tm->fields[tm->pk[k]].column);
    if (!same(fm->pk_name, tm->pk_name) && (fm->pk_name || tm->pk_name)) pk_changed = 1;   /* renamed */
    if (pk_changed) {
        if (!(op = push(c, SN_OP_ALTER_PK, fm, tm))) return SINEW_NOMEM;
        op->what = sn_arena_printf(c->a, "change the primary key of %s", tm->table);
    }
    /* indexes and unique constraints */
    sn_ixdef *fi, *ti;
    size_t nf = sn_model_ixdefs(c->a, fm, &fi), nt = sn_model_ixdefs(c->a, tm, &ti);
    if (!fi || !ti) return SINEW_NOMEM;
    for (size_t x = 0; x < nf; x++) {
        size_t y = 0;
        while (y < nt && !ix_equal(c, fm, &fi[x], &ti[y])) y++;
        if (y < nt) continue;
        /* a partial unique index is an index, not a table constraint */
        if (!(op = push(c, fi[x].unique && !fi[x].where ? SN_OP_DROP_UNIQUE : SN_OP_DROP_INDEX, fm, tm))) return SINEW_NOMEM;
        op->ix = fi[x];
        op->what = sn_arena_printf(c->a, "drop %s %s", fi[x].unique ? "unique constraint" : "index", fi[x].name);
    }
    for (size_t y = 0; y < nt; y++) {
        size_t x = 0;
        while (x < nf && !ix_equal(c, fm, &fi[x], &ti[y])) x++;
        if (x < nf) continue;
        if (!(op = push(c, ti[y].unique && !ti[y].where ? SN_OP_ADD_UNIQUE : SN_OP_ADD_INDEX, fm, tm))) return SINEW_NOMEM;
        op->ix = ti[y];
        op->what = sn_arena_printf(c->a, "add %s %s", ti[y].unique ? "unique constraint" : "index", ti[y].name);
    }
    /* foreign keys */
    for (size_t r = 0; r < fm->nrelations; r++) {
        const sinew_relation *fr = &fm->relations[r];
        if (fr->kind != SINEW_BELONGS_TO) continue;
        size_t s = 0;
        for (; s < tm->nrelations; s++)
            if (tm->relations[s].kind == SINEW_BELONGS_TO && fk_equal(c, fm, fr, tm, &tm->relations[s])) break;
        if (s < tm->nrelations) continue;
        if (!(op = push(c, SN_OP_DROP_FK, fm, tm))) return SINEW_NOMEM;
        op->rel = fr;
        op->what = sn_arena_printf(c->a, "drop foreign key %s.%s -> %s", fm->table,
                                   fm->fields[fr->local[0]].column, fr->target->table);
    }
    for (size_t s = 0; s < tm->nrelations; s++) {
        const sinew_relation *tr = &tm->relations[s];
        if (tr->kind != SINEW_BELONGS_TO) continue;
        size_t r = 0;
        for (; r < fm->nrelations; r++)
            if (fm->relations[r].kind == SINEW_BELONGS_TO && fk_equal(c, fm, &fm->relations[r], tm, tr)) break;
        if (r < fm->nrelations) continue;
        if (!(op = push(c, SN_OP_ADD_FK, fm, tm))) return SINEW_NOMEM;
        op->rel = tr;
        op->what = sn_arena_printf(c->a, "add foreign key %s.%s -> %s", tm->table,
                                   tm->fields[tr->local[0]].column, tr->target->table);
    }
    /* a polymorphic relation's CHECK, by its name (a @@check changed by hand is the migration author's) */
    for (int side = 0; side < 2; side++) {
        const sinew_model *x = side ? tm : fm, *y = side ? fm : tm;
        for (size_t k = 0; k < x->npolys; k++) {
            const sinew_poly *p = &x->polys[k];
            size_t j = 0;
            while (j < y->npolys && !(y->polys[j].check_name && p->check_name &&
                                      !strcmp(y->polys[j].check_name, p->check_name)))
                j++;
            if (j < y->npolys || !p->check_name) continue;
            if (!(op = push(c, side ? SN_OP_ADD_CHECK : SN_OP_DROP_CHECK, fm, tm))) return SINEW_NOMEM;
            op->poly = p;
            op->what = sn_arena_printf(c->a, "%s check %s (polymorphic relation %s)", side ? "add" : "drop",
                                       p->check_name, p->name);
        }
    }
    return SINEW_OK;
}

/*
 * A column whose type changes (an int32 key made int64, or back) takes its foreign keys with it
 * where a foreign key's column must have the referenced column's type (InnoDB: it refuses to
 * change a column a foreign key uses, and a key of another type): each foreign key of a kept table
 * over a changed column is dropped before and added again after the change, and a referencing
 * column whose type is written with the key's (sn_sql_type_field) changes too, which may in turn
 * change the columns referencing it. These steps are marked `follows`: the plan renders them only
 * for a dialect that needs them (sn_plan_applies), so PostgreSQL and SQLite get the same SQL as
 * before.
 */
typedef struct colref { const sinew_model *m; size_t f; } colref;

static int changed(const colref *v, size_t n, const sinew_model *m, size_t f)
{
    for (size_t i = 0; i < n; i++) if (v[i].m == m && v[i].f == f) return 1;
    return 0;
}

static int has_alter(const sn_diff *d, const sinew_model *tm, size_t f)
{
    for (size_t i = 0; i < d->nops; i++)
        if (d->ops[i].kind == SN_OP_ALTER_COLUMN && d->ops[i].to_m == tm && d->ops[i].to_f == (int)f) return 1;
    return 0;
}

static int follow_key_types(ctx *c)
{
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < c->d->nops; i++) cap += c->d->ops[i].kind == SN_OP_ALTER_COLUMN;
    if (!cap) return SINEW_OK;
    size_t nt = nmodels(c->to);
    for (size_t i = 0; i < nt; i++) cap += c->m[i].to->nfields;
    colref *v = sn_arena_alloc(c->a, cap * sizeof *v);
    if (!v) return SINEW_NOMEM;
    for (size_t i = 0; i < c->d->nops; i++) {
        const sn_op *op = &c->d->ops[i];
        if (op->kind == SN_OP_ALTER_COLUMN && (op->alter & SN_ALTER_TYPE)) v[n++] = (colref){op->to_m, (size_t)op->to_f};
    }
    if (!n) return SINEW_OK;
    /* the foreign keys already dropped and added again here, by to-relation */
    const sinew_relation **done = sn_arena_calloc(c->a, cap * sizeof *done);
    if (!done) return SINEW_NOMEM;
    size_t ndone = 0;
    for (int progress = 1; progress;) {
        progress = 0;
        for (size_t i = 0; i < nt; i++) {
            tmatch *m = &c->m[i];
            if (!m->from) continue;
            const sinew_model *fm = m->from, *tm = m->to;
            for (size_t s = 0; s < tm->nrelations; s++) {
                const sinew_relation *tr = &tm->relations[s];
                if (tr->kind != SINEW_BELONGS_TO || !tr->target) continue;
                int hit = 0;
                for (size_t k = 0; k < tr->nkeys; k++) {
                    int remote = changed(v, n, tr->target, tr->remote[k]);
                    hit |= remote || changed(v, n, tm, tr->local[k]);
                    /* the referencing column is written with the key's type: it may change with it */
                    if (remote && !changed(v, n, tm, tr->local[k]) && n < cap) {
                        v[n++] = (colref){tm, tr->local[k]};
                        progress = 1;
                        int j = m->fmap[tr->local[k]];
                        if (j < 0 || has_alter(c->d, tm, tr->local[k])) continue;
                        sn_op *op = push(c, SN_OP_ALTER_COLUMN, fm, tm);
                        if (!op) return SINEW_NOMEM;
                        op->from_f = j;
                        op->to_f = (int)tr->local[k];
                        op->alter = SN_ALTER_KEY_TYPE;
                        op->follows = 1;
                        op->what = sn_arena_printf(c->a, "alter column %s.%s: type, as the key it refers to",
                                                   tm->table, tm->fields[tr->local[k]].column);
                    }
                }
                int seen = 0;
                for (size_t x = 0; x < ndone && !seen; x++) seen = done[x] == tr;
                if (!hit || seen || ndone == cap) continue;
                size_t r = 0;
                while (r < fm->nrelations &&
                       !(fm->relations[r].kind == SINEW_BELONGS_TO && fk_equal(c, fm, &fm->relations[r], tm, tr)))
                    r++;
                done[ndone++] = tr;
                if (r == fm->nrelations) continue;   /* a new or changed key: the diff drops and adds it already */
                sn_op *drop = push(c, SN_OP_DROP_FK, fm, tm);
                if (!drop) return SINEW_NOMEM;
                drop->rel = &fm->relations[r];
                drop->follows = 1;
                drop->what = sn_arena_printf(c->a, "drop foreign key %s.%s -> %s while the key's type changes",
                                             fm->table, fm->fields[drop->rel->local[0]].column, drop->rel->target->table);
                sn_op *add = push(c, SN_OP_ADD_FK, fm, tm);
                if (!add) return SINEW_NOMEM;
                add->rel = tr;
                add->follows = 1;
                add->what = sn_arena_printf(c->a, "add foreign key %s.%s -> %s again", tm->table,
                                            tm->fields[tr->local[0]].column, tr->target->table);
            }
        }
    }
    /* a table the diff drops (after the columns change) loses its foreign keys into them first */
    for (size_t i = 0; i < c->ndropped; i++) {
        const sinew_model *fm = c->dropped[i];
        for (size_t r = 0; r < fm->nrelations; r++) {
            const sinew_relation *fr = &fm->relations[r];
            tmatch *tg = fr->kind == SINEW_BELONGS_TO && fr->target ? find_to(c, fr->target) : NULL;
            int hit = 0;
            for (size_t k = 0; tg && k < fr->nkeys && !hit; k++)
                hit = tg->rmap[fr->remote[k]] >= 0 && changed(v, n, tg->to, (size_t)tg->rmap[fr->remote[k]]);
            if (!hit) continue;
            sn_op *drop = push(c, SN_OP_DROP_FK, fm, NULL);
            if (!drop) return SINEW_NOMEM;
            drop->rel = fr;
            drop->follows = 1;
            drop->what = sn_arena_printf(c->a, "drop foreign key %s.%s -> %s before its key's type changes",
                                         fm->table, fm->fields[fr->local[0]].column, fr->target->table);
        }
    }
    return SINEW_OK;
}

/* 1 when the diff changes the type of a column the foreign key tr refers to */
static int retyped(const sn_diff *d, const sinew_relation *tr)
{
    for (size_t i = 0; i < d->nops; i++) {
        const sn_op *op = &d->ops[i];
        if (op->kind != SN_OP_ALTER_COLUMN || op->to_m != tr->target || !(op->alter & (SN_ALTER_TYPE | SN_ALTER_KEY_TYPE)))
            continue;
        for (size_t k = 0; k < tr->nkeys; k++)
            if ((int)tr->remote[k] == op->to_f) return 1;
    }
    return 0;
}

static int refers(const sinew_model *m, const sinew_model *target)
{
    for (size_t r = 0; r < m->nrelations; r++)
        if (m->relations[r].kind == SINEW_BELONGS_TO && m->relations[r].target == target && target != m)
            return 1;
    return 0;
}

/* Models in dependency order: referenced ones before those that refer to them. */
static int topo(sn_arena *a, const sinew_model **v, size_t n)
{
    const sinew_model **out = sn_arena_alloc(a, (n ? n : 1) * sizeof *out);
    unsigned char *done = sn_arena_calloc(a, n ? n : 1);
    if (!out || !done) return SINEW_NOMEM;
    size_t k = 0;
    while (k < n) {
        int progress = 0;
        for (size_t i = 0; i < n; i++) {
            if (done[i]) continue;
            int ready = 1;
            for (size_t j = 0; j < n && ready; j++)
                if (!done[j] && j != i && refers(v[i], v[j])) ready = 0;
            if (ready) { out[k++] = v[i]; done[i] = 1; progress = 1; }
        }
        if (!progress)      /* a cycle: declaration order for the rest */
            for (size_t i = 0; i < n; i++) if (!done[i]) { out[k++] = v[i]; done[i] = 1; }
    }
    memcpy(v, out, n * sizeof *v);
    return SINEW_OK;
}

/*
 * Descriptions name tables and columns as they are; they end up in "--"
 * comment lines of migration files and in messages, so control characters
 * in a name (a newline would end the comment) are escaped here, once.
 */
static const char *inert(sn_arena *a, const char *s)
{
    if (!s) return s;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && *p >= 0x20 && *p != 0x7f && *p != '\\') p++;
    if (!*p) return s;
    sn_buf b;
    sn_buf_init(&b);
    sn_sql_escape_text(&b, s);
    const char *r = b.failed ? NULL : sn_arena_strdup(a, sn_buf_cstr(&b));
    sn_buf_free(&b);
    return r;
}

static int cmp_op(const void *x, const void *y)
{
    const sn_op *a = x, *b = y;
    if (a->kind != b->kind) return a->kind < b->kind ? -1 : 1;
    return 0;
}

int sn_diff_schemas(const sinew_schema *from, const sinew_schema *to, sn_diff *d)
{
    memset(d, 0, sizeof *d);
    sn_arena_init(&d->arena, 8192);
    ctx c = {d, &d->arena, from, to, NULL, NULL, 0};
    size_t nf = nmodels(from), nt = nmodels(to);
    c.m = sn_arena_calloc(c.a, (nt ? nt : 1) * sizeof *c.m);
    unsigned char *used = sn_arena_calloc(c.a, nf ? nf : 1);
    c.dropped = sn_arena_calloc(c.a, (nf ? nf : 1) * sizeof *c.dropped);
    const sinew_model **created = sn_arena_calloc(c.a, (nt ? nt : 1) * sizeof *created);
    if (!c.m || !used || !c.dropped || !created) goto nomem;
    size_t ncreated = 0;
    for (size_t i = 0; i < nt; i++) {
        const sinew_model *t = to->models[i];
        const sinew_model *f = match_table(from, t, used);
        c.m[i].to = t;
        c.m[i].from = f;
        if (t->flags & SINEW_MODEL_VIEW) {   /* views are the migration's own SQL: never created nor altered */
            for (size_t j = 0; f && j < nf; j++) if (from->models[j] == f) used[j] = 1;
            c.m[i].from = NULL;
            continue;
        }
        if (!f) { created[ncreated++] = t; continue; }
        for (size_t j = 0; j < nf; j++) if (from->models[j] == f) used[j] = 1;
        c.m[i].fmap = sn_arena_alloc(c.a, (t->nfields + 1) * sizeof(int));
        c.m[i].rmap = sn_arena_alloc(c.a, (f->nfields + 1) * sizeof(int));
        if (!c.m[i].fmap || !c.m[i].rmap) goto nomem;
        match_fields(&c.m[i]);
    }
    for (size_t j = 0; j < nf; j++)
        if (!used[j] && !(from->models[j]->flags & SINEW_MODEL_VIEW)) c.dropped[c.ndropped++] = from->models[j];
    for (size_t i = 0; i < nt; i++)
        if (c.m[i].from && diff_table(&c, &c.m[i])) goto nomem;
    if (follow_key_types(&c)) goto nomem;
    if (topo(c.a, created, ncreated) || topo(c.a, c.dropped, c.ndropped)) goto nomem;
    int distributed = 0;
    for (size_t i = 0; i < nt; i++) distributed |= to->models[i]->distribution != SINEW_DIST_UNSAID;
    for (size_t i = 0; i < ncreated; i++) {
        sn_op *op = push(&c, SN_OP_CREATE_TABLE, NULL, created[i]);
        if (!op) goto nomem;
        op->what = sn_arena_printf(c.a, "create table %s", qname(c.a, created[i]));
        op->deferred = distributed;
        const size_t at = d->nops - 1;
        /* a key into a column whose type changes: where the types must match, it is added after the change */
        for (size_t r = 0; !distributed && r < created[i]->nrelations; r++) {
            const sinew_relation *tr = &created[i]->relations[r];
            if (tr->kind != SINEW_BELONGS_TO || !retyped(d, tr)) continue;
            sn_op *fk = push(&c, SN_OP_ADD_FK, NULL, created[i]);
            if (!fk) goto nomem;
            d->ops[at].fks_after = 1;   /* the CREATE_TABLE (push may have moved the array) */
            fk->rel = tr;
            fk->follows = 1;
            fk->what = sn_arena_printf(c.a, "add foreign key %s.%s -> %s after its key's type changes",
                                       created[i]->table, created[i]->fields[tr->local[0]].column, tr->target->table);
        }
        for (size_t r = 0; distributed && r < created[i]->nrelations; r++) {
            const sinew_relation *tr = &created[i]->relations[r];
            if (tr->kind != SINEW_BELONGS_TO) continue;
            sn_op *fk = push(&c, SN_OP_ADD_FK, NULL, created[i]);
            if (!fk) goto nomem;
            fk->rel = tr;
            fk->deferred = 1;
            fk->what = sn_arena_printf(c.a, "add foreign key %s.%s -> %s", created[i]->table,
                                       created[i]->fields[tr->local[0]].column, tr->target->table);
        }
    }
    /* distribution: tables created distributed and tables whose distribution changed, in key order */
    const sinew_model **dist = sn_arena_calloc(c.a, (nt ? nt : 1) * sizeof *dist);
    const sinew_model **dist_from = sn_arena_calloc(c.a, (nt ? nt : 1) * sizeof *dist_from);
    if (!dist || !dist_from) goto nomem;
    size_t ndist = 0;
    for (size_t i = 0; i < nt; i++)
        if (!sn_sql_same_distribution(c.m[i].from, c.m[i].to)) dist[ndist++] = c.m[i].to;
    if (topo(c.a, dist, ndist)) goto nomem;
    for (size_t i = 0; i < ndist; i++) {
        for (size_t k = 0; k < nt; k++)
            if (c.m[k].to == dist[i]) dist_from[i] = c.m[k].from;
        sn_op *op = push(&c, SN_OP_DISTRIBUTE, dist_from[i], dist[i]);
        if (!op) goto nomem;
        const sinew_model *t = dist[i];
        op->what = t->distribution == SINEW_DIST_HASH
                       ? sn_arena_printf(c.a, "distribute table %s by %s", t->table, t->fields[t->dist_field].column)
                   : t->distribution == SINEW_DIST_REFERENCE
                       ? sn_arena_printf(c.a, "make %s a reference table", t->table)
                       : sn_arena_printf(c.a, "make %s a local table again", t->table);
    }
    for (size_t i = c.ndropped; i-- > 0;) {
        const sinew_model *fm = c.dropped[i];
        sn_op *op = push(&c, SN_OP_DROP_TABLE, fm, NULL);
        if (!op) goto nomem;
        op->destructive = 1;
        op->what = sn_arena_printf(c.a, "drop table %s", qname(c.a, fm));
        /* foreign keys from kept tables into it were handled by diff_table */
    }
    if (d->nops) {
        /* stable sort by kind: keep generation order within a kind */
        for (size_t i = 1; i < d->nops; i++) {
            sn_op t = d->ops[i];
            size_t j = i;
            while (j > 0 && cmp_op(&d->ops[j - 1], &t) > 0) { d->ops[j] = d->ops[j - 1]; j--; }
            d->ops[j] = t;
        }
    }
    for (size_t i = 0; i < d->nops; i++) {
        d->ndestructive += d->ops[i].destructive;
        if (d->ops[i].what && !(d->ops[i].what = inert(c.a, d->ops[i].what))) goto nomem;
    }
    if (d->suspect && !(d->suspect = inert(c.a, d->suspect))) goto nomem;
    return SINEW_OK;
nomem:
    sn_diff_free(d);
    return sn_nomem();
}

void sn_diff_free(sn_diff *d)
{
    if (!d) return;
    sn_arena_free(&d->arena);
    memset(d, 0, sizeof *d);
}
