/*
 * map.c - open-addressing hash map with linear probing. Keys are opaque: the
 * caller supplies the hash and an equality function, so the same map serves
 * the statement cache (SQL text), the identity map (model + key) and the
 * per-model plan cache (pointer identity).
 */
#include <string.h>
#include "base.h"

void sn_map_init(sn_map *m, int (*eq)(const void *, const void *, void *), void *ctx)
{
    memset(m, 0, sizeof *m);
    m->eq = eq;
    m->ctx = ctx;
}

void sn_map_free(sn_map *m)
{
    sn_free(m->slots);
    m->slots = NULL;
    m->cap = m->count = 0;
}

static int key_eq(const sn_map *m, const sn_map_entry *e, uint64_t hash, const void *key)
{
    if (e->hash != hash) return 0;
    return m->eq ? m->eq(e->key, key, m->ctx) : e->key == key;
}

void *sn_map_get(const sn_map *m, uint64_t hash, const void *key)
{
    if (!m->count) return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        const sn_map_entry *e = &m->slots[i];
        if (!e->key) return NULL;
        if (key_eq(m, e, hash, key)) return e->value;
    }
}

static int rehash(sn_map *m, size_t cap)
{
    sn_map_entry *slots = sn_calloc(cap, sizeof *slots);
    if (!slots) return sn_nomem();
    for (size_t i = 0; i < m->cap; i++) {
        sn_map_entry *e = &m->slots[i];
        if (!e->key) continue;
        size_t j = e->hash & (cap - 1);
        while (slots[j].key) j = (j + 1) & (cap - 1);
        slots[j] = *e;
    }
    sn_free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return SINEW_OK;
}

int sn_map_put(sn_map *m, uint64_t hash, const void *key, void *value)
{
    if ((m->count + 1) * 4 >= m->cap * 3) {
        int rc = rehash(m, m->cap ? m->cap * 2 : 16);
        if (rc) return rc;
    }
    size_t mask = m->cap - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        sn_map_entry *e = &m->slots[i];
        if (!e->key) {
            e->hash = hash;
            e->key = key;
            e->value = value;
            m->count++;
            return SINEW_OK;
        }
        if (key_eq(m, e, hash, key)) {
            e->key = key;
            e->value = value;
            return SINEW_OK;
        }
    }
}

int sn_map_remove(sn_map *m, uint64_t hash, const void *key)
{
    if (!m->count) return 0;
    size_t mask = m->cap - 1;
    size_t i = hash & mask;
    for (;; i = (i + 1) & mask) {
        sn_map_entry *e = &m->slots[i];
        if (!e->key) return 0;
        if (key_eq(m, e, hash, key)) break;
    }
    /* backward-shift deletion keeps probe chains intact without tombstones */
    size_t j = i;
    for (;;) {
        m->slots[i].key = NULL;
        for (;;) {
            j = (j + 1) & mask;
            if (!m->slots[j].key) {
                m->count--;
                return 1;
            }
            size_t k = m->slots[j].hash & mask;
            if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) break;
        }
        m->slots[i] = m->slots[j];
        i = j;
    }
}

uint64_t sn_hash_bytes(const void *data, size_t n, uint64_t seed)
{
    /* FNV-1a, then a final mix: fast enough for keys and short SQL */
    const unsigned char *p = data;
    uint64_t h = 1469598103934665603ull ^ seed;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return sn_hash_u64(h);
}

uint64_t sn_hash_str(const char *s) { return sn_hash_bytes(s, strlen(s), 0); }

uint64_t sn_hash_u64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}
