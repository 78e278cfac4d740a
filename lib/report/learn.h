/* learn.h — what sbx learn gathers from one recording run (learn_record.c)
 * and turns into a profile (learn_profile.c).  Internal to report/. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan/plan.h"

enum need {
        N_READ = 1 << 0,   /* opened for reading, looked at, connected to */
        N_WRITE = 1 << 1,  /* an existing file changed */
        N_CREATE = 1 << 2, /* entries made or removed in this directory */
        N_EXEC = 1 << 3,   /* executed */
        N_LINK = 1 << 4,   /* a symlink on the way: its directory must show it */
        N_NOFILE = 1 << 5, /* with N_CREATE: what is made is not a file (mkdir…) */
        N_LOOK = 1 << 6,   /* looked at (stat, access, chdir…), not opened */
};

struct item {
        char *path;        /* canonical host path */
        unsigned need;
        unsigned count;
        unsigned execs;    /* of count, how many were execve */
        char *example;     /* a path below it that was used (creates: the entry) */
        bool exists;       /* on the host when the records were read */
};

struct cand {
        char *path;
        bool rw, exec, dir;
        bool exec_dir;     /* programs the run built in it ran: [exec] allow it */
        bool look;         /* a directory only looked at: `dir =`, nothing of it shown */
        unsigned files;    /* items it stands for */
        const char *why;   /* evidence, from the first item */
        char *example;
        bool gone;
};

struct port {
        unsigned port;
        unsigned count;
        bool loopback_only;
};

struct sbx_learn {
        const struct sbx_policy *base;
        char *base_name;
        char *program;        /* canonical, as plan.c resolves it */
        char **argv;
        struct plan view;     /* the base's own view */
        bool have_view;
        char **protect;       /* protect_paths() */
        char *home;

        struct item *items;
        size_t nitems, cap;
        size_t *hash;         /* open addressing into items (index + 1) */
        size_t hash_cap;

        struct port *binds, *connects;
        size_t nbinds, nconnects;
        bool net_outside;     /* a connect to a non-loopback address */
        unsigned abstract;    /* connects/binds of abstract unix sockets */
        unsigned proc_writes; /* files under /proc opened for writing */
        char *net_example;
        uint64_t families;    /* socket() families refused */
        char *sys[64];        /* syscalls outside the allow-list */
        unsigned sys_count[64];
        size_t nsys;
        char *refused[32];
        size_t nrefused;
        unsigned wx;
        char *wx_call;
        size_t records, bad;

        char **written;       /* files the learned profile keeps */
        size_t nwritten, written_cap;
        char **notes;
        size_t nnotes, notes_cap;
        char **rw;            /* the learned profile's writable binds */
        int err;              /* the first failure of learn_note(), sticky */
        size_t nrw, rw_cap;
};


/* learn_record.c, for learn_profile.c.  learn_note() keeps its first
 * failure in l->err as well, for callers that go on. */
int learn_note(struct sbx_learn *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One use of the recorded path `raw` (absolute inside the recording view). */
int learn_use_path(struct sbx_learn *l, const char *raw, unsigned need, bool removes);
void learn_written_drop(struct sbx_learn *l, const char *path);
/* strv_add(), -ENOMEM for a NULL s (a failed strdup). */
int learn_strv_add(char ***v, size_t *n, size_t *cap, char *s);
