/* caps.c — the capability and identity part of the child's setup.
 *
 * The sets are computed with libcap-ng in the parent (caps_prepare), while
 * the plan is built: libcap-ng reads /proc through stdio and keeps its
 * state in malloc'd memory, and a spawned child of a multi-threaded caller
 * must not take a libc lock that another thread may have held at clone time
 * (glibc's stdio list lock: a sandbox hung forever in fopen).  The child
 * applies the result with raw syscalls only (caps_apply: PR_CAPBSET_DROP,
 * capset, PR_CAP_AMBIENT, securebits) and checks it against what the kernel
 * reports (capget, PR_CAPBSET_READ, PR_CAP_AMBIENT_IS_SET): a capability
 * left in any set (effective, permitted, inheritable, ambient, bounding) is
 * a failure, never a silent leftover. */
#include <cap-ng.h>
#include <errno.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launch/caps.h"
#include "launch/ns.h"
#include "base/util.h"

static int last_cap(void)
{
        /* CAP_LAST_CAP of the kernel: probe the bounding set once (it only
         * changes with the kernel). */
        static _Atomic int known = -1;
        int c = known;
        if (c >= 0)
                return c;
        /* The highest number PR_CAPBSET_READ accepts (EINVAL above it):
         * a binary search, 6 calls instead of one per number. */
        int lo = 0, hi = 63;
        while (lo < hi) {
                int mid = (lo + hi + 1) / 2;
                if (prctl(PR_CAPBSET_READ, mid, 0, 0, 0) >= 0)
                        lo = mid;
                else
                        hi = mid - 1;
        }
        c = lo;
        known = c;
        return c;
}

static uint64_t bit(int c) { return UINT64_C(1) << c; }

int caps_prepare(uint64_t keep, struct caps_state *ret)
{
        memset(ret, 0, sizeof(*ret));
        ret->last_cap = last_cap();
        if (ret->last_cap >= 64)
                return -EINVAL;
        /* libcap-ng's working set is per thread and may be the caller's own:
         * put it back afterwards. */
        void *saved = capng_save_state();
        capng_clear(CAPNG_SELECT_ALL);
        for (int c = 0; c <= ret->last_cap; c++)
                if ((keep & bit(c)) &&
                    capng_update(CAPNG_ADD,
                                 CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_INHERITABLE |
                                         CAPNG_BOUNDING_SET | CAPNG_AMBIENT,
                                 (unsigned)c) < 0) {
                        capng_restore_state(&saved);
                        return -EINVAL;
                }
        for (int c = 0; c <= ret->last_cap; c++) {
                if (capng_have_capability(CAPNG_EFFECTIVE, (unsigned)c))
                        ret->effective |= bit(c);
                if (capng_have_capability(CAPNG_PERMITTED, (unsigned)c))
                        ret->permitted |= bit(c);
                if (capng_have_capability(CAPNG_INHERITABLE, (unsigned)c))
                        ret->inheritable |= bit(c);
                if (capng_have_capability(CAPNG_BOUNDING_SET, (unsigned)c))
                        ret->bounding |= bit(c);
                if (capng_have_capability(CAPNG_AMBIENT, (unsigned)c))
                        ret->ambient |= bit(c);
        }
        capng_restore_state(&saved);
        /* NO_SETUID_FIXUP: the uid change leaves capabilities alone, so
         * dropping them stays our explicit step.  NOROOT: uid 0 gains nothing
         * at execve.  Both locked; with nothing kept, no ambient raise
         * either. */
        ret->securebits = SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_NOROOT |
                          SECBIT_NOROOT_LOCKED | SECBIT_KEEP_CAPS_LOCKED;
        if (!keep)
                ret->securebits |= SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
        /* What libcap-ng computed must be exactly what was asked for. */
        uint64_t want = keep & (ret->last_cap == 63 ? ~UINT64_C(0) : bit(ret->last_cap + 1) - 1);
        if (ret->effective != want || ret->permitted != want || ret->inheritable != want ||
            ret->bounding != want || ret->ambient != want)
                return -EINVAL;
        return 0;
}

/* ---- child side: raw syscalls only -------------------------------------- */

static int verify(const struct caps_state *cs)
{
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
        struct __user_cap_data_struct d[2];
        if (syscall(SYS_capget, &h, d) < 0)
                return -errno;
        uint64_t eff = d[0].effective | (uint64_t)d[1].effective << 32;
        uint64_t prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
        uint64_t inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
        if (eff != cs->effective || prm != cs->permitted || inh != cs->inheritable)
                return -EPERM;
        /* Only what could still be set needs asking: a capability dropped
         * from the bounding set by a PR_CAPBSET_DROP that returned 0 is gone,
         * and the kernel keeps the ambient set inside permitted ∩
         * inheritable (capset trims it), which capget just showed to be
         * exactly the kept set.  So the kept capabilities are read back;
         * with nothing kept this costs no call at all. */
        uint64_t kept = cs->bounding | (prm & inh);
        for (int c = 0; c <= cs->last_cap; c++) {
                if (!(kept & bit(c)))
                        continue;
                if ((prctl(PR_CAPBSET_READ, c, 0, 0, 0) > 0) != !!(cs->bounding & bit(c)))
                        return -EPERM;
                if ((prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0) > 0) !=
                    !!(cs->ambient & bit(c)))
                        return -EPERM;
        }
        return 0;
}

