/* plan.c — being written. */
