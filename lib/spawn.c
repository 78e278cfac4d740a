/* spawn.c — being written. */
