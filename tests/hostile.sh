#!/bin/sh
# synthehr — GPL-3.0-or-later.
# Issue 18: hostile cells, damaged matrices and checkpoints, refused
# commands.  Nothing may hang (every run is under a generous timeout that
# only catches a hang, it is not a speed check), nothing may crash, and a
# refused command changes nothing on disk.
. "$SRCDIR/tests/tap.sh"
W=$TMPD/w
mkdir -p "$W"
LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$SRCDIR/tests/lsan.supp:print_suppressions=0}
export LSAN_OPTIONS
T="timeout 300"

snap() { (cd "$1" && find . ! -name .lock | LC_ALL=C sort | while read -r p; do
	if [ -f "$p" ]; then echo "$p $(cksum <"$p")"; else echo "$p"; fi; done) >"$2"; }
# refused "desc" CODE PATTERN DIR command...: exit CODE, message matching
# PATTERN, no sanitizer report, nothing changed under DIR
refused() {
	desc=$1; want=$2; pat=$3; dir=$4; shift 4
	snap "$dir" "$TMPD/before"
	$T "$@" >"$TMPD/out" 2>"$TMPD/err"; rc=$?
	snap "$dir" "$TMPD/after"
	why=""
	[ "$rc" -eq "$want" ] || why="$why exit $rc, want $want;"
	grep -q 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:' "$TMPD/err" && why="$why sanitizer report;"
	cat "$TMPD/out" >>"$TMPD/err"
	grep -Eq -- "$pat" "$TMPD/err" || why="$why message does not match /$pat/;"
	cmp -s "$TMPD/before" "$TMPD/after" || why="$why changed on disk: $(diff "$TMPD/before" "$TMPD/after" | grep '^[<>]' | head -3 | tr '\n' ' ');"
	if [ -z "$why" ]; then ok "$desc"; else
		not_ok "$desc:$why"; sed 's/^/#   /' "$TMPD/err" | head -5; fi
}

# 1. The issue's repro: one cell above float range (1e39) is refused at init
# with file, line and column; nothing is created.
"$SYNTHEHR" demo -o "$W/d.csv" --rows 600 >/dev/null 2>&1
awk -F, -v OFS=, 'NR==6{$7="1e39"}1' "$W/d.csv" >"$W/bad.csv"
refused "init refuses a cell beyond float range (1e39)" 2 'bad\.csv:6:7: column .SYSTOLIC.: number out of range' \
	"$W" "$SYNTHEHR" init "$W/s" --data "$W/bad.csv"
awk -F, -v OFS=, 'NR==9{$7="-3.5e38"}1' "$W/d.csv" >"$W/bad2.csv"
refused "init refuses -3.5e38 too" 2 'bad2\.csv:9:7: .*out of range' \
	"$W" "$SYNTHEHR" init "$W/s" --data "$W/bad2.csv"
grep -q 'SYSTOLIC' "$TMPD/err" && ! grep -q -- '3\.5e38' "$TMPD/err" && ok "the message names the column, not the value" ||
	not_ok "the message names the column, not the value"

# A small study carried through every stage.
S=$W/s
if $T "$SYNTHEHR" init "$S" --data "$W/d.csv" >/dev/null 2>"$TMPD/err" &&
   $T "$SYNTHEHR" prep "$S" >/dev/null 2>>"$TMPD/err" &&
   $T "$SYNTHEHR" train "$S" --runs 1 --epochs 4 --threads 1 >/dev/null 2>>"$TMPD/err" &&
   $T "$SYNTHEHR" generate "$S" --no-stratify >/dev/null 2>>"$TMPD/err"; then
	ok "a small study through prep, train and generate"
else
	not_ok "a small study through prep, train and generate"; sed 's/^/#   /' "$TMPD/err" | head; done_testing; exit 1
fi

# forge FILE OFFSET BYTES: write BYTES (printf escapes) at OFFSET and fix the
# matrix's checksums, as a careful forger would (format 2: payload CRC at
# 88, header CRC at 92, payload from 128).
forge() {
	printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
	python3 - "$1" <<'EOF'
import struct, sys, zlib
p = sys.argv[1]; b = bytearray(open(p, 'rb').read())
b[88:92] = struct.pack('<I', zlib.crc32(bytes(b[128:])) & 0xffffffff)
b[92:96] = b'\0\0\0\0'
b[92:96] = struct.pack('<I', zlib.crc32(bytes(b[:128])) & 0xffffffff)
open(p, 'wb').write(b)
EOF
}
size() { wc -c <"$1" | tr -d ' '; }

