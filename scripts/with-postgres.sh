#!/bin/bash
# with-postgres.sh CMD [ARGS...] - run CMD with a throwaway PostgreSQL server.
#
# Makes a temporary data directory (owned by the `postgres` user when run as
# root: the server refuses to run as root), initdb, starts the server on
# 127.0.0.1 and a free port only (unix socket inside the temp dir), exports
# SINEW_TEST_PG_URL, runs CMD, and always stops the server and removes the
# directory, whatever CMD does. Exits with CMD's status.
set -u

find_bin() {
    for d in "$(dirname "$(command -v "$1" 2>/dev/null || echo /nonexistent/x)")" /usr/lib/postgresql/*/bin /usr/local/bin; do
        if [ -x "$d/$1" ]; then echo "$d/$1"; return 0; fi
    done
    return 1
}
INITDB=$(find_bin initdb) || { echo "with-postgres: initdb not found: install the PostgreSQL 15 server (Debian: apt-get install postgresql-15)" >&2; exit 1; }
PG_CTL=$(find_bin pg_ctl) || { echo "with-postgres: pg_ctl not found: install the PostgreSQL 15 server (Debian: apt-get install postgresql-15)" >&2; exit 1; }

as_pg() {
    if [ "$(id -u)" = 0 ]; then
        if command -v runuser >/dev/null 2>&1; then runuser -u postgres -- "$@"; else su postgres -s /bin/sh -c "$*"; fi
    else
        "$@"
    fi
}

if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd -r -M -s /usr/sbin/nologin postgres || { echo "with-postgres: cannot create the postgres user" >&2; exit 1; }
fi

DIR=$(mktemp -d "${TMPDIR:-/tmp}/sinew-pg-XXXXXX") || exit 1
[ "$(id -u)" = 0 ] && chown postgres "$DIR"
chmod 700 "$DIR"

cleanup() {
    as_pg "$PG_CTL" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# a free port on the loopback address
PORT=
for try in 1 2 3 4 5 6 7 8 9 10; do
    # 20000-31999: below the kernel's ephemeral range (32768-60999), where a client socket's
    # local port is bound without listening: free to a connect test, taken for bind (seen)
    cand=$(( 20000 + ($$ * 7 + try * 1009) % 12000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$cand") 2>/dev/null; then PORT=$cand; break; fi
done
[ -n "$PORT" ] || { echo "with-postgres: no free port found" >&2; exit 1; }

as_pg "$INITDB" -D "$DIR/data" -A trust -U postgres -E UTF8 --no-locale >"$DIR/initdb.log" 2>&1 ||
    { cat "$DIR/initdb.log" >&2; exit 1; }
as_pg "$PG_CTL" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" \
    start >/dev/null 2>&1 || { cat "$DIR/server.log" >&2; exit 1; }

export SINEW_TEST_PG_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
echo "with-postgres: throwaway server on 127.0.0.1:$PORT"
"$@"
status=$?
exit $status
