#!/bin/sh
# synthehr — GPL-3.0-or-later.
# Five quick runs as a Slurm job array on this machine's single-node
# cluster against the same five runs in one local process, same seeds:
# wall times side by side, a check that the results are identical, and an
# estimate of the tutorial preset's time on N nodes from the measured
# steps/s.  Needs root and Debian's slurmctld, slurmd, slurm-client and
# munge (as `./setup.sh test` installs); the cluster is started here, in a
# temporary directory, and stopped at the end.
#
# usage: bench/slurm.sh [SYNTHEHR] ; env: ROWS (5000), EPOCHS (40), RUNS (5),
#        CPUS (cpus per task, 1), TSTEP (seconds per tutorial step; measured
#        with `synthehr bench train --steps 2` when unset)
set -eu
SYN=$(readlink -f "${1:-${SYNTHEHR:-./synthehr}}")
SRC=$(cd "$(dirname "$0")/.." && pwd)
ROWS=${ROWS:-5000}
EPOCHS=${EPOCHS:-40}
RUNS=${RUNS:-5}
CPUS=${CPUS:-1}
export OMP_WAIT_POLICY=PASSIVE
T=$(mktemp -d "${TMPDIR:-/tmp}/synthehr-bench-slurm.XXXXXX")
. "$SRC/tests/slurm_cluster.sh"
trap 'cluster_stop; rm -rf "$T"' EXIT
cluster_start "$T/cluster" || { echo "bench/slurm.sh: $cluster_why" >&2; exit 1; }
echo "# $("$SYN" --version | head -2 | tr '\n' ' ')"
echo "# cluster: 1 node, $cpus CPUs; $RUNS runs x $EPOCHS epochs, demo $ROWS rows; load $(cut -d' ' -f1-3 /proc/loadavg)"

"$SYN" init "$T/a" --demo --rows "$ROWS" >/dev/null 2>&1
"$SYN" prep "$T/a" --quiet >/dev/null 2>&1
cp -a "$T/a" "$T/b"

t0=$(date +%s.%N)
"$SYN" train "$T/a" --runs "$RUNS" --epochs "$EPOCHS" --seed 1 --threads "$CPUS" >/dev/null 2>&1
t1=$(date +%s.%N)
local_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')

t0=$(date +%s.%N)
"$SYN" train "$T/b" --slurm --runs "$RUNS" --epochs "$EPOCHS" --seed 1 --threads "$CPUS" --cpus "$CPUS" >/dev/null 2>&1
cluster_wait_idle 7200
t1=$(date +%s.%N)
array_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')

same=identical
for k in $(seq "$RUNS"); do
	cmp -s "$T/a/runs/run-$k/ckpt-last.bin" "$T/b/runs/run-$k/ckpt-last.bin" || same="DIFFERENT (run $k)"
done
steps=$(python3 -c 'import json,sys; print(sum(json.load(open(f"{sys.argv[1]}/runs/run-{k}/state.json"))["steps"] for k in range(1, int(sys.argv[2]) + 1)))' "$T/a" "$RUNS")
printf '%-34s %10s %12s\n' "" "wall s" "steps/s"
printf '%-34s %10.1f %12.1f\n' "one local process (train.parallel)" "$local_s" "$(awk -v s="$steps" -v t="$local_s" 'BEGIN { print s / t }')"
printf '%-34s %10.1f %12.1f\n' "Slurm array ($RUNS tasks, $CPUS cpu each)" "$array_s" "$(awk -v s="$steps" -v t="$array_s" 'BEGIN { print s / t }')"
echo "# checkpoints: $same"

if [ -z "${TSTEP:-}" ]; then
	TSTEP=$("$SYN" bench train --steps 2 --warmup 1 --threads "$cpus" | sed -n 's/.*"s_per_step":\([0-9.eE+-]*\).*/\1/p')
fi
echo "# tutorial preset: 450,000 steps per run, 5 runs; measured $TSTEP s per step on this node ($cpus threads)"
for n in 1 5; do
	awk -v t="$TSTEP" -v n="$n" 'BEGIN { runs = 5; waves = int((runs + n - 1) / n);
	    printf "#   %d node%s like this one: %.1f days (%d wave%s of one run per node)\n",
	    n, (n > 1 ? "s" : ""), waves * 450000 * t / 86400, waves, (waves > 1 ? "s" : "") }'
done
