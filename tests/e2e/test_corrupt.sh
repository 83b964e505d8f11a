#!/usr/bin/env bash
# End to end: damaged data files. Bytes overwritten in a stopped node's
# outbox and in the consolidator's store are found when the daemon starts
# (it refuses to work from them, exit 78 so that systemd does not start it
# again, and names what is damaged); a file cut to half its length gets a
# clear message and exit 78, never a signal; a check that cannot be made
# (no memory) exits 1, which systemd restarts;
# random bytes anywhere never crash a daemon or --audit. The repairs -
# `kuska-node --recover` from the consolidator's copy, `kuska-consolidator
# --repair` with the nodes sending again what it dropped - give tables
# identical to the run before the damage.
. "$(dirname "$0")/lib.sh"

net_init
"$KUSKA" sim --out "$T/sim" --victims 500 --seed 21 >/dev/null
start_cons
start_node pnp
start_node mp
for i in pnp mp; do
	"$KUSKA" submit -c "$N/$i.conf" "$T/sim/$i.jsonl" >/dev/null
done
check "delivered" wait_delivered 60
query_tables "$T/clean"
npnp=$(records "$T/sim/pnp.jsonl")
nmp=$(records "$T/sim/mp.jsonl")
# refetched: the consolidator holds every event of both nodes again.
refetched() {
	wait_held pnp "$npnp" 60 && wait_held mp "$nmp" 60 && wait_delivered 30
}

# damage FILE PATTERN: every occurrence of PATTERN in FILE overwritten
# with random bytes (the live copy among them); prints how many.
damage() {
	python3 - "$1" "$2" <<-'EOF'
		import os, sys
		path, pat = sys.argv[1], sys.argv[2].encode()
		data = bytearray(open(path, "rb").read())
		n, i = 0, data.find(pat)
		while i >= 0:
		    data[i:i + len(pat)] = os.urandom(len(pat))
		    n, i = n + 1, data.find(pat, i + len(pat))
		open(path, "r+b").write(data)
		print(n)
	EOF
}

