/*
 * timeconv.c - timestamps (UTC microseconds since 1970) and dates (days since
 * 1970) to and from ISO-8601 text, without the C library's time zone state.
 * Calendar arithmetic after Howard Hinnant's days_from_civil.
 */
#include <stdio.h>
#include <string.h>
#include "base.h"

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t yy = (int64_t)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return dm[m - 1];
}

int sinew_date_from_parts(int year, int month, int day, int32_t *out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_date_from_parts: out must not be NULL");
    *out = 0;   /* as every out-parameter on failure (docs/api.md) */
    if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 ||
        day > days_in_month(year, month))
        return sinew_error_set(SINEW_INVALID, "invalid date %04d-%02d-%02d", year, month, day);
    *out = (int32_t)days_from_civil(year, (unsigned)month, (unsigned)day);
    return SINEW_OK;
}

int sinew_timestamp_from_parts(int year, int month, int day, int hour, int minute,
                               int second, int usec, int64_t *out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_timestamp_from_parts: out must not be NULL");
    *out = 0;
    int32_t days;
    if (sinew_date_from_parts(year, month, day, &days)) return SINEW_INVALID;
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60 ||
        usec < 0 || usec > 999999)
        return sinew_error_set(SINEW_INVALID, "invalid time %02d:%02d:%02d.%06d", hour, minute,
                               second, usec);
    *out = (((int64_t)days * 24 + hour) * 60 + minute) * 60 * 1000000 +
           (int64_t)second * 1000000 + usec;
    return SINEW_OK;
}

static int digits(const char *s, size_t len, size_t at, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (at + (size_t)i >= len) return 0;
        char c = s[at + (size_t)i];
        if (c < '0' || c > '9') return 0;
        v = v * 10 + (c - '0');
    }
    *out = v;
    return 1;
}

int sinew_date_parse(const char *s, size_t len, int32_t *out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_date_parse: out must not be NULL");
    *out = 0;
    int y, m, d;
    if (len < 10 || !digits(s, len, 0, 4, &y) || s[4] != '-' || !digits(s, len, 5, 2, &m) ||
        s[7] != '-' || !digits(s, len, 8, 2, &d))
        return sinew_error_set(SINEW_INVALID, "invalid date '%.*s': expected YYYY-MM-DD",
                               (int)(len > 40 ? 40 : len), s);
    return sinew_date_from_parts(y, m, d, out);
}

int sinew_timestamp_parse(const char *s, size_t len, int64_t *out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_timestamp_parse: out must not be NULL");
    *out = 0;
    int y, mo, d, h = 0, mi = 0, sec = 0, us = 0;
    size_t i = 10;
    if (len < 10 || !digits(s, len, 0, 4, &y) || s[4] != '-' || !digits(s, len, 5, 2, &mo) ||
        s[7] != '-' || !digits(s, len, 8, 2, &d))
        goto bad;
    if (i < len && (s[i] == ' ' || s[i] == 'T')) {
        if (!digits(s, len, 11, 2, &h) || len < 16 || s[13] != ':' || !digits(s, len, 14, 2, &mi))
            goto bad;
        i = 16;
        if (i < len && s[i] == ':') {
            if (!digits(s, len, 17, 2, &sec)) goto bad;
            i = 19;
            if (i < len && s[i] == '.') {
                i++;
                int n = 0;
                while (i < len && s[i] >= '0' && s[i] <= '9') {
                    if (n < 6) us = us * 10 + (s[i] - '0');
                    n++;
                    i++;
                }
                if (n == 0) goto bad;
                for (; n < 6; n++) us *= 10;
            }
        }
    }
    /* accept an explicit UTC offset of zero only: sinew stores UTC */
    if (i < len) {
        const char *z = s + i;
        size_t zl = len - i;
        if (!((zl == 1 && z[0] == 'Z') || (zl == 3 && !memcmp(z, "+00", 3)) ||
              (zl == 6 && !memcmp(z, "+00:00", 6)) || (zl == 5 && !memcmp(z, "+0000", 5))))
            goto bad;
    }
    return sinew_timestamp_from_parts(y, mo, d, h, mi, sec, us, out);
bad:
    return sinew_error_set(SINEW_INVALID,
                           "invalid timestamp '%.*s': expected YYYY-MM-DD HH:MM:SS[.ffffff] in UTC",
                           (int)(len > 40 ? 40 : len), s);
}

void sinew_timestamp_format(int64_t us, char buf[32])
{
    /* floor division without negating: -INT64_MIN does not exist */
    int64_t frac = us % 1000000, secs = us / 1000000;
    if (frac < 0) frac += 1000000, secs--;
    int64_t rem = secs % 86400, days = secs / 86400;
    if (rem < 0) rem += 86400, days--;
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    /* Formatted into a roomy buffer first: the compiler cannot prove the
     * fields' ranges, and a truncated timestamp would be worse than none. */
    char tmp[96];
    int n = snprintf(tmp, sizeof tmp, "%04d-%02d-%02d %02d:%02d:%02d.%06d", y, m, d, (int)(rem / 3600),
                     (int)(rem / 60 % 60), (int)(rem % 60), (int)frac);
    if (n > 31) n = 31;
    memcpy(buf, tmp, (size_t)n);
    buf[n] = '\0';
}

void sinew_date_format(int32_t days, char buf[16])
{
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    char tmp[48];
    int n = snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
    if (n > 15) n = 15;
    memcpy(buf, tmp, (size_t)n);
    buf[n] = '\0';
}
