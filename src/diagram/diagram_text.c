/*
 * diagram_text.c - ids and escaping for the diagram renderers (see diagram_text.h).
 */
#include "diagram/diagram_text.h"
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include "base.h"
#include "schema/introspect.h"

/* ---- UTF-8 ---------------------------------------------------------------------------- */

/* The length of the valid UTF-8 sequence at s (1 to 4), or 0 when the bytes there are not one. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n;
    uint32_t cp;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) n = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) n = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) n = 4, cp = c & 0x07;
    else return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* A control character or a stray byte, shown as text: \n \r \t or \xNN. */
static void visible_escape(char out[8], unsigned char c)
{
    if (c == '\n') memcpy(out, "\\n", 3);
    else if (c == '\r') memcpy(out, "\\r", 3);
    else if (c == '\t') memcpy(out, "\\t", 3);
    else snprintf(out, 8, "\\x%02x", c);
}

/*
 * Text for one output format, the UTF-8 kept: a valid multi-byte sequence is
 * written as it is, a printable ASCII byte as `ascii` writes it (it sees the
 * whole string s for context), and a control character or a byte that is not
 * UTF-8 shown as \n, \xNN... with its backslash written as `backslash`.
 */
typedef void ascii_escaper(FILE *f, const unsigned char *s, const unsigned char *p);

static void write_text(FILE *f, const char *s, ascii_escaper *ascii, const char *backslash)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = utf8_len(p);
        if (n > 1) {
            fwrite(p, 1, n, f);
            p += n;
            continue;
        }
        if (n == 1 && *p >= 0x20 && *p != 0x7F) {
            ascii(f, (const unsigned char *)s, p);
        } else {
            char esc[8];
            visible_escape(esc, *p);
            fputs(backslash, f);
            fputs(esc + 1, f);
        }
        p++;
    }
}

/* ---- ids ------------------------------------------------------------------------------ */

/*
 * Words the Mermaid ER lexer (mermaid 11) reads as keywords before it reads a name, matched
 * case-insensitively: an entity called `end` or `one` would not parse. An id equal to one
 * gets a `_` appended. (DOT names are always quoted, so only Mermaid needs this.)
 */
static const char *const mermaid_keywords[] = {"erDiagram", "style", "classDef", "class", "subgraph", "end",
                                               "one", "many", "only", "zero", "to", "optionally", "direction",
                                               "accTitle", "accDescr", NULL};

static int plain_id(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_')) return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_')) return 0;
    for (size_t i = 0; mermaid_keywords[i]; i++)
        if (strcasecmp(s, mermaid_keywords[i]) == 0) return 0;
    return 1;
}

/* the name with every character that is not a letter, digit or _ made _, never empty or a keyword */
static char *sanitized(const char *s)
{
    size_t n = strlen(s);
    char *out = sn_malloc(n + 4);
    if (!out) return NULL;
    size_t o = 0;
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_')) {
        out[o++] = 't';
        out[o++] = '_';
    }
    for (const char *p = s; *p; p++)
        out[o++] = ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')) ? *p : '_';
    out[o] = '\0';
    if (!plain_id(out)) {   /* a keyword */
        out[o++] = '_';
        out[o] = '\0';
    }
    return out;
}

/* a set of strings (open addressing; the strings belong to the caller) */
typedef struct strset {
    const char **slot;
    size_t cap;
} strset;

static size_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)h;
}

static int strset_has(const strset *set, const char *s)
{
    for (size_t i = str_hash(s) & (set->cap - 1);; i = (i + 1) & (set->cap - 1)) {
        if (!set->slot[i]) return 0;
        if (strcmp(set->slot[i], s) == 0) return 1;
    }
}

static void strset_add(strset *set, const char *s)
{
    size_t i = str_hash(s) & (set->cap - 1);
    while (set->slot[i]) i = (i + 1) & (set->cap - 1);
    set->slot[i] = s;
}

