/* supervisor.h — the seccomp user-notification supervisor.  Runs inside the
 * sandbox's init process (pid 1), child side: no allocation, no stdio. */
#pragma once

#include "plan.h"

/* Handle one pending notification on `listener` (poll said POLLIN): report
 * a denial to plan->log_fd (text or JSON lines) and answer it as the
 * profile's action would, or rewrite memfd_create to a non-executable
 * memfd.  Returns 0, or -errno when the listener is unusable. */
int supervisor_handle(int listener, const struct plan *plan);
