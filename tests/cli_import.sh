#!/bin/sh
# synthehr — GPL-3.0-or-later.
# import-mimic and import-events end to end.
#  1. Hand-made hosp tables (tests/mimic_fixture.sh) against a cohort
#     derived by hand (tests/data/mimic/expected.csv).
#  2. The MIMIC-IV demo: every kept patient's fixed columns and phecode set
#     recomputed here from the raw tables with zcat and awk (an independent
#     implementation of SPEC §2.1 and of the phecode mapping), then
#     compared with the program's cohort; patient and label counts; two
#     patients checked against their raw rows, quoted below.
#  3. import-events on hand-made tables and on the demo's own
#     patients + diagnoses_icd tables.
#  4. Malformed tables: missing column, bad date, bad version, truncated
#     gzip, bad usage: a clear error, exit 2, nothing written.
. "$SRCDIR/tests/tap.sh"

FIX=$SRCDIR/tests/data/mimic
. "$SRCDIR/tests/mimic_fixture.sh"
HOSP=$TMPD/fixture          # the hand-made hosp tables, written now
write_mimic_fixture "$HOSP"
MAP=$SHARED_DATA/phecode-map-1.2
DEMO=$SHARED_DATA/mimic-iv-demo-2.2
[ -d "$MAP" ] || skip_all "no phecode map under $SHARED_DATA"

# --- 1. hand-made tables --------------------------------------------------
check "import-mimic on hand-made tables (.csv, columns in another order)" \
	"$SYNTHEHR" import-mimic "$HOSP" --phecodes "$MAP" -o "$TMPD/fix.csv"
if cmp -s "$TMPD/fix.csv" "$FIX/expected.csv"; then ok "hand-made cohort equals the hand-derived one"
else not_ok "hand-made cohort equals the hand-derived one"; diff "$TMPD/fix.csv" "$FIX/expected.csv" | sed 's/^/#   /'; fi
grep_ok "summary: kept count" "3 kept" "$TMPD/err"
grep_ok "summary: unmatched ICD-10 codes reported" "unmatched ICD-10-CM: W19.XXXA (1) X71 (1)" "$TMPD/err"
grep_ok "summary: admissions of unknown subjects counted" "1 admissions of unknown subjects" "$TMPD/err"
S=$TMPD/fix.csv.schema.json
grep_ok "sidecar: DIE_1y is the label" '"DIE_1y": "label"' "$S"
grep_ok "sidecar: GENDER is sex, female 1" '"sex_female": "1"' "$S"
grep_ok "sidecar: RACE categorical" '"RACE": "categorical"' "$S"
grep_ok "sidecar: default role concept" '"default_role": "concept"' "$S"
grep_ok "sidecar: cross rule present, disabled" '"type": "cross"' "$S"
if tr -d ' \n' <"$S" | grep -q '"column":"BMI","min":10,"max":60,"action":"drop","enabled":true' &&
   tr -d ' \n' <"$S" | grep -q '"column":"DIASTOLIC","min":30,"action":"drop","enabled":true' &&
   tr -d ' \n' <"$S" | grep -q '"right":"SYSTOLIC","action":"drop","enabled":false'; then
	ok "sidecar: the tutorial's outlier rules"
else not_ok "sidecar: the tutorial's outlier rules"; fi

check "with --icd10-ranges X71 maps through X71-X83" \
	"$SYNTHEHR" import-mimic "$HOSP" --phecodes "$MAP" --icd10-ranges -o "$TMPD/fixr.csv"
if head -1 "$TMPD/fixr.csv" | grep -q ',1009,' && head -1 "$TMPD/fixr.csv" | grep -q ',297.2,'; then
	ok "range columns 1009 and 297.2 appear"; else not_ok "range columns 1009 and 297.2 appear"; fi

# --- 2. the MIMIC-IV demo ---------------------------------------------------
if [ -d "$DEMO/hosp" ]; then
H=$DEMO/hosp
check "import-mimic on the MIMIC-IV demo" "$SYNTHEHR" import-mimic "$DEMO" --phecodes "$MAP" -o "$TMPD/demo.csv.gz"
cp "$TMPD/err" "$TMPD/demo.err"
zcat "$TMPD/demo.csv.gz" >"$TMPD/demo.csv"

