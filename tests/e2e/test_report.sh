#!/usr/bin/env bash
# End to end: kuska report in a real browser. A network with `kuska sim`
# data; the secretariat's report (Spanish) and the analyst's (English) for
# 2025H2, opened by headless Chromium: the page makes no request beyond
# its own file and writes nothing to the console, every number in its
# tables equals `kuska query` for the same key, the secretariat's shows no
# count from 1 to k-1 and every withheld count alike (not as "<k"), in
# its charts as in its tables (also in English), and
# it prints to a PDF whose pages are filled (none
# but the last less than halfway down: pdftotext) and break where a
# reader expects (no heading, figure title or table caption at a page's
# foot parted from what follows it, no table of a few rows cut, "Where
# the numbers come from" on one page); an infinite upper limit (the
# unit test's page) reads as a number, its whisker past the scale to an
# arrow. The pages,
# PDFs and screenshots (desktop and phone) stay in
# $KUSKA_BIN/report-artifacts for CI to keep.
#
# On the same data, the live estimate and SDG 16.2.2: kuska query
# estimate equals kuska estimate run on the analyst's overlap table
# written as a CSV (national and for a region, with the bootstrap); the
# secretariat's figures are suppressed while its overlap hides a cell,
# and rounded to 10 once it hides none (k lowered on SIGHUP); a synthetic
# population file gives the sdg16_2_2 rates, worked out here by hand, is
# checked by -n and reloaded on SIGHUP all or nothing.
. "$(dirname "$0")/lib.sh"

HERE="$KUSKA_SRC/tests/e2e"
ART="$KUSKA_BIN/report-artifacts"
P=2025H2
K=10

CHROMIUM=$(command -v chromium || command -v chromium-browser)
if [ -z "$CHROMIUM" ] || ! command -v pdfinfo >/dev/null ||
	! command -v pdftotext >/dev/null; then
	not_ok "chromium, pdfinfo and pdftotext are needed (scripts/deps.sh installs them)"
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
# A synthetic population (kuska ships none): the country and Lima, 2025,
# its source line naming INEI, as a real one would (last, so that the
# figures keep their line numbers).
POP=$T/population.csv
cat >"$POP" <<-'CSV'
	year,region,sex,age_group,population
	2025,00,F,0-17,5012345
	2025,00,F,18+,12034567
	2025,00,M,0-17,5198765
	2025,00,M,18+,11876543
	2025,15,F,0-17,1456789
	2025,15,F,18+,4034567
	2025,15,M,0-17,1498765
	2025,15,M,18+,3876543
	# source: INEI, Perú: Estimaciones y Proyecciones de Población (test figures)
CSV
echo "population = $POP" >>"$N/consolidator.conf"
check "kuska-consolidator -n reads the population file" \
	sh -c "'$CONS' -n -c '$N/consolidator.conf' 2>&1 >/dev/null |
		grep -q '; population of 2 years and regions;'"
cp "$POP" "$T/population.good"
sed -i 's/^2025,15,M,0-17,1498765$/2025,15,M,0-17,1.5e6/' "$POP"
"$CONS" -n -c "$N/consolidator.conf" >/dev/null 2>"$T/pop.err"
rc=$?
check "-n refuses a bad population file at its line (exit $rc)" \
	grep -q "^$POP:8: population \"1.5e6\": a whole number" "$T/pop.err"
test "$rc" != 0 || not_ok "-n exit status 0 with a bad population file"
# Every fault in one reading, each at its line: not the first alone.
sed -i 's/^2025,15,M,18+,3876543$/2025,15,X,18+,3876543/' "$POP"
"$CONS" -n -c "$N/consolidator.conf" >/dev/null 2>"$T/pop.err"
check "-n names every fault of a population file, each at its line" \
	sh -c "grep -q '^$POP:8: population \"1.5e6\": a whole number' \
		'$T/pop.err' && grep -q '^$POP:9: sex \"X\": F or M' '$T/pop.err'"
