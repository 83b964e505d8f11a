#!/usr/bin/env bash
# End to end: one daemon per data directory and per local socket, a dead
# node told from a slow one at once, and input files that cannot be read.
#  - a second kuska-node with the same config is refused; the first keeps
#    its socket and works on, also after the second gave up;
#  - a second kuska-consolidator with the same control socket (another
#    data directory) is refused; the first keeps answering; so is one on
#    the same port, and each refusal names the config key; one refused
#    after binding its control socket (a query port in use) leaves no
#    socket file; one whose query port is its own node port is a config
#    error (-n and the start exit 78, naming the line);
#  - a node stopped cleanly removes its socket file: kuska status says
#    nothing listens there;
#  - a socket file left by a killed node: kuska submit and kuska status say
#    the node is not running, within two seconds; a stopped (hung) node is
#    "not answering", also within seconds; the next start cleans up;
#  - a local socket whose directory does not exist: -n warns, passes;
#  - a data_dir that does not exist: -n says so, the first start makes a
#    new, empty store (outbox) and says so in the log; one whose parent
#    is missing too (a mistyped path, or a disk not mounted yet) is
#    refused with exit 1, naming the key and RequiresMountsFor=; one that
#    is a file exits 78, for node and consolidator alike; a start
#    refused (a port in use) leaves no new store behind, nor does --repair
#    of a data_dir without a store;
#  - kuska submit of a directory or of a closed standard input is an
#    error with the file's name and the reason; a spreadsheet (a ZIP
#    archive) is named as one and nothing of it is sent, and so are a
#    compressed export (gzip), a CSV export (delimited text), a JSON
#    array (pretty-printed or on one line, with the jq command) and a
#    file whose line ends are CRs alone, from its first line or after its
#    first lines (the line they start at named; one of 4 MB refused from
#    its head, not read to its end); an empty
#    file is said to be empty; a UTF-16 file has as many refusals as
#    records;
#  - a request over the consolidator's or the key holder's control
#    socket's limits is answered with the reason, logged, counted, a
#    malformed one answered 'malformed control request', and the next
#    status answered;
#  - kuska submit interrupted (SIGINT) after a first piece of a file was
#    answered prints that file's counts, says what was not sent and what
#    to do, names the files after it that it did not send, completes its
#    --report file and exits 130; submitting the file again sends the
#    rest;
#  - kuska submit given no answer within its --timeout (the node
#    stopped after a first piece) says the node may still store the
#    lines not answered and what to do, and exits 2;
#  - kuska submit whose node is killed under it says so at once and what
#    to do, exits 2 and names the next file as not sent (it waited its
#    whole time-out for the node gone); sent again, nothing is refused;
#  - none of what these said or kept (kuska submit's output and --report
#    file, the logs, the data files) holds an identity of the input.
. "$(dirname "$0")/lib.sh"

net_init
"$KUSKA" sim --out "$T/sim" --victims 100 --seed 3 >/dev/null
head -20 "$T/sim/pnp.jsonl" >"$T/one.jsonl"
sed -n '21,40p' "$T/sim/pnp.jsonl" >"$T/two.jsonl"

# --- a data_dir that does not exist ----------------------------------------
"$CONS" -n -c "$N/consolidator.conf" >/dev/null 2>"$T/n.err"
check "kuska-consolidator -n says data_dir does not exist yet" \
	grep -q "consolidator.conf: \[consolidator\] data_dir: $N/data/consolidator does not exist yet: the first start creates it, with a new, empty store" "$T/n.err"
"$NODE" -n -c "$N/pnp.conf" >/dev/null 2>"$T/n.err"
check "kuska-node -n says data_dir does not exist yet" \
	grep -q "pnp.conf: \[node\] data_dir: $N/data/pnp does not exist yet" "$T/n.err"
sed "s|^submit = ipc://run/|submit = ipc://runx/|" "$N/pnp.conf" \
	>"$N/nosock.conf"
"$NODE" -n -c "$N/nosock.conf" >/dev/null 2>"$T/n.err"
rc=$?
check "kuska-node -n of a socket whose directory is missing passes (exit $rc)" \
	test $rc = 0
check "... warning that a start refuses it unless systemd makes it" \
	grep -q "nosock.conf: \[node\] submit: ipc://$N/runx/pnp.sock: its directory $N/runx does not exist yet: a start refuses it, unless systemd makes it (RuntimeDirectory=)" "$T/n.err"
sed "s|data/consolidator|datx/consolidator|" "$N/consolidator.conf" \
	>"$N/typo.conf"
timeout 5 "$CONS" -c "$N/typo.conf" >"$T/typo.out" 2>&1
rc=$?
check "a data_dir whose parent is missing too is refused (exit $rc)" \
	sh -c "test $rc = 1 && test ! -e '$N/datx'"
check "... naming the config key" \
	grep -q "typo.conf: \[consolidator\] data_dir: $N/datx/consolidator: no such directory, nor its parent $N/datx (mistyped, or on a disk not mounted yet" \
	"$T/typo.out"
check "... and how systemd waits for a disk" \
	grep -q "RequiresMountsFor=$N/datx/consolidator in a drop-in" "$T/typo.out"
# A data_dir that is a file: a start finds the same file again, so exit 78
# (EX_CONFIG), which the units do not restart; before, 1, restarted every
# 5 s for ever. -n said "configuration OK" of it.
: >"$N/afile"
# data_dir_a_file BIN SECTION CONF NAME: BIN (a node or a consolidator,
# SECTION) with CONF's data_dir set to that file, in NAME.conf: a start
# and -n each exit 78, naming the config key and why.
data_dir_a_file() {
	local bin=$1 section=$2 name=$4
	sed "s|^data_dir = .*|data_dir = $N/afile|" "$3" >"$N/$name.conf"
	timeout 5 "$bin" -c "$N/$name.conf" >"$T/$name.out" 2>&1
	rc=$?
	check "a $section whose data_dir is a file: exit 78 ($rc)" test $rc = 78
	check "... naming the key and why" \
		grep -q "$name.conf: \[$section\] data_dir: $N/afile: cannot lock: Not a directory" \
		"$T/$name.out"
	"$bin" -n -c "$N/$name.conf" >/dev/null 2>"$T/$name.out"
	rc=$?
	check "... and -n of it: exit 78 ($rc), saying so" sh -c "test $rc = 78 &&
		grep -q '$name.conf: \[$section\] data_dir: $N/afile: not a directory' '$T/$name.out'"
}
data_dir_a_file "$NODE" node "$N/pnp.conf" fileout
data_dir_a_file "$CONS" consolidator "$N/consolidator.conf" filestore
# The key holder's accounts file where it cannot be written: -n said
# "configuration OK" of it, and the start exited 78.
mkdir "$N/adir"
# keyholder_accounts NAME PATH: a key holder's config NAME keeping its
# accounts in PATH, run with -n; its exit code in $rc, stderr in T/NAME.err.
keyholder_accounts() {
	sed "s|^accounts = .*|accounts = $2|" "$N/keyholder.conf" >"$N/$1.conf"
	"$KEYHOLDER" -n -c "$N/$1.conf" >/dev/null 2>"$T/$1.err"
	rc=$?
}
keyholder_accounts acdir "$N/adir"
check "kuska-keyholder -n of accounts that are a directory: exit 78 ($rc), naming the file and the key" \
	sh -c "test $rc = 78 && grep -q 'acdir.conf: \[keyholder\] accounts: $N/adir: Is a directory: a start refuses it' '$T/acdir.err'"
keyholder_accounts acfile "$N/afile/accounts"
check "... of accounts under a file: exit 78 ($rc)" \
	sh -c "test $rc = 78 && grep -q 'acfile.conf: \[keyholder\] accounts: $N/afile/accounts: Not a directory' '$T/acfile.err'"
