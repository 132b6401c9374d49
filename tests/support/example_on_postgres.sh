#!/bin/sh
# example_on_postgres.sh EXAMPLE - run an example program on a database of its own on the
# PostgreSQL server of SINEW_TEST_PG_URL (scripts/with-postgres.sh), dropped afterwards.
# The example takes the database URL as its argument and exits 0 when its checks hold.
set -eu
url=${SINEW_TEST_PG_URL:?SINEW_TEST_PG_URL is not set: run under scripts/with-postgres.sh}
base=${url%/*}
db=sinew_example_$$
psql -X -q -v ON_ERROR_STOP=1 "$url" -c "CREATE DATABASE $db"
trap 'psql -X -q "$url" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
"$1" "$base/$db"
