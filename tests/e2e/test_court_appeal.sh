#!/usr/bin/env bash
# kuska submit as the judiciary's statistics officer (pj) loads a month
# whose export holds a case's appeal and annulment as stages of their
# own ("Apelación", "NULIDAD"): each is refused saying that it is no
# stage and to leave the line out, where the refusal listed the four
# stages pj may emit, none of them an appeal. What the appeals decided
# is sent as the stage it is: an acquittal on appeal of a conviction
# counts besides it, a conviction confirmed counts once (warned of as
# already held), as docs/INPUT.md section 6 ("An appeal, an annulment")
# says.
. "$(dirname "$0")/lib.sh"

net_init
start_cons
start_node mp
start_node pj

V='[{"document":{"type":"DNI","number":"45678912"},"birth_date":"2011-03-05","sex":"F","nationality":"PE"}]'
case_stage() { # REF DATE CASE STAGE [VICTIMS]
	printf '{"kind":"case_stage","ref":"%s","date":"%s","region":"15","case_number":"%s","stage":"%s","victims":%s,"persons":1,"article":"153"}\n' \
		"$1" "$2" "$3" "$4" "${5:-[]}"
}
{
	case_stage MP-CS-0001 2026-02-02 FIS-2026-0808 complaint "$V"
	case_stage MP-CS-0002 2026-02-03 FIS-2026-0909 complaint "$V"
} >"$T/mp.jsonl"
submit_in_t mp mp.jsonl
check "mp's complaints accepted" submitted_ok mp

{
	case_stage PJ-EXP-0801 2026-05-04 FIS-2026-0808 trial
	case_stage PJ-EXP-0802 2026-05-20 FIS-2026-0808 conviction
	case_stage PJ-EXP-0803 2026-06-10 FIS-2026-0808 'Apelación'
	case_stage PJ-EXP-0804 2026-09-15 FIS-2026-0808 acquittal
	case_stage PJ-EXP-0901 2026-05-06 FIS-2026-0909 trial
	case_stage PJ-EXP-0902 2026-05-28 FIS-2026-0909 conviction
	case_stage PJ-EXP-0903 2026-07-01 FIS-2026-0909 NULIDAD
	case_stage PJ-EXP-0904 2026-08-03 FIS-2026-0909 conviction
} >"$T/pj-apelaciones.jsonl"
submit_in_t pj pj-apelaciones.jsonl
is "the appeal and the annulment refused saying what to do" \
	"$(grep ': refused: ' "$T/submit-pj.out")" \
	"pj-apelaciones.jsonl:3: refused: stage: an appeal or an annulment is no case stage: leave the line out; a sentence given on appeal is sent as its stage (docs/INPUT.md section 6)
pj-apelaciones.jsonl:7: refused: stage: an appeal or an annulment is no case stage: leave the line out; a sentence given on appeal is sent as its stage (docs/INPUT.md section 6)"
check "... the confirmed conviction warned of as already held" grep -qx \
	"pj-apelaciones.jsonl:8: warning: case stage conviction already held for this case (ref PJ-EXP-0902 seq 5): a second record counts for nothing; to change the first send a correction with target_ref PJ-EXP-0902" \
	"$T/submit-pj.out"
check "... the rest accepted" grep -qx \
	"pj-apelaciones.jsonl: 6 accepted, 0 already held, 2 refused, 0 with unlinkable victims" \
	"$T/submit-pj.out"
check "delivered" wait_delivered 60

# Both cases tried and convicted, one acquitted on appeal besides.
is "the prosecution table: the conviction confirmed counts once" \
	"$("$KUSKA" query -c "$N/analyst.conf" prosecution --period 2026 \
		--format csv 2>/dev/null | cut -d, -f2- | sed -n '6,9p' | paste -sd' ')" \
	"trial,2,2 conviction,2,2 acquittal,1,1 dismissal,0,0"
is "the funnel: convicted and acquitted on appeal both count" \
	"$("$KUSKA" query -c "$N/analyst.conf" funnel --period 2026 \
		--format csv 2>/dev/null | cut -d, -f2,3 | sed -n '6,9p' | paste -sd' ')" \
	"trial,2 conviction,2 acquittal,1 dismissal,0"
finish
