# synthehr — GPL-3.0-or-later.
# TAP helpers for shell tests: source it, call ok/fail/check, end with done_testing.
# Environment from Makefile.am: SYNTHEHR (the built binary), SRCDIR, BUILDDIR, SHARED_DATA.
: "${SYNTHEHR:=$(pwd)/synthehr}"
: "${SHARED_DATA:=$(cd "$(dirname "$0")/../.." 2>/dev/null && pwd)/shared/data}"
tap_n=0
tap_failed=0
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/synthehr-test.XXXXXX")
trap 'rm -rf "$TMPD"' EXIT

ok() {   # ok "description"  (after a command that succeeded)
	tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"
}
not_ok() {
	tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $1"
}
# check "description" command args...   -> ok if the command exits 0
check() {
	desc=$1; shift
	if "$@" >"$TMPD/out" 2>"$TMPD/err"; then ok "$desc"; else
		not_ok "$desc"; sed 's/^/#   /' "$TMPD/err" | head -20; fi
}
# check_fails "description" CODE command args...  -> ok if it exits with CODE
check_fails() {
	desc=$1; code=$2; shift 2
	"$@" >"$TMPD/out" 2>"$TMPD/err"; rc=$?
	if [ "$rc" -eq "$code" ]; then ok "$desc"; else
		not_ok "$desc (exit $rc, want $code)"; sed 's/^/#   /' "$TMPD/err" | head -20; fi
}
# grep_ok "description" PATTERN FILE
grep_ok() {
	if grep -q -- "$2" "$3"; then ok "$1"; else not_ok "$1"; echo "#   pattern '$2' not in $3:"; head -20 "$3" | sed 's/^/#   /'; fi
}
skip_all() { echo "1..0 # SKIP $1"; exit 0; }
# demo_study STUDY [demo options...]: the demo cohort ($TMPD/c.csv), then
# init and prep of STUDY, quietly; skips the whole test when one fails.
demo_study() {
	ds_dir=$1; shift
	"$SYNTHEHR" demo -o "$TMPD/c.csv" "$@" >/dev/null 2>&1 &&
	"$SYNTHEHR" init "$ds_dir" --data "$TMPD/c.csv" >/dev/null 2>&1 &&
	"$SYNTHEHR" prep "$ds_dir" >/dev/null 2>&1 || skip_all "demo/init/prep did not produce a study"
}
done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
