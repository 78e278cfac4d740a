# bash completion for sbx(1).
#
# Everything is asked of sbx itself, so the completion follows the program
# it completes: the commands from `sbx help`, each command's options from
# `sbx help COMMAND`, profile names from `sbx list` (the search path as the
# user's sbx sees it), profile keys for --set from `sbx show`, and after
# `--` the sandboxed program and its own arguments through bash-completion's
# _command_offset.  Nothing is cached in a file.

_sbx_commands()
{
        "$1" help 2>/dev/null | awk '/^Commands:/ { on = 1; next } on && /^$/ { exit } on && NF { print $1 }'
}

_sbx_options()
{
        "$1" help "$2" 2>/dev/null | grep -oE -- '(^|[[:space:],[])--?[A-Za-z][A-Za-z0-9-]*' |
                sed -E 's/^[[:space:],[]+//' | sort -u
}

_sbx_profiles()
{
        "$1" list --names 2>/dev/null | grep -v '\.inc$'
}

_sbx_running()
{
        "$1" ps --names 2>/dev/null
}

_sbx_keys()
{
        "$1" show --profile default 2>/dev/null |
                awk '/^\[[a-z-]+\]/ { s = substr($1, 2, length($1) - 2); next }
                     s && /^[a-z][a-z0-9-]* =/ { print s "." $1 "=" }' | sort -u
}

_sbx()
{
        local cur prev words cword
        _init_completion -n = || return
        local sbx=${words[0]}

        # After "--" (or the first word of the program): the program and its
        # own arguments, completed as if it were typed alone.
        local i cmd="" cmdi=0 dashdash=0
        for ((i = 1; i < cword; i++)); do
                if [[ -z $cmd && ${words[i]} != -* ]]; then
                        cmd=${words[i]}
                        cmdi=$i
                elif [[ ${words[i]} == -- ]]; then
                        dashdash=$i
                        break
                fi
        done
        if ((dashdash > 0)); then
                _command_offset $((dashdash + 1))
                return
        fi

        if [[ -z $cmd ]]; then
                mapfile -t COMPREPLY < <(compgen -W "$(_sbx_commands "$sbx") help --help --version" -- "$cur")
                return
        fi

        case $prev in
        --profile | -p)
                mapfile -t COMPREPLY < <(compgen -W "$(_sbx_profiles "$sbx")" -- "$cur")
                _filedir ini
                return
                ;;
        --bind | --ro-bind | --cwd)
                _filedir
                return
                ;;
        --log-file | --output | -o)
                _filedir
                return
                ;;
        --net)
                mapfile -t COMPREPLY < <(compgen -W "none host" -- "$cur")
                return
                ;;
        --format)
                mapfile -t COMPREPLY < <(compgen -W "$("$sbx" help "$cmd" 2>/dev/null |
                        sed -nE 's/.*--format ([a-z0-9|-]+).*/\1/p' | head -n1 | tr '|' ' ')" -- "$cur")
                return
                ;;
        --set)
                compopt -o nospace
                mapfile -t COMPREPLY < <(compgen -W "$(_sbx_keys "$sbx")" -- "$cur")
                return
                ;;
        --fd | --env | --name)
                return
                ;;
        esac

        case $cmd in
        stop)
                if [[ $cur == -* ]]; then
                        mapfile -t COMPREPLY < <(compgen -W "$(_sbx_options "$sbx" "$cmd")" -- "$cur")
                else
                        mapfile -t COMPREPLY < <(compgen -W "$(_sbx_running "$sbx")" -- "$cur")
                fi
                ;;
        enter)
                # sbx enter NAME [--] COMMAND ARGS: the name, then the
                # command as the program would complete it.
                if ((cword == cmdi + 1)); then
                        mapfile -t COMPREPLY < <(compgen -W "$(_sbx_running "$sbx")" -- "$cur")
                else
                        _command_offset $((cmdi + 2))
                fi
                ;;
        desktop)
                if ((cword == cmdi + 1)); then
                        mapfile -t COMPREPLY < <(compgen -W "install remove list" -- "$cur")
                elif [[ $cur == -* ]]; then
                        mapfile -t COMPREPLY < <(compgen -W "--profile --wrapper --force" -- "$cur")
                elif [[ ${words[cmdi + 1]} == install ]]; then
                        local apps
                        apps=$(cd /usr/share/applications 2>/dev/null && ls -- *.desktop 2>/dev/null)
                        mapfile -t COMPREPLY < <(compgen -W "${apps//.desktop/}" -- "$cur")
                elif [[ ${words[cmdi + 1]} == remove ]]; then
                        mapfile -t COMPREPLY < <(compgen -W "$("$sbx" desktop list 2>/dev/null |
                                awk 'NR > 1 { print $1 }')" -- "$cur")
                fi
                ;;
        help)
                mapfile -t COMPREPLY < <(compgen -W "$(_sbx_commands "$sbx")" -- "$cur")
                ;;
        check | analyze | attack | show)
                if [[ $cur == -* ]]; then
                        mapfile -t COMPREPLY < <(compgen -W "$(_sbx_options "$sbx" "$cmd")" -- "$cur")
                else
                        mapfile -t COMPREPLY < <(compgen -W "$(_sbx_profiles "$sbx")" -- "$cur")
                        _filedir ini
                fi
                ;;
        syscalls)
                if [[ $cur == -* ]]; then
                        mapfile -t COMPREPLY < <(compgen -W "$(_sbx_options "$sbx" "$cmd")" -- "$cur")
                else
                        mapfile -t COMPREPLY < <(compgen -W "$("$sbx" syscalls 2>/dev/null |
                                awk '$1 ~ /^@/ { print $1 }')" -- "$cur")
                fi
                ;;
        run | learn)
                # `sbx run [options] PROGRAM ARGS`: once a word that is not
                # an option (nor an option's value) stands after the
                # command, it is the program: complete as the program would.
                local j prog=0
                for ((j = cmdi + 1; j < cword; j++)); do
                        case ${words[j]} in
                        --profile | -p | --bind | --ro-bind | --net | --env | --cwd | --set | --fd | \
                                --log-file | --name | -o | --output) ((j++)) ;;
                        -*) ;;
                        *) prog=$j && break ;;
                        esac
                done
                if ((prog > 0)); then
                        _command_offset "$prog"
                elif [[ $cur == -* ]]; then
                        mapfile -t COMPREPLY < <(compgen -W "$(_sbx_options "$sbx" "$cmd")" -- "$cur")
                else
                        _command_offset "$cword"
                fi
                ;;
        *)
                if [[ $cur == -* ]]; then
                        mapfile -t COMPREPLY < <(compgen -W "$(_sbx_options "$sbx" "$cmd")" -- "$cur")
                else
                        _filedir
                fi
                ;;
        esac
}
complete -F _sbx sbx
