#!/bin/sh
# synthehr — GPL-3.0-or-later.
# Fidelity benchmark (issue 14): every method — the EMR-WGAN runs, the
# classical peers (sequential CART, Gaussian copula) and the independent
# marginals — on the demo cohort (default size and 50,000 rows) and on each
# real cohort in ../shared/data/cohorts, all methods of a cohort sharing one
# study and so one train/test split, scored by synthehr's own evaluation.
# Prints one table per cohort: DWD_abs, CWC, MCA, LCA, CKV, TSTR (TRTR in
# the heading), MI, AI, NNAA, and the fit + sample seconds of each set by
# wall clock and by CPU (the machine may be shared: CPU seconds are the
# fairer cost).  A run's seconds are its share of `train` (runs trained at
# once share the wall clock) plus its own `generate`.
#
# usage: bench/fidelity.sh [options]
#   --synthehr PATH   the binary (default ./synthehr, else _build/synthehr)
#   --epochs E        EMR-WGAN epochs per run (default: the quick preset's 300)
#   --minutes M       EMR-WGAN time budget per run instead of epochs
#   --runs N          EMR-WGAN runs (default 5)
#   --cohorts LIST    comma-separated, from: demo, demo50k, and the real
#                     cohorts colon, mgus2, nwtco, pbc, pima2, rotterdam,
#                     stroke_cost, trace (default: all of them)
#   --methods LIST    from emrwgan, cart, copula, marginals (default: all)
#   --eval-preset P   fast (default) or tutorial
#   --work DIR        keep the studies in DIR (default: a temporary directory,
#                     removed at the end)
#   --data DIR        the real cohorts (default ../shared/data/cohorts)
# Labels of the real cohorts (binary outcomes): colon status, mgus2 death,
# nwtco rel, pbc hepato, pima2 diabetes, rotterdam death, stroke_cost status,
# trace chf.
# Run it under `nice` on a shared machine; a small budget (--epochs 50 or
# --minutes 0.5) makes a whole pass take minutes.
set -eu

SYN=
EPOCHS=
MINUTES=
RUNS=5
COHORTS=demo,demo50k,colon,mgus2,nwtco,pbc,pima2,rotterdam,stroke_cost,trace
METHODS=emrwgan,cart,copula,marginals
EVAL_PRESET=fast
WORK=
DATA=

usage() {
	sed -n '/^# usage:/,/^# Run it/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--synthehr) SYN=$2; shift 2 ;;
	--epochs) EPOCHS=$2; shift 2 ;;
	--minutes) MINUTES=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--cohorts) COHORTS=$2; shift 2 ;;
	--methods) METHODS=$2; shift 2 ;;
	--eval-preset) EVAL_PRESET=$2; shift 2 ;;
	--work) WORK=$2; shift 2 ;;
	--data) DATA=$2; shift 2 ;;
	-h|--help) usage ;;
	*) echo "bench/fidelity.sh: unknown option $1" >&2; usage ;;
	esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "$SYN" ]; then
	if [ -x ./synthehr ]; then SYN=./synthehr; else SYN=$here/_build/synthehr; fi
fi
SYN=$(cd "$(dirname "$SYN")" && pwd)/$(basename "$SYN")
[ -x "$SYN" ] || { echo "bench/fidelity.sh: $SYN is not built" >&2; exit 2; }
command -v jq >/dev/null 2>&1 || { echo "bench/fidelity.sh: needs jq (apt-get install jq)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench/fidelity.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
[ -n "$DATA" ] || DATA=$here/../shared/data/cohorts
if [ -n "$WORK" ]; then
	mkdir -p "$WORK"
else
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/synthehr-fidelity.XXXXXX")
	trap 'rm -rf "$WORK"' EXIT
fi
export OMP_WAIT_POLICY=PASSIVE
has() { case ",$1," in *",$2,"*) return 0 ;; esac; return 1; }

# timed TAG CMD...: run CMD, append "TAG wall cpu" to $T/times.
timed() {
	tag=$1; shift
	/usr/bin/time -f "%e %U %S" -o "$T/time.$$" "$@" >>"$T/log" 2>&1 || {
		echo "bench/fidelity.sh: $* failed; the end of its log:" >&2; tail -3 "$T/log" >&2; return 1; }
	awk -v t="$tag" '{ printf "%s %s %.2f\n", t, $1, $2 + $3 }' "$T/time.$$" >>"$T/times"
}

label_of() {
	case $1 in
	colon) echo status ;; mgus2) echo death ;; nwtco) echo rel ;; pbc) echo hepato ;;
	pima2) echo diabetes ;; rotterdam) echo death ;; stroke_cost) echo status ;; trace) echo chf ;;
	esac
}

