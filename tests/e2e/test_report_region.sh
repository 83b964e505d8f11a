#!/usr/bin/env bash
# End to end: kuska report --region RR, a region's report, on `kuska sim`
# data (its pages read as HTML: the browser, the print and the layout
# are test_report's, the same page writer's). The analyst's report of
# region 16 (Loreto) for 2025H2 and the secretariat's for 2025: every
# number in their tables equals `kuska query TABLE --period P --region 16`
# for the same key (each cell names its query, the region included),
# every source line carries --region 16, the title names the region;
# the secretariat's indicators' trend goes year by year (its region's
# semesters are refused it), each year's cells that year's query;
# the secretariat's leaves out what it is not given by region (the
# overlap, breakdown, funnel, timeliness, estimate) with one sentence
# each saying where they are, never as a refusal, and shows no count
# from 1 to k-1; its semester's regional report is refused up front,
# no file written; a bad region is refused as kuska query refuses it;
# the national report names no region anywhere.
. "$(dirname "$0")/lib.sh"

HERE="$KUSKA_SRC/tests/e2e"
R=16
K=10

net_init
echo "indicators = $KUSKA_SRC/config/indicators.conf" >>"$N/consolidator.conf"
# A synthetic population (kuska ships none), for SDG 16.2.2's rates: the
# country and Loreto, 2025.
cat >"$T/population.csv" <<-'CSV'
	year,region,sex,age_group,population
	2025,00,F,0-17,5012345
	2025,00,F,18+,12034567
	2025,00,M,0-17,5198765
	2025,00,M,18+,11876543
	2025,16,F,0-17,245678
	2025,16,F,18+,312345
	2025,16,M,0-17,251234
	2025,16,M,18+,321098
CSV
echo "population = $T/population.csv" >>"$N/consolidator.conf"
start_all
"$KUSKA" sim --out "$T/sim" --victims 1000 --seed 13 >/dev/null
check "the institutions submit kuska sim's records" submit_all "$T/sim"
check "all of them reach the consolidator" wait_delivered 120

# sources PAGE: the query of every source line ("Fuente: <code>kuska
# query ...</code>"), one a line.
sources() {
	grep -o '<code>kuska query [^<]*</code>' "$1" | sed 's/<[^>]*>//g'
}

# --- the analyst: every table, exact ----------------------------------------
page=$T/analyst-$R.html
"$KUSKA" report -c "$N/analyst.conf" --period 2025H2 --region $R --lang en \
	-o "$page" 2>"$T/analyst.err"
rc=$?
check "analyst: kuska report --region $R writes the page (exit $rc)" \
	test "$rc" = 0 -a -s "$page"
check "analyst: every number equals kuska query --region $R" \
	python3 "$HERE/report_check.py" numbers "$page" "$KUSKA" \
	"$N/analyst.conf" $R
check "analyst: the title names the region" \
	grep -qF '<h1>Trafficking in children and adolescents: monitoring report, second half of 2025, region 16 Loreto</h1>' "$page"
check "analyst: the page's title (its saved file's name) names it too" \
	grep -qF '<title>kuska report 2025H2, 16 Loreto' "$page"
sources "$page" >"$T/analyst.src"
check "analyst: source lines ($(wc -l <"$T/analyst.src"))" \
	test "$(wc -l <"$T/analyst.src")" -ge 8
check "analyst: every source line carries --region $R" \
	test -z "$(grep -v -- "--period [^ ]* --region $R\$" "$T/analyst.src")"
for t in overlap funnel timeliness estimate sdg16_2_2; do
	check "analyst: the $t table by region is in it" \
		grep -q "data-q=\"$t 2025H2 [0-9]* [a-z_0-9]* $R\"" "$page"
done
check "analyst: how many were children, from the region's breakdown" \
	grep -q '<p class="children" data-children="2025H2" data-v="[0-9]' "$page"
check "analyst: an institution with no record in the region is not said to be missing data alone" \
	grep -qE '<p id="silent">(No record dated in the period in region 16 Loreto, so their figures for the region are zero or missing data|All five institutions have records dated in the period in region 16 Loreto)' "$page"
check "analyst: nothing left out as refused" \
	test -z "$(grep -E 'did not give the table|does not get the' "$page")"

