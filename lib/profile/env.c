/* env.c — the program's environment: an allow-list over the caller's
 * environment plus the profile's assignments.  Pure (reads environ only).
 *
 * Loader and libc variables that change what code runs (LD_PRELOAD and
 * friends) never pass through a glob; only an exact name in [environment]
 * keep lets one through. */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "profile/env.h"
#include "base/strbuf.h"
#include "base/util.h"

extern char **environ;

/* Variables that make the dynamic loader, libc, an interpreter or a
 * common tool load or run code chosen by whoever set them: the glibc
 * "unsecure envvars" list, interpreter search paths and start-up hooks
 * (Python, Perl, Ruby, Node, Java, Lua, Tcl), shell start-up files, and
 * tool hooks that name a command to run (less's preprocessor, git's
 * helpers, askpass programs) or a module directory a library loads from
 * (GTK, GIO, Qt, GStreamer). */
static const char *const dangerous[] = {
        /* loader and libc */
        "LD_*", "GCONV_PATH", "GETCONF_DIR", "HOSTALIASES", "LOCALDOMAIN", "LOCPATH", "MALLOC_*",
        "NIS_PATH", "NLSPATH", "RESOLV_HOST_CONF", "RES_OPTIONS", "GLIBC_TUNABLES",
        /* interpreters */
        "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "PYTHONBREAKPOINT",
        "PYTHONEXECUTABLE", "PYTHONPLATLIBDIR", "PERL5LIB", "PERLLIB", "PERL5OPT", "PERL5DB",
        "PERL_MB_OPT", "PERL_MM_OPT", "RUBYLIB", "RUBYOPT", "GEM_PATH", "GEM_HOME", "NODE_OPTIONS",
        "NODE_PATH", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "CLASSPATH",
        "LUA_INIT", "LUA_INIT_*", "LUA_PATH", "LUA_PATH_*", "LUA_CPATH", "LUA_CPATH_*",
        "TCLLIBPATH", "TCL_LIBRARY",
        /* shells */
        "BASH_ENV", "ENV", "SHELLOPTS", "BASHOPTS", "PS4", "IFS", "PROMPT_COMMAND", "ZDOTDIR",
        "BASH_FUNC_*",
        /* tool hooks that run a command */
        "LESSOPEN", "LESSCLOSE", "LESSKEY*", "GIT_*", "SSH_ASKPASS", "SUDO_ASKPASS",
        /* libraries that load modules from a directory */
        "GTK_MODULES", "GTK3_MODULES", "GTK_PATH", "GTK_EXE_PREFIX", "GIO_EXTRA_MODULES",
        "GIO_MODULE_DIR", "GDK_PIXBUF_MODULE_FILE", "GDK_PIXBUF_MODULEDIR", "QT_PLUGIN_PATH",
        "QT_QPA_PLATFORM_PLUGIN_PATH", "GST_PLUGIN_PATH*", "GST_PLUGIN_SYSTEM_PATH*",
        "LIBGL_DRIVERS_PATH", "__EGL_VENDOR_LIBRARY_*", "VK_ICD_FILENAMES", "VK_LAYER_PATH",
        "VK_ADD_LAYER_PATH", "VK_DRIVER_FILES", "SASL_PATH", "OPENSSL_CONF", "OPENSSL_MODULES",
        "OPENSSL_ENGINES", "PKCS11_PROVIDER_MODULE",
};

const char *const *env_never_passed(size_t *n)
{
        *n = ARRAY_SIZE(dangerous);
        return dangerous;
}

bool env_name_dangerous(const char *name)
{
        for (size_t i = 0; i < ARRAY_SIZE(dangerous); i++)
                if (fnmatch(dangerous[i], name, 0) == 0)
                        return true;
        return false;
}

static bool kept(const struct strlist *keep, const char *name)
{
        bool dangerous_name = env_name_dangerous(name);
        for (size_t i = 0; i < keep->n; i++) {
                const char *pat = keep->v[i];
                if (strcmp(pat, name) == 0)
                        return true;
                if (!dangerous_name && strpbrk(pat, "*?[") && fnmatch(pat, name, 0) == 0)
                        return true;
        }
        return false;
}

