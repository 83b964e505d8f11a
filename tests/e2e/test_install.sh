# test_install.sh - `cmake --install` into a temporary DESTDIR puts every
# file in its place; the man pages render without a warning and document
# every config key; the example configs parse with the real parser; the
# systemd units pass `systemd-analyze verify` and stay hardened; and the
# services that share a host are isolated from each other: each instance
# has a user and group of its own and directories only it may read, and
# (as root) real daemons run with exactly those identities and modes
# cannot read each other's files, nor may a case system in one node's
# group reach another node.
#
# Needs KUSKA_BIN (the build directory) and KUSKA_SRC (the source tree).

set -u

: "${KUSKA_BIN:?KUSKA_BIN must name the build directory}"
: "${KUSKA_SRC:?KUSKA_SRC must name the source tree}"

PASSED=0
FAILED=0
T=$(mktemp -d /tmp/kuska-install.XXXXXX)
declare -A DPID=()
trap 'for p in "${DPID[@]}"; do kill -9 "$p" 2>/dev/null; done; wait; rm -rf "$T"' EXIT

ok() {
	PASSED=$((PASSED + 1))
	echo "ok - $*"
}

not_ok() {
	FAILED=$((FAILED + 1))
	echo "not ok - $*"
}

# Where cmake/install.cmake puts things, written at configure time.
PATHS=$KUSKA_BIN/install-stage/paths.sh
if [ ! -f "$PATHS" ]; then
	echo "not ok - $PATHS missing: is cmake/install.cmake included?"
	echo "0 passed, 1 failed"
	exit 1
fi
. "$PATHS"
R=$T/root
CONFIGS="consolidator registry indicators pnp mp pj mimp minsa secretariat analyst
	pnp-stats keyholder"
PAGES="man1/kuska.1 man5/kuska.conf.5 man8/kuska-node.8
	man8/kuska-consolidator.8 man8/kuska-keyholder.8"
UNITS="kuska-consolidator.service kuska-node@.service kuska-keyholder.service"
MAN5=$KUSKA_SRC/docs/kuska.conf.5

# --- install -------------------------------------------------------------

if DESTDIR=$R cmake --install "$KUSKA_BIN" >"$T/install.log" 2>&1; then
	ok "cmake --install into DESTDIR"
else
	not_ok "cmake --install into DESTDIR"
	cat "$T/install.log"
fi

missing=""
for f in "$BINDIR/kuska" "$SBINDIR/kuska-node" \
	"$SBINDIR/kuska-consolidator" "$SBINDIR/kuska-keyholder" \
	"$SYSUSERSDIR/kuska.conf" \
	"$TMPFILESDIR/kuska.conf" "$DOCDIR/OPERATIONS.md" \
	"$DOCDIR/INPUT.md" "$DOCDIR/INDICATORS.md" "$DOCDIR/DISCLOSURE.md" \
	"$BASHCOMPDIR/kuska" "$BASHCOMPDIR/kuska-node" \
	"$BASHCOMPDIR/kuska-consolidator" "$BASHCOMPDIR/kuska-keyholder"; do
	[ -f "$R$f" ] || missing="$missing $f"
done
for p in $PAGES; do
	[ -f "$R$MANDIR/$p" ] || missing="$missing $MANDIR/$p"
done
for u in $UNITS; do
	[ -f "$R$UNITDIR/$u" ] || missing="$missing $UNITDIR/$u"
done
for c in $CONFIGS; do
	[ -f "$R$SYSCONF/$c.conf" ] || missing="$missing $SYSCONF/$c.conf"
	[ -f "$R$DOCDIR/examples/$c.conf" ] ||
		missing="$missing $DOCDIR/examples/$c.conf"
done
[ -d "$R$SYSCONF/keys" ] || missing="$missing $SYSCONF/keys/"
if [ -z "$missing" ]; then
	ok "every file landed"
else
	not_ok "missing after install:$missing"
fi

for u in $UNITS; do
	exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$R$UNITDIR/$u")
	if [ -x "$R$exe" ]; then
		ok "$u starts the installed $exe"
	else
		not_ok "$u: ExecStart=$exe is not what was installed"
	fi
done

echo "# edited by the administrator" >>"$R$SYSCONF/pnp.conf"
DESTDIR=$R cmake --install "$KUSKA_BIN" >"$T/install2.log" 2>&1
if tail -n 1 "$R$SYSCONF/pnp.conf" | grep -q 'edited by the administrator'; then
	ok "a second install keeps an existing config"
else
	not_ok "a second install overwrote $SYSCONF/pnp.conf"
fi

# --- man pages -------------------------------------------------------------