# unroot FILE TABLE: the root page number LMDB keeps for TABLE (in the
# main table's leaf page, reached from the newer meta page) set past the
# end of the file, so that reading TABLE fails with LMDB's bare "Requested
# page not found" (MDB_PAGE_NOTFOUND). LMDB's layout on 64 bits: a page
# header of 16 bytes; in a meta page, mm_dbs[FREE] at 40 (its md_pad is
# the page size), mm_dbs[MAIN] at 88 (md_root at +40), mm_txnid at 144.
unroot() {
	python3 - "$1" "$2" <<-'EOF'
		import struct, sys
		path, table = sys.argv[1], sys.argv[2].encode()
		f = open(path, "r+b")
		head = f.read(4096)
		ps = struct.unpack_from("<I", head, 40)[0]
		def page(n):
		    f.seek(n * ps)
		    return bytearray(f.read(ps))
		meta = max((page(n) for n in (0, 1)),
		           key=lambda p: struct.unpack_from("<Q", p, 144)[0])
		root = struct.unpack_from("<Q", meta, 128)[0]
		p = page(root)
		lower = struct.unpack_from("<H", p, 12)[0]
		for i in range((lower - 16) // 2):
		    off = struct.unpack_from("<H", p, 16 + 2 * i)[0]
		    ksize = struct.unpack_from("<H", p, off + 6)[0]
		    if bytes(p[off + 8:off + 8 + ksize]) == table:
		        struct.pack_into("<Q", p, off + 8 + ksize + 40, 0x7ffffff0)
		        f.seek(root * ps)
		        f.write(p)
		        sys.exit(0)
		sys.exit("unroot: no table " + table.decode())
	EOF
}

# smash FILE OFFSET: 4 KiB of random bytes at OFFSET.
smash() {
	head -c 4096 /dev/urandom |
		dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# run_briefly LOG CMD...: runs a daemon in the foreground for at most 5 s;
# its exit code (124: still running after 5 s) in $rc.
run_briefly() {
	local log=$1
	shift
	timeout 5 "$@" >>"$log" 2>&1
	rc=$?
}

# run_started LOG CONF CMD...: runs a daemon until it has started (its
# log says event=start, all its checks at start passed) and answers a
# kuska status -c CONF from its loop, then stops it; or until it exits.
# $rc as run_briefly's: 124 when it was running when stopped, else its
# exit code (125: still running, but not started within 60 s). A daemon
# expected to run is not given run_briefly's 5 s: four of them were 20 s
# of the test (in each build) with nothing more to see.
run_started() {
	local log=$1 conf=$2 pid i up=0
	shift 2
	"$@" >>"$log" 2>&1 &
	pid=$!
	for i in $(seq 600); do
		kill -0 "$pid" 2>/dev/null || break
		if grep -q "event=start " "$log"; then
			"$KUSKA" status -c "$conf" >/dev/null 2>&1
			[ $? -le 1 ] && up=1 && break
		fi
		sleep 0.1
	done
	if [ $up = 1 ] && kill -0 "$pid" 2>/dev/null; then
		rc=124
		kill -TERM "$pid"
		wait "$pid"
	elif kill -0 "$pid" 2>/dev/null; then
		rc=125
		kill -KILL "$pid"
		wait "$pid"
	else
		wait "$pid"
		rc=$?
	fi
}

# --- (a) a node's outbox with damaged values --------------------------------
stop_node pnp TERM
# First a check that cannot be made: its child cannot map the outbox (1 GiB,
# past the address space ulimit -v leaves; as memory running out would).
# That says nothing of the outbox: exit 1, which systemd restarts, not 78.
# (A sanitizer's shadow memory does not start under ulimit -v.)
if [ "${KUSKA_SANITIZED:-OFF}" != ON ]; then
	: >"$T/nomem.log"
	run_briefly "$T/nomem.log" sh -c 'ulimit -v 600000 && exec "$@"' sh \
		"$NODE" -c "$N/pnp.conf"
	check "(a) no memory for the check: the node exits 1, restartable (exit $rc)" \
		test $rc = 1
	check "(a) ... saying it could not check, and why, not that it is damaged" \
		sh -c "grep -q 'event=outbox_check_failed .*could not check the outbox: .*Cannot allocate memory' '$T/nomem.log' &&
			! grep -q event=outbox_damaged '$T/nomem.log'"
	# --recover too: it took the outbox for an unreadable one, its
	# events not yet delivered for lost.
	sh -c 'ulimit -v 600000 && exec "$@"' sh "$NODE" --recover \
		-c "$N/pnp.conf" >"$T/nomem-recover.out" 2>&1
	rc=$?
	check "(a) ... --recover with no memory for the check: exit 1 ($rc), the outbox unchanged, saying why" \
		sh -c "test $rc = 1 && grep -q 'could not check the outbox: .*Cannot allocate memory' '$T/nomem-recover.out' &&
			grep -q '(the outbox is unchanged)' '$T/nomem-recover.out' &&
			! grep -q 'cannot be read' '$T/nomem-recover.out'"
fi
n=$(damage "$N/data/pnp/data.mdb" "PNP-000100")
check "(a) the ref of seq 100 was found in the outbox ($n copies)" test "$n" -ge 1
: >"$T/a.log"
run_briefly "$T/a.log" "$NODE" -c "$N/pnp.conf"
check "(a) the node refuses to start from a damaged outbox, exit 78: not restarted (exit $rc)" \
	test $rc = 78
check "(a) ... and names the damaged sequence" \
	grep -q "damaged.*seq 100" "$T/a.log"
check "(a) ... and the way to repair it" grep -q -- "--recover" "$T/a.log"
"$NODE" --recover -c "$N/pnp.conf" >"$T/a-recover.out" 2>&1
rc=$?
check "(a) kuska-node --recover succeeds (exit $rc)" test $rc = 0
[ $rc = 0 ] || tail -3 "$T/a-recover.out" | sed 's/^/  /'
start_node pnp
"$KUSKA" submit -c "$N/pnp.conf" "$T/sim/pnp.jsonl" >"$T/a-submit.out" 2>&1
check "(a) resubmission after the repair stores nothing twice" \
	grep -q ": 0 accepted, $npnp already held, 0 refused" "$T/a-submit.out"
check "(a) delivered" wait_delivered 30
query_tables "$T/a"
check "(a) tables identical to the run before the damage" \
	same_tables "$T/clean" "$T/a"

# --- (b) the consolidator's store with damaged values -----------------------
stop_cons TERM
n=$(damage "$N/data/consolidator/data.mdb" "129-A")
check "(b) some stored events name article 129-A ($n copies)" test "$n" -ge 1
: >"$T/b.log"
run_briefly "$T/b.log" "$CONS" -c "$N/consolidator.conf"
check "(b) the consolidator refuses to start from a damaged store, exit 78: not restarted (exit $rc)" \
	test $rc = 78
check "(b) ... and says how to repair it" grep -q -- "--repair" "$T/b.log"
"$CONS" --audit -c "$N/consolidator.conf" >"$T/b-audit.out" 2>&1
rc=$?
check "(b) --audit fails (exit $rc)" test $rc = 1
check "(b) ... naming damaged sequences" \
	grep -q "damaged: .*seq [0-9]" "$T/b-audit.out"
"$CONS" --repair -c "$N/consolidator.conf" >"$T/b-repair.out" 2>&1
rc=$?
check "(b) kuska-consolidator --repair succeeds (exit $rc)" test $rc = 0
[ $rc = 0 ] || tail -3 "$T/b-repair.out" | sed 's/^/  /'
start_cons
check "(b) the nodes send again what the repair dropped" refetched
query_tables "$T/b"
check "(b) tables identical to the run before the damage" \
	same_tables "$T/clean" "$T/b"
stop_cons TERM
check "(b) audit OK after the repair" audit_ok

# --- (c) files cut to half their length -------------------------------------
f="$N/data/consolidator/data.mdb"
truncate -s $(($(stat -c %s "$f") / 2)) "$f"
: >"$T/c.log"
run_briefly "$T/c.log" "$CONS" -c "$N/consolidator.conf"
check "(c) truncated store: the consolidator exits 78, no signal (exit $rc)" \
	test $rc = 78
check "(c) ... saying the file is truncated" grep -qi "truncated" "$T/c.log"
"$CONS" --audit -c "$N/consolidator.conf" >"$T/c-audit.out" 2>&1
rc=$?
check "(c) --audit on it: exit 1, no signal (exit $rc)" test $rc = 1
check "(c) ... saying the file is truncated" grep -qi "truncated" "$T/c-audit.out"
"$CONS" --repair -c "$N/consolidator.conf" >"$T/c-repair.out" 2>&1
rc=$?
check "(c) --repair succeeds (exit $rc)" test $rc = 0
[ $rc = 0 ] || tail -3 "$T/c-repair.out" | sed 's/^/  /'
start_cons
check "(c) the nodes send everything again" refetched
query_tables "$T/c"
check "(c) tables identical to the run before the damage" \
	same_tables "$T/clean" "$T/c"

stop_node pnp TERM
f="$N/data/pnp/data.mdb"
truncate -s $(($(stat -c %s "$f") / 2)) "$f"
: >"$T/cn.log"
run_briefly "$T/cn.log" "$NODE" -c "$N/pnp.conf"
check "(c) truncated outbox: the node exits 78, no signal (exit $rc)" \
	test $rc = 78
check "(c) ... saying the file is truncated" grep -qi "truncated" "$T/cn.log"
"$NODE" --recover -c "$N/pnp.conf" >"$T/cn-recover.out" 2>&1
rc=$?
check "(c) kuska-node --recover from the consolidator (exit $rc)" test $rc = 0
start_node pnp
"$KUSKA" submit -c "$N/pnp.conf" "$T/sim/pnp.jsonl" >"$T/cn-submit.out" 2>&1
check "(c) resubmission stores nothing twice" \
	grep -q ": 0 accepted, $npnp already held, 0 refused" "$T/cn-submit.out"
check "(c) delivered" wait_delivered 30
query_tables "$T/cn"
check "(c) tables identical to the run before the damage" \
	same_tables "$T/clean" "$T/cn"

# --- (d) random bytes anywhere: never a signal ------------------------------
stop_node pnp TERM
stop_cons TERM
sed "s|data/consolidator|data/scratch|" "$N/consolidator.conf" >"$N/scratch.conf"
sed "s|data/pnp|data/pnpscratch|; s|run/pnp.sock|run/scratch.sock|;
	s|^consolidator = .*|consolidator = tcp://127.0.0.1:9|" \
	"$N/pnp.conf" >"$N/pnpscratch.conf"
for k in 1 2 3 4 5 6 7; do
	rm -rf "$N/data/scratch" "$N/data/pnpscratch"
	cp -a "$N/data/consolidator" "$N/data/scratch"
	cp -a "$N/data/pnp" "$N/data/pnpscratch"
	f="$N/data/scratch/data.mdb"
	smash "$f" $(($(stat -c %s "$f") * k / 8 / 4096 * 4096))
	f="$N/data/pnpscratch/data.mdb"
	smash "$f" $(($(stat -c %s "$f") * k / 8 / 4096 * 4096 + 100))
	timeout 30 "$CONS" --audit -c "$N/scratch.conf" >"$T/d-audit.out" 2>&1
	rc=$?
	check "(d) random page $k/8 of the store: --audit exits $rc, no signal" \
		exited_cleanly $rc
	run_briefly "$T/d-node.log" "$NODE" -c "$N/pnpscratch.conf"
	check "(d) random bytes $k/8 into the outbox: the node exits $rc, no signal" \
		exited_cleanly $rc
done
# A copy that never finished: an empty data.mdb.
: >"$N/data/scratch/data.mdb"
: >"$N/data/pnpscratch/data.mdb"
timeout 30 "$CONS" --audit -c "$N/scratch.conf" >"$T/d-empty.out" 2>&1
check "(d) an empty store: --audit says so" grep -q "empty (0 bytes)" "$T/d-empty.out"
: >"$T/d-empty.log"
run_briefly "$T/d-empty.log" "$NODE" -c "$N/pnpscratch.conf"
check "(d) an empty outbox file: the node exits 78 saying so (exit $rc)" \
	sh -c "test $rc = 78 && grep -q 'empty (0 bytes)' '$T/d-empty.log'"
rm -f "$N/data/pnpscratch/data.mdb"
mkfifo "$N/data/pnpscratch/data.mdb"
: >"$T/d-fifo.log"
run_briefly "$T/d-fifo.log" "$NODE" -c "$N/pnpscratch.conf"
check "(d) a pipe for data.mdb: the node exits 78 saying so (exit $rc)" \
	sh -c "test $rc = 78 && grep -q 'not a regular file' '$T/d-fifo.log'"

# --- (e) another's files: never served, never delivered as ours ----------
stop_node mp TERM
mv "$N/data/pnp" "$T/pnp.own"
cp -a "$N/data/mp" "$N/data/pnp"
: >"$T/e.log"
run_briefly "$T/e.log" "$NODE" -c "$N/pnp.conf"
check "(e) mp's outbox in pnp's data_dir: the node refuses to start, a config error (exit $rc)" \
	test $rc = 78
check "(e) ... naming whose it is and the way out" \
	grep -q "holds the events of mp, not of pnp.*--recover" "$T/e.log"
# The way out it names: --recover sets mp's file aside, keeping nothing
# of it (its ref key is mp's, not to be compared), and rebuilds pnp's.
start_cons
"$NODE" --recover -c "$N/pnp.conf" >"$T/e-recover.out" 2>&1
rc=$?
stop_cons TERM
check "(e) ... and --recover takes it (exit $rc)" \
	sh -c "test $rc = 0 && grep -q 'the old outbox is kept as' '$T/e-recover.out'"
: >"$T/e-after.log"
run_started "$T/e-after.log" "$N/pnp.conf" "$NODE" -c "$N/pnp.conf"
check "(e) ... leaving pnp's own outbox, which runs (exit $rc)" \
	sh -c "test $rc = 124 && ! grep -q 'outbox_foreign' '$T/e-after.log'"
rm -rf "$N/data/pnp"
mv "$T/pnp.own" "$N/data/pnp"
# A linkage key made again (same epoch): pseudonyms would no longer
# link with the ones before; the node stores nothing and says which files.
"$KUSKA" keygen --linkage "$N/keys/linkage2.key" --epoch 1 >/dev/null
sed "s|^linkage_key = .*|linkage_key = keys/linkage2.key|" "$N/pnp.conf" \
	>"$N/pnplink.conf"
start_node pnp "$N/pnplink.conf"
head -5 "$T/sim/pnp.jsonl" >"$T/five.jsonl"
"$KUSKA" submit -c "$N/pnplink.conf" "$T/five.jsonl" >"$T/e-link.out" 2>&1
rc=$?
check "(e) another linkage key: nothing stored, the node names the files" \
	sh -c "test $rc != 0 && grep -q 'linkage_key or a key holder' '$T/e-link.out'"
stop_node pnp TERM
sed "s|^network = .*|network = kuska-demo2|" "$N/pnp.conf" >"$N/pnpnet.conf"
: >"$T/e-net.log"
run_started "$T/e-net.log" "$N/pnpnet.conf" "$NODE" -c "$N/pnpnet.conf"
# Only said: after a typo is corrected, the envelopes signed under it
# stay first in the outbox for good.
check "(e) a mistyped network: the node says to correct it, and runs (exit $rc)" \
	sh -c "test $rc = 124 && grep -q 'event=outbox_other_network.*correct it' '$T/e-net.log'"
sed "s|^ref_key = .*|ref_key = keys/mp-ref.key|" "$N/pnp.conf" >"$N/pnpref.conf"
: >"$T/e-ref.log"
run_briefly "$T/e-ref.log" "$NODE" -c "$N/pnpref.conf"
check "(e) another node's ref key: the node refuses to start, a config error (exit $rc)" \
	test $rc = 78
check "(e) ... saying what resubmitting would do" sh -c \
	"grep -q 'event=ref_key_mismatch' '$T/e-ref.log' &&
		grep -q 'stored, and counted, twice' '$T/e-ref.log'"
"$NODE" --recover -c "$N/pnpref.conf" >"$T/e-ref.out" 2>&1
rc=$?
check "(e) ... nor rebuilds the outbox with it (--recover exit $rc)" \
	sh -c "test $rc = 1 && grep -q 'outbox is unchanged' '$T/e-ref.out'"
"$KUSKA" demo init "$T/other" --port "$PORT" >/dev/null
sed "s|^registry = .*|registry = $T/other/registry.conf|" \
	"$N/consolidator.conf" >"$N/foreign.conf"
: >"$T/e-cons.log"
run_briefly "$T/e-cons.log" "$CONS" -c "$N/foreign.conf"
check "(e) the store with another deployment's registry: refused, a config error (exit $rc)" \
	test $rc = 78
check "(e) ... saying so and what to do" sh -c \
	"grep -q 'event=store_foreign' '$T/e-cons.log' &&
		grep -q \"list them again.*restore this consolidator's own data.mdb\" '$T/e-cons.log'"
check "(e) ... and the store unchanged: audit OK" audit_ok
# A registry that dropped mp's key (where it should have revoked it):
# this store all the same. It starts, naming what the registry lacks.
awk '/^\[/ { skip = ($0 == "[key mp-1]") } !skip' "$N/registry.conf" \
	>"$N/registry-nomp.conf"
sed "s|^registry = .*|registry = $N/registry-nomp.conf|" \
	"$N/consolidator.conf" >"$N/nomp.conf"
: >"$T/e-nomp.log"
run_started "$T/e-nomp.log" "$N/nomp.conf" "$CONS" -c "$N/nomp.conf"
check "(e) a registry without mp's key: the store is still ours, it starts (exit $rc)" \
	sh -c "test $rc = 124 && ! grep -q 'event=store_foreign' '$T/e-nomp.log'"
check "(e) ... saying which events the registry no longer lists" \
	grep -q "event=store_unlisted.*mp's last event.*not registered for mp" "$T/e-nomp.log"
# Each daemon pointed at the other's directory: refused, nothing written;
# a start exits 78, as systemd must not try again (a run by hand, 1).
sed "s|^data_dir = .*|data_dir = data/pnp|" "$N/consolidator.conf" >"$N/cons-pnp.conf"
sed "s|^data_dir = .*|data_dir = data/consolidator|" "$N/pnp.conf" >"$N/pnp-cons.conf"
: >"$T/e-swap.log"
run_briefly "$T/e-swap.log" "$CONS" -c "$N/cons-pnp.conf"
c=$rc
"$CONS" --repair -c "$N/cons-pnp.conf" >>"$T/e-swap.log" 2>&1
r=$?
run_briefly "$T/e-swap.log" "$NODE" -c "$N/pnp-cons.conf"
n=$rc
"$NODE" --recover -c "$N/pnp-cons.conf" >>"$T/e-swap.log" 2>&1
check "(e) a data_dir naming the other daemon's: start, --repair, --recover refused ($c $r $n $?)" \
	test "$c $r $n $?" = "78 1 78 1"
check "(e) ... saying so" \
	test "$(grep -c "data.mdb is the other daemon's" "$T/e-swap.log")" = 4
check "(e) ... and neither file touched: audit OK" audit_ok
: >"$T/e-own.log"
run_started "$T/e-own.log" "$N/pnp.conf" "$NODE" -c "$N/pnp.conf"
check "(e) ... and pnp's own outbox still runs (exit $rc)" \
	sh -c "test $rc = 124 && ! ls '$N/data/consolidator' | grep -q before-recover"

# --- (f) a table LMDB cannot find: said to be damaged ----------------------
# LMDB answers "Requested page not found" for it; the node's log line and
# the consolidator's audit say "damaged", as for a damaged header, not the
# bare LMDB code (found walking OPERATIONS.md section 10, "A damaged file").
mkdir -p "$T/f-pnp" "$T/f-cons"
cp "$N/data/pnp/data.mdb" "$T/f-pnp/" && unroot "$T/f-pnp/data.mdb" outbox
cp "$N/data/consolidator/data.mdb" "$T/f-cons/" &&
	unroot "$T/f-cons/data.mdb" t01
sed "s|^data_dir = .*|data_dir = $T/f-pnp|" "$N/pnp.conf" >"$N/f-pnp.conf"
sed "s|^data_dir = .*|data_dir = $T/f-cons|" "$N/consolidator.conf" \
	>"$N/f-cons.conf"
: >"$T/f.log"
run_briefly "$T/f.log" "$NODE" -c "$N/f-pnp.conf"
check "(f) an outbox table LMDB cannot find: the node stops, exit 78 ($rc)" \
	test $rc = 78
check "(f) ... its event=outbox_damaged saying damaged, the table and the file" \
	grep -q "event=outbox_damaged .*text=\"damaged: LMDB cannot read table outbox of $T/f-pnp/data.mdb (MDB_PAGE_NOTFOUND" "$T/f.log"
"$CONS" --audit -c "$N/f-cons.conf" >"$T/f-audit.out" 2>&1
rc=$?
check "(f) a store table LMDB cannot find: --audit says damaged (exit $rc)" \
	sh -c "test $rc = 1 && grep -q '^unreadable: damaged: LMDB cannot read table t01 of $T/f-cons/data.mdb (MDB_PAGE_NOTFOUND' '$T/f-audit.out'"

finish
