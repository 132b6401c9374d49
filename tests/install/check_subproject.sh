#!/bin/sh
# check_subproject.sh SOURCE_DIR - sinew pulled into another project with
# add_subdirectory() (as FetchContent does) configures the library and the
# tool only: no test suite, examples or benchmark unless asked for.
set -eu
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/app"
cat >"$tmp/app/CMakeLists.txt" <<CM
cmake_minimum_required(VERSION 3.20)
project(app C)
add_subdirectory("$src" sinew)
if(NOT COMMAND sinew_generate)
  message(FATAL_ERROR "sinew_generate() is not available to the parent project")
endif()
add_executable(app main.c)
target_link_libraries(app PRIVATE sinew::sinew)
CM
printf '#include <sinew/sinew.h>\nint main(void) { return 0; }\n' >"$tmp/app/main.c"
cmake -S "$tmp/app" -B "$tmp/build" >"$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log" >&2; exit 1; }
targets=$(cmake --build "$tmp/build" --target help)
for t in sinew_static sinew_shared sinew_cli app; do
    echo "$targets" | grep -q "\\.\\.\\. $t\$" || { echo "subproject: target $t missing" >&2; exit 1; }
done
if echo "$targets" | grep -E '\.\.\. (test_|blog_example|quickstart|sinew_bench)'; then
    echo "subproject: a dependency's build includes sinew's tests, examples or benchmark" >&2
    exit 1
fi
grep -q '^SINEW_TESTS:BOOL=OFF$' "$tmp/build/CMakeCache.txt" || { echo "subproject: SINEW_TESTS is not OFF" >&2; exit 1; }
echo "subproject: library and tool only"