keyholder_accounts acnone "$N/nodir/accounts"
check "... of accounts in a directory not there yet: exit 0 ($rc), a warning" \
	sh -c "test $rc = 0 && grep -q 'acnone.conf: \[keyholder\] accounts: $N/nodir/accounts: its directory $N/nodir: No such file or directory: a start refuses it, unless systemd makes it' '$T/acnone.err'"
# root writes whatever the mode says: only another user is refused.
if [ "$(id -u)" != 0 ]; then
	chmod 0500 "$N/adir"
	keyholder_accounts acro "$N/adir/accounts"
	check "... of accounts in a directory it cannot write: exit 78 ($rc)" \
		sh -c "test $rc = 78 && grep -q 'acro.conf: \[keyholder\] accounts: $N/adir/accounts: its directory $N/adir cannot be written: Permission denied' '$T/acro.err'"
	chmod 0700 "$N/adir"
fi
# Run as root, -n weighs permissions for the directory's owner (the
# service's user; access() says yes to root): a data.mdb or an accounts
# file restored by root into it passed -n, and the start exited 78.
if [ "$(id -u)" = 0 ]; then
	install -d -o 4242 -g 4242 -m 0700 "$N/owned"
	install -m 0600 /dev/null "$N/owned/data.mdb"
	sed "s|^data_dir = .*|data_dir = $N/owned|" "$N/pnp.conf" >"$N/owned.conf"
	"$NODE" -n -c "$N/owned.conf" >/dev/null 2>"$T/owned.err"
	rc=$?
	check "kuska-node -n as root of a data.mdb of root's in the service's directory: exit 78 ($rc)" \
		sh -c "test $rc = 78 && grep -q 'owned.conf: \[node\] data_dir: $N/owned/data.mdb: cannot be read and written for uid 4242, the owner of $N/owned (the user the daemon runs as): Permission denied' '$T/owned.err'"
	chown 4242:4242 "$N/owned/data.mdb"
	"$NODE" -n -c "$N/owned.conf" >/dev/null 2>"$T/owned.err"
	rc=$?
	check "... given to that user: exit 0 ($rc)" test $rc = 0
	chown 0:0 "$N/owned"
	"$NODE" -n -c "$N/owned.conf" >/dev/null 2>"$T/owned.err"
	rc=$?
	check "... a directory of root's: exit 0 ($rc), warning that -n as root cannot tell" \
		sh -c "test $rc = 0 && grep -q 'owned.conf: \[node\] data_dir: $N/owned is root.s: -n run as root cannot tell what the daemon.s user may do in it' '$T/owned.err'"
	chown 4242:4242 "$N/adir"
	install -m 0600 /dev/null "$N/adir/accounts"
	keyholder_accounts acroot "$N/adir/accounts"
	check "kuska-keyholder -n as root of accounts of root's in the service's directory: exit 78 ($rc)" \
		sh -c "test $rc = 78 && grep -q 'acroot.conf: \[keyholder\] accounts: $N/adir/accounts: cannot be read and written for uid 4242' '$T/acroot.err'"
	rm -rf "$N/owned" "$N/adir/accounts"
fi
rmdir "$N/adir"
rm -f "$N/afile"

# --- a configuration a daemon cannot use: exit 78 ---------------------------
# EX_CONFIG, which the systemd units do not restart (RestartPreventExitStatus=):
# starting again cannot help. Other failures keep 1 (below: a port in use).
cp "$N/consolidator.conf" "$N/colour.conf"
printf 'colour = blue\n' >>"$N/colour.conf"
timeout 5 "$CONS" -c "$N/colour.conf" >"$T/cfg.out" 2>&1
rc=$?
check "a consolidator config with an unknown key: exit 78 ($rc)" \
	sh -c "test $rc = 78 && grep -q 'colour.conf:[0-9]*: .*colour' '$T/cfg.out'"
"$CONS" -n -c "$N/colour.conf" >/dev/null 2>&1
rc=$?
check "... and -n of it: exit 78 ($rc)" test $rc = 78
printf '[party nobody]\n' >"$N/badreg.conf"
sed "s|^registry = .*|registry = badreg.conf|" "$N/consolidator.conf" \
	>"$N/badreg-cons.conf"
timeout 5 "$CONS" -c "$N/badreg-cons.conf" >"$T/cfg.out" 2>&1
rc=$?
check "a consolidator whose registry is refused: exit 78 ($rc)" \
	sh -c "test $rc = 78 && grep -q 'badreg.conf' '$T/cfg.out'"
sed "s|^linkage_key = .*|linkage_key = keys/missing.key|" "$N/pnp.conf" \
	>"$N/nokey.conf"
timeout 5 "$NODE" -c "$N/nokey.conf" >"$T/cfg.out" 2>&1
rc=$?
# key_named CONF SECTION KEY OUT: OUT names the key file's error as any
# other config error, CONF:LINE: [SECTION] KEY:, LINE that of KEY in CONF.
key_named() {
	local line
	line=$(grep -n "^$3 = " "$1" | cut -d: -f1)
	[ -n "$line" ] && grep -qF "$1:$line: [$2] $3: " "$4"
}
# key_fault RC CONF SECTION KEY: exit 78, and T/cfg.out names the key.
key_fault() {
	[ "$1" = 78 ] && key_named "$2" "$3" "$4" "$T/cfg.out"
}
check "a node whose linkage key file is missing: exit 78 ($rc)" test $rc = 78
check "... naming the config, the line and the key" \
	key_named "$N/nokey.conf" node linkage_key "$T/cfg.out"
test ! -e "$N/data/pnp" || not_ok "... it made an outbox"
# Every daemon's key files, and a key file of every kind of fault:
# missing, unreadable for its mode, of the wrong size.
sed "s|^consolidator_key = .*|consolidator_key = keys/missing.pub|" \
	"$N/pnp.conf" >"$N/nocons.conf"
"$NODE" -n -c "$N/nocons.conf" >"$T/cfg.out" 2>&1
rc=$?
check "a node whose consolidator_key is missing: exit 78 ($rc), file, line and key named" \
	key_fault $rc "$N/nocons.conf" node consolidator_key
install -m 0644 "$(sed -n 's|^key = ||p' "$N/pnp.conf" | sed "s|^\([^/]\)|$N/\1|")" \
	"$N/open.key"
sed "s|^key = .*|key = open.key|" "$N/pnp.conf" >"$N/openkey.conf"
"$NODE" -n -c "$N/openkey.conf" >"$T/cfg.out" 2>&1
rc=$?
check "a node whose key others may read: exit 78 ($rc), file, line and key named" \
	key_fault $rc "$N/openkey.conf" node key
sed "s|^key = .*|key = keys/missing.key|" "$N/consolidator.conf" \
	>"$N/nokey-cons.conf"
timeout 5 "$CONS" -c "$N/nokey-cons.conf" >"$T/cfg.out" 2>&1
rc=$?
check "a consolidator whose key is missing: exit 78 ($rc), file, line and key named" \
	key_fault $rc "$N/nokey-cons.conf" consolidator key
install -m 0600 /dev/null "$N/short.share"
printf 'not a share\n' >"$N/short.share"
sed "s|^share = .*|share = short.share|" "$N/keyholder.conf" \
	>"$N/badshare.conf"
timeout 5 "$KEYHOLDER" -c "$N/badshare.conf" >"$T/cfg.out" 2>&1
rc=$?
check "a key holder whose share is of the wrong size: exit 78 ($rc), file, line and key named" \
	key_fault $rc "$N/badshare.conf" keyholder share
