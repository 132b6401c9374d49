#!/bin/sh
# check_exports.sh LIBSINEW_SO SOURCE_DIR - libsinew.so exports the public API
# and nothing else: every symbol it defines is a sinew_* name declared with
# SINEW_API in include/sinew/*.h, every such declaration is exported, and every
# function or object a public header declares carries SINEW_API (a declaration
# without it would be hidden by -fvisibility=hidden and fail to link).
set -eu
lib=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
command -v nm >/dev/null || { echo "exports: nm missing (binutils)" >&2; exit 1; }

# names the headers declare: file-scope lines (not typedefs, not indented
# struct members or comments) naming a sinew_* function, and extern objects
cat "$src"/include/sinew/*.h >"$tmp/headers"
grep -E '^[A-Za-z].*\bsinew_[a-z0-9_]+\(|^(SINEW_API )?extern const ' "$tmp/headers" |
    grep -vE '^(typedef|struct|enum|#|extern "C")' >"$tmp/decls" || true
if grep -v '^SINEW_API ' "$tmp/decls" >"$tmp/unmarked"; then
    echo "exports: public declarations without SINEW_API (include/sinew/export.h):" >&2
    cat "$tmp/unmarked" >&2
    exit 1
fi
sed -E 's/^SINEW_API extern const [A-Za-z_0-9]+ \**([a-z_0-9]+).*/\1/; t; s/[^(]*\b(sinew_[a-z0-9_]+)\(.*/\1/' "$tmp/decls" |
    sort -u >"$tmp/declared"

# what the library defines (names starting with _ are the toolchain's: _init, _fini, sanitizer symbols)
nm -D --defined-only "$lib" | awk '{print $NF}' | grep -v '^_' | sort -u >"$tmp/exported"
status=0
if grep -n '^sn_' "$tmp/exported" >&2; then
    echo "exports: internal sn_* symbols are exported from $lib" >&2
    status=1
fi
if comm -23 "$tmp/exported" "$tmp/declared" | grep . >"$tmp/extra"; then
    echo "exports: exported but declared in no public header:" >&2
    cat "$tmp/extra" >&2
    status=1
fi
# the PostgreSQL and MariaDB drivers are absent from a build without them (SINEW_POSTGRES=OFF,
# SINEW_MARIADB=OFF or Connector/C not found)
if comm -13 "$tmp/exported" "$tmp/declared" | grep -v '^sinew_postgres_driver$' | grep -v '^sinew_mariadb_driver$' |
    grep . >"$tmp/missing"; then
    echo "exports: declared with SINEW_API but not exported:" >&2
    cat "$tmp/missing" >&2
    status=1
fi
[ $status = 0 ] && echo "exports: $(wc -l <"$tmp/exported") public symbols, nothing else"
exit $status
