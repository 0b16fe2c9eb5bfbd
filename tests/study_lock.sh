#!/bin/sh
# synthehr — GPL-3.0-or-later.
# The study lock (issue 11, item 3): while a CLI training writes a study, a
# second writer (prep, generate, evaluate, report, a training of the same
# run, a settings change) is refused at once with a message naming the
# holder's pid and stage, and changes nothing; readers still work; the lock
# goes with its holder, also when it is killed -9.  The workbench opens the
# locked study read-only and follows the training live (tmux, if present).
. "$SRCDIR/tests/tap.sh"

S="$TMPD/s"
"$SYNTHEHR" init "$S" --demo --rows 400 --concepts 20 >/dev/null 2>&1 &&
    "$SYNTHEHR" prep "$S" --quiet >/dev/null 2>&1 ||
    { echo "Bail out! cannot make the demo study"; exit 1; }

# start_training: a long CLI training in the background; $TPID its pid
start_training() {
	rm -f "$TMPD/train.err"
	"$SYNTHEHR" train "$S" --runs 1 --epochs 100000 >/dev/null 2>"$TMPD/train.err" &
	TPID=$!
	n=0
	while [ $n -lt 300 ] && ! grep -q "epoch [0-9]" "$TMPD/train.err" 2>/dev/null; do
		sleep 0.2; n=$((n + 1))
	done
	grep -q "epoch [0-9]" "$TMPD/train.err"
}
# refused NAME CMD...: exits 1, names the holder, changes no file of the study
refused() {
	name=$1; shift
	before=$(cd "$S" && find . -path ./runs -prune -o -type f -newer "$TMPD/stamp" -print | sort)
	"$@" >"$TMPD/out.txt" 2>"$TMPD/err.txt"
	rc=$?
	after=$(cd "$S" && find . -path ./runs -prune -o -type f -newer "$TMPD/stamp" -print | sort)
	if [ $rc = 1 ] && grep -q "being written by pid $TPID on .* (train since [0-9]*:[0-9]*)" "$TMPD/err.txt" &&
	    [ "$before" = "$after" ]; then
		ok "$name is refused, naming the holder"
	else
		not_ok "$name is refused, naming the holder (exit $rc)"
		sed 's/^/# /' "$TMPD/err.txt"
	fi
}

start_training && ok "a CLI training runs (pid $TPID)" || not_ok "a CLI training runs"
touch "$TMPD/stamp"
sleep 1
refused "prep" "$SYNTHEHR" prep "$S" --quiet
refused "generate" "$SYNTHEHR" generate "$S"
refused "evaluate" "$SYNTHEHR" evaluate "$S" --only dwd
refused "report" "$SYNTHEHR" report "$S"
refused "a second training of the same run" "$SYNTHEHR" train "$S" --run 1
refused "a settings change" "$SYNTHEHR" train "$S" --epochs 7
refused "check --clean (it removes files)" "$SYNTHEHR" check "$S" --clean
"$SYNTHEHR" check "$S" >"$TMPD/out.txt" 2>&1
grep -q "files checked" "$TMPD/out.txt" && ok "check alone (a reader) still runs" || not_ok "check alone (a reader) still runs"
check "a reader (info) still works" "$SYNTHEHR" info "$S"
grep -q '"epochs": 7' "$S/study.json" && not_ok "study.json unchanged" || ok "study.json unchanged"

# ---- the workbench follows the training read-only
if command -v tmux >/dev/null 2>&1; then
	SOCK="synthehr-lock-$$"
	TM="tmux -L $SOCK"
	SCREEN="$TMPD/screen.txt"
	trap '$TM kill-server >/dev/null 2>&1; kill $TPID 2>/dev/null; rm -rf "$TMPD"' EXIT
	$TM -f /dev/null new-session -d -x 80 -y 24 -c "$TMPD" \
	    "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color SYNTHEHR_THEME_DIR='$SRCDIR/themes' \
	     OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1 '$SYNTHEHR' '$S'; sleep 600"
	cap() { $TM capture-pane -p > "$SCREEN" 2>/dev/null; }
	wait_for() {
		n=0
		while [ $n -lt $(( $2 * 5 )) ]; do
			cap; grep -q -- "$1" "$SCREEN" && return 0; sleep 0.2; n=$((n + 1))
		done
		echo "# timed out waiting for '$1'; the screen:"; sed 's/^/#   |/' "$SCREEN"; return 1
	}
	expect() { if wait_for "$2" "$3"; then ok "$1"; else not_ok "$1"; fi; }
	epoch_of() { cap; e=$(sed -n "s/^ run 1 \[[^]]*\] *\([0-9]*\)\/.*/\1/p" "$SCREEN" | head -1); echo "${e:-0}"; }
	$TM send-keys 4
	expect "the workbench shows the study read-only, naming the holder" "\[read-only: pid $TPID train\]" 15
	expect "the Train screen follows the training" "state: followed" 10
	e1=$(epoch_of); n=0; e2=$e1
	while [ $n -lt 150 ]; do e2=$(epoch_of); [ "$e2" -gt "$e1" ] && break; sleep 0.2; n=$((n + 1)); done
	if [ "$e2" -gt "$e1" ]; then ok "the followed epochs advance ($e1 -> $e2)"; else
		not_ok "the followed epochs advance ($e1 -> $e2)"; fi
	$TM send-keys s
	expect "starting a training there is refused, naming the holder" "read-only: .* being written by pid $TPID" 10
	$TM send-keys q
	$TM kill-server >/dev/null 2>&1
fi

kill -INT $TPID; wait $TPID; rc=$?
[ $rc = 130 ] && ok "the training stops on SIGINT (130)" || not_ok "the training stops on SIGINT ($rc)"
check "prep runs once the training has ended" "$SYNTHEHR" prep "$S" --quiet

start_training && ok "another training runs (pid $TPID)" || not_ok "another training runs"
kill -9 $TPID; wait $TPID 2>/dev/null
check "a killed holder's lock is gone (the kernel released it)" "$SYNTHEHR" prep "$S" --quiet
[ "$(stat -c %a "$S/.lock")" = 600 ] && ok "the lock file is mode 0600" || not_ok "the lock file is mode 0600"
done_testing
