#!/bin/sh
. "$SRCDIR/tests/tap.sh"
skip_all "not yet"
