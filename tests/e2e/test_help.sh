# test_help.sh - every program and subcommand answers --help (stdout,
# exit 0) with its usage and a line per option; "kuska help" lists the
# subcommands; unknown options, commands and arguments are named, exit 2;
# scripts/demo.sh answers --help, names an option without its value, and
# with --keep prints the commands that start the kept network again;
# the man pages list the same options as the help (lib/help_table.c),
# the options the sources parse are all in the help, every log event
# the pages name is one the code writes, and every one the code writes
# has its row in OPERATIONS.md's reference of log events.
#
# No daemon is started. Needs KUSKA_BIN and KUSKA_SRC.

. "$(dirname "$0")/lib.sh"
: "${KUSKA_SRC:?KUSKA_SRC must name the source tree}"

MAN1=$KUSKA_SRC/docs/kuska.1

# The options of a --help text, one per line: "-c", "--period", ...
# (short and long names both; --help and -h included).
help_opts() {
	sed -n '/^Options:$/,/^$/p' | grep -o '^  \(-[A-Za-z0-9]\(, --[a-z0-9-]*\)\{0,1\}\|    --[a-z0-9-]*\)' |
		tr ',' '\n' | sed 's/^ *//' | sed '/^$/d'
}

# The options of a --help text, one per line with all its names ("-p
# --period", "-c", "--boot"), without --help: what a SYNOPSIS shows one
# name of.
help_groups() {
	sed -n '/^Options:$/,/^$/p' | grep -o '^  \(-[A-Za-z0-9]\(, --[a-z0-9-]*\)\{0,1\}\|    --[a-z0-9-]*\)' |
		sed 's/^ *//; s/,//' | grep -v -x -- '-h --help'
}

