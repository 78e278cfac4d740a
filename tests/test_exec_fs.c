/* test_exec_fs.c — the exec module's view of the host filesystem
 * (exec_fs.c) and the exec cache (exec_cache.c): realpath through the memo
 * gives the kernel's answer, magic links are refused, a cached result is
 * given back only while every fingerprint in its record holds, and a
 * damaged, foreign or too recent file is never used. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec_cache.h"
#include "exec_fs.h"
#include "harness.h"
#include "plan.h"

static char *tmp;

static void setup(void)
{
        tmp = make_tmpdir();
        cr_assert(tmp);
}

static void teardown(void)
{
        if (tmp) {
                char cmd[PATH_MAX + 16];
                snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
                (void)!system(cmd);
                free(tmp);
                tmp = NULL;
        }
}

TestSuite(exec_fs, .init = setup, .fini = teardown);

static const char *at(const char *name)
{
        static char buf[4][PATH_MAX];
        static int k;
        char *b = buf[k++ % 4];
        snprintf(b, PATH_MAX, "%s/%s", tmp, name);
        return b;
}

/* What link_target() used to ask the kernel: where does `path` lead? */
static int kernel_target(const char *path, char *out)
{
        struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_NO_MAGICLINKS };
        int fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
        if (fd < 0)
                return -errno;
        char proc[64];
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        ssize_t k = readlink(proc, out, PATH_MAX - 1);
        close(fd);
        if (k < 0)
                return -errno;
        out[k] = 0;
        return 0;
}

static void same_as_kernel(struct exec_fs *fs, const char *path)
{
        char want[PATH_MAX], got[PATH_MAX];
        int kr = kernel_target(path, want);
        int r = exec_fs_realpath(fs, path, EXEC_FS_NO_PROC_LINKS, got);
        cr_assert_eq(r < 0, kr < 0, "%s: kernel %d (%s), exec_fs %d (%s)", path, kr,
                     kr < 0 ? "" : want, r, r < 0 ? "" : got);
        if (r >= 0)
                cr_assert_str_eq(got, want, "%s", path);
}

Test(exec_fs, realpath_matches_the_kernel_for_every_link_in_usr_bin)
{
        struct exec_fs *fs;
        cr_assert_eq(exec_fs_new(&fs), 0);
        DIR *d = opendir("/usr/bin");
        cr_assert(d);
        struct dirent *de;
        size_t n = 0;
        while ((de = readdir(d))) {
                if (de->d_type != DT_LNK)
                        continue;
                char path[PATH_MAX];
                snprintf(path, sizeof(path), "/usr/bin/%s", de->d_name);
                same_as_kernel(fs, path);
                n++;
        }
        closedir(d);
        exec_fs_free(fs);
        cr_log_info("%zu links compared", n);
}

Test(exec_fs, realpath_edge_cases)
{
        cr_assert_eq(mkdir(at("d"), 0755), 0);
        cr_assert_eq(mkdir(at("d/e"), 0755), 0);
        cr_assert_eq(write_file(at("d/e/f"), "x", 0644), 0);
        cr_assert_eq(symlink("../d/e/f", at("d/rel")), 0);      /* relative with .. */
        cr_assert_eq(symlink(at("d/rel"), at("abs")), 0);        /* absolute, to a link */
        cr_assert_eq(symlink("e/../e/./f", at("d/dots")), 0);
        cr_assert_eq(symlink("nowhere", at("dangling")), 0);
        cr_assert_eq(symlink("loop2", at("loop1")), 0);
        cr_assert_eq(symlink("loop1", at("loop2")), 0);
        cr_assert_eq(symlink("d/e/f/g", at("notdir")), 0);
        cr_assert_eq(symlink("d", at("dirlink")), 0);
        cr_assert_eq(symlink("/proc/self/exe", at("magic")), 0);
        cr_assert_eq(symlink("/proc/self/root/usr/bin/true", at("magic2")), 0);
        struct exec_fs *fs;
        cr_assert_eq(exec_fs_new(&fs), 0);
        const char *const cases[] = { "d/rel", "abs", "d/dots", "dangling", "loop1", "notdir",
                                      "dirlink/e/f", "dirlink/../d/e", "magic", "magic2" };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                same_as_kernel(fs, at(cases[i]));
        /* Without the flag: realpath(3), which follows magic links as text. */
        char want[PATH_MAX], got[PATH_MAX];
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *w = realpath(at(cases[i]), want);
                int r = exec_fs_realpath(fs, at(cases[i]), 0, got);
                cr_assert_eq(r < 0, w == NULL, "%s: realpath %s, exec_fs %d", cases[i], w ? w : "-", r);
                if (w)
                        cr_assert_str_eq(got, want);
                else
                        cr_assert_eq(r, -errno, "%s", cases[i]);
        }
        cr_assert_eq(exec_fs_realpath(fs, at("magic"), EXEC_FS_NO_PROC_LINKS, got), -ELOOP);
        exec_fs_free(fs);
}

