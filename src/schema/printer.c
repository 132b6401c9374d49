/*
 * printer.c - a schema graph as canonical .sinew text: declarations in
 * graph order, one field per line with aligned columns, attributes only
 * where they differ from the conventions (so a parsed file and a pulled
 * database both print the shortest faithful text). Synthesised join tables
 * are not printed: the many-to-many fields that made them are.
 */
#include <stdio.h>
#include <string.h>
#include "lang.h"

static void str_lit(sn_buf *b, const char *s)
{
    sn_buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') sn_buf_putc(b, '\\');
        if (*s == '\n') {
            sn_buf_puts(b, "\\n");
            continue;
        }
        if (*s == '\t') {
            sn_buf_puts(b, "\\t");
            continue;
        }
        sn_buf_putc(b, *s);
    }
    sn_buf_putc(b, '"');
}

static void doc(sn_buf *b, const char *d, const char *indent)
{
    if (!d || !*d) return;
    const char *p = d;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        sn_buf_printf(b, "%s/// %.*s\n", indent, (int)n, p);
        p += n + (e ? 1 : 0);
    }
}

static const char *action(sinew_fk_action a)
{
    static const char *const n[] = {"no_action", "restrict", "cascade", "set_null", "set_default"};
    return n[a <= SINEW_FK_SET_DEFAULT ? a : 0];
}

/* the relation whose implicit FK fields are exactly fields[0..n) */
static const sinew_relation *rel_of_fields(const sinew_model *m, const unsigned *fields, size_t n)
{
    for (size_t r = 0; r < m->nrelations; r++) {
        const sinew_relation *rel = &m->relations[r];
        if (rel->kind != SINEW_BELONGS_TO || rel->nkeys != n) continue;
        if (!(m->fields[rel->local[0]].flags & SINEW_FIELD_IMPLICIT)) continue;
        int same = 1;
        for (size_t k = 0; k < n; k++) same &= rel->local[k] == fields[k];
        if (same) return rel;
    }
    return NULL;
}

/* a list of fields as the schema names them: implicit keys by their relation */
static void name_list(sn_buf *b, const sinew_model *m, const unsigned *fields, size_t n)
{
    sn_buf_putc(b, '[');
    int first = 1;
    for (size_t i = 0; i < n;) {
        if (!first) sn_buf_puts(b, ", ");
        first = 0;
        const sinew_field *f = &m->fields[fields[i]];
        if (f->flags & SINEW_FIELD_IMPLICIT) {
            for (size_t r = 0; r < m->nrelations; r++) {
                const sinew_relation *rel = &m->relations[r];
                if (rel->kind != SINEW_BELONGS_TO || i + rel->nkeys > n) continue;
                if (rel_of_fields(m, fields + i, rel->nkeys) == rel) {
                    sn_buf_puts(b, rel->name);
                    i += rel->nkeys;
                    goto next;
                }
            }
        }
        sn_buf_puts(b, f->name);
        i++;
    next:;
    }
    sn_buf_putc(b, ']');
}

typedef struct member {
    int order;
    int is_rel;
    size_t idx;
} member;

