/* exec.h — execution prevention (M1038) in the plan: the allow-list, the
 * deny-list (denied programs are hidden from the view so that neither
 * execve nor the dynamic loader can use them), SHA-256 pinning (the file
 * hashed is the file bound into the view). Parent side only.
 *
 * The layering this module takes part in is described in
 * docs/exec-prevention.md. */
#pragma once

#include <stdbool.h>
#include <sys/stat.h>

#include "plan/plan.h"

/* Check the program against [exec] allow/deny, verify pinned hashes, add
 * the mask and pinned-file mounts to the plan.  A refused program or a
 * hash mismatch is an SBX_ERROR_EXEC error naming the profile line. */
int exec_prepare(const struct sbx_policy *p, struct plan *plan, struct sbx_error **err);

/* The inside paths that get Landlock EXECUTE: the allow-list (globs
 * expanded in the view, symlinks in allowed directories followed to their
 * targets), pinned files, the program itself and its #! interpreter, and
 * the ELF interpreters (PT_INTERP) all of these name.  Denied files are
 * never included.  *ret: NULL-terminated, free with sbx_strv_free(). */
int exec_allowed_paths(const struct sbx_policy *p, const struct plan *plan, char ***ret);

/* Child side (no allocation; for init's explanations, refusal.c): why
 * would executing the canonical inside path `path` be refused?  Returns 1,
 * a sentence in buf ("/usr/bin/python3.11 is denied by default.ini:40",
 * "… is on a writable (noexec) mount …", "… is not in [exec] allow
 * (default.ini:21)") and the command-line option that allows it in ovr
 * ("" when none), or 0 when nothing in the plan refuses it. */
int exec_explain(const struct plan *plan, const char *path, char *buf, size_t n, char *ovr, size_t on);

/* ---- the view as the sandbox will see it (used by landlock.c too) ---- */

/* Resolve an inside path through the plan's view: PM_SYMLINK entries and
 * symlinks inside binds are followed (absolute targets resolve against the
 * sandbox root), the last component only when `follow`.  *canon: the
 * canonical inside path; *host (may be NULL): the host path behind it when
 * a bind backs it, else NULL (tmpfs, proc, mount-point directories).
 * Without a mount namespace the view is the host tree.  Returns 0, or
 * -ENOENT when the path does not exist in the view.  Strings malloc'd. */
int exec_view_resolve(const struct plan *plan, const char *inside, bool follow, char **canon,
                      char **host);

/* Names in the inside directory `dir` (canonical): the host directory's
 * entries when a bind backs it, plus mount points the plan creates there.
 * *ret NULL-terminated, free with sbx_strv_free(). */
int exec_view_list(const struct plan *plan, const char *dir, char ***ret);

/* Does the plan build its own view (a mount namespace), or is the view the
 * host tree (sbx_confine)? */
bool exec_view_is_private(const struct plan *plan);

/* ---- internal to the exec module (exec.c, exec_view.c) -------------- */

/* The memo of host lookups (exec_fs.h): the plan's while it is being built
 * (exec_prepare makes it), else a new one in *own for the caller to free.
 * NULL when out of memory. */
struct exec_fs;
struct exec_fs *exec_view_fs(const struct plan *plan, struct exec_fs **own);
/* exec_view_resolve() through the memo (and record) of fs. */
int exec_view_resolve_fs(const struct plan *plan, struct exec_fs *fs, const char *inside, bool follow,
                         char **canon, char **host);

/* A growable NULL-terminated list of malloc'd strings. */
struct exec_strv {
        char **v;
        size_t n, cap;
};
void exec_strv_done(struct exec_strv *s);
bool exec_strv_has(const struct exec_strv *s, const char *x);
int exec_strv_take(struct exec_strv *s, char *x); /* takes x, even on failure */
int exec_strv_add(struct exec_strv *s, const char *x); /* copies, skips duplicates */

/* Expand an inside glob (or plain path) into the inside paths, as written,
 * that exist in the view; appended to out.  -E2BIG when it matches too
 * many. */
int exec_view_expand(const struct plan *plan, struct exec_fs *fs, const char *pattern,
                     struct exec_strv *out);
/* dir + "/" + name into out (dir "/" gives "/name"). */
int exec_path_join(char *out, size_t n, const char *dir, const char *name);

/* The ELF interpreter (PT_INTERP) of the file open at fd, into buf.
 * Returns 1 when found, 0 when the file is not a dynamic ELF, -errno. */
int exec_elf_interp(int fd, char *buf, size_t n);
