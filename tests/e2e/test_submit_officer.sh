#!/usr/bin/env bash
# kuska submit as a statistics officer of the police (pnp) uses it, with a
# month of the simulator's cases:
#  - a binary file with a comma in its first line is called binary data,
#    not CSV; a text that is not UTF-8 (Latin-1) is named so; nothing of
#    either is sent.
. "$(dirname "$0")/lib.sh"

net_init
start_cons
start_node pnp
"$KUSKA" sim --out "$T/sim" --victims 300 --seed 3 >/dev/null
grep '"date":"2025-04' "$T/sim/pnp.jsonl" >"$T/april.jsonl"
lines=$(wc -l <"$T/april.jsonl")
check "a month of pnp's cases ($lines lines)" test "$lines" -gt 5
# The consolidator has said pnp's grants: the node's refusals are its own.
for i in $(seq 50); do
	"$KUSKA" status -c "$N/pnp.conf" | grep -q "may emit:.*(as the consolidator said)" && break
	sleep 0.2
done

before=$(node_last_seq pnp)
# ---- files that are no text ------------------------------------------------
printf '\177ELF\002\001\001,\003abc\n\000\000more,text\n' >"$T/cases.bin"
printf 'Caso N\321a\372 de prueba\n' >"$T/latin1.txt"
"$KUSKA" submit -c "$N/pnp.conf" "$T/cases.bin" >"$T/bin.out" 2>&1
rc=$?
check "a binary file with a comma: exit 1 ($rc)" test $rc = 1
check "... called binary data, not CSV" \
	sh -c "grep -q 'cases.bin: binary data (line 1 holds NUL or control bytes), not JSON Lines: .*nothing of it was sent' '$T/bin.out' &&
		! grep -q CSV '$T/bin.out'"
"$KUSKA" submit -c "$N/pnp.conf" - <"$T/latin1.txt" >"$T/lat.out" 2>&1
rc=$?
check "a Latin-1 text on standard input: exit 1, named not UTF-8 ($rc)" \
	sh -c "test $rc = 1 && grep -q '^kuska submit: standard input: not UTF-8 text (line 1 holds bytes that are not UTF-8: binary data, or text saved as Latin-1 or Windows-1252), not JSON Lines' '$T/lat.out'"
check "... nothing of either stored" test "$(node_last_seq pnp)" = "$before"

finish
