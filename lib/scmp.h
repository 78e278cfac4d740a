/* scmp.h — libseccomp's API.  lib/seccomp.h (sbx's own module) has the
 * same name as libseccomp's <seccomp.h> and comes first on the include
 * path, so files that need libseccomp include this instead. */
#pragma once

#include_next <seccomp.h>
