/*
 * sinew/version.h - the version of these headers and of the library built
 * from them, and the range of generated code they accept.
 *
 * Code written by `sinew generate` includes this header first and checks,
 * at compile time, that the runtime is not older than the generator that
 * wrote it and that the generator is not older than the oldest one this
 * runtime still reads (the descriptor tables are plain structs: a layout
 * they do not match would compile into wrong offsets, not into an error).
 *
 * The numbers must equal the project version in CMakeLists.txt; the
 * configure step refuses to build when they differ, and the test
 * `version_header` checks it again.
 */
#ifndef SINEW_VERSION_H
#define SINEW_VERSION_H

#define SINEW_VERSION_MAJOR 0
#define SINEW_VERSION_MINOR 1
#define SINEW_VERSION_PATCH 0

/* "0.1.0" */
#define SINEW_VERSION "0.1.0"

/* major * 1000000 + minor * 1000 + patch, for #if: 0.1.0 is 1000, 1.4.2 is 1004002 */
#define SINEW_VERSION_NUMBER (SINEW_VERSION_MAJOR * 1000000 + SINEW_VERSION_MINOR * 1000 + SINEW_VERSION_PATCH)

/*
 * The oldest generator whose output this runtime compiles and runs
 * correctly, as a SINEW_VERSION_NUMBER. Raise it whenever a descriptor
 * struct in sinew/schema.h changes in a way that older generated tables do
 * not fill (a member that must be set, a member removed or retyped).
 */
#define SINEW_MIN_GENERATED_VERSION 1000

#endif