printf '[keyholder]\nmax_connections = 0\n' >"$N/badholder.conf"
timeout 5 "$KEYHOLDER" -c "$N/badholder.conf" >"$T/cfg.out" 2>&1
rc=$?
check "a key holder with a bad config: exit 78 ($rc)" test $rc = 78
# The key holder's listen address copied as the node's keyholder: libzmq
# cannot connect to tcp://*:PORT, so the node exited 1 at each start,
# restarted by systemd for ever; -n passed it.
sed "s|^keyholder = .*|keyholder = tcp://*:$((PORT + 2))|" "$N/pnp.conf" \
	>"$N/star.conf"
timeout 5 "$NODE" -c "$N/star.conf" >"$T/cfg.out" 2>&1
rc=$?
check "a node whose keyholder is tcp://*:PORT: exit 78 ($rc)" test $rc = 78
check "... naming the file, the key and the way out" \
	grep -q "star.conf:[0-9]*: keyholder: tcp://\*:$((PORT + 2)) is no address to connect to: give the host name or address" \
	"$T/cfg.out"
"$NODE" -n -c "$N/star.conf" >/dev/null 2>&1
rc=$?
check "... and -n of it: exit 78 ($rc)" test $rc = 78

start_cons
start_node pnp
check "the first start says it made a new, empty store" \
	grep -q "event=store_created dir=\"$N/data/consolidator\" hint=\"there was none: a new, empty store was created" \
	"$N/consolidator.log"
check "... and the node a new, empty outbox" \
	grep -q "event=outbox_created dir=\"$N/data/pnp\"" "$N/pnp.log"
# Which build runs: each daemon's start line says its version, the one
# kuska version prints (0.2.0 held several formats and said it nowhere).
ver=$("$KUSKA" version | sed -n 's/^kuska //p')
check "each daemon's start line says its version ($ver)" \
	sh -c "test -n '$ver' &&
		grep -q 'event=start version=$ver ' '$N/consolidator.log' &&
		grep -q 'event=start version=$ver ' '$N/keyholder.log' &&
		grep -q 'event=start version=$ver ' '$N/pnp.log'"

# --- a second node on the same config ---------------------------------------
timeout 5 "$NODE" -c "$N/pnp.conf" >"$T/second.out" 2>&1
rc=$?
check "a second kuska-node with the same config is refused (exit $rc)" \
	sh -c "test $rc != 0 && test $rc != 124"
check "... saying another node uses the directory" \
	grep -q "another kuska-node" "$T/second.out"
check "the first node still answers status" \
	"$KUSKA" status -c "$N/pnp.conf" >/dev/null
"$KUSKA" submit -c "$N/pnp.conf" "$T/one.jsonl" >"$T/one.out" 2>&1
check "... and takes submissions" grep -q " 20 accepted" "$T/one.out"

# --- a second consolidator on the same control socket -----------------------
sed "s|data/consolidator|data/other|; s|$PORT|$((PORT + 10))|g;
	s|$((PORT + 1))|$((PORT + 11))|g" \
	"$N/consolidator.conf" >"$N/other.conf"
timeout 5 "$CONS" -c "$N/other.conf" >"$T/other.out" 2>&1
rc=$?
check "a second consolidator on the same control socket is refused (exit $rc)" \
	sh -c "test $rc != 0 && test $rc != 124"
check "... naming the config key and saying the socket is in use" \
	grep -q "other.conf: \[consolidator\] control: .*: in use" "$T/other.out"
check "... leaving no new store behind" test ! -e "$N/data/other"
# Its own control socket, but the first one's port for the nodes.
sed "s|data/consolidator|data/third|; s|consolidator.sock|third.sock|" \
	"$N/consolidator.conf" >"$N/third.conf"
timeout 5 "$CONS" -c "$N/third.conf" >"$T/third.out" 2>&1
rc=$?
check "a second consolidator on the same port is refused: exit 1, not 78 ($rc)" \
	test $rc = 1
check "... naming the key" \
	grep -q "third.conf: \[consolidator\] listen: tcp://127.0.0.1:$PORT: cannot bind: Address already in use" \
	"$T/third.out"
# A listen host that is no name of this machine: libzmq said "No such
# device" alone (exit 1: an address may come up later).
sed "s|^listen = .*|listen = tcp://nohost.invalid:$((PORT + 12))|" \
	"$N/keyholder.conf" >"$N/nohost.conf"
timeout 5 "$KEYHOLDER" -c "$N/nohost.conf" >"$T/nohost.out" 2>&1
rc=$?
check "a key holder whose listen host is not this machine's: exit 1 ($rc)" \
	test $rc = 1
check "... saying so" \
	grep -q "nohost.conf: \[keyholder\] listen: tcp://nohost.invalid:$((PORT + 12)): cannot bind: .* (its host is not an address of this machine" \
	"$T/nohost.out"
check "... leaving no new store behind" test ! -e "$N/data/third"
# Its own control socket and port, but the first one's query port: the
# start fails after binding its control socket.
sed "s|data/consolidator|data/fourth|; s|consolidator.sock|fourth.sock|;
	s|^listen = tcp://127.0.0.1:$PORT\$|listen = tcp://127.0.0.1:$((PORT + 20))|" \
	"$N/consolidator.conf" >"$N/fourth.conf"
timeout 5 "$CONS" -c "$N/fourth.conf" >"$T/fourth.out" 2>&1
check "a consolidator on a query port in use is refused, naming the key" \
	grep -q "fourth.conf: \[consolidator\] query_listen: .*: cannot bind: Address already in use" \
	"$T/fourth.out"
check "... leaving no control socket file behind" \
	test ! -e "$N/run/fourth.sock"
# The query port the nodes' port: no start could bind both (it exited 1,
# restarted every 5 s for ever, and -n passed it). A config error: -n
# and the start refuse it, exit 78, naming query_listen's line.
sed "s|data/consolidator|data/fifth|; s|consolidator.sock|fifth.sock|;
	s|^query_listen = .*|query_listen = tcp://*:$((PORT + 21))|;
	s|^listen = .*|listen = tcp://127.0.0.1:$((PORT + 21))|" \
	"$N/consolidator.conf" >"$N/fifth.conf"
line=$(grep -n '^query_listen' "$N/fifth.conf" | cut -d: -f1)
"$CONS" -n -c "$N/fifth.conf" >/dev/null 2>"$T/fifth.n"
rc=$?
check "-n refuses query_listen on the port of listen: exit 78 ($rc)" \
	test $rc = 78
check "... naming the file, query_listen's line and both endpoints" \
	grep -q "fifth.conf:$line: \[consolidator\] query_listen: tcp://\*:$((PORT + 21)) takes the port of listen (tcp://127.0.0.1:$((PORT + 21)))" \
	"$T/fifth.n"
timeout 5 "$CONS" -c "$N/fifth.conf" >"$T/fifth.out" 2>&1
rc=$?
check "... and so does a start: exit 78, not restarted ($rc)" test $rc = 78
check "... leaving no new store behind" test ! -e "$N/data/fifth"
# --repair on a data_dir with no store: nothing to repair, nothing made.
"$CONS" --repair -c "$N/third.conf" >"$T/repair.out" 2>&1
rc=$?
check "--repair of a data_dir without a store is refused (exit $rc)" \
	sh -c "test $rc = 1 && test ! -e '$N/data/third'"
check "... saying there is nothing to repair" \
	grep -q "third.conf: \[consolidator\] data_dir: $N/data/third holds no store: nothing to repair" \
	"$T/repair.out"
check "the first consolidator still answers status" \
	sh -c "'$KUSKA' status -c '$N/consolidator.conf' | grep -q '^pnp'"

# --- a stopped node, a dead node, a hung node ------------------------------
stop_node pnp TERM
check "a node stopped cleanly leaves no socket file" test ! -e "$N/run/pnp.sock"
"$KUSKA" status -c "$N/pnp.conf" >"$T/stopped-status.out" 2>&1
rc=$?
check "status of a stopped node: exit 2, nothing listening" \
	sh -c "test $rc = 2 && grep -q 'nothing listening at .*(the node is not running)' '$T/stopped-status.out'"
