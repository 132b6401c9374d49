/*
 * query_lock.c - row locks on a query (SELECT ... FOR UPDATE / FOR SHARE,
 * NOWAIT, SKIP LOCKED) where the dialect has them, and sinew_claim(), the
 * job-queue primitive built on them: take the next n matching rows, change
 * them, in one transaction, so that concurrent workers never take one row
 * twice. Where the dialect has no row locks (SQLite) the transaction itself
 * is the lock: BEGIN IMMEDIATE serialises writers, so SELECT then UPDATE in
 * it is exactly as safe.
 */
#include <string.h>
#include "query_int.h"
#include "sinew/transaction.h"

int sinew_lock(sinew_query *q, sinew_lock_mode mode, sinew_lock_wait wait)
{
    if (!q) return sinew_error_set(SINEW_MISUSE, "sinew_lock: query is NULL");
    int rc = sn_q_err(q);
    if (rc) return rc;
    if (mode < SINEW_LOCK_NONE || mode > SINEW_FOR_KEY_SHARE || wait < SINEW_LOCK_WAIT || wait > SINEW_SKIP_LOCKED)
        return sn_q_fail(q, sinew_error_set(SINEW_MISUSE, "sinew_lock: mode %d / wait %d is not a sinew_lock_mode "
                                            "/ sinew_lock_wait", (int)mode, (int)wait));
    const sinew_dialect *d = q->s->db->dialect;
    if (mode != SINEW_LOCK_NONE && !d->has_row_locks)
        return sn_q_fail(q, sinew_error_set(SINEW_UNSUPPORTED, "sinew_lock on %s: %s", q->model->name,
                                            d->row_lock_alternative ? d->row_lock_alternative
                                                                    : "this database has no row locks"));
    if ((mode == SINEW_FOR_NO_KEY_UPDATE || mode == SINEW_FOR_KEY_SHARE) && d->row_locks_unqualified)
        return sn_q_fail(q, sinew_error_set(SINEW_UNSUPPORTED, "sinew_lock on %s: %s has no %s lock (it locks "
                                            "whole rows only): use %s", q->model->name, d->name,
                                            mode == SINEW_FOR_NO_KEY_UPDATE ? "FOR NO KEY UPDATE" : "FOR KEY SHARE",
                                            mode == SINEW_FOR_NO_KEY_UPDATE ? "SINEW_FOR_UPDATE" : "SINEW_FOR_SHARE"));
    q->sel.lock = mode;
    q->sel.lock_wait = mode == SINEW_LOCK_NONE ? SINEW_LOCK_WAIT : wait;
    return SINEW_OK;
}

int sn_q_lockable(sinew_query *q, const char *fn)
{
    if (!q->sel.lock) return SINEW_OK;
    if (!fn && (q->sel.distinct || q->sel.to_many))
        return sinew_error_set(SINEW_MISUSE, "a locked query over %s cannot be DISTINCT or filter through a "
                               "to-many relation (PostgreSQL locks no rows of a DISTINCT result); filter "
                               "by keys instead (sinew_in_query)", q->model->name);
    /* MariaDB locks every row the statement reads: the joined ones too, which the caller did not ask for */
    const sinew_dialect *d = q->s->db->dialect;
    if (!fn && d->row_locks_unqualified && (q->sel.njoins || q->sel.neager)) {
        const char *how = q->sel.njoins ? "filter through a relation (a join)"
                                        : "load a relation in its statement (SINEW_EAGER_JOIN)";
        const char *other = q->sel.njoins ? q->sel.joins[0].rel->target->name : q->sel.eager[0].rel->target->name;
        return sinew_error_set(SINEW_UNSUPPORTED, "a locked query over %s cannot %s on %s: its locks name no "
                               "table, so they would lock the joined %s rows too; filter by the foreign-key "
                               "column itself (or by keys, sinew_in_query) and load relations with a query "
                               "of their own (sinew_prefetch_with(..., SINEW_EAGER_SELECT))", q->model->name, how,
                               d->name, other);
    }
    if (!fn) return SINEW_OK;
    return sinew_error_set(SINEW_MISUSE, "%s: the query over %s has a row lock (sinew_lock), which only a read of "
                           "objects takes (sinew_all, sinew_first, sinew_one, sinew_iterate, sinew_query_exists); "
                           "a bulk update or delete locks its rows by itself", fn, q->model->name);
}

/* ---- sinew_claim ---- */

typedef struct claim {
    sinew_query *q;
    size_t n;
    const sinew_set *set;     /* checked */
    size_t nset;
    sinew_list *out;
} claim;

/*
 * UPDATE the claimed row of obj and read it back into obj (RETURNING): the caller sees what it took.
 * Where UPDATE returns nothing (update_no_returning: MariaDB) the row is read back by its key with
 * a SELECT of its own; it is locked by this transaction, so it is the row the UPDATE wrote.
 */
