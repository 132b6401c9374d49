#!/bin/sh
# check_driverless.sh SOURCE_DIR CC - the code generator needs no database:
# a tree configured with -DSINEW_DRIVERS=OFF (and SQLite and libpq hidden
# from find_package) builds libsinew and the sinew tool without libsqlite3 or
# libpq, `sinew generate` turns examples/blog/blog.sinew into C that compiles,
# and `sinew check`, `format` and `diagram` work from the schema file.
set -eu
src=$1 cc=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "driverless: $*" >&2; exit 1; }

cmake -S "$src" -B "$tmp/build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Debug -DSINEW_DRIVERS=OFF \
    -DCMAKE_DISABLE_FIND_PACKAGE_SQLite3=ON -DCMAKE_DISABLE_FIND_PACKAGE_PostgreSQL=ON \
    >"$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log" >&2; fail "configure failed"; }
grep -q '^SINEW_TESTS:BOOL=OFF$' "$tmp/build/CMakeCache.txt" || fail "SINEW_TESTS is not OFF without drivers"
cmake --build "$tmp/build" -j2 --target sinew_cli sinew_shared sinew_static >"$tmp/build.log" 2>&1 ||
    { cat "$tmp/build.log" >&2; fail "build failed"; }

tool=$tmp/build/sinew
lib=$(ls "$tmp"/build/libsinew.so.*.*.* | head -n 1)
for f in "$tool" "$lib"; do
    if ldd "$f" | grep -E 'libsqlite3|libpq'; then fail "$(basename "$f") links a database client library"; fi
    if nm -D "$f" | grep -E ' U (sqlite3_|PQ)'; then fail "$(basename "$f") needs a database client symbol"; fi
done
if nm "$tmp/build/libsinew.a" 2>/dev/null | grep -E ' [TU] (sqlite3_|PQ|sinew_open$)'; then
    fail "libsinew.a holds driver or ORM code"
fi

"$tool" --help >"$tmp/help.txt"
grep -q 'generate' "$tmp/help.txt" || fail "sinew --help lists no generate"
if grep -E '^  (migrate|db) ' "$tmp/help.txt"; then fail "sinew --help offers commands that need a database"; fi

"$tool" check "$src/examples/blog/blog.sinew" || fail "sinew check failed"
"$tool" format "$src/examples/blog/blog.sinew" >"$tmp/formatted.sinew" || fail "sinew format failed"
"$tool" generate "$src/examples/blog/blog.sinew" -o "$tmp/gen" || fail "sinew generate failed"
for f in "$tmp"/gen/*.c; do
    "$cc" -std=c11 -Wall -Wextra -Werror -c -I"$src/include" -I"$tmp/gen" "$f" -o "$tmp/gen.o" ||
        fail "the generated $(basename "$f") does not compile"
done
"$tool" diagram "$src/examples/blog/blog.sinew" -f mermaid >"$tmp/blog.mmd" || fail "sinew diagram failed"
grep -q erDiagram "$tmp/blog.mmd" || fail "sinew diagram drew no ER diagram"
if "$tool" diagram "$src/examples/blog/blog.sinew" --db sqlite::memory: 2>"$tmp/err.txt"; then
    fail "sinew diagram --db succeeded without drivers"
fi
grep -q 'SINEW_DRIVERS=OFF' "$tmp/err.txt" || { cat "$tmp/err.txt" >&2; fail "diagram --db does not say why it cannot"; }
echo "driverless: generate, check, format and diagram without libsqlite3 or libpq"
