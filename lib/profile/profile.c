/* profile.c — reading profiles: the line reader under inih (line numbers,
 * length, UTF-8, NUL and syntax checks), includes (search path, cycles,
 * depth), and the public loaders sbx_policy_load/load_string/set.  Every
 * load works on a copy that replaces the policy only when the whole
 * profile, includes and final validation succeeded.
 *
 * inih is configured through process-global variables (Debian builds it
 * with runtime settings): they are set and restored under one mutex, and
 * the reader refuses a line that does not fit inih's buffer, so another
 * user of inih in the same process that changes them cannot make us split
 * a line in two. */
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <ini.h>

#include "base/strbuf.h"
#include "profile/profile.h"
#include "base/util.h"

/* ---- one file's text into entries ------------------------------------- */

struct reader {
        const char *text;
        size_t len, pos;
        unsigned line;
        const char *file;
        bool in_section;
        int error;              /* first error, reported in *err */
        struct sbx_error **err;
        struct ini_file *out;
};

static int rfail(struct reader *rd, const char *fmt, ...) _printf_(2, 3);
static int rfail(struct reader *rd, const char *fmt, ...)
{
        char *body = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&body, fmt, ap);
        va_end(ap);
        if (n < 0) {
                rd->error = -ENOMEM;
                return -ENOMEM;
        }
        rd->error = sbx_err_at(rd->err, -EINVAL, rd->file, rd->line, "%s", body);
        free(body);
        return rd->error;
}

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

/* An unknown section is an error reported with the file's others (see
 * check_entries), not one that stops reading it. */
static int bad_section(struct reader *rd, const char *name)
{
        struct ini_file *f = rd->out;
        struct ini_bad_section *nv = reallocarray(f->bad, f->nbad + 1, sizeof(*nv));
        if (!nv)
                return rd->error = -ENOMEM;
        f->bad = nv;
        if (!(f->bad[f->nbad].name = strdup(name)))
                return rd->error = -ENOMEM;
        f->bad[f->nbad++].line = rd->line;
        return 0;
}

/* The line is valid UTF-8 without control characters: only its shape is
 * left to check.  inih reads `key: value` too and ignores text after ']';
 * both are refused here so that a profile means one thing. */
static int check_syntax(struct reader *rd, const char *s, size_t n)
{
        size_t i = 0;
        while (i < n && is_blank(s[i]))
                i++;
        if (i == n || s[i] == ';' || s[i] == '#')
                return 0;
        if (s[i] == '[') {
                const char *close = memchr(s + i, ']', n - i);
                if (!close)
                        return rfail(rd, "expected ']' to close the section name");
                size_t k = (size_t)(close - s) + 1;
                while (k < n && is_blank(s[k]))
                        k++;
                if (k < n && s[k] != ';' && s[k] != '#')
                        return rfail(rd, "unexpected text after [section]");
                size_t len = (size_t)(close - s) - i - 1;
                char name[32];
                if (len == 0 || len >= sizeof(name))
                        return rfail(rd, "unknown section [%.*s]", (int)len, s + i + 1);
                memcpy(name, s + i + 1, len);
                name[len] = 0;
                rd->in_section = true;
                if (!profile_section_valid(name))
                        return bad_section(rd, name);
                return 0;
        }
        const char *eq = memchr(s + i, '=', n - i);
        if (!eq)
                return rfail(rd, "expected 'key = value' or '[section]'");
        size_t klen = (size_t)(eq - s) - i;
        while (klen > 0 && is_blank(s[i + klen - 1]))
                klen--;
        if (klen == 0)
                return rfail(rd, "expected a key before '='");
        for (size_t k = 0; k < klen; k++) {
                char c = s[i + k];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_'))
                        return rfail(rd, "expected 'key = value': '%.*s' is not a key", (int)klen, s + i);
        }
        if (!rd->in_section)
                return rfail(rd, "'%.*s' is outside a section", (int)klen, s + i);
        return 0;
}

