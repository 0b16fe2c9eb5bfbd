#!/bin/sh
# synthehr — GPL-3.0-or-later.
# Issue 18 item 5: generate streams its rows in chunks (what it holds no
# longer scales with --rows; progress while it writes) and gives the same
# bytes whatever the chunk; evaluate's CWC in column blocks and LCA's
# row-space PCA give the whole matrices' values.  SYNTHEHR_GEN_CHUNK_ROWS and
# SYNTHEHR_EVAL_COL_BLOCK force tiny chunks and blocks on a small study.
. "$SRCDIR/tests/tap.sh"
command -v python3 >/dev/null 2>&1 || skip_all "python3 compares metrics.json"
S=$TMPD/s
if ! "$SYNTHEHR" init "$S" --demo --rows 600 --concepts 30 >/dev/null 2>"$TMPD/err"; then
	not_ok "demo study"; sed 's/^/#   /' "$TMPD/err"; done_testing; exit 1
fi
python3 - "$S/study.json" <<'PY'
import json, sys
p = sys.argv[1]; j = json.load(open(p))
j.setdefault('train', {}).update({'batch': 64, 'width': 16, 'depth': 1})
j.setdefault('eval', {}).update({'boot': 0, 'lca_rows': 20})
json.dump(j, open(p, 'w'), indent=2)
PY
check "prep" "$SYNTHEHR" prep "$S" -q
check "train one small run" "$SYNTHEHR" train "$S" --runs 1 --epochs 3 --threads 1

sums() { cksum "$S/runs/run-1/synthetic.csv" "$S/runs/run-1/synthetic.mtx" | cut -d' ' -f1,2; }

# Default chunk (all 2,500 rows at once for a study this narrow) against
# chunks of 7 and 13 rows: byte-identical sets, stratified or not.
for strat in --no-stratify ""; do
	# shellcheck disable=SC2086
	"$SYNTHEHR" generate "$S" --run 1 --rows 2500 $strat >/dev/null 2>"$TMPD/err" || {
		not_ok "generate $strat"; sed 's/^/#   /' "$TMPD/err"; }
	sums >"$TMPD/whole"
	for c in 7 13; do
		# shellcheck disable=SC2086
		SYNTHEHR_GEN_CHUNK_ROWS=$c "$SYNTHEHR" generate "$S" --run 1 --rows 2500 $strat >/dev/null 2>"$TMPD/err$c" || {
			not_ok "generate in $c-row chunks $strat"; sed 's/^/#   /' "$TMPD/err$c"; }
		sums >"$TMPD/chunked"
		if cmp -s "$TMPD/whole" "$TMPD/chunked"; then
			ok "generate ${strat:---stratify}: $c-row chunks give the same synthetic.csv and .mtx bytes"
		else
			not_ok "generate ${strat:---stratify}: $c-row chunks differ"; diff "$TMPD/whole" "$TMPD/chunked" | sed 's/^/#   /'
		fi
	done
done
# progress while streaming (stderr is not a terminal: one line per 10 %)
n=$(grep -c '^run-1 .*%' "$TMPD/err7")
if [ "$n" -ge 5 ]; then ok "generate reports its progress while it writes ($n lines)"; else
	not_ok "generate progress: $n lines"; sed 's/^/#   /' "$TMPD/err7" | head; fi
check "check: the streamed set is sound" "$SYNTHEHR" check "$S"
if ls -d "$S"/runs/*/set.* >/dev/null 2>&1; then not_ok "a staging or commit directory was left"; else
	ok "no staging or commit directory left"; fi
python3 - "$S/runs/run-1/synthetic.csv" <<'PY' && ok "synthetic.csv: 2,500 rows and the header" || not_ok "synthetic.csv row count"
import sys
n = sum(1 for _ in open(sys.argv[1]))
sys.exit(0 if n == 2501 else 1)
PY

# evaluate: whole matrices against 4-column blocks (CWC) and the Gram
# route (LCA with its rows capped below the column count).
check "generate the baseline too" "$SYNTHEHR" generate "$S" --run baseline
check "evaluate CWC, LCA (whole)" "$SYNTHEHR" evaluate "$S" --only cwc,lca
cp "$S/eval/metrics.json" "$TMPD/whole.json"
check "evaluate CWC, LCA in 4-column blocks" env SYNTHEHR_EVAL_COL_BLOCK=4 "$SYNTHEHR" evaluate "$S" --only cwc,lca --force
cp "$S/eval/metrics.json" "$TMPD/blocked.json"
python3 - "$TMPD/whole.json" "$TMPD/blocked.json" >"$TMPD/cmp" 2>&1 <<'PY'
import json, math, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
def vals(j):
    out = {}
    def walk(o, path):
        if isinstance(o, dict):
            for k, v in o.items():
                if k == 'seconds':
                    continue
                if k in ('CWC', 'LCA', 'cwc_paper_mae') and isinstance(v, (int, float)):
                    out[path + '/' + k] = v
                else:
                    walk(v, path + '/' + k)
        elif isinstance(o, list):
            for i, v in enumerate(o):
                walk(v, path + '/' + str(i))
    walk(j, '')
    return out
va, vb = vals(a), vals(b)
# float32 products summed in another order: equal to ~1e-7 relative
bad = [k for k in va if k not in vb or abs(va[k] - vb[k]) > 1e-6 * max(1.0, abs(va[k]))]
print(len(va), "values;", "differ:", [(k, va[k], vb.get(k)) for k in bad[:3]])
sys.exit(0 if va and not bad and len(va) == len(vb) else 1)
PY
if [ $? -eq 0 ]; then ok "CWC and LCA in blocks = whole matrices to float32 rounding (1e-6 relative) ($(cat "$TMPD/cmp"))"; else
	not_ok "blocked metrics differ"; sed 's/^/#   /' "$TMPD/cmp"; fi
done_testing
