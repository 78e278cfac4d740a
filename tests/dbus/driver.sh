#!/bin/sh
# test_dbus.c's driver: DIR (a fresh directory) gets a private session bus
# with a service owning org.example.Allowed and org.example.Forbidden, then
# runs each MODE and prints one line per mode.  SBX, SRC set by the caller.
# Modes: outside (probe.sh without a sandbox), inside (probe.sh in sbx with
# DIR/p.ini), gone (no proxy and no socket directory left after a run),
# killed (sbx killed by SIGKILL: its proxy goes too), noproxy (no
# xdg-dbus-proxy: the launch fails), browser (ListNames in the shipped
# browser profile), realbind (binding the real bus is refused), rules (a
# call rule: Ping at /allowed on org.example.Forbidden, not at /denied),
# viewer (ListNames in the shipped document-viewer profile), cwdbus (run from
# a directory holding the real bus: refused), nobus (no bus and no proxy:
# the launch goes on without a bus), a11y (the accessibility bus through
# the shipped document-viewer: the bus answers, another application on it
# does not; bare both do), a11ynobus (no session bus: NO_AT_BRIDGE=1),
# atril (no session bus: refused, [dbus] required-by).
set -u
DIR=$1
shift
mkdir -p "$DIR/bus" "$DIR/rt" "$DIR/work"
chmod 700 "$DIR/rt"
cp "$SRC/probe.sh" "$DIR/work/"
export DBUS_SESSION_BUS_ADDRESS="unix:path=$DIR/bus/socket" XDG_RUNTIME_DIR="$DIR/rt"
dbus-daemon --session --address="$DBUS_SESSION_BUS_ADDRESS" --nofork --nopidfile >"$DIR/daemon.log" 2>&1 &
D=$!
/usr/bin/python3 "$SRC/service.py" org.example.Allowed org.example.Forbidden \
        org.freedesktop.Notifications org.freedesktop.portal.Desktop org.freedesktop.portal.Flatpak \
        org.freedesktop.portal.Documents >"$DIR/service.log" 2>&1 &
S=$!
i=0
until dbus-send --session --print-reply --dest=org.example.Forbidden / org.freedesktop.DBus.Peer.Ping \
        >/dev/null 2>&1; do
        i=$((i + 1))
        if [ $i -gt 100 ]; then echo "service did not start: $(cat "$DIR"/*.log)"; kill $S $D; exit 1; fi
        sleep 0.1