static char *read_line(char *str, int num, void *stream)
{
        struct reader *rd = stream;
        if (rd->error || rd->pos >= rd->len)
                return NULL;
        const char *s = rd->text + rd->pos;
        const char *nl = memchr(s, '\n', rd->len - rd->pos);
        size_t n = nl ? (size_t)(nl - s) : rd->len - rd->pos;
        rd->pos += n + (nl ? 1 : 0);
        rd->line++;
        if (n > PROFILE_MAX_LINE) {
                rfail(rd, "line too long (more than %d bytes)", PROFILE_MAX_LINE);
                return NULL;
        }
        if (n > 0 && s[n - 1] == '\r')
                n--;
        if (rd->line == 1 && n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
                s += 3;
                n -= 3;
        }
        char *why = NULL;
        if (!profile_text_valid(s, n, &why)) {
                if (why)
                        rfail(rd, "%s", why);
                else
                        rd->error = -ENOMEM;
                free(why);
                return NULL;
        }
        if (check_syntax(rd, s, n) < 0)
                return NULL;
        if (num < 2 || n + 2 > (size_t)num) {
                rfail(rd, "line too long for the INI parser");
                return NULL;
        }
        memcpy(str, s, n);
        str[n] = '\n';
        str[n + 1] = 0;
        return str;
}

static int on_entry(void *user, const char *section, const char *name, const char *value)
{
        struct reader *rd = user;
        struct ini_file *f = rd->out;
        if (rd->error)
                return 0;
        if (f->n >= PROFILE_MAX_ENTRIES) {
                rfail(rd, "more than %d keys in one file", PROFILE_MAX_ENTRIES);
                return 0;
        }
        if (f->n == f->cap) {
                size_t nc = f->cap ? f->cap * 2 : 32;
                struct ini_entry *nv = reallocarray(f->v, nc, sizeof(*nv));
                if (!nv)
                        goto nomem;
                f->v = nv;
                f->cap = nc;
        }
        struct ini_entry *e = &f->v[f->n];
        *e = (struct ini_entry){ .section = strdup(section), .key = strdup(name),
                                 .value = strdup(value ? value : ""), .line = rd->line };
        if (!e->section || !e->key || !e->value) {
                free(e->section);
                free(e->key);
                free(e->value);
                goto nomem;
        }
        f->n++;
        return 1;
nomem:
        rd->error = -ENOMEM;
        return 0;
}

static pthread_mutex_t ini_lock = PTHREAD_MUTEX_INITIALIZER;

int profile_parse(const char *text, size_t len, const char *file, struct ini_file *ret,
                  struct sbx_error **err)
{
        static char comment_prefixes[] = ";#", no_prefixes[] = "";
        struct reader rd = { .text = text, .len = len, .file = file, .err = err, .out = ret };

        *ret = (struct ini_file){ 0 };
        pthread_mutex_lock(&ini_lock);
        const int o_max = ini_max_line;
        const bool o_multi = ini_allow_multiline, o_bom = ini_allow_bom, o_inline = ini_allow_inline_comments,
                   o_stack = ini_use_stack, o_stop = ini_stop_on_first_error, o_noval = ini_allow_no_value;
        char *const o_start = ini_start_comment_prefixes, *const o_iprefix = ini_inline_comment_prefixes;
        ini_max_line = PROFILE_MAX_LINE + 8;
        ini_allow_multiline = false;
        ini_allow_bom = false;
        ini_allow_inline_comments = false; /* the tokenizer knows about quotes */
        ini_inline_comment_prefixes = no_prefixes;
        ini_start_comment_prefixes = comment_prefixes;
        ini_use_stack = true;
        ini_stop_on_first_error = true;
        ini_allow_no_value = false;
        int r = ini_parse_stream(read_line, &rd, on_entry, &rd);
        ini_max_line = o_max;
        ini_allow_multiline = o_multi;
        ini_allow_bom = o_bom;
        ini_allow_inline_comments = o_inline;
        ini_inline_comment_prefixes = o_iprefix;
        ini_start_comment_prefixes = o_start;
        ini_use_stack = o_stack;
        ini_stop_on_first_error = o_stop;
        ini_allow_no_value = o_noval;
        pthread_mutex_unlock(&ini_lock);

