/*
 * codegen.c - emits C from the schema graph (tools layer: no database is
 * touched). The header holds what users read and call: structs in schema
 * order with doc comments, typed lists, column and relation constants, and
 * small static inline wrappers over the generic runtime. The source holds
 * the descriptor tables as static const data, in the manner of protobuf-c.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "base.h"
#include "schema/names.h"
#include "sinew/codegen.h"
#include "sinew/version.h"

/* the public name of the schema layer's snake_case (one implementation: schema/names.c) */
void sinew_snake_case(const char *name, char *buf, size_t cap)
{
    sn_snake(name, buf, cap);
}

static void upper(const char *in, char *out, size_t cap)
{
    char tmp[256];
    sn_snake(in, tmp, sizeof tmp);
    size_t i = 0;
    for (; tmp[i] && i + 1 < cap; i++) out[i] = (char)toupper((unsigned char)tmp[i]);
    out[i] = '\0';
}

static int is_ident(const char *s)
{
    if (!s || !(isalpha((unsigned char)s[0]) || s[0] == '_')) return 0;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_') return 0;
    return !sn_c_keyword(s);
}

typedef struct gen {
    const sinew_schema *s;
    FILE *h, *c;
    char base[128];        /* schema name as an identifier */
    int rc;
    struct cnames *names;  /* per model, in schema order */
} gen;