cp "$T/population.good" "$POP"
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
# The browser's own pages (a chrome:// source) are not the page: with no
# network at all, Chromium 156's omnibox says so on the console.
{
	cat "$T/leaky.log"
	echo '[1:1:1205/073331.831576:INFO:CONSOLE:574] "Slow network is detected. See https://www.chromestatus.com/feature/5636954674692096 for more details. Fallback font will be used while loading: chrome://resources/roboto/roboto-regular.woff2", source: chrome://resources/cr_components/composebox/composebox_input.js (574)'
} >"$T/own.log"
grep -v ':CONSOLE' "$T/leaky.log" >"$T/own-only.log"
tail -1 "$T/own.log" >>"$T/own-only.log"
python3 "$HERE/report_check.py" console "$T/own-only.log" >/dev/null
check "control: the browser's own pages' console (chrome://) is not the page's" \
	test $? = 0
python3 "$HERE/report_check.py" console "$T/own.log" >/dev/null
check "control: ... beside the page's, the page's is still caught" test $? = 1

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
		grep -qF 'expression">100 * referrals.taken_up<wbr>[to=<wbr>mimp] / referrals.sent<wbr>[to=<wbr>mimp]<' "$T/$role.dom.html"
	# Its records were all submitted today, a year and more after their
	# dates: every timeliness reads 0, and the page says what that 0
	# counts and why, under the key indicators and under the timeliness
	# (walk56b: a bare 0.0% no reader could explain).
	case $lang in
	es)
		zero_ind='En 0 %: «Registros que llegan al consolidador en 30 días o menos (%)». Un porcentaje de registros llegados en 30 días cuenta los registros del periodo'
		zero_fig='Ningún registro del periodo llegó al consolidador 30 días o menos después de su fecha'
		;;
	*)
		zero_ind='At 0%: “Records reaching the consolidator within 30 days (%)”. A share of records within 30 days counts the period&#39;s records'
		zero_fig='None of the period&#39;s records reached the consolidator 30 days or less after its date'
		;;
	esac
	check "$role: its timeliness indicator reads 0, and a note says why" \
		grep -qF "$zero_ind" "$page"
	check "$role: ... and so does its timeliness figure" \
		grep -qF "$zero_fig" "$page"
	check "$role: no request leaves the file" \
		python3 "$HERE/report_check.py" net "$out.net.json"
	check "$role: nothing on the console" \
		python3 "$HERE/report_check.py" console "$out.log"
	check "$role: every number in the tables equals kuska query" \
		python3 "$HERE/report_check.py" numbers "$T/$role.dom.html" \
		"$KUSKA" "$N/$role.conf"
	# SDG 16.2.2's bar of a group whose victims were withheld read
	# "–" (no data) beside its row's "x".
	check "$role: each chart's bars say what their table's rows say" \
		python3 "$HERE/report_check.py" marks "$T/$role.dom.html" \
		"$([ "$role" = secretariat ] && echo 1 || echo 0)"
	pages=$(pdfinfo "$out.pdf" 2>/dev/null | awk '/^Pages:/ { print $2 }')
	check "$role: the PDF has pages (${pages:-none})" test "${pages:-0}" -ge 2
	# A figure moved whole to the next page left the one before it
	# nearly blank (the trend's cards after the indicators' table).
	check "$role: every page but the last is filled at least halfway" \
		python3 "$HERE/report_check.py" pages "$out.pdf"
	# A section's heading was left at a page's foot, a caption and the
	# head of its table at another's, a table of six rows was cut 4+2.
	check "$role: no heading, title or caption ends a page, no short table is cut" \
		python3 "$HERE/report_check.py" breaks "$out.pdf" "$page"
	check "$role: where the numbers come from is on one page" \
		python3 "$HERE/report_check.py" whole "$out.pdf" "$page"
	check "$role: a screenshot" test -s "$out-desktop.png"
	# At 1280 px (a laptop) every table fits the page: none scrolls
	# sideways, the key indicators' ten columns included.
	python3 "$HERE/report_check.py" probe "$page" "$T/$role.fit.html"
	browse "$T/$role.fit" "file://$T/$role.fit.html" --dump-dom \
		--window-size=1280,900 >"$T/$role.fit.dom"
	check "$role: at 1280 px no table scrolls sideways" \
		python3 "$HERE/report_check.py" fit "$T/$role.fit.dom"