start_node pnp
stop_node pnp KILL
check "the killed node left its socket file" test -S "$N/run/pnp.sock"
t0=$(date +%s%N)
"$KUSKA" submit -c "$N/pnp.conf" "$T/two.jsonl" >"$T/dead.out" 2>&1
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
echo "# kuska submit to a dead node answered in $ms ms"
check "submit to a dead node: exit 2" test $rc = 2
check "... saying it is not running" grep -q "not running" "$T/dead.out"
check "... in under 2 s ($ms ms)" test $ms -lt 2000
t0=$(date +%s%N)
"$KUSKA" status -c "$N/pnp.conf" >"$T/dead-status.out" 2>&1
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
echo "# kuska status of a dead node answered in $ms ms"
check "status of a dead node: exit 2, not running" \
	sh -c "test $rc = 2 && grep -q 'not running' '$T/dead-status.out'"
start_node pnp
check "the next start replaces the stale socket" \
	"$KUSKA" status -c "$N/pnp.conf" >/dev/null
kill -STOP "${PIDS[pnp]}"
t0=$(date +%s%N)
"$KUSKA" submit -c "$N/pnp.conf" "$T/two.jsonl" >"$T/hung.out" 2>&1
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
kill -CONT "${PIDS[pnp]}"
echo "# kuska submit to a stopped node answered in $ms ms"
check "submit to a stopped node: exit 2" test $rc = 2
check "... saying it does not answer" grep -q "not answering" "$T/hung.out"
check "... within 5 s ($ms ms)" test $ms -lt 5000
"$KUSKA" submit -c "$N/pnp.conf" "$T/two.jsonl" >"$T/two.out" 2>&1
check "once continued it takes the file" grep -q " 20 accepted" "$T/two.out"

# --- input that cannot be read ----------------------------------------------
"$KUSKA" submit -c "$N/pnp.conf" /tmp >"$T/dir.out" 2>&1
rc=$?
check "submit of a directory: non-zero exit ($rc)" test $rc != 0
check "... naming it and the reason" grep -q "/tmp: .*[Ii]s a directory" "$T/dir.out"
"$KUSKA" submit -c "$N/pnp.conf" - <&- >"$T/closed.out" 2>&1
rc=$?
check "submit of a closed standard input: non-zero exit ($rc)" test $rc != 0
check "... naming it and the reason" \
	grep -q "standard input: .*[Bb]ad file descriptor" "$T/closed.out"
check "... and not claiming 0 accepted" sh -c "! grep -q '0 accepted' '$T/closed.out'"

# A spreadsheet saved as such (a ZIP archive), then a good file: the
# first is named for what it is and nothing of it is sent, the second is
# taken; an empty file is said to be empty.
printf 'PK\003\004\024\000\006\000[Content_Types].xml\n\377\376junk\n' \
	>"$T/cases.xlsx"
before=$(node_last_seq pnp)
"$KUSKA" submit -c "$N/pnp.conf" "$T/cases.xlsx" "$T/one.jsonl" \
	>"$T/xlsx.out" 2>&1
rc=$?
check "submit of an .xlsx: exit 1 ($rc)" test $rc = 1
check "... naming it a spreadsheet, not JSON Lines" \
	grep -q "cases.xlsx: a ZIP archive (an .xlsx or .ods spreadsheet?), not JSON Lines" "$T/xlsx.out"
check "... not a refusal a line" sh -c "! grep -q 'cases.xlsx:[0-9]' '$T/xlsx.out'"
check "... the good file after it still taken" \
	grep -q "one.jsonl: [0-9]* accepted, [0-9]* already held, 0 refused" "$T/xlsx.out"
check "... nothing stored from the spreadsheet" test "$(node_last_seq pnp)" = "$before"
# A compressed export: named as such, not sent line by line (each line
# refused "not UTF-8 text: save the file as UTF-8").
gzip -c "$T/one.jsonl" >"$T/one.jsonl.gz"
before=$(node_last_seq pnp)
"$KUSKA" submit -c "$N/pnp.conf" "$T/one.jsonl.gz" >"$T/gz.out" 2>&1
rc=$?
check "submit of a gzip-compressed file: exit 1 ($rc)" test $rc = 1
check "... naming it compressed, to decompress first" \
	grep -q "one.jsonl.gz: a gzip-compressed file (decompress it first), not JSON Lines" "$T/gz.out"
check "... not a refusal a line" sh -c "! grep -q 'one.jsonl.gz:[0-9]' '$T/gz.out'"
check "... nothing stored from it" test "$(node_last_seq pnp)" = "$before"
# A file with no record (0 bytes, or blank lines only: an export that
# wrote nothing) is no success: said, exit 1, as a file refused whole;
# the next file is still taken.
: >"$T/empty.jsonl"
printf '\n  \r\n\t\n' >"$T/blank.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" "$T/empty.jsonl" >"$T/empty.out" 2>&1
rc=$?
check "submit of an empty file: exit 1 ($rc)" test $rc = 1
check "... saying it has no records" \
	grep -qx "kuska submit: $T/empty.jsonl: no records (the file is empty); nothing of it was sent" "$T/empty.out"
check "... and no line of counts" sh -c "! grep -q 'accepted' '$T/empty.out'"
"$KUSKA" submit -c "$N/pnp.conf" - <"$T/blank.jsonl" >"$T/blank-stdin.out" 2>&1
rc=$?
check "blank lines only, on standard input: exit 1 ($rc)" \
	sh -c "test $rc = 1 && grep -qx 'kuska submit: standard input: no records (only blank lines); nothing of it was sent' '$T/blank-stdin.out'"
before=$(node_last_seq pnp)
"$KUSKA" submit -c "$N/pnp.conf" "$T/blank.jsonl" "$T/one.jsonl" \
	>"$T/blank.out" 2>&1
rc=$?
check "a file of blank lines, then a good one: exit 1 ($rc)" test $rc = 1
check "... the blank one said to have no records" \
	grep -q "blank.jsonl: no records (only blank lines)" "$T/blank.out"
check "... the good file after it still read" \
	grep -q "one.jsonl: 0 accepted, 20 already held, 0 refused" "$T/blank.out"
# Blank lines before the first record are not sent, and line numbers
# still count them.
{
	printf '\n\n'
	sed -n '83p' "$T/sim/pnp.jsonl"
	printf '{"kind": 1}\n'
} >"$T/lead.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" "$T/lead.jsonl" >"$T/lead.out" 2>&1
check "blank lines first: the records after them numbered as lines 3 and 4" \
	sh -c "grep -q '^$T/lead.jsonl:4: refused: ' '$T/lead.out' &&
		grep -q 'lead.jsonl: 1 accepted, 0 already held, 1 refused' '$T/lead.out'"

# A CSV export (a blank line first, a UTF-8 byte-order mark): one message
# naming the file, nothing of it shown or sent; the next file is taken.
# A file whose first line is a broken JSON object is refused line by line.
printf '\n\357\273\277name;document;birth_date\nQuispe;40000001;2010-01-01\n' \
	>"$T/cases.csv"
printf '{"kind": "identification", "ref": \n{"kind":\n' >"$T/broken.jsonl"
before=$(node_last_seq pnp)
sed -n '41,60p' "$T/sim/pnp.jsonl" >"$T/three.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" "$T/cases.csv" "$T/three.jsonl" \
	"$T/broken.jsonl" >"$T/csv.out" 2>&1
