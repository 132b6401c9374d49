/*
 * rel_path.c - sinew_prefetch_names: a prefetch path given by relation names
 * ("likes.target.author"), which, unlike the pointer path of
 * sinew_prefetch_path, can pass through a polymorphic relation.
 *
 * A polymorphic step stands for every one of its targets, so the path forks
 * there into one pointer path per target (likes.target_post.author,
 * likes.target_comment.author, ...), each an ordinary prefetch: the shared
 * prefix loads once and each target model costs one SELECT ... IN (...), as
 * sinew_prefetch_poly does. A step after the fork applies to the branches
 * whose model has it; a branch whose model has not ends there (its targets are
 * still loaded). A step no branch has is an error, so a typo is not silently a
 * shorter path. Every branch is resolved before the first is added, so a bad
 * path adds nothing.
 */
#include <stdio.h>
#include <string.h>
#include "query_int.h"
#include "rel_int.h"

typedef struct branch {
    const sinew_relation *path[SINEW_MAX_PATH];
    int n;
    const sinew_model *at;    /* the model the path has reached */
    int ended;                /* a step its model has not: it stops there */
    int poly_first;           /* its first step was a polymorphic relation */
} branch;

static const sinew_relation *find_rel(const sinew_model *m, const char *name, size_t len)
{
    for (size_t i = 0; i < m->nrelations; i++)
        if (strlen(m->relations[i].name) == len && memcmp(m->relations[i].name, name, len) == 0) return &m->relations[i];
    return NULL;
}

static const sinew_poly *find_poly(const sinew_model *m, const char *name, size_t len)
{
    for (size_t i = 0; m->polys && i < m->npolys; i++)
        if (strlen(m->polys[i].name) == len && memcmp(m->polys[i].name, name, len) == 0) return &m->polys[i];
    return NULL;
}

/* "Post, Comment, Tag": the models the live branches have reached, each once; returns how many */
static int models_of(const branch *b, int nb, char *buf, size_t cap)
{
    size_t used = 0;
    int count = 0;
    buf[0] = '\0';
    for (int i = 0; i < nb; i++) {
        if (b[i].ended) continue;
        int seen = 0;
        for (int j = 0; j < i; j++) seen |= !b[j].ended && b[j].at == b[i].at;
        if (seen) continue;
        int w = snprintf(buf + used, cap - used, "%s%s", used ? ", " : "", b[i].at->name);
        if (w < 0 || (size_t)w >= cap - used) return count + 1;
        used += (size_t)w;
        count++;
    }
    return count;
}

int sinew_prefetch_names(sinew_query *q, const char *path)
{
    if (!q) return sinew_error_set(SINEW_MISUSE, "sinew_prefetch_names: query is NULL");
    if (q->err) return q->err;
    if (!path) return sn_q_fail(q, sinew_error_set(SINEW_MISUSE, "sinew_prefetch_names: path is NULL"));
    branch b[Q_MAX];
    int nb = 1;
    memset(&b[0], 0, sizeof b[0]);
    b[0].at = q->model;
    const char *step = path;
    for (int depth = 0;; depth++) {
        size_t len = strcspn(step, ".");
        if (len == 0)
            return sn_q_fail(q, sinew_error_set(SINEW_INVALID, "sinew_prefetch_names: \"%s\": an empty step (write "
                                                "relation names joined by '.', e.g. \"likes.target.author\")", path));
        if (depth == SINEW_MAX_PATH)
            return sn_q_fail(q, sinew_error_set(SINEW_INVALID, "sinew_prefetch_names: \"%s\": more than %d steps", path,
                                                SINEW_MAX_PATH));
        int found = 0, n0 = nb;
        for (int i = 0; i < n0; i++) {
            branch *cur = &b[i];
            if (cur->ended) continue;
            const sinew_relation *r = find_rel(cur->at, step, len);
            const sinew_poly *p = r ? NULL : find_poly(cur->at, step, len);
            if (!r && !p) {
                cur->ended = 1;   /* this target has no such relation: the path stops here for it */
                continue;
            }
            found++;
            size_t nt = r ? 1 : p->ntargets;
            if (nb + (int)nt - 1 > Q_MAX)
                return sn_q_fail(q, sinew_error_set(SINEW_UNSUPPORTED, "sinew_prefetch_names: \"%s\" forks into "
                                                    "more than %d paths", path, Q_MAX));
            branch base = *cur;
            for (size_t t = 0; t < nt; t++) {
                branch *to = t == 0 ? cur : &b[nb++];
                const sinew_relation *rel = r ? r : &base.at->relations[p->targets[t]];
                *to = base;
                to->path[to->n++] = rel;
                to->at = rel->target;
                if (depth == 0) to->poly_first = p != NULL;
            }
        }
        if (!found) {
            char models[256];
            /* the branches' models before this step: mark them live again to name them */
            for (int i = 0; i < nb; i++) b[i].ended = b[i].n < depth;
            int nmodels = models_of(b, nb, models, sizeof models);
            return sn_q_fail(q, sinew_error_set(SINEW_INVALID, "sinew_prefetch_names: \"%s\": no relation '%.*s' on "
                                                "%s%s", path, (int)len, step, nmodels > 1 ? "any of " : "", models));
        }
        if (step[len] == '\0') break;
        step += len + 1;
    }
    int free_slots = Q_MAX - (int)q->nprefetch;
    if (nb > free_slots)
        return sn_q_fail(q, sinew_error_set(SINEW_UNSUPPORTED, "sinew_prefetch_names: \"%s\" needs %d prefetches; "
                                            "the query has room for %d", path, nb, free_slots));
    for (int i = 0; i < nb; i++) {
        /* a poly's targets alone go by one statement each (a JOIN of them all would widen every row) */
        int rc = b[i].n == 1 && b[i].poly_first ? sinew_prefetch_with(q, b[i].path[0], SINEW_EAGER_SELECT)
                                                : sinew_prefetch_path(q, b[i].path, (size_t)b[i].n);
        if (rc) return rc;
    }
    return SINEW_OK;
}
