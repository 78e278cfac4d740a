/* caps.c — being written. */
