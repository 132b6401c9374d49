/*
 * uuid.c - UUID text form and random (v4) UUIDs from getrandom(2).
 */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include "base.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int sinew_uuid_parse(const char *s, size_t len, sinew_uuid *out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_uuid_parse: out must not be NULL");
    size_t j = 0;
    if (len != 36) goto bad;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') goto bad;
            continue;
        }
        int hi = hexval(s[i]), lo = hexval(s[i + 1]);
        if (hi < 0 || lo < 0) goto bad;
        out->bytes[j++] = (unsigned char)(hi << 4 | lo);
        i++;
    }
    return SINEW_OK;
bad:
    memset(out, 0, sizeof *out);   /* no half-parsed bytes: zero, as every out-parameter on failure */
    return sinew_error_set(SINEW_INVALID,
                           "invalid uuid '%.*s': expected 8-4-4-4-12 hexadecimal digits",
                           (int)(len > 40 ? 40 : len), s);
}

void sinew_uuid_format(const sinew_uuid *u, char buf[37])
{
    static const char hex[] = "0123456789abcdef";
    size_t j = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) buf[j++] = '-';
        buf[j++] = hex[u->bytes[i] >> 4];
        buf[j++] = hex[u->bytes[i] & 15];
    }
    buf[j] = '\0';
}

int sinew_uuid_v4(sinew_uuid *out)
{
    size_t got = 0;
    while (got < 16) {
        ssize_t n = getrandom(out->bytes + got, 16 - got, 0);
        if (n < 0) return sinew_error_set(SINEW_IOERR, "getrandom failed: cannot make a UUID");
        got += (size_t)n;
    }
    out->bytes[6] = (unsigned char)((out->bytes[6] & 0x0f) | 0x40);
    out->bytes[8] = (unsigned char)((out->bytes[8] & 0x3f) | 0x80);
    return SINEW_OK;
}
