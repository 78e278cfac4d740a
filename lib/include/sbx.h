/* sbx.h — libsbx, the sandbox engine behind the `sbx` command.
 *
 * Lifecycle
 *   1. Build a policy: sbx_policy_new() gives the strict defaults (nothing
 *      visible but the system directories, no network, no capabilities, a
 *      default-deny seccomp filter); sbx_policy_load() merges a profile by
 *      name or path, sbx_policy_load_string() merges INI text, and the
 *      sbx_policy_set*() / sbx_policy_add_*() calls adjust it with exactly
 *      the validation a profile line gets.
 *   2. Use it: sbx_spawn() starts a program in a new sandbox and returns a
 *      struct sbx_process to wait on and signal; sbx_confine() confines the
 *      calling process itself; sbx_pledge() is the one-call shorthand.
 *   3. Free what you own: sbx_policy_free(), sbx_process_free(),
 *      sbx_error_free(), and free() for strings the library returns.
 *
 * Conventions
 *   - Functions that can fail return an int: >= 0 on success, a negative
 *     errno value on failure (the kernel's errno passes through unchanged).
 *   - `struct sbx_error **err` may be NULL.  Otherwise, on failure *err is
 *     set to a new error object (message, failing step, and for profile
 *     errors the file and line) that the caller frees with sbx_error_free().
 *     On success *err is left untouched.
 *   - The library never prints, never exits and never aborts its caller,
 *     except that a spawned sandbox reports denials to the log fd the caller
 *     chose.
 *   - Functions are thread-safe unless noted: they share no mutable global
 *     state.  A single policy must not be modified while another thread
 *     uses it.
 *   - No pointer typedefs; every handle is an opaque struct.
 */
#ifndef SBX_H
#define SBX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- version and exit codes ------------------------------------------- */

/* The library version, "MAJOR.MINOR.PATCH".  Static string. */
const char *sbx_version(void);

/* Exit codes the `sbx` command uses; a program run in a sandbox keeps its
 * own exit code (128+N when killed by signal N). */
enum sbx_exit {
        SBX_EXIT_OK = 0,
        SBX_EXIT_USAGE = 2,        /* bad command line or profile: nothing ran */
        SBX_EXIT_SETUP = 125,      /* sbx could not build the sandbox */
        SBX_EXIT_CANNOT_EXEC = 126, /* the program exists but could not run */
        SBX_EXIT_NOT_FOUND = 127,  /* the program does not exist */
};

/* ---- errors ----------------------------------------------------------- */

struct sbx_error;

enum sbx_error_kind {
        SBX_ERROR_PROFILE = 1, /* profile or command-line input: file:line */
        SBX_ERROR_SETUP,       /* a control could not be applied */
        SBX_ERROR_EXEC,        /* the program could not be executed */
        SBX_ERROR_NOT_FOUND,   /* the program does not exist */
        SBX_ERROR_INTERNAL,
};

/* The whole message, ready to print: "FILE:LINE: what" for profile errors,
 * "STEP: what: strerror" for setup errors.  Owned by the error object. */
const char *sbx_error_message(const struct sbx_error *e);
enum sbx_error_kind sbx_error_kind(const struct sbx_error *e);
/* Profile file and line, or NULL / 0 when the error has no location. */
const char *sbx_error_file(const struct sbx_error *e);
unsigned sbx_error_line(const struct sbx_error *e);
/* The setup step that failed ("uid-map", "mount", "landlock", …) or NULL. */
const char *sbx_error_step(const struct sbx_error *e);
/* The errno value (positive) behind the error, or 0. */
int sbx_error_errno(const struct sbx_error *e);
/* Non-fatal notes collected while loading (e.g. an optional control that
 * is missing, an allow-list entry that does not exist): a NULL-terminated
 * array owned by the policy, see sbx_policy_warnings(). */
void sbx_error_free(struct sbx_error *e);

