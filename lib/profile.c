/* profile.c — being written. */
