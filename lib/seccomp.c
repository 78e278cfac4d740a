/* seccomp.c — being written. */