        if (!rd.error && r > 0) {
                rd.line = (unsigned)r;
                rfail(&rd, "syntax error");
        } else if (!rd.error && r < 0) {
                rd.error = -ENOMEM;
        }
        if (!rd.error && ret->n == 0 && !rd.in_section) {
                rd.line = 1;
                rfail(&rd, "empty profile: no [section] and no keys");
        }
        if (rd.error) {
                profile_parse_done(ret);
                return rd.error;
        }
        return 0;
}

void profile_parse_done(struct ini_file *f)
{
        for (size_t i = 0; i < f->n; i++) {
                free(f->v[i].section);
                free(f->v[i].key);
                free(f->v[i].value);
        }
        free(f->v);
        for (size_t i = 0; i < f->nbad; i++)
                free(f->bad[i].name);
        free(f->bad);
        *f = (struct ini_file){ 0 };
}

int profile_read_file_id(const char *path, char **ret, size_t *len, struct stat *id)
{
        /* O_NONBLOCK: a FIFO named as a profile must not hang us. */
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (id)
                *id = st;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        if (st.st_size > PROFILE_MAX_SIZE)
                return -EFBIG;
        size_t cap = (size_t)st.st_size + 1, n = 0;
        _cleanup_free_ char *buf = malloc(cap + 1);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                if (n == cap)
                        return -EFBIG; /* grew while we read it */
                ssize_t k = read(fd, buf + n, cap - n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                n += (size_t)k;
        }
        buf[n] = 0;
        *ret = TAKE_PTR(buf);
        *len = n;
        return 0;
}

int profile_read_file(const char *path, char **ret, size_t *len)
{
        return profile_read_file_id(path, ret, len, NULL);
}

static const char *read_error(int r)
{
        switch (r) {
        case -EINVAL: return "not a regular file";
        case -EFBIG: return "profile too large (more than 1 MiB)";
        default: return strerror(-r);
        }
}

/* ---- includes ---------------------------------------------------------- */

struct frame {
        dev_t dev;  /* the file's identity, for cycles (whatever */
        ino_t ino;  /* path, link or bind reached it) */
        char *name; /* profile name, for messages */
};

struct loader {
        struct sbx_policy *p;
        struct sbx_error **err;
        unsigned nfiles;
        struct frame chain[PROFILE_MAX_DEPTH + 2];
        size_t depth;
};

static char *profile_name_of(const char *path)
{
        const char *b = strrchr(path, '/');
        b = b ? b + 1 : path;
        size_t n = strlen(b);
        if (n > 4 && strcmp(b + n - 4, ".ini") == 0)
                n -= 4;
        return strndup(b, n);
}

/* "a -> b -> c" for the current chain plus `last`. */
static char *chain_text(const struct loader *L, const char *last)
{
        size_t n = strlen(last) + 1;
        for (size_t i = 0; i < L->depth; i++)
                n += strlen(L->chain[i].name) + 4;
        char *s = malloc(n);
        if (!s)
                return NULL;
        *s = 0;
        for (size_t i = 0; i < L->depth; i++) {
                strcat(s, L->chain[i].name);
                strcat(s, " -> ");
        }
        strcat(s, last);
        return s;
}

static int load_entries(struct loader *L, const char *file, const char *dir, const struct ini_file *f,
                        const char *default_name);

