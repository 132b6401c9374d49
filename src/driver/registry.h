/*
 * registry.h - private: what the driver layer knows about URL schemes that
 * the layers above ask it instead of comparing scheme names themselves.
 */
#ifndef SINEW_DRIVER_REGISTRY_H
#define SINEW_DRIVER_REGISTRY_H

#include "sinew/driver.h"

/* For an error message when no driver serves `scheme`: how to get one (" (rebuild with ...)"),
   or "" when sinew has no built-in driver for it. */
const char *sn_driver_absent_hint(const char *scheme);
/* 1 if `url` names a database private to its connection (SQLite's :memory: or mode=memory),
   which a pool of several connections would see as several empty databases. */
int sn_url_is_private_memory(const sinew_url *url);

#endif
