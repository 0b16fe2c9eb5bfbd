#!/bin/sh
# synthehr — GPL-3.0-or-later.
# Stages started in the workbench while a training runs (issue 11) and a
# vanished terminal (issue 18, item 7), in tmux at 80x24 on a small demo
# study: '5 e' during training is queued (and the workbench keeps answering
# keys), '3 p y' (prep under a training) is refused with a reason, the top
# bar shows the running stage and the queue on every screen, x stops the
# training and drops the queue; then killing the tmux session during a
# training ends the process and leaves the study resumable.  Every wait
# polls with a generous bound: no timing is asserted.
. "$SRCDIR/tests/tap.sh"

. "$SRCDIR/tests/tmux.sh"

S="$TMPD/s"
"$SYNTHEHR" init "$S" --demo --rows 400 --concepts 20 >/dev/null 2>&1 &&
    "$SYNTHEHR" prep "$S" --quiet >/dev/null 2>&1 ||
    { echo "Bail out! cannot make the demo study"; exit 1; }
ok "a small demo study, prepared"

# ---- a long training, then stages started while it runs
start "'$S'"
expect "the workbench opens the study" "synthehr" 10
# :set is validated by the settings table
keys ":set eval_preset f" Enter
expect ":set refuses a value outside the allowed words" ":set eval_preset: expected \"fast\" or \"tutorial\"" 10
keys ":set epochs 0" Enter
expect ":set refuses a value out of range" ":set epochs: 0 is out of range" 10
if grep -q '"preset": "f"' "$S/study.json"; then not_ok ":set stored nothing refused"; else ok ":set stored nothing refused"; fi
for s in "set runs 1" "set epochs 100000" "set ckpt_every 5"; do
	keys ":$s" Enter
done
keys 4
expect "the Train screen shows the settings" "epochs     100000" 10
keys s
expect "training starts" "state: training" 20
expect "the top bar shows the running stage and its progress" "^ synthehr .*\[train [0-9]*% [0-9]*:[0-9][0-9] +generate\]" 20
keys 5 e
expect "5 e during training queues the evaluation" "evaluation (preset fast) queued behind train" 10
expect "the top bar shows the queue" "^ synthehr .*\[train .*+generate +evaluate\]" 10
keys '?'
expect "the workbench still answers keys (the help overlay opens)" "Keys: Evaluate" 10
keys Escape
keys 3
keys p
expect "3 p asks to confirm" "write prep/.*(y/n)" 10
keys y
expect "prep under a training is refused with the reason" "prep would rewrite what the running train reads" 10
keys 4 x
expect "x stops the training, its state saved" "training stopped; state saved" 60
cap
if grep -q "+evaluate\|queued" "$SCREEN"; then not_ok "the stop dropped the queue"; else ok "the stop dropped the queue"; fi
keys q
n=0; while [ $n -lt 50 ] && [ ! -f "$TMPD/exit.txt" ]; do sleep 0.2; n=$((n + 1)); done
if [ "$(cat "$TMPD/exit.txt" 2>/dev/null)" = 0 ]; then ok "q quits (exit 0)"; else not_ok "q quits (exit '$(cat "$TMPD/exit.txt" 2>/dev/null)')"; fi
stop_session
e1=$(sed -n 's/.*"epoch": *\([0-9]*\).*/\1/p' "$S/runs/run-1/state.json" | head -1)
if [ "${e1:-0}" -ge 1 ]; then ok "the stopped run saved epoch $e1"; else not_ok "the stopped run saved an epoch ('$e1')"; fi

# ---- the terminal goes away during training (a dropped SSH connection);
# a fresh tmux server, not the one just killed
TM="tmux -L ${SOCK}b"
start "'$S'"
expect "the workbench offers to resume the training" "Training was interrupted. Resume it now?" 10
keys y
expect "training resumes" "state: training" 20
n=0; while [ ! -s "$WBPID" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
pid=$(cat "$WBPID")
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then ok "the workbench runs as pid $pid"; else not_ok "found the workbench's pid"; fi
$TM kill-server >/dev/null 2>&1
n=0; while [ $n -lt 100 ] && kill -0 "$pid" 2>/dev/null; do sleep 0.1; n=$((n + 1)); done
if kill -0 "$pid" 2>/dev/null; then
	not_ok "the workbench is gone after its terminal went away"
	kill -9 "$pid" 2>/dev/null
else
	ok "the workbench is gone after its terminal went away"
fi
if "$SYNTHEHR" check "$S" >"$TMPD/check.txt" 2>&1; then ok "check passes on the study"; else
	not_ok "check passes on the study"; sed 's/^/# /' "$TMPD/check.txt"; fi
e2=$(sed -n 's/.*"epoch": *\([0-9]*\).*/\1/p' "$S/runs/run-1/state.json" | head -1)
"$SYNTHEHR" train "$S" --epochs $(( ${e2:-0} + 40 )) >"$TMPD/resume.txt" 2>&1
rc=$?
if [ $rc = 0 ] && grep -q "resuming after epoch" "$TMPD/resume.txt"; then
	ok "the run resumes from its saved epoch (${e2:-?}) and finishes"
else
	not_ok "the run resumes from its saved epoch (exit $rc)"
	sed 's/^/# /' "$TMPD/resume.txt"
fi
done_testing
