/*
 * sinew.h - the object-relational mapper for C. Include this one header.
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
