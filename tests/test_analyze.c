/* test_analyze.c — the ATT&CK map, `sbx analyze`, `sbx attack` and the
 * seccomp export, on hand-made policies (unit; no sandbox is started).
 *
 * The map is checked against the ATT&CK seed files kept as fixtures in
 * tests/fixtures/attack (M1048's technique table, M1038's Navigator layer): every
 * mitigation's technique list is exactly the seed's, and every technique a
 * control claims is listed by the mitigation it names.  The export's rules
 * are loaded into libseccomp — the library crun and runc build their
 * filters with — and tried in the test process, with the same calls made
 * first without the filter. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <seccomp.h> /* libseccomp (sbx's own is plan/seccomp.h) */

#include "report/attack.h"
#include "config.h"
#include "report/export.h"
#include "harness.h"
#include "profile/policy.h"
#include "syscalls/syscalls.h"

static const struct sbx_loc here = { "test", 1 };

static void add(struct strlist *l, const char *words)
{
        char *copy = strdup(words), *save = NULL;
        cr_assert(copy);
        for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
                cr_assert_eq(strlist_add(l, w, here), 0);
        free(copy);
}

static void mount_add(struct sbx_policy *p, enum mount_kind kind, const char *src, const char *dst,
                      unsigned flags)
{
        struct mount_op *v = realloc(p->mounts.v, (p->mounts.n + 1) * sizeof(*v));
        cr_assert(v);
        p->mounts.v = v;
        v[p->mounts.n++] = (struct mount_op){ .kind = kind, .src = src ? strdup(src) : NULL,
                                              .dst = strdup(dst), .flags = flags, .loc = here };
        p->mounts.cap = p->mounts.n;
}

static void set_rlimit(struct sbx_policy *p, int resource, rlim_t v)
{
        for (size_t i = 0; i < SBX_RLIMIT_COUNT; i++)
                if (p->rlimits[i].resource == resource) {
                        p->rlimits[i].lim = (struct rlimit){ v, v };
                        p->rlimits[i].set = true;
                        return;
                }
        cr_assert_fail("no rlimit slot for %d", resource);
}

/* What the shipped default profile asks for, written out by hand. */
static void strict_policy(struct sbx_policy *p)
{
        cr_assert_eq(policy_init(p), 0);
        p->name = strdup("strict");
        p->ns_user = p->ns_mount = p->ns_pid = p->ns_ipc = p->ns_uts = p->ns_cgroup = true;
        p->net = NET_NONE;
        p->proc = PROC_MASKED;
        p->sys = SYS_NONE;
        p->home = HOME_TMPFS;
        p->cwd_bind = CWD_NONE;
        p->args = ARGS_NONE;
        mount_add(p, MOUNT_RO_BIND, "/usr", "/usr", 0);
        mount_add(p, MOUNT_TMPFS, NULL, "/tmp", 0);
        add(&p->exec_allow, "/usr/bin/ls");
        add(&p->exec_deny, "/usr/bin/python* /usr/bin/perl* /usr/bin/busybox");
        p->writable_exec = p->memfd_exec = false;
        p->seccomp = true;
        add(&p->sc_allow, "@default");
        p->sc_action = DENY_ERRNO;
        p->sc_errno = EPERM;
        p->sc_userns = p->sc_nested = false;
        p->sc_wx = true;
        p->landlock = true;
        p->new_session = true;
        set_rlimit(p, RLIMIT_CORE, 0);
        set_rlimit(p, RLIMIT_NPROC, 256);
}

/* Everything a careless profile could do. */
static void loose_policy(struct sbx_policy *p)
{
        strict_policy(p);
        free(p->name);
        p->name = strdup("loose");
        p->net = NET_HOST;
        p->ns_pid = false;
        mount_add(p, MOUNT_BIND, "/root", "/root", 0);
        mount_add(p, MOUNT_BIND, "/home", "/home", 0);
        strlist_free(&p->exec_deny);
        add(&p->exec_allow, "/usr/bin");
        p->writable_exec = true;
        add(&p->caps_keep, "sys_admin");
        add(&p->sc_override, "ptrace io_uring_setup io_uring_enter io_uring_register");
        p->sc_userns = true;
        p->landlock = false;
}