static void field_line(sn_buf *b, const sinew_model *m, const sinew_field *f, int width, int twidth)
{
    char type[128];
    snprintf(type, sizeof type, "%s%s", f->enum_type ? f->enum_type->name : sinew_type_name(f->type),
             (f->flags & SINEW_FIELD_NULLABLE) ? "?" : "");
    sn_buf_printf(b, "  %-*s %-*s", width, f->name, twidth, type);
    size_t start = b->len;
    if ((f->flags & SINEW_FIELD_PK) && m->npk == 1) {
        sn_buf_puts(b, " @id");
        if (m->pk_name) {
            sn_buf_puts(b, "(name: ");
            str_lit(b, m->pk_name);
            sn_buf_putc(b, ')');
        }
    }
    if (f->flags & SINEW_FIELD_AUTO) sn_buf_puts(b, " @auto");
    if (f->flags & SINEW_FIELD_UNIQUE) sn_buf_puts(b, " @unique");
    if (f->flags & SINEW_FIELD_INDEX) sn_buf_puts(b, " @index");
    if (f->flags & SINEW_FIELD_VERSION) sn_buf_puts(b, " @version");
    if (f->flags & SINEW_FIELD_UPDATED_AT) sn_buf_puts(b, " @updated_at");
    if (f->def.kind == SINEW_DEFAULT_NOW) sn_buf_puts(b, " @default(now)");
    else if (f->def.kind == SINEW_DEFAULT_UUID) sn_buf_puts(b, " @default(uuid)");
    else if (f->def.kind == SINEW_DEFAULT_VALUE && f->def.value) sn_buf_printf(b, " @default(%s)", f->def.value);
    if (strcmp(f->column, f->name)) {
        sn_buf_puts(b, " @map(");
        str_lit(b, f->column);
        sn_buf_putc(b, ')');
    }
    if ((f->flags & SINEW_FIELD_DB_TYPE) && f->db_type) {
        sn_buf_puts(b, " @db_type(");
        str_lit(b, f->db_type);
        sn_buf_putc(b, ')');
    }
    if (f->generated) {
        sn_buf_puts(b, " @generated(");
        str_lit(b, f->generated);
        if (f->flags & SINEW_FIELD_VIRTUAL) sn_buf_puts(b, ", virtual");
        sn_buf_putc(b, ')');
    }
    if (f->check) {
        sn_buf_puts(b, " @check(");
        str_lit(b, f->check);
        sn_buf_putc(b, ')');
    }
    if (f->renamed_from) sn_buf_printf(b, " @renamed_from(%s)", f->renamed_from);
    if (f->rules) {
        if (f->rules->min_len >= 0 || f->rules->max_len >= 0)
            sn_buf_printf(b, " @length(%lld, %lld)", (long long)(f->rules->min_len < 0 ? 0 : f->rules->min_len),
                          (long long)f->rules->max_len);
        if (f->rules->has_min || f->rules->has_max) sn_buf_printf(b, " @range(%.17g, %.17g)", f->rules->min, f->rules->max);
        if (f->rules->pattern) {
            sn_buf_puts(b, " @pattern(");
            str_lit(b, f->rules->pattern);
            sn_buf_putc(b, ')');
        }
    }
    if (b->len == start) {   /* no trailing blanks after the type */
        while (b->len && b->data[b->len - 1] == ' ') b->len--;
        b->data[b->len] = '\0';
    }
    sn_buf_putc(b, '\n');
}

/*
 * An index the resolver would make by itself: non-unique, over exactly one
 * to-one's foreign key, with the default name, and not led by the key or any
 * other index (else the resolver would not make it). Not printed: parsing
 * the text gives it back. (A pulled database's index on a foreign key reads
 * the same way.)
 */
/* sinew's own name for an index: <table>_<columns>_idx (unique: _key), as the resolver makes it */
static void default_index_name(char *want, size_t cap, const sinew_model *m, const sinew_index *ix)
{
    size_t nl = (size_t)snprintf(want, cap, "%s", m->table);
    for (size_t k = 0; k < ix->nfields && nl < cap; k++)
        nl += (size_t)snprintf(want + nl, cap - nl, "_%s", m->fields[ix->fields[k]].column);
    if (nl < cap) snprintf(want + nl, cap - nl, "%s", ix->unique ? "_key" : "_idx");
}

/* a unique index of a @@soft_delete model whose predicate is the one the resolver gives it ("col" IS NULL):
 * written as plain @@unique([..]), as the schema had it */
static int soft_predicate(const sinew_model *m, const sinew_index *ix)
{
    int f = sinew_model_soft_delete_field(m);
    if (f < 0 || !ix->unique || !ix->where) return 0;
    const char *w = ix->where, *c = m->fields[f].column;
    if (*w++ != '"') return 0;
    for (; *c; c++, w++) {
        if (*c == '"' && *w++ != '"') return 0;
        if (*w != *c) return 0;
    }
    return !strcmp(w, "\" IS NULL");
}

