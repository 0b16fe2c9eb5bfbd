#!/bin/sh
# synthehr — GPL-3.0-or-later.
# The Review and Preprocess screens at 80x24 as a teacher sees them (issue
# 12), on a demo study and on a real cohort (pima2 from shared/data): the
# skim table lists every column with its complete rate; the column view's
# p1 is the p1 of 'synthehr review'; z zooms BMI's histogram to p1-p99
# (its range shrinks from the outlier's thousands to tens); the bins an
# enabled rule removes are marked with '^' (also in ASCII without colour);
# co-missingness shows DIASTOLIC missing together with SYSTOLIC; a new rule
# starts from real bounds (never nan); D asks before deleting and u
# restores; a column's imputation method cycles back to (default); the
# Preprocess screen shows each rule's removal count and no line is cut.
. "$SRCDIR/tests/tap.sh"
. "$SRCDIR/tests/tmux.sh"

ST="$TMPD/demo"
"$SYNTHEHR" init "$ST" --demo --rows 2000 --concepts 20 >/dev/null 2>&1 || { not_ok "init demo"; done_testing; exit 1; }

# the names of a study's columns (the source header, from 'synthehr info')
names() { "$SYNTHEHR" info "$1" 2>/dev/null | awk 'f && NF >= 3 { print $1 } /^column  *role  *type/ { f = 1 }'; }
# the missing percentage of a column as 'synthehr info' prints it (38.6)
info_miss() { "$SYNTHEHR" info "$1" 2>/dev/null | awk -v c="$2" '$1 == c { for (i = 2; i <= NF; i++) if ($i ~ /%$/) { sub(/%/, "", $i); print $i; exit } }'; }

# every column of the study in the skim table with a complete rate: page
# through it (Home, then PgDn until the last row shows)
skim_all() {   # skim_all STUDY -> $TMPD/rows (the table's rows, all pages)
	: > "$TMPD/rows"
	keys Home
	wait_for "^1-[0-9]* of [0-9]*  sort:" 10 >/dev/null
	i=0
	while [ $i -lt 20 ]; do
		grep -E '^[^ ].{10} (num|bin|cat|id ) +(100%|[0-9]+\.[0-9]%)' "$SCREEN" >> "$TMPD/rows"
		grep -q '^[0-9]*-\([0-9]*\) of \1 ' "$SCREEN" && break
		prev=$(grep '^[0-9]*-[0-9]* of [0-9]*  sort:' "$SCREEN")
		keys PgDn
		n=0   # the next page: the table's last line changes
		while [ $n -lt 50 ]; do
			cap
			[ "$(grep '^[0-9]*-[0-9]* of [0-9]*  sort:' "$SCREEN")" != "$prev" ] && break
			sleep 0.2
			n=$((n + 1))
		done
		i=$((i + 1))
	done
	miss=0
	for n in $(names "$1"); do
		s=$(printf '%-11.11s' "$n")
		grep -qF "$s " "$TMPD/rows" || { echo "# $n is not in the skim table"; miss=$((miss + 1)); }
	done
	total=$(names "$1" | wc -l)
	[ "$total" -gt 0 ] && [ $miss -eq 0 ]
}

start "$ST"
keys 2
expect "Review opens on the skim table" "column *typ compl *mean *sd *p0 *p25 *p50 *p75 *p100 hist" 10
if skim_all "$ST"; then ok "the skim table lists all $total columns, each with a complete rate"; else
	not_ok "the skim table lists every column with a complete rate ($miss missing)"; fi
