#!/bin/sh
# synthehr — GPL-3.0-or-later.
# One-step set-up on Debian 12: install what is missing, build, then either
#   ./setup.sh          run the whole pipeline on the built-in demo cohort
#   ./setup.sh test     run the whole test suite (ends "N passed, N failed")
#   ./setup.sh build    only install and build
set -eu
cd "$(dirname "$0")"
mode=${1:-demo}

PKGS="build-essential autoconf automake pkg-config libncurses-dev libreadline-dev
libcsv-dev libopenblas-dev libxgboost-dev libjansson-dev zlib1g-dev libcairo2-dev tmux python3"
# The test suite renders the HTML report in a real browser and starts a
# single-node Slurm cluster (tests/slurm.test).
[ "$mode" = test ] && PKGS="$PKGS chromium slurmctld slurmd slurm-client munge"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -n "$missing" ]; then
	echo "setup: installing:$missing" >&2
	SUDO=""
	[ "$(id -u)" -ne 0 ] && SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

# Thread pools: XGBoost's OpenMP must not spin against OpenBLAS's threads.
export OMP_WAIT_POLICY=PASSIVE

[ -x configure ] && [ configure -nt configure.ac ] || ./autogen.sh >/dev/null 2>&1 || ./autogen.sh
jobs=$(nproc 2>/dev/null || echo 2)

build() {   # build DIR CONFIGURE-ARGS...
	dir=$1; shift
	mkdir -p "$dir"
	( cd "$dir" && { [ -f Makefile ] || ../configure -q "$@"; } && make -s -j"$jobs" )
}

case $mode in
build)
	build _build
	;;
demo)
	build _build
	ln -sf _build/synthehr synthehr
	./synthehr --version
	echo "setup: running the whole pipeline on the built-in demo cohort in ./synthehr-demo" >&2
	./synthehr run synthehr-demo --demo
	echo "setup: done. Explore the study in the workbench:  ./synthehr synthehr-demo" >&2
	;;
test)
	build _build --enable-werror --enable-faultinject
	ln -sf _build/synthehr synthehr
	rc=0
	( cd _build && make -s -j"$jobs" check >/dev/null 2>&1 ) || rc=1
	if [ "${SYNTHEHR_SKIP_ASAN:-0}" != 1 ]; then
		echo "setup: sanitizer build (address + undefined behaviour)" >&2
		build _build-asan --enable-asan
		( cd _build-asan && ASAN_OPTIONS=detect_leaks=1 make -s -j"$jobs" check >/dev/null 2>&1 ) || rc=1
	fi
	# Show failures, then the one closing line.
	for f in $(find _build _build-asan -name '*.log' -path '*tests*' 2>/dev/null); do
		if grep -q '^not ok\|^FAIL\|^ERROR' "$f" 2>/dev/null; then
			echo "---- $f"; grep -v '^ok ' "$f" | head -40
		fi
	done
	sh tests/summary.sh _build _build-asan
	;;
*)
	echo "usage: ./setup.sh [demo|test|build]" >&2
	exit 2
	;;
esac
