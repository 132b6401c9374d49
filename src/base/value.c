/*
 * value.c - constructors for sinew_value and the names of the types.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base.h"

static sinew_value make(sinew_type t)
{
    sinew_value v;
    memset(&v, 0, sizeof v);
    v.type = t;
    return v;
}

sinew_value sinew_v_null(sinew_type type) { sinew_value v = make(type); v.is_null = true; return v; }
sinew_value sinew_v_bool(bool b) { sinew_value v = make(SINEW_BOOL); v.u.i = b ? 1 : 0; return v; }
sinew_value sinew_v_int32(int32_t i) { sinew_value v = make(SINEW_INT32); v.u.i = i; return v; }
sinew_value sinew_v_int64(int64_t i) { sinew_value v = make(SINEW_INT64); v.u.i = i; return v; }
sinew_value sinew_v_double(double d) { sinew_value v = make(SINEW_DOUBLE); v.u.d = d; return v; }
sinew_value sinew_v_timestamp(int64_t us) { sinew_value v = make(SINEW_TIMESTAMP); v.u.i = us; return v; }
sinew_value sinew_v_date(int32_t d) { sinew_value v = make(SINEW_DATE); v.u.i = d; return v; }
sinew_value sinew_v_enum(int index) { sinew_value v = make(SINEW_ENUM); v.u.i = index; return v; }
sinew_value sinew_v_uuid(sinew_uuid u) { sinew_value v = make(SINEW_UUID); v.u.uuid = u; return v; }

static sinew_value str_value(sinew_type t, const char *s, size_t len)
{
    sinew_value v = make(t);
    if (!s) {
        v.is_null = true;
        return v;
    }
    v.u.s.ptr = s;
    v.u.s.len = len;
    return v;
}

sinew_value sinew_v_text(const char *s) { return str_value(SINEW_TEXT, s, s ? strlen(s) : 0); }
sinew_value sinew_v_text_n(const char *s, size_t n) { return str_value(SINEW_TEXT, s, n); }
sinew_value sinew_v_json(const char *s) { return str_value(SINEW_JSON, s, s ? strlen(s) : 0); }
sinew_value sinew_v_decimal(const char *s) { return str_value(SINEW_DECIMAL, s, s ? strlen(s) : 0); }
sinew_value sinew_v_blob(const void *d, size_t n)
{
    /* an empty blob is not NULL: give it a non-NULL pointer */
    return str_value(SINEW_BLOB, d ? (const char *)d : (n == 0 ? "" : NULL), n);
}

const char *sinew_type_name(sinew_type t)
{
    switch (t) {
    case SINEW_BOOL: return "bool";
    case SINEW_INT32: return "int32";
    case SINEW_INT64: return "int64";
    case SINEW_DOUBLE: return "double";
    case SINEW_TEXT: return "text";
    case SINEW_BLOB: return "blob";
    case SINEW_TIMESTAMP: return "timestamp";
    case SINEW_DATE: return "date";
    case SINEW_UUID: return "uuid";
    case SINEW_JSON: return "json";
    case SINEW_DECIMAL: return "decimal";
    case SINEW_ENUM: return "enum";
    }
    return "?";
}

const char *sn_type_ctor(sinew_type t)
{
    switch (t) {
    case SINEW_BOOL: return "sinew_v_bool";
    case SINEW_INT32: return "sinew_v_int32";
    case SINEW_INT64: return "sinew_v_int64";
    case SINEW_DOUBLE: return "sinew_v_double";
    case SINEW_TEXT: return "sinew_v_text";
    case SINEW_BLOB: return "sinew_v_blob";
    case SINEW_TIMESTAMP: return "sinew_v_timestamp";
    case SINEW_DATE: return "sinew_v_date";
    case SINEW_UUID: return "sinew_v_uuid";
    case SINEW_JSON: return "sinew_v_json";
    case SINEW_DECIMAL: return "sinew_v_decimal";
    case SINEW_ENUM: return "sinew_v_enum";
    }
    return "sinew_v_null";
}

/*
 * The decimal syntax every backend agrees on. PostgreSQL's numeric takes
 * more (blanks around it, NaN, Infinity, and since 16 hex and underscores);
 * SQLite takes any text. What both can compare as numbers is this.
 */
int sn_decimal_valid(const char *s, size_t len)
{
    size_t i = 0, before = 0, after = 0;
    if (i < len && (s[i] == '+' || s[i] == '-')) i++;
    while (i < len && s[i] >= '0' && s[i] <= '9') i++, before++;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') i++, after++;
    }
    if (before + after == 0) return 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) i++;
        size_t exp = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') i++, exp++;
        if (!exp) return 0;
    }
    return i == len;
}

void sn_double_text(double d, char buf[40])
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, 40, "%.*g", prec, d);
        if (strtod(buf, NULL) == d) return;
    }
}
