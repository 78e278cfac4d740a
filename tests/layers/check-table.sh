#!/bin/sh
# check-table.sh — docs/layers.md is what tests/layers/gen-table makes of
# the attack catalogue and the committed results of a real run, so that
# the page, the claims and the run cannot drift apart.  Fails (exit 1)
# when the page differs (a catalogue change without regenerating the page),
# when a cell of the catalogue was never run (a new attack or layer without
# a new run), or when the recorded run shows an escape the catalogue does
# not mark as a gap.
#
# Usage: tests/layers/check-table.sh [SOURCE_DIR]
set -eu
src=${1:-$(dirname "$0")/../..}
doc=$src/docs/layers.md
gen=$src/tests/layers/gen-table
[ -r "$doc" ] || { echo "check-table: $doc not readable" >&2; exit 2; }
out=$(sh "$gen" "$src/tests/layers/attacks.ini" "$src/tests/layers/observed.txt") || exit 2
status=0
if ! printf '%s\n' "$out" | diff -u "$doc" - >&2; then
        echo "check-table: $doc does not match tests/layers/attacks.ini and observed.txt;" \
             "regenerate it: tests/layers/gen-table > docs/layers.md" >&2
        status=1
fi
case $out in
*"Some cells were not run"*)
        echo "check-table: the catalogue has attacks or layers that tests/layers/observed.txt" \
             "has no result for: rerun the layers test (see tests/layers/gen-table)" >&2
        status=1 ;;
esac
case $out in
*"(ESCAPE: not marked gap)"*)
        echo "check-table: the recorded run shows an escape the catalogue does not mark as a gap" >&2
        status=1 ;;
esac
[ $status -eq 0 ] && echo "check-table: docs/layers.md matches the catalogue and the recorded run"
exit $status