# "Fl X" tokens of mdoc text on stdin, as option names: "Fl \-dir" is
# --dir, "Fl dn" is -d and -n; prefixed by the first field when asked.
fl_names() {
	while read -r cmd tok; do
		tok=${tok%%[,.;:)]*}
		case $tok in
		\\-*) echo "$cmd --${tok#\\-}" ;;
		-*) echo "$cmd -${tok#-}" ;;
		*) for ((i = 0; i < ${#tok}; i++)); do echo "$cmd -${tok:i:1}"; done ;;
		esac
	done
}

# The SYNOPSIS of an mdoc page: "COMMAND TOKEN" for each Fl in it, the
# command being the .Cm after .Nm ("-" for the program itself).
synopsis_fl() {
	awk '
		$1 == ".Sh" { on = ($2 == "SYNOPSIS"); next }
		!on { next }
		$1 == ".Nm" { cmd = "-"; fresh = 1; next }
		$1 == ".Cm" && fresh { cmd = $2; fresh = 0; next }
		{ fresh = 0; for (i = 1; i < NF; i++) if ($i == "Fl" || $i == ".Fl") print cmd, $(i + 1) }
	' "$1" | fl_names | sort -u
}

# Every Fl of a page, as option names.
page_fl() {
	grep -o 'Fl [^ ]*' "$1" | sed 's/^Fl /- /' | fl_names | cut -d' ' -f2 | sort -u
}

# --- kuska help --------------------------------------------------------------

"$KUSKA" help >"$T/help" 2>"$T/err"
rc=$?
CMDS=$(sed -n '/^Commands:$/,/^$/p' "$T/help" | sed -n 's/^  \([a-z]*\) .*/\1/p')
if [ $rc = 0 ] && [ ! -s "$T/err" ] && [ "$(echo $CMDS | wc -w)" -ge 10 ]; then
	ok "kuska help: exit 0, lists $(echo $CMDS | wc -w) commands"
else
	not_ok "kuska help: exit $rc, commands: $CMDS"
fi
for c in $CMDS; do
	grep -q "^  kuska $c\\b" "$T/help" || not_ok "kuska help: no usage line for $c"
done
"$KUSKA" --help >"$T/help2" 2>&1
check "kuska --help prints what kuska help prints" cmp -s "$T/help" "$T/help2"
"$KUSKA" >"$T/out" 2>"$T/err"
rc=$?
if [ $rc = 2 ] && [ ! -s "$T/out" ] && cmp -s "$T/help" "$T/err"; then
	ok "kuska alone: the same on standard error, exit 2"
else
	not_ok "kuska alone: exit $rc"
fi
"$KUSKA" help nosuch >"$T/out" 2>"$T/err"
rc=$?
if [ $rc = 2 ] && [ ! -s "$T/out" ] && grep -q 'kuska help: unknown command "nosuch"' "$T/err"; then
	ok "kuska help nosuch: named, exit 2"
else
	not_ok "kuska help nosuch: exit $rc: $(cat "$T/err")"
fi
"$KUSKA" nosuch >"$T/out" 2>"$T/err"
rc=$?
if [ $rc = 2 ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -q 'kuska: unknown command "nosuch"' "$T/err"; then
	ok "kuska nosuch: named in one line, exit 2"
else
	not_ok "kuska nosuch: exit $rc: $(cat "$T/err")"
fi

# --- each subcommand: --help, -h, help COMMAND; unknown options named ----------

# The daemons: each program with a page in section 8 (kuska-node,
# kuska-consolidator, ...); one without a binary is a failure.
DAEMONS=""
for page in "$KUSKA_SRC"/docs/*.8; do
	d=$(basename "$page" .8)
	if [ -x "$KUSKA_BIN/$d" ]; then
		DAEMONS="$DAEMONS $d"
	else
		not_ok "docs/$d.8 but no $KUSKA_BIN/$d"
	fi
done

# "kuska CMD" or a daemon, one a line.
each_program() {
	for c in $CMDS; do echo "kuska $c"; done
	for d in $DAEMONS; do echo "$d"; done
}

MAN_BAD=""
while read -r prog cmd; do
	name="$prog${cmd:+ $cmd}"
	# shellcheck disable=SC2086
	"$KUSKA_BIN/$prog" $cmd --help >"$T/h" 2>"$T/err"
	rc=$?
	# shellcheck disable=SC2086
	"$KUSKA_BIN/$prog" $cmd -h >"$T/h2" 2>&1
	if [ -n "$cmd" ]; then "$KUSKA" help "$cmd" >"$T/h3" 2>&1; else cp "$T/h" "$T/h3"; fi
	opts=$(help_opts <"$T/h" | tr '\n' ' ')
	if [ $rc = 0 ] && [ ! -s "$T/err" ] && head -n 1 "$T/h" | grep -q "^usage: $name\\b" &&
		grep -q -- '--help' "$T/h" && cmp -s "$T/h" "$T/h2" && cmp -s "$T/h" "$T/h3"; then
		ok "$name --help, -h$([ -n "$cmd" ] && echo ", kuska help $cmd"): usage and options: $opts"
	else
		not_ok "$name --help: exit $rc: $(head -n 3 "$T/h" "$T/err")"
	fi
	# Each option's line says something.
	bad=$(sed -n '/^Options:$/,/^$/p' "$T/h" | sed '1d;/^$/d' |
		awk 'NF < 2 && !/^ {10}/ { getline nx; if (nx !~ /^ {10}/) print }')
	[ -z "$bad" ] || not_ok "$name: option lines without a text: $bad"

	# shellcheck disable=SC2086
	"$KUSKA_BIN/$prog" $cmd --frobnicate >"$T/out" 2>"$T/err"
	rc=$?
	# shellcheck disable=SC2086
	"$KUSKA_BIN/$prog" $cmd -Z >>"$T/out" 2>>"$T/err"
	rc2=$?
	if [ "$rc$rc2" = 22 ] && [ ! -s "$T/out" ] && [ "$(wc -l <"$T/err")" = 2 ] &&
		grep -q "^$name: unknown option \"--frobnicate\"" "$T/err" &&
		grep -q "^$name: unknown option \"-Z\"" "$T/err"; then
		ok "$name --frobnicate, -Z: named, one line each, exit 2"
	else
		not_ok "$name --frobnicate: exit $rc/$rc2: $(cat "$T/err")"
	fi

	# The man page: the SYNOPSIS shows each option of the help (by one
	# of its names) and no other; every name of every option (-p and
	# --period) appears in the page.
	case $prog in
	kuska) page=$MAN1 key=$cmd ;;
	*) page=$KUSKA_SRC/docs/$prog.8 key=- ;;
	esac
	syn=$T/syn.$(basename "$page")
	[ -f "$syn" ] || synopsis_fl "$page" >"$syn"
	have=" $(awk -v k="$key" '$1 == k { print $2 }' "$syn" | sort -u | tr '\n' ' ')"
	while read -r names; do
		found=""
		for o in $names; do
			case $have in *" $o "*) found=$o ;; esac
		done
		[ -n "$found" ] || MAN_BAD="$MAN_BAD
  $name: ${names// / or } is not in the SYNOPSIS of $(basename "$page")"
	done < <(help_groups <"$T/h")
	for o in $have; do
		case " $opts" in *" $o "*) ;; *) MAN_BAD="$MAN_BAD
  $name: the SYNOPSIS of $(basename "$page") has $o, the help does not" ;;
		esac
	done
	[ -f "$T/fl.$(basename "$page")" ] || page_fl "$page" >"$T/fl.$(basename "$page")"
	for o in $opts; do
		grep -q -x -- "$o" "$T/fl.$(basename "$page")" ||
			MAN_BAD="$MAN_BAD
  $name: $o is not in $(basename "$page")"
	done
	cp "$T/h" "$T/help.${name// /.}"
done < <(each_program)
if [ -z "$MAN_BAD" ]; then
	ok "the man pages' SYNOPSIS and text list exactly the options of the help"
else
	not_ok "man pages and help differ:$MAN_BAD"
fi

# Vice versa: every option a page names is in some help of its program.
for prog in kuska $DAEMONS; do
	: >"$T/all"
	if [ $prog = kuska ]; then
		page=$MAN1
		for c in $CMDS; do help_opts <"$T/help.kuska.$c" >>"$T/all"; done
	else
		page=$KUSKA_SRC/docs/$prog.8
		help_opts <"$T/help.$prog" >>"$T/all"
	fi
	extra=$(grep -v -x -F -f "$T/all" "$T/fl.$(basename "$page")" | tr '\n' ' ')
	if [ -z "$extra" ]; then
		ok "$(basename "$page") names no option its help lacks"
	else
		not_ok "$(basename "$page") names options no help lists: $extra"
	fi
done

# The daemons' option lists (.It Fl) are exactly their options.
for prog in $DAEMONS; do
	want=$(help_opts <"$T/help.$prog" | sort -u | tr '\n' ' ')
	have=$(grep '^\.It Fl' "$KUSKA_SRC/docs/$prog.8" | sed 's/^\.It //' |
		grep -o 'Fl [^ ]*' | sed 's/^Fl /- /' | fl_names | cut -d' ' -f2 |
		sort -u | tr '\n' ' ')
	if [ "$want" = "$have" ]; then
		ok "$prog.8 describes each option of $prog --help: $want"
	else
		not_ok "$prog.8 option list [$have], --help [$want]"
	fi
done

# --- the sources parse no option the help does not know -----------------------

# Long options in getopt_long tables and short ones in option strings,
# per file; a file named after a subcommand is checked against it,
# daemon/X/main.c against kuska-X, any other against every help together.
for c in $CMDS; do help_opts <"$T/help.kuska.$c"; done | sort -u >"$T/client_all"
bad=""
for f in "$KUSKA_SRC"/client/*.c "$KUSKA_SRC"/daemon/*/main.c; do
	base=$(basename "$f" .c)
	daemon=$(printf '%s\n' "$f" | sed -n 's#.*/daemon/\([a-z]*\)/main\.c$#kuska-\1#p')
	case $f in
	*/daemon/*)
		if [ -f "$T/help.$daemon" ]; then
			help_opts <"$T/help.$daemon" >"$T/known"
		else
			not_ok "$f: no $daemon --help"
			: >"$T/known"
		fi
		;;
	*)
		if [ -f "$T/help.kuska.$base" ]; then
			help_opts <"$T/help.kuska.$base" >"$T/known"
		else
			cp "$T/client_all" "$T/known"
		fi
		;;
	esac
	for o in $(grep -o '{"[a-z0-9-]*", *\(no\|required\|optional\)_argument' "$f" |
		sed 's/{"\([^"]*\)".*/--\1/'); do
		grep -q -x -- "$o" "$T/known" || bad="$bad $(basename "$f"):$o"
	done
	for s in $(grep -o 'getopt\(_long\)\{0,1\}(argc, argv, "[^"]*"' "$f" |
		sed 's/.*"\([^"]*\)"/\1/' | tr -d ':' | fold -w1); do
		grep -q -x -- "-$s" "$T/known" || bad="$bad $(basename "$f"):-$s"
	done
done
if [ -z "$bad" ]; then
	ok "every option the sources parse is in lib/help_table.c"
else
	not_ok "options parsed but missing from lib/help_table.c:$bad"
fi

# --- kuska query --help: tables, periods, regions ------------------------------

cp "$T/help.kuska.query" "$T/q"
listed=$(sed -n '/^Tables:$/,/^$/p' "$T/q" | sed -n 's/^  \([a-z_][a-z_0-9]*\)\( .*\)\{0,1\}$/\1/p' | tr '\n' ' ')
tables=$(echo $listed | tr ' ' '\n' | sort | tr '\n' ' ')
# The refusal of a table nobody has names the same ones, in the same
# order: one list (lib/help_table.c), which query.c accepts.
"$KUSKA_BIN/kuska" query -c "$KUSKA_SRC/config/analyst.conf" nosuch >/dev/null 2>"$T/nosuch"
rc=$?
refused=$(sed -n 's/^kuska query: unknown table "nosuch" (one of \(.*\))$/\1/p' "$T/nosuch" | tr -d ',')
src=$(echo $refused | tr ' ' '\n' | sort | tr '\n' ' ')
if [ "$rc" = 2 ] && [ -n "$refused" ] && [ "$refused " = "$listed" ]; then
	ok "kuska query names the tables kuska help query lists, in its order: $listed"
else
	not_ok "kuska query --help tables [$listed], an unknown table's refusal [$refused] (exit $rc)"
fi
for t in $listed; do
	"$KUSKA_BIN/kuska" query -c "$KUSKA_SRC/config/analyst.conf" "$t" --period 1999 2>&1 |
		grep -q 'unknown table' && not_ok "kuska query refuses $t, which its help lists"
done
# kuska(1) describes each of them, as an item of its query command.
man_tables=$(awk '/^\.It Cm query /{ on = 1; next } /^\.It Cm report /{ on = 0 }
	on && /^\.It Cm [a-z_0-9]*$/ { print $3 }' "$MAN1" | sort | tr '\n' ' ')
if [ "$man_tables" = "$src" ]; then
	ok "kuska(1) describes each table kuska query accepts"
else
	not_ok "kuska(1) query tables [$man_tables], kuska query's [$src]"
fi
if grep -q '^  2026 ' "$T/q" && grep -q '2026H1, 2026H2' "$T/q" &&
	grep -q '2026Q1 \.\.\. 2026Q4' "$T/q" && grep -q '2026Q3' "$T/q" &&
	[ "$(sed -n '/^Regions:$/,/^$/p' "$T/q" | grep -c '^  [0-2][0-9] ')" = 25 ]; then
	ok "kuska query --help gives the period forms and the 25 region codes"
else
	not_ok "kuska query --help: periods or regions missing"
fi
# An analyst must see which cases a case table counts: by which date.
if grep -q '^  funnel .*cases with a complaint in the period' "$T/q" &&
	grep -q "^  prosecution .*by the stage's date" "$T/q" &&
	grep -q '^  durations .*by the later one' "$T/q"; then
	ok "kuska query --help says by which date each case table counts"
else
	not_ok "kuska query --help: prosecution, funnel, durations do not say which cases they count"
fi

# --- what the check refuses, and what it lets through --------------------------

refused() { # refused DESCRIPTION MESSAGE ARGS...
	local what=$1 msg=$2 rc
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc = 2 ] && [ ! -s "$T/out" ] && [ "$(wc -l <"$T/err")" = 1 ] &&
		grep -q -F -- "$msg" "$T/err"; then
		ok "$what: $(cat "$T/err")"
	else
		not_ok "$what: exit $rc: $(cat "$T/err") (wanted: $msg)"
	fi
}
refused "an argument too many" 'kuska status: unexpected argument "extra"' \
	"$KUSKA" status -c x.conf extra
refused "a value outside the choices" 'kuska query: bad --format "xml": one of text|csv|json' \
	"$KUSKA" query -c x.conf identification --period 2026 --format=xml
refused "a missing value" 'kuska estimate: option "--boot" needs a value' \
	"$KUSKA" estimate x.csv --boot
refused "a missing required option" 'kuska submit: missing -c NODE.conf' \
	"$KUSKA" submit x.jsonl
refused "a missing operand" 'kuska submit: missing FILE' \
	"$KUSKA" submit -c x.conf
refused "a missing period" 'kuska query: missing --period P: a year' \
	"$KUSKA" query -c x.conf identification
printf '[network x]\n' >"$T/registry.conf"
refused "metrics given a registry names itself" \
	"kuska metrics: $T/registry.conf: a [network x] file; give a node's" \
	"$KUSKA" metrics -c "$T/registry.conf"
# A config path that does not exist: said so, as query and submit say it,
# not "not a kuska config file".
refused "status given a missing config says it is missing" \
	"kuska status: $T/missing.conf: No such file or directory" \
	"$KUSKA" status -c "$T/missing.conf"
# A node's config given to the query client: named, as status names a
# client's, not "unknown section [node]".
printf '[node]\ninstitution = pnp\n' >"$T/pnp.conf"
refused "query given a node's config names it" \
	"kuska query: $T/pnp.conf: a [node] file; give a query client's config (a [client] file, such as analyst.conf, or pnp-stats.conf for an institution's officers)" \
	"$KUSKA" query -c "$T/pnp.conf" identification --period 2025
refused "report given a node's config names it" \
	"kuska report: $T/pnp.conf: a [node] file; give a query client's config" \
	"$KUSKA" report -c "$T/pnp.conf" --period 2025
# A query client's key file it cannot read: the config and its key named,
# as the daemons name theirs, not a bare path the analyst must trace.
printf '[client]\nkey = keys/analyst.key\nconsolidator = tcp://127.0.0.1:1\nconsolidator_key = keys/consolidator.pub\n' \
	>"$T/client.conf"
refused "query whose key file is missing names the config and its key" \
	"kuska query: $T/client.conf:2: [client] key: $T/keys/analyst.key: No such file or directory" \
	"$KUSKA" query -c "$T/client.conf" identification --period 2025
refused "report likewise" \
	"kuska report: $T/client.conf:2: [client] key: $T/keys/analyst.key: No such file or directory" \
	"$KUSKA" report -c "$T/client.conf" --period 2025
mkdir -p "$T/keys"
"$KUSKA" keygen analyst --dir "$T/keys" >/dev/null
refused "... and a missing consolidator_key" \
	"kuska query: $T/client.conf:4: [client] consolidator_key: $T/keys/consolidator.pub: No such file or directory" \
	"$KUSKA" query -c "$T/client.conf" identification --period 2025
# The key made with sudo (root's, 0600), kuska run by the analyst's
# account: what to do is said. As root, with setpriv, as nobody.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 0711 "$T" "$T/keys"
	chmod 0644 "$T/client.conf"
	refused "a key the account cannot read: what to do said" \
		"kuska query: $T/client.conf:2: [client] key: $T/keys/analyst.key: Permission denied (the account that runs kuska must be able to read it: chown ACCOUNT FILE, keeping mode 0600)" \
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$KUSKA" query -c "$T/client.conf" identification --period 2025
	chmod 0700 "$T" "$T/keys"
fi
refused "a malformed period" 'kuska report: bad --period "2025-Q3": a year' \
	"$KUSKA" report -c x.conf --period 2025-Q3
# kuska query and kuska report say the same of their --period.
refused "a missing period (report)" 'kuska report: missing --period P: a year (2026), a semester (2026H1) or a quarter (2026Q3)' \
	"$KUSKA" report -c x.conf
refused "a malformed period (query)" 'kuska query: bad --period "2025-Q3": a year (2026), a semester (2026H1) or a quarter (2026Q3)' \
	"$KUSKA" query -c x.conf identification --period 2025-Q3
refused "a period not begun" 'kuska report: --period 2999 has not begun (today is' \
	"$KUSKA" report -c x.conf --period 2999
refused "a period not begun" 'kuska query: --period 2999Q1 has not begun (today is' \
	"$KUSKA" query -c x.conf overlap --period 2999Q1
refused "a period before 2000" 'kuska query: --period 1999: before 2000: no record' \
	"$KUSKA" query -c x.conf overlap --period 1999
# The report is HTML: asked for a format, it says where a table's CSV
# is rather than "unknown option".
refused "kuska report --format" "kuska report: no option \"--format\": the report is one HTML page; a table as CSV or JSON is kuska query TABLE --period P --format csv" \
	"$KUSKA" report -c x.conf --period 2025 --format csv
# A region's report: its code read as kuska query reads it.
refused "a bad region (report)" 'kuska report: bad region "26": an INEI code 01 to 25' \
	"$KUSKA" report -c x.conf --period 2025 --region 26
refused "a bad region (query)" 'kuska query: bad region "26": an INEI code 01 to 25' \
	"$KUSKA" query -c x.conf identification --period 2025 --region 26
# A department asked by name, as an officer writes it: its code said.
refused "a region by name (query)" 'kuska query: bad region "LIMA": an INEI code 01 to 25 (15 for Lima)' \
	"$KUSKA" query -c x.conf identification --period 2025 --region LIMA
refused "a flag with a value" 'kuska-consolidator: option "--audit" takes no value' \
	"$CONS" --audit=yes -c x.conf
refused "an unknown option in a cluster" 'kuska-node: unknown option "-x"' \
	"$NODE" -dx -c x.conf
# Through the check to the command: its own errors, not the check's.
"$KUSKA" estimate --format=csv --boot=10 --se 3 -- "$T/missing.csv" >/dev/null 2>"$T/err"
rc=$?
if [ $rc = 2 ] && grep -q 'missing.csv' "$T/err"; then
	ok "--name=value, a prefix and -- pass the check (the command says: $(cat "$T/err"))"
else
	not_ok "kuska estimate --format=csv --boot=10 --se 3 -- FILE: exit $rc: $(cat "$T/err")"
fi
"$NODE" -dnc "$T/missing.conf" >/dev/null 2>"$T/err"
rc=$?
if [ $rc != 0 ] && grep -q 'missing.conf' "$T/err"; then
	ok "a cluster ending in -c FILE passes (the node says: $(cat "$T/err"))"
else
	not_ok "kuska-node -dnc FILE: exit $rc: $(cat "$T/err")"
fi

# --- the log events the pages name are written by the code ---------------------

# The events the code under DIR... logs, one a line: each "event=NAME"
# a string starts with (comments left out) and, for a line built as
# "event=%s", the names its statement chooses from ("store_unlisted" :
# "store_foreign").
logged_events() { # logged_events DIR...
	grep -rh --include='*.c' '"event=' "$@" |
		grep -v '^[[:space:]]*\(/\*\|\*\)' | grep -o '"event=[a-z_0-9]*' |
		sed 's/^"event=//; /^$/d'
	find "$@" -name '*.c' -exec awk '
		/"event=%s/ { on = 1 }
		on { print }
		on && /;[[:space:]]*$/ { on = 0 }' {} + |
		grep -o '"[a-z][a-z_0-9]*"' | tr -d '"'
}
# The events PAGE... names that the sorted list LOGGED lacks, as
# "PAGE:NAME", one a line. Only an event= counts: the bare word (query,
# release, start) is as well a command's, a table's or a key's.
unlogged() { # unlogged LOGGED PAGE...
	local logged=$1 page
	shift
	for page; do
		grep -o 'event=[a-z_0-9][a-z_0-9]*' "$page" | sed 's/^event=//' | sort -u |
			comm -13 "$logged" - | sed "s/^/$(basename "$page"):/"
	done
}
# Each event=NAME of a daemon's page is logged by that daemon's sources
# (daemon/X/) or lib/; each one of README.md, docs/*.md, kuska(1) and
# kuska.conf(5) by some daemon or lib/: a renamed or dropped event
# leaves no page promising it.
logged_events "$KUSKA_SRC/daemon" "$KUSKA_SRC/lib" | sort -u >"$T/logged"
bad=$({
	unlogged "$T/logged" "$KUSKA_SRC"/README.md "$KUSKA_SRC"/docs/*.md \
		"$KUSKA_SRC"/docs/kuska.1 "$KUSKA_SRC"/docs/kuska.conf.5
	for page in "$KUSKA_SRC"/docs/*.8; do
		d=$(basename "$page" .8)
		logged_events "$KUSKA_SRC/daemon/${d#kuska-}" "$KUSKA_SRC/lib" |
			sort -u >"$T/logged.$d"
		unlogged "$T/logged.$d" "$page"
	done
} | tr '\n' ' ')
if [ -z "$bad" ]; then
	ok "every event= the pages name is one the code logs"
else
	not_ok "events the pages name and no code logs: $bad"
fi

# --- the exit status the pages give the refusals that exit 78 ----------------
# The text of the item ".It Li event=NAME" of PAGE, joined on one line.
event_item() {
	awk -v ev="event=$2" '$0 == ".It Li " ev { on = 1; next }
		on && /^\.It / { exit } on' "$1" | tr '\n' ' '
}
# These events come before a fatalx_config, or a damaged file's exit
# 78: the pages said "exits 1" (restarted every 5 s) of them.
bad=""
for pe in kuska-node:outbox_foreign kuska-node:outbox_undecodable \
	kuska-node:ref_key_mismatch kuska-consolidator:store_foreign \
	kuska-node:outbox_damaged kuska-consolidator:store_damaged; do
	item=$(event_item "$KUSKA_SRC/docs/${pe%%:*}.8" "${pe#*:}")
	case $item in
	*"exits 1"* | "") bad="$bad $pe" ;;
	*"exits 78"*) ;;
	*) bad="$bad $pe" ;;
	esac
done
if [ -z "$bad" ]; then
	ok "the pages say exit 78 of the refusals that exit 78"
else
	not_ok "pages whose item does not say 'exits 78':$bad"
fi
# The DESCRIPTION's account of the check at start as well: it said
# "exits 1" of a damaged outbox or store, which exits 78
# (test_corrupt.sh), as the items and EXIT STATUS say.
bad=""
for page in kuska-node kuska-consolidator; do
	said=$(grep -o 'names what is damaged and exits [0-9]*' \
		"$KUSKA_SRC/docs/$page.8")
	case $said in
	*"exits 78") ;;
	*) bad="$bad $page(${said:-no sentence})" ;;
	esac
done
if [ -z "$bad" ]; then
	ok "the pages' DESCRIPTION says exit 78 of a damaged file at start"
else
	not_ok "pages whose DESCRIPTION does not say 'exits 78' of a damaged file:$bad"
fi

# --- the units' directories are in their pages' FILES --------------------------
# Each unit's StateDirectory= and RuntimeDirectory= (kuska/X, %i the
# instance: "id" in the node's page) under /var/lib/ and /run/, in the
# FILES of the page its Documentation= names first: the key holder's
# page left out its accounts' directory.
bad=""
for unit in "$KUSKA_SRC"/systemd/*.service; do
	page=$(sed -n 's/^Documentation=man:\([a-z-]*\)(8).*/\1/p' "$unit")
	files=$(awk '/^\.Sh FILES/ { on = 1; next } /^\.Sh / { on = 0 } on' \
		"$KUSKA_SRC/docs/$page.8" |
		sed 's/ Ns Ar id Ns Pa /id/g; s/ Ns Ar id Ns Pa$/id/')
	for d in "StateDirectory=/var/lib/" "RuntimeDirectory=/run/"; do
		dir=$(sed -n "s|^${d%%=*}=\(.*\)|\1|p" "$unit" | sed 's/%i/id/')
		case $files in
		*"${d#*=}$dir/"*) ;;
		*) bad="$bad $page:${d#*=}$dir/" ;;
		esac
	done
done
if [ -z "$bad" ]; then
	ok "each unit's state and runtime directories are in its page's FILES"
else
	not_ok "directories of the units missing from their pages' FILES:$bad"
fi

# --- the EXAMPLES' order: no -n of the installed config before the start ------
# The installed configs point the secret keys at the unit's credentials
# (/run/credentials/...), which exist only while the service runs, so -n
# of /etc/kuska/X.conf before "systemctl enable --now" exits 78 (the key
# holder's page did so). First the premise, on the shipped config:
sed 's/[A-Z_]*_HOST/127.0.0.1/' "$KUSKA_SRC/config/keyholder.conf" >"$T/kh-installed.conf"
"$KEYHOLDER" -n -c "$T/kh-installed.conf" >"$T/kh-installed.out" 2>&1
rc=$?
check "the installed keyholder.conf before the service runs: -n exits 78 ($rc), naming the credential" \
	sh -c "test $rc = 78 && grep -q 'a credential of the systemd unit, there only while the service runs' '$T/kh-installed.out'"
# Then the pages: within one literal block of EXAMPLES, a "-n -c
# /etc/kuska/" line coming before "systemctl enable --now".
bad=""
for page in "$KUSKA_SRC"/docs/*.8; do
	if awk '/^\.Sh EXAMPLES/ { on = 1; next } /^\.Sh / { on = 0 }
		on && /^\.Bd/ { n = 0 } on && / -n -c \/etc\/kuska\// { n = 1 }
		on && /systemctl enable --now/ && n { found = 1 }
		END { exit !found }' "$page"; then
		bad="$bad $(basename "$page")"
	fi
done
if [ -z "$bad" ]; then
	ok "no page's EXAMPLES checks the installed config with -n before the service's first start"
else
	not_ok "EXAMPLES that run -n on the installed config before systemctl enable --now:$bad"
fi

# --- the events the code logs are in OPERATIONS.md's reference ----------------

# The events of the reference: the first cell of each row of its tables.
reference_events() {
	awk '/^## [0-9]+\. Log events$/ { on = 1; next } /^## / { on = 0 } on' \
		"$KUSKA_SRC/docs/OPERATIONS.md" | sed -n 's/^| `\([a-z_0-9]*\)` |.*/\1/p'
}
reference_events | sort -u >"$T/reference"
missing=$(comm -23 "$T/logged" "$T/reference" | tr '\n' ' ')
stale=$(comm -13 "$T/logged" "$T/reference" | tr '\n' ' ')
if [ "$(wc -l <"$T/logged")" -ge 50 ] && [ -z "$missing$stale" ]; then
	ok "OPERATIONS.md's reference has a row for each of the $(wc -l <"$T/logged") events the code logs, and no other"
else
	not_ok "OPERATIONS.md's reference of log events lacks [$missing], has no longer logged [$stale]"
fi

# scripts/demo.sh's options, without running the demo: --help says what
# it does without KUSKA_BIN (apt-get, a build); an option without its
# value is named, not "$2: unbound variable"; --keep prints the commands
# that start the kept network again (a stub kuska stops the demo right
# after "kuska demo init").
DEMO=$KUSKA_SRC/scripts/demo.sh
bash "$DEMO" --help >"$T/demo-help.out" 2>&1
rc=$?
check "demo.sh --help: exit 0 ($rc), the usage and every option" \
	sh -c "test $rc = 0 && grep -q '^usage: scripts/demo.sh' '$T/demo-help.out' &&
		grep -q -- '--victims N' '$T/demo-help.out' && grep -q -- '--keep' '$T/demo-help.out' &&
		grep -q -- '--port BASE' '$T/demo-help.out'"
check "... saying that without KUSKA_BIN it installs packages with apt-get and builds" \
	sh -c "tr '\n' ' ' <'$T/demo-help.out' | grep -q 'Without KUSKA_BIN, it installs the Debian packages it needs with apt-get .* and builds'"
bash "$DEMO" -h >"$T/demo-h.out" 2>&1
check "demo.sh -h: the same" cmp -s "$T/demo-help.out" "$T/demo-h.out"
for opt in --port --victims; do
	KUSKA_BIN=/nonexistent bash "$DEMO" $opt >"$T/demo-noval.out" 2>&1
	rc=$?
	check "demo.sh $opt without a value: exit 2 ($rc), named" \
		sh -c "test $rc = 2 && grep -qx 'scripts/demo.sh: $opt needs a value (scripts/demo.sh --help)' '$T/demo-noval.out' &&
			! grep -q unbound '$T/demo-noval.out'"
done
mkdir -p "$T/stub"
cat >"$T/stub/kuska" <<STUB
#!/bin/sh
[ "\$1" = demo ] && exec "$KUSKA" "\$@"
exit 1
STUB
chmod +x "$T/stub/kuska"
KUSKA_BIN=$T/stub timeout 60 bash "$DEMO" --keep --port "$(pick_port)" \
	>"$T/demo-keep.out" 2>&1
kept=$(sed -n 's/^demo files kept in //p' "$T/demo-keep.out")
check "demo.sh --keep: the directory kept ($kept)" test -f "$kept/consolidator.conf"
check "... and the commands that start its daemons again and query it" \
	sh -c "grep -qx '  cd $kept' '$T/demo-keep.out' &&
		grep -qF '$T/stub/kuska-consolidator -c consolidator.conf' '$T/demo-keep.out' &&
		grep -qF '$T/stub/kuska-keyholder -c keyholder.conf' '$T/demo-keep.out' &&
		grep -qF 'for i in pnp mp pj mimp minsa; do $T/stub/kuska-node -c \$i.conf' '$T/demo-keep.out' &&
		grep -qF '$T/stub/kuska query -c secretariat.conf ' '$T/demo-keep.out'"
# The kept directory is whole: its indicators are demo init's copy in it,
# not the source tree's config/indicators.conf (which demo.sh named, and
# which an installed kuska does not have).
check "... its consolidator's indicators the demo's own, in the directory" \
	sh -c "test \$(grep -c '^indicators = ' '$kept/consolidator.conf') = 1 &&
		grep -qx 'indicators = indicators.conf' '$kept/consolidator.conf' &&
		test -s '$kept/indicators.conf'"
[ -n "$kept" ] && rm -rf "$kept"

finish
