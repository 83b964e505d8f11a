#!/usr/bin/env bash
# kuska submit as a prosecutor's statistics officer (mp) loads a case
# that was dismissed (archived) and then reopened: its preliminary
# investigation is dated after its dismissal. The dates are right, and
# the node's warning says so beside "check the dates", so that the
# officer does not correct or withdraw a true record; a second case,
# whose reopened investigation arrives before the dismissal it follows,
# is warned of from the other side in the same words. A stage out of
# order with no dismissal in it (an accusation before its
# investigation) is warned of as before, with no such words. The
# consolidator counts the reopened case as dismissed and as reaching its
# investigation (docs/INPUT.md section 6, "A case reopened").
. "$(dirname "$0")/lib.sh"

net_init
start_cons
start_node mp

V='[{"document":{"type":"DNI","number":"45678912"},"birth_date":"2011-03-05","sex":"F","nationality":"PE"}]'
case_stage() { # REF DATE CASE STAGE [VICTIMS]
	printf '{"kind":"case_stage","ref":"%s","date":"%s","region":"15","case_number":"%s","stage":"%s","victims":%s,"persons":1,"article":"153"}\n' \
		"$1" "$2" "$3" "$4" "${5:-[]}"
}
{
	case_stage MP-CS-0001 2026-03-02 FIS-2026-0505 complaint "$V"
	case_stage MP-CS-0002 2026-04-10 FIS-2026-0505 dismissal
	case_stage MP-CS-0003 2026-06-15 FIS-2026-0505 preliminary_investigation
	case_stage MP-CS-0004 2026-03-09 FIS-2026-0606 complaint "$V"
	case_stage MP-CS-0005 2026-07-01 FIS-2026-0606 formalized_investigation
	case_stage MP-CS-0006 2026-05-20 FIS-2026-0606 dismissal
	case_stage MP-CS-0007 2026-03-12 FIS-2026-0707 complaint "$V"
	case_stage MP-CS-0008 2026-04-01 FIS-2026-0707 accusation
	case_stage MP-CS-0009 2026-04-20 FIS-2026-0707 preliminary_investigation
} >"$T/mp-reabiertos.jsonl"

reopened='(right as sent if the case was reopened after its dismissal: both count)'
want="mp-reabiertos.jsonl:3: warning: stage preliminary_investigation dated 2026-06-15 is after this case's dismissal (2026-04-10 ref MP-CS-0002): a case's stages come in their order; check the dates $reopened
mp-reabiertos.jsonl:6: warning: stage dismissal dated 2026-05-20 is before this case's formalized_investigation (2026-07-01 ref MP-CS-0005): a case's stages come in their order; check the dates $reopened
mp-reabiertos.jsonl:9: warning: stage preliminary_investigation dated 2026-04-20 is after this case's accusation (2026-04-01 ref MP-CS-0008): a case's stages come in their order; check the dates"

# A dry run warns of the same lines in the same words.
submit_in_t mp mp-reabiertos.jsonl --dry-run
is "dry run: the reopened cases' warnings say the dates may be right" \
	"$(grep ': warning: ' "$T/submit-mp.out")" "$want"

submit_in_t mp mp-reabiertos.jsonl
check "the file accepted" submitted_ok mp
is "the reopened cases' warnings say the dates may be right" \
	"$(grep ': warning: ' "$T/submit-mp.out")" "$want"
check "... and the summary counts them as case stage warnings" \
	grep -qx "mp-reabiertos.jsonl: 3 lines with a case stage warning (a stage the case has already, or dated out of order)" \
	"$T/submit-mp.out"
check "delivered" wait_delivered 60

# Both reopened cases count as dismissed and as reaching the stage after
# their dismissal; the third reaches its accusation.
is "the funnel: the reopened cases dismissed and investigated" \
	"$("$KUSKA" query -c "$N/analyst.conf" funnel --period 2026 \
		--format csv 2>/dev/null | cut -d, -f2,3 | paste -sd' ')" \
	"stage,cases complaint,3 preliminary_investigation,3 formalized_investigation,2 accusation,1 trial,0 conviction,0 acquittal,0 dismissal,2"
finish
