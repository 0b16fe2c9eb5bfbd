#!/bin/sh
# synthehr — GPL-3.0-or-later.
# The bad-input corpus (tests/bad/ plus generated files) through the real
# CLI.  Every case asserts: a non-zero exit (2 for bad input), a message
# that names the file (and line/column where there is one), no crash (no
# signal, no sanitizer report) and no partial output (no study directory
# left by a failed init, no new or changed file anywhere in the work area).
. "$SRCDIR/tests/tap.sh"
BAD=$SRCDIR/tests/bad
W=$TMPD/w
mkdir -p "$W"
LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$SRCDIR/tests/lsan.supp:print_suppressions=0}
export LSAN_OPTIONS

# snapshot: every path under $W with its size and checksum (lock files,
# which name whoever last took them, are the lock's and not the study's)
snap() { (cd "$W" && find . ! -name .lock | LC_ALL=C sort | while read -r p; do
	if [ -f "$p" ]; then echo "$p $(cksum <"$p")"; else echo "$p"; fi; done) >"$1"; }

# bad "description" CODE PATTERN command...  run in $W; want exit CODE, stderr
# matching PATTERN (grep -E), no crash and nothing new or changed in $W.
bad() {
	desc=$1; want=$2; pat=$3; shift 3
	snap "$TMPD/before"
	(cd "$W" && "$@") >"$TMPD/out" 2>"$TMPD/err"; rc=$?
	snap "$TMPD/after"
	why=""
	[ "$rc" -ge 128 ] && why="$why killed by signal $((rc - 128));"
	[ "$rc" -eq "$want" ] || why="$why exit $rc, want $want;"
	grep -q 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:' "$TMPD/err" && why="$why sanitizer report;"
	cat "$TMPD/out" >>"$TMPD/err"   # 'check' reports on stdout
	grep -Eq -- "$pat" "$TMPD/err" || why="$why message does not match /$pat/;"
	cmp -s "$TMPD/before" "$TMPD/after" || why="$why partial output: $(diff "$TMPD/before" "$TMPD/after" | grep '^[<>]' | head -3 | tr '\n' ' ');"
	if [ -z "$why" ]; then ok "$desc"; else
		not_ok "$desc:$why"; sed 's/^/#   /' "$TMPD/err" | head -5; fi
}

# 1. init --data FILE: the loader refuses the file, nothing is created.
# file | pattern the message must match (file name, line, column)
while read -r f pat; do
	bad "init --data $f" 2 "$pat" "$SYNTHEHR" init S --data "$BAD/$f"
done <<'EOF'
blank_lines.csv blank_lines\.csv: empty file
bom_only.csv bom_only\.csv: empty file
checkpoint_garbage.bin checkpoint_garbage\.bin:1: NUL byte
corrupt_crc.csv.gz corrupt_crc\.csv\.gz:[0-9]+:
duplicate_names.csv duplicate_names\.csv:1:3: duplicate column name
empty.csv empty\.csv: empty file
empty_gzip.csv.gz empty_gzip\.csv\.gz: empty file
empty_name.csv empty_name\.csv:1:3: empty column name
garbage.bin garbage\.bin:1: NUL byte
header_only.csv header_only\.csv: no data rows
matrix_truncated.mtx matrix_truncated\.mtx:1: NUL byte
non_utf8_names.csv non_utf8_names\.csv:1:2: column name is not valid UTF-8
not_really.csv.gz not_really\.csv\.gz:1: compressed data is damaged
nul_byte.csv nul_byte\.csv:2: NUL byte
overflow_number.csv overflow_number\.csv:2:1: .*out of range
ragged_long.csv ragged_long\.csv:3: expected 3 fields .* found 4
ragged_short.csv ragged_short\.csv:3: expected 3 fields .* found 2
semicolon_separated.csv semicolon_separated\.csv:1: .*comma-separated
stray_quote.csv stray_quote\.csv:2:2: malformed quoting
text_after_quote.csv text_after_quote\.csv:2:2: malformed quoting
truncated.csv.gz truncated\.csv\.gz:[0-9]+: compressed data is damaged or truncated
unterminated_quote.csv unterminated_quote\.csv:2:2: unterminated quoted field
EOF

# 2. the label: one class, three classes, a column that does not exist
bad "init --label DIE_1y, one class" 2 "label_one_class\.csv: column 'DIE_1y' .*only one class" \
	"$SYNTHEHR" init S --data "$BAD/label_one_class.csv" --label DIE_1y
bad "init --label DIE_1y, three levels" 2 "label_three_levels\.csv:4:2: column 'DIE_1y' .*third distinct" \
	"$SYNTHEHR" init S --data "$BAD/label_three_levels.csv" --label DIE_1y
