#!/bin/sh
# synthehr — GPL-3.0-or-later.
# The man page's STUDY SETTINGS section against the settings table
# (src/core/settings.c, printed by 'synthehr help settings'): every key of
# the train, generate and eval sections is documented in its subsection,
# every documented key is in the table, and every allowed word of a
# choice is named in its subsection.
. "$SRCDIR/tests/tap.sh"

MAN="$SRCDIR/man/synthehr.1"
"$SYNTHEHR" help settings > "$TMPD/table.txt" 2>&1; check "synthehr help settings" test $? = 0
# SECTION KEY TYPE from the table
sed -n 's/^  \([a-z]*\)\.\([a-z_0-9]*\)  *\([^ ]*\).*/\1 \2 \3/p' "$TMPD/table.txt" > "$TMPD/keys"
n=$(wc -l < "$TMPD/keys")
[ "$n" -ge 30 ] && ok "the table lists $n settings" || not_ok "the table lists the settings ($n)"

# block SECTION: that subsection of the man page's STUDY SETTINGS
block() {
	case $1 in
	train) h='^\.SS Training' ;; generate) h='^\.SS Generation' ;; eval) h='^\.SS Evaluation' ;;
	esac
	awk -v h="$h" '/^\.SH STUDY SETTINGS/ { on = 1 } /^\.SH / && !/STUDY SETTINGS/ { on = 0 }
		on && /^\.SS/ { inb = ($0 ~ h) } on && inb' "$MAN" | sed 's/\\-/-/g'
}
# documented KEYs of a block: the words of the .B/.BR line after each .TP
documented() {
	block "$1" | awk '/^\.TP/ { getline; if ($1 != ".B" && $1 != ".BR") next
		sub(/^\.BR? /, ""); gsub(/"[^"]*"/, " "); n = split($0, w, " ")
		for (i = 1; i <= n; i++) print w[i] }'
}
for sec in train generate eval; do
	block $sec > "$TMPD/$sec.man"
	documented $sec | sort -u > "$TMPD/$sec.doc"
	awk -v s=$sec '$1 == s { print $2 }' "$TMPD/keys" | sort -u > "$TMPD/$sec.tab"
	missing=$(comm -23 "$TMPD/$sec.tab" "$TMPD/$sec.doc" | tr '\n' ' ')
	extra=$(comm -13 "$TMPD/$sec.tab" "$TMPD/$sec.doc" | tr '\n' ' ')
	[ -z "$missing" ] && ok "every $sec setting is in the man page" ||
	    not_ok "every $sec setting is in the man page (missing: $missing)"
	[ -z "$extra" ] && ok "every documented $sec setting is in the table" ||
	    not_ok "every documented $sec setting is in the table (not in the table: $extra)"
	bad=""
	awk -v s=$sec '$1 == s && $3 ~ /\|/ && $3 != "true|false" { print $2, $3 }' "$TMPD/keys" | while read -r key words; do
		for w in $(echo "$words" | tr '|' ' '); do
			grep -q "$w" "$TMPD/$sec.man" || echo "$key=$w"
		done
	done > "$TMPD/$sec.words"
	[ ! -s "$TMPD/$sec.words" ] && ok "every allowed word of a $sec choice is in the man page" ||
	    not_ok "every allowed word of a $sec choice is in the man page (missing: $(tr '\n' ' ' < "$TMPD/$sec.words"))"
done
done_testing
