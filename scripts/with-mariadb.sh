#!/bin/bash
# with-mariadb.sh CMD [ARGS...] - run CMD with a throwaway MariaDB server.
#
# Makes a temporary data directory (owned by the `mysql` user when run as
# root: mariadbd runs as that user then), mariadb-install-db, starts mariadbd
# on 127.0.0.1 and a free port only (its unix socket inside the temp dir, no
# other file outside it), creates a test user with a password that may create
# databases (the harness makes one per test), exports SINEW_TEST_MARIADB_URL,
# runs CMD, and always shuts the server down and removes the directory,
# whatever CMD does. Exits with CMD's status. The system's own MariaDB (its
# data directory, socket, my.cnf) is never read or touched: --no-defaults.
set -u

find_bin() {
    for c in "$@"; do
        for d in "$(dirname "$(command -v "$c" 2>/dev/null || echo /nonexistent/x)")" /usr/sbin /usr/bin /usr/local/bin /usr/local/sbin; do
            if [ -x "$d/$c" ]; then echo "$d/$c"; return 0; fi
        done
    done
    return 1
}
HINT="install the MariaDB server (Debian: apt-get install mariadb-server)"
INSTALL_DB=$(find_bin mariadb-install-db mysql_install_db) || { echo "with-mariadb: mariadb-install-db not found: $HINT" >&2; exit 1; }
MARIADBD=$(find_bin mariadbd mysqld) || { echo "with-mariadb: mariadbd not found: $HINT" >&2; exit 1; }
CLIENT=$(find_bin mariadb mysql) || { echo "with-mariadb: the mariadb client not found: $HINT" >&2; exit 1; }
ADMIN=$(find_bin mariadb-admin mysqladmin) || { echo "with-mariadb: mariadb-admin not found: $HINT" >&2; exit 1; }

RUN_USER=
if [ "$(id -u)" = 0 ]; then
    if ! id mysql >/dev/null 2>&1; then
        useradd -r -M -s /usr/sbin/nologin mysql 2>/dev/null || true
    fi
    if id mysql >/dev/null 2>&1; then RUN_USER=mysql; else RUN_USER=root; fi
fi

DIR=$(mktemp -d "${TMPDIR:-/tmp}/sinew-mariadb-XXXXXX") || exit 1
chmod 755 "$DIR"
# the server runs as $RUN_USER and must reach its directory: a TMPDIR it cannot enter (a private,
# mode 700 directory of root's) would stop it with no more than "Can't create/write to file" (its own
# temporary files, and mariadb-install-db's, go to $DIR/tmp below)
if [ -n "$RUN_USER" ] && [ "$RUN_USER" != root ] && command -v runuser >/dev/null 2>&1 &&
   ! runuser -u "$RUN_USER" -- test -x "$DIR" 2>/dev/null; then
    echo "with-mariadb: $RUN_USER cannot enter ${TMPDIR:-/tmp}; the server's directory goes to /tmp instead" >&2
    rmdir "$DIR"
    DIR=$(mktemp -d /tmp/sinew-mariadb-XXXXXX) || exit 1
    chmod 755 "$DIR"
fi
[ -n "$RUN_USER" ] && chown "$RUN_USER" "$DIR"
SOCK="$DIR/sock"
PIDFILE="$DIR/mariadbd.pid"
# the server's temporary files (implicit temporary tables, filesorts) go here too, not to the shared
# /tmp, where several servers (and whatever cleans /tmp) met: "Error on delete of '/tmp/#sql-temptable-...'"
mkdir "$DIR/tmp" && chmod 700 "$DIR/tmp"
[ -n "$RUN_USER" ] && chown "$RUN_USER" "$DIR/tmp"

cleanup() {
    if [ -S "$SOCK" ]; then
        "$ADMIN" --no-defaults --protocol=socket --socket="$SOCK" -uroot shutdown >/dev/null 2>&1
    fi
    # a server that did not answer the shutdown request: stop it by its own pid
    if [ -f "$PIDFILE" ]; then
        pid=$(cat "$PIDFILE" 2>/dev/null)
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null
            for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null
        fi
    fi
    [ -n "${SERVER_PID:-}" ] && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# a free port on the loopback address
PORT=
for try in 1 2 3 4 5 6 7 8 9 10; do
    # 20000-31999: below the kernel's ephemeral range (32768-60999), where a client socket's
    # local port is bound without listening: free to a connect test, taken for bind (seen)
    cand=$(( 20000 + ($$ * 13 + try * 1013 + 7919) % 12000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$cand") 2>/dev/null; then PORT=$cand; break; fi
done
[ -n "$PORT" ] || { echo "with-mariadb: no free port found" >&2; exit 1; }

USER_OPT=()
[ -n "$RUN_USER" ] && USER_OPT=(--user="$RUN_USER")

TMPDIR="$DIR/tmp" "$INSTALL_DB" --no-defaults --datadir="$DIR/data" "${USER_OPT[@]}" --auth-root-authentication-method=socket \
    --skip-test-db --skip-name-resolve >"$DIR/install.log" 2>&1 ||
    { cat "$DIR/install.log" >&2; exit 1; }

# durability off (a throwaway server); strict mode and utf8mb4 are what sinew sets per session anyway
"$MARIADBD" --no-defaults --datadir="$DIR/data" "${USER_OPT[@]}" \
    --bind-address=127.0.0.1 --port="$PORT" --socket="$SOCK" --pid-file="$PIDFILE" --tmpdir="$DIR/tmp" \
    --log-error="$DIR/server.log" --skip-name-resolve --skip-log-bin \
    --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --sync-binlog=0 \
    --innodb-buffer-pool-size=128M --innodb-log-file-size=64M --max-connections=200 \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_bin \
    --innodb-lock-wait-timeout=10 >/dev/null 2>&1 &
SERVER_PID=$!

ready=
for _ in $(seq 1 300); do
    if "$ADMIN" --no-defaults --protocol=socket --socket="$SOCK" -uroot ping >/dev/null 2>&1; then ready=1; break; fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
done
[ -n "$ready" ] || { echo "with-mariadb: the server did not start:" >&2; cat "$DIR/server.log" >&2; exit 1; }

# a password user over TCP; the harness creates a database per test (CREATE and DROP on sinew_t*),
# and the suite's own databases (its first one: sinew)
PW=sinew-test-pw
"$CLIENT" --no-defaults --protocol=socket --socket="$SOCK" -uroot <<SQL || { echo "with-mariadb: cannot create the test user" >&2; exit 1; }
CREATE USER 'sinew'@'127.0.0.1' IDENTIFIED BY '$PW';
CREATE DATABASE sinew CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
GRANT ALL PRIVILEGES ON *.* TO 'sinew'@'127.0.0.1';
SQL

export SINEW_TEST_MARIADB_URL="mariadb://sinew:$PW@127.0.0.1:$PORT/sinew"
echo "with-mariadb: throwaway server on 127.0.0.1:$PORT"
"$@"
status=$?
exit $status
