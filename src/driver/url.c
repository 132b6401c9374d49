/*
 * url.c - database URLs: "sqlite:path", "sqlite::memory:", "sqlite:///abs",
 * "postgres://user:pass@host:port/db?key=value", "mariadb://" and "mysql://" as
 * postgres://. Bad URLs fail with a message
 * that names the part that is wrong and shows the accepted forms.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "base.h"
#include "sinew/driver.h"

#define FORMS "use sqlite:path/to/file.db, sqlite::memory:, postgres://user:pass@host:port/dbname or " \
              "mariadb://user:pass@host:port/dbname (also mysql://)"

void sinew_url_free(sinew_url *u)
{
    if (!u) return;
    sn_free(u->scheme);
    sn_free(u->user);
    sn_free(u->password);
    sn_free(u->host);
    sn_free(u->path);
    for (size_t i = 0; i < u->nparams; i++) {
        sn_free(u->keys[i]);
        sn_free(u->values[i]);
    }
    sn_free(u->keys);
    sn_free(u->values);
    sn_free(u);
}

static int hexv(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* percent-decode s[0..n) into a new string; NULL + error on bad escapes or NUL */
static char *decode(const char *s, size_t n, const char *what, int *rc)
{
    char *out = sn_malloc(n + 1);
    if (!out) {
        *rc = sn_nomem();
        return NULL;
    }
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            int hi = i + 2 < n ? hexv(s[i + 1]) : -1;
            int lo = i + 2 < n ? hexv(s[i + 2]) : -1;
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                sn_free(out);
                *rc = sinew_error_set(SINEW_INVALID, "bad URL: invalid percent-escape in the %s", what);
                return NULL;
            }
            out[j++] = (char)(hi << 4 | lo);
            i += 2;
        } else {
            out[j++] = s[i];
        }
    }
    out[j] = '\0';
    return out;
}

static int add_param(sinew_url *u, const char *k, size_t kn, const char *v, size_t vn)
{
    int rc = SINEW_OK;
    char **keys = sn_realloc(u->keys, (u->nparams + 1) * sizeof *keys);
    if (!keys) return sn_nomem();
    u->keys = keys;
    char **vals = sn_realloc(u->values, (u->nparams + 1) * sizeof *vals);
    if (!vals) return sn_nomem();
    u->values = vals;
    char *key = decode(k, kn, "query parameter name", &rc);
    if (!key) return rc;
    char *val = decode(v, vn, "query parameter value", &rc);
    if (!val) {
        sn_free(key);
        return rc;
    }
    if (!*key) {
        sn_free(key);
        sn_free(val);
        return sinew_error_set(SINEW_INVALID, "bad URL: empty query parameter name");
    }
    u->keys[u->nparams] = key;
    u->values[u->nparams] = val;
    u->nparams++;
    return SINEW_OK;
}

static int parse_query(sinew_url *u, const char *q)
{
    while (*q) {
        const char *amp = strchr(q, '&');
        size_t n = amp ? (size_t)(amp - q) : strlen(q);
        const char *eq = memchr(q, '=', n);
        if (!eq) return sinew_error_set(SINEW_INVALID, "bad URL: query parameter '%.*s' has no '=value'", (int)n, q);
        int rc = add_param(u, q, (size_t)(eq - q), eq + 1, n - (size_t)(eq - q) - 1);
        if (rc) return rc;
        q += n + (amp ? 1 : 0);
    }
    return SINEW_OK;
}

const char *sinew_url_param(const sinew_url *u, const char *key)
{
    for (size_t i = 0; u && i < u->nparams; i++)
        if (strcmp(u->keys[i], key) == 0) return u->values[i];
    return NULL;
}

int sinew_url_check_params(const sinew_url *u, const char *driver, const char *const *known)
{
    for (size_t i = 0; u && i < u->nparams; i++) {
        size_t k = 0;
        while (known[k] && strcmp(known[k], u->keys[i]) != 0) k++;
        if (known[k]) continue;
        sn_buf b;
        sn_buf_init(&b);
        for (k = 0; known[k]; k++) sn_buf_printf(&b, "%s%s", k ? ", " : "", known[k]);
        /* statement_cache is sinew's own (every backend; sinew_open takes it out before the driver) */
        int rc = sinew_error_set(SINEW_INVALID, "bad URL: unknown parameter '%s' for %s; the known ones are: "
                                 "statement_cache%s%s", u->keys[i], driver, k ? ", " : "", k ? sn_buf_cstr(&b) : "");
        sn_buf_free(&b);
        return rc;
    }
    return SINEW_OK;
}

int sinew_url_isolation(const sinew_url *u, const char **sql)
{
    static const char *const names[] = {"read_committed", "repeatable_read", "serializable"};
    static const char *const words[] = {"READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE"};
    *sql = NULL;
    const char *v = sinew_url_param(u, "isolation");
    if (!v) return SINEW_OK;
    for (int i = 0; i < 3; i++)
        if (!strcmp(v, names[i])) {
            *sql = words[i];
            return SINEW_OK;
        }
    return sinew_error_set(SINEW_INVALID, "bad URL: isolation=%s is not an isolation level; say isolation="
                           "read_committed, isolation=repeatable_read or isolation=serializable", v);
}

