/*
 * dirty.c - which fields of an object differ from its snapshot. The plan
 * keeps a table of the model's fields made once (each one's offsets and how
 * many bytes to compare), so a save or a flush compares a field with a load
 * and a compare instead of a switch on its type through the field
 * descriptor: W5 (four fields) measured about 190 instructions a save for
 * the compare before, about 50 after. The table is grouped, the plain 8-
 * and 4-byte fields first, so those are compared by two loops without a
 * branch on their kind (W5's save: 107 instructions for the compare before,
 * 69 after). What counts as a change is exactly
 * sn_field_changed's (orm.h): presence flags first, then the value's bits
 * (text by pointer); the rare types (UUIDs, blobs) go through it.
 */
#include <string.h>
#include "orm.h"

int sn_dirty_init(sn_plan *p)
{
    const sinew_model *m = p->model;
    p->ndirty = p->ndirty8 = p->ndirty4 = 0;
    if (!m->nfields) return SINEW_OK;
    if (!(p->dirty = sn_malloc(m->nfields * sizeof *p->dirty))) return sn_nomem();
    for (size_t i = 0; i < m->nfields; i++) {
        const sinew_field *f = &m->fields[i];
        sn_dirty_field d = {0, SN_DIRTY_REQUIRED, 0, (uint8_t)i};
        if (f->offset < SN_DIRTY_REQUIRED) d.offset = (uint32_t)f->offset;
        if (f->has_offset != SINEW_NO_OFFSET)
            d.has_offset = f->has_offset < SN_DIRTY_REQUIRED ? (uint32_t)f->has_offset : 0;
        switch (f->type) {
        case SINEW_BOOL: d.width = sizeof(bool); break;
        case SINEW_INT32: case SINEW_DATE: d.width = sizeof(int32_t); break;
        case SINEW_ENUM: d.width = sizeof(int); break;
        case SINEW_INT64: case SINEW_TIMESTAMP: case SINEW_DOUBLE: d.width = sizeof(int64_t); break;
        case SINEW_TEXT: case SINEW_JSON: case SINEW_DECIMAL: d.width = sizeof(char *); break;
        default: d.width = 0; break;
        }
        /* offsets past what the table holds (never in practice): the general compare */
        if (f->offset >= SN_DIRTY_REQUIRED || (f->has_offset != SINEW_NO_OFFSET && f->has_offset >= SN_DIRTY_REQUIRED)) {
            d.width = 0;
            d.has_offset = SN_DIRTY_REQUIRED;
        }
        if (d.width != 1 && d.width != 4 && d.width != 8) d.width = 0;
        p->dirty[p->ndirty++] = d;
    }
    /* grouped (stable): the plain 8-byte fields, the plain 4-byte ones, then the rest, so that the
     * common fields are compared by a loop without a branch on their kind */
    size_t at = 0;
    for (int pass = 0; pass < 2; pass++) {
        uint8_t w = pass == 0 ? 8 : 4;
        size_t start = at;
        for (size_t i = at; i < p->ndirty; i++) {
            sn_dirty_field d = p->dirty[i];
            if (d.width != w || d.has_offset != SN_DIRTY_REQUIRED) continue;
            memmove(&p->dirty[at + 1], &p->dirty[at], (i - at) * sizeof d);
            p->dirty[at++] = d;
        }
        if (pass == 0) p->ndirty8 = at - start;
        else p->ndirty4 = at - start;
    }
    return SINEW_OK;
}

/* the fields with a presence flag, and the other widths: the general compare */
SN_NOINLINE static uint64_t dirty_rest(const sn_plan *p, const sn_dirty_field *d, const sn_dirty_field *end,
                                      const void *obj, const void *snap)
{
    const char *a = obj, *b = snap;
    uint64_t set = 0;
    for (; d < end; d++) {
        uint64_t bit = 1ull << d->field;
        if (SN_UNLIKELY(d->has_offset != SN_DIRTY_REQUIRED)) {
            bool ha = *(const bool *)(a + d->has_offset), hb = *(const bool *)(b + d->has_offset);
            if (ha != hb) {
                set |= bit;
                continue;
            }
            if (!ha) continue;   /* both NULL: the value member does not matter */
        }
        const char *pa = a + d->offset, *pb = b + d->offset;
        switch (d->width) {
        case 8: {
            uint64_t x, y;
            memcpy(&x, pa, 8);
            memcpy(&y, pb, 8);
            if (x != y) set |= bit;
            break;
        }
        case 4: {
            uint32_t x, y;
            memcpy(&x, pa, 4);
            memcpy(&y, pb, 4);
            if (x != y) set |= bit;
            break;
        }
        case 1:
            if (*(const bool *)pa != *(const bool *)pb) set |= bit;
            break;
        default:
            if (sn_field_changed(&p->model->fields[d->field], obj, snap)) set |= bit;
            break;
        }
    }
    return set;
}

SN_HOT uint64_t sn_dirty_fields(const sn_plan *p, const void *obj, const void *snap)
{
    const char *a = obj, *b = snap;
    uint64_t set = 0;
    const sn_dirty_field *d = p->dirty, *e8 = d + p->ndirty8, *e4 = e8 + p->ndirty4, *end = d + p->ndirty;
    for (; d < e8; d++) {   /* 8 bytes, no presence flag: a compare, no branch */
        uint64_t x, y;
        memcpy(&x, a + d->offset, 8);
        memcpy(&y, b + d->offset, 8);
        set |= (uint64_t)(x != y) << d->field;
    }
    for (; d < e4; d++) {   /* 4 bytes, no presence flag */
        uint32_t x, y;
        memcpy(&x, a + d->offset, 4);
        memcpy(&y, b + d->offset, 4);
        set |= (uint64_t)(x != y) << d->field;
    }
    return d < end ? set | dirty_rest(p, d, end, obj, snap) : set;
}
