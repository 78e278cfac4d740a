/* exec.c — execution prevention (M1038) as far as the plan can express it:
 * the program is checked against [exec] deny (by path, by inode, by
 * content, and through its #! interpreter), pinned files are hashed
 * through the fd that is then bound into the view, and every file a deny
 * entry matches is masked (an unopenable node mounted over it) so that
 * neither execve nor the dynamic loader (`ld.so /usr/bin/python3`) nor a
 * copy can use it.  Also computes the paths Landlock grants EXECUTE on.
 *
 * Parent side only: may allocate, touches the OS only to look (stat,
 * readlink, readdir, reading ELF headers: through exec_fs, memoised) and to
 * open pinned files.  All paths are resolved through the view the plan
 * describes, the way the sandboxed program will see them, not through the
 * host tree.  The cost is bounded by the profile, not by the size of /usr:
 * an allowed directory is one Landlock rule (nothing beneath it is walked),
 * a deny glob lists one directory, and only the program, pinned files and
 * explicitly allowed files have their headers read.  Everything is computed
 * at every launch: nothing is read back from a file a sandbox could have
 * written.  The whole layering is described in docs/exec-prevention.md. */
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/path.h"
#include "plan/exec.h"
#include "plan/exec_fs.h"
#include "base/sha256.h"
#include "base/util.h"

/* ---- the deny set ------------------------------------------------------ */

struct denied {
        char *inside; /* canonical inside path */
        char *host;   /* canonical host path */
        struct stat st;
        const struct sbx_loc *loc;
};

struct deny_set {
        struct denied *v;
        size_t n, cap;
};

static void deny_set_done(struct deny_set *d)
{
        for (size_t i = 0; i < d->n; i++) {
                free(d->v[i].inside);
                free(d->v[i].host);
        }
        free(d->v);
        memset(d, 0, sizeof(*d));
}

/* Takes inside and host (freed on failure). */
static int deny_set_add(struct deny_set *d, char *inside, char *host, const struct stat *st,
                        const struct sbx_loc *loc)
{
        if (inside && host && d->n + 1 > d->cap) {
                size_t nc = d->cap ? d->cap * 2 : 16;
                struct denied *nv = realloc(d->v, nc * sizeof(*nv));
                if (nv) {
                        d->v = nv;
                        d->cap = nc;
                }
        }
        if (!inside || !host || d->n + 1 > d->cap) {
                free(inside);
                free(host);
                return -ENOMEM;
        }
        d->v[d->n++] = (struct denied){ .inside = inside, .host = host, .st = *st, .loc = loc };
        return 0;
}

