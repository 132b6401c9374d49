/*
 * hooks.c - per-model hooks installed on a db (before/after save and
 * delete, after load) and the validation rules declared in the schema
 * (@length, @range, @pattern), checked before every write.
 */
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include "orm.h"

int sinew_db_set_hooks(sinew_db *db, const sinew_model *m, const sinew_hooks *hooks)
{
    if (!db || !m) return sinew_error_set(SINEW_MISUSE, "sinew_db_set_hooks: db and model must not be NULL");
    uint64_t h = sn_hash_u64((uint64_t)(uintptr_t)m);
    sinew_hooks *old = sn_map_get(&db->hooks, h, m);
    if (!hooks) {
        if (old) {
            sn_map_remove(&db->hooks, h, m);
            sn_free(old);
        }
        return SINEW_OK;
    }
    if (!old) {
        old = sn_malloc(sizeof *old);
        if (!old) return sn_nomem();
        if (sn_map_put(&db->hooks, h, m, old)) {
            sn_free(old);
            return sn_nomem();
        }
    }
    *old = *hooks;
    return SINEW_OK;
}

SN_HOT const sinew_hooks *sn_hooks_for(sinew_db *db, const sinew_model *m)
{
    if (!db->hooks.count) return NULL;
    return sn_map_get(&db->hooks, sn_hash_u64((uint64_t)(uintptr_t)m), m);
}

static int64_t utf8_chars(const char *s)
{
    int64_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

static int check_field(const sinew_model *m, const sinew_field *f, const void *obj)
{
    const sinew_rules *r = f->rules;
    sinew_value v = sn_field_value(f, obj);
    if (v.is_null) return SINEW_OK;    /* NULL-ness is the database's NOT NULL to judge */
    if (f->type == SINEW_TEXT || f->type == SINEW_JSON) {
        const char *s = v.u.s.ptr;
        int64_t n = utf8_chars(s);
        if (r->min_len >= 0 && n < r->min_len)
            return sinew_error_set(SINEW_INVALID, "%s.%s is %lld characters long; it must have at least %lld",
                                   m->name, f->name, (long long)n, (long long)r->min_len);
        if (r->max_len >= 0 && n > r->max_len)
            return sinew_error_set(SINEW_INVALID, "%s.%s is %lld characters long; it may have at most %lld",
                                   m->name, f->name, (long long)n, (long long)r->max_len);
        if (r->pattern) {
            regex_t re;
            char anchored[1024];
            snprintf(anchored, sizeof anchored, "^(%s)$", r->pattern);
            if (regcomp(&re, anchored, REG_EXTENDED | REG_NOSUB) != 0)
                return sinew_error_set(SINEW_INVALID, "%s.%s: the @pattern \"%s\" is not a valid POSIX extended "
                                       "regular expression", m->name, f->name, r->pattern);
            int ok = regexec(&re, s, 0, NULL, 0) == 0;
            regfree(&re);
            if (!ok)
                return sinew_error_set(SINEW_INVALID, "%s.%s = \"%.60s\" does not match the pattern \"%s\"", m->name,
                                       f->name, s, r->pattern);
        }
    } else if (r->has_min || r->has_max) {
        double d = f->type == SINEW_DOUBLE ? v.u.d : (double)v.u.i;
        if (r->has_min && d < r->min)
            return sinew_error_set(SINEW_INVALID, "%s.%s = %g is below the minimum %g", m->name, f->name, d, r->min);
        if (r->has_max && d > r->max)
            return sinew_error_set(SINEW_INVALID, "%s.%s = %g is above the maximum %g", m->name, f->name, d, r->max);
    }
    return SINEW_OK;
}

int sinew_validate(const sinew_model *m, const void *obj)
{
    if (!m || !obj) return sinew_error_set(SINEW_MISUSE, "sinew_validate: model and object must not be NULL");
    for (size_t i = 0; i < m->nfields; i++) {
        if (!m->fields[i].rules) continue;
        int rc = check_field(m, &m->fields[i], obj);
        if (rc) return rc;
    }
    return SINEW_OK;
}
