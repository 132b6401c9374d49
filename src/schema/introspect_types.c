/*
 * introspect_types.c - what a database's type names and default expressions
 * mean in sinew's terms. SQLite follows its type-affinity rules on the
 * declared type (INTEGER / *INT* -> int64, CHAR/CLOB/TEXT -> text, ...);
 * PostgreSQL uses format_type() names. Defaults become schema-language
 * literals, now() or uuid(); anything else is left out.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "schema/introspect.h"

static int has(const char *up, const char *w) { return strstr(up, w) != NULL; }

sinew_type sn_type_from_sql(const char *decl, int pg)
{
    char up[128];
    size_t n = 0;
    for (; decl && decl[n] && n + 1 < sizeof up; n++) up[n] = (char)toupper((unsigned char)decl[n]);
    up[n] = 0;
    if (pg == 2) {
        /* MariaDB / MySQL COLUMN_TYPE names (int(11), tinyint(1), varchar(255), datetime(6), ...) */
        if (!strcmp(up, "TINYINT(1)") || !strcmp(up, "BOOL") || !strcmp(up, "BOOLEAN")) return SINEW_BOOL;
        if (!strncmp(up, "BIGINT", 6)) return SINEW_INT64;
        /* INT UNSIGNED holds up to 4294967295: more than an int32 */
        if (!strncmp(up, "INT", 3) && has(up, "UNSIGNED")) return SINEW_INT64;
        if (!strncmp(up, "TINYINT", 7) || !strncmp(up, "SMALLINT", 8) || !strncmp(up, "MEDIUMINT", 9) ||
            !strncmp(up, "INT", 3)) return SINEW_INT32;
        if (!strncmp(up, "DOUBLE", 6) || !strncmp(up, "FLOAT", 5) || !strncmp(up, "REAL", 4)) return SINEW_DOUBLE;
        if (!strncmp(up, "DECIMAL", 7) || !strncmp(up, "NUMERIC", 7)) return SINEW_DECIMAL;
        if (!strncmp(up, "DATETIME", 8) || !strncmp(up, "TIMESTAMP", 9)) return SINEW_TIMESTAMP;
        if (!strcmp(up, "DATE")) return SINEW_DATE;
        if (!strcmp(up, "CHAR(36)") || !strcmp(up, "UUID")) return SINEW_UUID;
        if (!strcmp(up, "JSON")) return SINEW_JSON;
        if (has(up, "BLOB") || has(up, "BINARY")) return SINEW_BLOB;
        return SINEW_TEXT;
    }
    if (pg) {
        /* format_type() names, and the aliases a schema's @db_type may use (int4, decimal, ...) */
        if (!strcmp(up, "SMALLINT") || !strcmp(up, "INTEGER") || !strcmp(up, "INT") || !strcmp(up, "INT2") ||
            !strcmp(up, "INT4")) return SINEW_INT32;
        if (!strcmp(up, "BIGINT") || !strcmp(up, "INT8")) return SINEW_INT64;
        if (!strcmp(up, "BOOLEAN") || !strcmp(up, "BOOL")) return SINEW_BOOL;
        if (!strcmp(up, "REAL") || !strcmp(up, "DOUBLE PRECISION") || !strcmp(up, "FLOAT4") ||
            !strcmp(up, "FLOAT8")) return SINEW_DOUBLE;
        if (!strncmp(up, "NUMERIC", 7) || !strncmp(up, "DECIMAL", 7)) return SINEW_DECIMAL;
        if (!strcmp(up, "BYTEA")) return SINEW_BLOB;
        if (!strncmp(up, "TIMESTAMP", 9)) return SINEW_TIMESTAMP;
        if (!strcmp(up, "DATE")) return SINEW_DATE;
        if (!strcmp(up, "UUID")) return SINEW_UUID;
        if (!strcmp(up, "JSON") || !strcmp(up, "JSONB")) return SINEW_JSON;
        return SINEW_TEXT;
    }
    if (!n) return SINEW_BLOB;                       /* no type: BLOB affinity */
    if (has(up, "BOOL")) return SINEW_BOOL;
    if (has(up, "DATETIME") || has(up, "TIMESTAMP")) return SINEW_TIMESTAMP;
    if (!strncmp(up, "DATE", 4)) return SINEW_DATE;
    if (has(up, "UUID")) return SINEW_UUID;
    if (has(up, "JSON")) return SINEW_JSON;
    if (has(up, "INT")) return SINEW_INT64;
    if (has(up, "CHAR") || has(up, "CLOB") || has(up, "TEXT")) return SINEW_TEXT;
    if (has(up, "BLOB")) return SINEW_BLOB;
    if (has(up, "REAL") || has(up, "FLOA") || has(up, "DOUB")) return SINEW_DOUBLE;
    if (has(up, "NUMERIC") || has(up, "DECIMAL")) return SINEW_DECIMAL;
    return SINEW_TEXT;
}

