/*
 * sinew.h - the object-relational mapper for C. Include this one header.
 *
 * API conventions (docs/api.md), the same in every header: a call that can
 * fail returns a SINEW_* status (sinew/status.h); out-parameters come last
 * (sinew_open(url, &db), sinew_session_new(db, &s)) and are NULL / 0 after a
 * failure; what a call creates is freed by its *_free / *_close (NULL is a
 * no-op), what a session loads belongs to the session; a field index is
 * `unsigned`, a count `size_t`; value constructors are sinew_v_<schema type>.
 */
#ifndef SINEW_H
#define SINEW_H

#include "version.h"
#include "status.h"
#include "types.h"
#include "schema.h"
#include "driver.h"
#include "db.h"
#include "session.h"
#include "query.h"
#include "relations.h"
#include "transaction.h"
#include "pool.h"
#include "migrate.h"
#include "codegen.h"
#include "diagram.h"
#include "parse.h"

#endif