# 2. A damaged byte anywhere: the checksum refuses it, naming the file.
cp -r "$S" "$W/n0"
printf '\001' | dd of="$W/n0/runs/run-1/synthetic.mtx" bs=1 seek=$(($(size "$W/n0/runs/run-1/synthetic.mtx") - 1)) conv=notrunc 2>/dev/null
refused "evaluate refuses a one-byte change (checksum), bad input" 2 'synthetic\.mtx: damaged matrix \(payload checksum mismatch\)' \
	"$W/n0" "$SYNTHEHR" evaluate "$W/n0"
refused "check reports it" 1 'BAD .*synthetic\.mtx: damaged matrix' "$W/n0" "$SYNTHEHR" check "$W/n0"
rm -rf "$W/n0"
# A matrix of format 1 (before checksums): refused with "re-run prep".
cp -r "$S" "$W/n5"
printf '\001' | dd of="$W/n5/prep/test.mtx" bs=1 seek=8 conv=notrunc 2>/dev/null
refused "a format-1 matrix is refused: re-run prep (bad input)" 2 "test\.mtx: matrix format 1 .*re-run 'synthehr prep'" \
	"$W/n5" "$SYNTHEHR" evaluate "$W/n5"
rm -rf "$W/n5"
if command -v python3 >/dev/null 2>&1; then
	# A NaN in train.mtx with valid checksums: train refuses (file, row, column).
	cp -r "$S" "$W/n1"
	rm -rf "$W/n1/runs"
	forge "$W/n1/prep/train.mtx" $(($(size "$W/n1/prep/train.mtx") - 4)) '\000\000\300\177'
	refused "train refuses a NaN in train.mtx" 2 'train\.mtx: damaged matrix: row [0-9]+, column "[^"]+" is not a finite number' \
		"$W/n1" "$SYNTHEHR" train "$W/n1" --runs 1 --epochs 4 --threads 1
	refused "check reports the NaN in train.mtx" 1 'BAD .*train\.mtx: damaged matrix' "$W/n1" "$SYNTHEHR" check "$W/n1"
	rm -rf "$W/n1"
	# 3. A NaN in synthetic.mtx: evaluate ends (no spin in the W1 loop).
	cp -r "$S" "$W/n2"
	forge "$W/n2/runs/run-1/synthetic.mtx" $(($(size "$W/n2/runs/run-1/synthetic.mtx") - 4)) '\000\000\300\177'
	refused "evaluate refuses a NaN in synthetic.mtx (no hang), bad input" 2 'synthetic\.mtx: damaged matrix: row [0-9]+, column .* not a finite' \
		"$W/n2" "$SYNTHEHR" evaluate "$W/n2"
	rm -rf "$W/n2"
	# 4. A byte cell of 2 (header 128 bytes + D kind bytes), checksums fixed.
	cp -r "$S" "$W/n3"
	D=$(od -An -tu4 -j12 -N4 "$W/n3/runs/run-1/synthetic.mtx" | tr -d ' ')
	forge "$W/n3/runs/run-1/synthetic.mtx" $((128 + D)) '\002'
	refused "evaluate refuses a binary cell of 2, bad input" 2 'synthetic\.mtx: damaged matrix: row 1, column .* neither 0 nor 1' \
		"$W/n3" "$SYNTHEHR" evaluate "$W/n3"
	refused "check reports the binary cell of 2" 1 'BAD .*synthetic\.mtx: damaged matrix' "$W/n3" "$SYNTHEHR" check "$W/n3"
	rm -rf "$W/n3"
else
	for i in 1 2 3 4 5; do ok "# SKIP no python3 to forge checksums"; done
fi

# Files from elsewhere: swapped train/test, another cohort's runs.
cp -r "$S" "$W/x1"
mv "$W/x1/prep/train.mtx" "$W/x1/t" && mv "$W/x1/prep/test.mtx" "$W/x1/prep/train.mtx" && mv "$W/x1/t" "$W/x1/prep/test.mtx"
refused "train refuses swapped train.mtx/test.mtx" 2 'train\.mtx: holds test rows, expected training rows' \
	"$W/x1" "$SYNTHEHR" train "$W/x1" --runs 1 --epochs 4 --threads 1
