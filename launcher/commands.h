/* commands.h — one entry point per subcommand; each lives in cmd_NAME.c.
 * A command returns the process exit code (enum sbx_exit or the program's). */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include <sbx.h>

struct command {
        const char *name;
        int (*run)(int argc, char **argv);
        const char *summary;
        const char *usage; /* full help text for `sbx help NAME` */
};

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_syscalls(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_attack(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_learn(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_enter(int argc, char **argv);
int cmd_desktop(int argc, char **argv);

extern const char cmd_run_usage[], cmd_check_usage[], cmd_show_usage[], cmd_list_usage[],
        cmd_syscalls_usage[];
extern const char cmd_analyze_usage[], cmd_attack_usage[], cmd_export_usage[], cmd_learn_usage[];
extern const char cmd_ps_usage[], cmd_stop_usage[], cmd_enter_usage[], cmd_desktop_usage[];

/* Print "sbx: MESSAGE" for an error object and free it; returns the exit
 * code that matches its kind. */
int report_error(struct sbx_error *e);
/* Print a usage error and return SBX_EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* `sbx run`'s overrides (cmd_run.c), also taken by `sbx export`: apply
 * one to p after the profile; 0, or the exit code of the error printed. */
struct sbx_policy;
int set_override(struct sbx_policy *p, const char *section, const char *key, const char *value);
int bind_override(struct sbx_policy *p, const char *arg, bool ro);
/* One command-line override (--bind, --ro-bind, --net, --env, --set) of
 * `sbx run` or `sbx export`, merged into p; an exit code, 0 when it took. */
enum override { OVR_BIND, OVR_RO_BIND, OVR_NET, OVR_ENV, OVR_SET };
int apply_override(struct sbx_policy *p, const char *cmd, enum override kind, const char *arg);