# --- the secretariat ------------------------------------------------------
# A semester's regional report: its regional tables are given by year
# only (docs/DISCLOSURE.md), so it is refused before anything else is
# asked, saying what to ask instead; nothing is written.
page=$T/secretariat-$R-H2.html
"$KUSKA" report -c "$N/secretariat.conf" --period 2025H2 --region $R \
	-o "$page" 2>"$T/secretariat-h2.err"
rc=$?
check "secretariat: a semester's regional report is refused (exit $rc)" \
	test "$rc" = 2 -a ! -e "$page"
check "... saying to ask for the year, or the country" \
	grep -qF "kuska report: the secretariat gets regional reports by year only: ask for --period 2025 with --region 16, or for 2025H2 without --region" \
	"$T/secretariat-h2.err"
"$KUSKA" report -c "$N/secretariat.conf" --period 2025Q3 --region $R \
	-o "$page" 2>"$T/secretariat-q3.err"
rc=$?
check "secretariat: so is a quarter's (exit $rc)" \
	sh -c "test '$rc' = 2 -a ! -e '$page' && grep -qF 'ask for --period 2025 with --region 16, or for 2025Q3 without --region' '$T/secretariat-q3.err'"

page=$T/secretariat-$R.html
"$KUSKA" report -c "$N/secretariat.conf" --period 2025 --region $R \
	-o "$page" 2>"$T/secretariat.err"
rc=$?
check "secretariat: the year's report of region $R is written (exit $rc)" \
	test "$rc" = 0 -a -s "$page"
check "secretariat: every number equals kuska query --region $R" \
	python3 "$HERE/report_check.py" numbers "$page" "$KUSKA" \
	"$N/secretariat.conf" $R
check "secretariat: no count from 1 to $((K - 1)), each withheld alike" \
	python3 "$HERE/report_check.py" small "$page" $K
check "secretariat: the title names the region" \
	grep -qF 'informe de seguimiento, año 2025, región 16 Loreto</h1>' "$page"
sources "$page" >"$T/secretariat.src"
check "secretariat: every source line carries --region $R" \
	test -s "$T/secretariat.src" -a \
	-z "$(grep -v -- "--period [^ ]* --region $R\$" "$T/secretariat.src")"
# What it is not given by region: one sentence each, no table, no
# refusal.
for t in overlap breakdown timeliness estimate; do
	check "secretariat: the $t table is left out, saying where it is" \
		sh -c "! grep -q 'data-q=\"$t ' '$page' &&
			grep -qF 'La secretaría no recibe la tabla «$t» por región: está en el informe del país (kuska report --period 2025, sin --region).' '$page'"
done
check "secretariat: the funnel is left out, saying where it is" \
	sh -c "! grep -q 'data-q=\"funnel ' '$page' &&
		grep -qF 'La secretaría no recibe el embudo («funnel») por región' '$page'"
check "secretariat: nothing shown as a refusal" \
	test -z "$(grep -F 'El consolidador no entregó' "$page")"
for t in identification referrals protection prosecution durations indicators sdg16_2_2; do
	check "secretariat: the $t table of region $R is in it" \
		grep -q "data-q=\"$t 2025 [0-9]* [a-z_0-9]* $R\"" "$page"
done

# Its indicators' trend: the consolidator refuses the role a region's
# semesters, so it goes year by year, saying so once: each whole year
# from the indicators' baselines' (2024, config/indicators.conf) to
# 2025, each cell the secretariat's kuska query indicators --period Y
# --region 16 of its column's year (kuska sim's 54 and 62 victims
# identified in Loreto), no count from 1 to k-1.
check "secretariat: the region's trend goes year by year, saying why" \
	grep -qF '<p class="notice" id="trend-years">La evolución de la región va año por año: el consolidador no da a este rol sus indicadores semestre a semestre; la evolución por semestre del país está en su informe (kuska report --period 2025, sin --region).</p>' \
	"$page"
check "secretariat: its years, 2024 and 2025, equal kuska query --region $R" \
	python3 "$HERE/report_check.py" years "$page" "$KUSKA" \
	"$N/secretariat.conf" $R $K
check "secretariat: its cards are drawn year by year" \
	sh -c "grep -qF '<figcaption><span class=\"num\">Figura 2.</span> Evolución anual de los indicadores clave</figcaption>' '$page' &&
		grep -qF '<p>Año por año, como su meta.</p>' '$page'"
