#!/bin/sh
# synthehr — GPL-3.0-or-later.
# 'synthehr train' and 'synthehr generate' end to end on a small demo study:
# runs, loss history, resume after SIGTERM and after SIGKILL, option errors,
# generation of every run plus the baseline, damaged checkpoints.
. "$SRCDIR/tests/tap.sh"
export OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE
S=$TMPD/s
demo_study "$S" --rows 600 --concepts 20 --seed 1

check_fails "unknown preset is a usage error" 2 "$SYNTHEHR" train "$S" --preset fast
grep_ok "unknown preset named" 'expected "quick" or "tutorial", got "fast"' "$TMPD/err"
check_fails "--runs 0 is a usage error" 2 "$SYNTHEHR" train "$S" --runs 0
check_fails "missing study is a usage error" 2 "$SYNTHEHR" train "$TMPD/nope"
check_fails "unknown rule is a usage error" 2 "$SYNTHEHR" train "$S" --rule best
grep_ok "the rule's words come from the settings table" '--rule: expected "tutorial" or "metric", got "best"' "$TMPD/err"

check "train 2 quick runs of 30 epochs" "$SYNTHEHR" train "$S" --preset quick --runs 2 --epochs 30 --seed 3
grep_ok "progress names the runs" "run 2/2" "$TMPD/err"
grep_ok "chosen checkpoint reported" "chosen checkpoint\|last state is used" "$TMPD/err"
for k in 1 2; do
	[ "$(wc -l < "$S/runs/run-$k/loss.csv")" -eq 31 ] && ok "run $k: loss.csv has 30 epochs" || not_ok "run $k: loss.csv has 30 epochs"
	grep_ok "run $k: state.json done" '"status": "done"' "$S/runs/run-$k/state.json"
done
grep_ok "run 2 has its own seed" '"seed": 4' "$S/runs/run-2/state.json"
grep_ok "settings saved in study.json" '"epochs": 30' "$S/study.json"
check "rerun: nothing left to do" "$SYNTHEHR" train "$S"
grep_ok "complete runs are not retrained" "already complete" "$TMPD/err"

# SIGTERM stops with 130 and saves; the same command resumes.
"$SYNTHEHR" train "$S" --run 1 --epochs 100000 >/dev/null 2>"$TMPD/bg" &
pid=$!
sleep 3
kill -TERM $pid
wait $pid; rc=$?
[ "$rc" -eq 130 ] && ok "SIGTERM exits 130" || not_ok "SIGTERM exits 130 (got $rc)"
grep_ok "state.json says stopped" '"status": "stopped"' "$S/runs/run-1/state.json"
e=$(sed -n 's/^  "epoch": \([0-9]*\),*$/\1/p' "$S/runs/run-1/state.json")
rows=$(($(wc -l < "$S/runs/run-1/loss.csv") - 1))
[ -n "$e" ] && [ "$e" -ge 30 ] && [ "$rows" -eq "$e" ] && ok "saved epoch $e matches loss.csv rows" || not_ok "saved epoch ($e) matches loss.csv rows ($rows)"

# SIGKILL at any moment leaves a resumable run.
"$SYNTHEHR" train "$S" --run 1 >/dev/null 2>&1 &
pid=$!
sleep 3
kill -KILL $pid
wait $pid 2>/dev/null
# The checkpoint's epoch (u32 at byte 52) is the resume point, whatever
# moment the kill hit.
e=$(od -An -t u4 -j 52 -N 4 "$S/runs/run-1/ckpt-last.bin" | tr -d ' ')
n=$((e + 3))
check "resume after SIGKILL to $n epochs" "$SYNTHEHR" train "$S" --run 1 --epochs $n
grep_ok "resume is announced" "resuming after epoch" "$TMPD/err"
awk -F, -v n=$n 'NR > 1 && $1 != NR - 1 { bad = 1 } END { exit !(bad == 0 && NR - 1 == n) }' "$S/runs/run-1/loss.csv" &&
	ok "loss.csv holds epochs 1..$n exactly once" || not_ok "loss.csv holds epochs 1..$n exactly once"
