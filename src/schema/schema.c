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
#include "lang.h"
#include "schema/introspect.h"

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

int sn_same_db_schema(const sinew_model *a, const sinew_model *b)
{
    if (!a->db_schema || !b->db_schema) return !a->db_schema && !b->db_schema;
    return strcmp(a->db_schema, b->db_schema) == 0;
}

const sinew_model *sn_schema_find_table_in(const sinew_schema *s, const char *schema, const char *table)
{
    for (size_t i = 0; s && table && i < s->nmodels; i++) {
        const sinew_model *m = s->models[i];
        if (strcmp(m->table, table) != 0) continue;
        if (schema ? m->db_schema && !strcmp(m->db_schema, schema) : !m->db_schema) return m;
    }
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

const sinew_poly *sinew_model_find_poly(const sinew_model *m, const char *name)
{
    for (size_t i = 0; m && name && i < m->npolys; i++)
        if (strcmp(m->polys[i].name, name) == 0) return &m->polys[i];
    return NULL;
}

int sinew_model_soft_delete_field(const sinew_model *m)
{
    if (!m || !(m->flags & SINEW_MODEL_SOFT_DELETE)) return -1;
    for (size_t i = 0; i < m->nfields; i++)
        if ((m->fields[i].flags & SINEW_FIELD_DELETED_AT) && m->fields[i].type == SINEW_TIMESTAMP) return (int)i;
    return -1;
}

int sinew_model_auto_pk(const sinew_model *m)
{
    if (!m || m->npk != 1) return -1;
    unsigned i = m->pk[0];
    return (m->fields[i].flags & SINEW_FIELD_AUTO) ? (int)i : -1;
}

/* the first n of a[] are the n fields of b[] (in any order) */
static int leads(const unsigned *a, size_t na, const unsigned *b, size_t n)
{
    if (na < n) return 0;
    for (size_t i = 0; i < n; i++) {
        int found = 0;
        for (size_t j = 0; j < n && !found; j++) found = a[j] == b[i];
        if (!found) return 0;
    }
    return 1;
}

int sn_index_led(const sinew_model *m, const sinew_index *ix, size_t nix, const unsigned *fields, size_t n)
{
    if (leads(m->pk, m->npk, fields, n)) return 1;
    if (n == 1 && (m->fields[fields[0]].flags & (SINEW_FIELD_UNIQUE | SINEW_FIELD_INDEX))) return 1;
    for (size_t i = 0; i < nix; i++)
        if (leads(ix[i].fields, ix[i].nfields, fields, n)) return 1;
    return 0;
}
