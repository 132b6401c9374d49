#!/bin/sh
# sqlite_engines.sh [sinew_bench options] - the SQLite workloads on both engines:
# the benchmark built twice in Release, once on the embedded SQLite (vendor/sqlite,
# the default) and once on the system's libsqlite3 (-DSINEW_SYSTEM_SQLITE=ON), each
# run in a process of its own (two SQLite copies in one process would break each
# other's file locks), the rows of each labelled with its engine. What the embedded
# build buys is the difference between the two raw columns (and the two sinew ones).
#   sh bench/sqlite_engines.sh --rounds 5 --only W1
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
for engine in embedded system; do
    dir=build/release
    opt=-DSINEW_SYSTEM_SQLITE=OFF
    if [ $engine = system ]; then dir=build/release-sys; opt=-DSINEW_SYSTEM_SQLITE=ON; fi
    cmake -S . -B $dir -DCMAKE_BUILD_TYPE=Release -DSINEW_TESTS=OFF $opt >/dev/null
    cmake --build $dir -j"$jobs" --target sinew_bench >/dev/null
done
printf '| engine | W | backend | workload | sinew ms | raw ms | ratio | sinew rows/s | sinew KiB | raw KiB | sinew stmts | raw stmts |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|---|\n'
for engine in embedded system; do
    dir=build/release
    [ $engine = system ] && dir=build/release-sys
    version=$($dir/bench/sinew_bench "$@" | tee $dir/bench/engine.out | sed -n 's/.*; SQLite \([0-9.]*\)$/\1/p')
    grep -E '^\| W[0-9]' $dir/bench/engine.out | sed "s/^|/| $engine $version |/"
done