for p in $PAGES; do
	page=$R$MANDIR/$p
	if groff -ww -mandoc -Tutf8 "$page" >/dev/null 2>"$T/groff.err" &&
		[ ! -s "$T/groff.err" ]; then
		ok "groff -ww renders $p without warnings"
	else
		not_ok "groff -ww $p:"
		cat "$T/groff.err"
	fi
	if command -v man >/dev/null; then
		if MANPAGER=cat MANWIDTH=80 man --warnings -l "$page" \
			>/dev/null 2>"$T/man.err" && [ ! -s "$T/man.err" ]; then
			ok "man -l renders $p without warnings"
		else
			not_ok "man -l $p:"
			cat "$T/man.err"
		fi
	fi
done

# The SYNOPSIS of a rendered page, one line per command form.
synopsis() {
	groff -mandoc -Tutf8 -P-cbou -rLL=200n "$1" 2>/dev/null |
		sed -n '/^SYNOPSIS/,/^[A-Z]/p' | sed '1d;$d' |
		sed 's/^ *//; /^$/d'
}

for d in kuska-node kuska-consolidator kuska-keyholder; do
	# --help starts with the forms: "usage: FORM", "       FORM", "".
	usage=$("$KUSKA_BIN/$d" --help | sed '/^$/q' |
		sed '/^$/d; s/^usage: *//; s/^ *//')
	syn=$(synopsis "$KUSKA_SRC/docs/$d.8")
	if [ -n "$usage" ] && [ "$usage" = "$syn" ]; then
		ok "$d(8) SYNOPSIS matches $d --help"
	else
		not_ok "$d(8) SYNOPSIS \"$syn\" differs from usage \"$usage\""
	fi
done
syn=$(synopsis "$KUSKA_SRC/docs/kuska.1")
bad=""
for c in $("$KUSKA_BIN/kuska" help | sed -n 's/^ *kuska \([a-z]*\).*/\1/p'); do
	printf '%s\n' "$syn" | grep -q "^kuska $c\\b" || bad="$bad $c"
done
if [ -z "$bad" ]; then
	ok "kuska(1) SYNOPSIS has every subcommand of kuska help"
else
	not_ok "kuska(1) SYNOPSIS lacks:$bad"
fi

# --- every key documented -------------------------------------------------

# The entry of a key in kuska.conf(5): from its ".It Cm KEY" to the next
# ".It" of the same list.
entry() {
	awk -v k="$1" '
		$1 == ".It" && $2 == "Cm" && $3 == k { on = 1; next }
		on && $1 == ".It" { exit }
		on { print }' "$MAN5"
}

bad=""
for f in "$KUSKA_SRC"/config/*.conf; do
	for k in $(sed -n 's/^#\{0,1\}\([a-z_]*\) *=.*/\1/p' "$f" | sort -u); do
		grep -q "^\\.It Cm $k\\b" "$MAN5" || bad="$bad $(basename "$f"):$k"
	done
done
if [ -z "$bad" ]; then
	ok "every key of config/*.conf is in kuska.conf(5)"
else
	not_ok "keys of config/ missing from kuska.conf(5):$bad"
fi

# Schema entries of lib/settings.c, one per line: "section key default",
# default "-" for a required key.
tr '\n\t' '  ' <"$KUSKA_SRC/lib/settings.c" |
	grep -o '{"[a-z_]*", *CONFIG_[A-Z_]*, *[SU]([a-z]*_config,[^}]*}' |
	sed 's/{"\([a-z_]*\)", *CONFIG_[A-Z_]*, *[SU](\([a-z]*\)_config,.*, *\(NULL\|"[^"]*"\) *}/\2 \1 \3/' |
	sed 's/ NULL$/ -/; s/ "\(.*\)"$/ \1/' >"$T/schema"
bad=""
while read -r sec k def; do
	[ -n "$def" ] || def=empty # an optional path, unset by default
	e=$(entry "$k")
	if [ -z "$e" ]; then
		bad="$bad [$sec]$k(undocumented)"
	elif [ "$def" = - ]; then
		printf '%s\n' "$e" | grep -q '^Required\.' ||
			bad="$bad [$sec]$k(not marked Required)"
	else
		printf '%s\n' "$e" | grep -q "^Default: $def\\.\$" ||
			bad="$bad [$sec]$k(default $def not stated)"
	fi
done <"$T/schema"
n=$(wc -l <"$T/schema")
if [ "$n" -lt 20 ]; then
	not_ok "could read only $n keys from lib/settings.c"
elif [ -z "$bad" ]; then
	ok "all $n keys of lib/settings.c documented with their defaults"
else
	not_ok "kuska.conf(5) vs lib/settings.c:$bad"
fi

bad=""
for k in $(grep -o 'strcmp(name, "[a-z_]*")' \
	"$KUSKA_SRC/lib/registry.c" | sed 's/.*"\(.*\)")/\1/' |
	sort -u); do
	grep -q "^\\.It Cm $k\\b" "$MAN5" || bad="$bad $k"
done
if [ -z "$bad" ]; then
	ok "every registry key of registry.c is in kuska.conf(5)"
else
	not_ok "registry keys missing from kuska.conf(5):$bad"
fi

# --- the example configs parse ---------------------------------------------

