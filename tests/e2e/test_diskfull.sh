#!/usr/bin/env bash
# End to end: a full disk under either daemon, on a small tmpfs. The
# refusal, the log and the status (exit 1) say "no space left on" with
# the path, the metrics count it, nothing is lost, and everything goes
# through once the file system has room again, without a restart. A
# --refetch whose rebuild finds no room leaves the statistics marked
# stale: the next start rebuilds them, and the tables are as before.
# Skipped where tmpfs cannot be mounted (not root, or no permission).
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/fs-cons" "$T/fs-node"
mount -t tmpfs -o size=1m tmpfs "$T/fs-cons" 2>/dev/null ||
	skip "cannot mount a tmpfs here"
mount -t tmpfs -o size=1m tmpfs "$T/fs-node" 2>/dev/null || {
	umount "$T/fs-cons"
	skip "cannot mount a tmpfs here"
}
trap 'for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done; wait 2>/dev/null;
	umount "$T/fs-cons" "$T/fs-node"; cleanup' EXIT

net_init
"$KUSKA" sim --out "$T/sim" --victims 1500 --seed 8 >/dev/null
npnp=$(records "$T/sim/pnp.jsonl")
sed -i "s|^data_dir = .*|data_dir = $T/fs-cons/store|" "$N/consolidator.conf"
sed -i "s|^data_dir = .*|data_dir = $T/fs-node/outbox|" "$N/mp.conf"

# --- the consolidator's disk fills up ----------------------------------------
start_cons
start_node pnp
"$KUSKA" submit -c "$N/pnp.conf" "$T/sim/pnp.jsonl" >/dev/null
# wait_log FILE PATTERN: until PATTERN shows in FILE (20 s at most).
wait_log() {
	local i
	for i in $(seq 100); do
		grep -q "$2" "$1" && return 0
		sleep 0.2
	done
	return 1
}
check "the consolidator logs: no space left on its store's path" \
	wait_log "$N/consolidator.log" "no space left on .*$T/fs-cons/store"
"$KUSKA" status -c "$N/consolidator.conf" >"$T/cstatus.out"
check "its status says so, with the path" \
	grep -q "no space left on .*$T/fs-cons/store" "$T/cstatus.out"
"$KUSKA" metrics -c "$N/consolidator.conf" >"$T/cmetrics.out"
check "its metrics count it" \
	grep -Eq '^kuska_store_disk_full_total [1-9]' "$T/cmetrics.out"
check "... as refused for its own store" \
	grep -Eq '^kuska_store_refused_total [1-9]' "$T/cmetrics.out"
check "... not as frames refused, which are the peers' bad frames" \
	grep -qx 'kuska_frames_refused_total 0' "$T/cmetrics.out"
check "... in its status too" grep -q 'frames refused: 0,' "$T/cstatus.out"
check "... whose status counts them as refused for its own store" \
	grep -Eq '^refused for this store \(full disk, its ceiling, an I/O error, memory\): [1-9]' "$T/cstatus.out"
"$KUSKA" status -c "$N/pnp.conf" >"$T/status.out"
check "the node shows the refusal: no space left on the consolidator" \
	grep -q "store_full: no space left on" "$T/status.out"
check "the node keeps what was not delivered" \
	test "$(node_last_seq pnp)" = "$npnp"
mount -o remount,size=16m "$T/fs-cons"
check "room again: everything delivered without a restart" wait_delivered 120
check "... each event once" test "$(cons_last_seq pnp)" = "$npnp"
"$KUSKA" status -c "$N/consolidator.conf" >"$T/cstatus.out"
check "the consolidator's status no longer mentions it" \
	sh -c "grep -q '^pnp ' '$T/cstatus.out' &&
		! grep -q 'no space left' '$T/cstatus.out'"

# --- a node's disk fills up --------------------------------------------------
start_node mp
"$KUSKA" submit -c "$N/mp.conf" "$T/sim/mp.jsonl" >"$T/mp.out" 2>&1
check "submit to a node with a full disk: non-zero exit" test $? != 0
check "... refused: no space left on the outbox's path" \
	grep -q "no space left on .*$T/fs-node/outbox" "$T/mp.out"
check "the node logs it" grep -q "no space left on .*$T/fs-node/outbox" "$N/mp.log"
"$KUSKA" status -c "$N/mp.conf" >"$T/mpstatus.out"
rc=$?
check "its status exits 1, with the path (exit $rc)" \
	sh -c "test $rc = 1 && grep -q 'no space left on .*$T/fs-node/outbox' '$T/mpstatus.out'"
"$KUSKA" metrics -c "$N/mp.conf" >"$T/mpmetrics.out"
check "its metrics count it" \
	grep -Eq '^kuska_node_disk_full_total\{institution="mp"\} [1-9]' "$T/mpmetrics.out"
mount -o remount,size=16m "$T/fs-node"
"$KUSKA" submit -c "$N/mp.conf" "$T/sim/mp.jsonl" >"$T/mp2.out" 2>&1
check "room again: the resubmission completes" \
	grep -q " 0 refused" "$T/mp2.out"
check "everything delivered" wait_delivered 120
check "... each event once" \
	test "$(cons_last_seq mp)" = "$(records "$T/sim/mp.jsonl")"
check "the node's status is clean again" "$KUSKA" status -c "$N/mp.conf"

# on_full_disk [-r PAGES] FS OUT CMD...: the tmpfs FS filled up but for
# PAGES pages (none by default; FS/filler, for the caller to remove), then
# CMD run with its output in OUT; its exit code in $rc.
on_full_disk() {
	local room=0
	if [ "$1" = -r ]; then
		room=$2
		shift 2
	fi
	local fs=$1 out=$2
	shift 2
	dd if=/dev/zero of="$fs/filler" bs=4k 2>/dev/null
	truncate -s "-$((room * $(getconf PAGESIZE)))" "$fs/filler"
	"$@" >"$out" 2>&1
	rc=$?
}

