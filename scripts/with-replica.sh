#!/bin/bash
# with-replica.sh CMD [ARGS...] - run CMD with a throwaway PostgreSQL primary
# and a hot standby streaming from it.
#
# Both servers listen on 127.0.0.1 only, each on a free port (unix sockets
# inside the temp dir). The standby is made with `pg_basebackup -R` (which
# writes primary_conninfo and standby.signal) and streams over loopback.
# Exports SINEW_TEST_PG_URL (the primary), SINEW_TEST_REPLICA_URL (the
# standby), SINEW_TEST_REPLICA_PG_CTL (a pg_ctl command line for the
# standby, to which a test appends stop, start or promote) and
# SINEW_TEST_PRIMARY_PG_CTL (the same for the primary); runs CMD; always stops both
# servers and removes the directory, whatever CMD does. Exits with CMD's
# status. As root the servers run as the `postgres` user (PostgreSQL
# refuses root).
set -u

find_bin() {
    for d in "$(dirname "$(command -v "$1" 2>/dev/null || echo /nonexistent/x)")" /usr/lib/postgresql/*/bin /usr/local/bin; do
        if [ -x "$d/$1" ]; then echo "$d/$1"; return 0; fi
    done
    return 1
}
INITDB=$(find_bin initdb) || { echo "with-replica: initdb not found: install the PostgreSQL 15 server (Debian: apt-get install postgresql-15)" >&2; exit 1; }
PG_CTL=$(find_bin pg_ctl) || { echo "with-replica: pg_ctl not found" >&2; exit 1; }
BASEBACKUP=$(find_bin pg_basebackup) || { echo "with-replica: pg_basebackup not found" >&2; exit 1; }

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd -r -M -s /usr/sbin/nologin postgres || { echo "with-replica: cannot create the postgres user" >&2; exit 1; }
fi

DIR=$(mktemp -d "${TMPDIR:-/tmp}/sinew-replica-XXXXXX") || exit 1
[ "$(id -u)" = 0 ] && chown postgres "$DIR"
chmod 700 "$DIR"

cleanup() {
    as_pg "$PG_CTL" -D "$DIR/standby" -m immediate -w stop >/dev/null 2>&1
    as_pg "$PG_CTL" -D "$DIR/primary" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    for try in 1 2 3 4 5 6 7 8 9 10; do
        # 20000-31999: below the kernel's ephemeral range (32768-60999), where a client socket's
        # local port is bound without listening: free to a connect test, taken for bind (seen)
        cand=$(( 20000 + ($$ * 11 + try * 1019 + $1) % 12000 ))
        [ "$cand" = "${2:-}" ] && continue
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$cand") 2>/dev/null; then echo "$cand"; return 0; fi
    done
    return 1
}
P1=$(free_port 101) || { echo "with-replica: no free port found" >&2; exit 1; }
P2=$(free_port 7919 "$P1") || { echo "with-replica: no free port found" >&2; exit 1; }

OPTS="-c listen_addresses=127.0.0.1 -k $DIR -c fsync=off -c full_page_writes=off -c max_connections=50 -c wal_level=replica -c max_wal_senders=4 -c hot_standby=on"

as_pg "$INITDB" -D "$DIR/primary" -A trust -U postgres -E UTF8 --no-locale >"$DIR/initdb.log" 2>&1 ||
    { cat "$DIR/initdb.log" >&2; exit 1; }
as_pg "$PG_CTL" -D "$DIR/primary" -l "$DIR/primary.log" -w -t 60 -o "$OPTS -p $P1" start >/dev/null 2>&1 ||
    { cat "$DIR/primary.log" >&2; exit 1; }
as_pg "$BASEBACKUP" -h 127.0.0.1 -p "$P1" -U postgres -D "$DIR/standby" -R -X stream -c fast >"$DIR/basebackup.log" 2>&1 ||
    { cat "$DIR/basebackup.log" >&2; exit 1; }
as_pg "$PG_CTL" -D "$DIR/standby" -l "$DIR/standby.log" -w -t 60 -o "$OPTS -p $P2" start >/dev/null 2>&1 ||
    { cat "$DIR/standby.log" >&2; exit 1; }

# streaming, not only started: the primary lists the standby's WAL receiver
PSQL=$(find_bin psql) || PSQL=
if [ -n "$PSQL" ]; then
    ok=
    for _ in $(seq 1 100); do
        n=$(as_pg "$PSQL" -h 127.0.0.1 -p "$P1" -U postgres -d postgres -Atc "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'" 2>/dev/null)
        [ "$n" = 1 ] && { ok=1; break; }
        sleep 0.1
    done
    [ -n "$ok" ] || { echo "with-replica: the standby does not stream" >&2; cat "$DIR/standby.log" >&2; exit 1; }
fi

export SINEW_TEST_PG_URL="postgres://postgres@127.0.0.1:$P1/postgres"
export SINEW_TEST_REPLICA_URL="postgres://postgres@127.0.0.1:$P2/postgres"
# for tests that stop, start or promote the standby: append stop|start|promote and run with sh -c
asuser=
[ "$(id -u)" = 0 ] && asuser="runuser -u postgres -- "
export SINEW_TEST_REPLICA_PG_CTL="$asuser$PG_CTL -D $DIR/standby -l $DIR/standby.log -w -t 60 -o '$OPTS -p $P2'"
export SINEW_TEST_PRIMARY_PG_CTL="$asuser$PG_CTL -D $DIR/primary -l $DIR/primary.log -w -t 60 -o '$OPTS -p $P1'"
echo "with-replica: primary on 127.0.0.1:$P1, hot standby on 127.0.0.1:$P2 (streaming)"
"$@"
status=$?
exit $status
