# test_completion.sh - the bash completion (completion/kuska.bash) with
# the real bash-completion library: commands, options per command,
# choices, tables, periods and regions of kuska query, *.conf for -c,
# *.jsonl for submit, *.csv for estimate, and the daemons' options.
#
# No daemon is started. Needs KUSKA_BIN and KUSKA_SRC.

. "$(dirname "$0")/lib.sh"
: "${KUSKA_SRC:?KUSKA_SRC must name the source tree}"

BC=/usr/share/bash-completion/bash_completion
if [ ! -f "$BC" ]; then
	not_ok "$BC missing (scripts/deps.sh installs bash-completion)"
	finish
fi
# bash_completion is written for interactive shells and the errexit-less,
# nounset-less shell of a user.
set +u
. "$BC"
. "$KUSKA_SRC/completion/kuska.bash"
PATH=$KUSKA_BIN:$PATH

mkdir -p "$T/files/sub" && cd "$T/files" || exit 1
touch a.conf b.txt x.jsonl y.jsonl t.csv

# comp LINE: what TAB offers at the end of LINE, sorted, on one line.
# Words are split as bash splits them, "=" being a word of its own.
comp() {
	local line=$1
	COMP_LINE=$line
	COMP_POINT=${#line}
	read -r -a COMP_WORDS <<<"${line//=/ = }"
	[[ $line == *' ' ]] && COMP_WORDS+=('')
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_kuska "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" \
		"${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort | tr '\n' ' ' |
		sed 's/ $//'
}

expect() { # expect LINE WANTED
	local got
	got=$(comp "$1")
	if [ "$got" = "$2" ]; then
		ok "\"$1\" completes to: $got"
	else
		not_ok "\"$1\" completes to [$got], wanted [$2]"
	fi
}

commands=$(kuska help | sed -n '/^Commands:$/,/^$/p' | sed -n 's/^  \([a-z]*\) .*/\1/p' |
	sort | tr '\n' ' ')
expect "kuska " "--help --version ${commands% }"
expect "kuska qu" "query"
expect "kuska help st" "status"
expect "kuska query --" "--boot --format --help --period --region --seed"
expect "kuska query -c " "a.conf sub"
# The tables of "kuska help query" (test_help checks them against query.c).
tables=$(kuska help query | sed -n '/^Tables:$/,/^$/p' | sed -n 's/^  \([a-z_][a-z0-9_]*\)\( .*\)\{0,1\}$/\1/p' |
	sort | tr '\n' ' ')
case $tables in
*identification*funnel* | *funnel*identification*) ;;
*) not_ok "kuska help query lists no tables: [$tables]" ;;
esac
expect "kuska query -c a.conf " "${tables% }"
expect "kuska query -c a.conf fun" "funnel"
expect "kuska query -c a.conf funnel --format " "csv json text"
expect "kuska query -c a.conf funnel --format=j" "json"
year=$(date +%Y)
expect "kuska query -c a.conf funnel --period ${year}" \
	"$year ${year}H1 ${year}H2 ${year}Q1 ${year}Q2 ${year}Q3 ${year}Q4"
expect "kuska query -c a.conf funnel --period 2026 --region 1" \
	"10 11 12 13 14 15 16 17 18 19"
expect "kuska report -c a.conf --period 2026 --region 1" \
	"10 11 12 13 14 15 16 17 18 19"
expect "kuska report -c a.conf --period 2026 -r 2" "20 21 22 23 24 25"
expect "kuska status -c " "a.conf sub"
expect "kuska submit -c a.conf " "sub x.jsonl y.jsonl"
expect "kuska submit -c a.conf x.jsonl y" "y.jsonl"
expect "kuska estimate " "sub t.csv"
expect "kuska estimate t.csv --method " "main stepwise"
expect "kuska estimate t.csv --boot " ""
expect "kuska demo " "init"
expect "kuska keygen --dir " "sub"
expect "kuska-node -" "--help --recover -c -d -h -n"
expect "kuska-node -c " "a.conf sub"
expect "kuska-consolidator --" "--audit --help --rebuild --refetch --repair"

finish
