#!/bin/sh
# run.sh — build the profile fuzzer with clang (libFuzzer + ASan + UBSan)
# from the library sources and run it on the seed corpus.
#
#   tests/fuzz/run.sh [SECONDS]     (default 60; CI runs it for ~60 s)
#
# Needs clang with libFuzzer (Debian: clang-14, libclang-rt-14-dev comes
# with it), libinih-dev, libseccomp-dev, libcap-ng-dev.  A crash, a leak or
# a failed round trip stops the run with a non-zero exit and leaves the
# input as crash-* / leak-* in the work directory (printed at the end).
set -eu

seconds=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
cc=${CC_FUZZ:-clang}
work=${FUZZ_WORK:-$(mktemp -d /tmp/sbx-fuzz-XXXXXX)}

mkdir -p "$work/inc" "$work/corpus" "$work/run"
version=$(sed -n "s/^ *version : '\([^']*\)'.*/\1/p" "$src/meson.build" | head -n1)
cat > "$work/inc/config.h" <<CONF
#define SBX_VERSION "${version:-0}"
#define SBX_PROFILE_DIR "/nonexistent/sbx-fuzz/share"
#define SBX_SYSCONF_PROFILE_DIR "/nonexistent/sbx-fuzz/etc"
#define SBX_SOURCE_PROFILE_DIR "/nonexistent/sbx-fuzz/src/profiles"
CONF

# syscalls.c includes the name table the meson build generates.
"$cc" -std=gnu11 -I"$src/lib" -o "$work/syscall-table" "$src/lib/syscalls/gen/syscall_table.c" -lseccomp
"$work/syscall-table" "$work/inc/syscall-table.h"

libsrc="base/error.c base/path.c base/strbuf.c profile/policy.c profile/profile.c profile/profile_keys.c profile/profile_list.c profile/profile_path.c
        profile/profile_text.c profile/format.c syscalls/syscalls.c profile/env.c"
set --
for f in $libsrc; do set -- "$@" "$src/lib/$f"; done

"$cc" -g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
        -fno-sanitize-recover=undefined -fvisibility=hidden \
        -I"$work/inc" -I"$src/lib" -I"$src/lib/include" \
        "$here/fuzz_profile.c" "$@" \
        -linih -lseccomp -lcap-ng -o "$work/fuzz_profile"

# New inputs go to a scratch copy: the seed corpus in git stays as written.
cp "$here"/corpus/* "$work/corpus/"
cp "$src"/profiles/*.ini "$work/corpus/" 2>/dev/null || true
echo "fuzzing for ${seconds}s in $work"
cd "$work/run"
status=0
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
        "$work/fuzz_profile" -max_total_time="$seconds" -max_len=8192 -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 \
        -dict="$here/profile.dict" "$work/corpus" || status=$?
if [ "$status" -ne 0 ]; then
        echo "fuzz_profile FAILED (status $status); inputs in $work/run" >&2
        exit "$status"
fi
echo "fuzz_profile: no crash in ${seconds}s"
[ -n "${FUZZ_WORK:-}" ] || rm -rf "$work"
