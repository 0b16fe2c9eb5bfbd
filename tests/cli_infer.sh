#!/bin/sh
# synthehr — GPL-3.0-or-later.
# Type and role inference at 'init' on cohorts shaped like hospital extracts
# (issue 13, defect 7) and tolerance of stray tokens in numeric columns
# (issue 18, defect 6).  The cohorts are written here, at test time, by awk
# with a fixed Park–Miller generator (the same rows under any awk).
. "$SRCDIR/tests/tap.sh"

# role_of STUDY COL: the role study.json's "schema" "roles" holds for COL
role_of() { awk -v c="\"$2\":" '$1 == c { gsub(/[",]/, "", $2); print $2; exit }' "$1/study.json"; }
# col_of STUDY COL KEY: a key of COL's entry in "schema" "columns"
col_of() {
	awk -v c="\"$2\"" -v k="\"$3\":" '
		$1 == "\"name\":" { sub(/,$/, "", $2); cur = $2 }
		cur == c && $1 == k { v = $2; sub(/,$/, "", v); gsub(/"/, "", v); print v; exit }' "$1/study.json"
}
# expect_role STUDY COL ROLE WHY
expect_role() {
	got=$(role_of "$1" "$2")
	if [ "$got" = "$3" ]; then ok "$2: $3 ($4)"; else not_ok "$2: $3 ($4), got '$got'"; fi
}

# 1. A hospital extract: 2,000 encounters, an encounter id and a patient
#    number (unique, not in order), codes, counts, phe_ concepts, concepts
#    under a shared prefix, a lab flag, and two outcomes (death, readmission).
H=$TMPD/hosp.csv
awk 'function rnd() { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }
function pick(spec,   n, a, i, u, acc, kv) {   # "v:p v:p ..." → v
	n = split(spec, a, " "); u = rnd(); acc = 0
	for (i = 1; i <= n; i++) { split(a[i], kv, ":"); acc += kv[2]; if (u < acc) return kv[1] }
	split(a[n], kv, ":"); return kv[1]
}
BEGIN {
	seed = 20231; n = 2000
	nphe = split("008 038 250.2 272.1 274.1 285 296.2 401.1 411.4 427.2 428 496 550.1 585.3 599 601 174.1 618 740.1 788", phe, " ")
	ncond = split("427_21 428_1 584_5 591 592_1 594", cond, " ")
	printf "encounter_id,patient_nbr,age,gender,race,admission_type_id,admission_source_id,"
	printf "discharge_disposition_id,specialty,year,time_in_hospital,num_medications,number_inpatient,"
	printf "num_procedures,hba1c_high,A1Cresult"
	for (k = 1; k <= nphe; k++) printf ",phe_%s", phe[k]
	for (k = 1; k <= ncond; k++) printf ",cond_%s", cond[k]
	printf ",death,readmit_lt30_first\n"
	for (i = 1; i <= n; i++) {
		printf "%d,%d,%d,%s,%s,", 12000 + (i * 7919) % 1000003, 100000 + (i * 104729) % 9999991,
			20 + int(rnd() * 70), rnd() < 0.52 ? "Female" : "Male",
			pick("Caucasian:0.7 AfricanAmerican:0.18 Hispanic:0.04 Other:0.03 ?:0.05")
		printf "%s,%s,%s,%s,", pick("1:0.53 3:0.19 2:0.18 6:0.05 5:0.04 8:0.01"),
			pick("7:0.56 1:0.29 17:0.07 4:0.03 6:0.02 2:0.01 5:0.01 3:0.01"),
			pick("1:0.6 3:0.14 6:0.13 18:0.04 2:0.02 22:0.02 11:0.02 5:0.01 25:0.01 4:0.01"),
			pick("3:0.35 11:0.3 19:0.2 4:0.03 7:0.03 15:0.03 22:0.03 27:0.03")
		u = rnd(); ni = rnd() < 0.65 ? 0 : 1 + int(rnd() * rnd() * 12)
		printf "%d,%d,%d,%d,%d,%d,%s", 2001 + int(rnd() * 12), 1 + int(u * u * 13), 1 + int(rnd() * 40),
			ni, int(rnd() * rnd() * 7), rnd() < 0.2, pick("None:0.8 >7:0.08 >8:0.08 Norm:0.04")
		for (k = 1; k <= nphe + ncond; k++) printf ",%d", rnd() < 0.1
		printf ",%d,%d\n", rnd() < 0.08, rnd() < 0.11
	}
}' >"$H"

S=$TMPD/s1
check_fails "two outcome columns: init asks for --label (exit 2)" 2 "$SYNTHEHR" init "$S" --data "$H"
grep_ok "the message lists death" "death" "$TMPD/err"
grep_ok "the message lists readmit_lt30_first" "readmit_lt30_first" "$TMPD/err"
grep_ok "the message asks for --label" "\-\-label COL" "$TMPD/err"
if [ -e "$S" ]; then not_ok "no study left by the refused init"; else ok "no study left by the refused init"; fi

check "init --label readmit_lt30_first" "$SYNTHEHR" init "$S" --data "$H" --label readmit_lt30_first
cp "$TMPD/err" "$TMPD/init1.err"
expect_role "$S" readmit_lt30_first label "--label"
expect_role "$S" death binary "the other candidate stays a binary column"
expect_role "$S" encounter_id id "unique per row, *_id"
expect_role "$S" patient_nbr id "unique per row, *_nbr"
expect_role "$S" admission_type_id categorical "code name *_type_id, 6 levels"
expect_role "$S" admission_source_id categorical "code name *_source_id, 8 levels"
expect_role "$S" discharge_disposition_id categorical "code name, 10 levels"
expect_role "$S" specialty categorical "8 integer levels with separate modes: codes"
expect_role "$S" year continuous "12 ordered, evenly filled levels"
expect_role "$S" time_in_hospital continuous "1..13, no zeros"
expect_role "$S" num_medications continuous "a count"
expect_role "$S" A1Cresult categorical "text levels; 'None' stays a level in a text column"
expect_role "$S" hba1c_high binary "a 0/1 lab flag"
expect_role "$S" gender sex "Female/Male"
expect_role "$S" age continuous "ages"
n=0
for c in 008 038 250.2 272.1 274.1 285 296.2 401.1 411.4 427.2 428 496 550.1 585.3 599 601 174.1 618 740.1 788; do
	[ "$(role_of "$S" "phe_$c")" = concept ] && n=$((n + 1))
done
if [ "$n" -eq 20 ]; then ok "all 20 phe_ columns are concepts"; else not_ok "all 20 phe_ columns are concepts ($n)"; fi
n=0
for c in 427_21 428_1 584_5 591 592_1 594; do
	[ "$(role_of "$S" "cond_$c")" = concept ] && n=$((n + 1))
done
if [ "$n" -eq 6 ]; then ok "6 cond_<code> columns (a shared prefix before codes) are concepts"; else
	not_ok "6 cond_<code> columns are concepts ($n)"; fi
for c in num_medications number_inpatient num_procedures; do
	k=$(col_of "$S" "$c" kind)
	if [ "$k" = count ]; then ok "$c: \"kind\": \"count\" in study.json"; else not_ok "$c: kind count, got '$k'"; fi
done
for c in age time_in_hospital year; do
	k=$(col_of "$S" "$c" kind)
	if [ "$k" = numeric ]; then ok "$c: not a count"; else not_ok "$c: not a count, got '$k'"; fi
done
grep_ok "the summary lists the ids" "ids *encounter_id, patient_nbr" "$TMPD/init1.err"
grep_ok "the summary counts the concepts" "concepts *26" "$TMPD/init1.err"
grep_ok "the summary lists the counts" "counts *num_medications, number_inpatient, num_procedures" "$TMPD/init1.err"
check "prep re-reads the cohort with the stored roles" "$SYNTHEHR" prep "$S"

S2=$TMPD/s2
check "init --role death=binary: one outcome left, picked" "$SYNTHEHR" init "$S2" --data "$H" --role death=binary
expect_role "$S2" readmit_lt30_first label "the one candidate left"

# The workbench's Load screen asks for the label before creating the study.
if command -v tmux >/dev/null 2>&1; then
	TM="tmux -L synthehr-infer-$$"
	trap '$TM kill-server >/dev/null 2>&1; rm -rf "$TMPD"' EXIT
	UTF=C.UTF-8
	locale -a 2>/dev/null | grep -qi '^c\.utf-\?8$' || UTF=en_US.UTF-8
	$TM -f /dev/null new-session -d -x 80 -y 24 -c "$TMPD" \
	    "env LANG=$UTF LC_ALL=$UTF TERM=xterm-256color SYNTHEHR_THEME_DIR='$SRCDIR/themes' \
	     OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1 '$SYNTHEHR'; sleep 600"
	# wait_for PATTERN SECONDS
	wait_for() {
		n=0
		while [ $n -lt $(($2 * 5)) ]; do
			$TM capture-pane -p >"$TMPD/screen" 2>/dev/null
			grep -q -- "$1" "$TMPD/screen" && return 0
			sleep 0.2
			n=$((n + 1))
		done
		sed 's/^/#   |/' "$TMPD/screen"
		return 1
	}
	wait_for "Load a cohort" 10 || true
	$TM send-keys c
	wait_for "CSV file:" 5 || true
	$TM send-keys "$H" Enter
	wait_for "Study directory:" 5 || true
	$TM send-keys C-u "$TMPD/tui" Enter
	if wait_for "Label (outcome) column? 2 look like one: death, readmit_lt30_first" 20; then
		ok "TUI Load asks for the label, listing both candidates"; else
		not_ok "TUI Load asks for the label, listing both candidates"; fi
	$TM send-keys C-u readmit_lt30_first Enter
	if wait_for "Schema: 2000 patients" 60; then ok "TUI: the study is created"; else
		not_ok "TUI: the study is created"; fi
	expect_role "$TMPD/tui" readmit_lt30_first label "chosen in the TUI"
	$TM kill-server >/dev/null 2>&1
else
	ok "# SKIP tmux is not installed: the TUI's label question is not tested"
fi

# 2. Stray tokens in numeric columns (600 rows): missing-value tokens,
#    a few words, thousands separators, decimal commas; and a text column
#    with a few numbers, which stays text.
T=$TMPD/stray.csv
awk 'function rnd() { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }
BEGIN {
	seed = 777; n = 600
	print "age,bmi,weight,cost,ratio,note,ward,died,diag_1"
	for (i = 1; i <= n; i++) {
		bmi = sprintf("%.1f", 18 + rnd() * 20)
		if (i == 5) bmi = "?"; else if (i == 9) bmi = "none"; else if (i == 40) bmi = "-"
		w = sprintf("%.1f", 45 + rnd() * 60)
		if (i == 30 || i == 31) w = "see chart"
		c = 200 + int(rnd() * 4000)
		cs = c >= 1000 ? sprintf("\"%d,%03d\"", int(c / 1000), c % 1000) : c
		r = sprintf("\"%d,%d\"", 10 + int(rnd() * 30), int(rnd() * 10))
		note = i % 8 == 0 ? "text " i : int(rnd() * 50)
		dg = i == 100 ? "V57" : sprintf("%d.%d", 250 + int(rnd() * 30), int(rnd() * 3))
		printf "%d,%s,%s,%s,%s,%s,%s,%d,%s\n", 20 + int(rnd() * 70), bmi, w, cs, r, note,
			substr("ABC", 1 + int(rnd() * 3), 1), rnd() < 0.2, dg
	}
}' >"$T"
S3=$TMPD/s3
check "init on stray tokens" "$SYNTHEHR" init "$S3" --data "$T"
cp "$TMPD/err" "$TMPD/init3.err"
expect_role "$S3" bmi continuous "'?', 'none', '-' are missing, not text"
m=$(col_of "$S3" bmi missing)
if [ "$m" = 3 ]; then ok "bmi: 3 cells missing"; else not_ok "bmi: 3 cells missing, got '$m'"; fi
grep_ok "the summary counts bmi's missing tokens and names its first line" \
	"stray.csv:6: column 'bmi': 3 cells with a missing-value token" "$TMPD/init3.err"
expect_role "$S3" weight continuous "2 words in 600 cells: numeric, those missing"
grep_ok "a warning gives weight's count and first line" \
	"stray.csv:31: column 'weight': warning: 2 cells are not a number" "$TMPD/init3.err"
if grep -q "see chart" "$TMPD/init3.err"; then not_ok "the warning never shows the value"; else
	ok "the warning never shows the value"; fi
expect_role "$S3" cost continuous "thousands separators are numbers"
grep_ok "thousands separators are reported with column and first line" \
	"stray.csv:[0-9]*: column 'cost': [0-9]* numbers written with a thousands separator" "$TMPD/init3.err"
expect_role "$S3" ratio continuous "decimal commas are numbers"
grep_ok "decimal commas are reported with column and first line" \
	"stray.csv:2: column 'ratio': 600 numbers written with a decimal comma" "$TMPD/init3.err"
m=$(col_of "$S3" ratio missing)
if [ "$m" = 0 ]; then ok "ratio: no cell lost"; else not_ok "ratio: no cell lost, got '$m' missing"; fi
r=$(role_of "$S3" note)
if [ "$r" != continuous ]; then ok "note (one cell in 8 a word) is not numeric ($r)"; else
	not_ok "note (one cell in 8 a word) is not numeric"; fi
expect_role "$S3" ward categorical "text A/B/C"
r=$(role_of "$S3" diag_1)
if [ "$r" != continuous ]; then ok "diag_1 (ICD-9 codes, one V57) is not numeric ($r)"; else
	not_ok "diag_1 (ICD-9 codes, one V57) is not numeric"; fi
expect_role "$S3" died label "the one outcome"
check "prep re-reads the stray cohort (the same cells missing)" "$SYNTHEHR" prep "$S3"

# A 0/1 column that meets a third value after 0s and 1s read on the fast
# path keeps all three (it once lost the 0s: levels 1 and 2).
printf 'a,b\n1,5\n0,6\n0,7\n1,8\n2,9\n' >"$TMPD/three.csv"
check "init: 1, 0, 0, 1, 2" "$SYNTHEHR" init "$TMPD/s4" --data "$TMPD/three.csv"
if grep -q '"2"' "$TMPD/s4/study.json" && grep -q '"0"' "$TMPD/s4/study.json"; then
	expect_role "$TMPD/s4" a categorical "three values 0, 1, 2"; else not_ok "a: levels 0, 1, 2 kept"; fi
printf 'y,b\n0,5\n1,6\n1,7\n2,8\n0,9\n' >"$TMPD/three2.csv"
check_fails "--label on 0, 1, 1, 2: a third value" 2 "$SYNTHEHR" init "$TMPD/s5" --data "$TMPD/three2.csv" --label y
grep_ok "the third value is named with its line" "three2.csv:5:1: column 'y' is set as label but has a third distinct" "$TMPD/err"

# 3. The real cohorts in shared data: record numbers are ids, follow-up
#    times that are nearly unique are not, counts are marked, the label is
#    still picked where one column is named like the outcome.
C=$SHARED_DATA/cohorts
if [ -r "$C/rotterdam.csv" ]; then
	for b in colon mgus2 nwtco pbc pima2 rotterdam stroke_cost trace; do
		check "init $b.csv" "$SYNTHEHR" init "$TMPD/r-$b" --data "$C/$b.csv"
	done
	expect_role "$TMPD/r-colon" id id "929 values in 1,858 rows (two records a patient), named id"
	expect_role "$TMPD/r-nwtco" seqno id "unique, in file order"
	expect_role "$TMPD/r-rotterdam" pid id "unique, 1..3007 for 2,982 rows"
	expect_role "$TMPD/r-trace" id id "unique, named id"
	expect_role "$TMPD/r-pbc" time continuous "95.5% distinct follow-up days are not an id"
	expect_role "$TMPD/r-stroke_cost" time continuous "92% distinct follow-up days are not an id"
	expect_role "$TMPD/r-rotterdam" year continuous "16 ordered years"
	expect_role "$TMPD/r-rotterdam" death label "the one outcome-like name"
	expect_role "$TMPD/r-mgus2" death label "the one outcome-like name"
	expect_role "$TMPD/r-pbc" status categorical "0/1/2"
	expect_role "$TMPD/r-trace" status categorical "0/7/8/9"
	for c in nodes pgr er; do
		k=$(col_of "$TMPD/r-rotterdam" $c kind)
		if [ "$k" = count ]; then ok "rotterdam $c: a count"; else not_ok "rotterdam $c: a count, got '$k'"; fi
	done
	k=$(col_of "$TMPD/r-rotterdam" age kind)
	if [ "$k" = numeric ]; then ok "rotterdam age: not a count"; else not_ok "rotterdam age: not a count, got '$k'"; fi
else
	ok "# SKIP no shared data ($C): real cohorts not checked"
fi
done_testing
