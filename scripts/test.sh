#!/bin/sh
# test.sh - build and run every test:
#   1. gcc with AddressSanitizer + UndefinedBehaviorSanitizer, the whole suite on
#      SQLite and on a throwaway PostgreSQL server (scripts/with-postgres.sh);
#   2. clang with -Werror (everything must compile warning-free there too), unit tests;
#   3. valgrind over the database tests in a plain build (leaks, uninitialised reads).
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh test
jobs=$(nproc 2>/dev/null || echo 2)

echo "== 1/3 gcc + ASan/UBSan: SQLite and PostgreSQL"
pg=OFF
[ -x scripts/with-postgres.sh ] && pg=ON
cmake -S . -B build/asan -DCMAKE_C_COMPILER=gcc -DSINEW_SANITIZE=ON -DSINEW_TEST_POSTGRES=$pg >/dev/null
cmake --build build/asan -j"$jobs" >/dev/null
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if [ $pg = ON ]; then
    scripts/with-postgres.sh ctest --test-dir build/asan --output-on-failure -j"$jobs"
else
    ctest --test-dir build/asan --output-on-failure -j"$jobs"
fi
for label in sqlite postgres; do
    n=$(ctest --test-dir build/asan -N -L "^$label\$" | sed -n 's/^Total Tests: //p')
    echo "tests run against $label: ${n:-0}"
done

echo "== 2/3 clang -Werror, unit tests and bounded libFuzzer runs"
cmake -S . -B build/clang -DCMAKE_C_COMPILER=clang -DSINEW_FUZZ=ON >/dev/null
cmake --build build/clang -j"$jobs" >/dev/null
ctest --test-dir build/clang --output-on-failure -j"$jobs" -L "unit|fuzz"

echo "== 3/3 valgrind (plain build, SQLite)"
cmake -S . -B build/plain -DCMAKE_C_COMPILER=gcc >/dev/null
cmake --build build/plain -j"$jobs" >/dev/null
ctest --test-dir build/plain -L sqlite -j"$jobs" --output-on-failure \
    --overwrite MemoryCheckCommand=/usr/bin/valgrind \
    --overwrite "MemoryCheckCommandOptions=--error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --child-silent-after-fork=yes" \
    -T memcheck >build/plain/memcheck.log 2>&1 || { cat build/plain/memcheck.log; exit 1; }
if grep -q "Defects:" build/plain/memcheck.log; then
    cat build/plain/memcheck.log
    echo "valgrind found defects" >&2
    exit 1
fi
tail -n 3 build/plain/memcheck.log
echo "all test stages passed"
