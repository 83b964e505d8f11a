#!/usr/bin/env bash
# End to end: an outbox whose first envelope does not decode (its
# checksums right: an outbox of an earlier kuska has none, and they say
# only that the bytes are those written). Whose it is cannot be told, so
# the node does not take it as its own: it exits 78 (EX_CONFIG: the
# file stays as it is, so a restart by systemd would find the same) with
# event=outbox_undecodable and the way out, and leaves the file as it
# was. Before, it started from it: it pinned its ref key into the file
# and would send the first envelope, refused as bad_envelope, for ever.
. "$(dirname "$0")/lib.sh"

net_init
mkdir -p "$N/data/pnp"
"$KUSKA_BIN/kuska_badoutbox" "$N/data/pnp" ||
	{ echo "kuska_badoutbox failed"; exit 1; }
before=$(sha256sum <"$N/data/pnp/data.mdb")
timeout 10 "$NODE" -c "$N/pnp.conf" >"$T/node.log" 2>&1
rc=$?
check "the node refuses to start from it, not to be restarted (exit $rc)" test $rc = 78
check "... saying event=outbox_undecodable" \
	grep -q "event=outbox_undecodable .*seq=1" "$T/node.log"
check "... and the way out" grep -q -- "--recover" "$T/node.log"
check "... leaving data.mdb unchanged" \
	test "$(sha256sum <"$N/data/pnp/data.mdb")" = "$before"
finish
