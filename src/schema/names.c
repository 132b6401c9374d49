/*
 * names.c - the naming conventions of the schema language (snake_case,
 * plural table names), reserved words of C and SQL, and edit distance for
 * "did you mean" hints. The code generator uses the same snake_case and the
 * same C keyword list (names.h), so that what the resolver accepts and what
 * the generator emits agree.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "names.h"

void sn_snake(const char *name, char *buf, size_t cap)
{
    size_t j = 0;
    if (!cap) return;
    for (size_t i = 0; name[i] && j + 2 < cap; i++) {
        unsigned char c = (unsigned char)name[i];
        if (isupper(c)) {
            unsigned char prev = i ? (unsigned char)name[i - 1] : 0;
            unsigned char nx = (unsigned char)name[i + 1];
            if (i && j && buf[j - 1] != '_' && (islower(prev) || isdigit(prev) || (isupper(prev) && islower(nx))))
                buf[j++] = '_';
            buf[j++] = (char)tolower(c);
        } else if (isalnum(c) || c == '_') {
            buf[j++] = (char)c;
        } else if (j && buf[j - 1] != '_') {
            buf[j++] = '_';   /* "in-progress" -> in_progress: text that is not a name still gives one */
        }
    }
    buf[j] = '\0';
}

void sn_plural(const char *w, char *out, size_t cap)
{
    size_t n = strlen(w);
    if (n + 3 >= cap) {
        snprintf(out, cap, "%s", w);
        return;
    }
    const char *vowels = "aeiou";
    if (n > 1 && w[n - 1] == 'y' && !strchr(vowels, w[n - 2]))
        snprintf(out, cap, "%.*sies", (int)(n - 1), w);
    else if ((n && strchr("sxz", w[n - 1])) || (n > 1 && (w[n - 1] == 'h' && (w[n - 2] == 'c' || w[n - 2] == 's'))))
        snprintf(out, cap, "%ses", w);
    else
        snprintf(out, cap, "%ss", w);
}

int sn_c_keyword(const char *s)
{
    /* C11's keywords, the ones C23 adds (a generated header may be compiled as C23), and NULL */
    static const char *const kw[] = {
        "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern",
        "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed",
        "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while",
        "_Alignas", "_Alignof", "_Atomic", "_Bool", "_Complex", "_Generic", "_Imaginary", "_Noreturn",
        "_Static_assert", "_Thread_local", "alignas", "alignof", "bool", "constexpr", "false", "nullptr",
        "static_assert", "thread_local", "true", "typeof", "typeof_unqual", "NULL", NULL};
    for (const char *const *k = kw; *k; k++)
        if (!strcmp(*k, s)) return 1;
    return s[0] == '_' && (isupper((unsigned char)s[1]) || s[1] == '_');
}

/* optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours */
size_t sn_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 60 || lb > 60) return 99;
    size_t d[61][61];
    for (size_t i = 0; i <= la; i++) d[i][0] = i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int ai = tolower((unsigned char)a[i - 1]), bj = tolower((unsigned char)b[j - 1]);
            size_t best = d[i - 1][j - 1] + (ai != bj);
            if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ai == tolower((unsigned char)b[j - 2]) && tolower((unsigned char)a[i - 2]) == bj &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[la][lb];
}
