# bash completion for kuska, kuska-node, kuska-consolidator and
# kuska-keyholder (bash-completion conventions; installed as
# completions/kuska, with the daemons' names as links to it).
#
# The commands, options, choices, tables and regions are read from the
# programs' own help ("kuska help COMMAND", "kuska-node --help"), whose
# text is lib/help_table.c, so a new command or option completes without
# a change here.

# _kuska_help_parse HELP-TEXT: sets _kuska_opts (every option name),
# _kuska_args (option name -> its value's name), _kuska_section (title ->
# the first words of its lines).
_kuska_help_parse()
{
	local line section="" name arg re_short='^  -([A-Za-z0-9])(, --([a-z0-9-]+))?( ([^ ]+))?'
	local re_long='^      --([a-z0-9-]+)( ([^ ]+))?' re_item='^  ([^ ]+)'
	_kuska_opts=()
	_kuska_args=()
	_kuska_section=()
	while IFS= read -r line; do
		if [[ $line =~ ^([A-Z][A-Za-z ]*):$ ]]; then
			section=${BASH_REMATCH[1]}
			continue
		fi
		[[ -n $section ]] || continue
		if [[ $section == Options ]]; then
			if [[ $line =~ $re_short ]]; then
				name=-${BASH_REMATCH[1]}
				arg=${BASH_REMATCH[5]}
				_kuska_opts+=("$name")
				[[ -n $arg ]] && _kuska_args[$name]=$arg
				if [[ -n ${BASH_REMATCH[3]} ]]; then
					name=--${BASH_REMATCH[3]}
					_kuska_opts+=("$name")
					[[ -n $arg ]] && _kuska_args[$name]=$arg
				fi
			elif [[ $line =~ $re_long ]]; then
				name=--${BASH_REMATCH[1]}
				_kuska_opts+=("$name")
				[[ -n ${BASH_REMATCH[3]} ]] &&
					_kuska_args[$name]=${BASH_REMATCH[3]}
			fi
		elif [[ $line =~ $re_item ]]; then
			_kuska_section[$section]+="${BASH_REMATCH[1]%,} "
		fi
	done <<<"$1"
}

# Periods around now: the last four years, their semesters and quarters.
_kuska_periods()
{
	local y now
	printf -v now '%(%Y)T' -1
	for ((y = now - 3; y <= now; y++)); do
		printf '%s ' "$y" "${y}H1" "${y}H2" "${y}Q1" "${y}Q2" "${y}Q3" "${y}Q4"
	done
}

# _kuska_value OPTION: completes the value of OPTION; 1 if it takes none.
_kuska_value()
{
	local arg=${_kuska_args[$1]-}
	[[ -n $arg ]] || return 1
	case $1:$arg in
	-c:* | *:*[A-Z]*.conf*) _filedir conf ;;
	*:*\|*) COMPREPLY=($(compgen -W "${arg//|/ }" -- "$cur")) ;;
	*:P) COMPREPLY=($(compgen -W "$(_kuska_periods)" -- "$cur")) ;;
	*:RR) COMPREPLY=($(compgen -W "${_kuska_section[Regions]-}" -- "$cur")) ;;
	*:DIR) _filedir -d ;;
	*:FILE) _filedir ;;
	*) COMPREPLY=() ;; # a number: nothing to offer
	esac
	return 0
}

# The operands given so far before the cursor (words that are neither
# options nor their values), after the subcommand at words[first].
_kuska_operands()
{
	local i n=0
	for ((i = $1 + 1; i < cword; i++)); do
		if [[ ${words[i]} == -* ]]; then
			[[ ${words[i]} != *=* && -n ${_kuska_args[${words[i]}]-} ]] && ((i++))
		else
			((n++))
		fi
	done
	echo "$n"
}

_kuska()
{
	local cur prev words cword split
	_init_completion -s || return
	local prog=${words[0]} cmd help
	local -a _kuska_opts
	local -A _kuska_args _kuska_section

	if [[ $prog == *kuska-node || $prog == *kuska-consolidator ||
		$prog == *kuska-keyholder ]]; then
		_kuska_help_parse "$("$prog" --help 2>/dev/null)"
		_kuska_value "$prev" && return
		COMPREPLY=($(compgen -W "${_kuska_opts[*]}" -- "$cur"))
		return
	fi

	if ((cword == 1)); then
		_kuska_help_parse "$("$prog" help 2>/dev/null)"
		COMPREPLY=($(compgen -W "${_kuska_section[Commands]-} --help --version" -- "$cur"))
		return
	fi
	cmd=${words[1]}
	help=$("$prog" help "$cmd" 2>/dev/null) || return
	_kuska_help_parse "$help"
	((cword > 2)) && [[ $prev == -* ]] && _kuska_value "$prev" && return
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "${_kuska_opts[*]}" -- "$cur"))
		return
	fi
	case $cmd:$(_kuska_operands 1) in
	submit:*) _filedir jsonl ;;
	estimate:0) _filedir csv ;;
	query:0) COMPREPLY=($(compgen -W "${_kuska_section[Tables]-}" -- "$cur")) ;;
	demo:0) COMPREPLY=($(compgen -W "init" -- "$cur")) ;;
	demo:1) _filedir -d ;;
	help:0)
		_kuska_help_parse "$("$prog" help 2>/dev/null)"
		COMPREPLY=($(compgen -W "${_kuska_section[Commands]-}" -- "$cur"))
		;;
	esac
} &&
	complete -F _kuska kuska kuska-node kuska-consolidator kuska-keyholder

# ex: filetype=sh
