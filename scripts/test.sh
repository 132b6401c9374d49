#!/bin/sh
# test.sh - build and run every test:
#   1. gcc with AddressSanitizer + UndefinedBehaviorSanitizer, the whole suite on
#      SQLite, on a throwaway PostgreSQL server (scripts/with-postgres.sh) and on a
#      throwaway MariaDB server (scripts/with-mariadb.sh, label mariadb), in one run;
#      then, in the same build, the PostgreSQL suite again through PgBouncer in
#      transaction and in session pooling (label pgbouncer,
#      scripts/with-pgbouncer.sh) and the read-replica tests against a primary
#      and a hot standby (label replica, scripts/with-replica.sh) and the Citus
#      tests on a coordinator and two workers (label citus, scripts/with-citus.sh:
#      the PostgreSQL suite again, each test in a distributed schema of its own,
#      plus tests/pool/test_citus.c; skipped, saying so, where no Citus build is
#      found), each stage with
#      throwaway servers of its own, removed even when it fails;
#   2. ThreadSanitizer over the connection pool's threaded tests, on SQLite,
#      PostgreSQL and MariaDB (only the pool tests are built there, to keep the
#      stage short);
#   3. clang with -Werror (everything must compile warning-free there too), unit tests;
#   4. valgrind over the database tests in a plain build (leaks, uninitialised reads),
#      linked against the system's libsqlite3 (-DSINEW_SYSTEM_SQLITE=ON, the
#      distributions' build) so that both SQLite builds are tested; the other
#      stages, and the Release tree's install check, use the embedded SQLite
#      (vendor/sqlite), compiled in each tree with that tree's flags (sanitizers
#      included, so ASan and TSan see inside SQLite too).
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh test
jobs=$(nproc 2>/dev/null || echo 2)

echo "== 1/4 gcc + ASan/UBSan: SQLite, PostgreSQL and MariaDB"
pg=OFF
[ -x scripts/with-postgres.sh ] && pg=ON
my=OFF
[ -x scripts/with-mariadb.sh ] && my=ON
cmake -S . -B build/asan -DCMAKE_C_COMPILER=gcc -DSINEW_SANITIZE=ON -DSINEW_TESTS=ON -DSINEW_TEST_POSTGRES=$pg \
    -DSINEW_TEST_MARIADB=$my >/dev/null
cmake --build build/asan -j"$jobs" >/dev/null
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# both servers around one ctest run: the three backends' tests share the machine's cores
servers=
[ $pg = ON ] && servers="scripts/with-postgres.sh"
[ $my = ON ] && servers="$servers scripts/with-mariadb.sh"
$servers ctest --test-dir build/asan --output-on-failure -j"$jobs"
for label in sqlite postgres mariadb; do
    n=$(ctest --test-dir build/asan -N -L "^$label\$" | sed -n 's/^Total Tests: //p')
    echo "tests run against $label: ${n:-0}"
done
if [ $pg = ON ]; then
    for mode in transaction session; do
        echo "== 1/4 PgBouncer, $mode pooling: the PostgreSQL suite through it"
        scripts/with-pgbouncer.sh $mode ctest --test-dir build/asan --output-on-failure -j"$jobs" -L pgbouncer
    done
    echo "== 1/4 read replicas: a primary and a hot standby"
    scripts/with-replica.sh ctest --test-dir build/asan --output-on-failure -L replica
    echo "== 1/4 Citus: a coordinator and two workers"
    # exit 77: no Citus build here (with-citus.sh said where it looked); anything else is the tests'
    set +e
    scripts/with-citus.sh ctest --test-dir build/asan --output-on-failure -j"$jobs" -L citus
    citus=$?
    set -e
    if [ $citus = 77 ]; then echo "citus stage skipped: no Citus build (see above)"; elif [ $citus != 0 ]; then exit $citus; fi
fi

echo "== 2/4 ThreadSanitizer: the connection pool on SQLite, PostgreSQL and MariaDB"
tsan_cc=clang
command -v clang >/dev/null 2>&1 || tsan_cc=gcc
cmake -S . -B build/tsan -DCMAKE_C_COMPILER=$tsan_cc -DSINEW_TSAN=ON -DSINEW_TESTS=ON -DSINEW_TEST_POSTGRES=$pg \
    -DSINEW_TEST_MARIADB=$my >/dev/null
tsan_targets=test_pool
[ $pg = ON ] && tsan_targets="test_pool test_pool_pg"
cmake --build build/tsan -j"$jobs" --target $tsan_targets >/dev/null
# Some kernels map memory where TSan's shadow expects none ("unexpected memory
# mapping", with a high vm.mmap_rnd_bits): run without address randomisation then.
tsan_wrap=
printf 'int main(void) { return 0; }\n' >build/tsan/probe.c
$tsan_cc -fsanitize=thread build/tsan/probe.c -o build/tsan/probe
if ! build/tsan/probe >build/tsan/probe.log 2>&1; then
    if grep -q "unexpected memory mapping" build/tsan/probe.log && command -v setarch >/dev/null 2>&1; then
        tsan_wrap="setarch $(uname -m) -R"
        echo "ThreadSanitizer needs address randomisation off here: running under $tsan_wrap"
    else
        cat build/tsan/probe.log >&2
        exit 1
    fi
fi
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
# both servers around the run, as in stage 1 (the MariaDB pool tests run there too)
$tsan_wrap $servers ctest --test-dir build/tsan -R pool --output-on-failure

echo "== 3/4 clang -Werror, unit tests and bounded libFuzzer runs"
cmake -S . -B build/clang -DCMAKE_C_COMPILER=clang -DSINEW_TESTS=ON -DSINEW_FUZZ=ON >/dev/null
cmake --build build/clang -j"$jobs" >/dev/null
ctest --test-dir build/clang --output-on-failure -j"$jobs" -L "unit|fuzz"

echo "== 4/4 valgrind (plain build, SQLite: the system's libsqlite3)"
cmake -S . -B build/plain -DCMAKE_C_COMPILER=gcc -DSINEW_TESTS=ON -DSINEW_SYSTEM_SQLITE=ON >/dev/null
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
ctest --test-dir build/plain -L install --output-on-failure
# the Release tree (link-time optimization, fat objects) installs and links the same way
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DSINEW_TESTS=OFF >/dev/null
cmake --build build/release -j"$jobs" >/dev/null
sh tests/install/check_install.sh build/release .
echo "all test stages passed"
