/*
 * suggest.c - "; did you mean 'x'?" for a name the resolver does not know:
 * the closest known name by edit distance, or "" when none is close.
 */
#include <string.h>
#include "resolve.h"

/* names people reach for from other languages, and the sinew type they mean */
static const char *const alias_from[] = {"string", "str", "varchar", "char", "int", "integer", "long", "bigint",
                                         "float", "real", "boolean", "datetime", "numeric", "bytes", "binary", NULL};
static const char *const alias_to[] = {"text", "text", "text", "text", "int32", "int32", "int64", "int64",
                                       "double", "double", "bool", "timestamp", "decimal", "blob", "blob"};

const char *sn_rs_suggest(R *r, const char *bad, const char *const *extra)
{
    const char *best = NULL;
    size_t bd = 99;
    for (size_t i = 0; alias_from[i]; i++) {
        size_t d = sn_edit_distance(bad, alias_from[i]);
        if (d < bd && d <= (strlen(bad) <= 3 ? 1 : 2)) bd = d, best = alias_to[i];
    }
    if (best && bd == 0) return sn_arena_printf(r->a, "; did you mean '%s'?", best);
    for (size_t i = 0; sn_rs_scalar_names[i]; i++) {
        size_t d = sn_edit_distance(bad, sn_rs_scalar_names[i]);
        if (d < bd) bd = d, best = sn_rs_scalar_names[i];
    }
    for (size_t i = 0; i < r->ne; i++) {
        size_t d = sn_edit_distance(bad, r->enums[i]->name);
        if (d < bd) bd = d, best = r->enums[i]->name;
    }
    for (size_t i = 0; i < r->nm; i++) {
        if (!r->m[i].a) continue;
        size_t d = sn_edit_distance(bad, r->m[i].name);
        if (d < bd) bd = d, best = r->m[i].name;
    }
    for (size_t i = 0; extra && extra[i]; i++) {
        size_t d = sn_edit_distance(bad, extra[i]);
        if (d < bd) bd = d, best = extra[i];
    }
    size_t lim = strlen(bad) <= 4 ? 1 : 2;
    if (!best || bd > lim) return "";
    return sn_arena_printf(r->a, "; did you mean '%s'?", best);
}

const char *sn_rs_suggest_n(R *r, const char *bad, const char *const *names, size_t n, const char *prefix)
{
    const char *best = NULL;
    size_t bd = 99;
    for (size_t i = 0; i < n; i++) {
        size_t d = sn_edit_distance(bad, names[i]);
        if (d < bd) bd = d, best = names[i];
    }
    if (!best || bd > 2) return "";
    return sn_arena_printf(r->a, "; did you mean '%s%s'?", prefix, best);
}

static size_t count_names(const char *const *names)
{
    size_t n = 0;
    while (names[n]) n++;
    return n;
}

/* for NULL-terminated lists of attribute names: the suggestion carries its '@' */
const char *sn_rs_suggest_attr(R *r, const char *bad, const char *const *names, const char *prefix)
{
    return sn_rs_suggest_n(r, bad, names, count_names(names), prefix);
}

const char *sn_rs_suggest_in(R *r, const char *bad, const char *const *names)
{
    const char *best = NULL;
    size_t bd = 99;
    for (size_t i = 0; names[i]; i++) {
        size_t d = sn_edit_distance(bad, names[i]);
        if (d < bd) bd = d, best = names[i];
    }
    if (!best || bd > 2) return "";
    return sn_arena_printf(r->a, "; did you mean '%s'?", best);
}
