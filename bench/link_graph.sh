#!/bin/sh
# synthehr — GPL-3.0-or-later.
# Which source files call each other in a circle (issue 11): the graph of
# "FILE uses a function or variable defined in FILE2", read from the built
# library with nm, cut into strongly connected components.  A component of
# more than one file is a circle.  Also lists arrows from the core to a
# front end and between the front ends.
#   bench/link_graph.sh [BUILD_DIR]      (default: _build)
B=${1:-_build}
[ -f "$B/libsynthehr.a" ] || { echo "no $B/libsynthehr.a: build first" >&2; exit 2; }
nm -A "$B/libsynthehr.a" 2>/dev/null | awk '
	# lines: lib.a:member.o: ADDR T name   or   lib.a:member.o:          U name
	{
		split($1, p, ":"); f = p[2]; sub(/^libsynthehr_a-/, "", f); sub(/\.o$/, "", f)
		t = $(NF - 1); s = $NF
		if (t ~ /^[TDBR]$/) def[s] = f
		else if (t == "U") use[f] = use[f] " " s
		files[f] = 1
	}
	function mod(f) { return f ~ /^(cli|cmd_)/ ? "cli" : f ~ /^(tui|app|commands|job|cmdline|screen_|canvas|term|theme)/ ? "tui" : "core" }
	END {
		for (f in files) {
			n = split(use[f], u, " ")
			for (i = 1; i <= n; i++) if ((g = def[u[i]]) != "" && g != f && !((f, g) in e)) {
				e[f, g] = 1; adj[f] = adj[f] " " g
				mf = mod(f); mg = mod(g)
				if ((mf == "core" && mg != "core") || (mf != "core" && mg != "core" && mf != mg))
					print "arrow " mf " -> " mg ": " f " -> " g " (" u[i] ")"
			}
		}
		# Tarjan
		idx = 0
		for (f in files) if (!(f in num)) scc(f)
		print comps " circle(s) of files calling each other"
	}
	function scc(v,    n, i, w, a, comp, size) {
		num[v] = low[v] = ++idx; stack[++sp] = v; on[v] = 1
		n = split(adj[v], a, " ")
		for (i = 1; i <= n; i++) {
			w = a[i]
			if (!(w in num)) { scc(w); if (low[w] < low[v]) low[v] = low[w] }
			else if (on[w] && num[w] < low[v]) low[v] = num[w]
		}
		if (low[v] == num[v]) {
			comp = ""; size = 0
			do { w = stack[sp--]; on[w] = 0; comp = comp " " w; size++ } while (w != v)
			if (size > 1) { comps++; print "circle:" comp }
		}
	}'
