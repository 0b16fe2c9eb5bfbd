#!/bin/sh
# synthehr — GPL-3.0-or-later.
# The workbench's frame in tmux (issue 12): named rank profiles (save as,
# load, delete, in study.json and read by 'synthehr rank --profile'), the
# per-run breakdown following a weight change (hand-computed), the prompts
# before unsaved weights are lost, the message viewer (an earlier error,
# its time and severity, scrolling, search), the job log, :help and ? as
# pages that reach the end of the command table, the Tab Tab list paging,
# the "terminal too small" notice at 60x20 coming and going on resize, and
# no captured line of the six screens at 80x24 and 100x30 ending in a word
# cut without the whole of it on the same screen; a study.json without a
# source says so in one short status line.
#
# A cut word: a run of letters or digits ended by the canvas's cut mark
# (… in UTF-8, ~ in ASCII; canvas_text marks every cut).  It is allowed
# only where the screen spells the word out elsewhere (a detail line, a
# key) or on the status line when it says "(M shows all)" (the message
# log holds the whole).  A cut between words ("a long title …") cuts no
# word.
. "$SRCDIR/tests/tap.sh"
. "$SRCDIR/tests/tmux.sh"

# ---- a study with results on every screen, made with the command line:
# the demo cohort, prep, two short runs, and the 5-run metrics table of
# tests/data/tui (its ranks under profile A are hand-checked below)
S="$TMPD/st"
"$SYNTHEHR" init "$S" --demo --rows 300 --concepts 20 >/dev/null 2>&1 &&
    "$SYNTHEHR" prep "$S" --quiet >/dev/null 2>&1 &&
    "$SYNTHEHR" train "$S" --runs 2 --epochs 20 >/dev/null 2>&1 &&
    mkdir -p "$S/eval" && cp "$SRCDIR/tests/data/tui/metrics.json" "$S/eval/metrics.json" ||
    { echo "Bail out! could not make the study"; exit 1; }

# every cut word on $SCREEN that the screen does not spell out elsewhere
cut_words() {
	LC_ALL=C grep -v "(M shows all)" "$SCREEN" | LC_ALL=C grep -o "[[:alnum:]_.:/-]*[[:alnum:]]\(…\|~\)" |
	    sort -u | while read -r w; do
		f=${w%…}; f=${f%\~}
		pat=$(printf '%s' "$f" | sed 's/[].[\*^$/]/\\&/g')
		LC_ALL=C grep -q -- "${pat}[[:alnum:]_]" "$SCREEN" && continue
		echo "$w"
	done
}
# the check itself, on a made-up screen: a cut word is found, a cut
# between words is not, nor a word the screen spells out, nor a status
# line that points to the message log
printf '%s\n' " 276  Disorders of …" " 401  Hypertensi…" " 250  Diabe…" " phecode 250: Diabetes" \
    "read-only: this study is being wri… (M shows all)" > "$SCREEN"
cw=$(cut_words | tr '\n' ' ')
if [ "$cw" = "Hypertensi… " ]; then ok "the cut-word check finds exactly the cut word (Hypertensi…)"; else
	not_ok "the cut-word check: got '$cw', want 'Hypertensi… '"; fi
overall() { grep "^ overall " "$SCREEN" | tr -s ' '; }

# ---- Rank at 80x24: the breakdown follows a weight change
start st
keys 6
expect "the Rank screen: the runs x metrics table under profile A" "^ Weights: profile A " 15
o1=$(overall)
# profile A: run-2 1.80, run-1 2.30, run-3 3.20, run-4 3.70, run-5 4.00
if [ "$o1" = " overall 1.80 2.30 3.20 3.70 4.00" ]; then ok "overall scores under A ($o1)"; else
	not_ok "overall scores under A: got '$o1'"; fi
# select run-3 (the third column): under A its places against the mean
# place 3: CKV 1 (0.1 x -2), MI 2 (0.1 x -1); DWD 5 (0.1 x 2), FI 4 (0.2 x 1), AI 4
keys '>' '>'
expect "< > select a set: what carries it" "^ run-3 (< >): carried by CKV -0\.20, MI -0\.10$" 5
grep_ok "... and what sinks it" "^   sunk by DWD +0\.20, FI +0\.20, AI +0\.10 " "$SCREEN"
keys '<' '<'
keys Home + +
expect "two + on DWD: the profile marked edited" "profile A (edited, S saves)" 5
wait_for "^ DWD     ↓  0\.20" 5 >/dev/null
o2=$(overall)
# DWD places run-2 1, run-1 3, run-3 5, run-4 4, run-5 2: each overall
# rises by 0.1 x its place
if [ "$o2" = " overall 1.90 2.60 3.70 4.10 4.20" ]; then
	ok "the per-run breakdown follows: overall + 0.1 x DWD place ($o2)"
else
	not_ok "the per-run breakdown follows the weight: got '$o2', want 1.90 2.60 3.70 4.10 4.20"
