/*
 * ident_limit.c - names within the database's identifier limit
 * (sinew_dialect.max_ident_len; PostgreSQL keeps 63 bytes of a name and
 * silently drops the rest).
 *
 * Three kinds of name meet the limit:
 *   - names the schema gives (tables, columns): written as they are; the
 *     database cuts them, consistently in DDL and in queries, so only the
 *     drift check has to compare them as kept (sn_sql_kept_len);
 *   - names sinew makes up (indexes, unique constraints): fitted, so that the
 *     database never cuts them: a long one keeps its head and gets a hash of
 *     the whole name, and two long names that share their first 63 bytes
 *     (<table>_<col>..._idx on a long table) stay two names;
 *   - names the database gives itself to a constraint sinew does not name
 *     (a primary key, a foreign key, a column's UNIQUE), which a migration
 *     needs to drop one: derived by the database's own rule
 *     (sn_sql_default_name).
 * Without a limit (max_ident_len 0) every name is written as it is.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "dialect.h"

/* at most `max` bytes of s, not ending inside a UTF-8 sequence */
static size_t clip(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max) return n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80) max--;
    return max;
}

size_t sn_sql_kept_len(const sinew_dialect *d, const char *name)
{
    return d->max_ident_len > 0 ? clip(name, (size_t)d->max_ident_len) : strlen(name);
}

int sn_sql_same_ident(const sinew_dialect *d, const char *a, const char *b)
{
    size_t na = sn_sql_kept_len(d, a), nb = sn_sql_kept_len(d, b);
    return na == nb && memcmp(a, b, na) == 0;
}

/* 32-bit FNV-1a: fixed, so the same name gets the same suffix on every machine and release */
static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

void sn_sql_fit_name(sn_buf *out, const sinew_dialect *d, const char *name)
{
    size_t max = d->max_ident_len > 0 ? (size_t)d->max_ident_len : 0;
    if (!max || strlen(name) <= max) {
        sn_buf_puts(out, name);
        return;
    }
    char suffix[16];
    snprintf(suffix, sizeof suffix, "_%08x", (unsigned)name_hash(name));
    size_t ns = strlen(suffix);
    if (max <= ns) {   /* a limit too small for a head: the hash alone */
        sn_buf_printf(out, "%.*s", (int)max, suffix + 1);
        return;
    }
    sn_buf_printf(out, "%.*s%s", (int)clip(name, max - ns), name, suffix);
}

void sn_sql_fit_ident(sn_buf *out, const sinew_dialect *d, const char *name)
{
    sn_buf n;
    sn_buf_init(&n);
    sn_sql_fit_name(&n, d, name);
    if (n.failed) out->failed = 1;
    else sn_sql_ident(out, d, sn_buf_cstr(&n));
    sn_buf_free(&n);
}

/*
 * PostgreSQL's makeObjectName() with the column part of
 * ChooseIndexNameAddition(): "<table>_<col>_<col>_<label>", where the longer
 * of the table and the column part is shortened, a byte at a time, until the
 * whole fits. (When the name is taken already PostgreSQL tries <label>1,
 * <label>2...; sinew's own names carry a hash, so that does not arise from
 * them.)
 */
void sn_sql_default_name(sn_buf *out, const sinew_dialect *d, const char *table, const char *const *cols,
                         size_t ncols, const char *label)
{
    size_t max = d->max_ident_len > 0 ? (size_t)d->max_ident_len : 0;
    if (!max) {
        sn_buf_puts(out, table);
        for (size_t i = 0; i < ncols; i++) sn_buf_printf(out, "_%s", cols[i]);
        sn_buf_printf(out, "_%s", label);
        return;
    }
    /* the column part: names (each as the database keeps it) joined by _, stopping once it
     * reaches the limit */
    sn_buf add;
    sn_buf_init(&add);
    for (size_t i = 0; i < ncols && add.len < max + 1; i++) {
        if (i) sn_buf_putc(&add, '_');
        sn_buf_printf(&add, "%.*s", (int)clip(cols[i], max), cols[i]);
    }
    if (add.failed) {
        out->failed = 1;
        sn_buf_free(&add);
        return;
    }
    const char *name2 = ncols ? sn_buf_cstr(&add) : NULL;
    size_t n1 = clip(table, max), n2 = name2 ? strlen(name2) : 0;
    size_t overhead = strlen(label) + 1 + (name2 ? 1 : 0);
    size_t avail = max > overhead ? max - overhead : 1;
    while (n1 + n2 > avail) {
        if (n1 > n2) n1--;
        else n2--;
    }
    n1 = clip(table, n1);
    if (name2) n2 = clip(name2, n2);
    sn_buf_printf(out, "%.*s", (int)n1, table);
    if (name2) sn_buf_printf(out, "_%.*s", (int)n2, name2);
    sn_buf_printf(out, "_%s", label);
    sn_buf_free(&add);
}

