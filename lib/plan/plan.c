/* plan.c — the plan's data and its queries: the mounts of the view (added,
 * and which one covers an inside path), the strings a plan owns, and the
 * warnings and notes it collects for the user.  Every stage (exec.c,
 * landlock.c, protect.c, limit.c, wx.c, dbus.c, x11.c) adds to a plan
 * through these (the program's environment too); this file calls none of them (plan_build.c does, in order). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/path.h"
#include "base/strbuf.h"
#include "plan/plan.h"
#include "base/util.h"

char *plan_own(struct plan *plan, char *s)
{
        if (!s)
                return NULL;
        if (plan->nowned + 1 > plan->owned_cap) {
                size_t nc = plan->owned_cap ? plan->owned_cap * 2 : 64;
                char **nv = realloc(plan->owned, nc * sizeof(char *));
                if (!nv) {
                        free(s);
                        return NULL;
                }
                plan->owned = nv;
                plan->owned_cap = nc;
        }
        plan->owned[plan->nowned++] = s;
        return s;
}

int plan_setenv(struct plan *plan, char *assignment)
{
        size_t n = strcspn(assignment, "="), i = 0;
        for (; plan->envp && plan->envp[i]; i++)
                if (strncmp(plan->envp[i], assignment, n) == 0 && plan->envp[i][n] == '=') {
                        free(plan->envp[i]);
                        plan->envp[i] = assignment;
                        return 0;
                }
        char **v = realloc(plan->envp, (i + 2) * sizeof(char *));
        if (!v) {
                free(assignment);
                return -ENOMEM;
        }
        v[i] = assignment;
        v[i + 1] = NULL;
        plan->envp = v;
        return 0;
}

void plan_unsetenv(struct plan *plan, const char *name)
{
        size_t n = strlen(name), j = 0;
        for (size_t i = 0; plan->envp && plan->envp[i]; i++) {
                if (strncmp(plan->envp[i], name, n) == 0 && plan->envp[i][n] == '=')
                        free(plan->envp[i]);
                else
                        plan->envp[j++] = plan->envp[i];
        }
        if (plan->envp)
                plan->envp[j] = NULL;
}

int plan_warn(struct plan *plan, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = strv_vaddf(&plan->warnings, &plan->nwarnings, &plan->warnings_cap, fmt, ap);
        va_end(ap);
        return r;
}

int plan_note(struct plan *plan, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = strv_vaddf(&plan->notes, &plan->nnotes, &plan->notes_cap, fmt, ap);
        va_end(ap);
        return r;
}

int plan_add_mount(struct plan *plan, const struct plan_mount *m)
{
        if (plan->nmounts + 1 > plan->cap) {
                size_t nc = plan->cap ? plan->cap * 2 : 32;
                struct plan_mount *nv = realloc(plan->mounts, nc * sizeof(*nv));
                if (!nv)
                        return -ENOMEM;
                plan->mounts = nv;
                plan->cap = nc;
        }
        plan->mounts[plan->nmounts++] = *m;
        return 0;
}

const struct plan_mount *plan_mount_covering(const struct plan *plan, const char *inside)
{
        const struct plan_mount *best = NULL;
        size_t best_len = 0;
        for (size_t i = 0; i < plan->nmounts; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                /* A re-bind shows what lies beneath it. */
                if (m->kind == PM_SYMLINK || m->kind == PM_DIR || m->kind == PM_REBIND)
                        continue;
                if (!path_under(inside, m->dst))
                        continue;
                size_t l = strlen(m->dst);
                if (!best || l >= best_len) {
                        best = m;
                        best_len = l;
                }
        }
        return best;
}

int plan_host_path(const struct plan *plan, const char *inside, char **ret)
{
        const struct plan_mount *m = plan_mount_covering(plan, inside);
        if (!m || m->kind != PM_BIND || !m->src)
                return -ENOENT;
        const char *rest = path_under(inside, m->dst);
        char *s = NULL;
        if (asprintf(&s, "%s%s", strcmp(m->src, "/") == 0 && *rest ? "" : m->src, rest) < 0)
                return -ENOMEM;
        *ret = s;
        return 0;
}
