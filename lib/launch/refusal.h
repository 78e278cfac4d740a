/* refusal.h — what the sandbox's layers refused, as the user is told it:
 * per kind a count, the first example, the rule that decided and the
 * command-line override that would allow it.  Filled in the sandbox's init
 * (child side: fixed buffers, no allocation, no stdio), carried to the
 * parent with the program's status, read through sbx_process_refusals(). */
#pragma once

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct plan;

enum refusal_kind {
        RF_SECCOMP,     /* a syscall the filter denied */
        RF_WX,          /* memory both writable and executable ([seccomp] wx) */
        RF_EXEC,        /* execve refused by [exec] (Landlock, deny masks, noexec) */
        RF_TCP_BIND,    /* Landlock's TCP bind port rule */
        RF_TCP_CONNECT, /* Landlock's TCP connect port rule */
        RF_ABSTRACT,    /* Landlock's abstract unix socket scope */
        RF_READONLY,    /* a write on a read-only mount */
        RF_PROTECT,     /* the persistence protection (protect.c) */
        RF_LL_READONLY, /* [landlock] read-only */
        RF_PERMISSION,  /* file permissions: the sandbox's uid may not write there */
        RF_DISCARDED,   /* files left in the private home or /tmp, gone at exit */
        RF_HIDDEN,      /* a path missing in the view: a candidate the parent checks on
                         * the host (refusal_hidden_*), never counted in init */
        RF_COUNT,
};

#define RF_TEXT 232

struct refusal_entry {
        uint32_t count;
        char example[RF_TEXT];  /* what was refused, first occurrence */
        char rule[RF_TEXT];     /* the profile line or section that decided */
        char override[RF_TEXT]; /* the command-line option that allows it, or "" */
};

struct refusal_tally {
        struct refusal_entry e[RF_COUNT];
};

/* One refusal as explained (child side). */
struct refusal_event {
        enum refusal_kind kind;
        char example[RF_TEXT];
        char rule[RF_TEXT];
        char override[RF_TEXT];
};

/* "exec", "tcp-bind", …, and the words the summary line uses. */
const char *refusal_kind_name(enum refusal_kind k);
const char *refusal_kind_title(enum refusal_kind k);

/* Count ev; the first of each kind is kept as its example. */
void refusal_tally_add(struct refusal_tally *t, const struct refusal_event *ev);
/* Every control byte of ev's texts as \xNN, in place: paths the program
 * chose (a file named "x\nsbx: …") must never make a line of sbx's own or
 * reach the caller's terminal as escapes.  Done on every event before it
 * is counted or reported. */
void refusal_event_sanitize(struct refusal_event *ev);

/* For a call the filter handed over to be observed (SV_OBSERVE): will
 * the kernel refuse it, and why?  (refusal_explain.c)  Reads the call's path or address from
 * process `n->pid` and looks at the sandbox's view from init.  Returns 1
 * and fills *ev when it predicts a refusal, 0 when not (or when it cannot
 * tell).  The kernel decides either way: this only explains. */
int refusal_explain_call(const struct plan *plan, const struct seccomp_notif *n, struct refusal_event *ev);

/* RF_HIDDEN travels as a record on the report pipe, for the parent to
 * check on the host: RF_HIDDEN_MARK, then the inside path, the first
 * component missing in the view, the example, tab-separated, '\n'.
 * ev->rule holds the path, ev->override the missing component. */
#define RF_HIDDEN_MARK '\x1e'


/* The name of process pid (its /proc/PID/comm), "?" when unreadable. */
void refusal_read_comm(int pid, char *buf, size_t size);

/* ---- helpers of refusal_*.c (refusal.c; child side, no allocation) ---- */

/* Bounded appends at `at`; each returns the new end. */
size_t rf_cat(char *buf, size_t size, size_t at, const char *s);
size_t rf_cat_u(char *buf, size_t size, size_t at, uint64_t v);
/* Program text: control bytes shown as \xNN, never passed on. */
size_t rf_cat_esc(char *buf, size_t size, size_t at, const char *s);
struct sbx_loc;
size_t rf_cat_loc(char *buf, size_t size, size_t at, const struct sbx_loc *l);
/* From process pid's memory: raw bytes; a whole NUL-terminated path
 * (-1 when unreadable or longer than buf). */
ssize_t rf_read_mem(int pid, uint64_t addr, void *buf, size_t size);
ssize_t rf_read_path(int pid, uint64_t addr, char *buf, size_t size);
/* "/proc/PID" (pid 0: "self") + what [+ fd]. */
size_t rf_proc_path(char *buf, size_t size, int pid, const char *what, int fd);
/* An O_PATH fd where the program's `path` starts (its root, its cwd or
 * the dirfd it passed), or -1. */
int rf_start_dir(int pid, int dirfd, const char *path);
/* The canonical path of an O_PATH fd as the sandbox sees it. */
int rf_fd_canon(int fd, char *buf, size_t size);
/* path's directory into dir ("." when none) and its last component. */
int rf_split_path(const char *path, char *dir, size_t size, const char **name);
/* " (COMM, pid N)" after ev->example[0..at); comm NULL: read it now. */
void rf_example_tail(struct refusal_event *ev, size_t at, const char *comm, int pid);
