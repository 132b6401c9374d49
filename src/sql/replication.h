/*
 * replication.h - the SQL the read/write router (src/orm/router.c) sends to
 * PostgreSQL streaming replicas: the primary's WAL position after a write,
 * and whether a standby has replayed up to a position. Only PostgreSQL has
 * replicas here; both come back as one integer or text column.
 */
#ifndef SINEW_SQL_REPLICATION_H
#define SINEW_SQL_REPLICATION_H

/* on the primary: where its WAL ends (text "X/Y", hexadecimal) */
#define SN_SQL_PG_WAL_POSITION "SELECT pg_current_wal_lsn()::text"
/* on a standby: 1 when it has replayed up to $1 ("X/Y"), else 0; NULL when it is no standby
 * any more (promoted: it has all it will ever get from the old primary) */
#define SN_SQL_PG_REPLAYED "SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL " \
                           "WHEN pg_last_wal_replay_lsn() >= $1::text::pg_lsn THEN 1 ELSE 0 END"

#endif
