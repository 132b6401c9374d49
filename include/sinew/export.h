/*
 * sinew/export.h - SINEW_API marks the declarations that make up sinew's
 * public interface.
 *
 * libsinew.so is compiled with -fvisibility=hidden, so only what carries
 * SINEW_API is exported from it; everything else (the sn_* internals) stays
 * inside the library, where it can change without breaking a program. The
 * static library is the same code: hidden visibility does not affect linking
 * against it.
 */
#ifndef SINEW_EXPORT_H
#define SINEW_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define SINEW_API __attribute__((visibility("default")))
#else
#define SINEW_API
#endif

#endif
