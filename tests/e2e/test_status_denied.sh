#!/usr/bin/env bash
# End to end: kuska status and kuska submit from an account that may not
# use a node's local socket. Under systemd the socket is the group
# kuska-submit-ID's, and the client said which group to join; against a
# node run by hand as root (its socket root's, group root) it said only
# "Permission denied". Now both name the socket, its owner, group and
# mode, and what to do. Needs root, to run the client as another account.
# And a daemon not running is named as its users know it ("the node is
# not running", where it said "the daemon").
. "$(dirname "$0")/lib.sh"

net_init
"$KUSKA" status -c "$N/consolidator.conf" >"$T/cons.out" 2>&1
check "a consolidator not started: \"the consolidator is not running\"" \
	grep -q "(the consolidator is not running)" "$T/cons.out"

if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
	echo "# not root, or no setpriv: the client is not run as another account"
	finish
fi
NO_KEYHOLDER=1 start_node pnp
sock=$N/run/pnp.sock
# The account nobody may reach the socket and read the config, not use
# the socket (0660, root's).
chmod 0711 "$T" "$N" "$N/run"
chmod 0644 "$N/pnp.conf"
printf '%s\n' '{"kind":"withdrawal","ref":"D-1","target_ref":"D-0"}' >"$T/one.jsonl"
chmod 0644 "$T/one.jsonl"
nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
}
me=$(getent passwd 65534 | cut -d: -f1)
[ -n "$me" ] || me=65534

nobody "$KUSKA" status -c "$N/pnp.conf" >"$T/status.out" 2>&1
rc=$?
check "status as another account of a node run as root: exit 2 ($rc)" test $rc = 2
check "... naming the socket, its owner, group and mode" \
	grep -q "ipc://$sock: permission denied (owner root, group root, mode 0660)" \
	"$T/status.out"
check "... and what to do (run kuska as root, or the node with a group)" \
	grep -q "only root may use it, $me not: run kuska as root (sudo), or start the node with a group of its own" \
	"$T/status.out"
nobody "$KUSKA" submit -c "$N/pnp.conf" "$T/one.jsonl" >"$T/submit.out" 2>&1
rc=$?
check "submit the same: exit 2 ($rc)" test $rc = 2
check "... saying the same" \
	grep -q "ipc://$sock: permission denied (owner root, group root, mode 0660): only root may use it" \
	"$T/submit.out"

# A node run by hand with a group of its own (here daemon's): the
# account is told to join it.
chgrp daemon "$sock"
nobody "$KUSKA" status -c "$N/pnp.conf" >"$T/group.out" 2>&1
rc=$?
check "status of a socket of group daemon: exit 2 ($rc)" test $rc = 2
check "... telling the account to join the group" \
	grep -q "ipc://$sock: permission denied (owner root, group daemon, mode 0660): only root and the members of group daemon may use it (sudo usermod -aG daemon $me; membership counts from the account's next login, or newgrp daemon)" \
	"$T/group.out"
# Its directory closed to the account too (as the units make it, 0750
# and the service's group): what is told is the directory's.
chgrp daemon "$N/run"
chmod 0750 "$N/run"
nobody "$KUSKA" status -c "$N/pnp.conf" >"$T/dir.out" 2>&1
check "a socket in a directory it may not enter: the directory's owner, group and mode" \
	grep -q "ipc://$sock: permission denied (its directory $N/run: owner root, group daemon, mode 0750): only root and the members of group daemon may use it" \
	"$T/dir.out"
chmod 0711 "$N/run"
root_status() { "$KUSKA" status -c "$N/pnp.conf" >/dev/null 2>&1; }
check "root itself still asks the node" root_status

stop_node pnp TERM
"$KUSKA" status -c "$N/pnp.conf" >"$T/stopped.out" 2>&1
check "a stopped node: \"the node is not running\"" \
	grep -q "nothing listening at ipc://$sock (the node is not running)" "$T/stopped.out"
finish
