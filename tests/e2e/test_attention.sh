#!/usr/bin/env bash
# End to end: what an operator sees at the keyboard, and what a
# monitoring check sees. kuska submit, report and estimate --boot draw a
# progress line on standard error when it is a terminal (script(1) gives
# them one), take it off before a message of their own (a spreadsheet or
# an empty file refused), and write nothing of the kind when it is not; a
# node's status needs attention (exit 1) once the consolidator has not
# answered for longer than alarm_silent_s, with events waiting or not,
# stays healthy
# past that time while the consolidator is up but idle (the node's
# keep-alive hellos), and is healthy again when it answers. Warnings are
# counted, the first few listed (all with --verbose), and --report writes
# every refusal and warning as CSV.
. "$(dirname "$0")/lib.sh"

command -v script >/dev/null || skip "script(1) is not installed"
net_init
printf 'alarm_silent_s = 3\n' >>"$N/pnp.conf"
start_cons
start_node pnp
"$KUSKA" sim --out "$T/sim" --victims 1500 --seed 8 >/dev/null
head -n 200 "$T/sim/pnp.jsonl" >"$T/first.jsonl"
tail -n +201 "$T/sim/pnp.jsonl" >"$T/rest.jsonl"

# ---- progress: on a terminal only ---------------------------------------

# tty CMD...: runs CMD with a terminal for its output, all of it into
# $T/tty.out (script turns each line end into CR LF).
tty() {
	script -qec "$(printf '%q ' "$@")" /dev/null >"$T/tty.out" 2>&1
}

tty "$KUSKA" submit -c "$N/pnp.conf" "$T/first.jsonl"
check "submit on a terminal: exit 0" test $? = 0
check "... a progress line: records, rate, refusals" \
	grep -qa $'\r''kuska submit: .*first.jsonl: [0-9]* records, [0-9]*/s, 0 refused' \
	"$T/tty.out"
check "... then the summary" \
	grep -qa "first.jsonl: 200 accepted, 0 already held" "$T/tty.out"
# A file refused whole (a spreadsheet, a CSV export, an empty file): the
# progress line drawn at its start is taken off before the message, which
# would otherwise run on from it on the same line.
printf 'PK\003\004 not a real one' >"$T/cases.xlsx"
printf 'kind,ref,date\nidentification,A-1,2025-01-01\n' >"$T/cases.csv"
: >"$T/none.jsonl"
tty "$KUSKA" submit -c "$N/pnp.conf" "$T/cases.xlsx" "$T/cases.csv" \
	"$T/none.jsonl"
for what in "cases.xlsx: a ZIP archive" "cases.csv: looks like CSV" \
	"none.jsonl: no records"; do
	check "submit on a terminal: '$what' on a line of its own" \
		grep -qa $'\r\e\[K'"kuska submit: [^ ]*$what" "$T/tty.out"
done
ran_on() { grep -qa 'refused'$'\e\[K''kuska' "$T/tty.out"; }
check "... never run on from the progress line" eval '! ran_on'
"$KUSKA" submit -c "$N/pnp.conf" "$T/rest.jsonl" >"$T/file.out" 2>"$T/file.err"
check "submit into files: exit 0" test $? = 0
check "... nothing on standard error" test ! -s "$T/file.err"
check "... no carriage return in the output" \
	sh -c "! grep -qa \$'\\r' '$T/file.out'"
check "... the summary" grep -q "rest.jsonl: [0-9]* accepted" "$T/file.out"
check "everything delivered" wait_delivered 60

tty "$KUSKA" report -c "$N/analyst.conf" --period 2025 -o "$T/r.html"
check "report on a terminal: a progress line" \
	grep -qa 'kuska report: [0-9]* tables answered, asking ' "$T/tty.out"
"$KUSKA" report -c "$N/analyst.conf" --period 2025 -o "$T/r2.html" 2>"$T/r.err"
check "report into a file: nothing on standard error" test ! -s "$T/r.err"

CSV="$KUSKA_SRC/tests/data/mse/Western.csv"
tty "$KUSKA" estimate "$CSV" --boot 100 --format csv
check "estimate --boot on a terminal: a progress line" \
	grep -qa 'kuska estimate: bootstrap [0-9]* of 100' "$T/tty.out"
"$KUSKA" estimate "$CSV" --boot 100 --format csv >/dev/null 2>"$T/e.err"
check "estimate --boot into a file: nothing on standard error" \
	test ! -s "$T/e.err"

# ---- warnings: a count and the first few; --verbose, --report ---------

# Seven records whose victim cannot be linked (no document, no name),
# one refused, one blank line.
for i in 1 2 3 4 5 6 7; do
	printf '{"kind":"identification","ref":"W-%s","date":"2024-05-0%s","region":"15","victim":{"age":1%s,"sex":"F","nationality":"PE"},"exploitation":["sexual"]}\n' "$i" "$i" "$i"