/* Replace or append NAME=VALUE. */
static int vec_set(char ***v, size_t *n, size_t *cap, const char *assignment)
{
        size_t len = strcspn(assignment, "=");
        for (size_t i = 0; i < *n; i++)
                if (strncmp((*v)[i], assignment, len) == 0 && (*v)[i][len] == '=') {
                        char *d = strdup(assignment);
                        if (!d)
                                return -ENOMEM;
                        free((*v)[i]);
                        (*v)[i] = d;
                        return 0;
                }
        return strv_add(v, n, cap, strdup(assignment));
}

static bool vec_has(char **v, size_t n, const char *name)
{
        size_t len = strlen(name);
        for (size_t i = 0; i < n; i++)
                if (strncmp(v[i], name, len) == 0 && v[i][len] == '=')
                        return true;
        return false;
}

/* The name /etc/passwd gives uid: the file the sandbox's view shows (the
 * system profiles bind it), read directly rather than through NSS, whose
 * other sources (LDAP, systemd-userdb) the sandbox cannot see anyway and
 * which a statically linked launcher could only reach by loading libc.so. */
static bool passwd_name(uid_t uid, char *out, size_t size)
{
        FILE *f = fopen("/etc/passwd", "re");
        if (!f)
                return false;
        char line[1024];
        bool found = false;
        while (!found && fgets(line, sizeof(line), f)) {
                char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2 || c1 == line || (size_t)(c1 - line) >= size)
                        continue;
                char *end = NULL;
                errno = 0;
                unsigned long v = strtoul(c2 + 1, &end, 10);
                if (errno || end == c2 + 1 || *end != ':' || v != (unsigned long)uid)
                        continue;
                memcpy(out, line, (size_t)(c1 - line));
                out[c1 - line] = 0;
                found = true;
        }
        fclose(f);
        return found;
}

int env_build(const struct sbx_policy *p, const char *home, uid_t uid, char ***ret)
{
        char **v = NULL;
        size_t n = 0, cap = 0;
        int r = 0;

        for (char **e = environ; e && *e && r >= 0; e++) {
                const char *eq = strchr(*e, '=');
                if (!eq || eq == *e || (size_t)(eq - *e) > 255)
                        continue;
                char name[256];
                memcpy(name, *e, (size_t)(eq - *e));
                name[eq - *e] = 0;
                if (kept(&p->env_keep, name))
                        r = strv_add(&v, &n, &cap, strdup(*e));
        }
        for (size_t i = 0; i < p->env_set.n && r >= 0; i++)
                r = vec_set(&v, &n, &cap, p->env_set.v[i]);

        char buf[4200];
        if (r >= 0 && home) {
                snprintf(buf, sizeof(buf), "HOME=%s", home);
                r = vec_set(&v, &n, &cap, buf);
        }
        if (r >= 0 && !vec_has(v, n, "PATH"))
                r = strv_add(&v, &n, &cap, strdup("PATH=/usr/local/bin:/usr/bin:/bin"));
        if (r >= 0) {
                char name[256];
                const char *user = passwd_name(uid, name, sizeof(name)) ? name : NULL;
                if (user && !vec_has(v, n, "USER")) {
                        snprintf(buf, sizeof(buf), "USER=%s", user);
                        r = strv_add(&v, &n, &cap, strdup(buf));
                }
                if (r >= 0 && user && !vec_has(v, n, "LOGNAME")) {
                        snprintf(buf, sizeof(buf), "LOGNAME=%s", user);
                        r = strv_add(&v, &n, &cap, strdup(buf));
                }
        }
        if (r >= 0 && !v)
                r = strv_add(&v, &n, &cap, strdup("PATH=/usr/bin:/bin"));
        if (r < 0) {
                sbx_strv_free(v);
                return r;
        }
        *ret = v;
        return 0;
}