/* Load one file.  `at` is the include line (file NULL for the top). */
static int load_file(struct loader *L, const char *path, struct sbx_loc at)
{
        _cleanup_free_ char *name = profile_name_of(path);
        _cleanup_free_ char *text = NULL, *dir = NULL;
        size_t len = 0;
        struct stat id;
        int r;

        if (!name)
                return -ENOMEM;
        r = profile_read_file_id(path, &text, &len, &id);
        if (r < 0) {
                if (r == -ENOMEM)
                        return r;
                if (at.file)
                        return sbx_err_at(L->err, r, at.file, at.line, "include %s: %s", path, read_error(r));
                return sbx_err_at(L->err, r, path, 0, "%s", read_error(r));
        }
        for (size_t i = 0; i < L->depth; i++)
                if (L->chain[i].dev == id.st_dev && L->chain[i].ino == id.st_ino) {
                        _cleanup_free_ char *c = chain_text(L, name);
                        return sbx_err_at(L->err, -ELOOP, at.file, at.line, "include cycle: %s", c ? c : name);
                }
        if (L->depth > PROFILE_MAX_DEPTH) {
                _cleanup_free_ char *c = chain_text(L, name);
                return sbx_err_at(L->err, -ELOOP, at.file, at.line, "includes nested deeper than %d: %s",
                                  PROFILE_MAX_DEPTH, c ? c : name);
        }
        if (++L->nfiles > PROFILE_MAX_FILES)
                return sbx_err_at(L->err, -E2BIG, at.file, at.line,
                                  "more than %d profile files read for one load", PROFILE_MAX_FILES);
        const char *file = policy_intern_file(L->p, path);
        if (!file)
                return -ENOMEM;
        struct ini_file f;
        if ((r = profile_parse(text, len, file, &f, L->err)) < 0)
                return r;
        const char *slash = strrchr(path, '/');
        dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
        if (!dir) {
                profile_parse_done(&f);
                return -ENOMEM;
        }
        L->chain[L->depth++] = (struct frame){ id.st_dev, id.st_ino, name };
        r = load_entries(L, file, dir, &f, name);
        L->depth--;
        profile_parse_done(&f);
        return r;
}

/* Where an include value points.  dir: the including file's directory
 * (NULL for text in memory: relative paths are then relative to the
 * working directory). */
static int resolve_include(struct loader *L, const char *token, const char *dir, struct sbx_loc at,
                           char **ret)
{
        _cleanup_free_ char *spec = NULL;
        char *msg = NULL;
        bool is_path = false;
        int r = profile_include_spec(token, &spec, &is_path, &msg);
        if (r == -EINVAL) {
                r = sbx_err_at(L->err, r, at.file, at.line, "[profile] include: %s", msg ? msg : "bad value");
                free(msg);
                return r;
        }
        if (r < 0)
                return r;
        if (is_path) {
                if (spec[0] == '/' || !dir) {
                        *ret = TAKE_PTR(spec);
                        return 0;
                }
                return asprintf(ret, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, spec) < 0 ? -ENOMEM : 0;
        }
        r = sbx_profile_find(spec, ret);
        if (r != -ENOENT)
                return r;
        /* Not in the search path: a fragment next to the including file. */
        if (dir) {
                _cleanup_free_ char *cand = NULL;
                struct stat st;
                if (asprintf(&cand, "%s/%s.ini", strcmp(dir, "/") == 0 ? "" : dir, spec) < 0)
                        return -ENOMEM;
                if (stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
                        *ret = TAKE_PTR(cand);
                        return 0;
                }
        }
        return sbx_err_at(L->err, -ENOENT, at.file, at.line,
                          "include %s: no such profile in the search path%s (see sbx list)", spec,
                          dir ? " or next to this file" : "");
}

/* The errors of one file, all of them (up to a bound), in line order: the
 * first is the error object's file and line, the others follow it as
 * further "FILE:LINE: message" lines of its message. */
#define PROFILE_MAX_ERRORS 20
struct errors {
        const char *file;
        int first;             /* its -errno */
        unsigned first_line;
        char *first_msg;       /* without "FILE:LINE: " */
        struct sbuf more;
        unsigned n;
};

