/* spawn.h — starting a planned sandbox (parent side). */
#pragma once

#include "plan/plan.h"

int spawn_plan(const struct plan *plan, struct sbx_process **ret, struct sbx_error **err);
