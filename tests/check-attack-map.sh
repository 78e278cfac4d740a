#!/bin/sh
# check-attack-map.sh — every test that data/attack-map.ini names as the
# evidence for a control must exist: tests/FILE.c:SUITE/NAME means FILE.c
# defines Criterion's Test(SUITE, NAME).  Fails (exit 1) naming each
# missing one; lists the controls that are "claimed, not demonstrated".
#
# Usage: tests/check-attack-map.sh [SOURCE_DIR]
set -eu

src=${1:-$(dirname "$0")/..}
map=$src/data/attack-map.ini
[ -r "$map" ] || { echo "check-attack-map: $map not readable" >&2; exit 2; }

missing=0
named=0
claimed=""
control=""
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
        lineno=$((lineno + 1))
        case $line in
        "[control "*"]")
                control=${line#"[control "}
                control=${control%"]"}
                continue ;;
        test*=*) ;;
        *) continue ;;
        esac
        key=$(printf '%s' "${line%%=*}" | tr -d ' \t')
        [ "$key" = test ] || continue
        value=${line#*=}
        set -f
        # shellcheck disable=SC2086 # word splitting is the point
        set -- $value
        set +f
        [ $# -gt 0 ] || claimed="$claimed $control"
        for t in "$@"; do
                named=$((named + 1))
                file=${t%%:*}
                rest=${t#*:}
                suite=${rest%%/*}
                name=${rest#*/}
                if [ "$file" = "$t" ] || [ "$suite" = "$rest" ] || [ -z "$suite" ] || [ -z "$name" ]; then
                        echo "$map:$lineno: [$control] '$t' is not tests/FILE.c:SUITE/NAME" >&2
                        missing=$((missing + 1))
                elif [ ! -f "$src/$file" ]; then
                        echo "$map:$lineno: [$control] $file does not exist" >&2
                        missing=$((missing + 1))
                elif ! grep -Eq "^[[:space:]]*Test[[:space:]]*\\([[:space:]]*${suite}[[:space:]]*,[[:space:]]*${name}[[:space:]]*[,)]" "$src/$file"; then
                        echo "$map:$lineno: [$control] no Test($suite, $name) in $file" >&2
                        missing=$((missing + 1))
                fi
        done
done < "$map"

echo "attack map: $named tests named, $missing missing"
[ -z "$claimed" ] || echo "claimed, not demonstrated:$claimed"
[ "$missing" -eq 0 ]
