/* thing_fill.c - see thing_fill.h */
#include "harness.h"
#include "thing_fill.h"
#include <stdio.h>
#include <string.h>

void thing_fill(Thing *t, int i)
{
    static char text[THING_FILL_MAX][16], json[THING_FILL_MAX][24], dec[THING_FILL_MAX][16];
    static unsigned char blob[THING_FILL_MAX][4];
    snprintf(text[i], sizeof text[i], "t%d", i);
    snprintf(json[i], sizeof json[i], "{\"n\": %d}", i);
    snprintf(dec[i], sizeof dec[i], "%d.25", i);
    memset(blob[i], 'a' + i, sizeof blob[i]);
    int odd = i % 2;   /* the nullable fields: present in odd objects, absent in even ones */
    t->b = odd;
    t->ob = !odd;
    t->has_ob = odd;
    t->i32 = -7 * i;
    t->oi32 = 70000 + i;
    t->has_oi32 = odd;
    t->i64 = 5000000000LL * i;
    t->oi64 = -i;
    t->has_oi64 = odd;
    t->d = 0.5 * i;
    t->od = -1.25 * i;
    t->has_od = odd;
    t->t = text[i];
    t->ot = odd ? text[i] : NULL;
    t->bl = (sinew_blob){blob[i], sizeof blob[i]};
    t->obl = (sinew_blob){blob[i], 2};
    t->has_obl = odd;
    t->ts = 1700000000000000LL + i * 1000001LL;
    t->ots = 1600000000000000LL - i;
    t->has_ots = odd;
    t->dt = 19000 + i;
    t->odt = -i;
    t->has_odt = odd;
    for (int b = 0; b < 16; b++) t->u.bytes[b] = (unsigned char)(i * 16 + b);
    t->ou = t->u;
    t->has_ou = odd;
    t->j = json[i];
    t->oj = odd ? json[i] : NULL;
    t->dec = dec[i];
    t->odec = odd ? dec[i] : NULL;
    t->e = i % 3;
    t->oe = (i + 1) % 3;
    t->has_oe = odd;
}

void th_text_equal(const char *a, const char *b)
{
    if (!a || !b) assert_true(!a && !b);
    else assert_string_equal(a, b);
}