static int automatic_index(const sinew_model *m, size_t x)
{
    const sinew_index *ix = &m->indexes[x];
    if (ix->unique || ix->where) return 0;
    const sinew_relation *rel = rel_of_fields(m, ix->fields, ix->nfields);
    if (!rel) {   /* explicit @fk fields */
        for (size_t r = 0; r < m->nrelations && !rel; r++) {
            const sinew_relation *q = &m->relations[r];
            if (q->kind != SINEW_BELONGS_TO || q->nkeys != ix->nfields) continue;
            int same = 1;
            for (size_t k = 0; k < q->nkeys; k++) same &= q->local[k] == ix->fields[k];
            if (same) rel = q;
        }
    }
    if (!rel) return 0;
    char want[600];
    default_index_name(want, sizeof want, m, ix);
    if (!ix->name || strcmp(ix->name, want)) return 0;
    /* the resolver adds these after every declared index, so only the others before it count */
    for (size_t y = 0; y < m->nindexes; y++) {
        if (y == x) continue;
        if (y > x && m->indexes[y].automatic) continue;
        if (sn_index_led(m, &m->indexes[y], 1, ix->fields, ix->nfields)) return 0;
    }
    if (sn_index_led(m, NULL, 0, ix->fields, ix->nfields)) return 0;
    return 1;
}

/* a to-one whose foreign key no key or index leads: written with @no_index */
static int unindexed(const sinew_model *m, const sinew_relation *r)
{
    return r->kind == SINEW_BELONGS_TO && r->nkeys && !sn_index_led(m, m->indexes, m->nindexes, r->local, r->nkeys);
}

static int default_through(const sinew_model *m, const sinew_relation *r)
{
    const char *ta = m->table, *tb = r->target->table;
    char want[300];
    if (strcmp(ta, tb) <= 0) snprintf(want, sizeof want, "%s_%s", ta, tb);
    else snprintf(want, sizeof want, "%s_%s", tb, ta);
    return r->through && !strcmp(r->through->table, want);
}

static void rel_type(const sinew_model *m, const sinew_relation *r, char *type, size_t cap)
{
    if (r->poly) {   /* `Post | Comment` (`?`: at most one set) */
        size_t at = 0;
        type[0] = '\0';
        for (size_t i = 0; i < r->poly->ntargets && at < cap; i++) {
            int w = snprintf(type + at, cap - at, "%s%s", i ? " | " : "", m->relations[r->poly->targets[i]].target->name);
            if (w < 0) break;
            at += (size_t)w;
        }
        if (r->poly->optional && at < cap) snprintf(type + at, cap - at, "?");
        return;
    }
    int list = r->kind == SINEW_HAS_MANY || r->kind == SINEW_MANY_TO_MANY;
    snprintf(type, cap, "%s%s", r->target->name, list ? "[]" : (r->optional || r->kind == SINEW_HAS_ONE) ? "?" : "");
}

/* a polymorphic relation is written once, at its first target; the others are part of that line */
static int poly_hidden(const sinew_model *m, const sinew_relation *r)
{
    return r->poly && &m->relations[r->poly->targets[0]] != r;
}

static const char *rel_name(const sinew_relation *r) { return r->poly ? r->poly->name : r->name; }

