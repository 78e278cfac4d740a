/* test_dir_index.c — root's directory listings for later launches
 * (lib/plan/dir_index.c, used by lib/plan/exec_fs.c).
 *
 * A listing from the index must be exactly the directory's, must be used
 * only for the very directory state it recorded, and must be ignored when
 * anything but root could have written it.  Each refusal is shown to be
 * the check at work: the same forged entry, made trustworthy, is used. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "plan/dir_index.h"
#include "plan/exec_fs.h"
#include "harness.h"
#include "base/util.h"

static char dir[PATH_MAX], file[PATH_MAX];

static void setup(void)
{
        if (geteuid() != 0)
                return;
        snprintf(dir, sizeof(dir), "/var/tmp/sbx-index-XXXXXX");
        cr_assert(mkdtemp(dir));
        cr_assert_eq(chmod(dir, 0755), 0);
        static const char *const names[] = { "a", "b", "python3.11", "perl", "with space" };
        for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
                char p[PATH_MAX + 64];
                snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
                cr_assert_eq(write_file(p, "#!/bin/true\n", 0755), 0);
        }
        char sub[PATH_MAX + 8];
        snprintf(sub, sizeof(sub), "%s/sub", dir);
        cr_assert_eq(mkdir(sub, 0755), 0);
        dir_index_file(dir, file, sizeof(file));
}

static void teardown(void)
{
        if (geteuid() != 0 || !dir[0])
                return;
        char cmd[2 * PATH_MAX + 32];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", dir, file);
        cr_expect_eq(system(cmd), 0);
}

TestSuite(dir_index, .init = setup, .fini = teardown, .timeout = 60);

static void need_root(void)
{
        if (geteuid() != 0)
                cr_skip_test("writing the index needs real root (the unprivileged side runs in the "
                             "exec-run and layers suites, which read what root wrote)");
}

/* Until the directory has been unchanged for the settle time. */
static void settle(void)
{
        struct stat st;
        cr_assert_eq(stat(dir, &st), 0);
        for (;;) {
                struct timespec now;
                clock_gettime(CLOCK_REALTIME, &now);
                if (now.tv_sec - st.st_ctim.tv_sec >= DIR_INDEX_SETTLE_S + 1)
                        return;
                usleep(100 * 1000);
        }
}