bmi_miss=$(info_miss "$ST" BMI)
bmi_compl=$(grep '^BMI ' "$TMPD/rows" | head -1 | awk '{ sub(/%/, "", $3); print $3 }')
if [ -n "$bmi_miss" ] && awk -v m="$bmi_miss" -v c="$bmi_compl" 'BEGIN { d = 100 - m - c; exit !(d > -0.11 && d < 0.11) }'
then ok "BMI: $bmi_miss% missing ('synthehr info'), complete $bmi_compl%"
else not_ok "BMI: $bmi_miss% missing ('synthehr info'), complete '$bmi_compl'%"; fi
grep_ok "0/1 columns show a prevalence bar" "^DIE_1y  *bin  *100%.*%$" "$TMPD/rows"
# a categorical column lists whole levels while they fit, then … (never
# "ASIA" for ASIAN)
grep_ok "categorical levels are whole, the rest marked …" "^RACE  *cat .* levels: WHITE [0-9]*% BLACK [0-9]*% … " "$TMPD/rows"
keys s
expect "s sorts (by name), and says so" "sort: name" 5
keys s
expect "s again: by complete rate" "sort: complete rate" 5
keys Home
wait_for "^1-[0-9]* of [0-9]*  sort: complete rate" 5 >/dev/null
first=$(sed -n 4p "$SCREEN" | awk '{ print $1 }')
case $first in DIASTOLIC | SYSTOLIC) ok "by complete rate: the least complete column first ($first)" ;;
*) not_ok "by complete rate: the least complete column first (got '$first')" ;; esac

# ---- the column view: p1 as the CLI says, zoom, marked bins
keys ':column BMI' Enter
expect ":column BMI opens the column view" "^ p0 .* p1 .* p99 .* p100 " 5
tui_p1=$(sed -n 's/^ p0 [^ ]*  p1 \([^ ]*\) .*/\1/p' "$SCREEN")
cli_p1=$("$SYNTHEHR" review "$ST" BMI 2>/dev/null | sed -n 's/^min [^ ]*  p1 \([^ ]*\) .*/\1/p')
if [ -n "$tui_p1" ] && [ "$tui_p1" = "$cli_p1" ]; then ok "BMI's p1 is $tui_p1 in the workbench and in 'synthehr review'"
else not_ok "BMI's p1: workbench '$tui_p1', synthehr review '$cli_p1'"; fi
grep_ok "the bins the rules remove are marked" "before (^ bins the rules remove)" "$SCREEN"
grep_ok "... with ^ under them" "^ *\^\^" "$SCREEN"
grep_ok "the after-rule histogram beside" "after: [0-9]* removed" "$SCREEN"
# the right end of the before histogram's x axis (the label row under it)
axis_max() {
	awk '/└/ { f = 1; next } f && /\^/ { next } f { print substr($0, 1, 39); exit }' "$SCREEN" |
	    awk '{ print $NF }'
}
full=$(axis_max)
keys z
expect "z zooms to p1-p99" "zoom: p1-p99" 5
zoom=$(axis_max)
if [ -n "$full" ] && [ -n "$zoom" ] && awk -v f="$full" -v z="$zoom" 'BEGIN { exit !(f > 1000 && z < 100) }'; then
	ok "zoom changes BMI's histogram range: the axis ends at $full, zoomed at $zoom"
else not_ok "zoom changes BMI's histogram range (full '$full', zoomed '$zoom')"; fi
grep_ok "the zoom says what it leaves out" "p1-p99 \[.*below, .*above not drawn" "$SCREEN"
tui_zoom=$(sed -n 's/^ \(p1-p99 \[[^]]*\]\): \([0-9]*\) values;.*/\1 \2/p' "$SCREEN")
cli_zoom=$("$SYNTHEHR" review "$ST" BMI 2>/dev/null | sed -n 's/^zoom on \(p1-p99 \[[^]]*\]\) (\([0-9]*\) values;.*/\1 \2/p')
if [ -n "$tui_zoom" ] && [ "$tui_zoom" = "$cli_zoom" ]; then ok "the zoom draws what 'synthehr review' zooms on: $tui_zoom values"
else not_ok "the zoom: workbench '$tui_zoom', synthehr review '$cli_zoom'"; fi
keys z Escape

