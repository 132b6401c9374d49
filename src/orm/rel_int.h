/*
 * rel_int.h - what the relation files share: rel_cache.c (where loaded
 * values live), rel_load.c (the batch loader), rel_lazy.c (lazy
 * accessors), nplusone.c (the N+1 detector and reports), m2m.c
 * (many-to-many changes).
 */
#ifndef SINEW_REL_INT_H
#define SINEW_REL_INT_H

#include "orm.h"
#include "sql/ir.h"
#include "sinew/relations.h"

/* rel's index among m's relations, or -1 when it is not one of them */
static inline int sn_rel_index(const sinew_model *m, const sinew_relation *rel)
{
    if (rel < m->relations || rel >= m->relations + m->nrelations) return -1;
    return (int)(rel - m->relations);
}

static inline int sn_rel_is_to_one(const sinew_relation *rel)
{
    return rel->kind == SINEW_BELONGS_TO || rel->kind == SINEW_HAS_ONE;
}

/* the loaded value of rel for obj (one for a to-one, many for a to-many) */
void sn_rel_fetch(sinew_session *s, const sinew_relation *rel, void *obj, void **one, sinew_list *many);
/* the statistics of rel (created on first use; NULL when out of memory) */
sn_relstat *sn_relstat_of(sinew_session *s, const sinew_model *owner, const sinew_relation *rel);
/* the N+1 report of one relation, with its count now (tail: " so far" while the loop runs) */
void sn_nplusone_text(char *msg, size_t cap, const sinew_session *s, const sn_relstat *st, const char *tail);
/* a line for the session's report and the log */
void sn_rel_report(sinew_session *s, const char *msg);
void sn_nplusone_session_end(sinew_session *s);

#endif
