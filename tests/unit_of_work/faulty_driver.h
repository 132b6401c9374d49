/*
 * A driver that wraps the real one for the backend under test and fails the
 * k-th call (prepare, bind, step, exec, begin, commit, savepoint, release)
 * with an injected error. Reads, resets, rollbacks and closes always pass.
 */
#ifndef FAULTY_DRIVER_H
#define FAULTY_DRIVER_H
#include "sinew/sinew.h"

/* Register the wrapper for the backend's URL scheme (call once, before opening). */
void faulty_install(const char *scheme);
/* Calls counted since install. */
long faulty_calls(void);
/* Fail the call numbered `at` (as counted by faulty_calls) with `status`; 0 disarms. */
void faulty_arm(long at, int status);
long faulty_injected(void);
#endif
