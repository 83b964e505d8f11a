#!/usr/bin/env bash
# Order does not matter: the same records submitted in three different
# orders - each institution's file as written, then shuffled (shuffle.py
# keeps only what EVENTS.md lets order decide: same-day ties and the order
# of a record's corrections), with the nodes started in other orders, the
# consolidator started before them or after, and the institutions'
# submissions interleaved differently - give the same tables byte for
# byte, and so does a --rebuild of the last store. One network (keys,
# registry, configs) serves the three runs; only the stores are new.
. "$(dirname "$0")/lib.sh"

HERE="$KUSKA_SRC/tests/e2e"
TABLES="identification overlap breakdown referrals referrals_unmatched protection prosecution cases_unmatched funnel durations timeliness"
PERIODS="2023 2024 2025 2024H2 2025Q3"
# Under the sanitizers, whose question is memory along the paths the
# orders take through ingest (the plain build compares every period): the
# three years, which count every record, and the runs after the first
# without the client's leak check at exit (half its time), which the
# first run made for every table (the same client code each time).
[ "${KUSKA_SANITIZED:-OFF}" != ON ] || PERIODS="2023 2024 2025"
REPEAT_ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

# answers DIR: every table for every period, national, as the analyst;
# two clients at a time (each query is a process of its own, its start-up
# as long as its question in the sanitizer build), each asking every
# other one.
answers() {
	local t p k n pids=()
	mkdir -p "$1"
	for k in 0 1; do
		n=0
		for t in $TABLES; do
			for p in $PERIODS; do
				[ $((n++ % 2)) = $k ] || continue
				"$KUSKA" query -c "$N/analyst.conf" "$t" --period "$p" \
					--format csv >"$1/$t.$p.csv" 2>&1 ||
					echo "$t $p failed" >>"$1/failed"
			done
		done &
		pids+=($!)
	done
	wait "${pids[@]}"
	[ ! -e "$1/failed" ]
}

# same DIR1 DIR2: byte-identical answers (timeliness left out if Peru's
# midnight passed during the test: records are accepted on another day).
same() {
	local d x=()
	[ "$(date -u -d '-5 hours' +%F)" = "$DAY0" ] || x=(-x 'timeliness.*')
	d=$(diff -r "${x[@]}" "$1" "$2")
	[ -z "$d" ] && return 0
	echo "$d" | head -12 | sed 's/^/  /'
	return 1
}

# submit_chunks DIR ORDER...: each institution's file in chunks of 150
# lines, the institutions taking turns in the order given.
submit_chunks() {
	local dir=$1 i k left=1
	shift
	for i in "$@"; do split -l 150 -d -a 3 "$dir/$i.jsonl" "$dir/$i.part."; done
	for k in $(seq -f %03g 0 99); do
		left=0
		for i in "$@"; do
			[ -e "$dir/$i.part.$k" ] || continue
			left=1
			"$KUSKA" submit -c "$N/$i.conf" "$dir/$i.part.$k" >>"$T/chunks-$i.out" || return 1
		done
		[ $left = 1 ] || break
	done
}

net_init
DAY0=$(date -u -d '-5 hours' +%F)
"$KUSKA" sim --out "$T/sim" --victims 400 --seed 41 >/dev/null
python3 "$HERE/stats_edge.py" "$T/edge" --today "$DAY0"
mkdir -p "$T/a" "$T/b" "$T/c"
for i in $INSTS; do
	cat "$T/sim/$i.jsonl" "$T/edge/$i.jsonl" >"$T/a/$i.jsonl"
	python3 "$HERE/shuffle.py" 1 "$T/a/$i.jsonl" "$T/b/$i.jsonl"
	python3 "$HERE/shuffle.py" 2 "$T/a/$i.jsonl" "$T/c/$i.jsonl"
done
check "shuffled files hold the same records in another order" sh -c "
	! cmp -s '$T/a/pnp.jsonl' '$T/b/pnp.jsonl' &&
	test \"\$(sort '$T/a/pnp.jsonl' | md5sum)\" = \"\$(sort '$T/c/pnp.jsonl' | md5sum)\""

# Run A: the consolidator first, nodes in institution order, each
# institution's file whole, one after the other.
start_all
check "run A: every record accepted" submit_all "$T/a"
check "run A: delivered" wait_delivered 120
check "run A: answers" answers "$T/ans-a"
wipe_all

# Run B: shuffled files, nodes started in reverse order before the
# consolidator (they deliver when it appears), institutions interleaved in
# chunks of 150 lines, minsa first.
for i in minsa mimp pj mp pnp; do start_node "$i"; done
check "run B: every record accepted" submit_chunks "$T/b" minsa pnp mimp mp pj
start_cons
check "run B: delivered" wait_delivered 120
ASAN_OPTIONS=$REPEAT_ASAN_OPTIONS check "run B: answers" answers "$T/ans-b"
check "run B equals run A, every table" same "$T/ans-a" "$T/ans-b"
wipe_all

# Run C: other shuffles, the five institutions submitting all at once.
start_all
subs=()
for i in $INSTS; do
	"$KUSKA" submit -c "$N/$i.conf" "$T/c/$i.jsonl" >"$T/c-$i.out" &
	subs+=($!)
done
wait "${subs[@]}"
for i in $INSTS; do
	check "run C: $i's records accepted" grep -q " 0 refused" "$T/c-$i.out"
done
check "run C: delivered" wait_delivered 120
ASAN_OPTIONS=$REPEAT_ASAN_OPTIONS check "run C: answers" answers "$T/ans-c"
check "run C equals run A, every table" same "$T/ans-a" "$T/ans-c"

# And C's store rebuilt from its envelopes answers the same again.
stop_cons TERM
"$CONS" --rebuild -c "$N/consolidator.conf" >"$T/rebuild.out" 2>&1
check "run C: --rebuild succeeds" test $? = 0
start_cons
ASAN_OPTIONS=$REPEAT_ASAN_OPTIONS check "run C after --rebuild: answers" answers "$T/ans-c2"
check "run C after --rebuild equals run A, every table" same "$T/ans-a" "$T/ans-c2"

wipe_all
finish
