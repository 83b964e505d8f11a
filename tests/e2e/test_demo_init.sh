#!/usr/bin/env bash
# kuska demo init on its own, as kuska(1)'s example and an installed kuska
# use it (no source tree, no scripts/demo.sh): its directory holds the
# example indicators kuska ships, its consolidator.conf names them by a
# path inside the directory, the consolidator loads them all, and the
# secretariat's first report opens with the key indicators. Before, demo
# init named no indicators: the report said "no indicators configured"
# and had no key indicators at all (scripts/demo.sh added them from the
# source tree).
. "$(dirname "$0")/lib.sh"

SHIPPED=$KUSKA_SRC/config/indicators.conf
n_all=$(grep -c '^\[indicator ' "$SHIPPED")
n_key=$(grep -c '^key = yes$' "$SHIPPED")
PORT=$(pick_port)
N=$T/demo
"$KUSKA" demo init "$N" --port "$PORT" >"$T/init.out" 2>&1
rc=$?
check "demo init: exit 0 ($rc)" test $rc = 0
check "it writes indicators.conf, ending with the shipped file as it is" \
	sh -c "tail -c $(wc -c <"$SHIPPED") '$N/indicators.conf' | cmp -s - '$SHIPPED'"
check "... under a header saying whose it is and that its targets are examples" \
	sh -c "head -1 '$N/indicators.conf' | grep -q 'written by kuska demo init' &&
		grep -q 'examples' '$N/indicators.conf'"
check "its consolidator.conf names it, by a path in the demo's directory" \
	grep -qx 'indicators = indicators.conf' "$N/consolidator.conf"
check "no config of the demo names a file outside its directory" \
	sh -c "! grep -l '= /' '$N'/*.conf"

"$CONS" -n -c "$N/consolidator.conf" >/dev/null 2>"$T/n.err"
rc=$?
check "kuska-consolidator -n accepts it: exit 0 ($rc), $n_all indicators" \
	sh -c "test $rc = 0 && grep -q '; $n_all indicators)\$' '$T/n.err'"
check "... with no warning" sh -c "! grep -q warning '$T/n.err'"

start_cons
"$KUSKA" query -c "$N/analyst.conf" indicator_definitions --period 2025 \
	--format csv >"$T/defs.csv" 2>"$T/defs.err"
rc=$?
check "kuska query indicator_definitions: exit 0 ($rc), all $n_all defined ($(($(wc -l <"$T/defs.csv") - 1)))" \
	sh -c "test $rc = 0 && test \$((\$(wc -l <'$T/defs.csv') - 1)) = $n_all"
check "... and no note that none is configured" \
	sh -c "! grep -q 'no indicators configured' '$T/defs.err'"

page=$T/informe.html
"$KUSKA" report -c "$N/secretariat.conf" --period 2025H2 -o "$page" \
	2>"$T/report.err"
rc=$?
check "the secretariat's report: exit 0 ($rc)" test $rc = 0 -a -s "$page"
check "... opens with the key indicators, not 'no indicators configured'" \
	sh -c "grep -q '<figure id=\"f-key\"' '$page' &&
		! grep -q 'no tiene indicadores configurados' '$page'"
# The report's key indicators: each row's id, in the key table (f-key)
# before the others' (f-other).
sed -n '/<figure id="f-key"/,/<\/figure>/p' "$page" |
	sed -n 's/.*data-q="indicators 2025H2 [0-9]* indicator">\([a-z0-9-]*\)<.*/\1/p' \
		>"$T/key"
echo "# the report's key indicators: $(tr '\n' ' ' <"$T/key")"
check "... all $n_key of them ($(wc -l <"$T/key"))" \
	test "$(wc -l <"$T/key")" = "$n_key"
check "... the referrals' take-up among them" \
	grep -qx protection-referral-takeup "$T/key"
stop_cons TERM
finish