refused "evaluate refuses them too (bad input)" 2 'train\.mtx: holds test rows' "$W/x1" "$SYNTHEHR" evaluate "$W/x1"
refused "check names the mix" 1 'MIXED .*train\.mtx: holds test rows' "$W/x1" "$SYNTHEHR" check "$W/x1"
rm -rf "$W/x1"
# another cohort: one cell changed
awk -F, -v OFS=, 'NR==10{$2=$2+1}1' "$W/d.csv" >"$W/d3.csv"
S3=$W/other
$T "$SYNTHEHR" init "$S3" --data "$W/d3.csv" >/dev/null 2>&1 && $T "$SYNTHEHR" prep "$S3" >/dev/null 2>&1 &&
	$T "$SYNTHEHR" train "$S3" --runs 1 --epochs 4 --threads 1 >/dev/null 2>&1
cp -r "$S" "$W/x2"
rm -rf "$W/x2/runs/run-1" && cp -r "$S3/runs/run-1" "$W/x2/runs/run-1"
refused "train refuses to resume another cohort's checkpoint (bad input)" 2 'run-1/(state\.json|ckpt-last\.bin): .*trained on other training rows' \
	"$W/x2" "$SYNTHEHR" train "$W/x2" --runs 1 --epochs 6 --threads 1
"$SYNTHEHR" check "$W/x2" >"$TMPD/out" 2>&1
grep -q 'STALE .*runs/run-1: trained on other training rows' "$TMPD/out" && ok "check names the run as stale" ||
	{ not_ok "check names the run as stale"; sed 's/^/#   /' "$TMPD/out" | head -5; }
cp "$S3/prep/train.mtx" "$W/x2/prep/train.mtx"
refused "another cohort's train.mtx is refused" 2 'train\.mtx: (made from another cohort|made for another column layout)' \
	"$W/x2" "$SYNTHEHR" train "$W/x2" --runs 1 --epochs 4 --threads 1
rm -rf "$W/x2" "$S3"
# stale metrics: generate again with another seed after evaluate
cp -r "$S" "$W/x3"
$T "$SYNTHEHR" evaluate "$W/x3" >/dev/null 2>&1
$T "$SYNTHEHR" generate "$W/x3" --no-stratify --seed 2 >/dev/null 2>&1
$T "$SYNTHEHR" rank "$W/x3" >/dev/null 2>"$TMPD/err"
grep -q 'STALE: 2 results are older' "$TMPD/err" && ok "rank marks metrics older than the synthetic sets" ||
	{ not_ok "rank marks metrics older than the synthetic sets"; sed 's/^/#   /' "$TMPD/err" | head -3; }
"$SYNTHEHR" check "$W/x3" >"$TMPD/out" 2>&1
grep -q 'STALE .*metrics\.json: older than runs/run-1/synthetic\.mtx' "$TMPD/out" && ok "check names the stale metrics" ||
	not_ok "check names the stale metrics"
$T "$SYNTHEHR" evaluate "$W/x3" >/dev/null 2>&1
$T "$SYNTHEHR" rank "$W/x3" >/dev/null 2>"$TMPD/err"
grep -q STALE "$TMPD/err" && not_ok "no mark once evaluated again" || ok "no mark once evaluated again"
# evaluate's derived ranking.json older than metrics.json (a kill between
# the two): check names it; rank writes it again
touch "$W/x3/eval/metrics.json"
"$SYNTHEHR" check "$W/x3" >"$TMPD/out" 2>&1
grep -q 'STALE .*ranking\.json: older than eval/metrics\.json' "$TMPD/out" && ok "check names a ranking.json older than metrics.json" ||
	{ not_ok "check names a ranking.json older than metrics.json"; sed 's/^/#   /' "$TMPD/out" | head -3; }
$T "$SYNTHEHR" rank "$W/x3" >/dev/null 2>&1
"$SYNTHEHR" check "$W/x3" >"$TMPD/out" 2>&1
grep -q 'STALE' "$TMPD/out" && not_ok "rank clears it" || ok "rank clears it"
rm -rf "$W/x3"

# 5. Non-finite model parameters (a checkpoint with a valid CRC): training
# stops at the first non-finite loss with exit 1 and a clear message.
rm -rf "$W/n3"; cp -r "$S" "$W/n4"
if command -v python3 >/dev/null 2>&1; then
	python3 - "$W/n4/runs/run-1/ckpt-last.bin" <<'EOF'