/* a C string literal */
static void lit(FILE *f, const char *s)
{
    if (!s) {
        fputs("NULL", f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
        else if (*p == '\n') fputs("\\n", f);
        else if (*p < 32 || *p == 127) fprintf(f, "\\%03o", *p);
        else if (*p == '?' && p[1] == '?') fputs("?\"\"", f);   /* no trigraphs */
        else fputc(*p, f);
    }
    fputc('"', f);
}

static const char *ctype(const sinew_field *f, char *buf, size_t cap)
{
    switch (f->type) {
    case SINEW_BOOL: return "bool";
    case SINEW_INT32: case SINEW_DATE: return "int32_t";
    case SINEW_INT64: case SINEW_TIMESTAMP: return "int64_t";
    case SINEW_DOUBLE: return "double";
    case SINEW_TEXT: case SINEW_JSON: case SINEW_DECIMAL: return "char *";
    case SINEW_BLOB: return "sinew_blob";
    case SINEW_UUID: return "sinew_uuid";
    case SINEW_ENUM:
        if (f->enum_type) {
            snprintf(buf, cap, "%s", f->enum_type->name);
            return buf;
        }
        return "int";
    }
    return "int";
}

/* parameter type for a key value */
static const char *ptype(const sinew_field *f, char *buf, size_t cap)
{
    if (f->type == SINEW_TEXT || f->type == SINEW_JSON || f->type == SINEW_DECIMAL) return "const char *";
    return ctype(f, buf, cap);
}

static const char *value_ctor(sinew_type t)
{
    switch (t) {
    case SINEW_BOOL: return "sinew_v_bool";
    case SINEW_INT32: return "sinew_v_int32";
    case SINEW_INT64: return "sinew_v_int64";
    case SINEW_DOUBLE: return "sinew_v_double";
    case SINEW_TEXT: return "sinew_v_text";
    case SINEW_JSON: return "sinew_v_json";
    case SINEW_DECIMAL: return "sinew_v_decimal";
    case SINEW_TIMESTAMP: return "sinew_v_timestamp";
    case SINEW_DATE: return "sinew_v_date";
    case SINEW_UUID: return "sinew_v_uuid";
    case SINEW_ENUM: return "sinew_v_enum";
    case SINEW_BLOB: return NULL;
    }
    return NULL;
}

static const char *type_const(sinew_type t)
{
    switch (t) {
    case SINEW_BOOL: return "SINEW_BOOL";
    case SINEW_INT32: return "SINEW_INT32";
    case SINEW_INT64: return "SINEW_INT64";
    case SINEW_DOUBLE: return "SINEW_DOUBLE";
    case SINEW_TEXT: return "SINEW_TEXT";
    case SINEW_BLOB: return "SINEW_BLOB";
    case SINEW_TIMESTAMP: return "SINEW_TIMESTAMP";
    case SINEW_DATE: return "SINEW_DATE";
    case SINEW_UUID: return "SINEW_UUID";
    case SINEW_JSON: return "SINEW_JSON";
    case SINEW_DECIMAL: return "SINEW_DECIMAL";
    case SINEW_ENUM: return "SINEW_ENUM";
    }
    return "SINEW_INT64";
}

static int has_flag_member(const sinew_field *f)
{
    return (f->flags & SINEW_FIELD_NULLABLE) && f->type != SINEW_TEXT && f->type != SINEW_JSON &&
           f->type != SINEW_DECIMAL;
}

/* ---- C names for fields and relations ---- */

/*
 * Field and relation names are schema names (any identifier, or any text in
 * a graph made by introspection); the C struct members, key parameters and
 * rules tables are named after them. A name C cannot take as it is gets a
 * C name of its own: a C keyword of any standard (int, bool, typeof), an
 * object-like macro of the headers the generated code includes (NULL,
 * errno, stdin, EOF, INT32_MAX, GNU's unix and linux), an identifier
 * reserved to the implementation (__x, _X) or to sinew (sinew_, SINEW_),
 * or text that is no identifier (unicode, spaces). It becomes an identifier
 * (bytes outside [A-Za-z0-9_] as _xHH), then `f` in front of a reserved
 * prefix, then `_` appended until it is free: no other field's or
 * relation's name, no other member (has_<x> flags included). The
 * descriptors keep the schema name and the column, so SQL never sees it.
 */
static const char *const c_unsafe[] = {
    /* keywords sn_c_keyword does not list: C23's _BitInt and decimal types, GNU's asm */
    "_BitInt", "_Decimal32", "_Decimal64", "_Decimal128", "asm",
    /* object-like macros and identifiers of <stdbool.h> <stddef.h> <stdint.h> <stdio.h> <errno.h> */
    "NULL", "errno", "stdin", "stdout", "stderr", "EOF", "BUFSIZ", "FILENAME_MAX", "FOPEN_MAX", "TMP_MAX",
    "L_tmpnam", "SEEK_SET", "SEEK_CUR", "SEEK_END", "P_tmpdir", "L_ctermid", "offsetof", "va_list",
    "__bool_true_false_are_defined", "unix", "linux", "i386", "SIZE_MAX", "PTRDIFF_MIN", "PTRDIFF_MAX",
    "SIG_ATOMIC_MIN", "SIG_ATOMIC_MAX", "WCHAR_MIN", "WCHAR_MAX", "WINT_MIN", "WINT_MAX", NULL};

static int plain_ident(const char *s)
{
    if (!s || !(isalpha((unsigned char)s[0]) || s[0] == '_')) return 0;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_') return 0;
    return 1;
}

/* names reserved to the implementation or to sinew: the fix is a letter in front */
static int reserved_prefix(const char *s)
{
    return (s[0] == '_' && (s[1] == '_' || isupper((unsigned char)s[1]))) || !strncmp(s, "sinew_", 6) ||
           !strncmp(s, "SINEW_", 6) || !strncmp(s, "sn_", 3) || !strncmp(s, "SN_", 3);
}

/* an <stdint.h> limit or constant macro: INT8_MAX, UINT_LEAST16_MIN, INT64_C, INTMAX_WIDTH */
static int stdint_macro(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        if (islower((unsigned char)s[i])) return 0;
    if (strncmp(s, "INT", 3) && strncmp(s, "UINT", 4)) return 0;
    return (n > 4 && (!strcmp(s + n - 4, "_MAX") || !strcmp(s + n - 4, "_MIN"))) || (n > 2 && !strcmp(s + n - 2, "_C")) ||
           (n > 6 && !strcmp(s + n - 6, "_WIDTH"));
}

static int c_name_unsafe(const char *s)
{
    if (!plain_ident(s) || reserved_prefix(s) || stdint_macro(s)) return 1;
    if (sn_c_keyword(s)) return 1;
    for (const char *const *k = c_unsafe; *k; k++)
        if (!strcmp(*k, s)) return 1;
    return 0;
}

/* the C names of one model: fields[i] and rels[i] */
typedef struct cnames {
    char **fields;
    char **rels;
    size_t nf, nr;
    char **fmacro, **rmacro;   /* MODEL_FIELD / MODEL_RELATION constants: unique after upper-casing */
} cnames;

static int cn_taken(const sinew_model *m, const cnames *c, size_t upto, const char *self, const char *name)
{
    for (size_t i = 0; i < m->nfields; i++)
        if (m->fields[i].name != self && m->fields[i].name && !strcmp(m->fields[i].name, name)) return 1;
    for (size_t i = 0; i < m->nrelations; i++)
        if (m->relations[i].name != self && !strcmp(m->relations[i].name, name)) return 1;
    for (size_t i = 0; i < upto; i++) {
        const char *x = i < c->nf ? c->fields[i] : c->rels[i - c->nf];
        if (!x) continue;
        if (!strcmp(x, name)) return 1;
        if (i < c->nf && has_flag_member(&m->fields[i]) && !strncmp(name, "has_", 4) && !strcmp(x, name + 4)) return 1;
    }
    return 0;
}

static char *c_name_for(const sinew_model *m, const cnames *c, size_t upto, const char *raw, int has_flag)
{
    size_t n = strlen(raw);
    char *o = sn_malloc(n * 4 + 8);
    if (!o) return NULL;
    size_t j = 0;
    if (c_name_unsafe(raw)) {
        if (!n || isdigit((unsigned char)raw[0]) || (plain_ident(raw) && reserved_prefix(raw))) o[j++] = 'f';
        for (size_t i = 0; i < n; i++) {
            unsigned char ch = (unsigned char)raw[i];
            if (isalnum(ch) || ch == '_') o[j++] = (char)ch;
            else j += (size_t)snprintf(o + j, 5, "_x%02x", ch);
        }
        if (j && o[0] == '_' && (o[1] == '_' || isupper((unsigned char)o[1]))) {   /* escaping made a reserved name */
            memmove(o + 1, o, j);
            o[0] = 'f';
            j++;
        }
    } else {
        memcpy(o, raw, n);
        j = n;
    }
    o[j] = '\0';
    char has[600];
    for (;;) {
        snprintf(has, sizeof has, "has_%s", o);
        int clash = c_name_unsafe(o) || (strcmp(o, raw) && cn_taken(m, c, upto, NULL, o)) || cn_taken(m, c, upto, raw, o);
        if (!clash && has_flag && cn_taken(m, c, upto, NULL, has)) clash = 1;
        if (!clash) return o;
        char *g = sn_realloc(o, strlen(o) + 2);
        if (!g) {
            sn_free(o);
            return NULL;
        }
        o = g;
        strcat(o, "_");
    }
}

static void cnames_free(cnames *c)
{
    for (size_t i = 0; c->fields && i < c->nf; i++) sn_free(c->fields[i]);
    for (size_t i = 0; c->rels && i < c->nr; i++) sn_free(c->rels[i]);
    for (size_t i = 0; c->fmacro && i < c->nf; i++) sn_free(c->fmacro[i]);
    for (size_t i = 0; c->rmacro && i < c->nr; i++) sn_free(c->rmacro[i]);
    sn_free(c->fields);
    sn_free(c->rels);
    sn_free(c->fmacro);
    sn_free(c->rmacro);
}

static void upper(const char *in, char *out, size_t cap);

/* MODEL_NAME for the i-th member: upper-cased, then _2, _3 ... if an earlier one has it (Key and key) */
static char *macro_for(const char *mu, const char *member, char **done, size_t ndone)
{
    char up[256];
    upper(member, up, sizeof up);
    char *o = sn_malloc(strlen(mu) + strlen(up) + 24);
    if (!o) return NULL;
    for (int n = 1;; n++) {
        if (n == 1) sprintf(o, "%s_%s", mu, up);
        else sprintf(o, "%s_%s_%d", mu, up, n);
        size_t i = 0;
        while (i < ndone && strcmp(done[i], o)) i++;
        if (i == ndone) return o;
    }
}

static int cnames_make(const sinew_model *m, cnames *c)
{
    memset(c, 0, sizeof *c);
    c->nf = m->nfields;
    c->nr = m->nrelations;
    c->fields = sn_calloc(m->nfields + 1, sizeof *c->fields);
    c->rels = sn_calloc(m->nrelations + 1, sizeof *c->rels);
    if (!c->fields || !c->rels) return sn_nomem();
    for (size_t i = 0; i < m->nfields; i++)
        if (!(c->fields[i] = c_name_for(m, c, i, m->fields[i].name ? m->fields[i].name : "", has_flag_member(&m->fields[i]))))
            return sn_nomem();
    for (size_t i = 0; i < m->nrelations; i++)
        if (!(c->rels[i] = c_name_for(m, c, m->nfields + i, m->relations[i].name, 0))) return sn_nomem();
    char mu[256];
    upper(m->c_name, mu, sizeof mu);
    char **all = sn_calloc(m->nfields + m->nrelations + 1, sizeof *all);
    c->fmacro = sn_calloc(m->nfields + 1, sizeof *c->fmacro);
    c->rmacro = sn_calloc(m->nrelations + 1, sizeof *c->rmacro);
    if (!all || !c->fmacro || !c->rmacro) {
        sn_free(all);
        return sn_nomem();
    }
    size_t n = 0;
    for (size_t i = 0; i < m->nfields; i++) {
        if (!(c->fmacro[i] = macro_for(mu, c->fields[i], all, n))) break;
        all[n++] = c->fmacro[i];
    }
    for (size_t i = 0; n == m->nfields + i && i < m->nrelations; i++) {
        if (!(c->rmacro[i] = macro_for(mu, c->rels[i], all, n))) break;
        all[n++] = c->rmacro[i];
    }
    sn_free(all);
    return n == m->nfields + m->nrelations ? SINEW_OK : sn_nomem();
}

static void flags_expr(FILE *f, unsigned fl)
{
    static const struct { unsigned bit; const char *name; } names[] = {
        {SINEW_FIELD_NULLABLE, "SINEW_FIELD_NULLABLE"}, {SINEW_FIELD_PK, "SINEW_FIELD_PK"},
        {SINEW_FIELD_AUTO, "SINEW_FIELD_AUTO"}, {SINEW_FIELD_UNIQUE, "SINEW_FIELD_UNIQUE"},
        {SINEW_FIELD_INDEX, "SINEW_FIELD_INDEX"}, {SINEW_FIELD_VERSION, "SINEW_FIELD_VERSION"},
        {SINEW_FIELD_FK, "SINEW_FIELD_FK"}, {SINEW_FIELD_IMPLICIT, "SINEW_FIELD_IMPLICIT"},
        {SINEW_FIELD_DB_TYPE, "SINEW_FIELD_DB_TYPE"}, {SINEW_FIELD_GENERATED, "SINEW_FIELD_GENERATED"},
        {SINEW_FIELD_VIRTUAL, "SINEW_FIELD_VIRTUAL"}, {SINEW_FIELD_READONLY, "SINEW_FIELD_READONLY"},
        {SINEW_FIELD_UPDATED_AT, "SINEW_FIELD_UPDATED_AT"}, {SINEW_FIELD_DELETED_AT, "SINEW_FIELD_DELETED_AT"}};
    int any = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (fl & names[i].bit) {
            fprintf(f, "%s%s", any ? " | " : "", names[i].name);
            any = 1;
        }
    if (!any) fputc('0', f);
}

static const char *kind_const(sinew_rel_kind k)
{
    switch (k) {
    case SINEW_BELONGS_TO: return "SINEW_BELONGS_TO";
    case SINEW_HAS_ONE: return "SINEW_HAS_ONE";
    case SINEW_HAS_MANY: return "SINEW_HAS_MANY";
    case SINEW_MANY_TO_MANY: return "SINEW_MANY_TO_MANY";
    }
    return "SINEW_BELONGS_TO";
}

static const char *action_const(sinew_fk_action a)
{
    switch (a) {
    case SINEW_FK_RESTRICT: return "SINEW_FK_RESTRICT";
    case SINEW_FK_CASCADE: return "SINEW_FK_CASCADE";
    case SINEW_FK_SET_NULL: return "SINEW_FK_SET_NULL";
    case SINEW_FK_SET_DEFAULT: return "SINEW_FK_SET_DEFAULT";
    case SINEW_FK_NO_ACTION: break;
    }
    return "SINEW_FK_NO_ACTION";
}

static int fail(gen *g, const char *fmt, const char *a, const char *b)
{
    if (!g->rc) g->rc = sinew_error_set(SINEW_INVALID, fmt, a, b);
    return g->rc;
}

/*
 * Text from the schema (doc comments, the source file's name) inside a
 * generated block comment, made inert: no byte of it can end the comment
 * (`*` then `/`, also across the " *" that starts each continued line), open
 * a nested one (`/` then `*`, a -Wcomment warning), form a trigraph (`??/` is
 * a backslash under -std=c11 -trigraphs), or splice the next line (a trailing
 * backslash). Control characters become spaces. `prev` is the last byte
 * written to the comment so far.
 */
static void comment_text(FILE *f, const char *s, const char *newline, int *prev)
{
    int backslash = 0;   /* the line so far ends in a backslash and blanks (gcc splices those too) */
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int c = *p;
        if (c == '\n') {
            if (backslash) fputc('.', f);
            fputs(newline, f);
            *prev = newline[strlen(newline) - 1];
            backslash = 0;
            continue;
        }
        if (c < 32 || c == 127) c = ' ';
        if ((*prev == '*' && c == '/') || (*prev == '/' && c == '*')) fputc(' ', f);
        if (c == '?' && *prev == '?') fputc(' ', f);   /* "??" starts every trigraph: keep them apart */
        fputc(c, f);
        *prev = c;
        backslash = c == '\\' || (backslash && c == ' ');
    }
    if (backslash) {
        fputc('.', f);
        *prev = '.';
    }
}