/* ---- the cache ---------------------------------------------------------- */

static struct plan plan = { .clone_flags = CLONE_NEWNS };
static struct strlist patterns;
static char *pattern_v[1];

static void use_cache(void)
{
        char dir[PATH_MAX];
        snprintf(dir, sizeof(dir), "%s/cache", tmp);
        cr_assert_eq(setenv("XDG_CACHE_HOME", dir, 1), 0);
        pattern_v[0] = (char *)"/x/*";
        patterns = (struct strlist){ .v = pattern_v, .n = 1 };
}

/* A result computed from the directory `dir`: listed, and each name looked
 * up and its file stat()ed. */
static struct exec_fs *record_of(const char *dir)
{
        struct exec_fs *fs;
        const struct exec_fs_ent *ents;
        size_t n;
        cr_assert_eq(exec_fs_new(&fs), 0);
        exec_fs_record(fs, true);
        cr_assert_eq(exec_fs_list(fs, dir, &ents, &n), 0);
        for (size_t i = 0; i < n; i++) {
                char path[PATH_MAX];
                mode_t t;
                struct stat st;
                snprintf(path, sizeof(path), "%s/%s", dir, ents[i].name);
                cr_assert_eq(exec_fs_lstat(fs, path, &t), 0);
                cr_assert_eq(exec_fs_stat(fs, path, &st), 0);
        }
        return fs;
}

static void store(struct exec_cache_key *k, const char *dir, const char *payload, int want)
{
        struct exec_fs *fs = record_of(dir);
        struct exec_cache_buf b = { 0 };
        exec_cache_put_str(&b, payload);
        cr_assert_eq(exec_cache_store(k, fs, &b), want);
        exec_cache_buf_done(&b);
        exec_fs_free(fs);
}

static int load(const struct exec_cache_key *k, const char *want)
{
        struct exec_cache_buf b;
        int r = exec_cache_load(k, &b);
        if (r >= 0) {
                cr_assert_str_eq(exec_cache_get_str(&b), want);
                cr_assert(!b.bad && b.at == b.n);
                exec_cache_buf_done(&b);
        }
        return r;
}

/* tmp/NAME: a file `a` and a link `l` to it. */
static const char *make_tree(const char *name)
{
        static char dir[4][PATH_MAX];
        static int k;
        char *d = dir[k++ % 4], p[PATH_MAX + 8];
        snprintf(d, PATH_MAX, "%s/%s", tmp, name);
        cr_assert_eq(mkdir(d, 0755), 0);
        snprintf(p, sizeof(p), "%s/a", d);
        cr_assert_eq(write_file(p, "a", 0755), 0);
        snprintf(p, sizeof(p), "%s/l", d);
        cr_assert_eq(symlink("a", p), 0);
        return d;
}

/* The cache stores nothing whose record holds a time within two seconds of
 * the computation (exec_cache.c). */
static void let_times_settle(void) { usleep(2200 * 1000); }

Test(exec_fs, cache_holds_while_the_tree_does)
{
        use_cache();
        const char *tree = make_tree("tree");
        struct exec_cache_key k;
        cr_assert_eq(exec_cache_key(&k, "test", &patterns, &plan), 0);
        /* Too recent: a change in the same clock tick could go unseen. */
        store(&k, tree, "r1", -EAGAIN);
        cr_assert_eq(load(&k, "r1"), -ENOENT);
        let_times_settle();
        store(&k, tree, "r1", 0);
        cr_assert_eq(load(&k, "r1"), 0);
        cr_assert_eq(load(&k, "r1"), 0);

        /* Another key (another view, build or caller) is not this result. */
        struct exec_cache_key k2 = k;
        k2.key[0] ^= 1;
        cr_assert_eq(load(&k2, "r1"), -ESTALE);

        /* A name added, then removed again: stale either way. */
        cr_assert_eq(write_file(at("tree/b"), "b", 0755), 0);
        cr_assert_eq(load(&k, "r1"), -ESTALE);
        cr_assert_eq(unlink(at("tree/b")), 0);
        cr_assert_eq(load(&k, "r1"), -ESTALE);
}

