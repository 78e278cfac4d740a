/* probe.h — the probe program run inside sandboxes by the integration
 * tests.  Each command tries one thing and prints exactly one line:
 *   "OK <detail>"          the attempt worked (an escape, where the test
 *                          expects confinement)
 *   "DENIED <ERRNO> <detail>"  it failed with that errno name
 * and exits 0; usage errors exit 2.  Running the same command outside any
 * sandbox must print OK: that is how a test shows it can fail. */
#pragma once

struct probe_cmd {
        const char *name;
        const char *usage;
        int (*fn)(int argc, char **argv); /* argv[0] is the command name */
};

/* Each probe_*.c file defines one table ending with a { NULL } entry. */
extern const struct probe_cmd probe_ns_cmds[];      /* probe_ns.c: namespaces, fs, fds, caps */
extern const struct probe_cmd probe_sc_cmds[];      /* probe_sc.c: seccomp */
extern const struct probe_cmd probe_exec_cmds[];    /* probe_exec.c: exec prevention, Landlock */
extern const struct probe_cmd probe_wx_cmds[];      /* probe_wx.c: W^X routes, resource exhaustion */
extern const struct probe_cmd probe_init_cmds[];    /* probe_init.c: the sandbox's pid 1 */
extern const struct probe_cmd probe_view_cmds[];    /* probe_view.c: what a process sees, one line each */
extern const struct probe_cmd probe_net_cmds[];     /* probe_net.c: IPv6, DNS, download and round trips */

/* Print the result of an attempt: r >= 0 → OK, r < 0 → DENIED with the
 * errno name of -r.  Returns 0. */
int probe_report(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *probe_errno_name(int e);
