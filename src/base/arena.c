/*
 * arena.c - bump allocation in growing chunks. A session puts every object,
 * string and list it loads here, so ending the session is one free and a
 * loaded row costs no malloc. A limit turns runaway growth into SINEW_NOMEM.
 */
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include "base.h"

struct sn_chunk {
    sn_chunk *next;
    size_t size;          /* usable bytes after the header */
    max_align_t align_;   /* keeps the payload aligned */
};

#define ALIGN 16u
/* chunks double up to 256 KiB: large enough that a 100,000-row load makes ~60 of
 * them, small enough that the last one, half empty on average, wastes little */
#define MAX_CHUNK (1u << 18)

void sn_arena_init(sn_arena *a, size_t first_chunk)
{
    memset(a, 0, sizeof *a);
    a->chunk_size = first_chunk ? first_chunk : 4096;
}

/* a chunk the arena is done with: back to the cache while it has room */
static void release(sn_arena *a, sn_chunk *c)
{
    sn_chunk_cache *cc = a->cache;
    if (cc && cc->bytes + c->size <= cc->limit) {
        c->next = cc->head;
        cc->head = c;
        cc->bytes += c->size;
        return;
    }
    sn_free(c);
}

void sn_chunk_cache_free(sn_chunk_cache *cc)
{
    sn_chunk *c = cc->head;
    while (c) {
        sn_chunk *next = c->next;
        sn_free(c);
        c = next;
    }
    cc->head = NULL;
    cc->bytes = 0;
}

void sn_arena_free(sn_arena *a)
{
    sn_chunk *c = a->head;
    while (c) {
        sn_chunk *next = c->next;
        release(a, c);
        c = next;
    }
    size_t limit = a->limit;
    size_t first = a->chunk_size;
    sn_chunk_cache *cache = a->cache;
    sn_arena_init(a, first > 4096 ? 4096 : first);
    a->limit = limit;
    a->cache = cache;
}

/* a spare chunk of at least `want` bytes, or NULL */
static sn_chunk *from_cache(sn_arena *a, size_t want)
{
    sn_chunk_cache *cc = a->cache;
    if (!cc) return NULL;
    for (sn_chunk **pp = &cc->head; *pp; pp = &(*pp)->next) {
        sn_chunk *c = *pp;
        if (c->size >= want) {
            *pp = c->next;
            cc->bytes -= c->size;
            return c;
        }
    }
    return NULL;
}

/* out of memory: note it, and unwind a parser that asked for that */
static void *fail(sn_arena *a)
{
    a->failed = 1;
    sn_nomem();
    if (a->oom_jump) longjmp(*(jmp_buf *)a->oom_jump, 1);
    return NULL;
}

static void *grow(sn_arena *a, size_t size)
{
    size_t want = a->chunk_size;
    while (want < size) want *= 2;
    sn_chunk *c = from_cache(a, want);
    if (c) want = c->size;
    size_t total = sizeof(sn_chunk) + want;
    if (a->limit && a->used + total > a->limit) {
        if (c) release(a, c);
        return fail(a);
    }
    if (!c) {
        c = sn_malloc(total);
        if (!c) return fail(a);
        c->size = want;
    }
    c->next = a->head;
    a->head = c;
    a->cur = (char *)(c + 1);
    a->end = a->cur + want;
    a->used += total;
    if (a->chunk_size < MAX_CHUNK) a->chunk_size *= 2;
    void *p = a->cur;
    a->cur += size;
    return p;
}

/* size bytes at the next multiple of align (a power of two, at most the chunks' own alignment) */
static inline void *alloc_aligned(sn_arena *a, size_t size, uintptr_t align)
{
    /* only the start is aligned: the next aligned block realigns cur anyway,
     * and strings packed after an object use its tail instead of padding */
    if (size == 0) size = 1;
    if (a->cur) {
        /* strings leave cur unaligned (sn_arena_strndup) */
        char *p = (char *)(((uintptr_t)a->cur + (align - 1)) & ~(align - 1));
        if (p <= a->end && (size_t)(a->end - p) >= size) {
            a->cur = p + size;
            return p;
        }
    }
    return grow(a, size);
}

SN_HOT void *sn_arena_alloc(sn_arena *a, size_t size) { return alloc_aligned(a, size, ALIGN); }

/* 8-byte aligned: session objects (no column type needs more), which then
 * pack 8 bytes closer than the general 16-byte alignment allows */
SN_HOT void *sn_arena_alloc8(sn_arena *a, size_t size) { return alloc_aligned(a, size, 8); }

/* bytes with no alignment: text packs tight (a loaded row's strings are
 * most of its size after the struct itself) */
SN_HOT static char *alloc_bytes(sn_arena *a, size_t size)
{
    if (a->cur && (size_t)(a->end - a->cur) >= size) {
        char *p = a->cur;
        a->cur += size;
        return p;
    }
    return grow(a, (size + (ALIGN - 1)) & ~(size_t)(ALIGN - 1));
}

void *sn_arena_calloc(sn_arena *a, size_t size)
{
    void *p = sn_arena_alloc(a, size);
    if (p) memset(p, 0, size);
    return p;
}

SN_HOT char *sn_arena_strndup(sn_arena *a, const char *s, size_t n)
{
    char *p = alloc_bytes(a, n + 1);
    if (!p) return NULL;
    if (n) memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *sn_arena_strdup(sn_arena *a, const char *s)
{
    return s ? sn_arena_strndup(a, s, strlen(s)) : NULL;
}

char *sn_arena_printf(sn_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return NULL;
    char *p = sn_arena_alloc(a, (size_t)n + 1);
    if (!p) return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

SN_HOT sn_arena_mark sn_arena_mark_get(const sn_arena *a)
{
    sn_arena_mark m = {a->head, a->cur, a->end, a->used};
    return m;
}

void sn_arena_reset_to(sn_arena *a, sn_arena_mark m)
{
    while (a->head && a->head != m.head) {
        sn_chunk *next = a->head->next;
        if (a->owns_hint == a->head) a->owns_hint = NULL;
        release(a, a->head);
        a->head = next;
    }
    a->cur = m.cur;
    a->end = m.end;
    a->used = m.used;
}

static int chunk_has(const sn_chunk *c, const char *q)
{
    const char *start = (const char *)(c + 1);
    return q >= start && q < start + c->size;
}

/* Is p inside one of a's chunks? The chunk of the last hit is tried first: a
 * session saving its loaded objects one after another asks about neighbours,
 * and a 100,000-row session has some 60 chunks to walk otherwise. */
SN_HOT int sn_arena_owns(sn_arena *a, const void *p)
{
    const char *q = p;
    if (a->owns_hint && chunk_has(a->owns_hint, q)) return 1;
    for (const sn_chunk *c = a->head; c; c = c->next)
        if (chunk_has(c, q)) {
            a->owns_hint = c;
            return 1;
        }
    return 0;
}