done
browse "$T/phone" "file://$ART/report-secretariat.html" \
	--screenshot="$ART/report-secretariat-phone.png" --window-size=412,1800 \
	>/dev/null
check "secretariat: a screenshot on a phone" \
	test -s "$ART/report-secretariat-phone.png"

# An infinite upper limit (none in this network's data: the page
# test_report's test_estimate_infinite writes): its "∞" reads as the
# numbers of its row, not as muted words, and its whisker goes on past
# the scale's last tick to an arrow.
mkdir -p "$T/unit"
KUSKA_REPORT_OUT=$T/unit "$KUSKA_BIN/test_report" >"$T/unit.log" 2>&1
check "the unit test writes the page of an infinite upper limit" \
	test -s "$T/unit/infinite-en.html"
python3 "$HERE/report_check.py" infinite "$T/unit/infinite-en.html" \
	"$T/infinite.html"
browse "$T/infinite" "file://$T/infinite.html" --dump-dom \
	--window-size=1280,900 >"$T/infinite.dom"
check "an infinite upper limit reads as a number; its whisker goes on past the scale" \
	python3 "$HERE/report_check.py" unbounded "$T/infinite.dom"

# Forty sections in the report's style, of lengths that bring some
# heading near a sheet's foot: each goes over with its section. Without
# the empty box before a section's first child, Chromium left headings
# there (a heading's break-after: avoid could not move the break to
# before its section).
sections() {
	python3 "$HERE/report_check.py" sections \
		"$ART/report-secretariat.html" "$T/$1.html" "${@:2}" &&
		browse "$T/$1" "file://$T/$1.html" --print-to-pdf="$T/$1.pdf" \
			--no-pdf-header-footer >/dev/null &&
		python3 "$HERE/report_check.py" breaks "$T/$1.pdf" "$T/$1.html"
}
check "printed, no section's heading is left at a page's foot" sections headings
sections headings-control 'section::before,footer::before{content:"";display:block}' \
	>"$T/headings-control.out"
check "control: ... as they were without the box before the heading" \
	grep -q '"Section [0-9]*" ends sheet' "$T/headings-control.out"

# "Where the numbers come from" after forty sections of lengths that
# bring it near a sheet's foot, in each report's words: it goes over
# whole. The analyst's English report of the demo's 2025H2 had its
# deliveries on a sheet of their own.
footers() {
	python3 "$HERE/report_check.py" footers "$ART/report-$2.html" \
		"$T/$1.html" "${@:3}" &&
		browse "$T/$1" "file://$T/$1.html" --print-to-pdf="$T/$1.pdf" \
			--no-pdf-header-footer >/dev/null &&
		python3 "$HERE/report_check.py" whole "$T/$1.pdf" "$T/$1.html"
}
for role in analyst secretariat; do
	check "printed, $role: where the numbers come from is never parted" \
		footers "footers-$role" "$role"
done
footers footers-control analyst \
	'footer{break-inside:avoid;page-break-inside:avoid}' \
	>"$T/footers-control.out"
check "control: ... as it was without break-inside: avoid" \
	grep -q '"Where the numbers come from ([0-9]*)" is parted' \
	"$T/footers-control.out"
# A section of a heading and one paragraph before it (one left with a
# note in place of its table): that paragraph's break-after: avoid made
# Chromium part the footer rather than break before it.
footers footers-lone analyst \
	'h2+p:last-child{break-after:auto;page-break-after:auto}' \
	>"$T/footers-lone.out"
check "control: ... and so it was after a section of one paragraph" \
	grep -q '"Where the numbers come from ([0-9]*)" is parted' \
	"$T/footers-lone.out"

