/* secrets.h — credential stores masked inside every bind, and the XDG base
 * directories that move the home's points (secrets.c).  Parent side. */
#pragma once

#include <stddef.h>

#include "plan/plan.h"

/* The XDG variables a home path can be moved by (XDG_CONFIG_HOME,
 * XDG_DATA_HOME, XDG_STATE_HOME, XDG_CACHE_HOME). */
#define SECRETS_XDG_DIRS 4
/* Where `path` (under $HOME/.config, $HOME/.local/share, ...) also lies
 * when the i-th XDG variable is set elsewhere: *ret malloc'd, or NULL when
 * it does not apply. */
int secrets_xdg_variant(const char *path, size_t i, char **ret);
/* For every bind of the plan (read-only ones too) that shows a
 * [filesystem] secret from above: a mask over it.  Binds of a secret
 * itself get a note (or, for the working directory, a warning). */
int secrets_plan(const struct sbx_policy *p, struct plan *plan, struct sbx_error **err);
