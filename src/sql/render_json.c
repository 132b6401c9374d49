/*
 * render_json.c - paths into json columns (sinew_json_path): the one
 * grammar sinew accepts, and the path written as a string literal for a
 * dialect. A path reaches SQL only after it passed sn_sql_json_path_valid,
 * so the literal holds letters, digits, '_', '.', '$', '[', ']', ',' and
 * braces: nothing that could end the literal or start SQL. It is a literal,
 * not a bound parameter, so that the same expression in the SELECT list,
 * GROUP BY and ORDER BY is the same text (PostgreSQL matches grouped
 * expressions by their text, and $1 and $2 are different expressions).
 */
#include <string.h>
#include "ir.h"

static int key_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int digit(char c) { return c >= '0' && c <= '9'; }

int sn_sql_json_path_valid(const char *path, size_t *at, const char **why)
{
    size_t i = 0;
    *at = 0;
    if (!path || path[0] != '$') {
        *why = "a path starts with $ (the whole value)";
        return 0;
    }
    i = 1;
    while (path[i]) {
        if (path[i] == '.') {
            i++;
            if (!key_start(path[i])) {
                *at = i;
                *why = "a key after '.' starts with a letter or '_' (keys are letters, digits and '_'; "
                       "other keys cannot be reached by a path)";
                return 0;
            }
            while (key_start(path[i]) || digit(path[i])) i++;
        } else if (path[i] == '[') {
            size_t d = ++i;
            while (digit(path[i])) i++;
            if (i == d || i - d > 9 || (path[d] == '0' && i - d > 1) || path[i] != ']') {
                *at = d;
                *why = "an array index is [n], n a number of up to 9 digits without leading zeros";
                return 0;
            }
            i++;
        } else {
            *at = i;
            *why = "expected '.key' or '[n]'";
            return 0;
        }
    }
    return 1;
}

const char *sn_sql_json_template(const sinew_dialect *d, sinew_type t)
{
    switch (t) {
    case SINEW_TEXT: return d->json_text;
    case SINEW_INT64: return d->json_int64;
    case SINEW_DOUBLE: return d->json_double;
    case SINEW_BOOL: return d->json_bool;
    default: return NULL;
    }
}

void sn_sql_json_path_literal(sn_buf *out, const sinew_dialect *d, const char *path)
{
    sn_buf lit;
    sn_buf_init(&lit);
    if (!d->json_path_array) {
        sn_buf_puts(&lit, path);
    } else {
        /* $.a[0].b -> {a,0,b}: the keys and indexes, each an element of PostgreSQL's text array */
        sn_buf_putc(&lit, '{');
        int first = 1;
        for (const char *p = path + 1; *p;) {
            size_t n = strcspn(p + 1, ".[]");
            if (!first) sn_buf_putc(&lit, ',');
            first = 0;
            sn_buf_printf(&lit, "%.*s", (int)n, p + 1);
            p += 1 + n;
            if (*p == ']') p++;
        }
        sn_buf_putc(&lit, '}');
    }
    if (lit.failed) out->failed = 1;
    else sn_sql_string_literal(out, sn_buf_cstr(&lit));
    sn_buf_free(&lit);
}
