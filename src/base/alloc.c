/*
 * alloc.c - every allocation in sinew goes through here, so an application
 * can substitute its allocator and the tests can make the k-th allocation
 * fail (see sinew_set_allocator in sinew/types.h).
 */
#include <stdlib.h>
#include <string.h>
#include "base.h"

static void *default_malloc(size_t n, void *ctx) { (void)ctx; return malloc(n); }
static void *default_realloc(void *p, size_t n, void *ctx) { (void)ctx; return realloc(p, n); }
static void default_free(void *p, void *ctx) { (void)ctx; free(p); }

static const sinew_allocator default_allocator = {default_malloc, default_realloc, default_free, NULL};
static sinew_allocator current = {default_malloc, default_realloc, default_free, NULL};

void sinew_set_allocator(const sinew_allocator *a)
{
    current = a ? *a : default_allocator;
}

void *sn_malloc(size_t size) { return current.malloc_fn(size ? size : 1, current.ctx); }
void *sn_realloc(void *ptr, size_t size) { return current.realloc_fn(ptr, size ? size : 1, current.ctx); }
void sn_free(void *ptr) { if (ptr) current.free_fn(ptr, current.ctx); }

void *sn_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) return NULL;
    void *p = sn_malloc(n * size);
    if (p) memset(p, 0, n * size);
    return p;
}

char *sn_strndup(const char *s, size_t n)
{
    if (!s) return NULL;
    char *p = sn_malloc(n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *sn_strdup(const char *s) { return s ? sn_strndup(s, strlen(s)) : NULL; }
