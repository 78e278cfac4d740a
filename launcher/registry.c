/* registry.c — the names of running sandboxes, for `sbx ps`, `stop` and
 * `enter`: one small file per name in a directory no sandbox can write
 * ($XDG_RUNTIME_DIR/sbx or /run/user/UID/sbx, which libsbx protects as
 * sbx's own state under any writable bind; else inside sbx's configuration
 * directory, protected the same way).
 *
 * An entry is only a claim.  Before anything acts on it, it is checked
 * against the live processes (registry_verify): the `sbx run` process and
 * the sandbox's init are opened as pidfds, their start times must be the
 * recorded ones, init's parent must be that `sbx run`, and the fd recorded
 * as the sandbox's door must be, in that process, the socket with the
 * recorded inode (copied out with pidfd_getfd, which the kernel allows
 * only to whoever may ptrace `sbx run`).  Only then is the pidfd used, and
 * a pidfd keeps meaning the process it was opened for even when its
 * number is reused: a stale entry (the pid reused by another process) or
 * a forged one never lets `stop` or `enter` reach another process. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "registry.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

bool registry_name_valid(const char *name)
{
        size_t n = strlen(name);
        if (n == 0 || n > REGISTRY_NAME_MAX || !(isalnum((unsigned char)name[0]) || name[0] == '_'))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!(isalnum((unsigned char)name[i]) || strchr("._-", name[i])))
                        return false;
        return true;
}

/* A directory we may keep the registry in: ours, not a symlink, private. */
static int open_private_dir(int at, const char *path, bool create)
{
        if (create && mkdirat(at, path, 0700) < 0 && errno != EEXIST)
                return -errno;
        int fd = openat(at, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 077)) {
                close(fd);
                return -EPERM;
        }
        return fd;
}

/* base/sbx under the runtime directory `base` when that is ours. */
static int runtime_candidate(const char *base, char *path, size_t n)
{
        if (!base || base[0] != '/')
                return -ENOENT;
        int b = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (b < 0)
                return -errno;
        struct stat st;
        int r = fstat(b, &st) < 0 ? -errno : st.st_uid != geteuid() || (st.st_mode & 022) ? -EPERM : 0;
        if (r >= 0)
                r = open_private_dir(b, "sbx", true);
        close(b);
        if (r >= 0 && path && snprintf(path, n, "%s/sbx", base) >= (int)n) {
                close(r);
                r = -ENAMETOOLONG;
        }
        return r;
}