/* ---- policies --------------------------------------------------------- */

struct sbx_policy;

/* A new policy with the strict built-in defaults (sbx.profile(5)); it
 * mounts nothing of the host until a profile or sbx_policy_add_bind() does.
 * *ret is owned by the caller (sbx_policy_free). */
int sbx_policy_new(struct sbx_policy **ret);
/* NULL-safe. */
void sbx_policy_free(struct sbx_policy *p);
/* Deep copy. */
int sbx_policy_dup(const struct sbx_policy *p, struct sbx_policy **ret);

/* Merge a profile into p.  `name_or_path` is a file path when it contains a
 * '/' or ends in ".ini"; otherwise a profile name looked up in the search
 * path (see sbx_profile_find).  Includes are followed.  On error p is left
 * exactly as it was (loading happens on a copy). */
int sbx_policy_load(struct sbx_policy *p, const char *name_or_path, struct sbx_error **err);
/* The same for INI text held in memory; `origin` names it in messages. */
int sbx_policy_load_string(struct sbx_policy *p, const char *ini, const char *origin,
                           struct sbx_error **err);

/* Set one key exactly as a profile line `key = value` in `[section]` would,
 * with the same validation; `origin` (e.g. "command line") names it in
 * messages.  List keys add; a value starting with '!' removes. */
int sbx_policy_set(struct sbx_policy *p, const char *section, const char *key,
                   const char *value, const char *origin, struct sbx_error **err);

/* Typed shorthands for the common adjustments. */
enum {
        SBX_BIND_RO = 1 << 0,
        SBX_BIND_OPTIONAL = 1 << 1,
        SBX_BIND_EXEC = 1 << 2,
};
/* Both paths are taken as they are, byte for byte (anything but NUL:
 * spaces, quotes, ':', newlines, non-UTF-8), never parsed as profile
 * text; they must be absolute and are normalised. */
int sbx_policy_add_bind(struct sbx_policy *p, const char *src, const char *dst, unsigned flags,
                        struct sbx_error **err);
/* The same, with `origin` (e.g. "command line") naming the entry in
 * messages. */
int sbx_policy_add_bind_from(struct sbx_policy *p, const char *src, const char *dst, unsigned flags,
                             const char *origin, struct sbx_error **err);
int sbx_policy_allow_syscalls(struct sbx_policy *p, const char *names, struct sbx_error **err);

enum sbx_net {
        SBX_NET_NONE = 0, /* own network namespace with only loopback */
        SBX_NET_HOST = 1, /* the host's network */
        SBX_NET_PASTA = 2, /* own network namespace, outbound connections through pasta */
};
int sbx_policy_set_network(struct sbx_policy *p, enum sbx_net mode, struct sbx_error **err);

/* Check the whole policy for conflicts (a path both bound and denied, an
 * action that needs a supervisor, …).  sbx_spawn() and sbx_confine() call
 * it too. */
int sbx_policy_validate(const struct sbx_policy *p, struct sbx_error **err);

/* The effective policy as canonical INI that sbx_policy_load_string()
 * accepts and that loads back to an equal policy.  *ret: malloc'd. */
int sbx_policy_format(const struct sbx_policy *p, char **ret);
const char *sbx_policy_name(const struct sbx_policy *p);
const char *sbx_policy_description(const struct sbx_policy *p);

/* Notes about p on this machine (missing optional sources, allow-list
 * entries absent here, …), computed on the first call (they look at the
 * host; loading does not).  NULL-terminated, owned by p, valid until p is
 * changed or freed; safe to call from several threads. */
const char *const *sbx_policy_warnings(const struct sbx_policy *p);

/* ---- the profile search path ------------------------------------------ */

