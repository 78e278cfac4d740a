/* cmd_stop.c — `sbx stop NAME…`: end named sandboxes as sbx itself does on
 * SIGTERM (the program gets SIGTERM), then, after --timeout seconds, with
 * SIGKILL; returns once each sandbox's init is gone.  Acts only through
 * pidfds of processes checked against the registry entry (registry.c). */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "commands.h"
#include "registry.h"

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

const char cmd_stop_usage[] =
        "Usage: sbx stop [--timeout SECONDS] NAME...\n"
        "\n"
        "Stop running sandboxes by name (see sbx ps): their program gets SIGTERM,\n"
        "as when sbx itself gets it; whatever still runs after --timeout seconds\n"
        "(default 10) is killed.  Returns when every process of the sandbox is gone.\n"
        "Exit status 0, or 1 when a name is not running or its entry does not\n"
        "check out against the live processes (nothing is signalled then).\n";

/* Wait for the pidfd to become readable (the process ended). */
static bool wait_gone(int pidfd, int ms)
{
        struct pollfd p = { .fd = pidfd, .events = POLLIN };
        for (;;) {
                int k = poll(&p, 1, ms);
                if (k < 0 && errno == EINTR)
                        continue;
                return k > 0;
        }
}

static int stop_one(int dirfd, const char *name, int timeout_s)
{
        struct reg_entry e;
        struct reg_live live;
        const char *why = "";
        int r = registry_read(dirfd, name, &e);
        if (r < 0) {
                fprintf(stderr, "sbx stop: %s: %s\n", name,
                        r == -ENOENT ? "no sandbox of that name" : r == -EPERM ? "registry entry refused "
                        "(not a private regular file of yours)" : "unreadable registry entry");
                return 1;
        }
        r = registry_verify(&e, false, &live, &why);
        if (r < 0) {
                fprintf(stderr, "sbx stop: %s: %s; nothing signalled\n", name, why);
                /* A stale entry (its sbx is gone) is cleared. */
                if (r == -ESRCH)
                        registry_remove(dirfd, name, e.pid, e.start);
                return 1;
        }
        if (syscall(SYS_pidfd_send_signal, live.pidfd, SIGTERM, NULL, 0) < 0 && errno != ESRCH) {
                fprintf(stderr, "sbx stop: %s: %s\n", name, strerror(errno));
                registry_live_close(&live);
                return 1;
        }
        if (!wait_gone(live.init_pidfd, timeout_s * 1000)) {
                fprintf(stderr, "sbx stop: %s: still running after %ds: killing it\n", name, timeout_s);
                /* init dies with its sbx (parent-death signal), and the
                 * pid namespace with init; both are sent SIGKILL. */
                (void)syscall(SYS_pidfd_send_signal, live.pidfd, SIGKILL, NULL, 0);
                (void)syscall(SYS_pidfd_send_signal, live.init_pidfd, SIGKILL, NULL, 0);
                if (!wait_gone(live.init_pidfd, 10000)) {
                        fprintf(stderr, "sbx stop: %s: its init survived SIGKILL\n", name);
                        registry_live_close(&live);
                        return 1;
                }
        }
        /* sbx run removes its entry when it ends; one killed cannot. */
        wait_gone(live.pidfd, 2000);
        registry_remove(dirfd, name, e.pid, e.start);
        registry_live_close(&live);
        return 0;
}

int cmd_stop(int argc, char **argv)
{
        static const struct option opts[] = {
                { "timeout", required_argument, NULL, 't' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c, timeout_s = 10;
        optind = 1;
        while ((c = getopt_long(argc, argv, "ht:", opts, NULL)) != -1) {
                switch (c) {
                case 'h':
                        fputs(cmd_stop_usage, stdout);
                        return 0;
                case 't': {
                        char *end;
                        long t = strtol(optarg, &end, 10);
                        if (*end || end == optarg || t < 0 || t > 3600)
                                return usage_error("stop", "--timeout: bad number of seconds '%s'", optarg);
                        timeout_s = (int)t;
                        break;
                }
                default:
                        return usage_error("stop", "bad option");
                }
        }
        if (optind >= argc)
                return usage_error("stop", "no sandbox name given");
        for (int i = optind; i < argc; i++)
                if (!registry_name_valid(argv[i]))
                        return usage_error("stop", "'%s' is not a sandbox name", argv[i]);
        int dirfd;
        const char *why = NULL;
        int r = registry_open(&dirfd, NULL, 0, &why);
        if (r < 0) {
                fprintf(stderr, "sbx stop: %s: %s\n", why, strerror(-r));
                return SBX_EXIT_SETUP;
        }
        int code = 0;
        for (int i = optind; i < argc; i++)
                if (stop_one(dirfd, argv[i], timeout_s))
                        code = 1;
        close(dirfd);
        return code;
}
