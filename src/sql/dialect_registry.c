/*
 * dialect_registry.c - the built-in dialects by name and by the
 * SINEW_DIALECT_* bit of `migrate make`. Everything else asks a dialect what
 * it can do and never compares names: adding a backend adds an entry here
 * (and its driver), nothing more.
 */
#include <string.h>
#include "dialect.h"
#include "sinew/dialect.h"

const sn_dialect_entry sn_dialects[] = {
    {SINEW_DIALECT_SQLITE, &sn_dialect_sqlite},
    {SINEW_DIALECT_POSTGRES, &sn_dialect_postgres},
    {SINEW_DIALECT_MARIADB, &sn_dialect_mariadb},
};
const size_t sn_ndialects = sizeof sn_dialects / sizeof sn_dialects[0];

unsigned sinew_dialect_mask(const char *name)
{
    if (!name) return 0;
    if (strcmp(name, "all") == 0) return SINEW_DIALECT_ALL;
    for (size_t i = 0; i < sn_ndialects; i++)
        if (strcmp(sn_dialects[i].dialect->name, name) == 0) return sn_dialects[i].bit;
    return 0;
}
