#!/bin/bash
# Build the Debian packages from a copy of the tree (debian/), check them
# with lintian, install them, and use them as a user of the packages would:
# the installed sbx against the installed profiles (as root and as uid
# 65534), the installed man pages and bash completion, and an example
# program built with `pkg-config --cflags --libs libsbx` alone against the
# installed library.  Packages that were not installed before are purged
# afterwards.
#
# Usage: tests/package/check-package.sh SRCDIR   (as root: it runs dpkg -i)
set -uo pipefail
src=$(cd "$1" && pwd)
if [ "$(id -u)" -ne 0 ]; then
        echo "check-package: needs root (dpkg -i); skipped"
        exit 77
fi
for tool in dpkg-buildpackage dh lintian pkg-config setpriv python3; do
        if ! command -v "$tool" >/dev/null; then
                echo "check-package: $tool is missing (scripts/deps --test installs it)" >&2
                exit 1
        fi
done
work=$(mktemp -d "${TMPDIR:-/tmp}/sbx-package.XXXXXXXX") || exit 1
chmod 755 "$work"
installed_before=$(dpkg-query -W -f '${Package} ${db:Status-Status}\n' sbx libsbx0 libsbx-dev 2>/dev/null |
        awk '$2 == "installed" { print $1 }')
cleanup() {
        for p in sbx libsbx-dev libsbx0; do
                grep -qx "$p" <<<"$installed_before" || dpkg --purge "$p" >/dev/null 2>&1
        done
        rm -rf "$work"
}
trap cleanup EXIT
fail() {
        echo "check-package: FAILED: $*" >&2
        exit 1
}

# The tree as a fresh clone has it (no build directories).
mkdir "$work/tree"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        (cd "$src" && git ls-files -z --cached --others --exclude-standard |
                while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
                xargs -0 cp -P --parents -t "$work/tree") || fail "copying the tree"
else
        (cd "$src" && tar --exclude='./build*' --exclude='./obj-*' -cf - .) | (cd "$work/tree" && tar -xf -) ||
                fail "copying the tree"
fi
echo "check-package: dpkg-buildpackage -us -uc -b"
(cd "$work/tree" && dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1) || {
        tail -n 40 "$work/build.log"
        fail "dpkg-buildpackage"
}
debs=()
for p in sbx libsbx0 libsbx-dev; do
        f=$(ls "$work"/${p}_*_amd64.deb 2>/dev/null | head -n1)
        [ -n "$f" ] || fail "no ${p} package was built"
        debs+=("$f")
done
echo "check-package: lintian --fail-on error"
lintian --fail-on error "$work"/sbx_*_amd64.changes ||
        fail "lintian reports errors"

echo "check-package: dpkg -i ${debs[*]##*/}"
dpkg -i "${debs[@]}" >"$work/install.log" 2>&1 || {
        cat "$work/install.log"
        fail "dpkg -i"
}

# The installed sbx, with nothing of this tree in reach: no profile path
# from the environment, a home without profiles of its own.
home="$work/home"
mkdir -p "$home"
chmod 777 "$home"
clean_env=(env -i PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8)
[ "$(command -v sbx)" = /usr/bin/sbx ] || [ -x /usr/bin/sbx ] || fail "/usr/bin/sbx not installed"
out=$("${clean_env[@]}" /usr/bin/sbx list 2>&1) || fail "sbx list: $out"
grep -q ' /usr/share/sbx/profiles/default.ini$' <<<"$out" || fail "sbx list does not show the installed profiles:
$out"
grep -q "$src\|$work/tree" <<<"$out" && fail "the installed sbx reads profiles from the source tree:
$out"
out=$(cd / && "${clean_env[@]}" /usr/bin/sbx run --profile default -- id 2>&1) ||
        fail "sbx run --profile default -- id (root): $out"
grep -q '^uid=65534' <<<"$out" || fail "root's sandbox does not run as 65534: $out"
echo "check-package: root: $out"
out=$(cd / && setpriv --reuid=65534 --regid=65534 --clear-groups "${clean_env[@]}" \
        /usr/bin/sbx run --profile default -- id 2>&1) || fail "sbx run --profile default -- id (65534): $out"
grep -q '^uid=65534' <<<"$out" || fail "uid 65534's sandbox: $out"
echo "check-package: uid 65534: $out"
man -w sbx >/dev/null 2>&1 || [ -f /usr/share/man/man1/sbx.1.gz ] || fail "sbx(1) not installed"
[ -f /usr/share/man/man5/sbx.profile.5.gz ] || fail "sbx.profile(5) not installed"
[ -f /usr/share/man/man3/libsbx.3.gz ] || fail "libsbx(3) not installed"
[ -f /usr/share/bash-completion/completions/sbx ] || fail "bash completion not installed"

# An example built against the installed library with pkg-config alone.
flags=$(pkg-config --cflags --libs libsbx) || fail "pkg-config libsbx"
echo "check-package: cc confined-server.c $flags"
# shellcheck disable=SC2086
cc -o "$work/confined-server" "$src/examples/confined-server.c" $flags || fail "building the example"
mkdir -p "$work/www"
echo "hello from the package" >"$work/www/index.html"
chmod -R a+rX "$work/www" "$work/confined-server"
python3 - "$work/confined-server" "$work/www" <<'PY' || fail "the example against the installed libsbx"
import subprocess, sys, urllib.request
for who in (None, ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]):
    cmd = (who or []) + [sys.argv[1], "0", sys.argv[2]]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline().split()
        assert line[:1] == ["ready"] and line[2:] == ["confined"], f"{cmd}: {line}"
        base = f"http://127.0.0.1:{line[1]}"
        body = urllib.request.urlopen(base + "/index.html", timeout=10).read().decode()
        assert "hello from the package" in body, body
        evil = urllib.request.urlopen(base + "/evil/exec", timeout=10).read().decode()
        assert evil.startswith("DENIED"), evil
        print(f"check-package: example ({'root' if who is None else 'uid 65534'}): served; /evil/exec: {evil.strip()}")
    finally:
        p.terminate()
        p.wait(10)
PY
echo "check-package: passed"
