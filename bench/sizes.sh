#!/bin/sh
# synthehr — GPL-3.0-or-later.
# The largest C functions and files under src/ (issue 11's "file and function
# sizes"): a function is a name at column 0 followed by "(" through the "}"
# at column 0, as STYLE.md lays them out.  Run from the source root:
#   bench/sizes.sh [N]      the N largest of each (default 5)
n=${1:-5}
echo "largest functions (lines):"
for f in src/*/*.c; do
	awk -v F="$f" '/^[a-z_][a-z0-9_]*\(/ { name = $1; sub(/\(.*/, "", name); start = NR }
	    /^}/ && start { print NR - start + 1, F ":" name; start = 0 }' "$f"
done | sort -rn | head -"$n"
echo "largest files (lines):"
wc -l src/*/*.c | sort -rn | sed -n "2,$((n + 1))p"
