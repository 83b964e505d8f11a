# test_deb.sh - the Debian package: `cpack -G DEB` makes
# kuska_VERSION_ARCH.deb from this build; dpkg-deb shows its control
# fields (library dependencies from dpkg-shlibdeps, conffiles, maintainer
# scripts) and its files; lintian finds no error or warning; then dpkg
# installs it into a scratch root (dpkg --root, scripts run outside a
# chroot with DPKG_ROOT set, as the maintainer scripts support): the
# services' groups, /etc/kuska/keys and /var/lib/kuska are made, no
# service is enabled, a reinstall keeps an edited config; an upgrade to
# the same package as the next version keeps the keys, the outbox and an
# edited config (the new one as .dpkg-dist), updates an unedited one,
# enables nothing, says it upgraded and nothing of restarting (no
# service of that root runs; a reinstall says nothing, a downgrade says
# it is one), and warns of a source install's unit and program left
# under /usr/local (which systemd and PATH find first); removal keeps the data and the configs, purge deletes
# the configs (.dpkg-dist too) and the data and keeps the keys. The
# postinst run by itself as on a running system (stand-ins for systemctl
# and for systemd's /run directory) says the running services keep the
# old programs until restarted only when a kuska unit is active, a
# reinstall of the same version too (a later build of it may hold other
# programs).
#
# Skipped in the sanitizer build (the package is made from the plain
# one). Needs KUSKA_BIN and KUSKA_SRC; dpkg-dev, lintian (scripts/deps.sh).

. "$(dirname "$0")/lib.sh"
: "${KUSKA_SRC:?KUSKA_SRC must name the source tree}"

if [ "${KUSKA_SANITIZED:-OFF}" = ON ]; then
	echo "sanitizer build: skipped (the package is made from the plain build)"
	echo "0 passed, 0 failed"
	exit 0
fi

VERSION=$("$KUSKA" version | awk '{ print $2 }')
ARCH=$(dpkg --print-architecture)
DEB=$T/pkg/kuska_${VERSION}_${ARCH}.deb
CONFIGS=$(cd "$KUSKA_SRC/config" && ls -- *.conf | sed 's/\.conf$//')

# --- build -------------------------------------------------------------------

if (cd "$KUSKA_BIN" && cpack -G DEB -B "$T/pkg") >"$T/cpack.log" 2>&1 &&
	[ -f "$DEB" ]; then
	ok "cpack -G DEB makes $(basename "$DEB")"
else
	not_ok "cpack -G DEB: no $DEB"
	tail -n 20 "$T/cpack.log"
	finish
fi

# --- control -----------------------------------------------------------------

dpkg-deb --field "$DEB" >"$T/control"
depends=$(sed -n 's/^Depends: //p' "$T/control")
missing=""
for lib in libc6 libzmq5 libsodium23 liblmdb0 libjansson4 libprotobuf-c1 \
	libinih1 libsystemd0 libgsl27 libglpk40 systemd; do
	printf '%s\n' "$depends" | grep -q "\\b$lib\\b" || missing="$missing $lib"
done
if [ -z "$missing" ] && printf '%s\n' "$depends" | grep -q 'libzmq5 (>= '; then
	ok "Depends names each library with its version (dpkg-shlibdeps): $depends"
else
	not_ok "Depends lacks:$missing ($depends)"
fi
if grep -q "^Recommends: .*\blmdb-utils\b" "$T/control"; then
	ok "Recommends lmdb-utils (mdb_copy, for live backups)"
else
	not_ok "Recommends lacks lmdb-utils: $(grep '^Recommends' "$T/control")"
fi
# What the package recommends, a machine built from source wants too.
deps=$(sed -n '/^PACKAGES="/,/"$/p' "$KUSKA_SRC/scripts/deps.sh" |
	sed 's/^PACKAGES=//; s/"//g' | tr -s ' \t\n' ' ')
missing=""
for p in $(sed -n 's/^Recommends: //p' "$T/control" | sed 's/([^)]*)//g; s/[,|]/ /g'); do
	case " $deps " in *" $p "*) ;; *) missing="$missing $p" ;; esac
done
if [ -z "$missing" ]; then
	ok "scripts/deps.sh installs what the package recommends"
