#!/usr/bin/env bash
# kuska submit as a prosecutor's statistics officer (mp) loads two months
# of case stages: the second month repeats a case's complaint under a new
# ref (the case system exported it again after a migration) and dates an
# accusation before its case's complaint. Both lines are accepted, each
# warned of beside its line, in the summary and in --report; the first
# month sent again is "already held" and warns of nothing; a correction
# of the repeated complaint's date moves nothing and warns again, and
# withdrawing the repeat leaves the first complaint the one that counts.
# Restarted, the node keeps its index: the warning is given again. A
# victim whose age the birth date contradicts by more than a year is
# warned of with the age field's path, never the birth date, beside a
# case stage's warning of the same line, in a dry run as in the real one.
# The node's journal has a line for each submission, at its end, with its
# counts (a run of two files one line), never a file name, ref or case
# number; a kuska submit killed (-9) between its files is logged once,
# with what it stored, when the node stops.
. "$(dirname "$0")/lib.sh"

net_init
start_cons
start_node mp

case_stage() { # REF DATE CASE STAGE
	printf '{"kind":"case_stage","ref":"%s","date":"%s","region":"15","case_number":"%s","stage":"%s","victims":[{"document":{"type":"DNI","number":"45678912"},"birth_date":"2011-03-05","sex":"F","nationality":"PE"}],"persons":1,"article":"153"}\n' \
		"$@"
}
{
	case_stage MP-CS-0001 2026-04-02 FIS-2026-0101 complaint
	case_stage MP-CS-0002 2026-04-10 FIS-2026-0101 preliminary_investigation
	case_stage MP-CS-0003 2026-04-12 FIS-2026-0202 complaint
} >"$T/mp-abril.jsonl"
{
	case_stage MP-CS-0101 2026-05-03 FIS-2026-0303 complaint
	case_stage MP-CS-0777 2026-04-02 Fis-2026-0101 complaint
	case_stage MP-CS-0102 2026-03-01 FIS-2026-0202 accusation
	case_stage MP-CS-0103 2026-05-20 FIS-2026-0303 preliminary_investigation
} >"$T/mp-mayo.jsonl"

(cd "$T" && "$KUSKA" submit -c "$N/mp.conf" mp-abril.jsonl >abril.out 2>&1)
rc=$?
check "April: accepted, no warning (exit $rc)" \
	sh -c "test $rc = 0 && ! grep -q 'warning' '$T/abril.out' &&
		grep -qx 'mp-abril.jsonl: 3 accepted, 0 already held, 0 refused, 0 with unlinkable victims' '$T/abril.out'"
check "... the node's journal says it, with its counts" \
	grep -q "event=submission accepted=3 already_held=0 rekeyed=0 refused=0 unlinkable=0 requests=1 seconds=[0-9]* ended=client" "$N/mp.log"

(cd "$T" && "$KUSKA" submit -c "$N/mp.conf" --report mayo.csv mp-mayo.jsonl >mayo.out 2>&1)
rc=$?
repeat='case stage complaint already held for this case (ref MP-CS-0001 seq 1): a second record counts for nothing; to change the first send a correction with target_ref MP-CS-0001'
order="stage accusation dated 2026-03-01 is before this case's complaint (2026-04-12 ref MP-CS-0003): a case's stages come in their order; check the dates"
check "May: all accepted, exit 0 ($rc)" \
	sh -c "test $rc = 0 && grep -qx 'mp-mayo.jsonl: 4 accepted, 0 already held, 0 refused, 0 with unlinkable victims' '$T/mayo.out'"
check "... the complaint sent again under a new ref warned of beside its line" \
	grep -qxF "mp-mayo.jsonl:2: warning: $repeat" "$T/mayo.out"
check "... the accusation dated before its complaint warned of" \
	grep -qxF "mp-mayo.jsonl:3: warning: $order" "$T/mayo.out"
