#!/bin/bash
# with-citus.sh CMD [ARGS...] - run CMD with a throwaway Citus cluster: a
# coordinator and two workers, each on 127.0.0.1 and a free port.
#
# Citus is not in Debian. The script takes a Citus build for the system's
# PostgreSQL 15 from $SINEW_CITUS_TARBALL, by default the tarball in
# shared/vendor/citus/ beside the repository (where the project's machines
# keep it; its README says how it was built). Without it, or without the
# PostgreSQL 15 server, it says so and exits 77 (nothing was run). The
# system's PostgreSQL is not touched: /usr/lib/postgresql/15 and
# /usr/share/postgresql/15 are copied into a private tree in the temp dir
# (PostgreSQL finds share/ and lib/ relative to its binary), the tarball is
# unpacked over that copy, and every node starts from its bin/ with
# shared_preload_libraries=citus. Exports SINEW_TEST_CITUS_URL (the
# coordinator's `postgres` database, where the workers are registered), runs
# CMD, and always stops the nodes and removes the directory, whatever CMD
# does. Exits with CMD's status. As root the nodes run as `postgres`.
set -u

REPO=$(cd "$(dirname "$0")/.." && pwd)
TARBALL=${SINEW_CITUS_TARBALL:-$(dirname "$REPO")/shared/vendor/citus/citus-12.1.12-pg15.18-amd64.tar.gz}
# a git worktree one level further down (wt/<branch>) finds it beside the main checkout
if [ -z "${SINEW_CITUS_TARBALL:-}" ] && [ ! -f "$TARBALL" ]; then
    up=$(dirname "$(dirname "$REPO")")/shared/vendor/citus/citus-12.1.12-pg15.18-amd64.tar.gz
    [ -f "$up" ] && TARBALL=$up
fi
if [ ! -f "$TARBALL" ]; then
    echo "with-citus: no Citus build at $TARBALL (set SINEW_CITUS_TARBALL to a Citus 12.1 tarball for PostgreSQL 15): the citus stage is skipped" >&2
    exit 77
fi
PGLIB=/usr/lib/postgresql/15
PGSHARE=/usr/share/postgresql/15
if [ ! -x "$PGLIB/bin/postgres" ] || [ ! -d "$PGSHARE" ]; then
    echo "with-citus: PostgreSQL 15's server is not installed ($PGLIB/bin/postgres): the citus stage is skipped" >&2
    exit 77
fi

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd -r -M -s /usr/sbin/nologin postgres || { echo "with-citus: cannot create the postgres user" >&2; exit 1; }
fi

DIR=$(mktemp -d "${TMPDIR:-/tmp}/sinew-citus-XXXXXX") || exit 1
chmod 755 "$DIR"
T="$DIR/tree"
NODES="coordinator worker1 worker2"

cleanup() {
    for n in $NODES; do
        [ -d "$DIR/$n" ] && as_pg "$T$PGLIB/bin/pg_ctl" -D "$DIR/$n" -m immediate -w stop >/dev/null 2>&1
    done
    rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$T$PGLIB" "$T$PGSHARE" "$DIR/run"
cp -a "$PGLIB/." "$T$PGLIB/" && cp -a "$PGSHARE/." "$T$PGSHARE/" && tar -C "$T" -xzf "$TARBALL" ||
    { echo "with-citus: cannot make the private server tree in $T" >&2; exit 1; }
[ -f "$T$PGLIB/lib/citus.so" ] || { echo "with-citus: $TARBALL holds no citus.so for $PGLIB" >&2; exit 1; }
[ "$(id -u)" = 0 ] && chown postgres "$DIR/run"
BIN="$T$PGLIB/bin"

used=
free_port() {
    for try in 1 2 3 4 5 6 7 8 9 10; do
        # 20000-31999: below the kernel's ephemeral range (32768-60999), where a client socket's
        # local port is bound without listening: free to a connect test, taken for bind (seen)
        cand=$(( 20000 + ($$ * 17 + try * 1031 + $1) % 12000 ))
        case " $used " in *" $cand "*) continue ;; esac
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$cand") 2>/dev/null; then echo "$cand"; return 0; fi
    done
    return 1
}

declare -A PORT
off=0
for n in $NODES; do
    off=$((off + 3001))
    p=$(free_port $off) || { echo "with-citus: no free port found" >&2; exit 1; }
    used="$used $p"
    PORT[$n]=$p
    if [ "$n" = coordinator ]; then
        mkdir "$DIR/$n" && { [ "$(id -u)" = 0 ] && chown postgres "$DIR/$n"; chmod 700 "$DIR/$n"; }
        as_pg "$BIN/initdb" -D "$DIR/$n" -A trust -U postgres -E UTF8 --no-locale >"$DIR/initdb.log" 2>&1 ||
            { cat "$DIR/initdb.log" >&2; exit 1; }
    else
        # one initdb, copied before the first start: the nodes need not differ
        cp -a "$DIR/coordinator" "$DIR/$n" || exit 1
    fi
done
for n in $NODES; do
    p=${PORT[$n]}
    as_pg "$BIN/pg_ctl" -D "$DIR/$n" -l "$DIR/run/$n.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $p -k $DIR/run -c shared_preload_libraries=citus -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100 -c max_prepared_transactions=100" \
        start >/dev/null 2>&1 || { cat "$DIR/run/$n.log" >&2; exit 1; }
done

psql_on() {   # psql_on NODE SQL
    as_pg "$BIN/psql" -h 127.0.0.1 -p "${PORT[$1]}" -U postgres -d postgres -v ON_ERROR_STOP=1 -Atqc "$2"
}
for n in $NODES; do
    psql_on "$n" "CREATE EXTENSION citus" >"$DIR/ext-$n.log" 2>&1 || { cat "$DIR/ext-$n.log" >&2; exit 1; }
done
psql_on coordinator "SELECT citus_set_coordinator_host('127.0.0.1', ${PORT[coordinator]})" >/dev/null &&
    psql_on coordinator "SELECT citus_add_node('127.0.0.1', ${PORT[worker1]})" >/dev/null &&
    psql_on coordinator "SELECT citus_add_node('127.0.0.1', ${PORT[worker2]})" >/dev/null ||
    { echo "with-citus: cannot register the workers" >&2; exit 1; }

export SINEW_TEST_CITUS_URL="postgres://postgres@127.0.0.1:${PORT[coordinator]}/postgres"
echo "with-citus: Citus coordinator on 127.0.0.1:${PORT[coordinator]}, workers on 127.0.0.1:${PORT[worker1]} and 127.0.0.1:${PORT[worker2]}"
"$@"
status=$?
exit $status