done >"$T/warn.jsonl"
printf '\n{"kind":"identification","ref":"W-8","date":"2024-13-01"}\n' >>"$T/warn.jsonl"
last=$(node_last_seq pnp)
"$KUSKA" submit -n -c "$N/pnp.conf" --report "$T/warn.csv" "$T/warn.jsonl" \
	>"$T/warn.out" 2>&1
check "a refusal: exit 1" test $? = 1
check "... the dry run stored nothing" test "$(node_last_seq pnp)" = "$last"
check "... the first 5 warnings listed, no more" \
	test "$(grep -c ': warning: 1 victim(s) cannot be linked' "$T/warn.out")" = 5
check "... then the count of the others" grep -q \
	'warn.jsonl: 2 more warnings "cannot be linked" not listed' "$T/warn.out"
check "... the refusal listed" \
	grep -q '^.*warn.jsonl:9: refused: date: must be a real day' "$T/warn.out"
check "--report: a header and a row per warning and refusal" \
	test "$(wc -l <"$T/warn.csv")" = 9 -a "$(head -n 1 "$T/warn.csv")" = file,line,field,reason,ref
check "... the refusal's row, its ref last and quoted, a code (read although the line was refused)" grep -q \
	'^.*warn.jsonl,9,date,refused: must be a real day written YYYY-MM-DD,"W-8"$' "$T/warn.csv"
check "... the seventh warning's row, its ref last" grep -q \
	'^.*warn.jsonl,7,victim,"warning: 1 victim(s) cannot be linked (no document, and no.*","W-7"$' "$T/warn.csv"
"$KUSKA" submit -n -v -c "$N/pnp.conf" "$T/warn.jsonl" >"$T/warn-v.out" 2>&1
check "--verbose: all 7 warnings" \
	test "$(grep -c ': warning: 1 victim(s) cannot be linked' "$T/warn-v.out")" = 7

# A case stage's warning row names the victim in its list, and so does a
# correction's: the export's team must know which of them to mend.
V1='{"document":{"type":"DNI","number":"45678912"},"birth_date":"2011-03-05","sex":"F","nationality":"PE"}'
V2='{"given_names":"Andrés","surnames":"Peña","age":15,"sex":"M","nationality":"VE"}'
CS='"date":"2024-05-02","region":"21","case_number":"FIS-2024-0101","stage":"complaint","victims":['"$V1,$V2"'],"persons":2,"article":"129-A"'
printf '{"kind":"case_stage","ref":"WC-1",%s}\n' "$CS" >"$T/warncase.jsonl"
printf '{"kind":"correction","ref":"WC-2","target_ref":"WC-1","record":{"kind":"case_stage",%s}}\n' "$CS" >>"$T/warncase.jsonl"
"$KUSKA" submit -n -c "$N/pnp.conf" --report "$T/warncase.csv" \
	"$T/warncase.jsonl" >"$T/warncase.out" 2>&1
check "a case stage's unlinkable victim: exit 0" test $? = 0
check "... its warning row names victims[1]" grep -q \
	'^.*warncase.jsonl,1,victims\[1\],"warning: 1 victim(s) cannot be linked' "$T/warncase.csv"
check "... a correction's, record.victims[1]" grep -q \
	'^.*warncase.jsonl,2,record.victims\[1\],"warning: 1 victim(s) cannot be linked' "$T/warncase.csv"

# ---- status: the consolidator silent past alarm_silent_s ---------------

"$KUSKA" status -c "$N/pnp.conf" >"$T/s0.out"
check "node status, all delivered: exit 0" test $? = 0
check "... says what pnp may emit, as the consolidator said" \
	grep -q "may emit: .*identification.* (as the consolidator said)" \
	"$T/s0.out"
sleep 4
"$KUSKA" status -c "$N/pnp.conf" >"$T/s1.out"
check "idle past alarm_silent_s, the consolidator up: still exit 0" \
	test $? = 0
stop_cons KILL
sleep 4
"$KUSKA" status -c "$N/pnp.conf" >"$T/s2.out"
check "the consolidator cut, nothing waiting: exit 1" test $? = 1
check "... the warning says so" \
	grep -q "WARNING: the consolidator has not answered for over 3 s" \
	"$T/s2.out"
check "... and nothing waits" grep -q "waiting for delivery:   0" "$T/s2.out"
printf '%s\n' '{"kind":"identification","ref":"ATT-1","date":"2024-06-01","region":"21","victim":{"age":15,"sex":"F","nationality":"BO"},"exploitation":["labour"]}' \
	>"$T/one.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" "$T/one.jsonl" >/dev/null
"$KUSKA" status -c "$N/pnp.conf" >"$T/s3.out"
check "the consolidator cut, an event waiting: exit 1" test $? = 1
check "... the warning again" \
	grep -q "WARNING: the consolidator has not answered" "$T/s3.out"
start_cons
check "the consolidator back: the event delivered" wait_delivered 30
"$KUSKA" status -c "$N/pnp.conf" >"$T/s4.out"
check "... node status: exit 0 again" test $? = 0
grep WARNING "$T/s4.out" | sed 's/^/#   /'

finish
