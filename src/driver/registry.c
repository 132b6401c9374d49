/*
 * registry.c - the table of drivers sinew_open() chooses from by URL scheme.
 * Built-in drivers are always present; others are registered at start-up.
 */
#include <string.h>
#include "base.h"
#include "sinew/driver.h"

#define MAX_DRIVERS 16
static const sinew_driver *extra[MAX_DRIVERS];
static size_t nextra;

int sinew_register_driver(const sinew_driver *d)
{
    if (!d || d->version != SINEW_DRIVER_VERSION || !d->schemes)
        return sinew_error_set(SINEW_MISUSE, "sinew_register_driver: driver is NULL, has no schemes, "
                                             "or was built for another driver interface version (want %d)",
                               SINEW_DRIVER_VERSION);
    for (size_t i = 0; i < nextra; i++)
        if (extra[i] == d) return SINEW_OK;
    if (nextra == MAX_DRIVERS)
        return sinew_error_set(SINEW_MISUSE, "sinew_register_driver: too many drivers (max %d)", MAX_DRIVERS);
    extra[nextra++] = d;
    return SINEW_OK;
}

static int serves(const sinew_driver *d, const char *scheme)
{
    for (const char *const *s = d->schemes; *s; s++)
        if (strcmp(*s, scheme) == 0) return 1;
    return 0;
}

const sinew_driver *sinew_find_driver(const char *scheme)
{
    /* registered drivers first, so a wrapper can stand in for a built-in one */
    for (size_t i = nextra; i-- > 0;)
        if (serves(extra[i], scheme)) return extra[i];
    if (serves(&sinew_sqlite_driver, scheme)) return &sinew_sqlite_driver;
#ifdef SINEW_HAVE_POSTGRES
    if (serves(&sinew_postgres_driver, scheme)) return &sinew_postgres_driver;
#endif
    return NULL;
}