bad "init --label of a missing column" 2 "crlf_text_in_numeric_override\.csv:1: no column named 'DIE_1y'" \
	"$SYNTHEHR" init S --data "$BAD/crlf_text_in_numeric_override.csv" --label DIE_1y
bad "init --role COL=continuous on a text column" 2 "crlf_text_in_numeric_override\.csv:3:2: column 'BMI' is set as continuous" \
	"$SYNTHEHR" init S --data "$BAD/crlf_text_in_numeric_override.csv" --role BMI=continuous

# 3. generated: a huge field, 100,000 columns, only NUL bytes
G=$TMPD/gen
mkdir -p "$G"
awk 'BEGIN { x = "xxxxxxxxxxxxxxxx"; for (i = 0; i < 6; i++) x = x x x x   # 16 * 4^6 = 65,536
	printf "AGE,NOTE,DIE_1y\n50,"; for (i = 0; i < 48; i++) printf "%s", x; printf ",0\n61,y,1\n" }' >"$G/huge_field.csv"
bad "init --data huge_field.csv (a 3 MB cell)" 2 "huge_field\.csv:2:2: a cell of [0-9]+ bytes" \
	"$SYNTHEHR" init S --data "$G/huge_field.csv"
awk 'BEGIN { for (r = 0; r < 3; r++) { for (i = 0; i < 100000; i++)
	printf "%s%s", i ? "," : "", r ? (i + r) % 2 : "c" i; printf "\n" } }' >"$G/wide.csv"
bad "init --data wide.csv (100,000 columns)" 2 "wide\.csv:1: 100000 columns \(expected at most" \
	"$SYNTHEHR" init S --data "$G/wide.csv"
head -c 100000 /dev/zero >"$G/zeros.csv"
bad "init --data zeros.csv (only NUL bytes)" 2 "zeros\.csv:1: NUL byte" "$SYNTHEHR" init S --data "$G/zeros.csv"
bad "init --data of a directory" 2 "gen: is a directory" "$SYNTHEHR" init S --data "$G"
bad "init --data of a missing file" 2 "nope\.csv: No such file" "$SYNTHEHR" init S --data "$G/nope.csv"

# 4. study.json: damaged files in place of a good one (nothing rewritten)
for f in study_duplicate_key.json study_not_object.json study_truncated.json study_wrong_version.json; do
	mkdir -p "$W/J_$f" && chmod 700 "$W/J_$f" && cp "$BAD/$f" "$W/J_$f/study.json"
	bad "info on a study with $f" 2 "J_$f/study\.json" "$SYNTHEHR" info "J_$f"
done

# 5. a small trained study, then damaged matrices and checkpoints in it
OMP_WAIT_POLICY=PASSIVE; export OMP_WAIT_POLICY
T=$TMPD/T
if "$SYNTHEHR" init "$T" --demo --rows 600 >/dev/null 2>&1 && "$SYNTHEHR" prep "$T" >/dev/null 2>&1 &&
    "$SYNTHEHR" train "$T" --epochs 1 --runs 1 >/dev/null 2>&1; then
	ok "a small trained study to damage"
else
	not_ok "a small trained study to damage"
fi
loose=$(find "$T" \( -type d ! -perm 700 \) -o \( -type f ! -perm 600 \) | head -3)
if [ -z "$loose" ]; then ok "trained study: directories 0700, files 0600"; else
	not_ok "trained study: loose permissions on $loose"; fi
cp -a "$T" "$W/C"
cp "$BAD/checkpoint_garbage.bin" "$W/C/runs/run-1/ckpt-last.bin"
bad "check finds a garbage checkpoint" 1 "C/runs/run-1/ckpt-last\.bin: not a synthehr checkpoint" \
	"$SYNTHEHR" check C
cp -a "$T" "$W/M"
cp "$BAD/matrix_truncated.mtx" "$W/M/prep/train.mtx"
bad "check finds a damaged matrix" 1 "M/prep/train\.mtx: not a synthehr matrix" "$SYNTHEHR" check M
bad "train refuses a damaged matrix" 2 "M/prep/train\.mtx: not a synthehr matrix" "$SYNTHEHR" train M
head -c 1000 "$T/prep/train.mtx" >"$W/M/prep/train.mtx"
bad "train refuses a truncated matrix" 2 "M/prep/train\.mtx" "$SYNTHEHR" train M
cp -a "$T" "$W/K"
head -c 500 "$T/runs/run-1/ckpt-last.bin" >"$W/K/runs/run-1/ckpt-last.bin"
bad "check finds a truncated checkpoint" 1 "K/runs/run-1/ckpt-last\.bin: .*(truncated|damaged)" "$SYNTHEHR" check K
# a damaged checkpoint is bad input (exit 2) to every command that reads it
bad "train refuses to resume from a truncated checkpoint (exit 2)" 2 "K/runs/run-1/ckpt-last\.bin: .*(truncated|damaged)" \
	"$SYNTHEHR" train K --epochs 2 --runs 1
