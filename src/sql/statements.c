/*
 * statements.c - the fixed statements the runtime runs, and the text it
 * logs for the transaction control it does through the driver, so that no
 * SQL is written in the ORM.
 */
#include "dialect.h"
#include "ir.h"

const char *sn_sql_sequence_keys(const sinew_dialect *d)
{
    /* PostgreSQL's functions; the built-in dialect is the one that has them (a wrapping driver
     * passes that dialect on) */
    if (d != &sn_dialect_postgres) return NULL;
    return "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence($1, $2)::regclass AS seq) "
           "SELECT nextval(s.seq) FROM s, generate_series(1, $3)";
}

const char *sn_sql_ping(void) { return "SELECT 1"; }

const char *sn_sql_tx_read_only(void) { return SN_SQL_TX_READ_ONLY; }

const char *sn_sql_tx_text(sn_sql_tx op)
{
    switch (op) {
    case SN_SQL_BEGIN: return "BEGIN";
    case SN_SQL_COMMIT: return "COMMIT";
    case SN_SQL_ROLLBACK: return "ROLLBACK";
    case SN_SQL_SAVEPOINT: return "SAVEPOINT";
    case SN_SQL_RELEASE: return "RELEASE SAVEPOINT";
    case SN_SQL_ROLLBACK_TO: return "ROLLBACK TO SAVEPOINT";
    }
    return "";
}