/* Where a profile name ([A-Za-z0-9_.-]+, file NAME.ini) resolves: each
 * directory of $SBX_PROFILE_PATH (':'-separated), then
 * `$XDG_CONFIG_HOME/sbx/profiles` (~/.config/sbx/profiles),
 * `/etc/sbx/profiles`, the installed data directory, and the source tree's
 * `profiles/` for a program running from its build tree.  *ret: malloc'd
 * path.  -ENOENT when no directory has it, -EINVAL for a bad name. */
int sbx_profile_find(const char *name, char **ret);

struct sbx_profile_info {
        const char *name;
        const char *description; /* "" when the profile has none */
        const char *path;
        bool shadowed; /* a file earlier in the search path has this name */
};
/* Calls cb for every profile file in the search path, in search order.
 * A negative return from cb stops the walk and is returned. */
int sbx_profile_list(int (*cb)(const struct sbx_profile_info *info, void *userdata), void *userdata);

/* ---- syscall groups --------------------------------------------------- */

/* Groups are named "@name".  Index-based iteration over the built-in table. */
size_t sbx_syscall_group_count(void);
const char *sbx_syscall_group_name(size_t i);
const char *sbx_syscall_group_help(size_t i);
/* The group's direct members as written in the table: space-separated
 * syscall names and @groups.  Static string. */
const char *sbx_syscall_group_members(size_t i);
/* Expand a group (recursively) or a syscall name into syscall names.
 * *ret: NULL-terminated, free with sbx_strv_free().  -ENOENT if unknown. */
int sbx_syscall_expand(const char *name, char ***ret);
/* Why @default allows a syscall that Docker's default seccomp profile or
 * systemd's @system-service refuses or restricts: a static one-line
 * reason, or NULL when the syscall has no such note.  Notes are indexed
 * 0 … sbx_syscall_note_count() - 1 for listing. */
const char *sbx_syscall_why(const char *name);
size_t sbx_syscall_note_count(void);
const char *sbx_syscall_note_name(size_t i);
void sbx_strv_free(char **v);

/* ---- running a program in a sandbox ------------------------------------ */

struct sbx_process;

enum {
        SBX_SPAWN_LOG_DENIALS = 1 << 0, /* report each denied syscall to log_fd */
        SBX_SPAWN_LOG_JSON = 1 << 1,    /* as JSON lines instead of text */
        SBX_SPAWN_NO_NEW_SESSION = 1 << 2, /* keep the caller's session (tty job control) */
        SBX_SPAWN_VERBOSE = 1 << 3,     /* also report notes that need no action to log_fd
                                         * (an optional bind source absent); warnings that
                                         * need action are reported to log_fd always */
        SBX_SPAWN_LEARN = 1 << 4,       /* sbx learn: a recording sandbox (see
                                         * docs/learn.md): the host's directories
                                         * as throw-away overlays, persistence points
                                         * and sbx's state hidden, every path, program,
                                         * address and refused call the program uses
                                         * reported to log_fd as "sbx-learn" lines
                                         * and let through; Landlock keeps only its
                                         * scopes, always-denied syscalls stay denied */
        SBX_SPAWN_ENTERABLE = 1 << 5,   /* start the sandbox's door: sbx_enter() can run
                                         * more commands in it (since SBX_0.4) */
};

struct sbx_spawn_options {
        size_t size;                 /* sizeof(struct sbx_spawn_options) */
        const char *file;            /* program: absolute path, or name looked up in PATH */
        const char *const *argv;     /* argv[0] included; NULL: { file, NULL } */
        int stdin_fd, stdout_fd, stderr_fd; /* become 0, 1, 2; -1: /dev/null */
        const int *keep_fds;         /* further fds passed at the same numbers */
        size_t n_keep_fds;
        const char *cwd;             /* working directory inside; NULL: policy's */
        unsigned flags;              /* SBX_SPAWN_* */
        int log_fd;                  /* where denials and warnings are reported; -1: none */
};