int registry_open(int *ret_dirfd, char *ret_path, size_t n, const char **why)
{
        char run[64];
        snprintf(run, sizeof(run), "/run/user/%u", (unsigned)geteuid());
        int fd = runtime_candidate(getenv("XDG_RUNTIME_DIR"), ret_path, n);
        if (fd < 0)
                fd = runtime_candidate(run, ret_path, n);
        if (fd >= 0) {
                *ret_dirfd = fd;
                return 0;
        }
        /* No runtime directory of ours: inside sbx's configuration. */
        const char *xc = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
        char conf[PATH_MAX];
        int k = xc && xc[0] == '/' ? snprintf(conf, sizeof(conf), "%s/sbx", xc)
                : home && home[0] == '/' ? snprintf(conf, sizeof(conf), "%s/.config/sbx", home)
                : -1;
        if (k < 0 || (size_t)k >= sizeof(conf) - 16) {
                *why = "no registry directory: set XDG_RUNTIME_DIR (or HOME)";
                return -ENOENT;
        }
        /* mkdir -p of the configuration directory below the home (or
         * below XDG_CONFIG_HOME's parent), which must exist and be ours: a
         * missing home is never made. */
        const char *top = xc && xc[0] == '/' ? xc : home;
        char topdir[PATH_MAX];
        snprintf(topdir, sizeof(topdir), "%s", top);
        if (top == xc) {
                char *slash = strrchr(topdir, '/');
                if (slash)
                        slash[slash == topdir] = 0;
        }
        struct stat hst;
        if (stat(topdir, &hst) < 0 || !S_ISDIR(hst.st_mode) || hst.st_uid != geteuid()) {
                *why = "no registry directory: no XDG_RUNTIME_DIR, and no home of the caller's to keep it in";
                return -ENOENT;
        }
        char part[PATH_MAX];
        for (size_t i = strlen(topdir) + 1; i <= strlen(conf) && conf[i - 1]; i++)
                if (conf[i] == '/' || conf[i] == 0) {
                        memcpy(part, conf, i);
                        part[i] = 0;
                        if (mkdir(part, 0700) < 0 && errno != EEXIST) {
                                *why = "cannot make sbx's configuration directory";
                                return -errno;
                        }
                }
        int c = open(conf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (c < 0) {
                *why = "cannot open sbx's configuration directory";
                return -errno;
        }
        fd = open_private_dir(c, "running", true);
        close(c);
        if (fd < 0) {
                *why = "the registry directory is not a private directory of the caller's";
                return fd;
        }
        if (ret_path && snprintf(ret_path, n, "%s/running", conf) >= (int)n) {
                close(fd);
                return -ENAMETOOLONG;
        }
        *ret_dirfd = fd;
        return 0;
}

int proc_start_time(pid_t pid, uint64_t *start, pid_t *ppid)
{
        char path[64], buf[1024];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        int e = errno;
        close(fd);
        if (n <= 0)
                return n < 0 ? -e : -ESRCH;
        buf[n] = 0;
        /* The command name may hold anything, ')' included: fields start
         * after the last one. */
        char *s = strrchr(buf, ')');
        if (!s)
                return -EIO;
        s += 2;
        /* field 3 is the state; ppid is 4, starttime 22 */
        unsigned long long v[20] = { 0 };
        char state;
        if (sscanf(s, "%c %llu", &state, &v[0]) != 2)
                return -EIO;
        for (int f = 3; f < 22; f++) {
                s = strchr(s, ' ');
                if (!s)
                        return -EIO;
                s++;
        }
        unsigned long long st;
        if (sscanf(s, "%llu", &st) != 1)
                return -EIO;
        if (start)
                *start = st;
        if (ppid)
                *ppid = (pid_t)v[0];
        return 0;
}

/* Values are written with \n, \\ escaped, so that any program path fits
 * on one line. */
static void put_str(FILE *f, const char *key, const char *v)
{
        fprintf(f, "%s=", key);
        for (; *v; v++) {
                if (*v == '\n')
                        fputs("\\n", f);
                else if (*v == '\\')
                        fputs("\\\\", f);
                else
                        fputc(*v, f);
        }
        fputc('\n', f);
}

static void get_str(char *dst, size_t n, const char *v)
{
        size_t k = 0;
        for (; *v && k + 1 < n; v++) {
                if (*v == '\\' && v[1] == 'n') {
                        dst[k++] = '\n';
                        v++;
                } else if (*v == '\\' && v[1] == '\\') {
                        dst[k++] = '\\';
                        v++;
                } else {
                        dst[k++] = *v;
                }
        }
        dst[k] = 0;
}

static int get_num(const char *v, int64_t min, int64_t max, int64_t *ret)
{
        char *end;
        errno = 0;
        long long x = strtoll(v, &end, 10);
        if (errno || end == v || *end || x < min || x > max)
                return -EINVAL;
        *ret = x;
        return 0;
}

int registry_read(int dirfd, const char *name, struct reg_entry *e)
{
        if (!registry_name_valid(name))
                return -EINVAL;
        int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022) ||
            st.st_nlink != 1 || st.st_size > 8192) {
                close(fd);
                return -EPERM;
        }
        FILE *f = fdopen(fd, "r");
        if (!f) {
                close(fd);
                return -ENOMEM;
        }
        memset(e, 0, sizeof(*e));
        e->door_fd = -1;
        snprintf(e->name, sizeof(e->name), "%s", name);
        char line[2048];
        unsigned seen = 0;
        int r = 0;
        while (r == 0 && fgets(line, sizeof(line), f)) {
                line[strcspn(line, "\n")] = 0;
                char *eq = strchr(line, '=');
                if (!eq) {
                        r = -EINVAL;
                        break;
                }
                *eq = 0;
                const char *k = line, *v = eq + 1;
                int64_t x = 0;
                if (!strcmp(k, "pid") && !(r = get_num(v, 1, INT_MAX, &x)))
                        e->pid = (pid_t)x, seen |= 1;
                else if (!strcmp(k, "start") && !(r = get_num(v, 0, INT64_MAX, &x)))
                        e->start = (uint64_t)x, seen |= 2;
                else if (!strcmp(k, "init") && !(r = get_num(v, 0, INT_MAX, &x)))
                        e->init = (pid_t)x, seen |= 4;
                else if (!strcmp(k, "init_start") && !(r = get_num(v, 0, INT64_MAX, &x)))
                        e->init_start = (uint64_t)x, seen |= 8;
                else if (!strcmp(k, "door_fd") && !(r = get_num(v, -1, INT_MAX, &x)))
                        e->door_fd = (int)x, seen |= 16;
                else if (!strcmp(k, "door_ino") && !(r = get_num(v, 0, INT64_MAX, &x)))
                        e->door_ino = (uint64_t)x;
                else if (!strcmp(k, "started") && !(r = get_num(v, 0, INT64_MAX, &x)))
                        e->started = x;
                else if (!strcmp(k, "profile"))
                        get_str(e->profile, sizeof(e->profile), v);
                else if (!strcmp(k, "program"))
                        get_str(e->program, sizeof(e->program), v);
                else if (!strcmp(k, "version") && strcmp(v, "1") != 0)
                        r = -EPROTO;
        }
        fclose(f);
        if (r == 0 && seen != 31)
                r = -EINVAL;
        return r;
}