rc=$?
check "submit of a CSV file: exit 1 ($rc)" test $rc = 1
check "... one message naming it delimited text, not JSON Lines" \
	sh -c "test \"\$(grep -c 'cases.csv' '$T/csv.out')\" = 1 &&
		grep -q 'cases.csv: looks like CSV or other delimited text (line 2 is not a JSON object), not JSON Lines: .*nothing of it was sent' '$T/csv.out'"
check "... none of its content shown" \
	sh -c "! grep -q -e Quispe -e 40000001 -e birth_date '$T/csv.out'"
check "... the good file after it still taken" \
	grep -q "three.jsonl: 20 accepted, 0 already held, 0 refused" "$T/csv.out"
check "... nothing stored from the CSV file" \
	test "$(node_last_seq pnp)" = "$((before + 20))"
# A JSON Lines export that opens with a header line of column names (a
# police system's report writer): the line named a header to remove, not
# the file called CSV; nothing of it sent (walk45).
before=$(node_last_seq pnp)
{
	echo 'kind,ref,date,region,victim'
	sed -n '61,62p' "$T/sim/pnp.jsonl"
} >"$T/headed.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" "$T/headed.jsonl" >"$T/headed.out" 2>&1
rc=$?
is "a JSON Lines file with a header line: exit 1, line 1 named a header" \
	"$rc/$(cat "$T/headed.out")" \
	"1/kuska submit: $T/headed.jsonl: line 1 is a header (column names or a title) and not a record: JSON Lines has none; remove that line and submit the file again (kuska(1) docs/INPUT.md); nothing of it was sent"
check "... nothing stored from it" test "$(node_last_seq pnp)" = "$before"
# The same after a byte-order mark (Excel's "CSV UTF-8", Notepad); a file
# of the header line alone, with no record after it, is delimited text.
{
	printf '\357\273\277'
	cat "$T/headed.jsonl"
} >"$T/headed-bom.jsonl"
echo 'kind,ref,date,region,victim' >"$T/header-only.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" "$T/headed-bom.jsonl" \
	"$T/header-only.jsonl" >"$T/headed2.out" 2>&1
rc=$?
check "... after a byte-order mark, line 1 named a header (exit $rc)" \
	sh -c "test $rc = 1 && grep -qxF 'kuska submit: $T/headed-bom.jsonl: line 1 is a header (column names or a title) and not a record: JSON Lines has none; remove that line and submit the file again (kuska(1) docs/INPUT.md); nothing of it was sent' '$T/headed2.out'"
check "... a header line alone: delimited text, no header to remove" \
	grep -q "^kuska submit: $T/header-only.jsonl: looks like CSV or other delimited text (line 1 is not a JSON object)" \
	"$T/headed2.out"
check "... nothing stored from them" test "$(node_last_seq pnp)" = "$before"
# A JSON array of records, pretty-printed or on one line: one message
# naming it an array and how to convert it, not a refusal a line; exit 1.
before=$(node_last_seq pnp)
{
	echo '['
	sed -n '81p' "$T/sim/pnp.jsonl" | sed 's/^/  /; s/$/,/'
	sed -n '82p' "$T/sim/pnp.jsonl" | sed 's/^/  /'
	echo ']'
} >"$T/pretty.json"
{
	printf '['
	sed -n '81,82p' "$T/sim/pnp.jsonl" | paste -sd,
	printf ']\n'
} >"$T/oneline.json"
for f in pretty oneline; do
	"$KUSKA" submit -c "$N/pnp.conf" "$T/$f.json" >"$T/$f.out" 2>&1
	rc=$?
	check "submit of a JSON array ($f): exit 1 ($rc)" test $rc = 1
	check "... one message naming it an array, with the jq command" \
		sh -c "test \"\$(grep -c '$f.json' '$T/$f.out')\" = 1 &&
			grep -qF '$f.json: a JSON array (line 1 opens with '\''['\''), not JSON Lines: ' '$T/$f.out' &&
			grep -qF \"jq -c '.[]' FILE > FILE.jsonl\" '$T/$f.out'"
	check "... not a refusal a line" sh -c "! grep -q '$f.json:[0-9]' '$T/$f.out'"
done
check "... nothing stored from either" test "$(node_last_seq pnp)" = "$before"
# Saved with carriage returns alone as line ends (classic Mac OS): read
# up to a newline it is one line, which the node refused whole as "end
# of file expected". One message naming the line ends; nothing sent.
sed -n '81,82p' "$T/sim/pnp.jsonl" | tr '\n' '\r' >"$T/mac.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" "$T/mac.jsonl" >"$T/mac.out" 2>&1
rc=$?
check "submit of a file with CR line ends: exit 1 ($rc)" test $rc = 1
check "... one message naming its line ends, nothing sent" \
	sh -c "test \"\$(grep -c 'mac.jsonl' '$T/mac.out')\" = 1 &&
		grep -q 'mac.jsonl: its lines end in a carriage return alone (CR, as classic Mac OS saved text), not JSON Lines: save it with LF or CRLF line ends, .*nothing of it was sent' '$T/mac.out'"
check "... nothing stored from it" test "$(node_last_seq pnp)" = "$before"
# A stray CR between two records of a CRLF file is that line's mistake,
# not the file's line ends: the line refused by the node, the rest taken.
{
	sed -n '84,85p' "$T/sim/pnp.jsonl" | sed 's/"PNP-/"PNP-STRAY-/' | tr '\n' '\r'
	printf '\n'
	sed -n '86p' "$T/sim/pnp.jsonl" | sed 's/"PNP-/"PNP-STRAY-/; s/$/\r/'
} >"$T/stray.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" "$T/stray.jsonl" >"$T/stray.out" 2>&1
check "a CRLF file with a stray CR: not refused whole, its line 1 refused, line 2 taken" \
	sh -c "! grep -q 'carriage return alone' '$T/stray.out' &&
		grep -q 'stray.jsonl:1: refused' '$T/stray.out' &&
		grep -q 'stray.jsonl: 1 accepted' '$T/stray.out'"
# Its first line's end an LF, the rest's CRs alone (an export that wrote
# its first line apart): read up to a newline, line 1 was taken and the
# rest, one line, refused by the node as "end of file expected". Refused
# whole as a file of CR line ends, from the line they start at.
before=$(node_last_seq pnp)
sed -n '87,89p' "$T/sim/pnp.jsonl" | sed 's/"PNP-/"PNP-MACL-/' |
	awk 'NR == 1 { print; next } { printf "%s\r", $0 }' >"$T/maclate.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" "$T/maclate.jsonl" >"$T/maclate.out" 2>&1
rc=$?
check "submit of a file whose lines after the first end in CR: exit 1 ($rc)" \
	test $rc = 1
check "... one message naming its line ends from line 2, nothing sent" \
	sh -c "test \"\$(grep -c 'maclate.jsonl' '$T/maclate.out')\" = 1 &&
		grep -q 'maclate.jsonl: its lines from line 2 on end in a carriage return alone (CR, as classic Mac OS saved text), not JSON Lines: save it with LF or CRLF line ends, .*nothing of it was sent' '$T/maclate.out'"
check "... nothing stored from it" test "$(node_last_seq pnp)" = "$before"
# One of gigabytes is refused from its head, not read to its end first:
# of 4 MB on standard input, less than 1 MB is read, CR line ends from
# line 1 or from line 2. A valid line of 200 KB (spaces before its
# record) is no such head: taken.
awk 'NR == 90 { for (k = 0; k < 16000; k++) printf "%s\r", $0; exit }' \
	"$T/sim/pnp.jsonl" >"$T/bigmac1.jsonl"
sed -n '97p' "$T/sim/pnp.jsonl" | sed 's/"PNP-/"PNP-MACB-/' |
	cat - "$T/bigmac1.jsonl" >"$T/bigmac2.jsonl"