static void errors_add(struct errors *x, int r, unsigned line, const char *msg)
{
        if (x->n++ == 0) {
                x->first = r;
                x->first_line = line;
                x->first_msg = strdup(msg);
        } else if (x->n <= PROFILE_MAX_ERRORS) {
                sbuf_printf(&x->more, "\n%s:%u: %s", x->file, line, msg);
        }
}

static void bad_section_error(struct errors *x, const struct ini_bad_section *b)
{
        const char *s = profile_section_suggest(b->name);
        char msg[160];
        if (s)
                snprintf(msg, sizeof(msg), "unknown section [%s] (did you mean [%s]?)", b->name, s);
        else
                snprintf(msg, sizeof(msg), "unknown section [%s]", b->name);
        errors_add(x, -EINVAL, b->line, msg);
}

static int check_entries(const char *file, const struct ini_file *f, struct sbx_error **err)
{
        struct sbx_policy scratch;
        struct apply_state st = { 0 };
        struct errors x = { .file = file };
        int r = policy_init(&scratch);
        const char *name = r >= 0 ? policy_intern_file(&scratch, file) : NULL;
        if (!name)
                r = -ENOMEM;
        size_t b = 0;
        for (size_t i = 0; r >= 0 && i < f->n; i++) {
                const struct ini_entry *e = &f->v[i];
                for (; b < f->nbad && f->bad[b].line < e->line; b++)
                        bad_section_error(&x, &f->bad[b]);
                if (!profile_section_valid(e->section))
                        continue; /* its section is reported */
                const struct key_def *k = profile_key_find(e->section, e->key);
                if (!k) {
                        const struct key_def *s = profile_key_suggest(e->section, e->key);
                        char msg[256];
                        if (s && strcmp(s->section, e->section) == 0)
                                snprintf(msg, sizeof(msg), "unknown key '%s' in [%s] (did you mean '%s'?)",
                                         e->key, e->section, s->name);
                        else if (s)
                                snprintf(msg, sizeof(msg), "unknown key '%s' in [%s] (it is a key of [%s])",
                                         e->key, e->section, s->section);
                        else
                                snprintf(msg, sizeof(msg), "unknown key '%s' in [%s]", e->key, e->section);
                        errors_add(&x, -EINVAL, e->line, msg);
                        continue;
                }
                struct sbx_error *one = NULL;
                int k_r = profile_apply(&scratch, k, e->value, (struct sbx_loc){ name, e->line }, &st, &one);
                if (k_r == -ENOMEM) {
                        sbx_error_free(one);
                        r = -ENOMEM;
                } else if (k_r < 0) {
                        /* Its message, without the "FILE:LINE: " it starts with. */
                        const char *m = sbx_error_message(one);
                        size_t fl = strlen(file);
                        if (strncmp(m, file, fl) == 0 && m[fl] == ':') {
                                const char *sp = strstr(m + fl + 1, ": ");
                                m = sp ? sp + 2 : m;
                        }
                        errors_add(&x, k_r, e->line, m);
                        sbx_error_free(one);
                }
        }
        for (; r >= 0 && b < f->nbad; b++)
                bad_section_error(&x, &f->bad[b]);
        policy_done(&scratch);
        if (r >= 0 && x.n > 0) {
                if (x.n > PROFILE_MAX_ERRORS)
                        sbuf_printf(&x.more, "\n%s: %u more errors not shown", file, x.n - PROFILE_MAX_ERRORS);
                char *more = NULL;
                if (sbuf_take(&x.more, &more) < 0 || !x.first_msg)
                        r = -ENOMEM;
                else
                        r = sbx_err_at(err, x.first, file, x.first_line, "%s%s", x.first_msg, more ? more : "");
                free(more);
        }
        sbuf_done(&x.more);
        free(x.first_msg);
        return r;
}