else
	not_ok "scripts/deps.sh lacks:$missing"
fi
if grep -q "^Package: kuska$" "$T/control" && grep -q "^Version: $VERSION$" "$T/control" &&
	grep -q "^Architecture: $ARCH$" "$T/control" && grep -q '^Maintainer: ' "$T/control"; then
	ok "Package, Version, Architecture and Maintainer"
else
	not_ok "control fields: $(cat "$T/control")"
fi
mkdir -p "$T/ctl"
dpkg-deb --control "$DEB" "$T/ctl"
bad=""
for s in postinst prerm postrm; do
	[ -x "$T/ctl/$s" ] || bad="$bad $s"
done
[ -z "$bad" ] && ok "maintainer scripts postinst, prerm, postrm" ||
	not_ok "maintainer scripts missing or not executable:$bad"

# --- contents ----------------------------------------------------------------

dpkg-deb --contents "$DEB" >"$T/contents"
awk '{ print $6 }' "$T/contents" | sed 's#^\./#/#; s#/$##' >"$T/files"
missing=""
for f in /usr/bin/kuska /usr/sbin/kuska-node /usr/sbin/kuska-consolidator \
	/usr/share/man/man1/kuska.1.gz /usr/share/man/man5/kuska.conf.5.gz \
	/usr/share/man/man8/kuska-node.8.gz /usr/share/man/man8/kuska-consolidator.8.gz \
	/usr/lib/systemd/system/kuska-consolidator.service \
	/usr/lib/systemd/system/kuska-node@.service \
	/usr/lib/sysusers.d/kuska.conf /usr/lib/tmpfiles.d/kuska.conf \
	/usr/share/bash-completion/completions/kuska \
	/usr/share/bash-completion/completions/kuska-node \
	/usr/share/bash-completion/completions/kuska-consolidator \
	/usr/share/doc/kuska/copyright /usr/share/doc/kuska/changelog.gz; do
	grep -q -x -- "$f" "$T/files" || missing="$missing $f"
done
for c in $CONFIGS; do
	grep -q -x "/etc/kuska/$c.conf" "$T/files" || missing="$missing /etc/kuska/$c.conf"
done
if [ -z "$missing" ]; then
	ok "programs, man pages, units, sysusers, tmpfiles, completion, configs, copyright, changelog"
else
	not_ok "missing from the package:$missing"
fi
odd=$(grep -v -e '^/usr/\(bin\|sbin\|lib/systemd/system\|lib/sysusers.d\|lib/tmpfiles.d\|share/man\|share/doc/kuska\|share/bash-completion\|share/lintian\)\b' \
	-e '^/etc/kuska\(/[a-z-]*\.conf\)\{0,1\}$' -e '^/$' -e '^/etc$' \
	-e '^/usr\(/lib\|/share\|/share/doc\)\{0,1\}$' -e '^/usr/lib/systemd$' "$T/files" | tr '\n' ' ')
owners=$(awk '{ print $2 }' "$T/contents" | sort -u | tr '\n' ' ')
if [ -z "$odd" ] && [ "$owners" = "root/root " ]; then
	ok "nothing else (no /usr/local, no /etc/kuska/keys), all root/root"
else
	not_ok "unexpected in the package: [$odd], owners [$owners]"
fi
if [ "$(sort "$T/ctl/conffiles")" = "$(grep '^/etc/' "$T/files" | grep '\.conf$' | sort)" ]; then
	ok "every file under /etc is a conffile"
else
	not_ok "conffiles [$(cat "$T/ctl/conffiles")] differ from the files under /etc"
fi

# --- lintian -----------------------------------------------------------------

if ! command -v lintian >/dev/null; then
	not_ok "lintian not installed (scripts/deps.sh installs it)"
elif lintian --fail-on error,warning -EvIL +pedantic "$DEB" >"$T/lintian" 2>&1; then
	ok "lintian: no error, no warning$(grep -c '^[IPX]: ' "$T/lintian" |
		sed 's/^0$//; s/^\(..*\)$/ (\1 hints: see the log)/')"
	grep '^[IPXO]: ' "$T/lintian" | sed 's/^/# /'
