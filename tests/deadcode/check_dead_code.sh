#!/bin/sh
# check_dead_code.sh BINARY_DIR SOURCE_DIR - the library holds no dead internal
# function: every hidden (sn_*, non-exported) function that an object of the
# library defines is called from somewhere in the library or the `sinew` tool.
#
# A call from another object shows as a relocation against the function's
# symbol. A call inside the defining object may have been resolved by the
# assembler (hidden symbol, same section: no relocation), so a function no
# relocation names is dead only if its name also appears nowhere in src/ or
# tools/ but in its own definition (and declarations). Public functions
# (SINEW_API) are the API and not checked; static ones are the compiler's
# (-Wunused-function, part of -Wall).
set -eu
bin=$1
src=$2
command -v readelf >/dev/null || { echo "dead code: readelf missing (binutils)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
find "$bin/CMakeFiles/sinew_obj.dir" "$bin/CMakeFiles/sinew_cli.dir" -name '*.o' >"$tmp/objs" 2>/dev/null || true
[ -s "$tmp/objs" ] || { echo "dead code: no objects of sinew_obj / sinew_cli under $bin (build them first)" >&2; exit 1; }
: >"$tmp/defined"
: >"$tmp/called"
while read -r o; do
    readelf -sW "$o" | awk '$4 == "FUNC" && $5 == "GLOBAL" && $6 == "HIDDEN" && $7 != "UND" {print $8}' >>"$tmp/defined"
    readelf -rW "$o" | awk 'NF >= 5 && $1 ~ /^[0-9a-f]+$/ {print $5}' | sed 's/@.*//' >>"$tmp/called"
done <"$tmp/objs"
sort -u "$tmp/defined" -o "$tmp/defined"
sort -u "$tmp/called" -o "$tmp/called"
status=0
for f in $(comm -23 "$tmp/defined" "$tmp/called"); do
    # uses in .c files: every mention but the definition, a line that starts the function
    uses=$(grep -rhw --include='*.c' "$f" "$src/src" "$src/tools" | grep -cvE "^[A-Za-z].*\b$f\([^;]*$" || true)
    if [ "$uses" -eq 0 ]; then
        echo "dead code: $f is defined ($(grep -rlw --include='*.c' "$f" "$src/src" | sed "s|$src/||" | tr '\n' ' ')) but never called; remove it" >&2
        status=1
    fi
done
[ $status -ne 0 ] || echo "dead code: none among $(wc -l <"$tmp/defined") internal functions"
exit $status