void dg_ids_free(dg_ids *ids)
{
    for (size_t i = 0; ids->ids && i < ids->n; i++) sn_free(ids->ids[i]);
    sn_free(ids->ids);
    sn_free(ids->models);
    memset(ids, 0, sizeof *ids);
}

int dg_ids_make(dg_ids *out, const sinew_schema *s, const sinew_schema *live)
{
    memset(out, 0, sizeof *out);
    size_t n = s->nmodels;
    for (size_t i = 0; live && i < live->nmodels; i++)
        if (!sn_schema_find_table_in(s, live->models[i]->db_schema, live->models[i]->table)) n++;
    strset set = {NULL, 16};
    while (set.cap < 2 * n + 2) set.cap *= 2;
    out->models = sn_calloc(n ? n : 1, sizeof *out->models);
    out->ids = sn_calloc(n ? n : 1, sizeof *out->ids);
    set.slot = sn_calloc(set.cap, sizeof *set.slot);
    if (!out->models || !out->ids || !set.slot) goto nomem;
    out->n = n;
    size_t k = 0;
    for (size_t i = 0; i < s->nmodels; i++) out->models[k++] = s->models[i];
    for (size_t i = 0; live && i < live->nmodels; i++)
        if (!sn_schema_find_table_in(s, live->models[i]->db_schema, live->models[i]->table)) out->models[k++] = live->models[i];
    /* first every table whose name is already a plain id keeps it (tables are unique in a schema)... */
    for (size_t i = 0; i < n; i++) {
        const char *t = out->models[i]->table ? out->models[i]->table : "";
        if (!plain_id(t) || strset_has(&set, t)) continue;
        if (!(out->ids[i] = sn_strdup(t))) goto nomem;
        strset_add(&set, out->ids[i]);
    }
    /* ...then the others take their sanitized name, or the first free one with a _2, _3... suffix */
    for (size_t i = 0; i < n; i++) {
        if (out->ids[i]) continue;
        char *base = sanitized(out->models[i]->table ? out->models[i]->table : "");
        if (!base) goto nomem;
        char *id = base;
        size_t len = strlen(base);
        for (unsigned long suffix = 2; strset_has(&set, id); suffix++) {
            if (id != base) sn_free(id);
            if (!(id = sn_malloc(len + 24))) {
                sn_free(base);
                goto nomem;
            }
            snprintf(id, len + 24, "%s_%lu", base, suffix);
        }
        if (id != base) sn_free(base);
        out->ids[i] = id;
        strset_add(&set, id);
    }
    sn_free(set.slot);
    return SINEW_OK;
nomem:
    sn_free(set.slot);
    dg_ids_free(out);
    return sn_nomem();
}

const char *dg_id(const dg_ids *ids, const sinew_model *m)
{
    for (size_t i = 0; i < ids->n; i++)
        if (ids->models[i] == m) return ids->ids[i];
    return "unknown";
}

/* ---- Mermaid ----------------------------------------------------------------------------- */

/*
 * Inside a Mermaid string only letters, digits, spaces, a few harmless punctuation marks and
 * UTF-8 letters are written as they are; everything else becomes a Mermaid entity code (#35;),
 * which Mermaid turns back into the character after parsing. That keeps out what the ER lexer
 * would read as syntax: `"` ends the string, `%%` a comment, `%` and `\` a different token,
 * `~...~` a generic type, `#...;` an entity, and a space after "direction" would make the line
 * a direction statement. A `:` stays as it is when a space follows it: Mermaid's entity pass
 * rewrites `style...:X#...;` (a colon, no space, then `#`), so any other colon is escaped.
 */
static int mermaid_plain(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' || c == '_' ||
           c == '.' || c == ',' || c == '(' || c == ')' || c == '-' || c == '/' || c == '+' || c == '=' ||
           c == '\'' || c == '!' || c == '?' || c == '@' || c == '*' || c == '|' || c == '^' || c == '$';
}

