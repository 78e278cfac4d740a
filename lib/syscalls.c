/* syscalls.c — being written. */