static int parse_sqlite(sinew_url *u, const char *rest)
{
    /* sqlite:path, sqlite:///abs/path, sqlite://relative is refused (ambiguous) */
    if (strncmp(rest, "//", 2) == 0) {
        if (rest[2] != '/')
            return sinew_error_set(SINEW_INVALID, "bad URL 'sqlite:%s': after 'sqlite://' give an absolute path "
                                   "('sqlite:///tmp/x.db') or drop the slashes ('sqlite:x.db')", rest);
        rest += 2;
    }
    const char *q = strchr(rest, '?');
    size_t n = q ? (size_t)(q - rest) : strlen(rest);
    if (n == 0) return sinew_error_set(SINEW_INVALID, "bad URL 'sqlite:': no database file given; " FORMS);
    int rc = SINEW_OK;
    u->path = decode(rest, n, "path", &rc);
    if (!u->path) return rc;
    return q ? parse_query(u, q + 1) : SINEW_OK;
}

static int parse_server(sinew_url *u, const char *rest, const char *text)
{
    int rc = SINEW_OK;
    if (strncmp(rest, "//", 2) != 0)
        return sinew_error_set(SINEW_INVALID, "bad URL '%s': expected '//' after '%s:'; " FORMS, text, u->scheme);
    rest += 2;
    const char *end = rest + strcspn(rest, "/?");
    const char *at = NULL;
    for (const char *p = rest; p < end; p++)
        if (*p == '@') at = p;
    const char *hostpart = rest;
    if (at) {
        const char *colon = memchr(rest, ':', (size_t)(at - rest));
        size_t un = colon ? (size_t)(colon - rest) : (size_t)(at - rest);
        if (!(u->user = decode(rest, un, "user name", &rc))) return rc;
        if (colon && !(u->password = decode(colon + 1, (size_t)(at - colon - 1), "password", &rc))) return rc;
        hostpart = at + 1;
    }
    const char *hend = end;
    const char *portp = NULL;
    if (*hostpart == '[') {   /* [::1]:5432 */
        const char *rb = memchr(hostpart, ']', (size_t)(end - hostpart));
        if (!rb) return sinew_error_set(SINEW_INVALID, "bad URL '%s': unterminated '[' in the host", text);
        if (!(u->host = sn_strndup(hostpart + 1, (size_t)(rb - hostpart - 1)))) return sn_nomem();
        if (rb + 1 < end && rb[1] == ':') portp = rb + 2;
        else if (rb + 1 != end) return sinew_error_set(SINEW_INVALID, "bad URL '%s': junk after ']' in the host", text);
    } else {
        const char *colon = memchr(hostpart, ':', (size_t)(end - hostpart));
        if (colon) {
            hend = colon;
            portp = colon + 1;
        }
        if (hend > hostpart && !(u->host = decode(hostpart, (size_t)(hend - hostpart), "host", &rc))) return rc;
    }
    if (portp) {
        if (portp == end) return sinew_error_set(SINEW_INVALID, "bad URL '%s': empty port after ':'", text);
        long port = 0;
        for (const char *p = portp; p < end; p++) {
            if (!isdigit((unsigned char)*p) || (port = port * 10 + (*p - '0')) > 65535)
                return sinew_error_set(SINEW_INVALID, "bad URL '%s': port '%.*s' is not a number from 1 to 65535",
                                       text, (int)(end - portp), portp);
        }
        if (port == 0) return sinew_error_set(SINEW_INVALID, "bad URL '%s': port 0 is not valid", text);
        u->port = (int)port;
    }
    const char *p = end;
    if (*p == '/') {
        p++;
        size_t n = strcspn(p, "?");
        if (n && !(u->path = decode(p, n, "database name", &rc))) return rc;
        p += n;
    }
    if (*p == '?') return parse_query(u, p + 1);
    return SINEW_OK;
}

int sinew_url_parse(const char *text, sinew_url **out)
{
    *out = NULL;
    if (!text || !*text) return sinew_error_set(SINEW_INVALID, "bad URL: empty; " FORMS);
    const char *colon = strchr(text, ':');
    if (!colon || colon == text)
        return sinew_error_set(SINEW_INVALID, "bad URL '%s': no scheme; " FORMS, text);
    for (const char *p = text; p < colon; p++)
        if (!isalnum((unsigned char)*p) && *p != '+' && *p != '-' && *p != '.')
            return sinew_error_set(SINEW_INVALID, "bad URL '%s': invalid character in the scheme; " FORMS, text);
    sinew_url *u = sn_calloc(1, sizeof *u);
    if (!u) return sn_nomem();
    u->scheme = sn_strndup(text, (size_t)(colon - text));
    if (!u->scheme) {
        sinew_url_free(u);
        return sn_nomem();
    }
    for (char *p = u->scheme; *p; p++) *p = (char)tolower((unsigned char)*p);
    int rc;
    if (strcmp(u->scheme, "sqlite") == 0 || strcmp(u->scheme, "sqlite3") == 0) {
        rc = parse_sqlite(u, colon + 1);
    } else if (strcmp(u->scheme, "postgres") == 0 || strcmp(u->scheme, "postgresql") == 0 ||
               strcmp(u->scheme, "mariadb") == 0 || strcmp(u->scheme, "mysql") == 0) {
        rc = parse_server(u, colon + 1, text);
    } else if (sinew_find_driver(u->scheme)) {
        /* a registered driver: server form after "//", else a path as for SQLite */
        rc = strncmp(colon + 1, "//", 2) == 0 && colon[3] != '/' ? parse_server(u, colon + 1, text)
                                                                  : parse_sqlite(u, colon + 1);
    } else {
        rc = sinew_error_set(SINEW_INVALID, "bad URL '%s': unknown scheme '%s'; " FORMS, text, u->scheme);
    }
    if (rc) {
        sinew_url_free(u);
        return rc;
    }
    *out = u;
    return SINEW_OK;
}
