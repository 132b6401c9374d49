#!/bin/sh
# check_includes.sh SOURCE_DIR - every #include "..." in src/ and tools/sinew
# stays in its layer or goes down (docs/architecture.md):
#
#   base -> schema -> sql -> driver -> orm -> migrate -> tools/sinew (the CLI)
#              |        \-> diagram
#              \-> codegen
#
# A private header is named by its directory ("orm/orm.h") or, inside its own
# directory, by its bare name; base.h and sn_limits.h by their bare names.
# Public headers (sinew/x.h) belong to the layer that implements them, as in
# cmake/SinewLayers.cmake. No "../" paths, no unknown directory or header,
# and database client headers (<sqlite3.h>, <libpq-fe.h>, ...) only in
# src/driver: the schema layer does no I/O. The build enforces the same
# (each layer compiles against an include directory holding only what it may
# use); this check also names the offending line.
set -eu
src=${1:?usage: check_includes.sh SOURCE_DIR}
cd "$src"

# the layers a layer may include (itself included)
allowed() {
    case $1 in
        base) echo "base" ;;
        schema) echo "base schema" ;;
        sql) echo "base schema sql" ;;
        codegen) echo "base schema codegen" ;;
        diagram) echo "base schema sql diagram" ;;
        driver) echo "base schema sql driver" ;;
        orm) echo "base schema sql driver orm" ;;
        migrate) echo "base schema sql driver orm migrate" ;;
        cli) echo "base schema sql codegen diagram driver orm migrate cli" ;;
        *) return 1 ;;
    esac
}

# the layer of a public header
public_layer() {
    case $1 in
        export.h | status.h | types.h | version.h) echo base ;;
        schema.h | parse.h) echo schema ;;
        dialect.h | query_types.h) echo sql ;;
        driver.h) echo driver ;;
        db.h | session.h | query.h | relations.h | transaction.h | pool.h) echo orm ;;
        codegen.h) echo codegen ;;
        diagram.h) echo diagram ;;
        migrate.h) echo migrate ;;
        sinew.h) echo cli ;;          # the umbrella header: everything
        *) return 1 ;;
    esac
}

bad=0
report() {
    echo "$1:$2: $3" >&2
    bad=$((bad + 1))
}

# every public header has a layer (a new one must be placed)
for h in include/sinew/*.h; do
    public_layer "$(basename "$h")" >/dev/null || report "$h" 1 "public header without a layer: add it to check_includes.sh and cmake/SinewLayers.cmake"
done

files=$(find src tools/sinew -name '*.[ch]' | sort)
for f in $files; do
    dir=$(dirname "$f")
    case $dir in
        tools/sinew) layer=cli ;;
        src/*/*) report "$f" 1 "nested directory under src/: a layer is one directory"; continue ;;
        src/*) layer=${dir#src/} ;;
    esac
    if ! ok=$(allowed "$layer"); then
        report "$f" 1 "directory $dir is no known layer: add it to check_includes.sh and cmake/SinewLayers.cmake"
        continue
    fi
    # "NUMBER:HEADER" for every quoted include, "NUMBER:<HEADER>" for system ones
    grep -n '^[[:space:]]*#[[:space:]]*include' "$f" |
        sed -E 's/^([0-9]+):[[:space:]]*#[[:space:]]*include[[:space:]]*(["<][^">]*[">]).*/\1:\2/' >"${TMPDIR:-/tmp}/sinew_inc.$$" || true
    while IFS=: read -r line inc; do
        case $inc in
            \<sqlite3.h\> | \<libpq-fe.h\> | \<libpq/*\> | \<mysql.h\> | \<mysql/*\> | \<mariadb/*\>)
                [ "$layer" = driver ] || report "$f" "$line" "database client header $inc outside src/driver"
                continue ;;
            \<*) continue ;;
        esac
        name=${inc#\"}
        name=${name%\"}
        case $name in
            */../* | ../* | ./*) report "$f" "$line" "relative path \"$name\": name a header by its layer directory"; continue ;;
            sinew/*/*) report "$f" "$line" "unknown public header \"$name\""; continue ;;
            sinew/*)
                if ! target=$(public_layer "${name#sinew/}") || [ ! -f "include/$name" ]; then
                    report "$f" "$line" "unknown public header \"$name\""; continue
                fi ;;
            */*/*) report "$f" "$line" "\"$name\": a private header is src/<layer>/<name>.h"; continue ;;
            */*)
                target=${name%%/*}
                if [ ! -f "src/$name" ]; then report "$f" "$line" "no header src/$name"; continue; fi ;;
            *)
                if [ -f "$dir/$name" ]; then target=$layer
                elif [ -f "src/base/$name" ]; then target=base
                else report "$f" "$line" "\"$name\" is neither in $dir nor in src/base"; continue
                fi ;;
        esac
        case " $ok " in
            *" $target "*) ;;
            *) report "$f" "$line" "the $layer layer includes \"$name\" of the $target layer above it (or beside it)" ;;
        esac
    done <"${TMPDIR:-/tmp}/sinew_inc.$$"
done
rm -f "${TMPDIR:-/tmp}/sinew_inc.$$"

if [ "$bad" -ne 0 ]; then
    echo "check_includes: $bad include(s) break the layering (docs/architecture.md)" >&2
    exit 1
fi
echo "check_includes: $(echo "$files" | wc -l) files, every include stays in its layer or goes down"