check "secretariat: its source asks each year with the region" \
	grep -qF '<p class="src">Fuente: <code>kuska query indicators --period Y --region 16</code> para cada año Y de 2024 a 2025.' \
	"$page"
check "secretariat: no semester of the region shown in it" \
	test -z "$(grep -E 'data-q="indicators [0-9]{4}H|--period S' "$page")"
# The check must be able to fail: the figures of 2024 and 2025 swapped in
# each row of numbers, each cell keeping its class and data-q (a trend
# that put one year's answer under another); and a withheld value shown
# as no value.
python3 - "$page" "$T/wrong-year.html" <<'EOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
cell = r'(<td class="n" data-q="indicators %s [0-9]+ value 16")([^>]*>[^<]*</td>)'
text = re.sub(cell % 2024 + cell % 2025,
              lambda m: m.group(1) + m.group(4) + m.group(3) + m.group(2),
              text)
open(sys.argv[2], "w", encoding="utf-8").write(text)
EOF
check "control: the swapped page differs" \
	test -n "$(cmp "$page" "$T/wrong-year.html")"
python3 "$HERE/report_check.py" years "$T/wrong-year.html" "$KUSKA" \
	"$N/secretariat.conf" $R $K >"$T/wrong-year.out"
rc=$?
check "control: a year's figures under another year are caught (exit $rc)" \
	sh -c "test $rc = 1 && grep -q \"the page shows '54', kuska query '62'\" '$T/wrong-year.out'"
sed -E 's/(<td class=")sup(" data-q="indicators [0-9]{4} [0-9]+ value 16")/\1na\2/' \
	"$page" >"$T/withheld.html"
python3 "$HERE/report_check.py" years "$T/withheld.html" "$KUSKA" \
	"$N/secretariat.conf" $R $K >/dev/null
rc=$?
check "control: a withheld value shown as no value is caught (exit $rc)" \
	sh -c "test $rc = 1 && ! cmp -s '$page' '$T/withheld.html'"
en=$T/secretariat-$R-en.html
"$KUSKA" report -c "$N/secretariat.conf" --period 2025 --region $R \
	--lang en -o "$en" 2>/dev/null
check "secretariat, in English: the same trend, saying why" \
	sh -c "grep -qF '<p class=\"notice\" id=\"trend-years\">The region&#39;s trend goes year by year: the consolidator does not give this role its indicators semester by semester' '$en' &&
		python3 '$HERE/report_check.py' years '$en' '$KUSKA' '$N/secretariat.conf' $R $K"

# A bad region: refused as kuska query refuses it, before anything.
for bad in 26 00 6 016 norte; do
	"$KUSKA" report -c "$N/analyst.conf" --period 2025 --region "$bad" \
		-o "$T/bad.html" 2>"$T/bad.err"
	rc=$?
	check "--region $bad refused (exit $rc), as kuska query refuses it" \
		sh -c "test '$rc' = 2 -a ! -e '$T/bad.html' &&
			grep -qxF 'kuska report: bad region \"$bad\": an INEI code 01 to 25' '$T/bad.err'"
	"$KUSKA" query -c "$N/analyst.conf" identification --period 2025 \
		--region "$bad" >/dev/null 2>"$T/bad-query.err"
	check "... kuska query's words" \
		grep -qxF "kuska query: bad region \"$bad\": an INEI code 01 to 25" \
		"$T/bad-query.err"
done

# --- the country: no region anywhere ------------------------------------
page=$T/secretariat-national.html
"$KUSKA" report -c "$N/secretariat.conf" --period 2025 -o "$page" \
	2>"$T/national.err"
rc=$?
check "secretariat: the national report is written (exit $rc)" \
	test "$rc" = 0 -a -s "$page"
check "national: every number equals kuska query, no cell of a region" \
	python3 "$HERE/report_check.py" numbers "$page" "$KUSKA" \
	"$N/secretariat.conf"
check "national: no --region, no region's note or title" \
	test -z "$(grep -E -- '--region|id="region"|, región [0-9]' "$page")"
# The checker must be able to fail: the national page read as a
# region's.
python3 "$HERE/report_check.py" numbers "$page" "$KUSKA" \
	"$N/secretariat.conf" $R >/dev/null
check "control: a page not of the region is caught" test $? = 1

finish
