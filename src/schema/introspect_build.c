/*
 * introspect_build.c - builds a schema graph from what a database reports.
 *
 * The drivers' catalog readers (src/driver/sqlite_introspect.c,
 * postgres_introspect.c) call sn_ib_table / _column / _pk / _index / _fk
 * in any order; sn_ib_finish() then sorts
 * tables by name, names models and fields, turns single-column unique
 * indexes into @unique, and resolves foreign keys into BELONGS_TO relations
 * with HAS_MANY (or HAS_ONE, when the key is unique) inverses on the
 * target. Names are inferred the way Prisma's `db pull` does it: a relation
 * is named after its key column without the _id / Id suffix, an inverse is
 * the plural of the referencing model, and collisions get a suffix. The
 * whole graph, sinew_schema included, lives in one arena.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "schema/introspect.h"
#include "names.h"

typedef struct ib_fkcol {
    int id, seq;
    char *from, *to_table, *to_col;
    const char *to_schema;    /* the referenced table's schema (sn_ib_fk_schema), NULL: unqualified */
    sinew_fk_action del, upd;
    const char *name;         /* the constraint's explicit name, or NULL */
} ib_fkcol;

typedef struct ib_table {
    char *table;
    const char *schema;       /* sn_ib_table_schema: the model's @@schema, or NULL */
    sinew_field *fields;
    int *pkpos;
    size_t nf, capf;
    sinew_index *idx;
    size_t ni, capi;
    ib_fkcol *fks;
    size_t nfk, capfk;
    sinew_relation *rels;
    size_t nr, capr;
    sinew_model *model;
    const char *doc;          /* notes on the table, for the model's /// comment */
    sinew_distribution dist;  /* sn_ib_distribution */
    char *dist_column;
    const char *pk_name;
    sinew_check *checks;
    size_t nchecks, capchecks;
    int view;
} ib_table;

struct sn_ib {
    sn_arena *a;
    ib_table *t;
    size_t nt, capt;
    int finished;
    sn_buf notes;             /* what the schema cannot say, one line each (sinew_introspect_notes) */
    sinew_enum **enums;       /* PostgreSQL enum types pulled as enums, by first use */
    const char **enum_types;  /* their SQL type names */
    size_t nenums, capenums, capenum_types;
    int distributed_db;       /* sn_ib_distributed_db: tables not said otherwise are SINEW_DIST_LOCAL */
};

/* The graph hands its notes over in the same arena: the schema is the first member, so a
 * graph is recognised as one of these by its name pointer (sinew_introspect_notes). */
typedef struct ib_schema {
    sinew_schema s;
    const char *notes;
} ib_schema;

static const char ib_schema_name[] = "db";

const char *sn_ib_notes_of(const sinew_schema *s)
{
    if (!s || s->name != ib_schema_name) return NULL;
    return ((const ib_schema *)(const void *)s)->notes;
}

static const char *append_line(sn_arena *a, const char *old, const char *line)
{
    return old && *old ? sn_arena_printf(a, "%s\n%s", old, line) : sn_arena_strdup(a, line);
}

static int find_col(const ib_table *t, const char *col);

void sn_ib_note(sn_ib *b, int ti, const char *column, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *table = ti >= 0 ? b->t[ti].table : NULL;
    if (table) sn_buf_printf(&b->notes, "table %s%s%s: %s\n", table, column ? ", column " : "", column ? column : "", msg);
    else sn_buf_printf(&b->notes, "%s\n", msg);
    if (ti < 0) return;
    ib_table *t = &b->t[ti];
    char *line = sn_arena_printf(b->a, "db pull: %s", msg);
    if (!line) return;
    int c = column ? find_col(t, column) : -1;
    if (c >= 0) t->fields[c].doc = append_line(b->a, t->fields[c].doc, line);
    else t->doc = append_line(b->a, t->doc, line);
}

/* Make room for one more element in an arena array (the old block is abandoned). */
static int grow(sn_arena *a, void **p, size_t *cap, size_t n, size_t sz)
{
    if (n < *cap) return 1;
    size_t nc = *cap ? *cap * 2 : 8;
    void *np = sn_arena_calloc(a, nc * sz);
    if (!np) return 0;
    if (*p) memcpy(np, *p, n * sz);
    *p = np;
    *cap = nc;
    return 1;
}

sn_ib *sn_ib_new(void)
{
    sn_ib *b = sn_calloc(1, sizeof *b);
    if (!b) { sn_nomem(); return NULL; }
    b->a = sn_malloc(sizeof *b->a);
    if (!b->a) { sn_free(b); sn_nomem(); return NULL; }
    sn_arena_init(b->a, 16384);
    sn_buf_init(&b->notes);
    return b;
}

