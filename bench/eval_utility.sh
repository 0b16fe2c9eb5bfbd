#!/bin/sh
# synthehr — GPL-3.0-or-later.
# Benchmark of the utility and prediction metrics (time per metric, peak
# RSS) at 50,000 × 1,000 and at the tutorial's size (126,522 train, 54,224
# test, 1,460 columns) on random but structured data.
#
# usage: bench/eval_utility.sh [BUILD_DIR] [NRUNS] [PRESET] [LCA_RESTARTS]
# e.g.   bench/eval_utility.sh build 5 fast 3
# The benchmark program is built by `make check` (or
# `make bench/eval_utility_bench`) in BUILD_DIR.
set -eu
build=${1:-build}
nruns=${2:-5}
preset=${3:-fast}
restarts=${4:-3}
prog=$build/bench/eval_utility_bench
if [ ! -x "$prog" ]; then
	make -C "$build" bench/eval_utility_bench >/dev/null
fi
export OMP_WAIT_POLICY=PASSIVE
echo "# machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# 50,000 x 1,000 (992 concepts), test 20,000, $nruns runs, preset $preset"
nice "$prog" 50000 20000 992 "$nruns" "$preset" "$restarts"
echo "# tutorial size: 126,522 x 1,460 (1,448 concepts), test 54,224, $nruns runs, preset $preset"
nice "$prog" 126522 54224 1448 "$nruns" "$preset" "$restarts"
