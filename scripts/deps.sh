#!/bin/sh
# deps.sh [example|test] - make sure the build and test dependencies are present.
# As root, missing Debian packages are installed with apt-get; otherwise the
# script prints exactly what to install and exits 1.
set -eu
what=${1:-test}

need=""
have_header() { [ -f "/usr/include/$1" ] || [ -f "/usr/local/include/$1" ]; }
command -v cmake >/dev/null 2>&1 || need="$need cmake"
command -v cc >/dev/null 2>&1 || need="$need gcc"
have_header sqlite3.h || need="$need libsqlite3-dev"
have_header postgresql/libpq-fe.h || have_header libpq-fe.h || need="$need libpq-dev"
# MariaDB Connector/C for the MariaDB/MySQL driver (built when found: -DSINEW_MARIADB=AUTO)
have_header mariadb/mysql.h || need="$need libmariadb-dev"
if [ "$what" = test ]; then
    have_header cmocka.h || need="$need libcmocka-dev"
    command -v clang >/dev/null 2>&1 || need="$need clang"
    command -v valgrind >/dev/null 2>&1 || need="$need valgrind"
    command -v dot >/dev/null 2>&1 || need="$need graphviz"
    command -v sqlite3 >/dev/null 2>&1 || need="$need sqlite3"
    command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
    command -v npm >/dev/null 2>&1 || need="$need nodejs npm"
    [ -x /usr/bin/chromium ] || need="$need chromium"
    # the MariaDB server for the mariadb stage (scripts/with-mariadb.sh)
    command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || need="$need mariadb-server"
    # PgBouncer for the pgbouncer stage (scripts/with-pgbouncer.sh)
    command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || need="$need pgbouncer"
fi

[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "deps: installing$need" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q $need >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q $need >/dev/null; }
    exit 0
fi
echo "deps: missing packages:$need" >&2
echo "deps: install them with: sudo apt-get install -y$need" >&2
exit 1
