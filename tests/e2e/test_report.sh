#!/usr/bin/env bash
# End to end: kuska report in a real browser. A network with `kuska sim`
# data; the secretariat's report (Spanish) and the analyst's (English) for
# 2025H2, opened by headless Chromium: the page makes no request beyond
# its own file and writes nothing to the console, every number in its
# tables equals `kuska query` for the same key, the secretariat's shows no
# count from 1 to k-1, and it prints to a PDF with pages. The pages,
# PDFs and screenshots (desktop and phone) stay in
# $KUSKA_BIN/report-artifacts for CI to keep.
. "$(dirname "$0")/lib.sh"

HERE="$KUSKA_SRC/tests/e2e"
ART="$KUSKA_BIN/report-artifacts"
P=2025H2
K=10

CHROMIUM=$(command -v chromium || command -v chromium-browser)
if [ -z "$CHROMIUM" ] || ! command -v pdfinfo >/dev/null; then
	not_ok "chromium and pdfinfo are needed (scripts/deps.sh installs them)"
	finish
fi
SANDBOX=()
[ "$(id -u)" = 0 ] && SANDBOX=(--no-sandbox) # as root Chromium insists
rm -rf "$ART"
mkdir -p "$ART"

# browse OUT URL [OPTION...]: headless Chromium with no network of its own
# (no update checks, sync or first-run pages), its net log in
# OUT.net.json and its stderr, with the page's console, in OUT.log.
browse() {
	local out=$1 url=$2
	shift 2
	timeout 120 "$CHROMIUM" --headless "${SANDBOX[@]}" --disable-gpu \
		--disable-background-networking --disable-component-update \
		--disable-sync --no-first-run --no-default-browser-check \
		--disable-extensions --hide-scrollbars \
		--user-data-dir="$(mktemp -d "$T/chromium.XXXXXX")" \
		--enable-logging=stderr --v=0 --log-net-log="$out.net.json" \
		"$@" "$url" 2>"$out.log"
}

net_init
# The shipped indicators, so that the report leads with them.
echo "indicators = $KUSKA_SRC/config/indicators.conf" >>"$N/consolidator.conf"
start_all
"$KUSKA" sim --out "$T/sim" --victims 1000 --seed 13 >/dev/null
check "the institutions submit kuska sim's records" submit_all "$T/sim"
check "all of them reach the consolidator" wait_delivered 120

# The checks must be able to fail: a page that fetches an image (its
# policy allows it) and a style sheet (its policy refuses it, which the
# console reports) fails both the network and the console checks.
cat >"$T/leaky.html" <<-'END'
	<!DOCTYPE html><meta http-equiv="Content-Security-Policy"
	content="default-src 'none'; img-src http:">
	<link rel="stylesheet" href="http://127.0.0.1:9/x.css">
	<p>x<img src="http://127.0.0.1:9/x.png" alt="">
END
browse "$T/leaky" "file://$T/leaky.html" --dump-dom >/dev/null
python3 "$HERE/report_check.py" net "$T/leaky.net.json" >/dev/null
check "control: a page that fetches something is caught" test $? = 1
python3 "$HERE/report_check.py" console "$T/leaky.log" >/dev/null
check "control: ... and so is a load its policy refused" test $? = 1

for who in secretariat:es analyst:en; do
	role=${who%:*}
	lang=${who#*:}
	page="$ART/report-$role.html"
	out="$ART/report-$role"
	"$KUSKA" report -c "$N/$role.conf" --period $P --lang "$lang" \
		-o "$page" 2>"$T/report-$role.err"
	rc=$?
	check "$role: kuska report writes the page (exit $rc)" \
		test "$rc" = 0 -a -s "$page"
	check "$role: the page names no address to load" \
		test -z "$(grep -Eo 'src=|url\(|@import|https?:|<script|<link' "$page")"
	browse "$out" "file://$page" --dump-dom --print-to-pdf="$out.pdf" \
		--no-pdf-header-footer --screenshot="$out-desktop.png" \
		--window-size=1280,2000 >"$T/$role.dom.html"
	check "$role: Chromium renders it" test -s "$T/$role.dom.html"
	check "$role: it opens with the key indicators and their trend" \
		grep -q 'id="f-trend"' "$T/$role.dom.html"
	check "$role: each indicator beside its means of verification" \
		grep -qF 'expression">100 * referrals.taken_up[to=mimp] / referrals.sent[to=mimp]<' "$T/$role.dom.html"
	check "$role: no request leaves the file" \
		python3 "$HERE/report_check.py" net "$out.net.json"
	check "$role: nothing on the console" \
		python3 "$HERE/report_check.py" console "$out.log"
	check "$role: every number in the tables equals kuska query" \
		python3 "$HERE/report_check.py" numbers "$T/$role.dom.html" \
		"$KUSKA" "$N/$role.conf"
	pages=$(pdfinfo "$out.pdf" 2>/dev/null | awk '/^Pages:/ { print $2 }')
	check "$role: the PDF has pages (${pages:-none})" test "${pages:-0}" -ge 2
	check "$role: a screenshot" test -s "$out-desktop.png"
done
browse "$T/phone" "file://$ART/report-secretariat.html" \
	--screenshot="$ART/report-secretariat-phone.png" --window-size=412,1800 \
	>/dev/null
check "secretariat: a screenshot on a phone" \
	test -s "$ART/report-secretariat-phone.png"

check "secretariat: no count from 1 to $((K - 1)), suppressed ones as <$K" \
	python3 "$HERE/report_check.py" small "$T/secretariat.dom.html" "$K"
trend() { # trend FILE: the semesters of the indicators' trend
	grep -o 'data-q="indicators [0-9H]* [0-9]* value"' "$1" |
		awk '{ print $2 }' | sort -u | tr '\n' ' '
}
check "the secretariat's trend spans the analyst's semesters ($(trend "$ART/report-analyst.html"))" \
	test "$(trend "$ART/report-secretariat.html")" = "$(trend "$ART/report-analyst.html")"
check "secretariat: in Spanish" \
	grep -q '<html lang="es">' "$T/secretariat.dom.html"
check "analyst: exact small counts, and a warning not to publish them" \
	grep -q "do not publish" "$T/analyst.dom.html"

# The footer's events per institution are what each one submitted.
for i in $INSTS; do
	n=$("$KUSKA" query -c "$N/secretariat.conf" sources --period $P \
		--format csv | awk -F, -v i="$i" '$1 == i { print $2 }')
	check "sources: $i's $(records "$T/sim/$i.jsonl") events accepted" \
		test "$n" = "$(records "$T/sim/$i.jsonl")"
done

# A question refused (a key the consolidator does not know): an error,
# and no file.
"$KUSKA" keygen stranger --dir "$N/keys" >/dev/null
sed 's|keys/secretariat.key|keys/stranger.key|' "$N/secretariat.conf" \
	>"$N/stranger.conf"
"$KUSKA" report -c "$N/stranger.conf" --period $P -o "$T/none.html" \
	2>"$T/none.err"
rc=$?
check "a refused key: exit 2, a reason and no file (exit $rc)" \
	test "$rc" = 2 -a ! -e "$T/none.html" -a -s "$T/none.err"

echo "# report artifacts in $ART"
finish
