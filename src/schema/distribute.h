/*
 * distribute.h - private: `@@distribute` / `@@reference` on a resolved graph (distribute.c).
 */
#ifndef SINEW_SCHEMA_DISTRIBUTE_H
#define SINEW_SCHEMA_DISTRIBUTE_H

#include "lang.h"

/* models[i] was resolved from a model whose @@distribute or @@reference attribute is attrs[i]
 * (NULL: none, or a synthesised join model). Sets each model's distribution and reports, as
 * errors at their positions, what a Citus cluster would refuse; returns how many. */
int sn_distribution(sinew_model *const *models, const ast_attr *const *attrs, size_t n, sinew_diagnostics *d,
                    const char *file);

#endif
