/* registry.h — names of running sandboxes (registry.c). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define REGISTRY_NAME_MAX 64

struct reg_entry {
        char name[REGISTRY_NAME_MAX + 1];
        pid_t pid;            /* the `sbx run` process */
        uint64_t start;       /* its start time (clock ticks since boot) */
        pid_t init;           /* the sandbox's init, in our pid namespace */
        uint64_t init_start;
        int door_fd;          /* the enter channel's number in `sbx run` */
        uint64_t door_ino;    /* its socket inode */
        int64_t started;      /* wall clock, seconds */
        char profile[256];
        char program[1024];
};

/* A verified entry: pidfds of both processes, and the door when asked. */
struct reg_live {
        int pidfd, init_pidfd, door;
};

/* Open (making it when missing) the registry directory: $XDG_RUNTIME_DIR/sbx,
 * /run/user/UID/sbx, else $XDG_CONFIG_HOME/sbx/running.  *ret_path may be
 * NULL.  -errno with *why set on failure. */
int registry_open(int *ret_dirfd, char *ret_path, size_t n, const char **why);
/* Names: [A-Za-z0-9_][A-Za-z0-9._-]*, at most REGISTRY_NAME_MAX bytes. */
bool registry_name_valid(const char *name);
/* Read one entry; refuses what is not a regular, private file of ours. */
int registry_read(int dirfd, const char *name, struct reg_entry *e);
/* Claim e->name for e (e->init 0: starting); -EEXIST when the name is
 * held by a live sbx run (a stale entry is replaced).  Atomic: of two
 * callers claiming one free name, one gets -EEXIST. */
int registry_add(int dirfd, const struct reg_entry *e);
/* Rewrite our own entry (once the sandbox runs). */
int registry_update(int dirfd, const struct reg_entry *e);
/* Remove name if it still describes (pid, start). */
void registry_remove(int dirfd, const char *name, pid_t pid, uint64_t start);
/* Check e against the live processes (see registry.c); with want_door,
 * also copy the door's fd out of `sbx run`.  -ESRCH: stale (gone or the
 * pid reused); -EPERM: it does not answer as the entry says (forged); -EAGAIN:
 * claimed by an sbx run whose sandbox is not running yet. */
int registry_verify(const struct reg_entry *e, bool want_door, struct reg_live *live, const char **why);
void registry_live_close(struct reg_live *live);
/* Start time of pid from /proc/PID/stat, and its parent. */
int proc_start_time(pid_t pid, uint64_t *start, pid_t *ppid);
