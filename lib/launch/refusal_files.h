/* refusal_files.h — refusals about files (refusal_files.c): child side,
 * in the sandbox's init, no allocation. */
#pragma once

#include "launch/refusal.h"

/* A write, creation or removal the kernel will refuse (read-only mount,
 * persistence protection, [landlock] read-only, permissions): 1 and *ev,
 * or 0. */
int refusal_explain_write(const struct plan *plan, const struct seccomp_notif *n, struct refusal_event *ev,
                          const char *comm);
/* A path missing in the view outside every bind: 1 and an RF_HIDDEN
 * candidate for the parent to check on the host, or 0. */
int refusal_explain_hidden(const struct plan *plan, const struct seccomp_notif *n, struct refusal_event *ev);

/* At the end of a run, in init: the files the program left in the
 * private home and the private /tmp, which are discarded with the
 * sandbox.  Adds one RF_DISCARDED event when there are any. */
void refusal_scan_discarded(const struct plan *plan, struct refusal_tally *t);
