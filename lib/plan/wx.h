/* wx.h — `[seccomp] wx = yes` as a property: no memory that is or was
 * writable ever becomes executable.  The pieces, and who holds each:
 *   the kernel's MDWE (prctl PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN; Linux
 *     6.3+, inherited, irreversible): mmap W+X, mprotect/pkey_mprotect
 *     gaining exec, shmat writable+SHM_EXEC — this file;
 *   seccomp (seccomp.c add_wx): the same without MDWE, plus shmat with
 *     SHM_EXEC at all and shared executable file mappings (a memfd or any
 *     shared file mapped a second time, writable), and memfd_create itself
 *     unless [seccomp] memfd = yes: a memfd mapped MAP_SHARED writable and
 *     MAP_PRIVATE executable runs what is written after it was mapped, and
 *     no filter can tell that fd from a library's;
 *   /proc/PID/mem, whose writes go through FOLL_FORCE and ignore page
 *     protections: /proc mounted read-only (plan.c, mount.c) and no
 *     Landlock write access beneath /proc (landlock.c). */
#pragma once

#include <stdbool.h>
#include <stdio.h>

struct plan;
struct sbx_policy;
struct sbx_error;

/* Parent: decide whether MDWE is used (plan->mdwe), note or refuse when
 * the kernel lacks it. */
int wx_plan(struct plan *plan, const struct sbx_policy *p, struct sbx_error **err);
/* Child (async-signal-safe): turn MDWE on.  0 or -errno. */
int wx_apply(void);
bool wx_mdwe_available(void);

/* Each route from writable to executable memory, one line each, with what
 * closes it under policy p on this machine (for sbx analyze); `memfd`:
 * the filter lets memfd_create through. */
struct sbuf;
int wx_describe(const struct sbx_policy *p, bool memfd, struct sbuf *f, const char *indent);
