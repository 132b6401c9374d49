/*
 * nameidx.c - a string -> int table in the parse's arena, so that the
 * checker looks names up in constant time (a model of 100,000 fields or an
 * enum of 100,000 values is checked in linear time). Arena memory: nothing
 * to free, and running out takes the parse's out-of-memory path.
 */
#include <string.h>
#include "lang.h"

/* each slot keeps its key's hash: growing rehashes nothing, and a probe
 * reads a key's text only when the hashes match */
static int grow(sn_nameidx *x, sn_arena *a, size_t cap)
{
    sn_nameidx n = {sn_arena_calloc(a, cap * sizeof *n.keys), sn_arena_calloc(a, cap * sizeof *n.vals),
                    sn_arena_calloc(a, cap * sizeof *n.hashes), cap, 0};
    if (!n.keys || !n.vals || !n.hashes) return -1;
    for (size_t i = 0; i < x->cap; i++) {
        if (!x->keys[i]) continue;
        size_t j = x->hashes[i] & (cap - 1);
        while (n.keys[j]) j = (j + 1) & (cap - 1);
        n.keys[j] = x->keys[i];
        n.vals[j] = x->vals[i];
        n.hashes[j] = x->hashes[i];
        n.n++;
    }
    *x = n;
    return 0;
}

int sn_nameidx_get(const sn_nameidx *x, const char *key)
{
    if (!x->n || !key) return -1;
    uint64_t h = sn_hash_str(key);
    for (size_t i = h & (x->cap - 1);; i = (i + 1) & (x->cap - 1)) {
        if (!x->keys[i]) return -1;
        if (x->hashes[i] == h && !strcmp(x->keys[i], key)) return x->vals[i];
    }
}

int sn_nameidx_add(sn_nameidx *x, sn_arena *a, const char *key, int val)
{
    if (!key) return -1;
    if ((x->n + 1) * 2 > x->cap && grow(x, a, x->cap ? x->cap * 2 : 16)) return -1;
    uint64_t h = sn_hash_str(key);
    size_t i = h & (x->cap - 1);
    for (; x->keys[i]; i = (i + 1) & (x->cap - 1))
        if (x->hashes[i] == h && !strcmp(x->keys[i], key)) return x->vals[i];
    x->keys[i] = key;
    x->vals[i] = val;
    x->hashes[i] = h;
    x->n++;
    return -1;
}
