#!/bin/sh
# synthehr — GPL-3.0-or-later.
# Benchmark of the whole fast evaluation suite (every metric, the real-data
# privacy baseline, bootstrap stability) over 5 synthetic sets (4 simulated
# runs + the independent-marginals baseline), at 50,000 × 1,000 and at the
# tutorial's size (126,522 train, 54,224 test, 1,460 columns).  Prints the
# wall time, peak RSS, and seconds per metric summed over the sets.
#
# usage: bench/eval.sh [BUILDDIR] [small|tutorial|both]   (run from the source tree)
# Each size needs about 1 GB of disk under $TMPDIR and runs for minutes: use
# `nice` on a shared machine.
set -e
B=${1:-build-eval}
WHICH=${2:-both}
SYNTHEHR=$B/synthehr
MK=$B/bench/eval_mkstudy
[ -x "$MK" ] || { echo "build $MK first (make check or make bench/eval_mkstudy)" >&2; exit 2; }
export OMP_WAIT_POLICY=PASSIVE
T=$(mktemp -d "${TMPDIR:-/tmp}/synthehr-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT

one() {   # one NAME TRAIN TEST COLS
	echo "== $1: $2 train, $3 test, $4 columns, 4 runs + marginals baseline"
	"$MK" "$T/$1" "$2" "$3" "$4" 4 1
	/usr/bin/time -v "$SYNTHEHR" evaluate "$T/$1" --preset fast >"$T/$1.out" 2>"$T/$1.err" || {
		tail -20 "$T/$1.err"; exit 1; }
	grep -E 'Elapsed|Maximum resident|User time|System time' "$T/$1.err"
	if command -v jq >/dev/null 2>&1; then
		jq -r '"total seconds (driver): \(.seconds|floor), peak RSS (driver) MB: \(.peak_rss_mb|floor)",
		  ([.sets[].seconds | to_entries[]] | group_by(.key) |
		   map("  \(.[0].key): \(map(.value) | add | . * 10 | floor / 10) s") | .[])' "$T/$1/eval/metrics.json"
	fi
	sed -n '1,20p' "$T/$1.out"
	rm -rf "$T/$1"
}

case $WHICH in
small) one small 50000 21429 1000 ;;
tutorial) one tutorial 126522 54224 1460 ;;
*) one small 50000 21429 1000; one tutorial 126522 54224 1460 ;;
esac
