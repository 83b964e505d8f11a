#!/usr/bin/env bash
# kuska-node --recover marks the institution DIVERGED on the consolidator
# only once the new outbox is in place: a recovery that fails and leaves
# the outbox unchanged (here, after a key rotation, previous_keys not yet
# set, so the consolidator's envelopes are not this node's key's) leaves
# no mark; one that succeeds says the outbox was rebuilt, and the
# consolidator's line says what clears the mark (not "until kuska-node
# --recover", which was just run). The refs it rebuilt name a record's
# withdrawal, as intake's did. Neither writes to the old outbox.
. "$(dirname "$0")/lib.sh"

net_init
"$KUSKA" sim --out "$T/sim" --victims 100 --seed 3 >/dev/null
start_cons
start_node pnp
"$KUSKA" submit -c "$N/pnp.conf" "$T/sim/pnp.jsonl" >/dev/null
check "delivered" wait_delivered 60
stop_node pnp TERM

# A new key for pnp, registered; the node's key file replaced.
mkdir "$N/keys2"
"$KUSKA" keygen pnp --dir "$N/keys2" >/dev/null
printf '\n[key pnp-2]\nowner = pnp\npublic_key = keys2/pnp.pub\n' \
	>>"$N/registry.conf"
check "the consolidator reloads the registry" \
	hup_wait "$N/consolidator.log" "event=reload " "${PIDS[cons]}"
cp "$N/keys2/pnp.key" "$N/keys/pnp.key"

cons_marked() {
	"$KUSKA" status -c "$N/consolidator.conf" >"$T/cstatus.out"
	grep -q '^pnp .*DIVERGED' "$T/cstatus.out"
}
cons_clean() {
	"$KUSKA" status -c "$N/consolidator.conf" >"$T/cstatus.out"
	grep -q '^pnp ' "$T/cstatus.out" && ! grep -q DIVERGED "$T/cstatus.out"
}

# A recovery reads the old outbox and writes nothing to it, not even the
# case stages' index an opening builds in one written to since by another
# program (here lmdb-utils', as an earlier kuska's would be): failed, it is
# as it was; done, the copy it sets aside is.
before=
if command -v mdb_load >/dev/null; then
	printf 'k\nv\n' | mdb_load -s scratch -T "$N/data/pnp"
	before=$(sha256sum <"$N/data/pnp/data.mdb")
else
	echo "# no mdb_load (lmdb-utils): the outbox's bytes are not compared"
fi
same_as_before() {
	[ -z "$before" ] || [ "$(cat "$@" | sha256sum)" = "$before" ]
}

"$NODE" --recover -c "$N/pnp.conf" >"$T/recover1.out" 2>&1
rc=$?
check "--recover without previous_keys fails (exit $rc)" test $rc = 1
check "... the outbox byte for byte as it was" \
	same_as_before "$N/data/pnp/data.mdb"
check "... as the envelopes are not this node's key's" \
	grep -q "not this node's: signed with a key that is not this node's" \
	"$T/recover1.out"
check "... and leaves no DIVERGED mark on the consolidator" cons_clean
check "... nor a line of it in its log" \
	sh -c "! grep -q 'event=diverged institution=pnp' '$N/consolidator.log'"

mkdir "$N/keys/previous"
cp "$N/keys/pnp.pub" "$N/keys/previous/pnp-1.pub"
echo "previous_keys = keys/previous" >>"$N/pnp.conf"
"$NODE" --recover -c "$N/pnp.conf" >"$T/recover2.out" 2>&1
rc=$?
check "--recover with previous_keys succeeds (exit $rc)" test $rc = 0
check "... the old outbox set aside byte for byte as it was" \
	same_as_before "$N/data/pnp"/data.mdb.before-recover-*
check "... and the consolidator marks pnp DIVERGED" cons_marked
check "... saying the outbox was rebuilt, and what clears the mark" \
	grep -q 'event=diverged institution=pnp text="rebuilt by kuska-node --recover" (cleared when its node proves its outbox in step' \
	"$N/consolidator.log"
check "... not that it waits for kuska-node --recover" \
	sh -c "! grep -q 'until kuska-node --recover' '$N/consolidator.log'"
# The refs rebuilt with the old outbox's (it agreed) name the withdrawal
# in the refusal of a second one (a dry run: nothing stored), by its
# sequence: its ref, never checked for an identity, withheld.
start_node pnp
wd=$(grep -m1 '"kind":"withdrawal"' "$T/sim/pnp.jsonl")
wd_ref=$(printf '%s' "$wd" | sed 's/.*"ref":"\([^"]*\)".*/\1/')
wd_target=$(printf '%s' "$wd" | sed 's/.*"target_ref":"\([^"]*\)".*/\1/')
printf '{"kind":"withdrawal","ref":"PNP-AGAIN","target_ref":"%s"}\n' \
	"$wd_target" >"$T/again.jsonl"
"$KUSKA" submit -n -c "$N/pnp.conf" "$T/again.jsonl" >"$T/again.out" 2>&1
check "a second withdrawal after the recovery names the first" \
	grep -q "again.jsonl:1: refused: target_ref: that record was withdrawn by seq [0-9]* (its ref withheld)\$" \
	"$T/again.out"
check "... not by its ref ($wd_ref)" sh -c "! grep -qF '$wd_ref' '$T/again.out'"
stop_node pnp TERM

finish
