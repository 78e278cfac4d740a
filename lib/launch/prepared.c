/* prepared.c — a sandbox prepared once and spawned many times
 * (sbx_prepare, sbx_spawn_prepared): for services that start a worker per
 * request with one policy.
 *
 * What is prepared is the plan: the policy validated and copied, the view
 * (mounts, masks, pinned files, protected paths), the exec decisions, the
 * Landlock rules and the compiled seccomp program, for one program and one
 * working directory.  A spawn then pays only for what must be fresh: the
 * clone with new namespaces, the mounts made again in them (every worker
 * gets its own tmpfs root, /tmp, home, /proc, pid and IPC namespaces), the
 * rules and filter loaded into the new process.  The plan is read-only
 * after sbx_prepare(), so any number of threads may spawn from it at once;
 * the child writes only to its own copy of memory.
 *
 * The decisions reflect the filesystem and environment at sbx_prepare()
 * time (a file installed later that a deny glob matches is masked only by
 * a new preparation); that is documented in libsbx(3). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plan/dbus.h"
#include "plan/plan.h"
#include "launch/spawn.h"
#include "base/util.h"

struct sbx_prepared {
        struct sbx_policy *policy; /* own copy */
        struct plan plan;          /* the template */
        char *file;                /* what the template was built for */
        char *cwd;                 /* options->cwd, or NULL */
        char *caller_cwd;          /* the caller's cwd at preparation */
        unsigned flags;
        bool reusable;             /* file arguments are not bound */
};

SBX_EXPORT void sbx_prepared_free(struct sbx_prepared *pp)
{
        if (!pp)
                return;
        plan_done(&pp->plan);
        sbx_policy_free(pp->policy);
        free(pp->file);
        free(pp->cwd);
        free(pp->caller_cwd);
        free(pp);
}

static bool same(const char *a, const char *b)
{
        return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

SBX_EXPORT int sbx_prepare(const struct sbx_policy *p, const struct sbx_spawn_options *o,
                           struct sbx_prepared **ret, struct sbx_error **err)
{
        if (!p || !o || !ret)
                return -EINVAL;
        struct sbx_prepared *pp = calloc(1, sizeof(*pp));
        if (!pp)
                return -ENOMEM;
        int r = sbx_policy_dup(p, &pp->policy);
        if (r >= 0)
                r = plan_build(pp->policy, o, &pp->plan, err);
        char buf[PATH_MAX];
        if (r >= 0 && !(pp->file = strdup(o->file)))
                r = -ENOMEM;
        if (r >= 0 && o->cwd && !(pp->cwd = strdup(o->cwd)))
                r = -ENOMEM;
        if (r >= 0 && getcwd(buf, sizeof(buf)) && !(pp->caller_cwd = strdup(buf)))
                r = -ENOMEM;
        if (r < 0) {
                sbx_prepared_free(pp);
                return r;
        }
        pp->flags = o->flags;
        pp->reusable = pp->policy->args == ARGS_NONE;
        *ret = pp;
        return 0;
}

/* Does the template hold for these options? */
static bool template_fits(const struct sbx_prepared *pp, const struct sbx_spawn_options *o)
{
        if (!pp->reusable || !same(pp->file, o->file) || !same(pp->cwd, o->cwd) ||
            pp->flags != o->flags)
                return false;
        if (o->cwd)
                return true;
        char buf[PATH_MAX];
        return same(pp->caller_cwd, getcwd(buf, sizeof(buf)));
}

SBX_EXPORT int sbx_spawn_prepared(const struct sbx_prepared *pp, const struct sbx_spawn_options *o,
                                  struct sbx_process **ret, struct sbx_error **err)
{
        if (!pp || !o || !ret || o->size < offsetof(struct sbx_spawn_options, log_fd) + sizeof(int) ||
            !o->file)
                return -EINVAL;
        /* [dbus]: each sandbox has its own proxy and socket.  mode =
         * pasta: its own resolv.conf, which exists only while a launch
         * binds it (a file kept between launches could be changed by a
         * sandbox of the same user that sees it). */
        if (!template_fits(pp, o) || dbus_wanted(pp->policy) || pp->plan.pasta)
                return sbx_spawn(pp->policy, o, ret, err);

        /* The template with this spawn's argv and descriptors. */
        struct plan plan = pp->plan;
        size_t argc = 0;
        while (o->argv && o->argv[argc])
                argc++;
        const char **argv = calloc(argc + 2, sizeof(char *));
        if (!argv)
                return -ENOMEM;
        if (argc == 0)
                argv[0] = o->file;
        for (size_t i = 0; i < argc; i++)
                argv[i] = o->argv[i];
        plan.argv = (char **)argv;
        plan.stdio[0] = o->stdin_fd;
        plan.stdio[1] = o->stdout_fd;
        plan.stdio[2] = o->stderr_fd;
        plan.keep_fds = (int *)o->keep_fds;
        plan.nkeep = o->n_keep_fds;
        plan.log_fd = o->log_fd;
        int r = spawn_plan(&plan, ret, err);
        free(argv);
        return r;
}
