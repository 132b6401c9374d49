#!/bin/sh
# check_layer_dirs.sh CC BINARY_DIR SOURCE_DIR - the build itself refuses an
# include that goes up a layer: each layer compiles against its own include
# directory (BINARY_DIR/layers/<layer>, cmake/SinewLayers.cmake), so a probe
# including a header of a higher layer with those flags must fail to compile,
# and one including a header of its own or a lower layer must compile.
set -eu
cc=$1 bin=$2 src=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
bad=0
probe() {   # probe LAYER HEADER yes|no
    printf '#include "%s"\n' "$2" >"$tmp/probe.c"
    if "$cc" -std=c11 -D_GNU_SOURCE -fsyntax-only -I"$bin/layers/$1" -I"$src/src/base" "$tmp/probe.c" >"$tmp/log" 2>&1
    then got=yes; else got=no; fi
    if [ "$got" != "$3" ]; then
        echo "layer $1 including \"$2\": expected $( [ "$3" = yes ] && echo 'to compile' || echo 'a compile error'), got the opposite" >&2
        cat "$tmp/log" >&2
        bad=$((bad + 1))
    fi
}
[ -d "$bin/layers/schema" ] || { echo "no $bin/layers: configure the tree first" >&2; exit 1; }
probe base base.h yes
probe base sinew/status.h yes
probe base sinew/schema.h no
probe schema schema/lang.h yes
probe schema schema/introspect.h yes
probe schema sql/dialect.h no
probe schema orm/orm.h no
probe schema sinew/driver.h no
probe schema sinew/db.h no
probe sql sql/dialect.h yes
probe sql driver/readers.h no
probe codegen sinew/codegen.h yes
probe codegen sql/dialect.h no
probe codegen sinew/diagram.h no
probe diagram sql/dialect.h yes
probe diagram sinew/migrate.h no
if [ -d "$bin/layers/driver" ]; then
    probe driver driver/readers.h yes
    probe driver schema/introspect.h yes
    probe driver orm/orm.h no
    probe driver sinew/session.h no
    probe orm orm/orm.h yes
    probe orm sinew/driver.h yes
    probe orm migrate/files.h no
    probe orm sinew/migrate.h no
    probe migrate orm/orm.h yes
    probe migrate sinew/codegen.h no
fi
[ "$bad" -eq 0 ] || exit 1
echo "check_layer_dirs: each layer compiles only against its own and lower layers' headers"