# ... in English too, in the secretariat's words.
"$KUSKA" report -c "$N/secretariat.conf" --period $P --lang en \
	-o "$T/secretariat-en.html" 2>/dev/null
check "secretariat, in English: each chart's bars say what their table's rows say" \
	python3 "$HERE/report_check.py" marks "$T/secretariat-en.html" 1
check "secretariat, in English: a group withheld whatever its number reads so in the chart" \
	grep -qF 'class="v hid">Withheld</text>' "$T/secretariat-en.html"
# kuska sim writes cases no complaint names of both kinds (docs/SIM.md):
# the note under the prosecution table gives both causes, and what to
# compare, not only the court's.
unnamed_note_ok() {
	grep -qF 'y también una etapa fiscal cuya denuncia la policía envió con otro número' \
		"$T/secretariat.dom.html" &&
		grep -qF 'los de la fiscalía con los de la policía.' \
			"$T/secretariat.dom.html" &&
		grep -qF 'whose complaint the police sent under another number' \
			"$T/secretariat-en.html"
}
check "secretariat: the note on cases no complaint names gives the police's cause too, in both languages" \
	unnamed_note_ok

# A withheld count may be a larger one hidden to protect a small one
# (about 100 men, say): none reads "<$K", which a reader takes for 1 to
# $((K - 1)); all read the same mark, and the note says it may be any size.
check "secretariat: no count from 1 to $((K - 1)), none shown as <$K, withheld ones alike" \
	python3 "$HERE/report_check.py" small "$T/secretariat.dom.html" "$K"
check "secretariat: the note says a withheld count may be of any size" \
	sh -c "grep -qF '«x»: una cifra reservada por confidencialidad, que puede ser de cualquier tamaño: de 1 a $((K - 1)), o mayor' '$T/secretariat.dom.html' &&
	! grep -qF 'una cifra de 1 a' '$T/secretariat.dom.html'"
trend() { # trend FILE: the semesters and years of the indicators' trend
	grep -o 'data-q="indicators [0-9H]* [0-9]* value"' "$1" |
		awk '{ print $2 }' | sort -u | tr '\n' ' '
}
same_trend() { # none in either page is not the same trend
	local a
	a=$(trend "$ART/report-analyst.html")
	[ -n "$a" ] && [ "$(trend "$ART/report-secretariat.html")" = "$a" ]
}
check "the secretariat's trend spans the analyst's periods ($(trend "$ART/report-analyst.html"))" \
	same_trend
check "secretariat: in Spanish" \
	grep -q '<html lang="es">' "$T/secretariat.dom.html"
check "secretariat: the indicators named in Spanish (name_es)" \
	grep -qF '>Derivaciones al MIMP atendidas (%)<' "$T/secretariat.dom.html"
check "analyst: ... and in English (name_en)" \
	grep -qF '>Referrals to MIMP taken up (%)<' "$T/analyst.dom.html"
# A withheld semester of the trend is not "–" (no data): it says so.
check "secretariat: a withheld semester of the trend says so, and the note why" \
	sh -c "grep -qE 'class=\"sup\" data-q=\"indicators [0-9H]+ [0-9]+ value\" data-v=\"\">Reservado<' '$T/secretariat.dom.html' &&
	grep -qF '«Reservado»: valor reservado por confidencialidad' '$T/secretariat.dom.html'"
# The funnel's table gives attrition as a share (EVENTS.md), its chart as
# a percentage: the line on how to read it names both.
check "analyst: the funnel's text reads attrition as the table gives it" \
	grep -qF 'the chart as a percentage with a minus sign; for example, 0.250 in the table is' \
	"$T/analyst.dom.html"
# A count of a year (frequency = year) is not judged against its year's
# target in a semester's report.
check "analyst: a semester's report reads the yearly counts by year" \
	grep -qF 'badge b-by_year">Read by year<' "$T/analyst.dom.html"
