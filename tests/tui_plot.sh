#!/bin/sh
# synthehr — GPL-3.0-or-later.
# The Train and Evaluate plots a class reads (issue 12), driven in tmux at
# 80x24 and 100x30 on a study with five evaluated runs (bench/eval_mkstudy)
# whose loss histories start with a warm-up spike (2200 at epoch 1, as the
# demo's runs do) and whose state.json files hold the metric rule's scores
# (lowest, hence chosen, at epoch 100 + 25 r).  Asserted: the y range leaves
# the spike out, the legend lists all five runs, smoothing toggles, hiding a
# run takes it out of the legend, the cursor reads out a value per run, the
# score plot marks and names the chosen checkpoints, the ASCII (LANG=C) and
# NO_COLOR legends tell the runs apart; Evaluate draws the real-data
# reference (TSTR's is eval/trtr.json's AUROC) in the panels and the
# details, gives the bars 17 cells at 80 columns (the standard errors then
# in the details), Figure 4 names its five largest gaps with their phecode
# descriptions; Home/End/PgUp/PgDn in the Train settings and the Evaluate
# set list.
. "$SRCDIR/tests/tap.sh"

MK="$BUILDDIR/bench/eval_mkstudy"
[ -x "$MK" ] || skip_all "bench/eval_mkstudy not built"
. "$SRCDIR/tests/tmux.sh"

S="$TMPD/st"
"$MK" "$S" 600 260 40 5 7 >/dev/null 2>&1 || { echo "Bail out! eval_mkstudy failed"; exit 1; }
"$SYNTHEHR" evaluate "$S" --preset fast >/dev/null 2>&1 || { echo "Bail out! evaluate failed"; exit 1; }
printf '{ "synthehr_study": 1, "source": { "path": "none.csv" }, "train": { "preset": "quick", "runs": 5, "epochs": 300 } }\n' > "$S/study.json"
for r in 1 2 3 4 5; do
	awk -v r=$r 'BEGIN {
		print "epoch,disc_loss,w_distance,gp,gen_loss,d_real,d_fake,seconds"
		for (e = 1; e <= 300; e++) {
			d = e == 1 ? 2200 : e == 2 ? 150 : -2 - 0.2 * r + 1.5 * exp(-e / 40)
			printf "%d,%.4f,%.4f,0.01,%.4f,0.2,-0.3,%.1f\n", e, d, d, e == 1 ? 900 : 0.5 + 0.1 * r, e * (0.2 + 0.1 * r)
		} }' > "$S/runs/run-$r/loss.csv"
	awk -v r=$r 'BEGIN {
		best = 1e9; printf "{ \"run\": %d, \"status\": \"done\", \"epoch\": 300, \"epochs\": 300, \"checkpoints\": [", r
		for (e = 75; e <= 300; e += 25) {
			sc = 10 * r + (e - 100 - 25 * r) ^ 2 / 500
			printf "%s{ \"epoch\": %d, \"score\": %.4f }", (e > 75 ? ", " : ""), e, sc
			if (sc < best) { best = sc; be = e }
		}
		printf "], \"chosen\": { \"epoch\": %d, \"score\": %.4f, \"fallback\": false, \"rule\": \"metric\" } }\n", be, best
	}' > "$S/runs/run-$r/state.json"
done
# a phecode map naming the study's concepts (008.0 ... 017.0)
mkdir -p "$TMPD/phe"
{ echo '"phecode","description"'
  for c in 008 009 010 011 012 013 014 015 016 017; do for d in 0 1 2; do echo "\"$c.$d\",\"Condition $c.$d of the test map\""; done; done
} > "$TMPD/phe/phecode_info.csv"
ok "a study with five evaluated runs, their loss histories and checkpoint scores"

legend_runs() { grep -c "run 1 .*run 2 .*run 3 .*run 4 .*run 5" "$SCREEN"; }

# ---- 4 Train at 80x24
start "'$S'"
expect "the workbench opens the study" "synthehr" 10
keys 4
expect "the Train screen draws the loss of every run" "critic loss per epoch, all runs" 10
grep_ok "the y range leaves out the warm-up spike (-3.00 .. -0.74)" "  -0.74 " "$SCREEN"
if grep -q "2200\|2e+03" "$SCREEN"; then not_ok "the spike's 2200 is not on the axis"; else ok "the spike's 2200 is not on the axis"; fi
grep_ok "the points left out are counted" "10 off, r: all" "$SCREEN"
grep_ok "the legend lists all five runs" "run 1 .*run 2 .*run 3 .*run 4 .*run 5 " "$SCREEN"
cp "$SCREEN" "$TMPD/train-80x24.txt"
keys r
expect "r: the full range, spike included" "2200" 5
keys r e
expect "e: smoothing on (EMA 0.9)" "critic loss per epoch, EMA 0.9, all runs" 5
keys e e
expect "e e: smoothing off again" "critic loss per epoch, all runs" 5
keys h 3
expect "h 3: run 3 hidden" "critic loss per epoch, 1 hidden" 5
if grep -q "run 3 .*run 4" "$SCREEN" || [ "$(grep -c 'run 3 .*hidden' "$SCREEN")" != 1 ]; then
	not_ok "run 3 is out of the legend, its row says hidden"; else ok "run 3 is out of the legend, its row says hidden"; fi