check "train back to 30 epochs is a no-op" "$SYNTHEHR" train "$S" --epochs 30

# Generation.
# --no-stratify: run 1 was interrupted and resumed on a 100000-epoch schedule
# (high rates throughout) and may rarely produce the 10 % label on 420 rows;
# stratified sampling is tested in test_train
check "generate every run and the baseline" "$SYNTHEHR" generate "$S" --no-stratify
for d in run-1 run-2 baseline-marginals; do
	[ -s "$S/runs/$d/synthetic.csv" ] && [ -s "$S/runs/$d/synthetic.mtx" ] && ok "$d: synthetic.csv and .mtx" || not_ok "$d: synthetic.csv and .mtx"
done
n1=$(wc -l < "$S/runs/run-1/synthetic.csv"); nb=$(wc -l < "$S/runs/baseline-marginals/synthetic.csv")
nt=$(wc -l < "$S/prep/train.csv" 2>/dev/null || echo "$n1")
[ "$n1" -eq "$nb" ] && [ "$n1" -eq "$nt" ] && ok "sets have as many rows as the training data ($((n1 - 1)))" || not_ok "row counts: run $n1, baseline $nb, train $nt"
check "generate --run 2 --rows 50 --sample --no-stratify" "$SYNTHEHR" generate "$S" --run 2 --rows 50 --sample --no-stratify
[ "$(wc -l < "$S/runs/run-2/synthetic.csv")" -eq 51 ] && ok "--rows 50 gives 50 rows" || not_ok "--rows 50 gives 50 rows"
check "generate --run baseline" "$SYNTHEHR" generate "$S" --run baseline
check_fails "untrained run fails" 1 "$SYNTHEHR" generate "$S" --run 7
grep_ok "untrained run named" "has not been trained" "$TMPD/err"
check_fails "bad --ckpt is a usage error" 2 "$SYNTHEHR" generate "$S" --ckpt soon
head -c 100 "$S/runs/run-2/ckpt-last.bin" > "$TMPD/t.bin" && cp "$TMPD/t.bin" "$S/runs/run-2/ckpt-last.bin"
check_fails "truncated checkpoint refused (bad input)" 2 "$SYNTHEHR" generate "$S" --run 2 --ckpt last
grep_ok "truncation named" "truncated" "$TMPD/err"
check_fails "resuming from a damaged checkpoint fails clearly (bad input)" 2 "$SYNTHEHR" train "$S" --run 2 --epochs 40
grep_ok "damage named on resume" "ckpt-last.bin" "$TMPD/err"
check "--restart retrains the damaged run" "$SYNTHEHR" train "$S" --run 2 --epochs 5 --restart

# Time budget, schedule, runs at once (issue 14).
check_fails "--minutes must be a number" 2 "$SYNTHEHR" train "$S" --minutes soon
grep_ok "bad --minutes named" "minutes: expected a number" "$TMPD/err"
check_fails "unknown schedule is a usage error" 2 "$SYNTHEHR" train "$S" --lr-schedule linear
grep_ok "schedules listed" '"constant", "cosine" or "step"' "$TMPD/err"
check "2 runs at once, 0.05 minutes each, cosine" "$SYNTHEHR" train "$S" --minutes 0.05 --lr-schedule cosine --restart
grep_ok "runs at once announced" "2 runs at once" "$TMPD/err"
grep_ok "budget announced" "0.05 minutes each" "$TMPD/err"
grep_ok "budget and schedule saved in study.json" '"lr_schedule": "cosine"' "$S/study.json"
for k in 1 2; do
	grep_ok "run $k: done within its budget" '"status": "done"' "$S/runs/run-$k/state.json"
	grep_ok "run $k: budget recorded" '"minutes": 0.05' "$S/runs/run-$k/state.json"
done
check "rerun: the budget is spent, nothing to do" "$SYNTHEHR" train "$S"
grep_ok "budgeted runs are not retrained" "already complete" "$TMPD/err"
done_testing
