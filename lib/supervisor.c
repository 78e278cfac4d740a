/* supervisor.c — being written. */
