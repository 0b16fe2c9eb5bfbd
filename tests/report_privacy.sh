#!/bin/sh
# synthehr — GPL-3.0-or-later.
# The HTML report discloses aggregates only (issue 17): distinctive values are
# planted in a cohort (extreme and in-range continuous values, a categorical
# level held by 3 patients) and must never appear in the report; with the
# smallest count lowered to 1 the planted level does appear (so the plant
# reached the study and the suppression is what hides it).  Also: the file
# is self-contained (no network reference, no script), 0600, the CLI's
# options, and the Markdown report's link to it.
. "$SRCDIR/tests/tap.sh"
export OMP_WAIT_POLICY=PASSIVE

C="$TMPD/cohort.csv"
"$SYNTHEHR" demo -o "$C" --rows 1200 --concepts 60 >/dev/null 2>&1 || { not_ok "demo cohort"; done_testing; exit 1; }
# Columns: DIE_1y,AGE,GENDER,RACE,BMI,DIASTOLIC,SYSTOLIC,concepts...
awk -F, -v OFS=, '
NR == 3 { $5 = "987.654" }
NR == 4 { $5 = "59.8765" }
NR == 5 { $7 = "271.828" }
NR == 6 { $6 = "31.4159" }
NR >= 7 && NR <= 9 { $4 = "ZQXJVW" }
{ print }' "$C" >"$C.tmp" && mv "$C.tmp" "$C"
if [ -f "$C.schema.json" ]; then
	sed 's/"OTHER"/"OTHER", "ZQXJVW"/' "$C.schema.json" >"$C.tmp" && mv "$C.tmp" "$C.schema.json"
fi
grep -q ZQXJVW "$C" && grep -q 987.654 "$C" && ok "values planted in the cohort" || not_ok "values planted in the cohort"

ST="$TMPD/st"
check "init" "$SYNTHEHR" init "$ST" --data "$C"
check "prep" "$SYNTHEHR" prep "$ST"
check "train" "$SYNTHEHR" train "$ST" --runs 1 --epochs 4
check "generate" "$SYNTHEHR" generate "$ST" --no-stratify
check "evaluate" "$SYNTHEHR" evaluate "$ST" --preset fast --boot 3
check "report" "$SYNTHEHR" report "$ST"
H="$ST/eval/report.html"
grep_ok "report names both files" "report.html" "$TMPD/out"
[ -s "$H" ] && [ -s "$ST/eval/report.md" ] && ok "report.md and report.html written" || not_ok "report.md and report.html written"
grep_ok "the Markdown report links the HTML report" "(report.html)" "$ST/eval/report.md"
grep_ok "the Markdown report keeps its metric table" "| metric | direction | range |" "$ST/eval/report.md"
case $(stat -c %a "$H") in 600) ok "report.html is 0600" ;; *) not_ok "report.html is 0600 ($(stat -c %a "$H"))" ;; esac

# Text of the page without the (base64) images.
sed 's|data:image/png;base64,[A-Za-z0-9+/=]*|IMG|g' "$H" >"$TMPD/text.html"
leak=""
for v in 987.654 987.65 59.8765 59.877 271.828 271.83 31.4159 31.416 ZQXJVW; do
	grep -qF "$v" "$H" "$TMPD/text.html" && leak="$leak $v"
done
if [ -z "$leak" ]; then ok "no planted value appears in the HTML"; else not_ok "planted values in the HTML:$leak"; fi
leak=""
for v in 987.654 59.8765 271.828 31.4159 ZQXJVW; do
	grep -qF "$v" "$ST/eval/report.md" && leak="$leak $v"
done
if [ -z "$leak" ]; then ok "no planted value appears in the Markdown report"; else not_ok "planted values in report.md:$leak"; fi
grep_ok "the Markdown report suppresses small removals too" "<10 removed" "$ST/eval/report.md"
grep_ok "the small level is pooled in Table 1" "small level" "$TMPD/text.html"
grep_ok "small counts are shown as <10" "&lt;10" "$TMPD/text.html"
if grep -qiE '<script|<link|@import|url\(|(src|href)="(https?:)?//' "$TMPD/text.html"; then
	not_ok "self-contained: no script, stylesheet link or network reference"
	grep -oiE '<script|<link|@import|url\(|(src|href)="(https?:)?//[^"]*' "$TMPD/text.html" | head -5 | sed 's/^/#   /'
else
	ok "self-contained: no script, stylesheet link or network reference"
fi
n=$(grep -o '<img src="data:image/png;base64,' "$H" | wc -l)
m=$(grep -o '<img ' "$H" | wc -l)
if [ "$n" -ge 10 ] && [ "$n" -eq "$m" ]; then ok "all $n charts are embedded PNG data: URIs"; else
	not_ok "all charts are embedded PNG data: URIs ($n of $m)"; fi
a=$(grep -o '<img [^>]*alt="[^"]\{20,\}"' "$H" | wc -l)
[ "$a" -eq "$m" ] && ok "every chart has a text alternative" || not_ok "every chart has a text alternative ($a of $m)"
t=$(grep -o '<details class="numbers">' "$H" | wc -l)
[ "$t" -ge 5 ] && ok "charts come with their numbers in tables ($t)" || not_ok "charts come with their numbers in tables ($t)"

# Sensitivity: with the smallest count at 1 the planted level is shown.
check "report --html --min-cell 1 -o FILE" "$SYNTHEHR" report "$ST" --html --min-cell 1 -o "$TMPD/k1.html"
sed 's|data:image/png;base64,[A-Za-z0-9+/=]*|IMG|g' "$TMPD/k1.html" >"$TMPD/k1.txt"
grep_ok "--min-cell 1 shows the 3-patient level (the plant arrived)" "ZQXJVW" "$TMPD/k1.txt"
if grep -qF 987.654 "$TMPD/k1.txt"; then not_ok "no single value even with --min-cell 1"; else ok "no single value even with --min-cell 1"; fi
python3 - "$ST/study.json" <<'PY' && ok "study.json report.min_cell set" || not_ok "study.json report.min_cell set"
import json, sys
p = sys.argv[1]
s = json.load(open(p))
s.setdefault("report", {})["min_cell"] = 1
json.dump(s, open(p, "w"), indent=2)
PY
check "report --html (setting)" "$SYNTHEHR" report "$ST" --html
sed 's|data:image/png;base64,[A-Za-z0-9+/=]*|IMG|g' "$H" >"$TMPD/k2.txt"
grep_ok "study.json report.min_cell = 1 shows the level" "ZQXJVW" "$TMPD/k2.txt"

"$SYNTHEHR" help settings >"$TMPD/settings.txt" 2>&1
grep_ok "report.min_cell is in the settings table" "report.min_cell" "$TMPD/settings.txt"
# Results older than their inputs are flagged at the top.
sleep 1; touch "$ST/runs/run-1/synthetic.mtx"
check "report after a set changed" "$SYNTHEHR" report "$ST" --html
grep_ok "the summary says the metrics are older than the sets" "the metrics are older than" "$H"

check_fails "--min-cell 0 is a usage error" 2 "$SYNTHEHR" report "$ST" --min-cell 0
check_fails "--min-cell x is a usage error" 2 "$SYNTHEHR" report "$ST" --min-cell x
grep_ok "the message names the option" "min-cell" "$TMPD/err"
check_fails "a missing phecode map is named" 1 "$SYNTHEHR" report "$ST" --html --phecodes "$TMPD/nope"
grep_ok "the message names the file" "phecode_info.csv" "$TMPD/err"
done_testing
