#!/bin/sh
# synthehr — GPL-3.0-or-later.
# The classical peers end to end on a small demo study: train --method
# cart|copula|marginals writes a set that generate, evaluate, rank and report
# treat like the runs (kind "peer"); a bad --method is a usage error naming
# the methods; generate keeps a current peer and refits it for another seed;
# the same seed gives the same set; files are private.
. "$SRCDIR/tests/tap.sh"
export OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE
S=$TMPD/s
demo_study "$S" --rows 600 --concepts 20 --seed 1

check_fails "unknown --method is a usage error" 2 "$SYNTHEHR" train "$S" --method gan
grep_ok "the error lists the methods" 'unknown method "gan" (expected emrwgan, cart, copula or marginals)' "$TMPD/err"
[ ! -d "$S/runs/peer-gan" ] && ok "nothing written for a bad method" || not_ok "nothing written for a bad method"

check "train --method cart" "$SYNTHEHR" train "$S" --method cart
grep_ok "cart reports rows and seconds" "cart: [0-9]* rows in" "$TMPD/err"
[ -s "$S/runs/peer-cart/synthetic.csv" ] && [ -s "$S/runs/peer-cart/synthetic.mtx" ] &&
	ok "runs/peer-cart holds synthetic.csv and .mtx" || not_ok "runs/peer-cart holds synthetic.csv and .mtx"
grep_ok "state.json names the method" '"method": "cart"' "$S/runs/peer-cart/state.json"
grep_ok "state.json records min leaf 5" '"min_leaf": 5' "$S/runs/peer-cart/state.json"
m=$(stat -c %a "$S/runs/peer-cart/synthetic.csv"); d=$(stat -c %a "$S/runs/peer-cart")
[ "$m" = 600 ] && [ "$d" = 700 ] && ok "peer files 0600, directory 0700" || not_ok "peer files 0600, directory 0700 ($m, $d)"
head -1 "$S/runs/peer-cart/synthetic.csv" > "$TMPD/h1"
head -1 "$S/prep/train.csv" > "$TMPD/h2"
cmp -s "$TMPD/h1" "$TMPD/h2" && ok "peer CSV has the training CSV's header" || not_ok "peer CSV has the training CSV's header"
n=$(($(wc -l < "$S/runs/peer-cart/synthetic.csv") - 1)); nt=$(($(wc -l < "$S/prep/train.csv") - 1))
[ "$n" -eq "$nt" ] && ok "as many rows as the training set ($n)" || not_ok "as many rows as the training set ($n vs $nt)"

check "train --method copula" "$SYNTHEHR" train "$S" --method copula
a=$(sha256sum < "$S/runs/peer-copula/synthetic.mtx")
check "train --method copula again" "$SYNTHEHR" train "$S" --method copula
b=$(sha256sum < "$S/runs/peer-copula/synthetic.mtx")
[ "$a" = "$b" ] && ok "copula: same seed, same set" || not_ok "copula: same seed, same set"
check "train --method marginals" "$SYNTHEHR" train "$S" --method marginals
[ -s "$S/runs/baseline-marginals/synthetic.mtx" ] && ok "marginals write runs/baseline-marginals" || not_ok "marginals write runs/baseline-marginals"
grep -q '"method"' "$S/study.json" && not_ok "--method is not saved in study.json" || ok "--method is not saved in study.json"

check "generate (no runs: peers and baseline)" "$SYNTHEHR" generate "$S"
grep_ok "a current peer is kept" "peer-cart: up to date" "$TMPD/out"
check "generate --seed 2 refits the peers" "$SYNTHEHR" generate "$S" --seed 2
grep_ok "peer refitted for another seed" "peer-copula: [0-9]* rows" "$TMPD/out"
c=$(sha256sum < "$S/runs/peer-copula/synthetic.mtx")
[ "$a" != "$c" ] && ok "copula: another seed, another set" || not_ok "copula: another seed, another set"
check "generate --run cart --seed 1" "$SYNTHEHR" generate "$S" --run cart --seed 1
check "generate --run copula --seed 1" "$SYNTHEHR" generate "$S" --run copula --seed 1
c=$(sha256sum < "$S/runs/peer-copula/synthetic.mtx")
[ "$a" = "$c" ] && ok "copula: back to seed 1, the first set again" || not_ok "copula: back to seed 1, the first set again"

