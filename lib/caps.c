/* caps.c — the capability and identity part of the child's setup, done
 * with libcap-ng, then checked against what the kernel reports: a
 * capability left in any set (effective, permitted, inheritable, ambient,
 * bounding) is a failure, never a silent leftover. */
#include <cap-ng.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "ns.h"
#include "util.h"

static int last_cap(void)
{
        /* CAP_LAST_CAP of the kernel: probe the bounding set. */
        int c = 63;
        while (c > 0 && prctl(PR_CAPBSET_READ, c, 0, 0, 0) < 0)
                c--;
        return c;
}

static int verify(uint64_t keep)
{
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
        struct __user_cap_data_struct d[2];
        if (syscall(SYS_capget, &h, d) < 0)
                return -errno;
        uint64_t eff = d[0].effective | (uint64_t)d[1].effective << 32;
        uint64_t prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
        uint64_t inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
        if ((eff | prm | inh) & ~keep)
                return -EPERM;
        int last = last_cap();
        for (int c = 0; c <= last; c++) {
                if (keep & (UINT64_C(1) << c))
                        continue;
                if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) > 0)
                        return -EPERM;
                if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0) > 0)
                        return -EPERM;
        }
        return 0;
}

int caps_lock_identity(const struct plan *plan, uint64_t keep, const char **failed)
{
        int r;
        /* NO_SETUID_FIXUP: the uid change below leaves capabilities alone, so
         * dropping them stays our explicit step.  NOROOT: uid 0 gains nothing
         * at execve.  Both locked. */
        unsigned long bits = SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
                             SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_KEEP_CAPS_LOCKED;
        if (!keep)
                bits |= SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
        if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) < 0) {
                *failed = "securebits";
                return -errno;
        }
        if ((r = ns_set_identity(plan)) < 0) {
                *failed = "uid/gid";
                return r;
        }
        return 0;
}

int caps_enter(const struct plan *plan, uint64_t keep, const char **failed)
{
        int r = caps_lock_identity(plan, keep, failed);
        if (r < 0)
                return r;
        capng_clear(CAPNG_SELECT_ALL);
        for (int c = 0; c < 64; c++)
                if (keep & (UINT64_C(1) << c))
                        capng_update(CAPNG_ADD,
                                     CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_INHERITABLE |
                                             CAPNG_BOUNDING_SET | CAPNG_AMBIENT,
                                     (unsigned)c);
        if (capng_apply(CAPNG_SELECT_ALL) < 0) {
                *failed = "capabilities";
                return -EPERM;
        }
        if ((r = verify(keep)) < 0) {
                *failed = "capabilities (verify)";
                return r;
        }
        return 0;
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
        if (capng_get_caps_process() == 0 && capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP))
                return caps_enter(plan, keep, failed);
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
