#!/bin/sh
# example.sh - build sinew and run the main example on an embedded SQLite file.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh example
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DSINEW_TESTS=OFF -DSINEW_EXAMPLES=ON >/dev/null
cmake --build build/release -j"$(nproc)" >/dev/null
mkdir -p out
if [ -x build/release/examples/blog/blog_example ]; then
    exec ./build/release/examples/blog/blog_example out/blog.db
fi
exec ./build/release/examples/quickstart/quickstart out/quickstart.db