/* Start options->file in a new sandbox built from p.  Returns when the
 * program has been executed (or failed to be): a setup failure is returned
 * here, never as an exit status.  The caller keeps ownership of every fd it
 * passed.  Needs no signal handler; the process is reaped only by
 * sbx_process_wait() (the caller must not reap it with waitpid(-1)).
 * Safe to call from several threads at once. */
int sbx_spawn(const struct sbx_policy *p, const struct sbx_spawn_options *options,
              struct sbx_process **ret, struct sbx_error **err);

/* A sandbox prepared once for many spawns (a worker pool): the policy
 * validated and copied, the filesystem view, the exec decisions, the
 * Landlock rules and the seccomp program, computed for options->file and
 * the working directory (options->cwd, or the caller's at this call).
 * sbx_spawn_prepared() with the same file, cwd and flags then only clones
 * and replays: each worker still gets new namespaces, its own tmpfs root,
 * /tmp, home and /proc, exactly as a fresh sbx_spawn() would build them.
 * Other options (a different file or cwd, or a policy that binds file
 * arguments) fall back to a full sbx_spawn().  Decisions reflect the
 * filesystem at preparation (a denied file installed later is masked only
 * by a new preparation).  p is copied; the caller keeps it.  Spawning from
 * one prepared sandbox is safe from several threads at once. */
struct sbx_prepared;
int sbx_prepare(const struct sbx_policy *p, const struct sbx_spawn_options *options,
                struct sbx_prepared **ret, struct sbx_error **err);
int sbx_spawn_prepared(const struct sbx_prepared *pp, const struct sbx_spawn_options *options,
                       struct sbx_process **ret, struct sbx_error **err);
/* NULL-safe. */
void sbx_prepared_free(struct sbx_prepared *pp);

/* Host pid of the sandbox's init process (signals sent to it are
 * forwarded to the program). */
pid_t sbx_process_pid(const struct sbx_process *proc);
/* A pidfd for poll(): readable when the sandbox has exited. */
int sbx_process_pidfd(const struct sbx_process *proc);
int sbx_process_signal(struct sbx_process *proc, int sig);
/* Wait for the program; *ret_status is a waitpid()-style status of the
 * program itself (WIFEXITED/WIFSIGNALED work on it).  While it waits it
 * relays the sandbox's denial reports to options->log_fd (which must stay
 * open until then), and at the end says on log_fd how many were lost, if
 * any (see sbx_process_stats). */
int sbx_process_wait(struct sbx_process *proc, int *ret_status);
/* The reading end of the sandbox's report pipe (non-blocking, owned by
 * proc), for a caller that polls its own event loop: readable when init
 * has a report; lines read here are not relayed again.  -1 when log_fd
 * was -1.  Since SBX_0.3. */
int sbx_process_report_fd(const struct sbx_process *proc);
/* Opens `path` for appending as a log_fd (made 0600 when missing), the way
 * sbx opens any file for its user: no symlink a sandbox could have left on
 * the way and none as the last component, and only a regular file that the
 * caller owns and that has no other name (a hard link).  *ret_fd is
 * close-on-exec; the message of *err says what was refused and why.
 * Since SBX_0.4. */
int sbx_log_open(const char *path, int *ret_fd, struct sbx_error **err);
/* The same checks for a file sbx writes whole (sbx export -o, sbx learn
 * -o): opened for writing and emptied only once it is known to be the
 * caller's own regular file with one name.  Since SBX_0.4. */
int sbx_output_open(const char *path, int *ret_fd, struct sbx_error **err);
/* Kills the sandbox if still running, reaps it, frees. NULL-safe. */
void sbx_process_free(struct sbx_process *proc);

