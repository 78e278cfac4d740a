/* util.h — small helpers shared by every file of libsbx: cleanup
 * attributes with explicit ownership hand-off, and the internal error
 * constructors.  Nothing here touches the OS beyond close()/free(). */
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sbx.h"

/* memfd flags of Linux 6.3, newer than Debian 12's headers. */
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

#define SBX_EXPORT __attribute__((visibility("default")))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define _cleanup_(f) __attribute__((cleanup(f)))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _unused_ __attribute__((unused))

static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(int *fd)
{
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)

/* Hand ownership out of a cleanup variable. */
#define TAKE_PTR(p) ({ __typeof__(p) _p = (p); (p) = NULL; _p; })
#define TAKE_FD(fd) ({ int _fd = (fd); (fd) = -1; _fd; })

struct sbx_loc;

/* Fill *err (when err is non-NULL) and return r (a negative errno).
 * sbx_err_setup: "STEP: message: strerror(-r)".
 * sbx_err_at: "FILE:LINE: message" (kind PROFILE).  */
int sbx_err_setup(struct sbx_error **err, int r, const char *step, const char *fmt, ...) _printf_(4, 5);
int sbx_err_at(struct sbx_error **err, int r, const char *file, unsigned line, const char *fmt, ...)
        _printf_(5, 6);
int sbx_err_kind(struct sbx_error **err, enum sbx_error_kind kind, int r, const char *step,
                 const char *fmt, ...) _printf_(5, 6);
