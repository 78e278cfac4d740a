/* env.h — building the sandboxed program's environment. Pure. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "profile/policy.h"

/* True for names that only pass when named exactly (LD_PRELOAD, …). */
bool env_name_dangerous(const char *name);
/* Those names (globs), for sbx show and the docs. */
const char *const *env_never_passed(size_t *n);
/* The program's envp: caller's variables allowed by [environment] keep,
 * then [environment] set, then HOME, PATH, USER, LOGNAME. *ret is a
 * NULL-terminated malloc'd vector (sbx_strv_free). */
int env_build(const struct sbx_policy *p, const char *home, uid_t uid, char ***ret);