# Reference fixed columns from the raw tables.  Last admission = latest
# dischtime (ISO text compares in time order); kept when its deathtime is
# empty.  omr: latest chartdate, then highest seq_num.
zcat "$H/admissions.csv.gz" | awk -F, '
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{ s = $c["subject_id"]; d = $c["dischtime"]
	  if (!(s in best) || d >= best[s]) { best[s] = d; death[s] = $c["deathtime"]; race[s] = $c["race"] } }
	END { for (s in best) if (death[s] == "") {
		r = race[s]; g = "OTHER"
		if (r ~ /^WHITE/) g = "WHITE"; else if (r ~ /^BLACK/) g = "BLACK"
		else if (r ~ /^ASIAN/) g = "ASIAN"; else if (r ~ /^HISPANIC/) g = "HISPANIC"
		else if (r ~ /^UN/) g = "UN"
		print s "," substr(best[s], 1, 4) "," g } }' | sort -t, -k1,1 >"$TMPD/last.csv"
zcat "$H/patients.csv.gz" | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{ print $c["subject_id"] "," $c["gender"] "," $c["anchor_age"] "," $c["anchor_year"] "," ($c["dod"] == "" ? 0 : 1) }' |
	sort -t, -k1,1 >"$TMPD/pat.csv"
zcat "$H/omr.csv.gz" | awk -F, '
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{ s = $c["subject_id"]; k = $c["chartdate"] sprintf("%06d", $c["seq_num"]); n = $c["result_name"]
	  if (n == "BMI (kg/m2)" && k >= bk[s]) { bk[s] = k; bmi[s] = $c["result_value"] }
	  if (n == "Blood Pressure" && k >= pk[s]) { pk[s] = k; bp[s] = $c["result_value"] } }
	END { for (s in bk) print s ",bmi," bmi[s]; for (s in pk) print s ",bp," bp[s] }' >"$TMPD/omr.csv"
join -t, "$TMPD/pat.csv" "$TMPD/last.csv" | awk -F, -v omr="$TMPD/omr.csv" '
	BEGIN { while ((getline l < omr) > 0) { split(l, a, ","); if (a[2] == "bmi") bmi[a[1]] = a[3]; else bp[a[1]] = a[3] } }
	{ age = $3 + $6 - $4; if (age > 91) age = 91
	  sys = ""; dia = ""
	  if ($1 in bp) { split(bp[$1], v, "/"); if (!(v[1] + 0 <= 0 && v[2] + 0 <= 0)) { sys = v[1] + 0; dia = v[2] + 0 } }
	  b = ($1 in bmi) ? bmi[$1] + 0 : ""
	  print $1 "," $5 "," age "," ($2 == "F" ? 1 : 0) "," $7 "," b "," dia "," sys }' >"$TMPD/ref_fixed.csv"
tail -n +2 "$TMPD/demo.csv" | cut -d, -f1-8 | awk -F, -v OFS=, '{ for (i = 6; i <= 8; i++) if ($i != "") $i = $i + 0; print }' |
	sort >"$TMPD/got_fixed.csv"
