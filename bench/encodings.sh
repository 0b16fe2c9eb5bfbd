#!/bin/sh
# synthehr — GPL-3.0-or-later.
# Generator encodings before/after (issue 14 item 1), run by hand:
#   bench/encodings.sh [-e EPOCHS] [-r RUNS] [-o DIR] [-b BIN] COHORT...
# COHORT is "demo" (the default demo cohort), "demo-tutorial" (the demo
# without its extract columns) or CSV:LABEL (a cohort file and its label
# column).  For each cohort one study is prepared, copied, and trained with
# the quick preset twice: --encoding minmax (the tutorial's scaling) and
# --encoding prep (the encodings prep chose); each is generated with the
# 0.5 threshold and with Bernoulli sampling of binary columns, and evaluated
# on DWD_abs, CWC, CKV and TSTR.  Prints one line per variant with the median
# over the runs, the marginals baseline, and the CPU seconds of training.
set -eu
EPOCHS=150
RUNS=3
OUT=${TMPDIR:-/tmp}/synthehr-encodings.$$
BIN=${SYNTHEHR:-synthehr}
while getopts e:r:o:b: o; do
	case $o in
	e) EPOCHS=$OPTARG ;;
	r) RUNS=$OPTARG ;;
	o) OUT=$OPTARG ;;
	b) BIN=$OPTARG ;;
	*) echo "usage: $0 [-e EPOCHS] [-r RUNS] [-o DIR] [-b BIN] COHORT..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- demo
mkdir -p "$OUT"
"$BIN" --version | sed -n 2p

summ() {   # study variant cpu
	python3 - "$1" "$2" "$3" <<'EOF'
import json, statistics, sys
d = json.load(open(sys.argv[1] + "/eval/metrics.json"))
runs = [s["values"] for s in d["sets"] if s["kind"] == "run"]
base = [s["values"] for s in d["sets"] if s["name"] == "baseline-marginals"]
def med(k, rows):
    v = [r[k] for r in rows if r.get(k) is not None]
    return statistics.median(v) if v else float("nan")
keys = ["DWD_abs", "CWC", "CKV", "TSTR_auroc"]
print("%-22s " % sys.argv[2] + " ".join("%s %8.4g" % (k, med(k, runs)) for k in keys) +
      "  cpu %ss  (best run DWD_abs %.4g, CWC %.4g, TSTR %.4g)" % (sys.argv[3],
      min(r["DWD_abs"] for r in runs), min(r["CWC"] for r in runs),
      max(r["TSTR_auroc"] for r in runs)))
if sys.argv[2].startswith("minmax/threshold") and base:
    print("%-22s " % "marginals" + " ".join("%s %8.4g" % (k, med(k, base)) for k in keys))
EOF
}

for c in "$@"; do
	name=$(basename "${c%%:*}" .csv)
	base="$OUT/$name"
	rm -rf "$base"
	case $c in
	demo) "$BIN" init "$base" --demo >/dev/null 2>&1 ;;
	demo-tutorial) "$BIN" init "$base" --demo --no-extract >/dev/null 2>&1 ;;
	*:*) "$BIN" init "$base" --data "${c%%:*}" --label "${c##*:}" >/dev/null 2>&1 ;;
	*) echo "$0: $c: expected demo, demo-tutorial or CSV:LABEL" >&2; exit 2 ;;
	esac
	"$BIN" prep "$base" | grep '^encoding' || true
	echo "== $name ($EPOCHS epochs x $RUNS runs, quick preset)"
	for enc in minmax prep; do
		s="$OUT/$name-$enc"
		rm -rf "$s"
		cp -a "$base" "$s"
		/usr/bin/time -f '%U %S' "$BIN" train "$s" --encoding "$enc" --runs "$RUNS" \
		    --epochs "$EPOCHS" >/dev/null 2>"$s.trainlog"
		cpu=$(tail -1 "$s.trainlog" | awk '{ printf "%.0f", $1 + $2 }')
		for mode in threshold sample; do
			flag=
			[ $mode = sample ] && flag=--sample
			"$BIN" generate "$s" $flag >/dev/null 2>&1
			"$BIN" evaluate "$s" --only dwd,cwc,ckv,tstr --force >/dev/null 2>&1
			summ "$s" "$enc/$mode" "$cpu"
		done
	done
done
