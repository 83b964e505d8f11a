#!/usr/bin/env bash
# kuska submit --report when a file is not sent for a reason other than
# its content (docs/INPUT.md): a report of no rows is read as a clean
# export by the team that maintains it, so
#  - a file that cannot be read (missing) has a row, and a report left by
#    an earlier run at the same path is not left as it was (it would read
#    as this run's);
#  - a node that is not running: a row for each file, saying why;
#  - a file that is read: still refused line by line as before.
# (review42 found the first two.)
. "$(dirname "$0")/lib.sh"

net_init
"$KUSKA" sim --out "$T/sim" --victims 20 --seed 3 >/dev/null
head -3 "$T/sim/pnp.jsonl" >"$T/ok.jsonl"
printf 'file,line,field,reason\n' >"$T/old.csv"
printf 'yesterday.jsonl,1,,refused: old\n' >>"$T/old.csv"
cp "$T/old.csv" "$T/gone.csv"
NO_KEYHOLDER=1 start_node pnp
(cd "$T" && "$KUSKA" submit -c "$N/pnp.conf" --report gone.csv \
	missing.jsonl ok.jsonl) >"$T/gone.out" 2>&1
rc=$?
check "a file that cannot be read: exit 1 ($rc), named" \
	sh -c "test $rc = 1 && grep -q '^kuska submit: missing.jsonl: cannot read' '$T/gone.out'"
is "... the --report file of an earlier run replaced by this run's row" \
	"$(cat "$T/gone.csv")" \
	"file,line,field,reason,ref
missing.jsonl,,,not sent: cannot read: No such file or directory; nothing was sent,"
check "... and nothing of the readable one sent" \
	test "$(node_last_seq pnp)" = 0
stop_node pnp
(cd "$T" && "$KUSKA" submit -c "$N/pnp.conf" --report down.csv \
	ok.jsonl ok.jsonl) >"$T/down.out" 2>&1
rc=$?
check "the node not running: exit 2 ($rc)" test $rc = 2
check "... the --report file has a row for each file, saying why" \
	sh -c "test \"\$(grep -c '^ok.jsonl,,,not sent: .*not running' '$T/down.csv')\" = 2 &&
		test \"\$(wc -l <'$T/down.csv')\" = 3"
finish
