/* profile_text.c — the lexical layer of the profile language: which
 * bytes a profile may hold (UTF-8, no control characters), how a value
 * splits into words (whitespace, double quotes, '!', trailing comments),
 * ${VAR}, $$ and ~ expansion from the caller's environment, and path
 * normalisation.  Pure apart from getenv(); knows nothing about keys. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/util.h"
#include "profile/profile.h"

/* ---- text -------------------------------------------------------------- */

bool profile_text_valid(const char *s, size_t len, char **errmsg)
{
        const unsigned char *u = (const unsigned char *)s;
        for (size_t i = 0; i < len;) {
                unsigned c = u[i];
                if (c == 0) {
                        if (asprintf(errmsg, "NUL byte at column %zu", i + 1) < 0)
                                *errmsg = NULL;
                        return false;
                }
                if (c < 0x80) {
                        if ((c < 0x20 && c != '\t') || c == 0x7f) {
                                if (asprintf(errmsg, "control character 0x%02x at column %zu", c, i + 1) < 0)
                                        *errmsg = NULL;
                                return false;
                        }
                        i++;
                        continue;
                }
                size_t n;
                unsigned cp, min;
                if ((c & 0xe0) == 0xc0)
                        n = 2, cp = c & 0x1f, min = 0x80;
                else if ((c & 0xf0) == 0xe0)
                        n = 3, cp = c & 0x0f, min = 0x800;
                else if ((c & 0xf8) == 0xf0)
                        n = 4, cp = c & 0x07, min = 0x10000;
                else
                        goto bad;
                if (i + n > len)
                        goto bad;
                for (size_t k = 1; k < n; k++) {
                        if ((u[i + k] & 0xc0) != 0x80)
                                goto bad;
                        cp = (cp << 6) | (u[i + k] & 0x3f);
                }
                /* Overlong forms, surrogates and values past U+10FFFF are
                 * not UTF-8; C1 controls (CSI…) could drive a terminal
                 * that prints our messages. */
                if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
                        goto bad;
                if (cp >= 0x80 && cp <= 0x9f) {
                        if (asprintf(errmsg, "control character U+%04X at column %zu", cp, i + 1) < 0)
                                *errmsg = NULL;
                        return false;
                }
                i += n;
                continue;
        bad:
                if (asprintf(errmsg, "not UTF-8 (byte 0x%02x at column %zu)", c, i + 1) < 0)
                        *errmsg = NULL;
                return false;
        }
        return true;
}

void profile_tokens_free(struct token *t, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(t[i].text);
                free(t[i].split);
        }
        free(t);
}

void profile_token_literal(char *s)
{
        for (; *s; s++)
                if (*s == PROFILE_LITERAL_COLON)
                        *s = ':';
                else if (*s == PROFILE_LITERAL_NEWLINE)
                        *s = '\n';
}

int profile_tokenize(const char *value, bool bang, struct token **ret, size_t *ret_n,
                     const char **errmsg)
{
        struct token *v = NULL;
        size_t n = 0;
        size_t len = strlen(value);
        _cleanup_free_ char *buf = malloc(len + 1);
        const char *s = value;

        if (!buf)
                return -ENOMEM;
        for (;;) {
                while (*s == ' ' || *s == '\t')
                        s++;
                if (!*s || *s == ';' || *s == '#')
                        break;
                size_t k = 0;
                bool remove = false, quoted = false, literal = false;
                if (bang && *s == '!') {
                        remove = true;
                        s++;
                }
                while (*s && *s != ' ' && *s != '\t') {
                        if (*s != '"') {
                                buf[k++] = *s++;
                                continue;
                        }
                        quoted = true;
                        s++;
                        for (;;) {
                                if (!*s) {
                                        *errmsg = "unterminated quote";
                                        goto fail;
                                }
                                if (*s == '"') {
                                        s++;
                                        break;
                                }
                                if (*s == '\\' && (s[1] == ':' || s[1] == 'n')) {
                                        /* a colon that separates nothing,
                                         * a newline: paths that hold them
                                         * (sbx show writes them so) */
                                        buf[k++] = s[1] == ':' ? PROFILE_LITERAL_COLON : PROFILE_LITERAL_NEWLINE;
                                        literal = true;
                                        s += 2;
                                        continue;
                                }
                                if (*s == '\\') {
                                        if (s[1] != '"' && s[1] != '\\') {
                                                *errmsg = "inside quotes only \\\", \\\\, \\: and \\n are escapes";
                                                goto fail;
                                        }
                                        s++;
                                }
                                buf[k++] = *s++;
                        }
                }
                if (remove && k == 0 && !quoted) {
                        *errmsg = "'!' needs a value to remove";
                        goto fail;
                }
                buf[k] = 0;
                struct token *nv = reallocarray(v, n + 1, sizeof(*v));
                if (!nv)
                        goto nomem;
                v = nv;
                v[n].split = NULL;
                if (!(v[n].text = strdup(buf)))
                        goto nomem;
                v[n].remove = remove;
                if (literal) {
                        v[n].split = v[n].text;
                        if (!(v[n].text = strdup(buf))) {
                                v[n].text = TAKE_PTR(v[n].split);
                                n++;
                                goto nomem;
                        }
                        profile_token_literal(v[n].text);
                }
                n++;
        }
        *ret = v;
        *ret_n = n;
        return 0;
nomem:
        profile_tokens_free(v, n);
        return -ENOMEM;
fail:
        profile_tokens_free(v, n);
        return -EINVAL;
}

