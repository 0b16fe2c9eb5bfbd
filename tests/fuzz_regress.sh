#!/bin/sh
# synthehr — GPL-3.0-or-later.
# Replays every saved fuzz input (fuzz/regress/HARNESS/*) and the bad-input
# corpus through the harnesses: no crash, no sanitizer report.
. "$SRCDIR/tests/tap.sh"
for h in csv json; do
	bin="$BUILDDIR/tests/fuzz_replay_$h"
	set -- "$SRCDIR"/fuzz/regress/$h/*
	[ "$h" = csv ] && set -- "$@" "$SRCDIR"/tests/bad/*
	for f in "$@"; do
		[ -f "$f" ] || continue
		if "$bin" "$f" >"$TMPD/out" 2>"$TMPD/err" && ! grep -q 'ERROR: \|runtime error' "$TMPD/err"; then
			ok "$h harness survives $(basename "$f")"
		else
			not_ok "$h harness survives $(basename "$f")"; head -20 "$TMPD/err" | sed 's/^/#   /'
		fi
	done
done
done_testing
