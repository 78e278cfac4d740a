/* wx.c — W^X as a property (see wx.h for which layer holds which route). */
#include <errno.h>
#include <sys/prctl.h>

#include "plan/plan.h"
#include "profile/profile.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "plan/wx.h"

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#define PR_GET_MDWE 66
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN (1UL << 0)
#endif

bool wx_mdwe_available(void)
{
        return prctl(PR_GET_MDWE, 0, 0, 0, 0) >= 0;
}

int wx_apply(void)
{
        return prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) < 0 ? -errno : 0;
}

/* seccomp enforces the wx rules only when it refuses (not action = log). */
static bool seccomp_holds(const struct sbx_policy *p)
{
        return p->seccomp && p->sc_action != DENY_LOG;
}

int wx_plan(struct plan *plan, const struct sbx_policy *p, struct sbx_error **err)
{
        plan->mdwe = false;
        if (!p->sc_wx)
                return 0;
        if (wx_mdwe_available()) {
                plan->mdwe = true;
                return 0;
        }
        struct sbx_loc l = p->scalar_loc[K_SC_WX];
        if (!seccomp_holds(p))
                return sbx_err_setup(err, -EOPNOTSUPP, "wx",
                                     "%s:%u: wx = yes: this kernel has no MDWE (PR_SET_MDWE, Linux 6.3) "
                                     "and the seccomp filter is off or only logs, so nothing would "
                                     "enforce it", l.file ? l.file : "(built-in)", l.line);
        return plan_warn(plan, "wx = yes: the kernel has no MDWE (PR_SET_MDWE, Linux 6.3); "
                         "seccomp alone refuses the routes to writable-then-executable memory");
}

int wx_describe(const struct sbx_policy *p, bool memfd, struct sbuf *f, const char *indent)
{
        if (!p->sc_wx) {
                sbuf_printf(f, "%swx = no: every route below is open (the kernel's defaults)\n", indent);
                return 0;
        }
        bool mdwe = wx_mdwe_available(), sc = seccomp_holds(p);
        const char *both = mdwe && sc ? "closed (MDWE and seccomp)" : mdwe ? "closed (MDWE)"
                         : sc ? "closed (seccomp)" : "OPEN";
        const char *scx = sc ? "closed (seccomp)" : "OPEN (no seccomp filter that refuses)";
        bool proc_ro = p->proc != PROC_NONE && p->ns_mount;
        sbuf_printf(f, "%smmap writable+executable: %s\n", indent, both);
        sbuf_printf(f, "%smprotect/pkey_mprotect RW -> RX: %s\n", indent, both);
        sbuf_printf(f, "%sshmat writable+SHM_EXEC: %s\n", indent, both);
        sbuf_printf(f, "%sshmat SHM_EXEC of a segment written through another attach: %s\n", indent, scx);
        sbuf_printf(f, "%sone file mapped twice, both MAP_SHARED (RW view + RX view): %s\n", indent,
                sc ? "closed (seccomp: no MAP_SHARED with PROT_EXEC)" : "OPEN");
        /* A MAP_PRIVATE view shares the page cache until written: what
         * the MAP_SHARED view writes, it runs.  No filter can tell a
         * memfd's fd from a library's. */
        const char *memfd_route = !memfd ? "closed (memfd_create refused)"
                                : p->sc_memfd == MEMFD_YES
                                        ? "OPEN: [seccomp] memfd = yes lets memfds through, and no filter can "
                                          "tell a memfd's fd from a library's (MAP_PRIVATE|PROT_EXEC of it)"
                                        : "OPEN: memfd_create is allowed, and no filter can tell a memfd's fd "
                                          "from a library's";
        sbuf_printf(f, "%sa memfd mapped MAP_SHARED RW and MAP_PRIVATE RX (code rewritten while executable): %s\n",
                indent, memfd_route);
        sbuf_printf(f, "%sa file on a writable mount mapped RW and MAP_PRIVATE RX: %s\n", indent,
                p->writable_exec ? "OPEN (writable-exec = yes)" : "closed (writable mounts are noexec)");
        sbuf_printf(f, "%sa writable memfd another process hands over (SCM_RIGHTS from a D-Bus, Wayland or "
                "audio peer) mapped RW and MAP_PRIVATE RX: OPEN where such a peer is reachable: "
                "seccomp cannot see what an fd is\n", indent);
        sbuf_printf(f, "%s/proc/self/mem written (FOLL_FORCE ignores page protections): %s\n", indent,
                p->proc == PROC_NONE ? "closed (no /proc)"
                : proc_ro && p->landlock ? "closed (/proc read-only mount, Landlock read-only)"
                : proc_ro ? "closed (/proc read-only mount)"
                : p->landlock ? "closed (Landlock: no write beneath /proc)" : "OPEN");
        sbuf_printf(f, "%sfile written, then mapped MAP_PRIVATE|PROT_EXEC: %s\n", indent,
                p->writable_exec ? "OPEN (writable-exec = yes)"
                                 : "closed for files on writable mounts (noexec)");
        sbuf_printf(f, "%smemfd written, then mapped MAP_PRIVATE|PROT_EXEC: %s\n", indent,
                !memfd ? "closed (memfd_create refused)"
                       : "OPEN: seccomp cannot tell a memfd from a library's fd, and the kernel "
                         "maps memfds executable whatever MFD_NOEXEC_SEAL says");
        if (!mdwe)
                sbuf_printf(f, "%s(this kernel has no MDWE: PR_SET_MDWE needs Linux 6.3)\n", indent);
        return 0;
}
