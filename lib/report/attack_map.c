/* attack_map.c — the ATT&CK map: data/attack-map.ini (embedded at build
 * time as attack-map.h) parsed into the mitigations, techniques and
 * controls that analyze.c evaluates and attack.c renders, and the list of
 * system directories the map's filesystem controls speak of.  Which
 * control is on for a policy is analyze.c's business.  Pure: no OS
 * access. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/path.h"
#include "attack-map.h"
#include "report/attack.h"
#include "config.h"
#include "base/strbuf.h"
#include "base/util.h"

const char *attack_map_source(void)
{
        return attack_map_embedded;
}

/* ---- the map ------------------------------------------------------------ */

/* Split a value into words; an empty value gives an empty vector. */
static int split_words(const char *s, char ***ret)
{
        char **v = calloc(1, sizeof(char *));
        size_t nv = 0, cap = 1;
        if (!v)
                return -ENOMEM;
        while (*s) {
                s += strspn(s, " \t");
                size_t n = strcspn(s, " \t");
                if (n) {
                        int r = strv_add(&v, &nv, &cap, strndup(s, n));
                        if (r < 0) {
                                sbx_strv_free(v);
                                return r;
                        }
                }
                s += n;
        }
        *ret = v;
        return 0;
}

static void strv_freep(char ***v)
{
        sbx_strv_free(*v);
}

/* T1234 or T1234.001 */
static bool technique_id_valid(const char *t)
{
        if (t[0] != 'T')
                return false;
        size_t d = strspn(t + 1, "0123456789");
        if (d != 4)
                return false;
        const char *rest = t + 5;
        if (*rest == 0)
                return true;
        return rest[0] == '.' && strspn(rest + 1, "0123456789") == 3 && rest[4] == 0;
}

static bool control_id_valid(const char *s)
{
        if (!*s)
                return false;
        for (; *s; s++)
                if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '-')
                        return false;
        return true;
}

void attack_map_done(struct attack_map *m)
{
        if (!m)
                return;
        for (size_t i = 0; i < m->nmitigations; i++) {
                free(m->mitigations[i].id);
                free(m->mitigations[i].name);
                sbx_strv_free(m->mitigations[i].techniques);
                sbx_strv_free(m->mitigations[i].not_applicable);
        }
        free(m->mitigations);
        for (size_t i = 0; i < m->ncontrols; i++) {
                struct attack_control *c = &m->controls[i];
                free(c->id);
                free(c->description);
                free(c->on_when);
                for (size_t j = 0; j < c->nlinks; j++)
                        free(c->links[j].technique);
                free(c->links);
                sbx_strv_free(c->tests);
        }
        free(m->controls);
        memset(m, 0, sizeof(*m));
}

static int find_mitigation(const struct attack_map *m, const char *id)
{
        for (size_t i = 0; i < m->nmitigations; i++)
                if (strcmp(m->mitigations[i].id, id) == 0)
                        return (int)i;
        return -1;
}

static char *trim(char *s)
{
        while (*s == ' ' || *s == '\t')
                s++;
        size_t n = strlen(s);
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
                s[--n] = 0;
        return s;
}

/* One `key = value` line of a section. */
static int map_key(struct attack_map *m, int kind, const char *key, const char *val)
{
        int r;
        if (kind == 1) {
                struct attack_mitigation *mi = &m->mitigations[m->nmitigations - 1];
                char ***v;
                if (strcmp(key, "name") == 0 && !mi->name)
                        return (mi->name = strdup(val)) ? 0 : -ENOMEM;
                if (strcmp(key, "techniques") == 0 && !mi->techniques)
                        v = &mi->techniques;
                else if (strcmp(key, "not-applicable") == 0 && !mi->not_applicable)
                        v = &mi->not_applicable;
                else
                        return -EINVAL;
                if ((r = split_words(val, v)) < 0)
                        return r;
                for (char **t = *v; *t; t++)
                        if (!technique_id_valid(*t))
                                return -EINVAL;
                return 0;
        }
        struct attack_control *c = &m->controls[m->ncontrols - 1];
        if (strcmp(key, "description") == 0 && !c->description)
                return (c->description = strdup(val)) ? 0 : -ENOMEM;
        if (strcmp(key, "on-when") == 0 && !c->on_when)
                return (c->on_when = strdup(val)) ? 0 : -ENOMEM;
        if (strcmp(key, "weight") == 0) {
                char *end;
                errno = 0;
                unsigned long w = strtoul(val, &end, 10);
                if (errno || end == val || *end || w > 100)
                        return -EINVAL;
                c->weight = (unsigned)w;
                return 0;
        }
        if (strcmp(key, "test") == 0 && !c->tests)
                return split_words(val, &c->tests);
        int mi = find_mitigation(m, key);
        if (mi < 0)
                return -EINVAL;
        _cleanup_(strv_freep) char **v = NULL;
        if ((r = split_words(val, &v)) < 0)
                return r;
        for (char **t = v; *t; t++) {
                if (!strv_contains(m->mitigations[mi].techniques, *t))
                        return -EINVAL;
                struct attack_link *nl = realloc(c->links, (c->nlinks + 1) * sizeof(*nl));
                if (!nl)
                        return -ENOMEM;
                c->links = nl;
                nl[c->nlinks].mitigation = (size_t)mi;
                nl[c->nlinks].technique = strdup(*t);
                if (!nl[c->nlinks].technique)
                        return -ENOMEM;
                c->nlinks++;
        }
        return 0;
}

