/* confine.c — being written. */
