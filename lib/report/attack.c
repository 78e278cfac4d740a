/* attack.c — the ATT&CK map and the Navigator layer.
 *
 * Owns: parsing data/attack-map.ini (embedded at build time as
 * attack-map.h), the text builder shared with analyze.c and export.c, and
 * sbx_attack_layer(): an ATT&CK Navigator layer (format 4.5, as the seed
 * layer kept in tests/fixtures/attack/) with the techniques one or more policies
 * mitigate.  Which control is on for a policy is analyze.c's business;
 * this file only counts and renders.  Pure: no OS access. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attack-map.h"
#include "report/attack.h"
#include "config.h"
#include "base/util.h"

const char *attack_map_source(void)
{
        return attack_map_embedded;
}

/* ---- text building ---------------------------------------------------- */

static void sbuf_reserve(struct sbuf *b, size_t more)
{
        if (b->err || b->len + more + 1 <= b->cap)
                return;
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + more + 1)
                cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
                b->err = -ENOMEM;
                return;
        }
        b->s = s;
        b->cap = cap;
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
        va_list ap;
        if (b->err)
                return;
        va_start(ap, fmt);
        int n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
                b->err = -EINVAL;
                return;
        }
        sbuf_reserve(b, (size_t)n);
        if (b->err)
                return;
        va_start(ap, fmt);
        vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        b->len += (size_t)n;
}

void sbuf_puts(struct sbuf *b, const char *s)
{
        size_t n = strlen(s);
        sbuf_reserve(b, n);
        if (b->err)
                return;
        memcpy(b->s + b->len, s, n + 1);
        b->len += n;
}

/* RFC 8259: '"', '\\' and control characters must be escaped; everything
 * else (UTF-8 included) passes as is.  DEL and bytes >= 0x80 are legal. */
void sbuf_json_str(struct sbuf *b, const char *s)
{
        if (!s) {
                sbuf_puts(b, "null");
                return;
        }
        sbuf_puts(b, "\"");
        for (const unsigned char *p = (const unsigned char *)s; *p && !b->err; p++) {
                switch (*p) {
                case '"': sbuf_puts(b, "\\\""); break;
                case '\\': sbuf_puts(b, "\\\\"); break;
                case '\n': sbuf_puts(b, "\\n"); break;
                case '\t': sbuf_puts(b, "\\t"); break;
                case '\r': sbuf_puts(b, "\\r"); break;
                case '\b': sbuf_puts(b, "\\b"); break;
                case '\f': sbuf_puts(b, "\\f"); break;
                default:
                        if (*p < 0x20)
                                sbuf_printf(b, "\\u%04x", *p);
                        else {
                                char c[2] = { (char)*p, 0 };
                                sbuf_puts(b, c);
                        }
                }
        }
        sbuf_puts(b, "\"");
}

int sbuf_take(struct sbuf *b, char **ret)
{
        if (!b->err && !b->s)
                sbuf_reserve(b, 0);
        if (b->err) {
                int r = b->err;
                sbuf_done(b);
                return r;
        }
        b->s[b->len] = '\0';
        *ret = b->s;
        b->s = NULL;
        b->len = b->cap = 0;
        return 0;
}

void sbuf_done(struct sbuf *b)
{
        free(b->s);
        b->s = NULL;
        b->len = b->cap = 0;
}

/* ---- the map ------------------------------------------------------------ */

static int strv_push(char ***v, const char *s, size_t len)
{
        size_t n = 0;
        if (*v)
                while ((*v)[n])
                        n++;
        char **nv = realloc(*v, (n + 2) * sizeof(char *));
        if (!nv)
                return -ENOMEM;
        *v = nv;
        nv[n] = strndup(s, len);
        nv[n + 1] = NULL;
        return nv[n] ? 0 : -ENOMEM;
}