static void rel_line(sn_buf *b, const sinew_model *m, const sinew_relation *r, int width, int twidth)
{
    char type[1024];
    rel_type(m, r, type, sizeof type);
    sn_buf_printf(b, "  %-*s %-*s", width, rel_name(r), twidth, type);
    size_t start = b->len;
    if (r->poly) {   /* its key fields are sinew's: only the actions every target shares */
        if (unindexed(m, r)) sn_buf_puts(b, " @no_index");
        if (r->on_delete) sn_buf_printf(b, " @on_delete(%s)", action(r->on_delete));
        if (r->on_update) sn_buf_printf(b, " @on_update(%s)", action(r->on_update));
    } else if (r->kind == SINEW_BELONGS_TO) {
        const sinew_field *f0 = &m->fields[r->local[0]];
        if (!(f0->flags & SINEW_FIELD_IMPLICIT)) {
            sn_buf_puts(b, " @fk(");
            for (size_t k = 0; k < r->nkeys; k++) sn_buf_printf(b, "%s%s", k ? ", " : "", m->fields[r->local[k]].name);
            if (r->fk_name) {
                sn_buf_puts(b, ", name: ");
                str_lit(b, r->fk_name);
            }
            sn_buf_putc(b, ')');
        } else {
            if (r->nkeys == 1 && strcmp(f0->column, f0->name)) {
                sn_buf_puts(b, " @map(");
                str_lit(b, f0->column);
                sn_buf_putc(b, ')');
            }
            if (r->nkeys == 1 && (f0->flags & SINEW_FIELD_UNIQUE)) sn_buf_puts(b, " @unique");
            if (r->nkeys == 1 && (f0->flags & SINEW_FIELD_INDEX)) sn_buf_puts(b, " @index");
        }
        /* a key referring to another unique key of the target than its primary key */
        int to_pk = r->nkeys == r->target->npk;
        for (size_t k = 0; to_pk && k < r->nkeys; k++) to_pk = r->remote[k] == r->target->pk[k];
        if (!to_pk) {
            sn_buf_puts(b, " @references([");
            for (size_t k = 0; k < r->nkeys; k++)
                sn_buf_printf(b, "%s%s", k ? ", " : "", r->target->fields[r->remote[k]].name);
            sn_buf_puts(b, "])");
        }
        if (unindexed(m, r)) sn_buf_puts(b, " @no_index");
        if (r->on_delete) sn_buf_printf(b, " @on_delete(%s)", action(r->on_delete));
        if (r->on_update) sn_buf_printf(b, " @on_update(%s)", action(r->on_update));
    } else if (r->kind == SINEW_HAS_MANY || r->kind == SINEW_HAS_ONE) {
        /* name the inverse when the target has more than one to-one back here */
        int back = 0;
        for (size_t i = 0; i < r->target->nrelations; i++)
            back += r->target->relations[i].kind == SINEW_BELONGS_TO && r->target->relations[i].target == m;
        if (back > 1 && r->inverse) sn_buf_printf(b, " @inverse(%s)", r->inverse);
    } else if (r->kind == SINEW_MANY_TO_MANY && r->through && !default_through(m, r)) {
        sn_buf_printf(b, " @through(%s)", r->through->table);
    }
    if (b->len == start) {   /* no trailing blanks after the type */
        while (b->len && b->data[b->len - 1] == ' ') b->len--;
        b->data[b->len] = '\0';
    }
    sn_buf_putc(b, '\n');
}

static int poly_check(const sinew_model *m, const sinew_check *k)
{
    for (size_t i = 0; k->name && i < m->npolys; i++)
        if (m->polys[i].check_name && !strcmp(m->polys[i].check_name, k->name)) return 1;
    return 0;
}

static int model_is_synth_join(const sinew_model *m) { return (m->flags & SINEW_MODEL_JOIN) != 0; }

/* the comment anchored at key goes at the end of the line just written */
static void trailing(const sn_comment_map *c, sn_buf *b, const char *key)
{
    if (!c || !b->len || b->data[b->len - 1] != '\n') return;
    b->len--;
    b->data[b->len] = '\0';
    sn_comments_trailing(c, b, key);
    sn_buf_putc(b, '\n');
}

static void key_of(char *k, size_t cap, const char *kind, const char *a, const char *b)
{
    snprintf(k, cap, "%s:%s%s%s", kind, a, b ? "." : "", b ? b : "");
}