check "generate --rows 100" "$SYNTHEHR" generate "$S" --rows 100
n=$(($(wc -l < "$S/runs/peer-cart/synthetic.csv") - 1))
[ "$n" -eq 100 ] && ok "peer-cart refitted with 100 rows" || not_ok "peer-cart refitted with 100 rows ($n)"
check "generate (default rows again)" "$SYNTHEHR" generate "$S"
n=$(($(wc -l < "$S/runs/peer-cart/synthetic.csv") - 1))
[ "$n" -eq "$nt" ] && ok "back to the training size: the 100-row set is not taken as current" ||
	not_ok "back to the training size ($n rows, want $nt)"
check "evaluate --preset fast" "$SYNTHEHR" evaluate "$S" --preset fast --boot 0
grep_ok "peers are in the ranking table" "peer-cart" "$TMPD/out"
grep_ok "metrics.json has kind peer" '"kind": "peer"' "$S/eval/metrics.json"
grep_ok "metrics.json names the method" '"method": "copula"' "$S/eval/metrics.json"
grep_ok "metrics.json has the fit seconds" '"fit_seconds"' "$S/eval/metrics.json"
check "rank --profile B" "$SYNTHEHR" rank "$S" --profile B
grep_ok "rank lists peer-copula" "peer-copula" "$TMPD/out"
check "report" "$SYNTHEHR" report "$S" -o "$TMPD/r.md"
grep_ok "report explains the peers" "peer-cart is sequential CART" "$TMPD/r.md"

# The whole pipeline fits both peers beside the runs.
R=$TMPD/r
check "run --demo: runs, peers, baseline" "$SYNTHEHR" run "$R" --demo --rows 600 --runs 1 --epochs 2
grep_ok "run announces the CART peer" "== train peer cart ==" "$TMPD/err"
grep_ok "run announces the copula peer" "== train peer copula ==" "$TMPD/err"
for set in run-1 peer-cart peer-copula baseline-marginals; do
	grep_ok "run: $set evaluated" "\"name\": \"$set\"" "$R/eval/metrics.json"
done
grep_ok "run: the report lists peer-copula" "peer-copula" "$R/eval/report.md"
check "run again: peers kept" "$SYNTHEHR" run "$R"
grep_ok "current peers are not refitted" "train peer cart: up to date" "$TMPD/err"

# Real data: rotterdam's zero-inflated node count and skewed pgr keep their
# point masses (both peers resample training values), and the label's
# prevalence stays.
RC="$SHARED_DATA/cohorts/rotterdam.csv"
if [ -f "$RC" ] && "$SYNTHEHR" init "$TMPD/rot" --data "$RC" --label death >/dev/null 2>&1 &&
   "$SYNTHEHR" prep "$TMPD/rot" >/dev/null 2>&1; then
	# share of rows where column NAME equals V, in a CSV with a header
	share() { awk -F, -v c="$2" -v v="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next }
	    { n++; z += ($k + 0 == v) } END { printf "%.4f", n ? z / n : -1 }' "$1"; }
	for m in cart copula; do
		check "rotterdam: train --method $m" "$SYNTHEHR" train "$TMPD/rot" --method $m
		f="$TMPD/rot/runs/peer-$m/synthetic.csv"
		for cv in nodes:0 pgr:0 death:1; do
			c=${cv%%:*}; v=${cv#*:}
			r=$(share "$TMPD/rot/prep/train.csv" "$c" "$v"); q=$(share "$f" "$c" "$v")
			# 2,087 rows: the binomial SE of a share near 0.5 is 0.011; 0.04 is > 3.5 SE
			awk -v a="$r" -v b="$q" 'BEGIN { d = a - b; exit !(a > 0 && (d < 0 ? -d : d) <= 0.04) }' &&
				ok "rotterdam $m: share of $c = $v is $q (real $r)" ||
				not_ok "rotterdam $m: share of $c = $v is $q (real $r)"
		done
	done
else
	tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP rotterdam.csv not in $SHARED_DATA/cohorts"
fi

done_testing
