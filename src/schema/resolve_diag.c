/*
 * resolve_diag.c - the resolver's diagnostics: errors and warnings at a
 * position of the schema file, and the checks of attribute arguments that
 * several passes share.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "resolve.h"

void sn_rs_err(R *r, int line, int col, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sn_diag_add(r->d, SINEW_DIAG_ERROR, r->file, line, col, "%s", msg);
    r->errors++;
}

/* a warning: the file is accepted, the diagnostic says what the database will do */
void sn_rs_warn(R *r, int line, int col, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sn_diag_add(r->d, SINEW_DIAG_WARNING, r->file, line, col, "%s", msg);
}

/*
 * Names reach SQL, migration comments, generated C and diagrams: a control
 * character (a newline above all) in one could end a comment there. Refuse
 * it at the string that brought it, naming the byte and where it is.
 */
int sn_rs_control_free(R *r, const ast_arg *v, const char *attr)
{
    const unsigned char *t = (const unsigned char *)v->text;
    for (size_t i = 0; t && t[i]; i++)
        if (t[i] < 0x20 || t[i] == 0x7f) {
            char shown[80];
            size_t k = 0;
            for (size_t j = 0; t[j] && k + 5 < sizeof shown; j++)
                k += (size_t)snprintf(shown + k, sizeof shown - k, t[j] < 0x20 || t[j] == 0x7f ? "\\x%02x" : "%c", t[j]);
            sn_rs_err(r, v->line, v->col, "%s(\"%s\"): the name holds the control character 0x%02x (byte %zu); names "
                "cannot contain control characters: remove it", attr, shown, t[i], i + 1);
            return 0;
        }
    return 1;
}

int sn_rs_need_args(R *r, const ast_attr *a, size_t n, const char *example)
{
    if (a->nargs == n) return 1;
    sn_rs_err(r, a->line, a->col, "@%s takes %zu argument%s: %s", a->name, n, n == 1 ? "" : "s", example);
    return 0;
}

int sn_rs_constraint_name_arg(R *r, const ast_arg *v, const char *attr, const char *example)
{
    if (!v->label || strcmp(v->label, "name") || v->kind != ARG_STRING || !v->text[0]) {
        sn_rs_err(r, v->line, v->col, "%s takes the constraint's SQL name as name: \"...\": %s", attr, example);
        return 0;
    }
    return sn_rs_control_free(r, v, attr);
}
