/* seccomp_helpers.h — shared by the seccomp unit tests (test_seccomp.c,
 * test_seccomp_supervisor.c): hand-built policies (independent of the
 * profile parser), running a call in a forked child with and without a
 * filter, and a classic BPF interpreter to inspect compiled programs. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include <seccomp.h> /* libseccomp (sbx's own is plan/seccomp.h) */

#include "profile/policy.h"
#include "plan/seccomp.h"
#include "base/util.h" /* MFD_EXEC, MFD_NOEXEC_SEAL */

#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

#define MARK ENOTRECOVERABLE /* the test profiles' errno */
#define SIG(s) (1000 + (s))  /* child_run(): killed by signal s */

void sl_add(struct strlist *l, const char *s, const char *file, unsigned line);
/* An argument rule (`socket`, `ioctl`) with space-separated words. */
void arg_rule(struct sbx_policy *p, const char *syscall, const char *words);
/* [seccomp] enabled, allow = @default (test.ini:3), action errno; owned
 * by the helpers (freed by helpers_cleanup, the suite's fini). */
struct sbx_policy *policy_default(int errno_value);
/* The same with an empty allow-list. */
struct sbx_policy *policy_empty(int errno_value);
void helpers_cleanup(void);
/* seccomp_compile without the cache; fails the test on error. */
void compile(const struct sbx_policy *p, unsigned flags, struct seccomp_prog *prog);

typedef int (*probe_fn)(void *arg); /* 0 on success, else an errno value */
/* fn in a forked child, under prog when non-NULL (no_new_privs set).
 * Returns fn's result, or SIG(n) when the child was killed by signal n. */
int child_run(const struct seccomp_prog *prog, probe_fn fn, void *arg);

struct call {
        long nr;
        unsigned long a[6];
};
int do_call(void *arg); /* arg: struct call */
int call_with(const struct seccomp_prog *prog, long nr, unsigned long a0, unsigned long a1,
              unsigned long a2);
/* memfd_create("sbx-test", *(unsigned *)arg). */
int memfd_probe(void *arg);

/* What the program returns for one call. */
uint32_t bpf_run(const struct seccomp_prog *prog, uint32_t arch, int nr, const uint64_t args[6]);
/* Whether any path for syscall nr loads an argument, i.e. whether the
 * kernel's action cache cannot answer it. */
bool loads_args(const struct seccomp_prog *prog, int nr);
