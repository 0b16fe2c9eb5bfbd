#!/bin/sh
# synthehr — GPL-3.0-or-later.
# Benchmark: profile (synthehr review) and preprocessing (synthehr prep) of
# the full-size demo cohort (181,294 patients × about 1,600 columns).
# Prints wall time and peak RSS of each step (GNU time -v).  Targets: at
# most 10 s and 800 MB for profile + prep together.
# usage: bench/prep.sh [SYNTHEHR_BINARY]   (default: build-prep/synthehr)
set -e
SYN=${1:-build-prep/synthehr}
[ -x "$SYN" ] || { echo "bench/prep.sh: no binary at $SYN (build first)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench/prep.sh: needs GNU time (/usr/bin/time)" >&2; exit 2; }
T=$(mktemp -d "${TMPDIR:-/tmp}/synthehr-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT
echo "creating the full-size demo study (not timed)..."
"$SYN" init "$T/s" --demo --full >/dev/null 2>&1
step() {   # step NAME command...
	name=$1; shift
	/usr/bin/time -v "$@" >"$T/$name.out" 2>"$T/$name.time"
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$T/$name.time")
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$T/$name.time")
	user=$(sed -n 's/.*User time (seconds): //p' "$T/$name.time")
	sys=$(sed -n 's/.*System time (seconds): //p' "$T/$name.time")
	cpu=$(echo "$user $sys" | awk '{ printf "%.2f", $1 + $2 }')
	printf '%-16s wall %8s  user %6s s  sys %6s s  cpu %6s s  peak RSS %6d MB\n' "$name" "$wall" "$user" "$sys" "$cpu" $((rss / 1024))
}
# prep loads the cohort once, profiles it (cold cache) and applies the plan
step "profile+prep" "$SYN" prep "$T/s"
# review then reads the cached profile
step "review(cached)" "$SYN" review "$T/s" BMI
# the profile alone, recomputed (loads the cohort again)
step "review(refresh)" "$SYN" review --refresh "$T/s"
grep -E "^(patients|age,|female|DIE_1y|BMI,|DIASTOLIC,|SYSTOLIC,|columns)" "$T/profile+prep.out" || true
ls -l "$T/s/prep" | awk 'NR > 1 { printf "  %-12s %10d bytes\n", $9, $5 }'
echo "(load average: $(cut -d' ' -f1-3 /proc/loadavg); on a busy machine wall time is high, cpu time is the program's cost)"
