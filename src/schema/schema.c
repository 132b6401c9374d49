/*
 * schema.c - lookups over the schema graph, and release of run-time graphs.
 *
 * A run-time graph (parser, introspection) lives entirely inside one arena,
 * the sinew_schema struct included; `owner` points at that heap-allocated
 * arena, so freeing it releases everything at once.
 */
#include <string.h>
#include "base.h"
#include "sinew/schema.h"

void sinew_schema_free(sinew_schema *schema)
{
    if (!schema || !schema->owner) return;
    sn_arena *a = schema->owner;
    sn_arena_free(a);
    sn_free(a);
}

const sinew_model *sinew_schema_find_model(const sinew_schema *s, const char *name)
{
    for (size_t i = 0; s && name && i < s->nmodels; i++)
        if (strcmp(s->models[i]->name, name) == 0) return s->models[i];
    return NULL;
}

const sinew_model *sinew_schema_find_table(const sinew_schema *s, const char *table)
{
    for (size_t i = 0; s && table && i < s->nmodels; i++)
        if (strcmp(s->models[i]->table, table) == 0) return s->models[i];
    return NULL;
}

const sinew_enum *sinew_schema_find_enum(const sinew_schema *s, const char *name)
{
    for (size_t i = 0; s && name && i < s->nenums; i++)
        if (strcmp(s->enums[i]->name, name) == 0) return s->enums[i];
    return NULL;
}

int sinew_model_field_index(const sinew_model *m, const char *name)
{
    for (size_t i = 0; m && name && i < m->nfields; i++)
        if (strcmp(m->fields[i].name, name) == 0) return (int)i;
    return -1;
}

int sinew_model_column_index(const sinew_model *m, const char *column)
{
    for (size_t i = 0; m && column && i < m->nfields; i++)
        if (strcmp(m->fields[i].column, column) == 0) return (int)i;
    return -1;
}

const sinew_relation *sinew_model_find_relation(const sinew_model *m, const char *name)
{
    for (size_t i = 0; m && name && i < m->nrelations; i++)
        if (strcmp(m->relations[i].name, name) == 0) return &m->relations[i];
    return NULL;
}

int sinew_model_auto_pk(const sinew_model *m)
{
    if (!m || m->npk != 1) return -1;
    unsigned i = m->pk[0];
    return (m->fields[i].flags & SINEW_FIELD_AUTO) ? (int)i : -1;
}