# Keys of a [section] file that the schema does not know, or required
# keys it lacks (client files have no -n yet, so all are checked here).
bad=""
for c in $CONFIGS; do
	f=$KUSKA_SRC/config/$c.conf
	[ "$c" = registry ] || [ "$c" = indicators ] && continue
	sec=$(sed -n 's/^\[\([a-z]*\)\]$/\1/p' "$f" | head -n 1)
	for k in $(sed -n 's/^#\{0,1\}\([a-z_]*\) *=.*/\1/p' "$f"); do
		grep -q "^$sec $k " "$T/schema" || bad="$bad $c.conf:$k"
	done
	for k in $(awk -v s="$sec" '$1 == s && $3 == "-" { print $2 }' "$T/schema"); do
		grep -q "^$k *=" "$f" || bad="$bad $c.conf:$k(missing)"
	done
	# An optional key shown at its default ("#name = value"), so that
	# an operator sees every knob in the file itself.
	for k in $(awk -v s="$sec" '$1 == s && $3 != "-" { print $2 }' "$T/schema"); do
		grep -q "^#\\{0,1\\}$k *=" "$f" || bad="$bad $c.conf:$k(not shown)"
	done
done
if [ -z "$bad" ]; then
	ok "config/*.conf use only known keys and show every one of their section"
else
	not_ok "config/*.conf:$bad"
fi

# Real keys in a scratch /etc, the example paths pointed at them.
E=$T/etc
mkdir -p "$E/keys"
# Of the officers' query keys, the shipped registry lists pnp's only.
for p in consolidator pnp mp pj mimp minsa secretariat analyst keyholder \
	pnp-stats; do
	"$KUSKA_BIN/kuska" keygen "$p" --dir "$E/keys" >/dev/null
done
"$KUSKA_BIN/kuska" keygen --linkage "$E/keys/linkage.key" >/dev/null
"$KUSKA_BIN/kuska" keygen --oprf-share "$E/keys/keyholder.share" >/dev/null
for p in pnp mp pj mimp minsa; do
	"$KUSKA_BIN/kuska" keygen --ref-key "$E/keys/$p-ref.key" >/dev/null
done
# keygen's refusals name the file (or directory) in the way.
keygen_says() { # keygen_says DESCRIPTION MESSAGE NAME DIR
	local err
	err=$("$KUSKA_BIN/kuska" keygen "$3" --dir "$4" 2>&1 >/dev/null)
	if [ $? = 1 ] && [ "$err" = "kuska keygen: $2" ]; then
		ok "kuska keygen, $1: $err"
	else
		not_ok "kuska keygen, $1: $err (wanted: kuska keygen: $2)"
	fi
}
keygen_says "a pair already there" "$E/keys/pnp.key: File exists" pnp "$E/keys"
cp "$E/keys/pnp.pub" "$E/keys/lone.pub"
keygen_says "a public half left alone" "$E/keys/lone.pub: File exists" lone "$E/keys"
if [ ! -e "$E/keys/lone.key" ]; then
	ok "... and no secret half left behind"
else
	not_ok "kuska keygen lone: lone.key written beside the old lone.pub"
fi
keygen_says "no such directory" "$T/nokeys: no such directory" pnp "$T/nokeys"
for c in $CONFIGS; do
	sed -e "s#/run/credentials/kuska-node@\([a-z]*\)\.service/node\.key#$E/keys/\1.key#" \
		-e "s#/run/credentials/kuska-node@[a-z]*\.service/linkage\.key#$E/keys/linkage.key#" \
		-e "s#/run/credentials/kuska-node@\([a-z]*\)\.service/ref\.key#$E/keys/\1-ref.key#" \
		-e "s#/run/credentials/kuska-consolidator\.service/consolidator\.key#$E/keys/consolidator.key#" \
		-e "s#/run/credentials/kuska-keyholder\.service/keyholder\.key#$E/keys/keyholder.key#" \
		-e "s#/run/credentials/kuska-keyholder\.service/share\.key#$E/keys/keyholder.share#" \
		-e "s#/etc/kuska#$E#g" \
		"$KUSKA_SRC/config/$c.conf" >"$E/$c.conf"
done
# kuska ships no population figures (INEI publishes them): the optional
# population key names a synthetic file.
printf '%s\n' year,region,sex,age_group,population 2025,00,F,0-17,1 \
	2025,00,F,18+,2 2025,00,M,0-17,3 2025,00,M,18+,4 >"$E/population.csv"
