# bash completion for sbx(1): commands, their options, profile names from
# the search path (sbx list --names) and running sandboxes (sbx ps --names).
# Installed as share/bash-completion/completions/sbx.
# shellcheck disable=SC2207  # COMPREPLY=($(compgen ...)), the usual idiom (a file name with spaces is offered split)

_sbx_words()
{
        # Words to offer from one command's output; the command runs the sbx
        # being completed, never anything found in the current directory.
        local IFS=$'\n'
        COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" "$@" 2>/dev/null)" -- "$cur"))
}

_sbx()
{
        local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
        local commands="run check show list ps enter stop desktop syscalls analyze attack export help"
        local cmd="" i
        for ((i = 1; i < COMP_CWORD; i++)); do
                case ${COMP_WORDS[i]} in
                -*) ;;
                *) cmd=${COMP_WORDS[i]}; break ;;
                esac
        done
        if [[ -z $cmd ]]; then
                COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
                return
        fi
        # After `--` (or, for run, the program), complete the program's own words.
        for ((i = i + 1; i < COMP_CWORD; i++)); do
                if [[ ${COMP_WORDS[i]} == -- ]]; then
                        COMPREPLY=($(compgen -c -- "$cur"))
                        [[ $i -lt $((COMP_CWORD - 1)) ]] && COMPREPLY=($(compgen -f -- "$cur"))
                        return
                fi
        done
        case $prev in
        --profile|-p)
                _sbx_words list --names
                [[ $cur == */* || $cur == .* ]] && COMPREPLY+=($(compgen -f -X '!*.ini' -- "$cur") $(compgen -d -- "$cur"))
                return ;;
        --bind|--ro-bind|--cwd|--log-file|--output)
                COMPREPLY=($(compgen -f -- "$cur"))
                return ;;
        --net)
                COMPREPLY=($(compgen -W "none host" -- "$cur"))
                return ;;
        --format)
                COMPREPLY=($(compgen -W "oci k8s systemd" -- "$cur"))
                return ;;
        --fd|--env|--set|--name|--timeout|--fail-above)
                return ;;
        esac
        case $cmd in
        run)
                COMPREPLY=($(compgen -W "--profile --bind --ro-bind --net --env --cwd --set --fd --name
                        --dry-run --stats --log-denials --log-json --log-file --keep-session --verbose --help --" -- "$cur"))
                [[ $cur != -* ]] && COMPREPLY=($(compgen -c -- "$cur")) ;;
        enter)
                if [[ $cur == -* ]]; then
                        COMPREPLY=($(compgen -W "--help --" -- "$cur"))
                else
                        _sbx_words ps --names
                fi ;;
        stop)
                if [[ $cur == -* ]]; then
                        COMPREPLY=($(compgen -W "--timeout --help" -- "$cur"))
                else
                        _sbx_words ps --names
                fi ;;
        desktop)
                if [[ $cur == -* ]]; then
                        COMPREPLY=($(compgen -W "--profile --wrapper --force --help" -- "$cur"))
                elif [[ $prev == desktop ]]; then
                        COMPREPLY=($(compgen -W "install remove list" -- "$cur"))
                elif [[ $prev == install ]]; then
                        local d IFS=$'\n'
                        for d in /usr/share/applications /usr/local/share/applications; do
                                COMPREPLY+=($(cd "$d" 2>/dev/null && compgen -G "$cur*.desktop" | sed 's/\.desktop$//'))
                        done
                elif [[ $prev == remove ]]; then
                        local IFS=$'\n'
                        COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" desktop list 2>/dev/null | cut -f1)" -- "$cur"))
                fi ;;
        ps) COMPREPLY=($(compgen -W "--names --help" -- "$cur")) ;;
        list) COMPREPLY=($(compgen -W "--names --help" -- "$cur")) ;;
        check)
                if [[ $cur == -* ]]; then
                        COMPREPLY=($(compgen -W "--quiet --help" -- "$cur"))
                else
                        _sbx_words list --names
                        COMPREPLY+=($(compgen -f -X '!*.ini' -- "$cur"))
                fi ;;
        show|analyze|attack|export)
                if [[ $cur == -* ]]; then
                        COMPREPLY=($(compgen -W "--profile --set --json --fail-above --output --format --quiet --help" -- "$cur"))
                else
                        _sbx_words list --names
                fi ;;
        syscalls)
                COMPREPLY=($(compgen -W "--why --help" -- "$cur")) ;;
        help)
                COMPREPLY=($(compgen -W "$commands" -- "$cur")) ;;
        esac
}
complete -F _sbx sbx