/* What the kernel measured of a sandbox that has ended (since SBX_0.2). */
enum {
        SBX_STATS_MEMORY = 1 << 0,        /* memory_peak is the whole sandbox's (its cgroup) */
        SBX_STATS_MEMORY_MAXRSS = 1 << 1, /* memory_peak is the largest single process's
                                           * resident set (no cgroup measured the sandbox) */
        SBX_STATS_PROCESSES = 1 << 2,     /* processes_peak is known (its cgroup) */
        SBX_STATS_LIMITS = 1 << 3,        /* oom_kills and fork_refusals were counted */
};
struct sbx_process_stats {
        size_t size;             /* set by the caller: sizeof(struct sbx_process_stats) */
        unsigned flags;          /* SBX_STATS_*: which fields below are known */
        uint64_t memory_peak;    /* bytes */
        uint64_t processes_peak; /* processes and threads at once, init included */
        uint64_t oom_kills;      /* processes killed at [limits] memory */
        uint64_t fork_refusals;  /* fork/clone refused at [limits] processes */
        /* since SBX_0.3: */
        uint64_t reports_lost;   /* denial reports that never reached log_fd */
};
/* Fill *ret (ret->size set by the caller; fields beyond it are left
 * alone) for a sandbox that sbx_process_wait() has reaped.  -EBUSY before
 * that, -EINVAL on a bad size. */
int sbx_process_stats(const struct sbx_process *proc, struct sbx_process_stats *ret);

/* What the sandbox refused, one entry per kind that happened (none: a run
 * without refusals).  Seccomp denials, W^X refusals, executions refused
 * by [exec], TCP binds and connects refused by port rules, writes refused
 * on read-only mounts, by the persistence protection, by [landlock]
 * read-only or by file permissions, paths that exist on the host but not
 * in the view (these two with SBX_SPAWN_LOG_DENIALS), and files left in
 * the private home or /tmp that were discarded.  Landlock and mount
 * refusals are the supervisor's prediction of the kernel's answer (see
 * sbx(1), "When something is refused").  For a sandbox sbx_process_wait() has reaped; *ret points
 * into proc and stays valid until sbx_process_free().  -EBUSY before. */
struct sbx_refusal {
        const char *kind;     /* "seccomp", "wx", "exec", "tcp-bind", "tcp-connect", "abstract-socket", "read-only",
                               * "protect", "landlock-read-only", "permission", "discarded",
                               * "hidden" */
        const char *title;    /* "execution(s) refused by [exec]" */
        uint64_t count;
        const char *example;  /* the first one: what, by which process */
        const char *rule;     /* the profile line or section that decided */
        const char *override; /* the command-line option that allows it, "" when none */
};
int sbx_process_refusals(const struct sbx_process *proc, const struct sbx_refusal **ret, size_t *n);

/* ---- entering a running sandbox (since SBX_0.4) ------------------------- */

/* With SBX_SPAWN_ENTERABLE, the program, once fully confined and just
 * before its execve, starts a "door" process inside the sandbox that runs
 * further commands on request with exactly the program's confinement: the
 * same namespaces, view, Landlock domain, seccomp filter, credentials,
 * capabilities, no_new_privs, rlimits, cgroup and environment.  The door
 * is reached only through the fd below, which proc owns; anyone holding it
 * (or a copy) can run commands in the sandbox, nothing more. */
int sbx_process_enter_fd(const struct sbx_process *proc);

struct sbx_entered;
struct sbx_enter_options {
        size_t size;                 /* sizeof(struct sbx_enter_options) */
        const char *const *argv;     /* argv[0]: absolute inside the sandbox, or
                                      * looked up in the sandbox's PATH */
        int stdin_fd, stdout_fd, stderr_fd; /* become 0, 1, 2; -1: /dev/null */
        unsigned flags;              /* none yet: 0 */
};
/* Run o->argv in the sandbox whose door is door_fd.  Returns once the
 * command was executed (or failed to be: SBX_ERROR_NOT_FOUND or
 * SBX_ERROR_EXEC).  The command gets its own session, the three fds, and
 * the sandbox's environment. */
int sbx_enter(int door_fd, const struct sbx_enter_options *o, struct sbx_entered **ret,
              struct sbx_error **err);