static int map_section(struct attack_map *m, const char *name, unsigned line, int *kind)
{
        if (strncmp(name, "mitigation ", 11) == 0) {
                const char *id = name + 11;
                if (id[0] != 'M' || strspn(id + 1, "0123456789") != 4 || id[5] ||
                    find_mitigation(m, id) >= 0 || m->nmitigations >= ATTACK_MAX_MITIGATIONS ||
                    m->ncontrols > 0)
                        return -EINVAL;
                struct attack_mitigation *nv =
                        realloc(m->mitigations, (m->nmitigations + 1) * sizeof(*nv));
                if (!nv)
                        return -ENOMEM;
                m->mitigations = nv;
                memset(&nv[m->nmitigations], 0, sizeof(*nv));
                if (!(nv[m->nmitigations].id = strdup(id)))
                        return -ENOMEM;
                m->nmitigations++;
                *kind = 1;
                return 0;
        }
        if (strncmp(name, "control ", 8) == 0) {
                const char *id = name + 8;
                if (!control_id_valid(id) || attack_map_control(m, id))
                        return -EINVAL;
                struct attack_control *nv = realloc(m->controls, (m->ncontrols + 1) * sizeof(*nv));
                if (!nv)
                        return -ENOMEM;
                m->controls = nv;
                memset(&nv[m->ncontrols], 0, sizeof(*nv));
                nv[m->ncontrols].line = line;
                if (!(nv[m->ncontrols].id = strdup(id)))
                        return -ENOMEM;
                m->ncontrols++;
                *kind = 2;
                return 0;
        }
        return -EINVAL;
}

/* Every section complete: mitigations with a name and techniques, controls
 * with a description, a weight and a test key (possibly empty). */
static int map_check(const struct attack_map *m, unsigned *err_line)
{
        if (m->nmitigations == 0 || m->ncontrols == 0)
                return -EINVAL;
        for (size_t i = 0; i < m->nmitigations; i++) {
                const struct attack_mitigation *mi = &m->mitigations[i];
                if (!mi->name || !mi->techniques)
                        return -EINVAL;
                for (char **t = mi->not_applicable; t && *t; t++)
                        if (!strv_contains(mi->techniques, *t))
                                return -EINVAL;
        }
        for (size_t i = 0; i < m->ncontrols; i++) {
                const struct attack_control *c = &m->controls[i];
                if (!c->description || !c->on_when || c->weight == 0 || !c->tests) {
                        if (err_line)
                                *err_line = c->line;
                        return -EINVAL;
                }
        }
        return 0;
}

int attack_map_parse(const char *text, struct attack_map *ret, unsigned *err_line)
{
        struct attack_map m = { 0 };
        int kind = 0, r = 0;
        unsigned line = 0;
        const char *p = text;

        while (*p && r >= 0) {
                size_t n = strcspn(p, "\n");
                line++;
                char *l = strndup(p, n);
                p += n + (p[n] == '\n');
                if (!l) {
                        r = -ENOMEM;
                        break;
                }
                char *s = trim(l);
                if (*s == 0 || *s == ';' || *s == '#') {
                        free(l);
                        continue;
                }
                if (*s == '[') {
                        size_t len = strlen(s);
                        if (s[len - 1] != ']')
                                r = -EINVAL;
                        else {
                                s[len - 1] = 0;
                                r = map_section(&m, trim(s + 1), line, &kind);
                        }
                } else {
                        char *eq = strchr(s, '=');
                        if (!eq || kind == 0)
                                r = -EINVAL;
                        else {
                                *eq = 0;
                                r = map_key(&m, kind, trim(s), trim(eq + 1));
                        }
                }
                free(l);
        }
        if (r < 0) {
                if (err_line)
                        *err_line = line;
                attack_map_done(&m);
                return r;
        }
        if (err_line)
                *err_line = 0;
        if ((r = map_check(&m, err_line)) < 0) {
                attack_map_done(&m);
                return r;
        }
        *ret = m;
        return 0;
}

int attack_map_load(struct attack_map *ret)
{
        return attack_map_parse(attack_map_source(), ret, NULL);
}

const struct attack_control *attack_map_control(const struct attack_map *m, const char *id)
{
        for (size_t i = 0; i < m->ncontrols; i++)
                if (strcmp(m->controls[i].id, id) == 0)
                        return &m->controls[i];
        return NULL;
}

bool attack_mitigation_not_applicable(const struct attack_mitigation *mi, const char *technique)
{
        return strv_contains(mi->not_applicable, technique);
}

/* ---- the system directories the map's filesystem controls speak of ----- */

bool attack_system_path(const char *dst)
{
        static const char *const sys[] = { "/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32",
                                           "/lib64", "/libx32", "/boot", "/opt", "/var", "/srv" };
        if (strcmp(dst, "/") == 0)
                return true;
        for (size_t i = 0; i < ARRAY_SIZE(sys); i++)
                if (path_under(dst, sys[i]))
                        return true;
        return false;
}
