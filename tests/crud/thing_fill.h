/* thing_fill.h - a Thing with every kind of field set from its number, the nullable ones present in
 * odd objects and absent in even ones (the bind and the stream tests write and read the same rows) */
#ifndef THING_FILL_H
#define THING_FILL_H
#include "models.h"

enum { THING_FILL_MAX = 16 };   /* i < THING_FILL_MAX: the texts it points at are static */

void thing_fill(Thing *t, int i);
/* two strings equal, or both NULL */
void th_text_equal(const char *a, const char *b);
#endif
