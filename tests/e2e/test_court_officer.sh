#!/usr/bin/env bash
# kuska submit and kuska query as a statistics officer of the judiciary
# (pj) uses them, with a month of court stages saved from a spreadsheet
# (a byte-order mark, Windows line ends, a blank line at the end, a line
# twice):
#  - a sentence dated before its trial is taken as sent, kuska submit
#    warning of it beside its line (the court sent the trial), and the
#    durations table's median from trial to
#    conviction reads negative: kuska query says on standard error that
#    it is a date to correct, not a duration, and once the date is
#    corrected the median is the days between them and nothing is said;
#  - the month asked for as --period 2025-11 is refused naming its
#    quarter and semester.
. "$(dirname "$0")/lib.sh"

net_init
start_cons
start_node pj

# Two cases, each tried and sentenced; the second's sentence dated 16 days
# before its trial, the first's 8 days after.
case_stage() { # REF DATE CASE STAGE
	printf '{"kind":"case_stage","ref":"%s","date":"%s","region":"15","case_number":"%s","stage":"%s","victims":[],"persons":1,"article":"153"}\r\n' \
		"$@"
}
{
	printf '\357\273\277'
	case_stage PJ-EXP-451-1 2025-11-04 FIS-2025-0101 trial
	case_stage PJ-EXP-451-2 2025-11-12 FIS-2025-0101 conviction
	case_stage PJ-EXP-452-1 2025-11-18 FIS-2025-0202 trial
	case_stage PJ-EXP-452-2 2025-11-02 FIS-2025-0202 conviction
	case_stage PJ-EXP-452-2 2025-11-02 FIS-2025-0202 conviction
	printf '\r\n'
} >"$T/pj-noviembre.jsonl"
(cd "$T" && "$KUSKA" submit -c "$N/pj.conf" pj-noviembre.jsonl >submit.out 2>&1)
rc=$?
check "the month, with a BOM, CRLF, a line twice and a blank line at the end: exit 0 ($rc)" \
	grep -qx "pj-noviembre.jsonl: 4 accepted, 1 already held, 0 refused, 0 with unlinkable victims, 1 blank line skipped" \
	"$T/submit.out"
check "... the sentence dated before its trial warned of beside its line" \
	grep -qx "pj-noviembre.jsonl:4: warning: stage conviction dated 2025-11-02 is before this case's trial (2025-11-18 ref PJ-EXP-452-1): the days between them will read negative; check the dates" \
	"$T/submit.out"
check "delivered" wait_delivered 60

"$KUSKA" query -c "$N/analyst.conf" durations --period 2025Q4 --format csv \
	>"$T/dur.csv" 2>"$T/dur.err"
check "the sentence before its trial: the median from trial to conviction is negative" \
	grep -qx '"2025Q4",trial,conviction,-16' "$T/dur.csv"
check "... and kuska query says it is a date to correct, not a duration" \
	grep -qx "kuska query: note: a negative median_days says that in at least half of those cases the later stage is dated before the earlier one (a sentence dated before its trial, say): a date for the institution that sent the record to correct, not a duration (docs/INPUT.md section 6)" \
	"$T/dur.err"

# The officer corrects the sentence's date.
printf '%s\n' '{"kind":"correction","ref":"PJ-CO-1","target_ref":"PJ-EXP-452-2","record":{"kind":"case_stage","date":"2025-11-26","region":"15","case_number":"FIS-2025-0202","stage":"conviction","victims":[],"persons":1,"article":"153"}}' \
	>"$T/fix.jsonl"
check "the correction accepted, with no warning" \
	sh -c "'$KUSKA' submit -c '$N/pj.conf' '$T/fix.jsonl' >'$T/fix.out' &&
		grep -q ': 1 accepted, ' '$T/fix.out' && ! grep -q warning '$T/fix.out'"
check "delivered" wait_delivered 60
"$KUSKA" query -c "$N/analyst.conf" durations --period 2025Q4 --format csv \
	>"$T/dur.csv" 2>"$T/dur.err"
check "corrected: the median is the days between them (8 and 8)" \
	grep -qx '"2025Q4",trial,conviction,8' "$T/dur.csv"
check "... and nothing is said" test ! -s "$T/dur.err"

"$KUSKA" query -c "$N/pj-stats.conf" prosecution --period 2025-11 \
	>"$T/month.out" 2>&1
rc=$?
check "--period 2025-11: exit 2, its quarter and semester named ($rc)" \
	sh -c "test $rc = 2 && grep -qx 'kuska query: bad --period \"2025-11\": a month is not a period of the tables, which are by year (2026), semester (2026H1) or quarter (2026Q3): 2025-11 is in 2025Q4 and 2025H2' '$T/month.out'"

finish
