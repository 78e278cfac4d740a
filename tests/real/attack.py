# attack.py — what an untrusted Python script tries; the desktop test runs
# it inside the `script` profile and bare.  One action per run:
#   attack.py read file:PATH | write file:PATH | connect HOST PORT | exec PATH ARGS...
# prints "OK ..." when the action worked, "DENIED <error>" when refused.
# Paths carry "file:" so that they are not file arguments (a profile with
# `args = ro` binds those read-only): the script finds them on its own.
import socket
import subprocess
import sys

action, args = sys.argv[1], [a[5:] if a.startswith("file:") else a for a in sys.argv[2:]]
try:
    if action == "read":
        with open(args[0]) as f:
            print("OK read", f.read().strip())
    elif action == "write":
        with open(args[0], "w") as f:
            f.write("written by the script\n")
        print("OK wrote", args[0])
    elif action == "connect":
        with socket.create_connection((args[0], int(args[1])), timeout=5) as s:
            print("OK connected", s.recv(64).decode().strip())
    elif action == "exec":
        r = subprocess.run(args, capture_output=True, text=True, timeout=20)
        print("OK ran" if r.returncode == 0 and "ran" in r.stdout else "DENIED exit %d" % r.returncode,
              r.stdout.strip())
    else:
        sys.exit("unknown action " + action)
except (OSError, subprocess.SubprocessError) as e:
    print("DENIED", type(e).__name__, e)