# ... and its trend follows whole years, asked as such, not semesters.
check "analyst: the trend of a count read by year is by whole year" \
	sh -c "grep -qF 'data-q=\"indicators 2024 ' '$T/analyst.dom.html' &&
	grep -qF 'data-q=\"indicators 2025 ' '$T/analyst.dom.html' &&
	grep -qF '<p>Year by year, as its target.</p>' '$T/analyst.dom.html'"
# PJ records no identification (DESIGN.md): its 0 is said not to be a
# gap, in both languages.
check "the identification figure reads PJ's 0 as expected" \
	sh -c "grep -qF 'PJ identifies no victims (it records the court stages of cases): its 0 is not a gap.' '$T/analyst.dom.html' &&
	grep -qF 'El PJ no identifica víctimas (registra las etapas judiciales de los casos): su 0 no es una falta.' '$T/secretariat.dom.html'"
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

check "both reports have the SDG 16.2.2 figure" \
	sh -c "grep -q 'id=\"f-sdg\"' '$T/secretariat.dom.html' &&
		grep -q 'id=\"f-sdg\"' '$T/analyst.dom.html'"
check "... over the population file the consolidator was given, naming the source the file names" \
	sh -c "grep -qF 'from the population file the consolidator was given' '$T/analyst.dom.html' &&
		grep -qF 'The population file says where its figures come from: “INEI, Perú: Estimaciones y Proyecciones de Población (test figures)”.' '$T/analyst.dom.html' &&
		grep -qF 'El archivo de población dice de dónde vienen sus cifras: “INEI, Perú: Estimaciones y Proyecciones de Población (test figures)”.' '$T/secretariat.dom.html'"

# A period still running says so at the top; a closed one does not.
year=$(TZ=Etc/GMT+5 date +%Y)
"$KUSKA" report -c "$N/analyst.conf" --period "$year" --lang en \
	-o "$T/open.html" 2>/dev/null
check "the report of $year says the period is not over" \
	grep -qF "The period is not over: the figures run to today, $(TZ=Etc/GMT+5 date +%F)," \
	"$T/open.html"
check "the report of $year leaves $year, not over, out of the yearly trend" \
	grep -qF "<p>Year by year, as its target. $year, not over yet, is not shown.</p>" \
	"$T/open.html"
check "the report of $year reads its counts when the year ends, not judged" \
	grep -qF 'badge b-period_open">Read when the period ends<' "$T/open.html"
# So does kuska query of $year, on standard error (the table on standard
# output as asked); CSV and JSON too.
for fmt in text csv json; do
	"$KUSKA" query -c "$N/analyst.conf" identification --period "$year" \
		--format $fmt >"$T/open.$fmt" 2>"$T/open-$fmt.err"
	check "kuska query of $year ($fmt): a note that the period is not over" \
		grep -qxF "kuska query: note: $year is not over: the figures run to today, $(TZ=Etc/GMT+5 date +%F), and will change as records arrive" \
		"$T/open-$fmt.err"
	check "... not in the table" sh -c "test -s '$T/open.$fmt' &&
		! grep -q 'not over' '$T/open.$fmt'"
done
# Its indicators: the consolidator judges a count of the year so far
# against the year's target (0 victims identified read "deteriorating"),
# which the report reads when the year ends; kuska query says so.
"$KUSKA" query -c "$N/analyst.conf" indicators --period "$year" \
	--format csv >"$T/open-ind.csv" 2>"$T/open-ind.err"
check "kuska query indicators of $year: a note names its counts, read low" \
	grep -qE "^kuska query: note: (.*, )?identification-victims(, .*)? count only what happened so far in $year, which is not over: their progress towards the target, and the status, read low until it ends" \
	"$T/open-ind.err"
check "... the table as the consolidator gives it" \
	grep -q "^\"$year\",\"identification-victims\",.*,count," "$T/open-ind.csv"
"$KUSKA" query -c "$N/analyst.conf" indicators --period 2025 \
	>/dev/null 2>"$T/closed-ind.err"
