/* landlock.c — being written. */