static char *analyze(const struct sbx_policy *p, enum sbx_format f, int *score)
{
        char *out = NULL;
        struct sbx_error *e = NULL;
        int r = sbx_analyze(p, f, &out, score, &e);
        cr_assert_eq(r, 0, "sbx_analyze: %d %s", r, e ? sbx_error_message(e) : "");
        return out;
}

/* `python3 -c SCRIPT [ARG]` with `input` on stdin; its stdout.  Exit
 * status 0 required. */
static char *python_arg(const char *script, const char *arg, const char *input)
{
        struct run_result r;
        const char *argv[] = { "python3", "-c", script, arg, NULL };
        cr_assert_eq(run_cmd(AS_ROOT, input, 60, &r, argv), 0);
        cr_assert_eq(r.status, 0, "python3 failed (%d): %s\n--- input:\n%.2000s", r.status, r.err, input);
        free(r.err);
        return r.out;
}

static char *python(const char *script, const char *input) { return python_arg(script, NULL, input); }

/* ---- the map ------------------------------------------------------- */

Test(analyze, map_parses_and_matches_the_evaluators)
{
        struct attack_map m;
        unsigned line = 0;
        cr_assert_eq(attack_map_parse(attack_map_source(), &m, &line), 0, "embedded map: line %u", line);
        cr_assert_eq(m.nmitigations, 2);
        cr_assert_str_eq(m.mitigations[0].id, "M1048");
        cr_assert_str_eq(m.mitigations[1].id, "M1038");
        for (size_t i = 0; i < m.ncontrols; i++) {
                bool known = false;
                for (size_t k = 0; k < attack_evaluator_count(); k++)
                        known |= strcmp(attack_evaluator_id(k), m.controls[i].id) == 0;
                cr_assert(known, "map control %s has no evaluator in analyze.c", m.controls[i].id);
                for (char **t = m.controls[i].tests; *t; t++)
                        cr_assert(strncmp(*t, "tests/", 6) == 0 && strstr(*t, ".c:") && strchr(*t, '/'),
                                  "%s: test '%s' is not tests/FILE.c:SUITE/NAME", m.controls[i].id, *t);
        }
        for (size_t k = 0; k < attack_evaluator_count(); k++)
                cr_assert(attack_map_control(&m, attack_evaluator_id(k)),
                          "evaluator %s has no row in data/attack-map.ini", attack_evaluator_id(k));
        attack_map_done(&m);
}