static int take(sinew_session *s, const sinew_model *m, void *obj, const sinew_set *set, size_t nset)
{
    const sinew_field *kf = &m->fields[m->pk[0]];
    const int returning = !s->db->dialect->update_no_returning;
    sinew_query *u = sinew_query_new(s, m);
    if (!u) return sn_nomem();
    int rc = sinew_where(u, sinew_eq(sinew_column(m, (int)m->pk[0]), sn_field_value(kf, obj)));
    if (!rc && sn_sql_update_rows(&u->out, s->db->dialect, &u->sel, set, nset, returning)) rc = sn_nomem();
    sn_exec x;
    if (!rc && !returning) {
        rc = sn_q_start(u, &x, sn_buf_cstr(&u->out.sql));
        if (!rc) {
            rc = sn_exec_step(&x);
            if (rc == SINEW_DONE) rc = SINEW_OK;
            else if (rc == SINEW_ROW) rc = sinew_error_set(SINEW_INTERNAL, "sinew_claim: the row update gave rows back");
            sn_exec_end(&x);
        }
        if (!rc) rc = sn_q_render_select(u, 0);
    }
    if (!rc) rc = sn_q_start(u, &x, sn_buf_cstr(&u->out.sql));
    if (!rc) {
        rc = sn_exec_step(&x);
        if (rc == SINEW_ROW) rc = sn_hydrate_row(x.drv, x.stmt, 0, m, obj, &s->arena);
        else if (rc == SINEW_DONE)
            rc = sinew_error_set(SINEW_INTERNAL, "sinew_claim: the %s row read under the lock is gone", m->name);
        sn_exec_end(&x);
    }
    if (!rc) sn_take_snapshot(s, SN_OBJ_OF(obj));
    sinew_query_free(u);
    return rc;
}

static int claim_tx(sinew_db *db, void *ctx)
{
    (void)db;
    claim *c = ctx;
    sinew_query *q = c->q;
    int64_t limit = q->sel.limit;
    sinew_lock_mode lock = q->sel.lock;
    sinew_lock_wait wait = q->sel.lock_wait;
    q->sel.limit = (int64_t)c->n;
    if (q->s->db->dialect->has_row_locks) {
        /* rows another worker holds are skipped, not waited for: each worker takes different rows */
        q->sel.lock = SINEW_FOR_UPDATE;
        q->sel.lock_wait = SINEW_SKIP_LOCKED;
    }
    int rc = sinew_all(q, c->out);
    q->sel.limit = limit;
    q->sel.lock = lock;
    q->sel.lock_wait = wait;
    for (size_t i = 0; i < c->out->count && rc == SINEW_OK; i++)
        rc = take(q->s, q->model, c->out->items[i], c->set, c->nset);
    if (rc) c->out->count = 0;
    return rc;
}

int sinew_claim(sinew_query *q, size_t n, const sinew_set *set, size_t nset, sinew_list *out)
{
    if (!out) return sinew_error_set(SINEW_MISUSE, "sinew_claim: out is NULL");
    out->items = NULL;
    out->count = 0;
    int rc = sn_q_ungrouped(q, "sinew_claim");
    if (rc) return rc;
    const sinew_model *m = q->model;
    if (n == 0) return sinew_error_set(SINEW_MISUSE, "sinew_claim: n is 0, claim at least one %s", m->name);
    if (!set || nset == 0)
        return sinew_error_set(SINEW_MISUSE, "sinew_claim: no assignments; a claim must mark the rows it takes "
                               "(sinew_set_value(JOB_TAKEN, sinew_v_bool(true))) so that the filter leaves them out");
    if (m->npk != 1)
        return sinew_error_set(SINEW_UNSUPPORTED, "sinew_claim: %s has %zu key columns; claims need a one-column "
                               "primary key", m->name, m->npk);
    if (q->readonly)
        return sinew_error_set(SINEW_MISUSE, "sinew_claim: the query over %s is read-only (sinew_readonly); a "
                               "claim changes the rows it returns", m->name);
    if (q->sel.lock)
        return sinew_error_set(SINEW_MISUSE, "sinew_claim: the query over %s has a lock already; sinew_claim "
                               "takes its own lock (skipping locked rows)", m->name);
    if ((rc = sn_q_lockable(q, NULL))) return rc;
    if (q->sel.cols)
        return sinew_error_set(SINEW_MISUSE, "sinew_claim: the query over %s has a projection (sinew_only/"
                               "sinew_defer); a claim returns whole rows", m->name);
    if (q->sel.distinct || q->sel.to_many)
        return sinew_error_set(SINEW_MISUSE, "sinew_claim: the query over %s is DISTINCT or filters through a "
                               "to-many relation, which cannot be locked; filter by keys (sinew_in_query)",
                               m->name);
    sinew_set *checked;
    rc = sn_set_check(m, set, nset, 0, "sinew_claim", &checked);
    if (rc == SINEW_OK) {
        nset = sn_stamp_sets(m, checked, nset, sn_stamp_now(q->s));   /* a claim updates the rows it takes */
        claim c = {q, n, checked, nset, out};
        /* more tries than a plain transaction's 5: the workers of a queue are meant to contend, and
           SQLite's busy handler is not fair (a worker that has just committed can take the write lock
           again before a sleeping one wakes; seen under valgrind, where threads run one at a time) */
        static const sinew_retry_policy contended = {20, 5, 500};
        rc = sinew_transaction(q->s->db, claim_tx, &c, &contended);
    }
    sn_free(checked);
    if (rc) {
        out->items = NULL;
        out->count = 0;
    }
    return rc;
}
