#!/bin/sh
# synthehr — GPL-3.0-or-later.
# The workbench's STALE marks (issue 18 item 4), in tmux at 80x24 on a small
# demo study: new synthetic sets after an evaluation mark the evaluation
# stale on the Evaluate screen; prep run again after the runs were trained
# marks the runs stale on the Train screen; running the stage again clears
# each mark.  Every wait polls with a generous bound: no timing is asserted.
. "$SRCDIR/tests/tap.sh"
. "$SRCDIR/tests/tmux.sh"

S="$TMPD/s"
run() { "$SYNTHEHR" "$@" >"$TMPD/out" 2>&1 || { echo "Bail out! synthehr $*: $(tail -1 "$TMPD/out")"; exit 1; }; }
run init "$S" --demo --rows 400 --concepts 20
run prep "$S" -q
run train "$S" --runs 1 --epochs 2 --threads 1
run generate "$S" --no-stratify
run evaluate "$S" --only dwd
ok "a small demo study: prepared, one run trained, generated, evaluated"

# look SCREEN_KEY PATTERN: open the workbench, go to a screen, capture it
look() {
	start "'$S'"
	wait_for "synthehr" 10 >/dev/null
	keys "$1"
	wait_for "$2" 10 >/dev/null
	cap
	cp "$SCREEN" "$TMPD/shot"
	keys q
	wait_exit 10 >/dev/null
	stop_session
}
absent() {   # absent "desc" PATTERN: not on the last shot
	if grep -q -- "$2" "$TMPD/shot"; then not_ok "$1"; sed 's/^/#   |/' "$TMPD/shot"; else ok "$1"; fi
}
present() {
	if grep -q -- "$2" "$TMPD/shot"; then ok "$1"; else not_ok "$1"; sed 's/^/#   |/' "$TMPD/shot"; fi
}

look 5 "DWD"
EV_STALE='stale: sets changed since: e again\|STALE: [0-9]* results\{0,1\} .*older than'
absent "Evaluate: no stale mark while the metrics are newer than the sets" "$EV_STALE"
look 4 "epochs"
absent "Train: no stale mark while the runs are newer than prep/" "stale: prep/ is newer"

# new sets after the evaluation (mtimes are compared: wait past a second
# so that the new files are strictly newer whatever the file system)
sleep 1
run generate "$S" --no-stratify --seed 2
look 5 "DWD"
present "Evaluate: new sets after the evaluation mark it stale" "$EV_STALE"
run evaluate "$S" --only dwd
look 5 "DWD"
absent "Evaluate: evaluating again clears the mark" "$EV_STALE"

# prep again after the runs exist
sleep 1
run prep "$S" -q
look 4 "epochs"
present "Train: prep/ newer than the runs marks them stale" "stale: prep/ is newer"
run train "$S" --runs 1 --epochs 3 --threads 1
look 4 "epochs"
absent "Train: training again clears the mark" "stale: prep/ is newer"
done_testing