# ---- missingness bars and co-missingness
keys m
expect "missingness bars per column" "BMI  *$bmi_miss% ███" 5
keys Down
expect "co-missingness of DIASTOLIC" "missing together with DIASTOLIC" 5
grep_ok "DIASTOLIC is missing together with SYSTOLIC (100%)" "│ SYSTOLIC  *[0-9][0-9]*  100%" "$SCREEN"
# the patterns: DIA and SYS are x together or not at all in every row
pats=$(sed -e 's/·/./g' -e 's/.*│ //' "$SCREEN" | awk '
	/^ *rows BMI DIA SYS/ { d = index($0, "DIA") + 1; s = index($0, "SYS") + 1; next }
	d && /^ *[0-9]+  [x.] / { n++; if (substr($0, d, 1) != substr($0, s, 1)) bad++ }
	END { print n + 0, bad + 0 }')
case $pats in
"0 "*) not_ok "the missingness patterns are drawn ($pats)" ;;
*" 0") ok "patterns: DIASTOLIC and SYSTOLIC missing in the same rows in all ${pats% *} patterns" ;;
*) not_ok "patterns: DIASTOLIC and SYSTOLIC apart in some patterns ($pats)" ;;
esac
# a column's method cycles back to (default)
keys Space
expect "Space gives DIASTOLIC its own method" "DIASTOLIC  *[0-9.]*% [^ ]* sample" 5
keys Space Space Space Space
expect "... and cycles back to (default)" "DIASTOLIC  *[0-9.]*% [^ ]* (default)" 5

# ---- outlier rules: delete asks, u restores; a new rule is never nan
keys o
expect "the rules" "DIASTOLIC < 30: drop" 5
keys Down D
expect "D asks before deleting" "Delete the rule DIASTOLIC < 30: drop (u undoes)? (y/n)" 5
keys n
sleep 0.5
cap
grep_ok "n keeps the rule" "\[x\] DIASTOLIC < 30: drop" "$SCREEN"
keys D y
expect "y deletes it" "deleted DIASTOLIC < 30: drop" 5
if grep -q "\[x\] DIASTOLIC < 30" "$SCREEN"; then not_ok "the rule left the list"; else ok "the rule left the list"; fi
if grep -q '"min": 30' "$ST/study.json"; then not_ok "... and study.json"; else ok "... and study.json"; fi
keys u
expect "u restores it" "restored DIASTOLIC < 30: drop" 5
grep_ok "... in the list" "\[x\] DIASTOLIC < 30: drop" "$SCREEN"
grep_ok "... and in study.json" '"min": 30' "$ST/study.json"
keys ':column N_MEDS' Enter n
expect "n adds a rule on the column" "N_MEDS outside \[" 5
if grep -qi "nan" "$SCREEN"; then not_ok "a new rule never shows nan"; sed 's/^/#   |/' "$SCREEN"; else
	ok "a new rule never shows nan"; fi
n_rule=$(grep -o "N_MEDS outside \[[^]]*\]" "$SCREEN" | head -1)
cli_p99=$("$SYNTHEHR" review "$ST" N_MEDS 2>/dev/null | sed -n 's/.* p99 \([^ ]*\) .*/\1/p')
case $n_rule in *", $cli_p99]") ok "a new rule starts at p1-p99 ($n_rule; CLI p99 $cli_p99)" ;;
*) not_ok "a new rule starts at p1-p99 ('$n_rule', CLI p99 '$cli_p99')" ;; esac
keys D y
expect "the new rule deleted again" "deleted N_MEDS" 5

