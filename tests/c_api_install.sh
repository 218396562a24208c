#!/bin/sh
# c_api_install.sh SRCDIR BUILDDIR: `meson install` of BUILDDIR into a
# temporary directory (as `make install PREFIX=...` does, through DESTDIR),
# then build the example program of docs/c-api.md against it with
# `cc prog.c $(pkg-config --cflags --libs mmlab)`, run it and check the
# output the guide shows.
set -eu
src=$1 build=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
meson install -C "$build" --destdir "$tmp/root" --no-rebuild --quiet >"$tmp/log" 2>&1 ||
	{ cat "$tmp/log"; echo "c_api_install: meson install failed"; exit 1; }
pc=$(find "$tmp/root" -name mmlab.pc | head -n 1)
[ -n "$pc" ] || { echo "c_api_install: no mmlab.pc installed"; exit 1; }
for f in bin/mmlab include/mmlab/mmlab.h; do
	[ -n "$(find "$tmp/root" -path "*/$f")" ] ||
		{ echo "c_api_install: $f not installed"; exit 1; }
done
[ -n "$(find "$tmp/root" -name libmmlab.a)" ] ||
	{ echo "c_api_install: libmmlab.a not installed"; exit 1; }
# the installed prefix, moved under the DESTDIR
prefix=$(sed -n 's/^prefix=//p' "$pc")
# the first ```c block of the guide is the program
awk '/^```c$/ { on = 1; next } /^```$/ { if (on) exit } on' \
	"$src/docs/c-api.md" >"$tmp/prog.c"
export PKG_CONFIG_PATH="$(dirname "$pc")"
flags=$(pkg-config --define-variable=prefix="$tmp/root$prefix" --cflags --libs mmlab)
cc -o "$tmp/prog" "$tmp/prog.c" $flags
"$tmp/prog" >"$tmp/out"
cat "$tmp/out"
grep -q "^parent's VMA: Rss 4096 kB, Pss 2050 kB, Private_Dirty 4 kB$" "$tmp/out" ||
	{ echo "c_api_install: not the output docs/c-api.md shows"; exit 1; }