check "... and none of 2025, over" \
	sh -c "! grep -q 'count only what happened so far' '$T/closed-ind.err'"
# A semester's count judged against a year's target (about half of it),
# which the report reads by year: kuska query names it too.
"$KUSKA" query -c "$N/analyst.conf" indicators --period "$P" \
	--format csv >"$T/sem-ind.csv" 2>"$T/sem-ind.err"
if grep -qE "^\"$P\",\"identification-victims\",.*,count,[0-9.]+,[0-9.]+,[0-9.]+,\"[0-9]{4}\",-?[0-9.]+,(on_track|acceleration_needed|limited|deteriorating)$" \
	"$T/sem-ind.csv"; then
	check "kuska query indicators of $P: a note sends its counts to the year" \
		grep -qE "^kuska query: note: (.*, )?identification-victims(, .*)? counts? a semester, about half a year, against a year's target: .* by year \(kuska query indicators --period ${P:0:4};" \
		"$T/sem-ind.err"
else
	not_ok "identification-victims of $P is a count judged against a year ($(grep identification-victims "$T/sem-ind.csv"))"
fi
check "... and 2025, a year, has no such note" \
	sh -c "! grep -q 'count a semester' '$T/closed-ind.err'"
check "... that of $P does not" \
	sh -c "! grep -q 'period is not over' '$ART/report-analyst.html'"
check "... nor, over for more than 30 days, that its figures may still change" \
	sh -c "! grep -q 'id=\"recent\"' '$ART/report-analyst.html'"
# A period over for 30 days or less says so under its title: the report
# of $P made, by the client's clock (libfaketime), on 10 January 2026.
if [ "$FAKE" = yes ]; then
	LD_PRELOAD=$FT FAKETIME="@2026-01-10 12:00:00" \
		FAKETIME_DONT_FAKE_MONOTONIC=1 "$KUSKA" report \
		-c "$N/analyst.conf" --period $P --lang en \
		-o "$T/recent.html" 2>"$T/recent.err"
	check "the report of $P made on 2026-01-10 says its figures may still change, and when to make it again" \
		grep -qF '<p class="warn" id="recent">The period ended on 2025-12-31, 30 days ago or less: records of its last days are still arriving, and all its figures (victims, referrals, stages, the estimate) may change; this report&#39;s are those received by today, 2026-01-10. Publish the report made from 2026-01-31 on, not this one:' \
		"$T/recent.html"
	# So does kuska query of $P on that day, on standard error as its
	# other notes: standard output is the table alone, the CSV and the
	# JSON as a query's of today, which says nothing of it.
	note="kuska query: note: $P ended on 2025-12-31, 30 days ago or less: records of its last days are still arriving, and all its figures (victims, referrals, stages, the estimate) may change; this answer's are those received by today, 2026-01-10. Publish the figures asked for from 2026-01-31 on, not these: two sets of figures of a period published from different data let a reader work out withheld figures from their differences"
	printf '%s\n' "$note" >"$T/recent.want"
	for fmt in text csv json; do
		LD_PRELOAD=$FT FAKETIME="@2026-01-10 12:00:00" \
			FAKETIME_DONT_FAKE_MONOTONIC=1 "$KUSKA" query \
			-c "$N/analyst.conf" identification --period $P \
			--format $fmt >"$T/recent.$fmt" 2>"$T/recent-$fmt.err"
		"$KUSKA" query -c "$N/analyst.conf" identification \
			--period $P --format $fmt >"$T/today.$fmt" \
			2>"$T/today-$fmt.err"
		check "kuska query of $P made on 2026-01-10 ($fmt): the same note, alone on standard error" \
			cmp -s "$T/recent.want" "$T/recent-$fmt.err"
		check "... its table as today's, which has no note" \
			sh -c "cmp -s '$T/recent.$fmt' '$T/today.$fmt' &&
				test -s '$T/today.$fmt' && ! test -s '$T/today-$fmt.err'"
	done