grep_ok "... the others stay in the legend" "run 1 .*run 2 .*run 4 .*run 5 " "$SCREEN"
keys h 3
expect "h 3 again: run 3 back in the legend" "run 1 .*run 2 .*run 3 .*run 4 .*run 5 " 5
keys c
expect "c: the cursor at the last epoch" "cursor: epoch 300" 5
n=$(grep -c "^ run [1-5] .*@300 -[0-9.]*$" "$SCREEN")
if [ "$n" = 5 ]; then ok "the cursor reads out a value for each of the 5 runs"; else
	not_ok "the cursor reads out a value for each of the 5 runs ($n)"; sed 's/^/#   |/' "$SCREEN"; fi
grep_ok "... run 1's loss at epoch 300 (-2.2 + 1.5 exp(-7.5) = -2.1992)" "^ run 1 .*@300 -2.1992" "$SCREEN"
keys Home
expect "Home: the cursor at epoch 1 reads the spike" "^ run 1 .*@1 2200" 5
keys c f
expect "f: the checkpoint rule's score" "checkpoint score (quick DWD" 5
grep_ok "the chosen checkpoints are named in the legend (epoch 100 + 25 r)" "chosen .*1:125 .*2:150 .*3:175 .*4:200 .*5:225" "$SCREEN"
grep_ok "... and marked in the plot" "◆" "$SCREEN"
grep_ok "... and on the run rows" "^ run 5 .*chosen 225" "$SCREEN"
cp "$SCREEN" "$TMPD/score-80x24.txt"
keys f t
expect "t: the x axis in training time (run 5: 300 x 0.7 s = 3:30)" "0:00 .*training time .*3:30" 5
keys t
# the settings list: Home, End, PgDn (4 settings); Enter shows the value
keys End Enter
expect "End: the last setting (ckpt_rule); Enter types its value" "Value: metric" 5
keys Escape Home Enter
expect "Home: the first setting (preset)" "Value: quick" 5
keys Escape PgDn Enter
expect "PgDn: 4 settings on (batch)" "Value: 128" 5
keys Escape

# ---- 5 Evaluate at 80x24
keys 5
expect "the Evaluate panels" "DWD ↓" 10
grep_ok "each panel has a real-data reference row" "│ real  *─*│ *[0-9-]" "$SCREEN"
grep_ok "a line says what the reference is" "│ real = the held-out test rows scored as a set" "$SCREEN"
# 80 columns: the values alone, a bar of 17 cells (40 - name 11 - value 8
# - 4), the standard errors in the details
if LC_ALL=$UTF grep -q "^│ run-1       .\{17\}[ 0-9.-]\{8\}│" "$SCREEN"; then
	ok "80x24: a panel's bar has 17 cells beside the value"; else
	not_ok "80x24: a panel's bar has 17 cells beside the value"; sed 's/^/#   |/' "$SCREEN"; fi
grep_ok "... and the footer says where the standard errors are" "Enter details and ±SE" "$SCREEN"
cp "$SCREEN" "$TMPD/eval-80x24.txt"
trtr=$(sed -n 's/^ *"auroc": *\([0-9.e-]*\),*$/\1/p' "$S/eval/trtr.json" | head -1)
want=$(awk -v v="$trtr" 'BEGIN { printf "%.4f", v }')
keys Right
expect "TSTR's reference is TRTR's AUROC from eval/trtr.json ($want)" "│ real .*│ *$want│" 10
if grep -A14 '"reference"' "$S/eval/metrics.json" | grep -q "\"TSTR_auroc\": $trtr"; then
	ok "metrics.json reference.values.TSTR_auroc is eval/trtr.json's auroc ($trtr)"
else not_ok "metrics.json reference.values.TSTR_auroc is eval/trtr.json's auroc ($trtr)"; fi
# the details: value±se, the reference as a column of its own and what it is
keys Enter
expect "Enter: run-1's details" "run-1: every metric" 5
grep_ok "... with a 'real' column" "│ metric  *value  *real  *place  *what it measures" "$SCREEN"
grep_ok "... TSTR's reference there too ($want), beside its value±se" "│ TSTR    ↑  *0\.[0-9]*±0\.[0-9]*  *$want  [1-6]/6" "$SCREEN"
grep_ok "... and what it is" "│ real = the held-out test rows scored as a set" "$SCREEN"
cp "$SCREEN" "$TMPD/drill-80x24.txt"
keys End
expect "End in the details: the last set" "baseline-marginals: every metric" 5
keys PgUp
expect "PgUp: 5 sets back (run-1)" "run-1: every metric" 5
keys PgDn
expect "PgDn: 5 sets on (baseline-marginals)" "baseline-marginals: every metric" 5
keys Home j
expect "Home, j: run-2" "run-2: every metric" 5
keys Escape End Enter
expect "End in the panels, then Enter: the last set's details" "baseline-marginals: every metric" 5
keys Escape Home
stop_session

