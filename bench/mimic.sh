#!/bin/sh
# synthehr — GPL-3.0-or-later.
# Benchmark import-mimic on synthetic MIMIC-IV-shaped tables of full size
# (default 300,000 patients: ~430k admissions, ~5M diagnoses_icd rows,
# ~7M omr rows).  Generated data goes to a temporary directory and is
# removed afterwards.  Run from the build directory after `make check`
# (which builds bench/gen_mimic), or set SYNTHEHR, GEN and MAP.
#   sh ../bench/mimic.sh [PATIENTS]
set -e
N=${1:-300000}
SYNTHEHR=${SYNTHEHR:-./synthehr}
GEN=${GEN:-./bench/gen_mimic}
here=$(cd "$(dirname "$0")" && pwd)
MAP=${MAP:-${SHARED_DATA:-$here/../../shared/data}/phecode-map-1.2}
[ -x "$SYNTHEHR" ] || { echo "mimic.sh: no $SYNTHEHR (build first or set SYNTHEHR)" >&2; exit 2; }
[ -x "$GEN" ] || { echo "mimic.sh: no $GEN (make bench/gen_mimic, or set GEN)" >&2; exit 2; }
[ -d "$MAP" ] || { echo "mimic.sh: no phecode map at $MAP (set MAP)" >&2; exit 2; }
T=$(mktemp -d "${TMPDIR:-/tmp}/synthehr-mimic-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT
echo "== generating $N patients into $T"
t0=$(date +%s)
nice "$GEN" "$T/mimic" "$MAP" "$N" 1
echo "   ($(($(date +%s) - t0)) s; $(du -sh "$T/mimic/hosp" | cut -f1) gzipped)"
echo "== import-mimic"
TIMECMD=
[ -x /usr/bin/time ] && TIMECMD="/usr/bin/time -v"
$TIMECMD "$SYNTHEHR" import-mimic "$T/mimic" --phecodes "$MAP" -o "$T/cohort.csv.gz" 2>"$T/log" || { cat "$T/log"; exit 1; }
grep -v '^\s*\(Average\|Major\|Minor\|Voluntary\|Involuntary\|Swaps\|File system\|Socket\|Signals\|Page size\|Exit status\|Command being\)' "$T/log"
echo "   cohort: $(du -h "$T/cohort.csv.gz" | cut -f1) gzipped, $(zcat "$T/cohort.csv.gz" | head -1 | tr ',' '\n' | wc -l) columns"