static int load_entries(struct loader *L, const char *file, const char *dir, const struct ini_file *f,
                        const char *default_name)
{
        struct sbx_policy *p = L->p;
        struct apply_state st = { 0 };
        bool named = false;
        int r;

        /* Every line of this file is checked, in line order, before any
         * include is read: the first error reported is the first line. */
        if ((r = check_entries(file, f, L->err)) < 0)
                return r;

        /* An include's own name and description describe the include. */
        char *name = TAKE_PTR(p->name), *description = TAKE_PTR(p->description);
        struct sbx_loc name_loc = p->scalar_loc[K_NAME], description_loc = p->scalar_loc[K_DESCRIPTION];
        for (size_t i = 0; r >= 0 && i < f->n; i++) {
                const struct ini_entry *e = &f->v[i];
                if (strcmp(e->section, "profile") != 0 || strcmp(e->key, "include") != 0)
                        continue;
                struct sbx_loc at = { file, e->line };
                struct token *t = NULL;
                size_t n = 0;
                const char *why = NULL;
                if ((r = profile_tokenize(e->value, false, &t, &n, &why)) < 0)
                        break;
                for (size_t j = 0; r >= 0 && j < n; j++) {
                        _cleanup_free_ char *path = NULL;
                        r = resolve_include(L, t[j].text, dir, at, &path);
                        if (r >= 0)
                                r = strlist_add(&p->includes, path, at);
                        if (r >= 0)
                                r = load_file(L, path, at);
                }
                profile_tokens_free(t, n);
        }
        free(p->name);
        free(p->description);
        p->name = name;
        p->description = description;
        p->scalar_loc[K_NAME] = name_loc;
        p->scalar_loc[K_DESCRIPTION] = description_loc;
        if (r < 0)
                return r;

        for (size_t i = 0; r >= 0 && i < f->n; i++) {
                const struct ini_entry *e = &f->v[i];
                const struct key_def *k = profile_key_find(e->section, e->key);
                if (!k)
                        return -EINVAL; /* check_entries() refused it already */
                if (k->id == K_INCLUDE)
                        continue;
                named = named || k->id == K_NAME;
                r = profile_apply(p, k, e->value, (struct sbx_loc){ file, e->line }, &st, L->err);
        }
        if (r >= 0 && !named && default_name && profile_name_valid(default_name)) {
                r = policy_set_string(&p->name, default_name);
                p->scalar_loc[K_NAME] = (struct sbx_loc){ file, 0 };
        }
        return r;
}

/* ---- public loaders ---------------------------------------------------- */

/* Validate the loaded copy and swap it in (its warnings are computed
 * when asked for: sbx_policy_warnings). */
static int commit(struct sbx_policy *p, struct sbx_policy *copy, struct sbx_error **err)
{
        int r = sbx_policy_validate(copy, err);
        if (r >= 0)
                policy_swap(p, copy);
        sbx_policy_free(copy);
        return r;
}

/* A bind given as two paths, not as profile text: every byte but NUL is
 * part of the path (spaces, quotes, ':', '=', newlines, bytes that are not
 * UTF-8), nothing is expanded, and the same checks as a profile line
 * apply (absolute, no '..', normalised; conflicts through validation). */
