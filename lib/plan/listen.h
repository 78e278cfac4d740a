/* listen.h — [network] listen: TCP sockets sbx binds before the launch and
 * hands to the program (systemd's LISTEN_FDS convention).  Parent side. */
#pragma once

#include "plan/plan.h"

/* Bind and listen on every [network] listen entry, as the caller and in
 * the caller's network namespace; put LISTEN_FDS, LISTEN_PID (filled in
 * by the program's process, plan->listen_pid_env) and LISTEN_FDNAMES in
 * the environment.  The fds go to the program at 3, 4, …: a kept fd at
 * one of those numbers is refused.  An error names the profile line. */
int listen_plan(const struct sbx_policy *p, struct plan *plan, struct sbx_error **err);

/* Child side (the program, before execve): write its pid into the
 * LISTEN_PID string.  No allocation. */
void listen_set_pid(const struct plan *plan, pid_t pid);
