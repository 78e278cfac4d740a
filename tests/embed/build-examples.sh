#!/bin/sh
# build-examples.sh BUILD_DIR SOURCE_DIR OUT_DIR
#
# Install libsbx from BUILD_DIR into OUT_DIR/dest with `meson install
# --destdir`, then compile examples/*.c against that installed copy with
# nothing but `pkg-config --cflags --libs libsbx`, the way a project that
# embeds libsbx builds.  The .pc file names the real prefix (/usr/local);
# --define-variable moves it under the destdir.  Prints the library
# directory (for LD_LIBRARY_PATH) as the last line of stdout.
set -eu
build=$1
src=$2
out=$3
dest=$out/dest

meson install -C "$build" --no-rebuild --quiet --destdir "$dest" >/dev/null
pc=$(find "$dest" -path '*/pkgconfig/libsbx.pc' | head -n 1)
if [ -z "$pc" ]; then
        echo "build-examples: no libsbx.pc under $dest" >&2
        exit 1
fi
PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_PATH
prefix=$(pkg-config --variable=prefix libsbx)
pc="pkg-config --define-variable=prefix=$dest$prefix"
cflags=$($pc --cflags libsbx)
libs=$($pc --libs libsbx)
libdir=$($pc --variable=libdir libsbx)
echo "cflags: $cflags" >&2
echo "libs: $libs" >&2

mkdir -p "$out/bin"
for ex in confined-server convert-pool; do
        # shellcheck disable=SC2086
        cc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$out/bin/$ex" "$src/examples/$ex.c" \
                $cflags $libs -pthread
done
echo "$libdir"