/* Split a value into words; an empty value gives an empty vector. */
static int split_words(const char *s, char ***ret)
{
        char **v = calloc(1, sizeof(char *));
        if (!v)
                return -ENOMEM;
        while (*s) {
                s += strspn(s, " \t");
                size_t n = strcspn(s, " \t");
                if (n) {
                        int r = strv_push(&v, s, n);
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

static bool strv_has(char *const *v, const char *s)
{
        for (; v && *v; v++)
                if (strcmp(*v, s) == 0)
                        return true;
        return false;
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
                if (!strv_has(m->mitigations[mi].techniques, *t))
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
                        if (!strv_has(mi->techniques, *t))
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
        return strv_has(mi->not_applicable, technique);
}

/* ---- the Navigator layer -------------------------------------------------- */

/* Navigator 5.x reads layer format 4.5; ATT&CK v19 is what the seeds use. */
#define LAYER_VERSION "4.5"
#define LAYER_ATTACK "19"
#define LAYER_NAVIGATOR "5.3.2"
#define COLOR_LOW "#ffffff"
#define COLOR_HIGH "#66b1ff"    /* the seed layer's colour */
#define COLOR_CLAIMED "#ffe766" /* covered, but no test shows it */

/* k of n on the white → blue gradient that `gradient` below declares. */
static void gradient_color(char buf[8], unsigned k, unsigned n)
{
        static const unsigned lo[3] = { 0xff, 0xff, 0xff }, hi[3] = { 0x66, 0xb1, 0xff };
        unsigned c[3];
        for (int i = 0; i < 3; i++)
                c[i] = n ? (lo[i] * (n - k) + hi[i] * k + n / 2) / n : hi[i];
        snprintf(buf, 8, "#%02x%02x%02x", c[0] & 0xff, c[1] & 0xff, c[2] & 0xff);
}

static const char *policy_label(const struct sbx_policy *p)
{
        return p->name && *p->name ? p->name : "(unnamed)";
}

SBX_EXPORT int sbx_attack_layer(const struct sbx_policy *const *policies, size_t n, char **ret,
                                struct sbx_error **err)
{
        if (!policies || n == 0 || !ret)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (!policies[i])
                        return -EINVAL;

        struct attack_analysis *an = calloc(n, sizeof(*an));
        if (!an)
                return -ENOMEM;
        int r = 0;
        size_t done = 0;
        for (; done < n; done++)
                if ((r = attack_analyze(policies[done], &an[done], err)) < 0)
                        break;
        struct sbuf b = { 0 };
        if (r < 0)
                goto out;

        const struct attack_map *m = &an[0].map;
        sbuf_puts(&b, "{\n  \"name\": ");
        {
                struct sbuf nm = { 0 };
                sbuf_puts(&nm, "sbx: ");
                for (size_t i = 0; i < n; i++)
                        sbuf_printf(&nm, "%s%s", i ? " vs " : "", policy_label(policies[i]));
                char *s = NULL;
                if ((r = sbuf_take(&nm, &s)) < 0)
                        goto out;
                sbuf_json_str(&b, s);
                free(s);
        }
        {
                struct sbuf d = { 0 };
                sbuf_printf(&d, "Techniques of ");
                for (size_t i = 0; i < m->nmitigations; i++)
                        sbuf_printf(&d, "%s%s (%s)", i ? " and " : "", m->mitigations[i].id,
                                    m->mitigations[i].name);
                if (n == 1)
                        sbuf_printf(&d, " that the sbx profile '%s' mitigates (exposure score %d.%d/10). ",
                                    policy_label(policies[0]), an[0].score_x10 / 10,
                                    an[0].score_x10 % 10);
                else
                        sbuf_printf(&d, " mitigated by %zu sbx profiles; score = how many of them cover "
                                        "the technique. ", n);
                sbuf_printf(&d, "Comments name the sbx control and the test that demonstrates it. "
                                "Generated by sbx %s.", SBX_VERSION);
                char *s = NULL;
                if ((r = sbuf_take(&d, &s)) < 0)
                        goto out;
                sbuf_puts(&b, ",\n  \"description\": ");
                sbuf_json_str(&b, s);
                free(s);
        }
        sbuf_puts(&b, ",\n  \"domain\": \"enterprise-attack\",\n");
        sbuf_puts(&b, "  \"versions\": {\"layer\": \"" LAYER_VERSION "\", \"attack\": \"" LAYER_ATTACK
                      "\", \"navigator\": \"" LAYER_NAVIGATOR "\"},\n");
        sbuf_puts(&b, "  \"techniques\": [");

        /* Each technique once, in the order of the mitigations' lists. */
        bool first = true;
        for (size_t mi = 0; mi < m->nmitigations; mi++) {
                for (char **t = m->mitigations[mi].techniques; *t; t++) {
                        bool seen = false;
                        for (size_t pm = 0; pm < mi && !seen; pm++)
                                seen = strv_has(m->mitigations[pm].techniques, *t);
                        if (seen)
                                continue;
                        unsigned score = 0;
                        bool all_demonstrated = true;
                        struct sbuf c = { 0 };
                        for (size_t i = 0; i < n; i++) {
                                bool cov = false, dem = false;
                                for (size_t k = 0; k < m->nmitigations; k++) {
                                        bool c1, d1;
                                        attack_technique_status(&an[i], k, *t, &c1, &d1);
                                        cov |= c1;
                                        dem |= d1;
                                }
                                if (!cov)
                                        continue;
                                score++;
                                all_demonstrated &= dem;
                                sbuf_printf(&c, "%s%s:", c.len ? "\n" : "", policy_label(policies[i]));
                                for (size_t k = 0; k < an[i].nresults; k++) {
                                        const struct attack_result *res = &an[i].results[k];
                                        if (!attack_result_covers(&an[i], res, *t))
                                                continue;
                                        sbuf_printf(&c, " %s (%s", res->control->id,
                                                    attack_state_name(res->state));
                                        if (res->control->tests[0]) {
                                                sbuf_puts(&c, "; test");
                                                for (char **ts = res->control->tests; *ts; ts++)
                                                        sbuf_printf(&c, " %s", *ts);
                                        } else
                                                sbuf_puts(&c, "; claimed, not demonstrated");
                                        sbuf_puts(&c, ");");
                                }
                        }
                        char *comment = NULL;
                        if ((r = sbuf_take(&c, &comment)) < 0)
                                goto out;
                        if (score == 0) {
                                free(comment);
                                continue;
                        }
                        char color[8];
                        if (n == 1)
                                snprintf(color, sizeof(color), "%s",
                                         all_demonstrated ? COLOR_HIGH : COLOR_CLAIMED);
                        else
                                gradient_color(color, score, (unsigned)n);
                        sbuf_printf(&b, "%s\n    {\"techniqueID\": \"%s\", \"score\": %u, \"color\": \"%s\", "
                                        "\"comment\": ",
                                    first ? "" : ",", *t, score, color);
                        sbuf_json_str(&b, comment);
                        sbuf_puts(&b, ", \"showSubtechniques\": true}");
                        free(comment);
                        first = false;
                }
        }
        sbuf_puts(&b, "\n  ],\n");
        sbuf_printf(&b, "  \"gradient\": {\"colors\": [\"" COLOR_LOW "\", \"" COLOR_HIGH
                        "\"], \"minValue\": 0, \"maxValue\": %zu},\n", n);
        if (n == 1)
                sbuf_puts(&b, "  \"legendItems\": [{\"label\": \"mitigated, demonstrated by a test\", "
                              "\"color\": \"" COLOR_HIGH "\"}, {\"label\": \"mitigated, claimed, not "
                              "demonstrated\", \"color\": \"" COLOR_CLAIMED "\"}]\n}\n");
        else
                sbuf_printf(&b, "  \"legendItems\": [{\"label\": \"mitigated by all %zu profiles\", "
                                "\"color\": \"" COLOR_HIGH "\"}]\n}\n", n);
        r = sbuf_take(&b, ret);
out:
        sbuf_done(&b);
        for (size_t i = 0; i < done; i++)
                attack_analysis_done(&an[i]);
        free(an);
        return r;
}
