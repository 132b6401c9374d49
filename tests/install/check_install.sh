#!/bin/sh
# check_install.sh BUILD_DIR SOURCE_DIR - install sinew from BUILD_DIR into a
# temporary prefix, then build and run a small program against the installed
# tree: through find_package(sinew) and through pkg-config (static and shared).
# The tree is moved after installing: the package must not depend on where it
# was installed, nor name a dependency by a path of the build machine.
set -eu
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
cmake --install "$build" --prefix "$tmp/installed" >/dev/null
mv "$tmp/installed" "$tmp/prefix"

# libraries by imported target (SQLite::SQLite3, PostgreSQL::PostgreSQL), found
# by sinewConfig.cmake on the consumer's machine; a path here ties the package to this one
if grep -n 'INTERFACE_LINK_LIBRARIES.*/' $(find "$tmp/prefix" -name 'sinewTargets*.cmake'); then
    echo "install: the installed sinewTargets.cmake names libraries by absolute path" >&2
    exit 1
fi

# the embedded SQLite (the default) is inside libsinew: consumers link no libsqlite3,
# neither through the CMake package nor through pkg-config, and libsinew.so needs none
if ! grep -q '^SINEW_SYSTEM_SQLITE:BOOL=ON' "$build/CMakeCache.txt"; then
    so=$(find "$tmp/prefix" -name 'libsinew.so*' -type f | head -n 1)
    if ldd "$so" | grep libsqlite3 >&2 || nm -D --undefined-only "$so" | grep -w 'U sqlite3_[a-z0-9_]*' >&2 ||
        grep -n 'sqlite3\|SQLite3' "$(find "$tmp/prefix" -name sinew.pc)" >&2 ||
        grep -n 'SQLite::' $(find "$tmp/prefix" -name 'sinewTargets*.cmake') >&2; then
        echo "install: built with the embedded SQLite, the installed package still needs the system libsqlite3" >&2
        exit 1
    fi
fi

mkdir -p "$tmp/consumer"
cp "$src/tests/install/consumer.c" "$tmp/consumer/main.c"
cat >"$tmp/consumer/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.16)
project(consumer C)
find_package(sinew REQUIRED)
add_executable(consumer main.c)
target_link_libraries(consumer PRIVATE sinew::sinew)
CM
cmake -S "$tmp/consumer" -B "$tmp/consumer/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/consumer/build" >/dev/null
LD_LIBRARY_PATH="$(dirname "$(find "$tmp/prefix" -name 'libsinew.so*' | head -n 1)")" \
    "$tmp/consumer/build/consumer" "$tmp/find_package.db"

pc=$(dirname "$(find "$tmp/prefix" -name sinew.pc)")
export PKG_CONFIG_PATH="$pc"
command -v pkg-config >/dev/null || { echo "pkg-config missing: apt-get install -y pkg-config" >&2; exit 1; }
# shellcheck disable=SC2046
cc "$tmp/consumer/main.c" -o "$tmp/pc_consumer" $(pkg-config --cflags sinew) -static-libgcc \
    "$(dirname "$pc")/libsinew.a" $(pkg-config --libs-only-l --static sinew | sed 's/-lsinew//')
"$tmp/pc_consumer" "$tmp/pkg_config.db"
# a driver written outside the tree, against the installed headers (interface version 1)
# shellcheck disable=SC2046
cc "$src/tests/install/driver_v1.c" -o "$tmp/driver_v1" $(pkg-config --cflags sinew) -static-libgcc \
    "$(dirname "$pc")/libsinew.a" $(pkg-config --libs-only-l --static sinew | sed 's/-lsinew//')
"$tmp/driver_v1"
# shared, the way pkg-config's users link: it must run without LD_LIBRARY_PATH
# (sinew.pc carries an rpath to its libdir) and load the libsinew.so of the prefix
# shellcheck disable=SC2046
cc "$tmp/consumer/main.c" -o "$tmp/pc_shared" $(pkg-config --cflags --libs sinew)
if ! env -u LD_LIBRARY_PATH ldd "$tmp/pc_shared" | grep -q "$tmp/prefix/.*libsinew\.so"; then
    env -u LD_LIBRARY_PATH ldd "$tmp/pc_shared" >&2
    echo "install: a program linked with pkg-config --libs sinew does not find the prefix's libsinew.so" >&2
    exit 1
fi
env -u LD_LIBRARY_PATH "$tmp/pc_shared" "$tmp/pkg_config_shared.db"
# A Release libsinew.a holds link-time-optimization objects (fat ones): another
# compiler, linking without LTO, must still get working code out of it.
if command -v clang >/dev/null; then
    # shellcheck disable=SC2046
    clang "$tmp/consumer/main.c" -o "$tmp/clang_consumer" $(pkg-config --cflags sinew) \
        "$(dirname "$pc")/libsinew.a" $(pkg-config --libs-only-l --static sinew | sed 's/-lsinew//')
    "$tmp/clang_consumer" "$tmp/clang.db"
fi
echo "install: find_package, pkg-config (static and shared) and clang consumers built and ran from a moved prefix"
