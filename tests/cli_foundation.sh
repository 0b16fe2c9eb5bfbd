#!/bin/sh
# synthehr — GPL-3.0-or-later.
# Command-line tests of the foundation: synthehr demo, init and info, exit
# codes, file modes, determinism, and that bad input writes nothing.
. "$SRCDIR/tests/tap.sh"
FX="$SRCDIR/tests/data/foundation"
mode() { stat -c %a "$1"; }

# demo
check "demo writes a small cohort" "$SYNTHEHR" demo -o "$TMPD/d.csv" --rows 500 --concepts 50 --seed 5
grep_ok "demo prints the file on stdout" "d.csv" "$TMPD/out"
[ -f "$TMPD/d.csv.schema.json" ] && ok "demo writes the schema sidecar" || not_ok "demo writes the schema sidecar"
[ "$(mode "$TMPD/d.csv")" = 600 ] && ok "demo file is 0600" || not_ok "demo file is 0600 ($(mode "$TMPD/d.csv"))"
head -1 "$TMPD/d.csv" | cut -d, -f1-7 >"$TMPD/h"
grep_ok "demo header starts DIE_1y,AGE,GENDER,RACE,BMI,DIASTOLIC,SYSTOLIC" "^DIE_1y,AGE,GENDER,RACE,BMI,DIASTOLIC,SYSTOLIC$" "$TMPD/h"
[ "$(head -1 "$TMPD/d.csv" | tr ',' '\n' | wc -l)" -eq 64 ] && ok "7 + 50 + 7 extract columns" || not_ok "7 + 50 + 7 extract columns"
head -1 "$TMPD/d.csv" | cut -d, -f58-64 >"$TMPD/h"
grep_ok "demo header ends with the extract's columns" "^ED_VISITS,ADMISSIONS,N_MEDS,CREATININE,ADMISSION_TYPE,HEART_RATE,RESP_RATE$" "$TMPD/h"
check "demo --no-extract" "$SYNTHEHR" demo -o "$TMPD/dn.csv" --rows 500 --concepts 50 --seed 5 --no-extract
[ "$(head -1 "$TMPD/dn.csv" | tr ',' '\n' | wc -l)" -eq 57 ] && ok "--no-extract: 7 + 50 columns" || not_ok "--no-extract: 7 + 50 columns"
cut -d, -f2-4 "$TMPD/d.csv" >"$TMPD/d24"; cut -d, -f2-4 "$TMPD/dn.csv" >"$TMPD/dn24"
cmp -s "$TMPD/d24" "$TMPD/dn24" && ok "--no-extract: the same AGE, GENDER, RACE" || not_ok "--no-extract: the same AGE, GENDER, RACE"
[ "$(wc -l <"$TMPD/d.csv")" -eq 501 ] && ok "500 rows + header" || not_ok "500 rows + header"
check "demo again, same seed" "$SYNTHEHR" demo -o "$TMPD/d2.csv" --rows 500 --concepts 50 --seed 5
cmp -s "$TMPD/d.csv" "$TMPD/d2.csv" && ok "same seed, same bytes" || not_ok "same seed, same bytes"
check "demo with another seed" "$SYNTHEHR" demo -o "$TMPD/d3.csv" --rows 500 --concepts 50 --seed 6
cmp -s "$TMPD/d.csv" "$TMPD/d3.csv" && not_ok "another seed, other bytes" || ok "another seed, other bytes"
check_fails "demo without -o: usage (2)" 2 "$SYNTHEHR" demo --rows 100
check_fails "demo --rows abc: usage (2)" 2 "$SYNTHEHR" demo -o "$TMPD/x.csv" --rows abc
check_fails "demo --concepts 5000: usage (2)" 2 "$SYNTHEHR" demo -o "$TMPD/x.csv" --concepts 5000
[ ! -e "$TMPD/x.csv" ] && ok "nothing written on bad usage" || not_ok "nothing written on bad usage"
check_fails "demo into a missing directory: failure (1)" 1 "$SYNTHEHR" demo -o "$TMPD/no/such/d.csv"
check "demo --help" "$SYNTHEHR" demo --help
grep_ok "demo --help names --full" "--full" "$TMPD/out"

