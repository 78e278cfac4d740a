# A session bus service for test_dbus.c: owns the names given as arguments
# and answers org.freedesktop.DBus.Peer.Ping (libdbus does, while the main
# loop dispatches).
import sys
import dbus
import dbus.mainloop.glib
from gi.repository import GLib

dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
bus = dbus.SessionBus()
for name in sys.argv[1:]:
    bus.request_name(name)
GLib.MainLoop().run()
