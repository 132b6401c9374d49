#!/bin/sh
# run.sh [--rounds N] [--quick] [--peers drizzle,django,...] [--no-install]
#
# sinew beside other ORMs on this machine: the same workloads (W1, W3, W4, W5
# of bench/workloads.c: same table, same rows, same SQLite settings: a WAL
# file, synchronous = NORMAL) through each peer's own program in this
# directory, and sinew_bench's own figures from the same run, then a table of
# medians and ratios (table.py). A measurement, not a test: the suite does not
# run it.
#
# It installs what it needs (run it as root on a fresh Debian 12): the Python
# and Ruby ORMs and GOM from the Debian archive (apt-get), the JavaScript ORMs
# from the npm registry into build/peers/node_modules (package.json here pins
# them; never committed). It needs Node.js 20 or newer for the npm ORMs.
# Rounds are interleaved: each round runs sinew and every peer once, so a
# shared machine's load falls on all of them alike; the table gives medians.
# Each peer's process first runs every workload once at a tenth of its size,
# untimed (a JIT's warm-up, statement caches: what a long-running program has
# already paid).
#
#   sh bench/peers/run.sh                  # 3 rounds, all peers
#   sh bench/peers/run.sh --quick          # tiny sizes, once: checks every peer computes the same
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$root/build/peers
rounds=3 quick= peers=all install=1
while [ $# -gt 0 ]; do
    case $1 in
    --rounds) rounds=$2; shift ;;
    --quick) quick=--quick rounds=1 ;;
    --peers) peers=$2; shift ;;
    --no-install) install= ;;
    *) echo "usage: sh bench/peers/run.sh [--rounds N] [--quick] [--peers drizzle,typeorm,...] [--no-install]" >&2; exit 2 ;;
    esac
    shift
done
all="drizzle typeorm sequelize mikroorm prisma sqlalchemy django peewee activerecord gom"
[ "$peers" = all ] && peers=$all
peers=$(echo "$peers" | tr ',' ' ')
mkdir -p "$build/tmp"

# ---- install ----
# Debian 12's versions, pinned; a newer point release of the archive replaces a
# pinned one that is gone (the table prints the version that ran)
apt_pkgs="python3-sqlalchemy=1.4.46+ds1-1 python3-django=3:3.2.25-0+deb12u7 python3-peewee=3.14.10+dfsg-1+b3
ruby-activerecord=2:6.1.7.10+dfsg-1~deb12u4 ruby-sqlite3=1.4.2-4+b3 libgom-1.0-dev=0.4-1"
apt_tools="python3 ruby pkg-config gcc g++ make cmake libpq-dev libsqlite3-dev"
if [ -n "$install" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    missing=
    for p in $apt_pkgs $apt_tools; do
        dpkg-query -W -f='${Status}' "${p%%=*}" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
    done
    command -v node >/dev/null || missing="$missing nodejs npm"
    if [ -n "$missing" ]; then
        apt-get update -qq
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $missing ||
            apt-get install -y -qq --no-install-recommends $(for p in $missing; do echo "${p%%=*}"; done)
    fi
fi
if command -v node >/dev/null && [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
    echo "run.sh: Node.js $(node --version) is too old for better-sqlite3 12 (needs 20 or newer); the npm peers will fail" >&2
fi
if [ -n "$install" ] && command -v npm >/dev/null && ! cmp -s "$here/package.json" "$build/package.json"; then
    # better-sqlite3 is built from source where no prebuilt binary can be fetched (a few minutes)
    cp "$here/package.json" "$build/package.json"
    (cd "$build" && npm install --no-audit --no-fund --loglevel=error) || echo "run.sh: npm install failed" >&2
fi
if [ -n "$install" ] && [ -x "$build/node_modules/.bin/prisma" ]; then
    # Prisma's CLI fetches its schema engine (a native binary, for migrations)
    # from its own download server before any command, generate included, which
    # does not run it; where that server cannot be reached, a placeholder path
    # stops the download. The client is generated next to node_modules.
    cp "$here/schema.prisma" "$build/schema.prisma"
    (cd "$build" && PRISMA_SCHEMA_ENGINE_BINARY=${PRISMA_SCHEMA_ENGINE_BINARY:-/bin/false} \
        ./node_modules/.bin/prisma generate --schema schema.prisma >"$build/prisma-generate.log" 2>&1) ||
        echo "run.sh: prisma generate failed (see $build/prisma-generate.log)" >&2
fi

# ---- build sinew's benchmark and the C peer ----
# twice, as bench/sqlite_engines.sh does: on the embedded SQLite (the default)
# and on the system's, the one Debian's Python and Ruby ORMs and GOM run on
cmake -S "$root" -B "$root/build/release" -DCMAKE_BUILD_TYPE=Release -DSINEW_TESTS=OFF >/dev/null
cmake --build "$root/build/release" -j2 --target sinew_bench >/dev/null
cmake -S "$root" -B "$root/build/release-sys" -DCMAKE_BUILD_TYPE=Release -DSINEW_TESTS=OFF -DSINEW_SYSTEM_SQLITE=ON >/dev/null
cmake --build "$root/build/release-sys" -j2 --target sinew_bench >/dev/null
bench=$root/build/release/bench/sinew_bench
bench_sys=$root/build/release-sys/bench/sinew_bench
if pkg-config --exists gom-1.0 2>/dev/null; then
    # shellcheck disable=SC2046
    gcc -O2 -Wall -Wextra -DGOM_VERSION_S="\"$(pkg-config --modversion gom-1.0)\"" "$here/gom_peer.c" \
        -o "$build/gom_peer" $(pkg-config --cflags --libs gom-1.0 sqlite3)
fi

# ---- run ----
export NODE_PATH="$build/node_modules" PEERS_BUILD="$build" TMPDIR="$build/tmp"
py=/usr/bin/python3   # Debian's, whose dist-packages hold the ORMs
peer_cmd() {
    case $1 in
    drizzle | typeorm | sequelize | mikroorm | prisma) echo "node $here/${1}_peer.js" ;;
    sqlalchemy | django | peewee) echo "$py $here/${1}_peer.py" ;;
    activerecord) echo "ruby $here/activerecord_peer.rb" ;;
    gom) echo "$build/gom_peer" ;;
    *) echo "run.sh: unknown peer $1" >&2; return 1 ;;
    esac
}
results=$build/results.txt sinew=$build/sinew.txt sinew_sys=$build/sinew-sys.txt
: >"$results"
: >"$sinew"
: >"$sinew_sys"
r=1
while [ $r -le "$rounds" ]; do
    echo "round $r of $rounds" >&2
    for w in W1 W3 W4 W5 W9 W10; do
        if [ -n "$quick" ]; then set -- --quick; else set -- --rounds 1; fi
        "$bench" "$@" --only $w >>"$sinew"
        "$bench_sys" "$@" --only $w >>"$sinew_sys"
    done
    for p in $peers; do
        rm -f "$build/tmp/$p.db" "$build/tmp/$p.db-wal" "$build/tmp/$p.db-shm"
        # shellcheck disable=SC2046
        if ! $(peer_cmd "$p") --db "$build/tmp/$p.db" --rounds 1 $quick >>"$results" 2>"$build/$p.err"; then
            echo "run.sh: $p failed (round $r): $(tail -n 3 "$build/$p.err")" >&2
        fi
    done
    r=$((r + 1))
done
"$py" "$here/table.py" "$results" "$sinew" "$sinew_sys"