/*
 * Whether a pulled column keeps its declared type as @db_type. SQLite: when
 * sinew's own DDL type for the field (TEXT for decimals, timestamps, dates,
 * UUIDs and JSON; INTEGER for booleans) would read back as another type, so
 * that `DECIMAL(5,2)` stays `DECIMAL(5,2)`. PostgreSQL: whenever the
 * database's name is not the one sinew writes for that type (varchar(n),
 * numeric(p,s), smallint, timestamp without time zone, enum types, arrays,
 * tsvector, ...), since there every type name means something of its own.
 */
int sn_declared_type_kept(const char *decl, sinew_type t, int pg)
{
    if (!decl || !decl[0]) return 0;
    if (!pg) return t == SINEW_BOOL || t == SINEW_DECIMAL || t == SINEW_UUID || t == SINEW_TIMESTAMP ||
                    t == SINEW_DATE || t == SINEW_JSON;
    if (pg == 2) {
        /* MariaDB / MySQL: the names sinew writes (column_type), as COLUMN_TYPE reports them */
        static const struct { sinew_type t; const char *name; } my[] = {
            {SINEW_BOOL, "tinyint(1)"}, {SINEW_INT32, "int(11)"}, {SINEW_INT32, "int"}, {SINEW_INT64, "bigint(20)"},
            {SINEW_INT64, "bigint"}, {SINEW_DOUBLE, "double"}, {SINEW_TEXT, "longtext"}, {SINEW_TEXT, "varchar(255)"},
            {SINEW_BLOB, "longblob"}, {SINEW_TIMESTAMP, "datetime(6)"}, {SINEW_DATE, "date"}, {SINEW_UUID, "char(36)"},
            {SINEW_JSON, "json"}};
        for (size_t i = 0; i < sizeof my / sizeof my[0]; i++)
            if (my[i].t == t && !strcasecmp(my[i].name, decl)) return 0;
        return 1;
    }
    static const struct { sinew_type t; const char *name; } own[] = {
        {SINEW_BOOL, "boolean"}, {SINEW_INT32, "integer"}, {SINEW_INT64, "bigint"},
        {SINEW_DOUBLE, "double precision"}, {SINEW_TEXT, "text"}, {SINEW_TEXT, "character varying"},
        {SINEW_BLOB, "bytea"}, {SINEW_TIMESTAMP, "timestamp with time zone"}, {SINEW_TIMESTAMP, "timestamptz"},
        {SINEW_DATE, "date"}, {SINEW_UUID, "uuid"}, {SINEW_JSON, "jsonb"}, {SINEW_DECIMAL, "numeric"}};
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        if (own[i].t == t && !strcasecmp(own[i].name, decl)) return 0;
    return 1;
}

/*
 * A declared type in one spelling: lower case, no blanks, PostgreSQL's
 * aliases by their format_type() names (decimal(5,2) -> numeric(5,2),
 * varchar(40) -> charactervarying(40), int4 -> integer, timestamptz ->
 * timestampwithtimezone), so that what a user writes in @db_type compares
 * equal to what the database reports.
 */
