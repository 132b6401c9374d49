/*
 * stamps.c - `@updated_at`: the time of a write, written by sinew into the
 * field on every insert and update.
 *
 * One clock reading serves a whole flush, bulk insert or statement, as Rails
 * takes one `current_time` per save: the rows a flush writes together carry
 * the same instant, so "changed in this flush" is an equality, not a window.
 * The reading is UTC microseconds since 1970 (the `timestamp` type); SQLite
 * keeps all six digits in its text, PostgreSQL's timestamptz and MariaDB's
 * DATETIME(6) do too.
 *
 * A value the program set on purpose wins, as Rails does: an insert stamps
 * a field left zero, an update stamps a field whose value the program did
 * not change itself.
 */
#include <time.h>
#include "orm.h"
#include "sinew/query.h"

#define AT(obj, off, T) ((T *)((char *)(obj) + (off)))

int64_t sn_clock_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t sn_stamp_now(sinew_session *s)
{
    return s->stamp_now ? s->stamp_now : sn_clock_usec();
}

int64_t sn_stamp_begin(sinew_session *s)
{
    int64_t outer = s->stamp_now;
    if (!outer) s->stamp_now = sn_clock_usec();
    return outer;
}

void sn_stamp_end(sinew_session *s, int64_t outer) { s->stamp_now = outer; }

static void put(const sinew_field *f, void *obj, int64_t now)
{
    *AT(obj, f->offset, int64_t) = now;
    if (f->has_offset != SINEW_NO_OFFSET) *AT(obj, f->has_offset, bool) = true;
}

uint64_t sn_stamp_insert(const sn_plan *p, void *obj, int64_t now)
{
    const sinew_model *m = p->model;
    uint64_t done = 0;
    for (size_t i = 0, b = p->stamped; b; i++, b >>= 1) {
        if (!(b & 1) || !sn_field_is_zero(&m->fields[i], obj)) continue;
        put(&m->fields[i], obj, now);
        done |= 1ull << i;
    }
    return done;
}

uint64_t sn_stamp_update(const sn_plan *p, void *obj, uint64_t set, int64_t now)
{
    const sinew_model *m = p->model;
    uint64_t done = 0;
    for (size_t i = 0, b = p->stamped & ~set; b; i++, b >>= 1) {
        if (!(b & 1)) continue;
        put(&m->fields[i], obj, now);
        done |= 1ull << i;
    }
    return done;
}

void sn_stamp_undo(const sn_plan *p, void *obj, const void *snap, uint64_t bits)
{
    const sinew_model *m = p->model;
    for (size_t i = 0; bits; i++, bits >>= 1) {
        if (!(bits & 1)) continue;
        const sinew_field *f = &m->fields[i];
        *AT(obj, f->offset, int64_t) = snap ? *(const int64_t *)((const char *)snap + f->offset) : 0;
        if (f->has_offset != SINEW_NO_OFFSET)
            *AT(obj, f->has_offset, bool) = snap ? *(const bool *)((const char *)snap + f->has_offset) : false;
    }
}

size_t sn_stamp_count(const sinew_model *m)
{
    size_t n = 0;
    for (size_t i = 0; m && i < m->nfields; i++) n += (m->fields[i].flags & SINEW_FIELD_UPDATED_AT) != 0;
    return n;
}

size_t sn_stamp_sets(const sinew_model *m, sinew_set *sets, size_t n, int64_t now)
{
    size_t out = n;
    for (size_t i = 0; i < m->nfields; i++) {
        if (!(m->fields[i].flags & SINEW_FIELD_UPDATED_AT)) continue;
        int assigned = 0;
        for (size_t k = 0; k < n && !assigned; k++) assigned = sets[k].col.field == i && !sets[k].col.nvia;
        if (assigned) continue;
        sinew_col c = {.model = m, .field = (unsigned)i};
        sets[out++] = sinew_set_value(c, sinew_v_timestamp(now));
    }
    return out;
}
