/*
 * check_limits.h - the fixed limits (base/sn_limits.h) checked on a resolved schema.
 */
#ifndef SINEW_SCHEMA_CHECK_LIMITS_H
#define SINEW_SCHEMA_CHECK_LIMITS_H

#include "lang.h"

/* Report every place where `af` (the file) or `s` (its graph, NULL if none was
 * built) goes past a limit, as an error at its position; returns how many. */
int sn_check_limits(const ast_file *af, const sinew_schema *s, sinew_diagnostics *d, const char *file);

#endif