static int write_entry(int fd, const struct reg_entry *e)
{
        int d = dup(fd);
        FILE *f = d >= 0 ? fdopen(d, "w") : NULL;
        if (!f) {
                if (d >= 0)
                        close(d);
                return -ENOMEM;
        }
        fprintf(f, "version=1\npid=%d\nstart=%" PRIu64 "\ninit=%d\ninit_start=%" PRIu64
                   "\ndoor_fd=%d\ndoor_ino=%" PRIu64 "\nstarted=%" PRId64 "\n",
                (int)e->pid, e->start, (int)e->init, e->init_start, e->door_fd, e->door_ino, e->started);
        put_str(f, "profile", e->profile);
        put_str(f, "program", e->program);
        return fclose(f) == 0 ? 0 : -EIO;
}

/* The process the entry names (pid and start time) is alive. */
static bool entry_alive(const struct reg_entry *e);

/* e written to a private temporary file beside its name (tmp). */
static int write_tmp(int dirfd, const struct reg_entry *e, char *tmp, size_t n)
{
        snprintf(tmp, n, ".%s.%d.tmp", e->name, (int)getpid());
        (void)unlinkat(dirfd, tmp, 0);
        int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        int r = write_entry(fd, e);
        close(fd);
        if (r < 0)
                (void)unlinkat(dirfd, tmp, 0);
        return r;
}

int registry_add(int dirfd, const struct reg_entry *e)
{
        char tmp[REGISTRY_NAME_MAX + 48];
        int r = write_tmp(dirfd, e, tmp, sizeof(tmp));
        if (r < 0)
                return r;
        for (int tries = 0; r == 0 && tries < 3; tries++) {
                if (linkat(dirfd, tmp, dirfd, e->name, 0) == 0)
                        break;
                if (errno != EEXIST) {
                        r = -errno;
                        break;
                }
                /* Taken: by a live sandbox, or left by one that was killed. */
                struct reg_entry old;
                if (registry_read(dirfd, e->name, &old) == 0 && entry_alive(&old)) {
                        r = -EEXIST;
                        break;
                }
                if (renameat(dirfd, tmp, dirfd, e->name) == 0)
                        return 0;
                r = -errno;
        }
        (void)unlinkat(dirfd, tmp, 0);
        return r;
}

int registry_update(int dirfd, const struct reg_entry *e)
{
        char tmp[REGISTRY_NAME_MAX + 48];
        int r = write_tmp(dirfd, e, tmp, sizeof(tmp));
        if (r == 0 && renameat(dirfd, tmp, dirfd, e->name) < 0) {
                r = -errno;
                (void)unlinkat(dirfd, tmp, 0);
        }
        return r;
}

