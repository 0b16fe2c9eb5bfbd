#!/bin/sh
# synthehr — GPL-3.0-or-later.
# The command-line frame: help, version and BLAS report, exit codes.
. "$SRCDIR/tests/tap.sh"

check "--help exits 0" "$SYNTHEHR" --help
grep_ok "--help lists the subcommands" "train" "$TMPD/out"
grep_ok "--help documents exit codes" "130 interrupted" "$TMPD/out"
check "--version exits 0" "$SYNTHEHR" --version
grep_ok "--version names the BLAS core" "core " "$TMPD/out"
check_fails "unknown command is a usage error" 2 "$SYNTHEHR" frobnicate
grep_ok "unknown command is named" "unknown command 'frobnicate'" "$TMPD/err"
for c in demo init info review prep train generate evaluate rank report run import-mimic import-events bench; do
	check "$c --help" "$SYNTHEHR" "$c" --help
	grep_ok "$c --help shows a usage line" "usage: synthehr $c" "$TMPD/out"
done
# OMP_WAIT_POLICY is set to PASSIVE for the process (re-exec) unless the user chose one.
if [ -r /proc/self/environ ]; then
	env -u OMP_WAIT_POLICY "$SYNTHEHR" --version >/dev/null 2>&1 && ok "runs with OMP_WAIT_POLICY unset" || not_ok "runs with OMP_WAIT_POLICY unset"
fi
done_testing
