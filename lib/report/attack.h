/* attack.h — what a policy stops: the ATT&CK map (data/attack-map.ini,
 * embedded at build time), the evaluation of each control against a
 * policy (analyze.c) and the Navigator layer (attack.c).
 * Pure: nothing here loads or applies anything. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/strbuf.h"
#include "profile/policy.h"

/* ---- the map ---------------------------------------------------------- */

#define ATTACK_MAX_MITIGATIONS 4

struct attack_mitigation {
        char *id;   /* "M1048" */
        char *name;
        char **techniques;     /* NULL-terminated, in the map's order */
        char **not_applicable; /* NULL-terminated */
};

/* One technique a control blunts, with the mitigation that lists it. */
struct attack_link {
        size_t mitigation; /* index into attack_map.mitigations */
        char *technique;
};

struct attack_control {
        char *id;
        char *description;
        char *on_when;
        unsigned weight;
        struct attack_link *links;
        size_t nlinks;
        char **tests; /* NULL-terminated; empty: claimed, not demonstrated */
        unsigned line; /* in data/attack-map.ini */
};

struct attack_map {
        struct attack_mitigation *mitigations;
        size_t nmitigations;
        struct attack_control *controls;
        size_t ncontrols;
};

/* The embedded copy of data/attack-map.ini. */
const char *attack_map_source(void);

/* Parse map text.  On a syntax error returns -EINVAL and *err_line (may be
 * NULL) names the line.  Checks: known keys only, numeric weight, every
 * technique of a control listed by its mitigation, no duplicate ids. */
int attack_map_parse(const char *text, struct attack_map *ret, unsigned *err_line);
/* The embedded map, parsed. */
int attack_map_load(struct attack_map *ret);
void attack_map_done(struct attack_map *m);
const struct attack_control *attack_map_control(const struct attack_map *m, const char *id);
bool attack_mitigation_not_applicable(const struct attack_mitigation *mi, const char *technique);

/* ---- evaluating a policy (analyze.c) ---------------------------------- */

/* Something a control leaves open.  `technique`, when set, is a technique
 * this exposure defeats (so the control no longer counts as covering it). */
struct attack_exposure {
        char *what;
        unsigned open_pm;      /* its share of the control, per mille */
        const char *technique; /* static string or NULL */
};

enum attack_state { ATTACK_ON, ATTACK_PARTIAL, ATTACK_OFF };

struct attack_result {
        const struct attack_control *control;
        unsigned open_pm; /* 0 (fully on) … 1000 (off), capped sum of exposures */
        enum attack_state state;
        struct attack_exposure *exposures;
        size_t nexposures;
        const char *note; /* static; e.g. why a control is moot */
};

struct attack_analysis {
        struct attack_map map;
        struct attack_result *results; /* one per map control, same order */
        size_t nresults;
        unsigned long weight_total;
        unsigned long open_total; /* sum of weight * open_pm */
        int score_x10;            /* 0 … 100: exposure score times ten */
        bool memfd_allowed;       /* the filter lets memfd_create through */
};

/* Evaluate every control of the embedded map against p.  Looks at the
 * host only to tell directories from files in the exec allow-list; builds
 * the seccomp filter (seccomp.c) to know what it lets through, so *err
 * gets its errors. */
int attack_analyze(const struct sbx_policy *p, struct attack_analysis *ret, struct sbx_error **err);
void attack_analysis_done(struct attack_analysis *a);
/* Does result r stop technique t (listed under any mitigation)?  Not when
 * r is off or some exposure of the policy defeats t. */
bool attack_result_covers(const struct attack_analysis *a, const struct attack_result *r,
                          const char *technique);
/* Per mitigation: is t covered by some control, and demonstrated by a
 * control that has a test? */
void attack_technique_status(const struct attack_analysis *a, size_t mitigation,
                             const char *technique, bool *covered, bool *demonstrated);
const char *attack_state_name(enum attack_state s);
/* The controls analyze.c knows how to evaluate (the map must name exactly
 * these; tests/test_analyze.c checks). */
size_t attack_evaluator_count(void);
const char *attack_evaluator_id(size_t i);
/* /, /usr, /etc, /bin, /sbin, /lib*, /boot, /opt, /var, /srv or beneath. */
bool attack_system_path(const char *path);
