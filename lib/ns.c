/* ns.c — being written. */
