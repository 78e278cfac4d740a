#!/bin/bash
# The bash completion (data/completion/sbx.bash) against the sbx just built:
# commands, a command's options, profile names from the search path,
# profile keys for --set, and the program after `--`.  Each case types a
# command line and checks what completes.
# Usage: test-completion.sh SBX SRCROOT
set -u
sbx=$1
src=$2
bc=/usr/share/bash-completion/bash_completion
if [ ! -r "$bc" ]; then
        if [ "${CI_STRICT:-0}" = 1 ]; then
                echo "bash-completion is not installed (scripts/deps --test installs it)" >&2
                exit 1
        fi
        echo "SKIP: bash-completion is not installed"
        exit 77
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
ln -s "$sbx" "$dir/sbx"
export PATH="$dir:$PATH" SBX_PROFILE_PATH="$src/profiles"

fails=0
# complete LINE: prints the candidates bash would offer for LINE (cursor at
# the end), one a line.
complete_line() {
        bash --norc --noprofile -c '
                . "$1"; . "$2"
                line=$3
                read -r -a COMP_WORDS <<<"$line"
                [[ $line == *" " ]] && COMP_WORDS+=("")
                COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
                COMP_LINE=$line COMP_POINT=${#line}
                _sbx sbx "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
                printf "%s\n" "${COMPREPLY[@]}"' _ "$bc" "$src/data/completion/sbx.bash" "$1" 2>/dev/null
}
expect() { # LINE WORD: WORD must be among the candidates
        local out
        out=$(complete_line "$1")
        if ! grep -qxF -- "$2" <<<"$out"; then
                echo "FAIL: '$1' does not offer '$2'; got: $(echo $out | head -c 300)"
                fails=$((fails + 1))
        else
                echo "ok: '$1' offers '$2'"
        fi
}
refuse() { # LINE WORD: WORD must not be offered
        if complete_line "$1" | grep -qxF -- "$2"; then
                echo "FAIL: '$1' offers '$2'"
                fails=$((fails + 1))
        else
                echo "ok: '$1' does not offer '$2'"
        fi
}
expect "sbx " run
expect "sbx " analyze
expect "sbx ch" check
refuse "sbx ch" run
expect "sbx run --" --profile
expect "sbx run --" --log-denials
expect "sbx run --profile " browser
expect "sbx run --profile doc" document-viewer
refuse "sbx run --profile " persistence.inc
expect "sbx run --set seccomp.al" seccomp.allow=
expect "sbx run --net " none
expect "sbx export --format " oci
expect "sbx export --format k" k8s
expect "sbx help " export
expect "sbx " learn
expect "sbx " ps
expect "sbx desktop " install
expect "sbx desktop install firefox" firefox-esr
expect "sbx stop --" --timeout
expect "sbx learn --profile " script
expect "sbx syscalls @net" @network-io
expect "sbx run --profile default -- bas" bash
expect "sbx run --profile default ls" ls
# Running sandboxes by name for stop and enter (a registry of the test's own).
rt="$dir/rt"
mkdir -m 700 "$rt"
XDG_RUNTIME_DIR=$rt "$sbx" run --name comp-test --profile default -- /bin/sleep 30 >/dev/null 2>&1 &
runner=$!
for _ in $(seq 100); do
        XDG_RUNTIME_DIR=$rt "$sbx" ps --names 2>/dev/null | grep -qx comp-test && break
        sleep 0.1
done
XDG_RUNTIME_DIR=$rt expect "sbx stop comp" comp-test
XDG_RUNTIME_DIR=$rt expect "sbx enter " comp-test
XDG_RUNTIME_DIR=$rt "$sbx" stop comp-test >/dev/null 2>&1 || kill "$runner" 2>/dev/null
wait "$runner" 2>/dev/null
# After the program, its own options are not sbx's.
refuse "sbx run --profile default -- ls --pro" --profile
exit $((fails > 0))