/* Its pid in the sandbox's pid namespace. */
pid_t sbx_entered_pid(const struct sbx_entered *en);
/* Readable when the command has ended (or the sandbox did). */
int sbx_entered_fd(const struct sbx_entered *en);
int sbx_entered_signal(struct sbx_entered *en, int sig);
/* Its wait status; -EPIPE when the sandbox ended first (its pid namespace
 * took the command with it). */
int sbx_entered_wait(struct sbx_entered *en, int *ret_status);
/* Kills the command if still running. NULL-safe. */
void sbx_entered_free(struct sbx_entered *en);

/* The ordered setup plan sbx_spawn() would carry out, as text.  Runs
 * nothing.  *ret: malloc'd. */
int sbx_plan_format(const struct sbx_policy *p, const struct sbx_spawn_options *options,
                    char **ret, struct sbx_error **err);

/* Convert a waitpid()-style status into the `sbx run` exit code
 * (the exit code, or 128+N for signal N). */
int sbx_exit_code(int status);

/* ---- confining the calling process ------------------------------------ */

enum {
        SBX_CONFINE_NO_NETNS = 1 << 0, /* keep the network namespace */
};
/* Apply what applies to a running process: a fresh network namespace (when
 * the policy's network is none), Landlock, capabilities, no_new_privs and
 * seccomp (synchronised across all threads).  Irreversible. */
int sbx_confine(const struct sbx_policy *p, unsigned flags, struct sbx_error **err);

/* pledge-like shorthand: confine with only the base syscalls plus the
 * given space-separated groups or syscall names ("stdio inet rpath").  */
int sbx_pledge(const char *promises, struct sbx_error **err);

/* ---- what a policy stops ---------------------------------------------- */

enum sbx_format {
        SBX_FORMAT_TEXT = 0,
        SBX_FORMAT_JSON = 1,
        SBX_FORMAT_OCI = 2,
        SBX_FORMAT_K8S = 3,
        SBX_FORMAT_PFC = 4, /* reserved: no function accepts it */
        /* since SBX_0.4, for sbx_export_plan(): */
        SBX_FORMAT_OCI_BUNDLE = 5, /* an OCI runtime bundle (config.json, rootfs/) */
        SBX_FORMAT_SYSTEMD = 6,    /* a systemd service unit */
};

/* Every control of sbx's ATT&CK map (built into the library from
 * data/attack-map.ini) evaluated against p: on, partial or off, what it
 * leaves open, the techniques of M1048 and M1038 covered (and whether a
 * test demonstrates it), and the exposure score: 10 * sum(weight * open) /
 * sum(weight), 0 when every control is on, 10 when none is.
 * f: SBX_FORMAT_TEXT (a table) or SBX_FORMAT_JSON.  *ret (may be NULL when
 * only the score is wanted): malloc'd.  *score_x10 (may be NULL): the score
 * times ten, 0…100.  Builds the seccomp filter to see what it lets
 * through; its errors go to *err.  -EOPNOTSUPP for other formats. */
int sbx_analyze(const struct sbx_policy *p, enum sbx_format f, char **ret, int *score_x10,
                struct sbx_error **err);

/* sbx learn (docs/learn.md; since SBX_0.4).  A recording run is an sbx_spawn() with
 * SBX_SPAWN_LEARN; its log_fd receives "sbx-learn ..." lines.  A learner
 * compares them with `base` (the profile the learned one includes, named
 * `base_name` in its include line; it must outlive the learner) for the
 * same spawn options:
 *   sbx_learn_new()      the base's view is built (no sandbox is started)
 *   sbx_learn_record()   one line: 1 when it was a record, 0 when it is
 *                        something else (a warning to pass on), -errno
 *   sbx_learn_profile()  the learned profile as INI text (malloc'd), each
 *                        line with its evidence as a comment
 *   sbx_learn_written()  afterwards: the host files the run wrote that the
 *                        learned profile keeps (NULL-terminated, owned)
 *   sbx_learn_notes()    what was used and not learned, and why
 *   sbx_learn_check_output()  -EPERM when a file at `path` could be
 *                        changed by a sandbox of the learned profile or the
 *                        base (a profile must not be written there) */