void sn_ib_free(sn_ib *b)
{
    if (!b) return;
    sn_buf_free(&b->notes);
    if (!b->finished && b->a) {
        sn_arena_free(b->a);
        sn_free(b->a);
    }
    sn_free(b);
}


int sn_ib_table(sn_ib *b, const char *table)
{
    if (!grow(b->a, (void **)&b->t, &b->capt, b->nt, sizeof *b->t)) return -1;
    ib_table *t = &b->t[b->nt];
    memset(t, 0, sizeof *t);
    t->table = sn_arena_strdup(b->a, table);
    if (!t->table) return -1;
    return (int)b->nt++;
}

int sn_ib_table_schema(sn_ib *b, int t, const char *schema)
{
    b->t[t].schema = sn_arena_strdup(b->a, schema);
    return b->t[t].schema ? SINEW_OK : SINEW_NOMEM;
}

int sn_ib_fk_schema(sn_ib *b, int ti, int id, const char *schema)
{
    ib_table *t = &b->t[ti];
    const char *s = sn_arena_strdup(b->a, schema);
    if (!s) return SINEW_NOMEM;
    for (size_t i = 0; i < t->nfk; i++)
        if (t->fks[i].id == id) t->fks[i].to_schema = s;
    return SINEW_OK;
}

static int find_col(const ib_table *t, const char *col)
{
    for (size_t i = 0; col && i < t->nf; i++)
        if (strcmp(t->fields[i].column, col) == 0) return (int)i;
    for (size_t i = 0; col && i < t->nf; i++)    /* SQLite names are case-insensitive */
        if (strcasecmp(t->fields[i].column, col) == 0) return (int)i;
    return -1;
}

int sn_ib_column(sn_ib *b, int ti, const char *name, const char *decl, int notnull,
                 const char *dflt, int pg)
{
    ib_table *t = &b->t[ti];
    size_t cap = t->capf;
    if (!grow(b->a, (void **)&t->fields, &t->capf, t->nf, sizeof *t->fields)) return SINEW_NOMEM;
    if (!grow(b->a, (void **)&t->pkpos, &cap, t->nf, sizeof *t->pkpos)) return SINEW_NOMEM;
    sinew_field *f = &t->fields[t->nf];
    memset(f, 0, sizeof *f);
    f->column = sn_arena_strdup(b->a, name);
    f->name = f->column;
    f->db_type = sn_arena_strdup(b->a, decl ? decl : "");
    if (!f->column || !f->db_type) return SINEW_NOMEM;
    f->type = sn_type_from_sql(f->db_type, pg);
    if (sn_declared_type_kept(f->db_type, f->type, pg)) f->flags |= SINEW_FIELD_DB_TYPE;
    if (!notnull) f->flags |= SINEW_FIELD_NULLABLE;
    if (dflt) {
        sn_default_from_sql(dflt, f->type, pg, b->a, &f->def);
        char *norm = f->def.kind == SINEW_DEFAULT_NONE ? sn_default_norm(dflt, b->a) : NULL;
        if (norm && strcmp(norm, "null") && !strstr(norm, "nextval("))
            sn_ib_note(b, ti, name, "the default %s is not kept (sinew defaults are literals, now() and uuid()); "
                       "the database still applies it when an insert leaves the column out", dflt);
    }
    f->offset = SINEW_NO_OFFSET;
    f->has_offset = SINEW_NO_OFFSET;
    f->order = (int)t->nf;
    t->pkpos[t->nf] = 0;
    t->nf++;
    return SINEW_OK;
}

static char *model_name(sn_arena *a, const char *table);

