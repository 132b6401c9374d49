/*
 * field_value.c - the value a struct field binds as, read through its
 * descriptor (sinew/driver.h): the orm binds single values with it, and a
 * driver's bind_rows() reads the fields it has no fast path for with it.
 */
#include <string.h>
#include "base.h"
#include "sinew/driver.h"

SN_HOT sinew_value sinew_field_value(const sinew_field *f, const void *obj)
{
    sinew_value v;
    memset(&v, 0, sizeof v);
    v.type = f->type;
    if (f->has_offset != SINEW_NO_OFFSET && !*(const bool *)((const char *)obj + f->has_offset)) {
        v.is_null = true;
        return v;
    }
    switch (f->type) {
    case SINEW_BOOL: v.u.i = *(const bool *)((const char *)obj + f->offset) ? 1 : 0; break;
    case SINEW_INT32: case SINEW_DATE: v.u.i = *(const int32_t *)((const char *)obj + f->offset); break;
    case SINEW_INT64: case SINEW_TIMESTAMP: v.u.i = *(const int64_t *)((const char *)obj + f->offset); break;
    case SINEW_DOUBLE: v.u.d = *(const double *)((const char *)obj + f->offset); break;
    case SINEW_TEXT: case SINEW_JSON: case SINEW_DECIMAL: {
        const char *s = *(const char *const *)((const char *)obj + f->offset);
        if (!s) v.is_null = true;
        else {
            v.u.s.ptr = s;
            v.u.s.len = strlen(s);
        }
        break;
    }
    case SINEW_BLOB: {
        const sinew_blob *b = (const sinew_blob *)((const char *)obj + f->offset);
        v.u.s.ptr = b->data ? (const char *)b->data : "";
        v.u.s.len = b->len;
        break;
    }
    case SINEW_UUID: v.u.uuid = *(const sinew_uuid *)((const char *)obj + f->offset); break;
    case SINEW_ENUM: {
        int idx = *(const int *)((const char *)obj + f->offset);
        if (f->enum_type && idx >= 0 && (size_t)idx < f->enum_type->nvalues) {
            v.type = SINEW_TEXT;       /* enums are stored by name */
            v.u.s.ptr = f->enum_type->values[idx];
            v.u.s.len = strlen(v.u.s.ptr);
        } else {
            v.u.i = idx;               /* out of range: bound as a number, the CHECK rejects it */
        }
        break;
    }
    }
    return v;
}