void sn_sql_default_ident(sn_buf *out, const sinew_dialect *d, const char *table, const char *const *cols,
                          size_t ncols, const char *label)
{
    sn_buf n;
    sn_buf_init(&n);
    sn_sql_default_name(&n, d, table, cols, ncols, label);
    if (n.failed) out->failed = 1;
    else sn_sql_ident(out, d, sn_buf_cstr(&n));
    sn_buf_free(&n);
}

/* one name against the limit: SINEW_INVALID saying where it is and what to do */
static int check_name(const sinew_dialect *d, const char *file, const sinew_srcloc *loc, const char *what,
                      const char *name, const char *fix, const char *extra)
{
    size_t n = strlen(name), max = (size_t)d->max_ident_len;
    if (n <= max) return SINEW_OK;
    char where[600] = "";
    if (file && loc->line > 0) snprintf(where, sizeof where, "%s:%d:%d: error: ", file, loc->line, loc->col);
    sn_buf b;
    sn_buf_init(&b);
    sn_sql_escape_text(&b, name);
    int rc = sinew_error_set(SINEW_INVALID, "%s%s name \"%s\" is %zu bytes long; %s refuses names longer than %zu "
                             "bytes (it does not cut them): %s%s", where, what, b.failed ? "?" : sn_buf_cstr(&b), n,
                             d->name, max, fix, extra ? extra : "");
    sn_buf_free(&b);
    return rc;
}

int sn_sql_check_names(const sinew_dialect *d, const sinew_schema *s, const char *file, const char *extra)
{
    if (!d->long_idents_refused || d->max_ident_len <= 0 || !s) return SINEW_OK;
    char what[300], fix[300];
    for (size_t i = 0; i < s->nmodels; i++) {
        const sinew_model *m = s->models[i];
        snprintf(what, sizeof what, "model %s: table", m->name);
        snprintf(fix, sizeof fix, "give the model a shorter table name with @@map(\"...\")");
        int rc = check_name(d, file, &m->loc, what, m->table, fix, extra);
        for (size_t k = 0; k < m->nfields && !rc; k++) {
            const sinew_field *f = &m->fields[k];
            snprintf(what, sizeof what, "model %s, field %s: column", m->name, f->name);
            snprintf(fix, sizeof fix, "give the field a shorter column name with @map(\"...\")");
            rc = check_name(d, file, &f->loc, what, f->column, fix, extra);
        }
        for (size_t k = 0; k < m->nrelations && !rc; k++) {
            const sinew_relation *r = &m->relations[k];
            if (r->kind != SINEW_BELONGS_TO || !r->fk_name) continue;
            snprintf(what, sizeof what, "model %s, relation %s: foreign key", m->name, r->name);
            rc = check_name(d, file, &r->loc, what, r->fk_name, "give it a shorter name in @fk(..., name: \"...\")",
                            extra);
        }
        if (!rc && m->pk_name && !d->primary_key_unnamed)
            rc = check_name(d, file, &m->loc, "primary key", m->pk_name, "give it a shorter name", extra);
        for (size_t k = 0; k < m->nchecks && !rc; k++)
            if (m->checks[k].name)
                rc = check_name(d, file, &m->checks[k].loc, "check constraint", m->checks[k].name,
                                "give it a shorter name in @@check(..., name: \"...\")", extra);
        if (rc) return rc;
    }
    return SINEW_OK;
}
