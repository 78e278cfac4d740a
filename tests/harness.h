/* harness.h — running the real `sbx` (and other programs) from Criterion
 * tests, as root or as an unprivileged user, capturing output. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct run_result {
        int status;   /* exit code, or 128+N when killed by signal N */
        char *out;    /* stdout, NUL-terminated */
        char *err;    /* stderr, NUL-terminated */
};

enum {
        AS_ROOT = 0,
        AS_USER = 1, /* setpriv --reuid=65534 --regid=65534 --clear-groups */
};

/* Run argv (NULL-terminated) with `input` on stdin (may be NULL), as `who`,
 * with a timeout in seconds.  Returns 0 or -errno. */
int run_cmd(int who, const char *input, int timeout_s, struct run_result *r, const char *const *argv);
/* `sbx` ARGS… (NULL-terminated varargs), as `who`. */
int run_sbx(int who, struct run_result *r, ...) __attribute__((sentinel));
void run_result_free(struct run_result *r);

/* Paths set by meson through the environment. */
const char *sbx_bin(void);     /* $SBX_BIN */
const char *probe_bin(void);   /* $SBX_PROBE: static probe program */
const char *source_dir(void);  /* $SBX_SOURCE_DIR */
const char *build_dir(void);   /* $SBX_BUILD_DIR */

/* `s` quoted for sh: '...' with each ' written '\''.  Malloc'd.  Paths
 * (the checkout's included) may hold spaces and quotes. */
char *shq(const char *s);
/* `s` as one literal word of a profile value (sbx.profile(5)): "..." with
 * \" and \\, and $ doubled so nothing expands.  Malloc'd.  For
 * `--set KEY=VALUE`, which takes profile syntax. */
char *profile_word(const char *s);

/* A fresh directory that uid 65534 can use, removed by the caller. */
char *make_tmpdir(void);
/* Write `content` to `path` with `mode`. */
int write_file(const char *path, const char *content, int mode);
/* True under CI=true or CI_STRICT=1 (scripts/test sets it): then a missing
 * part of the test machine that `scripts/deps --test` installs (a package,
 * a program) or that CI guarantees (running as root) fails instead of
 * skipping.  A kernel that lacks a feature (IA32 emulation, a Landlock ABI)
 * is never the machine's fault: such tests always skip with the reason
 * (docs/testing.md lists them). */
bool in_ci(void);
