#!/bin/sh
# synthehr — GPL-3.0-or-later.
# EMR-WGAN training throughput: `synthehr bench train` at the tutorial
# geometry (batch 4096, 1460 columns, width 384, depth 5) and at the quick
# preset's geometry, with 1 and 2 OpenBLAS threads, beside a single-sgemm
# peak probe of the dominant shape.  Every run prints one JSON line; the
# summary gives the median of REPS runs.  The machine may be shared: the
# load average is printed with each block.
#
# usage: bench/train.sh [SYNTHEHR] ; env: REPS (3), STEPS (3), CORES
# ("SKYLAKEX Haswell"), QUICK (the quick preset on the demo cohort:
# "--batch 128 --width 64 --depth 2 --zdim 32 --cols 264").
set -eu
SYN=${1:-${SYNTHEHR:-./synthehr}}
REPS=${REPS:-3}
STEPS=${STEPS:-3}
CORES=${CORES:-"SKYLAKEX Haswell"}
QUICK=${QUICK:-"--batch 128 --width 64 --depth 2 --zdim 32 --cols 264"}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit; if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
field() { sed -n "s/.*\"$1\":\([0-9.eE+-]*\).*/\1/p"; }

run() {  # label, args...
	label=$1; shift
	out=$(for r in $(seq "$REPS"); do "$SYN" bench "$@"; done)
	echo "$out"
	g=$(echo "$out" | field gflops | median)
	c=$(echo "$out" | field gflops_per_cpu_s | median)
	s=$(echo "$out" | field s_per_step | median)
	echo "# $label: median ${g} GFLOP/s wall, ${c} GFLOP per CPU-second${s:+, ${s} s/step} over $REPS runs (load: $(cut -d' ' -f1-3 /proc/loadavg))"
}

for core in $CORES; do
	export OPENBLAS_CORETYPE=$core
	for t in 1 2; do
		run "sgemm 4096x384x1460 core $core threads $t" sgemm --threads "$t" --reps 5
		run "train tutorial core $core threads $t" train --threads "$t" --steps "$STEPS"
		# shellcheck disable=SC2086
		run "train quick core $core threads $t" train --threads "$t" --steps "$((STEPS * 4))" $QUICK
	done
done
