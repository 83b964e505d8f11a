#!/usr/bin/env bash
# kuska-node --recover against a consolidator's key that floods it
# (docs/SECURITY.md, "Hostile peers"): kuska_fakecons -f -z welcomes the
# node, answers its requests from a copy of its outbox, sends it Acks it
# never asked for without end (10,000 between two reads of its requests)
# and, at SIGTERM, resets the connection, at four moments in turn.
# --recover's connection had ZMQ_RCVHWM 1,000 and heartbeats, and read
# nothing while it stored a piece: libzmq aborted the node ("Assertion
# failed: !_io_error", stream_engine_base.cpp) once in the ten rounds of
# the probe that found it (1,000 Acks between two reads, reset after 2 s,
# 569 events; elsewhere the recovery ended by a time-out, or took that
# consolidator's copy after seconds). On the code before, this test
# fails (eight rounds of eight end without saying why, none aborted
# here). With 1,000 between two reads, the node now reads them as they
# come and takes the copy, exit 0, the flood never 4,096 in a row. Now
# the mark is
# lifted, and 4,096 messages read in a row while it waits for an answer,
# none of which is it (RECOVER_UNASKED_MAX, recover_talk.c), stop the
# recovery with a sentence saying so, the outbox unchanged: --recover is
# a one-shot command, and that consolidator is not to be trusted.
. "$(dirname "$0")/lib.sh"

INSTS="pnp"
net_init
EP=$(sed -n 's/^listen *= *//p' "$N/consolidator.conf")
"$KUSKA" sim --out "$T/sim" --victims 300 --seed 3 >/dev/null
start_cons
start_node pnp
"$KUSKA" submit -c "$N/pnp.conf" "$T/sim/pnp.jsonl" >/dev/null
check "delivered" wait_delivered 60
LAST=$(node_last_seq pnp)
stop_node pnp TERM
stop_cons TERM
mkdir "$T/src"
cp "$N/data/pnp/data.mdb" "$T/src/"
before=$(md5sum <"$N/data/pnp/data.mdb")
for d in 0.5 1.0 2.0 3.0; do
	"$KUSKA_BIN/kuska_fakecons" -k "$N/keys/consolidator.key" -e "$EP" \
		-l "$LAST" -o "$T/src" -f -z -B 10000 2>>"$T/fake.log" &
	fake=$!
	timeout 120 "$NODE" --recover -c "$N/pnp.conf" >"$T/rec-$d.out" 2>&1 &
	rec=$!
	sleep "$d"
	kill -TERM "$fake"
	wait "$fake" 2>/dev/null
	wait "$rec"
	rc=$?
	sed "s/^/# $d s: /" "$T/rec-$d.out"
	check "reset after $d s: no abort (exit $rc)" test "$rc" = 1
	check "... the recovery stopped, saying why" grep -q \
		"the consolidator sent 4096 messages in a row that nothing asked for: recovery stopped (the outbox is unchanged)" \
		"$T/rec-$d.out"
	check "... libzmq asserted nothing" \
		sh -c "! grep -q Assertion '$T/rec-$d.out'"
done
check "the outbox is unchanged" \
	test "$(md5sum <"$N/data/pnp/data.mdb")" = "$before"

# RECOVER_UNASKED_MAX Acks nothing asked for ahead of each answer
# (kuska_fakecons -u): the answer after them is taken. ask counted each
# message before it decoded it, and the answer, the 4,097th read, stopped
# the recovery. One more ahead stops it.
for ahead in 4097 4096; do
	"$KUSKA_BIN/kuska_fakecons" -k "$N/keys/consolidator.key" -e "$EP" \
		-l "$LAST" -o "$T/src" -u "$ahead" 2>>"$T/fake.log" &
	fake=$!
	timeout 120 "$NODE" --recover -c "$N/pnp.conf" >"$T/ahead-$ahead.out" 2>&1
	rc=$?
	kill -TERM "$fake"
	wait "$fake" 2>/dev/null
	sed "s/^/# $ahead ahead: /" "$T/ahead-$ahead.out"
	if [ "$ahead" = 4097 ]; then
		check "$ahead unasked ahead of an answer stop the recovery (exit $rc)" \
			test "$rc" = 1
		check "... saying why" grep -q \
			"the consolidator sent 4096 messages in a row that nothing asked for" \
			"$T/ahead-$ahead.out"
		check "... the outbox unchanged" \
			test "$(md5sum <"$N/data/pnp/data.mdb")" = "$before"
	else
		check "$ahead unasked ahead of each answer: the copy taken (exit $rc)" \
			test "$rc" = 0
		check "... nothing said of a flood" sh -c \
			"! grep -q 'nothing asked for' '$T/ahead-$ahead.out'"
	fi
done
finish