static char *read_file(const char *path)
{
        FILE *f = fopen(path, "re");
        if (!f)
                return NULL;
        char *buf = NULL;
        size_t n = 0;
        ssize_t len = getdelim(&buf, &n, '\0', f);
        fclose(f);
        if (len < 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

static bool in_list(char *const *v, const char *s)
{
        for (; v && *v; v++)
                if (strcmp(*v, s) == 0)
                        return true;
        return false;
}

/* IDs of the seed: M1048 from the "enterprise | Txxxx |" table rows,
 * M1038 from the layer's scored techniques. */
static size_t seed_ids(const char *mitigation, char ids[128][16])
{
        char path[512];
        size_t n = 0;
        bool txt = strcmp(mitigation, "M1048") == 0;
        snprintf(path, sizeof(path), "%s/tests/fixtures/attack/%s", source_dir(),
                 txt ? "M1048-application-isolation-and-sandboxing.txt"
                     : "M1038-execution-prevention-layer.json");
        char *s = read_file(path);
        cr_assert(s, "fixture %s missing", path);
        if (txt) {
                for (char *p = s; (p = strstr(p, "enterprise | T")); p += 13)
                        sscanf(p + 13, "%15[T0-9.]", ids[n++]);
        } else {
                /* {"techniqueID": "T…", …} objects; unscored ones are parents
                 * shown only for their sub-techniques. */
                for (char *p = s; (p = strstr(p, "\"techniqueID\": \"")); p++) {
                        char *end = strchr(p, '}');
                        cr_assert(end);
                        char saved = *end;
                        *end = 0;
                        bool scored = strstr(p, "\"score\"") != NULL;
                        *end = saved;
                        if (scored)
                                sscanf(p + 16, "%15[T0-9.]", ids[n++]);
                }
        }
        free(s);
        return n;
}

Test(analyze, map_techniques_come_from_the_seeds)
{
        struct attack_map m;
        cr_assert_eq(attack_map_load(&m), 0);
        for (size_t mi = 0; mi < m.nmitigations; mi++) {
                char ids[128][16];
                size_t n = seed_ids(m.mitigations[mi].id, ids), listed = 0;
                cr_assert_gt(n, 10, "%s: seed parsed to %zu techniques", m.mitigations[mi].id, n);
                for (size_t i = 0; i < n; i++)
                        cr_assert(in_list(m.mitigations[mi].techniques, ids[i]), "%s: seed technique %s missing from the map",
                                  m.mitigations[mi].id, ids[i]);
                for (char **t = m.mitigations[mi].techniques; *t; t++, listed++) {
                        bool found = false;
                        for (size_t i = 0; i < n; i++)
                                found |= strcmp(ids[i], *t) == 0;
                        cr_assert(found, "%s: map technique %s is not in the seed", m.mitigations[mi].id, *t);
                }
                cr_assert_eq(listed, n, "%s: %zu in the map, %zu in the seed", m.mitigations[mi].id, listed, n);
        }
        /* Each control's technique is listed by the mitigation it names. */
        for (size_t i = 0; i < m.ncontrols; i++)
                for (size_t k = 0; k < m.controls[i].nlinks; k++) {
                        const struct attack_link *l = &m.controls[i].links[k];
                        cr_assert(in_list(m.mitigations[l->mitigation].techniques, l->technique));
                        cr_assert(!attack_mitigation_not_applicable(&m.mitigations[l->mitigation], l->technique),
                                  "%s claims %s, which the map marks not applicable", m.controls[i].id,
                                  l->technique);
                }
        attack_map_done(&m);
}

Test(analyze, map_errors_name_the_line)
{
        static const char head[] = "[mitigation M1048]\nname = X\ntechniques = T1611 T1068\n";
        static const struct {
                const char *body;
                unsigned line;
        } bad[] = {
                { "[control a]\ndescription = d\non-when = w\nweight = 1\nM1048 = T1190\ntest =\n", 8 },
                { "[control a]\ndescription = d\nbogus = 1\n", 6 },
                { "[control a]\ndescription = d\non-when = w\nweight = x\ntest =\n", 7 },
                { "[control a]\ndescription = d\non-when = w\nweight = 1\n", 4 },
                { "[control a]\ndescription = d\non-when = w\nweight = 1\ntest =\n[control a]\n", 9 },
                { "[control A]\n", 4 },
                { "[mitigation M1038]\nname = Y\ntechniques = T10\n", 6 },
                { "key = value\n", 0 },
        };
        char text[1024];
        struct attack_map m;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                unsigned line = 99;
                snprintf(text, sizeof(text), "%s%s", i == 7 ? "" : head, bad[i].body);
                cr_assert_eq(attack_map_parse(text, &m, &line), -EINVAL, "case %zu parsed", i);
                if (i != 7)
                        cr_assert_eq(line, bad[i].line, "case %zu: line %u, want %u", i, line, bad[i].line);
        }
        snprintf(text, sizeof(text), "%s[control a]\ndescription = d\non-when = w\nweight = 2\n"
                                     "M1048 = T1611\ntest = tests/x.c:s/n\n", head);
        cr_assert_eq(attack_map_parse(text, &m, NULL), 0);
        cr_assert_eq(m.controls[0].nlinks, 1);
        cr_assert_str_eq(m.controls[0].tests[0], "tests/x.c:s/n");
        attack_map_done(&m);
}

/* ---- analysis ---------------------------------------------------------- */

Test(analyze, strict_scores_below_loose_and_exposures_are_named)
{
        struct sbx_policy s, l;
        int ss = -1, ls = -1;
        strict_policy(&s);
        loose_policy(&l);
        setenv("HOME", "/root", 1);
        char *st = analyze(&s, SBX_FORMAT_TEXT, &ss);
        char *lt = analyze(&l, SBX_FORMAT_TEXT, &ls);
        cr_assert_lt(ss, ls, "strict %d, loose %d", ss, ls);
        cr_assert_leq(ss, 30, "the strict policy scores %d.%d:\n%s", ss / 10, ss % 10, st);
        cr_assert_geq(ls, ss + 20, "the loose policy scores only %d.%d:\n%s", ls / 10, ls % 10, lt);

        static const char *const loose_open[] = {
                "host network shared", "home directory writable", "python3 executable",
                "ptrace allowed", "io_uring allowed", "capability sys_admin kept",
                "host processes visible", "every writable mount executable",
                "nested user namespaces allowed", "no Landlock",
        };
        for (size_t i = 0; i < sizeof(loose_open) / sizeof(loose_open[0]); i++) {
                cr_assert(strstr(lt, loose_open[i]), "loose: '%s' not reported:\n%s", loose_open[i], lt);
                cr_assert(!strstr(st, loose_open[i]), "strict: '%s' reported:\n%s", loose_open[i], st);
        }
        cr_assert(strstr(st, "claimed, not demonstrated"), "%s", st);
        cr_assert(strstr(st, "Techniques of M1048"), "%s", st);
        cr_assert(strstr(st, "Techniques of M1038"), "%s", st);
        free(st);
        free(lt);
        policy_done(&s);
        policy_done(&l);
}

Test(analyze, exposures_defeat_the_techniques_they_open)
{
        struct sbx_policy p;
        struct attack_analysis a;
        strict_policy(&p);
        cr_assert_eq(attack_analyze(&p, &a, NULL), 0);
        bool cov, dem;
        attack_technique_status(&a, 1, "T1059.006", &cov, &dem);
        cr_assert(cov, "python denied, yet T1059.006 not covered");
        attack_analysis_done(&a);

        strlist_free(&p.exec_deny);
        add(&p.exec_allow, "/usr/bin/python3");
        cr_assert_eq(attack_analyze(&p, &a, NULL), 0);
        attack_technique_status(&a, 1, "T1059.006", &cov, &dem);
        cr_assert(!cov, "python3 executable, yet T1059.006 covered");
        attack_analysis_done(&a);
        policy_done(&p);
}

Test(analyze, seccomp_off_turns_every_syscall_control_off)
{
        struct sbx_policy p;
        struct attack_analysis a;
        int on_score;
        strict_policy(&p);
        free(analyze(&p, SBX_FORMAT_TEXT, &on_score));
        p.seccomp = false;
        p.new_session = false; /* it alone would stop TIOCSTI */
        cr_assert_eq(attack_analyze(&p, &a, NULL), 0);
        for (size_t i = 0; i < a.nresults; i++)
                if (strncmp(a.results[i].control->id, "sc-", 3) == 0 ||
                    strcmp(a.results[i].control->id, "seccomp") == 0)
                        cr_assert_eq(a.results[i].state, ATTACK_OFF, "%s is %s with seccomp off",
                                     a.results[i].control->id, attack_state_name(a.results[i].state));
        cr_assert_gt(a.score_x10, on_score);
        attack_analysis_done(&a);
        policy_done(&p);
}

Test(analyze, json_is_valid_and_complete)
{
        struct sbx_policy p;
        int score;
        loose_policy(&p);
        char *j = analyze(&p, SBX_FORMAT_JSON, &score);
        char *out = python("import json,sys\n"
                           "d = json.load(sys.stdin)\n"
                           "assert set(d) >= {'profile','score','controls','exposures','mitigations'}, d.keys()\n"
                           "assert all(c['evidence'] in ('demonstrated','claimed, not demonstrated') for c in d['controls'])\n"
                           "assert any(c['id'] == 'ns-net' and c['state'] == 'off' for c in d['controls'])\n"
                           "print(d['score'], len(d['controls']), ' '.join(m['id'] for m in d['mitigations']))\n",
                           j);
        char want[64];
        snprintf(want, sizeof(want), "%d.%d ", score / 10, score % 10);
        cr_assert(strncmp(out, want, strlen(want)) == 0, "score %s vs %s", out, want);
        cr_assert(strstr(out, "M1048 M1038"), "%s", out);
        free(out);
        free(j);
        /* Escaping: a description with quotes, a backslash and a newline. */
        free(p.description);
        p.description = strdup("a \"quoted\" \\ back\nslash\t\x01");
        j = analyze(&p, SBX_FORMAT_JSON, NULL);
        out = python("import json,sys; print(json.load(sys.stdin)['description'] == 'a \"quoted\" \\\\ back\\nslash\\t\\x01')", j);
        cr_assert_str_eq(out, "True\n");
        free(out);
        free(j);
        policy_done(&p);
}

/* ---- the Navigator layer ------------------------------------------------ */

Test(analyze, layer_has_the_seed_layers_fields)
{
        struct sbx_policy s, l;
        strict_policy(&s);
        loose_policy(&l);
        const struct sbx_policy *both[] = { &s, &l };
        char *one = NULL, *two = NULL;
        cr_assert_eq(sbx_attack_layer(both, 1, &one, NULL), 0);
        cr_assert_eq(sbx_attack_layer(both, 2, &two, NULL), 0);
        char script[2048];
        snprintf(script, sizeof(script),
                 "import json,sys\n"
                 "seed = json.load(open(sys.argv[1]))\n"
                 "d = json.load(sys.stdin)\n"
                 "assert set(d) == set(seed), (sorted(d), sorted(seed))\n"
                 "assert d['domain'] == seed['domain'] and d['versions'] == seed['versions'], d['versions']\n"
                 "for t in d['techniques']:\n"
                 "    assert set(t) == {'techniqueID','score','color','comment','showSubtechniques'}, t\n"
                 "    assert t['score'] >= 1 and t['comment']\n"
                 "print(max(t['score'] for t in d['techniques']), len(d['techniques']),\n"
                 "      ' '.join(sorted(t['techniqueID'] for t in d['techniques'])))\n");
        char seed[4096];
        snprintf(seed, sizeof(seed), "%s/tests/fixtures/attack/M1038-execution-prevention-layer.json",
                 source_dir());
        char *o1 = python_arg(script, seed, one), *o2 = python_arg(script, seed, two);
        cr_assert(strncmp(o1, "1 ", 2) == 0, "%s", o1);
        cr_assert(strncmp(o2, "2 ", 2) == 0, "%s", o2);
        cr_assert(strstr(o1, "T1611") && strstr(o1, "T1059.006"), "%s", o1);
        cr_assert(strstr(one, "claimed, not demonstrated") && strstr(one, "tests/test_run.c:"), "%s", one);
        free(o1);
        free(o2);
        free(one);
        free(two);
        policy_done(&s);
        policy_done(&l);
}

/* ---- export -------------------------------------------------------------- */

Test(analyze, export_oci_has_the_syscalls)
{
        struct sbx_policy p;
        char *out = NULL, **w = NULL;
        strict_policy(&p);
        cr_assert_eq(sbx_export(&p, SBX_FORMAT_OCI, &out, &w, NULL), 0);
        char *o = python("import json,sys\n"
                         "d = json.load(sys.stdin)\n"
                         "assert d['architectures'] == ['SCMP_ARCH_X86_64'], d['architectures']\n"
                         "allow = set(n for s in d['syscalls'] if s['action'] == 'SCMP_ACT_ALLOW' and 'args' not in s for n in s['names'])\n"
                         "assert {'read','write','openat','execve'} <= allow\n"
                         "assert not {'ptrace','mount','bpf','io_uring_setup','clone3','ioctl','socket'} & allow\n"
                         "tiocsti = [s for s in d['syscalls'] if s['names'] == ['ioctl'] and s['action'] == 'SCMP_ACT_ERRNO' and\n"
                         "           s['args'] == [{'index': 1, 'value': 0xffffffff, 'valueTwo': 0x5412, 'op': 'SCMP_CMP_MASKED_EQ'}]]\n"
                         "assert tiocsti and tiocsti[0]['errnoRet'] == 1, tiocsti\n"
                         "# clone3 and syscalls unknown to sbx's tables: the default, ENOSYS\n"
                         "assert not [s for s in d['syscalls'] if 'clone3' in s['names']]\n"
                         "eperm = set(n for s in d['syscalls'] if s.get('errnoRet') == 1 and 'args' not in s for n in s['names'])\n"
                         "assert {'ptrace','mount','bpf','io_uring_setup','kexec_load'} <= eperm, eperm\n"
                         "print(d['defaultAction'], d.get('defaultErrnoRet'))\n",
                         out);
        cr_assert_str_eq(o, "SCMP_ACT_ERRNO 38\n");
        bool landlock = false;
        for (char **s = w; *s; s++)
                landlock |= strstr(*s, "Landlock") != NULL;
        cr_assert(landlock, "no warning about Landlock");
        free(o);
        free(out);
        sbx_strv_free(w);

        cr_assert_eq(sbx_export(&p, SBX_FORMAT_K8S, &out, &w, NULL), 0);
        char *second = strstr(out, "\n---\n");
        cr_assert(second, "%s", out);
        *second = 0;
        cr_assert(strstr(out, "runAsNonRoot: true") && strstr(out, "allowPrivilegeEscalation: false") &&
                  strstr(out, "readOnlyRootFilesystem: true") && strstr(out, "drop: [\"ALL\"]") &&
                  strstr(out, "type: Localhost") && strstr(out, "localhostProfile: profiles/sbx-strict.json"),
                  "%s", out);
        free(python("import json,sys; json.load(sys.stdin)", second + 5));
        free(out);
        sbx_strv_free(w);
        cr_assert_eq(sbx_export(&p, SBX_FORMAT_PFC, &out, &w, NULL), -EOPNOTSUPP);
        policy_done(&p);
}

/* Build a libseccomp filter from the export's model exactly as an OCI
 * runtime builds one from the JSON (same defaults, rules in order, rules
 * equal to the default left out). */
static scmp_filter_ctx filter_from_model(const struct sc_model *m)
{
        static const enum scmp_compare ops[] = {
                [SC_OP_NE] = SCMP_CMP_NE, [SC_OP_LT] = SCMP_CMP_LT, [SC_OP_LE] = SCMP_CMP_LE,
                [SC_OP_EQ] = SCMP_CMP_EQ, [SC_OP_GE] = SCMP_CMP_GE, [SC_OP_GT] = SCMP_CMP_GT,
                [SC_OP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
        };
        uint32_t act[4] = {
                [SC_ACT_ALLOW] = SCMP_ACT_ALLOW, [SC_ACT_NOT_ALLOWED] = SCMP_ACT_ERRNO((uint32_t)m->err),
                [SC_ACT_DENY] = SCMP_ACT_ERRNO((uint32_t)m->err), [SC_ACT_ENOSYS] = SCMP_ACT_ERRNO(ENOSYS),
        };
        const uint32_t def = SCMP_ACT_ERRNO((uint32_t)sc_model_default_errno(m));
        scmp_filter_ctx ctx = seccomp_init(def);
        cr_assert(ctx);
        char **lists[] = { m->allowed, m->not_allowed, m->denied, m->enosys };
        enum sc_act acts[] = { SC_ACT_ALLOW, SC_ACT_NOT_ALLOWED, SC_ACT_DENY, SC_ACT_ENOSYS };
        for (size_t l = 0; l < 4; l++) {
                if (act[acts[l]] == def)
                        continue;
                for (char **n = lists[l]; *n; n++) {
                        int nr = seccomp_syscall_resolve_name(*n);
                        cr_assert_geq(nr, 0, "%s", *n);
                        cr_assert_eq(seccomp_rule_add(ctx, act[acts[l]], nr, 0), 0, "%s", *n);
                }
        }
        for (size_t i = 0; i < m->nrules; i++) {
                const struct sc_rule *r = &m->rules[i];
                if (act[r->act] == def)
                        continue;
                struct scmp_arg_cmp c[SC_MAX_COND];
                for (unsigned k = 0; k < r->ncond; k++)
                        c[k] = (struct scmp_arg_cmp){ r->cond[k].index, ops[r->cond[k].op], r->cond[k].value,
                                                      r->cond[k].value2 };
                int rc = seccomp_rule_add_array(ctx, act[r->act], seccomp_syscall_resolve_name(r->name),
                                                r->ncond, c);
                cr_assert_eq(rc, 0, "%s: %d", r->name, rc);
        }
        return ctx;
}

/* Each probe returns -errno or the syscall's result. */
/* On /dev/null, never a terminal: bare, the kernel says ENOTTY. */
static long try_tiocsti(void)
{
        char c = 'x';
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        long r = syscall(SYS_ioctl, fd, 0x100000000UL | TIOCSTI, &c) < 0 ? -errno : 0;
        close(fd);
        return r;
}
static long try_ptrace(void) { return syscall(SYS_ptrace, PTRACE_PEEKDATA, 1, 0, 0) < 0 ? -errno : 0; }
static long try_inet(void)
{
        long r = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
        return r < 0 ? -errno : (close((int)r), 0);
}
static long try_unix(void)
{
        long r = syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
        return r < 0 ? -errno : (close((int)r), 0);
}
static long try_userns(void) { return syscall(SYS_unshare, CLONE_NEWUSER) < 0 ? -errno : 0; }
static long try_clone3(void) { return syscall(SYS_clone3, NULL, 0) < 0 ? -errno : 0; }
static long try_getppid(void) { return syscall(SYS_getppid) < 0 ? -errno : 0; }
static long try_wx(void)
{
        void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return p == MAP_FAILED ? -errno : (munmap(p, 4096), 0);
}
static long try_memfd_exec(void)
{
        long r = syscall(SYS_memfd_create, "x", 0x0010U /* MFD_EXEC */);
        return r < 0 ? -errno : (close((int)r), 0);
}

static const struct {
        const char *what;
        long (*fn)(void);
        long under_filter;
} probes[] = {
        { "ioctl(TIOCSTI | 1 << 32)", try_tiocsti, -EPERM },
        { "ptrace", try_ptrace, -EPERM },
        { "socket(AF_INET)", try_inet, -EPERM },
        { "socket(AF_UNIX)", try_unix, 0 },
        { "unshare(CLONE_NEWUSER)", try_userns, -EPERM },
        { "clone3", try_clone3, -ENOSYS },
        { "getppid", try_getppid, 0 },
        { "mmap(W|X)", try_wx, -EPERM },
        /* strict has wx = yes: memfd_create is refused whole (ENOSYS, as a
         * kernel without memfds), MFD_EXEC or not */
        { "memfd_create(MFD_EXEC)", try_memfd_exec, -ENOSYS },
};

/* In a child: 0 when every probe gives what the table says (or, without
 * the filter, something else than the filter's answer). */
static int run_probes(scmp_filter_ctx ctx, char *why, size_t n)
{
        int pipefd[2];
        cr_assert_eq(pipe(pipefd), 0);
        pid_t pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                close(pipefd[0]);
                if (ctx && seccomp_load(ctx) < 0)
                        _exit(3);
                for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
                        long r = probes[i].fn();
                        bool ok = ctx ? r == probes[i].under_filter
                                      : (probes[i].under_filter == 0 || r != probes[i].under_filter);
                        if (!ok) {
                                dprintf(pipefd[1], "%s gave %ld %s", probes[i].what, r,
                                        ctx ? "under the exported filter" : "without a filter");
                                _exit(1);
                        }
                }
                _exit(0);
        }
        close(pipefd[1]);
        ssize_t k = read(pipefd[0], why, n - 1);
        why[k > 0 ? k : 0] = 0;
        close(pipefd[0]);
        int st;
        cr_assert_eq(waitpid(pid, &st, 0), pid);
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

Test(analyze, exported_rules_enforce_like_sbx_under_libseccomp)
{
        struct sbx_policy p;
        struct sc_model m;
        char why[256];
        strict_policy(&p);
        cr_assert_eq(sc_model_build(&p, &m, NULL), 0);
        /* The calls the filter must refuse work (or fail otherwise) bare. */
        cr_assert_eq(run_probes(NULL, why, sizeof(why)), 0, "%s", why);
        scmp_filter_ctx ctx = filter_from_model(&m);
        cr_assert_eq(run_probes(ctx, why, sizeof(why)), 0, "%s", why);
        seccomp_release(ctx);
        sc_model_done(&m);
        policy_done(&p);
}

/* A profile whose writable mounts can show the home reports every
 * persistence point it leaves unprotected, with its technique; the shipped
 * shell profile (which includes the list through system.inc) none. */
Test(analyze, unprotected_persistence_points_are_open)
{
        setenv("HOME", "/home/someone", 1);
        struct sbx_policy *p = NULL;
        struct sbx_error *e = NULL;
        char *text = NULL;
        cr_assert_eq(sbx_policy_new(&p), 0);
        cr_assert_eq(sbx_policy_load(p, "shell", &e), 0, "%s", e ? sbx_error_message(e) : "");
        cr_assert_eq(sbx_analyze(p, SBX_FORMAT_TEXT, &text, NULL, &e), 0);
        cr_assert(!strstr(text, "writable in a writable mount"), "%s", text);
        free(text);
        cr_assert_eq(sbx_policy_set(p, "filesystem", "protect", "!~/.bashrc", "test", &e), 0);
        cr_assert_eq(sbx_policy_set(p, "filesystem", "protect", "!~/.config/autostart", "test", &e), 0);
        cr_assert_eq(sbx_analyze(p, SBX_FORMAT_TEXT, &text, NULL, &e), 0);
        cr_assert(strstr(text, "/home/someone/.bashrc writable in a writable mount (T1546.004)"), "%s", text);
        cr_assert(strstr(text, "/home/someone/.config/autostart writable in a writable mount (T1547.013)"),
                  "%s", text);
        free(text);
        sbx_policy_free(p);
}
