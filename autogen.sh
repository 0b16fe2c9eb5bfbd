#!/bin/sh
# Regenerate the build system (needs autoconf, automake, pkg-config).
set -e
cd "$(dirname "$0")"
mkdir -p build-aux
autoreconf -fi
# The TAP driver is not installed by --add-missing; take automake's own.
cp -f "$(automake --print-libdir)/tap-driver.sh" build-aux/tap-driver.sh
chmod +x build-aux/tap-driver.sh
