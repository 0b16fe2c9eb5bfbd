#!/bin/sh
# synthehr — GPL-3.0-or-later.
# The HTML report in a real browser (issue 17): the demo study's report is
# rendered by headless Chromium; an injected checker (in a copy of the page)
# records every error event (uncaught errors, failed resources, console.error)
# and, once the page has loaded, whether every <img> decoded with a non-zero
# size and a text alternative; the verdict is read back from --dump-dom.  A
# screenshot of the top of the page is taken too (kept at
# $SYNTHEHR_REPORT_SCREENSHOT when set).  Skips only without chromium.
. "$SRCDIR/tests/tap.sh"

CHROMIUM=""
for c in chromium chromium-browser; do
	command -v "$c" >/dev/null 2>&1 && { CHROMIUM=$c; break; }
done
[ -n "$CHROMIUM" ] || skip_all "chromium is not installed (apt-get install chromium; ./setup.sh test installs it)"
export OMP_WAIT_POLICY=PASSIVE

ST="$TMPD/demo"
# A small demo study whose runs score checkpoints (so the fidelity curves exist).
"$SYNTHEHR" init "$ST" --demo --rows 1500 >/dev/null 2>&1 || { not_ok "init demo"; done_testing; exit 1; }
python3 - "$ST/study.json" <<'PY' || echo "# python3 missing: default checkpoint schedule"
import json, sys
p = sys.argv[1]
s = json.load(open(p))
s["train"] = {"preset": "quick", "runs": 2, "epochs": 24, "ckpt_every": 4, "ckpt_after": 4}
json.dump(s, open(p, "w"), indent=2)
PY
check "prep" "$SYNTHEHR" prep "$ST"
check "train 2 runs" "$SYNTHEHR" train "$ST" --runs 2 --epochs 24
check "fit the CART peer" "$SYNTHEHR" train "$ST" --method cart
check "generate" "$SYNTHEHR" generate "$ST" --no-stratify
check "evaluate" "$SYNTHEHR" evaluate "$ST" --preset fast --boot 5
PHE=""
[ -f "$SHARED_DATA/phecode-map-1.2/phecode_info.csv" ] && PHE="--phecodes $SHARED_DATA/phecode-map-1.2"
# shellcheck disable=SC2086
check "report writes Markdown and HTML" "$SYNTHEHR" report "$ST" $PHE
H="$ST/eval/report.html"

# The checker goes first in <head>, so it sees every error event of the page.
cat >"$TMPD/check.js" <<'JS'
<script>
(function () {
  var errs = [];
  window.addEventListener('error', function (e) {
    var t = e.target && e.target.tagName ? e.target.tagName + ' failed to load' : (e.message || 'error');
    errs.push(t);
  }, true);
  var ce = console.error;
  console.error = function () { errs.push('console.error: ' + Array.prototype.join.call(arguments, ' ')); ce.apply(console, arguments); };
  window.addEventListener('load', function () {
    var im = document.images, bad = 0, noalt = 0, i;
    for (i = 0; i < im.length; i++) {
      if (!im[i].complete || im[i].naturalWidth === 0 || im[i].naturalHeight === 0) bad++;
      if (!im[i].alt || im[i].alt.length < 20) noalt++;
    }
    var d = document.createElement('pre');
    d.id = 'synthehr-verdict';
    d.textContent = 'VERDICT images=' + im.length + ' undecoded=' + bad + ' noalt=' + noalt +
      ' errors=' + errs.length + (errs.length ? ' [' + errs.join('; ') + ']' : '');
    document.body.appendChild(d);
  });
})();
</script>
JS
awk -v f="$TMPD/check.js" '{ print } /<head>/ && !done { while ((getline l < f) > 0) print l; done = 1 }' "$H" \
	>"$TMPD/checked.html"
run_chromium() {
	ud=$(mktemp -d "$TMPD/chrome.XXXXXX")
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$ud" "$@" 2>>"$TMPD/chromium.err"
}
run_chromium --virtual-time-budget=10000 --dump-dom "file://$TMPD/checked.html" >"$TMPD/dom.html"
v=$(grep -o 'id="synthehr-verdict">VERDICT[^<]*' "$TMPD/dom.html" | head -1 | sed 's/^[^>]*>//')
echo "# $v"
case $v in
VERDICT*) ok "the page loaded in Chromium and the checker ran" ;;
*) not_ok "the page loaded in Chromium and the checker ran"; tail -5 "$TMPD/chromium.err" | sed 's/^/#   /' ;;
esac
n=$(echo "$v" | sed -n 's/.*images=\([0-9]*\).*/\1/p')
want=$(grep -o '<img ' "$H" | wc -l)
if [ -n "$n" ] && [ "$n" -ge 20 ] && [ "$n" -eq "$want" ]; then ok "Chromium sees all $n charts"; else
	not_ok "Chromium sees all charts (saw '$n', the file has $want)"; fi
