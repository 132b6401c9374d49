/*
 * sinew/types.h - the C representation of every sinew field type, the
 * tagged value used for parameters, and conversions for time and UUIDs.
 *
 *   schema type   C member                       NULL representation
 *   -----------   ----------------------------   ---------------------------
 *   bool          bool                           has_<name> == false
 *   int32         int32_t                        has_<name> == false
 *   int64         int64_t                        has_<name> == false
 *   double        double                         has_<name> == false
 *   text          char *   (NUL-terminated)      NULL pointer
 *   json          char *   (JSON text)           NULL pointer
 *   decimal       char *   (exact decimal text)  NULL pointer
 *   blob          sinew_blob {data, len}         has_<name> == false
 *   timestamp     int64_t  (UTC microseconds     has_<name> == false
 *                           since 1970-01-01)
 *   date          int32_t  (days since 1970-01-01) has_<name> == false
 *   uuid          sinew_uuid {bytes[16]}         has_<name> == false
 *   enum          int      (index into the enum) has_<name> == false
 *
 * Writes refuse what no backend stores alike (SINEW_TYPE, the field named):
 * NaN doubles, timestamps and dates outside 0001-01-01 .. 9999-12-31, decimal
 * text that is not a number, json text that is not JSON (docs/schema.md).
 *
 * Values are made by sinew_v_ and the schema type's name (sinew_v_int64,
 * sinew_v_text, sinew_v_text_n for an explicit length, sinew_v_blob, ...);
 * the conversions put their out-parameter last (docs/api.md).
 *
 * Nullable non-pointer fields get a companion `bool has_<name>` member, as
 * protobuf-c does for optional scalars. Strings and blobs that a session
 * loads live in the session's arena and are freed with it.
 */
#ifndef SINEW_TYPES_H
#define SINEW_TYPES_H

#include "export.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sinew_type {
    SINEW_BOOL = 1,
    SINEW_INT32,
    SINEW_INT64,
    SINEW_DOUBLE,
    SINEW_TEXT,
    SINEW_BLOB,
    SINEW_TIMESTAMP,
    SINEW_DATE,
    SINEW_UUID,
    SINEW_JSON,
    SINEW_DECIMAL,
    SINEW_ENUM
} sinew_type;

/* Binary data. A loaded blob's bytes belong to the session. */
typedef struct sinew_blob {
    const unsigned char *data;
    size_t len;
} sinew_blob;

typedef struct sinew_uuid {
    unsigned char bytes[16];
} sinew_uuid;

/*
 * A tagged value: query parameters, keys, raw-SQL results. Text and blob
 * values point at memory owned elsewhere (the caller's, or a session's).
 */
typedef struct sinew_value {
    sinew_type type;
    bool is_null;
    union {
        bool b;
        int64_t i;      /* bool, int32, int64, timestamp, date, enum */
        double d;
        struct { const char *ptr; size_t len; } s;   /* text, json, decimal, blob */
        sinew_uuid uuid;
    } u;
} sinew_value;

/* Value constructors (no allocation). */
SINEW_API sinew_value sinew_v_null(sinew_type type);
SINEW_API sinew_value sinew_v_bool(bool v);
SINEW_API sinew_value sinew_v_int32(int32_t v);
SINEW_API sinew_value sinew_v_int64(int64_t v);
SINEW_API sinew_value sinew_v_double(double v);
SINEW_API sinew_value sinew_v_text(const char *s);                 /* NUL-terminated; NULL gives SQL NULL */
SINEW_API sinew_value sinew_v_text_n(const char *s, size_t len);
SINEW_API sinew_value sinew_v_blob(const void *data, size_t len);
SINEW_API sinew_value sinew_v_timestamp(int64_t usec_since_epoch);
SINEW_API sinew_value sinew_v_date(int32_t days_since_epoch);
SINEW_API sinew_value sinew_v_uuid(sinew_uuid u);
SINEW_API sinew_value sinew_v_json(const char *s);
SINEW_API sinew_value sinew_v_decimal(const char *s);
SINEW_API sinew_value sinew_v_enum(int index);

/* The schema-language name of a type ("int64", "text", ...). */
SINEW_API const char *sinew_type_name(sinew_type type);

/* ---- time ---------------------------------------------------------------- */

/* Build a timestamp from UTC calendar fields; returns SINEW_INVALID if out of range. */
SINEW_API int sinew_timestamp_from_parts(int year, int month, int day, int hour,
                               int minute, int second, int usec, int64_t *out);
/* "YYYY-MM-DD HH:MM:SS[.ffffff]" (UTC); a trailing "Z" or "+00" is accepted. */
SINEW_API int sinew_timestamp_parse(const char *text, size_t len, int64_t *out);
/* Writes "YYYY-MM-DD HH:MM:SS.ffffff" (26 chars + NUL); buf must hold 32 bytes. */
SINEW_API void sinew_timestamp_format(int64_t usec, char buf[32]);

SINEW_API int sinew_date_from_parts(int year, int month, int day, int32_t *out);
SINEW_API int sinew_date_parse(const char *text, size_t len, int32_t *out);   /* "YYYY-MM-DD" */
SINEW_API void sinew_date_format(int32_t days, char buf[16]);

/* ---- uuid ---------------------------------------------------------------- */

SINEW_API int sinew_uuid_parse(const char *text, size_t len, sinew_uuid *out);  /* 8-4-4-4-12 hex */
SINEW_API void sinew_uuid_format(const sinew_uuid *u, char buf[37]);
/* A random (version 4) UUID from the operating system's generator. */
SINEW_API int sinew_uuid_v4(sinew_uuid *out);

/* ---- memory -------------------------------------------------------------- */

/*
 * Replace the allocator every part of sinew uses (default: malloc/realloc/
 * free). Set it before opening anything. Tests use it to inject failures.
 */
typedef struct sinew_allocator {
    void *(*malloc_fn)(size_t size, void *ctx);
    void *(*realloc_fn)(void *ptr, size_t size, void *ctx);
    void (*free_fn)(void *ptr, void *ctx);
    void *ctx;
} sinew_allocator;

SINEW_API void sinew_set_allocator(const sinew_allocator *a);   /* NULL restores the default */

#ifdef __cplusplus
}
#endif
#endif