static void canon_type(const char *in, char *out, size_t cap)
{
    char flat[256];
    size_t n = 0;
    for (; *in && n + 1 < sizeof flat; in++)
        if (*in != ' ') flat[n++] = (char)tolower((unsigned char)*in);
    flat[n] = 0;
    size_t head = 0;     /* the type's name, before a modifier or an array suffix */
    while (flat[head] && flat[head] != '(' && flat[head] != '[') head++;
    static const struct { const char *alias, *name; } al[] = {
        {"decimal", "numeric"}, {"varchar", "charactervarying"}, {"char", "character"}, {"int", "integer"},
        {"int4", "integer"}, {"int2", "smallint"}, {"int8", "bigint"}, {"bool", "boolean"},
        {"float8", "doubleprecision"}, {"float4", "real"}, {"timestamptz", "timestampwithtimezone"},
        {"timestamp", "timestampwithouttimezone"}, {"timetz", "timewithtimezone"}, {"time", "timewithouttimezone"}};
    const char *name = NULL;
    for (size_t i = 0; i < sizeof al / sizeof al[0] && !name; i++)
        if (strlen(al[i].alias) == head && !strncmp(flat, al[i].alias, head)) name = al[i].name;
    if (name) snprintf(out, cap, "%s%s", name, flat + head);
    else snprintf(out, cap, "%s", flat);
}

int sn_declared_type_same(const char *a, const char *b)
{
    char ca[300], cb[300];
    canon_type(a, ca, sizeof ca);
    canon_type(b, cb, sizeof cb);
    return strcmp(ca, cb) == 0;
}

sinew_fk_action sn_fk_action_from_sql(const char *s)
{
    if (!s) return SINEW_FK_NO_ACTION;
    if (!strcasecmp(s, "CASCADE") || !strcmp(s, "c")) return SINEW_FK_CASCADE;
    if (!strcasecmp(s, "RESTRICT") || !strcmp(s, "r")) return SINEW_FK_RESTRICT;
    if (!strcasecmp(s, "SET NULL") || !strcmp(s, "n")) return SINEW_FK_SET_NULL;
    if (!strcasecmp(s, "SET DEFAULT") || !strcmp(s, "d")) return SINEW_FK_SET_DEFAULT;
    return SINEW_FK_NO_ACTION;
}

/* Strip surrounding whitespace and balanced outer parentheses. */
static void trim(const char **s, size_t *n)
{
    for (;;) {
        while (*n && isspace((unsigned char)(*s)[0])) { (*s)++; (*n)--; }
        while (*n && isspace((unsigned char)(*s)[*n - 1])) (*n)--;
        if (*n >= 2 && (*s)[0] == '(' && (*s)[*n - 1] == ')') {
            int depth = 0, outer = 1;
            for (size_t i = 0; i < *n - 1; i++) {
                if ((*s)[i] == '(') depth++;
                else if ((*s)[i] == ')' && --depth == 0) { outer = 0; break; }
            }
            if (outer) { (*s)++; *n -= 2; continue; }
        }
        return;
    }
}

/* Drop a trailing PostgreSQL cast: 'x'::text, 0::bigint, '1'::numeric(10,2). */
static void strip_cast(const char *s, size_t *n)
{
    int q = 0;
    size_t last = 0;
    for (size_t i = 0; i + 1 < *n; i++) {
        if (s[i] == '\'') q = !q;
        else if (!q && s[i] == ':' && s[i + 1] == ':') last = i;
    }
    if (last) *n = last;
}

char *sn_default_norm(const char *sql, sn_arena *a)
{
    size_t n = strlen(sql);
    trim(&sql, &n);
    strip_cast(sql, &n);
    trim(&sql, &n);
    char *o = sn_arena_strndup(a, sql, n);
    if (!o) return NULL;
    int q = 0;
    for (char *p = o; *p; p++) {
        if (*p == '\'') q = !q;
        else if (!q) *p = (char)tolower((unsigned char)*p);
    }
    return o;
}

static int is_number(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && (s[i] == '-' || s[i] == '+')) i++;
    int digits = 0;
    while (i < n && (isdigit((unsigned char)s[i]) || s[i] == '.')) { i++; digits = 1; }
    if (digits && i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+')) i++;
        while (i < n && isdigit((unsigned char)s[i])) i++;
    }
    return digits && i == n;
}

