#!/bin/sh
# synthehr — GPL-3.0-or-later.
# Load benchmark (issue 2): write the --full demo cohort (181,294 patients x
# 1,595 columns, about 580 MB of CSV) once, then time csv_read_cohort() on
# it.  Targets: at least 100 MB/s and at most 600 MB peak RSS.
#   bench/load.sh [BUILDDIR]        (default: build)
# BENCH_DIR (default /tmp) holds the generated CSV between runs.
set -e
BUILDDIR=${1:-build}
DIR=${BENCH_DIR:-/tmp}
CSV="$DIR/synthehr-demo-full.csv"
[ -x "$BUILDDIR/synthehr" ] || { echo "load.sh: build first ($BUILDDIR/synthehr missing)" >&2; exit 2; }
make -s -C "$BUILDDIR" bench/bench_load >/dev/null
if [ ! -f "$CSV" ]; then
	echo "writing $CSV (synthehr demo --full)" >&2
	/usr/bin/time -f "demo --full: %e s wall, %M KB peak RSS" "$BUILDDIR/synthehr" demo --full -o "$CSV" >/dev/null
fi
cat "$CSV" >/dev/null   # warm the page cache: measure parsing, not the disk
/usr/bin/time -v "$BUILDDIR/bench/bench_load" "$CSV" 2>"$DIR/synthehr-load-time.txt"
grep -E "Maximum resident set size|Elapsed \(wall|User time|System time" "$DIR/synthehr-load-time.txt"
echo "(load average: $(cut -d' ' -f1-3 /proc/loadavg); wall MB/s is low on a busy machine, cpu MB/s is the parser's speed)"
