/*
 * names.h - the naming conventions shared by the schema language (resolver,
 * printer) and the code generator: one snake_case, one list of the words C
 * keeps for itself, the SQL words sinew refuses as names, and the edit
 * distance behind "did you mean" hints. Pure functions, no I/O.
 */
#ifndef SINEW_SCHEMA_NAMES_H
#define SINEW_SCHEMA_NAMES_H

#include <stddef.h>

/*
 * snake_case of `in` into out (cap bytes, always terminated): "PlaylistTrack"
 * -> "playlist_track", "HTTPServer" -> "http_server". Letters, digits and _
 * are kept (upper case lowered, with a _ before a word that starts in upper
 * case); any other byte becomes one _ (never a leading one, never two in a
 * row from such bytes), so the result of any text is an identifier's
 * characters, possibly empty.
 */
void sn_snake(const char *in, char *out, size_t cap);
void sn_plural(const char *snake, char *out, size_t cap);   /* users, categories, boxes */
/*
 * 1 if `s` cannot name a C struct member, type or function in generated
 * code: a keyword of C11 or C23 (int, _Bool, bool, typeof, nullptr, ...),
 * NULL (a macro of every header), or an identifier C reserves for the
 * implementation (_ then an upper-case letter, or __).
 */
int sn_c_keyword(const char *s);
size_t sn_edit_distance(const char *a, const char *b);

#endif