# ---- Preprocess: each rule's count; nothing cut
keys 3 p
expect "p asks to confirm" "write prep/.*(y/n)" 5
keys y
expect "preprocessing writes prep/" "prep/ written" 60
bmi_removed=$(sed -n '/"description": "BMI outside/,/"removed"/ s/.*"removed": \([0-9]*\).*/\1/p' "$ST/prep/log.json" | head -1)
grep_ok "Preprocess shows BMI's rule and its count ($bmi_removed)" "BMI outside \[10, 60\]: ${bmi_removed:-X}\b" "$SCREEN"
grep_ok "... and DIASTOLIC's" "DIASTOLIC < 30: [0-9]" "$SCREEN"
grep_ok "Table 1 says where it is" "rows 1-[0-9]* of [0-9]* (Up/Down)" "$SCREEN"
cut=$(awk 'length($0) >= 80 && substr($0, 80, 1) ~ /[A-Za-z0-9]/' "$SCREEN" | grep -v '─' | head -3)
if [ -z "$cut" ]; then ok "no Preprocess line runs into the right edge"; else
	not_ok "no Preprocess line runs into the right edge"; echo "$cut" | sed 's/^/#   |/'; fi
keys s
expect "s shows every step of prep/log.json" "What each step did" 5
grep_ok "... each rule with its count" "BMI outside \[10, 60\]: drop *${bmi_removed:-X} removed" "$SCREEN"
keys End
expect "... and scrolls to the end" "lines [0-9]*-\([0-9]*\) of \1" 5
stop_session

# ---- ASCII without colour, on a fresh demo study (its plan as 'init'
# wrote it): the marks still show; prep/ just written is not stale
F="$TMPD/fresh"
"$SYNTHEHR" init "$F" --demo --rows 1000 --concepts 10 >/dev/null 2>&1
WB_ENV="NO_COLOR=1"
start --ascii "$F"
keys 2 ':column BMI' Enter
expect "ASCII, NO_COLOR: the column view" "before (^: bins the rules remove)" 10
grep_ok "... with ^ under the removed bins" "^ *\^\^" "$SCREEN"
if grep -q '█' "$SCREEN"; then not_ok "ASCII: no block glyphs"; else ok "ASCII: no block glyphs"; fi
keys Escape 3 p
expect "fresh study: p asks" "write prep/.*(y/n)" 5
keys y
expect "fresh study: prep/ written" "prep/ written" 60
if grep -q "plan changed since" "$SCREEN"; then not_ok "just written, prep/ is not marked stale"; else
	ok "just written, prep/ is not marked stale (init's 10 and the log's 10.0 are one bound)"; fi
stop_session
WB_ENV=

# ---- a real cohort: pima2 (shared/data)
if [ -f "$SHARED_DATA/cohorts/pima2.csv" ]; then
	P="$TMPD/pima"
	"$SYNTHEHR" init "$P" --data "$SHARED_DATA/cohorts/pima2.csv" --label diabetes >/dev/null 2>&1
	start "$P"
	keys 2
	expect "pima2: the skim table" "column *typ compl" 10
	if skim_all "$P"; then ok "pima2: every column ($total) with a complete rate"; else
		not_ok "pima2: every column with a complete rate ($miss missing)"; fi
	grep_ok "pima2: insulin 48.7% missing, complete 51.3%" "^insulin  *num 51\.[23]%" "$TMPD/rows"
	keys ':column insulin' Enter
	expect "pima2: insulin's view" "insulin  (continuous" 5
	tui_p1=$(sed -n 's/^ p0 [^ ]*  p1 \([^ ]*\) .*/\1/p' "$SCREEN")
	cli_p1=$("$SYNTHEHR" review "$P" insulin 2>/dev/null | sed -n 's/^min [^ ]*  p1 \([^ ]*\) .*/\1/p')
	if [ -n "$tui_p1" ] && [ "$tui_p1" = "$cli_p1" ]; then ok "pima2: insulin's p1 $tui_p1 as in 'synthehr review'"
	else not_ok "pima2: insulin's p1: workbench '$tui_p1', synthehr review '$cli_p1'"; fi
	keys m
	expect "pima2: co-missingness" "missing together with" 5
	keys Down Down
	expect "pima2: triceps is missing with insulin" "missing together with triceps" 5
	grep_ok "pima2: insulin first, where triceps is missing" "│ insulin  *[0-9]" "$SCREEN"
	stop_session
else
	ok "# SKIP no SHARED_DATA ($SHARED_DATA)"
fi

done_testing
