/* syscalls.h — the named syscall groups (data) and name resolution.
 * Pure: no OS access beyond libseccomp's name tables. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

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