for k in 1 2; do
	("$KUSKA" submit -c "$N/pnp.conf" - >"$T/bigmac$k.out" 2>&1
		echo "rc $?"
		sed -n 's/^pos:[[:space:]]*/read /p' /proc/self/fdinfo/0) \
		<"$T/bigmac$k.jsonl" >"$T/bigmac$k.pos"
	check "4 MB of CR line ends from line $k: refused, less than 1 MB read ($(paste -sd' ' "$T/bigmac$k.pos"))" \
		sh -c "grep -qx 'rc 1' '$T/bigmac$k.pos' &&
			test \$(sed -n 's/^read //p' '$T/bigmac$k.pos') -lt 1048576 &&
			grep -q '^kuska submit: standard input: its lines .*end in a carriage return alone.*nothing of it was sent' '$T/bigmac$k.out'"
done
check "... nothing stored from either" test "$(node_last_seq pnp)" = "$before"
{
	printf '%204800s' ''
	sed -n '93p' "$T/sim/pnp.jsonl" | sed 's/"PNP-/"PNP-LONG-/'
} >"$T/long.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" "$T/long.jsonl" >"$T/long.out" 2>&1
rc=$?
check "a valid line of 200 KB: taken, exit 0 ($rc)" \
	sh -c "test $rc = 0 && grep -q 'long.jsonl: 1 accepted' '$T/long.out'"
# Found after a first piece was sent (a record and 5000 blank lines):
# the lines before it are sent, and the message says so.
{
	sed -n '94p' "$T/sim/pnp.jsonl" | sed 's/"PNP-/"PNP-MACS-/'
	yes '' | head -5000
	sed -n '95,96p' "$T/sim/pnp.jsonl" | sed 's/"PNP-/"PNP-MACS-/' |
		tr '\n' '\r'
} >"$T/macsent.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" "$T/macsent.jsonl" >"$T/macsent.out" 2>&1
rc=$?
check "... after a first piece: exit 1, line 1 taken, the rest refused ($rc)" \
	sh -c "test $rc = 1 &&
		grep -q 'macsent.jsonl: its lines from line 5002 on end in a carriage return alone .*; the lines before it were sent (sent again they are \"already held\")' '$T/macsent.out' &&
		grep -q 'macsent.jsonl: 1 accepted, 0 already held, 0 refused' '$T/macsent.out'"
# A dry run stored nothing: what it sent is not "already held" after it.
"$KUSKA" submit -n -c "$N/pnp.conf" "$T/macsent.jsonl" >"$T/macsent-n.out" 2>&1
rc=$?
check "... in a dry run: exit 1, the lines before it said checked, nothing stored ($rc)" \
	sh -c "test $rc = 1 &&
		grep -q 'macsent.jsonl: its lines from line 5002 on end in a carriage return alone .*; the lines before it were checked (a dry run: nothing stored)\$' '$T/macsent-n.out'"
# The lines before it refused whole by the node (its key holder down):
# the line ends are said all the same, or the export's team mends the
# key holder's fault, sends again and only then learns of them.
before=$(node_last_seq pnp)
{
	printf '{"kind":"identification","ref":"PNP-MACK-0","date":"2025-13-01"}\n'
	yes '' | head -4999
	sed -n '98p' "$T/sim/pnp.jsonl" | sed 's/"PNP-/"PNP-MACK-/'
	sed -n '99,100p' "$T/sim/pnp.jsonl" | sed 's/"PNP-/"PNP-MACK-/' |
		tr '\n' '\r'
} >"$T/mackh.jsonl"
stop_keyholder KILL
"$KUSKA" submit -c "$N/pnp.conf" "$T/mackh.jsonl" >"$T/mackh.out" 2>&1
rc=$?
start_keyholder
check "... the lines before it refused whole by the node: exit 1, the CR line ends said too ($rc)" \
	sh -c "test $rc = 1 &&
		grep -q 'mackh.jsonl: the node refused the lines from 5001 on: ' '$T/mackh.out' &&
		grep -q 'mackh.jsonl: its lines from line 5002 on end in a carriage return alone .*; what became of the lines before it is said above\$' '$T/mackh.out'"
check "... nothing stored from it" test "$(node_last_seq pnp)" = "$before"
# A CR-joined piece of over 320 KiB in a file of LF line ends, LF lines
# after it: read no further than its head, it is refused as the file's
# tail, and the message says the lines after it were not read, where
# they were left unsaid (review44a).
{
	printf '{"kind":"identification","ref":"PNP-MACX-0","date":"2025-13-01"}\n'
	yes '' | head -4999
	sed -n '91p' "$T/sim/pnp.jsonl" | sed 's/"PNP-/"PNP-MACX-/'
	awk 'NR == 92 { for (k = 0; k < 1500; k++) printf "%s\r", $0; exit }' \
		"$T/sim/pnp.jsonl"
	printf '\n'
	sed -n '93,94p' "$T/sim/pnp.jsonl" | sed 's/"PNP-/"PNP-MACY-/'
} >"$T/macx.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" "$T/macx.jsonl" >"$T/macx.out" 2>&1
rc=$?
check "a CR-joined piece over 320 KiB in an LF file: exit 1, the lines after it said not read ($rc)" \
	sh -c "test $rc = 1 &&
		grep -q 'macx.jsonl: its lines from line 5002 on end in a carriage return alone .*; the lines before it were sent (sent again they are \"already held\"); reading stopped in line 5002 (over 320 KiB): any lines after it were neither read nor sent\$' '$T/macx.out' &&
		grep -q 'macx.jsonl: 1 accepted, 0 already held, 1 refused' '$T/macx.out'"
# Such a piece as the first record: refused as a file of CR line ends,
# and the message says so too, where it said nothing of the LF lines
# after it (review45c).
before=$(node_last_seq pnp)
{
	awk 'NR == 92 { for (k = 0; k < 1500; k++) printf "%s\r", $0; exit }' \
		"$T/sim/pnp.jsonl"
	printf '\n'
	sed -n '93,94p' "$T/sim/pnp.jsonl" | sed 's/"PNP-/"PNP-MACZ-/'
} >"$T/macz.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" "$T/macz.jsonl" >"$T/macz.out" 2>&1
rc=$?
check "... as the first record: exit 1, the lines after it said not read ($rc)" \
	sh -c "test $rc = 1 &&
		grep -q 'macz.jsonl: its lines end in a carriage return alone .*; nothing of it was sent; reading stopped in line 1 (over 320 KiB): any lines after it were neither read nor sent\$' '$T/macz.out'"
check "... nothing stored from it" test "$(node_last_seq pnp)" = "$before"
before=$(node_last_seq pnp)
# Those files refused whole have a row each in the --report file, as a
# piece the node refuses whole has: a report of no rows reads as a clean
# export to the team that maintains it.
: >"$T/empty.jsonl"
(cd "$T" && "$KUSKA" submit -c "$N/pnp.conf" --report whole.csv cases.csv \
	pretty.json mac.jsonl empty.jsonl) >/dev/null 2>&1
rc=$?
is "files refused whole: exit 1, a row each in the --report file ($rc)" \
	"$rc/$(cut -d, -f1-3 "$T/whole.csv")" \
	"1/file,line,field
cases.csv,2,
pretty.json,1,
mac.jsonl,1,
empty.jsonl,1,"
check "... each row the reason said on standard error" \
	sh -c "grep -q '^cases.csv,2,,\"refused: looks like CSV or other delimited text (line 2 is not a JSON object), not JSON Lines: ' '$T/whole.csv' &&
		grep -q '^empty.jsonl,1,,refused: no records (the file is empty); nothing of it was sent,\$' '$T/whole.csv'"
check "... none of the CSV file's content in it" \
	sh -c "! grep -q -e Quispe -e 40000001 -e birth_date '$T/whole.csv'"
