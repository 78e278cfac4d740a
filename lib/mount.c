/* mount.c — being written. */