static void model_text(sn_buf *b, const sinew_model *m, const sn_comment_map *c)
{
    char key[600];
    key_of(key, sizeof key, "m", m->name, NULL);
    if (c) sn_comments_leading(c, b, key, "");
    doc(b, m->doc, "");
    sn_buf_printf(b, "model %s {\n", m->name);
    trailing(c, b, key);
    size_t n = 0;
    member *mem = sn_calloc(m->nfields + m->nrelations + 1, sizeof *mem);
    if (!mem) {
        b->failed = 1;
        return;
    }
    int width = 1, twidth = 1;
    for (size_t i = 0; i < m->nfields; i++) {
        const sinew_field *f = &m->fields[i];
        if (f->flags & SINEW_FIELD_IMPLICIT) continue;
        mem[n++] = (member){f->order, 0, i};
        int w = (int)strlen(f->name), tw = (int)strlen(f->enum_type ? f->enum_type->name : sinew_type_name(f->type)) + 1;
        if (w > width) width = w;
        if (tw > twidth) twidth = tw;
    }
    for (size_t i = 0; i < m->nrelations; i++) {
        if (poly_hidden(m, &m->relations[i])) continue;
        mem[n++] = (member){m->relations[i].order, 1, i};
        int w = (int)strlen(rel_name(&m->relations[i]));
        if (w > width) width = w;
        char type[1024];
        rel_type(m, &m->relations[i], type, sizeof type);
        if ((int)strlen(type) > twidth) twidth = (int)strlen(type);
    }
    /* declaration order; on equal order fields before relations, then by index (stable) */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0; j--) {
            member *x = &mem[j - 1], *y = &mem[j];
            int gt = x->order > y->order || (x->order == y->order && (x->is_rel > y->is_rel ||
                                                                    (x->is_rel == y->is_rel && x->idx > y->idx)));
            if (!gt) break;
            member t = *x;
            *x = *y;
            *y = t;
        }
    for (size_t i = 0; i < n; i++) {
        const char *name = mem[i].is_rel ? rel_name(&m->relations[mem[i].idx]) : m->fields[mem[i].idx].name;
        key_of(key, sizeof key, "f", m->name, name);
        if (c) sn_comments_leading(c, b, key, "  ");
        if (mem[i].is_rel) {
            const sinew_relation *rl = &m->relations[mem[i].idx];
            doc(b, rl->poly ? rl->poly->doc : rl->doc, "  ");
            rel_line(b, m, &m->relations[mem[i].idx], width, twidth);
        } else {
            doc(b, m->fields[mem[i].idx].doc, "  ");
            field_line(b, m, &m->fields[mem[i].idx], width, twidth);
        }
        trailing(c, b, key);
    }
    sn_free(mem);
    char snake[256], plural[260];
    sn_snake(m->name, snake, sizeof snake);
    sn_plural(snake, plural, sizeof plural);
    int extra = 0;
    if (strcmp(m->table, plural)) {
        sn_buf_puts(b, extra++ ? "" : "\n");
        key_of(key, sizeof key, "a", m->name, "map");
        if (c) sn_comments_leading(c, b, key, "  ");
        sn_buf_puts(b, "  @@map(");
        str_lit(b, m->table);
        sn_buf_puts(b, ")\n");
        trailing(c, b, key);
    }
    if (m->db_schema) {
        sn_buf_puts(b, extra++ ? "" : "\n");
        key_of(key, sizeof key, "a", m->name, "schema");
        if (c) sn_comments_leading(c, b, key, "  ");
        sn_buf_puts(b, "  @@schema(");
        str_lit(b, m->db_schema);
        sn_buf_puts(b, ")\n");
        trailing(c, b, key);
    }
    int soft = sinew_model_soft_delete_field(m);
    if (soft >= 0) {
        sn_buf_puts(b, extra++ ? "" : "\n");
        key_of(key, sizeof key, "a", m->name, "soft_delete");
        if (c) sn_comments_leading(c, b, key, "  ");
        if (!strcmp(m->fields[soft].name, "deleted_at")) sn_buf_puts(b, "  @@soft_delete\n");
        else sn_buf_printf(b, "  @@soft_delete(%s)\n", m->fields[soft].name);
        trailing(c, b, key);
    }
    if (m->flags & SINEW_MODEL_READONLY) {
        int view = (m->flags & SINEW_MODEL_VIEW) != 0;
        sn_buf_puts(b, extra++ ? "" : "\n");
        key_of(key, sizeof key, "a", m->name, view ? "view" : "readonly");
        if (c) sn_comments_leading(c, b, key, "  ");
        sn_buf_puts(b, view ? "  @@view\n" : "  @@readonly\n");
        trailing(c, b, key);
    }
    if (m->distribution == SINEW_DIST_HASH && m->dist_field < m->nfields) {
        sn_buf_puts(b, extra++ ? "" : "\n");
        key_of(key, sizeof key, "a", m->name, "distribute");
        if (c) sn_comments_leading(c, b, key, "  ");
        sn_buf_puts(b, "  @@distribute(");
        /* an implicit key field is named by its relation, as the resolver reads it back */
        sn_buf b1;
        sn_buf_init(&b1);
        name_list(&b1, m, &m->dist_field, 1);
        const char *nm = sn_buf_cstr(&b1);
        sn_buf_printf(b, "%.*s", (int)(strlen(nm) >= 2 ? strlen(nm) - 2 : 0), nm + 1);
        sn_buf_free(&b1);
        if (m->colocate_with) sn_buf_printf(b, ", colocate_with: %s", m->colocate_with->name);
        sn_buf_puts(b, ")\n");
        trailing(c, b, key);
    } else if (m->distribution == SINEW_DIST_REFERENCE && !(m->flags & SINEW_MODEL_JOIN)) {
        sn_buf_puts(b, extra++ ? "" : "\n");
        key_of(key, sizeof key, "a", m->name, "reference");
        if (c) sn_comments_leading(c, b, key, "  ");
        sn_buf_puts(b, "  @@reference\n");
        trailing(c, b, key);
    }
    if (m->npk > 1) {
        sn_buf_puts(b, extra++ ? "" : "\n");
        key_of(key, sizeof key, "a", m->name, "id");
        if (c) sn_comments_leading(c, b, key, "  ");
        sn_buf_puts(b, "  @@id(");
        name_list(b, m, m->pk, m->npk);
        if (m->pk_name) {
            sn_buf_puts(b, ", name: ");
            str_lit(b, m->pk_name);
        }
        sn_buf_puts(b, ")\n");
        trailing(c, b, key);
    }
    for (size_t i = 0; i < m->nindexes; i++) {
        if (automatic_index(m, i)) continue;
        sn_buf_puts(b, extra++ ? "" : "\n");
        char nth[32];
        snprintf(nth, sizeof nth, "index%zu", i);
        key_of(key, sizeof key, "a", m->name, nth);
        if (c) sn_comments_leading(c, b, key, "  ");
        sn_buf_printf(b, "  @@%s(", m->indexes[i].unique ? "unique" : "index");
        name_list(b, m, m->indexes[i].fields, m->indexes[i].nfields);
        char want[600];
        default_index_name(want, sizeof want, m, &m->indexes[i]);
        if (m->indexes[i].name && strcmp(m->indexes[i].name, want)) {   /* the database's own name */
            sn_buf_puts(b, ", name: ");
            str_lit(b, m->indexes[i].name);
        }
        if (m->indexes[i].where && !soft_predicate(m, &m->indexes[i])) {
            sn_buf_puts(b, ", where: ");
            str_lit(b, m->indexes[i].where);
        }
        sn_buf_puts(b, ")\n");
        trailing(c, b, key);
    }
    for (size_t i = 0; i < m->nchecks; i++) {
        if (poly_check(m, &m->checks[i])) continue;   /* the polymorphic relation's line makes it */
        sn_buf_puts(b, extra++ ? "" : "\n");
        char nth[32];
        snprintf(nth, sizeof nth, "check%zu", i);
        key_of(key, sizeof key, "a", m->name, nth);
        if (c) sn_comments_leading(c, b, key, "  ");
        sn_buf_puts(b, "  @@check(");
        str_lit(b, m->checks[i].expr);
        if (m->checks[i].name) {
            sn_buf_puts(b, ", name: ");
            str_lit(b, m->checks[i].name);
        }
        sn_buf_puts(b, ")\n");
        trailing(c, b, key);
    }
    if (m->renamed_from) {
        sn_buf_puts(b, extra++ ? "" : "\n");
        key_of(key, sizeof key, "a", m->name, "renamed_from");
        if (c) sn_comments_leading(c, b, key, "  ");
        sn_buf_printf(b, "  @@renamed_from(%s)\n", m->renamed_from);
        trailing(c, b, key);
    }
    key_of(key, sizeof key, "}", m->name, NULL);
    if (c) sn_comments_leading(c, b, key, "  ");
    sn_buf_puts(b, "}\n");
    trailing(c, b, key);
}

