/* error.c — the error object handed to library callers.  Owns only the
 * formatting of messages; never prints. */
#include <stdio.h>
#include <string.h>

#include "base/util.h"

struct sbx_error {
        enum sbx_error_kind kind;
        int errnum;
        unsigned line;
        char *file;
        char *step;
        char *message;
};

static int make(struct sbx_error **err, enum sbx_error_kind kind, int r, const char *file,
                unsigned line, const char *step, const char *fmt, va_list ap)
{
        if (!err)
                return r;
        struct sbx_error *e = calloc(1, sizeof(*e));
        if (!e)
                return r;
        char *body = NULL;
        if (vasprintf(&body, fmt, ap) < 0)
                body = NULL;
        int n;
        if (kind == SBX_ERROR_PROFILE && file)
                n = line ? asprintf(&e->message, "%s:%u: %s", file, line, body ? body : "?")
                         : asprintf(&e->message, "%s: %s", file, body ? body : "?");
        else if (step && r < 0 && r != -EINVAL && kind == SBX_ERROR_SETUP)
                n = asprintf(&e->message, "%s: %s: %s", step, body ? body : "?", strerror(-r));
        else if (step)
                n = asprintf(&e->message, "%s: %s", step, body ? body : "?");
        else
                n = asprintf(&e->message, "%s", body ? body : "?");
        if (n < 0)
                e->message = NULL;
        free(body);
        e->kind = kind;
        e->errnum = r < 0 ? -r : 0;
        e->line = line;
        e->file = file ? strdup(file) : NULL;
        e->step = step ? strdup(step) : NULL;
        sbx_error_free(*err);
        *err = e;
        return r;
}

int sbx_err_setup(struct sbx_error **err, int r, const char *step, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        make(err, SBX_ERROR_SETUP, r, NULL, 0, step, fmt, ap);
        va_end(ap);
        return r;
}

int sbx_err_at(struct sbx_error **err, int r, const char *file, unsigned line, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        make(err, SBX_ERROR_PROFILE, r, file ? file : "<input>", line, NULL, fmt, ap);
        va_end(ap);
        return r;
}

int sbx_err_kind(struct sbx_error **err, enum sbx_error_kind kind, int r, const char *step,
                 const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        make(err, kind, r, NULL, 0, step, fmt, ap);
        va_end(ap);
        return r;
}

SBX_EXPORT const char *sbx_error_message(const struct sbx_error *e)
{
        return e && e->message ? e->message : "out of memory";
}
SBX_EXPORT enum sbx_error_kind sbx_error_kind(const struct sbx_error *e)
{
        return e ? e->kind : SBX_ERROR_INTERNAL;
}
SBX_EXPORT const char *sbx_error_file(const struct sbx_error *e) { return e ? e->file : NULL; }
SBX_EXPORT unsigned sbx_error_line(const struct sbx_error *e) { return e ? e->line : 0; }
SBX_EXPORT const char *sbx_error_step(const struct sbx_error *e) { return e ? e->step : NULL; }
SBX_EXPORT int sbx_error_errno(const struct sbx_error *e) { return e ? e->errnum : 0; }

SBX_EXPORT void sbx_error_free(struct sbx_error *e)
{
        if (!e)
                return;
        free(e->file);
        free(e->step);
        free(e->message);
        free(e);
}
