/* supervisor.h — the seccomp user-notification supervisor.  Runs inside the
 * sandbox's init process (pid 1), child side: no allocation, no stdio. */
#pragma once

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan/plan.h"
#include "launch/refusal.h"

/* Where reports go: a pipe only init writes (O_NONBLOCK, -1: none), and
 * the lines that did not fit in it; `live`: a line per refusal as it
 * happens (--log-denials, action log or notify); `tally`: every refusal
 * counted for the summary at exit (may be NULL). */
struct sv_report {
        int fd;
        uint32_t lost;
        bool live;
        struct refusal_tally *tally;
};

/* Handle one pending notification on `listener` (poll said POLLIN): report
 * a denial to rep (text or JSON lines; rep may be NULL) and answer it as
 * the profile's action would, or rewrite memfd_create to a non-executable
 * memfd.  Returns 0, or -errno when the listener is unusable. */
int supervisor_handle(int listener, const struct plan *plan, struct sv_report *rep);

/* What the filter decided for one call, re-derived from the same tables
 * (exposed for tests). */
enum sv_verdict {
        SV_DENY,        /* denied whatever the action: errno (kill in kill mode) */
        SV_NOT_ALLOWED, /* not in the allow-list: the profile's action */
        SV_MEMFD,       /* memfd_create to be made non-executable */
        SV_ENOSYS,      /* unknown syscall or clone3 */
        SV_OBSERVE,     /* allowed, handed over to be explained (refusal.c), then continued */
        SV_ALLOWED,     /* the filter allows it: should not have been notified */
};
enum sv_verdict supervisor_decide(const struct seccomp_prog *prog, const struct seccomp_data *d,
                                  const char **reason);

/* One report line (with '\n') for a notified call into buf; strings the
 * call points to are read from `pid` (0: not read).  `verdict_word` is
 * "denied", "killed" or "logged".  Returns the length. */
size_t supervisor_format(const struct seccomp_prog *prog, const struct seccomp_data *d, int pid,
                         const char *comm, const char *verdict_word, const char *reason, bool json,
                         char *buf, size_t size);
