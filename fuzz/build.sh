#!/bin/sh
# synthehr — GPL-3.0-or-later.
# Build the libFuzzer harnesses with clang (make fuzz calls this).
# usage: fuzz/build.sh SRCDIR BUILDDIR OUTDIR "LIBRARY SOURCES"
set -eu
srcdir=$1; builddir=$2; out=$3; sources=$4
mkdir -p "$out"
CC=${FUZZ_CC:-clang}
flags="-g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -I$builddir -I$srcdir/include -I$srcdir/src -I$srcdir/fuzz"
flags="$flags $(pkg-config --cflags openblas jansson zlib ncursesw xgboost cairo libpng) -DSYNTHEHR_THEMEDIR=\"/nonexistent\""
libs="$(pkg-config --libs xgboost lapack openblas jansson zlib ncursesw cairo libpng) -lreadline -lcsv -lpthread -lm"
# Every library source except main.c, compiled once into objects.
objs=""
mkdir -p "$out/obj"
for f in $sources; do
	case $f in *.c) ;; *) continue ;; esac
	o="$out/obj/$(echo "$f" | tr / _ | sed 's/\.c$/.o/')"
	# an object newer than its source and every header is kept
	if [ -f "$o" ] && [ "$o" -nt "$srcdir/$f" ] &&
	   [ -z "$(find "$srcdir/include" "$srcdir/src" "$builddir/config.h" -name '*.h' -newer "$o" 2>/dev/null | head -1)" ]; then
		objs="$objs $o"
		continue
	fi
	$CC $(echo "$flags" | sed 's/fuzzer,//') -fsanitize=fuzzer-no-link -c "$srcdir/$f" -o "$o"
	objs="$objs $o"
done
for h in "$srcdir"/fuzz/fuzz_*.c; do
	name=$(basename "$h" .c)
	echo "  FUZZ   $out/$name" >&2
	$CC $flags "$h" $objs $libs -o "$out/$name"
done