Test(exec_fs, cache_notices_content_mode_and_link_changes)
{
        use_cache();
        const char *t[3] = { make_tree("t0"), make_tree("t1"), make_tree("t2") };
        const char *kinds[3] = { "content", "link", "mode" };
        struct exec_cache_key k[3];
        for (int i = 0; i < 3; i++)
                cr_assert_eq(exec_cache_key(&k[i], kinds[i], &patterns, &plan), 0);
        let_times_settle();
        for (int i = 0; i < 3; i++) {
                store(&k[i], t[i], kinds[i], 0);
                cr_assert_eq(load(&k[i], kinds[i]), 0);
        }
        /* Written in place: the directory does not change, the file does. */
        int fd = open(at("t0/a"), O_WRONLY | O_APPEND);
        cr_assert_geq(fd, 0);
        cr_assert_eq(write(fd, "x", 1), 1);
        close(fd);
        cr_assert_eq(load(&k[0], kinds[0]), -ESTALE);
        /* A link replaced by another to the same target. */
        cr_assert_eq(symlink("a", at("l2")), 0);
        cr_assert_eq(rename(at("l2"), at("t1/l")), 0);
        cr_assert_eq(load(&k[1], kinds[1]), -ESTALE);
        /* Who may search the directory. */
        cr_assert_eq(chmod(at("t2"), 0700), 0);
        cr_assert_eq(load(&k[2], kinds[2]), -ESTALE);
}

static char *cache_file_of(const struct exec_cache_key *k)
{
        char *p = NULL;
        cr_assert_geq(asprintf(&p, "%s/cache/sbx/exec/%s", tmp, k->name), 0);
        return p;
}

Test(exec_fs, damaged_or_foreign_cache_file_not_used)
{
        use_cache();
        const char *tree = make_tree("tree");
        struct exec_cache_key k;
        cr_assert_eq(exec_cache_key(&k, "test", &patterns, &plan), 0);
        let_times_settle();
        store(&k, tree, "r1", 0);
        cr_assert_eq(load(&k, "r1"), 0);
        char *f = cache_file_of(&k);
        struct stat st;
        cr_assert_eq(stat(f, &st), 0);
        cr_assert_eq(st.st_mode & 07777, 0600);

        /* The last byte flipped. */
        int fd = open(f, O_RDWR);
        cr_assert_geq(fd, 0);
        char c;
        cr_assert_eq(pread(fd, &c, 1, st.st_size - 1), 1);
        c ^= 0x20;
        cr_assert_eq(pwrite(fd, &c, 1, st.st_size - 1), 1);
        close(fd);
        cr_assert_eq(load(&k, "r1"), -EBADMSG);

        /* Writable by others: not trusted, whatever it says. */
        store(&k, tree, "r1", 0);
        cr_assert_eq(chmod(f, 0666), 0);
        cr_assert_eq(load(&k, "r1"), -EPERM);
        cr_assert_eq(chmod(f, 0600), 0);
        if (geteuid() == 0) {
                /* Someone else's file. */
                cr_assert_eq(chown(f, 65534, 65534), 0);
                cr_assert_eq(load(&k, "r1"), -EPERM);
                cr_assert_eq(chown(f, 0, 0), 0);
        }
        cr_assert_eq(load(&k, "r1"), 0);
        /* A symlink in its place is not followed. */
        cr_assert_eq(rename(f, at("elsewhere")), 0);
        cr_assert_eq(symlink(at("elsewhere"), f), 0);
        cr_assert_eq(load(&k, "r1"), -ELOOP);
        free(f);
}

Test(exec_fs, cache_off_by_environment)
{
        use_cache();
        struct exec_cache_key k;
        cr_assert_eq(setenv("SBX_NO_EXEC_CACHE", "1", 1), 0);
        cr_assert_eq(exec_cache_key(&k, "test", &patterns, &plan), -ECANCELED);
        cr_assert_eq(unsetenv("SBX_NO_EXEC_CACHE"), 0);
        cr_assert_eq(exec_cache_key(&k, "test", &patterns, &plan), 0);
}
