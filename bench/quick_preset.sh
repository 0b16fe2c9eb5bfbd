#!/bin/sh
# synthehr — GPL-3.0-or-later.
# How the quick preset was sized (issue 14): short trials of candidate
# geometries and learning rates on several cohorts, each given the same CPU
# time, scored by the training-time fidelity (the metric checkpoint rule's
# score of the best checkpoint; lower is better).  Equal CPU time rather
# than equal wall time, because the machine may be shared: each candidate's
# CPU seconds per step are measured with `synthehr bench train --threads 1`
# at the cohort's column count, and the run gets as many epochs as fit in
# BUDGET CPU seconds.  One run per trial, one BLAS thread.
#
# usage: bench/quick_preset.sh [SYNTHEHR]
# env:   WORK (scratch directory, default /tmp/synthehr-quick-preset),
#        BUDGET (CPU seconds per trial, 20), COHORTS (directory of the real
#        cohorts, default ../shared/data/cohorts), SETS (which cohorts:
#        "demo5k demo50k rotterdam mgus2 nwtco colon"; add demofull for the
#        full-size demo), CONFIGS (candidate names, see below), JOBS (trials
#        at once, 2).
# Output: one line per trial, then per cohort the candidates by score and
# the mean rank of each candidate over the cohorts.
set -eu
SYN=$(cd "$(dirname "${1:-${SYNTHEHR:-./synthehr}}")" && pwd)/$(basename "${1:-${SYNTHEHR:-./synthehr}}")
WORK=${WORK:-/tmp/synthehr-quick-preset}
BUDGET=${BUDGET:-20}
COHORTS=${COHORTS:-$(dirname "$0")/../../shared/data/cohorts}
SETS=${SETS:-"demo5k demo50k rotterdam mgus2 nwtco colon"}
JOBS=${JOBS:-2}
export OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE

# name: batch width depth zdim lr schedule
config() {
	case $1 in
	q256) echo "256 128 3 64 2e-4 constant" ;;     # the quick preset before issue 14
	b128) echo "128 128 3 64 2e-4 constant" ;;
	b512) echo "512 128 3 64 2e-4 constant" ;;
	w256) echo "256 256 3 64 2e-4 constant" ;;
	d2) echo "256 128 2 64 2e-4 constant" ;;
	lr5) echo "256 128 3 64 5e-4 constant" ;;
	lr5c) echo "256 128 3 64 5e-4 cosine" ;;
	b128lr5c) echo "128 128 3 64 5e-4 cosine" ;;
	small) echo "128 64 2 32 5e-4 cosine" ;;
	smallk) echo "128 64 2 32 5e-4 constant" ;;
	d2c) echo "128 128 2 64 5e-4 cosine" ;;
	*) echo "unknown candidate $1" >&2; exit 2 ;;
	esac
}
CONFIGS=${CONFIGS:-"q256 b128 b512 w256 d2 lr5 lr5c b128lr5c small"}

mkdir -p "$WORK"
study() {  # set -> study directory (created once)
	d=$WORK/$1
	if [ ! -f "$d/prep/train.mtx" ]; then
		rm -rf "$d"
		case $1 in
		demo5k) "$SYN" init "$d" --demo >/dev/null ;;
		demo50k) "$SYN" init "$d" --demo --rows 50000 >/dev/null ;;
		demofull) "$SYN" init "$d" --demo --full >/dev/null ;;
		rotterdam) "$SYN" init "$d" --data "$COHORTS/rotterdam.csv" --label death --role pid=id >/dev/null ;;
		mgus2) "$SYN" init "$d" --data "$COHORTS/mgus2.csv" --label death --sex sex --role id=id >/dev/null ;;
		nwtco) "$SYN" init "$d" --data "$COHORTS/nwtco.csv" --label rel --role seqno=id >/dev/null ;;
		colon) "$SYN" init "$d" --data "$COHORTS/colon.csv" --label status --sex sex --role id=id >/dev/null ;;
		*) echo "unknown set $1" >&2; exit 2 ;;
		esac
		"$SYN" prep "$d" >/dev/null 2>&1
	fi
	echo "$d"
}
field() { sed -n "s/.*\"$1\":\([0-9.eE+-]*\).*/\1/p"; }

settings() {  # study.json -> set the candidate's geometry
	python3 - "$@" <<'EOF'
import json, sys
p, b, w, dep, z, lr = sys.argv[1:7]
j = json.load(open(p))
t = j.setdefault("train", {})
t.update({"preset": "quick", "batch": int(b), "width": int(w), "depth": int(dep), "zdim": int(z),
          "lr_g": float(lr), "lr_d": float(lr)})
json.dump(j, open(p + ".tmp", "w"), indent=2)
EOF
	mv "$1.tmp" "$1"
}

