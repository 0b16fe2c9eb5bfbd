#!/bin/sh
# synthehr — GPL-3.0-or-later.
# review and prep from the command line: the demo cohort (tables in 80
# columns, histograms, flags, byte-identical re-runs, plan options, bad
# plans), and the real cohorts in $SHARED_DATA/cohorts end to end.
. "$SRCDIR/tests/tap.sh"

S=$TMPD/demo
check "init a small demo study" "$SYNTHEHR" init "$S" --demo --rows 3000 --concepts 60
check "review runs" "$SYNTHEHR" review "$S"
cp "$TMPD/out" "$TMPD/review.txt"
grep_ok "review lists BMI" "^BMI " "$TMPD/review.txt"
grep_ok "review shows the tutorial's BMI rule as on" "BMI outside \[10, 60\]: drop.*\[on\]" "$TMPD/review.txt"
grep_ok "review summarises concept columns" "concept columns: prevalence" "$TMPD/review.txt"
if awk 'length($0) > 80 { bad = 1 } END { exit bad }' "$TMPD/review.txt"; then ok "table fits 80 columns"; else not_ok "table fits 80 columns"; fi
check "profile cached" test -f "$S/prep/profile.json"
check "review BMI RACE (detail, from the cache)" "$SYNTHEHR" review "$S" BMI RACE
cp "$TMPD/out" "$TMPD/detail.txt"
grep_ok "histogram axis drawn" "└" "$TMPD/detail.txt"
grep_ok "rule marks under the histogram" "\^" "$TMPD/detail.txt"
grep_ok "level counts of RACE" "WHITE *│" "$TMPD/detail.txt"
# wc -m counts characters, so block characters count as one cell
maxw=$(while IFS= read -r line; do printf '%s' "$line" | wc -m; done <"$TMPD/detail.txt" | sort -n | tail -1)
if [ "$maxw" -le 80 ]; then ok "detail fits 80 columns ($maxw)"; else not_ok "detail fits 80 columns ($maxw)"; fi
check "ASCII review" "$SYNTHEHR" review --ascii "$S" BMI
if LC_ALL=C grep -q '[^ -~]' "$TMPD/out"; then not_ok "ASCII output is ASCII"; else ok "ASCII output is ASCII"; fi
check_fails "unknown column is a usage error" 2 "$SYNTHEHR" review "$S" NO_SUCH_COLUMN
grep_ok "unknown column named" "NO_SUCH_COLUMN" "$TMPD/err"
check_fails "review of a missing study fails" 2 "$SYNTHEHR" review "$TMPD/nothing"
check_fails "review without a study is a usage error" 2 "$SYNTHEHR" review

check "prep runs" "$SYNTHEHR" prep "$S"
cp "$TMPD/out" "$TMPD/prep.txt"
grep_ok "Table 1: patients row" "^patients  " "$TMPD/prep.txt"
grep_ok "Table 1: BMI mean (SD)" "^BMI, mean (SD)" "$TMPD/prep.txt"
grep_ok "Table 1: columns row" "^columns  " "$TMPD/prep.txt"
grep_ok "rules reported with rows removed" "BMI outside \[10, 60\]: drop *removed" "$TMPD/prep.txt"
for f in layout.json train.mtx test.mtx train.csv test.csv log.json; do
	check "prep/$f written" test -s "$S/prep/$f"
done
grep_ok "train.csv has the original header" "^RACE,ADMISSION_TYPE,DIE_1y,GENDER," "$S/prep/train.csv"
mkdir "$TMPD/first"
cp "$S"/prep/*.json "$S"/prep/*.mtx "$S"/prep/*.csv "$TMPD/first/"
check "prep again" "$SYNTHEHR" prep --quiet "$S"
same=1
for f in layout.json train.mtx test.mtx train.csv test.csv log.json; do
	cmp -s "$S/prep/$f" "$TMPD/first/$f" || same=0
done
if [ $same -eq 1 ]; then ok "re-run is byte-identical"; else not_ok "re-run is byte-identical"; fi

# options: the cross rule on, median imputation, train-only scaling, stratified 80/20
python3 - "$S/study.json" "$SRCDIR/tests/data/prep/cross_on.json" <<'PY' || echo "# python3 missing"
import json, sys
s = json.load(open(sys.argv[1])); s["prep"] = json.load(open(sys.argv[2]))
json.dump(s, open(sys.argv[1], "w"), indent=2)
PY
check "prep with options" "$SYNTHEHR" prep "$S"
grep_ok "cross rule applied" "not DIASTOLIC < SYSTOLIC: drop *removed" "$TMPD/out"
grep_ok "median imputation logged" '"method": "median"' "$S/prep/log.json"
grep_ok "train-only scaling logged" '"fit": "train"' "$S/prep/log.json"
grep_ok "stratified split logged" '"stratify": true' "$S/prep/log.json"

python3 - "$S/study.json" "$SRCDIR/tests/data/prep/bad_rule.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); s["prep"] = json.load(open(sys.argv[2]))
json.dump(s, open(sys.argv[1], "w"), indent=2)
PY
check_fails "a bad rule fails" 1 "$SYNTHEHR" prep "$S"
grep_ok "the bad rule is named" "prep.outliers\[0\]: unknown rule type \"box\"" "$TMPD/err"
check_fails "prep without a study is a usage error" 2 "$SYNTHEHR" prep

# the real cohorts
if [ -d "$SHARED_DATA/cohorts" ]; then
	for f in "$SHARED_DATA"/cohorts/*.csv; do
		n=$(basename "$f" .csv)
		check "$n: init" "$SYNTHEHR" init "$TMPD/$n" --data "$f"
		check "$n: review" "$SYNTHEHR" review "$TMPD/$n"
		check "$n: prep" "$SYNTHEHR" prep "$TMPD/$n"
		check "$n: train.csv written" test -s "$TMPD/$n/prep/train.csv"
	done
else
	echo "# SHARED_DATA/cohorts not found; real cohorts skipped"
fi
done_testing
