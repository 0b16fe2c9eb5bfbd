# synthehr — GPL-3.0-or-later.
# The rule shared by tests/include_graph.sh and tests/link_graph.sh (source
# it after tap.sh): of the edges FROM<TAB>TO[<TAB>WHAT] in a file, none goes
# from the core to a front end, between the two front ends, or into
# src/main.c; and src/main.c reaches both front ends.

graph_module() {
	case $1 in
	src/main | src/main.c) echo main ;;
	src/cli/*) echo cli ;;
	src/tui/*) echo tui ;;
	*) echo core ;;
	esac
}

# graph_arrows EDGES WHAT: one test for the rule, one for src/main.c
graph_arrows() {
	: > "$TMPD/graph_bad"
	while IFS="$(printf '\t')" read -r from to what; do
		mf=$(graph_module "$from"); mt=$(graph_module "$to")
		case "$mf>$mt" in
		core\>cli | core\>tui | core\>main | cli\>tui | tui\>cli | *\>main)
			echo "$from -> $to${what:+: $what} ($mf -> $mt)" >> "$TMPD/graph_bad" ;;
		esac
	done < "$1"
	if [ -s "$TMPD/graph_bad" ]; then
		not_ok "no $2 from the core to a front end, none between the front ends"
		sed 's/^/# /' "$TMPD/graph_bad"
	else
		ok "no $2 from the core to a front end, none between the front ends"
	fi
	grep -q "^src/main[.c]*	src/cli/" "$1" && grep -q "^src/main[.c]*	src/tui/" "$1"
	check "src/main.c is where the two front ends meet ($2)" test $? = 0
}