run_trial() {  # set config: prepare the study.json, then train
	src=$(study "$1")
	set -- "$1" "$2" $(config "$2")
	tmp=$WORK/cfg-$1-$2.json
	cp "$src/study.json" "$tmp"
	settings "$tmp" "$3" "$4" "$5" "$6" "$7"
	STUDY_JSON=$tmp trial_with "$1" "$2"
}

trial_with() {
	src=$(study "$1")
	d=$WORK/t-$1-$2
	set -- "$1" "$2" $(config "$2")
	cols=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['columns']))" "$src/prep/layout.json")
	rows=$(python3 -c "
import json, sys
print(json.load(open(sys.argv[1]))['rows'])" "$src/prep/train.mtx.json" 2>/dev/null ||
	    python3 -c "
import sys
n = 0
with open(sys.argv[1]) as f:
    for n, _ in enumerate(f): pass
print(n)" "$src/prep/train.csv")
	b=$3
	if [ "$b" -gt "$rows" ]; then echo "$1 $2: batch $b > $rows rows, skipped"; return 0; fi
	cpu=$("$SYN" bench train --batch "$b" --cols "$cols" --width "$4" --depth "$5" --zdim "$6" \
	    --threads 1 --steps 20 --warmup 2 | field cpu_s_per_step)
	spe=$((rows / b))
	epochs=$(awk -v B="$BUDGET" -v c="$cpu" -v s="$spe" 'BEGIN { e = int(B / (c * s)); print e < 2 ? 2 : e }')
	every=$(awk -v e="$epochs" 'BEGIN { k = int(e / 15); print k < 1 ? 1 : k }')
	rm -rf "$d"
	mkdir -p "$d"
	chmod 700 "$d"
	mkdir -p "$d/prep"
	cp "$src/prep/layout.json" "$src/prep/train.mtx" "$d/prep/"   # all that train reads
	python3 - "$STUDY_JSON" "$d/study.json" "$epochs" "$every" "$8" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
t = j["train"]
t.update({"runs": 1, "epochs": int(sys.argv[3]), "ckpt_every": int(sys.argv[4]),
          "ckpt_after": int(sys.argv[4]), "threads": 1, "lr_schedule": sys.argv[5], "minutes": 0,
          "parallel": 1, "seed": 1})
json.dump(j, open(sys.argv[2], "w"), indent=2)
EOF
	chmod 600 "$d/study.json"
	t0=$(date +%s.%N)
	"$SYN" train "$d" >/dev/null 2>"$d/train.err" </dev/null ||
	    { echo "$1 $2 failed: $(tail -1 "$d/train.err")"; return 0; }
	t1=$(date +%s.%N)
	python3 - "$d/runs/run-1/state.json" "$1" "$2" "$cols" "$rows" "$epochs" "$cpu" "$t0" "$t1" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
ch = s["chosen"]
print("TRIAL %-9s %-9s D=%-5s rows=%-6s epochs=%-6s steps=%-7d cpu/step=%.4f wall=%.0fs best=%.4f epoch=%s" % (
    sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], s["steps"], float(sys.argv[7]),
    float(sys.argv[9]) - float(sys.argv[8]), ch["score"] if ch["score"] is not None else float("nan"),
    ch["epoch"]))
EOF
}

echo "# synthehr quick-preset trials: $("$SYN" --version | tail -1); budget $BUDGET CPU-s per trial; $(date -u)"
for s in $SETS; do study "$s" >/dev/null; done
out=$WORK/trials.txt
: > "$out"
n=0
for s in $SETS; do
	for c in $CONFIGS; do
		run_trial "$s" "$c" >> "$out" &
		n=$((n + 1))
		if [ $((n % JOBS)) -eq 0 ]; then wait; fi
	done
done
wait
sort "$out"
python3 - "$out" <<'EOF'
import sys, collections
rows = [l.split() for l in open(sys.argv[1]) if l.startswith("TRIAL")]
by = collections.defaultdict(list)
for r in rows:
    f = dict(kv.split("=", 1) for kv in r[3:] if "=" in kv)
    by[r[1]].append((float(f["best"]), r[2]))
ranks = collections.defaultdict(list)
for s, lst in by.items():
    lst.sort()
    print("# %-9s " % s + "  ".join("%s %.2f" % (c, v) for v, c in lst))
    for i, (v, c) in enumerate(lst):
        ranks[c].append(i + 1)
print("# mean rank over %d cohorts: " % len(by) +
      "  ".join("%s %.1f" % (c, sum(r) / len(r)) for c, r in sorted(ranks.items(), key=lambda kv: sum(kv[1]) / len(kv[1]))))
EOF
