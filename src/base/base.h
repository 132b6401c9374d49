/*
 * base.h - private base layer: allocation (through the replaceable
 * allocator), arenas, string builders, hash maps. Nothing here knows about
 * schemas or databases.
 */
#ifndef SINEW_BASE_H
#define SINEW_BASE_H

/* On the per-row path of a load or a save. GCC gathers such functions in
 * one place (.text.hot), so the few kilobytes of sinew code a row runs
 * through stay in the instruction cache next to SQLite's instead of being
 * scattered among cold code: measured, instruction-cache misses, not
 * instruction counts, were most of sinew's cost per inserted row. */
#if defined(__GNUC__)
#define SN_HOT __attribute__((hot))
#define SN_NOINLINE __attribute__((noinline))
/* a small per-row helper inlined into each of its few callers even where the compiler would not */
#define SN_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define SN_HOT
#define SN_NOINLINE
#define SN_ALWAYS_INLINE inline
#endif
/* Branch hints for the per-row paths: the compiler lays the unlikely side
 * (errors, hooks, rare model features) out of the straight line, so the
 * cache lines a row runs through hold only what every row needs. */
#if defined(__GNUC__)
/* error paths of per-row functions: never inlined into them, placed away from them */
#define SN_COLD __attribute__((cold, noinline))
#define SN_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define SN_COLD
#define SN_UNLIKELY(x) (x)
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "sinew/status.h"
#include "sinew/types.h"

/* ---- allocation (all of sinew goes through these) ---- */
void *sn_malloc(size_t size);
void *sn_calloc(size_t n, size_t size);
void *sn_realloc(void *ptr, size_t size);
void sn_free(void *ptr);
char *sn_strdup(const char *s);                 /* NULL on NULL or failure */
char *sn_strndup(const char *s, size_t n);

/* ---- errors ---- */
int sn_nomem(void)                              /* records "out of memory", returns SINEW_NOMEM */
#if defined(__GNUC__)
    __attribute__((cold))
#endif
    ;
int sn_error_vset(int status, const char *fmt, va_list ap);
sinew_error *sn_error_mut(void);

/* ---- arena: bump allocation in chunks, one free for everything ---- */
typedef struct sn_chunk sn_chunk;

/* Spare chunks kept for the next arena (a db keeps one for its sessions):
 * a session that loads 30 MB and ends should not make the next one fault
 * in 30 MB of fresh pages. Holds at most `limit` bytes; the rest is freed. */
typedef struct sn_chunk_cache {
    sn_chunk *head;
    size_t bytes;
    size_t limit;
} sn_chunk_cache;
void sn_chunk_cache_free(sn_chunk_cache *cc);     /* frees every spare chunk */

typedef struct sn_arena {
    sn_chunk *head;
    char *cur;
    char *end;
    size_t used;          /* bytes handed out (incl. chunk headers) */
    size_t limit;         /* 0 = none; past it allocation fails */
    size_t chunk_size;    /* next chunk's size */
    int failed;           /* sticky: an allocation failed */
    void *oom_jump;       /* jmp_buf * to longjmp to when an allocation fails (parsers), or NULL */
    sn_chunk_cache *cache;   /* where chunks come from and go back to, or NULL */
    const sn_chunk *owns_hint;   /* the chunk sn_arena_owns last found a pointer in */
} sn_arena;

void sn_arena_init(sn_arena *a, size_t first_chunk);
void sn_arena_free(sn_arena *a);                /* releases every chunk; arena reusable */
void *sn_arena_alloc(sn_arena *a, size_t size); /* 16-byte aligned, NULL on failure (error set) */
void *sn_arena_alloc8(sn_arena *a, size_t size); /* the same, 8-byte aligned (session objects) */
void *sn_arena_calloc(sn_arena *a, size_t size);
char *sn_arena_strndup(sn_arena *a, const char *s, size_t n);
char *sn_arena_strdup(sn_arena *a, const char *s);
char *sn_arena_printf(sn_arena *a, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* 1 if p points into memory this arena handed out (no dereference of p). */
int sn_arena_owns(sn_arena *a, const void *p);

/* Arena marks: roll the arena back to an earlier point (used by streaming). */
typedef struct sn_arena_mark { sn_chunk *head; char *cur; char *end; size_t used; } sn_arena_mark;
sn_arena_mark sn_arena_mark_get(const sn_arena *a);
void sn_arena_reset_to(sn_arena *a, sn_arena_mark m);
/* 1 when nothing was allocated from a since m was taken: sn_arena_reset_to(a, m) would undo
 * nothing (a streamed row whose text was all borrowed skips it) */
static inline int sn_arena_at_mark(const sn_arena *a, const sn_arena_mark *m)
{
    return a->head == m->head && a->cur == m->cur;
}

/* ---- string builder ---- */
typedef struct sn_buf {
    char *data;           /* always NUL-terminated when len > 0 or after any append */
    size_t len;
    size_t cap;
    int failed;           /* sticky: an append ran out of memory */
} sn_buf;

void sn_buf_init(sn_buf *b);
void sn_buf_free(sn_buf *b);
void sn_buf_clear(sn_buf *b);
void sn_buf_append(sn_buf *b, const char *s, size_t n);
void sn_buf_puts(sn_buf *b, const char *s);
void sn_buf_putc(sn_buf *b, char c);
void sn_buf_printf(sn_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
const char *sn_buf_cstr(sn_buf *b);             /* "" when empty */
char *sn_buf_take(sn_buf *b);                   /* caller frees with sn_free; NULL if failed */

/* ---- hash map: open addressing, caller supplies hash and equality ---- */
typedef struct sn_map_entry { uint64_t hash; const void *key; void *value; } sn_map_entry;
typedef struct sn_map {
    sn_map_entry *slots;
    size_t cap;           /* power of two */
    size_t count;
    int (*eq)(const void *a, const void *b, void *ctx);
    void *ctx;
} sn_map;

void sn_map_init(sn_map *m, int (*eq)(const void *, const void *, void *), void *ctx);
void sn_map_free(sn_map *m);
void *sn_map_get(const sn_map *m, uint64_t hash, const void *key);
int sn_map_put(sn_map *m, uint64_t hash, const void *key, void *value);  /* replaces */
int sn_map_remove(sn_map *m, uint64_t hash, const void *key);            /* 1 if removed */

uint64_t sn_hash_bytes(const void *data, size_t n, uint64_t seed);
uint64_t sn_hash_str(const char *s);
uint64_t sn_hash_u64(uint64_t x);

/* ---- value syntax shared by every backend (value.c, json.c) ---- */
/* the constructor that makes a sinew_value of type t ("sinew_v_int32", "sinew_v_enum", ...) */
const char *sn_type_ctor(sinew_type t);
/* s[0..len) is a decimal number: [+-]digits[.digits][e[+-]digits] (digits on one side of the
 * point at least; no blanks, no NaN or Infinity, no hex) */
int sn_decimal_valid(const char *s, size_t len);
/* s[0..len) is one JSON value as RFC 8259 and PostgreSQL's jsonb take it (UTF-8, no \u0000,
 * surrogates paired). On failure *at is the byte offset of the error and *why says what. */
int sn_json_valid(const char *s, size_t len, size_t *at, const char **why);
/* the shortest text that reads back as d ("2.5", not "2.5000000000000000") */
void sn_double_text(double d, char buf[40]);

#endif
