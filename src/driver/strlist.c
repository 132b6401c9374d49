/*
 * strlist.c - the catalog readers' list of owned strings (strlist.h).
 */
#include <string.h>
#include "base.h"
#include "driver/strlist.h"

int sn_strlist_push(sn_strlist *l, const char *s)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 8;
        char **nv = sn_realloc(l->v, nc * sizeof *nv);
        if (!nv) return sn_nomem();
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n] = s ? sn_strdup(s) : NULL;
    if (s && !l->v[l->n]) return sn_nomem();
    l->n++;
    return SINEW_OK;
}

void sn_strlist_clear(sn_strlist *l)
{
    for (size_t i = 0; i < l->n; i++) sn_free(l->v[i]);
    l->n = 0;
}

void sn_strlist_free(sn_strlist *l)
{
    sn_strlist_clear(l);
    sn_free(l->v);
    memset(l, 0, sizeof *l);
}