/* ---- expansion and paths ----------------------------------------------- */

#define MAX_EXPANDED 16384

/* Appends to an expansion, which may not grow past MAX_EXPANDED. */
static int sbuf_add(struct sbuf *b, const char *s, size_t n)
{
        if (b->len + n + 1 > MAX_EXPANDED)
                return -E2BIG;
        sbuf_putn(b, s, n);
        return b->err;
}

/* In a path (tilde expansion on), a variable's value is taken byte for
 * byte: ${PWD} or ${HOME} may hold anything a file name can (':', a
 * newline, bytes that are not UTF-8).  It is expanded after the value was
 * split, so nothing in it can act as syntax.  Other values must be text. */
static int expand_var(struct sbuf *b, const char *name, bool path, char **errmsg)
{
        const char *v = getenv(name);
        char *why = NULL;
        if (!v) {
                if (asprintf(errmsg, "${%s} is not set", name) < 0)
                        *errmsg = NULL;
                return -EINVAL;
        }
        if (!*v) {
                if (asprintf(errmsg, "${%s} is empty", name) < 0)
                        *errmsg = NULL;
                return -EINVAL;
        }
        if (!path && !profile_text_valid(v, strlen(v), &why)) {
                if (asprintf(errmsg, "${%s}: %s", name, why ? why : "invalid") < 0)
                        *errmsg = NULL;
                free(why);
                return -EINVAL;
        }
        int r = sbuf_add(b, v, strlen(v));
        if (r == -E2BIG && asprintf(errmsg, "value too long after expanding ${%s}", name) < 0)
                *errmsg = NULL;
        return r == -E2BIG ? -EINVAL : r;
}

int profile_expand(const char *s, bool tilde, char **ret, char **errmsg)
{
        return profile_expand_opt(s, tilde, false, ret, errmsg);
}

