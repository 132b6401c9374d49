/*
 * values.c - values no backend can store as given, refused before anything
 * is written, with the field named, so that every backend gives the same
 * answer and what sinew writes it can read back:
 *
 *   double     NaN (SQLite turns it into NULL; PostgreSQL would keep it)
 *   timestamp  outside 0001-01-01 00:00:00 .. 9999-12-31 23:59:59.999999 UTC
 *   date       outside 0001-01-01 .. 9999-12-31
 *   decimal    text that is not a decimal number (sn_decimal_valid)
 *   json       text that is not JSON as PostgreSQL's jsonb takes it
 *
 * Only fields of those types are looked at (the plan's `checked` mask), out
 * of line: binding the other types costs nothing more.
 */
#include <math.h>
#include <stdio.h>
#include "orm.h"

#define TS_MIN (-62135596800000000LL)      /* 0001-01-01 00:00:00 */
#define TS_MAX (253402300799999999LL)      /* 9999-12-31 23:59:59.999999 */
#define DATE_MIN (-719162)                 /* 0001-01-01 */
#define DATE_MAX (2932896)                 /* 9999-12-31 */

uint64_t sn_checked_fields(const sinew_model *m)
{
    uint64_t mask = 0;
    for (size_t i = 0; i < m->nfields && i < 64; i++)
        switch (m->fields[i].type) {
        case SINEW_DOUBLE: case SINEW_TIMESTAMP: case SINEW_DATE: case SINEW_DECIMAL: case SINEW_JSON:
            mask |= 1ull << i;
            break;
        default: break;
        }
    return mask;
}

SN_NOINLINE int sn_check_value(const sinew_model *m, const sinew_field *f, const sinew_value *v)
{
    if (v->is_null) return SINEW_OK;
    const char *mn = m ? m->name : "?";
    switch (f->type) {
    case SINEW_DOUBLE:
        if (v->type == SINEW_DOUBLE && isnan(v->u.d))
            return sinew_error_set(SINEW_TYPE, "%s.%s is NaN (not a number), which sinew does not store on any "
                                   "backend (SQLite cannot hold it); store a number, or NULL in a nullable field",
                                   mn, f->name);
        break;
    case SINEW_TIMESTAMP:
        if (v->u.i < TS_MIN || v->u.i > TS_MAX)
            return sinew_error_set(SINEW_TYPE, "%s.%s = %lld microseconds since 1970 is outside the timestamps "
                                   "every backend can hold (0001-01-01 00:00:00 to 9999-12-31 23:59:59.999999 UTC)",
                                   mn, f->name, (long long)v->u.i);
        break;
    case SINEW_DATE:
        if (v->u.i < DATE_MIN || v->u.i > DATE_MAX)
            return sinew_error_set(SINEW_TYPE, "%s.%s = %lld days since 1970 is outside the dates every backend "
                                   "can hold (0001-01-01 to 9999-12-31)", mn, f->name, (long long)v->u.i);
        break;
    case SINEW_DECIMAL:
        if (v->type == SINEW_INT32 || v->type == SINEW_INT64) break;
        if (!sn_decimal_valid(v->u.s.ptr, v->u.s.len))
            return sinew_error_set(SINEW_TYPE, "%s.%s = \"%.*s\" is not a decimal number; write digits with an "
                                   "optional sign, point and exponent, such as \"-12.50\" or \"1e6\"", mn, f->name,
                                   (int)(v->u.s.len > 40 ? 40 : v->u.s.len), v->u.s.ptr);
        break;
    case SINEW_JSON: {
        size_t at = 0;
        const char *why = NULL;
        if (!sn_json_valid(v->u.s.ptr, v->u.s.len, &at, &why))
            return sinew_error_set(SINEW_TYPE, "%s.%s is not valid JSON: %s at byte %zu (\"%.*s\"); store JSON "
                                   "text such as {\"a\": 1}, or NULL in a nullable field", mn, f->name,
                                   why ? why : "invalid", at, (int)(v->u.s.len > 30 ? 30 : v->u.s.len), v->u.s.ptr);
        break;
    }
    default: break;
    }
    return SINEW_OK;
}

SN_NOINLINE int sn_check_fields(const sinew_model *m, const void *obj, uint64_t mask)
{
    for (size_t i = 0; mask; i++, mask >>= 1) {
        if (!(mask & 1)) continue;
        sinew_value v = sn_field_value(&m->fields[i], obj);
        int rc = sn_check_value(m, &m->fields[i], &v);
        if (rc) return rc;
    }
    return SINEW_OK;
}
