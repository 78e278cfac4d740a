/* exec.c — being written. */
