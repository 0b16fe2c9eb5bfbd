#!/bin/sh
# synthehr — GPL-3.0-or-later.
# Crash consistency (issue 18 item 10), in the manner of SQLite's I/O-error
# tests.  Needs a build with --enable-faultinject: SYNTHEHR_FAULT=KIND:N
# makes the Nth write/fsync/rename point fail (KIND fail) or the process die
# there with SIGKILL (KIND die).  For every stage of a tiny study, for
# N = 1, 2, ... until the stage passes fewer than N points, and for both
# kinds: run the stage with the fault, then
#   - 'synthehr check' must find no problem (stale results are allowed:
#     they name the stage to run again),
#   - running the stage again without a fault must give outputs identical
#     to an uninterrupted run;
#   - a stage that survived the fault (exit 0: the write was optional, such
#     as a cache) must already have those outputs;
#   - generate (replacing an earlier set made with --seed 2): each set's
#     synthetic.csv and synthetic.mtx are both the earlier ones or both the
#     new ones (after 'check', which like every command finishes a switch
#     whose commit point passed);
#   - peer (a classical peer fitted again, replacing one made with
#     generate.seed 2): runs/peer-cart's two files and state.json are the
#     earlier ones or the new ones, whole;
#   - import (evaluate --synthetic, replacing an external set of the same
#     name imported from another file): eval/external/ext's synthetic.mtx
#     and source.json are the earlier ones or the new ones, whole.
# The number of failure points exercised per stage is printed.
. "$SRCDIR/tests/tap.sh"
"$SYNTHEHR" --version 2>/dev/null | grep -q 'fault injection' ||
	skip_all "built without --enable-faultinject"
command -v python3 >/dev/null 2>&1 || skip_all "python3 compares the JSON outputs"
W=$TMPD/w
mkdir -p "$W"
LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$SRCDIR/tests/lsan.supp:print_suppressions=0}
export LSAN_OPTIONS

# fingerprint DIR FILES...: checksums of the files, JSON without timings
fingerprint() {
	d=$1; shift
	for f in "$@"; do
		if [ ! -f "$d/$f" ]; then echo "$f missing"; continue; fi
		case $f in
		*.json) python3 - "$d/$f" <<'EOF'
import json, sys
def strip(o):
    if isinstance(o, dict):
        return {k: strip(v) for k, v in o.items()
                if k not in ('seconds', 'peak_rss_mb', 'fit_seconds', 'sample_seconds', 'cpu_seconds',
                             'created', 'time', 'elapsed')}
    if isinstance(o, list):
        return [strip(v) for v in o]
    return o
import hashlib
print(sys.argv[1].split("/")[-1], hashlib.sha256(json.dumps(strip(json.load(open(sys.argv[1]))), sort_keys=True).encode()).hexdigest())
EOF
		;;
		loss.csv|*/loss.csv) echo "$f $(cut -d, -f1-7 "$d/$f" | cksum)" ;;   # without the timings
		*) echo "$f $(cksum <"$d/$f")" ;;
		esac
	done
}