void registry_remove(int dirfd, const char *name, pid_t pid, uint64_t start)
{
        struct reg_entry e;
        if (registry_read(dirfd, name, &e) == 0 && e.pid == pid && e.start == start)
                (void)unlinkat(dirfd, name, 0);
}

void registry_live_close(struct reg_live *live)
{
        if (live->pidfd >= 0)
                close(live->pidfd);
        if (live->init_pidfd >= 0)
                close(live->init_pidfd);
        if (live->door >= 0)
                close(live->door);
        live->pidfd = live->init_pidfd = live->door = -1;
}

/* pidfd of pid if its start time is `start`: opened first, checked after,
 * and alive after the check (so the number was not reused meanwhile). */
static int open_checked(pid_t pid, uint64_t start, pid_t want_ppid)
{
        int fd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (fd < 0)
                return -errno;
        uint64_t st;
        pid_t ppid;
        int r = proc_start_time(pid, &st, &ppid);
        if (r < 0 || st != start)
                r = -ESRCH;
        else if (want_ppid > 0 && ppid != want_ppid)
                r = -EPERM;
        else if (syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0) < 0)
                r = -ESRCH;
        if (r < 0) {
                close(fd);
                return r;
        }
        return fd;
}

static bool entry_alive(const struct reg_entry *e)
{
        int fd = open_checked(e->pid, e->start, 0);
        if (fd < 0)
                return false;
        close(fd);
        return true;
}

int registry_verify(const struct reg_entry *e, bool want_door, struct reg_live *live, const char **why)
{
        live->pidfd = live->init_pidfd = live->door = -1;
        int r = open_checked(e->pid, e->start, 0);
        if (r < 0) {
                *why = "no such sandbox is running (its sbx ended; the entry is stale)";
                return -ESRCH;
        }
        live->pidfd = r;
        if (e->init == 0) {
                /* Claimed by an sbx run that has not started its sandbox yet. */
                *why = "the sandbox is still starting (or failed to start)";
                registry_live_close(live);
                return -EAGAIN;
        }
        r = open_checked(e->init, e->init_start, e->pid);
        if (r < 0) {
                *why = r == -EPERM ? "the entry's init is not a child of its sbx (forged entry)"
                                   : "the sandbox's init is gone (the entry is stale)";
                registry_live_close(live);
                return r;
        }
        live->init_pidfd = r;
        /* The door's socket, copied out of `sbx run`: it must be the one
         * recorded.  Without ptrace rights over that process (another
         * user's, or Yama's ptrace_scope), this fails. */
        int d = e->door_fd >= 0 ? (int)syscall(SYS_pidfd_getfd, live->pidfd, e->door_fd, 0) : -1;
        struct stat st;
        int type = 0;
        socklen_t tl = sizeof(type);
        if (d < 0) {
                int err = errno;
                *why = e->door_fd < 0 ? "the sandbox has no door"
                       : err == EPERM ? "not allowed to reach that sbx process (another user's, or "
                                        "kernel.yama.ptrace_scope >= 1)"
                                      : "the entry's door is not open in its sbx (forged entry)";
                registry_live_close(live);
                return e->door_fd < 0 ? -ENOTSUP : -(err == EPERM ? EACCES : EPERM);
        }
        if (fstat(d, &st) < 0 || !S_ISSOCK(st.st_mode) || (uint64_t)st.st_ino != e->door_ino ||
            getsockopt(d, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 || type != SOCK_SEQPACKET) {
                close(d);
                *why = "the entry's door is not the sandbox's socket (forged entry)";
                registry_live_close(live);
                return -EPERM;
        }
        if (want_door)
                live->door = d;
        else
                close(d);
        /* Still both alive after all checks: the pidfds name them. */
        if (syscall(SYS_pidfd_send_signal, live->pidfd, 0, NULL, 0) < 0) {
                *why = "the sandbox ended";
                registry_live_close(live);
                return -ESRCH;
        }
        return 0;
}
