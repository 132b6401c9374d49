/*
 * introspect_soft.c - db pull recognising @@soft_delete from what sinew
 * itself writes for it.
 *
 * Nothing in a catalog says "soft delete"; what sinew's DDL leaves is a
 * nullable timestamp column and, for each @@unique of the model, a unique
 * index WHERE "<column>" IS NULL (docs/schema.md). So a table is pulled as
 * @@soft_delete(column) when it has at least one such partial unique index
 * and no other unique key but its primary key: a total unique index would
 * become partial once the model is @@soft_delete (the resolver makes every
 * plain @@unique so), and the schema would then drift from the database.
 * On SQLite, where sinew stores timestamps as TEXT and a pull reads such
 * columns as text, a nullable column declared TEXT is taken for the
 * timestamp it is only under predicates written exactly as sinew writes
 * them ("col" IS NULL: SQLite keeps an index's text as given), not under a
 * hand-written revoked_at IS NULL. A column named deleted_at alone is not taken as one (it may be any
 * timestamp an application keeps, and the attribute changes what delete
 * does); neither are tables on a backend without partial indexes (MariaDB),
 * where nothing tells such a column apart.
 */
#include <ctype.h>
#include <string.h>
#include "schema/introspect.h"

/* s past spaces and '(' (opening) or ')' (closing); *depth counts them */
static const char *skip(const char *s, char paren, int *depth)
{
    for (;; s++) {
        if (isspace((unsigned char)*s)) continue;
        if (*s != paren) return s;
        *depth += 1;
    }
}

/* w starts with the keyword kw (in capitals), in any case, followed by something not a letter */
static int keyword(const char *w, const char *kw)
{
    for (; *kw; kw++, w++)
        if (toupper((unsigned char)*w) != *kw) return 0;
    return !isalnum((unsigned char)*w) && *w != '_';
}

/* does `where` say "<column> IS NULL" (as written, or as PostgreSQL gives it back: (col IS NULL))? */
static int is_null_of(const char *where, const char *column)
{
    int open = 0, close = 0;
    const char *w = skip(where, '(', &open);
    size_t n = strlen(column);
    if (*w == '"') {   /* a quoted identifier: "" is one quote */
        w++;
        for (const char *c = column; *c; c++) {
            if (*c == '"' && *w++ != '"') return 0;
            if (*w++ != *c) return 0;
        }
        if (*w++ != '"') return 0;
    } else {
        if (strncmp(w, column, n) != 0) return 0;
        w += n;
        if (isalnum((unsigned char)*w) || *w == '_') return 0;
    }
    if (!isspace((unsigned char)*w)) return 0;
    while (isspace((unsigned char)*w)) w++;
    if (!keyword(w, "IS") || !isspace((unsigned char)w[2])) return 0;
    w += 2;
    while (isspace((unsigned char)*w)) w++;
    if (!keyword(w, "NULL")) return 0;
    w = skip(w + 4, ')', &close);
    return *w == '\0' && open == close;
}

/* a column declared TEXT as sinew's SQLite DDL declares a timestamp (SQLite has no timestamp type, so a
 * pull reads every timestamp column as text); PostgreSQL spells its text type in lower case */
static int sqlite_timestamp(const sinew_field *x)
{
    return x->type == SINEW_TEXT && x->db_type && !strcmp(x->db_type, "TEXT") &&
           !(x->flags & SINEW_FIELD_DB_TYPE) && x->def.kind == SINEW_DEFAULT_NONE;
}

/* is `where` the predicate exactly as sinew writes it, "col" IS NULL (SQLite keeps the text as written)? */
static int sinew_wrote(const char *where, const char *column)
{
    if (*where++ != '"') return 0;
    for (const char *c = column; *c; c++) {
        if (*c == '"' && *where++ != '"') return 0;
        if (*where++ != *c) return 0;
    }
    return !strcmp(where, "\" IS NULL");
}

/* the field, if it can be a @@soft_delete field: a nullable timestamp nothing else writes; a TEXT column
 * only under the predicate exactly as sinew's DDL writes it (a hand-made text column is not a guess) */
static int soft_candidate(const sinew_field *f, size_t nf, const char *where)
{
    for (size_t i = 0; i < nf; i++) {
        const sinew_field *x = &f[i];
        if (!(x->flags & SINEW_FIELD_NULLABLE) ||
            (x->flags & (SINEW_FIELD_PK | SINEW_FIELD_GENERATED | SINEW_FIELD_UPDATED_AT)))
            continue;
        if (x->type == SINEW_TIMESTAMP ? is_null_of(where, x->column)
                                       : sqlite_timestamp(x) && sinew_wrote(where, x->column))
            return (int)i;
    }
    return -1;
}

static int is_pk(const sinew_index *ix, const unsigned *pk, size_t npk)
{
    if (ix->nfields != npk) return 0;
    for (size_t i = 0; i < npk; i++) {
        int found = 0;
        for (size_t k = 0; k < npk; k++) found |= ix->fields[k] == pk[i];
        if (!found) return 0;
    }
    return 1;
}

int sn_ib_infer_soft_delete(sn_arena *a, sinew_model *m, sinew_field *f, size_t nf, sinew_index *ix, size_t ni)
{
    if (m->flags & SINEW_MODEL_READONLY) return SINEW_OK;   /* sinew never deletes its rows */
    int soft = -1;
    for (size_t i = 0; i < ni; i++) {
        if (!ix[i].unique) continue;
        if (!ix[i].where) {
            if (!is_pk(&ix[i], m->pk, m->npk)) return SINEW_OK;   /* a total unique key: not sinew's */
            continue;
        }
        int c = soft_candidate(f, nf, ix[i].where);
        if (c >= 0 && soft < 0) soft = c;
    }
    if (soft < 0) return SINEW_OK;
    f[soft].type = SINEW_TIMESTAMP;   /* on SQLite: the TEXT sinew stores timestamps in */
    f[soft].flags |= SINEW_FIELD_DELETED_AT;
    m->flags |= SINEW_MODEL_SOFT_DELETE;
    /* the predicates as the resolver writes them, so the printer shows plain @@unique([..]) */
    sn_buf q;
    sn_buf_init(&q);
    sn_buf_putc(&q, '"');
    for (const char *c = f[soft].column; *c; c++) {
        if (*c == '"') sn_buf_putc(&q, '"');
        sn_buf_putc(&q, *c);
    }
    sn_buf_puts(&q, "\" IS NULL");
    const char *pred = q.failed ? NULL : sn_arena_strdup(a, sn_buf_cstr(&q));
    sn_buf_free(&q);
    if (!pred) return SINEW_NOMEM;
    for (size_t i = 0; i < ni; i++)
        if (ix[i].unique && ix[i].where && is_null_of(ix[i].where, f[soft].column)) ix[i].where = pred;
    return SINEW_OK;
}
