/* spawn.h — starting a planned sandbox (parent side), and the helpers that
 * live as long as it does. */
#pragma once

#include "plan/plan.h"

struct helper_out;

int spawn_plan(const struct plan *plan, struct sbx_process **ret, struct sbx_error **err);

/* How many helpers one sandbox can own. */
#define SPAWN_MAX_HELPERS 4

/* A policy for a helper of a sandbox (the D-Bus proxy), started in a
 * sandbox of its own: the one entry point through which a helper is
 * spawned.  The helper's policy may not ask for helpers (-ELOOP). */
int spawn_helper(const struct sbx_policy *p, const struct sbx_spawn_options *o, struct sbx_process **ret,
                 struct sbx_error **err);
/* A helper's own sandbox policy: `ini` (named `name` in errors: the
 * system's libraries, no network, its limits), run as the caller (root
 * included), `server` (what it serves: a bus or display socket) bound
 * read-only, `dir` (its socket directory) read-write, and `exe` the one
 * program it may run (bound when outside /usr). */
int spawn_helper_policy(const struct plan *plan, const char *name, const char *ini, const char *exe,
                        const char *server, const char *dir, struct sbx_policy **ret, struct sbx_error **err);
/* The sandbox proc owns helper and fd from now on and ends them once it is
 * reaped (-EBUSY: no room, or already reaped; the caller still owns them). */
int spawn_adopt_helper(struct sbx_process *proc, struct sbx_process *helper, int fd);
/* The sandbox proc relays what a helper prints (helper_out.h: escaped,
 * prefixed, to its log_fd) while it waits, and closes the stream once it
 * is reaped; out->fd is -1 afterwards (-EBUSY: no room, no log_fd, or
 * already reaped; the caller still owns out). */
int spawn_adopt_output(struct sbx_process *proc, struct helper_out *out);
/* Ends a helper: closes fd (asking it to exit), kills and reaps what is
 * left.  NULL and -1 are fine. */
void spawn_helper_end(struct sbx_process *helper, int fd);
