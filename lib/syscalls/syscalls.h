/* syscalls.h — the named syscall groups (data) and name resolution.
 * Pure: no OS access; the name table is libseccomp's, copied at build
 * time (lib/gen/syscall_table.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct syscall_group {
        const char *name;    /* "@base", "@file-system", … */
        const char *help;    /* one line */
        const char *members; /* space-separated syscall names and @groups */
        bool dangerous;      /* always denied unless explicitly overridden */
};

extern const struct syscall_group syscall_groups[];
extern const size_t syscall_groups_count;

const struct syscall_group *syscall_group_find(const char *name);
/* true if `name` is a syscall libseccomp knows on the native arch, or a
 * group name.  Used by the profile validator for FILE:LINE errors. */
bool syscall_name_valid(const char *name);

/* The x86_64 number of a syscall name, or -1.  Async-signal-safe. */
int syscall_nr(const char *name);
/* The name of an x86_64 syscall number, or NULL.  Async-signal-safe. */
const char *syscall_name(int nr);
/* Which libseccomp release the table comes from ("2.5.4"). */
extern const char syscall_table_source[];

/* Call cb for each syscall name a group (recursively) or a name expands
 * to, duplicates included.  A non-zero return from cb stops the walk and
 * is returned; -ENOENT for an unknown name. */
int syscall_expand_each(const char *name, int (*cb)(const char *syscall, void *userdata),
                        void *userdata);
/* A set of x86_64 syscall numbers, one bit each. */
#define SYSCALL_NR_BOUND 1024
struct syscall_set {
        uint64_t w[SYSCALL_NR_BOUND / 64];
};
static inline bool syscall_set_has(const struct syscall_set *s, int nr)
{
        return nr >= 0 && nr < SYSCALL_NR_BOUND && (s->w[nr / 64] >> (nr % 64)) & 1;
}
/* Add what `name` (a syscall or @group) expands to into *s: 0, or -ENOENT
 * for an unknown name.  A group's set is computed once per process from
 * the table above (thread-safe); nothing is read from anywhere else. */
int syscall_set_add(struct syscall_set *s, const char *name);
/* The set of a group of the table (computed once). */
const struct syscall_set *syscall_group_set(const struct syscall_group *g);

/* Why @default keeps a syscall that Docker's default seccomp profile or
 * systemd's @system-service refuses or restricts (docs/default-filter.md). */
struct syscall_note {
        const char *name;
        const char *reason; /* one line */
};
extern const struct syscall_note syscall_default_notes[];
extern const size_t syscall_default_notes_count;
/* The reason for `name`, or NULL when it has none. */
const char *syscall_default_note(const char *name);

/* The first dangerous group `syscall` belongs to, or NULL. */
const struct syscall_group *syscall_dangerous_group(const char *syscall);

/* Word tables for argument rules and for decoding denied calls; pure and
 * async-signal-safe (the supervisor uses them in the child). */
struct syscall_const {
        const char *name;
        unsigned long value;
};
extern const struct syscall_const syscall_af_names[];    /* "unix" → AF_UNIX … */
extern const struct syscall_const syscall_ioctl_names[]; /* "TIOCSTI" … */
extern const struct syscall_const syscall_ptrace_names[];
extern const struct syscall_const syscall_prctl_names[];
extern const struct syscall_const syscall_clone_flags[];
/* Look a word up (case-insensitive) in a NULL-terminated table: 0 or -ENOENT. */
int syscall_const_value(const struct syscall_const *t, const char *name, unsigned long *ret);
/* The name of value in t, or NULL. */
const char *syscall_const_name(const struct syscall_const *t, unsigned long value);