void sn_default_from_sql(const char *sql, sinew_type type, int pg, sn_arena *a, sinew_default *out)
{
    out->kind = SINEW_DEFAULT_NONE;
    out->value = NULL;
    char *v = sn_default_norm(sql, a);
    if (!v) return;
    (void)pg;
    size_t n = strlen(v);
    if (!strcmp(v, "null") || strstr(v, "nextval(")) return;
    /* MariaDB / MySQL spell them as calls with a precision: current_timestamp(), utc_timestamp(6), curdate() */
    if (!strncmp(v, "current_timestamp(", 18) || !strncmp(v, "utc_timestamp(", 14) || !strncmp(v, "now(", 4) ||
        !strcmp(v, "curdate()") || !strcmp(v, "utc_date()") || !strcmp(v, "current_date()") ||
        !strncmp(v, "localtimestamp(", 15)) {
        out->kind = SINEW_DEFAULT_NOW;
        return;
    }
    if (!strcmp(v, "uuid()")) {
        out->kind = SINEW_DEFAULT_UUID;
        return;
    }
    if (!strcmp(v, "current_timestamp") || !strcmp(v, "now()") || !strcmp(v, "current_date") ||
        !strcmp(v, "localtimestamp") || !strcmp(v, "transaction_timestamp()") ||
        (strstr(v, "'now'") && (strstr(v, "strftime") || strstr(v, "date") || strstr(v, "julianday")))) {
        out->kind = SINEW_DEFAULT_NOW;
        return;
    }
    if (strstr(v, "randomblob") || strstr(v, "gen_random_uuid") || strstr(v, "uuid_generate")) {
        out->kind = SINEW_DEFAULT_UUID;
        return;
    }
    const char *lit = v;
    size_t ln = n;
    int quoted = n >= 2 && v[0] == '\'' && v[n - 1] == '\'';
    char *unq = NULL;
    if (quoted) {
        unq = sn_arena_alloc(a, n);
        if (!unq) return;
        size_t j = 0;
        for (size_t i = 1; i + 1 < n; i++) {
            if (v[i] == '\'' && v[i + 1] == '\'') i++;
            unq[j++] = v[i];
        }
        unq[j] = 0;
        lit = unq;
        ln = j;
    } else if (!is_number(v, n) && strcmp(v, "true") && strcmp(v, "false")) {
        return;                                      /* an expression sinew cannot express */
    }
    if (type == SINEW_BLOB) return;                  /* the schema language has no blob literals */
    if (type == SINEW_BOOL) {
        if (!strcmp(lit, "1") || !strcmp(lit, "true") || !strcmp(lit, "t")) out->value = "true";
        else if (!strcmp(lit, "0") || !strcmp(lit, "false") || !strcmp(lit, "f")) out->value = "false";
        else return;
        out->kind = SINEW_DEFAULT_VALUE;
        return;
    }
    int numeric = type == SINEW_INT32 || type == SINEW_INT64 || type == SINEW_DOUBLE ||
                  type == SINEW_DECIMAL;
    if (numeric && is_number(lit, ln)) {
        out->kind = SINEW_DEFAULT_VALUE;
        out->value = sn_arena_strdup(a, lit);
        return;
    }
    if (type == SINEW_ENUM) {
        out->kind = SINEW_DEFAULT_VALUE;
        out->value = sn_arena_strdup(a, lit);
        return;
    }
    if (!quoted) {
        out->kind = SINEW_DEFAULT_VALUE;
        out->value = sn_arena_strdup(a, lit);
        return;
    }
    /* a string literal in the schema language: "..." with \ and " escaped */
    sn_buf b;
    sn_buf_init(&b);
    sn_buf_putc(&b, '"');
    for (const char *p = lit; *p; p++) {
        if (*p == '"' || *p == '\\') sn_buf_putc(&b, '\\');
        if (*p == '\n') { sn_buf_puts(&b, "\\n"); continue; }
        sn_buf_putc(&b, *p);
    }
    sn_buf_putc(&b, '"');
    if (!b.failed) {
        out->kind = SINEW_DEFAULT_VALUE;
        out->value = sn_arena_strdup(a, sn_buf_cstr(&b));
        if (!out->value) out->kind = SINEW_DEFAULT_NONE;
    }
    sn_buf_free(&b);
}
