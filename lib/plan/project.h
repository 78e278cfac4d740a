/* project.h — the persistence points a writable directory holds for tools
 * run there later: a git repository's config, hooks, info and .git files,
 * .envrc, editors' folder settings (project.c).  Parent side. */
#pragma once

#include <stdbool.h>

#include "profile/policy.h"

/* Called for each point: its host path, whether it is a directory (made
 * when missing), and the [filesystem] protect-project name it falls under.
 * Returns < 0 to stop. */
/* How many directories below a writable bind are looked into for more
 * repositories (down to 4 levels, hidden ones and node_modules skipped). */
#define PROJECT_NESTED_BUDGET 2048

typedef int (*project_add_fn)(void *ctx, const char *path, bool dir, const char *name);
/* The points of the repository (and folder) a writable bind with canonical
 * source `src` is in or holds, and, when it is in none, of the
 * repositories a few levels inside it, for every name p->protect_project
 * lists.  *incomplete: the search
 * for repositories inside stopped at its budget of directories. */
int project_points(const struct sbx_policy *p, const char *src, project_add_fn add, void *ctx, bool *incomplete);
