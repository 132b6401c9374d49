/*
 * strlist.h - private to the driver layer: a growable list of owned strings
 * (or NULLs), what the catalog readers collect names and columns into
 * before they hand them to the schema builder.
 */
#ifndef SINEW_DRIVER_STRLIST_H
#define SINEW_DRIVER_STRLIST_H

#include <stddef.h>

typedef struct sn_strlist { char **v; size_t n, cap; } sn_strlist;

/* append a copy of s (NULL is kept as NULL); SINEW_NOMEM leaves the list as it was */
int sn_strlist_push(sn_strlist *l, const char *s);
/* free the strings, keep the array for reuse */
void sn_strlist_clear(sn_strlist *l);
/* free the strings and the array; the list is empty again */
void sn_strlist_free(sn_strlist *l);

#endif