static void mermaid_ascii(FILE *f, const unsigned char *s, const unsigned char *p)
{
    int after_direction = *p == ' ' && p - s >= 9 && strncasecmp((const char *)p - 9, "direction", 9) == 0;
    int spaced_colon = *p == ':' && (p[1] == ' ' || p[1] == '\0');
    if ((mermaid_plain(*p) || *p == ';' || spaced_colon) && !after_direction) fputc(*p, f);
    else fprintf(f, "#%u;", *p);
}

/* a control character or a stray byte shows as \n, \xNN: its backslash is the entity #92; */
void dg_mermaid_text(FILE *f, const char *s) { write_text(f, s, mermaid_ascii, "#92;"); }

/*
 * An attribute's type or name is an unquoted word: [A-Za-z_][A-Za-z0-9_]*, and not PK, FK or UK
 * (the lexer reads those as keys, in any case). Mermaid also renders it as markdown, where a word
 * that starts and ends with `_` (`_x_`, `__x__`) loses them to emphasis. A name that is such a
 * word already is written as it is; any other is made one: every run of other characters
 * becomes one `_`, none leads or trails, `x` goes before a digit, `_` after a key word.
 */
int dg_mermaid_word(FILE *f, const char *s)
{
    size_t n = strlen(s);
    int ok = n > 0 && !(s[0] == '_' && s[n - 1] == '_' && n > 1) && !(s[0] >= '0' && s[0] <= '9');
    for (const char *p = s; *p && ok; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_';
    if (ok && (!strcasecmp(s, "pk") || !strcasecmp(s, "fk") || !strcasecmp(s, "uk"))) {
        fprintf(f, "%s_", s);
        return 1;
    }
    if (ok) {
        fputs(s, f);
        return 0;
    }
    int wrote = 0, gap = 0;
    for (const char *p = s; *p; p++) {
        int alnum = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');
        if (!alnum) {
            gap = 1;
            continue;
        }
        if (!wrote && *p >= '0' && *p <= '9') fputc('x', f);
        else if (wrote && gap) fputc('_', f);
        fputc(*p, f);
        wrote = 1;
        gap = 0;
    }
    if (!wrote) fputc('x', f);
    return 1;
}

static void yaml_quoted_ascii(FILE *f, const unsigned char *s, const unsigned char *p)
{
    (void)s;
    if (*p == '\'') fputc('\'', f);
    fputc(*p, f);
}

void dg_mermaid_title(FILE *f, const char *s)
{
    /* a plain title as it is; anything else in YAML single quotes, where nothing is special but the
       quote itself, doubled (a newline would end the title and start YAML of the caller's choosing) */
    int plain = *s != '\0';
    for (const char *q = s; *q && plain; q++)
        plain = (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_' ||
                *q == '-' || *q == '.' || (*q == ' ' && q != s && q[1] != '\0');
    if (plain) {
        fputs(s, f);
        return;
    }
    fputc('\'', f);
    write_text(f, s, yaml_quoted_ascii, "\\");
    fputc('\'', f);
}

/* ---- DOT ----------------------------------------------------------------------------------- */

static void html_ascii(FILE *f, const unsigned char *s, const unsigned char *p)
{
    (void)s;
    if (*p == '&') fputs("&amp;", f);
    else if (*p == '<') fputs("&lt;", f);
    else if (*p == '>') fputs("&gt;", f);
    else if (*p == '"') fputs("&quot;", f);
    else fputc(*p, f);
}

void dg_dot_html(FILE *f, const char *s) { write_text(f, s, html_ascii, "\\"); }

static void dot_string_ascii(FILE *f, const unsigned char *s, const unsigned char *p)
{
    (void)s;
    if (*p == '"' || *p == '\\') fputc('\\', f);
    fputc(*p, f);
}

void dg_dot_string(FILE *f, const char *s)
{
    /* a quoted DOT string read as an escString: \ and " are escaped, and a control character is
       written as \\n so that it shows as "\n" rather than breaking the line or meaning \N, \G... */
    fputc('"', f);
    write_text(f, s, dot_string_ascii, "\\\\");
    fputc('"', f);
}