static void doc(FILE *f, const char *d, const char *indent)
{
    if (!d || !*d) return;
    char nl[64];
    snprintf(nl, sizeof nl, "\n%s *", indent);
    fprintf(f, "%s/**", indent);
    int prev = '*';
    comment_text(f, d, nl, &prev);
    fputs(" */\n", f);
}

/* ---- checks: everything must become a valid, unique C name ---- */

static void check_names(gen *g)
{
    const sinew_schema *s = g->s;
    for (size_t i = 0; i < s->nenums; i++) {
        if (!is_ident(s->enums[i]->name)) fail(g, "enum name '%s' is not a C identifier%s", s->enums[i]->name, "");
        for (size_t k = 0; k < s->enums[i]->nvalues; k++) {
            char up[256];
            upper(s->enums[i]->values[k], up, sizeof up);
            if (!*up) fail(g, "enum %s: value '%s' gives no C name", s->enums[i]->name, s->enums[i]->values[k]);
        }
    }
    for (size_t i = 0; i < s->nmodels; i++) {
        const sinew_model *m = s->models[i];
        if (!is_ident(m->name)) fail(g, "model name '%s' is not a C identifier%s; rename it", m->name, "");
        if (!is_ident(m->c_name)) fail(g, "model function prefix '%s' is not a C identifier%s", m->c_name, "");
        for (size_t r = 0; r < m->nrelations; r++) {
            const char *rn = m->relations[r].name;
            for (size_t f = 0; f < m->nfields; f++)
                if (!strcmp(m->fields[f].name, rn))
                    fail(g, "relation '%s' of model %s has the name of a field; rename one of them", rn, m->name);
            static const char *const reserved[] = {"new", "get", "save", "delete", "count", "query", "all",
                                                   "first", "one", "insert", "list", NULL};
            for (const char *const *w = reserved; *w; w++)
                if (!strcmp(*w, rn))
                    fail(g, "relation '%s' of model %s would collide with the generated function of that name",
                         rn, m->name);
        }
        for (size_t k = 0; k < m->npolys; k++) {
            static const char *const reserved[] = {"new", "get", "save", "delete", "count", "query", "all",
                                                   "first", "one", "insert", "list", NULL};
            const char *pn = m->polys[k].name;
            if (!is_ident(pn)) fail(g, "polymorphic relation '%s' of model %s is not a C identifier", pn, m->name);
            for (const char *const *w = reserved; *w; w++)
                if (!strcmp(*w, pn))
                    fail(g, "polymorphic relation '%s' of model %s would collide with the generated function of that "
                         "name", pn, m->name);
        }
        for (size_t j = 0; j < i; j++)
            if (!strcmp(s->models[j]->c_name, m->c_name))
                fail(g, "models %s and %s would generate functions with the same prefix", s->models[j]->name, m->name);
    }
}

/* ---- header ---- */

