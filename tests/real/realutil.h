/* realutil.h — helpers shared by the profiles-real integration test
 * (tests/test_profiles_real.c: check, browser, viewer; tests/real/
 * cli_profiles.c: converter, archive, network service, build, shell).
 * Every helper asserts with Criterion on unexpected failures. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "harness.h"

static const int whos[] = { AS_ROOT, AS_USER };
#define FOR_EACH_USER for (size_t wi = 0; wi < 2; wi++)
#define WHO whos[wi]
#define WHO_NAME (WHO == AS_ROOT ? "root" : "user")
#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

double now_ms(void);
/* "profiles-real: PROFILE WHAT WHO bare N ms sbx N ms" on stderr. */
void report_time(const char *profile, const char *what, int who, double bare, double sbx);
/* Median of V[0..N) (sorts V). */
double median(double *v, int n);
/* Skip the test (fail it when CI=true) when PATH is not executable. */
void need(const char *path, const char *package);

/* Strings returned are malloc'd. */
char *path_join(const char *a, const char *b);
/* PARENT/NAME, mode 0777 (the sandboxed program may be uid 65534). */
char *mkdir_open(const char *parent, const char *name);
/* A whole file as a string (NUL bytes read as 0x01), or NULL. */
char *read_text(const char *path);
bool exists(const char *path);
/* Copy tests/real/NAME to DIR/AS (AS NULL: NAME), mode 0644. */
char *fixture(const char *dir, const char *name, const char *as);
/* rm -rf D, then free(D). */
void rm_rf(char *d);

/* An argv under construction. */
struct cmd {
        const char *v[160];
        size_t n;
};
void add(struct cmd *c, const char *const *list);
/* env ENV... [sbx run --profile PROFILE EXTRA... --] PROG...
 * (PROFILE NULL: the program bare). */
void build_cmd(struct cmd *c, const char *const *env, const char *profile, const char *const *extra,
               const char *const *prog);
/* Run that to completion in the current directory, as WHO; returns the
 * wall time in ms (asserts it finished within TIMEOUT s). */
double run_timed(int who, const char *const *env, const char *profile, const char *const *extra,
                 const char *const *prog, const char *input, int timeout, struct run_result *r);

/* ARGV in the background, in its own process group, output to LOG. */
pid_t spawn_bg(int who, const char *const *argv, const char *log);
/* SIGTERM the group, SIGKILL after 5 s; the wait status. */
int stop_bg(pid_t pid);

/* A server on 127.0.0.1 in a child process: HTTP answering every request
 * with BODY, or (http false) a "banner" line on accept. */
pid_t serve(int *port, const char *body, bool http);
void stop_server(pid_t pid);
/* A TCP port on 127.0.0.1 that was free a moment ago. */
int free_port(void);
/* GET PATH from 127.0.0.1:PORT: the whole response, or NULL. */
char *http_get(int port, const char *path);
/* Poll until PORT answers PATH: ms since T0, or -1 after TIMEOUT_MS. */
double wait_http(int port, const char *path, double t0, double timeout_ms, char **resp);

/* PNG header size: 0, or -1 when PATH is not a PNG. */
int png_size(const char *path, unsigned *w, unsigned *h);
/* Pixels of colour HEX ("#3366CC") in an image file, or (shell) in the
 * XWD dump a shell command writes to stdout. */
long count_colour(const char *image_or_shell, bool shell, const char *hex);

/* --ro-bind PROBE --set exec.allow=PROBE: the static probe allowed into a
 * profile (its view and rules, one extra program that tries things). */
const char *const *probe_extra(void);
/* The probe inside PROFILE must print DENIED, and bare OK. */
void expect_forbidden(int who, const char *const *env, const char *profile,
                      const char *const *probe_args, const char *what);
/* tests/real/tryexec.c built static into DIR: path malloc'd. */
char *build_tryexec(const char *dir);
