/* export.h — what export.c offers besides the public sbx_export_*() API. */
#pragma once

#include "base/strbuf.h"
#include "report/filter_model.h"

/* The errno of the OCI defaultAction: ENOSYS, as seccomp.c answers calls
 * unknown to its tables, or EPERM when the profile itself denies with
 * ENOSYS (a rule may not repeat the default action). */
int sc_model_default_errno(const struct sc_model *m);
/* The model as a seccomp object, each line after the first prefixed by
 * `indent`: the OCI runtime spec's (spo false), or the spec of a Security
 * Profiles Operator SeccompProfile (spo: no defaultErrnoRet there, so the
 * default is SCMP_ACT_TRACE, ENOSYS without a tracer; errnoRet as a
 * string). */
void export_render_seccomp(struct sbuf *b, const struct sc_model *m, const char *indent, bool spo);
/* What a seccomp profile cannot carry, whatever the format, appended to
 * the vector *w of *n strings (strv_add's, capacity *n + 1); with
 * seccomp_only, also Landlock and [exec] (which a whole-plan export lists
 * itself, with what the runtime does instead). */
int export_common_warnings(const struct sbx_policy *p, const struct sc_model *m, bool seccomp_only,
                           char ***w, size_t *n);
