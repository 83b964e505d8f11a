#!/usr/bin/env bash
# A client asking one table at a time is not refused for another's
# flood. The query socket's reader keeps 16 requests a connection and
# 1,024 in all (query_reader.h): 64 connections each with its 16 waiting
# filled the 1,024, and every other client's request was then refused at
# once, "the consolidator is busy with an audit", with no audit running.
# A connection with none waiting now has a spare of its own (256 more,
# QUERY_READER_SPARE). Here the query thread is held (an LD_PRELOAD
# library, tests/tools/shim/slowread.c, as an answer that takes long
# would) while 70 connections of the analyst's key send 20 requests each;
# the secretariat's kuska query, asked then, is kept and answered once the
# thread goes on. Each request read is kept (kuska_queries_waiting),
# refused or dropped: their sum says when the secretariat's was read.
. "$(dirname "$0")/lib.sh"

ASKER="$KUSKA_BIN/kuska_asker"
CONNS=70
COUNT=20

held_query_net thread 128

touch "$SLOW"
# One request to be held on: the query thread then waits.
"$KUSKA" query -c "$N/analyst.conf" deliveries >/dev/null 2>&1 &
first=$!
check "the query thread is held" wait_for_file "$SLOW.hit" 30
fl=()
for j in $(seq $CONNS); do
	printf 'deliveries\t2026\n' |
		"$ASKER" -k "$N/keys/analyst.key" -s "$N/keys/consolidator.pub" \
			-e "$QEP" -F $COUNT -t 60000 >"$T/flood$j.out" 2>&1 &
	fl+=($!)
done
# full: the reader has refused or dropped what it could not keep of the
# flood: at least all but the 1,024 and the spare of the connections
# past the 64 that fill them.
full() {
	local i n
	for i in $(seq 600); do
		n=$(($(cons_metric kuska_queries_refused_busy_total) +
			$(cons_metric kuska_queries_dropped_total)))
		[ "$n" -ge $((CONNS * COUNT - 1024 - (CONNS - 64))) ] && return 0
		sleep 0.1
	done
	return 1
}
check "the reader keeps all it may of the flood" full
# read_all N: until the reader has read N requests past the first (taken
# by the query thread, held): each is kept waiting, refused or dropped.
read_all() {
	local n
	for _ in $(seq 600); do
		n=$("$KUSKA" metrics -c "$N/consolidator.conf" | awk '
			$1 ~ /^kuska_queries_(waiting|refused_busy_total|dropped_total)$/ {
				n += $2
			}
			END { print n + 0 }')
		[ "$n" -ge "$1" ] && return 0
		sleep 0.1
	done
	echo "# $n of $1 read"
	return 1
}
check "... having read the whole flood" read_all $((CONNS * COUNT))
"$KUSKA" query -c "$N/secretariat.conf" deliveries >"$T/secretariat.out" \
	2>"$T/secretariat.err" &
asked=$!
# Its request read (refused at once, before): then the thread goes on (a
# second's sleep was not always enough on a loaded machine).
check "the secretariat's request is read" read_all $((CONNS * COUNT + 1))
rm -f "$SLOW"
wait $asked
rc=$?
check "the secretariat's table is answered, not refused as busy" test $rc = 0
if [ $rc != 0 ]; then
	echo "# exit $rc: $(cat "$T/secretariat.err")"
fi
wait $first
for p in "${fl[@]}"; do kill "$p" 2>/dev/null; done
wait "${fl[@]}" 2>/dev/null
# none_waiting: the reader kept none (all handed on to the query thread).
none_waiting() {
	for _ in $(seq 300); do
		[ "$(cons_metric kuska_queries_waiting)" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}
check "the requests kept are all handed on (kuska_queries_waiting 0)" \
	none_waiting
check "the consolidator is still running" kill -0 "${PIDS[cons]}"
finish