case $v in *" undecoded=0 "*) ok "every image decoded with a non-zero size" ;;
*) not_ok "every image decoded with a non-zero size" ;; esac
case $v in *" noalt=0 "*) ok "every image has a text alternative" ;;
*) not_ok "every image has a text alternative" ;; esac
case $v in *" errors=0") ok "no console errors or failed resources" ;;
*) not_ok "no console errors or failed resources" ;; esac
for id in summary table1 prep training run-1 run-2 sets metrics ranking stability reproduce; do
	grep_ok "section #$id rendered" "id=\"$id\"" "$TMPD/dom.html"
done
grep_ok "Figure 4 rendered" "Figure 4 of the tutorial" "$TMPD/dom.html"
grep_ok "loss curves rendered" "Critic (solid), generator (dashed)" "$TMPD/dom.html"
grep_ok "fidelity signal rendered" "Training-time fidelity signal" "$TMPD/dom.html"
grep_ok "correlation heat map rendered" "Heat map of the difference" "$TMPD/dom.html"
grep_ok "real-against-synthetic histograms rendered" "real (bars) against" "$TMPD/dom.html"
grep_ok "Table 1 rendered" "Table 1: the cohort before and after" "$TMPD/dom.html"
grep_ok "ranking per profile rendered" "Profile A" "$TMPD/dom.html"
grep_ok "the summary names the best set" "Best set under profile" "$TMPD/dom.html"
grep_ok "the summary compares with the classical peer" "against the classical peer peer-cart" "$TMPD/dom.html"
grep_ok "uncertainty shown" " ± " "$TMPD/dom.html"

# Negative control: the checker must notice a broken image and a console error.
sed 's|</body>|<img src="data:image/png;base64,AAAA" alt="a broken image planted by the test"><script>console.error("planted")</script></body>|' \
	"$TMPD/checked.html" >"$TMPD/broken.html"
run_chromium --virtual-time-budget=10000 --dump-dom "file://$TMPD/broken.html" >"$TMPD/dom2.html"
v2=$(grep -o 'id="synthehr-verdict">VERDICT[^<]*' "$TMPD/dom2.html" | head -1 | sed 's/^[^>]*>//')
echo "# control: $v2"
case $v2 in *" undecoded=1 "*"errors=2 "*) ok "the checker catches a broken image and a console error" ;;
*) not_ok "the checker catches a broken image and a console error" ;; esac

# The screenshot of the unmodified page.
run_chromium --screenshot="$TMPD/top.png" --window-size=1280,2000 "file://$H" >/dev/null
if [ -s "$TMPD/top.png" ] && [ "$(head -c 8 "$TMPD/top.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
    [ "$(wc -c <"$TMPD/top.png")" -gt 20000 ]; then
	ok "screenshot of the top of the page taken"
else
	not_ok "screenshot of the top of the page taken"
fi
[ -n "${SYNTHEHR_REPORT_SCREENSHOT:-}" ] && cp "$TMPD/top.png" "$SYNTHEHR_REPORT_SCREENSHOT"
# Without --phecodes, study.json or SYNTHEHR_PHECODES, a demo study's report
# still names its concepts: the demo's phecode names are built in.
if env -u SYNTHEHR_PHECODES "$SYNTHEHR" report "$ST" >/dev/null 2>&1 &&
    ! grep -q "no phecode map" "$H" &&
    [ "$(grep -o 'phecode [0-9][0-9.]*[^<]*: [A-Z][a-z]' "$H" | wc -l)" -gt 0 -o \
      "$(grep -c 'Diabetes mellitus\|Hypertension\|Hyperlipidemia\|anemia\|Heart' "$H")" -gt 0 ]; then
	ok "a demo study's report names concepts without a phecode map (built-in names)"
else
	not_ok "a demo study's report names concepts without a phecode map (built-in names)"
fi
done_testing
