/*
 * resolve_m2m.c - the join model of a many-to-many pair: the model declared
 * on the join table (its to-one fields to both sides), or one synthesised
 * (<a>_<key> and <b>_<key>, both the key, cascading deletes); and the list on
 * the other side that pairs with this one.
 */
#include <string.h>
#include "resolve.h"

/* a join model for a many-to-many pair: declared (a model on that table) or synthesised */
void sn_rs_resolve_m2m(R *r, int mi, int ri)
{
    prel *p = &r->m[mi].r[ri];
    if (p->through_model >= 0) return;
    int ti = p->target;
    const char *table = p->through;
    if (!table) {
        const char *ta = r->m[mi].table, *tb = r->m[ti].table;
        table = strcmp(ta, tb) <= 0 ? sn_arena_printf(r->a, "%s_%s", ta, tb) : sn_arena_printf(r->a, "%s_%s", tb, ta);
        p->through = table;
    }
    /* the other side: a list on the target back to this model with the same join table */
    int back = -1;
    for (size_t i = 0; i < r->m[ti].nr; i++) {
        prel *q = &r->m[ti].r[i];
        if ((ti != mi || (int)i != ri) && q->kind == SINEW_MANY_TO_MANY && q->target == mi &&
            (!q->through || !strcmp(q->through, table)) && q->through_model < 0)
            back = (int)i;
    }
    int jm = -1;
    for (size_t i = 0; i < r->nm; i++)
        if (!strcmp(r->m[i].table, table) && (r->m[i].a || r->m[i].flags & SINEW_MODEL_JOIN)) jm = (int)i;
    int rel_a = -1, rel_b = -1;
    if (jm >= 0 && r->m[jm].a) {
        /* a declared join model: its to-one fields to both sides */
        rmodel *j = &r->m[jm];
        for (size_t i = 0; i < j->nr; i++) {
            if (j->r[i].kind != SINEW_BELONGS_TO) continue;
            if (j->r[i].target == mi && rel_a < 0) rel_a = (int)i;
            else if (j->r[i].target == ti && rel_b < 0) rel_b = (int)i;
        }
        if (rel_a < 0 || rel_b < 0) {
            if (!j->broken)
                sn_rs_err(r, p->line, p->col, "@through(%s): model %s maps to that table but lacks to-one fields to both %s and %s",
                table, j->name, r->m[mi].name, r->m[ti].name);
            return;
        }
    } else if (jm < 0) {
        /* synthesise it: <a>_<key> and <b>_<key> (for a self relation, <model>_<key> and <relation>_<key>) */
        char camel[128];
        size_t k = 0;
        int up = 1;
        for (const char *c = table; *c && k + 1 < sizeof camel; c++) {
            if (*c == '_') {
                up = 1;
                continue;
            }
            camel[k++] = (char)(up && *c >= 'a' && *c <= 'z' ? *c - 32 : *c);
            up = 0;
        }
        camel[k] = '\0';
        jm = sn_rs_add_model(r, sn_arena_strdup(r->a, camel), table, table, p->line, p->col);
        if (jm < 0) return;
        p = &r->m[mi].r[ri];
        rmodel *j = &r->m[jm];
        j->flags = SINEW_MODEL_JOIN;
        for (int side = 0; side < 2; side++) {
            prel q;
            memset(&q, 0, sizeof q);
            q.kind = SINEW_BELONGS_TO;
            q.decided = 1;
            q.target = side ? ti : mi;
            q.name = side ? (ti == mi ? p->name : r->m[ti].c_name) : r->m[mi].c_name;
            q.on_delete = SINEW_FK_CASCADE;
            q.inverse = -1;
            q.through_model = -1;
            q.order = side;
            q.line = p->line;
            q.col = p->col;
            sn_rs_push_rel(r, j, &q);
            if (!j->r) return;
        }
        j->id_attr = NULL;
        rel_a = 0;
        rel_b = 1;
        for (int side = 0; side < 2; side++)
            if (sn_rs_ensure_fk(r, jm, side)) return;
        j = &r->m[jm];
        for (int side = 0; side < 2; side++)
            for (size_t k2 = 0; k2 < j->r[side].nfk; k2++) {
                pfield *f = find_field(j, j->r[side].fk[k2]);
                if (f) f->f.flags |= SINEW_FIELD_PK;
                j->pk[j->npk++] = j->r[side].fk[k2];
            }
        j->pk_state = 2;
    } else {
        return;   /* synthesised already by the other side */
    }
    p = &r->m[mi].r[ri];
    p->through_model = jm;
    p->through_local = rel_a;
    p->through_remote = rel_b;
    if (back >= 0) {
        prel *q = &r->m[ti].r[back];
        q->through = table;
        q->through_model = jm;
        q->through_local = rel_b;
        q->through_remote = rel_a;
        q->inverse = ri;
        p->inverse = back;
    }
}
