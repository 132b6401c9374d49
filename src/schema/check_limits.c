/*
 * check_limits.c - a schema past one of sinew's fixed limits is refused here,
 * where it is read, with its position and what to do, instead of failing (or
 * reading out of bounds) later in the ORM, which sizes its masks and key
 * arrays by these limits.
 *
 * Key lists are checked in the file (the resolver keeps at most SN_MAX_KEY
 * names of one), field and relation counts in the graph, where implicit
 * foreign-key fields and inverses have been added.
 */
#include <string.h>
#include "check_limits.h"
#include "sn_limits.h"

static size_t list_len(const ast_attr *a)
{
    if (a->nargs == 1 && a->args[0].kind == ARG_LIST) return a->args[0].nitems;
    return a->nargs;
}

static int check_file(const ast_file *af, sinew_diagnostics *d, const char *file)
{
    int errors = 0;
    for (size_t i = 0; i < af->nmodels; i++) {
        const ast_model *m = &af->models[i];
        for (size_t k = 0; k < m->nattrs; k++) {
            const ast_attr *a = &m->attrs[k];
            if (strcmp(a->name, "id") == 0 && list_len(a) > SN_MAX_KEY) {
                sn_diag_add(d, SINEW_DIAG_ERROR, file, a->line, a->col,
                            "@@id of %s names %zu fields; a primary key has at most %d: "
                            "use an @id @auto key and make these fields @@unique([...])",
                            m->name, list_len(a), SN_MAX_KEY);
                errors++;
            }
        }
        for (size_t f = 0; f < m->nfields; f++)
            for (size_t k = 0; k < m->fields[f].nattrs; k++) {
                const ast_attr *a = &m->fields[f].attrs[k];
                if (strcmp(a->name, "fk") == 0 && list_len(a) > SN_MAX_KEY) {
                    sn_diag_add(d, SINEW_DIAG_ERROR, file, a->line, a->col,
                                "@fk of '%s' names %zu fields; a foreign key has at most %d columns "
                                "(the target's primary key has at most %d)",
                                m->fields[f].name, list_len(a), SN_MAX_KEY, SN_MAX_KEY);
                    errors++;
                }
            }
    }
    return errors;
}

static int check_graph(const sinew_schema *s, sinew_diagnostics *d, const char *file)
{
    int errors = 0;
    for (size_t i = 0; i < s->nmodels; i++) {
        const sinew_model *m = s->models[i];
        if (m->nfields > SN_MAX_FIELDS) {
            sn_diag_add(d, SINEW_DIAG_ERROR, file, m->loc.line, m->loc.col,
                        "model %s has %zu fields (foreign-key fields of its relations included); sinew supports "
                        "at most %d per model: move some into another model with a one-to-one relation",
                        m->name, m->nfields, SN_MAX_FIELDS);
            errors++;
        }
        if (m->nrelations > SN_MAX_RELATIONS) {
            sn_diag_add(d, SINEW_DIAG_ERROR, file, m->loc.line, m->loc.col,
                        "model %s has %zu relations (inverses included); sinew supports at most %d per model: "
                        "move some into another model with a one-to-one relation",
                        m->name, m->nrelations, SN_MAX_RELATIONS);
            errors++;
        }
    }
    return errors;
}

int sn_check_limits(const ast_file *af, const sinew_schema *s, sinew_diagnostics *d, const char *file)
{
    int errors = check_file(af, d, file);
    if (s) errors += check_graph(s, d, file);
    return errors;
}
