#!/usr/bin/env bash
# End to end, issue 11: no single stolen machine re-identifies a child.
# Two institutions record the same child (one DNI); the running system
# links them. Then a thief copies one node's key and data files, and
# separately the consolidator's, and separately the key holder's, each
# into a scratch directory, and tries, with every loader and pseudonym
# function of the project's own library (tests/tools/kuska_thief.c), to
# compute that DNI's pseudonym and find it in what it copied: it fails.
# The same tool succeeds when given two parties' files that together
# hold both keys (a node and the key holder), so its failure means
# something.
# Online, the stolen node key cannot ask for its institution's tables
# (whose identification count, linked nationally, would show whether a
# forged probe record joined another institution's child): the query
# socket refuses a node's key, says why and counts it in the metrics;
# the institution's statistics officers ask with a query key of their
# own, which cannot deliver; the node still delivers.
. "$(dirname "$0")/lib.sh"

THIEF="$KUSKA_BIN/kuska_thief"
DNI=73914826

net_init
start_all
cat >"$T/pnp.jsonl" <<EOF
{"kind":"identification","ref":"T-1","date":"2025-03-14","region":"21","victim":{"document":{"type":"DNI","number":"$DNI"},"sex":"F","nationality":"PE","age":13},"exploitation":["sexual"]}
EOF
cat >"$T/mimp.jsonl" <<EOF
{"kind":"identification","ref":"T-9","date":"2025-04-02","region":"21","victim":{"document":{"type":"DNI","number":"$DNI"},"sex":"F","nationality":"PE","age":13},"exploitation":["labour"]}
EOF
"$KUSKA" submit -c "$N/pnp.conf" "$T/pnp.jsonl" >"$T/pnp.out"
"$KUSKA" submit -c "$N/mimp.conf" "$T/mimp.jsonl" >"$T/mimp.out"
check "both records accepted" \
	sh -c "grep -q ': 1 accepted, ' '$T/pnp.out' &&
		grep -q ': 1 accepted, ' '$T/mimp.out'"
check "delivered" wait_delivered 60
"$KUSKA" query -c "$N/analyst.conf" overlap --period 2025 --format csv \
	>"$T/overlap.csv"
check "the running system links the DNI across pnp and mimp" \
	grep -qx '"2025",pnp+mimp,1' "$T/overlap.csv"
check "... as one child, not two" test "$(awk -F, \
	'$1 == "\"2025\"" && $2 != "pnp+mimp" { s += $3 } END { print s + 0 }' \
	"$T/overlap.csv")" = 0

# The probe: pnp's own table, asked for with pnp's node key.
cat >"$T/stolen-query.conf" <<EOF
[client]
key = $N/keys/pnp.key
consolidator = tcp://127.0.0.1:$((PORT + 1))
consolidator_key = $N/keys/consolidator.pub
EOF
"$KUSKA" query -c "$T/stolen-query.conf" identification --period 2025 \
	--format csv >"$T/stolen.csv" 2>"$T/stolen.err"
rc=$?
check "a node's key on the query socket: refused, exit 2 (got $rc)" \
	test $rc = 2
check "... no table" test ! -s "$T/stolen.csv"
check "... the client says a node's key cannot query, and what to use" \
	grep -q "key pnp-1 is pnp's node key, and a node's key cannot query: .*role = institution" \
	"$T/stolen.err"
check "... logged with the reason" \
	grep -q "event=query_refused who=pnp key=pnp-1 reason=node_key" \
	"$N/consolidator.log"
check "... counted where an operator looks: kuska_queries_refused_total{reason=\"node_key\"} 1 (got $(refused_queries node_key))" \
	test "$(refused_queries node_key)" = 1
for r in key_not_valid frame_count malformed too_large; do
	check "... and not under $r (got $(refused_queries $r))" \
		test "$(refused_queries $r)" = 0
done
"$KUSKA" query -c "$N/pnp-stats.conf" identification --period 2025 \
	--format csv >"$T/officers.csv" 2>"$T/officers.err"
check "pnp's officers' query key gets pnp's row, and only it" \
	test "$(tail -n +2 "$T/officers.csv" | cut -d, -f2 | sort -u)" = pnp
