#!/bin/sh
# synthehr — GPL-3.0-or-later.
# Whole training runs against the step alone (issue 14), side by side in one
# run of this script:
#   1. a whole run (`synthehr train`, one run, its checkpoints and metric
#      evaluations included) against `synthehr bench train` at the same
#      geometry and thread count: steps/s by wall clock and CPU seconds per
#      step; target: the run at >= 90% of the bench's steps/s;
#   2. the step against sgemm alone on the same shapes (`bench train`'s
#      step_vs_sgemm: the step's sgemm calls replayed by themselves); target
#      >= 0.75;
#   3. five runs one after another with 2 OpenBLAS threads against five runs
#      at once with one thread each (train.parallel): wall and CPU seconds;
#   4. with CALLGRIND=1, instruction counts (valgrind --tool=callgrind) of a
#      short whole run and of the same number of bench steps.
# The machine may be shared: wall times then say little, so CPU seconds per
# step are printed beside them, and the load average with every block.
#
# usage: bench/train_run.sh [SYNTHEHR]
# env:   STUDY (a prepared study; default: the demo cohort at ROWS rows),
#        ROWS (5000), EPOCHS (40), REPS (3), THREADS (1), WORK
#        (/tmp/synthehr-train-run), PAR (1: also block 3), CALLGRIND (0).
set -eu
SYN=$(cd "$(dirname "${1:-${SYNTHEHR:-./synthehr}}")" && pwd)/$(basename "${1:-${SYNTHEHR:-./synthehr}}")
ROWS=${ROWS:-5000}
EPOCHS=${EPOCHS:-40}
REPS=${REPS:-3}
THREADS=${THREADS:-1}
WORK=${WORK:-/tmp/synthehr-train-run}
PAR=${PAR:-1}
CALLGRIND=${CALLGRIND:-0}
export OMP_WAIT_POLICY=PASSIVE
mkdir -p "$WORK"
chmod 700 "$WORK"

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit; if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
field() { sed -n "s/.*\"$1\":\([0-9.eE+-]*\).*/\1/p"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

if [ -z "${STUDY:-}" ]; then
	STUDY=$WORK/demo$ROWS
	[ -f "$STUDY/prep/train.mtx" ] || {
		rm -rf "$STUDY"
		"$SYN" init "$STUDY" --demo --rows "$ROWS" >/dev/null 2>&1
		"$SYN" prep "$STUDY" >/dev/null 2>&1
	}
fi
COLS=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['columns']))" "$STUDY/prep/layout.json")
# the geometry the runs use: read back from the first run's state.json
geom() {
	python3 - "$1" <<'EOF2'
import json, sys
t = json.load(open(sys.argv[1]))["settings"]
print("BATCH=%d WIDTH=%d DEPTH=%d ZDIM=%d" % (t["batch"], t["width"], t["depth"], t["zdim"]))
EOF2
}
echo "# $("$SYN" --version | tail -1)"
echo "# study $STUDY: $COLS columns; $EPOCHS epochs; $THREADS thread(s); $(date -u)"

copy_study() {  # dst
	rm -rf "$1"
	mkdir -p "$1"
	chmod 700 "$1"
	cp -r "$STUDY/prep" "$STUDY/study.json" "$1/"
}

# 1 and 2: whole runs and bench steps, alternating, REPS times each.
: > "$WORK/runs.txt"
: > "$WORK/bench.txt"
for r in $(seq "$REPS"); do
	d=$WORK/r$r
	copy_study "$d"
	/usr/bin/time -f "%e %U %S" -o "$d/time" "$SYN" train "$d" --runs 1 --epochs "$EPOCHS" \
	    --threads "$THREADS" --minutes 0 --parallel 1 --restart >/dev/null 2>&1
	# the same command again has nothing left to train: its CPU time is the
	# process's start-up (loading the study and the rows), taken off below
	/usr/bin/time -f "%e %U %S" -o "$d/time0" "$SYN" train "$d" --runs 1 --epochs "$EPOCHS" \
	    --threads "$THREADS" --minutes 0 --parallel 1 >/dev/null 2>&1
	python3 - "$d" >> "$WORK/runs.txt" <<'EOF'
import json, sys
d = sys.argv[1]
s = json.load(open(d + "/runs/run-1/state.json"))
wall, user, sys_ = (float(x) for x in open(d + "/time").read().split())
w0, u0, s0 = (float(x) for x in open(d + "/time0").read().split())
# steps/s over the run's recorded seconds (training, checkpoints, metric) and
# over the whole process (start-up and data loading too); CPU s per step
# without the start-up
print(s["steps"] / s["seconds"], s["steps"] / wall, (user + sys_ - u0 - s0) / s["steps"], s["steps"])
EOF
	eval "$(geom "$d/runs/run-1/state.json")"
	GEOM="--batch $BATCH --cols $COLS --width $WIDTH --depth $DEPTH --zdim $ZDIM"
	# shellcheck disable=SC2086
	"$SYN" bench train $GEOM --threads "$THREADS" --steps 100 --warmup 3 >> "$WORK/bench.txt"
