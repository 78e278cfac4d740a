/* init_filter.h — the seccomp filter of the sandbox's own pid 1. */
#pragma once

/* Install init's allow-list filter on the calling thread (no_new_privs
 * must be set).  Raw syscall, no allocation: callable between clone() and
 * _exit() in init.  Returns 0 or -errno. */
int init_filter_install(void);

/* The syscall names the filter allows, NULL-terminated (for `sbx run
 * --dry-run` and the docs). */
extern const char *const init_filter_allowed[];
