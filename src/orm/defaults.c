/*
 * defaults.c - the schema's @default values, computed by sinew itself.
 *
 * The rule (docs/schema.md): an object made by sinew_new() holds its
 * defaults from the start, as a Django model instance does, so whatever the
 * program assigns afterwards wins, 0 and false and NULL included, and
 * validation sees the value that will be written. A struct the caller owns
 * (sinew_insert, sinew_insert_many, sinew_upsert) was made without sinew:
 * there a field left zero gets its default before it is validated and
 * written. Every write path does this the same way, and COPY too, since the
 * values are in the struct before any statement is rendered.
 *
 * A default sinew cannot compute (an expression read from a database by
 * `db pull` that is not a literal) stays the database's: a zero field is
 * left out of the INSERT and read back, as before.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "orm.h"

#define AT(obj, off, T) ((T *)((char *)(obj) + (off)))

/* the literal of field f as a value; 0 when sinew cannot read it */
static int parse_literal(const sinew_field *f, sinew_value *out)
{
    const char *v = f->def.value;
    if (!v) return 0;
    size_t n = strlen(v);
    /* a string in the schema language: what is between the quotes, as the DDL writes it */
    int quoted = n >= 2 && v[0] == '"' && v[n - 1] == '"';
    const char *s = quoted ? v + 1 : v;
    size_t len = quoted ? n - 2 : n;
    memset(out, 0, sizeof *out);
    out->type = f->type;
    char *end;
    switch (f->type) {
    case SINEW_BOOL:
        if (!strcmp(v, "true")) out->u.i = 1;
        else if (strcmp(v, "false")) return 0;
        return 1;
    case SINEW_INT32: case SINEW_INT64: {
        errno = 0;
        long long x = strtoll(v, &end, 10);
        if (quoted || end == v || *end || errno) return 0;
        if (f->type == SINEW_INT32 && (x < INT32_MIN || x > INT32_MAX)) return 0;
        out->u.i = x;
        return 1;
    }
    case SINEW_DOUBLE:
        out->u.d = strtod(v, &end);
        return !quoted && end != v && !*end;
    case SINEW_DECIMAL:
        if (!sn_decimal_valid(s, len)) return 0;
        break;
    case SINEW_TEXT: case SINEW_JSON:
        break;
    case SINEW_ENUM:
        if (!f->enum_type) return 0;
        for (size_t k = 0; k < f->enum_type->nvalues; k++)
            if (strlen(f->enum_type->values[k]) == len && !memcmp(f->enum_type->values[k], s, len)) {
                out->u.i = (int64_t)k;
                return 1;
            }
        return 0;
    case SINEW_TIMESTAMP: return sinew_timestamp_parse(s, len, &out->u.i) == SINEW_OK;
    case SINEW_DATE: {
        int32_t d;
        if (sinew_date_parse(s, len, &d) != SINEW_OK) return 0;
        out->u.i = d;
        return 1;
    }
    case SINEW_UUID: return sinew_uuid_parse(s, len, &out->u.uuid) == SINEW_OK;
    case SINEW_BLOB: return 0;
    }
    out->u.s.ptr = s;   /* text kinds: points into the descriptor, which outlives the plan */
    out->u.s.len = len;
    return 1;
}

int sn_defaults_init(sn_plan *p)
{
    const sinew_model *m = p->model;
    p->c_defaults = p->db_defaults = 0;
    p->defvals = NULL;
    sinew_error before = *sinew_last_error();   /* a literal that does not parse is no error */
    for (size_t i = 0; i < m->nfields; i++) {
        const sinew_field *f = &m->fields[i];
        if (f->def.kind == SINEW_DEFAULT_NONE || f->offset == SINEW_NO_OFFSET) continue;
        if ((int)i == p->auto_pk) continue;   /* the key comes from the database */
        if (f->def.kind == SINEW_DEFAULT_NOW || f->def.kind == SINEW_DEFAULT_UUID) {
            p->c_defaults |= 1ull << i;
            continue;
        }
        if (!p->defvals && !(p->defvals = sn_calloc(m->nfields, sizeof *p->defvals))) return sn_nomem();
        /* unreadable: the database's (parsing it may have set the error record) */
        if (parse_literal(f, &p->defvals[i])) p->c_defaults |= 1ull << i;
    }
    p->db_defaults = p->default_fields & ~p->c_defaults;
    *sn_error_mut() = before;
    return SINEW_OK;
}