# --- the disk fills up under kuska-consolidator --refetch ---------------------
# The entries dropped (their own transaction), then no room to rebuild the
# statistics: started as it is, the store must not serve statistics that
# still count envelopes it no longer holds; it rebuilds them first.
# Room for the drop and not for the rebuild, whatever the sections above
# left: LMDB reuses the pages earlier transactions freed, and the store
# they leave holds some 200 of them, a number that moves with how the
# deliveries were batched; the rebuild needed only 5 pages (20 KiB) more,
# so a few more free pages and it found room and exited 0. Compacted (as
# mdb_copy -c copies a store) it has none, and the pages the drop frees
# wait for a later transaction (LMDB keeps the snapshot before it): the
# drop takes 9 new pages, the rebuild some 200 more. 32 pages left.
query_tables "$T/clean"
stop_cons TERM
mkdir "$T/compact"
check "the store compacted, no free pages (mdb_copy -c, of lmdb-utils)" \
	mdb_copy -c "$T/fs-cons/store" "$T/compact"
cp "$T/compact/data.mdb" "$T/fs-cons/store/data.mdb"
on_full_disk -r 32 "$T/fs-cons" "$T/refetch.out" \
	"$CONS" --refetch pnp:100 -c "$N/consolidator.conf"
check "--refetch on a full disk fails (exit $rc)" test $rc = 1
check "... saying no space left, and that the next start rebuilds" \
	grep -q "No space left on device.*rebuilt when kuska-consolidator starts" \
	"$T/refetch.out"
"$CONS" --rebuild -c "$N/consolidator.conf" >"$T/rebuild.out" 2>&1
rc=$?
check "--rebuild with no room either: exit 1, saying what to do (exit $rc)" \
	sh -c "test $rc = 1 && grep -q 'no room to rebuild the statistics.*make room' '$T/rebuild.out'"
rm "$T/fs-cons/filler"
start_cons
check "room again: the start rebuilds the statistics" \
	grep -q "event=stats_stale action=rebuild" "$N/consolidator.log"
check "the node sends the dropped events again" wait_held pnp "$npnp" 60
check "... delivered" wait_delivered 60
query_tables "$T/refetched"
check "every table as before: nothing counted twice" \
	same_tables "$T/clean" "$T/refetched"

# --- no room for kuska-consolidator --repair, before it drops anything --------
# A lock.mdb removed (a restore) on a full disk: --repair stops at its
# check, and says nothing was dropped, not "what it dropped, the nodes
# send again".
stop_cons TERM
rm -f "$T/fs-cons/store/lock.mdb"
on_full_disk "$T/fs-cons" "$T/repair.out" \
	"$CONS" --repair -c "$N/consolidator.conf"
check "--repair on a full disk fails (exit $rc)" test $rc = 1
check "... saying nothing was dropped, and what to do" \
	grep -q "$T/fs-cons/store: No space left on device: nothing was dropped, the store is as it was; make room and run --repair again" \
	"$T/repair.out"
rm "$T/fs-cons/filler"
start_cons
query_tables "$T/repair-full"
check "... and the store serves on as it was" \
	same_tables "$T/clean" "$T/repair-full"

# --- no room for kuska-node --recover's new outbox -----------------------------
stop_node mp TERM
on_full_disk "$T/fs-node" "$T/recover.out" "$NODE" --recover -c "$N/mp.conf"
check "--recover on a full disk fails (exit $rc)" test $rc = 1
check "... naming the directory, the outbox unchanged, and what to do" \
	grep -q "recovery failed: $T/fs-node/outbox: No space left on device (the outbox is unchanged); .*make room" \
	"$T/recover.out"
# A lock.mdb removed, as a restore does, with no room to make it again:
# the outbox is not damaged, and the node says what is wrong instead.
rm -f "$T/fs-node/outbox/lock.mdb"
dd if=/dev/zero of="$T/fs-node/filler2" bs=4k 2>/dev/null
timeout 5 "$NODE" -c "$N/mp.conf" >"$T/nolock.out" 2>&1
rc=$?
check "no room for lock.mdb: the node exits 1 (exit $rc)" test $rc = 1
check "... saying so, not calling the outbox damaged" sh -c \
	"grep -q 'cannot check the outbox: No space left on device (no room for lock.mdb' '$T/nolock.out' &&
		! grep -q event=outbox_damaged '$T/nolock.out'"
# The key holder's accounts on a full disk at start: it passes, so exit 1
# and systemd tries again; it was 78, which left the key holder stopped.
sed "s|^accounts = .*|accounts = $T/fs-node/accounts|" "$N/keyholder.conf" \
	>"$N/khfull.conf"
timeout 5 "$KEYHOLDER" -c "$N/khfull.conf" >"$T/khfull.out" 2>&1
rc=$?
check "a key holder whose accounts cannot be written for a full disk: exit 1 ($rc)" \
	sh -c "test $rc = 1 && grep -q 'khfull.conf: \[keyholder\] accounts: $T/fs-node/accounts: cannot write: No space left on device' '$T/khfull.out'"
check "... leaving no temporary file behind" \
	sh -c "! ls '$T/fs-node' | grep -q '^accounts'"
rm "$T/fs-node/filler" "$T/fs-node/filler2"
start_node mp
check "... and the outbox as it was serves on (status exit 0)" \
	"$KUSKA" status -c "$N/mp.conf"

finish