int profile_add_bind(struct sbx_policy *p, const char *src, const char *dst, unsigned flags,
                     const char *origin, struct sbx_error **err)
{
        const char *key = flags & SBX_BIND_RO ? "ro-bind" : "bind";
        if (!p || !src)
                return -EINVAL;
        if (!origin || !*origin)
                origin = "sbx_policy_add_bind";
        if (flags & ~(unsigned)(SBX_BIND_RO | SBX_BIND_OPTIONAL | SBX_BIND_EXEC))
                return sbx_err_at(err, -EINVAL, origin, 0, "unknown flags 0x%x", flags);
        if ((flags & SBX_BIND_RO) && (flags & SBX_BIND_EXEC))
                return sbx_err_at(err, -EINVAL, origin, 0, "[filesystem] ro-bind: ':exec' only applies to bind and tmpfs");
        _cleanup_free_ char *a = NULL, *b = NULL;
        const char *why = NULL;
        const char *bad = src;
        int r = profile_normalize_path(src, &a, &why);
        if (r >= 0 && dst) {
                bad = dst;
                r = profile_normalize_path(dst, &b, &why);
        } else if (r >= 0 && !(b = strdup(a)))
                r = -ENOMEM;
        if (r == -EINVAL)
                return sbx_err_at(err, r, origin, 0, "[filesystem] %s: %s: '%s'", key, why, bad);
        if (r < 0)
                return r;
        struct sbx_policy *copy = NULL;
        if ((r = sbx_policy_dup(p, &copy)) < 0)
                return r;
        const char *file = policy_intern_file(copy, origin);
        struct mount_op m = {
                .kind = flags & SBX_BIND_RO ? MOUNT_RO_BIND : MOUNT_BIND,
                .src = a,
                .dst = b,
                .flags = (flags & SBX_BIND_OPTIONAL ? MOUNT_F_OPTIONAL : 0) |
                         (flags & SBX_BIND_EXEC ? MOUNT_F_EXEC : 0),
                .loc = { file, 0 },
        };
        r = file ? policy_add_mount(copy, &m) : -ENOMEM;
        if (r < 0) {
                sbx_policy_free(copy);
                return r;
        }
        return commit(p, copy, err);
}

SBX_EXPORT int sbx_policy_add_bind(struct sbx_policy *p, const char *src, const char *dst,
                                   unsigned flags, struct sbx_error **err)
{
        return profile_add_bind(p, src, dst, flags, "sbx_policy_add_bind", err);
}

SBX_EXPORT int sbx_policy_add_bind_from(struct sbx_policy *p, const char *src, const char *dst,
                                        unsigned flags, const char *origin, struct sbx_error **err)
{
        return profile_add_bind(p, src, dst, flags, origin, err);
}

static char *search_path_text(void)
{
        char **dirs = NULL;
        if (profile_search_dirs(&dirs) < 0)
                return NULL;
        size_t n = 1;
        for (char **d = dirs; *d; d++)
                n += strlen(*d) + 1;
        char *s = calloc(1, n);
        for (char **d = dirs; s && *d; d++) {
                if (d != dirs)
                        strcat(s, ":");
                strcat(s, *d);
        }
        sbx_strv_free(dirs);
        return s;
}

static bool looks_like_path(const char *s)
{
        size_t n = strlen(s);
        return strchr(s, '/') || (n > 4 && strcmp(s + n - 4, ".ini") == 0);
}

SBX_EXPORT int sbx_policy_load(struct sbx_policy *p, const char *name_or_path, struct sbx_error **err)
{
        _cleanup_free_ char *path = NULL;
        struct sbx_policy *copy = NULL;
        int r;

        if (!p || !name_or_path || !*name_or_path)
                return -EINVAL;
        if (looks_like_path(name_or_path)) {
                if (!(path = strdup(name_or_path)))
                        return -ENOMEM;
        } else if (!profile_name_valid(name_or_path)) {
                return sbx_err_at(err, -EINVAL, name_or_path, 0,
                                  "not a profile name ([A-Za-z0-9_.-]) or a path");
        } else if ((r = sbx_profile_find(name_or_path, &path)) < 0) {
                if (r != -ENOENT)
                        return r;
                _cleanup_free_ char *dirs = search_path_text();
                return sbx_err_at(err, -ENOENT, name_or_path, 0, "no such profile in the search path (%s)",
                                  dirs ? dirs : "?");
        }
        if ((r = sbx_policy_dup(p, &copy)) < 0)
                return r;
        struct loader L = { .p = copy, .err = err };
        r = load_file(&L, path, (struct sbx_loc){ NULL, 0 });
        if (r < 0) {
                sbx_policy_free(copy);
                return r;
        }
        return commit(p, copy, err);
}

SBX_EXPORT int sbx_policy_load_string(struct sbx_policy *p, const char *ini, const char *origin,
                                      struct sbx_error **err)
{
        struct sbx_policy *copy = NULL;
        struct ini_file f;
        int r;

