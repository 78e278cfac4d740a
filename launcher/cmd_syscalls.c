/* cmd_syscalls.c — being written. */