is "... no other line warned of" "$(grep -c ': warning: ' "$T/mayo.out")" 2
check "... the summary counts them" \
	grep -qx 'mp-mayo.jsonl: 2 lines with a case stage warning (a stage the case has already, or dated out of order)' \
	"$T/mayo.out"
check "... --report has a row each, field stage (no comma: unquoted), the line's ref last, quoted as every ref" \
	grep -qxF "mp-mayo.jsonl,2,stage,warning: $repeat,\"MP-CS-0777\"" "$T/mayo.csv"
check "... the accusation's too" \
	grep -qxF "mp-mayo.jsonl,3,stage,warning: $order,\"MP-CS-0102\"" "$T/mayo.csv"
is "... and no other row" "$(wc -l <"$T/mayo.csv")" 3

(cd "$T" && "$KUSKA" submit -c "$N/mp.conf" mp-abril.jsonl mp-mayo.jsonl >again.out 2>&1)
check "both months sent again: already held, nothing warned of" \
	sh -c "! grep -q 'warning' '$T/again.out' &&
		grep -qx 'mp-mayo.jsonl: 0 accepted, 4 already held, 0 refused, 0 with unlinkable victims' '$T/again.out'"
check "... one line in the node's journal for the run's two files" \
	grep -q "event=submission accepted=0 already_held=7 rekeyed=0 refused=0 unlinkable=0 requests=2 seconds=[0-9]* ended=client" "$N/mp.log"
is "... a line a submission (a dry run none)" "$(
	(cd "$T" && "$KUSKA" submit -n -c "$N/mp.conf" mp-abril.jsonl >/dev/null 2>&1)
	grep -c 'event=submission ' "$N/mp.log")" 3

# The repeat withdrawn: a third record of the complaint is warned of
# against the first still; the first's stage date corrected, the
# preliminary investigation after it is in order.
{
	printf '{"kind":"withdrawal","ref":"MP-WD-1","target_ref":"MP-CS-0777"}\n'
	printf '{"kind":"correction","ref":"MP-CO-1","target_ref":"MP-CS-0001","record":{"kind":"case_stage","date":"2026-04-20","region":"15","case_number":"FIS-2026-0101","stage":"complaint","victims":[{"document":{"type":"DNI","number":"45678912"},"birth_date":"2011-03-05","sex":"F","nationality":"PE"}],"persons":1,"article":"153"}}\n'
} >"$T/fix.jsonl"
(cd "$T" && "$KUSKA" submit -c "$N/mp.conf" fix.jsonl >fix.out 2>&1)
check "the complaint corrected to after its preliminary investigation: warned of" \
	grep -qF "fix.jsonl:2: warning: stage complaint dated 2026-04-20 is after this case's preliminary_investigation (2026-04-10 ref MP-CS-0002)" \
	"$T/fix.out"


# kuska submit killed (-9) between its files: the first stored, the
# second (a fifo nobody writes) waited for.
case_stage MP-CS-0500 2026-06-01 FIS-2026-0505 complaint >"$T/kill1.jsonl"
case_stage MP-CS-0501 2026-06-02 FIS-2026-0506 complaint >>"$T/kill1.jsonl"
mkfifo "$T/kill2.jsonl"
before=$(node_last_seq mp)
(cd "$T" && exec "$KUSKA" submit -c "$N/mp.conf" kill1.jsonl kill2.jsonl >kill.out 2>&1) &
sub=$!
for _ in $(seq 100); do
	[ "$(node_last_seq mp)" = $((before + 2)) ] && break
	sleep 0.1
done
kill -9 $sub
wait $sub 2>/dev/null
check "a submit killed between its files: its first file stored" \
	test "$(node_last_seq mp)" = $((before + 2))
check "... not yet logged" \
	test "$(grep -c 'event=submission ' "$N/mp.log")" = 4
stop_node mp TERM
check "... logged when the node stops, with what it stored" \
	grep -q "event=submission accepted=2 already_held=0 rekeyed=0 refused=0 unlinkable=0 requests=1 seconds=0 ended=stop" "$N/mp.log"