int sn_defaults_apply(sn_arena *arena, const sn_plan *p, void *obj, uint64_t mask, int64_t now)
{
    const sinew_model *m = p->model;
    int have_now = now != 0;   /* a bulk write's one reading, else one instant for the whole object */
    for (size_t i = 0; mask; i++, mask >>= 1) {
        if (!(mask & 1)) continue;
        const sinew_field *f = &m->fields[i];
        if (f->def.kind == SINEW_DEFAULT_NOW) {
            if (!have_now) now = sn_clock_usec(), have_now = 1;
            if (f->type == SINEW_DATE) {
                int64_t d = now / 86400000000LL;
                if (now % 86400000000LL < 0) d--;
                *AT(obj, f->offset, int32_t) = (int32_t)d;
            } else {
                *AT(obj, f->offset, int64_t) = now;
            }
        } else if (f->def.kind == SINEW_DEFAULT_UUID) {
            sinew_uuid u;
            int rc = sinew_uuid_v4(&u);
            if (rc) return rc;
            if (f->type == SINEW_UUID) {
                *AT(obj, f->offset, sinew_uuid) = u;
            } else {
                char buf[37];
                sinew_uuid_format(&u, buf);
                char *t = sn_arena_strdup(arena, buf);
                if (!t) return sn_nomem();
                *AT(obj, f->offset, char *) = t;
            }
        } else {
            const sinew_value *v = &p->defvals[i];
            switch (f->type) {
            case SINEW_BOOL: *AT(obj, f->offset, bool) = v->u.i != 0; break;
            case SINEW_INT32: case SINEW_DATE: *AT(obj, f->offset, int32_t) = (int32_t)v->u.i; break;
            case SINEW_INT64: case SINEW_TIMESTAMP: *AT(obj, f->offset, int64_t) = v->u.i; break;
            case SINEW_DOUBLE: *AT(obj, f->offset, double) = v->u.d; break;
            case SINEW_ENUM: *AT(obj, f->offset, int) = (int)v->u.i; break;
            case SINEW_UUID: *AT(obj, f->offset, sinew_uuid) = v->u.uuid; break;
            case SINEW_TEXT: case SINEW_JSON: case SINEW_DECIMAL: {
                /* the object's own copy: the program may edit it in place */
                char *t = sn_arena_strndup(arena, v->u.s.ptr, v->u.s.len);
                if (!t) return sn_nomem();
                *AT(obj, f->offset, char *) = t;
                break;
            }
            case SINEW_BLOB: break;
            }
        }
        if (f->has_offset != SINEW_NO_OFFSET) *AT(obj, f->has_offset, bool) = true;
    }
    return SINEW_OK;
}

int sn_defaults_fill_zero(sn_arena *arena, const sn_plan *p, void *obj, uint64_t *filled, int64_t now)
{
    const sinew_model *m = p->model;
    uint64_t mask = 0;
    for (size_t i = 0, c = p->c_defaults; c; i++, c >>= 1)
        if ((c & 1) && sn_field_is_zero(&m->fields[i], obj)) mask |= 1ull << i;
    *filled = mask;
    return mask ? sn_defaults_apply(arena, p, obj, mask, now) : SINEW_OK;
}

void sn_defaults_unfill(const sinew_model *m, void *obj, uint64_t filled)
{
    for (size_t i = 0; filled; i++, filled >>= 1) {
        if (!(filled & 1)) continue;
        const sinew_field *f = &m->fields[i];
        memset(AT(obj, f->offset, char), 0, sn_type_size(f->type));
        if (f->has_offset != SINEW_NO_OFFSET) *AT(obj, f->has_offset, bool) = false;
    }
}