bad "generate refuses a garbage checkpoint (exit 2)" 2 "C/runs/run-1/ckpt-last\.bin: not a synthehr checkpoint" \
	"$SYNTHEHR" generate C --run 1
cp -a "$T" "$W/F"
sz=$(wc -c <"$W/F/runs/run-1/ckpt-last.bin")
printf '\377' | dd of="$W/F/runs/run-1/ckpt-last.bin" bs=1 seek=$((sz - 9)) conv=notrunc 2>/dev/null
bad "train refuses a checkpoint with one byte flipped (exit 2)" 2 "F/runs/run-1/ckpt-last\.bin: checkpoint checksum mismatch" \
	"$SYNTHEHR" train F --epochs 2 --runs 1
bad "generate refuses it too (exit 2)" 2 "F/runs/run-1/ckpt-last\.bin: checkpoint checksum mismatch" \
	"$SYNTHEHR" generate F --run 1
# every run: the baseline is still written, the run's refusal is bad input
(cd "$W" && "$SYNTHEHR" generate F) >"$TMPD/out" 2>"$TMPD/err"; rc=$?
if [ "$rc" -eq 2 ] && grep -q "F/runs/run-1/ckpt-last\.bin: checkpoint checksum mismatch" "$TMPD/err"; then
	ok "generate of every run with a damaged checkpoint: exit 2 as for --run 1"
else
	not_ok "generate of every run with a damaged checkpoint (exit $rc, want 2)"; sed 's/^/#   /' "$TMPD/err" | head -5
fi
rm -rf "$W/F/runs/baseline-marginals"
# a checkpoint of another study (other columns): generate must refuse it
# and write nothing (no baseline first, no staging directory left).
if "$SYNTHEHR" init "$TMPD/O" --demo --rows 600 --concepts 20 >/dev/null 2>&1 &&
    "$SYNTHEHR" prep "$TMPD/O" >/dev/null 2>&1; then
	cp -a "$TMPD/O" "$W/O"
	mkdir -p "$W/O/runs/run-1" && chmod 700 "$W/O/runs" "$W/O/runs/run-1"
	cp -p "$T/runs/run-1/"* "$W/O/runs/run-1/"
	snap "$TMPD/before"
	(cd "$W" && "$SYNTHEHR" generate O --run 1) >"$TMPD/out" 2>"$TMPD/err"; rc=$?
	snap "$TMPD/after"
	if [ "$rc" -eq 2 ] && grep -q "O/runs/run-1/ckpt-last\.bin: checkpoint dimensions do not match" "$TMPD/err"; then
		ok "generate refuses a checkpoint of another study (bad input, exit 2)"
	else
		not_ok "generate refuses a checkpoint of another study (exit $rc, want 2)"; sed 's/^/#   /' "$TMPD/err" | head -5
	fi
	if cmp -s "$TMPD/before" "$TMPD/after"; then
		ok "... and writes nothing (as train on a foreign checkpoint)"
	else
		not_ok "... and writes nothing"; diff "$TMPD/before" "$TMPD/after" | head -3 | sed 's/^/#   /'
	fi
	rm -rf "$W/O/runs/baseline-marginals"
fi

# 6. semantic cases: accepted at init (a valid file), handled by prep
mkdir -p "$W/sem"
for f in one_sex all_missing_column constant_column; do
	"$SYNTHEHR" init "$W/sem/$f" --data "$BAD/$f.csv" >/dev/null 2>&1
	(cd "$W" && "$SYNTHEHR" prep "sem/$f") >"$TMPD/out" 2>"$TMPD/err"; rc=$?
	if [ "$rc" -lt 128 ] && ! grep -q 'ERROR: AddressSanitizer\|runtime error:' "$TMPD/err"; then
		ok "prep on $f: no crash (exit $rc)"
	else
		not_ok "prep on $f: crash (exit $rc)"; sed 's/^/#   /' "$TMPD/err" | head -5
	fi
done
rm -rf "$W/sem"

# 7. usage errors: exit 2, nothing written
bad "init without --data or --demo" 2 "usage|--data" "$SYNTHEHR" init S
bad "prep on a missing study" 2 "nope" "$SYNTHEHR" prep nope
bad "an unknown command" 2 "frobnicate" "$SYNTHEHR" frobnicate
done_testing
