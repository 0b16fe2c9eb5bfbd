#!/bin/sh
# synthehr — GPL-3.0-or-later.
# Interruption: SIGKILL a small training at 20 pseudo-random moments.  After
# every kill the study must load, 'synthehr check' must find every file
# sound (no truncated file in place of a good one), and training must
# resume and finally complete.  SIGINT must save state and exit 130.
. "$SRCDIR/tests/tap.sh"
S=$TMPD/s
if ! "$SYNTHEHR" init "$S" --demo --rows 600 >/dev/null 2>"$TMPD/err" ||
   ! "$SYNTHEHR" prep "$S" >/dev/null 2>>"$TMPD/err"; then
	not_ok "small demo study prepared"; sed 's/^/#   /' "$TMPD/err"; done_testing; exit 1
fi
ok "small demo study prepared"
bad=0
i=1
while [ $i -le 20 ]; do
	"$SYNTHEHR" train "$S" --runs 2 --epochs 60 --threads 1 >/dev/null 2>&1 &
	pid=$!
	# a different moment each time: 0.05 .. 1.5 s
	d=$(awk -v s=$i 'BEGIN { srand(s * 7919); printf "%.2f", 0.05 + rand() * 1.45 }')
	sleep "$d"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	if "$SYNTHEHR" check "$S" >"$TMPD/check" 2>&1; then :; else
		bad=$((bad + 1)); echo "# kill $i after ${d}s:"; sed 's/^/#   /' "$TMPD/check" | grep -v '^#   TMP' | head -5
	fi
	i=$((i + 1))
done
[ $bad -eq 0 ] && ok "20 SIGKILLs: every file sound after each" || not_ok "20 SIGKILLs: $bad left a damaged study"
check "check --clean removes leftovers" "$SYNTHEHR" check "$S" --clean
check "training resumes and completes after the kills" "$SYNTHEHR" train "$S" --runs 2 --epochs 60 --threads 1
grep_ok "both runs reach the last epoch" '"epoch": 60' "$S/runs/run-2/state.json"
check "generation works from the resumed runs" "$SYNTHEHR" generate "$S" --no-stratify
check "study sound at the end" "$SYNTHEHR" check "$S"

# SIGINT: saves state and exits 130 (documented), then resumes.  The runs are
# far from done (100,000 epochs), so each signal lands during training
# however fast the preset is.
"$SYNTHEHR" train "$S" --runs 3 --epochs 100000 --threads 1 >/dev/null 2>"$TMPD/int.err" &
pid=$!
sleep 2
kill -INT $pid
wait $pid; rc=$?
[ $rc -eq 130 ] && ok "SIGINT during training exits 130" || { not_ok "SIGINT during training exits 130 (got $rc)"; sed 's/^/#   /' "$TMPD/int.err" | tail -5; }
check "study sound after SIGINT" "$SYNTHEHR" check "$S"
"$SYNTHEHR" train "$S" --runs 3 --epochs 100000 --threads 1 >/dev/null 2>&1 &
pid=$!
sleep 2
kill -TERM $pid
wait $pid; rc=$?
[ $rc -eq 130 ] && ok "SIGTERM during training exits 130" || not_ok "SIGTERM during training exits 130 (got $rc)"
"$SYNTHEHR" train "$S" --runs 3 --epochs 100000 --threads 1 >/dev/null 2>&1 &
pid=$!
sleep 2
kill -HUP $pid
wait $pid; rc=$?
[ $rc -eq 130 ] && ok "SIGHUP during training exits 130" || not_ok "SIGHUP during training exits 130 (got $rc)"
check "study sound after SIGTERM/SIGHUP" "$SYNTHEHR" check "$S"
done_testing