/* A value the schema language can write as an enum value: an identifier. */
static int enum_label_ok(const char *v)
{
    if (!v || !(isalpha((unsigned char)v[0]) || v[0] == '_')) return 0;
    for (const char *p = v; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_')) return 0;
    return 1;
}

int sn_ib_enum_column(sn_ib *b, int ti, const char *column, const char *type_name, const char *const *labels,
                      size_t n, const char *dflt)
{
    ib_table *t = &b->t[ti];
    int c = find_col(t, column);
    if (c < 0 || !n) return 0;
    for (size_t i = 0; i < n; i++)
        if (!enum_label_ok(labels[i])) return 0;
    sinew_enum *e = NULL;
    for (size_t i = 0; i < b->nenums && !e; i++)
        if (!strcmp(b->enum_types[i], type_name)) e = b->enums[i];
    if (!e) {
        size_t cap = b->capenums;
        if (!grow(b->a, (void **)&b->enums, &b->capenums, b->nenums, sizeof *b->enums)) return -1;
        if (!grow(b->a, (void **)&b->enum_types, &cap, b->nenums, sizeof *b->enum_types)) return -1;
        e = sn_arena_calloc(b->a, sizeof *e);
        const char **vals = sn_arena_alloc(b->a, n * sizeof *vals);
        if (!e || !vals) return -1;
        for (size_t i = 0; i < n; i++)
            if (!(vals[i] = sn_arena_strdup(b->a, labels[i]))) return -1;
        e->values = vals;
        e->nvalues = n;
        e->name = sn_arena_strdup(b->a, type_name);   /* named in sn_ib_finish, once the models are */
        b->enum_types[b->nenums] = sn_arena_strdup(b->a, type_name);
        if (!e->name || !b->enum_types[b->nenums]) return -1;
        b->enums[b->nenums++] = e;
    }
    sinew_field *f = &t->fields[c];
    f->type = SINEW_ENUM;
    f->enum_type = e;
    f->flags |= SINEW_FIELD_DB_TYPE;          /* the DDL names the type, and drift compares it */
    f->def.kind = SINEW_DEFAULT_NONE;
    f->def.value = NULL;
    if (dflt) sn_default_from_sql(dflt, SINEW_ENUM, 1, b->a, &f->def);
    if (f->def.kind == SINEW_DEFAULT_VALUE) {
        int known = 0;
        for (size_t i = 0; i < e->nvalues; i++) known |= !strcmp(e->values[i], f->def.value);
        if (!known) f->def.kind = SINEW_DEFAULT_NONE, f->def.value = NULL;
    }
    return 1;
}

void sn_ib_retype(sn_ib *b, int ti, const char *column, const char *decl, int pg)
{
    ib_table *t = &b->t[ti];
    int c = find_col(t, column);
    if (c >= 0 && decl) t->fields[c].type = sn_type_from_sql(decl, pg);
}

int sn_ib_pk(sn_ib *b, int ti, const char *column, int pos)
{
    ib_table *t = &b->t[ti];
    int i = find_col(t, column);
    if (i < 0) return SINEW_OK;
    t->pkpos[i] = pos;
    t->fields[i].flags |= SINEW_FIELD_PK;
    t->fields[i].flags &= ~(unsigned)SINEW_FIELD_NULLABLE;
    return SINEW_OK;
}

void sn_ib_auto(sn_ib *b, int ti, const char *column)
{
    ib_table *t = &b->t[ti];
    int i = find_col(t, column);
    if (i >= 0) {
        t->fields[i].flags |= SINEW_FIELD_AUTO;
        t->fields[i].flags &= ~(unsigned)SINEW_FIELD_DB_TYPE;   /* the DDL writes its own key type */
        t->fields[i].def.kind = SINEW_DEFAULT_NONE;
        t->fields[i].def.value = NULL;
    }
}

int sn_ib_index(sn_ib *b, int ti, const char *name, int unique, const char *const *cols, size_t n,
                const char *where)
{
    ib_table *t = &b->t[ti];
    if (n == 0) return SINEW_OK;
    unsigned *f = sn_arena_alloc(b->a, n * sizeof *f);
    if (!f) return SINEW_NOMEM;
    for (size_t i = 0; i < n; i++) {
        int c = find_col(t, cols[i]);
        if (c < 0) return SINEW_OK;     /* an expression index: not representable, skip */
        f[i] = (unsigned)c;
    }
    /* skip exact duplicates (a UNIQUE constraint and its own index) */
    for (size_t k = 0; k < t->ni; k++)
        if (t->idx[k].nfields == n && t->idx[k].unique == unique && !where && !t->idx[k].where &&
            memcmp(t->idx[k].fields, f, n * sizeof *f) == 0) return SINEW_OK;
    if (!grow(b->a, (void **)&t->idx, &t->capi, t->ni, sizeof *t->idx)) return SINEW_NOMEM;
    sinew_index *ix = &t->idx[t->ni++];
    memset(ix, 0, sizeof *ix);
    ix->name = name ? sn_arena_strdup(b->a, name) : NULL;
    ix->fields = f;
    ix->nfields = n;
    ix->unique = unique;
    if (where && !(ix->where = sn_arena_strdup(b->a, where))) return SINEW_NOMEM;
    return SINEW_OK;
}

int sn_ib_fk(sn_ib *b, int ti, int id, int seq, const char *from, const char *to_table,
             const char *to_col, sinew_fk_action del, sinew_fk_action upd)
{
    ib_table *t = &b->t[ti];
    if (!grow(b->a, (void **)&t->fks, &t->capfk, t->nfk, sizeof *t->fks)) return SINEW_NOMEM;
    ib_fkcol *k = &t->fks[t->nfk++];
    k->id = id;
    k->seq = seq;
    k->from = sn_arena_strdup(b->a, from);
    k->to_table = sn_arena_strdup(b->a, to_table);
    k->to_col = to_col ? sn_arena_strdup(b->a, to_col) : NULL;
    k->del = del;
    k->upd = upd;
    return k->from && k->to_table ? SINEW_OK : SINEW_NOMEM;
}

int sn_ib_pk_name(sn_ib *b, int ti, const char *name)
{
    b->t[ti].pk_name = name ? sn_arena_strdup(b->a, name) : NULL;
    return !name || b->t[ti].pk_name ? SINEW_OK : SINEW_NOMEM;
}

int sn_ib_fk_name(sn_ib *b, int ti, int id, const char *name)
{
    ib_table *t = &b->t[ti];
    const char *nm = name ? sn_arena_strdup(b->a, name) : NULL;
    if (name && !nm) return SINEW_NOMEM;
    for (size_t i = 0; i < t->nfk; i++)
        if (t->fks[i].id == id) t->fks[i].name = nm;
    return SINEW_OK;
}

int sn_ib_fk_id_by_columns(sn_ib *b, int ti, const char *const *cols, size_t n)
{
    ib_table *t = &b->t[ti];
    for (size_t i = 0; i < t->nfk; i++) {
        int id = t->fks[i].id;
        size_t have = 0, match = 0;
        for (size_t k = 0; k < t->nfk; k++) {
            if (t->fks[k].id != id) continue;
            have++;
            int seq = t->fks[k].seq;
            if (seq >= 0 && (size_t)seq < n && !strcasecmp(t->fks[k].from, cols[seq])) match++;
        }
        if (have == n && match == n) return id;
    }
    return -1;
}

int sn_ib_generated(sn_ib *b, int ti, const char *column, const char *expr, int stored)
{
    ib_table *t = &b->t[ti];
    int c = find_col(t, column);
    if (c < 0 || !expr) return SINEW_OK;
    sinew_field *f = &t->fields[c];
    if (!(f->generated = sn_arena_strdup(b->a, expr))) return SINEW_NOMEM;
    f->flags |= SINEW_FIELD_GENERATED | SINEW_FIELD_READONLY | (stored ? 0u : SINEW_FIELD_VIRTUAL);
    f->def.kind = SINEW_DEFAULT_NONE;
    f->def.value = NULL;
    return SINEW_OK;
}

void sn_ib_view(sn_ib *b, int ti)
{
    ib_table *t = &b->t[ti];
    t->view = 1;
    for (size_t i = 0; i < t->nf; i++)
        if (t->fields[i].db_type && !t->fields[i].db_type[0]) {
            t->fields[i].type = SINEW_TEXT;
            t->fields[i].flags &= ~(unsigned)SINEW_FIELD_DB_TYPE;
        }
}

int sn_ib_check(sn_ib *b, int ti, const char *name, const char *expr)
{
    ib_table *t = &b->t[ti];
    if (!expr) return SINEW_OK;
    if (!grow(b->a, (void **)&t->checks, &t->capchecks, t->nchecks, sizeof *t->checks)) return SINEW_NOMEM;
    sinew_check *k = &t->checks[t->nchecks];
    memset(k, 0, sizeof *k);
    k->name = name ? sn_arena_strdup(b->a, name) : NULL;
    k->expr = sn_arena_strdup(b->a, expr);
    if ((name && !k->name) || !k->expr) return SINEW_NOMEM;
    t->nchecks++;
    return SINEW_OK;
}

/* ---- naming ------------------------------------------------------------------ */

static int ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

static char *singular(sn_arena *a, const char *w)
{
    size_t n = strlen(w);
    if (n > 3 && (ends_with(w, "ies") || ends_with(w, "IES")))
        return sn_arena_printf(a, "%.*sy", (int)(n - 3), w);
    if (n > 4 && (ends_with(w, "sses") || ends_with(w, "xes") || ends_with(w, "ches") ||
                  ends_with(w, "shes")))
        return sn_arena_strndup(a, w, n - 2);
    if (n > 1 && (w[n - 1] == 's' || w[n - 1] == 'S') && !ends_with(w, "ss") &&
        !ends_with(w, "us") && !ends_with(w, "is"))
        return sn_arena_strndup(a, w, n - 1);
    return sn_arena_strdup(a, w);
}

static char *plural(sn_arena *a, const char *w)
{
    size_t n = strlen(w);
    if (n > 1 && w[n - 1] == 'y' && !strchr("aeiou", w[n - 2]))
        return sn_arena_printf(a, "%.*sies", (int)(n - 1), w);
    if (ends_with(w, "s") || ends_with(w, "x") || ends_with(w, "z") || ends_with(w, "ch") ||
        ends_with(w, "sh"))
        return sn_arena_printf(a, "%ses", w);
    return sn_arena_printf(a, "%ss", w);
}

/* U+00C0..U+00FF as ASCII ("" for the two signs, × and ÷, which become _) */
static const char *const latin1[64] = {
    "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
    "D", "N", "O", "O", "O", "O", "O", "", "O", "U", "U", "U", "U", "Y", "TH", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y"};

/* the code point of the UTF-8 sequence at s (its length in *len), or -1 for a stray byte */
static long utf8_at(const unsigned char *s, size_t *len)
{
    int n = s[0] >= 0xf0 && s[0] < 0xf8 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
    if (!n) return -1;
    long cp = s[0] & (0x3f >> (n - 1));
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return -1;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    *len = (size_t)n;
    return cp;
}

/*
 * A valid identifier from any text: letters, digits and _, not starting with
 * a digit. Latin letters with accents lose them (é -> e), other characters
 * become uXXXX (their code point), other bytes _: "naïve" -> naive,
 * "名前" -> u540du524d. The column keeps its real name (@map).
 */
static char *ident(sn_arena *a, const char *s)
{
    size_t n = strlen(s);
    char *o = sn_arena_alloc(a, n * 4 + 3);
    if (!o) return NULL;
    size_t j = 0;
    if (!n || isdigit((unsigned char)s[0])) o[j++] = '_';
    for (size_t i = 0; i < n;) {
        const unsigned char *c = (const unsigned char *)s + i;
        if (isalnum(*c) || *c == '_') {
            o[j++] = (char)*c;
            i++;
            continue;
        }
        size_t len = 1;
        long cp = *c >= 0x80 ? utf8_at(c, &len) : -1;
        if (cp >= 0xc0 && cp <= 0xff && *latin1[cp - 0xc0]) {
            for (const char *t = latin1[cp - 0xc0]; *t; t++) o[j++] = *t;
        } else if (cp >= 0x80) {
            j += (size_t)snprintf(o + j, 10, "%su%04lx", j && o[j - 1] != '_' && isxdigit((unsigned char)o[j - 1]) ? "_" : "",
                                  (unsigned long)cp);
        } else {
            o[j++] = '_';
        }
        i += len;
    }
    o[j] = 0;
    return o;
}

/* "order_items" -> "OrderItem", "Album" -> "Album" */
static char *model_name(sn_arena *a, const char *table)
{
    char *s = singular(a, table);
    char *id = s ? ident(a, s) : NULL;
    if (!id) return NULL;
    char *o = sn_arena_alloc(a, strlen(id) + 2);
    if (!o) return NULL;
    size_t j = 0;
    int up = 1;
    for (const char *p = id; *p; p++) {
        if (*p == '_' && p != id) { up = 1; continue; }
        o[j++] = up ? (char)toupper((unsigned char)*p) : *p;
        up = 0;
    }
    o[j] = 0;
    if (!j || isdigit((unsigned char)o[0])) return sn_arena_printf(a, "T%s", o);
    return o;
}

/* "OrderItem" -> "order_item", "HTTPLog" -> "http_log": the resolver's snake_case (names.c), so that a
   model read from a database gets the function prefix the pulled schema file gives it */
static char *snake(sn_arena *a, const char *s)
{
    size_t cap = strlen(s) * 2 + 1;   /* at most a _ before every byte */
    char *o = sn_arena_alloc(a, cap);
    if (o) sn_snake(s, o, cap);
    return o;
}

static int name_taken(const ib_table *t, const char *name)
{
    for (size_t i = 0; i < t->nf; i++)
        if (strcmp(t->fields[i].name, name) == 0) return 1;
    for (size_t i = 0; i < t->nr; i++)
        if (strcmp(t->rels[i].name, name) == 0) return 1;
    return 0;
}

/* `base`, or base2, base3 ... whichever is free in t */
static const char *unique_name(sn_arena *a, const ib_table *t, const char *base)
{
    if (!base) return NULL;
    if (!name_taken(t, base)) return base;
    for (int n = 2;; n++) {
        char *c = sn_arena_printf(a, "%s%d", base, n);
        if (!c || !name_taken(t, c)) return c;
    }
}


/* ---- finishing ----------------------------------------------------------------- */

/* by name, then schema (the unqualified one first): same-named tables of two schemas side by side */
static int cmp_table(const void *x, const void *y)
{
    const ib_table *a = x, *b = y;
    int c = strcmp(a->table, b->table);
    if (c || a->schema == b->schema) return c;
    if (!a->schema || !b->schema) return a->schema ? 1 : -1;
    return strcmp(a->schema, b->schema);
}

static int same_schema_name(const char *a, const char *b) { return a && b ? !strcmp(a, b) : a == b; }

static int cmp_fkcol(const void *x, const void *y)
{
    const ib_fkcol *a = x, *b = y;
    if (a->id != b->id) return a->id < b->id ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int find_table(sn_ib *b, const char *name, const char *schema)
{
    for (size_t i = 0; i < b->nt; i++)
        if (strcmp(b->t[i].table, name) == 0 && same_schema_name(b->t[i].schema, schema)) return (int)i;
    for (size_t i = 0; i < b->nt; i++)
        if (strcasecmp(b->t[i].table, name) == 0 && same_schema_name(b->t[i].schema, schema)) return (int)i;
    return -1;
}

static int same_set(const unsigned *a, size_t na, const unsigned *b, size_t nb)
{
    if (na != nb) return 0;
    for (size_t i = 0; i < na; i++) {
        size_t j = 0;
        while (j < nb && b[j] != a[i]) j++;
        if (j == nb) return 0;
    }
    return 1;
}

/* The key columns are unique in t (its primary key, a unique index or a @unique field). */
static int key_unique(const ib_table *t, const unsigned *cols, size_t n)
{
    if (n == 1 && (t->fields[cols[0]].flags & SINEW_FIELD_UNIQUE)) return 1;
    if (t->model && same_set(t->model->pk, t->model->npk, cols, n)) return 1;
    for (size_t i = 0; i < t->ni; i++)
        if (t->idx[i].unique && !t->idx[i].where && same_set(t->idx[i].fields, t->idx[i].nfields, cols, n)) return 1;
    return 0;
}

static sinew_relation *add_rel(sn_arena *a, ib_table *t)
{
    if (!grow(a, (void **)&t->rels, &t->capr, t->nr, sizeof *t->rels)) return NULL;
    sinew_relation *r = &t->rels[t->nr++];
    memset(r, 0, sizeof *r);
    r->offset = SINEW_NO_OFFSET;
    r->name = "";
    return r;
}

/* The name of a to-one relation held by key column `col` pointing at model `target`. */
static const char *belongs_name(sn_arena *a, const ib_table *t, const char *col, size_t nkeys,
                                const char *target)
{
    const char *base = NULL;
    if (nkeys == 1) {
        size_t n = strlen(col);
        if (n > 3 && (ends_with(col, "_id") || ends_with(col, "_ID")))
            base = sn_arena_strndup(a, col, n - 3);
        else if (n > 2 && (ends_with(col, "Id") || ends_with(col, "ID")))
            base = sn_arena_strndup(a, col, n - 2);
    }
    if (!base || name_taken(t, base))
        base = isupper((unsigned char)col[0]) ? target : snake(a, target);
    return unique_name(a, t, base);
}

static int resolve_fks(sn_ib *b, size_t ti)
{
    sn_arena *a = b->a;
    ib_table *t = &b->t[ti];
    if (t->nfk) qsort(t->fks, t->nfk, sizeof *t->fks, cmp_fkcol);
    size_t start = 0;
    /* group by id; keys sorted by their first local column for a stable order */
    while (start < t->nfk) {
        size_t end = start;
        while (end < t->nfk && t->fks[end].id == t->fks[start].id) end++;
        size_t n = end - start;
        int tt = find_table(b, t->fks[start].to_table, t->fks[start].to_schema);
        unsigned *loc = sn_arena_alloc(a, n * sizeof *loc);
        unsigned *rem = sn_arena_alloc(a, n * sizeof *rem);
        if (!loc || !rem) return SINEW_NOMEM;
        int ok = tt >= 0;
        for (size_t k = 0; ok && k < n; k++) {
            const ib_fkcol *c = &t->fks[start + k];
            int l = find_col(t, c->from);
            int r;
            if (c->to_col) r = find_col(&b->t[tt], c->to_col);
            else r = k < b->t[tt].model->npk ? (int)b->t[tt].model->pk[k] : -1;
            if (l < 0 || r < 0) ok = 0;
            else { loc[k] = (unsigned)l; rem[k] = (unsigned)r; }
        }
        if (ok) {
            ib_table *tg = &b->t[tt];
            sinew_relation *r = add_rel(a, t);
            if (!r) return SINEW_NOMEM;
            r->kind = SINEW_BELONGS_TO;
            r->target = tg->model;
            r->local = loc;
            r->remote = rem;
            r->nkeys = n;
            r->on_delete = t->fks[start].del;
            r->on_update = t->fks[start].upd;
            r->fk_name = t->fks[start].name;
            for (size_t k = 0; k < n; k++) {
                t->fields[loc[k]].flags |= SINEW_FIELD_FK;
                if (t->fields[loc[k]].flags & SINEW_FIELD_NULLABLE) r->optional = 1;
            }
            r->name = belongs_name(a, t, t->fields[loc[0]].column, n, tg->model->name);
            if (!r->name) return SINEW_NOMEM;
        }
        start = end;
    }
    return SINEW_OK;
}

static int cmp_rel(const void *x, const void *y)
{
    const sinew_relation *a = x, *b = y;
    return a->local[0] < b->local[0] ? -1 : a->local[0] > b->local[0];
}

static int add_inverses(sn_ib *b, size_t ti)
{
    sn_arena *a = b->a;
    ib_table *t = &b->t[ti];
    size_t nr = t->nr;
    if (nr) qsort(t->rels, nr, sizeof *t->rels, cmp_rel);
    for (size_t i = 0; i < nr; i++) {
        sinew_relation *r = &t->rels[i];
        if (r->kind != SINEW_BELONGS_TO) continue;
        ib_table *tg = NULL;
        for (size_t k = 0; k < b->nt; k++)
            if (b->t[k].model == r->target) tg = &b->t[k];
        int one = key_unique(t, r->local, r->nkeys);
        const char *src = t->model->name;
        const char *base = one ? src : plural(a, src);
        if (!base) return SINEW_NOMEM;
        if (!isupper((unsigned char)t->fields[r->local[0]].column[0])) base = snake(a, base);
        if (base && name_taken(tg, base)) base = sn_arena_printf(a, "%s_%s", base, r->name);
        const char *name = unique_name(a, tg, base);
        if (!name) return SINEW_NOMEM;
        sinew_relation *inv = add_rel(a, tg);   /* may move tg->rels, never t->rels unless tg == t */
        if (!inv) return SINEW_NOMEM;
        r = &t->rels[i];
        inv->kind = one ? SINEW_HAS_ONE : SINEW_HAS_MANY;
        inv->target = t->model;
        inv->local = r->remote;
        inv->remote = r->local;
        inv->nkeys = r->nkeys;
        inv->inverse = r->name;
        inv->name = name;
        r->inverse = name;
    }
    return SINEW_OK;
}

void sn_ib_distributed_db(sn_ib *b) { b->distributed_db = 1; }

int sn_ib_distribution(sn_ib *b, int ti, sinew_distribution kind, const char *column)
{
    ib_table *t = &b->t[ti];
    t->dist = kind;
    t->dist_column = NULL;
    if (kind == SINEW_DIST_HASH) {
        if (!column) return SINEW_OK;   /* no column: read as local below */
        if (!(t->dist_column = sn_arena_strdup(b->a, column))) return SINEW_NOMEM;
    }
    return SINEW_OK;
}

int sn_ib_finish(sn_ib *b, sinew_schema **out)
{
    sn_arena *a = b->a;
    *out = NULL;
    if (b->nt) qsort(b->t, b->nt, sizeof *b->t, cmp_table);
    ib_schema *is = sn_arena_calloc(a, sizeof *is);
    sinew_model **models = sn_arena_calloc(a, (b->nt ? b->nt : 1) * sizeof *models);
    if (!is || !models) return SINEW_NOMEM;
    sinew_schema *s = &is->s;
    s->name = ib_schema_name;
    for (size_t i = 0; i < b->nt; i++) {
        ib_table *t = &b->t[i];
        sinew_model *m = sn_arena_calloc(a, sizeof *m);
        if (!m) return SINEW_NOMEM;
        t->model = m;
        models[i] = m;
        m->table = t->table;
        m->db_schema = t->schema;
        m->doc = t->doc;
        m->pk_name = t->pk_name;
        m->checks = t->checks;
        m->nchecks = t->nchecks;
        const char *nm = model_name(a, t->table);
        /* a table of a named schema whose name is taken: the schema's name in front (AuditUser) */
        if (nm && t->schema && sinew_schema_find_model(s, nm))
            nm = model_name(a, sn_arena_printf(a, "%s_%s", t->schema, t->table));
        for (int n = 2; nm && sinew_schema_find_model(s, nm); n++) {
            nm = sn_arena_printf(a, "%s%d", model_name(a, t->table), n);
        }
        if (!nm) return SINEW_NOMEM;
        m->name = nm;
        m->c_name = snake(a, nm);
        /* field names: the column when it is an identifier */
        for (size_t f = 0; f < t->nf; f++) {
            char *id = ident(a, t->fields[f].column);
            if (!id) return SINEW_NOMEM;
            t->fields[f].name = "";
            t->fields[f].name = unique_name(a, t, id);
            if (!t->fields[f].name) return SINEW_NOMEM;
        }
        /* primary key in key order */
        size_t npk = 0;
        for (size_t f = 0; f < t->nf; f++) if (t->pkpos[f]) npk++;
        unsigned *pk = sn_arena_alloc(a, (npk ? npk : 1) * sizeof *pk);
        if (!pk) return SINEW_NOMEM;
        size_t k = 0;
        for (int pos = 1; k < npk && pos <= (int)t->nf + 64; pos++)
            for (size_t f = 0; f < t->nf; f++) if (t->pkpos[f] == pos) pk[k++] = (unsigned)f;
        m->pk = pk;
        m->npk = k;
        /* no primary key (a log table, INHERITS children, a partitioned table): read, never written */
        if (!k) m->flags |= SINEW_MODEL_READONLY;
        if (t->view) m->flags |= SINEW_MODEL_READONLY | SINEW_MODEL_VIEW;
        if (k != 1)
            for (size_t f = 0; f < t->nf; f++) {
                if (!(t->fields[f].flags & SINEW_FIELD_AUTO)) continue;
                t->fields[f].flags &= ~(unsigned)SINEW_FIELD_AUTO;
                if (k > 1)
                    sn_ib_note(b, (int)i, t->fields[f].column, "the database numbers this column (serial or identity) "
                               "inside a composite key; @auto needs a one-column key, so sinew inserts the value "
                               "you give it: set it, or insert such rows through SQL");
            }
        /* @@soft_delete, where the unique keys are the partial ones sinew writes for it */
        int src = sn_ib_infer_soft_delete(a, m, t->fields, t->nf, t->idx, t->ni);
        if (src) return src;
        /* single-column unique indexes become @unique; the rest keep their names */
        size_t keep = 0;
        for (size_t x = 0; x < t->ni; x++) {
            sinew_index *ix = &t->idx[x];
            if (ix->unique && ix->nfields == 1 && !ix->where) {
                if (!(m->npk == 1 && m->pk[0] == ix->fields[0]))
                    t->fields[ix->fields[0]].flags |= SINEW_FIELD_UNIQUE;
                continue;
            }
            if (ix->unique && !ix->where && same_set(ix->fields, ix->nfields, m->pk, m->npk)) continue;
            if (!ix->name) {
                sn_buf nb;
                sn_buf_init(&nb);
                sn_buf_puts(&nb, t->table);
                for (size_t c = 0; c < ix->nfields; c++)
                    sn_buf_printf(&nb, "_%s", t->fields[ix->fields[c]].column);
                sn_buf_puts(&nb, ix->unique ? "_key" : "_idx");
                ix->name = nb.failed ? NULL : sn_arena_strdup(a, sn_buf_cstr(&nb));
                sn_buf_free(&nb);
                if (!ix->name) return SINEW_NOMEM;
            }
            t->idx[keep++] = *ix;
        }
        t->ni = keep;
        s->models = (const sinew_model *const *)models;
        s->nmodels = i + 1;
    }
    s->models = (const sinew_model *const *)models;
    s->nmodels = b->nt;
    /* enums: PascalCase of the type name, clear of model names and of each other */
    for (size_t i = 0; i < b->nenums; i++) {
        const char *base = model_name(a, b->enum_types[i]);
        if (!base) return SINEW_NOMEM;
        const char *nm = base;
        for (int n = 2;; n++) {
            int taken = sinew_schema_find_model(s, nm) != NULL;
            for (size_t k = 0; k < i && !taken; k++) taken = !strcmp(b->enums[k]->name, nm);
            if (!taken) break;
            if (!(nm = sn_arena_printf(a, n == 2 ? "%sEnum" : "%sEnum%d", base, n))) return SINEW_NOMEM;
        }
        b->enums[i]->name = nm;
    }
    s->enums = (const sinew_enum *const *)b->enums;
    s->nenums = b->nenums;
    for (size_t i = 0; i < b->nt; i++) {
        sinew_model *m = b->t[i].model;
        m->fields = b->t[i].fields;
        m->nfields = b->t[i].nf;
        m->indexes = b->t[i].idx;
        m->nindexes = b->t[i].ni;
        /* distribution, as a coordinator reported it */
        const ib_table *t = &b->t[i];
        int dc = t->dist == SINEW_DIST_HASH && t->dist_column ? find_col(t, t->dist_column) : -1;
        if (dc >= 0) {
            m->distribution = SINEW_DIST_HASH;
            m->dist_field = (unsigned)dc;
        } else if (t->dist == SINEW_DIST_REFERENCE) {
            m->distribution = SINEW_DIST_REFERENCE;
        } else if (b->distributed_db) {
            m->distribution = SINEW_DIST_LOCAL;
        }
    }
    for (size_t i = 0; i < b->nt; i++) {
        int rc = resolve_fks(b, i);
        if (rc) return rc;
    }
    for (size_t i = 0; i < b->nt; i++) {
        int rc = add_inverses(b, i);
        if (rc) return rc;
    }
    for (size_t i = 0; i < b->nt; i++) {
        ib_table *t = &b->t[i];
        for (size_t r = 0; r < t->nr; r++) t->rels[r].order = (int)(t->nf + r);
        t->model->relations = t->rels;
        t->model->nrelations = t->nr;
        int rc = sn_ib_polys(a, t->model);
        if (rc) return rc;
    }
    s->owner = a;
    is->notes = b->notes.len && !b->notes.failed ? sn_arena_strdup(a, sn_buf_cstr(&b->notes)) : NULL;
    b->finished = 1;
    *out = s;
    return SINEW_OK;
}