struct sbx_learn;
int sbx_learn_new(const struct sbx_policy *base, const char *base_name,
                  const struct sbx_spawn_options *options, struct sbx_learn **ret,
                  struct sbx_error **err);
int sbx_learn_record(struct sbx_learn *l, const char *line);
int sbx_learn_profile(struct sbx_learn *l, char **ret, struct sbx_error **err);
const char *const *sbx_learn_written(const struct sbx_learn *l);
const char *const *sbx_learn_notes(const struct sbx_learn *l);
int sbx_learn_check_output(const struct sbx_learn *l, const char *path);
void sbx_learn_free(struct sbx_learn *l);

/* An ATT&CK Navigator layer (JSON, layer format 4.5, ATT&CK v19) with the
 * techniques the n policies mitigate: score = how many of them cover the
 * technique; comments name the sbx control and the test behind each claim.
 * The policies are not modified.  *ret: malloc'd. */
int sbx_attack_layer(const struct sbx_policy *const *p, size_t n, char **ret, struct sbx_error **err);

/* p's seccomp policy for other runtimes, from the same decisions as the
 * filter `sbx run` loads.  SBX_FORMAT_OCI (or _JSON): an OCI runtime-spec
 * `linux.seccomp` object, also usable as a Kubernetes/Docker seccomp
 * profile.  SBX_FORMAT_K8S: a YAML stream, a container securityContext
 * then the seccomp profile.  *ret: malloc'd.  *warnings (may be NULL):
 * what the format cannot express (Landlock, the exec allow-list, …),
 * NULL-terminated, free with sbx_strv_free().  -EOPNOTSUPP for other
 * formats. */
int sbx_export(const struct sbx_policy *p, enum sbx_format f, char **ret, char ***warnings,
               struct sbx_error **err);

/* Where and how sbx_export_plan() writes (since SBX_0.4). */
struct sbx_export_options {
        size_t size;               /* sizeof(struct sbx_export_options) */
        const char *bundle_dir;    /* SBX_FORMAT_OCI_BUNDLE: made if missing; config.json and a
                                    * new rootfs/ are written there (an existing rootfs/ is refused);
                                    * NULL: only *ret */
        const char *k8s_image;     /* SBX_FORMAT_K8S: the container's image; NULL:
                                    * "localhost/sbx-rootfs:latest" */
        const char *k8s_namespace; /* SBX_FORMAT_K8S: NULL: "default" */
};

/* The whole launch `sbx_spawn(p, options)` would make, from the same plan
 * (sbx_plan_format() shows it as text), for another runtime:
 * SBX_FORMAT_OCI_BUNDLE: config.json (namespaces with the same uid map,
 * the view as mounts, masked and read-only paths, no capabilities,
 * noNewPrivileges, rlimits, cgroup resources, the seccomp object,
 * hostname, environment, cwd, args); SBX_FORMAT_K8S: a Pod and the
 * Security Profiles Operator SeccompProfile of the same filter (YAML);
 * SBX_FORMAT_SYSTEMD: a service unit with the equivalent hardening.
 * *ret: malloc'd text.  *warnings (may be NULL): what the format cannot
 * express and what the runtime does instead, NULL-terminated, free with
 * sbx_strv_free().  eo may be NULL.  Nothing is started.  -EOPNOTSUPP for
 * other formats. */
int sbx_export_plan(const struct sbx_policy *p, const struct sbx_spawn_options *options,
                    enum sbx_format f, const struct sbx_export_options *eo, char **ret,
                    char ***warnings, struct sbx_error **err);

#ifdef __cplusplus
}
#endif

#endif
