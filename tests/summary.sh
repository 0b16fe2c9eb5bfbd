#!/bin/sh
# synthehr — GPL-3.0-or-later.
# Sum the TAP results of 'make check' (every .trs file) into one closing line
# "N passed, N failed, N skipped" and exit non-zero on any failure.
dir=${1:-.}
files=$(find "$dir" -name '*.trs' 2>/dev/null)
if [ -z "$files" ]; then
	echo "0 passed, 1 failed"
	echo "summary: no test results found under $dir" >&2
	exit 1
fi
pass=$(cat $files | grep -c '^:test-result: PASS')
xfail=$(cat $files | grep -c '^:test-result: XFAIL')
fail=$(cat $files | grep -c '^:test-result: FAIL')
xpass=$(cat $files | grep -c '^:test-result: XPASS')
err=$(cat $files | grep -c '^:test-result: ERROR')
skip=$(cat $files | grep -c '^:test-result: SKIP')
passed=$((pass + xfail))
failed=$((fail + xpass + err))
[ -n "$2" ] && failed=$((failed + $2))
echo "$passed passed, $failed failed, $skip skipped"
[ "$failed" -eq 0 ]
