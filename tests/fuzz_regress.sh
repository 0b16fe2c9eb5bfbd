#!/bin/sh
# synthehr — GPL-3.0-or-later.
# Replays every saved fuzz input (fuzz/regress/HARNESS/*) and the bad-input
# corpus through the harnesses: no crash, no sanitizer report.
. "$SRCDIR/tests/tap.sh"
. "$SRCDIR/tests/mimic_fixture.sh"
write_mimic_fixture "$TMPD/mimic"
FUZZ_MIMIC_DIR=$TMPD/mimic; FUZZ_PHECODES=$SHARED_DATA/phecode-map-1.2
export FUZZ_MIMIC_DIR FUZZ_PHECODES
for h in csv json ckpt theme mimic mtx; do
	bin="$BUILDDIR/tests/fuzz_replay_$h"
	set -- "$SRCDIR"/fuzz/regress/$h/*
	case $h in
	csv) set -- "$@" "$SRCDIR"/tests/bad/* ;;
	ckpt) set -- "$@" "$SRCDIR"/tests/bad/checkpoint_* "$SRCDIR"/tests/bad/garbage.bin ;;
	theme) set -- "$@" "$SRCDIR"/themes/*.theme ;;
	esac
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