/* the schema's name for field f, as C names it: an implicit foreign key goes by its relation */
static const char *schema_name_of(const sinew_model *m, const cnames *cn, unsigned f)
{
    if (!(m->fields[f].flags & SINEW_FIELD_IMPLICIT)) return cn->fields[f];
    for (size_t r = 0; r < m->nrelations; r++) {
        const sinew_relation *rl = &m->relations[r];
        if (rl->kind != SINEW_BELONGS_TO) continue;
        for (size_t k = 0; k < rl->nkeys; k++)
            if (rl->local[k] == f) return cn->rels[r];
    }
    return cn->fields[f];
}

/*
 * A polymorphic relation `target Post | Comment` of Like: LIKE_TARGET (its sinew_poly), the enum
 * like_target_kind (LIKE_TARGET_IS_NONE, LIKE_TARGET_IS_POST, ...), like_target_which(obj),
 * like_target_set_post(s, obj, post) for each target (the others' keys cleared), like_target_clear
 * for an optional one, and the lazy accessor like_target(s, obj, &kind, &out).
 */
static void emit_polys(FILE *h, const sinew_model *m)
{
    const char *cn = m->c_name;
    char ucn[256], up[256], ut[256], sn[256];
    upper(cn, ucn, sizeof ucn);
    for (size_t k = 0; k < m->npolys; k++) {
        const sinew_poly *pl = &m->polys[k];
        const char *pn = pl->name;
        upper(pn, up, sizeof up);
        fprintf(h, "/* %s.%s: one of ", m->name, pn);
        for (size_t i = 0; i < pl->ntargets; i++)
            fprintf(h, "%s%s", i ? " | " : "", m->relations[pl->targets[i]].target->name);
        fprintf(h, " (exactly one key set%s) */\n", pl->optional ? ", or none" : "");
        fprintf(h, "#define %s_%s (&%s_model.polys[%zu])\n", ucn, up, cn, k);
        fprintf(h, "typedef enum %s_%s_kind {\n    %s_%s_IS_NONE = 0", cn, pn, ucn, up);
        for (size_t i = 0; i < pl->ntargets; i++) {
            sinew_snake_case(m->relations[pl->targets[i]].target->name, sn, sizeof sn);
            upper(sn, ut, sizeof ut);
            fprintf(h, ",\n    %s_%s_IS_%s = %zu", ucn, up, ut, i + 1);
        }
        fprintf(h, "\n} %s_%s_kind;\n\n", cn, pn);
        fprintf(h, "static inline %s_%s_kind %s_%s_which(const %s *obj)\n{\n    return (%s_%s_kind)sinew_poly_which("
                   "&%s_model, %s_%s, obj);\n}\n\n", cn, pn, cn, pn, m->name, cn, pn, cn, ucn, up);
        for (size_t i = 0; i < pl->ntargets; i++) {
            const sinew_model *t = m->relations[pl->targets[i]].target;
            sinew_snake_case(t->name, sn, sizeof sn);
            fprintf(h, "static inline int %s_%s_set_%s(sinew_session *s, %s *obj, %s *target)\n{\n    return "
                       "sinew_poly_set(s, %s_%s, obj, %zu, target);\n}\n\n", cn, pn, sn, m->name, t->name, ucn, up, i + 1);
        }
        if (pl->optional)
            fprintf(h, "static inline int %s_%s_clear(sinew_session *s, %s *obj)\n{\n    return sinew_poly_set(s, %s_%s, "
                       "obj, 0, NULL);\n}\n\n", cn, pn, m->name, ucn, up);
        fprintf(h, "static inline int %s_%s_at(sinew_session *s, %s *obj, const char *file, int line, %s_%s_kind *kind, "
                   "void **out)\n{\n    size_t which = 0;\n    int rc = sinew_load_poly_at(s, %s_%s, obj, file, line, &which, "
                   "out);\n    if (kind) *kind = (%s_%s_kind)which;\n    return rc;\n}\n", cn, pn, m->name, cn, pn, ucn,
                up, cn, pn);
        fprintf(h, "#define %s_%s(s, obj, kind, out) %s_%s_at((s), (obj), __FILE__, __LINE__, (kind), (out))\n\n", cn, pn,
                cn, pn);
    }
}

/*
 * <model>_get_by_<a>_<b>(s, a, b, &out) for each composite @@unique, named
 * as the schema names its parts (`@@unique([project, number])` gives
 * issue_get_by_project_number(s, project_id, number, &out)). A name that a
 * single-field getter or an earlier composite one already has is skipped.
 */
static void emit_composite_getters(FILE *h, const sinew_model *m, const cnames *cn)
{
    char buf[256], name[512];
    for (size_t x = 0; x < m->nindexes && m->npk; x++) {
        const sinew_index *ix = &m->indexes[x];
        if (!ix->unique || ix->nfields < 2) continue;
        int ok = 1;
        size_t nl = 0;
        const char *last = NULL;
        for (size_t k = 0; k < ix->nfields && ok; k++) {
            const sinew_field *fd = &m->fields[ix->fields[k]];
            if (!value_ctor(fd->type)) ok = 0;
            const char *part = schema_name_of(m, cn, ix->fields[k]);
            if (last && !strcmp(last, part)) continue;   /* a composite foreign key: one name */
            nl += (size_t)snprintf(name + nl, nl < sizeof name ? sizeof name - nl : 0, "%s%s", nl ? "_" : "", part);
            last = part;
        }
        if (!ok || nl >= sizeof name) continue;
        int taken = 0;
        for (size_t f = 0; f < m->nfields; f++)
            taken |= (m->fields[f].flags & SINEW_FIELD_UNIQUE) && !strcmp(cn->fields[f], name);
        for (size_t y = 0; y < x && !taken; y++) {
            const sinew_index *o = &m->indexes[y];
            if (!o->unique || o->nfields < 2) continue;
            char other[512];
            size_t ol = 0;
            const char *ll = NULL;
            for (size_t k = 0; k < o->nfields; k++) {
                const char *part = schema_name_of(m, cn, o->fields[k]);
                if (ll && !strcmp(ll, part)) continue;
                ol += (size_t)snprintf(other + ol, ol < sizeof other ? sizeof other - ol : 0, "%s%s", ol ? "_" : "", part);
                ll = part;
            }
            taken = ol < sizeof other && !strcmp(other, name);
        }
        if (taken) continue;
        fprintf(h, "static inline int %s_get_by_%s(sinew_session *sinew_s", m->c_name, name);
        for (size_t k = 0; k < ix->nfields; k++) {
            const sinew_field *fd = &m->fields[ix->fields[k]];
            const char *pt = ptype(fd, buf, sizeof buf);
            fprintf(h, ", %s%s%s", pt, pt[strlen(pt) - 1] == '*' ? "" : " ", cn->fields[ix->fields[k]]);
        }
        fprintf(h, ", %s **sinew_out)\n{\n    static const unsigned sinew_key_fields[] = {", m->name);
        for (size_t k = 0; k < ix->nfields; k++) fprintf(h, "%s%u", k ? ", " : "", ix->fields[k]);
        fprintf(h, "};\n    sinew_value sinew_key[%zu] = {", ix->nfields);
        for (size_t k = 0; k < ix->nfields; k++) {
            const sinew_field *fd = &m->fields[ix->fields[k]];
            fprintf(h, "%s%s(%s)", k ? ", " : "", value_ctor(fd->type), cn->fields[ix->fields[k]]);
        }
        fprintf(h, "};\n    return sinew_get_by_fields(sinew_s, &%s_model, sinew_key_fields, %zu, sinew_key, (void **)sinew_out);\n}\n\n", m->c_name,
                ix->nfields);
    }
}