        if (!p || !ini)
                return -EINVAL;
        if (!origin || !*origin)
                origin = "<string>";
        if ((r = sbx_policy_dup(p, &copy)) < 0)
                return r;
        const char *file = policy_intern_file(copy, origin);
        if (!file) {
                sbx_policy_free(copy);
                return -ENOMEM;
        }
        size_t len = strlen(ini);
        if (len > PROFILE_MAX_SIZE)
                r = sbx_err_at(err, -EFBIG, origin, 0, "%s", read_error(-EFBIG));
        else
                r = profile_parse(ini, len, file, &f, err);
        if (r < 0) {
                sbx_policy_free(copy);
                return r;
        }
        size_t n = strlen(origin);
        _cleanup_free_ char *name = n > 4 && strcmp(origin + n - 4, ".ini") == 0 ? profile_name_of(origin) : NULL;
        struct loader L = { .p = copy, .err = err };
        r = load_entries(&L, file, NULL, &f, name);
        profile_parse_done(&f);
        if (r < 0) {
                sbx_policy_free(copy);
                return r;
        }
        return commit(p, copy, err);
}

SBX_EXPORT int sbx_policy_set(struct sbx_policy *p, const char *section, const char *key, const char *value,
                              const char *origin, struct sbx_error **err)
{
        struct sbx_policy *copy = NULL;
        int r;

        if (!p || !section || !key || !value)
                return -EINVAL;
        if (!origin || !*origin)
                origin = "<set>";
        if (!profile_section_valid(section))
                return sbx_err_at(err, -EINVAL, origin, 0, "unknown section [%s]", section);
        const struct key_def *k = profile_key_find(section, key);
        if (!k)
                return sbx_err_at(err, -EINVAL, origin, 0, "unknown key '%s' in [%s]", key, section);
        if ((r = sbx_policy_dup(p, &copy)) < 0)
                return r;
        const char *file = policy_intern_file(copy, origin);
        struct sbx_loc loc = { file, 0 };
        if (!file)
                r = -ENOMEM;
        else
                r = profile_apply(copy, k, value, loc, NULL, err);
        if (r >= 0 && k->id == K_INCLUDE) {
                struct loader L = { .p = copy, .err = err };
                struct token *t = NULL;
                size_t n = 0;
                const char *why = NULL;
                r = profile_tokenize(value, false, &t, &n, &why);
                for (size_t j = 0; r >= 0 && j < n; j++) {
                        _cleanup_free_ char *path = NULL;
                        r = resolve_include(&L, t[j].text, NULL, loc, &path);
                        if (r >= 0)
                                r = strlist_add(&copy->includes, path, loc);
                        if (r >= 0)
                                r = load_file(&L, path, loc);
                }
                profile_tokens_free(t, n);
        }
        if (r < 0) {
                sbx_policy_free(copy);
                return r;
        }
        return commit(p, copy, err);
}

/* Conveniences of the public API, in terms of sbx_policy_set(). */
SBX_EXPORT int sbx_policy_allow_syscalls(struct sbx_policy *p, const char *names,
                                         struct sbx_error **err)
{
        if (!p || !names)
                return -EINVAL;
        return sbx_policy_set(p, "seccomp", "allow", names, "sbx_policy_allow_syscalls", err);
}

SBX_EXPORT int sbx_policy_set_network(struct sbx_policy *p, enum sbx_net mode, struct sbx_error **err)
{
        if (!p)
                return -EINVAL;
        switch (mode) {
        case SBX_NET_NONE:
                return sbx_policy_set(p, "network", "mode", "none", "sbx_policy_set_network", err);
        case SBX_NET_HOST:
                return sbx_policy_set(p, "network", "mode", "host", "sbx_policy_set_network", err);
        case SBX_NET_PASTA:
                return sbx_policy_set(p, "network", "mode", "pasta", "sbx_policy_set_network", err);
        }
        return sbx_err_at(err, -EINVAL, "sbx_policy_set_network", 0, "unknown mode %d", (int)mode);
}