import struct, sys, zlib
p = sys.argv[1]; b = bytearray(open(p, 'rb').read())
hdr = struct.unpack('<I', b[12:16])[0] + 16          # header size from the file
for i in range(hdr, len(b) - 4, 28):
    b[i:i + 4] = struct.pack('<f', float('nan'))
b[-4:] = struct.pack('<I', zlib.crc32(bytes(b[:-4])) & 0xffffffff)
open(p, 'wb').write(b)
EOF
	$T "$SYNTHEHR" train "$W/n4" --runs 1 --epochs 8 --threads 1 >"$TMPD/out" 2>"$TMPD/err"; rc=$?
	[ $rc -eq 1 ] && grep -q 'epoch 5, step 1: the loss is not a finite number' "$TMPD/err" &&
		ok "train stops with exit 1 at the first non-finite loss" ||
		{ not_ok "train stops with exit 1 at the first non-finite loss (exit $rc)"; sed 's/^/#   /' "$TMPD/err" | tail -3; }
	grep -q '"epoch": 4' "$W/n4/runs/run-1/state.json" && ok "the last saved state is kept (epoch 4)" ||
		not_ok "the last saved state is kept (epoch 4)"
else
	ok "# SKIP no python3 to forge a checkpoint"; ok "# SKIP"
fi
rm -rf "$W/n4"

# 6. Smaller items (issue 18 item 9).
refused "a refused train --seed leaves study.json unchanged (bad usage)" 2 'other settings.*--restart' \
	"$S" "$SYNTHEHR" train "$S" --seed 99 --runs 1 --epochs 4
check "plain train still works after the refusal" $T "$SYNTHEHR" train "$S" --runs 1 --epochs 4 --threads 1
# A settings change with damaged training rows: refused before study.json
# is saved (nothing on disk changes), and so is an unknown option value.
cp -r "$S" "$W/d"
printf '\001' | dd of="$W/d/prep/train.mtx" bs=1 seek=$(($(size "$W/d/prep/train.mtx") - 1)) conv=notrunc 2>/dev/null
refused "train with new settings on a damaged train.mtx changes nothing (settings not saved)" 2 \
	'train\.mtx: damaged matrix \(payload checksum mismatch\)' \
	"$W/d" "$SYNTHEHR" train "$W/d" --runs 2 --epochs 5 --rule metric --lr-schedule cosine
refused "train with a new preset and --restart on a damaged train.mtx changes nothing" 2 \
	'train\.mtx: damaged matrix' "$W/d" "$SYNTHEHR" train "$W/d" --preset tutorial --restart
refused "generate on a damaged train.mtx is bad input and writes nothing" 2 'train\.mtx: damaged matrix' \
	"$W/d" "$SYNTHEHR" generate "$W/d" --run 1 --seed 5
refused "train with a refused option value changes nothing" 2 '--encoding: expected .*minmax.*prep|--encoding: expected prep or minmax' \
	"$W/d" "$SYNTHEHR" train "$W/d" --epochs 9 --encoding bogus
rm -rf "$W/d"
cp -r "$S" "$W/r"
sed 's/"RACE": "categorical"/"RACE": "bogus"/' "$W/r/study.json" >"$W/r/j" && cat "$W/r/j" >"$W/r/study.json" && rm "$W/r/j"
refused "prep on an invalid role is bad input (exit 2)" 2 'study\.json: schema role of .RACE.' "$W/r" "$SYNTHEHR" prep "$W/r"
echo '{ "synthehr_study": 1, ' >"$W/r/study.json"
refused "check on an unparseable study.json reports it (exit 1)" 1 'BAD .*study\.json:[0-9]+:' "$W/r" "$SYNTHEHR" check "$W/r"
rm -rf "$W/r"
printf 'id,sex,age,y\n1,0,30,1\n2,1,40,0\n3,1,50,1\n4,2,60,0\n5,0,61,1\n' >"$W/sex3.csv"
refused "a third sex value is reported on its own line" 2 'sex3\.csv:5:2: column .sex. is set as sex but has a third' \
	"$W" "$SYNTHEHR" init "$W/s3" --data "$W/sex3.csv" --role sex=sex --label y