int sn_schema_render(const sinew_schema *s, const sn_comment_map *c, sn_buf *b)
{
    int first = 1;
    char key[600];
    if (c) {
        size_t before = b->len;
        sn_comments_leading(c, b, "^", "");   /* the file's header comments, then a blank line */
        first = b->len == before;
    }
    for (size_t i = 0; i < s->nenums; i++) {
        const sinew_enum *e = s->enums[i];
        if (!first) sn_buf_putc(b, '\n');
        first = 0;
        key_of(key, sizeof key, "e", e->name, NULL);
        if (c) sn_comments_leading(c, b, key, "");
        doc(b, e->doc, "");
        sn_buf_printf(b, "enum %s {\n", e->name);
        trailing(c, b, key);
        for (size_t v = 0; v < e->nvalues; v++) {
            key_of(key, sizeof key, "v", e->name, e->values[v]);
            if (c) sn_comments_leading(c, b, key, "  ");
            sn_buf_printf(b, "  %s\n", e->values[v]);
            trailing(c, b, key);
        }
        key_of(key, sizeof key, "}", e->name, NULL);
        if (c) sn_comments_leading(c, b, key, "  ");
        sn_buf_puts(b, "}\n");
        trailing(c, b, key);
    }
    for (size_t i = 0; i < s->nmodels; i++) {
        if (model_is_synth_join(s->models[i])) continue;
        if (!first) sn_buf_putc(b, '\n');
        first = 0;
        model_text(b, s->models[i], c);
    }
    if (c) {
        size_t before = b->len;
        if (!first) sn_buf_putc(b, '\n');
        size_t mark = b->len;
        sn_comments_leading(c, b, "$", "");   /* comments after the last declaration */
        if (b->len == mark) {
            b->len = before;
            if (b->data) b->data[b->len] = '\0';
        }
    }
    return b->failed ? sn_nomem() : SINEW_OK;
}

static int render(const sinew_schema *s, sn_buf *b) { return sn_schema_render(s, NULL, b); }

int sinew_schema_to_string(const sinew_schema *s, char **out)
{
    if (!s || !out) return sinew_error_set(SINEW_MISUSE, "sinew_schema_to_string: schema and out must not be NULL");
    *out = NULL;
    sn_buf b;
    sn_buf_init(&b);
    int rc = render(s, &b);
    if (rc) {
        sn_buf_free(&b);
        return rc;
    }
    *out = sn_buf_take(&b);
    return *out ? SINEW_OK : sn_nomem();
}

int sinew_schema_print(const sinew_schema *s, FILE *out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_schema_print: out is NULL");
    char *text;
    int rc = sinew_schema_to_string(s, &text);
    if (rc) return rc;
    size_t n = strlen(text);
    rc = fwrite(text, 1, n, out) == n ? SINEW_OK : sinew_error_set(SINEW_IOERR, "writing the schema failed");
    sn_free(text);
    return rc;
}