# Saved by Excel as "CSV UTF-8" or by Notepad: a byte-order mark opens
# the file. It is no part of line 1, from a file or from standard input;
# one that opens another line is still refused there.
sed -n '61,70p' "$T/sim/pnp.jsonl" >"$T/bom-body"
printf '\357\273\277' | cat - "$T/bom-body" >"$T/bom.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" "$T/bom.jsonl" >"$T/bom.out" 2>&1
rc=$?
check "a file opened by a byte-order mark: taken whole, exit 0 ($rc)" \
	sh -c "test $rc = 0 && grep -q 'bom.jsonl: 10 accepted, 0 already held, 0 refused' '$T/bom.out'"
sed -n '71,80p' "$T/sim/pnp.jsonl" | (printf '\357\273\277' && cat) |
	"$KUSKA" submit -c "$N/pnp.conf" - >"$T/bom-stdin.out" 2>&1
rc=$?
check "... and from standard input ($rc)" \
	sh -c "test $rc = 0 && grep -q '^standard input: 10 accepted, 0 already held, 0 refused' '$T/bom-stdin.out'"
{
	sed -n '81p' "$T/sim/pnp.jsonl"
	printf '\357\273\277'
	sed -n '82p' "$T/sim/pnp.jsonl"
} >"$T/bom2.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" "$T/bom2.jsonl" >"$T/bom2.out" 2>&1
rc=$?
check "a byte-order mark opening line 2 is refused there (exit $rc)" \
	sh -c "test $rc = 1 && grep -q 'bom2.jsonl:2: refused: the line starts with a byte-order mark' '$T/bom2.out' &&
		grep -q 'bom2.jsonl: 1 accepted, 0 already held, 1 refused' '$T/bom2.out'"
# Saved as "Unicode text" (UTF-16LE, CRLF): as many refusals as records,
# not one more for the NUL after the last line end.
python3 -c "import sys
sys.stdout.buffer.write(('{\"kind\":\"identification\"}\r\n' * 3).encode('utf-16'))" \
	>"$T/utf16.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" "$T/utf16.jsonl" >"$T/utf16.out" 2>&1
check "a UTF-16 file: one refusal a record, the first naming UTF-16" \
	sh -c "grep -q 'utf16.jsonl: 0 accepted, 0 already held, 3 refused' '$T/utf16.out' &&
		grep -q 'utf16.jsonl:1: .*UTF-16' '$T/utf16.out'"
check "a broken JSON object is still refused line by line" \
	sh -c "grep -q 'broken.jsonl:1: ' '$T/csv.out' &&
		grep -q 'broken.jsonl:2: ' '$T/csv.out' &&
		grep -q 'broken.jsonl: 0 accepted, 0 already held, 2 refused' '$T/csv.out'"
# --- a request over the submit socket's limits ------------------------------
# A buggy client's (kuska submit never sends one): answered with the
# reason rather than left to time out, and the node takes the next
# submission.
over_start=$(date +%s)
for m in lines bytes; do
	"$KUSKA_BIN/kuska_oversubmit" -e "ipc://$N/run/pnp.sock" $m \
		>"$T/over-$m.out" 2>&1
	check "a request of too many $m: answered with an error" grep -qx \
		"error request over the size limit: at most 5000 lines and 64 MiB in all" \
		"$T/over-$m.out"
done
check "... the node logs it" \
	test "$(grep -c 'event=submit_dropped reason=too_large' "$N/pnp.log")" = 2
"$KUSKA_BIN/kuska_oversubmit" -e "ipc://$N/run/pnp.sock" endlines \
	>"$T/over-endlines.out" 2>&1
check "a run's end carrying a line: answered with an error, not dropped unsaid" \
	grep -qx "error an end of submission carries no lines: nothing of this request was stored" \
	"$T/over-endlines.out"
# Any local user of the socket's group can send them: 30 more, each
# answered, their lines held to a budget.
for i in $(seq 30); do
	"$KUSKA_BIN/kuska_oversubmit" -e "ipc://$N/run/pnp.sock" lines
done >"$T/over-many.out" 2>&1
check "30 more: each answered" test "$(grep -cx \
	"error request over the size limit: at most 5000 lines and 64 MiB in all" \
	"$T/over-many.out")" = 30
# The budget (LOG_BUDGET_BURST, LOG_BUDGET_EVERY_MS, lib/log.h): 10 lines
# at once, then one for each second begun since the first.
over_end=$(date +%s)
check "... their lines held to a budget" \
	test "$(grep -c 'event=submit_dropped' "$N/pnp.log")" \
	-le $((10 + over_end - over_start + 1))
"$KUSKA" submit -c "$N/pnp.conf" "$T/two.jsonl" >"$T/after-over.out" 2>&1
check "... and takes the next submission" \
	grep -q "two.jsonl: .*0 refused" "$T/after-over.out"
# --- a request over a control socket's limits -------------------------------
# The consolidator's and the key holder's (kuska status never sends one):
# answered with the reason and the limit rather than left to time out,
# logged, and the next status answered.
for d in consolidator keyholder; do
	"$KUSKA_BIN/kuska_oversubmit" -e "ipc://$N/run/$d.sock" status \
		>"$T/over-$d.out" 2>&1
	check "the $d: a control request over its limits answered with an error" \
		grep -qx "error request over the size limit (64 KiB, one frame)" \
		"$T/over-$d.out"
	check "... logged" grep -q "event=control_refused reason=too_large" \
		"$N/$d.log"
	"$KUSKA_BIN/kuska_oversubmit" -e "ipc://$N/run/$d.sock" malformed \
		>"$T/malformed-$d.out" 2>&1
	check "... a malformed one answered so, in the words of them all" \
		grep -qx "error malformed control request" \
		"$T/malformed-$d.out"
	"$KUSKA" status -c "$N/$d.conf" >"$T/after-$d.out" 2>&1
	rc=$?
	check "... and the next status answered (exit $rc)" test $rc != 2
done
# Both, the oversized and the malformed, counted apart from the peers'
# refused messages, which alerts watch.
check "... counted by the consolidator (control requests refused)" \
	grep -q "frames refused: 0, control requests refused: 2$" \
	"$T/after-consolidator.out"
"$KUSKA" metrics -c "$N/consolidator.conf" >"$T/cons-metrics.out" 2>&1
check "... in its metrics" \
	grep -qx "kuska_control_refused_total 2" "$T/cons-metrics.out"
"$KUSKA" metrics -c "$N/keyholder.conf" >"$T/kh-metrics.out" 2>&1
check "... and by the key holder" sh -c "
	grep -qx 'kuska_keyholder_control_refused_total 2' '$T/kh-metrics.out' &&
	grep -qx 'kuska_keyholder_frames_refused_total 0' '$T/kh-metrics.out'"