else
	not_ok "lintian:"
	grep -v '^N: ' "$T/lintian"
fi
# Each hint of packaging/deb/lintian-overrides is overridden (shown O:),
# none listed as a hint: the override's syntax fits lintian's.
if [ -s "$T/lintian" ] &&
	! grep -q '^[IPX]: kuska: \(package-supports-alternative-init-but-no-init.d-script\|spelling-error-in-binary Requiere\)' "$T/lintian"; then
	ok "lintian: the hints of packaging/deb/lintian-overrides are overridden"
else
	not_ok "lintian: a hint of lintian-overrides not overridden: $(grep '^[IPX]: ' "$T/lintian")"
fi

# --- install, remove, purge in a scratch root ----------------------------------

R=$T/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/triggers"
: >"$R/var/lib/dpkg/status"
# The root holds nothing else, so dependencies cannot be met there.
dpkgr() {
	dpkg --root="$R" --force-script-chrootless --force-depends \
		--log=/dev/null "$@" >>"$T/dpkg.log" 2>&1
}

if dpkgr -i "$DEB" && ! grep -q 'source install' "$T/dpkg.log"; then
	ok "dpkg -i into a scratch root (no source install to warn of)"
else
	not_ok "dpkg -i:"
	cat "$T/dpkg.log"
fi
groups=$(grep -c '^kuska-\(control\|submit-\(pnp\|mp\|pj\|mimp\|minsa\)\):' \
	"$R/etc/group" 2>/dev/null)
if [ "$groups" = 6 ] && ! grep -q '^kuska' "$R/etc/passwd" 2>/dev/null; then
	ok "postinst made the services' six groups, and no user (each service gets its own)"
else
	not_ok "groups in the root: $(grep '^kuska' "$R/etc/group" 2>&1 | tr '\n' ' ')"
fi
if [ "$(stat -c '%a %u %g' "$R/etc/kuska/keys" 2>/dev/null)" = "755 0 0" ] &&
	[ -d "$R/var/lib/kuska" ]; then
	ok "postinst made /etc/kuska/keys (0755, root's) and /var/lib/kuska"
else
	not_ok "/etc/kuska/keys: $(stat -c '%a %u %g' "$R/etc/kuska/keys" 2>&1); /var/lib/kuska: $(ls -d "$R/var/lib/kuska" 2>&1)"
fi
wants=$(find "$R/etc/systemd" -name 'kuska*' 2>/dev/null | tr '\n' ' ')
state=$(systemctl --root="$R" is-enabled kuska-consolidator.service \
	kuska-node@pnp.service 2>/dev/null | tr '\n' ' ')
if [ -z "$wants" ] && [ "$state" = "disabled disabled " ]; then
	ok "the services stay disabled (systemctl --root is-enabled: $state)"
else
	not_ok "services enabled: [$wants] [$state]"
fi
if "$R/usr/bin/kuska" version | grep -q "^kuska $VERSION$" &&
	"$R/usr/sbin/kuska-node" --help | grep -q '^usage: kuska-node' &&
	"$R/usr/sbin/kuska-consolidator" --help | grep -q '^usage: kuska-consolidator' &&
	grep -q "^ExecStart=/usr/sbin/kuska-node " "$R/usr/lib/systemd/system/kuska-node@.service" &&
	MANPAGER=cat man -l "$R/usr/share/man/man1/kuska.1.gz" 2>/dev/null | grep -q 'kuska help'; then
	ok "the installed programs run, the units start them, the man pages read"
else
	not_ok "the installed programs, units or man pages"
fi