static int deny_set_build(const struct sbx_policy *p, const struct plan *plan, struct exec_fs *fs,
                          struct deny_set *d, struct sbx_error **err)
{
        for (size_t i = 0; i < p->exec_deny.n; i++) {
                const struct sbx_loc *loc = &p->exec_deny.loc[i];
                struct exec_strv m = { 0 };
                int r = exec_view_expand(plan, fs, p->exec_deny.v[i], &m);
                if (r < 0) {
                        exec_strv_done(&m);
                        return sbx_err_at(err, r, loc->file, loc->line, "[exec] deny %s: %s",
                                          p->exec_deny.v[i],
                                          r == -E2BIG ? "matches too many files" : strerror(-r));
                }
                for (size_t j = 0; r >= 0 && j < m.n; j++) {
                        _cleanup_free_ char *canon = NULL, *host = NULL;
                        char real[PATH_MAX];
                        struct stat st;
                        r = exec_view_resolve_fs(plan, fs, m.v[j], true, &canon, &host);
                        if (r >= 0 && host)
                                r = exec_fs_realpath(fs, host, 0, real);
                        if (r >= 0 && host)
                                r = exec_fs_stat(fs, real, &st);
                        if (r == -ENOMEM)
                                break;
                        if (r < 0 || !host) {
                                r = 0;
                                continue; /* dangling, or nothing host-backed to hide */
                        }
                        bool dup = false;
                        for (size_t k = 0; k < d->n && !dup; k++)
                                dup = strcmp(d->v[k].inside, canon) == 0;
                        if (!dup)
                                r = deny_set_add(d, TAKE_PTR(canon), strdup(real), &st, loc);
                }
                exec_strv_done(&m);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int hash_file(const char *path, uint8_t out[32])
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        return sha256_fd(fd, out);
}

/* Which deny entry refuses the host file `real` (stat `st`)?  By identity
 * (any hard link of a denied file), by lying beneath a denied directory,
 * or — when `copies` — by identical content (same size, same SHA-256). */
static const struct denied *denied_file(const struct deny_set *d, const char *real,
                                        const struct stat *st, bool copies, bool *is_copy)
{
        *is_copy = false;
        for (size_t i = 0; i < d->n; i++) {
                const struct denied *x = &d->v[i];
                if (S_ISDIR(x->st.st_mode) ? path_under(real, x->host) != NULL
                                           : x->st.st_dev == st->st_dev && x->st.st_ino == st->st_ino)
                        return x;
        }
        if (!copies || !S_ISREG(st->st_mode))
                return NULL;
        uint8_t mine[32];
        bool hashed = false;
        for (size_t i = 0; i < d->n; i++) {
                const struct denied *x = &d->v[i];
                uint8_t theirs[32];
                if (!S_ISREG(x->st.st_mode) || x->st.st_size != st->st_size)
                        continue;
                if (!hashed && hash_file(real, mine) < 0)
                        return NULL;
                hashed = true;
                if (hash_file(x->host, theirs) >= 0 && memcmp(mine, theirs, 32) == 0) {
                        *is_copy = true;
                        return x;
                }
        }
        return NULL;
}

/* The #! interpreter of the host file `path`, or "" when it is none. */
static int shebang(const char *path, char *buf, size_t n)
{
        char head[256];
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        buf[0] = 0;
        if (fd < 0)
                return -errno;
        ssize_t k = pread(fd, head, sizeof(head) - 1, 0);
        if (k < 0)
                return -errno;
        head[k] = 0;
        if (k < 3 || head[0] != '#' || head[1] != '!')
                return 0;
        const char *s = head + 2;
        s += strspn(s, " \t");
        size_t len = strcspn(s, " \t\n");
        if (len == 0 || len >= n || s[0] != '/')
                return 0;
        memcpy(buf, s, len);
        buf[len] = 0;
        return 0;
}

/* ---- the program ------------------------------------------------------- */

static int refuse(struct sbx_error **err, const char *what, const char *path, const char *via,
                  const struct denied *x, bool copy)
{
        const char *file = x->loc && x->loc->file ? x->loc->file : "[exec] deny";
        unsigned line = x->loc ? x->loc->line : 0;
        char where[PATH_MAX + 32];
        if (line)
                snprintf(where, sizeof(where), "%s:%u", file, line);
        else
                snprintf(where, sizeof(where), "%s", file);
        if (via && copy)
                return sbx_err_kind(err, SBX_ERROR_EXEC, -EACCES, NULL,
                                    "%s %s is run by %s, a copy of %s, which is denied by %s", what,
                                    path, via, x->inside, where);
        if (via)
                return sbx_err_kind(err, SBX_ERROR_EXEC, -EACCES, NULL,
                                    "%s %s is run by %s, which is denied by %s", what, path, via,
                                    where);
        if (copy)
                return sbx_err_kind(err, SBX_ERROR_EXEC, -EACCES, NULL,
                                    "%s %s is a copy of %s, which is denied by %s", what, path,
                                    x->inside, where);
        return sbx_err_kind(err, SBX_ERROR_EXEC, -EACCES, NULL, "%s %s is denied by %s", what, path,
                            where);
}

static int check_program(const struct sbx_policy *p, const struct plan *plan,
                         const struct deny_set *d, struct sbx_error **err)
{
        struct stat st = plan->host_exec_st;
        bool copy;
        const struct denied *x;

        if (!plan->host_exec_path)
                return 0; /* plan.c already refused a missing program */
        const char *real = plan->host_exec_path; /* canonical, stat()ed by plan.c */
        if ((x = denied_file(d, real, &st, true, &copy)))
                return refuse(err, "program", plan->exec_path, NULL, x, copy);
        /* A pattern can name the program even where nothing in the view
         * matched it (it is about to be bound there). */
        for (size_t i = 0; i < p->exec_deny.n; i++) {
                const char *pat = p->exec_deny.v[i];
                if (fnmatch(pat, plan->exec_path, FNM_PATHNAME) == 0 ||
                    (!path_has_glob(pat) && path_under(plan->exec_path, pat))) {
                        struct denied tmp = { .inside = (char *)pat, .loc = &p->exec_deny.loc[i] };
                        return refuse(err, "program", plan->exec_path, NULL, &tmp, false);
                }
        }

        char interp[PATH_MAX];
        if (shebang(real, interp, sizeof(interp)) < 0 || !interp[0])
                return 0;
        _cleanup_free_ char *canon = NULL, *host = NULL;
        char ireal[PATH_MAX];
        if (exec_view_resolve(plan, interp, true, &canon, &host) < 0 || !host ||
            !realpath(host, ireal) || stat(ireal, &st) < 0)
                return 0; /* not in the view: the kernel will refuse it */
        if ((x = denied_file(d, ireal, &st, true, &copy)))
                return refuse(err, "program", plan->exec_path, interp, x, copy);
        return 0;
}

/* ---- pinned files ------------------------------------------------------ */

static int open_pinned(const char *host)
{
        struct open_how how = { .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
                                .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
        int fd = (int)syscall(SYS_openat2, AT_FDCWD, host, &how, sizeof(how));
        if (fd < 0 && errno == ENOSYS)
                fd = open(host, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
        return fd < 0 ? -errno : fd;
}

static int pin_one(const struct exec_hash *h, struct plan *plan, const struct deny_set *d,
                   struct sbx_error **err)
{
        const char *file = h->loc.file ? h->loc.file : "[exec] allow-hash";
        unsigned line = h->loc.line;
        _cleanup_free_ char *canon = NULL, *host = NULL;
        char real[PATH_MAX];
        int r;

        r = exec_view_resolve(plan, h->path, true, &canon, &host);
        bool is_program = plan->exec_path &&
                          (strcmp(h->path, plan->exec_path) == 0 ||
                           (canon && strcmp(canon, plan->exec_path) == 0));
        if (r < 0 || !host || !realpath(host, real)) {
                if (is_program)
                        return sbx_err_kind(err, SBX_ERROR_EXEC, r < 0 ? r : -ENOENT, NULL,
                                            "pinned program %s (%s:%u) is not in the sandbox view",
                                            h->path, file, line);
                return plan_warn(plan, "%s:%u: pinned %s is not in the sandbox view; ignored", file,
                                 line, h->path);
        }

        _cleanup_close_ int fd = open_pinned(real);
        if (fd < 0)
                return sbx_err_kind(err, SBX_ERROR_EXEC, fd, NULL, "pinned %s (%s:%u): %s", h->path,
                                    file, line, strerror(-fd));
        struct stat st;
        if (fstat(fd, &st) < 0)
                return sbx_err_kind(err, SBX_ERROR_EXEC, -errno, NULL, "pinned %s: fstat", h->path);
        if (!S_ISREG(st.st_mode))
                return sbx_err_kind(err, SBX_ERROR_EXEC, -EINVAL, NULL,
                                    "pinned %s (%s:%u) is not a regular file", h->path, file, line);
        /* The check binds the inode, not its content: whoever may write the
         * file (its non-root owner can always chmod it) could change it
         * between the check and the exec. */
        if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
                return sbx_err_kind(err, SBX_ERROR_EXEC, -EPERM, NULL,
                                    "refusing to pin %s (%s:%u): %s, who could change it after "
                                    "the check; pin a root-owned file that only root can write",
                                    h->path, file, line,
                                    st.st_uid != 0 ? "it is owned by a non-root user"
                                                   : "it is group- or world-writable");
        bool copy;
        const struct denied *x = denied_file(d, real, &st, false, &copy);
        if (x)
                return refuse(err, "pinned file", h->path, NULL, x, false);

        uint8_t digest[32];
        char hex[65];
        if ((r = sha256_fd(fd, digest)) < 0)
                return sbx_err_kind(err, SBX_ERROR_EXEC, r, NULL, "pinned %s: reading: %s", h->path,
                                    strerror(-r));
        sha256_hex(digest, hex);
        if (strcasecmp(hex, h->hex) != 0)
                return sbx_err_kind(err, SBX_ERROR_EXEC, -EACCES, NULL,
                                    "SHA-256 mismatch for %s (pinned at %s:%u): expected %s, "
                                    "actual %s; refusing to start",
                                    h->path, file, line, h->hex, hex);

        const char *src = plan_own(plan, strdup(real));
        const char *dst = plan_own(plan, TAKE_PTR(canon));
        if (!src || !dst)
                return -ENOMEM;
        struct plan_mount m = { .kind = PM_BIND, .src = src, .src_fd = fd, .pinned = true, .dst = dst,
                                .src_dev = st.st_dev, .src_ino = st.st_ino,
                                .readonly = true, .loc = &h->loc };
        if ((r = plan_add_mount(plan, &m)) < 0)
                return r;
        TAKE_FD(fd); /* plan_done() closes it */
        return 0;
}

/* ---- masks ------------------------------------------------------------- */

static bool masked_at(const struct plan *plan, const char *inside)
{
        for (size_t i = 0; i < plan->nmounts; i++)
                if (plan->mounts[i].kind == PM_MASK && strcmp(plan->mounts[i].dst, inside) == 0)
                        return true;
        return false;
}

/* Hide every place in the view where a denied host file shows: the same
 * host tree may be bound more than once. */
static int add_masks(struct plan *plan, const struct deny_set *d)
{
        size_t nbinds = plan->nmounts;
        char **real = calloc(nbinds + 1, sizeof(char *));
        int r = 0;

        if (!real)
                return -ENOMEM;
        for (size_t i = 0; i < nbinds; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                char buf[PATH_MAX];
                if (m->kind != PM_BIND || !m->src || m->pinned)
                        continue;
                /* A source the parent opened carries its canonical path
                 * already (read back from the fd, resolve.c). */
                if (m->src_fd >= 0) {
                        if (!(real[i] = strdup(m->src)))
                                r = -ENOMEM;
                } else if (exec_fs_realpath(plan->exec_fs, m->src, 0, buf) >= 0 && !(real[i] = strdup(buf)))
                        r = -ENOMEM;
        }
        for (size_t k = 0; r >= 0 && k < d->n; k++) {
                const struct denied *x = &d->v[k];
                for (size_t i = 0; r >= 0 && i < nbinds; i++) {
                        if (!real[i])
                                continue;
                        const char *rest = path_under(x->host, real[i]);
                        if (!rest)
                                continue;
                        char inside[PATH_MAX];
                        const char *dst = plan->mounts[i].dst;
                        int n = snprintf(inside, sizeof(inside), "%s%s",
                                         strcmp(dst, "/") == 0 && *rest ? "" : dst, rest);
                        if (n < 0 || (size_t)n >= sizeof(inside))
                                continue;
                        /* Shown there only when no deeper mount covers it. */
                        if (plan_mount_covering(plan, inside) != &plan->mounts[i] ||
                            masked_at(plan, inside))
                                continue;
                        char *dup = plan_own(plan, strdup(inside));
                        if (!dup) {
                                r = -ENOMEM;
                                break;
                        }
                        struct plan_mount m = { .kind = PM_MASK, .src_fd = -1, .dst = dup,
                                                .src_is_dir = S_ISDIR(x->st.st_mode),
                                                .readonly = true, .noexec = true, .optional = true,
                                                .loc = x->loc };
                        r = plan_add_mount(plan, &m);
                }
                /* Another name for the same inode stays readable. */
                if (r >= 0 && S_ISREG(x->st.st_mode) && x->st.st_nlink > 1) {
                        nlink_t seen = 0;
                        bool first = true;
                        for (size_t j = 0; j < d->n; j++)
                                if (d->v[j].st.st_dev == x->st.st_dev &&
                                    d->v[j].st.st_ino == x->st.st_ino) {
                                        seen++;
                                        first = first && j >= k;
                                }
                        if (first && seen < x->st.st_nlink)
                                r = plan_warn(plan,
                                              "%s:%u: %s has %ju more hard link(s) that [exec] deny "
                                              "does not name; through those names it stays readable, "
                                              "and loadable by an allowed dynamic loader",
                                              x->loc && x->loc->file ? x->loc->file : "[exec]",
                                              x->loc ? x->loc->line : 0, x->inside,
                                              (uintmax_t)(x->st.st_nlink - seen));
                }
        }
        for (size_t i = 0; i < nbinds; i++)
                free(real[i]);
        free(real);
        return r;
}

int exec_prepare(const struct sbx_policy *p, struct plan *plan, struct sbx_error **err)
{
        struct deny_set d = { 0 };
        int r = 0;

        /* Kept for exec_allowed_paths(); plan_build() drops it. */
        if (!plan->exec_fs && (r = exec_fs_new(&plan->exec_fs)) < 0)
                return r;
        r = deny_set_build(p, plan, plan->exec_fs, &d, err);

        if (r >= 0)
                r = check_program(p, plan, &d, err);
        for (size_t i = 0; r >= 0 && i < p->exec_hashes.n; i++)
                r = pin_one(&p->exec_hashes.v[i], plan, &d, err);
        if (r >= 0 && exec_view_is_private(plan) && (r = add_masks(plan, &d)) < 0)
                sbx_err_setup(err, r, "exec", "masking denied files");
        deny_set_done(&d);
        return r;
}

/* ---- what Landlock lets execute ---------------------------------------- */

int exec_elf_interp(int fd, char *buf, size_t n)
{
        unsigned char head[1024];
        ssize_t k = pread(fd, head, sizeof(head), 0);
        if (k < 0)
                return -errno;
        if ((size_t)k < sizeof(Elf32_Ehdr) || memcmp(head, ELFMAG, SELFMAG) != 0 ||
            head[EI_DATA] != ELFDATA2LSB)
                return 0;
        uint64_t phoff, off = 0, size = 0;
        size_t phnum, phent;
        if (head[EI_CLASS] == ELFCLASS64 && (size_t)k >= sizeof(Elf64_Ehdr)) {
                Elf64_Ehdr e;
                memcpy(&e, head, sizeof(e));
                phoff = e.e_phoff, phnum = e.e_phnum, phent = e.e_phentsize;
                if (phent != sizeof(Elf64_Phdr))
                        return 0;
        } else if (head[EI_CLASS] == ELFCLASS32) {
                Elf32_Ehdr e;
                memcpy(&e, head, sizeof(e));
                phoff = e.e_phoff, phnum = e.e_phnum, phent = e.e_phentsize;
                if (phent != sizeof(Elf32_Phdr))
                        return 0;
        } else
                return 0;
        if (phnum > 512)
                return 0;
        bool found = false;
        for (size_t i = 0; i < phnum && !found; i++) {
                unsigned char ph[sizeof(Elf64_Phdr)];
                uint64_t at = phoff + i * phent;
                if (at + phent <= (uint64_t)k)
                        memcpy(ph, head + at, phent);
                else if (pread(fd, ph, phent, (off_t)at) != (ssize_t)phent)
                        return 0;
                if (head[EI_CLASS] == ELFCLASS64) {
                        Elf64_Phdr p;
                        memcpy(&p, ph, sizeof(p));
                        if (p.p_type == PT_INTERP)
                                found = true, off = p.p_offset, size = p.p_filesz;
                } else {
                        Elf32_Phdr p;
                        memcpy(&p, ph, sizeof(p));
                        if (p.p_type == PT_INTERP)
                                found = true, off = p.p_offset, size = p.p_filesz;
                }
        }
        if (!found || size < 2 || size > n)
                return 0;
        if (off + size <= (uint64_t)k)
                memcpy(buf, head + off, size);
        else if (pread(fd, buf, size, (off_t)off) != (ssize_t)size)
                return 0;
        if (buf[size - 1] != 0 || buf[0] != '/' || strlen(buf) != size - 1)
                return 0;
        return 1;
}

/* The loaders a dynamic program of this architecture names in PT_INTERP.
 * An allowed directory grants EXECUTE on them (the kernel opens the
 * interpreter with exec intent) without reading any file beneath it; a
 * program with another interpreter fails to execute (fail closed) until
 * that interpreter is listed in [exec] allow. */
static const char *const system_loaders[] = {
#if defined(__x86_64__)
        "/lib64/ld-linux-x86-64.so.2",
        "/lib/ld-musl-x86_64.so.1",
#elif defined(__aarch64__)
        "/lib/ld-linux-aarch64.so.1",
        "/lib/ld-musl-aarch64.so.1",
#endif
};

struct allowed {
        const struct plan *plan;
        struct exec_strv out;     /* inside paths granted EXECUTE */
        struct exec_strv interps; /* ELF interpreters already seen */
        struct deny_set deny; /* only without a private view (no masks) */
        bool loaders_added;
        struct exec_fs *fs;
};

static bool is_denied_inside(struct allowed *a, const char *canon, const char *host)
{
        const struct plan *plan = a->plan;
        for (size_t i = 0; i < plan->nmounts; i++)
                if (plan->mounts[i].kind == PM_MASK && path_under(canon, plan->mounts[i].dst))
                        return true;
        if (!host || a->deny.n == 0)
                return false;
        struct stat st;
        bool copy;
        return stat(host, &st) >= 0 && denied_file(&a->deny, host, &st, false, &copy);
}

static int add_exec(struct allowed *a, const char *inside, bool follow_interp);

/* Returns 1 when fd is a dynamic ELF file (its interpreter then added). */
static int add_interp_of(struct allowed *a, int fd)
{
        char interp[PATH_MAX];
        int r = exec_elf_interp(fd, interp, sizeof(interp));
        if (r <= 0)
                return 0;
        if (exec_strv_has(&a->interps, interp))
                return 1;
        if ((r = exec_strv_take(&a->interps, strdup(interp))) < 0 || (r = add_exec(a, interp, false)) < 0)
                return r;
        return 1;
}

/* canon: a canonical inside path; host: the host file behind it or NULL. */
static int add_exec_at(struct allowed *a, const char *canon, const char *host, bool follow_interp)
{
        if (is_denied_inside(a, canon, host))
                return 0;
        int r = exec_strv_add(&a->out, canon);
        if (r < 0 || !follow_interp || !host)
                return r;
        struct stat st;
        int fd = exec_fs_open(a->fs, host, O_RDONLY | O_NOCTTY | O_NONBLOCK, &st);
        if (fd < 0)
                return fd == -ENOMEM ? fd : 0;
        if (S_ISREG(st.st_mode))
                r = add_interp_of(a, fd);
        close(fd);
        return r < 0 ? r : 0;
}

static int add_exec(struct allowed *a, const char *inside, bool follow_interp)
{
        _cleanup_free_ char *canon = NULL, *host = NULL;
        int r = exec_view_resolve_fs(a->plan, a->fs, inside, true, &canon, &host);
        if (r < 0)
                return r == -ENOMEM ? r : 0; /* not in the view: nothing to grant */
        return add_exec_at(a, canon, host, follow_interp);
}

/* An allowed directory: one rule for everything beneath it.  Landlock
 * checks EXECUTE on the file a symlink finally resolves to, so a link that
 * leaves the directory (/usr/bin/x-www-browser -> /usr/lib/firefox-esr/…)
 * works only when its target is allowed too: the profile lists it.  Nothing
 * beneath the directory is read. */
static int add_exec_dir(struct allowed *a, const char *canon)
{
        int r = exec_strv_add(&a->out, canon);
        if (r < 0 || a->loaders_added)
                return r;
        a->loaders_added = true;
        for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(system_loaders); i++)
                if (!exec_strv_has(&a->interps, system_loaders[i]) &&
                    (r = exec_strv_take(&a->interps, strdup(system_loaders[i]))) >= 0)
                        r = add_exec(a, system_loaders[i], false);
        return r;
}

/* The allow-list's part of exec_allowed_paths: everything that depends only
 * on the view and the filesystem. */
static int allow_list(const struct sbx_policy *p, struct allowed *a)
{
        int r = 0;
        for (size_t i = 0; r >= 0 && i < p->exec_allow.n; i++) {
                struct exec_strv m = { 0 };
                r = exec_view_expand(a->plan, a->fs, p->exec_allow.v[i], &m);
                for (size_t j = 0; r >= 0 && j < m.n; j++) {
                        _cleanup_free_ char *canon = NULL, *host = NULL;
                        struct stat st;
                        int k = exec_view_resolve_fs(a->plan, a->fs, m.v[j], true, &canon, &host);
                        if (k < 0 || is_denied_inside(a, canon, host)) {
                                r = k == -ENOMEM ? k : 0;
                                continue;
                        }
                        /* Not host-backed: a mount point or a directory on the
                         * way to one. */
                        bool dir = !host;
                        if (host && (k = exec_fs_stat(a->fs, host, &st)) == -ENOMEM)
                                r = k;
                        else if (host)
                                dir = k >= 0 && S_ISDIR(st.st_mode);
                        if (r >= 0)
                                r = dir ? add_exec_dir(a, canon) : add_exec(a, canon, true);
                }
                exec_strv_done(&m);
        }
        return r;
}

int exec_allowed_paths(const struct sbx_policy *p, const struct plan *plan, char ***ret)
{
        _cleanup_free_ struct allowed *a = calloc(1, sizeof(*a));
        if (!a)
                return -ENOMEM;
        a->plan = plan;
        int r = 0;

        *ret = NULL;
        _cleanup_(exec_fs_freep) struct exec_fs *own = NULL;
        if (!(a->fs = exec_view_fs(plan, &own)))
                return -ENOMEM;
        if (!exec_view_is_private(plan))
                r = deny_set_build(p, plan, a->fs, &a->deny, NULL);
        if (r >= 0)
                r = allow_list(p, a);
        for (size_t i = 0; r >= 0 && i < p->exec_hashes.n; i++)
                r = add_exec(a, p->exec_hashes.v[i].path, true);
        if (r >= 0 && plan->exec_path) {
                r = add_exec(a, plan->exec_path, true);
                char interp[PATH_MAX];
                if (r >= 0 && plan->host_exec_path &&
                    shebang(plan->host_exec_path, interp, sizeof(interp)) >= 0 && interp[0])
                        r = add_exec(a, interp, true);
        }
        deny_set_done(&a->deny);
        exec_strv_done(&a->interps);
        if (r < 0) {
                exec_strv_done(&a->out);
                return r;
        }
        if (!a->out.v) {
                a->out.v = calloc(1, sizeof(char *));
                if (!a->out.v)
                        return -ENOMEM;
        }
        *ret = a->out.v;
        return 0;
}

/* ---- explaining a refused exec (child side) ---------------------------- */

static size_t put(char *buf, size_t n, size_t at, const char *s)
{
        while (s && *s && at + 1 < n)
                buf[at++] = *s++;
        if (n)
                buf[at < n ? at : n - 1] = 0;
        return at;
}

static size_t put_uint(char *buf, size_t n, size_t at, unsigned v)
{
        char d[12];
        size_t k = sizeof(d) - 1;
        d[k] = 0;
        do
                d[--k] = (char)('0' + v % 10);
        while ((v /= 10) && k > 0);
        return put(buf, n, at, d + k);
}

static size_t put_loc(char *buf, size_t n, size_t at, const struct sbx_loc *loc)
{
        if (!loc || !loc->file)
                return put(buf, n, at, "the profile");
        at = put(buf, n, at, loc->file);
        at = put(buf, n, at, ":");
        return put_uint(buf, n, at, loc->line);
}

int exec_explain(const struct plan *plan, const char *path, char *buf, size_t n, char *ovr, size_t on)
{
        const struct plan_mount *cover = NULL;
        size_t best = 0, at = 0;
        const struct sbx_policy *p = plan->policy;

        if (on)
                ovr[0] = '\0';
        if (!path || path[0] != '/')
                return 0;
        for (size_t i = 0; i < plan->nmounts; i++) {
                const struct plan_mount *m = &plan->mounts[i];
                if (m->kind == PM_MASK && path_under(path, m->dst)) {
                        at = put(buf, n, 0, path);
                        at = put(buf, n, at, " is denied by ");
                        put_loc(buf, n, at, m->loc);
                        /* The deny entry of that line, removed. */
                        for (size_t k = 0; p && k < p->exec_deny.n; k++)
                                if (&p->exec_deny.loc[k] == m->loc ||
                                    (m->loc && p->exec_deny.loc[k].file == m->loc->file &&
                                     p->exec_deny.loc[k].line == m->loc->line)) {
                                        at = put(ovr, on, 0, "--set exec.deny=!");
                                        put(ovr, on, at, p->exec_deny.v[k]);
                                        break;
                                }
                        return 1;
                }
                if (m->kind != PM_SYMLINK && m->kind != PM_DIR && path_under(path, m->dst) &&
                    strlen(m->dst) >= best) {
                        cover = m;
                        best = strlen(m->dst);
                }
        }
        if (cover && cover->noexec) {
                at = put(buf, n, 0, path);
                put(buf, n, at, " is on a writable (noexec) mount: [exec] writable-exec = no");
                put(ovr, on, 0, "--set exec.writable-exec=yes");
                return 1;
        }
        const struct landlock_plan *lp = &plan->landlock;
        if (!lp->enabled)
                return 0;
        for (size_t i = 0; i < lp->nrules; i++)
                if ((lp->rules[i].access & 1 /* LANDLOCK_ACCESS_FS_EXECUTE */) &&
                    path_under(path, lp->rules[i].path))
                        return 0;
        at = put(buf, n, 0, path);
        at = put(buf, n, at, " is not in [exec] allow");
        if (p && p->exec_allow.n > 0) {
                at = put(buf, n, at, " (");
                at = put_loc(buf, n, at, &p->exec_allow.loc[p->exec_allow.n - 1]);
                put(buf, n, at, ")");
        }
        at = put(ovr, on, 0, "--set exec.allow=");
        put(ovr, on, at, path);
        return 1;
}
