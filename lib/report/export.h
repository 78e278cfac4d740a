/* export.h — what export.c offers besides the public sbx_export_*() API. */
#pragma once

#include "report/filter_model.h"

/* The errno of the OCI defaultAction: ENOSYS, as seccomp.c answers calls
 * unknown to its tables, or EPERM when the profile itself denies with
 * ENOSYS (a rule may not repeat the default action). */
int sc_model_default_errno(const struct sc_model *m);