done
run_sps=$(awk '{ print $1 }' "$WORK/runs.txt" | median)
proc_sps=$(awk '{ print $2 }' "$WORK/runs.txt" | median)
run_cpu=$(awk '{ print $3 }' "$WORK/runs.txt" | median)
steps=$(awk '{ print $4 }' "$WORK/runs.txt" | median)
b_sps=$(field steps_per_s < "$WORK/bench.txt" | median)
b_cpu=$(field cpu_s_per_step < "$WORK/bench.txt" | median)
svs=$(field step_vs_sgemm < "$WORK/bench.txt" | median)
svs_cpu=$(field step_vs_sgemm_cpu < "$WORK/bench.txt" | median)
sg=$(field sgemm_same_shapes_gflops_per_cpu_s < "$WORK/bench.txt" | median)
st=$(field gflops_per_cpu_s < "$WORK/bench.txt" | median)
echo "# geometry: batch $BATCH width $WIDTH depth $DEPTH zdim $ZDIM"
echo "# 1. whole run ($steps steps) vs bench train, medians of $REPS (load $(load)):"
echo "#    run   $run_sps steps/s (recorded seconds), $proc_sps steps/s (process wall), $run_cpu CPU-s/step (start-up excluded)"
echo "#    bench $b_sps steps/s, $b_cpu CPU-s/step"
awk -v a="$run_sps" -v b="$b_sps" -v c="$run_cpu" -v d="$b_cpu" 'BEGIN {
	printf "#    run/bench: %.3f by wall steps/s, %.3f by CPU per step (target >= 0.90)\n", a / b, d / c }'
echo "# 2. step vs sgemm on the same shapes: $svs by wall, $svs_cpu by CPU ($st vs $sg GFLOP per CPU-s; target >= 0.75)"

# 3. five runs: one after another with 2 threads, then at once with 1 thread each.
if [ "$PAR" = 1 ]; then
	for mode in seq par; do
		d=$WORK/five-$mode
		copy_study "$d"
		if [ $mode = seq ]; then opts="--parallel 1 --threads 2"; else opts="--parallel 5 --threads 1"; fi
		# shellcheck disable=SC2086
		/usr/bin/time -f "%e %U %S" -o "$d/time" "$SYN" train "$d" --runs 5 --epochs "$EPOCHS" \
		    --minutes 0 $opts --restart >/dev/null 2>&1
		set -- $(cat "$d/time")
		echo "# 3. five runs $mode ($opts): wall $1 s, CPU $(awk -v u="$2" -v s="$3" 'BEGIN { print u + s }') s (load $(load))"
	done
	same=1
	for k in 1 2 3 4 5; do
		cut -d, -f1-7 "$WORK/five-seq/runs/run-$k/loss.csv" > "$WORK/a.csv"
		cut -d, -f1-7 "$WORK/five-par/runs/run-$k/loss.csv" > "$WORK/b.csv"
		cmp -s "$WORK/a.csv" "$WORK/b.csv" || same=0
	done
	echo "#    loss histories identical between the two (2 vs 1 BLAS threads): $([ $same = 1 ] && echo yes || echo no)"
fi

# 4. instruction counts.
if [ "$CALLGRIND" = 1 ] && command -v valgrind >/dev/null; then
	d=$WORK/cg
	copy_study "$d"
	valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.run" "$SYN" train "$d" --runs 1 \
	    --epochs 2 --threads 1 --minutes 0 --parallel 1 --restart >/dev/null 2>"$WORK/cg.run.err"
	n=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['steps'])" "$d/runs/run-1/state.json")
	# shellcheck disable=SC2086
	valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.bench" "$SYN" bench train $GEOM \
	    --threads 1 --steps "$n" --warmup 0 >/dev/null 2>"$WORK/cg.bench.err"
	ir_run=$(sed -n 's/^==[0-9]*== Collected : //p' "$WORK/cg.run.err")
	ir_bench=$(sed -n 's/^==[0-9]*== Collected : //p' "$WORK/cg.bench.err")
	echo "# 4. instructions (callgrind): whole run of 2 epochs ($n steps) $ir_run; bench train $n steps (+ one replayed step) $ir_bench"
	echo "#    per-function: callgrind_annotate $WORK/cg.run"
fi