check "... once" \
	test "$(grep -c 'event=submission ' "$N/mp.log")" = 5
check "the journal names no file, ref or case number" \
	sh -c "! grep -Eq 'jsonl|MP-CS|FIS-2026|Fis-2026' '$N/mp.log'"
start_node mp
case_stage MP-CS-0900 2026-06-01 FIS-2026-0101 complaint >"$T/junio.jsonl"
(cd "$T" && "$KUSKA" submit -c "$N/mp.conf" junio.jsonl >junio.out 2>&1)
check "restarted: the complaint's entry kept (now the corrected first record's)" \
	grep -qF "junio.jsonl:1: warning: case stage complaint already held for this case (ref MP-CS-0001 seq 1)" \
	"$T/junio.out"
check "the node logged no index built (it was kept)" \
	sh -c "! grep -q 'event=stage_index' '$N/mp.log'"

# Born 2012-01-05: on 2026-05-07 the birth date gives 14.
agev() { # REF CASE AGE
	printf '{"kind":"case_stage","ref":"%s","date":"2026-05-07","region":"15","case_number":"%s","stage":"complaint","victims":[{"document":{"type":"DNI","number":"11111142"},"age":15,"sex":"M","nationality":"PE"},{"document":{"type":"DNI","number":"22222242"},"birth_date":"2012-01-05","age":%s,"sex":"F","nationality":"PE"}],"persons":1,"article":"153"}\n' \
		"$@"
}
{
	agev MP-CS-1001 FIS-2026-1404 13
	agev MP-CS-1002 FIS-2026-1505 12
	agev MP-CS-1003 FIS-2026-1505 12
} >"$T/edades.jsonl"
age="victims[1].age: victim age 12 is not the age the birth date gives on the record's date (14): the birth date is used; correct one of them"
(cd "$T" && "$KUSKA" submit -c "$N/mp.conf" --dry-run edades.jsonl >edades-dry.out 2>&1)
(cd "$T" && "$KUSKA" submit -c "$N/mp.conf" --report edades.csv edades.jsonl >edades.out 2>&1)
rc=$?
check "ages: all accepted, exit 0 ($rc)" \
	sh -c "test $rc = 0 && grep -qx 'edades.jsonl: 3 accepted, 0 already held, 0 refused, 0 with unlinkable victims' '$T/edades.out'"
check "... an age a year off its birth date's: no warning" \
	sh -c "! grep -q '^edades.jsonl:1:' '$T/edades.out'"
check "... two years off: warned of with her path" \
	grep -qxF "edades.jsonl:2: warning: $age" "$T/edades.out"
check "... and on the repeated stage's line" \
	grep -qxF "edades.jsonl:3: warning: $age" "$T/edades.out"
check "... beside that stage's warning" \
	grep -qF "edades.jsonl:3: warning: case stage complaint already held for this case (ref MP-CS-1002" \
	"$T/edades.out"
check "... the summary counts them apart" \
	grep -qx 'edades.jsonl: 1 line with a case stage warning (a stage the case has already, or dated out of order)' \
	"$T/edades.out"
check "... the ages' line" \
	grep -qxF "edades.jsonl: 2 lines with a victim's age that the birth date contradicts (the birth date is used)" \
	"$T/edades.out"
check "... --report has its row, field the age's path" \
	grep -qxF "edades.jsonl,2,victims[1].age,warning: ${age#*: },\"MP-CS-1002\"" "$T/edades.csv"
is "... a row each, the stage's too" "$(wc -l <"$T/edades.csv")" 4
is "... the dry run warned the same" \
	"$(grep -cxF -e "edades.jsonl:2: warning: $age" -e "edades.jsonl:3: warning: $age" "$T/edades-dry.out")" 2
check "... the birth date in no output, report or log" \
	sh -c "! grep -q '2012-01-05' '$T/edades.out' '$T/edades-dry.out' '$T/edades.csv' '$N/mp.log'"

finish