fi
grep_ok "... and DWD's row shows each run's weighted place (run-1: place 3, 0.60)" \
    "^ DWD     ↓  0\.20  1 0\.20 3 0\.60 5 1\.00 4 0\.80 2 0\.40" "$SCREEN"
keys Enter
expect "the weight prompt names its metric" "^Weight of DWD (lower is better; 0 or more): 0\.2" 5
keys Escape

# ---- named profiles: save as, load, delete
keys a
expect "loading A with edited weights asks first" "The edited weights are not saved (S saves). Load profile A? (y/n)" 5
keys n
keys S
expect "S asks for a name (A is the tutorial's: 'custom' offered)" "^Save the weights as profile: custom" 5
keys C-u 'A' Enter
expect "A cannot be overwritten" "profiles A and B are the tutorial's" 5
keys S C-u 'teach' Enter
expect "saved as profile teach" "saved as profile 'teach' in study.json" 5
if python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['rank']; \
sys.exit(0 if abs(r['profiles']['teach']['DWD']-0.2)<1e-12 and r['profile']=='teach' else 1)" "$S/study.json" 2>/dev/null
then ok "study.json rank.profiles.teach.DWD = 0.2 and rank.profile = teach"
elif ! command -v python3 >/dev/null 2>&1; then ok "# SKIP python3 missing"
else not_ok "study.json rank.profiles.teach holds the weights"; fi
"$SYNTHEHR" rank "$S" --profile teach > "$TMPD/rank.txt" 2>&1
grep_ok "synthehr rank --profile teach reads the saved profile" "^Ranking, profile teach" "$TMPD/rank.txt"
grep_ok "... with DWD's weight 0.20" "^DWD  *↓  0\.20 " "$TMPD/rank.txt"
keys a
expect "A loads at once (nothing unsaved)" "profile A loaded" 5
keys p
expect "p lists the profiles: A, B and the saved ones" "│ teach " 5
grep_ok "... A is kept" "│ A  (ML development, the tutorial's; kept)" "$SCREEN"
keys End Enter
expect "Enter loads teach" "profile teach loaded" 5
wait_for "^ overall " 5 >/dev/null
o3=$(overall)
if [ "$o3" = "$o2" ]; then ok "teach ranks as it was saved ($o3)"; else not_ok "teach ranks as saved: '$o3' != '$o2'"; fi
keys p Home D
expect "A cannot be deleted" "profile A is the tutorial's and cannot be deleted" 5
keys End D
expect "deleting asks first" "Delete profile teach from study.json? (y/n)" 5
keys y
expect "deleted" "profile teach deleted from study.json" 5
keys Escape
if grep -q '"teach"' "$S/study.json"; then not_ok "teach is gone from study.json"; else ok "teach is gone from study.json"; fi
check_fails "synthehr rank --profile teach now fails (exit 2)" 2 "$SYNTHEHR" rank "$S" --profile teach
keys q
expect "quitting with the deleted profile's weights unsaved asks first" \
    "The edited weights are not saved (S saves). Quit anyway? (y/n)" 5
keys n
keys ':open st' Enter
expect "opening a study with unsaved weights asks first" \
    "The edited weights are not saved (S saves). Open the other study anyway? (y/n)" 5
keys n

# ---- the message viewer: an earlier error, scrolled to, found
keys ':frobnicate' Enter
i=1; while [ $i -le 25 ]; do keys ":set epochs $((100 + i))" Enter; i=$((i + 1)); done
expect "the last message on the status line" "^epochs = 125" 10
keys M
expect "M opens the messages at their newest" "epochs = 125" 5
grep_ok "... a page of them (a count of lines)" "of [0-9][0-9]* .*q closes" "$SCREEN"
if grep -q "frobnicate" "$SCREEN"; then not_ok "the earlier error is above the page"; else ok "the earlier error is above the page"; fi
keys Home
expect "Home scrolls to the earlier error, with its time and severity" \
    "[0-9][0-9]:[0-9][0-9]:[0-9][0-9] error  *unknown command ':frobnicate'" 5
keys End
expect "End: the newest again" "epochs = 125" 5
keys / 'frobnicate' Enter
expect "/ finds the error" "unknown command ':frobnicate'" 5
keys Tab
expect "Tab: the job log" "Job log" 5
keys q
# a message wider than the status line says where the rest is
keys ":set $(printf 'x%.0s' $(seq 1 90)) 1" Enter
expect "a cut status message says (M shows all)" "(M shows all)$" 5
keys 3 p y
expect "a stage runs (prep)" "prep/ written" 60
keys ':log' Enter
expect ":log lists the stage's events" "prep  *started\|prep  *done" 10
grep_ok "... its end" "prep  *done" "$SCREEN"
keys q

