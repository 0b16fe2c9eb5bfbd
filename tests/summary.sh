#!/bin/sh
# synthehr — GPL-3.0-or-later.
# Sum the TAP results of 'make check' (every .trs file under the given build
# directories) into one closing line "N passed, N failed, N skipped" and
# exit non-zero on any failure.
[ $# -eq 0 ] && set -- .
files=""
for d in "$@"; do
	[ -d "$d" ] && files="$files $(find "$d" -name '*.trs' 2>/dev/null)"
done
count() { if [ -n "$files" ]; then cat $files | grep -c "^:test-result: $1"; else echo 0; fi; }
pass=$(count PASS); xfail=$(count XFAIL); fail=$(count FAIL); xpass=$(count XPASS)
err=$(count ERROR); skip=$(count SKIP)
passed=$((pass + xfail))
failed=$((fail + xpass + err))
# A suite that produced no result at all is a failure, not a pass.
[ -z "$(echo $files)" ] && failed=$((failed + 1))
echo "$passed passed, $failed failed, $skip skipped"
[ "$failed" -eq 0 ]