# init / info on the demo
check "init --demo" "$SYNTHEHR" init "$TMPD/s1" --demo --rows 400 --concepts 30 --seed 2
[ "$(mode "$TMPD/s1")" = 700 ] && ok "study dir 0700" || not_ok "study dir 0700 ($(mode "$TMPD/s1"))"
[ "$(mode "$TMPD/s1/study.json")" = 600 ] && ok "study.json 0600" || not_ok "study.json 0600"
[ "$(mode "$TMPD/s1/source/demo.csv.gz")" = 600 ] && ok "source/demo.csv.gz 0600" || not_ok "demo source 0600"
check "info" "$SYNTHEHR" info "$TMPD/s1"
cp "$TMPD/out" "$TMPD/info1"
grep_ok "info names the label" "^label  *DIE_1y" "$TMPD/info1"
grep_ok "info: GENDER is sex" "^GENDER  *sex  *binary" "$TMPD/info1"
grep_ok "info: RACE categorical with levels" "^RACE  *categorical  *categorical  *0.0%  6: WHITE" "$TMPD/info1"
grep_ok "info: BMI missing %" "^BMI  *continuous  *numeric  *[34][0-9]\.[0-9]%" "$TMPD/info1"
awk 'length($0) > 80 { bad = 1 } END { exit bad }' "$TMPD/info1" && ok "info fits 80 columns" || not_ok "info fits 80 columns"
check "info --all" "$SYNTHEHR" info "$TMPD/s1" --all
grep_ok "info --all lists the concept 401.1" "^401.1  *concept  *binary" "$TMPD/out"
check_fails "init over an existing study: 2" 2 "$SYNTHEHR" init "$TMPD/s1" --demo
grep_ok "says a study exists" "already exists" "$TMPD/err"

# init from files
if [ -f "$SHARED_DATA/cohorts/pima2.csv" ]; then
	check "init --data pima2.csv --label diabetes" "$SYNTHEHR" init "$TMPD/s2" --data "$SHARED_DATA/cohorts/pima2.csv" --label diabetes
	check "info pima" "$SYNTHEHR" info "$TMPD/s2"
	grep_ok "pima: diabetes is the label" "^label  *diabetes" "$TMPD/out"
	grep_ok "pima: diabetes levels neg, pos" "^diabetes  *label  *binary  *0.0%  2: neg, pos" "$TMPD/out"
	grep_ok "pima: insulin 48.7% missing" "^insulin  *continuous  *numeric  *48.7%" "$TMPD/out"
	check_fails "init --label status on pbc (3 values): 2" 2 "$SYNTHEHR" init "$TMPD/s3" --data "$SHARED_DATA/cohorts/pbc.csv" --label status
	grep_ok "names file, line, column" "pbc.csv:[0-9]*:3: column 'status' is set as label" "$TMPD/err"
	[ ! -e "$TMPD/s3" ] && ok "nothing written" || not_ok "nothing written"
	check "init pbc with --role" "$SYNTHEHR" init "$TMPD/s4" --data "$SHARED_DATA/cohorts/pbc.csv" --role time=ignore --role stage=continuous
	check "info pbc" "$SYNTHEHR" info "$TMPD/s4"
	grep_ok "pbc: time ignored" "^time  *ignore" "$TMPD/out"
	grep_ok "pbc: stage continuous" "^stage  *continuous  *numeric" "$TMPD/out"
	grep_ok "pbc: sex f = 1" "^sex  *sex  *binary  *0.0%  2: m, f" "$TMPD/out"
else
	ok "# SKIP no SHARED_DATA ($SHARED_DATA)"
fi
LONG="$TMPD/a-rather-long-directory-name-to-check-the-eighty-column-limit/study-with-a-long-name"
mkdir -p "$(dirname "$LONG")"
check "init in a long path" "$SYNTHEHR" init "$LONG" --data "$FX/types.csv"
check "info of it" "$SYNTHEHR" info "$LONG"
awk 'length($0) > 80 { bad = 1 } END { exit bad }' "$TMPD/out" && ok "long paths are cut to 80 columns" || not_ok "long paths are cut to 80 columns"
grep_ok "text-coded sex shows its female label" "sex sex (F = female)" "$TMPD/out"
check_fails "ragged CSV: 2" 2 "$SYNTHEHR" init "$TMPD/s5" --data "$FX/ragged.csv"
grep_ok "ragged: file:line and counts" "ragged.csv:3: expected 3 fields (as in the header), found 2" "$TMPD/err"
[ ! -e "$TMPD/s5" ] && ok "nothing written for a ragged CSV" || not_ok "nothing written for a ragged CSV"
check_fails "empty CSV: 2" 2 "$SYNTHEHR" init "$TMPD/s5" --data "$FX/empty.csv"
check_fails "missing file: 2" 2 "$SYNTHEHR" init "$TMPD/s5" --data "$TMPD/nope.csv"
check_fails "both --data and --demo: 2" 2 "$SYNTHEHR" init "$TMPD/s5" --data "$FX/types.csv" --demo
check_fails "bad --role: 2" 2 "$SYNTHEHR" init "$TMPD/s5" --data "$FX/types.csv" --role w=weird
check_fails "--role of an unknown column: 2" 2 "$SYNTHEHR" init "$TMPD/s5" --data "$FX/types.csv" --role nope=ignore
[ ! -e "$TMPD/s5" ] && ok "nothing written for any of these" || not_ok "nothing written for any of these"
check_fails "init without a study: 2" 2 "$SYNTHEHR" init --demo
check_fails "info on a non-study: 2" 2 "$SYNTHEHR" info "$TMPD"
grep_ok "info says how to create one" "synthehr init" "$TMPD/err"
done_testing