# The officers' key on the delivery socket: registered, bound to pnp,
# but not pnp's node; it may not deliver a thing.
before=$(cons_last_seq pnp)
"$KUSKA_BIN/kuska_rogue" -k "$N/keys/pnp-stats.key" -I pnp -H 3000 \
	-s "$N/keys/consolidator.pub" -e "tcp://127.0.0.1:$PORT" -n 1 valid \
	>"$T/officers-deliver.out" 2>&1
rc=$?
check "the officers' key on the delivery socket: no welcome (exit $rc)" \
	sh -c "test $rc = 2 && grep -q 'no welcome' '$T/officers-deliver.out'"
check "... refused at the handshake: not a node" \
	grep -q "event=auth_refused domain=ingest .*key=pnp-stats-1 owner=pnp-stats reason=not_a_node" \
	"$N/consolidator.log"
check "... and nothing of it stored" test "$(cons_last_seq pnp)" = "$before"
cat >"$T/pnp2.jsonl" <<EOF
{"kind":"identification","ref":"T-2","date":"2025-03-15","region":"21","victim":{"sex":"M","nationality":"PE","age":15},"exploitation":["labour"]}
EOF
"$KUSKA" submit -c "$N/pnp.conf" "$T/pnp2.jsonl" >"$T/pnp2.out"
check "pnp's node, its key refused on the query socket, still takes a record" \
	grep -q ': 1 accepted, ' "$T/pnp2.out"
check "... and delivers it" wait_delivered 60

for i in $INSTS; do stop_node "$i" TERM; done
stop_cons TERM
stop_keyholder TERM

# steal DIR FILE...: copies of the files (relative to $N) into DIR.
steal() {
	local dir=$1 f
	shift
	mkdir -p "$dir"
	for f in "$@"; do
		mkdir -p "$dir/$(dirname "$f")"
		cp -a "$N/$f" "$dir/$f"
	done
}
NODE_FILES="pnp.conf keys/pnp.key keys/pnp.pub keys/linkage.key
	keys/pnp-ref.key keys/keyholder.pub keys/consolidator.pub data/pnp"
CONS_FILES="consolidator.conf registry.conf keys/consolidator.key
	keys/consolidator.pub data/consolidator"
KH_FILES="keyholder.conf registry.conf keys/keyholder.key
	keys/keyholder.share"

# shellcheck disable=SC2086
steal "$T/node" $NODE_FILES
"$THIEF" offline "$T/node" "$DNI" >"$T/node.out" 2>&1
rc=$?
sed 's/^/#   /' "$T/node.out"
check "a stolen node: its linkage key was loaded" \
	grep -q "1 linkage" "$T/node.out"
check "a stolen node: the DNI's pseudonym cannot be computed (exit $rc)" \
	test $rc = 1 -a "$(grep -c "DNI $DNI: not found" "$T/node.out")" = 1

# shellcheck disable=SC2086
steal "$T/cons" $CONS_FILES
"$THIEF" offline "$T/cons" "$DNI" >"$T/cons.out" 2>&1
rc=$?
sed 's/^/#   /' "$T/cons.out"
check "a stolen consolidator: the DNI's pseudonym cannot be computed (exit $rc)" \
	test $rc = 1 -a "$(grep -c "DNI $DNI: not found" "$T/cons.out")" = 1

# shellcheck disable=SC2086
steal "$T/kh" $KH_FILES
"$THIEF" offline "$T/kh" "$DNI" >"$T/kh.out" 2>&1
rc=$?
check "a stolen key holder: its share was loaded, and it is not enough (exit $rc)" \
	test $rc = 1 -a "$(grep -c "1 OPRF share" "$T/kh.out")" = 1

# shellcheck disable=SC2086
steal "$T/cons_kh" $CONS_FILES $KH_FILES
"$THIEF" offline "$T/cons_kh" "$DNI" >"$T/cons_kh.out" 2>&1
rc=$?
check "the consolidator and the key holder together: still not (exit $rc)" \
	test $rc = 1

# The control: a node and the key holder together hold both keys.
# shellcheck disable=SC2086
steal "$T/node_kh" $NODE_FILES $KH_FILES
"$THIEF" offline "$T/node_kh" "$DNI" >"$T/node_kh.out" 2>&1
rc=$?
check "control: a node and the key holder together do find it (exit $rc)" \
	test $rc = 0 -a "$(grep -c "DNI $DNI: found" "$T/node_kh.out")" = 1

finish
