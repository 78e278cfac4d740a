/* enter.h — the door of a running sandbox (enter.c). */
#pragma once

#include "plan/plan.h"

/* In the program, fully confined, just before execve: start the door on
 * `chan` (the sandbox's end of the enter channel).  Async-signal-safe.
 * Returns 0 in the program, or -errno (the filter refused clone). */
int enter_start_door(const struct plan *plan, int chan);