/* Sorted "type:name" lines of a listing, for comparison. */
static int cmp(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *listing_of(struct exec_fs *fs, bool *from_index)
{
        const struct exec_fs_ent *e;
        size_t n;
        cr_assert_eq(exec_fs_list(fs, dir, &e, &n), 0);
        *from_index = exec_fs_from_index(fs, dir);
        char **v = calloc(n + 1, sizeof(*v));
        cr_assert(v);
        for (size_t i = 0; i < n; i++)
                cr_assert_geq(asprintf(&v[i], "%u:%s\n", e[i].type, e[i].name), 0);
        qsort(v, n, sizeof(*v), cmp);
        size_t len = 1;
        for (size_t i = 0; i < n; i++)
                len += strlen(v[i]);
        char *s = calloc(1, len);
        for (size_t i = 0; i < n; i++) {
                strcat(s, v[i]);
                free(v[i]);
        }
        free(v);
        return s;
}

static char *list(bool *from_index)
{
        struct exec_fs *fs = NULL;
        cr_assert_eq(exec_fs_new(&fs), 0);
        char *s = listing_of(fs, from_index);
        exec_fs_free(fs);
        return s;
}

/* The kernel's own listing, the same way. */
static char *truth(void)
{
        DIR *d = opendir(dir);
        cr_assert(d);
        char *s = calloc(1, 65536);
        char **v = calloc(256, sizeof(*v));
        size_t n = 0;
        struct dirent *de;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                        cr_assert_geq(asprintf(&v[n++], "%u:%s\n", de->d_type, de->d_name), 0);
        closedir(d);
        qsort(v, n, sizeof(*v), cmp);
        for (size_t i = 0; i < n; i++) {
                strcat(s, v[i]);
                free(v[i]);
        }
        free(v);
        return s;
}

/* Settled, listed once (root writes the entry), then listed from it. */
static void indexed(void)
{
        settle();
        bool idx;
        free(list(&idx));
        free(list(&idx));
        cr_assert(idx, "root's entry was not used");
}

Test(dir_index, written_by_root_then_used_while_unchanged)
{
        need_root();
        bool idx;
        /* Not settled yet: listed, nothing written. */
        char *a = list(&idx);
        cr_assert(!idx);
        cr_assert_neq(access(file, F_OK), 0, "an index entry for a directory changed just now");
        free(a);
        settle();
        a = list(&idx);
        cr_assert(!idx);
        struct stat st;
        cr_assert_eq(stat(file, &st), 0, "root's listing of a settled directory was not kept");
        cr_assert_eq(st.st_uid, 0);
        cr_assert_eq(st.st_mode & 07777, 0644);
        char *b = list(&idx);
        cr_assert(idx, "the index was not used");
        char *t = truth();
        cr_assert_str_eq(b, t);
        cr_assert_str_eq(a, t);
        free(a), free(b), free(t);
}

Test(dir_index, a_changed_directory_is_listed_again)
{
        need_root();
        indexed();
        bool idx;
        /* A new file (a denied interpreter installed later)... */
        char p[PATH_MAX + 16];
        snprintf(p, sizeof(p), "%s/python3", dir);
        cr_assert_eq(write_file(p, "x", 0755), 0);
        char *b = list(&idx);
        cr_assert(!idx, "a stale index entry was used");
        cr_assert(strstr(b, ":python3\n"), "%s", b);
        free(b);
        /* ...and a removal and a rename. */
        cr_assert_eq(unlink(p), 0);
        char q[PATH_MAX + 16];
        snprintf(p, sizeof(p), "%s/perl", dir);
        snprintf(q, sizeof(q), "%s/perl5", dir);
        cr_assert_eq(rename(p, q), 0);
        b = list(&idx);
        cr_assert(!idx);
        cr_assert(strstr(b, ":perl5\n") && !strstr(b, ":perl\n"), "%s", b);
        free(b);
}

/* Replace the entry's listing by one without "python3.11", keeping a valid
 * header for the directory's current state. */
static void forge(uid_t owner, mode_t mode)
{
        struct stat st;
        cr_assert_eq(stat(dir, &st), 0);
        struct dir_listing l = { 0 };
        cr_assert_eq(dir_index_read(dir, &st, &l), 0, "no genuine entry to start from");
        char *blob = malloc(l.size);
        size_t used = 0, n = 0;
        for (size_t off = 0; off < l.size;) {
                size_t len = 1 + strlen(l.blob + off + 1) + 1;
                if (strcmp(l.blob + off + 1, "python3.11") != 0) {
                        memcpy(blob + used, l.blob + off, len);
                        used += len;
                        n++;
                }
                off += len;
        }
        free(l.blob);
        char head[PATH_MAX + 256];
        snprintf(head, sizeof(head), "sbx-dir-index 1\n%s\n%llu %llu %lld %ld %lld %ld %zu %zu\n", dir,
                 (unsigned long long)st.st_dev, (unsigned long long)st.st_ino, (long long)st.st_mtim.tv_sec,
                 st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec, n, used);
        cr_assert_eq(unlink(file), 0);
        int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        cr_assert_geq(fd, 0);
        cr_assert_eq(write(fd, head, strlen(head)), (ssize_t)strlen(head));
        cr_assert_eq(write(fd, blob, used), (ssize_t)used);
        cr_assert_eq(close(fd), 0);
        free(blob);
        cr_assert_eq(chown(file, owner, owner), 0);
        cr_assert_eq(chmod(file, mode), 0);
}

static bool hides_python(void)
{
        bool idx;
        char *s = list(&idx);
        bool hidden = !strstr(s, ":python3.11\n");
        cr_assert_eq(hidden, idx, "listing %s index", idx ? "from the" : "without the");
        free(s);
        return hidden;
}

Test(dir_index, only_root_owned_entries_nobody_else_can_write_count)
{
        need_root();
        indexed();
        forge(65534, 0644);
        cr_assert(!hides_python(), "an entry owned by uid 65534 was trusted");
        forge(0, 0666);
        cr_assert(!hides_python(), "a world-writable entry was trusted");
        forge(0, 0664);
        cr_assert(!hides_python(), "a group-writable entry was trusted");
        forge(0, 0644);
        char link2[PATH_MAX + 8];
        snprintf(link2, sizeof(link2), "%s.2", file);
        cr_assert_eq(link(file, link2), 0);
        cr_assert(!hides_python(), "an entry with a second hard link was trusted");
        cr_assert_eq(unlink(link2), 0);
        /* The same forged entry, root's and private: used (each miss above
         * had root write a genuine entry again: forge once more).  So each case
         * above was refused by its own check, not by a bad forgery. */
        forge(0, 0644);
        cr_assert(hides_python(), "the control forgery was not used");
        /* Through a symlink: refused. */
        forge(0, 0644);
        char real[PATH_MAX + 8];
        snprintf(real, sizeof(real), "%s.real", file);
        cr_assert_eq(rename(file, real), 0);
        cr_assert_eq(symlink(real, file), 0);
        cr_assert(!hides_python(), "an entry reached through a symlink was trusted");
        cr_assert_eq(unlink(file), 0);
        cr_assert_eq(unlink(real), 0);
}

Test(dir_index, malformed_entries_are_misses)
{
        need_root();
        indexed();
        bool idx;
        struct stat st;
        cr_assert_eq(stat(file, &st), 0);
        /* Truncated by one byte, then with one byte appended. */
        cr_assert_eq(truncate(file, st.st_size - 1), 0);
        free(list(&idx));
        cr_assert(!idx, "a truncated entry was used");
        free(list(&idx)); /* rewritten */
        cr_assert(idx);
        int fd = open(file, O_WRONLY | O_APPEND | O_CLOEXEC);
        cr_assert_eq(write(fd, "x", 1), 1);
        close(fd);
        free(list(&idx));
        cr_assert(!idx, "an entry with trailing bytes was used");
        /* A name with a slash. */
        free(list(&idx));
        char buf[65536];
        fd = open(file, O_RDWR | O_CLOEXEC);
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        cr_assert_gt(n, 0);
        buf[n] = 0;
        char *p = memmem(buf, (size_t)n, "with space", 10);
        cr_assert(p);
        p[4] = '/';
        cr_assert_eq(pwrite(fd, buf, (size_t)n, 0), n);
        close(fd);
        free(list(&idx));
        cr_assert(!idx, "an entry naming a/b was used");
}