# The pages the man pages send the reader to are on the machine: a
# docs/NAME.md (or NAME.md) is in /usr/share/doc/kuska (kuska(1) says
# so), and nothing else of the source tree is named.
missing=""
for page in $(zcat "$R"/usr/share/man/man*/*.gz |
	grep -oE '[A-Za-z_/*.-]*\.md([^A-Za-z]|$)' | sed -E 's/[^A-Za-z]$//' | sort -u); do
	case $page in
	'docs/*.md') ;;
	docs/*/* | */*/*) missing="$missing $page" ;;
	docs/* | [A-Z]*) [ -f "$R/usr/share/doc/kuska/${page#docs/}" ] ||
		missing="$missing $page" ;;
	*) missing="$missing $page" ;;
	esac
done
if [ -z "$missing" ]; then
	ok "every .md page the man pages name is installed in /usr/share/doc/kuska"
else
	not_ok "the man pages name pages not installed:$missing"
fi

top=$(zcat "$R/usr/share/doc/kuska/changelog.gz" 2>/dev/null | head -n 1)
case $top in
"kuska ($VERSION) "*) ok "the changelog's latest entry is $VERSION" ;;
*) not_ok "packaging/deb/changelog starts \"$top\": add an entry for $VERSION" ;;
esac

# What an administrator and the daemons leave behind.
echo "# edited by the administrator" >>"$R/etc/kuska/pnp.conf"
mkdir -p "$R/var/lib/kuska" "$R/var/lib/private/kuska/pnp"
echo outbox >"$R/var/lib/private/kuska/pnp/data.mdb"
ln -s ../private/kuska/pnp "$R/var/lib/kuska/pnp" # as DynamicUser= makes it
mkdir -p "$R/var/lib/private/kuska/keyholder"
echo allowances >"$R/var/lib/private/kuska/keyholder/accounts"
ln -s ../private/kuska/keyholder "$R/var/lib/kuska/keyholder"
echo secret >"$R/etc/kuska/keys/pnp.key"
: >"$T/dpkg.log"
dpkgr -i "$DEB"
if tail -n 1 "$R/etc/kuska/pnp.conf" | grep -q 'edited by the administrator'; then
	ok "a reinstall keeps an edited config (conffile)"
else
	not_ok "a reinstall overwrote /etc/kuska/pnp.conf"
fi
# Its postinst runs with "configure VERSION" as an upgrade's does, but
# no program changed.
if ! grep -q 'kuska: \(installed\|upgraded\|downgraded\)' "$T/dpkg.log"; then
	ok "... and says neither \"installed\" nor \"upgraded from $VERSION\""
else
	not_ok "the reinstall's postinst: $(cat "$T/dpkg.log")"
fi

# --- upgrade to the next version, with data in place --------------------
# The same package as version VERSION+1 (repacked: nothing is built
# again), whose shipped pnp.conf (edited here) and analyst.conf (not)
# changed: the old prerm and postrm run with "upgrade", the new postinst
# with "configure VERSION".
U=$T/up
NEXT=$VERSION+1
dpkg-deb -R "$DEB" "$U" &&
	sed -i "s/^Version: .*/Version: $NEXT/" "$U/DEBIAN/control" &&
	echo "# new in $NEXT" >>"$U/etc/kuska/pnp.conf" &&
	echo "# new in $NEXT" >>"$U/etc/kuska/analyst.conf" &&
	(cd "$U" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' |
		sort -z | xargs -0 md5sum >DEBIAN/md5sums) &&
	dpkg-deb --root-owner-group -b "$U" "$T/next.deb" >/dev/null
chmod 0600 "$R/etc/kuska/keys/pnp.key"
# What a source install (cmake --install) before the package left: its
# unit and program come first (systemd's unit path, PATH).
mkdir -p "$R/usr/local/lib/systemd/system" "$R/usr/local/sbin"
echo '[Service]' >"$R/usr/local/lib/systemd/system/kuska-node@.service"
echo '#!/bin/sh' >"$R/usr/local/sbin/kuska-node"
before=$(cd "$R" && sha256sum etc/kuska/keys/pnp.key var/lib/private/kuska/pnp/data.mdb)
: >"$T/dpkg.log"
# --force-confold: what apt-get's prompt answers by default, for the
# file changed on both sides.
if dpkgr --force-confold -i "$T/next.deb" &&
	dpkg-query --root="$R" -W -f '${Version} ${Status}' kuska |
	grep -q -x "$NEXT install ok installed"; then
	ok "dpkg -i of version $NEXT over $VERSION"
else
	not_ok "the upgrade to $NEXT: $(cat "$T/dpkg.log")"
fi
if [ "$(cd "$R" && sha256sum etc/kuska/keys/pnp.key var/lib/private/kuska/pnp/data.mdb)" = "$before" ] &&
	[ "$(stat -c '%a' "$R/etc/kuska/keys/pnp.key")" = 600 ] &&
	[ "$(stat -c '%a %u %g' "$R/etc/kuska/keys")" = "755 0 0" ] &&
	[ "$(readlink "$R/var/lib/kuska/pnp")" = ../private/kuska/pnp ]; then
	ok "... keeps the keys (and their modes) and the outbox as they were"
else
	not_ok "the upgrade changed the keys or the outbox: $(ls -laR "$R/etc/kuska/keys" "$R/var/lib/kuska" 2>&1)"
fi
if tail -n 1 "$R/etc/kuska/pnp.conf" | grep -q 'edited by the administrator' &&
	tail -n 1 "$R/etc/kuska/pnp.conf.dpkg-dist" 2>/dev/null | grep -q "new in $NEXT" &&
	tail -n 1 "$R/etc/kuska/analyst.conf" | grep -q "new in $NEXT"; then
	ok "... keeps an edited config (the new one beside it, .dpkg-dist) and updates an unedited one"
else
	not_ok "conffiles after the upgrade: $(ls "$R/etc/kuska"; cat "$T/dpkg.log")"
fi
if grep -q "kuska: warning: a source install's files come before the package's .*: /usr/local/lib/systemd/system/kuska-node@.service /usr/local/sbin/kuska-node; remove them" "$T/dpkg.log" &&
	[ -f "$R/usr/local/sbin/kuska-node" ]; then
	ok "... warns of a source install's unit and program under /usr/local, naming them, and leaves them"
else
	not_ok "no warning of the source install's files: $(cat "$T/dpkg.log")"
fi
# DPKG_ROOT: no service of that root is the running system's.
if grep -q -x "kuska: upgraded from $VERSION" "$T/dpkg.log" &&
	! grep -q 'until restarted' "$T/dpkg.log"; then
	ok "... says \"kuska: upgraded from $VERSION\" and nothing of restarting (no service of that root runs)"
else
	not_ok "the upgrade's word: $(cat "$T/dpkg.log")"
fi
rm -rf "$R/usr/local"
if ! grep -q 'kuska: installed' "$T/dpkg.log" && [ -z "$(find "$R/etc/systemd" -name 'kuska*' 2>/dev/null)" ]; then
	ok "... says no \"installed\" again and enables nothing"
else
	not_ok "the upgrade's postinst: $(cat "$T/dpkg.log")"
fi

# Back to VERSION: said as what it is.
: >"$T/dpkg.log"
if dpkgr --force-confold -i "$DEB" &&
	grep -q -x "kuska: downgraded from $NEXT" "$T/dpkg.log" &&
	! grep -q 'kuska: upgraded' "$T/dpkg.log"; then
	ok "a downgrade to $VERSION says it is one (\"downgraded from $NEXT\")"
else
	not_ok "the downgrade's postinst: $(cat "$T/dpkg.log")"
fi

# --- the upgrade's word on a running system -----------------------------
# The package's postinst by itself, not in a scratch root: systemctl,
# systemd-sysusers, systemd-tmpfiles and dpkg-query are stand-ins, and
# systemd's /run/systemd/system (whether systemd runs) is one of $T's,
# there or not. The restart advice comes only with a kuska unit active,
# naming it.
F=${T:?}/fake
mkdir -p "$F"
printf '#!/bin/sh\nexit 0\n' >"$F/systemd-sysusers"
cp "$F/systemd-sysusers" "$F/systemd-tmpfiles"
printf '#!/bin/sh\nprintf %%s "${FAKE_VERSION:-%s}"\n' "$NEXT" >"$F/dpkg-query"
# list-units --plain --no-legend: UNIT LOAD ACTIVE SUB DESCRIPTION.
cat >"$F/systemctl" <<'EOF'
#!/bin/sh
case "$1" in
list-units)
	case " $* " in
	*" --state=active "*) awk '$3 == "active"' "$FAKE_UNITS" ;;
	*) cat "$FAKE_UNITS" ;;
	esac
	;;