int profile_expand_opt(const char *s, bool tilde, bool allow_opt, char **ret, char **errmsg)
{
        char *unset_msg = NULL; /* the first ${?NAME} found unset */
        struct sbuf b = { 0 };
        int r = sbuf_add(&b, "", 0);

        *errmsg = NULL;
        if (r >= 0 && tilde && s[0] == '~') {
                if (s[1] && s[1] != '/') {
                        r = -EINVAL;
                        *errmsg = strdup("~user is not supported (only ~ and ~/...)");
                } else {
                        r = expand_var(&b, "HOME", true, errmsg);
                        s++;
                }
        }
        while (r >= 0 && *s) {
                if (s[0] != '$' || (s[1] != '$' && s[1] != '{')) {
                        size_t n = strcspn(s + 1, "$") + 1;
                        r = sbuf_add(&b, s, n);
                        s += n;
                        continue;
                }
                if (s[1] == '$') {
                        r = sbuf_add(&b, "$", 1);
                        s += 2;
                        continue;
                }
                /* ${?NAME}: the entry applies only when NAME is set. */
                bool opt = s[2] == '?';
                const char *start = s + 2 + opt;
                const char *end = strchr(start, '}');
                size_t n = end ? (size_t)(end - start) : 0;
                char name[256];
                if (!end || n == 0 || n >= sizeof(name) || (!isalpha((unsigned char)start[0]) && start[0] != '_') ||
                    strspn(start, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != n) {
                        r = -EINVAL;
                        *errmsg = strdup(opt ? "bad variable reference: write ${?NAME}"
                                             : "bad variable reference: write ${NAME}, ${?NAME}, or $$ for a '$'");
                        break;
                }
                memcpy(name, start, n);
                name[n] = 0;
                s = end + 1;
                if (opt && !allow_opt) {
                        r = -EINVAL;
                        if (asprintf(errmsg, "${?%s} is only allowed in the paths of [filesystem] bind, "
                                     "ro-bind and dev entries", name) < 0)
                                *errmsg = NULL;
                        break;
                }
                if (opt) {
                        const char *v = getenv(name);
                        if (!v || !*v) {
                                /* Keep checking the rest for errors; report the
                                 * first unset variable. */
                                if (!unset_msg &&
                                    asprintf(&unset_msg, "${%s} is %s", name, v ? "empty" : "not set") < 0) {
                                        unset_msg = NULL;
                                        r = -ENOMEM;
                                        break;
                                }
                                continue;
                        }
                }
                r = expand_var(&b, name, tilde, errmsg);
        }
        if (r >= 0 && unset_msg) {
                r = sbuf_take(&b, ret); /* the rest, for the caller's checks */
                if (r < 0) {
                        free(unset_msg);
                        return r;
                }
                *errmsg = unset_msg;
                return -ENODATA;
        }
        free(unset_msg);
        if (r == -E2BIG) {
                r = -EINVAL;
                *errmsg = strdup("value too long");
        }
        if (r < 0) {
                sbuf_done(&b);
                if (r == -EINVAL && !*errmsg)
                        return -ENOMEM;
                return r;
        }
        return sbuf_take(&b, ret);
}

int profile_normalize_path(const char *s, char **ret, const char **errmsg)
{
        if (s[0] != '/') {
                *errmsg = "path must be absolute";
                return -EINVAL;
        }
        size_t len = strlen(s);
        char *out = malloc(len + 2), *o = out;
        if (!out)
                return -ENOMEM;
        for (const char *c = s; *c;) {
                while (*c == '/')
                        c++;
                size_t n = strcspn(c, "/");
                if (n == 0)
                        break;
                if (n == 1 && c[0] == '.') {
                        c += n;
                        continue;
                }
                if (n == 2 && c[0] == '.' && c[1] == '.') {
                        free(out);
                        *errmsg = "'..' is not allowed in paths";
                        return -EINVAL;
                }
                *o++ = '/';
                memcpy(o, c, n);
                o += n;
                c += n;
        }
        if (o == out)
                *o++ = '/';
        *o = 0;
        if (o - out > PROFILE_MAX_PATH) {
                free(out);
                *errmsg = "path too long (more than 1000 bytes)";
                return -EINVAL;
        }
        *ret = out;
        return 0;
}

/* ---- include values ---------------------------------------------------- */

int profile_include_spec(const char *token, char **ret, bool *is_path, char **errmsg)
{
        size_t n = strlen(token);
        *errmsg = NULL;
        if (!strchr(token, '/') && !(n > 4 && strcmp(token + n - 4, ".ini") == 0) && token[0] != '~' &&
            !strchr(token, '$')) {
                if (!profile_name_valid(token)) {
                        if (asprintf(errmsg, "'%s' is not a profile name ([A-Za-z0-9_.-]) or a path", token) < 0)
                                return -ENOMEM;
                        return -EINVAL;
                }
                *is_path = false;
                return (*ret = strdup(token)) ? 0 : -ENOMEM;
        }
        _cleanup_free_ char *x = NULL;
        int r = profile_expand(token, true, &x, errmsg);
        if (r < 0)
                return r;
        *is_path = true;
        if (x[0] != '/') {
                /* Relative to the including file: checked the same way as an
                 * absolute path, on a stand-in root. */
                _cleanup_free_ char *abs = NULL, *norm = NULL;
                const char *why = NULL;
                if (asprintf(&abs, "/%s", x) < 0)
                        return -ENOMEM;
                r = profile_normalize_path(abs, &norm, &why);
                if (r == -EINVAL && asprintf(errmsg, "%s: '%s'", why, x) < 0)
                        return -ENOMEM;
                if (r < 0)
                        return r;
                *ret = strdup(norm + 1);
                return *ret ? 0 : -ENOMEM;
        }
        const char *why = NULL;
        r = profile_normalize_path(x, ret, &why);
        if (r == -EINVAL && asprintf(errmsg, "%s: '%s'", why, x) < 0)
                return -ENOMEM;
        return r;
}

/* A profile name: what may stand before ".ini" in a profile directory. */
bool profile_name_valid(const char *name)
{
        size_t n = name ? strlen(name) : 0;
        if (n == 0 || n > NAME_MAX - 4 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
                return false;
        return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}
