/* test_exec_fs.c — the exec module's view of the host filesystem
 * (exec_fs.c): realpath through the memo gives the kernel's answer, and
 * magic links are refused. */
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

#include "plan/exec_fs.h"
#include "harness.h"
#include "plan/plan.h"

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