/*
 * The generated descriptor tables fill the runtime's structs (sinew/schema.h)
 * member by member: a runtime older than this generator may lack members they
 * set, and a runtime newer than the oldest generator it still reads may need
 * members they leave out. Either way the mismatch is a compile error naming
 * the two versions, in the manner of protobuf-c, not tables read at the wrong
 * offsets.
 */
static void emit_version_check(FILE *h)
{
    fprintf(h, "/* the runtime these tables were generated for (sinew/version.h) */\n#include <sinew/version.h>\n");
    fprintf(h, "#if !defined(SINEW_VERSION_NUMBER) || SINEW_VERSION_NUMBER < %d\n", SINEW_VERSION_NUMBER);
    fprintf(h, "#error \"generated by sinew %s; this runtime is older: build against sinew %s or newer, or run "
               "the `sinew generate` of the runtime you have\"\n", SINEW_VERSION, SINEW_VERSION);
    fprintf(h, "#elif %d < SINEW_MIN_GENERATED_VERSION\n", SINEW_VERSION_NUMBER);
    fprintf(h, "#error \"generated by sinew %s; this runtime reads only code from a newer sinew: run `sinew generate` "
               "again with the runtime's version\"\n#endif\n\n", SINEW_VERSION);
}

static void emit_header(gen *g, const sinew_codegen_opts *o)
{
    FILE *h = g->h;
    const sinew_schema *s = g->s;
    char guard[160], buf[256], up[256];
    upper(g->base, guard, sizeof guard);
    int prev = ' ';
    fprintf(h, "/*\n * Generated by sinew %s from ", SINEW_VERSION);
    comment_text(h, o->source_name ? o->source_name : "a schema", "\n *", &prev);
    fprintf(h, ". Do not edit: change the schema and run\n * `sinew generate` again.\n */\n");
    fprintf(h, "#ifndef SINEW_GENERATED_%s_H\n#define SINEW_GENERATED_%s_H\n\n", guard, guard);
    emit_version_check(h);
    /* only the runtime headers the code below calls into and whose status codes it returns: not sinew.h
       (migrations, the pool, codegen, diagrams, the parser) */
    int any_relation = 0;
    for (size_t i = 0; i < s->nmodels; i++) any_relation |= s->models[i]->nrelations > 0;
    fprintf(h, "#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <sinew/status.h>\n"
               "#include <sinew/types.h>\n"
               "#include <sinew/schema.h>\n#include <sinew/session.h>\n#include <sinew/query.h>\n%s\n",
            any_relation ? "#include <sinew/relations.h>\n" : "");
    fprintf(h, "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
    for (size_t i = 0; i < s->nenums; i++) {
        const sinew_enum *e = s->enums[i];
        doc(h, e->doc, "");
        fprintf(h, "typedef enum %s {\n", e->name);
        upper(e->name, up, sizeof up);
        for (size_t k = 0; k < e->nvalues; k++) {
            char v[256];
            upper(e->values[k], v, sizeof v);
            fprintf(h, "    %s_%s = %zu,\n", up, v, k);
        }
        fprintf(h, "} %s;\n\n", e->name);
    }
    for (size_t i = 0; i < s->nmodels; i++) fprintf(h, "typedef struct %s %s;\n", s->models[i]->name, s->models[i]->name);
    fputc('\n', h);
    /* the typed lists first: a to-many relation member is one (laid out as sinew_list, which the
     * runtime fills), so user code reads posts.items[i] as a Post * without a cast */
    for (size_t i = 0; i < s->nmodels; i++) {
        const sinew_model *m = s->models[i];
        fprintf(h, "typedef struct %s_list {\n    %s **items;\n    size_t count;\n} %s_list;\n\n", m->c_name, m->name,
                m->c_name);
    }
    for (size_t i = 0; i < s->nmodels; i++) {
        const sinew_model *m = s->models[i];
        const cnames *cnm = &g->names[i];
        doc(h, m->doc, "");
        fprintf(h, "struct %s {\n", m->name);
        for (size_t f = 0; f < m->nfields; f++) {
            const sinew_field *fd = &m->fields[f];
            doc(h, fd->doc, "    ");
            const char *t = ctype(fd, buf, sizeof buf);
            fprintf(h, "    %s%s%s;", t, t[strlen(t) - 1] == '*' ? "" : " ", cnm->fields[f]);
            if (fd->flags & SINEW_FIELD_NULLABLE)
                fprintf(h, "%s", has_flag_member(fd) ? "" : "  /* NULL when unset */");
            fputc('\n', h);
            if (has_flag_member(fd)) fprintf(h, "    bool has_%s;\n", cnm->fields[f]);
        }
        if (m->nrelations) fprintf(h, "    /* relations, filled when loaded (see sinew/relations.h) */\n");
        for (size_t r = 0; r < m->nrelations; r++) {
            const sinew_relation *rl = &m->relations[r];
            doc(h, rl->doc, "    ");
            if (rl->kind == SINEW_BELONGS_TO || rl->kind == SINEW_HAS_ONE)
                fprintf(h, "    %s *%s;\n", rl->target->name, cnm->rels[r]);
            else
                fprintf(h, "    %s_list %s;\n", rl->target->c_name, cnm->rels[r]);
        }
        fprintf(h, "};\n\n");
    }
    for (size_t i = 0; i < s->nenums; i++) {
        char sn[256];
        sinew_snake_case(s->enums[i]->name, sn, sizeof sn);
        fprintf(h, "extern const sinew_enum %s_enum;\n", sn);
    }
    for (size_t i = 0; i < s->nmodels; i++) fprintf(h, "extern const sinew_model %s_model;\n", s->models[i]->c_name);
    fprintf(h, "extern const sinew_schema %s_schema;\n\n", g->base);

    for (size_t i = 0; i < s->nmodels; i++) {
        const sinew_model *m = s->models[i];
        const char *cn = m->c_name;
        const cnames *cnm = &g->names[i];
        fprintf(h, "/* ---- %s ---- */\n\n", m->name);
        for (size_t f = 0; f < m->nfields; f++)
            fprintf(h, "#define %s sinew_column(&%s_model, %zu)\n", cnm->fmacro[f], cn, f);
        for (size_t r = 0; r < m->nrelations; r++)
            fprintf(h, "#define %s (&%s_model.relations[%zu])\n", cnm->rmacro[r], cn, r);
        fputc('\n', h);
        /* @@readonly: no new, save or delete; without a key, no get either (the runtime refuses them too) */
        int ro = (m->flags & SINEW_MODEL_READONLY) != 0;
        if (!ro)
            fprintf(h, "static inline int %s_new(sinew_session *s, %s **out)\n{\n    return sinew_new(s, &%s_model, (void **)out);\n}\n\n",
                    cn, m->name, cn);
        /* get by primary key */
        /* parameters are C names of fields, the generated ones sinew_... (which no C name of a field is) */
        if (m->npk) fprintf(h, "static inline int %s_get(sinew_session *sinew_s", cn);
        for (size_t k = 0; k < m->npk; k++) {
            const sinew_field *fd = &m->fields[m->pk[k]];
            const char *pt = ptype(fd, buf, sizeof buf);
            fprintf(h, ", %s%s%s", pt, pt[strlen(pt) - 1] == '*' ? "" : " ", cnm->fields[m->pk[k]]);
        }
        if (m->npk) fprintf(h, ", %s **sinew_out)\n{\n    sinew_value sinew_key[%zu] = {", m->name, m->npk);
        for (size_t k = 0; k < m->npk; k++) {
            const sinew_field *fd = &m->fields[m->pk[k]];
            const char *pn = cnm->fields[m->pk[k]];
            if (fd->type == SINEW_BLOB) fprintf(h, "%ssinew_v_blob(%s.data, %s.len)", k ? ", " : "", pn, pn);
            else fprintf(h, "%s%s(%s)", k ? ", " : "", value_ctor(fd->type), pn);
        }
        if (m->npk) fprintf(h, "};\n    return sinew_get(sinew_s, &%s_model, sinew_key, %zu, (void **)sinew_out);\n}\n\n", cn, m->npk);
        /* get by each single-field unique key */
        for (size_t f = 0; f < m->nfields; f++) {
            const sinew_field *fd = &m->fields[f];
            if (!(fd->flags & SINEW_FIELD_UNIQUE) || fd->type == SINEW_BLOB || !m->npk) continue;
            const char *pt = ptype(fd, buf, sizeof buf);
            fprintf(h, "static inline int %s_get_by_%s(sinew_session *sinew_s, %s%s%s, %s **sinew_out)\n{\n", cn,
                    cnm->fields[f], pt, pt[strlen(pt) - 1] == '*' ? "" : " ", cnm->fields[f], m->name);
            fprintf(h, "    sinew_value sinew_v = %s(%s);\n    return sinew_get_by(sinew_s, &%s_model, %zu, &sinew_v, "
                       "(void **)sinew_out);\n}\n\n", value_ctor(fd->type), cnm->fields[f], cn, f);
        }
        emit_composite_getters(h, m, cnm);
        if (!ro) {
            fprintf(h, "static inline int %s_save(sinew_session *s, %s *obj)\n{\n    return sinew_save(s, &%s_model, obj);\n}\n\n",
                    cn, m->name, cn);
            fprintf(h, "static inline int %s_delete(sinew_session *s, %s *obj)\n{\n    return sinew_delete(s, &%s_model, obj);\n}\n\n",
                    cn, m->name, cn);
        }
        fprintf(h, "static inline int %s_count(sinew_session *s, int64_t *out)\n{\n    return sinew_count(s, &%s_model, out);\n}\n\n",
                cn, cn);
        fprintf(h, "static inline sinew_query *%s_query(sinew_session *s)\n{\n    return sinew_query_new(s, &%s_model);\n}\n\n",
                cn, cn);
        fprintf(h, "static inline int %s_all(sinew_query *q, %s_list *out)\n{\n    sinew_list l;\n"
                   "    int rc = sinew_all(q, &l);\n    out->items = (%s **)l.items;\n    out->count = l.count;\n"
                   "    return rc;\n}\n\n", cn, cn, m->name);
        fprintf(h, "static inline int %s_first(sinew_query *q, %s **out)\n{\n    return sinew_first(q, (void **)out);\n}\n\n",
                cn, m->name);
        fprintf(h, "static inline int %s_one(sinew_query *q, %s **out)\n{\n    return sinew_one(q, (void **)out);\n}\n\n",
                cn, m->name);
        /* relation accessors: the macro passes the caller's file and line to the N+1 detector */
        for (size_t r = 0; r < m->nrelations; r++) {
            const sinew_relation *rl = &m->relations[r];
            const char *rn = cnm->rels[r];
            if (rl->kind == SINEW_BELONGS_TO || rl->kind == SINEW_HAS_ONE) {
                fprintf(h, "static inline int %s_%s_at(sinew_session *s, %s *obj, const char *file, int line, %s **out)\n"
                           "{\n    return sinew_load_one_at(s, %s, obj, file, line, (void **)out);\n}\n",
                        cn, rn, m->name, rl->target->name, cnm->rmacro[r]);
            } else {
                fprintf(h, "static inline int %s_%s_at(sinew_session *s, %s *obj, const char *file, int line, %s_list *out)\n"
                           "{\n    sinew_list l;\n    int rc = sinew_load_many_at(s, %s, obj, file, line, &l);\n"
                           "    out->items = (%s **)l.items;\n    out->count = l.count;\n    return rc;\n}\n",
                        cn, rn, m->name, rl->target->c_name, cnm->rmacro[r], rl->target->name);
            }
            fprintf(h, "#define %s_%s(s, obj, out) %s_%s_at((s), (obj), __FILE__, __LINE__, (out))\n\n", cn, rn, cn, rn);
        }
        emit_polys(h, m);
    }
    fprintf(h, "#ifdef __cplusplus\n}\n#endif\n#endif\n");
}

/* ---- source ---- */

static void idx_array(FILE *c, const char *name, const unsigned *v, size_t n)
{
    fprintf(c, "static const unsigned %s[] = {", name);
    for (size_t i = 0; i < n; i++) fprintf(c, "%s%u", i ? ", " : "", v[i]);
    if (!n) fputc('0', c);
    fprintf(c, "};\n");
}

/* a source location, as every descriptor carries one */
static void loc(FILE *c, sinew_srcloc l)
{
    fprintf(c, "{.line = %d, .col = %d}", l.line, l.col);
}

static void emit_source(gen *g, const sinew_codegen_opts *o)
{
    FILE *c = g->c;
    const sinew_schema *s = g->s;
    char nm[300], sn[256];
    int prev = ' ';
    fprintf(c, "/*\n * Generated by sinew %s from ", SINEW_VERSION);
    comment_text(c, o->source_name ? o->source_name : "a schema", "\n *", &prev);
    fprintf(c, ": the descriptor tables of the schema.\n * Do not edit.\n */\n");
    fprintf(c, "#include <stddef.h>\n#include \"%s\"\n\n", o->header_name);
    /* the runtime fills a to-many member through its descriptor as a sinew_list */
    for (size_t i = 0; i < s->nmodels; i++)
        fprintf(c, "_Static_assert(sizeof(%s_list) == sizeof(sinew_list) && offsetof(%s_list, count) == "
                   "offsetof(sinew_list, count), \"%s_list is laid out as sinew_list\");\n",
                s->models[i]->c_name, s->models[i]->c_name, s->models[i]->c_name);
    if (s->nmodels) fputc('\n', c);
    for (size_t i = 0; i < s->nenums; i++) {
        const sinew_enum *e = s->enums[i];
        sinew_snake_case(e->name, sn, sizeof sn);
        fprintf(c, "static const char *const %s_values[] = {", sn);
        for (size_t k = 0; k < e->nvalues; k++) {
            if (k) fputs(", ", c);
            lit(c, e->values[k]);
        }
        fprintf(c, "};\nconst sinew_enum %s_enum = {.name = ", sn);
        lit(c, e->name);
        fprintf(c, ", .values = %s_values, .nvalues = %zu", sn, e->nvalues);
        if (e->doc) fprintf(c, ", .doc = "), lit(c, e->doc);
        fputs(", .loc = ", c);
        loc(c, e->loc);
        fputs("};\n\n", c);
    }
    for (size_t i = 0; i < s->nmodels; i++) {
        const sinew_model *m = s->models[i];
        const char *cn = m->c_name;
        const cnames *cnm = &g->names[i];
        for (size_t f = 0; f < m->nfields; f++) {
            const sinew_rules *r = m->fields[f].rules;
            if (!r) continue;
            fprintf(c, "static const sinew_rules %s_%s_rules = {.min_len = %lld, .max_len = %lld, .has_min = %d, "
                       ".has_max = %d, .min = %.17g, .max = %.17g", cn, cnm->fields[f], (long long)r->min_len,
                    (long long)r->max_len, r->has_min, r->has_max, r->min, r->max);
            if (r->pattern) fprintf(c, ", .pattern = "), lit(c, r->pattern);
            fprintf(c, "};\n");
        }
        fprintf(c, "static const sinew_field %s_fields[] = {\n", cn);
        for (size_t f = 0; f < m->nfields; f++) {
            const sinew_field *fd = &m->fields[f];
            fprintf(c, "    {.name = ");
            lit(c, fd->name);
            fprintf(c, ", .column = ");
            lit(c, fd->column);
            fprintf(c, ", .type = %s, .flags = ", type_const(fd->type));
            flags_expr(c, fd->flags);
            if (fd->enum_type) {
                sinew_snake_case(fd->enum_type->name, sn, sizeof sn);
                fprintf(c, ", .enum_type = &%s_enum", sn);
            }
            if (fd->def.kind != SINEW_DEFAULT_NONE) {
                fprintf(c, ", .def = {.kind = %s", fd->def.kind == SINEW_DEFAULT_VALUE ? "SINEW_DEFAULT_VALUE"
                                             : fd->def.kind == SINEW_DEFAULT_NOW ? "SINEW_DEFAULT_NOW" : "SINEW_DEFAULT_UUID");
                if (fd->def.value) fprintf(c, ", .value = "), lit(c, fd->def.value);
                fputc('}', c);
            }
            if (fd->check) fprintf(c, ", .check = "), lit(c, fd->check);
            if (fd->renamed_from) fprintf(c, ", .renamed_from = "), lit(c, fd->renamed_from);
            if (fd->doc) fprintf(c, ", .doc = "), lit(c, fd->doc);
            if (fd->db_type) fprintf(c, ", .db_type = "), lit(c, fd->db_type);
            if (fd->generated) fprintf(c, ", .generated = "), lit(c, fd->generated);
            fprintf(c, ",\n     .offset = offsetof(%s, %s), .has_offset = ", m->name, cnm->fields[f]);
            if (has_flag_member(fd)) fprintf(c, "offsetof(%s, has_%s)", m->name, cnm->fields[f]);
            else fputs("SINEW_NO_OFFSET", c);
            fprintf(c, ", .order = %d, .loc = ", fd->order);
            loc(c, fd->loc);
            if (fd->rules) fprintf(c, ", .rules = &%s_%s_rules", cn, cnm->fields[f]);
            fprintf(c, "},\n");
        }
        fprintf(c, "};\n");
        snprintf(nm, sizeof nm, "%s_pk", cn);
        idx_array(c, nm, m->pk, m->npk);
        for (size_t x = 0; x < m->nindexes; x++) {
            snprintf(nm, sizeof nm, "%s_index%zu", cn, x);
            idx_array(c, nm, m->indexes[x].fields, m->indexes[x].nfields);
        }
        if (m->nindexes) {
            fprintf(c, "static const sinew_index %s_indexes[] = {\n", cn);
            for (size_t x = 0; x < m->nindexes; x++) {
                const sinew_index *ix = &m->indexes[x];
                fprintf(c, "    {.name = ");
                lit(c, ix->name);
                fprintf(c, ", .fields = %s_index%zu, .nfields = %zu, .unique = %d, .loc = ", cn, x, ix->nfields, ix->unique);
                loc(c, ix->loc);
                fprintf(c, ", .automatic = %d", ix->automatic);
                if (ix->where) fprintf(c, ", .where = "), lit(c, ix->where);
                fputs("},\n", c);
            }
            fprintf(c, "};\n");
        }
        for (size_t r = 0; r < m->nrelations; r++) {
            const sinew_relation *rl = &m->relations[r];
            snprintf(nm, sizeof nm, "%s_rel%zu_local", cn, r);
            idx_array(c, nm, rl->local, rl->nkeys);
            snprintf(nm, sizeof nm, "%s_rel%zu_remote", cn, r);
            idx_array(c, nm, rl->remote, rl->nkeys);
            if (rl->through) {
                snprintf(nm, sizeof nm, "%s_rel%zu_through_local", cn, r);
                idx_array(c, nm, rl->through_local, rl->nkeys);
                snprintf(nm, sizeof nm, "%s_rel%zu_through_remote", cn, r);
                idx_array(c, nm, rl->through_remote, rl->nkeys);
            }
        }
        for (size_t k = 0; k < m->npolys; k++) {
            snprintf(nm, sizeof nm, "%s_poly%zu_targets", cn, k);
            idx_array(c, nm, m->polys[k].targets, m->polys[k].ntargets);
        }
        if (m->npolys) {
            fprintf(c, "static const sinew_poly %s_polys[] = {\n", cn);
            for (size_t k = 0; k < m->npolys; k++) {
                const sinew_poly *pl = &m->polys[k];
                fprintf(c, "    {.name = ");
                lit(c, pl->name);
                fprintf(c, ", .targets = %s_poly%zu_targets, .ntargets = %zu, .check_name = ", cn, k, pl->ntargets);
                if (pl->check_name) lit(c, pl->check_name);
                else fputs("NULL", c);
                fprintf(c, ", .optional = %d", pl->optional);
                if (pl->doc) fprintf(c, ", .doc = "), lit(c, pl->doc);
                fprintf(c, ", .order = %d, .loc = ", pl->order);
                loc(c, pl->loc);
                fputs("},\n", c);
            }
            fprintf(c, "};\n");
        }
        if (m->nrelations) {
            fprintf(c, "static const sinew_relation %s_relations[] = {\n", cn);
            for (size_t r = 0; r < m->nrelations; r++) {
                const sinew_relation *rl = &m->relations[r];
                fprintf(c, "    {.name = ");
                lit(c, rl->name);
                fprintf(c, ", .kind = %s, .target = &%s_model,\n     .local = %s_rel%zu_local, .remote = %s_rel%zu_remote, .nkeys = %zu",
                        kind_const(rl->kind), rl->target->c_name, cn, r, cn, r, rl->nkeys);
                if (rl->through)
                    fprintf(c, ",\n     .through = &%s_model, .through_local = %s_rel%zu_through_local, .through_remote = %s_rel%zu_through_remote",
                            rl->through->c_name, cn, r, cn, r);
                if (rl->inverse) fprintf(c, ", .inverse = "), lit(c, rl->inverse);
                fprintf(c, ",\n     .on_delete = %s, .on_update = %s, .optional = %d, .offset = offsetof(%s, %s)",
                        action_const(rl->on_delete), action_const(rl->on_update), rl->optional, m->name, cnm->rels[r]);
                if (rl->doc) fprintf(c, ", .doc = "), lit(c, rl->doc);
                if (rl->fk_name) fprintf(c, ", .fk_name = "), lit(c, rl->fk_name);
                if (rl->poly) fprintf(c, ", .poly = &%s_polys[%zu]", cn, (size_t)(rl->poly - m->polys));
                fprintf(c, ", .order = %d, .loc = ", rl->order);
                loc(c, rl->loc);
                fputs("},\n", c);
            }
            fprintf(c, "};\n");
        }
        if (m->nchecks) {
            fprintf(c, "static const sinew_check %s_checks[] = {\n", cn);
            for (size_t k = 0; k < m->nchecks; k++) {
                fprintf(c, "    {.name = ");
                if (m->checks[k].name) lit(c, m->checks[k].name);
                else fputs("NULL", c);
                fprintf(c, ", .expr = ");
                lit(c, m->checks[k].expr);
                fputs("},\n", c);
            }
            fprintf(c, "};\n");
        }
        fprintf(c, "const sinew_model %s_model = {\n    .name = ", cn);
        lit(c, m->name);
        fprintf(c, ", .table = ");
        lit(c, m->table);
        fprintf(c, ", .c_name = ");
        lit(c, m->c_name);
        if (m->doc) fprintf(c, ", .doc = "), lit(c, m->doc);
        if (m->renamed_from) fprintf(c, ", .renamed_from = "), lit(c, m->renamed_from);
        if (m->db_schema) fprintf(c, ", .db_schema = "), lit(c, m->db_schema);
        unsigned mf = m->flags & (SINEW_MODEL_JOIN | SINEW_MODEL_READONLY);
        fprintf(c, ",\n    .flags = %s%s%s, .size = sizeof(%s),\n",
                mf == (SINEW_MODEL_JOIN | SINEW_MODEL_READONLY) ? "SINEW_MODEL_JOIN | SINEW_MODEL_READONLY"
                : mf == SINEW_MODEL_JOIN ? "SINEW_MODEL_JOIN" : mf ? "SINEW_MODEL_READONLY" : "0",
                (m->flags & SINEW_MODEL_VIEW) ? " | SINEW_MODEL_VIEW" : "",
                (m->flags & SINEW_MODEL_SOFT_DELETE) ? " | SINEW_MODEL_SOFT_DELETE" : "", m->name);
        fprintf(c, "    .fields = %s_fields, .nfields = %zu, .pk = %s_pk, .npk = %zu,\n", cn, m->nfields, cn, m->npk);
        if (m->nindexes) fprintf(c, "    .indexes = %s_indexes, .nindexes = %zu,\n", cn, m->nindexes);
        if (m->nrelations) fprintf(c, "    .relations = %s_relations, .nrelations = %zu,\n", cn, m->nrelations);
        if (m->pk_name) fprintf(c, "    .pk_name = "), lit(c, m->pk_name), fputs(",\n", c);
        if (m->nchecks) fprintf(c, "    .checks = %s_checks, .nchecks = %zu,\n", cn, m->nchecks);
        if (m->npolys) fprintf(c, "    .polys = %s_polys, .npolys = %zu,\n", cn, m->npolys);
        fputs("    .loc = ", c);
        loc(c, m->loc);
        if (m->distribution == SINEW_DIST_HASH) {
            fprintf(c, ",\n    .distribution = SINEW_DIST_HASH, .dist_field = %u", m->dist_field);
            if (m->colocate_with) fprintf(c, ", .colocate_with = &%s_model", m->colocate_with->c_name);
        } else if (m->distribution == SINEW_DIST_REFERENCE) {
            fputs(",\n    .distribution = SINEW_DIST_REFERENCE", c);
        }
        fputs("};\n\n", c);
    }
    if (s->nenums) {
        fprintf(c, "static const sinew_enum *const %s_enums[] = {", g->base);
        for (size_t i = 0; i < s->nenums; i++) {
            sinew_snake_case(s->enums[i]->name, sn, sizeof sn);
            fprintf(c, "%s&%s_enum", i ? ", " : "", sn);
        }
        fprintf(c, "};\n");
    }
    fprintf(c, "static const sinew_model *const %s_models[] = {", g->base);
    for (size_t i = 0; i < s->nmodels; i++) fprintf(c, "%s&%s_model", i ? ", " : "", s->models[i]->c_name);
    if (!s->nmodels) fputs("NULL", c);
    fprintf(c, "};\nconst sinew_schema %s_schema = {.name = ", g->base);
    lit(c, s->name ? s->name : g->base);
    fprintf(c, ", .models = %s_models, .nmodels = %zu", g->base, s->nmodels);
    if (s->nenums) fprintf(c, ", .enums = %s_enums, .nenums = %zu", g->base, s->nenums);
    fputs("};\n", c);
}

int sinew_codegen(const sinew_schema *schema, const sinew_codegen_opts *opts, FILE *header, FILE *source)
{
    if (!schema || !opts || !opts->header_name || !header || !source)
        return sinew_error_set(SINEW_MISUSE, "sinew_codegen: schema, options with header_name, and both files are required");
    gen g;
    memset(&g, 0, sizeof g);
    g.s = schema;
    g.h = header;
    g.c = source;
    sinew_snake_case(schema->name && *schema->name ? schema->name : "schema", g.base, sizeof g.base);
    if (!is_ident(g.base)) snprintf(g.base, sizeof g.base, "schema");
    check_names(&g);
    if (g.rc) return g.rc;
    g.names = sn_calloc(schema->nmodels + 1, sizeof *g.names);
    if (!g.names) return sn_nomem();
    int rc = SINEW_OK;
    for (size_t i = 0; i < schema->nmodels && !rc; i++) rc = cnames_make(schema->models[i], &g.names[i]);
    if (!rc) {
        emit_header(&g, opts);
        emit_source(&g, opts);
    }
    for (size_t i = 0; i < schema->nmodels; i++) cnames_free(&g.names[i]);
    sn_free(g.names);
    if (rc) return rc;
    if (ferror(header) || ferror(source)) return sinew_error_set(SINEW_IOERR, "sinew_codegen: writing the output failed");
    return SINEW_OK;
}