else
	echo "# the report and query of a period just over not checked, $FAKE"
fi

# ---- the live estimate against kuska estimate --------------------------

# q ROLE TABLE PERIOD [OPTION...]: the CSV answer.
q() {
	local role=$1 table=$2 period=$3
	shift 3
	"$KUSKA" query -c "$N/$role.conf" "$table" --period "$period" \
		--format csv "$@"
}
# The estimate's rate comes with its interval: the bootstrap limits of
# the estimate table, plus the unlinkable victims the rate's row adds to
# the estimate (its victims less the stepwise row's observed), over the
# population of the rate's row, by hand.
rate_ci=$(
	q analyst estimate $P --boot 1000 --seed 1 |
		awk -F, '$4 == "bootstrap" { print $7, $8 }'
	q analyst sdg16_2_2 $P | awk -F, '$2 == "\"all\"" && $3 == "\"all\"" { print $4 }'
	q analyst estimate $P | awk -F, '$4 == "stepwise" { print $3 }'
	q analyst sdg16_2_2 $P | awk -F, '$2 == "\"all\"" && $3 == "\"all\"" { print $5 }'
)
# The population in groups of three, as the page writes 100,000.
rate_ci=$(echo $rate_ci | awk 'function group(n, s, r) {
		s = sprintf("%d", n)
		if (length(s) < 5)
			return s
		for (r = ""; length(s) > 3; s = substr(s, 1, length(s) - 3))
			r = "," substr(s, length(s) - 2) r
		return s r
	}
	$2 != "" && $3 > 0 {
	u = $5 - $4
	plus = u > 0 ? sprintf(" plus the unlinkable victims (%s),", group(u)) : ""
	printf "95%% BCa interval of %.2f to %.2f, the one to publish with it: the estimate&#39;s bootstrap interval (%d to %d victims; 1000 resamples, seed 1)%s divided by the same population, %s people",
		($1 + u) * 100000 / $3, ($2 + u) * 100000 / $3, $1, $2, plus, group($3) }')
check "analyst: the estimate per 100,000 with its bootstrap interval (${rate_ci:0:40}...)" \
	sh -c "test -n '$rate_ci' && grep -qF '$rate_ci' '$ART/report-analyst.html'"

# same PERIOD [--region RR]: live rows equal kuska estimate's on the
# analyst's overlap table written as a CSV.
same() {
	local p=$1 tag=${1}${2:+-$3} u
	shift
	q analyst overlap "$p" "$@" >"$T/ov-$tag.csv"
	u=$(python3 "$HERE/estimate_check.py" histories "$T/ov-$tag.csv" \
		"$T/hist-$tag.csv")
	"$KUSKA" estimate "$T/hist-$tag.csv" --boot 1000 --seed 7 \
		--format csv >"$T/off-$tag.csv"
	q analyst estimate "$p" "$@" --boot 1000 --seed 7 >"$T/live-$tag.csv"
	check "estimate $p $*: kuska query equals kuska estimate ($u unlinkable left out)" \
		python3 "$HERE/estimate_check.py" same "$T/live-$tag.csv" \
		"$T/off-$tag.csv" "$u"
}
same $P
same 2025 --region 15
check "the live table has main, stepwise and bootstrap rows" \
	test "$(cut -d, -f4 "$T/live-$P.csv" | tr '\n' ' ')" = \
	"method main stepwise bootstrap "

# The secretariat: with four lists a triple or quadruple overlap is
# below k, so its estimate is suppressed; with k lowered to 2 (SIGHUP)
# every cell of the period's overlap is shown, and so is the estimate,
# rounded to 10. (Not with k = 3: counts of 1 and 2 elsewhere in the
# year's victims tables make the audit hide some of this overlap's
# smallest rows as well; with k = 2 it hides the 1s and nothing else,
# docs/DISCLOSURE.md.)
secretariat() { # secretariat WANT K
	q secretariat overlap $P >"$T/sec-ov.csv"
	q secretariat estimate $P --boot 1000 --seed 7 >"$T/sec-est.csv"
	python3 "$HERE/estimate_check.py" secretariat "$T/sec-est.csv" \
		"$T/off-$P.csv" "$T/sec-ov.csv" >"$T/sec.out"
	check "secretariat, k = $2: the estimate is $1 ($(tr '\n' ' ' <"$T/sec.out"))" \
		test "$(head -1 "$T/sec.out")" = "$1"
}
secretariat suppressed 10

