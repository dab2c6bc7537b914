# bash completion for leakhound. The commands and each command's options are
# asked of leakhound itself (--list-commands, CMD --list-options), so they are
# always those of the binary being completed. Installed by `make install`.
_leakhound() {
	local cur=${COMP_WORDS[COMP_CWORD]} bin=${COMP_WORDS[0]} cmd=${COMP_WORDS[1]:-} i
	COMPREPLY=()
	if [ "$COMP_CWORD" -eq 1 ]; then
		mapfile -t COMPREPLY < <(compgen -W "$("$bin" --list-commands 2>/dev/null) --help --version" -- "$cur")
		return
	fi
	if [ "$cmd" = help ]; then
		[ "$COMP_CWORD" -eq 2 ] && mapfile -t COMPREPLY < <(compgen -W "$("$bin" --list-commands 2>/dev/null)" -- "$cur")
		return
	fi
	if [ "$cmd" = run ]; then # after "--", the program and its arguments
		for ((i = 2; i < COMP_CWORD; i++)); do
			if [ "${COMP_WORDS[i]}" = -- ]; then
				[ $((i + 1)) -eq "$COMP_CWORD" ] && mapfile -t COMPREPLY < <(compgen -c -- "$cur")
				[ $((i + 1)) -lt "$COMP_CWORD" ] && mapfile -t COMPREPLY < <(compgen -f -- "$cur")
				return
			fi
		done
	fi
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$("$bin" "$cmd" --list-options 2>/dev/null)" -- "$cur")
	else
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	fi
}
complete -o filenames -o bashdefault -F _leakhound leakhound
