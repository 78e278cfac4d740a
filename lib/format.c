/* format.c — being written. */
