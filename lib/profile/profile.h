/* profile.h — internals shared by the files of the profile language:
 * the table of sections and keys and applying one key to a policy
 * (profile_keys.c), words, quotes and ${VAR} (profile_text.c), reading and
 * merging files (profile.c), the search path (profile_path.c) and printing
 * (format.c).  Nothing here
 * touches the OS except the loader and the search path, which only read. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "profile/policy.h"

/* The longest profile line, without its newline. */
#define PROFILE_MAX_LINE 4095
/* The longest path, and the longest [environment] set value, after
 * expansion: small enough that `sbx show` can always print the value
 * (quoted, escaped, twice for SRC:DST) on one line. */
#define PROFILE_MAX_PATH 1000
#define PROFILE_MAX_VALUE 1900
/* The largest profile file, and how many files one load may read. */
#define PROFILE_MAX_SIZE (1024 * 1024)
#define PROFILE_MAX_FILES 256
/* Key lines in one file: keeps the quadratic duplicate checks cheap. */
#define PROFILE_MAX_ENTRIES 10000
/* An include chain longer than this is an error. */
#define PROFILE_MAX_DEPTH 8

/* Every key of the language.  Scalars come first: their id indexes
 * policy->scalar_loc[]. */
enum key_id {
        /* scalars */
        K_NAME, K_DESCRIPTION,
        K_NS_USER, K_NS_MOUNT, K_NS_PID, K_NS_IPC, K_NS_UTS, K_NS_CGROUP,
        K_UID, K_GID, K_KEEP_ROOT, K_HOSTNAME,
        K_PROC, K_SYS, K_HOME, K_ARGS, K_ARGS_DIRS, K_CWD_BIND, K_CWD,
        K_NET_MODE, K_NET_FALLBACK,
        K_WRITABLE_EXEC, K_MEMFD_EXEC,
        K_SC_ENABLED, K_SC_ACTION, K_SC_ERRNO, K_SC_NESTED, K_SC_USERNS, K_SC_WX, K_SC_MEMFD,
        K_LIMIT_FIRST, /* K_LIMIT_FIRST + i: rlimit i of profile_limits[] */
        K_LL_ENABLED = K_LIMIT_FIRST + SBX_RLIMIT_COUNT, K_LL_MIN_ABI,
        K_NEW_SESSION,
        K_X11, K_A11Y,
        K_LIM_MEMORY, K_LIM_PROCESSES, K_LIM_CPU, K_LIM_TMPFS_SIZE, K_LIM_TMPFS_INODES,
        K_LIM_USER_COUNTS,
        K_SCALAR_COUNT,
        /* lists */
        K_INCLUDE = K_SCALAR_COUNT,
        K_BIND, K_RO_BIND, K_DEV, K_TMPFS, K_DIR, K_SYMLINK,
        K_TCP_BIND, K_TCP_CONNECT, K_NET_LISTEN,
        K_EXEC_ALLOW, K_EXEC_DENY, K_EXEC_ALLOW_HASH,
        K_SC_ALLOW, K_SC_DENY, K_SC_OVERRIDE, K_SC_SOCKET, K_SC_IOCTL,
        K_CAPS_KEEP,
        K_ENV_KEEP, K_ENV_SET,
        K_LL_OPTIONAL, K_LL_READONLY,
        K_LIM_OPTIONAL,
        K_PROTECT, K_PROTECT_DIR, K_SECRET, K_PROTECT_PROJECT,
        K_DBUS_TALK, K_DBUS_OWN, K_DBUS_SEE, K_DBUS_CALL, K_DBUS_BROADCAST, K_DBUS_REQUIRED_BY,
        K_COUNT,
};

_Static_assert(K_SCALAR_COUNT <= 64, "policy->scalar_loc[] is too small");

/* [filesystem] protect-project names, NULL-terminated (profile_keys.c). */
struct project_point {
        const char *name, *help;
};
extern const struct project_point profile_project_points[];

struct key_def {
        const char *section;
        const char *name;
        enum key_id id;
        const char *type; /* for help and the man page */
        const char *def;  /* the default, as text */
        const char *help;
};

/* In section order, keys in the order `sbx show` prints them. */
extern const struct key_def profile_keys[];
extern const size_t profile_nkeys;
extern const char *const profile_sections[]; /* NULL-terminated */

static inline bool key_is_list(enum key_id id) { return id >= K_SCALAR_COUNT; }
/* Values of this key are expanded (${VAR}, ~): a '$' is written "$$". */
bool profile_key_expands(enum key_id id);

const struct key_def *profile_key_find(const char *section, const char *name);
const struct key_def *profile_key_by_id(enum key_id id);
bool profile_section_valid(const char *section);
/* For a misspelt section or key, the known one it most likely meant:
 * within two edits, or (for a key) the same name in another section.
 * NULL when nothing is close. */
const char *profile_section_suggest(const char *name);
const struct key_def *profile_key_suggest(const char *section, const char *name);

/* The [limits] keys, in policy->rlimits[] order. */
struct limit_def {
        const char *name;
        int resource;
        bool size; /* accepts K/M/G suffixes */
};
extern const struct limit_def profile_limits[SBX_RLIMIT_COUNT];

/* Per-file state while applying keys: where each scalar was first set in
 * this file (0: not yet), so a second assignment is an error. */
