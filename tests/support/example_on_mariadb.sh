#!/bin/sh
# example_on_mariadb.sh EXAMPLE [LAST_LINE] - run an example program on a database of its own on
# the MariaDB server of SINEW_TEST_MARIADB_URL (scripts/with-mariadb.sh), dropped afterwards. It
# must exit 0 and print a line starting with LAST_LINE (the blog example's '9. ' by default).
set -eu
url=${SINEW_TEST_MARIADB_URL:?SINEW_TEST_MARIADB_URL is not set: run under scripts/with-mariadb.sh}
rest=${url#*://}
cred=${rest%%@*}
user=${cred%%:*}
pw=${cred#*:}
hostport=${rest#*@}
hostport=${hostport%%/*}
host=${hostport%%:*}
port=${hostport#*:}
db=sinew_example_$$
client() { MYSQL_PWD=$pw mariadb --no-defaults -h "$host" -P "$port" -u "$user" -e "$1"; }
client "CREATE DATABASE $db CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
trap 'client "DROP DATABASE IF EXISTS $db"' EXIT
"$1" "mariadb://$cred@$hostport/$db" >"${TMPDIR:-/tmp}/$db.out" 2>&1 || { cat "${TMPDIR:-/tmp}/$db.out"; rm -f "${TMPDIR:-/tmp}/$db.out"; exit 1; }
grep -q "^${2:-9\\. }" "${TMPDIR:-/tmp}/$db.out" || { cat "${TMPDIR:-/tmp}/$db.out"; rm -f "${TMPDIR:-/tmp}/$db.out"; exit 1; }
rm -f "${TMPDIR:-/tmp}/$db.out"
echo "$(basename "$1") ran on MariaDB ($db)"