sort "$TMPD/ref_fixed.csv" >"$TMPD/ref_fixed.s"
n_ref=$(wc -l <"$TMPD/ref_fixed.s")
n_got=$(wc -l <"$TMPD/got_fixed.csv")
if [ "$n_ref" -eq "$n_got" ] && [ "$n_ref" -gt 50 ]; then ok "demo: $n_got kept patients, as recomputed"
else not_ok "demo: kept patients $n_got, recomputed $n_ref"; fi
if cmp -s "$TMPD/got_fixed.csv" "$TMPD/ref_fixed.s"; then ok "demo: DIE_1y, AGE, GENDER, RACE, BMI, BP of every patient as recomputed"
else not_ok "demo: fixed columns as recomputed"; diff "$TMPD/got_fixed.csv" "$TMPD/ref_fixed.s" | head -10 | sed 's/^/#   /'; fi
l1=$(awk -F, '$2 == 1' "$TMPD/ref_fixed.s" | wc -l)
l0=$(awk -F, '$2 == 0' "$TMPD/ref_fixed.s" | wc -l)
grep_ok "demo: label counts in the summary ($l1 / $l0)" "DIE_1y: $l1 = 1 .*, $l0 = 0" "$TMPD/demo.err"
died=$(zcat "$H/admissions.csv.gz" | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{ s = $c["subject_id"]; d = $c["dischtime"]; if (!(s in b) || d >= b[s]) { b[s] = d; x[s] = $c["deathtime"] } }
	END { for (s in b) n += x[s] != ""; print n + 0 }')
grep_ok "demo: $died died in hospital at the last admission" "$died died in hospital" "$TMPD/demo.err"

# Two patients by hand from their raw rows:
# patients.csv.gz  10000032,F,52,2180,2014 - 2016,2180-09-09
# admissions: four WHITE admissions, the last discharged 2180-08-07 17:50:00, no deathtime
# omr: 2180-08-06 BMI 18.2 (latest), 2180-07-09 Blood Pressure 98/66 (latest)
grep_ok "demo: patient 10000032 by hand" "^10000032,1,52,1,WHITE,18.2,66,98," "$TMPD/demo.csv"
# 10014729,F,21,2125,2011 - 2013,(no dod): two WHITE - OTHER EUROPEAN admissions, the
# last discharged 2125-03-28 13:37:00 without deathtime → DIE_1y 0, AGE 21 + 2125 - 2125
grep_ok "demo: patient 10014729 by hand (AGE 21, alive)" "^10014729,0,21,1," "$TMPD/demo.csv"

# Reference phecode sets: dot repair, exact match, truncation retry
# (ICD-9 1–2 characters, ICD-10 1–3, never below 3), every phecode of a
# code, roll-up through phecode_rollup_map.csv.
zcat "$H/diagnoses_icd.csv.gz" | awk -F, '
	function dot(v, c,   a) { a = (v == 9 && substr(c, 1, 1) == "E") ? 4 : 3
		return length(c) > a ? substr(c, 1, a) "." substr(c, a + 1) : c }
	FILENAME ~ /rollup/ { gsub(/"/, ""); if (FNR > 1) anc[$1] = anc[$1] " " $2; next }
	FILENAME ~ /icd9cm/ { gsub(/"/, ""); if (FNR > 1) m9[toupper($2)] = m9[toupper($2)] " " $3; next }
	FILENAME ~ /icd10cm/ { gsub(/"/, ""); if (FNR > 1) m10[toupper($2)] = m10[toupper($2)] " " $3; next }
	FILENAME ~ /ref_fixed/ { kept[$1] = 1; next }
	FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{ s = $c["subject_id"]; if (!(s in kept)) next
	  v = $c["icd_version"]; code = $c["icd_code"]; L = length(code); hit = ""
	  for (cut = 0; cut <= (v == 9 ? 2 : 3) && L - cut >= 3; cut++) {
		k = dot(v, substr(code, 1, L - cut))
		if (v == 9 && (k in m9)) { hit = m9[k]; break }
		if (v == 10 && (k in m10)) { hit = m10[k]; break } }
	  n = split(hit, ps, " ")
	  for (i = 1; i <= n; i++) { if (ps[i] in anc) { na = split(anc[ps[i]], as, " "); for (j = 1; j <= na; j++) set[s "," as[j]] = 1 }
		else set[s "," ps[i]] = 1 } }
	END { for (k in set) print k }' "$MAP/phecode_rollup_map.csv" "$MAP/phecode_map_icd9cm.csv" \
	"$MAP/phecode_map_icd10cm.csv" "$TMPD/ref_fixed.s" - | sort >"$TMPD/ref_sets.csv"
awk -F, 'NR == 1 { for (i = 9; i <= NF; i++) h[i] = $i; next }
	{ for (i = 9; i <= NF; i++) if ($i == 1) print $1 "," h[i] }' "$TMPD/demo.csv" | sort >"$TMPD/got_sets.csv"
np=$(wc -l <"$TMPD/ref_sets.csv")
if cmp -s "$TMPD/got_sets.csv" "$TMPD/ref_sets.csv" && [ "$np" -gt 1000 ]; then
	ok "demo: every patient's phecode set as recomputed ($np patient-phecode pairs)"
else not_ok "demo: phecode sets as recomputed"; diff "$TMPD/got_sets.csv" "$TMPD/ref_sets.csv" | head -10 | sed 's/^/#   /'; fi
cut -d, -f2 "$TMPD/ref_sets.csv" | sort -u >"$TMPD/ref_cols"
head -1 "$TMPD/demo.csv" | tr ',' '\n' | tail -n +9 >"$TMPD/got_cols"
if LC_ALL=C sort -c "$TMPD/got_cols" 2>/dev/null && [ "$(LC_ALL=C sort "$TMPD/ref_cols")" = "$(cat "$TMPD/got_cols")" ]; then
	ok "demo: phecode columns are the phecodes present, sorted as strings"
else not_ok "demo: phecode columns sorted as strings"; fi

# import-events on the demo's own tables gives the same phecode sets.
check "import-events: demo patients + diagnoses_icd with --phecodes" "$SYNTHEHR" import-events \
	--patients "$H/patients.csv.gz" --events "$H/diagnoses_icd.csv.gz" --phecodes "$MAP" -o "$TMPD/ev.csv"
grep_ok "import-events: icd_version found as the vocabulary" "vocabulary column icd_version" "$TMPD/err"
awk -F, 'FILENAME ~ /ref_fixed/ { kept[$1] = 1; next }
	FNR == 1 { for (i = 7; i <= NF; i++) h[i] = $i; next }
	($1 in kept) { for (i = 7; i <= NF; i++) if ($i == 1) print $1 "," h[i] }' "$TMPD/ref_fixed.s" "$TMPD/ev.csv" |
	sort >"$TMPD/ev_sets.csv"
if cmp -s "$TMPD/ev_sets.csv" "$TMPD/ref_sets.csv"; then ok "import-events: same phecode sets as recomputed"
else not_ok "import-events: same phecode sets as recomputed"; fi
else
	echo "# MIMIC-IV demo not found under $SHARED_DATA: demo checks skipped"
fi

# --- 3. import-events on hand-made tables ------------------------------------
check "import-events: codes as they are" "$SYNTHEHR" import-events --patients "$FIX/ev_patients.csv" \
	--events "$FIX/ev_events.csv" -o "$TMPD/e1.csv" --label outcome --sex sex --female F
if cmp -s "$TMPD/e1.csv" "$FIX/ev_expected_raw.csv"; then ok "import-events raw cohort as derived by hand"
else not_ok "import-events raw cohort as derived by hand"; diff "$TMPD/e1.csv" "$FIX/ev_expected_raw.csv" | sed 's/^/#   /'; fi
grep_ok "import-events: unknown patients counted" "1 events of unknown patients" "$TMPD/err"
grep_ok "import-events sidecar: label" '"outcome": "label"' "$TMPD/e1.csv.schema.json"
grep_ok "import-events sidecar: concept" '"ICD9CM:4011": "concept"' "$TMPD/e1.csv.schema.json"
grep_ok "import-events sidecar: sex_female" '"sex_female": "F"' "$TMPD/e1.csv.schema.json"
check "import-events: with --phecodes" "$SYNTHEHR" import-events --patients "$FIX/ev_patients.csv" \
	--events "$FIX/ev_events.csv" -o "$TMPD/e2.csv.gz" --phecodes "$MAP"
if zcat "$TMPD/e2.csv.gz" | cmp -s - "$FIX/ev_expected_phecodes.csv"; then ok "import-events phecode cohort as derived by hand"
else not_ok "import-events phecode cohort as derived by hand"; fi
grep_ok "import-events: other vocabularies counted" "1 of other vocabularies" "$TMPD/err"

# --- 4. malformed input ------------------------------------------------------
bad() {   # bad NAME: copy the fixture to $TMPD/NAME
	rm -rf "$TMPD/$1"; mkdir -p "$TMPD/$1"; cp -r "$HOSP/hosp" "$TMPD/$1/"
}
bad nocol
sed -i '1s/deathtime/death_time/' "$TMPD/nocol/hosp/admissions.csv"
check_fails "missing column: exit 2" 2 "$SYNTHEHR" import-mimic "$TMPD/nocol" --phecodes "$MAP" -o "$TMPD/nocol.csv"
grep_ok "missing column: file:line and the column named" 'admissions.csv:1: no column "deathtime"' "$TMPD/err"
[ ! -e "$TMPD/nocol.csv" ] && [ ! -e "$TMPD/nocol.csv.schema.json" ] && ok "missing column: nothing written" || not_ok "missing column: nothing written"

bad baddate
sed -i '3s/2102-03-04 12:00:00/2102-13-04 12:00:00/' "$TMPD/baddate/hosp/admissions.csv"
check_fails "bad date: exit 2" 2 "$SYNTHEHR" import-mimic "$TMPD/baddate" --phecodes "$MAP" -o "$TMPD/bd.csv"
grep_ok "bad date: file:line:column" 'admissions.csv:3:5: expected a dischtime' "$TMPD/err"
[ ! -e "$TMPD/bd.csv" ] && ok "bad date: nothing written" || not_ok "bad date: nothing written"

bad baddod
sed -i '3s/2105-01-01/01\/01\/2105/' "$TMPD/baddod/hosp/patients.csv"
check_fails "bad dod: exit 2" 2 "$SYNTHEHR" import-mimic "$TMPD/baddod" --phecodes "$MAP" -o "$TMPD/bd.csv"
grep_ok "bad dod: file:line:column" 'patients.csv:3:6: expected a date' "$TMPD/err"

bad badver
sed -i '2s/,9$/,11/' "$TMPD/badver/hosp/diagnoses_icd.csv"
check_fails "bad icd_version: exit 2" 2 "$SYNTHEHR" import-mimic "$TMPD/badver" --phecodes "$MAP" -o "$TMPD/bv.csv"
grep_ok "bad icd_version: file:line:column" 'diagnoses_icd.csv:2:5: expected icd_version 9 or 10' "$TMPD/err"

bad trunc
seq 1 3000 | awk '{ print "1,12," $1 ",4011,9" }' >>"$TMPD/trunc/hosp/diagnoses_icd.csv"
gzip -9 "$TMPD/trunc/hosp/diagnoses_icd.csv"
sz=$(wc -c <"$TMPD/trunc/hosp/diagnoses_icd.csv.gz")
head -c $((sz / 2)) "$TMPD/trunc/hosp/diagnoses_icd.csv.gz" >"$TMPD/t.gz" && mv "$TMPD/t.gz" "$TMPD/trunc/hosp/diagnoses_icd.csv.gz"
check_fails "truncated gzip: exit 2" 2 "$SYNTHEHR" import-mimic "$TMPD/trunc" --phecodes "$MAP" -o "$TMPD/tr.csv"
grep_ok "truncated gzip: named" 'diagnoses_icd.csv.gz.*truncated' "$TMPD/err"
[ ! -e "$TMPD/tr.csv" ] && ok "truncated gzip: nothing written" || not_ok "truncated gzip: nothing written"

bad nofile
rm "$TMPD/nofile/hosp/omr.csv"
check_fails "missing omr table: exit 2" 2 "$SYNTHEHR" import-mimic "$TMPD/nofile" --phecodes "$MAP" -o "$TMPD/nf.csv"
grep_ok "missing table named" 'no hosp/omr.csv.gz' "$TMPD/err"

check_fails "import-mimic without --phecodes: usage" 2 "$SYNTHEHR" import-mimic "$HOSP" -o "$TMPD/x.csv"
grep_ok "usage text printed" 'usage: synthehr import-mimic' "$TMPD/err"
check_fails "import-mimic bad map dir" 2 "$SYNTHEHR" import-mimic "$HOSP" --phecodes "$TMPD/none" -o "$TMPD/x.csv"
check_fails "import-events without --events: usage" 2 "$SYNTHEHR" import-events --patients "$FIX/ev_patients.csv" -o "$TMPD/x.csv"
check_fails "import-events --phecodes without a vocabulary: exit 2" 2 "$SYNTHEHR" import-events \
	--patients "$FIX/ev_patients.csv" --events "$FIX/ev_events.csv" --no-vocab --phecodes "$MAP" -o "$TMPD/x.csv"
grep_ok "no vocabulary: explained" 'no vocabulary column' "$TMPD/err"
printf 'person_id,age\np1,3\np1,4\n' >"$TMPD/dup.csv"
check_fails "import-events duplicate patient id" 2 "$SYNTHEHR" import-events --patients "$TMPD/dup.csv" \
	--events "$FIX/ev_events.csv" -o "$TMPD/x.csv"
grep_ok "duplicate id: file:line:column" 'dup.csv:3:1: patient id appears twice' "$TMPD/err"
[ ! -e "$TMPD/x.csv" ] && ok "failed imports wrote nothing" || not_ok "failed imports wrote nothing"

done_testing