# The node configs' previous_keys: a directory of earlier keys' .pub.
mkdir -p "$E/keys/previous"
cp "$E/keys/pnp.pub" "$E/keys/previous/pnp-1.pub"
for pass in "as shipped" "with optional keys uncommented"; do
	if [ "$pass" != "as shipped" ]; then
		sed -i 's/^#\([a-z_]* *=\)/\1/' "$E"/*.conf
		# the inline-key alternative needs real values: drop it
		sed -i '/^sign_public\|^transport_public/d' "$E/registry.conf"
		# the other institutions' officers, listed as the comment says
		sed -i 's/^# \([a-z_]* = \|\[\)/\1/' "$E/registry.conf"
		for p in mp pj mimp minsa; do
			"$KUSKA_BIN/kuska" keygen "$p-stats" --dir "$E/keys" \
				>/dev/null
		done
	fi
	for i in pnp mp pj mimp minsa; do
		# A node config as shipped names the example's placeholder
		# hosts: refused, naming the file's line and the key, the
		# key holder's (first in the file) then the consolidator's;
		# accepted once both are put in.
		if [ "$pass" = "as shipped" ]; then
			for key in keyholder consolidator; do
				host=$(echo "$key" | tr a-z A-Z)_HOST
				line=$(grep -n "^$key = tcp://$host:" "$E/$i.conf" | cut -d: -f1)
				"$KUSKA_BIN/kuska-node" -n -c "$E/$i.conf" >/dev/null 2>"$T/n.err"
				rc=$?
				if [ $rc = 78 ] && [ -n "$line" ] &&
					grep -q "$E/$i.conf:$line: \[node\] $key: tcp://$host:[0-9]* is the example's placeholder" "$T/n.err"; then
					ok "kuska-node -n refuses config/$i.conf's $key placeholder, naming line $line"
				else
					not_ok "kuska-node -n config/$i.conf: $key placeholder (line $line) not refused so (exit $rc): $(cat "$T/n.err")"
				fi
				sed -i "s|^$key = tcp://$host:|$key = tcp://127.0.0.1:|" "$E/$i.conf"
			done
		fi
		if "$KUSKA_BIN/kuska-node" -n -c "$E/$i.conf" >/dev/null \
			2>"$T/n.err"; then
			ok "kuska-node -n accepts config/$i.conf $pass"
		else
			not_ok "kuska-node -n config/$i.conf $pass: $(cat "$T/n.err")"
		fi
	done
	# A second key holder's address without its key: named at its line
	# (it said "FILE: keyholder2 and keyholder2_key go together", no line).
	if [ "$pass" = "as shipped" ]; then
		sed 's|^#keyholder2 =.*|keyholder2 = tcp://127.0.0.1:7403|' \
			"$E/pnp.conf" >"$E/pnp-two.conf"
		line=$(grep -n '^keyholder2 = ' "$E/pnp-two.conf" | cut -d: -f1)
		"$KUSKA_BIN/kuska-node" -n -c "$E/pnp-two.conf" >/dev/null 2>"$T/n.err"
		rc=$?
		if [ $rc = 78 ] && [ -n "$line" ] &&
			grep -q "$E/pnp-two.conf:$line: \[node\] keyholder2: given without keyholder2_key: give both or neither" "$T/n.err"; then
			ok "kuska-node -n refuses keyholder2 without keyholder2_key, naming line $line"
		else
			not_ok "kuska-node -n keyholder2 alone (line $line, exit $rc): $(cat "$T/n.err")"
		fi
		rm -f "$E/pnp-two.conf"
	fi
	if "$KUSKA_BIN/kuska-consolidator" -n -c "$E/consolidator.conf" \
		>/dev/null 2>"$T/n.err"; then
		ok "kuska-consolidator -n accepts config/consolidator.conf and registry.conf $pass"
	else
		not_ok "kuska-consolidator -n $pass: $(cat "$T/n.err")"
	fi
	# The shipped indicators load, all of them, without a warning (the
	# registry's are its own: uncommented, its example revoked = ...
	# leaves pnp with no key valid now, which it says).
	n=$(grep -c '^\[indicator ' "$KUSKA_SRC/config/indicators.conf")
	if grep -q "; $n indicators)\$" "$T/n.err" &&
		! grep -v 'registry\.conf:[0-9]*: warning: ' "$T/n.err" |
		grep -q 'warning'; then
		ok "config/indicators.conf loads with no error and no warning $pass"
	else
		not_ok "config/indicators.conf $pass: $(cat "$T/n.err")"
	fi
	if "$KUSKA_BIN/kuska-keyholder" -n -c "$E/keyholder.conf" \
		>/dev/null 2>"$T/n.err"; then
		ok "kuska-keyholder -n accepts config/keyholder.conf $pass"
	else
		not_ok "kuska-keyholder -n $pass: $(cat "$T/n.err")"
	fi
done
# A query client's config as shipped: its placeholder is refused at once,
# not waited on for 15 s and then called "no answer".
"$KUSKA_BIN/kuska" query -c "$E/analyst.conf" identification --period 2025 \
	>/dev/null 2>"$T/q.err"
rc=$?
if [ $rc = 2 ] && grep -q "consolidator = tcp://CONSOLIDATOR_HOST:7401 is the example's placeholder" "$T/q.err"; then
	ok "kuska query refuses config/analyst.conf's placeholder host"
else
	not_ok "kuska query with config/analyst.conf as shipped: exit $rc: $(cat "$T/q.err")"
fi

# --- systemd ----------------------------------------------------------------

# A peer with a registered key can grow a daemon without bound (a message
# of millions of parts, docs/SECURITY.md): each unit carries a ceiling.
for u in $UNITS; do
	if grep -q '^MemoryMax=[0-9]' "$R$UNITDIR/$u" &&
		grep -qx 'MemorySwapMax=0' "$R$UNITDIR/$u"; then
		ok "$u has a memory ceiling ($(grep '^MemoryMax=' "$R$UNITDIR/$u"), no swap past it)"
	else
		not_ok "$u has no MemoryMax=, or swaps past it"
	fi
done

# A core file holds what a daemon's memory does: a key holder's OPRF
# share (the pseudonym key's part), a node's identities, the
# consolidator's secret key. No unit may let one be written.
for u in $UNITS; do
	if grep -qx 'LimitCORE=0' "$R$UNITDIR/$u"; then
		ok "$u writes no core file (LimitCORE=0)"
	else
		not_ok "$u has no LimitCORE=0: a core file would hold its keys"
	fi
done

# A daemon refused its configuration exits 78 (EX_CONFIG): restarting it
# every RestartSec= for ever would fill the journal and help nothing.
for u in $UNITS; do
	if grep -qx 'RestartPreventExitStatus=78' "$R$UNITDIR/$u"; then
		ok "$u is not restarted after a configuration error (exit 78)"
	else
		not_ok "$u has no RestartPreventExitStatus=78"
	fi
done

if ! command -v systemd-analyze >/dev/null; then
	echo "# systemd-analyze not found: units not verified"
else
	# verify wants the ExecStart binaries and the man pages to exist:
	# point the units at the staged copies.
	mkdir -p "$T/units"
	for u in $UNITS; do
		sed "s#^\(Exec[A-Za-z]*=\)$SBINDIR/#\1$R$SBINDIR/#" \
			"$R$UNITDIR/$u" >"$T/units/$u"
	done
	for u in $UNITS; do
		if (cd "$T/units" && MANPATH=$R$MANDIR systemd-analyze verify \
			"$u" >"$T/verify.out" 2>&1) && [ ! -s "$T/verify.out" ]; then
			ok "systemd-analyze verify $u"
		else
			not_ok "systemd-analyze verify $u:"
			cat "$T/verify.out"
		fi
		# Exposure 1.4 at most (a regression in hardening fails).
		if systemd-analyze security --offline=yes --threshold=14 \
			--no-pager "$T/units/$u" >"$T/sec.out" 2>&1; then
			ok "$(grep -o 'Overall exposure level.*' "$T/sec.out")"
		else
			not_ok "systemd-analyze security $u:"
			grep -E 'Overall|✗' "$T/sec.out"
		fi
	done
	if command -v systemd-sysusers >/dev/null; then
		mkdir -p "$T/sysroot/etc"
		if systemd-sysusers --root="$T/sysroot" \
			"$R$SYSUSERSDIR/kuska.conf" >"$T/sysusers.out" 2>&1 &&
			grep -q '^kuska-control:' "$T/sysroot/etc/group" &&
			grep -q '^kuska-submit-pnp:' "$T/sysroot/etc/group"; then
			ok "systemd-sysusers makes the services' groups"
		else
			not_ok "systemd-sysusers:"
			cat "$T/sysusers.out"
		fi
		if [ "$(id -u)" = 0 ] && command -v systemd-tmpfiles >/dev/null; then
			if systemd-tmpfiles --root="$T/sysroot" --create \
				"$R$TMPFILESDIR/kuska.conf" >"$T/tmpfiles.out" 2>&1 &&
				[ "$(stat -c %a "$T/sysroot$SYSCONF/keys")" = 755 ]; then
				ok "systemd-tmpfiles makes $SYSCONF/keys 0755"
			else
				not_ok "systemd-tmpfiles:"
				cat "$T/tmpfiles.out"
			fi
		fi
	fi
fi

# --- isolation between services on one host ---------------------------------

# unit_key UNIT-FILE KEY INSTANCE: the value the unit gives KEY (the last
# assignment wins), with %i made INSTANCE.
unit_key() {
	sed -n "s/^$2=//p" "$1" | tail -n 1 | sed "s/%i/$3/g"
}

# A data directory on a disk not mounted: the start waits for the mount
# and fails without it, instead of a new, empty store on the mountpoint.
bad=""
for u in $UNITS; do
	f=$R$UNITDIR/$u
	state=$(unit_key "$f" StateDirectory pnp)
	mounts=" $(unit_key "$f" RequiresMountsFor pnp) "
	case $mounts in *" /var/lib/$state "*) ;; *) bad="$bad $u" ;; esac
	case $mounts in
	*" /var/lib/private/$state "*) ;;
	*) bad="$bad $u(private)" ;;
	esac
done
if [ -z "$bad" ]; then
	ok "every unit requires the mounts of its state directory, /var/lib/private/ too"
else
	not_ok "units without RequiresMountsFor= of their state directory:$bad"
fi

# Every unit can start on a fresh install: its user is allocated by
# systemd (DynamicUser=yes) or made by sysusers.d, and so is its group.
bad=""
for u in $UNITS; do
	f=$R$UNITDIR/$u
	user=$(unit_key "$f" User pnp)
	group=$(unit_key "$f" Group pnp)
	[ "$(unit_key "$f" DynamicUser pnp)" = yes ] ||
		grep -q "^u $user " "$R$SYSUSERSDIR/kuska.conf" || bad="$bad $u:user=$user"
	grep -q "^g $group " "$R$SYSUSERSDIR/kuska.conf" || bad="$bad $u:group=$group"
done
if [ -z "$bad" ]; then
	ok "every unit's user and group exist once installed (DynamicUser= or sysusers.d)"
else
	not_ok "users or groups nothing makes:$bad"
fi

# The instances one host may run, each "NAME UNIT-FILE INSTANCE CONFIG".
INSTANCES="consolidator kuska-consolidator.service - consolidator
pnp kuska-node@.service pnp pnp
mp kuska-node@.service mp mp
minsa kuska-node@.service minsa minsa"
declare -A UUSER UGROUP UDYN USTATE USMODE URUN URMODE USUP
while read -r name unit inst conf; do
	f=$R$UNITDIR/$unit
	UUSER[$name]=$(unit_key "$f" User "$inst")
	UGROUP[$name]=$(unit_key "$f" Group "$inst")
	UDYN[$name]=$(unit_key "$f" DynamicUser "$inst")
	USTATE[$name]=$(unit_key "$f" StateDirectory "$inst")
	USMODE[$name]=$(unit_key "$f" StateDirectoryMode "$inst")
	URUN[$name]=$(unit_key "$f" RuntimeDirectory "$inst")
	URMODE[$name]=$(unit_key "$f" RuntimeDirectoryMode "$inst")
	USUP[$name]=$(unit_key "$f" SupplementaryGroups "$inst")
	echo "# $name: user ${UUSER[$name]} (DynamicUser=${UDYN[$name]:-no})," \
		"group ${UGROUP[$name]}, state ${USTATE[$name]} ${USMODE[$name]}," \
		"runtime ${URUN[$name]} ${URMODE[$name]}"
done <<<"$INSTANCES"
NAMES="consolidator pnp mp minsa"

distinct() { # distinct VALUE...: no two alike, none empty
	[ $# -gt 0 ] && [ "$(printf '%s\n' "$@" | grep -c .)" = $# ] &&
		[ "$(printf '%s\n' "$@" | sort -u | wc -l)" = $# ]
}
users=() groups=() states=() runs=()
for n in $NAMES; do
	users+=("${UUSER[$n]}")
	groups+=("${UGROUP[$n]}")
	states+=("${USTATE[$n]}")
	runs+=("${URUN[$n]}")
done
check_iso() { if "$@"; then ok "$ISO"; else not_ok "$ISO"; fi; }
ISO="every instance runs as a user of its own (${users[*]})"
check_iso distinct "${users[@]}"
all_dynamic=1
for n in $NAMES; do [ "${UDYN[$n]}" = yes ] || all_dynamic=0; done
ISO="... allocated by systemd for it alone (DynamicUser=yes), none of them a user of sysusers.d"
check_iso sh -c "[ $all_dynamic = 1 ] && ! grep -q '^u' '$R$SYSUSERSDIR/kuska.conf'"
ISO="every instance has a group of its own (${groups[*]})"
check_iso distinct "${groups[@]}"
missing=""
for n in $NAMES; do
	grep -q "^g ${UGROUP[$n]} " "$R$SYSUSERSDIR/kuska.conf" ||
		missing="$missing ${UGROUP[$n]}"
done
ISO="... each made by sysusers.d, so a case system's account can join it${missing:+ (missing:$missing)}"
check_iso test -z "$missing"
ISO="no instance is in another's group (no SupplementaryGroups=)"
check_iso test -z "${USUP[consolidator]}${USUP[pnp]}${USUP[mp]}${USUP[minsa]}"
ISO="state directories are each instance's own (${states[*]})"
check_iso distinct "${states[@]}"
ISO="runtime directories are each instance's own (${runs[*]})"
check_iso distinct "${runs[@]}"
bad=""
for n in $NAMES; do
	[ "${USMODE[$n]}" = 0700 ] || bad="$bad $n:state=${USMODE[$n]}"
	case ${URMODE[$n]} in 07[0-5]0) ;; *) bad="$bad $n:runtime=${URMODE[$n]}" ;; esac
done
ISO="state directories 0700, runtime directories closed to others${bad:+ (not:$bad)}"
check_iso test -z "$bad"
# The installed configs keep each instance's files in its own directories.
bad=""
while read -r name unit inst conf; do
	c=$R$SYSCONF/$conf.conf
	d=$(sed -n 's/^data_dir = //p' "$c")
	s=$(sed -n 's/^\(submit\|control\) = ipc:\/\///p' "$c")
	[ "$d" = "/var/lib/${USTATE[$name]}" ] || bad="$bad $conf:data_dir=$d"
	[ "$(dirname "$s")" = "/run/${URUN[$name]}" ] || bad="$bad $conf:socket=$s"
done <<<"$INSTANCES"
ISO="each config's data_dir and socket lie in its instance's own directories${bad:+ (not:$bad)}"
check_iso test -z "$bad"

# As root: real daemons, each run as its unit would run it (its own uid
# and group, its directories with the unit's modes, its key as a
# credential only it reads), try each other's files and sockets.
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null ||
	[ ! -s "$T/sysroot/etc/group" ]; then
	echo "# not root, or no setpriv or sysusers: daemons not run apart"
else
	S=$T/iso
	chmod 0711 "$T"
	mkdir -p "$S/etc" "$S/var/lib/kuska" "$S/run/kuska" "$S/run/credentials"
	chmod -R 0755 "$S"
	declare -A UID_OF GID_OF
	next=61184 # systemd's first dynamic uid
	for n in $NAMES; do
		u=${UUSER[$n]} g=${UGROUP[$n]}
		if [ "${UDYN[$n]}" = yes ]; then
			UID_OF[$n]=$next
			next=$((next + 1))
		else
			UID_OF[$n]=$(awk -F: -v u="$u" '$1 == u { print $3 }' \
				"$T/sysroot/etc/passwd")
		fi
		GID_OF[$n]=$(awk -F: -v g="$g" '$1 == g { print $3 }' \
			"$T/sysroot/etc/group")
		[ -n "${GID_OF[$n]}" ] || GID_OF[$n]=${UID_OF[$n]}
		[ -n "${UID_OF[$n]}" ] || UID_OF[$n]=65534
	done
	port=$((20000 + RANDOM % 10000))
	while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null ||
		(exec 3<>"/dev/tcp/127.0.0.1/$((port + 1))") 2>/dev/null ||
		(exec 3<>"/dev/tcp/127.0.0.1/$((port + 2))") 2>/dev/null; do
		port=$((port + 3))
	done
	while read -r name unit inst conf; do
		u=${UID_OF[$name]} g=${GID_OF[$name]}
		state=$S/var/lib/${USTATE[$name]} run=$S/run/${URUN[$name]}
		[ "$inst" = - ] && uname=${unit} || uname=${unit/@/@$inst}
		cred=$S/run/credentials/$uname
		mkdir -p "$state" "$run" "$cred"
		chown "$u:$g" "$state" "$run"
		chmod "${USMODE[$name]}" "$state"
		chmod "${URMODE[$name]}" "$run"
		if [ "$name" = consolidator ]; then
			cp "$E/keys/consolidator.key" "$cred/consolidator.key"
			key=$cred/consolidator.key
			printf '[consolidator]\nkey = %s\nregistry = %s\nlisten = tcp://127.0.0.1:%s\nquery_listen = tcp://127.0.0.1:%s\ncontrol = ipc://%s/control.sock\ndata_dir = %s\n' \
				"$key" "$E/registry.conf" "$port" $((port + 1)) \
				"$run" "$state" >"$S/etc/$conf.conf"
		else
			cp "$E/keys/$inst.key" "$cred/node.key"
			cp "$E/keys/linkage.key" "$cred/linkage.key"
			cp "$E/keys/$inst-ref.key" "$cred/ref.key"
			# No key holder runs: the record submitted below has
			# no identity, so nothing is asked of it.
			printf '[node]\ninstitution = %s\nnetwork = pe-trata-2026\nkey = %s/node.key\nlinkage_key = %s/linkage.key\nref_key = %s/ref.key\nkeyholder = tcp://127.0.0.1:%s\nkeyholder_key = %s\nconsolidator = tcp://127.0.0.1:%s\nconsolidator_key = %s\nsubmit = ipc://%s/submit.sock\ndata_dir = %s\n' \
				"$inst" "$cred" "$cred" "$cred" $((port + 2)) \
				"$E/keys/keyholder.pub" "$port" \
				"$E/keys/consolidator.pub" "$run" "$state" \
				>"$S/etc/$conf.conf"
		fi
		chown -R "$u" "$cred"
		chmod 0500 "$cred"
		chmod 0400 "$cred"/*
		chmod 0644 "$S/etc/$conf.conf"
	done <<<"$INSTANCES"
	chmod -R go+rX "$E"
	chmod 0600 "$E"/keys/*.key
	as() { # as UID GID[,SUPP...] COMMAND...: runs COMMAND as that uid
		local u=$1 gs=$2 g=${2%%,*} sup=""
		shift 2
		case $gs in *,*) sup=${gs#*,} ;; esac
		if [ -n "$sup" ]; then
			setpriv --reuid="$u" --regid="$g" --groups="$sup" -- "$@"
		else
			setpriv --reuid="$u" --regid="$g" --clear-groups -- "$@"
		fi
	}
	cannot_read() { # cannot_read UID GROUPS FILE
		! as "$1" "$2" cat "$3" >/dev/null 2>&1
	}
	KB=$R$BINDIR/kuska
	while read -r name unit inst conf; do
		if [ "$name" = consolidator ]; then
			prog=$R$SBINDIR/kuska-consolidator
			sock=$S/run/${URUN[$name]}/control.sock
		else
			prog=$R$SBINDIR/kuska-node
			sock=$S/run/${URUN[$name]}/submit.sock
		fi
		# setpriv executes the daemon: $! is the daemon.
		setpriv --reuid="${UID_OF[$name]}" --regid="${GID_OF[$name]}" \
			--clear-groups -- "$prog" -c "$S/etc/$conf.conf" \
			>/dev/null 2>"$T/iso-$name.log" &
		DPID[$name]=$!
		for _ in $(seq 100); do
			[ -S "$sock" ] && break
			sleep 0.05
		done
		if [ -S "$sock" ]; then
			ok "$name runs as uid ${UID_OF[$name]} gid ${GID_OF[$name]}"
		else
			not_ok "$name does not start as its unit would run it:"
			sed 's/^/#   /' "$T/iso-$name.log"
		fi
	done <<<"$INSTANCES"
	record='{"kind":"identification","ref":"ISO-1","date":"2025-06-01","region":"15","victim":{"age":15,"sex":"F","nationality":"PE"},"exploitation":["labour"]}'
	printf '%s\n' "$record" >"$S/case.jsonl"
	chmod 0644 "$S/case.jsonl"
	# Another instance, and the case system of another institution.
	for who in mp consolidator casesys-mp; do
		case $who in
		casesys-mp) wu=60900 wg=60900,${GID_OF[mp]} ;;
		*) wu=${UID_OF[$who]} wg=${GID_OF[$who]} ;;
		esac
		ISO="$who cannot read pnp's outbox"
		check_iso cannot_read "$wu" "$wg" \
			"$S/var/lib/${USTATE[pnp]}/data.mdb"
		ISO="$who cannot read pnp's key credential"
		check_iso cannot_read "$wu" "$wg" \
			"$S/run/credentials/kuska-node@pnp.service/node.key"
		as "$wu" "$wg" "$KB" status -c "$S/etc/pnp.conf" \
			>/dev/null 2>"$T/iso-status.err"
		rc=$?
		ISO="$who cannot reach pnp's submit socket (kuska status exits 2)"
		check_iso test $rc = 2
		# ... and is told which group would let it in (its name where
		# this host knows it, else its number).
		gname=$(getent group "${GID_OF[pnp]}" | cut -d: -f1)
		ISO="... and is told to join group ${gname:-${GID_OF[pnp]}}"
		check_iso grep -q "members of group ${gname:-${GID_OF[pnp]}} may use it (sudo usermod -aG" \
			"$T/iso-status.err"
	done
	ISO="pnp's node cannot read the consolidator's store"
	check_iso cannot_read "${UID_OF[pnp]}" "${GID_OF[pnp]}" \
		"$S/var/lib/${USTATE[consolidator]}/data.mdb"
	ISO="pnp's node cannot read mp's outbox"
	check_iso cannot_read "${UID_OF[pnp]}" "${GID_OF[pnp]}" \
		"$S/var/lib/${USTATE[mp]}/data.mdb"
	ISO="pnp's node reads its own (the check can succeed)"
	check_iso as "${UID_OF[pnp]}" "${GID_OF[pnp]}" test -r \
		"$S/var/lib/${USTATE[pnp]}/data.mdb"
	# The case system of pnp: its node's group, and only that.
	(cd "$S" && as 60901 "60901,${GID_OF[pnp]}" "$KB" \
		submit -c "$S/etc/pnp.conf" case.jsonl) >"$T/iso-submit.out" 2>&1
	ISO="a member of ${UGROUP[pnp]} submits to pnp's node"
	check_iso grep -q "1 accepted" "$T/iso-submit.out"
	(cd "$S" && as 60901 "60901,${GID_OF[pnp]}" "$KB" \
		submit -c "$S/etc/mp.conf" case.jsonl) >"$T/iso-submit2.out" 2>&1
	ISO="... and cannot submit to mp's"
	check_iso sh -c "! grep -q accepted '$T/iso-submit2.out'"
	as 60902 "60902,${GID_OF[consolidator]}" "$KB" status \
		-c "$S/etc/consolidator.conf" >/dev/null 2>&1
	rc=$?
	ISO="a member of ${UGROUP[consolidator]} reads the consolidator's status"
	check_iso test $rc != 2
	for n in $NAMES; do
		kill -TERM "${DPID[$n]}" 2>/dev/null
		wait "${DPID[$n]}" 2>/dev/null
	done
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