one() {   # one COHORT
	c=$1
	NOTE=
	T=$WORK/$c
	S=$T/study
	rm -rf "$T"
	mkdir -p "$T"
	: >"$T/times"
	case $c in
	demo) timed init "$SYN" init "$S" --demo ;;
	demo50k) timed init "$SYN" init "$S" --demo --rows 50000 ;;
	*)
		[ -f "$DATA/$c.csv" ] || { echo "bench/fidelity.sh: $DATA/$c.csv not found" >&2; return 1; }
		timed init "$SYN" init "$S" --data "$DATA/$c.csv" --label "$(label_of "$c")" ;;
	esac
	timed prep "$SYN" prep "$S" || return 1
	if has "$METHODS" emrwgan; then
		set -- --runs "$RUNS"
		[ -n "$EPOCHS" ] && set -- "$@" --epochs "$EPOCHS"
		[ -n "$MINUTES" ] && set -- "$@" --minutes "$MINUTES"
		# The quick preset's batch of 256 drops every batch of a cohort
		# with fewer training rows: such a cohort trains with batch 64.
		n=$(($(wc -l <"$S/prep/train.csv") - 1))
		if [ "$n" -lt 256 ]; then
			jq '.train.preset = "quick" | .train.batch = 64' "$S/study.json" >"$T/s.json" && cat "$T/s.json" >"$S/study.json"
			NOTE="batch 64 ($n training rows)"
		fi
		if timed train "$SYN" train "$S" --preset quick "$@"; then
			k=1
			while [ "$k" -le "$RUNS" ]; do
				# A run that hardly ever makes one label class cannot
				# be stratified: it is generated without, and noted.
				if ! timed "gen-run-$k" "$SYN" generate "$S" --run "$k" 2>/dev/null; then
					timed "gen-run-$k" "$SYN" generate "$S" --run "$k" --no-stratify || return 1
					NOTE="${NOTE:+$NOTE; }run-$k unstratified"
				fi
				k=$((k + 1))
			done
		else
			NOTE="EMR-WGAN training failed (log: $T/log)"
		fi
	fi
	for m in cart copula marginals; do
		if has "$METHODS" "$m"; then
			timed "fit-$m" "$SYN" train "$S" --method "$m" || return 1
		fi
	done
	timed evaluate "$SYN" evaluate "$S" --preset "$EVAL_PRESET" --boot 0 || return 1
	table "$c" "$S"
}

# table COHORT STUDY: one row per set.
table() {
	m=$2/eval/metrics.json
	rows=$(jq -r '.real.train_rows' "$m")
	test_rows=$(jq -r '.real.test_rows' "$m")
	cols=$(jq -r '.real.columns' "$m")
	trtr=$(jq -r '.trtr.auroc // "nan"' "$m")
	budget=${MINUTES:+$MINUTES min/run}
	budget=${budget:-${EPOCHS:-300} epochs}
	echo
	echo "== $1: $rows train / $test_rows test rows, $cols columns; TRTR AUROC $(printf %.3f "$trtr");" \
	    "EMR-WGAN quick, $RUNS runs, $budget"
	printf "%-19s %7s %8s %7s %7s %7s %6s %6s %6s %7s %9s %7s\n" set DWD_abs CWC MCA LCA CKV TSTR MI AI NNAA \
	    "fit+smp s" "CPU s"
	jq -r '.sets[] | select(.kind != "real") | [.name,
	    (.values | .DWD_abs, .CWC, .MCA, .LCA, .CKV, .TSTR_auroc, .MI, .AI, .NNAA) ] |
	    map(if . == null then "nan" else tostring end) | @tsv' "$m" |
	while IFS="$(printf '\t')" read -r name dwd cwc mca lca ckv tstr mi ai nnaa; do
		case $name in
		run-*)
			k=${name#run-}
			secs=$(awk -v k="$k" -v n="$RUNS" '$1 == "train" { w += $2 / n; c += $3 / n }
			    $1 == "gen-run-" k { w += $2; c += $3 } END { printf "%.1f %.1f", w, c }' "$T/times") ;;
		peer-*)
			secs=$(awk -v t="fit-${name#peer-}" '$1 == t { printf "%.1f %.1f", $2, $3 }' "$T/times") ;;
		baseline-marginals)
			secs=$(awk '$1 == "fit-marginals" { printf "%.1f %.1f", $2, $3 }' "$T/times") ;;
		*) secs="nan nan" ;;
		esac
		printf "%-19s %7.3f %8.2f %7.4f %7.2f %7.4f %6.3f %6.3f %6.3f %7.4f %9s %7s\n" "$name" \
		    "$dwd" "$cwc" "$mca" "$lca" "$ckv" "$tstr" "$mi" "$ai" "$nnaa" ${secs:-nan nan}
	done
	awk '$1 == "evaluate" { printf "(evaluation: %.0f s wall, %.0f s CPU)", $2, $3 }' "$T/times"
	echo "${NOTE:+ $NOTE}"
}

echo "synthehr fidelity benchmark: $("$SYN" --version 2>&1 | head -2 | tr '\n' ' ')"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'); work: $WORK"
for c in $(echo "$COHORTS" | tr ',' ' '); do
	case $c in
	demo|demo50k|colon|mgus2|nwtco|pbc|pima2|rotterdam|stroke_cost|trace) ;;
	*) echo "bench/fidelity.sh: unknown cohort $c" >&2; exit 2 ;;
	esac
	one "$c" || echo "== $c: failed (see above)"
done
