#!/usr/bin/env bash
# A police statistics officer loads a month whose case system filled the
# DNI it did not have with 99999999 (docs/INPUT.md section 4): three
# children so written, two with different names and one with none, count
# as three identified victims, not one; each line is accepted with a
# warning that names its line and the field, never the number, in a dry
# run, in the real one and in --report; sent again, "already held" warns
# of nothing. A correction writing one child's real DNI links her by it:
# another record with that DNI and no name is the same victim. The number
# reaches no log and no store.
. "$(dirname "$0")/lib.sh"

net_init
start_cons
start_node pnp

# Other children, so that the table's counts are not too small to show.
"$KUSKA" sim --out "$T/sim" --victims 60 --seed 7 >/dev/null
submit_sim pnp
check "the simulated month accepted" submitted_ok pnp

# pnp's victims identified in 2025, from the secretariat's table.
total() {
	"$KUSKA" query -c "$N/secretariat.conf" identification --period 2025 \
		--format csv 2>"$T/query.err" |
		awk -F, '$2 == "pnp" { print $3 }'
}
check "... delivered" wait_delivered 60
before=$(total)
check "the table counts pnp's victims ($before)" test "${before:-0}" -gt 0

ident() { # REF VICTIM
	printf '{"kind":"identification","ref":"%s","date":"2025-06-10","region":"15","victim":%s,"exploitation":["sexual"]}\n' \
		"$1" "$2"
}
ANA='"given_names":"Ana Lucia","surnames":"Quispe Mamani","birth_date":"2012-01-02","sex":"F","nationality":"PE"'
ROSA='"given_names":"Rosa","surnames":"Huaman Condori","birth_date":"2011-07-09","sex":"F","nationality":"PE"'
{
	ident PNP-PH-1 "{\"document\":{\"type\":\"DNI\",\"number\":\"99999999\"},$ANA}"
	ident PNP-PH-2 "{\"document\":{\"type\":\"DNI\",\"number\":\"9999-9999\"},$ROSA}"
	ident PNP-PH-3 '{"document":{"type":"DNI","number":"99999999"},"age":15,"sex":"M","nationality":"PE"}'
} >"$T/junio.jsonl"

warning='is a placeholder (one character repeated or a run of digits like 12345678): not used to link this victim; leave the document out when it is not known'
submit_in_t pnp junio.jsonl -n
check "a dry run warns of each line, naming the field" \
	sh -c "grep -qxF 'junio.jsonl:1: warning: victim.document.number: $warning' '$T/submit-pnp.out' &&
		grep -qxF 'junio.jsonl:2: warning: victim.document.number: $warning' '$T/submit-pnp.out' &&
		grep -qxF 'junio.jsonl:3: warning: victim.document.number: $warning' '$T/submit-pnp.out'"
check "... and counts them" \
	grep -qxF 'junio.jsonl: 3 lines with a victim'"'"'s document number that is a placeholder (not used to link: leave the document out when it is not known)' \
	"$T/submit-pnp.out"

submit_in_t pnp junio.jsonl --report junio.csv
check "accepted, the third child warned of as unlinkable too" \
	grep -qxF 'junio.jsonl: 3 accepted, 0 already held, 0 refused, 1 with unlinkable victims' \
	"$T/submit-pnp.out"
is "... a warning of the placeholder for each line" \
	"$(grep -c ': warning: victim.document.number: is a placeholder' "$T/submit-pnp.out")" 3
check "... --report has its row, the field's path, the line's ref" \
	grep -qxF "junio.jsonl,1,victim.document.number,warning: $warning,\"PNP-PH-1\"" \
	"$T/junio.csv"
check "... the number is in no output" \
	sh -c "! grep -q '9999' '$T/submit-pnp.out' '$T/junio.csv'"
check "... delivered" wait_delivered 60
is "three children with DNI 99999999 are three victims" "$(total)" $((before + 3))

submit_in_t pnp junio.jsonl
check "sent again: already held, nothing warned of" \
	sh -c "! grep -q 'warning' '$T/submit-pnp.out' &&
		grep -qxF 'junio.jsonl: 0 accepted, 3 already held, 0 refused, 0 with unlinkable victims' '$T/submit-pnp.out'"

# Ana's real DNI, by a correction; then a record with it and no name.
{
	printf '{"kind":"correction","ref":"PNP-PH-4","target_ref":"PNP-PH-1","record":{"kind":"identification","date":"2025-06-18","region":"15","victim":{"document":{"type":"DNI","number":"40721856"},%s},"exploitation":["sexual"]}}\n' "$ANA"
	ident PNP-PH-5 '{"document":{"type":"DNI","number":"40721856"},"age":13,"sex":"F","nationality":"PE"}'
} >"$T/julio.jsonl"
submit_in_t pnp julio.jsonl
check "the correction and the record with her DNI accepted, no warning" \
	sh -c "! grep -q 'warning' '$T/submit-pnp.out' &&
		grep -qxF 'julio.jsonl: 2 accepted, 0 already held, 0 refused, 0 with unlinkable victims' '$T/submit-pnp.out'"
check "... delivered" wait_delivered 60
is "... the DNI links them: still three victims more" "$(total)" $((before + 3))

stop_node pnp TERM
stop_cons TERM
stop_keyholder TERM
check "no log and no store holds the number" \
	sh -c "! grep -rqa '99999999' '$N'"

finish
