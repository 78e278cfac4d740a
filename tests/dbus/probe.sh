#!/bin/sh
# What test_dbus.c asks of the session bus, inside a sandbox or outside:
# one line of KEY=VALUE words.
ping() {
        dbus-send --session --print-reply --dest="$1" / org.freedesktop.DBus.Peer.Ping >/dev/null 2>&1 &&
                echo yes || echo no
}
own() {
        # DO_NOT_QUEUE (4): reply 1 is "primary owner"
        dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
                org.freedesktop.DBus.RequestName "string:$1" uint32:4 2>/dev/null | grep -q 'uint32 1' &&
                echo yes || echo no
}
names=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.ListNames 2>/dev/null | grep -o 'org\.example\.[A-Za-z]*' | sort | tr '\n' ,)
echo "allowed=$(ping org.example.Allowed) forbidden=$(ping org.example.Forbidden)" \
     "own_mine=$(own org.example.Mine) own_other=$(own org.example.Other) names=$names"
