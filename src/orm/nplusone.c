/*
 * nplusone.c - the N+1 detector and the unused-eager report: per-relation
 * statistics, the report text (naming the generated constant to prefetch),
 * the session settings, and the statement counter for tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rel_int.h"

static void upper_into(char *dst, size_t cap, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < cap; i++) dst[i] = (char)(src[i] >= 'a' && src[i] <= 'z' ? src[i] - 32 : src[i]);
    dst[i] = '\0';
}

/* the generated constant for a relation: POST_AUTHOR */
static void rel_constant(char *buf, size_t cap, const sinew_model *owner, const sinew_relation *rel)
{
    char a[64], b[64];
    upper_into(a, sizeof a, owner->c_name ? owner->c_name : owner->name);
    upper_into(b, sizeof b, rel->name);
    snprintf(buf, cap, "%s_%s", a, b);
}

/* The N+1 report of one relation, with the count of now (tail: " so far" while the loop runs). */
void sn_nplusone_text(char *msg, size_t cap, const sinew_session *s, const sn_relstat *st, const char *tail)
{
    char c[140];
    rel_constant(c, sizeof c, st->owner, st->rel);
    snprintf(msg, cap, "N+1 query: %s.%s was loaded lazily %d times%s, one statement per object, "
             "for objects from one result list (at %s:%d). Load it with the list: sinew_prefetch(q, %s)%s",
             st->owner->name, st->rel->name, st->lazy_from_list, tail, st->file ? st->file : "?", st->line, c,
             s->batching ? "" : ", or turn batch loading back on (sinew_session_set_batching)");
}

void sn_rel_report(sinew_session *s, const char *msg)
{
    sn_buf_puts(&s->report, msg);
    sn_buf_putc(&s->report, '\n');
    if (s->db) sn_db_log_message(s->db, msg);
}


/* at the session's end: the whole count of each N+1 reported while it ran, and the unused eager loads */
void sn_nplusone_session_end(sinew_session *s)
{
    if (s->nplusone_mode != SINEW_NPLUSONE_OFF) {
        for (size_t i = 0; i < s->relstats.cap; i++) {
            if (!s->relstats.slots[i].key) continue;
            sn_relstat *st = s->relstats.slots[i].value;
            if (st->reported && st->lazy_from_list > st->reported_count && s->db) {
                /* reported when it crossed the threshold: the log gets the whole count too */
                char msg[600];
                sn_nplusone_text(msg, sizeof msg, s, st, " in all");
                sn_db_log_message(s->db, msg);
            }
            if (st->prefetched && !st->accessed_prefetched) {
                char c[140], msg[400];
                rel_constant(c, sizeof c, st->owner, st->rel);
                snprintf(msg, sizeof msg, "unused eager load: %s.%s was prefetched for %llu object(s) but never "
                         "followed through its accessor; drop sinew_prefetch(q, %s)", st->owner->name, st->rel->name,
                         (unsigned long long)st->prefetched, c);
                sn_rel_report(s, msg);
            }
        }
    }
}

void sinew_session_set_batching(sinew_session *s, bool on) { s->batching = on; }

void sinew_session_set_nplusone(sinew_session *s, sinew_nplusone_mode mode, int threshold)
{
    s->nplusone_mode = mode;
    s->nplusone_threshold = threshold > 0 ? threshold : 5;
}

const char *sinew_session_nplusone_report(sinew_session *s)
{
    /* each relation once, in the order reported, with how often it has been loaded by now */
    sn_buf_clear(&s->report);
    for (int k = 1; k <= s->nreports; k++)
        for (size_t i = 0; i < s->relstats.cap; i++) {
            sn_relstat *st = s->relstats.slots[i].key ? s->relstats.slots[i].value : NULL;
            if (!st || st->reported != k) continue;
            char msg[600];
            sn_nplusone_text(msg, sizeof msg, s, st, "");
            sn_buf_puts(&s->report, msg);
            sn_buf_putc(&s->report, '\n');
        }
    return sn_buf_cstr(&s->report);
}

sn_relstat *sn_relstat_of(sinew_session *s, const sinew_model *owner, const sinew_relation *rel)
{
    uint64_t h = sn_hash_u64((uint64_t)(uintptr_t)rel);
    sn_relstat *st = sn_map_get(&s->relstats, h, rel);
    if (st) return st;
    st = sn_calloc(1, sizeof *st);
    if (!st) return NULL;
    st->rel = rel;
    st->owner = owner;
    if (sn_map_put(&s->relstats, h, rel, st)) {
        sn_free(st);
        return NULL;
    }
    return st;
}

sinew_count_mark sinew_count_begin(sinew_db *db)
{
    sinew_count_mark m = {sinew_db_stats(db).statements};
    return m;
}

int sinew_count_expect(sinew_db *db, sinew_count_mark mark, uint64_t expected)
{
    uint64_t got = sinew_db_stats(db).statements - mark.statements;
    if (got == expected) return SINEW_OK;
    return sinew_error_set(SINEW_ERROR, "expected %llu statement(s), %llu ran", (unsigned long long)expected,
                           (unsigned long long)got);
}