esac
exit 0
EOF
chmod +x "$F/systemd-sysusers" "$F/systemd-tmpfiles" "$F/dpkg-query" "$F/systemctl"
sed "s|/run/systemd/system|$T/run/systemd/system|g" "$T/ctl/postinst" >"$T/postinst"
postinst_says() { # postinst_says [systemd]: its output, systemd running or not
	rm -rf "${T:?}/run"
	[ -z "${1:-}" ] || mkdir -p "$T/run/systemd/system"
	env -u DPKG_ROOT FAKE_UNITS="$T/units" PATH="$F:$PATH" \
		sh "$T/postinst" configure "$VERSION" 2>/dev/null
}
printf '%s\n' 'kuska-consolidator.service loaded inactive dead kuska consolidator' \
	'kuska-node@pnp.service loaded failed failed kuska node pnp' >"$T/units"
said=$(postinst_says systemd)
if [ "$(grep -c "$T/run/systemd/system" "$T/postinst")" -ge 2 ] &&
	[ "$said" = "kuska: upgraded from $VERSION" ]; then
	ok "postinst, systemd running, no kuska unit active: \"$said\""
else
	not_ok "postinst, no kuska unit active: [$said]"
fi
printf '%s\n' 'kuska-consolidator.service loaded active running kuska consolidator' \
	'kuska-node@pnp.service loaded active running kuska node pnp' \
	'kuska-node@mp.service loaded inactive dead kuska node mp' >"$T/units"