# pnp_copies PREFIX LINES FILE: the first LINES of 30 copies of pnp's
# simulated records, the refs of copy k made PREFIXk-, into FILE.
pnp_copies() {
	local k
	for k in $(seq 30); do sed "s/\"PNP-/\"$1$k-/g" "$T/sim/pnp.jsonl"; done |
		head -"$2" >"$3"
}
# held_submit FILE NAME ARG...: kuska submit ARG... for pnp in the
# background (SUB its pid, its output in T/NAME.out and T/NAME.err), its
# standard input a fifo held open on fd 7 and fed the first 5000 lines of
# FILE, until pnp's node has stored them (BEFORE: its last sequence
# before), at most 20 s.
held_submit() {
	local file=$1 name=$2
	shift 2
	mkfifo "$T/$name.fifo"
	BEFORE=$(node_last_seq pnp)
	"$KUSKA" submit -c "$N/pnp.conf" "$@" <"$T/$name.fifo" \
		>"$T/$name.out" 2>"$T/$name.err" &
	SUB=$!
	exec 7>"$T/$name.fifo"
	head -5000 "$file" >&7
	for _ in $(seq 200); do
		[ "$(node_last_seq pnp)" = $((BEFORE + 5000)) ] && break
		sleep 0.1
	done
}
# --- kuska submit interrupted -----------------------------------------------
# One piece (5000 lines) answered, then the standard input stays open:
# SIGINT finds submit waiting for more.
pnp_copies PNPI 6000 "$T/many.jsonl"
sed "s/\"PNP-/\"PNPL-/g" "$T/one.jsonl" >"$T/later.jsonl"
held_submit "$T/many.jsonl" int --report "$T/int.csv" - "$T/later.jsonl"
sed -n '5001,$p' "$T/many.jsonl" | head -10 >&7
sleep 0.3
kill -INT $SUB
wait $SUB
rc=$?
exec 7>&-
check "submit interrupted: exit 130 ($rc)" test $rc = 130
check "... the counts of what was answered, stopped early" \
	grep -q "^standard input: 5000 accepted, 0 already held, 0 refused, .* (stopped early)" "$T/int.out"
check "... saying the rest was not sent and to submit again" \
	grep -q "standard input: interrupted: the lines answered above (5000) are as printed, the rest were not sent; submit the file again" "$T/int.err"
check "... naming the file after it, which it did not send" \
	grep -q "later.jsonl: not sent: the command stopped before it; submit it too" "$T/int.err"
check "... its --report file complete (header, every warning of both kinds (its copies repeat the case stages of pnp's file), and a row for each of the two files saying what was not sent)" \
	test "$(wc -l <"$T/int.csv")" = \
	$((3 + $(grep -c 'warning: 1 victim' "$T/int.out") + $(sed -n 's/.* \([0-9]*\) more warnings.*/\1/p' "$T/int.out") + $(sed -n 's/^standard input: \([0-9]*\) lines with a case stage warning.*/\1/p' "$T/int.out")))
check "... those two rows" \
	sh -c "grep -q '^standard input,,,not sent: interrupted after 5000 lines answered: the rest were not sent; submit the file again,$' '$T/int.csv' &&
		grep -q 'later.jsonl,,,not sent: the command stopped before it; submit it too,$' '$T/int.csv'"
check "... the lines read after the answered piece not stored" \
	test "$(node_last_seq pnp)" = $((BEFORE + 5000))
"$KUSKA" submit -c "$N/pnp.conf" "$T/many.jsonl" >"$T/again.out" 2>&1
check "... submitted again: the rest accepted, the first 5000 already held" \
	grep -q "many.jsonl: [1-9][0-9]* accepted, 5000 already held, 0 refused" "$T/again.out"

# --- kuska submit given no answer -------------------------------------------
# The node takes the connection and a first piece, then stops (SIGSTOP)
# before the second: after its --timeout of 3 s submit gives up, says the
# node may still store those lines (a slow node is not a gone one) and
# what to do.
pnp_copies PNPT 5010 "$T/slow.jsonl"
held_submit "$T/slow.jsonl" slow --timeout 3 --report "$T/slow.csv" -
# Stored is not yet answered: a moment for the answer to go out. Should
# the node stop before it, the first piece is the one not answered.
sleep 0.5
kill -STOP "${PIDS[pnp]}"
sed -n '5001,$p' "$T/slow.jsonl" >&7
exec 7>&-
wait $SUB
rc=$?
kill -CONT "${PIDS[pnp]}"
check "submit given no answer: exit 2 ($rc)" test $rc = 2
check "... the counts of what was answered, stopped early" \
	grep -q "^standard input: [0-9]* accepted, .* (stopped early)" "$T/slow.out"
check "... saying the node may still store the lines not answered, and what to do" \
	grep -q "standard input: no answer from the node within 3 s to the lines from [0-9]* on: it may still store them; see kuska status, then submit the file again" "$T/slow.err"
check "... and its --report file too, at the first of those lines" \
	grep -q "^standard input,[1-9][0-9]*,,not answered: no answer from the node within 3 s to the lines from [1-9][0-9]* on: it may still store them; see kuska status then submit the file again,$" "$T/slow.csv"
# --- kuska submit when the node dies under it ------------------------------
# As above, but the stopped node is then killed: submit is told at once
# (no time-out to wait), says what to do, and does not send the next file
# to a node that is gone (it waited its whole time-out for it).
pnp_copies PNPK 5010 "$T/killed.jsonl"
held_submit "$T/killed.jsonl" killed --timeout 30 --report "$T/killed.csv" - \
	"$T/sim/pnp.jsonl"
sleep 0.5
kill -STOP "${PIDS[pnp]}"
sed -n '5001,$p' "$T/killed.jsonl" >&7
exec 7>&-
sleep 1
stop_node pnp KILL
wait $SUB
rc=$?
start_node pnp
check "submit whose node was killed: exit 2 ($rc)" test $rc = 2
check "... the counts of what was answered, stopped early" \
	grep -q "^standard input: [0-9]* accepted, .* (stopped early)" "$T/killed.out"
check "... its counts saying the node stopped before it answered the rest" \
	grep -q "^standard input: the lines from [0-9]* on are not in these counts: the node stopped before it answered them, and may have stored some of them" "$T/killed.out"
check "... saying the node stopped, and what to do" \
	grep -q "standard input: the node stopped before it answered the lines from [0-9]* on: it may have stored some of them; once it runs again (see kuska status), submit the file again" "$T/killed.err"
check "... and the next file named as not sent" \
	grep -q "$T/sim/pnp.jsonl: not sent: the command stopped before it; submit it too" "$T/killed.err"
check "... both said in its --report file" \
	sh -c "grep -q '^standard input,[1-9][0-9]*,,not answered: the node stopped before it answered the lines from [1-9][0-9]* on: it may have stored some of them; submit the file again once it runs,$' '$T/killed.csv' &&
		grep -q 'pnp.jsonl,,,not sent: the command stopped before it; submit it too,$' '$T/killed.csv'"
"$KUSKA" submit -c "$N/pnp.conf" "$T/killed.jsonl" >"$T/killed2.out" 2>&1
check "... the file sent again once the node is back: nothing refused" \
	grep -q "killed.jsonl: [0-9]* accepted, [0-9]* already held, 0 refused" "$T/killed2.out"
check "a --timeout that is not 1 to 86400 seconds refused before anything is sent" \
	sh -c '"$0" submit -c "$1" --timeout 0 "$2" 2>&1 | grep -q -- "--timeout 0: not a number of seconds from 1 to 86400"' \
	"$KUSKA" "$N/pnp.conf" "$T/slow.jsonl"
# --- no identity in what any of it said or kept ----------------------------
# The refusals, the interrupted submit and its --report file, the
# spreadsheet and CSV messages, the daemons' logs and data files.
python3 "$KUSKA_SRC/tests/e2e/identities.py" "$T/sim/pnp.jsonl" \
	>"$T/identities.txt"
printf '%s\n' Quispe 40000001 2010-01-01 >>"$T/identities.txt"
check "identity list is not empty ($(wc -l <"$T/identities.txt") strings)" \
	test "$(wc -l <"$T/identities.txt")" -gt 100
stop_node pnp TERM
files=$(find "$T" -maxdepth 1 -type f \( -name '*.out' -o -name '*.err' \);
	echo "$T/int.csv"; ls "$N"/*.log; find "$N/data" -type f)
# shellcheck disable=SC2086 # files: names without spaces
leaks=$(grep -a -l -F -f "$T/identities.txt" $files)
check "no identity in any output, log or data file (searched $(echo "$files" | wc -l) files)" \
	test -z "$leaks"
[ -n "$leaks" ] && echo "identities found in: $leaks"

finish
