/* spawnrate.c — confined workers started per second through libsbx's spawn
 * API, against posix_spawn of the same program unconfined.
 *
 * Each worker is started, waited for and freed before the next one (a
 * service that spawns one worker per request); with -j N, N threads do so
 * at once (sbx_spawn is documented thread-safe).  The policy is built and
 * loaded once, as a service would.
 *
 * Built with -DSPAWNRATE_POSIX_ONLY when libsbx is not built yet (only the
 * posix_spawn baseline then).
 *
 * -m prepared uses one sbx_prepare()d sandbox for every worker.
 *
 * -m floor is no sandbox at all but the kernel's part of one: clone() with
 * the seven namespaces sbx's default profile creates, then execve of the
 * program, nothing else (no uid map, no mount, no filter).  No sandbox
 * with fresh namespaces per worker can start faster than this.
 *
 * Usage: spawnrate [-p PROFILE] [-n WORKERS] [-j THREADS] [-m sbx|prepared|posix|floor] PROGRAM
 * Output: "MODE workers N threads J seconds S rate R failures F" */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SPAWNRATE_POSIX_ONLY
#include <sbx.h>
#endif

extern char **environ;

static const char *program;
static int use_sbx = 1;
static int use_prepared;
static int use_floor;
static long per_thread;

static double now_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#ifndef SPAWNRATE_POSIX_ONLY
static struct sbx_policy *policy;
static struct sbx_prepared *prepared;

static int one_sbx(void)
{
        struct sbx_process *proc = NULL;
        struct sbx_error *e = NULL;
        const char *argv[] = { program, NULL };
        struct sbx_spawn_options o = {
                .size = sizeof(o), .file = program, .argv = argv,
                .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = 2, .log_fd = -1,
        };
        int status = 0;
        int r = prepared ? sbx_spawn_prepared(prepared, &o, &proc, &e) : sbx_spawn(policy, &o, &proc, &e);
        if (r < 0) {
                fprintf(stderr, "spawnrate: sbx_spawn: %s\n", e ? sbx_error_message(e) : strerror(-r));
                sbx_error_free(e);
                return -1;
        }
        r = sbx_process_wait(proc, &status);
        sbx_process_free(proc);
        return r < 0 || status != 0 ? -1 : 0;
}
#else
static int one_sbx(void)
{
        fprintf(stderr, "spawnrate: built without libsbx\n");
        return -1;
}
#endif

static int one_posix(void)
{
        char *argv[] = { (char *)program, NULL };
        pid_t pid;
        int status = 0;
        if (posix_spawn(&pid, program, NULL, NULL, argv, environ) != 0)
                return -1;
        if (waitpid(pid, &status, 0) < 0)
                return -1;
        return status != 0 ? -1 : 0;
}

static int one_floor(void)
{
        char *argv[] = { (char *)program, NULL };
        int status = 0;
        long pid = syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET |
                                              CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP | SIGCHLD,
                           NULL, NULL, NULL, 0);
        if (pid == 0) {
                execve(program, argv, environ);
                _exit(127);
        }
        if (pid < 0 || waitpid((pid_t)pid, &status, 0) < 0)
                return -1;
        return status != 0 ? -1 : 0;
}

static int one(void)
{
        return use_floor ? one_floor() : use_sbx ? one_sbx() : one_posix();
}

static void *worker(void *arg)
{
        long *failures = arg;
        for (long i = 0; i < per_thread; i++)
                if (one() < 0)
                        (*failures)++;
        return NULL;
}

int main(int argc, char **argv)
{
        const char *profile = "default";
        long workers = 200;
        int threads = 1, opt;
        while ((opt = getopt(argc, argv, "p:n:j:m:")) != -1) {
                switch (opt) {
                case 'p':
                        profile = optarg;
                        break;
                case 'n':
                        workers = atol(optarg);
                        break;
                case 'j':
                        threads = atoi(optarg);
                        break;
                case 'm':
                        use_floor = strcmp(optarg, "floor") == 0;
                        use_sbx = strcmp(optarg, "posix") != 0 && !use_floor;
                        use_prepared = strcmp(optarg, "prepared") == 0;
                        break;
                default:
                        return 2;
                }
        }
        if (optind + 1 != argc || workers < 1 || threads < 1 || threads > 64) {
                fprintf(stderr, "usage: spawnrate [-p PROFILE] [-n WORKERS] [-j THREADS] [-m sbx|prepared|posix|floor] PROGRAM\n");
                return 2;
        }
        program = argv[optind];
        if (use_sbx) {
#ifndef SPAWNRATE_POSIX_ONLY
                struct sbx_error *e = NULL;
                if (sbx_policy_new(&policy) < 0 || sbx_policy_load(policy, profile, &e) < 0) {
                        fprintf(stderr, "spawnrate: profile %s: %s\n", profile,
                                e ? sbx_error_message(e) : "out of memory");
                        return 1;
                }
                const char *pargv[] = { program, NULL };
                struct sbx_spawn_options po = {
                        .size = sizeof(po), .file = program, .argv = pargv,
                        .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = 2, .log_fd = -1,
                };
                if (use_prepared && sbx_prepare(policy, &po, &prepared, &e) < 0) {
                        fprintf(stderr, "spawnrate: sbx_prepare: %s\n", e ? sbx_error_message(e) : "failed");
                        return 1;
                }
#else
                (void)profile;
#endif
                /* Warm-up: page cache, and the library's first-use work. */
                if (one_sbx() < 0)
                        return 1;
        } else if (one() < 0)
                return 1;

        per_thread = (workers + threads - 1) / threads;
        pthread_t tid[64];
        long failures[64] = { 0 };
        double t0 = now_s();
        for (int t = 0; t < threads; t++)
                if (pthread_create(&tid[t], NULL, worker, &failures[t]) != 0) {
                        fprintf(stderr, "spawnrate: pthread_create failed\n");
                        return 1;
                }
        long failed = 0;
        for (int t = 0; t < threads; t++) {
                pthread_join(tid[t], NULL);
                failed += failures[t];
        }
        double s = now_s() - t0;
        long done = per_thread * threads;
        printf("%s workers %ld threads %d seconds %.3f rate %.1f failures %ld\n",
               use_prepared ? "prepared" : use_sbx ? "sbx" : use_floor ? "floor" : "posix", done, threads, s, (double)done / s, failed);
#ifndef SPAWNRATE_POSIX_ONLY
        sbx_prepared_free(prepared);
        sbx_policy_free(policy);
#endif
        return failed ? 1 : 0;
}