# ---- SDG 16.2.2 by hand --------------------------------------------------

sdg() { # sdg PERIOD REGION
	local p=$1 r=$2 opt=()
	[ "$r" = 00 ] || opt=(--region "$r")
	q analyst sdg16_2_2 "$p" "${opt[@]}" >"$T/sdg.csv"
	q analyst identification "$p" "${opt[@]}" >"$T/sdg-id.csv"
	q analyst breakdown "$p" "${opt[@]}" >"$T/sdg-bd.csv"
	q analyst estimate "$p" "${opt[@]}" >"$T/sdg-est.csv"
	check "sdg16_2_2 $p region $r: every figure by hand" \
		python3 "$HERE/estimate_check.py" sdg "$T/sdg.csv" \
		"$T/sdg-id.csv" "$T/sdg-bd.csv" "$T/sdg-est.csv" "$POP" "$r"
}
sdg $P 00
sdg 2025 15
check "sdg16_2_2 without figures for the year is refused, saying so" \
	sh -c "'$KUSKA' query -c '$N/analyst.conf' sdg16_2_2 --period 2024 \
		2>&1 | grep -q 'no figures for 2024 for the country'"

# SIGHUP: a bad population file is refused at its line and the figures
# in force stay; a good one takes effect.
pop_total() {
	q analyst sdg16_2_2 2025 | awk -F, '$2 == "\"all\"" && $3 == "\"all\"" { print $4 }'
}
before=$(pop_total)
printf '2025,16,F,0-17,7\n' >>"$POP"
: >"$N/consolidator.log"
kill -HUP "${PIDS[cons]}"
wait_log "$N/consolidator.log" 'population file refused'
check "SIGHUP with a bad population file is refused, naming its line" \
	grep -qF "event=population_error text=\"$POP:11: 2025, region 16: no figure for F 18+" \
		"$N/consolidator.log"
# Two faults: an event for each, in the log as on -n.
printf '2025,16,X,0-17,7\n2025,16,F,18+,0\n' >>"$POP"
: >"$N/consolidator.log"
kill -HUP "${PIDS[cons]}"
wait_log "$N/consolidator.log" 'population file refused'
check "SIGHUP logs every fault of a population file, an event each" \
	sh -c "grep -qF 'event=population_error text=\"$POP:12: sex \\\"X\\\": F or M\"' \
		'$N/consolidator.log' &&
		grep -qF 'event=population_error text=\"$POP:13: population \\\"0\\\"' \
		'$N/consolidator.log'"
check "the figures in force stay ($before)" test "$(pop_total)" = "$before"
sed 's/^2025,00,F,0-17,5012345$/2025,00,F,0-17,5012355/' \
	"$T/population.good" >"$POP"
kill -HUP "${PIDS[cons]}"
for _ in $(seq 50); do
	[ "$(pop_total)" = $((before + 10)) ] && break
	sleep 0.1
done
check "a good population file takes effect on SIGHUP" \
	test "$(pop_total)" = $((before + 10))

# k lowered to 2: every cell of the secretariat's overlap is shown.
sed -i 's/^k = .*/k = 2/' "$N/consolidator.conf"
grep -q '^k = 2$' "$N/consolidator.conf" || echo "k = 2" >>"$N/consolidator.conf"
kill -HUP "${PIDS[cons]}"
for _ in $(seq 50); do
	[ "$(q secretariat overlap $P | grep -c '<')" = 0 ] && break
	sleep 0.1
done
secretariat shown 2

echo "# report artifacts in $ART"
finish
