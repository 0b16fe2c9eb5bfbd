#!/bin/sh
# synthehr — GPL-3.0-or-later.
# The include graph of the sources (issue 11): the core (src/core,
# include/synthehr) includes no front end, the two front ends (src/cli,
# src/tui) include nothing of each other, only src/main.c sees both, and no
# chain of #include "..." comes back to where it started.  Reads the tree
# as text; prints every edge that breaks a rule.
. "$SRCDIR/tests/tap.sh"
. "$SRCDIR/tests/graph.sh"

cd "$SRCDIR" || exit 1
# edges: FILE<TAB>INCLUDED-PATH (relative to the tree)
for f in src/main.c src/core/*.c src/core/*.h src/cli/*.c src/cli/*.h src/tui/*.c src/tui/*.h include/synthehr/*.h; do
	[ -f "$f" ] || continue
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" | while read -r inc; do
		case $inc in
		config.h) continue ;;
		synthehr/*) t="include/$inc" ;;
		cli/* | tui/* | core/*) t="src/$inc" ;;
		*) t="$(dirname "$f")/$inc" ;;
		esac
		printf '%s\t%s\n' "$f" "$t"
	done
done > "$TMPD/edges"
n=$(wc -l < "$TMPD/edges")
[ "$n" -gt 100 ] && ok "read $n include edges" || not_ok "read the include edges ($n)"

graph_arrows "$TMPD/edges" arrow

# cycles: depth-first search over the file graph
awk -F '\t' '
	{ adj[$1] = adj[$1] " " $2; node[$1] = 1; node[$2] = 1 }
	function dfs(v,    i, n, w, list) {
		state[v] = 1; path[++depth] = v
		n = split(adj[v], list, " ")
		for (i = 1; i <= n; i++) {
			w = list[i]
			if (state[w] == 1) {
				s = ""; for (k = 1; k <= depth; k++) if (path[k] == w || s != "") s = s path[k] " -> "
				print s w; found++
			} else if (state[w] == 0) dfs(w)
		}
		depth--; state[v] = 2
	}
	END { for (v in node) state[v] = 0; for (v in node) if (state[v] == 0) dfs(v); exit found > 0 }
' "$TMPD/edges" > "$TMPD/cycles"
if [ $? = 0 ]; then ok "no include circle"; else not_ok "no include circle"; sed 's/^/# /' "$TMPD/cycles"; fi
done_testing