if [ "$(id -u)" -ne 0 ]; then
	"$SYNTHEHR" evaluate "$S" >/dev/null 2>&1
	chmod -R a-w "$S"
	"$SYNTHEHR" rank "$S" >"$TMPD/out" 2>"$TMPD/err"; rc=$?
	chmod -R u+w "$S"
	[ $rc -eq 0 ] && grep -q 'run-1' "$TMPD/out" && grep -q 'not saved' "$TMPD/err" &&
		ok "rank on a read-only study shows the ranking and says it is not saved" ||
		not_ok "rank on a read-only study (exit $rc)"
else
	ok "# SKIP rank on a read-only study: running as root"
fi

# 7. Links and modes (issue 18 item 3): nothing is written through a link,
# directories are 0700 and files 0600 whatever the umask, check reports both.
L=$W/l
cp -r "$S" "$L"
rm -rf "$L/runs" "$W/outside"
mkdir "$W/outside"
ln -s "$W/outside" "$L/runs"
refused "train refuses a runs/ that is a symbolic link" 1 'runs: a symbolic link inside the study' \
	"$W/outside" "$SYNTHEHR" train "$L" --runs 1 --epochs 2 --threads 1
[ -z "$(ls -A "$W/outside")" ] && ok "nothing landed outside the study" || not_ok "nothing landed outside the study"
refused "check reports the link" 1 'LINK .*/runs: a symbolic link' "$L" "$SYNTHEHR" check "$L"
rm "$L/runs"
echo keep >"$W/victim"
rm -f "$L/prep/train.csv"
ln -s "$W/victim" "$L/prep/train.csv"
(umask 0777 && $T "$SYNTHEHR" prep "$L" >/dev/null 2>&1) && ok "prep under umask 0777" || not_ok "prep under umask 0777"
[ "$(cat "$W/victim")" = keep ] && [ ! -L "$L/prep/train.csv" ] && ok "a link at an output name is replaced, its target untouched" ||
	not_ok "a link at an output name is replaced, its target untouched"
(umask 0777 && $T "$SYNTHEHR" train "$L" --runs 1 --epochs 2 --threads 1 >/dev/null 2>&1) && ok "train under umask 0777" ||
	not_ok "train under umask 0777"
bad_modes=$(find "$L" \( -type d ! -perm 0700 \) -o \( -type f ! -perm 0600 \) | head -3)
[ -z "$bad_modes" ] && ok "every directory 0700 and file 0600 under umask 0777" || not_ok "modes under umask 0777: $bad_modes"
check "check passes on the study" "$SYNTHEHR" check "$L"
chmod 0755 "$L/runs"; chmod 0644 "$L/prep/layout.json"
refused "check reports wrong modes" 1 'PERM .*runs: mode 0755.*' "$L" "$SYNTHEHR" check "$L"
grep -q 'PERM .*layout.json: mode 0644' "$TMPD/err" && ok "check names the 0644 file" || not_ok "check names the 0644 file"

# 8. A small address space (ulimit -v 100 MB): --version works (OpenBLAS
# would spin on its thread buffers), every command ends with a message or
# works, none hangs (the timeout only catches a hang) or dies by a signal.
if ldd "$SYNTHEHR" 2>/dev/null | grep -q 'libasan\|libtsan'; then
	ok "# SKIP ulimit -v under a sanitizer build"; ok "# SKIP"
else
	(ulimit -v 100000 && $T "$SYNTHEHR" --version) >"$TMPD/out" 2>&1 && grep -q '^synthehr ' "$TMPD/out" &&
		ok "--version under ulimit -v 100000" || not_ok "--version under ulimit -v 100000"
	bad=""
	for c in "check $S" "train $S --runs 1 --epochs 4 --threads 1" "generate $S --no-stratify" "evaluate $S" "rank $S"; do
		# shellcheck disable=SC2086
		(ulimit -v 100000 && $T "$SYNTHEHR" $c) >/dev/null 2>"$TMPD/err"; rc=$?
		if [ $rc -ge 124 ] || { [ $rc -ne 0 ] && ! grep -q '^synthehr [a-z-]*: ' "$TMPD/err"; }; then
			bad="$bad ${c%% *}(exit $rc)"
		fi
	done
	[ -z "$bad" ] && ok "every command under ulimit -v 100000 works or ends with a message" ||
		not_ok "under ulimit -v 100000:$bad"
fi

done_testing
