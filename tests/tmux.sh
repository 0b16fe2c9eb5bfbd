# synthehr — GPL-3.0-or-later.
# Shared helpers for the tests that drive the workbench in tmux.  Source it
# after tap.sh:
#   . "$SRCDIR/tests/tap.sh"; . "$SRCDIR/tests/tmux.sh"
#   start [ARGS]            the workbench in a fresh 80x24 session in $TMPD
#   start_sized W H [ARGS]  the same at W x H
#   cap / keys / wait_for PATTERN SECONDS / expect "desc" PATTERN SECONDS
#   resize W H
# Every wait polls with a generous bound: no timing is asserted.  On exit
# the tmux server is killed and a workbench still alive 3 s later is killed
# hard (an ASan build can hang in LeakSanitizer once its terminal is gone,
# and must not outlive the test).
command -v tmux >/dev/null 2>&1 || skip_all "tmux is not installed (apt-get install tmux)"
SOCK="synthehr-$(basename "$0" .sh)-$$"
TM="tmux -L $SOCK"
SCREEN="$TMPD/screen.txt"
WBPID="$TMPD/workbench.pid"

tmux_reap() {
	[ -s "$WBPID" ] || return 0
	p=$(cat "$WBPID")
	n=0
	while kill -0 "$p" 2>/dev/null && [ $n -lt 15 ]; do sleep 0.2; n=$((n + 1)); done
	kill -9 "$p" 2>/dev/null
	rm -f "$WBPID"
}
tmux_cleanup() {
	$TM kill-server >/dev/null 2>&1
	tmux_reap
	rm -rf "$TMPD"
}
trap tmux_cleanup EXIT

UTF=C.UTF-8
locale -a 2>/dev/null | grep -qi '^c\.utf-\?8$' || UTF=en_US.UTF-8
# extra environment for the workbench (NO_COLOR=1, SYNTHEHR_ASCII=1, ...)
: "${WB_ENV:=}"

start_sized() {
	w=$1; h=$2; shift 2
	rm -f "$TMPD/exit.txt"
	# a launcher script keeps the caller's quoting of ARGS and records the
	# workbench's pid for tmux_reap
	{
		echo 'echo $$ > "'"$WBPID"'"'
		echo "exec env LANG=$UTF LC_ALL=$UTF TERM=xterm-256color SYNTHEHR_THEME_DIR='$SRCDIR/themes' \\"
		echo "    OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1 $WB_ENV '$SYNTHEHR' $*"
	} > "$TMPD/workbench.sh"
	$TM -f /dev/null new-session -d -x "$w" -y "$h" -c "$TMPD" \
	    "sh '$TMPD/workbench.sh'; echo \$? > '$TMPD/exit.txt'; sleep 600"
}
start() { start_sized 80 24 "$@"; }
# stop the session (and the workbench with it) before starting another;
# wait for the server's socket to go, or the next session can reach the
# dying server ("server exited unexpectedly") and never start
TSOCK="${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCK"
stop_session() {
	$TM kill-server >/dev/null 2>&1
	tmux_reap
	n=0
	while [ -S "$TSOCK" ] && $TM list-sessions >/dev/null 2>&1 && [ $n -lt 25 ]; do sleep 0.2; n=$((n + 1)); done
	n=0
	while [ -S "$TSOCK" ] && [ $n -lt 10 ]; do sleep 0.1; n=$((n + 1)); done
	rm -f "$TSOCK"
}
resize() { $TM resize-window -x "$1" -y "$2" >/dev/null 2>&1; }
cap() { $TM capture-pane -p > "$SCREEN" 2>/dev/null; }
keys() { $TM send-keys "$@"; }
# wait_for PATTERN SECONDS: poll the screen until PATTERN shows.  The bound
# is SECONDS x WAIT_SCALE (default 4): a poll costs nothing when the screen
# is quick, and a loaded machine or a sanitizer build is slow.  Every wait
# in the tests is for something that must show (none waits to see a
# pattern stay away), so a larger bound only delays a failure.
: "${WAIT_SCALE:=4}"
wait_for() {
	n=0
	lim=$(( $2 * 5 * WAIT_SCALE ))
	while [ $n -lt $lim ]; do
		cap
		grep -q -- "$1" "$SCREEN" && return 0
		sleep 0.2
		n=$((n + 1))
	done
	echo "# timed out after $(( $2 * WAIT_SCALE )) s waiting for '$1'; the screen:"
	sed 's/^/#   |/' "$SCREEN"
	return 1
}
expect() {   # expect "description" PATTERN SECONDS
	if wait_for "$2" "$3"; then ok "$1"; else not_ok "$1"; fi
}
# wait_exit SECONDS: wait for the workbench to exit; prints its exit status
wait_exit() {
	n=0
	while [ ! -s "$TMPD/exit.txt" ] && [ $n -lt $(( $1 * 5 )) ]; do sleep 0.2; n=$((n + 1)); done
	cat "$TMPD/exit.txt" 2>/dev/null
}
