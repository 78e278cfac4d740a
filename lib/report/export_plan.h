/* export_plan.h — the whole-plan exports (sbx_export_plan(), in
 * export_plan.c): one renderer per format (export_oci.c, export_k8s.c,
 * export_systemd.c) over a built plan and its seccomp rule model, and the
 * helpers they share (export_common.c).  Parent side; allocates. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "base/strbuf.h"
#include "plan/plan.h"
#include "report/filter_model.h"

struct ex {
        const struct plan *plan;
        const struct sbx_policy *p;
        struct sc_model m;   /* from the plan's compiled filter */
        char label[64];      /* the profile's name as a Kubernetes/systemd name */
        char **warn;         /* what the format cannot express */
        size_t nwarn, capwarn;
};

/* export_common.c */
int export_warn(struct ex *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s as lower-case [a-z0-9-], starting and ending with a letter or digit. */
void export_label(const char *s, char *buf, size_t size);
/* "CORE" for RLIMIT_CORE; NULL when unknown. */
const char *export_rlimit_name(int resource);
/* Does path lie at or beneath dir (both absolute, normalised)? */
bool export_under(const char *path, const char *dir);
/* The mount (bind, tmpfs, proc, devpts) that holds `path`, not counting
 * one at `path` itself; NULL: the root. */
const struct plan_mount *export_parent_mount(const struct plan *plan, const char *path);
/* A /dev entry every runtime provides itself (the null, zero, full,
 * random, urandom and tty nodes; the /proc/self/fd links). */
bool export_runtime_dev(const struct plan_mount *m);
/* "CAP_NAME" into buf when the plan keeps capability c, else NULL. */
const char *export_cap_name(const struct plan *plan, unsigned c, char *buf, size_t size);

/* export_oci.c */
int export_render_bundle(struct ex *x, struct sbuf *b);
int export_bundle_warnings(struct ex *x);
/* Make dir (if missing), a new dir/rootfs with the view's mount points and
 * symlinks, and dir/config.json holding `config`. */
int export_write_bundle(struct ex *x, const char *dir, const char *config, struct sbx_error **err);
/* export_k8s.c */
int export_render_pod(struct ex *x, struct sbuf *b, const char *image, const char *ns);
/* export_systemd.c */
int export_render_unit(struct ex *x, struct sbuf *b);