int caps_lock_identity(const struct plan *plan, const struct caps_state *cs, const char **failed)
{
        int r;
        if (prctl(PR_SET_SECUREBITS, cs->securebits, 0, 0, 0) < 0) {
                *failed = "securebits";
                return -errno;
        }
        if ((r = ns_set_identity(plan)) < 0) {
                *failed = "uid/gid";
                return r;
        }
        return 0;
}

int caps_drop_bounding(const struct caps_state *cs, uint64_t held, const char **failed)
{
        for (int c = 0; c <= cs->last_cap; c++)
                if ((held & bit(c)) && !(cs->bounding & bit(c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
                        *failed = "capabilities (bounding set)";
                        return -errno;
                }
        return 0;
}

/* Bounding set first (dropping needs CAP_SETPCAP, which capset may
 * remove), then the three per-thread sets, then ambient (a capability can
 * only be ambient while permitted and inheritable). */
int caps_apply(const struct caps_state *cs, uint64_t held, const char **failed)
{
        int r = caps_drop_bounding(cs, held, failed);
        if (r < 0)
                return r;
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
        struct __user_cap_data_struct d[2] = {
                { .effective = (uint32_t)cs->effective, .permitted = (uint32_t)cs->permitted,
                  .inheritable = (uint32_t)cs->inheritable },
                { .effective = (uint32_t)(cs->effective >> 32), .permitted = (uint32_t)(cs->permitted >> 32),
                  .inheritable = (uint32_t)(cs->inheritable >> 32) },
        };
        if (syscall(SYS_capset, &h, d) < 0) {
                *failed = "capabilities";
                return -errno;
        }
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
                *failed = "ambient capabilities";
                return -errno;
        }
        for (int c = 0; c <= cs->last_cap; c++)
                if ((cs->ambient & bit(c)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0) {
                        *failed = "ambient capabilities";
                        return -errno;
                }
        r = verify(cs);
        if (r < 0)
                *failed = "capabilities (verify)";
        return r;
}

int caps_enter(const struct plan *plan, const struct caps_state *cs, uint64_t held, const char **failed)
{
        int r = caps_lock_identity(plan, cs, failed);
        return r < 0 ? r : caps_apply(cs, held, failed);
}

/* A running process that holds no CAP_SETPCAP (an ordinary user's service,
 * outside any user namespace of its own) can empty its effective, permitted,
 * inheritable and ambient sets but can neither lock securebits nor shrink
 * the bounding set.  Neither matters once no_new_privs is set and the uid is
 * not 0: no execve can grant capabilities (setuid bits and file capabilities
 * are ignored under no_new_privs) and nothing is left to raise.  Those two
 * conditions are checked, not assumed. */
int caps_drop_self(const struct plan *plan, uint64_t keep, const char **failed)
{
        if (capng_get_caps_process() == 0 && capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP)) {
                struct caps_state cs;
                int r = caps_prepare(keep, &cs);
                if (r < 0) {
                        *failed = "capabilities (computing the sets)";
                        return r;
                }
                return caps_enter(plan, &cs, CAPS_ALL, failed);
        }
        if (keep) {
                *failed = "capabilities (keeping some needs CAP_SETPCAP)";
                return -EPERM;
        }
        if (geteuid() == 0 || getuid() == 0) {
                *failed = "capabilities (uid 0 without CAP_SETPCAP)";
                return -EPERM;
        }
        if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) {
                *failed = "capabilities (no_new_privs must be set first)";
                return -EPERM;
        }
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
                *failed = "ambient capabilities";
                return -errno;
        }
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
        struct __user_cap_data_struct d[2] = { { 0 } };
        if (syscall(SYS_capset, &h, d) < 0) {
                *failed = "capabilities";
                return -errno;
        }
        if (syscall(SYS_capget, &h, d) < 0) {
                *failed = "capabilities (verify)";
                return -errno;
        }
        if (d[0].effective | d[0].permitted | d[0].inheritable | d[1].effective | d[1].permitted |
            d[1].inheritable) {
                *failed = "capabilities (verify)";
                return -EPERM;
        }
        int last = last_cap();
        for (int c = 0; c <= last; c++)
                if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0) > 0) {
                        *failed = "ambient capabilities (verify)";
                        return -EPERM;
                }
        return 0;
}