# ---- :help and ?: pages to the end of the command table
keys 6 ':help' Enter
expect ":help opens the page with the screen's keys" "Keys of the Rank screen" 5
keys End
expect ":help: End reaches the last setting" "^│ study  *DIR: where" 5
# the commands are above the settings: page back to the table's last one
n=0; found=""
while [ $n -lt 15 ]; do cap; grep -q "│ :q!  " "$SCREEN" && { found=1; break; }; keys PgUp; sleep 0.3; n=$((n + 1)); done
if [ -n "$found" ]; then ok ":help lists :q!, the command table's last row"; else not_ok ":help lists :q!"; fi
keys q '?'
expect "? opens the same page" "Keys of the Rank screen" 5
keys Escape

# ---- Tab Tab: the completion list pages; every command is there
keys ':' Tab Tab
expect "Tab Tab lists the commands" "completions" 5
for w in column demo evaluate export help load log messages open prep profile 'q!' quit screen set theme train; do
	grep -q "│.* $w \|│ $w " "$SCREEN" || { not_ok "the command list holds $w"; w=""; break; }
done
[ -n "$w" ] && ok "the command list holds every command of the table"
keys Escape Escape
keys ':set ' Tab Tab
expect "Tab Tab after :set lists the settings, paged" "completions, 1-[0-9]* (Tab or PgDn: more" 5
cp "$SCREEN" "$TMPD/page1.txt"
last=$(sed -n 's/.*completions, 1-\([0-9]*\) (Tab.*/\1/p' "$TMPD/page1.txt" | head -1)
keys PgDn
# the next page starts after the first one's last line (a capture taken
# before the key is handled still shows page 1)
expect "PgDn: the next page" "completions, $(( ${last:-0} + 1 ))-[0-9]* (Tab" 5
cat "$SCREEN" >> "$TMPD/page1.txt"
missing=""
for w in lr_d lr_g preset runs seed threads study encode eval_preset generate_rows demo_rows; do
	grep -q "│.* $w \|│ $w " "$TMPD/page1.txt" || missing="$missing $w"
done
if [ -z "$missing" ]; then ok "the pages hold lr_d, lr_g, preset, runs, seed, study and the other settings"; else
	not_ok "the settings list misses:$missing"; fi
keys Escape Escape

# ---- no line ends in a cut word: the six screens at 80x24 and 100x30
check_screens() {   # W H
	for n in 1 2 3 4 5 6; do
		keys "$n"
		sleep 0.8
		cap
		cw=$(cut_words | tr '\n' ' ')
		if [ -z "$cw" ]; then ok "$1x$2 screen $n: no word cut without its whole on the screen"
		else not_ok "$1x$2 screen $n: cut words: $cw"; sed 's/^/#   |/' "$SCREEN"; fi
	done
}
keys q y
wait_exit 10 >/dev/null
stop_session
start st
wait_for "synthehr" 15 >/dev/null
check_screens 80 24
stop_session
start_sized 100 30 st
wait_for "synthehr" 15 >/dev/null
check_screens 100 30

# ---- 60x20: the notice comes and goes
stop_session
start_sized 60 20 st
expect "started at 60x20: the notice" "terminal too small (need 80x24)" 15
grep_ok "... with the size now" "now 60x20; q quits" "$SCREEN"
if grep -q "Rank\|Evaluate" "$SCREEN"; then not_ok "nothing else at 60x20"; else ok "nothing else at 60x20"; fi
resize 80 24
expect "at 80x24 the screen comes back" "^ synthehr  1 Load .* 6 Rank " 10
if grep -q "too small" "$SCREEN"; then not_ok "the notice is gone at 80x24"; else ok "the notice is gone at 80x24"; fi
resize 60 20
expect "smaller again: the notice again" "terminal too small (need 80x24)" 10
resize 100 30
expect "at 100x30 the screen is whole" "^ synthehr  1 Load .* 6 Rank " 10
cut=$(cut_words | tr '\n' ' ')
if [ -z "$cut" ] && ! grep -q "too small" "$SCREEN"; then ok "after the resizes nothing is garbled or cut"; else
	not_ok "after the resizes: '$cut'"; sed 's/^/#   |/' "$SCREEN"; fi
keys q
n=$(wait_exit 10)
if [ "$n" = 0 ]; then ok "q quits (0)"; else not_ok "q quits (got '$n')"; fi

# ---- a study.json without a source: one short status line, the whole
# message in the message viewer (M)
stop_session
mkdir -m 700 "$TMPD/nosrc" && printf '{ "synthehr_study": 1 }\n' > "$TMPD/nosrc/study.json"
start nosrc
expect "no source: a short status line" '^no cohort: study.json names no "source" file (M: the whole message) *$' 15
if grep -q "M shows all\|…" "$SCREEN" | tail -2; then :; fi
if tail -2 "$SCREEN" | grep -q "…"; then not_ok "... not cut"; else ok "... not cut"; fi
grep_ok "the Load screen spells the whole message out" 'nosrc/study.json: no "source" path (create the study with' "$SCREEN"
keys M
expect "M: the whole message in the viewer" 'study.json: no "source" path' 10
keys q q
wait_exit 10 >/dev/null

done_testing