# ---- Figure 4 with a phecode map
WB_ENV="SYNTHEHR_PHECODES='$TMPD/phe'"
start "'$S'"
expect "the workbench reopens on Evaluate" "DWD ↓" 10
keys f
expect "f: Figure 4" "Figure 4: concept prevalence" 10
# the gap list is the last thing drawn: wait for its fifth line (a capture
# can catch a frame half written)
wait_for "^│ 5 0[01][0-9]\.[0-2] .*of the test map *│" 10 >/dev/null
grep_ok "the diagonal is drawn with its own glyph" "╱" "$SCREEN"
n=$(grep -c "^│ [1-5] 0[01][0-9]\.[0-2] *[0-9.]*% → *[0-9.]*% (.[0-9.]*)  Condition 0[01][0-9]\.[0-2] of the test map *│" "$SCREEN")
if [ "$n" = 5 ]; then ok "the five largest gaps are listed with their phecode descriptions"; else
	not_ok "the five largest gaps are listed with their phecode descriptions ($n)"; sed 's/^/#   |/' "$SCREEN"; fi
# the list is in order of the gap's size, and each code matches its line
gaps=$(sed -n 's/^│ [1-5] .*(\([-+][0-9.]*\)).*/\1/p' "$SCREEN" | tr -d '+-' | tr '\n' ' ')
if echo "$gaps" | awk '{ for (i = 2; i <= NF; i++) if ($i > $(i-1) + 1e-9) bad = 1; exit bad }' && [ -n "$gaps" ]; then
	ok "the gaps are listed largest first ($gaps)"; else not_ok "the gaps are listed largest first ($gaps)"; fi
grep_ok "the five points are numbered in the plot" "[│ ].*[1-5].*" "$SCREEN"
cp "$SCREEN" "$TMPD/fig4-80x24.txt"
stop_session
WB_ENV=

# ---- 100x30, ASCII and NO_COLOR legends
start_sized 100 30 "'$S'"
expect "100x30: the workbench opens" "DWD" 10
keys 4
expect "100x30: the Train plot" "critic loss per epoch, all runs" 10
grep_ok "100x30: all five runs in the legend" "run 1 .*run 2 .*run 3 .*run 4 .*run 5 " "$SCREEN"
if grep -q "2200\|2e+03" "$SCREEN"; then not_ok "100x30: the spike is left out"; else ok "100x30: the spike is left out"; fi
keys c
expect "100x30: the cursor" "cursor: epoch 300" 5
n=$(grep -c "^ run [1-5] .*@300 -[0-9.]*$" "$SCREEN")
if [ "$n" = 5 ]; then ok "100x30: a value per run under the cursor"; else not_ok "100x30: a value per run under the cursor ($n)"; fi
keys c 5
expect "100x30: Evaluate with the reference rows" "│ real  *─*│" 10
grep_ok "100x30: room for value±se in the panels" "│ run-1 .*[0-9]±[0-9.]*│" "$SCREEN"
# the rows under the panels say what each metric on the page measures
grep_ok "100x30: under the panels, what DWD measures, its direction and range" \
    "^ DWD    ↓ dimension-wise distance" "$SCREEN"
grep_ok "... with the real rows' value (the panel's reference)" "range \[0, ~1000\]; real rows 20\.87" "$SCREEN"
stop_session

WB_ENV="LANG=C LC_ALL=C"   # after the launcher's UTF-8 locale: env takes the last
start "'$S'"
expect "LANG=C: the workbench opens" "synthehr" 10
keys 4
expect "LANG=C: the ASCII legend gives each run its own mark" "\*run 1 +run 2 orun 3 xrun 4 @run 5" 10
keys f
expect "LANG=C: the chosen checkpoints are digits in the plot, named in the legend" "chosen (digit): \*1:125 +2:150" 5
keys f 5
expect "LANG=C: the reference line in ASCII" "| real  *-*| *[0-9-]" 10
stop_session
WB_ENV="NO_COLOR=1"
start "'$S'"
expect "NO_COLOR: the workbench opens" "synthehr" 10
keys 4
expect "NO_COLOR: the legend gives each run its own mark" "\*run 1 +run 2 orun 3 xrun 4 @run 5" 10
stop_session
WB_ENV=

for f in train-80x24 score-80x24 eval-80x24 drill-80x24 fig4-80x24; do
	[ -s "$TMPD/$f.txt" ] && { echo "# $f:"; sed 's/^/#   |/' "$TMPD/$f.txt"; }
done
done_testing