# The stages, each from the study the previous one left.
STAGES="prep train generate evaluate peer import"
stage_cmd() {   # stage_cmd STAGE DIR
	case $1 in
	prep) echo "prep $2 -q" ;;
	train) echo "train $2 --runs 1 --epochs 2 --threads 1" ;;
	generate) echo "generate $2 --no-stratify" ;;
	evaluate) echo "evaluate $2" ;;
	peer) echo "train $2 --method cart" ;;
	import) echo "evaluate $2 --synthetic $W/ext.csv --name ext --only dwd" ;;
	esac
}
stage_out() {
	case $1 in
	prep) echo "prep/layout.json prep/train.mtx prep/test.mtx prep/train.csv prep/test.csv prep/train.f64 prep/test.f64 prep/log.json" ;;
	train) echo "runs/run-1/ckpt-last.bin runs/run-1/loss.csv" ;;
	generate) echo "runs/run-1/synthetic.mtx runs/run-1/synthetic.csv runs/baseline-marginals/synthetic.mtx runs/baseline-marginals/synthetic.csv" ;;
	evaluate) echo "eval/metrics.json" ;;
	peer) echo "runs/peer-cart/synthetic.csv runs/peer-cart/synthetic.mtx runs/peer-cart/state.json" ;;
	import) echo "eval/external/ext/synthetic.mtx eval/external/ext/source.json" ;;
	esac
}
# The sets a stage switches in, and each set's files.
stage_sets() {
	case $1 in
	generate) echo "runs/run-1 runs/baseline-marginals" ;;
	peer) echo "runs/peer-cart" ;;
	import) echo "eval/external/ext" ;;
	esac
}
set_files() {
	case $1 in
	runs/peer-*) echo "synthetic.csv synthetic.mtx state.json" ;;
	eval/external/*) echo "synthetic.mtx source.json" ;;
	*) echo "synthetic.csv synthetic.mtx" ;;
	esac
}

# Reference: the uninterrupted pipeline, with a copy of the study before
# each stage.
R=$W/ref
if ! "$SYNTHEHR" init "$R" --demo --rows 300 --concepts 20 >/dev/null 2>"$TMPD/err"; then
	not_ok "tiny demo study"; sed 's/^/#   /' "$TMPD/err"; done_testing; exit 1
fi
python3 - "$R/study.json" <<'EOF'
import json, sys
p = sys.argv[1]; j = json.load(open(p))
j.setdefault('train', {}).update({'batch': 64, 'width': 16, 'depth': 1})
j.setdefault('eval', {}).update({'boot': 0})
json.dump(j, open(p, 'w'), indent=2)
EOF
for st in $STAGES; do
	rm -rf "$W/before-$st"; cp -rp "$R" "$W/before-$st"
	# the external files to import: run 1's rows (the new set), the
	# baseline's (the earlier one)
	[ "$st" = import ] && cp "$R/runs/run-1/synthetic.csv" "$W/ext.csv" &&
		cp "$R/runs/baseline-marginals/synthetic.csv" "$W/ext-old.csv"
	# shellcheck disable=SC2046
	if ! "$SYNTHEHR" $(stage_cmd "$st" "$R") >/dev/null 2>"$TMPD/err"; then
		not_ok "reference $st"; sed 's/^/#   /' "$TMPD/err" | head -5; done_testing; exit 1
	fi
	# shellcheck disable=SC2046
	fingerprint "$R" $(stage_out "$st") >"$W/ref-$st"
done
ok "reference pipeline (prep, train, generate, evaluate, a CART peer, an import) on a tiny study"

# generate replaces an earlier set (seed 2) there: after a fault each set
# must be the earlier one whole or the new one whole, never a mix (issue 18
# item 4).  Both files of a set are fingerprinted together.
if ! "$SYNTHEHR" generate "$W/before-generate" --no-stratify --seed 2 >/dev/null 2>"$TMPD/err"; then
	not_ok "generate --seed 2 (the earlier set)"; sed 's/^/#   /' "$TMPD/err" | head -5; done_testing; exit 1
fi
# The peer and import stages replace an earlier set too: a CART peer fitted
# with generate.seed 2, an external set of the same name from another file.
B=$W/before-peer
cp -p "$B/study.json" "$TMPD/study.json"
python3 - "$B/study.json" <<'EOF'
import json, sys
p = sys.argv[1]; j = json.load(open(p))
j.setdefault('generate', {})['seed'] = 2
json.dump(j, open(p, 'w'), indent=2)
EOF
if ! "$SYNTHEHR" train "$B" --method cart >/dev/null 2>"$TMPD/err"; then
	not_ok "the earlier CART peer (generate.seed 2)"; sed 's/^/#   /' "$TMPD/err" | head -5; done_testing; exit 1
fi
cp -p "$TMPD/study.json" "$B/study.json"
if ! "$SYNTHEHR" evaluate "$W/before-import" --synthetic "$W/ext-old.csv" --name ext --only dwd >/dev/null 2>"$TMPD/err"; then
	not_ok "the earlier external set"; sed 's/^/#   /' "$TMPD/err" | head -5; done_testing; exit 1
fi
set_fp() {   # set_fp STUDY SET: one line for the set's files
	# shellcheck disable=SC2046
	echo "$2 $(fingerprint "$1" $(for f in $(set_files "$2"); do echo "$2/$f"; done) | cut -d' ' -f2- | tr '\n' ' ')"
}
: >"$W/sets-allowed"
nsets=0
for st in generate peer import; do
	for set in $(stage_sets $st); do
		set_fp "$W/before-$st" "$set"
		set_fp "$R" "$set"
		nsets=$((nsets + 2))
	done >>"$W/sets-allowed"
done
if [ "$(sort -u "$W/sets-allowed" | wc -l)" -ne $nsets ]; then
	not_ok "the earlier and the new sets differ"; sed 's/^/#   /' "$W/sets-allowed"; done_testing; exit 1
fi

total=0
for st in $STAGES; do
	points=0; bad=0; sets_checked=0
	for kind in write die; do
		n=1
		while [ $n -le 400 ]; do
			S=$W/s
			rm -rf "$S"; cp -rp "$W/before-$st" "$S"
			# shellcheck disable=SC2046
			SYNTHEHR_FAULT=$kind:$n "$SYNTHEHR" $(stage_cmd "$st" "$S") >/dev/null 2>"$TMPD/err"
			rc=$?
			grep -q 'faultinject: point' "$TMPD/err" || break   # fewer than n points: done
			points=$((points + 1))
			why=""
			grep -q 'ERROR: AddressSanitizer\|runtime error:' "$TMPD/err" && why="$why sanitizer report;"
			# A stage may survive a failed optional write (evaluate's caches,
			# train's live loss.csv): then it must have finished its job.
			if [ $rc -eq 0 ]; then
				# shellcheck disable=SC2046
				fingerprint "$S" $(stage_out "$st") >"$TMPD/fp"
				cmp -s "$TMPD/fp" "$W/ref-$st" || why="$why exit 0 but the outputs differ;"
			fi
			"$SYNTHEHR" check "$S" >"$TMPD/check" 2>&1 || why="$why check: $(grep -v '^STALE\|^TMP\|files checked' "$TMPD/check" | head -2 | tr '\n' ' ');"
			for set in $(stage_sets "$st"); do
				grep -qxF "$(set_fp "$S" "$set")" "$W/sets-allowed" ||
					why="$why $set is neither the earlier set nor the new one;"
				sets_checked=$((sets_checked + 1))
			done
			# shellcheck disable=SC2046
			if "$SYNTHEHR" $(stage_cmd "$st" "$S") >/dev/null 2>"$TMPD/err2"; then
				# shellcheck disable=SC2046
				fingerprint "$S" $(stage_out "$st") >"$TMPD/fp"
				cmp -s "$TMPD/fp" "$W/ref-$st" || why="$why rerun differs: $(diff "$W/ref-$st" "$TMPD/fp" | grep '^>' | head -2 | tr '\n' ' ');"
			else
				why="$why rerun failed: $(head -1 "$TMPD/err2");"
			fi
			if [ -n "$why" ]; then
				bad=$((bad + 1))
				[ $bad -le 5 ] && echo "# $st $kind:$n:$why"
			fi
			n=$((n + 1))
		done
	done
	total=$((total + points))
	if [ $bad -eq 0 ] && [ $points -gt 0 ]; then
		ok "$st: $points failure points ($((points / 2)) write/fsync/rename points, each failed and killed at), every one consistent and rerun identical"
	else
		not_ok "$st: $bad of $points failure points left an inconsistent study or a different rerun"
	fi
	if [ -n "$(stage_sets "$st")" ]; then
		if [ $sets_checked -gt 0 ]; then
			ok "$st: after each of $points faults every set it switches ($(stage_sets "$st")) was the earlier one or the new one, whole"
		else
			not_ok "$st: no fault exercised the set switch"
		fi
	fi
done
echo "# $total failure points exercised in all"
done_testing