struct apply_state {
        unsigned first_line[K_SCALAR_COUNT];
};

/* Apply `key = value` (value as written, after the '=') from loc to p.
 * Values are validated, expanded and normalised first; on error p may be
 * partly changed (callers work on a copy).  [profile] include is only
 * validated here: resolving it is the loader's job. */
int profile_apply(struct sbx_policy *p, const struct key_def *k, const char *value,
                  struct sbx_loc loc, struct apply_state *st, struct sbx_error **err);

/* profile_text.c.  One token of a value list. */
struct token {
        char *text;
        bool remove; /* written with a leading unquoted '!' */
        /* text with each quoted \: kept as PROFILE_LITERAL_COLON and each
         * \n as PROFILE_LITERAL_NEWLINE, for entries whose ':' separate
         * parts (mounts): NULL when the token has neither */
        char *split;
};
/* Control characters never pass profile_text_valid(), so these cannot
 * come from the text itself. */
#define PROFILE_LITERAL_COLON '\x01'
#define PROFILE_LITERAL_NEWLINE '\x02'
/* Turn the literal markers of a token's split text back into ':' and
 * newline (in place). */
void profile_token_literal(char *s);
/* Split a value into tokens: whitespace separates, double quotes group
 * (with \" and \\, and \: for a colon that separates nothing, \n for
 * a newline), an unquoted ';' or '#' after whitespace starts a comment.
 * With bang, a leading unquoted '!' marks a removal. */
int profile_tokenize(const char *value, bool bang, struct token **ret, size_t *n,
                     const char **errmsg);
void profile_tokens_free(struct token *t, size_t n);

/* Expand ${VAR}, "$$" and (with tilde) a leading ~ from the caller's
 * environment.  With tilde the value is a path and a variable's value is
 * taken byte for byte; otherwise it must be text (profile_text_valid).
 * *ret malloc'd.  Errors name the variable. */
int profile_expand(const char *s, bool tilde, char **ret, char **errmsg);
/* The same, and with allow_opt ${?NAME} is accepted: when NAME is unset
 * or empty the whole value does not apply, -ENODATA with *errmsg saying
 * which variable and *ret the value without it (both malloc'd, *ret only
 * for further checks).  Without allow_opt ${?NAME} is an error. */
int profile_expand_opt(const char *s, bool tilde, bool allow_opt, char **ret, char **errmsg);
/* Normalise an absolute path: collapse "//", "/./", trailing '/'; '..'
 * is refused.  *ret malloc'd.  -EINVAL with *errmsg static. */
int profile_normalize_path(const char *s, char **ret, const char **errmsg);
/* sbx_policy_add_bind() with `origin` naming it in messages. */
int profile_add_bind(struct sbx_policy *p, const char *src, const char *dst, unsigned flags,
                     const char *origin, struct sbx_error **err);

/* Does the text contain only UTF-8 without control characters (tab is
 * allowed)?  On failure *errmsg is a malloc'd description. */
bool profile_text_valid(const char *s, size_t len, char **errmsg);

/* An include value, checked: a profile name (is_path false) or an
 * expanded, normalised path that may be relative (is_path true). */
int profile_include_spec(const char *token, char **ret, bool *is_path, char **errmsg);

/* profile.c: parse one file's text into (section, key, value, line)
 * entries, with the line-level checks (length, UTF-8, NUL, syntax). */
struct ini_entry {
        char *section;
        char *key;
        char *value;
        unsigned line;
};
struct ini_bad_section {
        char *name;
        unsigned line;
};
struct ini_file {
        struct ini_entry *v;
        size_t n, cap;
        unsigned nsections;
        /* Sections with an unknown name: parsing goes on (their keys are
         * kept with the section's name), and the loader reports them with
         * the file's other errors, all at once. */
        struct ini_bad_section *bad;
        size_t nbad;
};
int profile_parse(const char *text, size_t len, const char *file, struct ini_file *ret,
                  struct sbx_error **err);
void profile_parse_done(struct ini_file *f);
/* Read a profile file (a regular file of at most PROFILE_MAX_SIZE); _id
 * also returns the fstat() of what was read. */
int profile_read_file(const char *path, char **ret, size_t *len);
struct stat;
int profile_read_file_id(const char *path, char **ret, size_t *len, struct stat *id);

/* profile_text.c: a profile name (what stands before ".ini"). */
bool profile_name_valid(const char *name);
/* profile_path.c: the directories searched for profile names, in order,
 * as a NULL-terminated malloc'd vector (sbx_strv_free); is `path` a
 * regular file (through symlinks, as a profile path may be one)? */
int profile_search_dirs(char ***ret);
bool profile_regular_file(const char *path);
/* profile_list.c: the [profile] description written in one file (not its
 * includes), or NULL.  *ret malloc'd. */
int profile_file_description(const char *path, char **ret);

/* policy.c helpers the language needs. */
int policy_add_mount(struct sbx_policy *p, const struct mount_op *m);
void policy_remove_mounts(struct sbx_policy *p, enum mount_kind kind, const char *path);
struct arg_rule *policy_arg_rule(struct sbx_policy *p, const char *syscall);
int policy_set_string(char **field, const char *value);
int policy_compute_warnings(struct sbx_policy *p);
/* Swap the contents of two policies (loading works on a copy). */
void policy_swap(struct sbx_policy *a, struct sbx_policy *b);