said=$(postinst_says systemd)
if [ "$said" = "kuska: upgraded from $VERSION; the running services keep the old programs until restarted (running: kuska-consolidator.service kuska-node@pnp.service): systemctl restart each, the consolidator before the nodes (/usr/share/doc/kuska/OPERATIONS.md section 7)" ]; then
	ok "... two active: they keep the old programs until restarted, named"
else
	not_ok "postinst, two kuska units active: [$said]"
fi
# A reinstall of the same version, two units active: a later build of
# the same version (0.2.0 held several formats) changes the programs,
# which the running services keep until restarted.
said=$(FAKE_VERSION=$VERSION postinst_says systemd)
if [ "$said" = "kuska: reinstalled $VERSION; the running services keep the programs they started with until restarted (running: kuska-consolidator.service kuska-node@pnp.service), and a build of the same version may have changed them: systemctl restart each, the consolidator before the nodes (/usr/share/doc/kuska/OPERATIONS.md section 7)" ]; then
	ok "... a reinstall of $VERSION with two active: they keep the programs they started with, named"
else
	not_ok "postinst, a reinstall with two kuska units active: [$said]"
fi
said=$(postinst_says)
if [ "$said" = "kuska: upgraded from $VERSION" ]; then
	ok "... systemd not running: \"$said\""
else
	not_ok "postinst without systemd: [$said]"
fi

if dpkgr -r kuska && [ ! -e "$R/usr/bin/kuska" ] && [ -f "$R/var/lib/kuska/pnp/data.mdb" ] &&
	[ -f "$R/etc/kuska/pnp.conf" ] && [ -f "$R/etc/kuska/keys/pnp.key" ]; then
	ok "dpkg -r: the programs go; data, configs and keys stay"
else
	not_ok "dpkg -r: $(tail -n 5 "$T/dpkg.log")"
fi

: >"$T/dpkg.log"
if dpkgr --purge kuska && [ ! -e "$R/var/lib/kuska" ] &&
	[ ! -e "$R/var/lib/private/kuska" ] && [ ! -e "$R/etc/kuska/pnp.conf" ] &&
	[ ! -e "$R/etc/kuska/pnp.conf.dpkg-dist" ] &&
	[ -f "$R/etc/kuska/keys/pnp.key" ] && grep -q '^kuska-control:' "$R/etc/group" &&
	grep -q 'deleting /var/lib/kuska' "$T/dpkg.log" &&
	grep -q 'deleting /var/lib/private/kuska (.*key holder accounts)' "$T/dpkg.log" &&
	grep -q 'keeping /etc/kuska/keys' "$T/dpkg.log"; then
	ok "dpkg --purge: configs and the stores deleted (private/ too, the key holder's accounts named), keys and groups kept, each said"
else
	not_ok "dpkg --purge: $(cat "$T/dpkg.log")"
fi

finish