done
cd "$DIR/work"
proxies() { pgrep -f "xdg-dbus-proxy.*$DIR" | tr '\n' ' '; }
for mode in "$@"; do
        case $mode in
        outside) echo "outside: $(sh ./probe.sh)" ;;
        inside) echo "inside: $("$SBX" run --profile "$DIR/p.ini" -- /bin/sh ./probe.sh 2>&1)" ;;
        gone)
                "$SBX" run --profile "$DIR/p.ini" -- /bin/true
                echo "gone: status=$? proxies=[$(proxies)] dirs=[$(ls "$DIR/rt" | grep sbx-dbus)]" ;;
        killed)
                "$SBX" run --profile "$DIR/p.ini" -- /bin/sleep 30 &
                P=$!
                i=0
                while [ -z "$(proxies)" ] && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.05; done
                before=$(proxies)
                # the proxy's own sandbox: another mount namespace, no /home
                pid=${before%% *}
                if [ -n "$pid" ] && [ "$(readlink /proc/"$pid"/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ] &&
                        [ -d /proc/"$pid"/root/usr ] && ! [ -e /proc/"$pid"/root/home ]; then
                        confined=yes
                else
                        confined=no
                fi
                kill -KILL $P
                wait $P 2>/dev/null
                i=0
                while [ -n "$(proxies)" ] && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
                echo "killed: before=[$before] after=[$(proxies)] confined=$confined" ;;
        browser)
                # the shipped profile; $BROWSER_SET: extra --set options
                # shellcheck disable=SC2086
                echo "browser: $("$SBX" run --profile browser --set exec.allow=/usr/bin/dbus-send ${BROWSER_SET:-} \
                        -- /usr/bin/dbus-send --session --print-reply --dest=org.freedesktop.DBus \
                        /org/freedesktop/DBus org.freedesktop.DBus.ListNames 2>&1 |
                        grep -o 'org\.[a-z]*\.[A-Za-z.]*' | grep -v DBus | sort | tr '\n' ,)" ;;
        rules)
                # p.ini has call = org.example.Forbidden=org.freedesktop.DBus.Peer.Ping@/allowed
                ping='for p in /allowed /denied; do
                        dbus-send --session --print-reply --dest=org.example.Forbidden $p \
                                org.freedesktop.DBus.Peer.Ping >/dev/null 2>&1 && echo yes || echo no; done |
                        tr "\n" ,'
                echo "rules: outside=$(sh -c "$ping") inside=$("$SBX" run --profile "$DIR/p.ini" -- /bin/sh -c "$ping" 2>&1)" ;;
        viewer)
                # the shipped document-viewer profile: the bus alone
                # shellcheck disable=SC2086
                echo "viewer: $("$SBX" run --profile document-viewer --set exec.allow=/usr/bin/dbus-send ${BROWSER_SET:-} \
                        -- /usr/bin/dbus-send --session --print-reply --dest=org.freedesktop.DBus \
                        /org/freedesktop/DBus org.freedesktop.DBus.ListNames 2>&1 |
                        grep -o 'string "[^"]*"' | grep -v ':1\.' | sort | tr '\n' ,)" ;;
        realbind)
                # the real bus next to the filtered one: refused
                echo "realbind: $("$SBX" run --profile "$DIR/p.ini" --ro-bind "$DIR/bus" -- /bin/true 2>&1;
                        echo "status=$?")" ;;
        cwdbus)
                # run from a directory holding the real bus: refused
                echo "cwdbus: $(cd "$DIR" && "$SBX" run --profile "$DIR/p.ini" -- /bin/true 2>&1; echo "status=$?")" ;;
        noproxy)
                echo "noproxy: $(SBX_DBUS_PROXY=/nonexistent/xdg-dbus-proxy "$SBX" run --profile "$DIR/p.ini" \
                        -- /bin/true 2>&1; echo "status=$?")" ;;
        a11y)
                A=$(dbus-send --session --print-reply --dest=org.a11y.Bus /org/a11y/bus org.a11y.Bus.GetAddress |
                        grep string | sed 's/.*"\(.*\)"/\1/')
                DBUS_SESSION_BUS_ADDRESS=$A /usr/bin/python3 "$SRC/service.py" org.example.Victim \
                        >"$DIR/victim.log" 2>&1 &
                V=$!
                i=0
                until dbus-send --bus="$A" --print-reply --dest=org.example.Victim /org/example \
                        org.freedesktop.DBus.Peer.Ping >/dev/null 2>&1; do
                        i=$((i + 1))
                        [ $i -gt 100 ] && break
                        sleep 0.1
                done
                ping='dbus-send --bus="$0" --print-reply --dest="$1" /org/example $2 >/dev/null 2>&1 &&
                        echo yes || echo no'
                IN="unix:path=$XDG_RUNTIME_DIR/at-spi/bus"
                # shellcheck disable=SC2086
                run() { "$SBX" run --profile document-viewer --set exec.allow=/usr/bin/dbus-send \
                        --set exec.allow=/usr/bin/printenv --set exec.allow=/bin/sh ${BROWSER_SET:-} -- "$@"; }
                echo "a11y: bare_bus=$(sh -c "$ping" "$A" org.freedesktop.DBus org.freedesktop.DBus.GetId)" \
                        "bare_victim=$(sh -c "$ping" "$A" org.example.Victim org.freedesktop.DBus.Peer.Ping)" \
                        "env=$(run /usr/bin/printenv AT_SPI_BUS_ADDRESS NO_AT_BRIDGE | tr '\n' ,)" \
                        "bus=$(run /bin/sh -c "$ping" "$IN" org.freedesktop.DBus org.freedesktop.DBus.GetId)" \
                        "victim=$(run /bin/sh -c "$ping" "$IN" org.example.Victim org.freedesktop.DBus.Peer.Ping)"
                kill $V ;;
        atril)
                # no session bus: atril ([dbus] required-by) is refused with the reason
                out=$(env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$DIR/none" "$SBX" run \
                        --profile document-viewer -- /usr/bin/atril 2>&1)
                st=$?
                echo "atril: status=$st said=$(echo "$out" | grep -c 'does not run without a D-Bus session bus')" ;;
        a11ynobus)
                echo "a11ynobus: $(env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$DIR/none" "$SBX" run \
                        --profile document-viewer --set exec.allow=/usr/bin/printenv -- /usr/bin/printenv \
                        AT_SPI_BUS_ADDRESS NO_AT_BRIDGE 2>&1 | tr '\n' ,)" ;;
        nobus)
                # no session bus at all: nothing to filter, no proxy needed
                echo "nobus: $(env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$DIR/none" \
                        SBX_DBUS_PROXY=/nonexistent/xdg-dbus-proxy "$SBX" run --profile "$DIR/p.ini" \
                        -- /bin/true 2>&1; echo "status=$?")" ;;
        esac
done
kill $S $D
wait 2>/dev/null
